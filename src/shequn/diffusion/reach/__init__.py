"""The broadcast channel: audience, open rate, clicks, conversion, cost and ad waste.

Broadcast (SMS blasts, banners, a big follower base) reaches people whoever their friends are;
at market level it is the Bass ``p``. Seed 001 observes that *the larger the follower base, the
lower the open rate*, seed 000 a ¥30,000 banner week that brought no customer. This module:

* states the open-rate law as a parameterised, fittable curve (:class:`PowerOpenRate`,
  :class:`SaturatingOpenRate`, :func:`fit_open_rate` from ``(audience, opens)`` pairs);
* derives the same decline from a mechanism (:func:`open_rate_from_interest`): an account first
  gathers its most interested followers, so with heterogeneous interest every later follower
  opens less often and the *average* open rate falls as the audience grows;
* prices a campaign through its funnel (:class:`BroadcastCampaign`): impressions, opens,
  clicks, customers, cost per impression and per customer, and the ad waste (spend on
  impressions that reach no precise user);
* compares the same budget spent on broadcast and on community operation with Monte Carlo
  uncertainty (:func:`compare_budget`); the community side is any callable
  ``(budget, rng) -> customers``, by default :class:`CommunityChannel`, a vectorised network
  Bass process on the community's ties.

Examples
--------
>>> from shequn.diffusion.reach import BroadcastCampaign, PowerOpenRate
>>> law = PowerOpenRate(r0=0.25, beta=0.3, a0=1_000)
>>> round(float(law(100_000)), 4)  # a hundred times the audience, a quarter of the rate
0.0628
>>> sms = BroadcastCampaign(audience=100_000, open_rate=law, click_rate=0.05,
...                         conversion_rate=0.1, precise_share=0.2, cost_per_impression=0.05)
>>> f = sms.funnel()
>>> round(f.customers, 1), round(f.cost_per_customer)
(6.3, 796)
"""

from shequn.diffusion.reach.broadcast import BroadcastCampaign, Funnel
from shequn.diffusion.reach.budget import BudgetComparison, CommunityChannel, compare_budget
from shequn.diffusion.reach.open_rate import (
    OpenRateFit,
    PowerOpenRate,
    SaturatingOpenRate,
    fit_open_rate,
    open_rate_from_interest,
)

__all__ = [
    "BroadcastCampaign",
    "BudgetComparison",
    "CommunityChannel",
    "Funnel",
    "OpenRateFit",
    "PowerOpenRate",
    "SaturatingOpenRate",
    "compare_budget",
    "fit_open_rate",
    "open_rate_from_interest",
]
