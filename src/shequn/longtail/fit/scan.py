"""The xmin scan: the data as a table, the exponent and KS distance of every candidate xmin.

Clauset, Shalizi & Newman (2009), Sections 3.1-3.3 ("CSN"). The data are reduced once to
distinct sorted values and counts (:func:`as_table`). For the continuous law the maximum
likelihood exponent of every candidate is ``1 + n_j / (S_j - n_j log x_j)`` from suffix sums;
the discrete exponents of all candidates are found at once by a vectorised golden-section search
on the concave log-likelihood. The Kolmogorov-Smirnov distance between each candidate's tail and
its fit is evaluated only at distinct values, with a branch-and-bound over the tail that is
exact (tested against brute force). :func:`fit_tail` picks the xmin with the smallest distance
(or fits a fixed xmin) and returns a :class:`TailFit`, which :mod:`.powerlaw` turns into the
public :class:`~shequn.longtail.fit.PowerLawFit` and :mod:`.bootstrap` refits replicate by
replicate.

Examples
--------
>>> import numpy as np
>>> from shequn.longtail.fit.scan import as_table, fit_tail
>>> u, c = as_table([1.0, 2.0, 2.0, 5.0], None, discrete=False, owner="f")
>>> u.tolist(), c.tolist()
([1.0, 2.0, 5.0], [1, 2, 1])
>>> x = np.random.default_rng(0).pareto(1.5, 2000) + 1.0   # alpha = 2.5, xmin = 1
>>> t = fit_tail(*as_table(x, None, discrete=False, owner="f"), discrete=False, xmin=1.0,
...              xmin_range=None, min_tail=10, convention="exact", search="auto", owner="f")
>>> bool(abs(t.alpha - 2.5) < 3 * t.alpha_se)
True
"""

from __future__ import annotations

import math

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import check_array, fail
from shequn.longtail._special import _Q_TWO_TERMS, hurwitz_zeta, zeta_outer

__all__ = ["TailFit", "as_table", "fit_tail"]

_BLOCK_ELEMENTS = 2_000_000
_GRID_PAIRS = 500_000_000
_GRID_POINTS = 400
_KS_ROWS = 32
_KS_SEG = 32


def as_table(
    data: ArrayLike, counts: ArrayLike | None, *, discrete: bool, owner: str
) -> tuple[FloatArray, IntArray]:
    """Validate data and reduce it to distinct sorted values with their counts.

    Examples
    --------
    >>> as_table([3, 1, 3], [1, 2, 0], discrete=True, owner="f")[1].tolist()
    [2, 1]
    """
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


def _tail_sums(u: FloatArray, c: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For every index j: tail count n_j, sum of counts*log(u) and R_k (count >= u_k)."""
    logu = np.log(u)
    n_tail = np.cumsum(c[::-1])[::-1].astype(np.float64)
    s_tail: FloatArray = np.cumsum((c * logu)[::-1])[::-1].astype(np.float64)
    return n_tail, s_tail, logu


def _continuous_alpha(n: FloatArray, s: FloatArray, logx: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = 1.0 + n / (s - n * logx)
    return out


def _discrete_alpha(n: FloatArray, s: FloatArray, xmin: FloatArray) -> FloatArray:
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

    def nll(a: FloatArray, sel: NDArray[np.bool_] | slice = slice(None)) -> FloatArray:
        out: FloatArray = a * s[sel] + n[sel] * np.log(hurwitz_zeta(a, xmin[sel]))
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
    out: FloatArray = a
    return out


def _dist_cols(
    u: FloatArray,
    logu: FloatArray,
    r_ge: FloatArray,
    js: IntArray,
    a: FloatArray,
    zj: FloatArray,
    k0: int,
    k1: int,
    *,
    discrete: bool,
    convention: str,
) -> FloatArray:
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
    u: FloatArray,
    logu: FloatArray,
    js: IntArray,
    a: FloatArray,
    zj: FloatArray,
    cols: IntArray,
    *,
    discrete: bool,
) -> tuple[FloatArray, FloatArray]:
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
        g_gt: FloatArray = (z - pw) / zj
        return g_ge, g_gt
    g = np.exp(-(a - 1.0) * (logu[cols] - logu[js]))
    return g, g


def _ks_block(
    u: FloatArray,
    logu: FloatArray,
    r_ge: FloatArray,
    cand: IntArray,
    alpha: FloatArray,
    *,
    discrete: bool,
    convention: str,
) -> FloatArray:
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
    u: FloatArray,
    c: IntArray,
    *,
    discrete: bool,
    cand: IntArray,
    convention: str,
    search: str,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Alpha and KS distance for the candidate indices ``cand`` (all or grid-refined)."""
    n_tail, s_tail, logu = _tail_sums(u, c)
    r_ge = np.append(n_tail, 0.0)

    def alphas_for(idx: IntArray) -> FloatArray:
        if discrete:
            return _discrete_alpha(n_tail[idx], s_tail[idx], u[idx])
        return _continuous_alpha(n_tail[idx], s_tail[idx], logu[idx])

    def ks_for(idx: IntArray, a: FloatArray) -> FloatArray:
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
    u: FloatArray, c: IntArray, *, min_tail: int, xmin_range: tuple[float, float] | None
) -> IntArray:
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


