"""Compiled loops of the customer-base models (numba), behind typed wrappers.

The Pareto/NBD likelihood (and P(alive)) needs, per customer,

    I = ∫_lo^hi (α+τ)^−p (β+τ)^−q dτ      (p = r + x, q = s + 1, lo = t_x, hi = T),

the probability mass of dying between the last purchase and T. Closed forms write I with Gauss
hypergeometric functions whose parameters grow with x and whose argument approaches 1 for
customers with extreme rates, where every general-purpose ₂F₁ routine (scipy's included)
returns NaN, zero or garbage. Here I is integrated directly, in log space, by piecewise
Gauss–Legendre quadrature in ``u = log(c + τ)`` with ``c = min(α, β)``:

* in u the log-integrand ψ(u) = −p log(α−c+eᵘ) − q log(β−c+eᵘ) + u is *concave*, so it has
  one mode, and its slope and curvature bound how far ψ moves over a step;
* each piece is chosen so that ψ changes by at most ~3 across it (slope × width ≤ 3, curvature
  × width² ≤ 2, width ≤ 2), on which 8-point Gauss–Legendre is exact to ~1e-14;
* the sum is kept relative to the running maximum of ψ (log-sum-exp), and the march stops when
  the rest of the integral (at most e^ψ/|ψ'| past the mode) is below 1e-17 of what is summed;
* ``hi = inf`` is allowed: past ``eᵘ = 1e17·(p(α−c)+q(β−c))`` the integrand is e^{ψ} with
  slope 1−p−q to relative 1e-17, and its tail is added in closed form.

The same pass accumulates the derivatives of log I with respect to α, β, p and q (derivatives
of the integrand, integrated by the same rule), which the fits use as analytic gradients.

Every loop runs without the GIL, so a fit's row blocks can run in threads (``executor=``), and
with numpy's error model: a division by zero at an extreme trial point of the optimiser gives
inf or NaN (which the fit treats as "not here"), as the numpy code does, not an exception.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

from shequn._typing import FloatArray

__all__ = [
    "bg_block",
    "log_integral",
    "log_integral_scalar",
    "tv_future",
    "tv_grad_rows",
    "tv_rows",
]

_N_GL = 8
_GL_X, _GL_W = np.polynomial.legendre.leggauss(_N_GL)
_GL_X = np.ascontiguousarray(0.5 * (_GL_X + 1.0))
_GL_W = np.ascontiguousarray(0.5 * _GL_W)

_STEP_SLOPE = 3.0
_STEP_CURVE = 2.0
_STEP_MAX = 2.0
_STOP = 40.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _one(al, be, p, q, lo, hi, gx, gw, out):  # type: ignore[no-untyped-def]
    """log I and d log I / d(α, β, p, q) into out[0:5]; returns nothing.

    The march runs in v = u − log(c + lo), so the width W = log1p((hi − lo)/(c + lo)) keeps
    full relative precision even for intervals far shorter than α and β.
    """
    out[1] = 0.0
    out[2] = 0.0
    out[3] = 0.0
    out[4] = 0.0
    if not hi > lo:
        out[0] = -math.inf
        return
    c = min(al, be)
    da = al - c
    db = be - c
    base = c + lo
    u0 = math.log(base)
    infinite = math.isinf(hi)
    if infinite:
        scale = p * da + q * db
        w_end = math.log(max(scale, 1e-300) * 1e17 + base + 1.0) - u0
    else:
        w_end = math.log1p((hi - lo) / base)
        if w_end * (p + q + 1.0) < 1e-9:  # the integrand is constant on so short an interval
            tm = lo + 0.5 * (hi - lo)  # (midpoint rule: relative error below 1e-18)
            out[0] = math.log(hi - lo) - p * math.log(al + tm) - q * math.log(be + tm)
            out[1] = -p / (al + tm)
            out[2] = -q / (be + tm)
            out[3] = -math.log(al + tm)
            out[4] = -math.log(be + tm)
            return
    ref = -math.inf  # running maximum of psi
    s0 = 0.0
    sa = 0.0
    sb = 0.0
    sp = 0.0
    sq = 0.0
    n = gx.shape[0]
    v = 0.0
    for _ in range(100000):
        if v >= w_end:
            break
        e = base * math.exp(v)
        fa = e / (da + e)
        fb = e / (db + e)
        slope = 1.0 - p * fa - q * fb
        curve = p * fa * (1.0 - fa) + q * fb * (1.0 - fb)
        h = min(_STEP_MAX, w_end - v)
        if abs(slope) * h > _STEP_SLOPE:
            h = _STEP_SLOPE / abs(slope)
        if curve * h * h > _STEP_CURVE:
            h = math.sqrt(_STEP_CURVE / curve)
        for k in range(n):
            vk = v + h * gx[k]
            ev = base * math.exp(vk)
            # one of da, db is 0 (c is the smaller of alpha and beta): one log per node
            uk = u0 + vk
            la = uk if da == 0.0 else math.log(da + ev)
            lb = uk if db == 0.0 else math.log(db + ev)
            psi = -p * la - q * lb + uk
            if psi > ref:
                f = math.exp(ref - psi) if ref > -math.inf else 0.0
                s0 *= f
                sa *= f
                sb *= f
                sp *= f
                sq *= f
                ref = psi
            wt = h * gw[k] * math.exp(psi - ref)
            s0 += wt
            sa -= wt * p / (da + ev)
            sb -= wt * q / (db + ev)
            sp -= wt * la
            sq -= wt * lb
        v += h
        # past the mode the rest is at most exp(psi(u)) / |psi'(u)|
        if v < w_end:
            e = base * math.exp(v)
            slope_end = 1.0 - p * e / (da + e) - q * e / (db + e)
            if slope_end < 0.0:
                psi_u = -p * math.log(da + e) - q * math.log(db + e) + u0 + v
                if psi_u - math.log(-slope_end) < ref + math.log(s0) - _STOP:
                    break
    if infinite and v >= w_end:
        # tail: psi(t) = psi(u) + (1 - p - q)(t - u) to relative 1e-17
        e = base * math.exp(v)
        u = u0 + v
        la = math.log(da + e)
        lb = math.log(db + e)
        psi = -p * la - q * lb + u
        m = p + q - 1.0
        if psi > ref:
            f = math.exp(ref - psi) if ref > -math.inf else 0.0
            s0 *= f
            sa *= f
            sb *= f
            sp *= f
            sq *= f
            ref = psi
        wt = math.exp(psi - ref) / m
        s0 += wt
        sa -= wt * p / (da + e)
        sb -= wt * q / (db + e)
        # d/dp of ∫_u^∞ e^{-p la - q lb + t} dt with la ≈ lb ≈ t: -(la + 1/m) per unit mass
        sp -= wt * (la + 1.0 / m)
        sq -= wt * (lb + 1.0 / m)
    if not s0 > 0.0:  # nothing representable (an underflowed, degenerate interval)
        out[0] = -math.inf
        return
    out[0] = ref + math.log(s0)
    out[1] = sa / s0
    out[2] = sb / s0
    out[3] = sp / s0
    out[4] = sq / s0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _many(al, be, p, q, lo, hi, gx, gw, res):  # type: ignore[no-untyped-def]
    out = np.empty(5)
    for i in range(lo.shape[0]):
        _one(al[i], be[i], p[i], q[i], lo[i], hi[i], gx, gw, out)
        for j in range(5):
            res[j, i] = out[j]


def log_integral(
    alpha: FloatArray,
    beta: FloatArray,
    p: FloatArray,
    q: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
) -> NDArray[np.float64]:
    """log ∫_lo^hi (α+τ)^−p (β+τ)^−q dτ and its derivatives, for arrays of equal length.

    Returns an array of shape (5, n): log I, then d log I / dα, / dβ, / dp, / dq. ``hi`` may
    be ``inf`` when p + q > 1; ``lo == hi`` gives ``-inf`` (and zero derivatives).

    Examples
    --------
    >>> import numpy as np
    >>> one = np.ones(1)
    >>> out = log_integral(one, one, one, one, np.zeros(1), np.ones(1))  # ∫_0^1 (1+τ)^-2 dτ
    >>> round(float(np.exp(out[0, 0])), 12)
    0.5
    """
    arrs = [np.ascontiguousarray(v, dtype=np.float64) for v in (alpha, beta, p, q, lo, hi)]
    n = arrs[0].shape[0]
    res = np.empty((5, n))
    if n:
        _many(arrs[0], arrs[1], arrs[2], arrs[3], arrs[4], arrs[5], _GL_X, _GL_W, res)
    return res


def log_integral_scalar(
    alpha: float, beta: float, p: float, q: float, lo: float, hi: float
) -> tuple[float, float, float, float, float]:
    """:func:`log_integral` for one integral (a tuple of the five values).

    Examples
    --------
    >>> round(float(np.exp(log_integral_scalar(1.0, 1.0, 1.0, 1.0, 0.0, float("inf"))[0])), 12)
    1.0
    """
    out = np.empty(5)
    _one(float(alpha), float(beta), float(p), float(q), float(lo), float(hi), _GL_X, _GL_W, out)
    return (float(out[0]), float(out[1]), float(out[2]), float(out[3]), float(out[4]))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _tv_rows(x, tx, T, start, L, et, el, r, al, s, be, gx, gw, out):  # type: ignore[no-untyped-def]
    """Per customer: log dead term, A(T), B(T) of the time-varying Pareto/NBD (into out)."""
    buf = np.empty(5)
    q = s + 1.0
    for i in range(x.shape[0]):
        row = i if et.shape[0] > 1 else 0
        rowl = i if el.shape[0] > 1 else 0
        p = r + x[i]
        k = math.floor(start[i] / L)
        u = 0.0
        A = 0.0
        B = 0.0
        acc = -math.inf
        while u < T[i]:
            end = min((k + 1) * L - start[i], T[i])
            if end <= u:  # rounding at a boundary
                k += 1
                continue
            a = et[row, k]
            b = el[rowl, k]
            lo = max(u, tx[i])
            if end > lo:
                a_lo = al + A + a * (lo - u)
                b_lo = be + B + b * (lo - u)
                ratio = b / a
                _one(a_lo, b_lo / ratio, p, q, 0.0, a * (end - lo), gx, gw, buf)
                seg = (1.0 - q) * math.log(ratio) + buf[0]
                if seg > -math.inf:
                    if acc == -math.inf:
                        acc = seg
                    elif seg > acc:
                        acc = seg + math.log1p(math.exp(acc - seg))
                    else:
                        acc = acc + math.log1p(math.exp(seg - acc))
            A += a * (end - u)
            B += b * (end - u)
            u = end
            k += 1
        out[0, i] = math.log(s) + acc
        out[1, i] = A
        out[2, i] = B


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _tv_future(T, t, start, L, et, el, s, be, BT, out):  # type: ignore[no-untyped-def]
    """∫_T^{T+t} e_trans(u) ((β+B(T))/(β+B(u)))^s du per customer (into out)."""
    for i in range(T.shape[0]):
        row = i if et.shape[0] > 1 else 0
        rowl = i if el.shape[0] > 1 else 0
        D = be + BT[i]
        c = start[i] + T[i]
        k = math.floor(c / L)
        u = T[i]
        stop = T[i] + t[i]
        Bs = D
        total = 0.0
        while u < stop:
            end = min((k + 1) * L - start[i], stop)
            if end <= u:
                k += 1
                continue
            a = et[row, k]
            b = el[rowl, k]
            ell = end - u
            lq = math.log(Bs) - math.log(Bs + b * ell)
            rest = -lq if abs(s - 1.0) < 1e-10 else -math.expm1((s - 1.0) * lq) / (s - 1.0)
            total += a / b * Bs * math.exp(s * (math.log(D) - math.log(Bs))) * rest
            Bs += b * ell
            u = end
            k += 1
        out[i] = total


def tv_rows(
    x: FloatArray,
    tx: FloatArray,
    T: FloatArray,
    start: FloatArray,
    period_length: float,
    et: FloatArray,
    el: FloatArray,
    r: float,
    alpha: float,
    s: float,
    beta: float,
) -> NDArray[np.float64]:
    """(3, n): log(s·I), A(T), B(T) of the time-varying Pareto/NBD for each customer.

    ``et``/``el`` are exp(γ·covariates) per customer and period (one row for all customers
    allowed). See :mod:`shequn.loyalty.customer_base.time_varying`.
    """
    out = np.empty((3, x.shape[0]))
    if x.shape[0]:
        _tv_rows(
            np.ascontiguousarray(x),
            np.ascontiguousarray(tx),
            np.ascontiguousarray(T),
            np.ascontiguousarray(start),
            float(period_length),
            np.ascontiguousarray(et),
            np.ascontiguousarray(el),
            float(r),
            float(alpha),
            float(s),
            float(beta),
            _GL_X,
            _GL_W,
            out,
        )
    return out


def tv_future(
    T: FloatArray,
    t: FloatArray,
    start: FloatArray,
    period_length: float,
    et: FloatArray,
    el: FloatArray,
    s: float,
    beta: float,
    BT: FloatArray,
) -> FloatArray:
    """Per customer, ∫_T^{T+t} e_trans(u) ((β+B(T))/(β+B(u)))^s du (expected-purchase weight)."""
    out = np.empty(T.shape[0])
    if T.shape[0]:
        _tv_future(
            np.ascontiguousarray(T),
            np.ascontiguousarray(t),
            np.ascontiguousarray(start),
            float(period_length),
            np.ascontiguousarray(et),
            np.ascontiguousarray(el),
            float(s),
            float(beta),
            np.ascontiguousarray(BT),
            out,
        )
    return out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _lse_add(acc, g_acc, seg, g_seg):  # type: ignore[no-untyped-def]
    """Add exp(seg) with gradient g_seg to (acc, g_acc) = (log Σ, Σ-weighted mean gradient)."""
    if seg == -math.inf:
        return acc
    if acc == -math.inf:
        g_acc[:] = g_seg
        return seg
    hi = max(acc, seg)
    wa = math.exp(acc - hi)
    ws = math.exp(seg - hi)
    tot = wa + ws
    for j in range(g_acc.shape[0]):
        g_acc[j] = (wa * g_acc[j] + ws * g_seg[j]) / tot
    return hi + math.log(tot)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _tv_grad_rows(  # type: ignore[no-untyped-def]
    x,
    tx,
    T,
    start,
    L,
    Xt,
    Xl,
    gt,
    gl,
    r,
    al,
    s,
    be,
    gx,
    gw,
    la_out,
    ld_out,
    g_la,
    g_ld,
):
    """Per customer: log alive term LA, log dead term LD and their gradients with respect to
    (α, β, r, s, γ_trans..., γ_life...) of the time-varying Pareto/NBD."""
    kt = gt.shape[0]
    kl = gl.shape[0]
    m = 4 + kt + kl
    buf = np.empty(5)
    dA = np.empty(kt)
    dB = np.empty(kl)
    gseg = np.empty(m)
    gacc = np.empty(m)
    q = s + 1.0
    for i in range(x.shape[0]):
        rt = i if Xt.shape[0] > 1 else 0
        rl = i if Xl.shape[0] > 1 else 0
        p = r + x[i]
        k = math.floor(start[i] / L)
        u = 0.0
        A = 0.0
        B = 0.0
        dA[:] = 0.0
        dB[:] = 0.0
        acc = -math.inf
        gacc[:] = 0.0
        while u < T[i]:
            end = min((k + 1) * L - start[i], T[i])
            if end <= u:
                k += 1
                continue
            eta_t = 0.0
            for j in range(kt):
                eta_t += gt[j] * Xt[rt, k, j]
            eta_l = 0.0
            for j in range(kl):
                eta_l += gl[j] * Xl[rl, k, j]
            a = math.exp(eta_t)
            b = math.exp(eta_l)
            lo = max(u, tx[i])
            if end > lo:
                off = lo - u
                a_lo = al + A + a * off
                b_lo = be + B + b * off
                bpp = b_lo * a / b  # β'' of the substitution w = a·v
                H = a * (end - lo)
                _one(a_lo, bpp, p, q, 0.0, H, gx, gw, buf)
                log_i = buf[0]
                seg = (1.0 - q) * (eta_l - eta_t) + log_i
                # d log I / d H = f(H) / I
                dh = math.exp(-p * math.log(a_lo + H) - q * math.log(bpp + H) - log_i)
                gseg[0] = buf[1]  # α
                gseg[1] = buf[2] * a / b  # β
                gseg[2] = buf[3]  # r (through p)
                gseg[3] = -(eta_l - eta_t) + buf[4]  # s (through q)
                for j in range(kt):
                    xj = Xt[rt, k, j]
                    gseg[4 + j] = xj * (-(1.0 - q) + buf[2] * bpp + dh * H) + buf[1] * (
                        dA[j] + a * off * xj
                    )
                for j in range(kl):
                    zj = Xl[rl, k, j]
                    gseg[4 + kt + j] = (1.0 - q) * zj + buf[2] * (
                        a / b * (dB[j] + b * off * zj) - bpp * zj
                    )
                acc = _lse_add(acc, gacc, seg, gseg)
            ell = end - u
            A += a * ell
            B += b * ell
            for j in range(kt):
                dA[j] += a * ell * Xt[rt, k, j]
            for j in range(kl):
                dB[j] += b * ell * Xl[rl, k, j]
            u = end
            k += 1
        la = -p * math.log(al + A) - s * math.log(be + B)
        la_out[i] = la
        g_la[i, 0] = -p / (al + A)
        g_la[i, 1] = -s / (be + B)
        g_la[i, 2] = -math.log(al + A)
        g_la[i, 3] = -math.log(be + B)
        for j in range(kt):
            g_la[i, 4 + j] = -p / (al + A) * dA[j]
        for j in range(kl):
            g_la[i, 4 + kt + j] = -s / (be + B) * dB[j]
        ld_out[i] = math.log(s) + acc
        for j in range(m):
            g_ld[i, j] = gacc[j]
        g_ld[i, 3] += 1.0 / s


def tv_grad_rows(
    x: FloatArray,
    tx: FloatArray,
    T: FloatArray,
    start: FloatArray,
    period_length: float,
    Xt: FloatArray,
    Xl: FloatArray,
    gt: FloatArray,
    gl: FloatArray,
    r: float,
    alpha: float,
    s: float,
    beta: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """LA, LD (n,) and their gradients (n, 4 + kt + kl) over (α, β, r, s, γ_trans, γ_life).

    ``Xt``/``Xl`` are (customers or 1, periods, covariates) arrays of the panel's values.
    """
    n = x.shape[0]
    m = 4 + gt.shape[0] + gl.shape[0]
    la = np.empty(n)
    ld = np.empty(n)
    g_la = np.empty((n, m))
    g_ld = np.empty((n, m))
    if n:
        _tv_grad_rows(
            np.ascontiguousarray(x),
            np.ascontiguousarray(tx),
            np.ascontiguousarray(T),
            np.ascontiguousarray(start),
            float(period_length),
            np.ascontiguousarray(Xt),
            np.ascontiguousarray(Xl),
            np.ascontiguousarray(gt),
            np.ascontiguousarray(gl),
            float(r),
            float(alpha),
            float(s),
            float(beta),
            _GL_X,
            _GL_W,
            la,
            ld,
            g_la,
            g_ld,
        )
    return la, ld, g_la, g_ld


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _digamma(x):  # type: ignore[no-untyped-def]
    """ψ(x) for x > 0: recurrence to x >= 6, then the asymptotic series (error < 1e-15)."""
    acc = 0.0
    while x < 6.0:
        acc -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))))
    return acc + math.log(x) - 0.5 / x - series


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _beta_terms(a, b, x):  # type: ignore[no-untyped-def]
    """(log B(a, b+x)/B(a, b), ψ(a+b) − ψ(a+b+x), ψ(a+b) + ψ(b+x) − ψ(b) − ψ(a+b+x)) for
    whole x >= 0: finite sums for small x (no special function), lgamma/ψ otherwise."""
    if x == 0.0:
        return 0.0, 0.0, 0.0
    if x <= 40.0:
        lb = 0.0
        da = 0.0
        db = 0.0
        j = 0.0
        while j < x:
            lb += math.log((b + j) / (a + b + j))
            inv_ab = 1.0 / (a + b + j)
            da -= inv_ab
            db += 1.0 / (b + j) - inv_ab
            j += 1.0
        return lb, da, db
    lb = math.lgamma(b + x) - math.lgamma(b) - math.lgamma(a + b + x) + math.lgamma(a + b)
    dab = _digamma(a + b)
    dabx = _digamma(a + b + x)
    return lb, dab - dabx, dab + _digamma(b + x) - _digamma(b) - dabx


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bg_block(x, tx, T, w, Dt, Dl, ix, lgr, dgr, r, al, a, b, gam, modified, btab, grad):  # type: ignore[no-untyped-def]
    """Σ w·ℓ over rows of a (M)BG/NBD with covariates, and its gradient over
    (log r, log α, log a, log b, coefficients) added into ``grad``."""
    kc = gam.shape[0]
    shift = 1.0 if modified else 0.0
    total = 0.0
    log_al0 = math.log(al)
    log_a0 = math.log(a)
    for i in range(x.shape[0]):
        wi = w[i]
        eta_t = 0.0
        eta_l = 0.0
        for j in range(kc):
            eta_t += Dt[i, j] * gam[j]
            eta_l += Dl[i, j] * gam[j]
        ali = al * math.exp(-eta_t)
        el = math.exp(eta_l)
        ai = a * el
        bi = b * el
        xi = x[i]
        rx = r + xi
        l_aT = math.log(ali + T[i])
        la = -rx * l_aT
        has_dead = modified or xi > 0.0
        if has_dead:
            l_atx = math.log(ali + tx[i])
            bx = bi + xi - 1.0 + shift
            ld = log_a0 + eta_l - math.log(bx) - rx * l_atx
            hi = max(la, ld)
            ea = math.exp(la - hi)
            ed = math.exp(ld - hi)
            m = hi + math.log(ea + ed)
            wa = ea / (ea + ed)
            wd = ed / (ea + ed)
        else:
            l_atx = 0.0
            bx = 1.0
            m = la
            wa = 1.0
            wd = 0.0
        if btab.shape[0]:  # a and b are the same for every row: per distinct x, precomputed
            lb = btab[ix[i], 0]
            d_a = btab[ix[i], 1]
            d_b = btab[ix[i], 2]
        else:
            lb, d_a, d_b = _beta_terms(ai, bi, xi + shift)
        log_ali = log_al0 - eta_t
        k = ix[i]
        total += wi * (lgr[k] + r * log_ali + lb + m)
        dr = dgr[k] + log_ali - wa * l_aT - wd * l_atx
        dal = r / ali - rx * (wa / (ali + T[i]) + (wd / (ali + tx[i]) if has_dead else 0.0))
        da = d_a + wd / ai
        db = d_b - (wd / bx if has_dead else 0.0)
        grad[0] += wi * dr * r
        g_al = wi * dal * ali
        grad[1] += g_al
        g_ab = wi * (da * ai + db * bi)
        grad[2] += wi * da * ai
        grad[3] += wi * db * bi
        for j in range(kc):
            grad[4 + j] += -g_al * Dt[i, j] + g_ab * Dl[i, j]
    return total


def bg_block(
    x: FloatArray,
    tx: FloatArray,
    T: FloatArray,
    w: FloatArray,
    Dt: FloatArray,
    Dl: FloatArray,
    ix: NDArray[np.intp],
    lgr: FloatArray,
    dgr: FloatArray,
    r: float,
    alpha: float,
    a: float,
    b: float,
    gam: FloatArray,
    modified: bool,
    btab: FloatArray | None = None,
) -> tuple[float, FloatArray]:
    """Weighted log-likelihood of a block of (M)BG/NBD rows with covariates and its gradient
    over (log r, log α, log a, log b, coefficients); ``lgr[ix]``/``dgr[ix]`` hold
    lgamma(r+x) − lgamma(r) and ψ(r+x) − ψ(r) per distinct x (computed once per evaluation),
    and ``btab[ix]`` (optional, when a and b are the same for every row) the beta terms
    (log B(a, b+x)/B(a, b) and the two digamma differences).
    """
    grad = np.zeros(4 + gam.shape[0])
    tab = np.zeros((0, 3)) if btab is None else np.ascontiguousarray(btab)
    value = _bg_block(
        x,
        tx,
        T,
        w,
        Dt,
        Dl,
        ix,
        lgr,
        dgr,
        float(r),
        float(alpha),
        float(a),
        float(b),
        np.ascontiguousarray(gam),
        bool(modified),
        tab,
        grad,
    )
    return float(value), grad
