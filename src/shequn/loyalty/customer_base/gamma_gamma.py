"""The gamma-gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV",
Journal of Marketing Research 42(4); Fader & Hardie 2013, "The gamma-gamma model of monetary
value", brucehardie.com/notes/025).

Each transaction of a customer is worth Z ~ Gamma(p, ν); her ν ~ Gamma(q, γ) varies across
customers. Given x repeat transactions with mean value z̄, the likelihood of z̄ is

    Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^(px) z̄^(px−1) / (γ + x z̄)^(px+q),

and her expected spend per transaction is ``p(γ + x z̄)/(px + q − 1)``: a weighted average of
the population mean ``pγ/(q−1)`` and her own mean. The model assumes spend is independent of
purchase frequency; customers without repeat purchases carry no information and are left out.

Examples
--------
>>> from shequn.loyalty.customer_base import GammaGamma
>>> m = GammaGamma(p=6.25, q=3.74, gamma=15.44)
>>> round(m.mean_spend, 2)
35.22
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from shequn._validation import check_array, check_int, fail, positive
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    compress_rows,
    fit_result,
    initial_log,
    maximise,
)
from shequn.rng import RNGLike, resolve_rng

__all__ = ["GammaGamma"]

F64 = NDArray[np.float64]


def _check(
    frequency: ArrayLike, monetary: ArrayLike, owner: str, drop_zero: bool
) -> tuple[F64, F64]:
    x = check_array(frequency, owner=owner, field="frequency", ndim=1, nonnegative=True)
    m = check_array(monetary, owner=owner, field="monetary", ndim=1, nonnegative=True)
    if x.size == 0:
        raise fail(owner, "frequency", "hold at least one customer (empty input)", 0)
    if m.shape != x.shape:
        raise fail(owner, "monetary", f"have the length of frequency ({x.size})", m.size)
    bad = np.flatnonzero(x != np.round(x))
    if bad.size:
        raise fail(owner, "frequency", f"hold whole numbers (index {bad[0]})", x[bad[0]])
    bad = np.flatnonzero((x > 0) & (m <= 0))
    if bad.size:
        raise fail(owner, "monetary", f"be > 0 where frequency > 0 (index {bad[0]})", m[bad[0]])
    if drop_zero:
        keep = x > 0
        if not keep.any():
            raise fail(owner, "frequency", "include customers with repeat purchases", 0)
        return x[keep], m[keep]
    return x, m


@attrs.frozen(kw_only=True)
class GammaGamma:
    """Gamma-gamma spend parameters and predictions.

    Attributes
    ----------
    p
        Shape of the per-transaction spend distribution.
    q, gamma
        Shape and rate of the distribution of the per-customer scale ν.
    """

    p: float = attrs.field(validator=positive)
    q: float = attrs.field(validator=positive)
    gamma: float = attrs.field(validator=positive)

    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")

    @property
    def params(self) -> dict[str, float]:
        """Parameters by name."""
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    @property
    def mean_spend(self) -> float:
        """Population mean spend per transaction ``pγ/(q−1)`` (infinite when q <= 1)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else math.inf

    def log_likelihood(self, frequency: ArrayLike, monetary: ArrayLike) -> F64:
        """Log-density of each repeat customer's mean spend (customers with x = 0 dropped).

        Examples
        --------
        >>> m = GammaGamma(p=6.25, q=3.74, gamma=15.44)
        >>> bool(m.log_likelihood([2, 0], [22.35, 0.0]).shape == (1,))
        True
        """
        x, z = _check(frequency, monetary, "GammaGamma.log_likelihood", drop_zero=True)
        return self._ll(x, z, self.p, self.q, self.gamma)

    @staticmethod
    def _ll(x: F64, z: F64, p: float, q: float, g: float) -> F64:
        px = p * x
        return np.asarray(
            special.gammaln(px + q)
            - special.gammaln(px)
            - special.gammaln(q)
            + q * math.log(g)
            + (px - 1) * np.log(z)
            + px * np.log(x)
            - (px + q) * np.log(g + x * z),
            dtype=np.float64,
        )

    def conditional_expected_spend(self, frequency: ArrayLike, monetary: ArrayLike) -> F64:
        """E[Z | x, z̄]: expected spend per future transaction; the population mean if x = 0.

        Examples
        --------
        >>> m = GammaGamma(p=6.25, q=3.74, gamma=15.44)
        >>> m.conditional_expected_spend([0, 2, 50], [0.0, 100.0, 100.0]).round(1).tolist()
        [35.2, 88.4, 99.4]
        """
        x, z = _check(frequency, monetary, "GammaGamma.conditional_expected_spend", drop_zero=False)
        return np.asarray(
            self.p * (self.gamma + x * z) / (self.p * x + self.q - 1), dtype=np.float64
        )

    def sample(self, frequency: ArrayLike, *, rng: RNGLike = None) -> F64:
        """Simulate each customer's mean spend over ``frequency`` transactions (0 when x = 0).

        Examples
        --------
        >>> z = GammaGamma(p=6.25, q=3.74, gamma=15.44).sample([0, 3], rng=0)
        >>> float(z[0]), bool(z[1] > 0)
        (0.0, True)
        """
        x = check_array(
            frequency,
            owner="GammaGamma.sample",
            field="frequency",
            ndim=1,
            dtype=np.int64,
            nonnegative=True,
        )
        check_int(int(x.size), owner="GammaGamma.sample", field="frequency.size", low=1)
        gen = resolve_rng(rng, owner="GammaGamma.sample")
        nu = gen.gamma(self.q, 1.0 / self.gamma, size=x.size)
        total = gen.gamma(np.maximum(self.p * x, 1e-300), 1.0 / nu)
        return np.where(x > 0, total / np.maximum(x, 1), 0.0)

    @classmethod
    def fit(
        cls,
        frequency: ArrayLike,
        monetary: ArrayLike,
        *,
        penalizer: float = 0.0,
        initial: Mapping[str, float] | None = None,
    ) -> CustomerBaseFit[GammaGamma]:
        """Maximum-likelihood fit on the customers with repeat purchases (analytic gradient).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import load_cdnow_sample
        >>> s = load_cdnow_sample().summary()
        >>> fit = GammaGamma.fit(s.frequency, s.monetary)
        >>> fit.n_customers, {k: round(v, 2) for k, v in fit.params.items()}
        (946, {'p': 6.25, 'q': 3.74, 'gamma': 15.44})
        """
        x, z = _check(frequency, monetary, "GammaGamma.fit", drop_zero=True)
        (ux, uz), w, _ = compress_rows(x, z)
        lz, lx = np.log(uz), np.log(ux)
        n = float(w.sum())

        def negll(theta: F64) -> float:
            p, q, g = (float(v) for v in np.exp(theta))
            return -float(w @ cls._ll(ux, uz, p, q, g))

        def grad(theta: F64) -> F64:
            p, q, g = (float(v) for v in np.exp(theta))
            px = p * ux
            lgz = np.log(g + ux * uz)
            dpq = special.digamma(px + q)
            dp = ux * (dpq - special.digamma(px) + lz + lx - lgz)
            dq = dpq - special.digamma(q) + math.log(g) - lgz
            dg = q / g - (px + q) / (g + ux * uz)
            return -np.array([w @ dp * p, w @ dq * q, w @ dg * g])

        mean_z = float(np.average(uz, weights=w))
        default = {"p": 1.0, "q": 2.0, "gamma": max(mean_z, 1e-6)}
        x0 = initial_log(initial, default, cls.param_names, "GammaGamma.fit")
        res = maximise(
            negll,
            x0,
            owner="GammaGamma.fit",
            n=n,
            penalizer=penalizer,
            grad=grad,
            names=cls.param_names,
        )
        return fit_result(cls, res, n_customers=n, n_rows=ux.size, penalizer=penalizer)

    @classmethod
    def fit_summary(cls, summary: Any, **kwargs: Any) -> CustomerBaseFit[GammaGamma]:
        """Fit to an :class:`~shequn.loyalty.rfm.RFMSummary` (frequency and monetary)."""
        return cls.fit(summary.frequency, summary.monetary, **kwargs)
