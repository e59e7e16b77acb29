"""The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), in the form of Fader & Hardie's
2005 note "A note on deriving the Pareto/NBD model and related expressions".

While alive a customer buys at Poisson rate λ ~ Gamma(r, α); her lifetime is exponential with
rate μ ~ Gamma(s, β). The likelihood of (x, t_x, T) is

    L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s · I ],
    I = ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ  (death between the last purchase and T).

The note writes I with Gauss hypergeometric functions ₂F₁(r+s+x, ·; r+s+x+1; z) whose first
parameter grows with x and whose argument approaches 1: that is where lifetimes overflows or
returns NaN for heavy buyers, and where scipy's ₂F₁ returns NaN for customers with extreme
rates (``ParetoNBD(r=2, alpha=1e-3, s=2, beta=1e4).p_alive([1000], [0], [1e-6])``). Here I is
integrated directly in log space by the compiled kernel of
:mod:`~shequn.loyalty.customer_base._kernels` (piecewise Gauss–Legendre on a concave
log-integrand, accurate to ~1e-13 against 40-digit mpmath from x = 0 to x = 20,000 and for
α/β from 1e-9 to 1e9), which also returns the derivatives the fits use as analytic gradients.
Everything else stays in logs.

All functions below take per-customer parameter arrays, so the covariate model
(:class:`~shequn.loyalty.customer_base.covariates.ParetoNBDCovariates`) predicts with the same
code.

Examples
--------
>>> from shequn.loyalty.customer_base import ParetoNBD
>>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
>>> bool(np.isfinite(m.log_likelihood([5000], [38.0], [39.0])[0]))
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, ClassVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from shequn._typing import FloatArray, IntArray
from shequn._validation import check_array, check_int, check_nonnegative, fail, positive
from shequn.exceptions import ConvergenceError
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    check_rfm,
    params_from_dict,
    register_model,
    sample_ages,
    summary_columns,
)
from shequn.loyalty.customer_base._kernels import log_integral
from shequn.rng import RNGLike, resolve_rng

if TYPE_CHECKING:
    from shequn.loyalty.customer_base.covariates import CovariateData, ParetoNBDCovariates

__all__ = ["ParetoNBD", "hyp2f1_one"]

Params = Mapping[str, Any]

_GL_U, _GL_W = np.polynomial.legendre.leggauss(64)
_GL_U = 0.5 * (_GL_U + 1.0)
_GL_W = 0.5 * _GL_W


def hyp2f1_one(b: ArrayLike, c: ArrayLike, w: ArrayLike) -> FloatArray:
    """₂F₁(1, b; c; w) for b > 0, c > 1 and w <= 0, robustly (the fallback needs b < c).

    Evaluated through Pfaff's transformation ``(1−w)⁻¹ ₂F₁(1, c−b; c; w/(w−1))``, whose
    argument lies in [0, 1) and whose series has positive terms: :func:`scipy.special.hyp2f1`
    is accurate to ~1e-13 there. Any value that is not finite or leaves the provable bounds
    [(1−w)^−b, 1] is recomputed from the integral
    ``(c−1)(1−w)^−b ∫_0^∞ (1+τ)^−(c−b) (1/(1−w)+τ)^−b dτ`` by the compiled log-space
    quadrature (where scipy returns NaN or 0 for a value of 1e-7, for instance).

    Examples
    --------
    >>> import math
    >>> v = hyp2f1_one([1.0], [2.0], [-3.0])  # closed form: log(1 − w) / (−w)
    >>> bool(abs(v[0] - math.log(4.0) / 3.0) < 1e-14)
    True
    >>> print(f"{hyp2f1_one([1002.0], [1005.0], [-1e7])[0]:.10e}")  # scipy: NaN; mpmath agrees
    1.0029969024e-07
    """
    owner = "hyp2f1_one"
    bb, cc, ww = np.broadcast_arrays(
        np.atleast_1d(check_array(b, owner=owner, field="b")),
        np.atleast_1d(check_array(c, owner=owner, field="c")),
        np.atleast_1d(check_array(w, owner=owner, field="w")),
    )
    for field, bad in (("b", ~(bb > 0)), ("c", ~(cc > 1)), ("w", ~(ww <= 0))):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            rule = {"b": "be > 0", "c": "be > 1", "w": "be <= 0"}[field]
            raise fail(owner, field, f"{rule} (index {i})", {"b": bb, "c": cc, "w": ww}[field][i])
    with np.errstate(all="ignore"):
        val = np.asarray(
            special.hyp2f1(1.0, cc - bb, cc, ww / (ww - 1.0)) / (1.0 - ww), dtype=np.float64
        )
        lower = np.exp(-bb * np.log1p(-ww))
        bad = (
            ~np.isfinite(val)
            | (val > 1 + 1e-9)
            | (val < lower * (1 - 1e-9))
            | (val <= 0)
            | ~np.isfinite(lower)
        )
    if np.any(bad & (cc <= bb)):
        i = int(np.flatnonzero(bad & (cc <= bb))[0])
        raise ConvergenceError(
            f"hyp2f1_one: scipy's value at b={bb[i]:g}, c={cc[i]:g}, w={ww[i]:g} is not "
            "finite or out of bounds, and the quadrature fallback needs c > b"
        )
    if np.any(bad):
        bi, ci, wi = bb[bad], cc[bad], ww[bad]
        one = np.ones(bi.size)
        li = log_integral(
            one, 1.0 / (1.0 - wi), ci - bi, bi, np.zeros(bi.size), np.full(bi.size, np.inf)
        )
        val = val.copy()
        val[bad] = np.exp(np.log(ci - 1.0) - bi * np.log1p(-wi) + li[0])
    return np.asarray(val, dtype=np.float64)


# -- vectorised model functions ---------------------------------------------------------------


def _arr(v: Any, n: int) -> FloatArray:
    return np.ascontiguousarray(np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)))


def pn_terms(
    P: Params, x: FloatArray, tx: FloatArray, T: FloatArray, *, grad: bool = False
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """(log prefactor, log alive term, log(s·I), kernel output or None) per customer."""
    r, al, s, be = P["r"], P["alpha"], P["s"], P["beta"]
    n = x.size
    pre = special.gammaln(r + x) - special.gammaln(r) + r * np.log(al) + s * np.log(be)
    log_alive = -(r + x) * np.log(al + T) - s * np.log(be + T)
    k = log_integral(_arr(al, n), _arr(be, n), _arr(r + x, n), _arr(s + 1.0, n), tx, T)
    log_dead = np.log(s) + k[0]
    return (
        np.asarray(pre, dtype=np.float64),
        np.asarray(log_alive, dtype=np.float64),
        np.asarray(log_dead, dtype=np.float64),
        k if grad else None,
    )


def pn_log_likelihood(P: Params, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
    """Per-customer log-likelihood."""
    pre, la, ld, _ = pn_terms(P, x, tx, T)
    return np.asarray(pre + np.logaddexp(la, ld), dtype=np.float64)


def pn_p_alive(P: Params, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
    """P(alive at T | x, t_x, T)."""
    _, la, ld, _ = pn_terms(P, x, tx, T)
    return np.asarray(special.expit(la - ld), dtype=np.float64)


def _rest(s: Any, t: FloatArray, base: FloatArray) -> FloatArray:
    """[1 − (base/(base+t))^(s−1)]/(s−1), with its s → 1 limit (never −0.0)."""
    lq = np.log(base) - np.log(base + t)
    sm1 = np.asarray(s, dtype=np.float64) - 1.0
    near = np.abs(sm1) < 1e-10
    with np.errstate(invalid="ignore", divide="ignore"):
        general = -np.expm1(sm1 * lq) / np.where(near, 1.0, sm1)
    return np.asarray(np.where(near, -lq, general) + 0.0, dtype=np.float64)


def pn_conditional(
    P: Params, t: ArrayLike, x: FloatArray, tx: FloatArray, T: FloatArray
) -> FloatArray:
    """E[Y(t) | x, t_x, T] = P(alive) · (r+x)(β+T)/((α+T)) · [1 − ((β+T)/(β+T+t))^(s−1)]/(s−1)."""
    tt = np.asarray(t, dtype=np.float64)
    pa = pn_p_alive(P, x, tx, T)
    scale = (P["r"] + x) * (P["beta"] + T) / (P["alpha"] + T)
    return np.asarray(scale * _rest(P["s"], tt + 0 * T, P["beta"] + T) * pa, dtype=np.float64)


def pn_expected(P: Params, t: FloatArray) -> FloatArray:
    """E[X(t)] for a new customer: ``rβ/α · [1 − (β/(β+t))^(s−1)]/(s−1)``."""
    be = np.asarray(P["beta"], dtype=np.float64)
    return np.asarray(P["r"] * be / P["alpha"] * _rest(P["s"], t, be + 0 * t), dtype=np.float64)


def pn_pmf(P: Params, k: IntArray, t: float) -> FloatArray:
    """P(X(t) = k); per-customer parameters give shape (customers, len(k)).

    Alive through ``t`` the count is negative binomial; otherwise it is the negative binomial
    count up to the death time τ, integrated over τ's (Lomax) distribution, in the variable
    u = F(τ) where the density is uniform (64-point Gauss–Legendre on [0, F(t)]).
    """
    r, al, s, be = (np.asarray(P[n], dtype=np.float64) for n in ("r", "alpha", "s", "beta"))
    per_customer = any(v.ndim for v in (r, al, s, be))
    if per_customer:
        r, al, s, be = (v.reshape(-1, 1) for v in np.broadcast_arrays(r, al, s, be))
    log_surv = -s * np.log1p(t / be)
    alive = np.exp(stats.nbinom.logpmf(k, r, al / (al + t)) + log_surv)
    if t == 0:
        return np.asarray(alive + 0.0 * k, dtype=np.float64)
    f_t = -np.expm1(log_surv)  # P(death before t)
    if per_customer:
        u = f_t[..., None] * _GL_U  # (customers, 1, nodes)
        tau = be[..., None] * np.expm1(-np.log1p(-u) / s[..., None])
        pm = stats.nbinom.pmf(k[None, :, None], r[..., None], al[..., None] / (al[..., None] + tau))
        dead = pm @ _GL_W * f_t
    else:
        u = f_t * _GL_U
        tau = be * np.expm1(-np.log1p(-u) / s)
        pm = stats.nbinom.pmf(k[..., None], r, al / (al + tau))
        dead = pm @ (f_t * _GL_W)
    return np.asarray(alive + dead, dtype=np.float64)


def pn_conditional_pmf(
    P: Params, k: IntArray, t: float, x: FloatArray, tx: FloatArray, T: FloatArray
) -> FloatArray:
    """P(Y(t) = k | x, t_x, T), shape (customers, len(k)).

    Alive at T, the customer's future is a Pareto/NBD with the posterior parameters
    (r+x, α+T, s, β+T) (the exponential lifetime forgets its past); dead, she buys nothing.
    """
    pa = pn_p_alive(P, x, tx, T)
    post = {"r": P["r"] + x, "alpha": P["alpha"] + T, "s": P["s"] + 0 * x, "beta": P["beta"] + T}
    pmf = pn_pmf(post, k, t)
    return np.asarray(pa[:, None] * pmf + (1 - pa)[:, None] * (k == 0), dtype=np.float64)


def pn_sample(
    P: Params, T: FloatArray, gen: np.random.Generator
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Simulate (frequency, recency, T), one customer per entry of ``T``."""
    n = T.size
    lam = gen.gamma(P["r"], 1.0 / np.broadcast_to(P["alpha"], (n,)), size=n)
    mu = gen.gamma(P["s"], 1.0 / np.broadcast_to(P["beta"], (n,)), size=n)
    life = gen.exponential(1.0, size=n) / mu
    window = np.minimum(life, T)
    x = gen.poisson(lam * window).astype(np.int64)
    u = gen.random(n)
    with np.errstate(divide="ignore"):
        tx = np.where(x > 0, window * u ** (1.0 / np.maximum(x, 1)), 0.0)
    return x, tx, T.copy()


