"""Does the community make customers more loyal? Members against other customers, in one fit.

The seeds' central claim (seed 000: a member system without community silently loses its
customers) is testable with a transaction log and one flag per customer: fit a Pareto/NBD (or
BG/NBD) with membership as a covariate of *both* processes and read the two coefficients:

* ``exp(γ_trans)`` — how many times as often members buy while alive (purchase-rate ratio);
* ``exp(γ_life)`` — for the Pareto/NBD, how many times as fast members drop out (drop-out
  rate ratio; below 1 means members stay longer); for the BG/NBD, the factor on a and b.

:func:`community_effect` returns both with Wald intervals, the likelihood-ratio test of "no
membership effect at all" (2 degrees of freedom), and what the difference means for a new
customer: expected purchases over a horizon as member and as non-member.

The transaction log can come from anywhere: a shop's records, or the simulation engine's
transaction records (connected by the lead; weekly records enter as day numbers ``7 × week``
or as dates).

Examples
--------
>>> import numpy as np
>>> from shequn.loyalty.customer_base import ParetoNBD
>>> from shequn.loyalty.customer_base.membership import community_effect
>>> gen = np.random.default_rng(3)
>>> member = gen.random(3000) < 0.4
>>> truth = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0).with_covariates(
...     trans={"member": 0.4}, life={"member": -1.0})
>>> x, tx, T = truth.sample(52.0, covariates={"member": member.astype(float)}, rng=4)
>>> eff = community_effect(x, tx, T, member=member)
>>> lo, hi = eff.conf_int()["purchase rate ratio"]
>>> bool(lo < np.exp(0.4) < hi), eff.lr_test.p_value < 1e-6
(True, True)
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from shequn._results import Intervals, ResultMixin, Summary, Table
from shequn._validation import check_array, check_choice, check_level, check_positive, fail
from shequn.loyalty.customer_base._common import CustomerBaseFit, LikelihoodRatioTest

__all__ = ["CommunityEffect", "community_effect"]


@attrs.frozen(kw_only=True)
class CommunityEffect(ResultMixin):
    """Members against other customers: the fitted covariate model and what it says.

    Attributes
    ----------
    fit
        The covariate fit (``trans.member``, ``life.member``).
    lr_test
        Likelihood-ratio test against the same model without membership.
    members, customers
        Members and customers fitted.
    horizon
        Horizon of :attr:`expected_member` and :attr:`expected_non_member`.
    expected_member, expected_non_member
        Expected purchases of a new member and of a new non-member over ``horizon``.
    """

    fit: CustomerBaseFit[Any]
    lr_test: LikelihoodRatioTest
    members: int
    customers: int
    horizon: float
    expected_member: float
    expected_non_member: float

    @property
    def model_name(self) -> str:
        """``"ParetoNBD"`` or ``"BGNBD"``."""
        return type(self.fit.model.base).__name__

    @property
    def params(self) -> dict[str, float]:
        """The two ratios: purchase rate and (Pareto/NBD) drop-out rate, or (BG/NBD) the
        factor on the beta parameters, members over non-members."""
        p = self.fit.params
        second = "dropout rate ratio" if self.model_name == "ParetoNBD" else "a, b factor"
        return {
            "purchase rate ratio": math.exp(p["trans.member"]),
            second: math.exp(p["life.member"]),
        }

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Intervals of the ratios (exponentiated Wald intervals of the coefficients).

        Examples
        --------
        >>> eff = _example()
        >>> lo, hi = eff.conf_int()["purchase rate ratio"]
        >>> bool(lo < eff.params["purchase rate ratio"] < hi)
        True
        """
        lvl = check_level(level, owner="CommunityEffect.conf_int")
        ci = self.fit.conf_int(lvl)
        names = list(self.params)
        return {
            names[0]: (math.exp(ci["trans.member"][0]), math.exp(ci["trans.member"][1])),
            names[1]: (math.exp(ci["life.member"][0]), math.exp(ci["life.member"][1])),
        }

    def summary(self) -> Summary:
        """The ratios with intervals, the test, and a sentence that answers the question.

        Examples
        --------
        >>> print(_example().summary().title)
        Does the community make customers more loyal? (ParetoNBD, 600 customers, 240 members)
        """
        ci = self.conf_int()
        p = self.params
        se = self.fit.standard_errors
        z = {
            k: self.fit.params[c] / se[c]
            for k, c in zip(p, ("trans.member", "life.member"), strict=True)
        }
        rows = {
            k: (v, ci[k][0], ci[k][1], float(2 * stats.norm.sf(abs(z[k])))) for k, v in p.items()
        }
        names = list(p)
        buy = p[names[0]]
        words = [
            f"Members buy {buy:.2f}× as often as other customers while active "
            f"(95% CI {ci[names[0]][0]:.2f}–{ci[names[0]][1]:.2f})."
        ]
        if self.model_name == "ParetoNBD":
            d = p[names[1]]
            words.append(
                f"They drop out at {d:.2f}× the rate (95% CI {ci[names[1]][0]:.2f}–"
                f"{ci[names[1]][1]:.2f}): "
                + (
                    "they stay longer."
                    if ci[names[1]][1] < 1
                    else "they leave faster."
                    if ci[names[1]][0] > 1
                    else "no clear difference in how long they stay."
                )
            )
        return Summary(
            title=f"Does the community make customers more loyal? ({self.model_name}, "
            f"{self.customers:,} customers, {self.members:,} members)",
            headline={
                "LR test (no membership effect)": f"χ²({self.lr_test.df}) = "
                f"{self.lr_test.statistic:.4g}, p = {self.lr_test.p_value:.3g}",
                f"expected purchases in {self.horizon:g}, member": self.expected_member,
                f"expected purchases in {self.horizon:g}, non-member": self.expected_non_member,
            },
            table=Table(columns=("ratio", "lower 95%", "upper 95%", "p-value"), rows=rows),
            notes=tuple(words),
        )

    def to_frame(self) -> Any:
        """The covariate fit's parameter table (needs pandas)."""
        return self.fit.to_frame()


