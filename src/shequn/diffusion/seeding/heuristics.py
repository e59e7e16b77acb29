"""Structural seeding heuristics: top degree, random, PageRank, k-core and degree discount."""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from shequn._validation import (
    check_in_range,
    check_int,
    check_positive,
    check_probability,
)
from shequn.community._graph import GraphLike
from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
)
from shequn.diffusion.seeding._common import (
    _DEFAULT_P,
    _finish,
    _prologue,
    _ranked,
)
from shequn.diffusion.seeding.result import SeedSet
from shequn.exceptions import ConvergenceError
from shequn.rng import RNGLike, resolve_rng

__all__ = ["degree_discount", "kcore_seeds", "pagerank_seeds", "random_seeds", "top_degree"]

# --- structural heuristics --------------------------------------------------------------------


def top_degree(
    graph: GraphLike,
    k: int,
    *,
    model: str | None = None,
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    samples: int = 10_000,
    rng: RNGLike = None,
) -> SeedSet:
    """The ``k`` members with the most ties (out-edges in a directed graph).

    Ties in degree go to the lowest index. The classic baseline: on a scale-free network the
    hubs reach far, but hubs sharing neighbours waste each other's reach.

    Parameters
    ----------
    graph
        A :class:`~shequn.community.Community`, networkx graph or square sparse matrix.
    k
        Number of seeds, 1 to n.
    model
        ``"ic"`` or ``"lt"`` to estimate the seeds' spread under that cascade model from
        ``samples`` fresh RR sets; ``None`` (default) skips the estimate.
    p
        IC edge probabilities (see :func:`~shequn.diffusion._network.edge_probabilities`:
        a number, per-edge array, ``"weighted"`` for 1/in-degree, ``"weight"``, or a function).
        Default 0.1.
    weights
        LT in-weights (``"uniform"``, ``"normalized"``, ``"weight"`` or an array).
    samples
        RR sets for the spread estimate, at least 1.
    rng
        Randomness of the spread estimate.

    Examples
    --------
    >>> import networkx as nx
    >>> s = top_degree(nx.star_graph(4), 1, model="ic", p=1.0, rng=0)
    >>> s.seeds.tolist(), s.scores.tolist(), s.spread
    ([0], [4.0], 5.0)
    """
    t0 = time.perf_counter()
    net, k, model, samples = _prologue(graph, k, "top_degree", model, samples)
    deg = net.out_degree.astype(np.float64)
    seeds = _ranked(deg, k)
    gen = resolve_rng(rng, owner="top_degree") if model is not None else None
    return _finish(
        net,
        seeds,
        method="degree",
        scores=deg[seeds],
        model=model,
        p=p,
        weights=weights,
        samples=samples,
        gen=gen,
        owner="top_degree",
        t0=t0,
    )


def random_seeds(
    graph: GraphLike,
    k: int,
    *,
    model: str | None = None,
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    samples: int = 10_000,
    rng: RNGLike = None,
) -> SeedSet:
    """``k`` distinct members drawn uniformly at random: the baseline any strategy must beat.

    Parameters are as for :func:`top_degree`; ``rng`` draws the seeds and then the estimate.

    Examples
    --------
    >>> import networkx as nx
    >>> random_seeds(nx.path_graph(10), 3, rng=0) == random_seeds(nx.path_graph(10), 3, rng=0)
    True
    """
    t0 = time.perf_counter()
    net, k, model, samples = _prologue(graph, k, "random_seeds", model, samples)
    gen = resolve_rng(rng, owner="random_seeds")
    seeds = np.asarray(gen.choice(net.n, size=k, replace=False), dtype=np.int64)
    return _finish(
        net,
        seeds,
        method="random",
        scores=None,
        model=model,
        p=p,
        weights=weights,
        samples=samples,
        gen=gen,
        owner="random_seeds",
        t0=t0,
    )


