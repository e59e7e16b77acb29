"""Drawing from a power law and its exact discrete pmf.

Continuous draws are :math:`x = x_{min} (1 - U)^{-1/(\\alpha - 1)}` (CSN Eq. D.4). Discrete draws
are exact: inverse CDF with Hurwitz-zeta tail sums (:func:`_sample_discrete`), not the rounding
approximation :math:`\\lfloor (x_{min} - 1/2) U^{-1/(\\alpha - 1)} + 1/2 \\rfloor` that biases
synthetic data (and with them bootstrap p-values).

A power law with an exponent close to 1 puts mass beyond the largest float
(:math:`P(X > x) = (x / x_{min})^{1 - \\alpha}`): such requests are refused with the numbers,
never answered with ``inf``.

Examples
--------
>>> from shequn.longtail.fit.sampling import powerlaw_pmf, sample_powerlaw
>>> x = sample_powerlaw(4, alpha=2.5, xmin=1, discrete=True, rng=0)
>>> bool((x >= 1).all() and (x == x.round()).all())
True
>>> round(float(powerlaw_pmf(1, alpha=2.0, xmin=1)), 12)  # 6 / pi^2
0.607927101854
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from shequn._typing import FloatArray
from shequn._validation import (
    check_array,
    check_bool,
    check_in_range,
    check_int,
    check_memory,
    fail,
)
from shequn.longtail._special import hurwitz_zeta
from shequn.rng import RNGLike, resolve_rng

__all__ = ["powerlaw_pmf", "sample_powerlaw"]

_FLOAT_MAX = sys.float_info.max
OVERFLOW_RISK = 1e-9
"""Largest accepted chance that any draw of a request exceeds the largest float."""


def check_exponent(alpha: Any, *, owner: str, field: str = "alpha") -> float:
    """``alpha`` as a float if it is a finite number > 1 (a normalisable power law)."""
    return check_in_range(
        alpha, owner=owner, field=field, low=1.0, high=math.inf, low_open=True, high_open=True
    )


def check_xmin(xmin: Any, *, owner: str, discrete: bool, field: str = "xmin") -> float:
    """``xmin`` as a float if it is finite and > 0 (a whole number >= 1 when discrete)."""
    xm = check_in_range(
        xmin, owner=owner, field=field, low=0.0, high=math.inf, low_open=True, high_open=True
    )
    if discrete and (xm != round(xm) or xm < 1.0):
        raise fail(owner, field, "be a whole number >= 1 for a discrete power law", xmin)
    return xm


def check_draws_fit(n: int, alpha: float, xmin: float, *, owner: str, field: str) -> None:
    """Refuse ``n`` draws whose chance of exceeding the largest float is above 1e-9.

    :math:`P(X > F) = (F / x_{min})^{1 - \\alpha}` for the largest float F; the expected number
    of such draws among ``n`` must stay below :data:`OVERFLOW_RISK`.

    Examples
    --------
    >>> check_draws_fit(5, 2.5, 1.0, owner="sample_powerlaw", field="alpha")
    >>> check_draws_fit(5, 1.0000001, 1.0, owner="sample_powerlaw", field="alpha")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `sample_powerlaw.alpha` must be at least 1.03146 \
