"""Validation and behaviour of the operating-model value types."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.community import InvitePolicy
from shequn.exceptions import InvalidParameterError
from shequn.operating import (
    Connectivity,
    Content,
    Economics,
    FeedbackChannel,
    OperatingModel,
    Schedule,
    Structure,
    Tools,
)

BAD = [
    (Connectivity, "person_person", 1.5),
    (Connectivity, "product_visibility", -0.1),
    (Connectivity, "feedback", "hotline"),
    (Content, "cadence", -1.0),
    (Content, "quality", 1.2),
    (Content, "social_share", -0.5),
    (Content, "schedule", "random"),
    (Content, "burst_period", 0),
    (Structure, "group_cap", 0),
    (Structure, "leaders", -1),
    (Structure, "leader_activity", 2.0),
    (Structure, "leader_leaves_at", 0),
    (Structure, "volunteers", -3),
    (Structure, "volunteer_placement", "middle"),
    (Structure, "seeding", ""),
    (Structure, "seeding", "betweenness"),
    (Structure, "seeds", -1),
    (Tools, "broadcast_budget", -5.0),
    (Tools, "broadcast_quality", 1.01),
    (Tools, "group_chat", "yes"),
    (Tools, "invite_policy", "open"),
    (Tools, "event_frequency", -0.25),
    (Tools, "event_capacity", 0),
    (Tools, "event_ties", -1.0),
    (Tools, "rule_strictness", 1.5),
    (Tools, "remove_rule_breakers", 1),
    (Economics, "price", -1.0),
    (Economics, "margin", 1.5),
    (Economics, "cost_per_content", -200.0),
    (Economics, "cost_per_event", -1.0),
    (Economics, "cost_per_message", -0.01),
    (Economics, "staff_per_week", -10.0),
    (Economics, "product_quality", 2.0),
]


@pytest.mark.parametrize(("cls", "field", "value"), BAD)
def test_bad_field_raises_naming_class_field_and_value(
    cls: type, field: str, value: object
) -> None:
    with pytest.raises(InvalidParameterError, match=rf"`{cls.__name__}\.{field}`") as info:
        cls(**{field: value})
    assert str(value) in str(info.value) or repr(value) in str(info.value)


def test_operating_model_refuses_wrong_pillar() -> None:
    with pytest.raises(InvalidParameterError, match=r"OperatingModel\.content"):
        OperatingModel(content=Tools())  # type: ignore[arg-type]


def test_enums_accept_names() -> None:
    assert Connectivity(feedback="closed").feedback is FeedbackChannel.CLOSED
    assert Content(schedule="BURSTY").schedule is Schedule.BURSTY
    assert Tools(invite_policy=InvitePolicy.OWNER_ONLY).invite_policy is InvitePolicy.OWNER_ONLY
    assert Structure(leaders=3).leaders == (3,)


@given(cadence=st.floats(0, 20), period=st.integers(1, 8), horizon=st.integers(1, 10))
def test_bursty_schedule_has_same_volume_as_steady(
    cadence: float, period: int, horizon: int
) -> None:
    weeks = horizon * period
    steady = Content(cadence=cadence)
    bursty = attrs.evolve(steady, schedule="bursty", burst_period=period)
    total_s = sum(steady.items_in_week(w) for w in range(weeks))
    total_b = sum(bursty.items_in_week(w) for w in range(weeks))
    assert total_b == pytest.approx(total_s, rel=1e-9, abs=1e-9)
    assert max(bursty.items_in_week(w) for w in range(weeks)) == pytest.approx(cadence * period)


def test_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Content().quality = 0.1  # type: ignore[misc]


# ------------------------------------------------------------------- every float field (issue 14)
def _float_fields() -> list[tuple[type, str]]:
    from shequn.economics import Economics
    from shequn.simulation import MECHANISMS, Profile

    classes: list[type] = [Connectivity, Content, Structure, Tools, Economics, Profile]
    classes += [m.PARAMS for m in MECHANISMS if m.PARAMS is not None]
    out = []
    for cls in classes:
        inst = cls()
        for f in attrs.fields(cls):
            if isinstance(getattr(inst, f.name), float) or f.name == "referral_budget":
                out.append((cls, f.name))
    return out


@pytest.mark.parametrize(("cls", "field"), _float_fields(), ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("bad", ["0.5", True, float("nan"), float("inf"), -1.0, None, [0.5]])
def test_float_fields_refuse_non_numbers(cls: type, field: str, bad: object) -> None:
    # a string, a bool, NaN, infinity, a negative number, None or a list: never silently
    # converted or clipped; the error names the class and the field (None is allowed only
    # where the field is optional)
    optional = field in ("referral_budget",)
    if bad is None and optional:
        assert getattr(cls(**{field: None}), field) is None
        return
    with pytest.raises(InvalidParameterError, match=rf"`{cls.__name__}\.{field}`"):
        cls(**{field: bad})


@pytest.mark.parametrize("bad", ["3", True, None, [1.0]])
@pytest.mark.parametrize(
    ("cls", "field"),
    [
        (Content, "cadence"),
        (Tools, "broadcast_budget"),
        (Tools, "event_frequency"),
        (Tools, "event_ties"),
    ],
)
def test_float_fields_refuse_strings_bools_and_none(cls: type, field: str, bad: object) -> None:
    """Issue 14: "0.5" and True were read as numbers (converter=float); now the house error."""
    with pytest.raises(InvalidParameterError, match=rf"`{cls.__name__}\.{field}` must"):
        cls(**{field: bad})


def test_float_fields_still_take_ints() -> None:
    assert Content(cadence=2).cadence == 2.0
    assert isinstance(Tools(event_ties=1).event_ties, float)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"budget": float("nan")}, "budget"),
        ({"budget": -1.0}, "budget"),
        ({"budget": "100"}, "budget"),
        ({"budget": 1.0, "audience": "everyone"}, "audience"),
        ({"budget": 1.0, "audience": None}, "audience"),
    ],
)
def test_broadcast_only_names_its_own_arguments(kwargs: dict[str, object], field: str) -> None:
    """The error names broadcast_only's parameter, not the Tools field it ends up in."""
    with pytest.raises(InvalidParameterError, match=rf"`OperatingModel.broadcast_only.{field}`"):
        OperatingModel.broadcast_only(**kwargs)  # type: ignore[arg-type]
