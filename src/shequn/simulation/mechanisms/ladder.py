"""The loyalty ladder and churn: customer → user → fan → friend, leaving, coming back (seed 003).

Seed 003: 当客户变成了用户, 用户变成了粉丝, 粉丝变成了朋友, 一个社群进化就此完成 ("when
customers become users, users fans and fans friends, a community has evolved"). Seed 004:
members with more than three offline meetings stay (强关联, 真正黏着).

* **Up-moves** (customer → user → fan → friend): probability ``ladder_rates[stage] · e ·
  satisfaction · (1 + strong_ladder · min(strong, 3) / 3)`` (``satisfaction`` 0.2 for a
  member dissatisfied this week); fan → friend needs a strong tie (粉丝变成了朋友); a member
  who adopted this week does not move.
* **Down-moves** (user, fan, friend): ``ladder_down · (1 − e)``, when there is no up-move.
* **Churn**: hazard ``baseline_churn · exp(−churn_engagement · e) · (1 − strong_protect)^
  min(strong, 3)``, times the feedback channel's multiplier for the dissatisfied, plus the
  rules' exit hazard; removals of rule breakers take the uniforms above it (see the rules).
  Leavers become lapsed and leave their group.
* **Returns**: a lapsed member comes back (as a customer at the baseline engagement) with
  probability ``1 − (1 − return_rate)^pull``, ``pull`` the tie-weighted engagement of their
  advocates (fans and friends who stayed this week).

Examples
--------
>>> from shequn.simulation.mechanisms.ladder import LadderParams
>>> LadderParams().ladder_rates
(0.1, 0.06, 0.04)
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import FloatArray
from shequn._validation import check_probability, fail, nonnegative
from shequn.simulation._numba import inline, kernel
from shequn.simulation.mechanisms import feedback, rules
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "LadderParams", "LadderRates"]

NAME = "ladder"
PROFILE_FIELDS = ("baseline_churn",)
DISSATISFIED_CLIMB = 0.2
"""Up-move factor of a member dissatisfied this week (satisfaction)."""


def _ladder_rates(value: Any) -> tuple[float, ...]:
    try:
        items = tuple(float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise fail("LadderParams", "ladder_rates", "be 3 numbers", value) from exc
    if len(items) != 3:
        raise fail("LadderParams", "ladder_rates", "have 3 entries", value)
    return items


def _check_rates(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for v in value:
        check_probability(v, owner=type(instance).__name__, field=attribute.name)


@attrs.frozen(kw_only=True)
class LadderParams:
    """Rates of ladder moves, churn and returns.

    Attributes
    ----------
    ladder_rates
        Up-move rates (customer→user, user→fan, fan→friend) per week at full engagement and
        satisfaction. Calibration hook (:func:`~shequn.simulation.ladder_rates_from`).
    strong_ladder
        Relative boost of up-moves per strong tie (up to three).
    ladder_down
        Down-move rate of a disengaged user, fan or friend (times ``1 − e``).
    churn_engagement
        Churn hazard falls as ``exp(−churn_engagement · e)``.
    strong_protect
        Hazard reduction per strong tie, up to three (seed 004).
    return_rate
        Probability per unit of advocate weight (engaged fan or friend neighbours) that a
        lapsed member returns.
    """

    ladder_rates: tuple[float, ...] = param(
        (0.10, 0.06, 0.04),
        _check_rates,
        unit="probability / week (customer→user, user→fan, fan→friend)",
        source="assumed: climbing gets harder (003); calibrate with ladder_rates_from",
        bounds=(0.0, 1.0),
        converter=_ladder_rates,
    )
    strong_ladder: float = param(
        0.5, nonnegative, unit="boost / strong tie", source="003 粉丝变成了朋友; size assumed"
    )
    ladder_down: float = param(
        0.02, unit="probability / week", source="assumed: slow decline of the disengaged"
    )
    churn_engagement: float = param(
        3.0, nonnegative, unit="1 / engagement", source="assumed: engaged members stay"
    )
    strong_protect: float = param(
        0.3,
        unit="hazard reduction / strong tie",
        source="004 超过3次的线下见面……实现了社群的真正黏着 (stickiness); size assumed",
    )
    return_rate: float = param(
        0.01, unit="probability / advocate", source="assumed: friends bring some back"
    )


PARAMS = LadderParams

FLOWS = (
    Flow(name="moved_up", unit="members", meaning="members who climbed a ladder step"),
    Flow(name="moved_down", unit="members", meaning="members who stepped down"),
    Flow(name="churned", unit="members", meaning="members who left of their own accord"),
    Flow(name="at_risk_strong", unit="members", meaning="members with a strong tie (at risk)"),
    Flow(name="left_strong", unit="members", meaning="leavers with a strong tie"),
    Flow(name="at_risk_weak", unit="members", meaning="members without a strong tie (at risk)"),
    Flow(name="left_weak", unit="members", meaning="leavers without a strong tie"),
    Flow(name="returned", unit="members", meaning="lapsed members who came back"),
)


class LadderRates(NamedTuple):
    """What the passes read (derived at compile time)."""

    ladder: FloatArray
    strong_ladder: float
    ladder_down: float
    baseline_churn: float
    churn_engagement: float
    protect_pow: FloatArray
    return_rate: float
    log_keep: float


def derive(params: LadderParams, s: Setting) -> LadderRates:
    """Rates per stage (prospects and lapsed members do not climb) and the churn tables."""
    rr = float(params.return_rate)
    return LadderRates(
        ladder=np.asarray((0.0, *params.ladder_rates, 0.0, 0.0)),
        strong_ladder=float(params.strong_ladder),
        ladder_down=float(params.ladder_down),
        baseline_churn=float(s.profile.baseline_churn),
        churn_engagement=float(params.churn_engagement),
        protect_pow=(1.0 - float(params.strong_protect)) ** np.arange(4, dtype=np.float64),
        return_rate=rr,
        log_keep=math.log1p(-rr) if rr < 1.0 else -math.inf,
    )


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def move(
    r: LadderRates, stage: int, e: float, dissatisfied: bool, strong: int, new: bool, u: float
) -> tuple[bool, bool]:
    """Up- or down-move of a member from one uniform ``u`` (the two exclude each other)."""
    s3 = strong if strong < 3 else 3
    up_ok = (stage >= 1) & (stage <= 3) & (not new) & ((stage < 3) | (strong > 0))
    sat = DISSATISFIED_CLIMB if dissatisfied else 1.0
    p_up = r.ladder[stage] * e * sat * (1.0 + r.strong_ladder * s3 / 3.0)
    p_up = p_up if up_ok else 0.0
    p_dn = r.ladder_down * (1.0 - e) if (stage >= 2) & (stage <= 4) else 0.0
    up = u < p_up
    dn = (not up) & (u < p_up + (1.0 - p_up) * p_dn)
    return up, dn


@inline  # type: ignore[misc, unused-ignore]
def churn_hazard(
    r: LadderRates, fr: Any, rr: Any, e: float, strong: int, dissatisfied: bool
) -> float:
    """This week's probability of leaving: own churn (engagement, strong ties, feedback) plus
    the rules' exit hazard, at most 1."""
    hz = (
        r.baseline_churn
        * math.exp(-r.churn_engagement * e)
        * r.protect_pow[strong if strong < 3 else 3]
    )
    hz = hz * feedback.churn_multiplier(fr, dissatisfied) + rules.exit_hazard(rr, e)
    return hz if hz < 1.0 else 1.0


