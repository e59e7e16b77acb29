"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the
easy way", Marketing Science 24(2)).

While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after every repeat
purchase she drops out with probability p ~ Beta(a, b). For a customer with ``x`` repeat
purchases, the last at ``t_x``, observed for ``T`` since her first purchase:

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / Γ(r) · [ (α+T)^−(r+x) + 1{x>0} a/(b+x−1) (α+t_x)^−(r+x) ]

evaluated as a log-sum-exp of the two terms, so heavy buyers (large ``x``) never overflow.
The conditional expectation uses Euler's transformation of its Gauss hypergeometric term,
``(1−z)^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z) = (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z)``,
whose parameters no longer grow with ``x`` (the form of Fader & Hardie's 2013 note on the
model's #NUM! error).

Examples
--------
>>> from shequn.loyalty.customer_base import BGNBD
>>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> round(float(m.conditional_expected_transactions(39, 2, 30.43, 38.86)[0]), 3)
1.226
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from shequn._validation import check_array, check_int, positive
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    check_rfm,
    compress_rows,
    fit_result,
    initial_log,
    maximise,
)
from shequn.rng import RNGLike, resolve_rng

__all__ = ["BGNBD"]

F64 = NDArray[np.float64]


def _times(t: ArrayLike, owner: str) -> F64:
    return check_array(t, owner=owner, field="t", nonnegative=True)


