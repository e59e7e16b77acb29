"""Long-tail plots: the empirical CCDF of the data with the fitted power-law tail.

matplotlib is imported lazily (the ``plot`` extra); functions take ``ax=None`` and return the
Axes they drew on.

Examples
--------
>>> matplotlib = __import__("pytest").importorskip("matplotlib")
>>> matplotlib.use("Agg")
>>> from shequn.longtail import fit_powerlaw, sample_powerlaw
>>> from shequn.plotting.longtail import plot_ccdf
>>> fit = fit_powerlaw(sample_powerlaw(500, alpha=2.5, xmin=1.0, rng=1), compare_with=())
>>> ax = plot_ccdf(fit)
>>> ax.get_ylabel()
'P(X >= x)'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shequn._optional import optional_import
from shequn._validation import check_bool, fail
from shequn.longtail.fit import PowerLawFit

__all__ = ["empirical_ccdf", "plot_ccdf"]


def empirical_ccdf(fit: PowerLawFit) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Distinct values and the empirical :math:`P(X \\ge x)` of all the fitted data.

    Examples
    --------
    >>> from shequn.longtail import fit_powerlaw
    >>> f = fit_powerlaw(np.arange(1.0, 21.0), xmin=1.0, compare_with=())
    >>> x, p = empirical_ccdf(f)
    >>> float(p[0]), float(p[-1])
    (1.0, 0.05)
    """
    if not isinstance(fit, PowerLawFit):
        raise fail("empirical_ccdf", "fit", "be a PowerLawFit", fit)
    r_ge = np.cumsum(fit.counts[::-1])[::-1]
    return fit.values, r_ge / fit.n


def plot_ccdf(fit: PowerLawFit, *, ax: Any = None, show_fit: bool = True, **kwargs: Any) -> Any:
    """Plot the empirical CCDF on log-log axes with the fitted tail (dashed) from ``xmin``.

    The fitted line is scaled by ``n_tail / n`` so that it joins the empirical CCDF at ``xmin``.
    Extra keyword arguments go to the data markers.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.longtail import fit_powerlaw, sample_powerlaw
    >>> f = fit_powerlaw(sample_powerlaw(300, alpha=2.0, xmin=1.0, rng=2), compare_with=())
    >>> len(plot_ccdf(f).lines)  # the data, the fitted tail and the xmin marker
    3
    """
    check_bool(show_fit, owner="plot_ccdf", field="show_fit")
    plt = optional_import("matplotlib.pyplot", extra="plot")
    if ax is None:
        _, ax = plt.subplots()
    x, p = empirical_ccdf(fit)
    style = {"marker": ".", "linestyle": "none", "label": "data"}
    style.update(kwargs)
    ax.plot(x, p, **style)
    if show_fit:
        grid = np.geomspace(fit.xmin, float(fit.values[-1]), 200)
        ax.plot(
            grid,
            fit.ccdf(grid) * fit.n_tail / fit.n,
            "--",
            label=f"power law, alpha={fit.alpha:.2f}, xmin={fit.xmin:g}",
        )
        ax.axvline(fit.xmin, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("x")
    ax.set_ylabel("P(X >= x)")
    ax.legend()
    return ax
