"""Estimating the Bass model: non-linear least squares, Bass's OLS regression and maximum
likelihood on interval-censored adoption times (:func:`fit_bass`)."""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from shequn._typing import FloatArray
from shequn._validation import (
    check_array,
    check_choice,
    check_level,
    check_positive,
    fail,
)
from shequn.diffusion.bass.model import Bass, _cdf, _cdf_grad, _curve_and_jac, _effort_array
from shequn.diffusion.bass.results import BassFit
from shequn.exceptions import ConvergenceError, InvalidParameterError, ShequnWarning

__all__ = ["fit_bass"]

_P_BOUNDS = (1e-9, 1.0)
_Q_BOUNDS = (1e-9, 50.0)
_M_MAX_FACTOR = 1e4


def _grid_start(
    y: FloatArray, X: FloatArray, m_fixed: float | None, m_lo: float, m_hi: float
) -> tuple[float, float, float]:
    """Best (p, q, m) on a log grid; m profiled out in closed form by least squares."""
    ps = np.geomspace(1e-4, 0.5, 16)
    qs = np.geomspace(1e-2, 5.0, 16)
    P, Q = np.meshgrid(ps, qs, indexing="ij")
    P, Q = P.ravel()[:, None], Q.ravel()[:, None]
    e = np.exp(-(P + Q) * X[None, :])
    F = (1.0 - e) / (1.0 + (Q / P) * e)
    dF = np.diff(F, axis=1)
    if m_fixed is None:
        m = (dF @ y) / np.maximum((dF * dF).sum(axis=1), 1e-300)
        m = np.clip(m, m_lo, m_hi)
    else:
        m = np.full(dF.shape[0], m_fixed)
    rss = ((y[None, :] - m[:, None] * dF) ** 2).sum(axis=1)
    best = int(np.argmin(rss))
    return float(P[best, 0]), float(Q[best, 0]), float(m[best])


def _unidentified(owner: str, detail: str) -> ConvergenceError:
    return ConvergenceError(
        f"{owner}: the market potential m is not identified by these data ({detail}). The "
        "adoption series has probably not passed its inflection (peak) yet, so a small m with "
        "fast imitation and a huge m with slow imitation fit equally well. Try: fix m "
        "(m=<market size>, e.g. the size of your community or target market), give a plausible "
        "range (m_bounds=(low, high)), or wait for data past the peak."
    )


def _check_identified(
    owner: str,
    theta: FloatArray,
    cov: FloatArray,
    m_free: bool,
    m_hi: float,
    bounded: bool,
    n_obs: int,
    effort: FloatArray | None,
) -> None:
    if not m_free:
        return
    m = float(theta[2])
    se_m = math.sqrt(cov[2, 2]) if math.isfinite(cov[2, 2]) and cov[2, 2] >= 0 else math.inf
    at_upper = m >= m_hi * (1 - 1e-6)
    if bounded:
        if at_upper:
            warnings.warn(
                f"{owner}: m sits at the upper end of m_bounds ({m_hi:g}); the estimate is set "
                "by the range you gave, not by the data.",
                ShequnWarning,
                stacklevel=3,
            )
        return
    if at_upper:
        raise _unidentified(owner, f"m ran to the search limit {m_hi:.4g}")
    if not math.isfinite(se_m) or se_m > m:
        raise _unidentified(owner, f"m = {m:.4g} with standard error {se_m:.4g}")
    peak = Bass(p=float(theta[0]), q=float(theta[1])).peak_time
    horizon = float(n_obs if effort is None else effort.sum())
    if peak > horizon:
        warnings.warn(
            f"{owner}: the fitted peak (effective time {peak:.3g}) lies after the data "
            f"({horizon:g}); m = {m:.4g} is an extrapolation. Consider fixing m or giving "
            "m_bounds.",
            ShequnWarning,
            stacklevel=3,
        )


def _gauss_loglik(rss: float, n: int) -> float:
    if rss <= 0:
        return math.inf
    return -0.5 * n * (math.log(2 * math.pi * rss / n) + 1.0)


