"""Tie strength: messages fade, meetings stay, three meetings make a strong tie (seed 004).

Seed 004: 超过3次的线下见面和聚会, 就可能实现强关联, 实现了社群的真正黏着 ("more than three
offline meetings and gatherings can make a strong tie: the community's real stickiness").
A tie carries decayed online ``messages`` (half-life ``TieRule.half_life_weeks``) and offline
``meetings`` (counted, not decayed: a friendship made offline persists). Its strength is
``1 − exp(−(message_weight · messages + meeting_weight · meetings))``
(:func:`shequn.loyalty.ties.tie_strength`); it is *strong* once it has
``strong_after_meetings`` meetings. Strength raises the chance that a tie carries a
conversation (word of mouth); strong ties protect against churn and open the fan → friend
step (ladder).

Examples
--------
>>> from shequn.simulation.mechanisms.tie_strength import TieStrengthParams
>>> TieStrengthParams().tie_rule.strong_after_meetings
3
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import attrs

from shequn._validation import fail
from shequn.loyalty.ties import TieRule
from shequn.simulation._numba import inline
from shequn.simulation.mechanisms._spec import Flow, ParamSpec, Setting

__all__ = ["FLOWS", "NAME", "NESTED", "PROFILE_FIELDS", "TieRates", "TieStrengthParams"]

NAME = "tie_strength"
PROFILE_FIELDS: tuple[str, ...] = ()


def _tie_rule(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, TieRule):
        raise fail(type(instance).__name__, attribute.name, "be a TieRule", value)


@attrs.frozen(kw_only=True)
class TieStrengthParams:
    """How interactions turn into tie strength.

    Attributes
    ----------
    tie_rule
        :class:`~shequn.loyalty.ties.TieRule`: weights of messages and meetings, the
        messages' half-life and the meetings that make a tie strong.
    """

    tie_rule: TieRule = attrs.field(factory=TieRule, validator=_tie_rule)


NESTED: dict[str, dict[str, ParamSpec]] = {
    "tie_rule": {
        "meeting_weight": ParamSpec(
            unit="strength / meeting",
            bounds=(0.0, math.inf),
            source="assumed: one meeting weighs as much as twenty messages",
            calibrate=True,
        ),
        "message_weight": ParamSpec(
            unit="strength / message",
            bounds=(0.0, math.inf),
            source="assumed: twenty messages weigh as much as a meeting",
            calibrate=True,
        ),
        "half_life_weeks": ParamSpec(
            unit="weeks",
            bounds=(0.0, math.inf),
            source="assumed: half a year without contact halves a tie's messages",
            calibrate=True,
            low_open=True,
        ),
        "strong_after_meetings": ParamSpec(
            unit="meetings",
            bounds=(1.0, math.inf),
            source="004 超过3次的线下见面和聚会, 就可能实现强关联 (3 meetings: a strong tie)",
            calibrate=False,
        ),
    }
}
"""Parameters held inside a field's value (the ``TieRule``), with their specs."""

PARAMS = TieStrengthParams

FLOWS = (
    Flow(
        name="ties_formed",
        unit="ties",
        meaning="new ties this week (friends of friends, event acquaintances, newcomers)",
    ),
    Flow(
        name="partner_ties",
        unit="tie ends",
        meaning="ends of new ties at partners (members with top-decile resources)",
    ),
)


class TieRates(NamedTuple):
    """What the tie pass reads (derived at compile time)."""

    decay: float
    message_weight: float
    meeting_weight: float
    strong_after: float


def derive(params: TieStrengthParams, s: Setting) -> TieRates:
    """The weekly decay factor ``0.5^(1 / half_life)`` and the rule's weights."""
    rule = params.tie_rule
    return TieRates(
        decay=float(0.5 ** (1.0 / rule.half_life_weeks)),
        message_weight=float(rule.message_weight),
        meeting_weight=float(rule.meeting_weight),
        strong_after=float(rule.strong_after_meetings),
    )


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def load(r: TieRates, messages: float, meetings: float) -> float:
    """``x = message_weight · messages + meeting_weight · meetings`` (strength is 1 − e^−x)."""
    return r.message_weight * messages + r.meeting_weight * meetings


@inline  # type: ignore[misc, unused-ignore]
def is_strong(r: TieRates, meetings: float) -> bool:
    """A tie is strong from ``strong_after_meetings`` meetings on."""
    return meetings >= r.strong_after


@inline  # type: ignore[misc, unused-ignore]
def boost_bounds(x: float) -> tuple[float, float]:
    """Bounds on ``1 + strength`` from ``x − x²/2 <= 1 − e^−x <= min(x, 1)`` (no exponential)."""
    lo = x - 0.5 * x * x
    return 1.0 + (lo if lo > 0.0 else 0.0), 1.0 + (x if x < 1.0 else 1.0)


@inline  # type: ignore[misc, unused-ignore]
def boost(x: float) -> float:
    """``1 + strength`` of a tie with load ``x``."""
    return 1.0 - math.expm1(-x)
