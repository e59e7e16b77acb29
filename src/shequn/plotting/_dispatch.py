"""``plot(result, ax=None, **kwargs)``: the one entry point behind every result's ``plot()``.

Each result type names the function that draws it in :data:`PLOTTERS`: the class by any path
it is importable from (``"shequn.diffusion.DiffusionResult"``), the function as
``"module:function"``, both imported only when used. Lookup walks the result's class
hierarchy, so a subclass draws like its parent unless it has an entry of its own; a class that
moves between modules keeps working as long as its registered path still imports it.

Examples
--------
>>> from shequn.plotting import plot
>>> plot({"members": [3, 4]})
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `plot.result` must be a result with a registered \
figure (see shequn.plotting.PLOTTERS); got 'dict'
"""

from __future__ import annotations

import importlib
from typing import Any

from shequn._validation import fail

__all__ = ["PLOTTERS", "plot"]

PLOTTERS: dict[str, str] = {
    "shequn.diffusion.bass.results.BassFit": "shequn.plotting.bass:plot_bass_forecast",
    "shequn.diffusion.reach.budget.BudgetComparison": "shequn.plotting.bass:plot_budget_comparison",
    "shequn.longtail.fit.PowerLawFit": "shequn.plotting.longtail:plot_ccdf",
    "shequn.simulation.trajectory.Trajectory": "shequn.plotting.simulation:plot_trajectory",
    "shequn.loyalty.ladder.Ladder": "shequn.plotting.simulation:plot_ladder",
    "shequn.diffusion.cascades.DiffusionResult": "shequn.plotting.diffusion:plot_diffusion",
    "shequn.diffusion.seeding.SeedSet": "shequn.plotting.diffusion:plot_seed_set",
    "shequn.community.community.Community": "shequn.plotting.community:plot_community",
    "shequn.scenarios.result.ScenarioResult": "shequn.plotting.scenarios:plot_scenario",
    "shequn.io.scenario.ScenarioRun": "shequn.plotting.scenarios:plot_scenario_run",
    "shequn.loyalty.customer_base.diagnostics.Tracking": (
        "shequn.plotting.customer_base:plot_tracking"
    ),
    "shequn.loyalty.customer_base.diagnostics.AlivePath": (
        "shequn.plotting.customer_base:plot_alive_path"
    ),
    "shequn.loyalty.customer_base.diagnostics.FrequencyRecencyMatrix": (
        "shequn.plotting.customer_base:plot_frequency_recency"
    ),
    "shequn.loyalty.customer_base.diagnostics.CalibrationHoldout": (
        "shequn.plotting.customer_base:plot_calibration_holdout"
    ),
    "shequn.loyalty.customer_base.diagnostics.PeriodTransactions": (
        "shequn.plotting.customer_base:plot_period_transactions"
    ),
    "shequn.records.derive.StageHistory": "shequn.plotting.records:plot_stages",
    "shequn.records.derive.WeeklySeries": "shequn.plotting.records:plot_weekly",
    "shequn.records.health.HealthReport": "shequn.plotting.records:plot_health",
    "shequn.twin.calibration.Predictive": "shequn.plotting.twin:plot_bands",
    "shequn.twin.calibration.Twin": "shequn.plotting.twin:plot_twin",
    "shequn.twin.compare.StrategyComparison": "shequn.plotting.twin:plot_strategies",
}
"""Result class (an importable ``module.Class`` path) → the function that draws it."""


def _resolve(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def plot(result: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Draw ``result`` on ``ax`` (a new figure's Axes when ``None``) and return the Axes.

    Parameters
    ----------
    result
        Any shequn result with a registered figure (see :data:`PLOTTERS`).
    ax
        A matplotlib Axes, or ``None`` for a new figure.
    **kwargs
        Passed to the registered function (see its documentation).

    Raises
    ------
    InvalidParameterError
        When no figure is registered for the result's type (also a ``ValueError``).
    """
    registered = {_resolve(k): v for k, v in PLOTTERS.items()}
    for cls in type(result).__mro__:
        target = registered.get(cls)
        if target is not None:
            module, name = target.split(":")
            fn = getattr(importlib.import_module(module), name)
            return fn(result, ax=ax, **kwargs)
    raise fail(
        "plot",
        "result",
        "be a result with a registered figure (see shequn.plotting.PLOTTERS)",
        type(result).__name__,
    )