def _fit_nls(
    y: FloatArray, X: FloatArray, m_fixed: float | None, m_lo: float, m_hi: float
) -> tuple[FloatArray, FloatArray, float]:
    p0, q0, m0 = _grid_start(y, X, m_fixed, m_lo, m_hi)
    free_m = m_fixed is None
    lo = [math.log(_P_BOUNDS[0]), math.log(_Q_BOUNDS[0])]
    hi = [math.log(_P_BOUNDS[1]), math.log(_Q_BOUNDS[1])]
    start = [math.log(p0), math.log(q0)]
    if free_m:
        lo.append(math.log(m_lo))
        hi.append(math.log(m_hi))
        start.append(math.log(min(max(m0, m_lo * (1 + 1e-9)), m_hi * (1 - 1e-9))))
    start_arr = np.clip(np.asarray(start), np.asarray(lo) + 1e-12, np.asarray(hi) - 1e-12)

    def unpack(u: FloatArray) -> tuple[float, float, float]:
        e = np.exp(u)
        return float(e[0]), float(e[1]), float(e[2]) if free_m else float(m_fixed)  # type: ignore[arg-type]

    def resid(u: FloatArray) -> FloatArray:
        p, q, m = unpack(u)
        fitted, _ = _curve_and_jac(X, p, q, m)
        return fitted - y

    def jac(u: FloatArray) -> FloatArray:
        p, q, m = unpack(u)
        _, J = _curve_and_jac(X, p, q, m)
        J = J if free_m else J[:, :2]
        return J * np.exp(u)[None, :]

    lo_a, hi_a = np.asarray(lo), np.asarray(hi)
    res = None
    if len(y) >= start_arr.shape[0]:
        # unconstrained Levenberg-Marquardt in log space (MINPACK, fast); keep it only if it
        # stays inside the box, otherwise redo with the bounded trust-region method
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                lm = optimize.least_squares(
                    resid,
                    start_arr,
                    jac=jac,
                    method="lm",
                    xtol=1e-12,
                    ftol=1e-12,
                    gtol=1e-12,
                    max_nfev=2000,
                )
            except (ValueError, FloatingPointError):  # pragma: no cover - defensive
                lm = None
        if (
            lm is not None
            and lm.status > 0
            and np.all(np.isfinite(lm.x))
            and np.all(lm.x >= lo_a)
            and np.all(lm.x <= hi_a)
        ):
            res = lm
    if res is None:
        res = optimize.least_squares(
            resid,
            start_arr,
            jac=jac,
            bounds=(lo, hi),
            method="trf",
            x_scale=1.0,
            xtol=1e-12,
            ftol=1e-12,
            gtol=1e-12,
            max_nfev=2000,
        )
    if res.status <= 0:
        raise ConvergenceError(
            f"fit_bass: least squares did not converge ({res.message}); try method='mle', fix "
            "m or give m_bounds"
        )
    p, q, m = unpack(res.x)
    fitted, J = _curve_and_jac(X, p, q, m)
    rss = float(((y - fitted) ** 2).sum())
    k = 3 if free_m else 2
    dof = y.shape[0] - k
    sigma2 = rss / dof if dof > 0 else math.nan
    Jf = J if free_m else J[:, :2]
    cov = np.zeros((3, 3))
    try:
        cov_f = sigma2 * np.linalg.inv(Jf.T @ Jf)
    except np.linalg.LinAlgError:
        cov_f = np.full((k, k), math.inf)
    cov[:k, :k] = cov_f
    return np.array([p, q, m]), cov, sigma2


