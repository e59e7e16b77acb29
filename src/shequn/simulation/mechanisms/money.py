"""Money: revenue, the cost of goods and staff, and the week's costs and profit (seeds 000, 003).

Revenue is ``price × units``; goods cost ``price · (1 − margin)`` a unit; staff cost
``Economics.staff_per_week``. The week's ``costs`` are the cost of goods plus every flow the
registry marks as a cost (content, broadcast, events, staff and any cost a mechanism adds), in
the registry's order; ``profit = revenue − costs``. Marketing costs (every cost but the goods)
are what CAC and ROI divide (:class:`~shequn.simulation.Trajectory`).

Examples
--------
>>> from shequn.simulation.mechanisms.money import FLOWS
>>> [f.name for f in FLOWS if f.cost]
['cogs', 'cost_staff']
"""

from __future__ import annotations

from typing import NamedTuple

from shequn.simulation.mechanisms._spec import Flow, Setting

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "MoneyRates"]

NAME = "money"
PROFILE_FIELDS: tuple[str, ...] = ()
PARAMS = None
"""No parameters of its own (prices are in Economics)."""

FLOWS = (
    Flow(name="revenue", unit="money", meaning="price × units sold"),
    Flow(
        name="cogs",
        unit="money",
        meaning="cost of goods sold, price × (1 − margin) a unit",
        cost=True,
    ),
    Flow(
        name="cost_staff",
        unit="money",
        meaning="community staff (Economics.staff_per_week)",
        cost=True,
        marketing=True,
    ),
    Flow(name="costs", unit="money", meaning="all costs of the week"),
    Flow(name="profit", unit="money", meaning="revenue − costs"),
    Flow(name="gross_margin", unit="money", meaning="revenue − cost of goods"),
)


class MoneyRates(NamedTuple):
    """Prices (derived at compile time)."""

    price: float
    margin: float
    staff: float


def derive(params: None, s: Setting) -> MoneyRates:
    """Prices from the economics."""
    eco = s.economics
    return MoneyRates(
        price=float(eco.price), margin=float(eco.margin), staff=float(eco.staff_per_week)
    )
