"""Plots for the Bass family and the broadcast channel (matplotlib, the ``plot`` extra).

Every function draws on ``ax`` (a new figure's axes when ``None``) and returns the Axes.

Examples
--------
>>> _ = __import__("pytest").importorskip("matplotlib")
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from shequn.diffusion.bass import Bass, fit_bass
>>> from shequn.plotting.bass import plot_bass_forecast
>>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(12))
>>> ax = plot_bass_forecast(fit, periods=25)
>>> ax.get_xlabel()
'period'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from shequn._optional import optional_import
from shequn._validation import (
    check_bool,
    check_instance,
    check_int,
    check_memory,
)
from shequn.plotting._common import BYTES_PER_POINT

if TYPE_CHECKING:
    from shequn.diffusion.bass import BassFit
    from shequn.diffusion.reach import BudgetComparison, OpenRateFit

__all__ = ["plot_bass_forecast", "plot_budget_comparison", "plot_open_rate"]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    plt = optional_import("matplotlib.pyplot", extra="plot")
    _, new = plt.subplots()
    return new


def plot_bass_forecast(
    fit: BassFit,
    *,
    periods: int | None = None,
    level: float | None = None,
    split: bool = True,
    ax: Any = None,
) -> Any:
    """Observed adoptions, the fitted curve, the forecast with its prediction band and the peak.

    Parameters
    ----------
    fit
        A :class:`~shequn.diffusion.bass.BassFit`.
    periods
        Forecast horizon (default: twice the data, at least past the peak).
    level
        Prediction level (default the fit's).
    split
        Also draw the innovator (broadcast, ``p``) and imitator (community, ``q``) shares.
    ax
        Matplotlib Axes to draw on.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.diffusion.bass import Bass, fit_bass
    >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(12))
    >>> plot_bass_forecast(fit, periods=20, split=False).lines[0].get_label()
    'Bass fit (nls)'
    """
    from shequn.diffusion.bass import BassFit

    owner = "plot_bass_forecast"
    fit = check_instance(fit, BassFit, owner=owner, field="fit")
    split = check_bool(split, owner=owner, field="split")
    n = fit.n_obs
    model = fit.model
    if periods is None:
        horizon = max(2 * n, int(np.ceil(2 * model.peak_time)) + 1)
    else:
        horizon = check_int(periods, owner=owner, field="periods", low=1)
        # the forecast (curve, Jacobians, bands, split) and the drawn lines, per period
        check_memory(horizon * BYTES_PER_POINT, owner=owner, field="periods", value=periods)
    fc = fit.predict(horizon, level=level)
    ax = _axes(ax)
    k = fc.periods
    ax.bar(np.arange(1, n + 1), fit.adoptions, color="0.75", label="observed")
    ax.plot(k, fc.adoptions, color="C0", label=f"Bass fit ({fit.method})")
    ax.fill_between(
        k,
        np.maximum(fc.lower, 0),
        fc.upper,
        color="C0",
        alpha=0.2,
        label=f"{round(100 * fc.level)}% prediction",
    )
    if split and fit.effort is None:
        inn, imi = model.split(horizon)
        ax.plot(k, inn, color="C1", ls="--", label="innovators (p: broadcast)")
        ax.plot(k, imi, color="C2", ls="--", label="imitators (q: community)")
    if model.peak_time > 0:
        ax.axvline(model.peak_time + 0.5, color="0.4", ls=":", lw=1)
    ax.axvline(n + 0.5, color="k", lw=0.8)
    ax.set_xlabel("period")
    ax.set_ylabel("adoptions per period")
    ax.legend(frameon=False)
    return ax


def plot_open_rate(fit: OpenRateFit, audience: Any, opens: Any, *, ax: Any = None) -> Any:
    """Observed open rates against audience (log axis) with the fitted law.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.diffusion.reach import fit_open_rate
    >>> a = np.array([100.0, 1000.0, 10000.0])
    >>> ax = plot_open_rate(fit_open_rate(a, [30, 200, 1000]), a, [30, 200, 1000])
    >>> ax.get_xscale()
    'log'
    """
    from shequn.diffusion.reach import OpenRateFit
    from shequn.diffusion.reach.open_rate import check_campaigns

    owner = "plot_open_rate"
    fit = check_instance(fit, OpenRateFit, owner=owner, field="fit")
    a, o = check_campaigns(audience, opens, owner=owner, min_size=1)
    ax = _axes(ax)
    grid = np.geomspace(a.min(), a.max(), 200)
    ax.scatter(a, o / a, color="0.3", s=12, label="campaigns")
    ax.plot(grid, fit.law(grid), color="C0", label=type(fit.law).__name__)
    ax.set_xscale("log")
    ax.set_xlabel("audience")
    ax.set_ylabel("open rate")
    ax.legend(frameon=False)
    return ax


def plot_budget_comparison(comparison: BudgetComparison, *, ax: Any = None) -> Any:
    """Histograms of customers acquired per run by broadcast and by community operation.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.diffusion.reach import BroadcastCampaign, compare_budget
    >>> sms = BroadcastCampaign(audience=1, open_rate=0.1, click_rate=0.01,
    ...                         cost_per_impression=0.05)
    >>> cmp = compare_budget(100, broadcast=sms, community=lambda b, g: int(g.poisson(3)),
    ...                      runs=30, rng=0)
    >>> plot_budget_comparison(cmp).get_xlabel()
    'customers acquired'
    """
    from shequn.diffusion.reach import BudgetComparison

    check_instance(comparison, BudgetComparison, owner="plot_budget_comparison", field="comparison")
    ax = _axes(ax)
    hi = int(max(comparison.broadcast.max(), comparison.community.max()))
    bins = np.arange(0, hi + 2) - 0.5 if hi < 60 else 30
    for name, color in (("broadcast", "C3"), ("community", "C2")):
        vals = getattr(comparison, name)
        cpc = comparison.cost_per_customer(name)[0]
        ax.hist(vals, bins=bins, alpha=0.5, color=color, label=f"{name} (cost/customer {cpc:.4g})")
    ax.set_xlabel("customers acquired")
    ax.set_ylabel("runs")
    ax.set_title(f"same budget: {comparison.budget:g}")
    ax.legend(frameon=False)
    return ax