def _to_networkx(net: DiffusionNetwork, *, reverse: bool = False) -> nx.Graph:
    src = net.sources
    dst = net.indices
    if reverse:
        src, dst = dst, src
    if net.directed:
        G: nx.Graph = nx.DiGraph()
        keep = np.ones(src.shape[0], dtype=bool)
    else:
        G = nx.Graph()
        keep = src < dst
    G.add_nodes_from(range(net.n))
    G.add_weighted_edges_from(
        zip(src[keep].tolist(), dst[keep].tolist(), net.weight[keep].tolist(), strict=True)
    )
    return G


def pagerank_seeds(
    graph: GraphLike,
    k: int,
    *,
    alpha: float = 0.85,
    max_iter: int = 100,
    tol: float = 1e-6,
    model: str | None = None,
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    samples: int = 10_000,
    rng: RNGLike = None,
) -> SeedSet:
    """The ``k`` members of highest PageRank on the *reversed* network (``networkx.pagerank``).

    Influence flows along ``u → v`` (``u`` talks, ``v`` listens), so ranking is done on the
    reversed edges: a member scores high when the members it reaches score high (for an
    undirected network this is plain PageRank). Edge weights (tie strength) weight the walk.
    Ties go to the lowest index.

    Parameters
    ----------
    alpha, max_iter, tol
        Damping factor in (0, 1), iteration cap and tolerance of the power iteration.
    graph, k, model, p, weights, samples, rng
        As for :func:`top_degree`.

    Raises
    ------
    ConvergenceError
        If the power iteration does not converge within ``max_iter``.

    Examples
    --------
    >>> import networkx as nx
    >>> pagerank_seeds(nx.DiGraph([(0, 1), (0, 2), (1, 2)]), 1).seeds.tolist()   # 0 talks most
    [0]
    """
    owner = "pagerank_seeds"
    t0 = time.perf_counter()
    net, k, model, samples = _prologue(graph, k, owner, model, samples)
    alpha = check_in_range(
        alpha, owner=owner, field="alpha", low=0, high=1, low_open=True, high_open=True
    )
    max_iter = check_int(max_iter, owner=owner, field="max_iter", low=1)
    tol = check_positive(tol, owner=owner, field="tol")
    G = _to_networkx(net, reverse=True)
    try:
        pr = nx.pagerank(G, alpha=alpha, max_iter=max_iter, tol=tol, weight="weight")
    except nx.PowerIterationFailedConvergence as exc:
        raise ConvergenceError(
            f"`{owner}`: PageRank power iteration did not converge in {max_iter} iterations;"
            " raise max_iter or tol"
        ) from exc
    score = np.array([pr[i] for i in range(net.n)], dtype=np.float64)
    seeds = _ranked(score, k)
    gen = resolve_rng(rng, owner=owner) if model is not None else None
    return _finish(
        net,
        seeds,
        method="pagerank",
        scores=score[seeds],
        model=model,
        p=p,
        weights=weights,
        samples=samples,
        gen=gen,
        owner=owner,
        t0=t0,
    )


def kcore_seeds(
    graph: GraphLike,
    k: int,
    *,
    model: str | None = None,
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    samples: int = 10_000,
    rng: RNGLike = None,
) -> SeedSet:
    """The ``k`` members of highest core number (k-shell; Kitsak et al. 2010).

    Core numbers come from ``networkx.core_number`` (for a directed network it counts in- plus
    out-degree). The innermost core is the community's tightly knit centre; members of one
    core often share their audience. Ties go to higher degree, then to the lowest index.

    Parameters are as for :func:`top_degree`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.complete_graph(4)        # a 3-core ...
    >>> G.add_edges_from([(0, 4), (4, 5), (4, 6), (4, 7), (4, 8)])   # ... and a star
    >>> kcore_seeds(G, 2).seeds.tolist(), top_degree(G, 2).seeds.tolist()
    ([0, 1], [4, 0])
    """
    owner = "kcore_seeds"
    t0 = time.perf_counter()
    net, k, model, samples = _prologue(graph, k, owner, model, samples)
    core_map = nx.core_number(_to_networkx(net))
    core = np.array([core_map[i] for i in range(net.n)], dtype=np.float64)
    deg = net.out_degree
    order = np.lexsort((np.arange(net.n), -deg, -core))
    seeds = order[:k].astype(np.int64)
    gen = resolve_rng(rng, owner=owner) if model is not None else None
    return _finish(
        net,
        seeds,
        method="kcore",
        scores=core[seeds],
        model=model,
        p=p,
        weights=weights,
        samples=samples,
        gen=gen,
        owner=owner,
        t0=t0,
    )


