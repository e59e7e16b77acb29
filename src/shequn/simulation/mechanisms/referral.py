"""Referral rewards (老带新): members who bring a friend in as a customer are paid a reward.

Seed 004: 老客户带来的流量和口碑传播 ("the traffic and word of mouth that old customers bring");
seed 002: 如何让用户愿意自动帮你传播和转发 ("how to make users willing to spread the word for
you"). Ryu & Feick (2007, *Journal of Marketing* 71(1), 84-94) find in four experiments that
offering a reward raises referral likelihood, and that its size matters little between the
smaller and larger rewards they tried: the response saturates.

The operator sets the reward and a weekly budget (``Economics.referral_reward``,
``Economics.referral_budget``; no reward, no programme). At the start of each week a present
adopter (customer, user, fan or friend) in a group brings a friend in with probability

``referral_rate[stage] · e · reward / (reward + reward_half)``,

rising with the member's loyalty stage and engagement, and with the reward (half its maximum
at ``reward_half``). The budget pays for ``floor(budget / reward)`` referrals a week at most
(the referrers are drawn at random when more come forward), and the free member slots bound
them too. The friend arrives as a *customer* who buys the product the referrer owns (老带新:
the old customer brings a new one), joins like an invited friend (taste correlated with the
referrer's, tied to the referrer and some of the referrer's friends, in the referrer's group)
and is counted among the week's newcomers and its customers won by word of mouth. Each
referral costs the reward: a marketing cost, so it enters costs, CAC and ROI.

Examples
--------
>>> from shequn.simulation.mechanisms.referral import ReferralParams, response
>>> round(response(ReferralParams(), reward=10.0), 3), response(ReferralParams(), reward=0.0)
(0.5, 0.0)
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import FloatArray, IntArray
from shequn._validation import check_instance, check_nonnegative, check_probability, fail, positive
from shequn.loyalty.stages import Stage
from shequn.simulation._network import Network, TieBook
from shequn.simulation.mechanisms._spec import Flow, Setting, param
from shequn.simulation.mechanisms.invitations import InvitationRates, bring_in

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "ReferralParams", "ReferralRates", "response"]

NAME = "referral"
PROFILE_FIELDS: tuple[str, ...] = ()


def _stage_rates(value: Any) -> tuple[float, ...]:
    try:
        items = tuple(float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise fail("ReferralParams", "referral_rate", "be 4 numbers", value) from exc
    if len(items) != 4:
        raise fail("ReferralParams", "referral_rate", "have 4 entries", value)
    return items


def _check_rates(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for v in value:
        check_probability(v, owner=type(instance).__name__, field=attribute.name)


@attrs.frozen(kw_only=True)
class ReferralParams:
    """How members respond to a referral reward.

    Attributes
    ----------
    referral_rate
        Weekly probability that a fully engaged customer, user, fan, friend brings a friend in
        when the reward is large (the response's maximum).
    reward_half
        The reward (money) at which the response is half its maximum.
    """

    referral_rate: tuple[float, ...] = param(
        (0.01, 0.02, 0.04, 0.06),
        _check_rates,
        unit="probability / week (customer, user, fan, friend)",
        source="assumed: the loyal recommend more (003 粉丝变成了朋友; 004 老客户带来的口碑)",
        bounds=(0.0, 1.0),
        converter=_stage_rates,
    )
    reward_half: float = param(
        10.0,
        positive,
        unit="money",
        source="Ryu & Feick 2007: a reward raises referrals, its size matters little; assumed",
    )


PARAMS = ReferralParams

FLOWS = (
    Flow(name="referrals", unit="members", meaning="friends brought in for a referral reward"),
    Flow(
        name="cost_referral",
        unit="money",
        meaning="referral rewards paid (Economics.referral_reward each)",
        cost=True,
        marketing=True,
    ),
)


class ReferralRates(NamedTuple):
    """The programme and the response (derived at compile time)."""

    on: bool
    reward: float
    cap: float
    rate: FloatArray


def response(params: ReferralParams, *, reward: float) -> float:
    """Share of the maximum referral rate a reward brings: ``reward / (reward + reward_half)``.

    ``reward`` must be finite and >= 0.

    Examples
    --------
    >>> response(ReferralParams(), reward=0.0)
    0.0
    """
    check_instance(params, ReferralParams, owner="referral.response", field="params")
    r = check_nonnegative(reward, owner="referral.response", field="reward")
    return r / (r + params.reward_half) if r > 0 else 0.0


def derive(params: ReferralParams, s: Setting) -> ReferralRates:
    """The reward and the weekly cap from the economics; the response per stage."""
    eco = s.economics
    reward = float(eco.referral_reward)
    budget = eco.referral_budget
    cap = math.inf if budget is None or reward == 0 else math.floor(budget / reward + 1e-9)
    f = response(params, reward=reward)
    return ReferralRates(
        on=reward > 0 and cap > 0,
        reward=reward,
        cap=float(cap),
        rate=np.asarray((0.0, *(r * f for r in params.referral_rate), 0.0)),
    )


def referrers(
    gen: np.random.Generator,
    r: ReferralRates,
    *,
    stage: Any,
    group: Any,
    e: Any,
    n_used: int,
    room: int,
) -> IntArray:
    """The members who bring a friend in this week for the reward (slots, ascending).

    Present adopters in a group refer with ``rate[stage] · e``; at most ``room`` slots and the
    budget's ``floor(budget / reward)`` referrals are taken, at random among those who came
    forward. No draw is made when there is no programme.
    """
    if not r.on or room <= 0:
        return np.empty(0, dtype=np.int64)
    st = stage[:n_used]
    cand = np.flatnonzero((st >= 1) & (st <= 4) & (group[:n_used] >= 0))
    p = r.rate[st[cand]] * e[cand]
    out: IntArray = cand[gen.random(cand.size) < p].astype(np.int64)
    k = int(min(out.size, room, r.cap))
    if k < out.size:
        out = np.sort(gen.choice(out, size=k, replace=False))
    return out


def bring_friends(
    gen: np.random.Generator,
    r: ReferralRates,
    ir: InvitationRates,
    *,
    first: int,
    room: int,
    slots: Any,
    stage: Any,
    e: Any,
    e_new: Any,
    group: Any,
    owners: IntArray,
    product: Any,
    channel: Any,
    group_cap: int,
    net: Network,
    ties: TieBook,
    out: Any,
    F: Any,
) -> tuple[int, IntArray]:
    """This week's referrals: friends arrive as customers in slots ``first, first + 1, ...``.

    ``e`` is the engagement at the start of the week (who refers), ``e_new`` the array the
    newcomers' engagement is written to. Returns the slots now used and the group owners (new
    groups appended when full groups split). Writes the ``referrals`` and ``cost_referral``
    flows and adds the friends to ``newcomers``, ``joined`` and ``new_wom`` (``out`` indexed by
    the flow index ``F``); their first purchase is booked with the week's purchases.
    """
    who = referrers(gen, r, stage=stage, group=group, e=e, n_used=first, room=room)
    k = int(who.size)
    out[F.referrals] = k
    out[F.cost_referral] = k * r.reward
    if k == 0:
        return first, owners
    present = (stage[:first] >= 0) & (stage[:first] < 5) & (group[:first] >= 0)
    sizes = np.bincount(group[:first][present], minlength=owners.size).astype(np.int64)
    new_owners = bring_in(
        gen,
        ir,
        who,
        first=first,
        slots=slots,
        stage=stage,
        e=e_new,
        group=group,
        owners=owners,
        sizes=sizes,
        group_cap=group_cap,
        net=net,
        ties=ties,
    )
    new = np.arange(first, first + k, dtype=np.int64)
    stage[new] = int(Stage.CUSTOMER)
    product[new] = product[who]
    channel[new] = 3  # won by word of mouth
    for name in ("newcomers", "joined", "new_wom"):
        out[F[name]] += k
    return first + k, new_owners


def cost(r: ReferralRates, referrals: int) -> float:
    """Rewards paid for this week's referrals."""
    return referrals * r.reward
