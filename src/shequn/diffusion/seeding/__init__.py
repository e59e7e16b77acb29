"""Choosing seeds, the "central persons" to start a campaign with (术, seed 001).

Seed 001 names the central person as part of 术 (technique): 注重结构和设置中心人带动社群交流,
"pay attention to structure and set up central persons who drive the community's conversation".
Whom to set up is the influence-maximisation problem (Kempe, Kleinberg & Tardos 2003): choose
``k`` members whose word, spreading by the independent cascade (IC) or linear threshold (LT)
model, reaches the most members in expectation. This module is the one place seeding strategies
live; the simulation engine calls :func:`select_seeds` by method name.

Methods (all take the graph first, then ``k``, options keyword-only, and return a
:class:`SeedSet`):

* :func:`top_degree` (``"degree"``), :func:`pagerank_seeds` (``"pagerank"``),
  :func:`kcore_seeds` (``"kcore"``), :func:`random_seeds` (``"random"``): structural rankings.
* :func:`degree_discount` (``"degree_discount"``): Chen, Wang & Yang (2009) DegreeDiscountIC.
* :func:`celf` (``"celf"``): lazy greedy (Leskovec et al. 2007) with a pluggable spread
  estimator.
* :func:`imm` (``"imm"``): Tang, Shi & Xiao (2015), (1 - 1/e - ε)-approximate with probability
  at least 1 - n^-ℓ, on reverse-reachable (RR) sets.
* :func:`rr_spread`: the expected spread of a given seed set from RR sets.

Every function accepts a :class:`~shequn.community.Community`, a networkx ``Graph`` or
``DiGraph``, a square scipy sparse matrix, or a :class:`~shequn.diffusion._network.
DiffusionNetwork` from :func:`~shequn.diffusion._network.as_network` (convert a large graph
once and reuse it). Seeds are reported as node *indices* (positions in the graph's node order,
``list(G.nodes())`` for networkx, rows for a matrix or a Community); when the graph has its own
labels, :attr:`SeedSet.labels` holds the seeds' labels and :attr:`SeedSet.nodes` returns them.
Seeds you pass in (:func:`rr_spread`, ``celf(candidates=...)``) are labels when the graph has
labels.

The spread of a heuristic's seeds is estimated when you name a ``model``; every estimate
(heuristics, CELF's final figure, IMM's, :func:`rr_spread`) uses a fresh, independent RR sample,
so it is not biased upward by the selection.

Examples
--------
>>> import networkx as nx
>>> from shequn.diffusion.seeding import select_seeds
>>> select_seeds(nx.star_graph(5), 1, method="degree").seeds.tolist()
[0]
>>> s = select_seeds(nx.star_graph(5), 1, method="imm", p=0.5, rng=0)
>>> s.seeds.tolist(), s.spread   # the hub reaches each of 5 leaves with probability 1/2
([0], 3.5...)
"""

from shequn.diffusion.seeding.celf import SpreadFunction, celf
from shequn.diffusion.seeding.heuristics import (
    degree_discount,
    kcore_seeds,
    pagerank_seeds,
    random_seeds,
    top_degree,
)
from shequn.diffusion.seeding.imm import imm, imm_parameters, rr_spread
from shequn.diffusion.seeding.methods import METHODS, select_seeds
from shequn.diffusion.seeding.result import SeedSet

__all__ = [
    "METHODS",
    "SeedSet",
    "SpreadFunction",
    "celf",
    "degree_discount",
    "imm",
    "imm_parameters",
    "kcore_seeds",
    "pagerank_seeds",
    "random_seeds",
    "rr_spread",
    "select_seeds",
    "top_degree",
]