def community_effect(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    member: ArrayLike,
    model: str = "pareto",
    horizon: float = 52.0,
    weights: ArrayLike | None = None,
) -> CommunityEffect:
    """Fit membership as a covariate of both processes and report its effects.

    Parameters
    ----------
    frequency, recency, T
        Per-customer RFM statistics (see :func:`~shequn.loyalty.rfm.rfm_summary`, e.g. from the
        engine's transaction records).
    member
        One flag per customer (True/1 for community members).
    model
        ``"pareto"`` (default: separate purchase-rate and drop-out-rate ratios) or ``"bgnbd"``.
    horizon
        Horizon, in the data's time unit, of the expected purchases of a new member and a new
        non-member.
    weights
        Customers per row.

    Examples
    --------
    >>> eff = _example()
    >>> sorted(eff.params)
    ['dropout rate ratio', 'purchase rate ratio']
    """
    owner = "community_effect"
    kind = check_choice(model, ["pareto", "bgnbd"], owner=owner, field="model")
    m = check_array(
        np.asarray(member, dtype=float) if np.asarray(member).dtype == bool else member,
        owner=owner,
        field="member",
        ndim=1,
    )
    bad = np.flatnonzero((m != 0) & (m != 1))
    if bad.size:
        raise fail(owner, "member", f"hold 0/1 or booleans (index {bad[0]})", m[bad[0]])
    h = check_positive(horizon, owner=owner, field="horizon")
    from shequn.loyalty.customer_base.bgnbd import BGNBD
    from shequn.loyalty.customer_base.pareto_nbd import ParetoNBD

    cls: Any = ParetoNBD if kind == "pareto" else BGNBD
    fit = cls.fit(frequency, recency, T, weights=weights, trans={"member": m}, life={"member": m})
    w = np.ones(m.size) if weights is None else np.asarray(weights, dtype=float)
    e = fit.model.expected_transactions(h, covariates={"member": np.array([1.0, 0.0])})
    return CommunityEffect(
        fit=fit,
        lr_test=fit.lr_test(),
        members=round(float(w @ m)),
        customers=fit.n_customers,
        horizon=h,
        expected_member=float(e[0]),
        expected_non_member=float(e[1]),
    )


def _example() -> CommunityEffect:
    """A small fitted example for the doctests (600 customers, 40% members)."""
    from shequn.loyalty.customer_base.pareto_nbd import ParetoNBD

    gen = np.random.default_rng(11)
    member = (gen.random(600) < 0.4).astype(float)
    member[:240] = 1.0
    member[240:] = 0.0
    truth = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0).with_covariates(
        trans={"member": 0.5}, life={"member": -1.0}
    )
    x, tx, T = truth.sample(52.0, covariates={"member": member}, rng=12)
    return community_effect(x, tx, T, member=member)
