"""Power-law fitting by the Clauset-Shalizi-Newman (2009) method.

Clauset, A., Shalizi, C. R. & Newman, M. E. J. (2009). Power-law distributions in empirical
data. *SIAM Review* 51(4), 661-703 (arXiv:0706.1062); below "CSN".

* :func:`fit_powerlaw` fits a continuous (Pareto) or discrete (zeta, Hurwitz-normalised)
  power law :math:`p(x) \\propto x^{-\\alpha}` for :math:`x \\ge x_{min}`: the maximum-likelihood
  :math:`\\alpha` (CSN Eqs. 3.1 and 3.5-3.7) for every candidate :math:`x_{min}` and the
  :math:`x_{min}` that minimises the Kolmogorov-Smirnov distance between the tail and its fit
  (CSN Section 3.3). It returns a frozen :class:`PowerLawFit`.
* Data come as raw samples or as a frequency table (``values`` with ``counts=``): the data are
  reduced to distinct sorted values and their counts once, so a web-scale histogram is never
  expanded. With the values sorted, the continuous MLE for *every* candidate comes from
  cumulative sums, and the KS distance is evaluated only at the distinct values (vectorised in
  blocks). The discrete MLE for all candidates is found at once by a vectorised golden-section
  search on the (concave) log-likelihood.
* :func:`bootstrap_pvalue` is the semi-parametric bootstrap goodness-of-fit test (CSN
  Section 4.1): synthetic data sets mix draws from the body below :math:`x_{min}` with draws from
  the fitted tail, each is refitted (xmin scan included) and the p-value is the share of synthetic
  KS distances at least as large as the observed one. The discrete tail sampler
  (:func:`sample_powerlaw`) is exact: inverse CDF through a table of Hurwitz-zeta tail sums near
  :math:`x_{min}` and an integer bisection beyond it, not the rounding approximation.
* :func:`compare` is the likelihood-ratio test against lognormal, exponential, stretched
  exponential (Weibull) and power law with exponential cutoff (CSN Section 5 and Appendix C):
  Vuong's normalised ratio and two-sided p-value for non-nested pairs, the chi-square test with
  one degree of freedom for the nested cutoff model. Discrete alternatives are the continuous
  ones discretised by rounding, :math:`P(x) = [S(x - 1/2) - S(x + 1/2)] / S(x_{min} - 1/2)`,
  and the discrete cutoff model is normalised by direct summation.

Examples
--------
>>> import numpy as np
>>> from shequn.longtail.fit import fit_powerlaw, sample_powerlaw
>>> x = sample_powerlaw(2000, alpha=2.5, xmin=1.0, rng=1)
>>> f = fit_powerlaw(x, xmin=1.0, compare_with=("exponential",))
>>> abs(f.alpha - 2.5) < 3 * f.alpha_se
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from shequn._optional import optional_import
from shequn._results import draw
from shequn._validation import check_array, check_choice, check_int, fail
from shequn.exceptions import InvalidParameterError
from shequn.longtail._special import _Q_TWO_TERMS, hurwitz_zeta, log_upper_gamma, zeta_outer
from shequn.rng import RNGLike, map_runs, resolve_rng

__all__ = [
    "ALTERNATIVES",
    "BootstrapResult",
    "Comparison",
    "PowerLawFit",
    "bootstrap_pvalue",
    "compare",
    "fit_powerlaw",
    "powerlaw_pmf",
    "sample_powerlaw",
]

ALTERNATIVES: tuple[str, ...] = (
    "lognormal",
    "exponential",
    "stretched_exponential",
    "truncated_power_law",
)

FloatArr = NDArray[np.float64]
IntArr = NDArray[np.int64]

_BLOCK_ELEMENTS = 2_000_000
_GRID_PAIRS = 500_000_000
_GRID_POINTS = 400
_MAX_EXACT = 2.0**52
_KS_ROWS = 32
_KS_SEG = 32


def _arr_eq(a: Any, b: Any) -> bool:
    return bool(np.array_equal(a, b))


# --------------------------------------------------------------------------------------------
# data handling
# --------------------------------------------------------------------------------------------


def _as_table(
    data: ArrayLike, counts: ArrayLike | None, *, discrete: bool, owner: str
) -> tuple[FloatArr, IntArr]:
    """Validate data and reduce it to distinct sorted values with their counts."""
    x = check_array(data, owner=owner, field="data", ndim=1, min_size=1)
    bad = np.flatnonzero(x <= 0)
    if bad.size:
        raise fail(owner, "data", f"hold only values > 0 (index {bad[0]})", x[bad[0]])
    if discrete:
        nonint = np.flatnonzero(x != np.round(x))
        if nonint.size:
            raise fail(
                owner,
                "data",
                f"hold integers for a discrete fit (index {nonint[0]})",
                x[nonint[0]],
            )
    if counts is None:
        u, c = np.unique(x, return_counts=True)
        return u.astype(np.float64), c.astype(np.int64)
    cnt = check_array(counts, owner=owner, field="counts", ndim=1, dtype=np.int64, nonnegative=True)
    if cnt.shape != x.shape:
        raise fail(owner, "counts", f"have the same length as data ({x.size})", cnt.size)
    order = np.argsort(x, kind="stable")
    xs, cs = x[order], cnt[order]
    keep = cs > 0
    xs, cs = xs[keep], cs[keep]
    if xs.size == 0:
        raise fail(owner, "counts", "hold at least one positive count", cnt)
    u, start = np.unique(xs, return_index=True)
    c = np.add.reduceat(cs, start)
    return u.astype(np.float64), c.astype(np.int64)


# --------------------------------------------------------------------------------------------
# per-candidate estimation
# --------------------------------------------------------------------------------------------


def _tail_sums(u: FloatArr, c: IntArr) -> tuple[FloatArr, FloatArr, FloatArr]:
    """For every index j: tail count n_j, sum of counts*log(u) and R_k (count >= u_k)."""
    logu = np.log(u)
    n_tail = np.cumsum(c[::-1])[::-1].astype(np.float64)
    s_tail: FloatArr = np.cumsum((c * logu)[::-1])[::-1].astype(np.float64)
    return n_tail, s_tail, logu


def _continuous_alpha(n: FloatArr, s: FloatArr, logx: FloatArr) -> FloatArr:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArr = 1.0 + n / (s - n * logx)
    return out


def _discrete_alpha(n: FloatArr, s: FloatArr, xmin: FloatArr) -> FloatArr:
    """Vectorised MLE of the discrete power-law exponent for many candidate xmin at once.

    Maximises l(a) = -a * s - n * log(zeta(a, xmin)), which is concave in a (log zeta is a
    log-sum-exp of linear functions of a), by golden-section search on a bracket built from the
    CSN approximation (Eq. 3.7).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        approx = 1.0 + n / (s - n * np.log(xmin - 0.5))
    approx = np.where(np.isfinite(approx) & (approx > 1.0), approx, 3.0)
    lo = np.full_like(approx, 1.0 + 1e-9)
    hi = 1.0 + 4.0 * (approx - 1.0) + 1.0

    def nll(a: FloatArr, sel: NDArray[np.bool_] | slice = slice(None)) -> FloatArr:
        out: FloatArr = a * s[sel] + n[sel] * np.log(hurwitz_zeta(a, xmin[sel]))
        return out

    g = (math.sqrt(5.0) - 1.0) / 2.0
    c1 = hi - g * (hi - lo)
    c2 = lo + g * (hi - lo)
    f1, f2 = nll(c1), nll(c2)
    for _ in range(34):  # bracket width shrinks by 0.618 per step: about 1e-7 of it remains
        left = f1 < f2  # the minimum lies in [lo, c2]
        hi = np.where(left, c2, hi)
        lo = np.where(left, lo, c1)
        # golden-section reuse: keep one interior point and its value, evaluate the other
        c1n = np.where(left, hi - g * (hi - lo), c2)
        c2n = np.where(left, c1, lo + g * (hi - lo))
        f1n = np.where(left, 0.0, f2)
        f2n = np.where(left, f1, 0.0)
        if left.any():
            f1n[left] = nll(c1n[left], left)
        if (~left).any():
            f2n[~left] = nll(c2n[~left], ~left)
        c1, c2, f1, f2 = c1n, c2n, f1n, f2n
    a = 0.5 * (lo + hi)
    # Newton polish with central differences (the log-likelihood is smooth and concave)
    h = 1e-5
    for _ in range(2):
        fm, f0, fp = nll(a - h), nll(a), nll(a + h)
        curv = (fp - 2.0 * f0 + fm) / (h * h)
        step = np.where(curv > 0, (fp - fm) / (2.0 * h) / np.where(curv > 0, curv, 1.0), 0.0)
        a_new = np.clip(a - step, lo - 1e-6, hi + 1e-6)
        better = nll(a_new) <= f0
        a = np.where(better, a_new, a)
    out: FloatArr = a
    return out


