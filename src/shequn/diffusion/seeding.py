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

from __future__ import annotations

import heapq
import inspect
import math
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import attrs
import networkx as nx
import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._validation import (
    check_choice,
    check_in_range,
    check_int,
    check_positive,
    check_probability,
    fail,
)
from shequn.community._graph import GraphLike, resolve_members
from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
    as_network,
    edge_probabilities,
    threshold_weights,
)
from shequn.diffusion._rr import RRCollection, RRModel, estimate_spread
from shequn.exceptions import ConvergenceError
from shequn.rng import RNGLike, resolve_rng, spawn_seeds

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

#: A spread estimator for :func:`celf`: ``(seed indices, generator) -> (mean, standard error)``.
SpreadFunction = Callable[[NDArray[np.int64], np.random.Generator], tuple[float, float]]

_DEFAULT_P = 0.1
#: Relative standard error IMM's spread estimate aims at when ``samples`` is not given.
_EVAL_RSE = 0.005


def _opt_array_eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))


def _float_eq(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


_nan_eq = attrs.cmp_using(eq=_float_eq)


def _as_int64(x: Any) -> NDArray[np.int64]:
    return np.asarray(x, dtype=np.int64)


def _opt_float_array(x: Any) -> NDArray[np.float64] | None:
    return None if x is None else np.asarray(x, dtype=np.float64)


@attrs.frozen(kw_only=True)
class SeedSet:
    """Chosen seeds with, where estimated, their expected spread and its standard error.

    Attributes
    ----------
    seeds
        Node indices of the seeds, in the order they were chosen.
    method
        Name of the method that chose them (a :data:`METHODS` name, or ``"given"``).
    spread, spread_se
        Estimated expected number of members reached (seeds included) and its standard error,
        from an independent RR sample (or the :func:`celf` estimator); NaN when not estimated.
    labels
        The seeds' labels when the graph has its own node labels, else ``None``.
    scores
        The score each seed was chosen by, when the method has one: degree, PageRank, core
        number, discounted degree, or the estimated marginal spread (CELF, IMM).
    model
        ``"ic"`` or ``"lt"``: the cascade model of the spread estimate (and the selection, for
        CELF and IMM); ``None`` when no model was used.
    samples
        RR sets behind the spread estimate (0 when none).
    rr_sets
        RR sets the seeds were selected on (IMM's θ, CELF's default estimator), else 0.
    lower_bound
        IMM's lower bound LB of the optimal spread OPT from its sampling phase, else NaN.
    epsilon
        IMM's ε, else NaN; the guarantee is spread ≥ (1 - 1/e - ε) OPT (:attr:`guarantee`).
    confidence
        Probability at least 1 - n^-ℓ with which IMM's guarantee holds, else NaN.
    timings
        Seconds spent per phase (not compared by ``==``).

    Examples
    --------
    >>> s = SeedSet(seeds=[3, 1], method="degree", spread=7.5, spread_se=0.2)
    >>> s.k, s.nodes
    (2, [3, 1])
    >>> print(s.summary())
    SeedSet by degree, k = 2
    spread 7.5 ± 0.2 (SE)
    seeds: 3, 1
    """

    seeds: NDArray[np.int64] = attrs.field(
        converter=_as_int64, eq=attrs.cmp_using(eq=np.array_equal)
    )
    method: str
    spread: float = attrs.field(default=float("nan"), eq=_nan_eq)
    spread_se: float = attrs.field(default=float("nan"), eq=_nan_eq)
    labels: tuple[Hashable, ...] | None = None
    scores: NDArray[np.float64] | None = attrs.field(
        default=None, converter=_opt_float_array, eq=attrs.cmp_using(eq=_opt_array_eq)
    )
    model: str | None = None
    samples: int = 0
    rr_sets: int = 0
    lower_bound: float = attrs.field(default=float("nan"), eq=_nan_eq)
    epsilon: float = attrs.field(default=float("nan"), eq=_nan_eq)
    confidence: float = attrs.field(default=float("nan"), eq=_nan_eq)
    timings: dict[str, float] = attrs.field(factory=dict, eq=False)

    @property
    def k(self) -> int:
        """Number of seeds."""
        return int(self.seeds.shape[0])

    @property
    def nodes(self) -> list[Hashable]:
        """The seeds as the graph names them: labels when it has them, else indices."""
        if self.labels is not None:
            return list(self.labels)
        return [int(s) for s in self.seeds]

    @property
    def guarantee(self) -> float:
        """IMM's approximation ratio 1 - 1/e - ε (NaN for other methods).

        Examples
        --------
        >>> round(SeedSet(seeds=[0], method="imm", epsilon=0.1).guarantee, 4)
        0.5321
        """
        return 1.0 - 1.0 / math.e - self.epsilon

    def summary(self) -> str:
        """Plain-text description: method, spread ± SE, guarantee (IMM) and the seeds.

        Examples
        --------
        >>> import networkx as nx
        >>> print(imm(nx.star_graph(4), 1, p=1.0, rng=0).summary())
        SeedSet by imm (ic), k = 1
        spread 5 ± 0 (SE, ... fresh RR sets)
        IMM: θ = ... RR sets, LB(OPT) = ...; spread ≥ (1 - 1/e - 0.1) OPT = 0.532 OPT with
        probability ≥ 1 - n^-ℓ = 0.8
        seeds: 0
        """
        head = f"SeedSet by {self.method}" + (f" ({self.model})" if self.model else "")
        lines = [f"{head}, k = {self.k}"]
        if math.isfinite(self.spread):
            src = f"SE, {self.samples:,} fresh RR sets" if self.samples else "SE"
            lines.append(f"spread {self.spread:.6g} ± {self.spread_se:.3g} ({src})")
        if math.isfinite(self.epsilon):
            lines.append(
                f"IMM: θ = {self.rr_sets:,} RR sets, LB(OPT) = {self.lower_bound:.6g}; "
                f"spread ≥ (1 - 1/e - {self.epsilon:g}) OPT = {self.guarantee:.3g} OPT with\n"
                f"probability ≥ 1 - n^-ℓ = {self.confidence:.6g}"
            )
        shown = [str(x) for x in self.nodes[:10]]
        more = f", ... ({self.k - 10} more)" if self.k > 10 else ""
        lines.append("seeds: " + ", ".join(shown) + more)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = self.summary().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<pre>{body}</pre>"

    def to_frame(self) -> Any:
        """One row per seed in the order chosen (needs pandas).

        Columns ``node`` (index), ``label`` (when the graph has labels) and ``score`` (when
        the method has scores); the spread and its SE are in ``DataFrame.attrs``.

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> df = SeedSet(seeds=[3, 1], method="degree", scores=[4.0, 2.0]).to_frame()
        >>> df.columns.tolist(), df.index.name
        (['node', 'score'], 'rank')
        """
        pd = optional_import("pandas", extra="pandas")
        data: dict[str, Any] = {"node": self.seeds}
        if self.labels is not None:
            data["label"] = list(self.labels)
        if self.scores is not None:
            data["score"] = self.scores
        df = pd.DataFrame(data, index=pd.Index(np.arange(1, self.k + 1), name="rank"))
        df.attrs.update({"method": self.method, "spread": self.spread, "spread_se": self.spread_se})
        return df


# --- shared plumbing --------------------------------------------------------------------------


def _labels(net: DiffusionNetwork, seeds: NDArray[np.int64]) -> tuple[Hashable, ...] | None:
    if net.labels is None:
        return None
    return tuple(net.labels[int(s)] for s in seeds)


def _check_model(model: str | None, owner: str, *, optional: bool) -> str | None:
    choices: list[str | None] = ["ic", "lt"]
    if optional:
        choices = [None, *choices]
    return check_choice(model, choices, owner=owner, field="model")


def _finish(
    net: DiffusionNetwork,
    seeds: NDArray[np.int64],
    *,
    method: str,
    scores: NDArray[np.float64] | None,
    model: str | None,
    p: EdgeProbability,
    weights: ThresholdWeights,
    samples: int,
    gen: np.random.Generator | None,
    owner: str,
    t0: float,
) -> SeedSet:
    """Wrap a heuristic's seeds, estimating their spread when a model is named."""
    timings = {"selection": time.perf_counter() - t0}
    spread = se = float("nan")
    used = 0
    if model is not None and gen is not None:
        t1 = time.perf_counter()
        m = RRModel.build(net, model=model, p=p, weights=weights, owner=owner)
        spread, se = estimate_spread(m, seeds, samples=samples, gen=gen)
        used = samples
        timings["estimate"] = time.perf_counter() - t1
    return SeedSet(
        seeds=seeds,
        method=method,
        spread=spread,
        spread_se=se,
        labels=_labels(net, seeds),
        scores=scores,
        model=model,
        samples=used,
        timings=timings,
    )


def _prologue(
    graph: GraphLike, k: int, owner: str, model: str | None, samples: int
) -> tuple[DiffusionNetwork, int, str | None, int]:
    net = as_network(graph, owner=owner)
    k = check_int(k, owner=owner, field="k", low=1, high=net.n)
    model = _check_model(model, owner, optional=True)
    samples = check_int(samples, owner=owner, field="samples", low=1)
    return net, k, model, samples


def _check_threads(threads: int | None, owner: str) -> int | None:
    if threads is None:
        return None
    return check_int(threads, owner=owner, field="threads", low=1)


def _ranked(score: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """The ``k`` highest scores, ties to the lowest index."""
    order: NDArray[np.int64] = np.argsort(-score, kind="stable")[:k].astype(np.int64)
    return order


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


# --- CELF -------------------------------------------------------------------------------------


def _check_spread_value(value: Any, owner: str) -> tuple[float, float]:
    try:
        mean, se = value
        mean, se = float(mean), float(se)
    except (TypeError, ValueError):
        raise fail(owner, "spread", "return a (mean, standard error) pair", value) from None
    if not math.isfinite(mean) or se < 0:
        raise fail(owner, "spread", "return a finite mean and a standard error >= 0", value)
    return mean, se


def _monte_carlo_spread(
    net: DiffusionNetwork,
    *,
    model: str,
    p: EdgeProbability,
    weights: ThresholdWeights,
    runs: int,
) -> SpreadFunction:
    """Forward Monte Carlo spread ``(mean, se)`` of index seeds on ``net`` (validated once)."""
    from shequn.diffusion.cascades import independent_cascade, linear_threshold

    # seeds arrive as indices: drop the labels so the cascades read them as indices
    plain = attrs.evolve(net, labels=None)
    if model == "ic":
        probs = edge_probabilities(plain, p, owner="celf")

        def run(seeds: NDArray[np.int64], gen: np.random.Generator) -> Any:
            return independent_cascade(plain, seeds, p=probs, runs=runs, rng=gen)

    else:
        w = threshold_weights(plain, weights, owner="celf")

        def run(seeds: NDArray[np.int64], gen: np.random.Generator) -> Any:
            return linear_threshold(plain, seeds, weights=w, runs=runs, rng=gen)

    def spread(seeds: NDArray[np.int64], gen: np.random.Generator) -> tuple[float, float]:
        res = run(seeds, gen)
        return float(res.mean), float(res.se) if runs > 1 else 0.0

    return spread


def celf(
    graph: GraphLike,
    k: int,
    *,
    spread: SpreadFunction | None = None,
    estimator: str = "mc",
    model: str = "ic",
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    runs: int | None = None,
    candidates: Iterable[Hashable] | None = None,
    rng: RNGLike = None,
) -> SeedSet:
    """Greedy seeds with lazy evaluation (CELF, Leskovec et al. 2007).

    Greedy adds, ``k`` times, the member of largest marginal spread
    ``σ(S ∪ {v}) - σ(S)``; since the spread is monotone and submodular this is within
    ``1 - 1/e`` of the best ``k``-set (Nemhauser, Wolsey & Fisher 1978; Kempe et al. 2003).
    CELF keeps last round's gains as upper bounds in a heap and only re-evaluates the top
    member, which picks the same seeds as plain greedy when the estimator is submodular (ties
    go to the lowest index).

    Parameters
    ----------
    graph, k
        As for :func:`top_degree`; ``k`` is at most the number of candidates.
    spread
        Your own estimator ``spread(seed_indices, generator) -> (mean, standard_error)``.
        Every call during the selection gets a generator started from the *same* seed
        (common random numbers), so gains are compared on the same draws and the search is
        deterministic; the reported spread comes from one more call on an independent
        stream. ``None`` (default): the built-in estimator chosen by ``estimator``.
    estimator
        ``"mc"`` (default): Monte Carlo, the mean final size of ``runs`` forward simulations
        of :func:`~shequn.diffusion.cascades.independent_cascade` (``model="ic"``) or
        :func:`~shequn.diffusion.cascades.linear_threshold` (``model="lt"``), with common
        random numbers as above. ``"rr"``: ``runs`` RR sets drawn once under ``model``, the
        spread ``n`` times the share a set covers (CELF on this estimator is greedy maximum
        coverage, as in :func:`imm`), the reported spread from ``runs`` fresh RR sets (see
        :func:`rr_spread`).
    model, p, weights
        Cascade model and parameters of the built-in estimators (ignored with ``spread``).
    runs
        Simulations (``"mc"``, default 1,000) or RR sets (``"rr"``, default 10,000) per
        evaluation, at least 1 (ignored with ``spread``).
    candidates
        Members to choose from (labels when the graph has them), default all.
    rng
        Randomness (split into the selection stream and the final estimate's stream).

    Examples
    --------
    Exact spread on a path 0-1-2 where every tie transmits (p = 1): one seed reaches all.

    >>> import networkx as nx
    >>> exact = lambda seeds, gen: (3.0, 0.0)
    >>> celf(nx.path_graph(3), 1, spread=exact).seeds.tolist()
    [0]
    >>> s = celf(nx.star_graph(3), 1, p=0.5, runs=2000, rng=1)   # Monte Carlo
    >>> s.seeds.tolist(), abs(s.spread - 2.5) < 4 * s.spread_se  # the hub: 1 + 3 / 2
    ([0], True)
    >>> s = celf(nx.star_graph(3), 1, p=0.5, estimator="rr", runs=2000, rng=1)
    >>> s.seeds.tolist(), abs(s.spread - 2.5) < 4 * s.spread_se
    ([0], True)
    """
    owner = "celf"
    t0 = time.perf_counter()
    net = as_network(graph, owner=owner)
    n = net.n
    if candidates is None:
        cand = np.arange(n, dtype=np.int64)
    else:
        cand = resolve_members(candidates, n, net.labels, owner=owner, field="candidates")
    k = check_int(k, owner=owner, field="k", low=1, high=int(cand.shape[0]))
    estimator = check_choice(estimator, ["mc", "rr"], owner=owner, field="estimator")
    if runs is None:
        runs = 1_000 if estimator == "mc" else 10_000
    runs = check_int(runs, owner=owner, field="runs", low=1)
    if spread is not None and not callable(spread):
        raise fail(owner, "spread", "be a function (seeds, generator) -> (mean, se)", spread)
    gen = resolve_rng(rng, owner=owner)
    crn, fresh = spawn_seeds(gen, 2, owner=owner)

    m: RRModel | None = None
    sample: RRCollection | None = None
    if spread is None and estimator == "mc":
        model = check_choice(model, ["ic", "lt"], owner=owner, field="model")
        spread = _monte_carlo_spread(net, model=model, p=p, weights=weights, runs=runs)
        used_model: str | None = model
    else:
        used_model = None
    if spread is None:
        model = check_choice(model, ["ic", "lt"], owner=owner, field="model")
        m = RRModel.build(net, model=model, p=p, weights=weights, owner=owner)
        sample = RRCollection(m)
        sample.extend(runs, np.random.default_rng(crn))

        def value(seeds: NDArray[np.int64]) -> float:
            assert sample is not None
            return n * sample.covered(seeds) / sample.size

    else:
        user = spread

        def value(seeds: NDArray[np.int64]) -> float:
            out = user(seeds.copy(), np.random.default_rng(crn))
            return _check_spread_value(out, owner)[0]

    # first round: every candidate's own spread (for the RR estimator straight from the
    # per-node counts: a node is in a set at most once)
    heap: list[tuple[float, int, int]] = []
    if sample is not None:
        alone = sample.singles + sample.in_sets
        heap = [(-(n * int(alone[v]) / sample.size), v, 0) for v in cand.tolist()]
    else:
        for v in cand.tolist():
            heap.append((-value(np.array([v], dtype=np.int64)), v, 0))
    heapq.heapify(heap)
    chosen: list[int] = []
    scores: list[float] = []
    current = 0.0
    evaluations = int(cand.shape[0])
    while len(chosen) < k:
        neg_gain, v, stamp = heapq.heappop(heap)
        if stamp == len(chosen):
            chosen.append(v)
            scores.append(-neg_gain)
            current += -neg_gain
            continue
        gain = value(np.array([*chosen, v], dtype=np.int64)) - current
        evaluations += 1
        heapq.heappush(heap, (-gain, v, len(chosen)))
    seeds = np.array(chosen, dtype=np.int64)
    timings = {"selection": time.perf_counter() - t0}

    t1 = time.perf_counter()
    if sample is not None:
        assert m is not None
        est, se = estimate_spread(m, seeds, samples=runs, gen=np.random.default_rng(fresh))
        used, rr_sets, used_model = runs, runs, model
    else:
        assert spread is not None
        est, se = _check_spread_value(spread(seeds.copy(), np.random.default_rng(fresh)), owner)
        used, rr_sets = (runs, 0) if used_model is not None else (0, 0)
    timings["estimate"] = time.perf_counter() - t1
    timings["evaluations"] = float(evaluations)
    return SeedSet(
        seeds=seeds,
        method="celf",
        spread=est,
        spread_se=se,
        labels=_labels(net, seeds),
        scores=np.array(scores),
        model=used_model,
        samples=used,
        rr_sets=rr_sets,
        timings=timings,
    )


# --- IMM --------------------------------------------------------------------------------------


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def imm_parameters(n: int, k: int, epsilon: float, ell: float) -> dict[str, float]:
    """IMM's constants for ``n`` nodes (Tang, Shi & Xiao 2015, eqs. 9 and 6, Algorithm 2).

    ``ell`` is first raised to ``ℓ (1 + log 2 / log n)`` so that both phases together fail
    with probability at most ``n^-ℓ``; then ``ε' = √2 ε``,

        λ' = (2 + 2ε'/3) (log C(n, k) + ℓ log n + log log₂ n) n / ε'²,
        λ* = 2n ((1 - 1/e) α + β)² / ε²,  α = √(ℓ log n + log 2),
        β = √((1 - 1/e)(log C(n, k) + ℓ log n + log 2)).

    Examples
    --------
    >>> c = imm_parameters(100_000, 50, 0.1, 1.0)
    >>> round(c["ell"], 4), f"{c['lambda_star']:.3e}"
    (1.0602, '7.181e+09')
    """
    log_n = math.log(n)
    ell_adj = ell * (1.0 + math.log(2.0) / log_n)
    eps_p = math.sqrt(2.0) * epsilon
    lc = _log_comb(n, k)
    lam_prime = (
        (2.0 + 2.0 * eps_p / 3.0) * (lc + ell_adj * log_n + math.log(math.log2(n))) * n
    ) / eps_p**2
    alpha = math.sqrt(ell_adj * log_n + math.log(2.0))
    beta = math.sqrt((1.0 - 1.0 / math.e) * (lc + ell_adj * log_n + math.log(2.0)))
    lam_star = 2.0 * n * ((1.0 - 1.0 / math.e) * alpha + beta) ** 2 / epsilon**2
    return {"ell": ell_adj, "eps_prime": eps_p, "lambda_prime": lam_prime, "lambda_star": lam_star}


def imm(
    graph: GraphLike,
    k: int,
    *,
    model: str = "ic",
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    epsilon: float = 0.1,
    ell: float = 1.0,
    samples: int | None = None,
    reuse_samples: bool = False,
    threads: int | None = None,
    rng: RNGLike = None,
) -> SeedSet:
    """Influence maximisation by martingales (IMM; Tang, Shi & Xiao 2015).

    IMM draws reverse-reachable (RR) sets (the members who would have reached a random member
    in one random live-edge graph) and picks ``k`` seeds covering as many as possible by
    greedy maximum coverage. With θ ≥ λ*/OPT sets this is a (1 - 1/e - ε)-approximation with
    probability at least 1 - n^-ℓ. Since OPT is unknown, the *sampling phase* looks for a
    lower bound LB by trying x = n/2, n/4, ...: with θ_i = λ'/x sets, if greedy's estimate
    n F_R(S_i) ≥ (1 + ε') x then LB = n F_R(S_i) / (1 + ε'); the *selection phase* then picks
    the seeds on θ = λ*/LB sets (constants in :func:`imm_parameters`).

    The selection phase draws θ *fresh* RR sets (``reuse_samples=False``, the default): the
    original algorithm reuses the sampling phase's sets, which Chen (2018, "An issue in the
    martingale analysis of the influence maximization algorithm IMM") showed breaks the
    independence the proof needs; fresh sets restore the guarantee at the price of at most
    twice the sets. The reported spread and its SE come from ``samples`` further independent
    RR sets (:func:`rr_spread`), not from the sets the seeds were chosen on, whose coverage
    is biased upward by the selection.

    Parameters
    ----------
    graph, k
        As for :func:`top_degree`.
    model
        ``"ic"`` (independent cascade; RR sets by reverse BFS with a coin per in-edge) or
        ``"lt"`` (linear threshold; RR sets by a reverse walk taking at most one in-edge per
        node, with probability its weight).
    p
        IC edge probabilities (number, per-edge array, ``"weighted"`` = 1/in-degree of the
        target, ``"weight"``, or a function of the weights). Default 0.1.
    weights
        LT in-weights, summing to at most 1 at each node (``"uniform"`` = 1/in-degree).
    epsilon
        Approximation slack ε in (0, 1). Default 0.1.
    ell
        Confidence exponent ℓ > 0: the guarantee holds with probability at least 1 - n^-ℓ.
    samples
        RR sets for the spread estimate. Default: enough for a relative standard error of
        about 0.5%, judged from the selection sample (``(1 - f) / (f 0.005²)`` sets for a
        covered share ``f``), at least 10,000 and at most θ.
    reuse_samples
        Reuse the sampling phase's RR sets in the selection phase, as the paper does (faster,
        but see above).
    threads
        Threads drawing RR sets (default: the cores this process may use). Results do not
        depend on it: roots are cut into fixed blocks, each with its own random stream.
    rng
        Randomness; the same ``rng`` gives the same seeds.

    Returns
    -------
    SeedSet
        With ``rr_sets`` = θ, ``lower_bound`` = LB, ``epsilon``, ``confidence`` = 1 - n^-ℓ
        and ``scores`` the marginal spread of each seed on the selection sample.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> s = imm(G, 2, p=0.1, rng=7)
    >>> sorted(s.seeds.tolist()), s.k <= s.spread <= G.number_of_nodes()   # the two leaders
    ([0, 33], True)
    """
    owner = "imm"
    t0 = time.perf_counter()
    net = as_network(graph, owner=owner)
    n = net.n
    k = check_int(k, owner=owner, field="k", low=1, high=n)
    model = check_choice(model, ["ic", "lt"], owner=owner, field="model")
    epsilon = check_in_range(
        epsilon, owner=owner, field="epsilon", low=0, high=1, low_open=True, high_open=True
    )
    ell = check_positive(ell, owner=owner, field="ell")
    if samples is not None:
        samples = check_int(samples, owner=owner, field="samples", low=1)
    if not isinstance(reuse_samples, bool):
        raise fail(owner, "reuse_samples", "be True or False", reuse_samples)
    threads = _check_threads(threads, owner)
    m = RRModel.build(net, model=model, p=p, weights=weights, owner=owner)
    gen = resolve_rng(rng, owner=owner)
    if k == n:  # everyone is a seed: nothing to choose or estimate
        seeds = np.arange(n, dtype=np.int64)
        return SeedSet(
            seeds=seeds,
            method="imm",
            spread=float(n),
            spread_se=0.0,
            labels=_labels(net, seeds),
            model=model,
            lower_bound=float(n),
            epsilon=epsilon,
            confidence=1.0 - n ** (-ell),
        )

    c = imm_parameters(n, k, epsilon, ell)
    eps_p = c["eps_prime"]
    R = RRCollection(m, threads=threads)
    lb = 1.0
    for i in range(1, max(1, math.floor(math.log2(n)))):
        x = n / 2.0**i
        R.extend(math.ceil(c["lambda_prime"] / x), gen)
        _, gains = R.greedy(k)
        est = n * float(gains.sum()) / R.size
        if est >= (1.0 + eps_p) * x:
            lb = est / (1.0 + eps_p)
            break
    lb = max(lb, float(k))  # OPT >= k surely: the seeds themselves are reached
    theta = max(1, math.ceil(c["lambda_star"] / lb))
    sampled = R.size
    t1 = time.perf_counter()
    if not reuse_samples:
        R = RRCollection(m, threads=threads)
    R.extend(theta, gen)
    seeds, gains = R.greedy(k)
    t2 = time.perf_counter()
    if samples is None:
        # enough fresh sets for a relative SE of about _EVAL_RSE, judged from the selection
        # sample's coverage (the binomial variance), at least 10,000 and at most θ
        f = (n * float(gains.sum()) / R.size - k) / (n - k)
        need = (1.0 - f) / (f * _EVAL_RSE**2) if f > 0 else math.inf
        n_eval = int(min(R.size, max(10_000, math.ceil(need))))
    else:
        n_eval = samples
    spread, se = estimate_spread(m, seeds, samples=n_eval, gen=gen, threads=threads)
    t3 = time.perf_counter()
    return SeedSet(
        seeds=seeds,
        method="imm",
        spread=spread,
        spread_se=se,
        labels=_labels(net, seeds),
        scores=n * gains.astype(np.float64) / R.size,
        model=model,
        samples=n_eval,
        rr_sets=R.size,
        lower_bound=lb,
        epsilon=epsilon,
        confidence=1.0 - n ** (-ell),
        timings={
            "sampling": t1 - t0,
            "selection": t2 - t1,
            "estimate": t3 - t2,
            "sampling_rr_sets": float(sampled),
        },
    )


# --- spread of a given set --------------------------------------------------------------------


def rr_spread(
    graph: GraphLike,
    seeds: Iterable[Hashable],
    *,
    model: str = "ic",
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    samples: int = 10_000,
    threads: int | None = None,
    rng: RNGLike = None,
) -> SeedSet:
    """Expected spread of ``seeds`` and its standard error from ``samples`` RR sets.

    The seeds count exactly; each RR set is rooted at a uniformly random non-seed member, so
    with ``h`` of ``R`` sets meeting a seed

        σ̂(S) = k + (n - k) h / R,    SE = (n - k) √(f (1 - f) / R),  f = h / R,

    unbiased (P(an RR set of v meets S) is the probability that S activates v), never below
    ``k`` nor above ``n``. Each search stops at the first seed it meets, so large spreads are
    cheap to estimate. The plug-in SE is 0 when no set or every set met a seed.

    Parameters
    ----------
    graph
        As for :func:`top_degree`.
    seeds
        The seed members (labels when the graph has labels, else indices), distinct.
    model, p, weights
        Cascade model and its parameters (see :func:`imm`).
    samples
        Number of RR sets, at least 1.
    threads
        Threads drawing RR sets (default: all cores); the result does not depend on it.
    rng
        Randomness of the estimate.

    Examples
    --------
    >>> import networkx as nx
    >>> s = rr_spread(nx.star_graph(4), [0], p=0.5, samples=40_000, rng=0)
    >>> round(s.spread, 1), s.spread_se < 0.02     # exactly 1 + 4 * 0.5 = 3
    (3.0, True)
    >>> rr_spread(nx.star_graph(4), [0, 0])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `rr_spread.seeds` must not repeat a member; got 0
    """
    owner = "rr_spread"
    t0 = time.perf_counter()
    net = as_network(graph, owner=owner)
    idx = resolve_members(seeds, net.n, net.labels, owner=owner, field="seeds")
    model = check_choice(model, ["ic", "lt"], owner=owner, field="model")
    samples = check_int(samples, owner=owner, field="samples", low=1)
    threads = _check_threads(threads, owner)
    m = RRModel.build(net, model=model, p=p, weights=weights, owner=owner)
    gen = resolve_rng(rng, owner=owner)
    spread, se = estimate_spread(m, idx, samples=samples, gen=gen, threads=threads)
    return SeedSet(
        seeds=idx,
        method="given",
        spread=spread,
        spread_se=se,
        labels=_labels(net, idx),
        model=model,
        samples=samples,
        timings={"estimate": time.perf_counter() - t0},
    )


# --- by name ----------------------------------------------------------------------------------

#: Seeding methods by the name :func:`select_seeds` and ``Structure.seeding`` use.
METHODS: dict[str, Callable[..., SeedSet]] = {
    "degree": top_degree,
    "random": random_seeds,
    "pagerank": pagerank_seeds,
    "kcore": kcore_seeds,
    "degree_discount": degree_discount,
    "celf": celf,
    "imm": imm,
}


def select_seeds(
    graph: GraphLike, k: int, *, method: str = "degree", rng: RNGLike = None, **params: Any
) -> SeedSet:
    """Choose ``k`` seed members by ``method`` name, passing ``params`` on.

    ======================  ======================  ============================================
    method                  function                params
    ======================  ======================  ============================================
    ``"degree"``            :func:`top_degree`      model, p, weights, samples
    ``"random"``            :func:`random_seeds`    model, p, weights, samples
    ``"pagerank"``          :func:`pagerank_seeds`  alpha, max_iter, tol, model, p, weights,
                                                    samples
    ``"kcore"``             :func:`kcore_seeds`     model, p, weights, samples
    ``"degree_discount"``   :func:`degree_discount` p, model, weights, samples
    ``"celf"``              :func:`celf`            spread, model, p, weights, runs, candidates
    ``"imm"``               :func:`imm`             model, p, weights, epsilon, ell, samples,
                                                    reuse_samples, threads
    ======================  ======================  ============================================

    Examples
    --------
    >>> import networkx as nx
    >>> len(select_seeds(nx.path_graph(10), 3, method="random", rng=0).seeds)
    3
    >>> select_seeds(nx.path_graph(10), 3, method="imm", runs=5)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `select_seeds.runs` must be a parameter of \
method 'imm' (model, p, weights, epsilon, ell, samples, reuse_samples, threads); got 5
    """
    method = check_choice(method, list(METHODS), owner="select_seeds", field="method")
    fn = METHODS[method]
    accepted = [
        name
        for name, par in inspect.signature(fn).parameters.items()
        if par.kind is inspect.Parameter.KEYWORD_ONLY and name != "rng"
    ]
    for name, value in params.items():
        if name not in accepted:
            raise fail(
                "select_seeds",
                name,
                f"be a parameter of method {method!r} ({', '.join(accepted)})",
                value,
            )
    return fn(graph, k, rng=rng, **params)
