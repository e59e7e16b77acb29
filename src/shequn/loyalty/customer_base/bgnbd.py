"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your customers the
easy way", Marketing Science 24(2)) and its modified variant MBG/NBD (Batislam, Denizel &
Filiztekin 2007, "Empirical validation and comparison of models for customer base analysis",
International Journal of Research in Marketing 24(3)).

While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after every repeat
purchase she drops out with probability p ~ Beta(a, b). For a customer with ``x`` repeat
purchases, the last at ``t_x``, observed for ``T`` since her first purchase:

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / Γ(r) · [ (α+T)^−(r+x) + 1{x>0} a/(b+x−1) (α+t_x)^−(r+x) ]

evaluated as a log-sum-exp of the two terms, so heavy buyers (large ``x``) never overflow. In
the MBG/NBD she may also drop out right after her *first* purchase, so a customer without
repeat purchases can be dead too:

    L = B(a, b+x+1)/B(a, b) · Γ(r+x) α^r / Γ(r) · [ (α+T)^−(r+x) + a/(b+x) (α+t_x)^−(r+x) ].

Expected future purchases. Given λ and p, a customer who would make K purchases in a window if
she never died makes ``Σ_{j<K} (1−p)^j`` of them. With λ ~ Gamma(R, α+T) and p ~ Beta(a, B)
(R = r+x, B = b+x after x purchases), K is negative binomial and

    C(R, a, B, z) = E[Σ_{j<K} (1−p)^j] = (a+B−1)/(a−1) · [1 − (1−z)^R ₂F₁(R, B; a+B−1; z)],