def _dist_cols(
    u: FloatArr,
    logu: FloatArr,
    r_ge: FloatArr,
    js: IntArr,
    a: FloatArr,
    zj: FloatArr,
    k0: int,
    k1: int,
    *,
    discrete: bool,
    convention: str,
) -> FloatArr:
    """|empirical - fitted| over columns k0..k1-1 for candidate rows ``js`` (masked k < j)."""
    ac = a[:, None]
    inv = 1.0 / r_ge[js][:, None]
    e_ge = r_ge[None, k0:k1] * inv  # empirical P(X >= u_k)
    if discrete:
        g_ge, g_gt = zeta_outer(a, u[k0:k1], logu[k0:k1])
        izj = (1.0 / zj)[:, None]
        g_ge *= izj  # fitted P(X >= u_k)
        g_gt *= izj
        np.subtract(g_ge, g_gt, out=g_gt)  # fitted P(X > u_k)
        d = np.subtract(g_ge, e_ge, out=e_ge)
        np.abs(d, out=d)
        if convention == "exact":
            g_gt -= r_ge[None, k0 + 1 : k1 + 1] * inv
            np.abs(g_gt, out=g_gt)
            np.maximum(d, g_gt, out=d)
    else:
        g = np.exp(-(ac - 1.0) * (logu[None, k0:k1] - logu[js][:, None]))
        if convention == "exact":
            # e_gt <= e_ge, so max(|g - e_ge|, |g - e_gt|) = max(g - e_gt, e_ge - g)
            d = np.maximum(g - r_ge[None, k0 + 1 : k1 + 1] * inv, e_ge - g)
        else:
            d = np.abs(g - e_ge)
    if int(js[-1]) > k0:
        np.putmask(d, np.arange(k0, k1)[None, :] < js[:, None], -np.inf)
    return d


def _fitted_pairs(
    u: FloatArr,
    logu: FloatArr,
    js: IntArr,
    a: FloatArr,
    zj: FloatArr,
    cols: IntArr,
    *,
    discrete: bool,
) -> tuple[FloatArr, FloatArr]:
    """Fitted P(X >= u_col) and P(X > u_col) for rows (shape (P, 1)) and columns (P, W)."""
    if discrete:
        lq = logu[cols]
        pw = np.exp(-a * lq)
        q = u[cols]
        if q.size and float(q.min()) >= _Q_TWO_TERMS:
            # Euler-Maclaurin with two terms; remainder below 1e-12 relative for q >= 2000
            z = pw * (q / (a - 1.0) + 0.5 + a / (12.0 * q))
        else:
            z = hurwitz_zeta(a, q)
        g_ge = z / zj
        g_gt: FloatArr = (z - pw) / zj
        return g_ge, g_gt
    g = np.exp(-(a - 1.0) * (logu[cols] - logu[js]))
    return g, g


def _ks_block(
    u: FloatArr,
    logu: FloatArr,
    r_ge: FloatArr,
    cand: IntArr,
    alpha: FloatArr,
    *,
    discrete: bool,
    convention: str,
) -> FloatArr:
    """KS distance between each candidate's tail and its fitted power law.

    ``r_ge[k]`` is the number of observations >= u[k] (with r_ge[m] = 0). The empirical CDF
    jumps at each distinct value; the supremum of |empirical CDF - fitted CDF| is attained
    just before or at a distinct value, so only distinct values are visited.

    Branch and bound: the first values of each tail are visited densely, the rest on a coarse
    grid of every ``seg``-th value. Between two grid values both the fitted and the empirical
    CCDF are monotone, so every distance inside the segment is at most
    max(G(lo) - E(hi), E(lo) - G(hi)); only segments whose bound beats the distance already
    found are visited value by value. The result is exact.
    """
    m = u.size
    out = np.empty(cand.size, dtype=np.float64)
    if cand.size == 0:
        return out
    order = np.argsort(cand, kind="stable")
    cs, als = cand[order], alpha[order]
    res = np.empty(cand.size, dtype=np.float64)
    step, seg = _KS_ROWS, _KS_SEG
    for b0 in range(0, cs.size, step):
        js = cs[b0 : b0 + step]
        a = als[b0 : b0 + step]
        j0 = int(js[0])
        zj = hurwitz_zeta(a, u[js]) if discrete else np.ones_like(a)
        kd = min(m, int(js[-1]) + 1 + seg)
        dmax = _dist_cols(
            u, logu, r_ge, js, a, zj, j0, kd, discrete=discrete, convention=convention
        ).max(axis=1)
        if kd >= m:
            res[b0 : b0 + step] = dmax
            continue
        # coarse grid p_0 = kd - 1 < p_1 < ... < p_last = m - 1
        grid = np.unique(np.append(np.arange(kd - 1, m, seg), m - 1))
        inv = 1.0 / r_ge[js][:, None]
        if discrete:
            zg, pg = zeta_outer(a, u[grid], logu[grid])
            g_ge = zg / zj[:, None]
            g_gt = (zg - pg) / zj[:, None]
        else:
            g_ge, g_gt = _fitted_pairs(
                u, logu, js[:, None], a[:, None], zj[:, None], grid[None, :], discrete=False
            )
        e_ge = r_ge[grid][None, :] * inv
        d = np.abs(g_ge - e_ge)
        if convention == "exact":
            np.maximum(d, np.abs(g_gt - r_ge[grid + 1][None, :] * inv), out=d)
        dmax = np.maximum(dmax, d.max(axis=1))
        ub = np.maximum(g_ge[:, :-1] - e_ge[:, 1:], e_ge[:, :-1] - g_ge[:, 1:])
        rr, ss = np.nonzero(ub > dmax[:, None])
        inner = (grid[1:] - grid[:-1] > 1)[ss]
        rr, ss = rr[inner], ss[inner]
        if rr.size:
            cols = grid[ss][:, None] + np.arange(1, seg)[None, :]
            cols = np.minimum(cols, grid[ss + 1][:, None] - 1)
            gg, gt = _fitted_pairs(
                u,
                logu,
                js[rr][:, None],
                a[rr][:, None],
                zj[rr][:, None],
                cols,
                discrete=discrete,
            )
            inv_r = inv[rr]
            dd = np.abs(gg - r_ge[cols] * inv_r)
            if convention == "exact":
                np.maximum(dd, np.abs(gt - r_ge[cols + 1] * inv_r), out=dd)
            np.maximum.at(dmax, rr, dd.max(axis=1))
        res[b0 : b0 + step] = dmax
    out[order] = res
    return out