with xmin=1 and n=5, so that no draw exceeds the largest float (P(X > 1.8e+308) = 0.99993 \
per draw; the chance of any must stay below 1e-09); got 1.0000001
    """
    if n == 0:
        return
    span = math.log(_FLOAT_MAX) - math.log(xmin)
    if span <= 0:
        raise fail(owner, "xmin", "be below the largest float", xmin)
    log_risk = math.log(n) - (alpha - 1.0) * span
    if log_risk > math.log(OVERFLOW_RISK):
        least = 1.0 + (math.log(n) - math.log(OVERFLOW_RISK)) / span
        p = math.exp(-(alpha - 1.0) * span)
        raise fail(
            owner,
            field,
            f"be at least {least:.6g} with xmin={xmin:g} and n={n}, so that no draw exceeds "
            f"the largest float (P(X > {_FLOAT_MAX:.2g}) = {p:.5g} per draw; the chance of any "
            f"must stay below {OVERFLOW_RISK:g})",
            alpha,
        )


def powerlaw_pmf(x: ArrayLike, *, alpha: float, xmin: int) -> FloatArray:
    """Exact pmf of the discrete power law, :math:`x^{-\\alpha} / \\zeta(\\alpha, x_{min})`.

    Parameters
    ----------
    x
        Whole numbers (any shape); the pmf is 0 below ``xmin``.
    alpha
        Exponent, finite and > 1.
    xmin
        Smallest value of the law, a whole number >= 1.

    Examples
    --------
    >>> round(float(powerlaw_pmf(1, alpha=2.0, xmin=1)), 12)  # 6 / pi^2
    0.607927101854
    >>> powerlaw_pmf([1.5], alpha=2.0, xmin=1)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `powerlaw_pmf.x` must hold integers (index 0); got 1.5
    """
    owner = "powerlaw_pmf"
    a = check_exponent(alpha, owner=owner)
    xm = check_xmin(xmin, owner=owner, discrete=True)
    xa = check_array(x, owner=owner, field="x", integer=True)
    with np.errstate(under="ignore"):
        logp = -a * np.log(np.maximum(xa, xm)) - math.log(float(special.zeta(a, xm)))
        out: FloatArray = np.where(xa >= xm, np.exp(logp), 0.0)
    return out


def _sample_discrete(
    n: int, alpha: float, xmin: float, gen: np.random.Generator, table: int = 4096
) -> FloatArray:
    """Exact inverse-CDF sampling of the discrete power law.

    X = max{x >= xmin : S(x) >= U} with S(x) = P(X >= x) = zeta(alpha, x) / zeta(alpha, xmin)
    and U uniform on (0, 1]. A table of S over [xmin, xmin + table) serves most draws; the rest
    are found by bisection with the exact S: over the integers below 2**53, and beyond it over
    the floats (which hold only every second, fourth, ... integer there, so a draw is the
    nearest float to the exact integer). :func:`sample_powerlaw` refuses parameters for which
    a draw could exceed the largest float.
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
        approx = np.minimum(approx, _FLOAT_MAX / 4.0)
        lo = np.maximum(grid[-1], np.floor(approx / 2.0))
        hi = np.minimum(np.maximum(lo + 1.0, np.ceil(approx * 2.0) + 1.0), _FLOAT_MAX)
        for _ in range(200):
            bad_lo = hurwitz_zeta(alpha, lo) / z0 < uf
            if not bad_lo.any():
                break
            lo = np.where(bad_lo, np.maximum(grid[-1], np.floor(lo / 2.0)), lo)
        for _ in range(200):
            bad_hi = (hurwitz_zeta(alpha, hi) / z0 >= uf) & (hi < _FLOAT_MAX)
            if not bad_hi.any():
                break
            with np.errstate(over="ignore"):
                hi = np.where(bad_hi, np.minimum(hi * 2.0, _FLOAT_MAX), hi)
        # invariant: S(lo) >= u > S(hi); bisection ends when no whole float lies between
        for _ in range(2100):  # at most 1024 halvings of the exponent range and 53 of a mantissa
            mid = np.floor(lo / 2.0 + hi / 2.0)
            gap = (hi - lo > 1.0) & (mid > lo) & (mid < hi)
            if not gap.any():
                break
            ge = hurwitz_zeta(alpha, np.where(gap, mid, lo)) / z0 >= uf
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
) -> FloatArray:
    """Draw ``n`` values from a continuous or (exactly) discrete power law.

    Continuous: :math:`x = x_{min} (1 - U)^{-1/(\\alpha - 1)}` (CSN Eq. D.4). Discrete: exact
    inverse CDF with Hurwitz-zeta tail sums (no rounding approximation). An exponent so close
    to 1 that a draw could exceed the largest float is refused (see :func:`check_draws_fit`).

    Examples
    --------
    >>> x = sample_powerlaw(5, alpha=2.5, xmin=3, discrete=True, rng=0)
    >>> bool((x >= 3).all() and (x == x.round()).all())
    True
    """
    owner = "sample_powerlaw"
    n = check_int(n, owner=owner, field="n", low=0)
    a = check_exponent(alpha, owner=owner)
    check_bool(discrete, owner=owner, field="discrete")
    xm = check_xmin(xmin, owner=owner, discrete=bool(discrete))
    check_memory(16.0 * n, owner=owner, field="n", value=n)
    check_draws_fit(n, a, xm, owner=owner, field="alpha")
    gen = resolve_rng(rng, owner=owner)
    if discrete:
        out = _sample_discrete(n, a, xm, gen)
    else:
        out = xm * (1.0 - gen.random(n)) ** (-1.0 / (a - 1.0))
    if not np.isfinite(out).all():  # pragma: no cover - a chance below OVERFLOW_RISK
        raise fail(owner, "alpha", "keep every draw below the largest float", alpha)
    return out