z = t/(α+T+t): FHL's closed form. It is evaluated with Euler's transformation,
``(1−z)^R ₂F₁(R, B; a+B−1; z) = (1−z)^(a−1) ₂F₁(a+B−1−R, a−1; a+B−1; z)`` (parameters that do
not grow with x; Fader & Hardie's 2013 note on the #NUM! error). Where scipy's ₂F₁ fails
(extreme parameters: NaN, or a value outside the provable bounds ``P(K ≥ 1) ≤ C ≤ E[K]``) and
near the removable singularity a = 1, C is summed exactly from the first form: a sum of
positive terms ``Σ_k P(K = k) Σ_{j<k} E[(1−p)^j]`` in log space, so it cannot cancel.

All functions below take per-customer parameter arrays, so the covariate model
(:class:`~shequn.loyalty.customer_base.covariates.BGNBDCovariates`) predicts with the same code.

Examples
--------
>>> from shequn.loyalty.customer_base import BGNBD
>>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> round(float(m.conditional_expected_transactions(39, 2, 30.43, 38.86)[0]), 3)
1.226
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, ClassVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
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
from shequn.rng import RNGLike, resolve_rng

if TYPE_CHECKING:
    from shequn.loyalty.customer_base.covariates import BGNBDCovariates, CovariateData

__all__ = ["BGNBD", "ModifiedBGNBD"]

Params = Mapping[str, Any]
"""Per-customer parameters: each value a float or an array with one entry per customer."""


def _times(t: ArrayLike, owner: str) -> FloatArray:
    return check_array(t, owner=owner, field="t", nonnegative=True)


def _horizon(t: FloatArray, base: Any, owner: str) -> None:
    """Refuse horizons so long that ``z = t/(base + t)`` rounds to 1 (``base`` = alpha + T)."""
    with np.errstate(all="ignore"):
        z = np.broadcast_to(t / (base + t), np.broadcast_shapes(np.shape(t), np.shape(base)))
    bad = np.flatnonzero(np.ravel(z) >= 1.0)
    if bad.size:
        raise fail(
            owner,
            "t",
            "be small enough next to alpha + T that t/(alpha + T + t) < 1 in double precision "
            "(t below about 1e15 × (alpha + T))",
            np.ravel(np.broadcast_to(t, z.shape))[bad[0]],
        )


# -- the robust conditional-expectation core ----------------------------------------------------


def _core_series(R: float, a: float, B: float, z: float) -> float:
    """C(R, a, B, z) summed exactly: Σ_j E[(1−p)^j] · P(K > j), K ~ NB(R, 1−z).

    Positive terms, summed in blocks until the rest is below 1e-17 of the sum: the rest is at
    most m_J · min(E[K], (a+B+J)/(a−1)) (the second bound for a > 1, where Σ m_j converges),
    so long horizons (huge K) cost little when a > 1.
    """
    if z <= 0.0:
        return 0.0
    if z >= 1.0:  # t/(alpha + T + t) rounded to 1: no finite sum to take
        raise ConvergenceError(
            "BG/NBD expected transactions: the horizon t is so long next to alpha + T that "
            "z = t/(alpha + T + t) rounds to 1 in double precision; use a shorter horizon t"
        )
    mean = R * z / (1.0 - z)
    sd = math.sqrt(R * z) / (1.0 - z)
    kmax = mean + 40.0 * sd + 60.0
    q = 1.0 - z
    total = 0.0
    log_m = 0.0  # log m_J at the start of the block
    j0 = 0
    block = 4096
    while True:
        j = np.arange(j0, j0 + block, dtype=np.float64)
        steps = np.log(B + j) - np.log(a + B + j)
        lm = log_m + np.concatenate(([0.0], np.cumsum(steps[:-1])))
        sf = stats.nbinom.sf(j, R, q)
        total += float(np.exp(lm) @ sf)
        log_m = float(lm[-1] + steps[-1])
        j0 += block
        rest = math.exp(log_m) * min(mean, (a + B + j0) / (a - 1.0) if a > 1.0 else math.inf)
        if j0 > kmax or rest < 1e-17 * total:
            return total
        if j0 > 50_000_000:
            raise ConvergenceError(
                f"BG/NBD expected transactions: the sum over future purchases does not settle "
                f"(mean purchase count {mean:.3g} for r+x={R:.3g}, z={z:.6g}, a={a:.3g} <= 1); "
                "use a shorter horizon t or a time unit in which alpha + T is not tiny "
                "compared with t"
            )
        block = min(block * 4, 1 << 20)


def bg_core(R: ArrayLike, a: ArrayLike, B: ArrayLike, z: ArrayLike) -> FloatArray:
    """C(R, a, B, z): expected purchases in a window of a BG/NBD customer known to be alive.

    ``R`` and ``B`` are the posterior shape parameters (r+x, b+x), ``z = t/(α+T+t)``. See the
    module docstring for the closed form and the exact-sum fallback.

    Examples
    --------
    >>> round(float(bg_core(0.243, 0.793, 2.426, 39.0 / (4.414 + 39.0))[0]), 4)
    1.1967
    """
    R_, a_, B_, z_ = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (R, a, B, z))
    R_, a_, B_, z_ = np.broadcast_arrays(R_, a_, B_, z_)
    c = a_ + B_ - 1.0
    with np.errstate(all="ignore"):
        h = special.hyp2f1(c - R_, a_ - 1.0, c, z_)
        core = np.where(
            h > 0,
            c / (a_ - 1.0) * -np.expm1((a_ - 1.0) * np.log1p(-z_) + np.log(h)),
            c / (a_ - 1.0) * (1.0 - (1.0 - z_) ** (a_ - 1.0) * h),
        )
        lo = -np.expm1(R_ * np.log1p(-z_))
        hi = R_ * z_ / (1.0 - z_)
    bad = (
        ~np.isfinite(core)
        | (core < lo * (1 - 1e-9))
        | (core > hi * (1 + 1e-9))
        | (np.abs(a_ - 1.0) < 1e-6)
    )
    out = np.asarray(core, dtype=np.float64).copy()
    for i in np.flatnonzero(bad):
        out[i] = _core_series(float(R_[i]), float(a_[i]), float(B_[i]), float(z_[i]))
    return out


# -- vectorised model functions (P holds per-customer or scalar parameters) ---------------------