def _scan(
    u: FloatArr,
    c: IntArr,
    *,
    discrete: bool,
    cand: IntArr,
    convention: str,
    search: str,
) -> tuple[IntArr, FloatArr, FloatArr]:
    """Alpha and KS distance for the candidate indices ``cand`` (all or grid-refined)."""
    n_tail, s_tail, logu = _tail_sums(u, c)
    r_ge = np.append(n_tail, 0.0)

    def alphas_for(idx: IntArr) -> FloatArr:
        if discrete:
            return _discrete_alpha(n_tail[idx], s_tail[idx], u[idx])
        return _continuous_alpha(n_tail[idx], s_tail[idx], logu[idx])

    def ks_for(idx: IntArr, a: FloatArr) -> FloatArr:
        return _ks_block(u, logu, r_ge, idx, a, discrete=discrete, convention=convention)

    m = u.size
    pairs = float(np.sum(m - cand))
    if search == "full" or (search == "auto" and pairs <= _GRID_PAIRS) or cand.size <= _GRID_POINTS:
        a = alphas_for(cand)
        return cand, a, ks_for(cand, a)
    # grid-refined search: a coarse grid of candidates, then every candidate around the best
    # few grid points (the KS curve is rough, so several local minima are refined).
    pos = np.unique(np.linspace(0, cand.size - 1, _GRID_POINTS).round().astype(np.int64))
    a_g = alphas_for(cand[pos])
    d_g = ks_for(cand[pos], a_g)
    best = np.argsort(d_g)[:8]
    extra = [
        np.arange(pos[max(0, int(b) - 1)], pos[min(pos.size - 1, int(b) + 1)] + 1) for b in best
    ]
    sel = np.unique(np.concatenate([pos, *extra]))
    idx = cand[sel]
    a = alphas_for(idx)
    return idx, a, ks_for(idx, a)


def _candidates(
    u: FloatArr, c: IntArr, *, min_tail: int, xmin_range: tuple[float, float] | None
) -> IntArr:
    n_tail = np.cumsum(c[::-1])[::-1]
    ok = n_tail >= min_tail
    ok[-1] = False  # at least two distinct values in the tail
    if xmin_range is not None:
        ok &= (u >= xmin_range[0]) & (u <= xmin_range[1])
    return np.flatnonzero(ok).astype(np.int64)


def _discrete_se(alpha: float, xmin: float, n: float) -> float:
    h = 1e-3
    lz = [math.log(float(special.zeta(alpha + d, xmin))) for d in (-h, 0.0, h)]
    second = (lz[0] - 2.0 * lz[1] + lz[2]) / (h * h)
    return 1.0 / math.sqrt(n * second) if second > 0 else math.nan


def _pl_logpdf(x: FloatArr, alpha: float, xmin: float, discrete: bool) -> FloatArr:
    if discrete:
        out: FloatArr = -alpha * np.log(x) - math.log(float(special.zeta(alpha, xmin)))
        return out
    out = math.log(alpha - 1.0) - math.log(xmin) - alpha * np.log(x / xmin)
    return out


# --------------------------------------------------------------------------------------------
# result types
# --------------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Comparison:
    """Likelihood-ratio test of the power law against one alternative (CSN Section 5).

    Attributes
    ----------
    alternative
        Name of the alternative distribution.
    loglik_ratio
        :math:`\\mathcal{R} = \\ell_{PL} - \\ell_{alt}` summed over the tail (positive favours the
        power law).
    statistic
        Vuong's normalised ratio :math:`\\mathcal{R} / (\\sigma \\sqrt{n})` (non-nested), or
        :math:`2|\\mathcal{R}|` compared with chi-square(1) (nested).
    p_value
        Two-sided Vuong p-value (non-nested) or chi-square(1) p-value (nested): small means the
        sign of ``loglik_ratio`` is trustworthy.
    nested
        Whether the power law is a special case of the alternative (the cutoff model).
    params
        Fitted parameters of the alternative.
    converged
        False when the optimiser stopped at its iteration limit, typically because the
        likelihood of the alternative keeps rising towards a limit where it becomes the power
        law itself (e.g. a lognormal with mu -> -inf and sigma -> inf); the ratio then tends to
        0 and the comparison is inconclusive.
    """

    alternative: str
    loglik_ratio: float
    statistic: float
    p_value: float
    nested: bool
    params: dict[str, float] = attrs.field(factory=dict)
    converged: bool = True

    def favours(self, level: float = 0.1) -> str:
        """Which model the test supports at significance ``level``, or ``"inconclusive"``.

        Examples
        --------
        >>> Comparison(alternative="exponential", loglik_ratio=12.0, statistic=3.1,
        ...            p_value=0.002, nested=False).favours()
        'power_law'
        """
        if not self.p_value < level:
            return "inconclusive"
        if self.nested:
            return self.alternative if self.loglik_ratio < 0 else "power_law"
        return "power_law" if self.loglik_ratio > 0 else self.alternative


