"""A broadcast campaign through its funnel: impressions, opens, clicks, customers, costs and
ad waste (:class:`BroadcastCampaign`, :class:`Funnel`)."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._validation import (
    check_int,
    check_memory,
    check_nonnegative,
    check_probability,
    fail,
    nonnegative,
    probability,
)
from shequn.diffusion._compat import as_floats
from shequn.diffusion.reach.open_rate import OpenRateLaw, PowerOpenRate, SaturatingOpenRate
from shequn.rng import RNGLike, resolve_rng

__all__ = ["BroadcastCampaign", "Funnel"]

# --- the funnel -------------------------------------------------------------------------------


def _open_rate_field(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, PowerOpenRate | SaturatingOpenRate):
        return
    check_probability(value, owner=type(instance).__name__, field=attribute.name)


@attrs.frozen(kw_only=True)
class Funnel:
    """Expected outcome of a broadcast campaign, stage by stage, with its costs.

    ``ad_waste`` is the spend on impressions that reach no precise user (people who could
    never buy); ``prob_no_customer`` the chance the whole campaign brings nobody.
    """

    impressions: float
    opens: float
    clicks: float
    customers: float
    spend: float
    cost_per_impression: float
    cost_per_click: float
    cost_per_customer: float
    ad_waste: float
    prob_no_customer: float


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.inf


@attrs.frozen(kw_only=True)
class BroadcastCampaign:
    """A broadcast campaign: who it is sent to, how many open, click and buy, what it costs.

    Attributes
    ----------
    audience
        People targeted (list size, followers, page visitors), integer >= 0.
    open_rate
        Probability that a delivered message is opened (or a banner noticed): a number or an
        open-rate law evaluated at ``audience`` (:class:`PowerOpenRate`, ...).
    delivery_rate
        Share of the audience actually reached (delivered SMS, rendered banner).
    click_rate
        Probability of a click (reply, visit) given an open.
    precise_share
        Share of the audience who are precise users, the only ones who can become customers.
    conversion_rate
        Probability that a precise user who clicked buys.
    cost_per_impression
        Price of one delivered impression (>= 0).
    fixed_cost
        Flat cost of the campaign (a banner slot, creative work), >= 0.

    Examples
    --------
    Seed 000: a wedding-photo studio buys a portal's front-page banner for a week, ¥30,000 for
    about 200,000 visitors, of whom one in a thousand is planning a wedding in town.

    >>> banner = BroadcastCampaign(audience=200_000, open_rate=0.3, click_rate=0.002,
    ...                            precise_share=0.001, conversion_rate=0.05, fixed_cost=30_000)
    >>> f = banner.funnel()
    >>> round(f.customers, 3), round(f.prob_no_customer, 3), round(f.ad_waste)
    (0.006, 0.994, 29970)
    """

    audience: int = attrs.field(
        validator=lambda i, a, v: check_int(v, owner=type(i).__name__, field=a.name, low=0)
    )
    open_rate: float | OpenRateLaw = attrs.field(validator=_open_rate_field)
    delivery_rate: float = attrs.field(default=1.0, validator=probability)
    click_rate: float = attrs.field(default=1.0, validator=probability)
    precise_share: float = attrs.field(default=1.0, validator=probability)
    conversion_rate: float = attrs.field(default=1.0, validator=probability)
    cost_per_impression: float = attrs.field(default=0.0, validator=nonnegative)
    fixed_cost: float = attrs.field(default=0.0, validator=nonnegative)

    def __attrs_post_init__(self) -> None:
        as_floats(
            self,
            "delivery_rate",
            "click_rate",
            "precise_share",
            "conversion_rate",
            "cost_per_impression",
            "fixed_cost",
        )

    @property
    def effective_open_rate(self) -> float:
        """The open rate at this audience size.

        Examples
        --------
        >>> BroadcastCampaign(audience=400, open_rate=PowerOpenRate(r0=0.2, beta=0.5, a0=100)
        ...                   ).effective_open_rate
        0.1
        """
        if isinstance(self.open_rate, PowerOpenRate | SaturatingOpenRate):
            return float(self.open_rate(float(max(self.audience, 1))))
        return float(self.open_rate)

    @property
    def conversion_probability(self) -> float:
        """Probability that one targeted person becomes a customer (product of all stages).

        Examples
        --------
        >>> BroadcastCampaign(audience=10, open_rate=0.5, click_rate=0.2).conversion_probability
        0.1
        """
        return (
            self.delivery_rate
            * self.effective_open_rate
            * self.click_rate
            * self.precise_share
            * self.conversion_rate
        )

    @property
    def spend(self) -> float:
        """Total cost: fixed cost plus delivered impressions times their price.

        Examples
        --------
        >>> BroadcastCampaign(audience=1000, open_rate=0.1, cost_per_impression=0.05,
        ...                   fixed_cost=100).spend
        150.0
        """
        return self.fixed_cost + self.cost_per_impression * self.audience * self.delivery_rate

    def funnel(self) -> Funnel:
        """Expected impressions, opens, clicks and customers with unit costs and ad waste.

        Examples
        --------
        >>> f = BroadcastCampaign(audience=1000, open_rate=0.2, click_rate=0.1,
        ...                       cost_per_impression=0.1).funnel()
        >>> f.clicks, f.cost_per_click
        (20.0, 5.0)
        """
        imp = self.audience * self.delivery_rate
        opens = imp * self.effective_open_rate
        clicks = opens * self.click_rate
        pi = self.conversion_probability
        customers = self.audience * pi
        spend = self.spend
        return Funnel(
            impressions=imp,
            opens=opens,
            clicks=clicks,
            customers=customers,
            spend=spend,
            cost_per_impression=_ratio(spend, imp),
            cost_per_click=_ratio(spend, clicks),
            cost_per_customer=_ratio(spend, customers),
            ad_waste=spend * (1.0 - self.precise_share),
            prob_no_customer=float(math.exp(self.audience * math.log1p(-pi)))
            if pi < 1
            else (0.0 if self.audience else 1.0),
        )

    def simulate(self, *, runs: int = 1, rng: RNGLike = None) -> NDArray[np.int64]:
        """Customers acquired in ``runs`` independent realisations of the campaign.

        Each targeted person passes delivery, open, click, precise and conversion independently,
        so the count is ``Binomial(audience, conversion_probability)`` exactly.

        Examples
        --------
        >>> c = BroadcastCampaign(audience=1000, open_rate=0.5, click_rate=0.2)
        >>> c.simulate(runs=3, rng=1).shape
        (3,)
        """
        runs = check_int(runs, owner="BroadcastCampaign.simulate", field="runs", low=1)
        check_memory(8.0 * runs, owner="BroadcastCampaign.simulate", field="runs", value=runs)
        gen = resolve_rng(rng, owner="BroadcastCampaign.simulate")
        return np.asarray(
            gen.binomial(self.audience, self.conversion_probability, size=runs), dtype=np.int64
        )

    def at_budget(self, budget: float) -> BroadcastCampaign:
        """The same campaign scaled to spend ``budget``: as large an audience as it buys.

        The open rate, when a law, is re-evaluated at the new audience (bigger blasts open less).

        Examples
        --------
        >>> c = BroadcastCampaign(audience=1, open_rate=0.1, cost_per_impression=0.05,
        ...                       fixed_cost=100)
        >>> c.at_budget(600).audience
        10000
        """
        owner = "BroadcastCampaign.at_budget"
        b = check_nonnegative(budget, owner=owner, field="budget")
        if b < self.fixed_cost:
            raise fail(owner, "budget", f"cover the fixed cost ({self.fixed_cost:g})", budget)
        per_person = self.cost_per_impression * self.delivery_rate
        if per_person <= 0:
            raise fail(
                owner,
                "cost_per_impression",
                "be > 0 (with delivery_rate > 0) to scale a campaign to a budget",
                self.cost_per_impression,
            )
        audience = (b - self.fixed_cost) / per_person + 1e-9
        if not audience < 2.0**63:  # a binomial draw over the audience needs an int64
            raise fail(owner, "budget", "buy fewer than 2**63 impressions", budget)
        return attrs.evolve(self, audience=math.floor(audience))
