"""check_instance, instance_of and check_indices: the shared checks of object arguments and index
arrays (added for the API walk of simulation and twin)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn._validation import check_count, check_indices, check_instance, count, instance_of
from shequn.exceptions import InvalidParameterError


@given(
    st.one_of(
        st.integers(),
        st.floats(),
        st.text(),
        st.none(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.integers()),
    )
)
def test_check_instance_refuses_every_other_type_by_name(value: Any) -> None:
    with pytest.raises(InvalidParameterError) as err:
        check_instance(value, Fraction, owner="f", field="x")
    msg = str(err.value)
    assert msg.startswith("`f.x` must be a Fraction; got ")
    shown = msg.removeprefix("`f.x` must be a Fraction; got ")
    # short values are shown as they are; containers by their type and a short repr
    if isinstance(value, list | dict):
        assert shown.startswith(f"a {type(value).__name__} ")
    else:
        assert shown == repr(value) if isinstance(value, str) else shown == str(value)


def test_check_instance_accepts_instances_subclasses_and_optional_none() -> None:
    class Half(Fraction):
        pass

    h = Half(1, 2)
    assert check_instance(h, Fraction, owner="f", field="x") is h
    assert check_instance(None, Fraction, owner="f", field="x", optional=True) is None
    assert check_instance(3, (Fraction, int), owner="f", field="x") == 3
    with pytest.raises(InvalidParameterError, match=r"must be a Fraction or an int or None"):
        check_instance("3", (Fraction, int), owner="f", field="x", optional=True)


def test_instance_of_names_the_class_and_field() -> None:
    @attrs.frozen
    class Holder:
        part: Fraction = attrs.field(validator=instance_of(Fraction))

    assert Holder(Fraction(1, 3)).part == Fraction(1, 3)
    with pytest.raises(InvalidParameterError, match=r"`Holder\.part` must be a Fraction"):
        Holder({})  # type: ignore[arg-type]


@given(st.lists(st.integers(-(2**70), 2**70), max_size=8), st.integers(1, 50))
def test_check_indices_accepts_exactly_the_indices_in_range(values: list[int], size: int) -> None:
    if all(0 <= v < size for v in values):
        got = check_indices(values, size, owner="f", field="members")
        assert got.dtype == np.int64 and got.tolist() == values
    else:  # out of range, or beyond int64 (then not a numeric array)
        with pytest.raises(InvalidParameterError, match=r"`f\.members` must (hold|be a numeric)"):
            check_indices(values, size, owner="f", field="members")


@pytest.mark.parametrize("bad", [[0.5], [float("nan")], ["a"], "abc", None, [[0, 1]], [True]])
def test_check_indices_refuses_what_is_not_an_index(bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`f\.members` must"):
        check_indices(bad, 3, owner="f", field="members")


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (0, "be an integer >= 1"),  # the common error keeps its short rule
        (2**63, "be at most 2\\*\\*63 - 1"),  # one past int64's largest
        (True, "be an integer >= 1"),
        (1.0, "be an integer >= 1"),
    ],
)
def test_count_refuses_below_low_and_beyond_int64(value: Any, rule: str) -> None:
    @attrs.frozen
    class Sized:
        n: int = attrs.field(validator=count(1))

    assert Sized(2**63 - 1).n == check_count(2**63 - 1, owner="f", field="n", low=1)
    with pytest.raises(InvalidParameterError, match=rf"`Sized\.n` must {rule}"):
        Sized(value)