@attrs.frozen(kw_only=True)
class BootstrapResult:
    """Semi-parametric bootstrap goodness-of-fit test (CSN Section 4.1).

    Attributes
    ----------
    p_value
        Share of synthetic KS distances at least as large as the observed one.
    p_value_se
        Monte Carlo standard error of ``p_value``.
    observed
        The observed KS distance.
    distances
        The synthetic KS distances, one per replicate.
    """

    p_value: float
    p_value_se: float
    observed: float
    distances: FloatArr = attrs.field(eq=attrs.cmp_using(eq=_arr_eq))

    @property
    def runs(self) -> int:
        """Number of bootstrap replicates."""
        return int(self.distances.size)


@attrs.frozen(kw_only=True)
class PowerLawFit:
    """A fitted power-law tail (frozen; see :func:`fit_powerlaw`).

    Attributes
    ----------
    alpha, alpha_se
        Exponent and its standard error (CSN Eq. 3.2; discrete: Eq. 3.6, observed information).
    xmin
        Lower bound of the power-law behaviour.
    n, n_tail
        Number of observations, and of observations >= ``xmin``.
    ks_distance
        Kolmogorov-Smirnov distance between the tail and the fit.
    loglik
        Log-likelihood of the tail under the fit.
    discrete
        Whether the discrete (zeta) power law was fitted.
    p_value
        Bootstrap goodness-of-fit p-value (NaN unless computed).
    bootstrap
        The full :class:`BootstrapResult`, or None.
    comparisons
        Likelihood-ratio tests against the alternatives.
    values, counts
        The data as distinct sorted values and their counts.
    scan_xmin, scan_alpha, scan_ks
        The xmin scan: candidates visited, their alpha and KS distance.
    ks_convention
        ``"exact"`` (supremum over the whole tail) or ``"csn"`` (distance just below each value,
        as in the CSN reference code and the ``powerlaw`` package).
    min_tail, xmin_fixed, xmin_range, search
        The fitting options, reused by the bootstrap so that each replicate is fitted the same
        way (a fixed xmin stays fixed, a restricted scan stays restricted).
    """

    alpha: float
    alpha_se: float
    xmin: float
    n: int
    n_tail: int
    ks_distance: float
    loglik: float
    discrete: bool
    p_value: float = math.nan
    bootstrap: BootstrapResult | None = None
    comparisons: tuple[Comparison, ...] = ()
    values: FloatArr = attrs.field(eq=attrs.cmp_using(eq=_arr_eq), repr=False)
    counts: IntArr = attrs.field(eq=attrs.cmp_using(eq=_arr_eq), repr=False)
    scan_xmin: FloatArr = attrs.field(eq=attrs.cmp_using(eq=_arr_eq), repr=False)
    scan_alpha: FloatArr = attrs.field(eq=attrs.cmp_using(eq=_arr_eq), repr=False)
    scan_ks: FloatArr = attrs.field(eq=attrs.cmp_using(eq=_arr_eq), repr=False)
    ks_convention: str = "exact"
    min_tail: int = 10
    xmin_fixed: bool = False
    xmin_range: tuple[float, float] | None = None
    search: str = "auto"

    # -- distribution functions ---------------------------------------------------------------
    def ccdf(self, x: ArrayLike) -> FloatArr:
        """Fitted :math:`P(X \\ge x)` for ``x >= xmin`` (1 below ``xmin``).

        Examples
        --------
        >>> f = fit_powerlaw(sample_powerlaw(500, alpha=2.0, xmin=1.0, rng=2), xmin=1.0,
        ...                  compare_with=())
        >>> float(f.ccdf(1.0))
        1.0
        """
        xa = np.maximum(np.asarray(x, dtype=float), self.xmin)
        if self.discrete:
            xa = np.ceil(xa)
            z0 = float(special.zeta(self.alpha, self.xmin))
            out: FloatArr = hurwitz_zeta(self.alpha, xa) / z0
            return out
        out = (xa / self.xmin) ** (1.0 - self.alpha)
        return out

    def tail_values(self) -> tuple[FloatArr, IntArr]:
        """Distinct values >= ``xmin`` and their counts."""
        keep = self.values >= self.xmin
        return self.values[keep], self.counts[keep]

    # -- reporting -----------------------------------------------------------------------------
    def summary(self) -> str:
        """A plain-text report of the fit, the goodness of fit and the comparisons.

        Examples
        --------
        >>> f = fit_powerlaw(sample_powerlaw(300, alpha=2.2, xmin=1.0, rng=3), xmin=1.0,
        ...                  compare_with=())
        >>> print(f.summary().splitlines()[0])
        Power-law fit (continuous)
        """
        lines = [
            f"Power-law fit ({'discrete' if self.discrete else 'continuous'})",
            f"  alpha    = {self.alpha:.4f} +/- {self.alpha_se:.4f}",
            f"  xmin     = {self.xmin:g}",
            f"  n_tail   = {self.n_tail} of n = {self.n}",
            f"  KS D     = {self.ks_distance:.5f}",
            f"  p-value  = {self.p_value:.3f}"
            + (f" ({self.bootstrap.runs} bootstrap runs)" if self.bootstrap else " (not computed)"),
        ]
        for cmp_ in self.comparisons:
            lines.append(
                f"  vs {cmp_.alternative:<22} R = {cmp_.loglik_ratio:9.3f}  "
                f"stat = {cmp_.statistic:7.3f}  p = {cmp_.p_value:.3f}  "
                f"-> {cmp_.favours()}" + ("" if cmp_.converged else " (not converged)")
            )
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """The comparisons as a pandas DataFrame, one row per alternative (needs pandas).

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> f = fit_powerlaw(sample_powerlaw(300, alpha=2.2, xmin=1.0, rng=3), xmin=1.0,
        ...                  compare_with=("exponential",))
        >>> frame = f.to_frame()
        >>> frame.shape[0], list(frame.columns)[:3], frame.loc[0, "alternative"]
        (1, ['alpha', 'alpha_se', 'xmin'], 'exponential')
        """
        pd = optional_import("pandas", extra="pandas")
        base: dict[str, object] = {
            "alpha": self.alpha,
            "alpha_se": self.alpha_se,
            "xmin": self.xmin,
            "n_tail": self.n_tail,
            "n": self.n,
            "ks_distance": self.ks_distance,
            "p_value": self.p_value,
            "discrete": self.discrete,
        }
        rows = [
            {
                **base,
                "alternative": c.alternative,
                "loglik_ratio": c.loglik_ratio,
                "statistic": c.statistic,
                "cmp_p_value": c.p_value,
                "nested": c.nested,
                "favours": c.favours(),
            }
            for c in self.comparisons
        ] or [base]
        return pd.DataFrame(rows)

    def plot(self, *, ax: Any = None, show_fit: bool = True, **kwargs: Any) -> Any:
        """The CCDF plot (needs the ``plot`` extra): data on log-log axes, fitted tail dashed.

        A shortcut for :func:`shequn.plotting.longtail.plot_ccdf`; draws on ``ax`` (a new figure
        when ``None``) and returns the Axes.

        Examples
        --------
        >>> matplotlib = __import__("pytest").importorskip("matplotlib")
        >>> matplotlib.use("Agg")
        >>> f = fit_powerlaw(sample_powerlaw(300, alpha=2.2, xmin=1.0, rng=3), compare_with=())
        >>> ax = f.plot()
        >>> ax.get_xscale(), ax.get_yscale()
        ('log', 'log')
        """
        return draw(self, ax=ax, show_fit=show_fit, **kwargs)

    def _repr_html_(self) -> str:
        body = self.summary().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<pre>{body}</pre>"


