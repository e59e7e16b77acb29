"""Figures of word of mouth and seeding (matplotlib, the ``plot`` extra).

* :func:`plot_diffusion` - a :class:`~shequn.diffusion.DiffusionResult`: the mean adoption
  curve with its confidence band (``what="curve"``) or the distribution of final sizes over the
  runs (``"sizes"``);
* :func:`plot_seed_set` - a :class:`~shequn.diffusion.SeedSet`: the expected spread against
  the number of seeds (cumulative marginal gains for CELF and IMM) with the final estimate
  ± one standard error.

Every function draws on ``ax`` (a new figure's Axes when ``None``) and returns the Axes.

Examples
--------
>>> matplotlib = __import__("pytest").importorskip("matplotlib")
>>> matplotlib.use("Agg")
>>> import networkx as nx
>>> from shequn.diffusion import independent_cascade
>>> res = independent_cascade(nx.path_graph(6), [0], p=0.7, runs=50, rng=0)
>>> plot_diffusion(res).get_xlabel()
'step'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from shequn._results import format_value
from shequn._validation import check_choice, check_instance
from shequn.plotting._common import axes

if TYPE_CHECKING:
    from shequn.diffusion.cascades import DiffusionResult
    from shequn.diffusion.seeding import SeedSet

__all__ = ["plot_diffusion", "plot_seed_set"]


def plot_diffusion(result: DiffusionResult, *, what: str = "curve", ax: Any = None) -> Any:
    """Draw a diffusion result: the mean adoption curve with its band, or the final sizes.

    Parameters
    ----------
    result
        A :class:`~shequn.diffusion.DiffusionResult` (cascades, thresholds, network Bass,
        rumours).
    what
        ``"curve"``: mean cumulative adopters per step with the confidence band of the mean
        (the result's ``level``); ``"sizes"``: a histogram of the final sizes with their mean.
    ax
        Matplotlib Axes to draw on.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> import networkx as nx
    >>> from shequn.diffusion import independent_cascade
    >>> res = independent_cascade(nx.star_graph(8), [0], p=0.5, runs=40, rng=1)
    >>> plot_diffusion(res, what="sizes").get_ylabel()
    'runs'
    """
    from shequn.diffusion.cascades import DiffusionResult

    check_instance(result, DiffusionResult, owner="plot_diffusion", field="result")
    what = check_choice(what, ["curve", "sizes"], owner="plot_diffusion", field="what")
    ax = axes(ax)
    who = "informed" if result.model == "rumour" else "adopters"
    if what == "curve":
        m, lo, hi = result.mean_curve()
        steps = np.arange(m.shape[0])
        pct = round(100 * result.level)
        ax.plot(steps, m, color="C0", label=f"mean {who}")
        if np.isfinite(lo).all():
            ax.fill_between(steps, lo, hi, color="C0", alpha=0.25, label=f"{pct}% CI of the mean")
        ax.set_xlabel("step")
        ax.set_ylabel(f"cumulative {who}")
    else:
        sizes = np.asarray(result.final_sizes)
        span = int(sizes.max() - sizes.min()) if sizes.size else 0
        bins: Any = np.arange(sizes.min(), sizes.max() + 2) - 0.5 if span < 60 else 30
        ax.hist(sizes, bins=bins, color="C0", alpha=0.7)
        ax.axvline(result.mean, color="k", ls="--", label=f"mean {format_value(result.mean)}")
        ax.set_xlabel(f"final {who}")
        ax.set_ylabel("runs")
    ax.set_title(f"{result.model}, {result.runs:,} runs", fontsize=9)
    ax.legend(frameon=False)
    return ax


def plot_seed_set(seed_set: SeedSet, *, ax: Any = None) -> Any:
    """Expected spread against the number of seeds, with the estimate ± one standard error.

    For CELF and IMM the seeds' scores are their estimated marginal gains, so their cumulative
    sum is the spread of the first ``j`` seeds; other methods show the final estimate only.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.diffusion.seeding import SeedSet
    >>> s = SeedSet(seeds=[0, 1, 2], method="imm", scores=[5.0, 3.0, 1.0], spread=9.2,
    ...             spread_se=0.3)
    >>> ax = plot_seed_set(s)
    >>> ax.lines[0].get_ydata().tolist()
    [5.0, 8.0, 9.0]
    """
    from shequn.diffusion.seeding import SeedSet

    check_instance(seed_set, SeedSet, owner="plot_seed_set", field="seed_set")
    ax = axes(ax)
    ks = np.arange(1, seed_set.k + 1)
    if seed_set.method in ("celf", "imm") and seed_set.scores is not None:
        ax.plot(ks, np.cumsum(seed_set.scores), "o-", color="C0", label="cumulative marginal gain")
    if math.isfinite(seed_set.spread):
        se = seed_set.spread_se if math.isfinite(seed_set.spread_se) else 0.0
        ax.errorbar(
            [seed_set.k],
            [seed_set.spread],
            yerr=[[se], [se]],
            fmt="s",
            color="C3",
            capsize=4,
            label="spread estimate ± SE",
        )
    ax.set_xlabel("seeds (k)")
    ax.set_ylabel("expected spread (members reached)")
    ax.set_xlim(0, seed_set.k + 1)
    ax.set_title(f"seeds by {seed_set.method}", fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)
    return ax
