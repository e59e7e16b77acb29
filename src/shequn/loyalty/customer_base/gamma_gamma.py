"""The gamma-gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV",
Journal of Marketing Research 42(4); Fader & Hardie 2013, "The gamma-gamma model of monetary
value", brucehardie.com/notes/025).

Each transaction of a customer is worth Z ~ Gamma(p, ν); her ν ~ Gamma(q, γ) varies across
customers. Given x repeat transactions with mean value z̄, the likelihood of z̄ is

    Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^(px) z̄^(px−1) / (γ + x z̄)^(px+q),

and her expected spend per transaction is ``p(γ + x z̄)/(px + q − 1)``: a weighted average of
the population mean ``pγ/(q−1)`` and her own mean. The model assumes spend is independent of
purchase frequency; customers without repeat purchases carry no information and are left out.

The population mean spend exists only for q > 1 (ν's inverse moment ``E[1/ν] = γ/(q−1)``); a
customer's expected spend needs ``px + q > 1``. Where it does not exist the spend and CLV
functions raise instead of returning a negative or infinite number, and
``fit(q_constraint=True)`` (lifetimes' option) estimates q on the scale log(q − 1) so that the
fitted model has a finite mean.

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
from numpy.typing import ArrayLike
from scipy import special

from shequn._typing import BoolArray, FloatArray
from shequn._validation import check_array, check_int, fail, positive
from shequn.exceptions import ConvergenceError
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    build_fit,
    check_weights,
    column,
    compress_rows,
    from_theta,
    initial_theta,
    maximise,
    params_from_dict,
    penalty_vector,
    register_model,
    summary_columns,
)
from shequn.rng import RNGLike, resolve_rng

__all__ = ["GammaGamma"]


def _check(
    frequency: ArrayLike, monetary: ArrayLike, owner: str, drop_zero: bool
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Validated (frequency, monetary, keep-mask)."""
    x = check_array(frequency, owner=owner, field="frequency", ndim=1, nonnegative=True)
    m = check_array(monetary, owner=owner, field="monetary", ndim=1, nonnegative=True)
    if x.size == 0:
        raise fail(owner, "frequency", "hold at least one customer (empty input)", 0)
    if m.shape != x.shape:
        raise fail(owner, "monetary", f"have the length of frequency ({x.size})", m.size)
    bad = np.flatnonzero((x != np.round(x)) | (x > 2.0**53))
    if bad.size:
        raise fail(owner, "frequency", f"hold whole numbers <= 2**53 (index {bad[0]})", x[bad[0]])
    bad = np.flatnonzero((x > 0) & (m <= 0))
    if bad.size:
        raise fail(owner, "monetary", f"be > 0 where frequency > 0 (index {bad[0]})", m[bad[0]])
    keep = x > 0
    if drop_zero:
        if not keep.any():
            raise fail(owner, "frequency", "include customers with repeat purchases", 0)
        return x[keep], m[keep], keep
    return x, m, keep