# --------------------------------------------------------------------------------------------
# fitting
# --------------------------------------------------------------------------------------------


def fit_powerlaw(
    data: ArrayLike,
    *,
    counts: ArrayLike | None = None,
    discrete: bool = False,
    xmin: float | None = None,
    xmin_range: tuple[float, float] | None = None,
    min_tail: int = 10,
    ks: Literal["exact", "csn"] = "exact",
    search: Literal["auto", "full", "grid"] = "auto",
    compare_with: Sequence[str] = ALTERNATIVES,
    bootstrap: int = 0,
    rng: RNGLike = None,
    executor: Executor | None = None,
) -> PowerLawFit:
    """Fit a power-law tail by maximum likelihood with xmin chosen by minimum KS distance.

    Parameters
    ----------
    data
        Positive observations, or the distinct values of a frequency table (with ``counts``).
    counts
        Frequencies of ``data`` (a histogram); the table is never expanded.
    discrete
        Fit the discrete power law (integers; Hurwitz-zeta normalisation).
    xmin
        Fix xmin instead of scanning: a known lower bound, > 0 and at most the largest value
        (it need not be a data value; a discrete xmin must be an integer).
    xmin_range
        Only scan candidates in this closed interval.
    min_tail
        Minimum number of observations in the tail (at least 10).
    ks
        ``"exact"`` KS supremum, or ``"csn"``: the distance just below each distinct value, as
        in the CSN reference implementation and the ``powerlaw`` package (gives their xmin).
    search
        ``"full"`` scans every distinct value; ``"grid"`` a grid refined around its best points;
        ``"auto"`` uses the full scan unless it exceeds about 5e8 (candidate, value) pairs.
    compare_with
        Alternatives for likelihood-ratio tests (a subset of :data:`ALTERNATIVES`).
    bootstrap
        Number of bootstrap replicates for the goodness-of-fit p-value (0 skips it).
    rng, executor
        Seed material and an optional :class:`concurrent.futures.Executor` for the bootstrap.

    Returns
    -------
    PowerLawFit

    Raises
    ------
    InvalidParameterError
        Non-positive or non-finite data, non-integers in a discrete fit, xmin outside the data,
        or fewer than ``min_tail`` observations in the tail.

    Examples
    --------
    >>> import numpy as np
    >>> x = sample_powerlaw(3000, alpha=2.0, xmin=5, discrete=True, rng=4)
    >>> f = fit_powerlaw(x, discrete=True, compare_with=())
    >>> bool(abs(f.alpha - 2.0) < 3 * f.alpha_se)
    True
    >>> fit_powerlaw([1.0, -2.0, 3.0])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `fit_powerlaw.data` must hold only values > 0 ...
    """
    owner = "fit_powerlaw"
    if not isinstance(discrete, bool | np.bool_):
        raise fail(owner, "discrete", "be True or False", discrete)
    discrete = bool(discrete)
    min_tail = check_int(min_tail, owner=owner, field="min_tail", low=10)
    ks = check_choice(ks, ["exact", "csn"], owner=owner, field="ks")
    search = check_choice(search, ["auto", "full", "grid"], owner=owner, field="search")
    for name in compare_with:
        check_choice(name, ALTERNATIVES, owner=owner, field="compare_with")
    bootstrap = check_int(bootstrap, owner=owner, field="bootstrap", low=0)
    u, c = _as_table(data, counts, discrete=discrete, owner=owner)
    if xmin_range is not None:
        lo_r, hi_r = (float(v) for v in xmin_range)
        if not (math.isfinite(lo_r) and math.isfinite(hi_r) and lo_r <= hi_r):
            raise fail(
                owner, "xmin_range", "be a finite (low, high) pair with low <= high", xmin_range
            )
        xmin_range = (lo_r, hi_r)
    fit = _fit_table(
        u,
        c,
        discrete=discrete,
        xmin=xmin,
        xmin_range=xmin_range,
        min_tail=min_tail,
        convention=ks,
        search=search,
        owner=owner,
    )
    if compare_with:
        fit = attrs.evolve(fit, comparisons=tuple(compare(fit, a) for a in compare_with))
    if bootstrap:
        res = bootstrap_pvalue(fit, runs=bootstrap, rng=rng, executor=executor)
        fit = attrs.evolve(fit, p_value=res.p_value, bootstrap=res)
    return fit


def _fit_table(
    u: FloatArr,
    c: IntArr,
    *,
    discrete: bool,
    xmin: float | None,
    xmin_range: tuple[float, float] | None,
    min_tail: int,
    convention: str,
    search: str,
    owner: str,
) -> PowerLawFit:
    n_total = int(c.sum())
    if xmin is not None:
        if isinstance(xmin, bool) or not isinstance(xmin, int | float | np.integer | np.floating):
            raise fail(owner, "xmin", "be a real number", xmin)
        xv = float(xmin)
        if not (math.isfinite(xv) and 0.0 < xv <= u[-1]):
            raise fail(owner, "xmin", f"lie within the data (0, {u[-1]:g}]", xmin)
        if discrete and xv != round(xv):
            raise fail(owner, "xmin", "be an integer for a discrete fit", xmin)
        keep = u >= xv
        nt = int(c[keep].sum())
        if nt < min_tail:
            raise fail(
                owner,
                "xmin",
                f"leave at least min_tail={min_tail} observations in the tail (leaves {nt})",
                xmin,
            )
        ut, ct = u[keep], c[keep]
        if ut.size < 2:
            raise fail(owner, "xmin", "leave at least two distinct values in the tail", xmin)
        # treat xmin as a pseudo-value with zero count so the scan machinery applies
        if ut[0] != xv:
            ut = np.concatenate([[xv], ut])
            ct = np.concatenate([[0], ct]).astype(np.int64)
        idx, alphas, dists = _scan(
            ut,
            ct,
            discrete=discrete,
            cand=np.array([0], dtype=np.int64),
            convention=convention,
            search="full",
        )
        uu, cc = ut, ct
    else:
        cand = _candidates(u, c, min_tail=min_tail, xmin_range=xmin_range)
        if cand.size == 0:
            raise fail(
                owner,
                "data",
                f"leave at least min_tail={min_tail} observations above some candidate xmin"
                + (f" within xmin_range={xmin_range}" if xmin_range else ""),
                f"{n_total} observations, {u.size} distinct values",
            )
        idx, alphas, dists = _scan(
            u, c, discrete=discrete, cand=cand, convention=convention, search=search
        )
        uu, cc = u, c
    ok = np.isfinite(dists) & np.isfinite(alphas) & (alphas > 1.0)
    if not ok.any():
        raise fail(owner, "data", "admit a power-law fit with alpha > 1 for some xmin", "none")
    best = int(np.flatnonzero(ok)[np.argmin(dists[ok])])
    j = int(idx[best])
    xm = float(uu[j])
    a = float(alphas[best])
    tail_c = cc[j:]
    nt = int(tail_c.sum())
    se = _discrete_se(a, xm, nt) if discrete else (a - 1.0) / math.sqrt(nt)
    ll = float(np.sum(tail_c * _pl_logpdf(uu[j:], a, xm, discrete)))
    return PowerLawFit(
        alpha=a,
        alpha_se=se,
        xmin=xm,
        n=n_total,
        n_tail=nt,
        ks_distance=float(dists[best]),
        loglik=ll,
        discrete=discrete,
        values=u,
        counts=c,
        scan_xmin=uu[idx],
        scan_alpha=alphas,
        scan_ks=dists,
        ks_convention=convention,
        min_tail=min_tail,
        xmin_fixed=xmin is not None,
        xmin_range=xmin_range,
        search=search,
    )


