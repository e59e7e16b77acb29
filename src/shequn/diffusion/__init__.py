"""Diffusion: how a product or a message spreads through a community and beyond it.

* :mod:`shequn.diffusion.bass`: the Bass family at market level (``p`` broadcast, ``q`` word of
  mouth), closed forms and fitting.
* :mod:`shequn.diffusion.reach`: the broadcast channel (open rates, funnels, ad waste) and the
  same budget spent on community operation.
* :mod:`shequn.diffusion.cascades`: word of mouth on the community's ties by Monte Carlo:
  independent cascade, linear threshold, Watts' fractional threshold, complex contagion,
  network Bass and rumours with forgetting, all returning a :class:`DiffusionResult`.
* :mod:`shequn.diffusion.seeding`: choosing the central persons (中心人) to start with: top
  degree, PageRank, k-core, degree discount, CELF and IMM, all returning a :class:`SeedSet`.
* :mod:`shequn.diffusion._network`: the one network form they all walk
  (:func:`as_network` → :class:`DiffusionNetwork`); build it once to reuse it across calls.

Every public name of these modules is importable from here (``from shequn.diffusion import
Bass, fit_bass, independent_cascade, imm``).

Examples
--------
>>> import networkx as nx
>>> from shequn.diffusion import as_network, independent_cascade, linear_threshold
>>> net = as_network(nx.star_graph(10))          # a central person and ten members
>>> ic = independent_cascade(net, [0], p=0.3, runs=4000, rng=1)
>>> round(ic.mean)                               # exact: 1 + 10 * 0.3 = 4
4
>>> lt = linear_threshold(net, [0], runs=10, rng=1)   # each leaf listens only to the hub
>>> lt.final_sizes.tolist() == [11] * 10
True
>>> from shequn.diffusion import imm
>>> imm(net, 1, p=0.3, epsilon=0.5, rng=1).seeds.tolist()   # the hub
[0]
"""

from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
    as_network,
    edge_probabilities,
    threshold_weights,
)
from shequn.diffusion.bass import (
    Bass,
    BassFit,
    BassForecast,
    GeneralizedBass,
    bass_cdf,
    bass_pdf,
    bkj_effort,
    fit_bass,
)
from shequn.diffusion.cascades import (
    DiffusionResult,
    RandomSeeds,
    complex_contagion,
    independent_cascade,
    linear_threshold,
    network_bass,
    rumour,
    watts_threshold,
)
from shequn.diffusion.reach import (
    BroadcastCampaign,
    BudgetComparison,
    CommunityChannel,
    Funnel,
    OpenRateFit,
    PowerOpenRate,
    SaturatingOpenRate,
    compare_budget,
    fit_open_rate,
    open_rate_from_interest,
)
from shequn.diffusion.seeding import (
    METHODS,
    SeedSet,
    SpreadFunction,
    celf,
    degree_discount,
    imm,
    imm_parameters,
    kcore_seeds,
    pagerank_seeds,
    random_seeds,
    rr_spread,
    select_seeds,
    top_degree,
)

__all__ = [
    "METHODS",
    "Bass",
    "BassFit",
    "BassForecast",
    "BroadcastCampaign",
    "BudgetComparison",
    "CommunityChannel",
    "DiffusionNetwork",
    "DiffusionResult",
    "EdgeProbability",
    "Funnel",
    "GeneralizedBass",
    "OpenRateFit",
    "PowerOpenRate",
    "RandomSeeds",
    "SaturatingOpenRate",
    "SeedSet",
    "SpreadFunction",
    "ThresholdWeights",
    "as_network",
    "bass_cdf",
    "bass_pdf",
    "bkj_effort",
    "celf",
    "compare_budget",
    "complex_contagion",
    "degree_discount",
    "edge_probabilities",
    "fit_bass",
    "fit_open_rate",
    "imm",
    "imm_parameters",
    "independent_cascade",
    "kcore_seeds",
    "linear_threshold",
    "network_bass",
    "open_rate_from_interest",
    "pagerank_seeds",
    "random_seeds",
    "rr_spread",
    "rumour",
    "select_seeds",
    "threshold_weights",
    "top_degree",
    "watts_threshold",
]