def _fit_ols(
    y: FloatArray, X: FloatArray, x: FloatArray, m_fixed: float | None
) -> tuple[FloatArray, FloatArray, float]:
    """Bass (1969): n_t = x_t (a + b N_{t-1} + c N_{t-1}^2), solved for p, q, m."""
    N = np.concatenate([[0.0], np.cumsum(y)[:-1]])
    if m_fixed is None:
        D = np.column_stack([np.ones_like(N), N, N * N]) * x[:, None]
    else:
        D = np.column_stack([m_fixed - N, N * (m_fixed - N) / m_fixed]) * x[:, None]
    scale = np.abs(D).max(axis=0)
    scale[scale == 0] = 1.0
    Ds = D / scale
    coef_s, *_ = np.linalg.lstsq(Ds, y, rcond=None)
    coef = coef_s / scale
    r = y - D @ coef
    k = D.shape[1]
    dof = y.shape[0] - k
    sigma2 = float(r @ r) / dof if dof > 0 else math.nan
    try:
        cov_c = sigma2 * np.linalg.inv(Ds.T @ Ds) / np.outer(scale, scale)
    except np.linalg.LinAlgError:
        cov_c = np.full((k, k), math.inf)
    advice = (
        "fit_bass(method='ols'): the regression n_t = a + b N_(t-1) + c N_(t-1)^2 gave "
        "coefficients with no valid Bass solution ({}); use method='nls' or 'mle', or fix m"
    )
    if m_fixed is not None:
        p, q = float(coef[0]), float(coef[1])
        if p <= 0 or q <= 0:
            raise ConvergenceError(advice.format(f"p = {p:.4g}, q = {q:.4g}"))
        cov = np.zeros((3, 3))
        cov[:2, :2] = cov_c
        return np.array([p, q, m_fixed]), cov, sigma2

    def solve(abc: FloatArray) -> FloatArray:
        a, b, c = abc
        disc = b * b - 4 * a * c
        m = (-b - math.sqrt(disc)) / (2 * c)
        return np.array([a / m, -c * m, m])

    a, b, c = (float(v) for v in coef)
    if c >= 0 or b * b - 4 * a * c < 0 or a <= 0:
        raise ConvergenceError(advice.format(f"a = {a:.4g}, b = {b:.4g}, c = {c:.4g}"))
    theta = solve(coef)
    if (theta <= 0).any():
        raise ConvergenceError(advice.format(f"p, q, m = {theta.tolist()}"))
    # delta method: numerical gradient of (p, q, m) with respect to (a, b, c)
    G = np.empty((3, 3))
    for j in range(3):
        h = 1e-6 * max(abs(coef[j]), 1e-12)
        up, dn = coef.copy(), coef.copy()
        up[j] += h
        dn[j] -= h
        G[:, j] = (solve(up) - solve(dn)) / (2 * h)
    return theta, G @ cov_c @ G.T, sigma2


def _mle_nll_grad(
    theta: FloatArray, y: FloatArray, X: FloatArray, free_m: bool
) -> tuple[float, FloatArray]:
    p, q, m = (float(v) for v in theta)
    NT = float(y.sum())
    F = _cdf(X, p, q)
    dFp, dFq = _cdf_grad(X, p, q)
    dF = np.diff(F)
    if (dF <= 0).any() or m < NT:
        return math.inf, np.zeros(3)
    S = 1.0 - F[-1]
    R = m - NT
    pos = y > 0
    ll = float((y[pos] * np.log(dF[pos])).sum())
    g = np.zeros(3)
    g[0] = float((y * np.diff(dFp) / dF).sum())
    g[1] = float((y * np.diff(dFq) / dF).sum())
    if R > 0:
        if S <= 0:
            return math.inf, np.zeros(3)
        ll += R * math.log(S)
        g[0] -= R * dFp[-1] / S
        g[1] -= R * dFq[-1] / S
    if free_m:
        ll += float(special.gammaln(m + 1) - special.gammaln(R + 1))
        g[2] = float(special.digamma(m + 1) - special.digamma(R + 1)) + (
            math.log(S) if S > 0 else -math.inf
        )
    return -ll, -g