# --------------------------------------------------------------------------------------------
# sampling
# --------------------------------------------------------------------------------------------


def powerlaw_pmf(x: ArrayLike, *, alpha: float, xmin: int) -> FloatArr:
    """Exact pmf of the discrete power law, :math:`x^{-\\alpha} / \\zeta(\\alpha, x_{min})`.

    Examples
    --------
    >>> round(float(powerlaw_pmf(1, alpha=2.0, xmin=1)), 12)  # 6 / pi^2
    0.607927101854
    """
    xa = np.asarray(x, dtype=float)
    out: FloatArr = np.where(xa >= xmin, xa ** (-alpha) / float(special.zeta(alpha, xmin)), 0.0)
    return out


def _sample_discrete(
    n: int, alpha: float, xmin: float, gen: np.random.Generator, table: int = 4096
) -> FloatArr:
    """Exact inverse-CDF sampling of the discrete power law.

    X = max{x >= xmin : S(x) >= U} with S(x) = P(X >= x) = zeta(alpha, x) / zeta(alpha, xmin)
    and U uniform on (0, 1]. A table of S over [xmin, xmin + table) serves most draws; the rest
    are found by integer bisection with the exact S. Values are capped at 2**52 (float64 holds
    every integer below 2**53); only exponents very close to 1 ever reach it.
    """
    u = 1.0 - gen.random(n)  # (0, 1]
    z0 = float(special.zeta(alpha, xmin))
    grid = xmin + np.arange(table + 1, dtype=float)
    s_tab = hurwitz_zeta(alpha, grid) / z0  # decreasing, s_tab[0] = 1
    out = np.empty(n, dtype=float)
    in_tab = u > s_tab[-1]
    # number of table entries with S >= u, minus one, is the offset from xmin
    cnt = np.searchsorted(-s_tab, -u[in_tab], side="right")
    out[in_tab] = xmin + cnt - 1
    far = np.flatnonzero(~in_tab)
    if far.size:
        uf = u[far]
        # bracket from the continuous approximation, then enlarge until valid
        with np.errstate(over="ignore"):
            approx = (xmin - 0.5) * uf ** (-1.0 / (alpha - 1.0)) + 0.5
        approx = np.minimum(approx, _MAX_EXACT)  # float64 holds every integer up to 2**53
        lo = np.maximum(grid[-1], np.floor(approx / 2.0))
        hi = np.minimum(np.maximum(lo + 1.0, np.ceil(approx * 2.0) + 1.0), _MAX_EXACT)
        for _ in range(200):
            bad_lo = hurwitz_zeta(alpha, lo) / z0 < uf
            if not bad_lo.any():
                break
            lo = np.where(bad_lo, np.maximum(grid[-1], np.floor(lo / 2.0)), lo)
        for _ in range(200):
            bad_hi = (hurwitz_zeta(alpha, hi) / z0 >= uf) & (hi < _MAX_EXACT)
            if not bad_hi.any():
                break
            hi = np.where(bad_hi, np.minimum(hi * 2.0, _MAX_EXACT), hi)
        # invariant: S(lo) >= u > S(hi)
        for _ in range(128):  # bisection over at most 2**52 integers
            gap = hi - lo > 1.0
            if not gap.any():
                break
            mid = np.floor((lo + hi) / 2.0)
            ge = hurwitz_zeta(alpha, mid) / z0 >= uf
            lo = np.where(gap & ge, mid, lo)
            hi = np.where(gap & ~ge, mid, hi)
        out[far] = lo
    return out


def sample_powerlaw(
    n: int,
    *,
    alpha: float,
    xmin: float,
    discrete: bool = False,
    rng: RNGLike = None,
) -> FloatArr:
    """Draw ``n`` values from a continuous or (exactly) discrete power law.

    Continuous: :math:`x = x_{min} (1 - U)^{-1/(\\alpha - 1)}` (CSN Eq. D.4). Discrete: exact
    inverse CDF with Hurwitz-zeta tail sums (no rounding approximation).

    Examples
    --------
    >>> x = sample_powerlaw(5, alpha=2.5, xmin=3, discrete=True, rng=0)
    >>> bool((x >= 3).all() and (x == x.round()).all())
    True
    """
    owner = "sample_powerlaw"
    n = check_int(n, owner=owner, field="n", low=0)
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, int | float | np.number)
        or not (math.isfinite(float(alpha)) and float(alpha) > 1.0)
    ):
        raise fail(owner, "alpha", "be a finite number > 1", alpha)
    if (
        isinstance(xmin, bool)
        or not isinstance(xmin, int | float | np.number)
        or not (math.isfinite(float(xmin)) and float(xmin) > 0)
    ):
        raise fail(owner, "xmin", "be a finite number > 0", xmin)
    if discrete and float(xmin) != round(float(xmin)):
        raise fail(owner, "xmin", "be an integer for a discrete power law", xmin)
    gen = resolve_rng(rng, owner=owner)
    a, xm = float(alpha), float(xmin)
    if discrete:
        return _sample_discrete(n, a, xm, gen)
    out: FloatArr = xm * (1.0 - gen.random(n)) ** (-1.0 / (a - 1.0))
    return out


# --------------------------------------------------------------------------------------------
# bootstrap goodness of fit
# --------------------------------------------------------------------------------------------


