"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's
2005 note "A note on deriving the Pareto/NBD model and related expressions".

While alive a customer buys at Poisson rate λ ~ Gamma(r, α); her lifetime is exponential with
rate μ ~ Gamma(s, β). The likelihood of (x, t_x, T) is

    L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s · I ],
    I = ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ  (death between the last purchase and T).

The note writes I with Gauss hypergeometric functions ₂F₁(r+s+x, ·; r+s+x+1; z), whose first
parameter grows with x and whose argument approaches 1: that is where lifetimes overflows or
returns NaN for heavy buyers. Here I = H(t_x) − H(T) with, for α ≥ β (Euler's transformation),

    H(y) = (α+y)^−(r+x−1) (β+y)^−(s+1) · ₂F₁(1, s+1; r+s+x+1; −(α−β)/(β+y)) / (r+s+x),

and symmetrically for β > α. The transformed ₂F₁(1, b; c; w) has w ≤ 0 and lies in
[(1−w)^−b, 1], so it can neither overflow nor lose its sign. It is evaluated with
:func:`scipy.special.hyp2f1` after one more (Pfaff) transformation to an argument in [0, 1),
where scipy is accurate (see :func:`hyp2f1_one`); any value that is not finite or leaves
those bounds is recomputed from its Euler integral by Gauss–Legendre quadrature. Everything
else stays in logs:
``log I = log H(t_x) + log(1 − exp(log H(T) − log H(t_x)))``.

Examples
--------
>>> from shequn.loyalty.customer_base import ParetoNBD
>>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
>>> bool(np.isfinite(m.log_likelihood([5000], [38.0], [39.0])[0]))
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from shequn._validation import check_array, check_int, check_nonnegative, positive
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    check_rfm,
    compress_rows,
    fit_result,
    initial_log,
    maximise,
)
from shequn.rng import RNGLike, resolve_rng

__all__ = ["ParetoNBD", "hyp2f1_one"]

F64 = NDArray[np.float64]

_GL_U, _GL_W = np.polynomial.legendre.leggauss(64)
_GL_U = 0.5 * (_GL_U + 1.0)
_GL_W = 0.5 * _GL_W


def hyp2f1_one(b: ArrayLike, c: ArrayLike, w: ArrayLike) -> F64:
    """₂F₁(1, b; c; w) for 0 < b < c and w <= 0, robustly.

    Evaluated through Pfaff's transformation ``(1−w)⁻¹ ₂F₁(1, c−b; c; w/(w−1))``, whose
    argument lies in [0, 1) and whose series has positive terms: :func:`scipy.special.hyp2f1`
    is accurate to ~1e-13 there, whereas called directly on w < 0 with large parameters it can
    be off by orders of magnitude. Any value outside the provable bounds [(1−w)^−b, 1] (or not
    finite) is recomputed by 64-point Gauss–Legendre quadrature of the Euler integral
    ``∫₀¹ (1 − w·t(u))^−b du`` with ``t(u) = 1 − (1−u)^(1/(c−1))``.

    Examples
    --------
    >>> import math
    >>> v = hyp2f1_one([1.0], [2.0], [-3.0])  # closed form: log(1 − w) / (−w)
    >>> bool(abs(v[0] - math.log(4.0) / 3.0) < 1e-14)
    True
    """
    bb, cc, ww = np.broadcast_arrays(
        np.asarray(b, dtype=np.float64),
        np.asarray(c, dtype=np.float64),
        np.asarray(w, dtype=np.float64),
    )
    with np.errstate(all="ignore"):
        val = np.asarray(
            special.hyp2f1(1.0, cc - bb, cc, ww / (ww - 1.0)) / (1.0 - ww), dtype=np.float64
        )
        lower = np.exp(-bb * np.log1p(-ww))
        bad = ~np.isfinite(val) | (val > 1 + 1e-9) | (val < lower * (1 - 1e-9))
    if np.any(bad):
        bi, ci, wi = bb[bad], cc[bad], ww[bad]
        t = -np.expm1(np.log1p(-_GL_U)[None, :] / (ci - 1.0)[:, None])
        val = val.copy()
        val[bad] = np.exp(-bi[:, None] * np.log1p(-wi[:, None] * t)) @ _GL_W
    return np.asarray(val, dtype=np.float64)


def _log_h(r: float, al: float, s: float, be: float, x: F64, y: F64) -> F64:
    """log H(y) (see the module docstring), vectorised."""
    a = r + s + x
    if al >= be:
        g = hyp2f1_one(s + 1.0, a + 1.0, -(al - be) / (be + y))
        return np.asarray(
            -(r + x - 1.0) * np.log(al + y) - (s + 1.0) * np.log(be + y) + np.log(g) - np.log(a),
            dtype=np.float64,
        )
    g = hyp2f1_one(r + x, a + 1.0, -(be - al) / (al + y))
    return np.asarray(
        -s * np.log(be + y) - (r + x) * np.log(al + y) + np.log(g) - np.log(a), dtype=np.float64
    )