def _fit_mle(
    y: FloatArray, X: FloatArray, m_fixed: float | None, m_lo: float, m_hi: float
) -> tuple[FloatArray, FloatArray, float]:
    NT = float(y.sum())
    free_m = m_fixed is None
    try:  # least squares is consistent for counts too and a close start for the likelihood
        start, _, _ = _fit_nls(y, X, m_fixed, m_lo, m_hi)
        p0, q0, m0 = (float(v) for v in start)
    except ConvergenceError:  # pragma: no cover - fall back to the grid
        p0, q0, m0 = _grid_start(y, X, m_fixed, m_lo, m_hi)
    consts = -float(special.gammaln(y + 1).sum())
    if free_m:
        # m = NT + R with log R free, bounded so that m stays inside [m_lo, m_hi]
        r_lo = math.log(max(m_lo - NT, 1e-6))
        r_hi = math.log(m_hi - NT)

        def to_theta(u: FloatArray) -> FloatArray:
            return np.array([math.exp(u[0]), math.exp(u[1]), NT + math.exp(u[2])])

        u0 = np.array(
            [math.log(p0), math.log(q0), min(max(math.log(max(m0 - NT, 0.05 * NT)), r_lo), r_hi)]
        )
        bounds = [
            (math.log(_P_BOUNDS[0]), math.log(_P_BOUNDS[1])),
            (math.log(_Q_BOUNDS[0]), math.log(_Q_BOUNDS[1])),
            (r_lo, r_hi),
        ]
    else:
        assert m_fixed is not None
        mf = m_fixed

        def to_theta(u: FloatArray) -> FloatArray:
            return np.array([math.exp(u[0]), math.exp(u[1]), mf])

        u0 = np.array([math.log(p0), math.log(q0)])
        bounds = [
            (math.log(_P_BOUNDS[0]), math.log(_P_BOUNDS[1])),
            (math.log(_Q_BOUNDS[0]), math.log(_Q_BOUNDS[1])),
        ]

    def fun(u: FloatArray) -> tuple[float, FloatArray]:
        theta = to_theta(u)
        f, g = _mle_nll_grad(theta, y, X, free_m)
        if not math.isfinite(f):
            return 1e300, np.zeros_like(u)
        chain = theta.copy()
        if free_m:
            chain[2] = theta[2] - NT
        return f, (g * chain)[: u.shape[0]]

    lo_b = np.array([b[0] for b in bounds])
    hi_b = np.array([b[1] for b in bounds])

    def fun_bounded(u: FloatArray) -> tuple[float, FloatArray]:
        if (u < lo_b).any() or (u > hi_b).any():
            return 1e300, np.zeros_like(u)
        return fun(u)

    res = optimize.minimize(
        fun_bounded, u0, jac=True, method="BFGS", options={"maxiter": 2000, "gtol": 1e-8}
    )
    theta = to_theta(np.clip(res.x, lo_b, hi_b))
    nll, _ = _mle_nll_grad(theta, y, X, free_m)
    if not math.isfinite(nll):
        raise ConvergenceError("fit_bass(method='mle') did not converge; try method='nls' or fix m")
    k = 3 if free_m else 2
    H = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * theta[j]
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        H[:, j] = (
            _mle_nll_grad(up, y, X, free_m)[1][:k] - _mle_nll_grad(dn, y, X, free_m)[1][:k]
        ) / (2 * h)
    H = 0.5 * (H + H.T)
    cov = np.zeros((3, 3))
    try:
        cov[:k, :k] = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        cov[:k, :k] = math.inf
    return theta, cov, -nll + consts