def _bootstrap_once(
    *,
    rng: np.random.Generator,
    below_u: FloatArr,
    below_c: IntArr,
    n: int,
    n_tail: int,
    alpha: float,
    xmin: float,
    discrete: bool,
    min_tail: int,
    convention: str,
    xmin_fixed: bool = False,
    xmin_range: tuple[float, float] | None = None,
    search: str = "auto",
) -> float:
    nt = int(rng.binomial(n, n_tail / n))
    nb = n - nt
    if below_u.size and nb > 0:
        cb = rng.multinomial(nb, below_c / below_c.sum()).astype(np.int64)
        keep = cb > 0
        bu, bc = below_u[keep], cb[keep]
    else:
        nt = n
        bu, bc = np.empty(0), np.empty(0, dtype=np.int64)
    if discrete:
        tail = _sample_discrete(nt, alpha, xmin, rng)
    else:
        tail = xmin * (1.0 - rng.random(nt)) ** (-1.0 / (alpha - 1.0))
    tu, tc = np.unique(tail, return_counts=True)
    u = np.concatenate([bu, tu])
    c = np.concatenate([bc, tc.astype(np.int64)])
    if xmin_fixed:
        try:
            refit = _fit_table(
                u,
                c,
                discrete=discrete,
                xmin=xmin,
                xmin_range=None,
                min_tail=min_tail,
                convention=convention,
                search="full",
                owner="bootstrap_pvalue",
            )
        except InvalidParameterError:  # too few tail draws: count as a worse fit
            return math.inf
        return refit.ks_distance
    cand = _candidates(u, c, min_tail=min_tail, xmin_range=xmin_range)
    if cand.size == 0:
        return math.inf
    _, alphas, dists = _scan(
        u, c, discrete=discrete, cand=cand, convention=convention, search=search
    )
    ok = np.isfinite(dists) & np.isfinite(alphas) & (alphas > 1.0)
    return float(dists[ok].min()) if ok.any() else math.inf


def bootstrap_pvalue(
    fit: PowerLawFit,
    *,
    runs: int = 1000,
    rng: RNGLike = None,
    executor: Executor | None = None,
    batch_size: int | None = None,
) -> BootstrapResult:
    """Semi-parametric bootstrap p-value of the power-law hypothesis (CSN Section 4.1).

    Each replicate draws ``n`` observations: with probability ``n_tail / n`` from the fitted
    power law above ``xmin`` (exact sampler), otherwise uniformly from the observed values below
    ``xmin``; it is then refitted with the same xmin scan and its KS distance recorded. Runs use
    :func:`shequn.rng.map_runs`, so ``executor=`` (threads, processes, Dask) gives identical
    results for the same ``rng``.

    Examples
    --------
    >>> f = fit_powerlaw(sample_powerlaw(200, alpha=2.5, xmin=1.0, rng=5), compare_with=())
    >>> res = bootstrap_pvalue(f, runs=20, rng=6)
    >>> 0.0 <= res.p_value <= 1.0 and res.runs == 20
    True
    """
    if not isinstance(fit, PowerLawFit):
        raise fail("bootstrap_pvalue", "fit", "be a PowerLawFit", fit)
    runs = check_int(runs, owner="bootstrap_pvalue", field="runs", low=1)
    below = fit.values < fit.xmin
    fn: Callable[[np.random.Generator], float] = functools.partial(
        _bootstrap_once,
        below_u=fit.values[below],
        below_c=fit.counts[below],
        n=fit.n,
        n_tail=fit.n_tail,
        alpha=fit.alpha,
        xmin=fit.xmin,
        discrete=fit.discrete,
        min_tail=fit.min_tail,
        convention=fit.ks_convention,
        xmin_fixed=fit.xmin_fixed,
        xmin_range=fit.xmin_range,
        search=fit.search,
    )
    d = np.asarray(
        map_runs(
            fn,
            runs=runs,
            rng=rng,
            executor=executor,
            batch_size=batch_size,
            owner="bootstrap_pvalue",
        )
    )
    p = float(np.mean(d >= fit.ks_distance))
    return BootstrapResult(
        p_value=p,
        p_value_se=math.sqrt(p * (1.0 - p) / runs),
        observed=fit.ks_distance,
        distances=d,
    )


# --------------------------------------------------------------------------------------------
# alternatives and likelihood-ratio tests
# --------------------------------------------------------------------------------------------