def degree_discount(
    graph: GraphLike,
    k: int,
    *,
    p: float = _DEFAULT_P,
    model: str | None = None,
    weights: ThresholdWeights = "uniform",
    samples: int = 10_000,
    rng: RNGLike = None,
) -> SeedSet:
    """DegreeDiscountIC (Chen, Wang & Yang 2009): degree, discounted for neighbouring seeds.

    With ``d_v`` the degree of ``v`` and ``t_v`` the number of its neighbours already chosen,
    the next seed maximises

        dd_v = d_v - 2 t_v - (d_v - t_v) t_v p,

    a first-order estimate (small ``p``) of the extra reach of ``v`` under the independent
    cascade with uniform probability ``p``: ``v`` may already be activated by its ``t_v``
    seed neighbours, and its ties to them are wasted. On a directed network the same
    expansion gives ``dd_v = d_v - t_out - t_in - (d_v - t_out) t_in p`` with ``d_v`` the
    out-degree, ``t_in`` the seeds with an edge into ``v`` and ``t_out`` the seeds ``v``
    points to (both equal ``t_v`` when every tie goes both ways). Ties go to the lowest index.

    Parameters
    ----------
    p
        The uniform IC probability in [0, 1] of the formula (and of the spread estimate when
        ``model="ic"``). Default 0.1.
    graph, k, model, weights, samples, rng
        As for :func:`top_degree`.

    Examples
    --------
    Two hubs of degree 3 share a neighbour on the path 4-0-2-1-5 plus leaves 3 and 6:

    >>> import networkx as nx
    >>> G = nx.Graph([(0, 2), (0, 3), (0, 4), (1, 2), (1, 5), (1, 6)])
    >>> dd = degree_discount(G, 2, p=0.1)
    >>> dd.nodes, dd.scores.tolist()   # after 0, hub 1 keeps 3; node 2 drops to -0.1
    ([0, 1], [3.0, 3.0])
    """
    owner = "degree_discount"
    t0 = time.perf_counter()
    net, k, model, samples = _prologue(graph, k, owner, model, samples)
    p_num = check_probability(p, owner=owner, field="p")
    d = net.out_degree.astype(np.float64)
    rev, _ = net.transpose()
    t_in = np.zeros(net.n)
    t_out = np.zeros(net.n)
    dd = d.copy()
    chosen = np.zeros(net.n, dtype=bool)
    seeds = np.empty(k, dtype=np.int64)
    scores = np.empty(k)
    for i in range(k):
        u = int(np.argmax(np.where(chosen, -np.inf, dd)))
        seeds[i] = u
        scores[i] = dd[u]
        chosen[u] = True
        heard = net.indices[net.indptr[u] : net.indptr[u + 1]]  # u → v: v may hear u
        t_in[heard] += 1
        told = rev.indices[rev.indptr[u] : rev.indptr[u + 1]]  # v → u: v's tie to a seed
        t_out[told] += 1
        touched = np.union1d(heard, told)
        dd[touched] = (
            d[touched]
            - t_out[touched]
            - t_in[touched]
            - (d[touched] - t_out[touched]) * t_in[touched] * p_num
        )
    gen = resolve_rng(rng, owner=owner) if model is not None else None
    return _finish(
        net,
        seeds,
        method="degree_discount",
        scores=scores,
        model=model,
        p=p_num,
        weights=weights,
        samples=samples,
        gen=gen,
        owner=owner,
        t0=t0,
    )