@attrs.frozen(kw_only=True)
class ParetoNBD:
    """Pareto/NBD parameters and predictions.

    Attributes
    ----------
    r, alpha
        Gamma distribution of purchase rates λ (mean ``r/alpha`` per time unit).
    s, beta
        Gamma distribution of drop-out rates μ (mean ``s/beta`` per time unit).
    """

    r: float = attrs.field(validator=positive)
    alpha: float = attrs.field(validator=positive)
    s: float = attrs.field(validator=positive)
    beta: float = attrs.field(validator=positive)

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "s", "beta")

    @property
    def params(self) -> dict[str, float]:
        """Parameters by name."""
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}

    def _terms(self, x: F64, tx: F64, T: F64) -> tuple[F64, F64, F64]:
        """(log prefactor, log alive term, log(s·I)) per customer."""
        r, al, s, be = self.r, self.alpha, self.s, self.beta
        pre = special.gammaln(r + x) - special.gammaln(r) + r * math.log(al) + s * math.log(be)
        log_alive = -(r + x) * np.log(al + T) - s * np.log(be + T)
        lh_tx = _log_h(r, al, s, be, x, tx)
        lh_T = _log_h(r, al, s, be, x, T)
        d = np.minimum(lh_T - lh_tx, 0.0)
        with np.errstate(divide="ignore"):
            log_dead = math.log(s) + lh_tx + np.log(-np.expm1(d))
        return pre, log_alive, log_dead

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> F64:
        """Per-customer log-likelihood.

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(float(m.log_likelihood([0], [0.0], [38.86])[0]), 4)
        -0.521
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="ParetoNBD.log_likelihood")
        pre, la, ld = self._terms(x, tx, t)
        return pre + np.logaddexp(la, ld)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> F64:
        """Probability that each customer is still alive at ``T``.

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> p = m.p_alive([3, 3], [38.0, 5.0], [39.0, 39.0])
        >>> bool(p[0] > p[1])
        True
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="ParetoNBD.p_alive")
        _, la, ld = self._terms(x, tx, t)
        return np.asarray(special.expit(la - ld), dtype=np.float64)

    def _rest(self, t: F64, base: F64) -> F64:
        """[1 − (base/(base+t))^(s−1)]/(s−1), with its s → 1 limit."""
        lq = np.log(base) - np.log(base + t)
        if abs(self.s - 1.0) < 1e-10:
            return np.asarray(-lq, dtype=np.float64)
        return np.asarray(-np.expm1((self.s - 1.0) * lq) / (self.s - 1.0), dtype=np.float64)

    def expected_transactions(self, t: ArrayLike) -> F64:
        """E[X(t)] for a new customer: ``rβ/α · [1 − (β/(β+t))^(s−1)]/(s−1)``.

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(float(m.expected_transactions(39.0)[0]), 4)
        1.213
        """
        tt = np.atleast_1d(
            check_array(t, owner="ParetoNBD.expected_transactions", field="t", nonnegative=True)
        )
        return self.r * self.beta / self.alpha * self._rest(tt, np.full_like(tt, self.beta))

    def conditional_expected_transactions(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> F64:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` for each customer.

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> y = m.conditional_expected_transactions(39, [0, 2], [0.0, 30.43], [38.86, 38.86])
        >>> bool(y[0] < y[1])
        True
        """
        owner = "ParetoNBD.conditional_expected_transactions"
        x, tx, T_ = check_rfm(frequency, recency, T, owner=owner)
        tt = check_array(t, owner=owner, field="t", nonnegative=True)
        _, la, ld = self._terms(x, tx, T_)
        pa = special.expit(la - ld)
        scale = (self.r + x) * (self.beta + T_) / (self.alpha + T_)
        return np.asarray(scale * self._rest(tt + 0 * T_, self.beta + T_) * pa, dtype=np.float64)

    def prob_transactions(self, n: ArrayLike, t: float) -> F64:
        """P(X(t) = n) for a new customer.

        Alive through ``t`` the count is negative binomial; otherwise it is the negative
        binomial count up to the death time τ, integrated over τ's (Lomax) distribution. The
        integral is taken in the variable u = F(τ), the death-time CDF, where the density
        becomes uniform, by 64-point Gauss–Legendre quadrature on [0, F(t)].

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(float(m.prob_transactions(np.arange(300), 39.0).sum()), 6)
        1.0
        """
        k = check_array(
            n, owner="ParetoNBD.prob_transactions", field="n", dtype=np.int64, nonnegative=True
        )
        tt = check_nonnegative(t, owner="ParetoNBD.prob_transactions", field="t")
        r, al, s, be = self.r, self.alpha, self.s, self.beta
        alive = stats.nbinom.pmf(k, r, al / (al + tt)) * (be / (be + tt)) ** s
        if tt == 0:
            return np.asarray(alive, dtype=np.float64)
        f_t = -math.expm1(-s * math.log1p(tt / be))  # P(death before t)
        u = f_t * _GL_U
        tau = be * np.expm1(-np.log1p(-u) / s)  # inverse CDF of the death time
        pm = stats.nbinom.pmf(k[..., None], r, al / (al + tau))
        return np.asarray(alive + pm @ (f_t * _GL_W), dtype=np.float64)

    def sample(
        self, n_customers: int, T: ArrayLike, *, rng: RNGLike = None
    ) -> tuple[NDArray[np.int64], F64, F64]:
        """Simulate (frequency, recency, T) for ``n_customers`` new customers.

        Examples
        --------
        >>> x, tx, T = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669).sample(4, 39.0,
        ...                                                                         rng=2)
        >>> bool(np.all((tx <= T) & ((x > 0) | (tx == 0))))
        True
        """
        n = check_int(n_customers, owner="ParetoNBD.sample", field="n_customers", low=1)
        T_ = np.broadcast_to(
            check_array(T, owner="ParetoNBD.sample", field="T", nonnegative=True), (n,)
        ).astype(np.float64)
        gen = resolve_rng(rng, owner="ParetoNBD.sample")
        lam = gen.gamma(self.r, 1.0 / self.alpha, size=n)
        mu = gen.gamma(self.s, 1.0 / self.beta, size=n)
        life = gen.exponential(1.0, size=n) / mu
        window = np.minimum(life, T_)
        x = gen.poisson(lam * window).astype(np.int64)
        u = gen.random(n)
        with np.errstate(divide="ignore"):
            tx = np.where(x > 0, window * u ** (1.0 / np.maximum(x, 1)), 0.0)
        return x, tx, T_.copy()

    @classmethod
    def fit(
        cls,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        penalizer: float = 0.0,
        initial: Mapping[str, float] | None = None,
    ) -> CustomerBaseFit[ParetoNBD]:
        """Maximum-likelihood fit (log-parameters, numerical gradient, merged rows).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import load_cdnow_sample
        >>> s = load_cdnow_sample().summary()
        >>> fit = ParetoNBD.fit(s.frequency, s.recency, s.T)
        >>> {k: round(v, 2) for k, v in fit.params.items()}
        {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="ParetoNBD.fit")
        (ux, utx, uT), w, _ = compress_rows(x, tx, t)
        n = float(w.sum())
        # H(t_x) depends on (x, t_x) and H(T) on (x, T) only: far fewer distinct pairs than
        # rows (CDNOW master: 1,726 and 979 for 8,685 rows), so the 2F1 calls run on those.
        (hx1, hy1), _, inv1 = compress_rows(ux, utx)
        (hx2, hy2), _, inv2 = compress_rows(ux, uT)
        vx, ix = np.unique(ux, return_inverse=True)

        def negll(theta: F64) -> float:
            r, al, s, be = (float(v) for v in np.exp(theta))
            pre = (
                special.gammaln(r + vx)[ix]
                - special.gammaln(r)
                + r * math.log(al)
                + s * math.log(be)
            )
            la = -(r + ux) * np.log(al + uT) - s * np.log(be + uT)
            lh_tx = _log_h(r, al, s, be, hx1, hy1)[inv1]
            lh_T = _log_h(r, al, s, be, hx2, hy2)[inv2]
            with np.errstate(divide="ignore"):
                ld = math.log(s) + lh_tx + np.log(-np.expm1(np.minimum(lh_T - lh_tx, 0.0)))
            return -float(w @ (pre + np.logaddexp(la, ld)))

        default = {
            "r": 1.0,
            "alpha": max(float(np.mean(t)), 1e-3) / 4,
            "s": 1.0,
            "beta": max(float(np.mean(t)), 1e-3) / 4,
        }
        x0 = initial_log(initial, default, cls.param_names, "ParetoNBD.fit")
        res = maximise(
            negll, x0, owner="ParetoNBD.fit", n=n, penalizer=penalizer, names=cls.param_names
        )
        return fit_result(cls, res, n_customers=n, n_rows=ux.size, penalizer=penalizer)

    @classmethod
    def fit_summary(cls, summary: Any, **kwargs: Any) -> CustomerBaseFit[ParetoNBD]:
        """Fit to an :class:`~shequn.loyalty.rfm.RFMSummary` (its calibration columns)."""
        return cls.fit(summary.frequency, summary.recency, summary.T, **kwargs)