def pl_logpdf(x: FloatArray, alpha: float, xmin: float, discrete: bool) -> FloatArray:
    if discrete:
        out: FloatArray = -alpha * np.log(x) - math.log(float(special.zeta(alpha, xmin)))
        return out
    out = math.log(alpha - 1.0) - math.log(xmin) - alpha * np.log(x / xmin)
    return out


@attrs.frozen(kw_only=True)
class TailFit:
    """What the scan found: the best xmin, its exponent and the scan itself (internal).

    :class:`~shequn.longtail.fit.PowerLawFit` adds the data, the options, the comparisons and
    the bootstrap to these numbers.
    """

    alpha: float
    alpha_se: float
    xmin: float
    n: int
    n_tail: int
    ks_distance: float
    loglik: float
    scan_xmin: FloatArray = attrs.field(eq=array_eq, repr=False)
    scan_alpha: FloatArray = attrs.field(eq=array_eq, repr=False)
    scan_ks: FloatArray = attrs.field(eq=array_eq, repr=False)


def best_distance(
    u: FloatArray,
    c: IntArray,
    *,
    discrete: bool,
    min_tail: int,
    convention: str,
    xmin_range: tuple[float, float] | None,
    search: str,
) -> float:
    """The smallest KS distance over the scan (inf when no candidate qualifies).

    What a bootstrap replicate needs: the same scan as the fit, without building a result.
    """
    cand = _candidates(u, c, min_tail=min_tail, xmin_range=xmin_range)
    if cand.size == 0:
        return math.inf
    _, alphas, dists = _scan(
        u, c, discrete=discrete, cand=cand, convention=convention, search=search
    )
    ok = np.isfinite(dists) & np.isfinite(alphas) & (alphas > 1.0)
    return float(dists[ok].min()) if ok.any() else math.inf


def fit_tail(
    u: FloatArray,
    c: IntArray,
    *,
    discrete: bool,
    xmin: float | None,
    xmin_range: tuple[float, float] | None,
    min_tail: int,
    convention: str,
    search: str,
    owner: str,
) -> TailFit:
    """Fit the tail of the table ``(u, c)``: scan xmin, or fit the given ``xmin``.

    Raises :class:`~shequn.exceptions.InvalidParameterError` naming ``data`` or ``xmin`` when no
    tail qualifies (too few observations above it, fewer than two distinct values, no exponent
    above 1).
    """
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
    ll = float(np.sum(tail_c * pl_logpdf(uu[j:], a, xm, discrete)))
    return TailFit(
        alpha=a,
        alpha_se=se,
        xmin=xm,
        n=n_total,
        n_tail=nt,
        ks_distance=float(dists[best]),
        loglik=ll,
        scan_xmin=uu[idx],
        scan_alpha=alphas,
        scan_ks=dists,
    )