def fit_bass(
    adoptions: ArrayLike,
    *,
    method: str = "nls",
    m: float | None = None,
    m_bounds: tuple[float, float] | None = None,
    effort: ArrayLike | None = None,
    level: float = 0.95,
) -> BassFit:
    """Fit the Bass (or generalised Bass) model to adoptions per period.

    Parameters
    ----------
    adoptions
        Non-negative adoption counts (or volumes) for consecutive periods ``1..T`` starting at
        launch; at least as many periods as free parameters (3, or 2 with ``m`` fixed).
    method
        ``"nls"``: least squares on ``m (F(k) - F(k-1))`` (Srinivasan & Mason 1986), standard
        errors from the Jacobian. ``"ols"``: the regression ``n_k = a + b N_{k-1} +
        c N_{k-1}^2`` of Bass (1969), standard errors by the delta method; a discrete
        approximation, biased by about one period's worth of ``(p + q)``. ``"mle"``:
        multinomial likelihood of adoption times censored into periods, with ``m - N_T``
        non-adopters censored at ``T`` (Schmittlein & Mahajan 1982), standard errors from the
        observed information; for counts of people.
    m
        Fix the market potential (e.g. the size of the community); must be >= the total
        adoptions.
    m_bounds
        A plausible range ``(low, high)`` for ``m`` when it is estimated; ``low`` must be >= the
        total adoptions. Without it ``m`` is searched up to ``10^4`` times the total.
    effort
        Marketing effort per period (generalised Bass, :func:`bkj_effort`), same length as
        ``adoptions``, all > 0; ``None`` means constant effort 1 (plain Bass).
    level
        Confidence level for intervals.

    Returns
    -------
    BassFit

    Raises
    ------
    InvalidParameterError
        For bad input: negative or non-finite adoptions, too few periods, ``m`` below the total
        adoptions, an effort series of the wrong length.
    ConvergenceError
        When ``m`` cannot be identified (the series has not turned yet) or a method fails; the
        message says what to try.

    Examples
    --------
    >>> truth = Bass(p=0.03, q=0.38, m=1000)
    >>> y = truth.adoptions(20)
    >>> fit_bass(y, method="nls").estimates[:2].round(4).tolist()
    [0.03, 0.38]
    >>> fit_bass(y, method="mle", m=1000).m_fixed
    True
    >>> fit_bass([10, -1, 5])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `fit_bass.adoptions` must be >= 0 (index 1); got -1.0
    """
    owner = "fit_bass"
    y = np.asarray(
        check_array(adoptions, owner=owner, field="adoptions", ndim=1, nonnegative=True),
        dtype=np.float64,
    )
    method = check_choice(method, ["nls", "ols", "mle"], owner=owner, field="method")
    lv = check_level(level, owner=owner)
    k = 2 if m is not None else 3
    if y.shape[0] < k:
        raise fail(
            owner, "adoptions", f"have at least {k} periods (one per free parameter)", y.shape[0]
        )
    NT = float(y.sum())
    if NT <= 0:
        raise fail(owner, "adoptions", "contain some adoptions (the total is 0)", NT)
    if m is not None and m_bounds is not None:
        raise fail(owner, "m_bounds", "be None when m is fixed", m_bounds)
    m_fixed: float | None = None
    if m is not None:
        m_fixed = check_positive(m, owner=owner, field="m")
        if m_fixed < NT:
            raise fail(owner, "m", f"be >= the total adoptions observed ({NT:g})", m)
    if m_bounds is not None:
        if not isinstance(m_bounds, tuple | list) or len(m_bounds) != 2:
            raise fail(owner, "m_bounds", "be a pair (low, high)", m_bounds)
        m_lo = check_positive(m_bounds[0], owner=owner, field="m_bounds")
        m_hi = check_positive(m_bounds[1], owner=owner, field="m_bounds")
        if m_lo < NT:
            raise fail(
                owner, "m_bounds", f"start at or above the total adoptions ({NT:g})", m_bounds
            )
        if m_hi <= m_lo:
            raise fail(owner, "m_bounds", "be an increasing pair (low < high)", m_bounds)
    else:
        m_lo, m_hi = NT, NT * _M_MAX_FACTOR
    x: FloatArray | None = None
    if effort is not None:
        x = _effort_array(effort, owner)
        if x.shape[0] != y.shape[0]:
            raise fail(owner, "effort", f"have one value per period ({y.shape[0]})", x.shape[0])
    X = (
        np.arange(0, y.shape[0] + 1, dtype=np.float64)
        if x is None
        else np.concatenate([[0.0], np.cumsum(x)])
    )

    ll: float
    try:
        if method == "nls":
            theta, cov, sigma2 = _fit_nls(y, X, m_fixed, m_lo, m_hi)
        elif method == "ols":
            theta, cov, sigma2 = _fit_ols(y, X, np.ones_like(y) if x is None else x, m_fixed)
        else:
            theta, cov, ll = _fit_mle(y, X, m_fixed, m_lo, m_hi)
            sigma2 = math.nan
    except (ZeroDivisionError, OverflowError, FloatingPointError, ValueError) as exc:
        if isinstance(exc, InvalidParameterError):
            raise
        # the optimiser drove p or q to the edge of the floats (a count of 1e300 next to
        # hundreds, or a fixed m of 1e300): a numerical failure, reported as such
        raise ConvergenceError(
            f"fit_bass ({method}): the optimiser met a non-finite value ({exc}); the "
            f"adoptions span {float(y.min()):.3g} to {float(y.max()):.3g}"
            + ("" if m_fixed is None else f" with m fixed at {m_fixed:.3g}")
            + ": check `fit_bass.adoptions` and `fit_bass.m` for a misplaced value or unit"
        ) from exc
    _check_identified(owner, theta, cov, m_fixed is None, m_hi, m_bounds is not None, y.shape[0], x)
    fitted, _ = _curve_and_jac(X, float(theta[0]), float(theta[1]), float(theta[2]))
    resid = y - fitted
    rss = float(resid @ resid)
    tss = float(((y - y.mean()) ** 2).sum())
    n_par = k + (0 if method == "mle" else 1)  # least squares also estimates the noise
    if method != "mle":
        ll = _gauss_loglik(rss, y.shape[0])
    return BassFit(
        method=method,
        estimates=theta,
        cov=cov,
        m_fixed=m_fixed is not None,
        adoptions=y,
        effort=x,
        fitted=fitted,
        residuals=resid,
        sigma2=sigma2,
        dof=y.shape[0] - k,
        log_likelihood=ll,
        aic=2 * n_par - 2 * ll,
        r2=1.0 - rss / tss if tss > 0 else math.nan,
        level=lv,
    )
