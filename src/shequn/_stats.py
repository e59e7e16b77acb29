"""Small statistical helpers shared by result objects (means with confidence intervals).

Examples
--------
>>> from shequn._stats import mean_ci
>>> m, lo, hi = mean_ci([1.0, 2.0, 3.0])
>>> m
2.0
>>> bool(lo < 2.0 < hi)
True
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from shequn._validation import check_level

__all__ = ["mean_ci", "mean_ci_columns"]


def mean_ci(values: ArrayLike, *, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``values`` with a Student-t confidence interval at ``level``.

    With one value the interval is degenerate (NaN bounds), never silently zero-width.

    Examples
    --------
    >>> mean_ci([5.0])[0]
    5.0
    """
    level = check_level(level, owner="mean_ci")
    x = np.asarray(values, dtype=float).ravel()
    n = x.size
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if n < 2:
        return m, float("nan"), float("nan")
    se = float(x.std(ddof=1) / np.sqrt(n))
    half = float(stats.t.ppf(0.5 + level / 2, df=n - 1)) * se
    return m, m - half, m + half


def mean_ci_columns(
    values: ArrayLike, *, level: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Column-wise :func:`mean_ci` of a (runs, k) array: mean, lower and upper bounds.

    Examples
    --------
    >>> m, lo, hi = mean_ci_columns([[1.0, 2.0], [3.0, 4.0]])
    >>> m.tolist()
    [2.0, 3.0]
    """
    level = check_level(level, owner="mean_ci_columns")
    x = np.asarray(values, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n = x.shape[0]
    m = x.mean(axis=0)
    if n < 2:
        nan = np.full_like(m, np.nan)
        return m, nan, nan.copy()
    se = x.std(axis=0, ddof=1) / np.sqrt(n)
    half = float(stats.t.ppf(0.5 + level / 2, df=n - 1)) * se
    return m, m - half, m + half
