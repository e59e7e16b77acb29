"""Figures of the calibrated twin and of strategy comparisons (matplotlib, the ``plot`` extra).

* :func:`plot_bands` — one series' posterior predictive band (lower and upper lines, the
  median dashed) with the observed weeks (:class:`~shequn.twin.Predictive`, or a
  :class:`~shequn.twin.Twin`'s bands);
* :func:`plot_posterior` — a free parameter's posterior sample as a sorted curve (its empirical
  quantile function) with the interval marked;
* :func:`plot_strategies` — mean cumulative profit of each arm with its 90 % band over runs
  (:class:`~shequn.twin.StrategyComparison`);
* :func:`twin_section` — the twin as an HTML ``<section>``: its table and one band figure per
  calibrated series (inline SVG), for the CLI's HTML report.

Lines only; every function draws on ``ax`` (a new figure's Axes when ``None``) and returns it.

Examples
--------
>>> _ = __import__("pytest").importorskip("matplotlib")
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> from shequn.twin import Predictive
>>> p = Predictive(weeks=3, level=0.9, bands={"members": np.array([[1, 2, 3], [2, 3, 4],
...                [3, 4, 5]])}, observed={"members": np.array([2.0, 3.5])})
>>> [line.get_label() for line in plot_bands(p, series="members").lines]
['90% band', '_upper', 'median', 'observed']
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from shequn._optional import optional_import
from shequn._validation import check_instance, fail

if TYPE_CHECKING:
    from shequn.twin import Predictive, StrategyComparison, Twin

__all__ = ["plot_bands", "plot_posterior", "plot_strategies", "plot_twin", "twin_section"]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    plt = optional_import("matplotlib.pyplot", extra="plot")
    _, new = plt.subplots()
    return new


def _check_twin(twin: Any, owner: str) -> None:
    from shequn.twin import Twin

    check_instance(twin, Twin, owner=owner, field="twin")


def _check_series(series: Any, pred: Predictive, owner: str) -> None:
    if not isinstance(series, str) or series not in pred.bands:
        raise fail(owner, "series", f"be one of {sorted(pred.bands)}", series)


def plot_bands(pred: Predictive, *, series: str = "members", ax: Any = None) -> Any:
    """One series' predictive band and median (lines) with the observed weeks."""
    from shequn.twin import Predictive

    check_instance(pred, Predictive, owner="plot_bands", field="pred")
    _check_series(series, pred, "plot_bands")
    ax = _axes(ax)
    lo, med, hi = pred.bands[series]
    weeks = np.arange(1, lo.size + 1)
    ax.plot(weeks, lo, color="C0", label=f"{pred.level:.0%} band")
    ax.plot(weeks, hi, color="C0", label="_upper")
    ax.plot(weeks, med, color="C0", linestyle="--", label="median")
    obs = pred.observed.get(series)
    if obs is not None and obs.size:
        ax.plot(np.arange(1, obs.size + 1), obs, color="C1", marker=".", label="observed")
    ax.set_xlabel("week")
    ax.set_ylabel(series)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_twin(twin: Twin, *, series: str | None = None, ax: Any = None) -> Any:
    """A twin's posterior predictive band of ``series`` (default: its first calibrated one)."""
    _check_twin(twin, "plot_twin")
    if series is not None:
        _check_series(series, twin.predictive, "plot_twin")
    return plot_bands(twin.predictive, series=series or twin.series[0], ax=ax)


def plot_posterior(twin: Twin, *, parameter: str | None = None, ax: Any = None) -> Any:
    """A free parameter's posterior sample, sorted (the empirical quantile function).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.twin import Predictive, Twin
    >>> from shequn.twin import parameters
    >>> t = Twin(setup=None, specs=(parameters()["peer_talk"],), estimate={"peer_talk": 0.5},
    ...          z=np.zeros(1), cov=None, draws=np.linspace(0.4, 0.6, 11)[:, None],
    ...          series=(), weeks=1, observed=np.zeros((0, 1)),
    ...          predictive=Predictive(weeks=1, level=0.9, bands={}), distance=0.0,
    ...          method="msm", level=0.9)
    >>> plot_posterior(t).get_xlabel()
    'posterior quantile'
    """
    _check_twin(twin, "plot_posterior")
    name = twin.free[0] if parameter is None else parameter
    if name not in twin.free:
        raise fail("plot_posterior", "parameter", f"be one of {list(twin.free)}", name)
    ax = _axes(ax)
    v = np.sort(twin.draws[:, twin.free.index(name)])
    q = (np.arange(v.size) + 0.5) / v.size
    ax.plot(q, v, label=name)
    lo, hi = twin.conf_int()[name]
    ax.axhline(lo, color="C1", linestyle=":", label=f"{twin.level:.0%} interval")
    ax.axhline(hi, color="C1", linestyle=":")
    ax.set_xlabel("posterior quantile")
    ax.set_ylabel(name)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_strategies(result: StrategyComparison, *, ax: Any = None) -> Any:
    """Mean cumulative profit of each arm with its 90 % band over the paired runs.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.twin import StrategyComparison
    >>> r = StrategyComparison(arms=("a", "b"), metrics=("profit",), weeks=3,
    ...     values={"profit": np.zeros((4, 2))}, weekly_profit=np.ones((4, 2, 3)),
    ...     higher_is_better={"profit": True})
    >>> plot_strategies(r).lines[0].get_ydata().tolist()
    [1.0, 2.0, 3.0]
    """
    from shequn.twin import StrategyComparison

    check_instance(result, StrategyComparison, owner="plot_strategies", field="result")
    ax = _axes(ax)
    cum = np.cumsum(result.weekly_profit, axis=2)  # (runs, arms, weeks)
    weeks = np.arange(1, result.weeks + 1)
    for j, arm in enumerate(result.arms):
        c = f"C{j}"
        ax.plot(weeks, cum[:, j].mean(axis=0), color=c, label=arm)
        lo, hi = np.quantile(cum[:, j], [0.05, 0.95], axis=0)
        ax.plot(weeks, lo, color=c, linestyle=":", linewidth=0.8)
        ax.plot(weeks, hi, color=c, linestyle=":", linewidth=0.8)
    ax.set_xlabel("week")
    ax.set_ylabel("cumulative profit")
    ax.legend(loc="best", fontsize="small")
    return ax


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.find("<svg") :]


def twin_section(twin: Twin) -> str:
    """The twin as an HTML ``<section>``: its table, then one band figure per series (SVG)."""
    _check_twin(twin, "twin_section")
    plt = optional_import("matplotlib.pyplot", extra="plot")
    parts = ["<section class='shequn-twin'><h2>The calibrated twin</h2>", twin._repr_html_()]
    for s in twin.series:
        fig, ax = plt.subplots(figsize=(5.5, 3.2))
        plot_bands(twin.predictive, series=s, ax=ax)
        fig.tight_layout()
        parts.append(f"<figure class='shequn-band'>{_svg(fig)}</figure>")
        plt.close(fig)
    parts.append("</section>")
    return "".join(parts)
