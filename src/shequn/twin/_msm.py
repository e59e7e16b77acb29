"""Method of simulated moments with common random numbers (scipy.optimize.least_squares).

The moments are the observed weekly series themselves, each point scaled by the standard
deviation of a single simulation at the starting point (a pilot): the distance is
``Σ ((y − m̄(θ)) / σ)²`` with ``m̄(θ)`` the mean of ``R`` simulations on *fixed* streams
(common random numbers), which makes the distance a (nearly) smooth function of ``θ`` that a
standard optimiser can minimise. ``scipy.optimize.least_squares`` (trust-region reflective)
does, on the unbounded ``z`` scale, with a forward-difference Jacobian computed in one batch
(``p × R`` simulations on the executor).

Uncertainty comes from a local design around the optimum: ``design`` simulations at points
drawn uniformly in a box (half-width three first-pass standard errors from the optimiser's
Jacobian, between 0.5 and ``design_width``) on fresh streams, and the linear regression of every
scaled point of the series on ``z`` (the emulator ``m(z) ≈ a + G (z − z_opt)``). The regression
averages the simulation noise over the whole design (finite differences over common streams
are too noisy for this engine, whose runs diverge after one changed decision). Its Gauss-Newton
step moves the estimate: the optimiser stops early on the noisy distance, so the design is
re-centred on the step (at most ``rounds`` designs) until the step stays within half the box,
each round re-weighting the points by the previous design's residual spread. The estimate's
sampling distribution is then bootstrapped: resampling the design's runs re-estimates the
emulator (its noise), and a resampled residual vector added to the emulator's prediction at the
estimate stands in for the observed series (the data's noise; residuals inflated by
``sqrt(n / dof)``). The bootstrap draws are the posterior sample (a flat prior on ``z``); a
parameter the series do not move gets an emulator column of pure noise, and its draws scatter
over the whole range. ``signal`` is the largest t-statistic of a parameter's effect on a
summary of one series (:func:`_signal`): below 3, the series do not show the parameter.
"""

from __future__ import annotations

import math
import time

import attrs
import numpy as np
from scipy import optimize

from shequn._typing import FloatArray
from shequn.twin._problem import Problem

__all__ = ["MSMFit", "fit_msm", "point_scale"]


def point_scale(sims: FloatArray, n_series: int) -> FloatArray:
    """Per-point standard deviation of one simulation, floored per series.

    Points with (nearly) no variance would get infinite weight; each series' points are
    floored at the larger of a tenth of its median variance, (1 % of its mean level)² and a
    quarter (half a count).

    Examples
    --------
    >>> sims = np.array([[1.0, 10.0, 5.0, 5.0], [3.0, 14.0, 5.0, 5.0]])
    >>> point_scale(sims, 2).round(3).tolist()
    [1.414, 2.828, 0.5, 0.5]
    """
    var = sims.var(axis=0, ddof=1)
    level = np.abs(sims.mean(axis=0))
    out = np.empty_like(var)
    per = var.size // n_series
    for k in range(n_series):
        sl = slice(k * per, (k + 1) * per)
        floor = max(0.1 * float(np.median(var[sl])), (0.01 * float(level[sl].mean())) ** 2, 0.25)
        out[sl] = np.maximum(var[sl], floor)
    result: FloatArray = np.sqrt(out)
    return result


@attrs.frozen(kw_only=True)
class MSMFit:
    """What :func:`fit_msm` found (on the ``z`` scale)."""

    z: FloatArray
    cov: FloatArray
    draws: FloatArray
    jacobian: FloatArray
    omega: FloatArray
    sigma: FloatArray
    signal: FloatArray
    distance: float
    iterations: int
    rounds: int
    converged: bool
    message: str
    seconds: float