@inline  # type: ignore[misc, unused-ignore]
def returns(r: LadderRates, pull: float, gen: Any) -> bool:
    """A lapsed member with advocate ``pull > 0`` returns with ``1 − (1 − return_rate)^pull``."""
    return bool(gen.random() < -math.expm1(pull * r.log_keep))


@kernel  # type: ignore[misc, unused-ignore]
def _nb_pull(eu: Any, ev: Any, ew: Any, m0: int, val: Any, pull: Any) -> None:
    for j in range(m0):
        u = eu[j]
        v = ev[j]
        a = val[u]  # -1: lapsed; > 0: an advocate's engagement
        b = val[v]
        if a * b < 0.0:  # one end lapsed, the other an advocate
            if a < 0.0:
                pull[u] += b * ew[j]
            else:
                pull[v] += a * ew[j]


def advocate_pull(eu: Any, ev: Any, ew: Any, m0: int, advocate: Any, pull: Any) -> None:
    """``pull_i += Σ_j w_ij advocate_j`` for lapsed ``i`` over the first ``m0`` ties.

    ``advocate`` holds ``-1`` for lapsed members, the engagement of advocates (fans and
    friends who stay; > 0) and 0 for everyone else.
    """
    _nb_pull(eu, ev, ew, int(m0), advocate, pull)