@attrs.frozen(kw_only=True)
class BGNBD:
    """BG/NBD parameters and predictions.

    Attributes
    ----------
    r, alpha
        Shape and rate of the gamma distribution of purchase rates λ (``alpha`` is in the time
        unit of the data: mean rate is ``r/alpha`` purchases per unit).
    a, b
        Beta distribution of the drop-out probability after each repeat purchase.
    """

    r: float = attrs.field(validator=positive)
    alpha: float = attrs.field(validator=positive)
    a: float = attrs.field(validator=positive)
    b: float = attrs.field(validator=positive)

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")

    @property
    def params(self) -> dict[str, float]:
        """Parameters by name."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    # -- likelihood -------------------------------------------------------------------------

    def _terms(self, x: F64, tx: F64, T: F64) -> tuple[F64, F64, F64]:
        r, al, a, b = self.r, self.alpha, self.a, self.b
        base = (
            special.gammaln(r + x)
            - special.gammaln(r)
            + r * math.log(al)
            + special.betaln(a, b + x)
            - special.betaln(a, b)
        )
        log_alive = -(r + x) * np.log(al + T)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_dead = np.where(
                x > 0, math.log(a) - np.log(b + x - 1) - (r + x) * np.log(al + tx), -np.inf
            )
        return base, log_alive, log_dead

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> F64:
        """Per-customer log-likelihood of (frequency, recency, T).

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(float(m.log_likelihood([0], [0.0], [38.86])[0]), 4)
        -0.5547
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="BGNBD.log_likelihood")
        base, la, ld = self._terms(x, tx, t)
        return base + np.logaddexp(la, ld)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> F64:
        """Probability that each customer is still active at ``T``.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> m.p_alive([0, 5, 5], [0.0, 38.0, 10.0], [39.0, 39.0, 39.0]).round(3).tolist()
        [1.0, 0.878, 0.024]
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="BGNBD.p_alive")
        _, la, ld = self._terms(x, tx, t)
        return np.asarray(special.expit(la - ld), dtype=np.float64)

    def _one_minus_scaled_hyp(self, x: F64, z: F64) -> F64:
        """(a−1)⁻¹·(a+b+x−1)·[1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z)]."""
        r, a, b = self.r, self.a, self.b
        if abs(a - 1.0) < 1e-7:  # removable singularity: average the two sides
            lo = attrs.evolve(self, a=a - 1e-5)._one_minus_scaled_hyp(x, z)
            hi = attrs.evolve(self, a=a + 1e-5)._one_minus_scaled_hyp(x, z)
            return 0.5 * (lo + hi)
        c = a + b + x - 1
        h = special.hyp2f1(a + b - 1 - r, a - 1, c, z)
        core = (
            -np.expm1((a - 1) * np.log1p(-z) + np.log(h))
            if np.all(h > 0)
            else (1 - (1 - z) ** (a - 1) * h)
        )
        return np.asarray(c / (a - 1) * core, dtype=np.float64)

    def expected_transactions(self, t: ArrayLike) -> F64:
        """E[X(t)]: expected repeat purchases of a new customer in ``(0, t]``.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(float(m.expected_transactions(39.0)[0]), 4)
        1.1967
        """
        tt = np.atleast_1d(_times(t, "BGNBD.expected_transactions"))
        z = tt / (self.alpha + tt)
        return self._one_minus_scaled_hyp(np.zeros_like(tt), z)

    def conditional_expected_transactions(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> F64:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` for each customer.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> ys = m.conditional_expected_transactions(39, [1, 5, 20], [30.0] * 3, [38.0] * 3)
        >>> bool(ys[0] < ys[1] < ys[2])
        True
        """
        owner = "BGNBD.conditional_expected_transactions"
        x, tx, T_ = check_rfm(frequency, recency, T, owner=owner)
        tt = _times(t, owner)
        z = tt / (self.alpha + T_ + tt)
        core = self._one_minus_scaled_hyp(x, np.asarray(z, dtype=np.float64))
        _, la, ld = self._terms(x, tx, T_)
        return np.asarray(core * special.expit(la - ld), dtype=np.float64)

    def prob_transactions(self, n: ArrayLike, t: float) -> F64:
        """P(X(t) = n): probability a new customer makes ``n`` repeat purchases in ``(0, t]``.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> p = m.prob_transactions(np.arange(200), 39.0)
        >>> round(float(p.sum()), 6)
        1.0
        """
        k = check_array(
            n, owner="BGNBD.prob_transactions", field="n", dtype=np.int64, nonnegative=True
        )
        tt = float(_times(t, "BGNBD.prob_transactions"))
        r, al, a, b = self.r, self.alpha, self.a, self.b
        q = al / (al + tt)
        kf = k.astype(np.float64)
        first = special.betaln(a, b + kf) - special.betaln(a, b) + stats.nbinom.logpmf(k, r, q)
        with np.errstate(divide="ignore", invalid="ignore"):
            second = np.where(
                k > 0,
                special.betaln(a + 1, b + kf - 1)
                - special.betaln(a, b)
                + stats.nbinom.logsf(k - 1, r, q),
                -np.inf,
            )
        return np.asarray(np.exp(np.logaddexp(first, second)), dtype=np.float64)

    def sample(
        self, n_customers: int, T: ArrayLike, *, rng: RNGLike = None
    ) -> tuple[NDArray[np.int64], F64, F64]:
        """Simulate (frequency, recency, T) for ``n_customers`` new customers.

        Uses the model's story exactly: λ and p per customer, a geometric number of purchases
        until drop-out, and the purchase times as order statistics of a Poisson process.

        Examples
        --------
        >>> x, tx, T = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426).sample(5, 39.0, rng=1)
        >>> bool(np.all(tx <= T))
        True
        """
        n = check_int(n_customers, owner="BGNBD.sample", field="n_customers", low=1)
        T_ = np.broadcast_to(
            check_array(T, owner="BGNBD.sample", field="T", nonnegative=True), (n,)
        ).astype(np.float64)
        gen = resolve_rng(rng, owner="BGNBD.sample")
        lam = gen.gamma(self.r, 1.0 / self.alpha, size=n)
        p = gen.beta(self.a, self.b, size=n)
        until_drop = gen.geometric(p)  # purchases made before dropping out (>= 1)
        arrivals = gen.poisson(lam * T_)
        x = np.minimum(until_drop, arrivals).astype(np.int64)
        pos = np.maximum(x, 1)
        frac = gen.beta(pos, np.maximum(arrivals - x, 0) + 1)
        tx = np.where(x > 0, T_ * frac, 0.0)
        return x, tx, T_.copy()

    # -- estimation -------------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        penalizer: float = 0.0,
        initial: Mapping[str, float] | None = None,
    ) -> CustomerBaseFit[BGNBD]:
        """Maximum-likelihood fit to per-customer (frequency, recency, T).

        Parameters
        ----------
        frequency, recency, T
            Repeat purchases, time of the last repeat purchase and age of each customer, in one
            time unit (see :func:`shequn.loyalty.rfm.rfm_summary`).
        penalizer
            L2 penalty on the log-parameters (see :mod:`shequn.loyalty.customer_base`).
        initial
            Optional starting values by parameter name.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import load_cdnow_sample
        >>> s = load_cdnow_sample().summary()
        >>> fit = BGNBD.fit(s.frequency, s.recency, s.T)
        >>> {k: round(v, 3) for k, v in fit.params.items()}
        {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="BGNBD.fit")
        (ux, utx, uT), w, _ = compress_rows(x, tx, t)
        vx, ix = np.unique(ux, return_inverse=True)
        vT, iT = np.unique(uT, return_inverse=True)
        vtx, itx = np.unique(utx, return_inverse=True)
        has = ux > 0
        n = float(w.sum())

        def fused(theta: F64) -> tuple[float, F64]:
            r, al, a, b = (float(v) for v in np.exp(theta))
            l_aT = np.log(al + vT)[iT]
            l_atx = np.log(al + vtx)[itx]
            la = -(r + ux) * l_aT
            with np.errstate(divide="ignore", invalid="ignore"):
                ld = np.where(has, math.log(a) - np.log(b + ux - 1) - (r + ux) * l_atx, -np.inf)
            m = np.logaddexp(la, ld)
            base = (
                special.gammaln(r + vx)[ix]
                - special.gammaln(r)
                + r * math.log(al)
                + special.betaln(a, b + vx)[ix]
                - special.betaln(a, b)
            )
            value = -float(w @ (base + m))
            wa = np.exp(la - m)
            wd = np.exp(ld - m)
            dr = (
                special.digamma(r + vx)[ix]
                - special.digamma(r)
                + math.log(al)
                - wa * l_aT
                - wd * l_atx
            )
            dal = r / al - (r + ux) * (wa / (al + uT) + wd / (al + utx))
            dig_ab = special.digamma(a + b)
            dig_abx = special.digamma(a + b + vx)[ix]
            da = dig_ab - dig_abx + wd / a
            with np.errstate(divide="ignore", invalid="ignore"):
                inv_bx = np.where(has, wd / (b + ux - 1), 0.0)
            db = dig_ab + special.digamma(b + vx)[ix] - special.digamma(b) - dig_abx - inv_bx
            g = np.array([w @ dr * r, w @ dal * al, w @ da * a, w @ db * b])
            return value, -g

        def negll(theta: F64) -> float:
            return fused(theta)[0]

        def grad(theta: F64) -> F64:
            return fused(theta)[1]

        default = {"r": 1.0, "alpha": max(float(np.mean(t)), 1e-3) / 4, "a": 1.0, "b": 1.0}
        x0 = initial_log(initial, default, cls.param_names, "BGNBD.fit")
        res = maximise(
            negll,
            x0,
            owner="BGNBD.fit",
            n=n,
            penalizer=penalizer,
            grad=grad,
            fused=fused,
            names=cls.param_names,
        )
        return fit_result(cls, res, n_customers=n, n_rows=ux.size, penalizer=penalizer)

    @classmethod
    def fit_summary(cls, summary: Any, **kwargs: Any) -> CustomerBaseFit[BGNBD]:
        """Fit to an :class:`~shequn.loyalty.rfm.RFMSummary` (its calibration columns)."""
        return cls.fit(summary.frequency, summary.recency, summary.T, **kwargs)