def fit_msm(
    problem: Problem,
    z0: FloatArray,
    *,
    replications: int = 8,
    pilot: int = 24,
    design: int = 96,
    design_width: float = 1.5,
    step: float = 0.2,
    draws: int = 400,
    rounds: int = 3,
    max_evaluations: int = 40,
    rng: np.random.SeedSequence,
) -> MSMFit:
    """Minimise the scaled distance over common random numbers; sandwich covariance.

    Parameters
    ----------
    problem
        The calibration problem.
    z0
        Starting point (``z`` scale).
    replications
        ``R``: simulations averaged per evaluation, on the same streams at every point.
    pilot
        Simulations at ``z0`` that set the per-point scale.
    design
        Simulations of the local design around the optimum (Jacobian, ``Ω``).
    design_width
        Largest half-width of the design box on the ``z`` scale.
    step
        Finite-difference step on the ``z`` scale (a step of 0.2 moves a parameter in the
        middle of its range by about 5 % of the range).
    draws
        Bootstrap draws of the estimate (the posterior sample).
    rounds
        Most local designs: the design is re-centred on the emulator's step until the step
        stays within half the box.
    max_evaluations
        Budget of distance evaluations for the optimiser.
    rng
        Seed sequence (children: pilot, common streams, Ω runs).
    """
    t0 = time.perf_counter()
    s_pilot, s_crn, s_omega = rng.spawn(3)
    p = problem.p
    K = len(problem.series)
    sims0 = problem.simulate(np.repeat(z0[None, :], pilot, axis=0), s_pilot.spawn(pilot))
    sigma = point_scale(sims0, K)
    y = problem.y
    crn = s_crn.spawn(replications)
    cache: dict[bytes, FloatArray] = {}

    def mean_at(zs: FloatArray) -> FloatArray:
        """Mean simulated series at each row of ``zs`` over the common streams."""
        todo = [z for z in zs if z.tobytes() not in cache]
        if todo:
            batch = np.repeat(np.asarray(todo), replications, axis=0)
            seeds = crn * len(todo)
            sims = problem.simulate(batch, seeds).reshape(len(todo), replications, -1)
            for z, s in zip(todo, sims, strict=True):
                cache[z.tobytes()] = s.mean(axis=0)
        return np.asarray([cache[z.tobytes()] for z in zs])

    def resid(z: FloatArray) -> FloatArray:
        out: FloatArray = (y - mean_at(z[None, :])[0]) / sigma
        return out

    def jac(z: FloatArray) -> FloatArray:
        pts = np.vstack([z, z + step * np.eye(p)])
        m = mean_at(pts)
        out: FloatArray = -((m[1:] - m[0]) / step / sigma).T
        return out

    res = optimize.least_squares(
        resid,
        z0,
        jac=jac,
        method="trf",
        x_scale=1.0,
        ftol=1e-4,
        xtol=1e-3,
        gtol=1e-6,
        max_nfev=max_evaluations,
    )
    z_c = np.asarray(res.x, dtype=np.float64)
    # a local design around the current estimate on fresh streams; the linear regression of
    # every scaled point on z is the emulator (noise averaged over the whole design); its
    # Gauss-Newton step moves the estimate; the design is re-centred until the step stays well
    # inside it, and each round re-weights the points by the design's residual spread.
    J = np.asarray(res.jac, dtype=np.float64)
    sd0 = np.sqrt(np.diag(np.linalg.pinv(J.T @ J)))  # a first scale (ignores Ω and noise)
    half = np.clip(3.0 * sd0, 0.5, design_width)
    gen = np.random.default_rng(s_omega.spawn(1)[0])
    round_seeds = s_omega.spawn(rounds)
    for rnd in range(rounds):
        delta = gen.uniform(-1.0, 1.0, size=(design, p)) * half
        sims = problem.simulate(z_c + delta, round_seeds[rnd].spawn(design))
        X = np.column_stack([np.ones(design), delta])
        Ys = sims / sigma
        coef, *_ = np.linalg.lstsq(X, Ys, rcond=None)
        e = Ys - X @ coef
        G: FloatArray = np.asarray(coef[1:].T, dtype=np.float64)  # d (m / sigma) / d z
        gap = y / sigma - coef[0]
        step_ = np.linalg.lstsq(G, gap, rcond=None)[0]
        inside = bool(np.all(np.abs(step_) <= 0.5 * half))
        if inside or rnd == rounds - 1:
            break
        z_c = z_c + np.clip(step_, -half, half)
        sigma = point_scale(e * sigma, K)  # the spread of one run around the emulator
    z_opt = z_c
    dof = design - p - 1
    signal = _signal(X, Ys, K)
    move = np.clip(step_, -half, half)
    z = z_opt + move
    distance = float(np.sum((gap - G @ move) ** 2))
    # its sampling distribution: bootstrap the design (emulator noise) and the residuals (the
    # data's noise) around the estimate
    inflate = math.sqrt(design / dof)
    y_hat = coef[0] + G @ move
    boot = np.empty((draws, p))
    for b in range(draws):
        rows = gen.integers(0, design, design)
        cb, *_ = np.linalg.lstsq(X[rows], Ys[rows], rcond=None)
        y_star = y_hat + inflate * e[gen.integers(0, design)]
        d_star = np.linalg.lstsq(cb[1:].T, y_star - cb[0], rcond=None)[0]
        boot[b] = z_opt + d_star
    cov = np.cov(boot, rowvar=False).reshape(p, p)
    return MSMFit(
        z=z,
        cov=cov,
        draws=boot,
        jacobian=G,
        omega=e,
        sigma=sigma,
        signal=signal,
        distance=distance,
        iterations=int(res.nfev),
        rounds=rnd + 1,
        converged=bool(res.status > 0),
        message=str(res.message),
        seconds=time.perf_counter() - t0,
    )


def _signal(X: FloatArray, Y: FloatArray, n_series: int) -> FloatArray:
    """Per parameter, the largest |t| with which it moves a summary of one series.

    Each series is summarised twice per simulation: its total over the weeks and the
    difference between its second and first half (level and trend). Each summary is regressed
    on the design; the t-statistics of a parameter's coefficient are independent of the
    correlation between weeks. Under no effect the largest of the ``2 K`` |t| exceeds 3 with
    probability about 5 % (Bonferroni), so below 3 the series do not show the parameter.
    """
    n, k = X.shape
    per = Y.shape[1] // n_series
    cols = []
    for j in range(n_series):
        block = Y[:, j * per : (j + 1) * per]
        cols.append(block.sum(axis=1))
        h = per // 2
        cols.append(block[:, per - h :].sum(axis=1) - block[:, :h].sum(axis=1))
    S = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(X, S, rcond=None)
    r = S - X @ coef
    s2 = (r**2).sum(axis=0) / max(n - k, 1)
    v = np.diag(np.linalg.inv(X.T @ X))[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(coef[1:]) / np.sqrt(np.outer(v, s2))
    t = np.where(np.isfinite(t), t, 0.0)
    out: FloatArray = t.max(axis=1)
    return out
