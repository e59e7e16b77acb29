"""True-fans economics: Kevin Kelly's "1000 true fans" (2008), generalised as in seed 000.

A creator (or brand, or community owner) lives from fans who each spend ``spend`` a year.
:class:`TrueFans` computes the annual income

.. math:: I(F) = F \\cdot r \\cdot m \\cdot s - C,

with ``F`` fans at the start of the year, retention ``r`` (the share still buying during the
year), gross margin ``m`` (the share of spend the creator keeps) and fixed costs ``C``; the
number of fans needed for a target income is the smallest ``F`` with :math:`I(F) \\ge` target.

The link to the loyalty ladder: fans are customers who climbed to the FAN stage. If a newly
acquired customer becomes a fan with probability ``p``, then ``F / p`` customers are needed on
average, and :meth:`TrueFans.customers_needed` also gives the number needed so that at least
``F`` fans are reached with a chosen probability (a binomial quantile, exact).

``conversion`` may be a plain probability or any object with a method
``probability_of_reaching(stage)`` that returns the probability that a new customer reaches
``Stage.FAN``; the loyalty ladder (``shequn.loyalty``, built in parallel) can expose that, for
example as the absorption probability of its Markov chain over a horizon. Until then pass the
float, e.g. the share of a cohort of customers that reached FAN within a year.

Examples
--------
>>> from shequn.longtail.truefans import TrueFans
>>> kelly = TrueFans(spend=100.0)            # Kelly: 1000 fans x $100 = $100,000
>>> kelly.income(1000)
100000.0
>>> kelly.fans_needed(100_000.0)
1000
"""

from __future__ import annotations

import math
from typing import Any, Protocol, runtime_checkable

import attrs
from scipy import stats

from shequn._validation import (
    check_int,
    check_level,
    check_nonnegative,
    check_probability,
    fail,
    nonnegative,
    positive,
    probability,
)
from shequn.loyalty.stages import Stage

__all__ = ["FanConversion", "TrueFans", "fan_probability"]


@runtime_checkable
class FanConversion(Protocol):
    """Anything that can report the probability that a new customer reaches a loyalty stage."""

    def probability_of_reaching(self, stage: Stage) -> float:  # pragma: no cover - protocol
        """Probability that a newly acquired customer reaches ``stage``."""
        ...


def fan_probability(conversion: float | FanConversion, *, owner: str = "fan_probability") -> float:
    """The customer-to-fan probability from a float or a :class:`FanConversion` object.

    Examples
    --------
    >>> fan_probability(0.05)
    0.05
    >>> class Ladder:
    ...     def probability_of_reaching(self, stage):
    ...         return 0.1 if stage.name == "FAN" else 0.5
    >>> fan_probability(Ladder())
    0.1
    """
    if isinstance(conversion, FanConversion):
        p = conversion.probability_of_reaching(Stage.FAN)
    else:
        p = conversion
    p = check_probability(p, owner=owner, field="conversion")
    if p == 0.0:
        raise fail(owner, "conversion", "be > 0 (no customer ever becomes a fan)", p)
    return p


@attrs.frozen(kw_only=True)
class TrueFans:
    """Annual economics of a creator living from true fans.

    Attributes
    ----------
    spend
        Spend per fan per year (> 0).
    retention
        Share of fans still buying during the year (in [0, 1], default 1).
    margin
        Share of spend the creator keeps after platform fees and unit costs (default 1).
    costs
        Fixed annual costs (>= 0).
    """

    spend: float = attrs.field(validator=positive)
    retention: float = attrs.field(default=1.0, validator=probability)
    margin: float = attrs.field(default=1.0, validator=probability)
    costs: float = attrs.field(default=0.0, validator=nonnegative)

    @property
    def income_per_fan(self) -> float:
        """Net contribution of one fan: spend x retention x margin."""
        return self.spend * self.retention * self.margin

    def income(self, fans: float) -> float:
        """Annual income from ``fans`` fans, net of fixed costs.

        Examples
        --------
        >>> TrueFans(spend=100.0, retention=0.8, margin=0.5, costs=10_000.0).income(1000)
        30000.0
        """
        f = check_nonnegative(fans, owner="TrueFans.income", field="fans")
        return f * self.income_per_fan - self.costs

    def fans_needed(self, target_income: float) -> int:
        """Smallest whole number of fans whose income reaches ``target_income``.

        Examples
        --------
        >>> TrueFans(spend=100.0, retention=0.8, margin=0.5, costs=10_000.0).fans_needed(30_000)
        1000
        """
        t = check_nonnegative(target_income, owner="TrueFans.fans_needed", field="target_income")
        per = self.income_per_fan
        if per <= 0:
            raise fail("TrueFans", "retention", "and margin be > 0 to earn anything", 0.0)
        f = max(0, math.ceil((t + self.costs) / per))
        # the division can round up past a whole number: step back if one fewer fan suffices
        if f > 0 and (f - 1) * per - self.costs >= t:
            f -= 1
        return f

    def customers_needed(
        self, fans: int, *, conversion: float | FanConversion, level: float | None = None
    ) -> int:
        """Customers to acquire so that ``fans`` of them become fans.

        With ``level=None`` the expected count, ``ceil(fans / p)``; with ``level`` the smallest
        ``N`` with :math:`P(\\mathrm{Binomial}(N, p) \\ge \\text{fans}) \\ge` level.

        Examples
        --------
        >>> tf = TrueFans(spend=100.0)
        >>> tf.customers_needed(1000, conversion=0.05)
        20000
        >>> tf.customers_needed(1000, conversion=0.05, level=0.95) > 20000
        True
        """
        owner = "TrueFans.customers_needed"
        f = check_int(fans, owner=owner, field="fans", low=0)
        p = fan_probability(conversion, owner=owner)
        if f == 0:
            return 0
        if not math.isfinite(f / p):
            raise fail(owner, "conversion", "be large enough that fans / conversion is finite", p)
        if level is None:
            raw = f / p
            return math.ceil(raw - 1e-9 * raw)
        lv = check_level(level, owner=owner)

        def ok(n: int) -> bool:
            return bool(stats.binom.sf(f - 1, n, p) >= lv)

        lo, hi = f - 1, max(f, math.ceil(f / p))
        while not ok(hi):
            lo, hi = hi, hi * 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(mid):
                hi = mid
            else:
                lo = mid
        return hi

    def plan(
        self,
        target_income: float,
        *,
        conversion: float | FanConversion,
        level: float | None = None,
    ) -> dict[str, Any]:
        """Fans and customers needed for ``target_income`` in one dict.

        Examples
        --------
        >>> TrueFans(spend=100.0).plan(100_000, conversion=0.1)["customers"]
        10000
        """
        fans = self.fans_needed(target_income)
        return {
            "target_income": float(target_income),
            "fans": fans,
            "conversion": fan_probability(conversion, owner="TrueFans.plan"),
            "customers": self.customers_needed(fans, conversion=conversion, level=level),
            "income": self.income(fans),
        }