def _log_diff_exp(a: FloatArr, b: FloatArr) -> FloatArr:
    """log(exp(a) - exp(b)) for a >= b."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArr = a + np.log1p(-np.exp(b - a))
    return out


def _alt_logpdf(name: str, theta: FloatArr, x: FloatArr, xmin: float, discrete: bool) -> FloatArr:
    """Pointwise log density / pmf of an alternative on the tail, in units of x."""
    if name == "truncated_power_law":
        alpha, lam = float(theta[0]), math.exp(float(theta[1]))
        if discrete:
            return -alpha * np.log(x) - lam * x - _log_cutoff_norm_discrete(alpha, lam, xmin)
        lz = _log_cutoff_norm_continuous(alpha, lam * xmin)
        y = x / xmin
        out: FloatArr = -alpha * np.log(y) - lam * xmin * y - lz - math.log(xmin)
        return out

    # continuous log-survival and log-density in y = x / xmin
    def logsf(y: FloatArr) -> FloatArr:
        if name == "exponential":
            lam = math.exp(float(theta[0]))
            r: FloatArr = -lam * y
            return r
        if name == "lognormal":
            mu, sig = float(theta[0]), math.exp(float(theta[1]))
            with np.errstate(divide="ignore"):
                r = special.log_ndtr(-(np.log(y) - mu) / sig)
            return r
        lam, beta = math.exp(float(theta[0])), math.exp(float(theta[1]))
        r = -lam * y**beta
        return r

    def logpdf(y: FloatArr) -> FloatArr:
        if name == "exponential":
            lam = math.exp(float(theta[0]))
            r: FloatArr = math.log(lam) - lam * y
            return r
        if name == "lognormal":
            mu, sig = float(theta[0]), math.exp(float(theta[1]))
            z = (np.log(y) - mu) / sig
            r = -np.log(y) - math.log(sig) - 0.5 * math.log(2 * math.pi) - 0.5 * z * z
            return r
        lam, beta = math.exp(float(theta[0])), math.exp(float(theta[1]))
        r = math.log(beta * lam) + (beta - 1.0) * np.log(y) - lam * y**beta
        return r

    if discrete:
        lo = logsf((x - 0.5) / xmin)
        hi = logsf((x + 0.5) / xmin)
        norm = float(logsf(np.array([(xmin - 0.5) / xmin]))[0])
        return _log_diff_exp(lo, hi) - norm
    norm = float(logsf(np.array([1.0]))[0])
    out = logpdf(x / xmin) - norm - math.log(xmin)
    return out


def _log_cutoff_norm_continuous(alpha: float, lam1: float) -> float:
    """log of the integral over y >= 1 of y^-alpha exp(-lam1 y).

    It equals lam1^(alpha-1) Gamma(1-alpha, lam1).
    """
    lg = log_upper_gamma(1.0 - alpha, lam1)
    return (alpha - 1.0) * math.log(lam1) + lg


def _log_cutoff_norm_discrete(alpha: float, lam: float, xmin: float, terms: int = 4000) -> float:
    """log of sum_{x >= xmin} x^-alpha exp(-lam x): explicit sum plus a midpoint-rule integral."""
    xs = xmin + np.arange(terms, dtype=float)
    logt = -alpha * np.log(xs) - lam * xs
    top = float(logt.max())
    head = top + math.log(float(np.sum(np.exp(logt - top))))
    a = xmin + terms - 0.5
    # integral_a^inf t^-alpha e^{-lam t} dt = a^(1-alpha) * (lam a)^(alpha-1) Gamma(1-alpha, lam a)
    lt = (
        (1.0 - alpha) * math.log(a)
        + (alpha - 1.0) * math.log(lam * a)
        + log_upper_gamma(1.0 - alpha, lam * a)
    )
    if not math.isfinite(lt):
        return head
    return float(np.logaddexp(head, lt))


def _alt_init(name: str, x: FloatArr, c: IntArr, xmin: float, pl_alpha: float) -> list[FloatArr]:
    w = c / c.sum()
    y = x / xmin
    ly = np.log(y)
    if name == "exponential":
        lam = 1.0 / max(float(np.sum(w * (y - 1.0))), 1e-12)
        return [np.array([math.log(lam)])]
    if name == "lognormal":
        m = float(np.sum(w * ly))
        sd = math.sqrt(max(float(np.sum(w * (ly - m) ** 2)), 1e-6))
        return [
            np.array([m, math.log(sd)]),
            np.array([0.0, math.log(max(sd, 1.0) * 2.0)]),
            np.array([-2.0 * sd, math.log(2.0 * sd)]),
        ]
    if name == "stretched_exponential":
        return [
            np.array([math.log(1.0), math.log(0.5)]),
            np.array([math.log(0.1), math.log(0.2)]),
            np.array([math.log(1.0 / max(float(np.sum(w * y)), 1.0)), 0.0]),
        ]
    lam = 1.0 / max(float(np.sum(w * x)), 1e-12)
    return [
        np.array([pl_alpha, math.log(1e-3 * lam)]),
        np.array([pl_alpha, math.log(lam)]),
        np.array([max(pl_alpha - 0.5, 0.5), math.log(0.1 * lam)]),
    ]


def _fit_alternative(
    name: str, x: FloatArr, c: IntArr, xmin: float, discrete: bool, pl_alpha: float
) -> tuple[FloatArr, FloatArr, bool]:
    """MLE of an alternative; returns (theta, pointwise log-likelihoods, converged)."""
    cw = c.astype(float)

    def nll(theta: FloatArr) -> float:
        with np.errstate(all="ignore"):
            lp = _alt_logpdf(name, theta, x, xmin, discrete)
        v = -float(np.sum(cw * lp))
        return v if math.isfinite(v) else 1e300

    converged = True
    if name == "exponential" and not discrete:
        theta = _alt_init(name, x, c, xmin, pl_alpha)[0]
    else:
        best: Any = None
        for start in _alt_init(name, x, c, xmin, pl_alpha):
            res = optimize.minimize(
                nll,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 1500},
            )
            if best is None or res.fun < best.fun:
                best = res
        theta = np.asarray(best.x, dtype=float)
        converged = bool(best.success)
    return theta, _alt_logpdf(name, theta, x, xmin, discrete), converged


def _param_dict(name: str, theta: FloatArr, xmin: float) -> dict[str, float]:
    if name == "exponential":
        return {"lambda": math.exp(float(theta[0])) / xmin}
    if name == "lognormal":
        return {"mu": float(theta[0]) + math.log(xmin), "sigma": math.exp(float(theta[1]))}
    if name == "stretched_exponential":
        lam1, beta = math.exp(float(theta[0])), math.exp(float(theta[1]))
        return {"lambda": lam1 * xmin ** (-beta), "beta": beta}
    return {"alpha": float(theta[0]), "lambda": math.exp(float(theta[1]))}


def compare(fit: PowerLawFit, alternative: str) -> Comparison:
    """Likelihood-ratio test of the fitted power law against ``alternative`` on the same tail.

    Non-nested alternatives (lognormal, exponential, stretched exponential) use Vuong's test:
    :math:`\\mathcal{R} = \\sum (\\ell^{PL}_i - \\ell^{alt}_i)`, normalised by
    :math:`\\sigma \\sqrt{n}` (CSN Eq. C.5) with two-sided p-value
    :math:`\\operatorname{erfc}(|\\mathcal{R}| / \\sqrt{2 n \\sigma^2})` (Eq. 5.4). The power
    law with exponential cutoff nests the power law (cutoff 0), so :math:`2|\\mathcal{R}|` is
    referred to chi-square with one degree of freedom (CSN Section 5.1 and Appendix C).

    Examples
    --------
    >>> f = fit_powerlaw(sample_powerlaw(2000, alpha=2.0, xmin=1.0, rng=8), xmin=1.0,
    ...                  compare_with=())
    >>> compare(f, "exponential").favours()
    'power_law'
    """
    check_choice(alternative, ALTERNATIVES, owner="compare", field="alternative")
    x, c = fit.tail_values()
    ll_pl = _pl_logpdf(x, fit.alpha, fit.xmin, fit.discrete)
    theta, ll_alt, conv = _fit_alternative(alternative, x, c, fit.xmin, fit.discrete, fit.alpha)
    cw = c.astype(float)
    n = float(cw.sum())
    if alternative == "truncated_power_law":
        # nested: the cutoff model can do no worse than the power law (cutoff -> 0)
        r = float(np.sum(cw * (ll_pl - ll_alt)))
        r = min(r, 0.0)
        stat = -2.0 * r
        p = float(stats.chi2.sf(stat, df=1))
        return Comparison(
            alternative=alternative,
            loglik_ratio=r,
            statistic=stat,
            p_value=p,
            nested=True,
            params=_param_dict(alternative, theta, fit.xmin),
            converged=conv,
        )
    d = ll_pl - ll_alt
    r = float(np.sum(cw * d))
    mean = r / n
    var = float(np.sum(cw * (d - mean) ** 2)) / n
    if var <= 0:
        stat, p = 0.0, 1.0
    else:
        stat = r / math.sqrt(n * var)
        p = float(special.erfc(abs(stat) / math.sqrt(2.0)))
    return Comparison(
        alternative=alternative,
        loglik_ratio=r,
        statistic=stat,
        p_value=p,
        nested=False,
        params=_param_dict(alternative, theta, fit.xmin),
        converged=conv,
    )
