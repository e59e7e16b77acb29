"""Integer settings of the operating model stop at int64's largest value (the engine stores
them as int64): 2**64 is refused naming the field, never wrapped around or passed on."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.exceptions import InvalidParameterError
from shequn.operating import Content, Structure, Tools

INT_MAX = 2**63 - 1  # numpy.iinfo(numpy.int64).max


@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (Content, "burst_period"),
        (Structure, "group_cap"),
        (Structure, "leader_leaves_at"),
        (Structure, "seeds"),
        (Structure, "volunteers"),
        (Tools, "event_capacity"),
    ],
)
def test_integer_settings_stop_at_int64(cls: Any, field: str) -> None:
    with pytest.raises(
        InvalidParameterError, match=rf"`{cls.__name__}\.{field}` must be at most 2\*\*63 - 1"
    ):
        cls(**{field: 2**64})
    assert getattr(cls(**{field: INT_MAX}), field) == INT_MAX  # the largest int64 is allowed


def test_leaders_and_content_week_stop_at_int64() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"`Structure\.leaders` must be at most 2\*\*63"
    ):
        Structure(leaders=[0, 2**64])
    with pytest.raises(InvalidParameterError, match=r"`Content\.week` must be at most 2\*\*63"):
        Content().items_in_week(2**64)
