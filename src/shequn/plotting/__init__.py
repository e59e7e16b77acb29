"""Figures for shequn's results, drawn with matplotlib (the optional ``plot`` extra).

This is part of the shell: the core never imports it at module level. matplotlib itself is
imported only when a figure is drawn (:func:`shequn._optional.optional_import`, which names the
extra to install when it is missing).

* :mod:`shequn.plotting.bass` - the Bass forecast plot (observed adoptions, the fit, the
  forecast with its prediction band, the innovator/imitator split and the peak), open rate
  against audience with the fitted law, and the broadcast-vs-community budget comparison;
* :mod:`shequn.plotting.longtail` - the empirical CCDF of the data on log-log axes with the
  fitted power-law tail.

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

__all__ = ["PLOTTERS", "plot"]