@register_model
@attrs.frozen(kw_only=True)
class GammaGamma:
    """Gamma-gamma spend parameters and predictions.

    Attributes
    ----------
    p
        Shape of the per-transaction spend distribution.
    q, gamma
        Shape and rate of the distribution of the per-customer scale ν (the mean spend needs
        q > 1).
    """

    p: float = attrs.field(validator=positive)
    q: float = attrs.field(validator=positive)
    gamma: float = attrs.field(validator=positive)

    param_names: ClassVar[tuple[str, ...]] = ("p", "q", "gamma")

    @property
    def params(self) -> dict[str, float]:
        """Parameters by name."""
        return {"p": self.p, "q": self.q, "gamma": self.gamma}

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict."""
        return {"type": "GammaGamma", "params": self.params}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GammaGamma:
        """Rebuild from :meth:`to_dict` output."""
        return cls(**params_from_dict(d, cls.param_names, owner=f"{cls.__name__}.from_dict"))

    @property
    def mean_spend(self) -> float:
        """Population mean spend per transaction ``pγ/(q−1)`` (needs q > 1).

        Examples
        --------
        >>> GammaGamma(p=6.25, q=0.5, gamma=15.44).mean_spend
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `GammaGamma.q` must be > 1 for a finite mean \
spend (fit with q_constraint=True); got 0.5
        """
        if self.q <= 1:
            raise fail(
                "GammaGamma",
                "q",
                "be > 1 for a finite mean spend (fit with q_constraint=True)",
                self.q,
            )
        return self.p * self.gamma / (self.q - 1)

    def log_likelihood(self, frequency: ArrayLike, monetary: ArrayLike) -> FloatArray:
        """Log-density of each repeat customer's mean spend (customers with x = 0 dropped).

        Examples
        --------
        >>> m = GammaGamma(p=6.25, q=3.74, gamma=15.44)
        >>> bool(m.log_likelihood([2, 0], [22.35, 0.0]).shape == (1,))
        True
        """
        x, z, _ = _check(frequency, monetary, "GammaGamma.log_likelihood", drop_zero=True)
        return self._ll(x, z, self.p, self.q, self.gamma)

    @staticmethod
    def _ll(x: FloatArray, z: FloatArray, p: float, q: float, g: float) -> FloatArray:
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

    def conditional_expected_spend(self, frequency: ArrayLike, monetary: ArrayLike) -> FloatArray:
        """E[Z | x, z̄]: expected spend per future transaction; the population mean if x = 0.

        Needs ``p·x + q > 1`` for every customer (q > 1 for customers without repeat
        purchases); otherwise the expected spend is infinite and this raises.

        Examples
        --------
        >>> m = GammaGamma(p=6.25, q=3.74, gamma=15.44)
        >>> m.conditional_expected_spend([0, 2, 50], [0.0, 100.0, 100.0]).round(1).tolist()
        [35.2, 88.4, 99.4]
        >>> GammaGamma(p=6.25, q=0.5, gamma=15.44).conditional_expected_spend([0], [0.0])
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `GammaGamma.q` must be > 1 - p·frequency for \
a finite expected spend (index 0, frequency 0; q > 1 for customers without repeat purchases, \
fit with q_constraint=True); got 0.5
        """
        x, z, _ = _check(
            frequency, monetary, "GammaGamma.conditional_expected_spend", drop_zero=False
        )
        den = self.p * x + self.q - 1
        bad = np.flatnonzero(den <= 0)
        if bad.size:
            i = int(bad[0])
            raise fail(
                "GammaGamma",
                "q",
                f"be > 1 - p·frequency for a finite expected spend (index {i}, frequency "
                f"{x[i]:g}; q > 1 for customers without repeat purchases, fit with "
                "q_constraint=True)",
                self.q,
            )
        return np.asarray(self.p * (self.gamma + x * z) / den, dtype=np.float64)

    def sample(self, frequency: ArrayLike, *, rng: RNGLike = None) -> FloatArray:
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
        frequency: ArrayLike | str = "frequency",
        monetary: ArrayLike | str = "monetary",
        *,
        weights: ArrayLike | str | None = None,
        data: Any = None,
        q_constraint: bool = False,
        penalizer: float = 0.0,
        initial: Mapping[str, float] | None = None,
    ) -> CustomerBaseFit[GammaGamma]:
        """Maximum-likelihood fit on the customers with repeat purchases (analytic gradient).

        Parameters
        ----------
        frequency, monetary
            Repeat purchases and mean repeat spend per customer (arrays, or column names of
            ``data``; customers with ``frequency == 0`` are left out).
        weights
            Customers per row (whole numbers).
        data
            A DataFrame, mapping or :class:`~shequn.loyalty.RFMSummary` for string arguments.
        q_constraint
            Estimate q on the scale log(q − 1), so that q > 1 and the mean spend is finite
            (lifetimes' ``q_constraint``).
        penalizer, initial
            As for :meth:`BGNBD.fit <shequn.loyalty.customer_base.BGNBD.fit>`.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import load_cdnow_sample
        >>> fit = GammaGamma.fit(data=load_cdnow_sample().rfm())
        >>> fit.n_customers, {k: round(v, 2) for k, v in fit.params.items()}
        (946, {'p': 6.25, 'q': 3.74, 'gamma': 15.44})
        """
        owner = "GammaGamma.fit"
        fx = column(data, frequency, owner=owner, field="frequency")
        fm = column(data, monetary, owner=owner, field="monetary")
        x_all, _, _ = _check(fx, fm, owner, drop_zero=False)
        w_all = check_weights(
            None if weights is None else column(data, weights, owner=owner, field="weights"),
            x_all.size,
            owner=owner,
        )
        x, z, keep = _check(fx, fm, owner, drop_zero=True)
        w = w_all[keep]
        if not np.any(w > 0):
            raise fail(owner, "weights", "include customers with repeat purchases", 0)
        pos = w > 0
        (ux, uz), uw, _ = compress_rows(x[pos], z[pos], weights=w[pos])
        lz, lx = np.log(uz), np.log(ux)
        n = float(uw.sum())
        scales = ["log", "log1" if q_constraint else "log", "log"]

        def fused(theta: FloatArray) -> tuple[float, FloatArray]:
            p, q, g = (from_theta(float(v), sc) for v, sc in zip(theta, scales, strict=True))
            if not (p > 0 and q > 0 and g > 0):  # a step so long that a parameter underflowed
                raise ConvergenceError(
                    f"{owner}: the optimiser stepped to a parameter that underflows to 0 "
                    f"(p={p:.3g}, q={q:.3g}, gamma={g:.3g}); try a smaller `{owner}.penalizer` "
                    "or other starting values (initial=...)"
                )
            px = p * ux
            lgz = np.log(g + ux * uz)
            dpq = special.digamma(px + q)
            dp = ux * (dpq - special.digamma(px) + lz + lx - lgz)
            dq = dpq - special.digamma(q) + math.log(g) - lgz
            dg = q / g - (px + q) / (g + ux * uz)
            value = -float(uw @ cls._ll(ux, uz, p, q, g))
            return value, -np.array(
                [uw @ dp * p, uw @ dq * (q - 1 if q_constraint else q), uw @ dg * g]
            )

        mean_z = float(np.average(uz, weights=uw))
        default = {"p": 1.0, "q": 2.0, "gamma": max(mean_z, 1e-6)}
        names = list(cls.param_names)
        x0 = initial_theta(initial, default, names, scales, owner)
        pen = penalty_vector(names, scales, penalizer, owner)
        try:
            res = maximise(fused, x0, owner=owner, n=n, penalty=pen, names=names)
        except ConvergenceError:
            if not q_constraint:
                raise
            free = cls.fit(x, z, weights=w, penalizer=penalizer)
            if free.params["q"] > 1:
                raise
            raise ConvergenceError(
                f"{owner}: these data put q at {free.params['q']:.3g} <= 1 (spend so "
                "heavy-tailed that the mean spend does not exist), so with q_constraint=True the "
                "estimate runs to the boundary q = 1 instead of converging; the gamma-gamma "
                "model does not describe this spend (check for outliers, or model spend "
                "differently)"
            ) from None
        vals = [from_theta(float(v), sc) for v, sc in zip(res.theta, scales, strict=True)]
        model = cls(**dict(zip(names, vals, strict=True)))
        return build_fit(
            model, res, scales=scales, n_customers=n, n_rows=ux.size, penalizer=penalizer
        )

    @classmethod
    def fit_summary(cls, summary: Any, **kwargs: Any) -> CustomerBaseFit[GammaGamma]:
        """Fit to an :class:`~shequn.loyalty.rfm.RFMSummary` (same as ``fit(data=summary)``)."""
        cols = summary_columns(
            summary, ["frequency", "monetary"], owner=f"{cls.__name__}.fit_summary"
        )
        return cls.fit(*cols, **kwargs)