def bg_terms(
    P: Params, x: FloatArray, tx: FloatArray, T: FloatArray, modified: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(log prefactor, log alive term, log dead term) per customer."""
    r, al, a, b = P["r"], P["alpha"], P["a"], P["b"]
    shift = 1.0 if modified else 0.0
    base = (
        special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(al)
        + special.betaln(a, b + x + shift)
        - special.betaln(a, b)
    )
    log_alive = -(r + x) * np.log(al + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        if modified:
            log_dead = np.log(a) - np.log(b + x) - (r + x) * np.log(al + tx)
        else:
            log_dead = np.where(
                x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(al + tx), -np.inf
            )
    return (
        np.asarray(base, dtype=np.float64),
        np.asarray(log_alive, dtype=np.float64),
        np.asarray(log_dead, dtype=np.float64),
    )


def bg_log_likelihood(
    P: Params, x: FloatArray, tx: FloatArray, T: FloatArray, modified: bool
) -> FloatArray:
    """Per-customer log-likelihood."""
    base, la, ld = bg_terms(P, x, tx, T, modified)
    return np.asarray(base + np.logaddexp(la, ld), dtype=np.float64)


def bg_p_alive(
    P: Params, x: FloatArray, tx: FloatArray, T: FloatArray, modified: bool
) -> FloatArray:
    """P(alive at T | x, t_x, T)."""
    _, la, ld = bg_terms(P, x, tx, T, modified)
    return np.asarray(special.expit(la - ld), dtype=np.float64)


def bg_conditional(
    P: Params, t: ArrayLike, x: FloatArray, tx: FloatArray, T: FloatArray, modified: bool
) -> FloatArray:
    """E[Y(t) | x, t_x, T] per customer."""
    tt = np.asarray(t, dtype=np.float64)
    z = tt / (P["alpha"] + T + tt)
    B = P["b"] + x + (1.0 if modified else 0.0)
    core = bg_core(P["r"] + x, P["a"] + 0 * x, B, z)
    return np.asarray(core * bg_p_alive(P, x, tx, T, modified), dtype=np.float64)


def bg_expected(P: Params, t: FloatArray, modified: bool) -> FloatArray:
    """E[X(t)] for a new customer (t broadcast against the parameters)."""
    z = t / (P["alpha"] + t)
    a, b = P["a"], P["b"]
    if modified:  # survive the drop at the first purchase (prob. b/(a+b)), then BG/NBD(a, b+1)
        return np.asarray(b / (a + b) * bg_core(P["r"], a, b + 1.0, z), dtype=np.float64)
    return bg_core(P["r"], a, b, z)


def bg_pmf(P: Params, k: IntArray, t: float, modified: bool) -> FloatArray:
    """P(X(t) = k); parameters of shape (customers,) give shape (customers, len(k))."""
    r, al, a, b = (np.asarray(P[n], dtype=np.float64) for n in ("r", "alpha", "a", "b"))
    per_customer = any(v.ndim for v in (r, al, a, b))
    if per_customer:
        r, al, a, b = (v.reshape(-1, 1) for v in np.broadcast_arrays(r, al, a, b))
    if modified:
        inner = bg_pmf({"r": r, "alpha": al, "a": a, "b": b + 1.0}, k, t, False)
        return np.asarray(b / (a + b) * inner + a / (a + b) * (k == 0), dtype=np.float64)
    q = al / (al + t)
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


def bg_conditional_pmf(
    P: Params,
    k: IntArray,
    t: float,
    x: FloatArray,
    tx: FloatArray,
    T: FloatArray,
    modified: bool,
) -> FloatArray:
    """P(Y(t) = k | x, t_x, T), shape (customers, len(k)).

    Alive at T, the customer's future is a BG/NBD with the posterior parameters
    (r+x, α+T, a, b+x), or b+x+1 for the MBG/NBD; dead, she buys nothing.
    """
    pa = bg_p_alive(P, x, tx, T, modified)
    post = {
        "r": P["r"] + x,
        "alpha": P["alpha"] + T,
        "a": P["a"] + 0 * x,
        "b": P["b"] + x + (1.0 if modified else 0.0),
    }
    pmf = bg_pmf(post, k, t, False)
    return np.asarray(pa[:, None] * pmf + (1 - pa)[:, None] * (k == 0), dtype=np.float64)


def bg_sample(
    P: Params, T: FloatArray, gen: np.random.Generator, modified: bool, owner: str = "BGNBD.sample"
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Simulate (frequency, recency, T), one customer per entry of ``T``."""
    n = T.size
    lam = gen.gamma(P["r"], 1.0 / np.broadcast_to(P["alpha"], (n,)), size=n)
    p = gen.beta(np.broadcast_to(P["a"], (n,)), np.broadcast_to(P["b"], (n,)), size=n)
    until_drop = gen.geometric(p)  # purchases made before dropping out (>= 1)
    mean = lam * T
    if not (mean < 1e18).all():  # numpy's Poisson sampler stops near 9.2e18
        i = int(np.flatnonzero(~(mean < 1e18))[0])
        raise fail(
            owner,
            "T",
            f"keep a customer's expected purchase count λ·T below 1e18 (index {i}, "
            f"λ·T = {mean[i]:.3g})",
            T[i],
        )
    arrivals = gen.poisson(mean)
    if modified:  # drop right after the first purchase with probability p
        dead0 = gen.random(n) < p
        until_drop = np.where(dead0, 0, until_drop)
    x = np.minimum(until_drop, arrivals).astype(np.int64)
    pos = np.maximum(x, 1)
    frac = gen.beta(pos, np.maximum(arrivals - x, 0) + 1)
    tx = np.where(x > 0, T * frac, 0.0)
    return x, tx, T.copy()


# -- per-row likelihood and gradient for fits ---------------------------------------------------


@attrs.frozen
class RowIndex:
    """Per-block unique values, computed once per fit: x, T and t_x each take few values."""

    vx: FloatArray
    ix: NDArray[np.intp]
    vt: FloatArray
    it: NDArray[np.intp]
    vtx: FloatArray
    itx: NDArray[np.intp]

    @classmethod
    def of(cls, x: FloatArray, tx: FloatArray, T: FloatArray) -> RowIndex:
        """The unique values of one block of rows."""
        vx, ix = np.unique(x, return_inverse=True)
        vt, it = np.unique(T, return_inverse=True)
        vtx, itx = np.unique(tx, return_inverse=True)
        return cls(vx, ix.ravel(), vt, it.ravel(), vtx, itx.ravel())


# -- the model classes ----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _BGBase:
    r: float = attrs.field(validator=positive)
    alpha: float = attrs.field(validator=positive)
    a: float = attrs.field(validator=positive)
    b: float = attrs.field(validator=positive)

    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    _modified: ClassVar[bool] = False

    @property
    def params(self) -> dict[str, float]:
        """Parameters by name."""
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict."""
        return {"type": type(self).__name__, "params": self.params}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Any:
        """Rebuild from :meth:`to_dict` output."""
        return cls(**params_from_dict(d, cls.param_names, owner=f"{cls.__name__}.from_dict"))

    def _rfm(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, method: str) -> Any:
        return check_rfm(frequency, recency, T, owner=f"{type(self).__name__}.{method}")

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """Per-customer log-likelihood of (frequency, recency, T).

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(float(m.log_likelihood([0], [0.0], [38.86])[0]), 4)
        -0.5547
        """
        x, tx, t = self._rfm(frequency, recency, T, "log_likelihood")
        return bg_log_likelihood(self.params, x, tx, t, self._modified)

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """Probability that each customer is still active at ``T``.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> m.p_alive([0, 5, 5], [0.0, 38.0, 10.0], [39.0, 39.0, 39.0]).round(3).tolist()
        [1.0, 0.878, 0.024]
        """
        x, tx, t = self._rfm(frequency, recency, T, "p_alive")
        return bg_p_alive(self.params, x, tx, t, self._modified)

    def expected_transactions(self, t: ArrayLike) -> FloatArray:
        """E[X(t)]: expected repeat purchases of a new customer in ``(0, t]``.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(float(m.expected_transactions(39.0)[0]), 4)
        1.1967
        """
        owner = f"{type(self).__name__}.expected_transactions"
        tt = np.atleast_1d(_times(t, owner))
        _horizon(tt, self.alpha, owner)
        return bg_expected(self.params, tt, self._modified)

    def conditional_expected_transactions(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` for each customer.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> ys = m.conditional_expected_transactions(39, [1, 5, 20], [30.0] * 3, [38.0] * 3)
        >>> bool(ys[0] < ys[1] < ys[2])
        True
        """
        owner = f"{type(self).__name__}.conditional_expected_transactions"
        x, tx, T_ = self._rfm(frequency, recency, T, "conditional_expected_transactions")
        tt = _times(t, owner)
        _horizon(tt, self.alpha + T_, owner)
        return bg_conditional(self.params, tt, x, tx, T_, self._modified)

    def prob_transactions(self, n: ArrayLike, t: float) -> FloatArray:
        """P(X(t) = n): probability a new customer makes ``n`` repeat purchases in ``(0, t]``.

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> p = m.prob_transactions(np.arange(200), 39.0)
        >>> round(float(p.sum()), 6)
        1.0
        """
        owner = f"{type(self).__name__}.prob_transactions"
        k = check_array(n, owner=owner, field="n", dtype=np.int64, nonnegative=True)
        tt = check_nonnegative(t, owner=owner, field="t")
        return bg_pmf(self.params, k, tt, self._modified)

    def conditional_prob_transactions(
        self, n: ArrayLike, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """P(Y(t) = n | x, t_x, T): each customer's probability of ``n`` purchases in the next
        ``t``; shape (customers, len(n)).

        Examples
        --------
        >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> p = m.conditional_prob_transactions(np.arange(100), 39.0, [2, 0], [30.43, 0.0],
        ...                                     [38.86, 38.86])
        >>> np.round(p.sum(axis=1), 9).tolist()
        [1.0, 1.0]
        """
        owner = f"{type(self).__name__}.conditional_prob_transactions"
        x, tx, T_ = self._rfm(frequency, recency, T, "conditional_prob_transactions")
        k = check_array(n, owner=owner, field="n", dtype=np.int64, nonnegative=True, ndim=1)
        tt = check_nonnegative(t, owner=owner, field="t")
        return bg_conditional_pmf(self.params, k, tt, x, tx, T_, self._modified)

    def sample(
        self, n_customers: int, T: ArrayLike, *, rng: RNGLike = None
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Simulate (frequency, recency, T) for ``n_customers`` new customers.

        Uses the model's story exactly: λ and p per customer, a geometric number of purchases
        until drop-out, and the purchase times as order statistics of a Poisson process.

        Examples
        --------
        >>> x, tx, T = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426).sample(5, 39.0, rng=1)
        >>> bool(np.all(tx <= T))
        True
        """
        owner = f"{type(self).__name__}.sample"
        n = check_int(n_customers, owner=owner, field="n_customers", low=1)
        T_ = sample_ages(T, n, owner=owner)
        gen = resolve_rng(rng, owner=owner)
        return bg_sample(self.params, T_, gen, self._modified, owner)


@register_model
@attrs.frozen(kw_only=True)
class BGNBD(_BGBase):
    """BG/NBD parameters and predictions.

    Attributes
    ----------
    r, alpha
        Shape and rate of the gamma distribution of purchase rates λ (``alpha`` is in the time
        unit of the data: mean rate is ``r/alpha`` purchases per unit).
    a, b
        Beta distribution of the drop-out probability after each repeat purchase.
    """

    def with_covariates(
        self,
        *,
        trans: Mapping[str, float] | None = None,
        life: Mapping[str, float] | None = None,
        constrained: Sequence[str] = (),
    ) -> BGNBDCovariates:
        """This model with covariate coefficients (CLVTools' parametrisation).

        ``alpha_i = alpha·exp(−γ_trans·x_i)`` (a positive coefficient raises the purchase rate)
        and ``a_i = a·exp(γ_life·z_i)``, ``b_i = b·exp(γ_life·z_i)``. Names in ``constrained``
        share one coefficient, given in both mappings (or in either).

        Examples
        --------
        >>> m = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5).with_covariates(trans={"member": 0.7})
        >>> m.params["trans.member"]
        0.7
        """
        from shequn.loyalty.customer_base.covariates import BGNBDCovariates, coefficients

        t, lf, c = coefficients(trans, life, constrained, owner="BGNBD.with_covariates")
        return BGNBDCovariates(base=self, trans=t, life=lf, constrained=c)

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
    ) -> CustomerBaseFit[BGNBD]: ...

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
    ) -> CustomerBaseFit[BGNBDCovariates]: ...

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
    ) -> CustomerBaseFit[BGNBDCovariates]: ...

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

        Parameters
        ----------
        frequency, recency, T
            Repeat purchases, time of the last repeat purchase and age of each customer, in one
            time unit (see :func:`shequn.loyalty.rfm.rfm_summary`); arrays, or column names of
            ``data`` (the defaults).
        weights
            Customers per row (whole numbers), so grouped data need no expansion.
        data
            A pandas DataFrame, a mapping of arrays or an :class:`~shequn.loyalty.RFMSummary`
            in which string arguments are looked up.
        trans, life
            Covariates of the purchase and the drop-out process: a mapping ``{name: values}``
            or a list of names (columns of ``covariates``, else of ``data``). See
            :meth:`with_covariates` for the parametrisation.
        covariates
            Where listed covariate names are looked up.
        constrain
            Covariate names in both ``trans`` and ``life`` whose effect is one coefficient.
        regularization
            L2 penalties on the coefficients, ``{"trans": λ, "life": λ}`` (CLVTools'
            ``reg.lambdas``).
        penalizer
            L2 penalty on the log-parameters (see :mod:`shequn.loyalty.customer_base`).
        initial
            Optional starting values by parameter name.
        executor
            Sums the likelihood's row blocks in its threads (numpy releases the GIL); the
            result is the same as serial.

        Returns
        -------
        CustomerBaseFit
            Of a :class:`BGNBD`, or of a :class:`BGNBDCovariates` when covariates are given
            (then ``fit.null`` is the fit without covariates and ``fit.lr_test()`` compares).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import load_cdnow_sample
        >>> s = load_cdnow_sample().rfm()
        >>> fit = BGNBD.fit(s.frequency, s.recency, s.T)
        >>> {k: round(v, 3) for k, v in fit.params.items()}
        {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
        >>> BGNBD.fit(data=s).params == fit.params
        True
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


@register_model
@attrs.frozen(kw_only=True)
class ModifiedBGNBD(_BGBase):
    """MBG/NBD parameters and predictions (Batislam, Denizel & Filiztekin 2007).

    As :class:`BGNBD`, except that a customer may drop out right after her first purchase
    too (with the same probability p), so customers without repeat purchases are not certainly
    alive: lifetimes' ``ModifiedBetaGeoFitter``.

    Examples
    --------
    >>> m = ModifiedBGNBD(r=0.25, alpha=4.4, a=0.8, b=2.4)
    >>> round(float(m.p_alive([0], [0.0], [39.0])[0]), 3)  # 1 / (1 + a/b·((α+T)/α)^r)
    0.629
    """

    _modified: ClassVar[bool] = True

    @classmethod
    def fit(
        cls,
        frequency: ArrayLike | str = "frequency",
        recency: ArrayLike | str = "recency",
        T: ArrayLike | str = "T",
        *,
        weights: ArrayLike | str | None = None,
        data: Any = None,
        penalizer: float = 0.0,
        initial: Mapping[str, float] | None = None,
        executor: Executor | None = None,
    ) -> CustomerBaseFit[ModifiedBGNBD]:
        """Maximum-likelihood fit (analytic gradient, merged rows).

        Parameters are as for :meth:`BGNBD.fit` (without covariates).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import load_cdnow_sample
        >>> fit = ModifiedBGNBD.fit(data=load_cdnow_sample().rfm())
        >>> {k: round(v, 3) for k, v in fit.params.items()}
        {'r': 0.525, 'alpha': 6.183, 'a': 0.891, 'b': 1.614}
        """
        from shequn.loyalty.customer_base.covariates import fit_static

        fit: CustomerBaseFit[ModifiedBGNBD] = fit_static(
            cls,
            frequency,
            recency,
            T,
            weights=weights,
            data=data,
            penalizer=penalizer,
            initial=initial,
            executor=executor,
        )
        return fit