def pn_rows(
    P: Params, x: FloatArray, tx: FloatArray, T: FloatArray, u: Any
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Per-row log-likelihood and its derivatives with respect to r, α, s and β."""
    r, al, s, be = P["r"], P["alpha"], P["s"], P["beta"]
    pre, la, ld, k = pn_terms(P, x, tx, T, grad=True)
    assert k is not None
    m = np.logaddexp(la, ld)
    wa = np.exp(la - m)
    wd = np.exp(ld - m)
    vx, ix = u.vx, u.ix
    l_aT = np.log(al + T)
    l_bT = np.log(be + T)
    dr = special.digamma(r + vx)[ix] - special.digamma(r) + np.log(al) - wa * l_aT + wd * k[3]
    dal = r / al - wa * (r + x) / (al + T) + wd * k[1]
    ds = np.log(be) - wa * l_bT + wd * (1.0 / s + k[4])
    dbe = s / be - wa * s / (be + T) + wd * k[2]
    return np.asarray(pre + m, dtype=np.float64), {"r": dr, "alpha": dal, "s": ds, "beta": dbe}


# -- the model class ----------------------------------------------------------------------------


@register_model
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

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict."""
        return {"type": "ParetoNBD", "params": self.params}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ParetoNBD:
        """Rebuild from :meth:`to_dict` output."""
        return cls(**params_from_dict(d, cls.param_names, owner=f"{cls.__name__}.from_dict"))

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """Per-customer log-likelihood.

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(float(m.log_likelihood([0], [0.0], [38.86])[0]), 4)
        -0.521
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="ParetoNBD.log_likelihood")
        return pn_log_likelihood(self.params, x, tx, t)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """Probability that each customer is still alive at ``T``.

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> p = m.p_alive([3, 3], [38.0, 5.0], [39.0, 39.0])
        >>> bool(p[0] > p[1])
        True
        """
        x, tx, t = check_rfm(frequency, recency, T, owner="ParetoNBD.p_alive")
        return pn_p_alive(self.params, x, tx, t)

    def expected_transactions(self, t: ArrayLike) -> FloatArray:
        """E[X(t)] for a new customer: ``rβ/α · [1 − (β/(β+t))^(s−1)]/(s−1)``.

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> round(float(m.expected_transactions(39.0)[0]), 4)
        1.213
        >>> m.expected_transactions(0).tolist()  # +0.0, never -0.0
        [0.0]
        """
        tt = np.atleast_1d(
            check_array(t, owner="ParetoNBD.expected_transactions", field="t", nonnegative=True)
        )
        return pn_expected(self.params, tt)

    def conditional_expected_transactions(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
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
        return pn_conditional(self.params, tt, x, tx, T_)

    def prob_transactions(self, n: ArrayLike, t: float) -> FloatArray:
        """P(X(t) = n): probability a new customer makes ``n`` repeat purchases in ``(0, t]``.

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
        return pn_pmf(self.params, k, tt)

    def conditional_prob_transactions(
        self, n: ArrayLike, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """P(Y(t) = n | x, t_x, T): each customer's probability of ``n`` purchases in the next
        ``t`` (lifetimes' ``conditional_probability_of_n_purchases_up_to_time``); shape
        (customers, len(n)).

        Examples
        --------
        >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
        >>> p = m.conditional_prob_transactions([0, 1, 2], 39.0, [2], [30.43], [38.86])
        >>> bool(p[0, 0] > p[0, 1] > p[0, 2])
        True
        """
        owner = "ParetoNBD.conditional_prob_transactions"
        x, tx, T_ = check_rfm(frequency, recency, T, owner=owner)
        k = check_array(n, owner=owner, field="n", dtype=np.int64, nonnegative=True, ndim=1)
        tt = check_nonnegative(t, owner=owner, field="t")
        return pn_conditional_pmf(self.params, k, tt, x, tx, T_)

    def sample(
        self, n_customers: int, T: ArrayLike, *, rng: RNGLike = None
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Simulate (frequency, recency, T) for ``n_customers`` new customers.

        Examples
        --------
        >>> x, tx, T = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669).sample(4, 39.0,
        ...                                                                         rng=2)
        >>> bool(np.all((tx <= T) & ((x > 0) | (tx == 0))))
        True
        """
        n = check_int(n_customers, owner="ParetoNBD.sample", field="n_customers", low=1)
        T_ = sample_ages(T, n, owner="ParetoNBD.sample")
        gen = resolve_rng(rng, owner="ParetoNBD.sample")
        return pn_sample(self.params, T_, gen)

    def with_covariates(
        self,
        *,
        trans: Mapping[str, float] | None = None,
        life: Mapping[str, float] | None = None,
        constrained: Sequence[str] = (),
    ) -> ParetoNBDCovariates:
        """This model with covariate coefficients (CLVTools' parametrisation).

        ``alpha_i = alpha·exp(−γ_trans·x_i)`` and ``beta_i = beta·exp(−γ_life·z_i)``: positive
        coefficients raise the purchase rate and the drop-out rate. With a
        :class:`~shequn.loyalty.customer_base.covariates.CovariatePanel` the covariates may
        vary over time (Bachmann, Meierer & Näf 2021).

        Examples
        --------
        >>> m = ParetoNBD(r=0.55, alpha=10.6, s=0.61, beta=11.7)
        >>> m.with_covariates(life={"member": -0.5}).params["life.member"]
        -0.5
        """
        from shequn.loyalty.customer_base.covariates import ParetoNBDCovariates, coefficients

        t, lf, c = coefficients(trans, life, constrained, owner="ParetoNBD.with_covariates")
        return ParetoNBDCovariates(base=self, trans=t, life=lf, constrained=c)

    @overload
    @classmethod
    def fit(
        cls,
        frequency: ArrayLike | str = ...,
        recency: ArrayLike | str = ...,
        T: ArrayLike | str = ...,
        *,
        weights: ArrayLike | str | None = ...,
        data: Any = ...,
        trans: None = None,
        life: None = None,
        covariates: CovariateData | None = ...,
        constrain: Sequence[str] = ...,
        regularization: Mapping[str, float] | None = ...,
        penalizer: float = ...,
        initial: Mapping[str, float] | None = ...,
        executor: Executor | None = ...,
    ) -> CustomerBaseFit[ParetoNBD]: ...

    @overload
    @classmethod
    def fit(
        cls,
        frequency: ArrayLike | str = ...,
        recency: ArrayLike | str = ...,
        T: ArrayLike | str = ...,
        *,
        weights: ArrayLike | str | None = ...,
        data: Any = ...,
        trans: Mapping[str, ArrayLike] | Sequence[str],
        life: Mapping[str, ArrayLike] | Sequence[str] | None = ...,
        covariates: CovariateData | None = ...,
        constrain: Sequence[str] = ...,
        regularization: Mapping[str, float] | None = ...,
        penalizer: float = ...,
        initial: Mapping[str, float] | None = ...,
        executor: Executor | None = ...,
    ) -> CustomerBaseFit[ParetoNBDCovariates]: ...

    @overload
    @classmethod
    def fit(
        cls,
        frequency: ArrayLike | str = ...,
        recency: ArrayLike | str = ...,
        T: ArrayLike | str = ...,
        *,
        weights: ArrayLike | str | None = ...,
        data: Any = ...,
        trans: None = None,
        life: Mapping[str, ArrayLike] | Sequence[str],
        covariates: CovariateData | None = ...,
        constrain: Sequence[str] = ...,
        regularization: Mapping[str, float] | None = ...,
        penalizer: float = ...,
        initial: Mapping[str, float] | None = ...,
        executor: Executor | None = ...,
    ) -> CustomerBaseFit[ParetoNBDCovariates]: ...

    @classmethod
    def fit(
        cls,
        frequency: ArrayLike | str = "frequency",
        recency: ArrayLike | str = "recency",
        T: ArrayLike | str = "T",
        *,
        weights: ArrayLike | str | None = None,
        data: Any = None,
        trans: Mapping[str, ArrayLike] | Sequence[str] | None = None,
        life: Mapping[str, ArrayLike] | Sequence[str] | None = None,
        covariates: CovariateData | None = None,
        constrain: Sequence[str] = (),
        regularization: Mapping[str, float] | None = None,
        penalizer: float = 0.0,
        initial: Mapping[str, float] | None = None,
        executor: Executor | None = None,
    ) -> CustomerBaseFit[Any]:
        """Maximum-likelihood fit, optionally with covariates on either process.

        Arguments are those of :meth:`BGNBD.fit <shequn.loyalty.customer_base.BGNBD.fit>`.
        ``covariates`` may be a :class:`~shequn.loyalty.customer_base.covariates.CovariatePanel`
        for time-varying covariates (Bachmann, Meierer & Näf 2021); the gradient is analytic
        for static covariates (compiled kernel) and numerical for time-varying ones.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import load_cdnow_sample
        >>> fit = ParetoNBD.fit(data=load_cdnow_sample().rfm())
        >>> {k: round(v, 2) for k, v in fit.params.items()}
        {'r': 0.55, 'alpha': 10.58, 's': 0.61, 'beta': 11.67}
        """
        from shequn.loyalty.customer_base.covariates import fit_static

        return fit_static(
            cls,
            frequency,
            recency,
            T,
            weights=weights,
            data=data,
            trans=trans,
            life=life,
            covariates=covariates,
            constrain=constrain,
            regularization=regularization,
            penalizer=penalizer,
            initial=initial,
            executor=executor,
        )

    @classmethod
    def fit_summary(cls, summary: Any, **kwargs: Any) -> CustomerBaseFit[Any]:
        """Fit to an :class:`~shequn.loyalty.rfm.RFMSummary` (same as ``fit(data=summary)``)."""
        cols = summary_columns(
            summary, ["frequency", "recency", "T"], owner=f"{cls.__name__}.fit_summary"
        )
        return cls.fit(*cols, **kwargs)
