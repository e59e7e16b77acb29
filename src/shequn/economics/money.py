"""Money: prices, margins, channel costs, and the acquisition and value ratios (seeds 000, 003).

Seed 000 prices the waste of mass advertising (一周时间花费尽三万多, 最终实际获取的用户为零:
"a week of banner ads cost over ¥30,000 and won zero customers") and argues that a community's
precision and word of mouth save most of the advertising budget. The helpers here are small pure
functions the simulation engine uses every week; they are usable on their own data too.

Examples
--------
>>> from shequn.economics import cac, roi, excess_spend
>>> cac(30000.0, 0)
inf
>>> roi(gross_margin=1500.0, cost=1000.0)
0.5
>>> excess_spend(30000.0, customers=0, target_cac=100.0)
30000.0
"""

from __future__ import annotations

import math

import attrs

from shequn._validation import as_float, check_nonnegative, fail, nonnegative, probability

__all__ = ["Economics", "cac", "excess_spend", "ltv", "roi"]


@attrs.frozen(kw_only=True)
class Economics:
    """Prices and costs per unit of each channel (all money in one currency, e.g. ¥).

    Attributes
    ----------
    price
        Price per unit sold, >= 0. Default 100.
    margin
        Gross margin share in [0, 1]: the cost of goods is ``price × (1 − margin)``. Default 0.4.
    cost_per_content
        Cost of producing one content item, >= 0. Default 200. Seed 002: 内容的质量度与更新的稳定度.
    cost_per_event
        Cost of one offline event (venue, guests), >= 0. Default 1500. Seed 002: 线下活动.
    cost_per_message
        Cost of one broadcast message (SMS, ad impression), >= 0. Default 0.05 (5 fen an SMS).
        Seed 000: 短信群发.
    staff_per_week
        Community staff cost per week, >= 0. Default 0.
    product_quality
        Share in [0, 1] of purchases that satisfy the buyer; the rest leave a dissatisfied
        member (seed 002: 过硬的产品品质; seed 003: 社群先有产品后有用户). Default 0.85.
    referral_reward
        Reward paid to a member for each friend brought in (老带新), >= 0; 0 (default) runs no
        referral programme. See :mod:`shequn.simulation.mechanisms.referral`.
    referral_budget
        Money per week for referral rewards, >= 0, or ``None`` (default) for no cap: at most
        ``floor(budget / reward)`` referrals are rewarded a week.
    """

    price: float = attrs.field(default=100.0, converter=as_float, validator=nonnegative)
    margin: float = attrs.field(default=0.4, validator=probability)
    cost_per_content: float = attrs.field(default=200.0, converter=as_float, validator=nonnegative)
    cost_per_event: float = attrs.field(default=1500.0, converter=as_float, validator=nonnegative)
    cost_per_message: float = attrs.field(default=0.05, converter=as_float, validator=nonnegative)
    staff_per_week: float = attrs.field(default=0.0, converter=as_float, validator=nonnegative)
    product_quality: float = attrs.field(default=0.85, validator=probability)
    referral_reward: float = attrs.field(default=0.0, converter=as_float, validator=nonnegative)
    referral_budget: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(nonnegative)
    )

    def messages_for(self, budget: float) -> float:
        """Broadcast messages a weekly ``budget`` buys (``inf`` when messages are free).

        Examples
        --------
        >>> Economics(cost_per_message=0.5).messages_for(10.0)
        20.0
        """
        budget = check_nonnegative(budget, owner="Economics", field="budget")
        if budget == 0.0:
            return 0.0
        if self.cost_per_message == 0.0:
            return math.inf
        return float(math.floor(budget / self.cost_per_message + 1e-9))


def cac(acquisition_cost: float, customers: float) -> float:
    """Customer acquisition cost: money spent per customer won (``inf`` with no customers).

    Examples
    --------
    >>> cac(1000.0, 4)
    250.0
    """
    cost = check_nonnegative(acquisition_cost, owner="cac", field="acquisition_cost")
    n = check_nonnegative(customers, owner="cac", field="customers")
    if n == 0:
        return math.inf if cost > 0 else math.nan
    return _finite(cost / n, "cac", "customers", n)


def ltv(margin_per_week: float, churn_per_week: float, *, discount_per_week: float = 0.0) -> float:
    """Lifetime value of a customer with constant weekly margin and geometric survival.

    ``LTV = m (1 + d) / (d + h)`` for weekly margin ``m``, churn hazard ``h`` and discount rate
    ``d`` (the sum of ``m (1 − h)^t / (1 + d)^t`` over ``t >= 0``); ``inf`` when neither churn
    nor discounting ends the stream.

    Examples
    --------
    >>> ltv(10.0, 0.1)
    100.0
    """
    m = check_nonnegative(margin_per_week, owner="ltv", field="margin_per_week")
    h = check_nonnegative(churn_per_week, owner="ltv", field="churn_per_week")
    d = check_nonnegative(discount_per_week, owner="ltv", field="discount_per_week")
    if h > 1:
        raise fail("ltv", "churn_per_week", "be in [0, 1]", h)
    if h + d == 0:
        return math.inf if m > 0 else 0.0
    return _finite(m * (1 + d) / (d + h), "ltv", "churn_per_week", h)


def roi(*, gross_margin: float, cost: float) -> float:
    """Return on investment ``(gross margin − cost) / cost`` (``nan`` when nothing was spent).

    Examples
    --------
    >>> roi(gross_margin=300.0, cost=100.0)
    2.0
    """
    g = check_nonnegative(gross_margin, owner="roi", field="gross_margin")
    c = check_nonnegative(cost, owner="roi", field="cost")
    return math.nan if c == 0 else _finite((g - c) / c, "roi", "cost", c)


def _finite(value: float, owner: str, field: str, given: float) -> float:
    """``value`` if the division stayed within floats, else our error (a subnormal divisor)."""
    if not math.isfinite(value):
        raise fail(owner, field, "be large enough that the result is a finite float", given)
    return value


def excess_spend(spend: float, *, customers: float, target_cac: float) -> float:
    """Money spent beyond what the customers won were worth at ``target_cac`` (seed 000).

    ``max(0, spend − customers × target_cac)``: the ¥30,000 banner week with zero customers
    overspent all ¥30,000. (Ad *waste* in the sense of seed 000, spend on impressions that
    reach no precise user, is :attr:`shequn.diffusion.reach.Funnel.ad_waste`.)

    Examples
    --------
    >>> excess_spend(1000.0, customers=5, target_cac=100.0)
    500.0
    """
    s = check_nonnegative(spend, owner="excess_spend", field="spend")
    n = check_nonnegative(customers, owner="excess_spend", field="customers")
    t = check_nonnegative(target_cac, owner="excess_spend", field="target_cac")
    return max(0.0, s - n * t)
