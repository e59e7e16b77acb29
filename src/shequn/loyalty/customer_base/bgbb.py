"""The BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010,
"Customer-base analysis in a discrete-time noncontractual setting", Marketing Science 29(6)).

At each of ``n`` opportunities (yearly donation drives, weekly events) an alive customer buys
with probability p ~ Beta(α, β); before each opportunity she dies with probability
θ ~ Beta(γ, δ). With ``x`` purchases, the last at opportunity ``t_x``:

    L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
        + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ),

computed as a log-sum-exp over the terms. Every method checks what the fit checks: whole
numbers with ``frequency <= recency <= n`` (x purchases happen within the first t_x
opportunities), so no method returns a "probability" for impossible data. ``P(X(n) = x)``
(eq. 7) is summed in log space too, so it stays a probability for any n (the naive sum of
binomial coefficients overflows past n ≈ 1000).

Examples
--------
>>> from shequn.loyalty.customer_base import BGBB
>>> m = BGBB(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
>>> round(float(m.prob_transactions(np.arange(7), 6).sum()), 10)
1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from shequn._typing import FloatArray, IntArray
from shequn._validation import check_array, check_int, check_memory, positive
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    build_fit,
    check_rfm,
    check_weights,
    column,
    compress_rows,
    initial_theta,
    maximise,
    numerical_gradient,
    params_from_dict,
    penalty_vector,
    register_model,
    summary_columns,
)
from shequn.rng import RNGLike, resolve_rng

__all__ = ["BGBB"]


def _check(
    frequency: ArrayLike, recency: ArrayLike, n: ArrayLike, owner: str
) -> tuple[FloatArray, FloatArray, FloatArray]:
    return check_rfm(
        frequency,
        recency,
        n,
        owner=owner,
        integer_recency=True,
        frequency_le_recency=True,
        age="n",
    )


@register_model
@attrs.frozen(kw_only=True)
class BGBB:
    """BG/BB parameters and predictions (``n`` = number of opportunities observed).

    Attributes
    ----------
    alpha, beta
        Beta distribution of the purchase probability p.
    gamma, delta
        Beta distribution of the drop-out probability θ.
    """

    alpha: float = attrs.field(validator=positive)
    beta: float = attrs.field(validator=positive)
    gamma: float = attrs.field(validator=positive)
    delta: float = attrs.field(validator=positive)

    param_names: ClassVar[tuple[str, ...]] = ("alpha", "beta", "gamma", "delta")

    @property
    def params(self) -> dict[str, float]:
        """Parameters by name."""
        return {"alpha": self.alpha, "beta": self.beta, "gamma": self.gamma, "delta": self.delta}

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict."""
        return {"type": "BGBB", "params": self.params}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BGBB:
        """Rebuild from :meth:`to_dict` output."""
        return cls(**params_from_dict(d, cls.param_names, owner=f"{cls.__name__}.from_dict"))

    @staticmethod
    def _terms(
        x: FloatArray, tx: FloatArray, n: FloatArray, al: float, be: float, ga: float, de: float
    ) -> tuple[FloatArray, FloatArray]:
        """(log alive term, log-sum-exp of the death terms) per customer."""
        bab = special.betaln(al, be)
        bgd = special.betaln(ga, de)
        alive = special.betaln(al + x, be + n - x) - bab + special.betaln(ga, de + n) - bgd
        m = int(np.max(n - tx)) if x.size else 0
        if m <= 0:
            return alive, np.full_like(alive, -np.inf)
        check_memory(8.0 * x.size * m, owner="BGBB", field="n", value=int(np.max(n)))
        i = np.arange(m, dtype=np.float64)[None, :]
        terms = (
            special.betaln(al + x[:, None], be + tx[:, None] - x[:, None] + i)
            - bab
            + special.betaln(ga + 1, de + tx[:, None] + i)
            - bgd
        )
        terms = np.where(i < (n - tx)[:, None], terms, -np.inf)
        with np.errstate(divide="ignore"):
            dead = special.logsumexp(terms, axis=1)
        return np.asarray(alive, dtype=np.float64), np.asarray(dead, dtype=np.float64)

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, n: ArrayLike) -> FloatArray:
        """Per-customer log-likelihood (``recency`` = opportunity of the last purchase).

        Examples
        --------
        >>> m = BGBB(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> bool(m.log_likelihood([6], [6], [6])[0] < 0)
        True
        >>> m.log_likelihood([7], [6], [6])
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `BGBB.log_likelihood.frequency` must be <= \
recency (index 0, recency=6); got 7.0
        """
        x, tx, nn = _check(frequency, recency, n, "BGBB.log_likelihood")
        la, ld = self._terms(x, tx, nn, self.alpha, self.beta, self.gamma, self.delta)
        return np.asarray(np.logaddexp(la, ld), dtype=np.float64)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, n: ArrayLike) -> FloatArray:
        """Probability each customer is alive at opportunity ``n + 1``.

        Examples
        --------
        >>> m = BGBB(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> p = m.p_alive([3, 3], [6, 3], [6, 6])
        >>> bool(p[0] > p[1])
        True
        """
        x, tx, nn = _check(frequency, recency, n, "BGBB.p_alive")
        la, ld = self._terms(x, tx, nn, self.alpha, self.beta, self.gamma, self.delta)
        shift = special.betaln(self.gamma, self.delta + nn + 1) - special.betaln(
            self.gamma, self.delta + nn
        )
        return np.asarray(np.exp(la + shift - np.logaddexp(la, ld)), dtype=np.float64)

    def _future(self, n: FloatArray, n_star: FloatArray) -> FloatArray:
        """δ/(γ−1)·Γ(γ+δ)/Γ(1+δ)·[Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+n*)/Γ(γ+δ+n+n*)].

        Each gamma ratio Γ(z + 1 − γ)/Γ(z) is the Pochhammer symbol ``poch(z, 1 − γ)``, which
        scipy evaluates accurately for any z; a difference of ``gammaln`` values loses every
        digit once z is large (at n = 10^15 the result came out negative).
        """
        ga, de = self.gamma, self.delta
        if abs(ga - 1.0) < 1e-7:
            lo = attrs.evolve(self, gamma=ga - 1e-5)._future(n, n_star)
            hi = attrs.evolve(self, gamma=ga + 1e-5)._future(n, n_star)
            return 0.5 * (lo + hi)
        c = special.poch(ga + de, 1.0 - ga)
        g1 = special.poch(ga + de + n, 1.0 - ga)
        g2 = special.poch(ga + de + n + n_star, 1.0 - ga)
        return np.asarray(de / (ga - 1) * (g1 - g2) / c, dtype=np.float64)

    def expected_transactions(self, n: ArrayLike) -> FloatArray:
        """E[X(n)]: expected purchases of a new customer in ``n`` opportunities.

        Examples
        --------
        >>> m = BGBB(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> bool(0 < m.expected_transactions([6])[0] < 6)
        True
        """
        nn = np.atleast_1d(
            check_array(
                n, owner="BGBB.expected_transactions", field="n", dtype=np.int64, nonnegative=True
            )
        ).astype(np.float64)
        return np.asarray(
            self.alpha / (self.alpha + self.beta) * self._future(np.zeros_like(nn), nn) + 0.0,
            dtype=np.float64,
        )

    def conditional_expected_transactions(
        self, n_star: ArrayLike, frequency: ArrayLike, recency: ArrayLike, n: ArrayLike
    ) -> FloatArray:
        """Expected purchases in the next ``n_star`` opportunities for each customer.

        Examples
        --------
        >>> m = BGBB(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)
        >>> e = m.conditional_expected_transactions(5, [1, 6], [1, 6], [6, 6])
        >>> bool(e[0] < e[1])
        True
        """
        owner = "BGBB.conditional_expected_transactions"
        x, tx, nn = _check(frequency, recency, n, owner)
        ns = check_array(
            n_star, owner=owner, field="n_star", dtype=np.int64, nonnegative=True
        ).astype(np.float64)
        la, ld = self._terms(x, tx, nn, self.alpha, self.beta, self.gamma, self.delta)
        lead = (
            special.betaln(self.alpha + x + 1, self.beta + nn - x)
            - special.betaln(self.alpha, self.beta)
            - np.logaddexp(la, ld)
        )
        return np.asarray(np.exp(lead) * self._future(nn, ns + 0 * nn) + 0.0, dtype=np.float64)

    def prob_transactions(self, x: ArrayLike, n: int) -> FloatArray:
        """P(X(n) = x) for a new customer (Fader, Hardie & Shang 2010, eq. 7), in log space.

        Examples
        --------
        >>> m = BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.78)
        >>> bool(m.prob_transactions([0], 6)[0] > 0.3)
        True
        >>> p = m.prob_transactions(np.arange(1201), 1200)  # large n: still a distribution
        >>> bool(np.all((p >= 0) & (p <= 1))), round(float(p.sum()), 9)
        (True, 1.0)
        """
        owner = "BGBB.prob_transactions"
        k = check_array(x, owner=owner, field="x", dtype=np.int64, nonnegative=True)
        nn = check_int(n, owner=owner, field="n", low=0)
        shape = k.shape
        kf = np.atleast_1d(k).astype(np.float64).ravel()
        al, be, ga, de = self.alpha, self.beta, self.gamma, self.delta
        bab, bgd = special.betaln(al, be), special.betaln(ga, de)
        out = np.zeros(kf.size)
        ok = kf <= nn
        kk = kf[ok]
        first = (
            special.gammaln(nn + 1.0)
            - special.gammaln(kk + 1.0)
            - special.gammaln(nn - kk + 1.0)
            + special.betaln(al + kk, be + nn - kk)
            - bab
            + special.betaln(ga, de + nn)
            - bgd
        )
        rows = max(1, int(2e7 // max(nn, 1)))  # memory: chunks of the (x, i) grid
        res = np.empty(kk.size)
        i = np.arange(nn, dtype=np.float64)[None, :]
        for lo in range(0, kk.size, rows):
            kc = kk[lo : lo + rows, None]
            with np.errstate(invalid="ignore"):
                terms = np.where(
                    i >= kc,
                    special.gammaln(i + 1.0)
                    - special.gammaln(kc + 1.0)
                    - special.gammaln(np.maximum(i - kc, 0.0) + 1.0)
                    + special.betaln(al + kc, be + np.maximum(i - kc, 0.0))
                    - bab
                    + special.betaln(ga + 1, de + i)
                    - bgd,
                    -np.inf,
                )
            both = np.concatenate([first[lo : lo + rows, None], terms], axis=1)
            res[lo : lo + rows] = special.logsumexp(both, axis=1)
        out[ok] = np.exp(res)
        return np.asarray(out.reshape(shape) if shape else out, dtype=np.float64)

    def sample(
        self, n_customers: int, n: int, *, rng: RNGLike = None
    ) -> tuple[IntArray, IntArray, IntArray]:
        """Simulate (frequency, recency, n) for ``n_customers`` over ``n`` opportunities.

        Examples
        --------
        >>> x, tx, n = BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8).sample(3, 6, rng=0)
        >>> bool(np.all(x <= tx))
        True
        """
        k = check_int(n_customers, owner="BGBB.sample", field="n_customers", low=1)
        nn = check_int(n, owner="BGBB.sample", field="n", low=1)
        check_memory(  # a random draw and a flag per customer and opportunity
            9.0 * k * nn,
            owner="BGBB.sample",
            field="n" if nn >= k else "n_customers",
            value=nn if nn >= k else k,
        )
        gen = resolve_rng(rng, owner="BGBB.sample")
        p = gen.beta(self.alpha, self.beta, size=k)
        theta = gen.beta(self.gamma, self.delta, size=k)
        alive_for = gen.geometric(theta) - 1  # opportunities survived
        opp = np.arange(1, nn + 1)[None, :]
        buys = (gen.random((k, nn)) < p[:, None]) & (opp <= alive_for[:, None])
        x = buys.sum(axis=1).astype(np.int64)
        tx = np.where(x > 0, nn - np.argmax(buys[:, ::-1], axis=1), 0).astype(np.int64)
        return x, tx, np.full(k, nn, dtype=np.int64)

    @classmethod
    def fit(
        cls,
        frequency: ArrayLike | str = "frequency",
        recency: ArrayLike | str = "recency",
        n: ArrayLike | str = "n",
        *,
        weights: ArrayLike | str | None = None,
        data: Any = None,
        penalizer: float = 0.0,
        initial: Mapping[str, float] | None = None,
    ) -> CustomerBaseFit[BGBB]:
        """Maximum-likelihood fit (merged rows; BG/BB data usually collapse to a few dozen).

        ``weights`` counts the customers of each row, as in the published donation data
        (one row per (x, t_x, n) pattern); other arguments as for
        :meth:`BGNBD.fit <shequn.loyalty.customer_base.BGNBD.fit>`.

        Examples
        --------
        >>> truth = BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8)
        >>> x, tx, n = truth.sample(3000, 6, rng=5)
        >>> fit = BGBB.fit(x, tx, n)
        >>> fit.n_rows < 30
        True
        """
        owner = "BGBB.fit"
        x, tx, nn = _check(
            column(data, frequency, owner=owner, field="frequency"),
            column(data, recency, owner=owner, field="recency"),
            column(data, n, owner=owner, field="n"),
            owner,
        )
        w = check_weights(
            None if weights is None else column(data, weights, owner=owner, field="weights"),
            x.size,
            owner=owner,
        )
        pos = w > 0
        (ux, utx, un), uw, _ = compress_rows(x[pos], tx[pos], nn[pos], weights=w[pos])
        total = float(uw.sum())

        def negll(theta: FloatArray) -> float:
            al, be, ga, de = (float(v) for v in np.exp(theta))
            la, ld = cls._terms(ux, utx, un, al, be, ga, de)
            return -float(uw @ np.logaddexp(la, ld))

        names = list(cls.param_names)
        scales = ["log"] * 4
        x0 = initial_theta(
            initial, {"alpha": 1.0, "beta": 1.0, "gamma": 1.0, "delta": 1.0}, names, scales, owner
        )
        pen = penalty_vector(names, scales, penalizer, owner)
        res = maximise(
            numerical_gradient(negll), x0, owner=owner, n=total, penalty=pen, names=names
        )
        model = cls(**dict(zip(names, (float(v) for v in np.exp(res.theta)), strict=True)))
        return build_fit(
            model, res, scales=scales, n_customers=total, n_rows=ux.size, penalizer=penalizer
        )

    @classmethod
    def fit_summary(cls, summary: Any, **kwargs: Any) -> CustomerBaseFit[BGBB]:
        """Fit to any object with ``frequency``, ``recency`` and ``n`` attributes."""
        cols = summary_columns(
            summary, ["frequency", "recency", "n"], owner=f"{cls.__name__}.fit_summary"
        )
        return cls.fit(*cols, **kwargs)
