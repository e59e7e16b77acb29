"""Figures for shequn's results, drawn with matplotlib (the optional ``plot`` extra).

This is part of the shell: the core never imports it at module level. matplotlib itself is
imported only when a figure is drawn (:func:`shequn._optional.optional_import`, which names the
extra to install when it is missing).

* :mod:`shequn.plotting.bass` - the Bass forecast plot (observed adoptions, the fit, the
  forecast with its prediction band, the innovator/imitator split and the peak), open rate
  against audience with the fitted law, and the broadcast-vs-community budget comparison;
* :mod:`shequn.plotting.longtail` - the empirical CCDF of the data on log-log axes with the
  fitted power-law tail;
* :mod:`shequn.plotting.simulation` - a Trajectory (members by stage, activity, money) and the
  loyalty Ladder (stage shares over time);
* :mod:`shequn.plotting.diffusion` - a DiffusionResult (mean adoption curve with its band,
  final sizes) and a SeedSet (spread against k with its SE);
* :mod:`shequn.plotting.community` - a Community (degree distribution, 差序格局 rings, the
  network coloured by role or stage);
* :mod:`shequn.plotting.scenarios` - a ScenarioResult (per-run metric with CIs, the weekly
  series) and a scenario file's ScenarioRun.

Every function follows the ``ax=None`` convention: it draws on the Axes it is given, or on a
new figure's Axes when ``ax`` is ``None``, and returns the Axes it drew on, so plots compose
(``fig, (a, b) = plt.subplots(1, 2)``). :func:`plot` draws any result that has a figure
(registered in :data:`PLOTTERS`); each result's ``plot(ax=None)`` method calls it
(:class:`shequn._results.ResultMixin`), importing this package only when called, as lifelines
does.

Examples
--------
>>> matplotlib = __import__("pytest").importorskip("matplotlib")
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from shequn.diffusion.bass import Bass, fit_bass
>>> from shequn.longtail import fit_powerlaw, sample_powerlaw
>>> fig, (left, right) = plt.subplots(1, 2)
>>> fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(12)).plot(ax=left) is left
True
>>> tail = fit_powerlaw(sample_powerlaw(400, alpha=2.5, xmin=1.0, rng=0), compare_with=())
>>> tail.plot(ax=right) is right
True
>>> plt.close(fig)
"""

from shequn.plotting._dispatch import PLOTTERS, plot
from shequn.plotting.bass import plot_bass_forecast, plot_budget_comparison, plot_open_rate
from shequn.plotting.community import plot_community
from shequn.plotting.diffusion import plot_diffusion, plot_seed_set
from shequn.plotting.longtail import plot_ccdf
from shequn.plotting.scenarios import plot_scenario, plot_scenario_run, scenario_figure
from shequn.plotting.simulation import plot_ladder, plot_trajectory

__all__ = [
    "PLOTTERS",
    "plot",
    "plot_bass_forecast",
    "plot_budget_comparison",
    "plot_ccdf",
    "plot_community",
    "plot_diffusion",
    "plot_ladder",
    "plot_open_rate",
    "plot_scenario",
    "plot_scenario_run",
    "plot_seed_set",
    "plot_trajectory",
    "scenario_figure",
]
