"""Figures of the weekly engine and the loyalty ladder (matplotlib, the ``plot`` extra).

* :func:`plot_trajectory` - a :class:`~shequn.simulation.Trajectory`: members by loyalty
  stage over the weeks (``what="stages"``), activity (``"activity"``), or revenue, costs and
  profit (``"money"``);
* :func:`plot_ladder` - a :class:`~shequn.loyalty.Ladder`: the expected share of a cohort in
  each stage period by period.

Every function draws on ``ax`` (a new figure's Axes when ``None``) and returns the Axes.

Examples
--------
>>> matplotlib = __import__("pytest").importorskip("matplotlib")
>>> matplotlib.use("Agg")
>>> from shequn.loyalty.ladder import default_ladder
>>> ax = plot_ladder(default_ladder(), steps=12)
>>> ax.get_xlabel(), ax.get_ylabel()
('period', 'share of the cohort')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from shequn._validation import (
    check_array,
    check_choice,
    check_instance,
    check_int,
    check_memory,
    fail,
)
from shequn.loyalty.stages import Stage
from shequn.plotting._common import BYTES_PER_POINT, STAGE_COLOURS, axes, money_axis

if TYPE_CHECKING:
    from shequn.loyalty.ladder import Ladder
    from shequn.simulation.trajectory import Trajectory

__all__ = ["plot_ladder", "plot_trajectory"]

_PRESENT = (Stage.PROSPECT, Stage.CUSTOMER, Stage.USER, Stage.FAN, Stage.FRIEND)


def plot_trajectory(trajectory: Trajectory, *, what: str = "stages", ax: Any = None) -> Any:
    """Draw a simulation week by week.

    Parameters
    ----------
    trajectory
        A :class:`~shequn.simulation.Trajectory`.
    what
        ``"stages"``: present members stacked by loyalty stage, prospect to friend (the
        ladder of seed 003 filling up); ``"activity"``: the share of members active each week
        and the share of week-0 members still present; ``"money"``: revenue, costs and profit
        per week.
    ax
        Matplotlib Axes to draw on.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import simulate
    >>> t = simulate(generate_community("brand", 100, rng=0), OperatingModel(), weeks=4, rng=0)
    >>> plot_trajectory(t, what="money").get_ylabel()
    'money per week'
    """
    from shequn.simulation.trajectory import Trajectory

    check_instance(trajectory, Trajectory, owner="plot_trajectory", field="trajectory")
    what = check_choice(
        what, ["stages", "activity", "money"], owner="plot_trajectory", field="what"
    )
    ax = axes(ax)
    weeks = np.asarray(trajectory.columns["week"])
    if what == "stages":
        counts = np.asarray(trajectory.stage_counts, dtype=float)
        ax.stackplot(
            weeks,
            *(counts[:, s] for s in _PRESENT),
            labels=[s.name.lower() for s in _PRESENT],
            colors=[STAGE_COLOURS[s] for s in _PRESENT],
        )
        ax.set_ylabel("members")
        money_axis(ax.yaxis)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    elif what == "activity":
        ax.plot(weeks[1:], trajectory.active_share[1:], label="active in the week")
        ax.plot(weeks, trajectory.retention, label="week-0 members still present")
        ax.set_ylim(0, 1.02)
        ax.set_ylabel("share of members")
        ax.legend(frameon=False)
    else:
        ax.plot(weeks, trajectory.revenue, label="revenue", color="C2")
        ax.plot(weeks, trajectory.costs, label="costs", color="C3")
        ax.plot(weeks, trajectory.profit, label="profit", color="C0", ls="--")
        ax.axhline(0.0, color="0.5", lw=0.8)
        ax.set_ylabel("money per week")
        money_axis(ax.yaxis)
        ax.legend(frameon=False)
    ax.set_xlabel("week")
    return ax


def plot_ladder(ladder: Ladder, *, initial: Any = None, steps: int = 24, ax: Any = None) -> Any:
    """The expected share of a cohort in each stage, period by period (seed 003's ladder).

    Parameters
    ----------
    ladder
        A :class:`~shequn.loyalty.Ladder`.
    initial
        Counts or shares per :class:`~shequn.loyalty.Stage` at period 0 (default: everyone a
        new customer).
    steps
        Periods to project, at least 1.
    ax
        Matplotlib Axes to draw on.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.loyalty.ladder import default_ladder
    >>> len(plot_ladder(default_ladder(), steps=6).lines)
    6
    """
    from shequn.loyalty.ladder import Ladder

    check_instance(ladder, Ladder, owner="plot_ladder", field="ladder")
    steps = check_int(steps, owner="plot_ladder", field="steps", low=1)
    check_memory(steps * BYTES_PER_POINT, owner="plot_ladder", field="steps", value=steps)
    if initial is None:
        x0 = np.zeros(len(Stage))
        x0[Stage.CUSTOMER] = 1.0
    else:
        x0 = check_array(initial, owner="plot_ladder", field="initial", ndim=1, nonnegative=True)
        if x0.shape[0] != len(Stage):
            raise fail("plot_ladder", "initial", f"hold one value per Stage ({len(Stage)})", x0)
    total = float(np.sum(x0))
    if not np.isfinite(total) or total <= 0:
        raise fail("plot_ladder", "initial", "hold non-negative counts with a positive sum", x0)
    shares = ladder.project(x0 / total, steps)
    ax = axes(ax)
    for s in Stage:
        ax.plot(
            np.arange(steps + 1),
            shares[:, s],
            label=s.name.lower(),
            color=STAGE_COLOURS[s],
        )
    ax.set_xlabel("period")
    ax.set_ylabel("share of the cohort")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, frameon=False)
    return ax
