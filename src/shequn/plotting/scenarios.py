"""Figures of Monte Carlo comparisons: the seed behaviours and scenario files.

* :func:`plot_scenario` - a :class:`~shequn.scenarios.ScenarioResult`: the metric in every run
  (dots) with each arm's mean and 95 % confidence interval (``what="runs"``), or the weekly
  series behind it, mean over runs per arm (``"weekly"``, needs ``keep_trajectories=True``);
* :func:`scenario_figure` - both panels side by side, as in docs/scenarios.md;
* :func:`plot_scenario_run` - a :class:`~shequn.io.scenario.ScenarioRun` (``shequn run``):
  one metric per run and arm, or one weekly series.

Every ``plot_*`` function draws on ``ax`` (a new figure's Axes when ``None``) and returns it.

Examples
--------
>>> matplotlib = __import__("pytest").importorskip("matplotlib")
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> from shequn.scenarios.result import Contrast, ScenarioResult
>>> r = ScenarioResult(name="demo", behaviour="A beats B", seed="000", metric="members",
...                    arms=("A", "B"), values=np.array([[3.0, 1.0], [4.0, 1.5], [5.0, 2.0]]),
...                    contrasts=(Contrast.of("A - B", np.array([2.0, 2.5, 3.0])),))
>>> plot_scenario(r).get_ylabel()
'members'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from shequn._results import format_value
from shequn._stats import mean_ci
from shequn._validation import check_choice, check_instance, fail
from shequn.loyalty.stages import Stage
from shequn.plotting._common import axes, money_axis

if TYPE_CHECKING:
    from shequn.io.scenario import ScenarioRun
    from shequn.scenarios.result import ScenarioResult
    from shequn.simulation.trajectory import Trajectory

__all__ = ["WEEKLY", "plot_scenario", "plot_scenario_run", "scenario_figure"]


def _share_fans(t: Trajectory) -> Any:
    c = t.stage_counts
    return (c[:, Stage.FAN] + c[:, Stage.FRIEND]) / c[:, :5].sum(axis=1).clip(min=1)


def _weekly_churn(kind: str) -> Callable[[Trajectory], Any]:
    def f(t: Trajectory) -> Any:
        return t.column(f"left_{kind}") / t.column(f"at_risk_{kind}").clip(min=1)

    return f


WEEKLY: dict[str, tuple[str, Callable[[Trajectory], Any]]] = {
    "one_to_many_vs_mesh": ("retention of week-0 members", lambda t: t.retention),
    "open_rate_vs_audience": ("open rate", lambda t: t.column("open_rate")),
    "small_quality_vs_large_account": ("readers per week", lambda t: t.column("content_reach")),
    "offline_meetings_and_churn": ("weekly churn rate", _weekly_churn("weak")),
    "rule_strictness_inverted_u": ("retention of week-0 members", lambda t: t.retention),
    "leader_departure": ("member-member messages per week", lambda t: t.column("messages")),
    "broadcast_vs_wom_cac": ("marketing cost per customer won (cumulative)", lambda t: t.cac),
    "niche_share_wom_vs_broadcast": (
        "customers won (cumulative)",
        lambda t: t.column("new_customers").cumsum(),
    ),
    "open_vs_owner_invitations": ("members", lambda t: t.members),
    "steady_vs_bursty": ("retention of week-0 members", lambda t: t.retention),
    "ladder_climb": ("share of fans and friends", _share_fans),
}
"""Scenario name → (label, weekly series of one trajectory) for the ``"weekly"`` panel;
other scenarios show members per week."""


def _runs_panel(
    ax: Any, values: Any, arms: Sequence[str], ylabel: str, title: str, money: bool
) -> None:
    v = np.asarray(values, dtype=float)
    for j in range(len(arms)):
        col = v[:, j]
        col = col[np.isfinite(col)]
        if col.size == 0:
            continue
        jitter = (np.arange(col.size) / max(col.size - 1, 1) - 0.5) * 0.25
        ax.scatter(j + jitter, col, s=12, alpha=0.6, color=f"C{j % 10}")
        m, lo, hi = mean_ci(col)
        if np.isfinite(lo):
            ax.errorbar(j + 0.3, m, yerr=[[m - lo], [hi - m]], fmt="o", color="k", capsize=4)
        else:
            ax.plot(j + 0.3, m, "o", color="k")
    ax.set_xticks(range(len(arms)), list(arms), fontsize=8)
    ax.set_xlim(-0.5, len(arms) - 0.5)
    ax.set_xlabel("arm (dots: runs; black: mean and 95% CI)")
    ax.set_ylabel(ylabel)
    if money:
        money_axis(ax.yaxis)
    ax.set_title(title, fontsize=9)


def _weekly_panel(ax: Any, series: dict[str, Any], ylabel: str, log: bool = False) -> None:
    for arm, ys in series.items():
        y = np.asarray(ys, dtype=float)
        y = np.where(np.isfinite(y), y, np.nan)
        with warnings.catch_warnings():  # weeks where no run has a value (CAC before any sale)
            warnings.simplefilter("ignore", RuntimeWarning)
            ax.plot(np.nanmean(y, axis=0), label=arm)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("week")
    ax.set_ylabel(ylabel, fontsize=8)
    if not log:
        money_axis(ax.yaxis)
    ax.legend(fontsize=8, frameon=False)


def _contrast_title(result: ScenarioResult) -> str:
    if not result.contrasts:
        return result.metric
    c = result.contrasts[0]
    return (
        f"{c.label}: {'+' if c.mean > 0 else ''}{format_value(c.mean)} "
        f"[{format_value(c.lo)}, {format_value(c.hi)}]"
        f" {'holds' if c.holds else 'not shown'}"
    )


def plot_scenario(result: ScenarioResult, *, what: str = "runs", ax: Any = None) -> Any:
    """Draw a seed behaviour's comparison (see the module docstring).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.scenarios import open_rate_vs_audience
    >>> r = open_rate_vs_audience(runs=2, n=100, weeks=2, rng=0, keep_trajectories=True)
    >>> plot_scenario(r, what="weekly").get_ylabel()
    'open rate'
    """
    from shequn.scenarios.result import ScenarioResult

    check_instance(result, ScenarioResult, owner="plot_scenario", field="result")
    what = check_choice(what, ["runs", "weekly"], owner="plot_scenario", field="what")
    ax = axes(ax)
    if what == "runs":
        _runs_panel(ax, result.values, result.arms, result.metric, _contrast_title(result), False)
        return ax
    if not result.trajectories:
        raise fail(
            "plot_scenario",
            "result",
            "keep its trajectories for the weekly panel (keep_trajectories=True)",
            result.name,
        )
    label, fn = WEEKLY.get(result.name, ("members", lambda t: t.members))
    trajs = result.trajectories
    series: dict[str, Any] = {}
    if result.name == "ladder_climb":  # arms: start, good operation, silent (two runs each)
        pairs = [(result.arms[1], 0), (result.arms[2], 1)]
    elif result.name == "offline_meetings_and_churn":  # one simulation, two groups of members
        pairs = [("no strong tie", 0)]
        series["strong tie (>= 3 meetings)"] = [_weekly_churn("strong")(run[0]) for run in trajs]
    else:
        pairs = [(a, j) for j, a in enumerate(result.arms)]
    for arm, j in pairs:
        series[arm] = [fn(run[j]) for run in trajs]
    order = [a for a, _ in pairs] + [k for k in series if k not in dict(pairs)]
    series = {k: series[k] for k in order}
    _weekly_panel(ax, series, label, log=result.name == "broadcast_vs_wom_cac")
    return ax


def scenario_figure(result: ScenarioResult, *, figsize: tuple[float, float] = (10, 3.6)) -> Any:
    """Both panels of a seed behaviour (runs; weekly series) in one figure, with its title.

    Returns the matplotlib Figure (docs/figures/make_scenario_figures.py saves them).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.scenarios import open_rate_vs_audience
    >>> r = open_rate_vs_audience(runs=2, n=100, weeks=2, rng=0, keep_trajectories=True)
    >>> len(scenario_figure(r).axes)
    2
    """
    from shequn._optional import optional_import
    from shequn.scenarios.result import ScenarioResult

    check_instance(result, ScenarioResult, owner="scenario_figure", field="result")
    plt = optional_import("matplotlib.pyplot", extra="plot")
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize)
    plot_scenario(result, what="runs", ax=left)
    if result.trajectories:
        plot_scenario(result, what="weekly", ax=right)
    else:
        right.set_axis_off()
    fig.suptitle(f"{result.name} (seed {result.seed}): {result.behaviour}", fontsize=9)
    fig.tight_layout()
    return fig


def plot_scenario_run(
    run: ScenarioRun,
    *,
    metric: str | None = None,
    what: str = "runs",
    series: str = "members",
    ax: Any = None,
) -> Any:
    """Draw a scenario file's runs: one metric per run and arm, or one weekly series.

    Parameters
    ----------
    run
        A :class:`~shequn.io.scenario.ScenarioRun` (from ``shequn run``).
    metric
        A key of :data:`shequn.io.scenario.METRICS` (default: the first of
        ``outputs.metrics``) for ``what="runs"``.
    what
        ``"runs"`` or ``"weekly"``.
    series
        A key of :data:`shequn.io.scenario.SERIES` for ``what="weekly"``.
    ax
        Matplotlib Axes to draw on.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.io.scenario import loads_scenario, summarise_runs
    >>> from shequn.rng import map_runs
    >>> s = loads_scenario('weeks = 2\\n[community]\\ntype = "brand"\\nsize = 60\\n'
    ...                    '[arms.a]\\n[arms.b]\\npreset = "silent"\\n')
    >>> run = summarise_runs(s, map_runs(s.run_once, runs=2, rng=0), seed=0)
    >>> plot_scenario_run(run, what="weekly", series="profit").get_ylabel()
    'profit per week'
    """
    from shequn.io.scenario import METRICS, SERIES, ScenarioRun

    check_instance(run, ScenarioRun, owner="plot_scenario_run", field="run")
    what = check_choice(what, ["runs", "weekly"], owner="plot_scenario_run", field="what")
    # checked whatever ``what`` is: a bad series or metric is never silently ignored
    series = check_choice(series, list(SERIES), owner="plot_scenario_run", field="series")
    name = metric if metric is not None else run.scenario.outputs.metrics[0]
    name = check_choice(name, list(METRICS), owner="plot_scenario_run", field="metric")
    ax = axes(ax)
    if what == "runs":
        m = METRICS[name]
        cons = run.contrasts[name]
        title = "; ".join(
            f"{c.label}: {format_value(c.mean)} [{format_value(c.lo)}, {format_value(c.hi)}]"
            for c in cons
        )
        _runs_panel(ax, run.values[name], run.arms, m.label, title or m.label, m.money)
        return ax
    label = SERIES[series][0]
    _weekly_panel(ax, {a: run.weekly[a][series] for a in run.arms}, label)
    if series in ("revenue", "costs", "profit"):
        money_axis(ax.yaxis)
    return ax
