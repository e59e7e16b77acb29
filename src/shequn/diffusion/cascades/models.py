"""The cascade models: independent cascade, linear threshold, Watts' threshold, complex
contagion, network Bass and rumours (see :mod:`shequn.diffusion.cascades`)."""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike

from shequn._progress import ProgressLike
from shequn._typing import FloatArray, IntArray
from shequn._validation import (
    check_array,
    check_choice,
    check_in_range,
    check_instance,
    check_int,
    check_probability,
    fail,
    integer,
)
from shequn.community._graph import resolve_members
from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
    as_network,
    edge_probabilities,
    threshold_weights,
)
from shequn.diffusion.cascades._run import (
    BLOCK,
    _counting_args,
    _csr32,
    _describe,
    _limit,
    _none_left,
    _result,
    _simulate,
)
from shequn.diffusion.cascades.result import DiffusionResult
from shequn.exceptions import ConvergenceError
from shequn.rng import RNGLike, check_rng

__all__ = [
    "BLOCK",
    "RandomSeeds",
    "complex_contagion",
    "independent_cascade",
    "linear_threshold",
    "network_bass",
    "rumour",
    "watts_threshold",
]

_TOL = 1e-9
"""Slack in fixed-threshold comparisons, so that shares equal in exact arithmetic count."""

_NO_EDGES = np.zeros(0, dtype=np.float64)
_RUMOUR_STEPS_PER_NODE = 10
"""Without ``max_steps`` a rumour run stops after 10 steps per member (+ 1,000) at most."""


@attrs.frozen(kw_only=True)
class RandomSeeds:
    """Seeds drawn afresh in every run: ``count`` distinct members, uniformly at random.

    Use it for the question of Watts (2002), "how often does one random early adopter set off a
    global cascade?", or as the random-seeding baseline against chosen seeds.

    Examples
    --------
    >>> import networkx as nx
    >>> from shequn.diffusion.cascades import watts_threshold
    >>> res = watts_threshold(nx.complete_graph(20), RandomSeeds(count=2), phi=0.1, runs=5, rng=0)
    >>> res.final_sizes.tolist()          # 2 of 19 contacts >= 10%: everyone adopts
    [20, 20, 20, 20, 20]
    >>> RandomSeeds(count=0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `RandomSeeds.count` must be an integer >= 1; got 0
    """

    count: int = attrs.field(default=1, validator=integer(low=1))


def _runs(runs: Any, owner: str) -> int:
    if type(runs) is int and runs >= 1:
        return runs
    return check_int(runs, owner=owner, field="runs", low=1)


def _seeds(
    seeds: Any, net: DiffusionNetwork, owner: str, *, allow_empty: bool = False
) -> tuple[IntArray, int]:
    if isinstance(seeds, RandomSeeds):
        if seeds.count > net.n:
            raise fail(owner, "seeds", f"draw at most n = {net.n} random seeds", seeds.count)
        return np.zeros(0, dtype=np.int64), seeds.count
    idx = resolve_members(
        seeds, net.n, net.labels, owner=owner, field="seeds", allow_empty=allow_empty
    )
    return np.ascontiguousarray(idx, dtype=np.int64), 0


# --- the models -----------------------------------------------------------------------------------


def independent_cascade(
    graph: Any,
    seeds: Any,
    *,
    p: EdgeProbability = 0.1,
    runs: int = 1000,
    rng: RNGLike = None,
    executor: Executor | None = None,
    max_steps: int | None = None,
    progress: ProgressLike = None,
) -> DiffusionResult:
    """Independent cascade: each new adopter gets one chance to convert each contact.

    A member who adopts at step ``t`` tries once, at step ``t + 1``, to pass the message over
    each of its out-ties ``u → v``; the attempt succeeds with probability ``p_uv``,
    independently of everything else. The process stops when a step converts nobody. On an
    undirected graph a tie carries the message both ways.

    Parameters
    ----------
    graph
        A :class:`~shequn.community.Community`, networkx graph, square sparse matrix or a
        :class:`~shequn.diffusion._network.DiffusionNetwork` (reused without conversion).
    seeds
        The members who start (labels of the graph, not repeated), or :class:`RandomSeeds`.
    p
        Transmission probability: a number in [0, 1] for every tie; an array with one value
        per out-edge (aligned with ``as_network(graph).indices``); ``"weighted"`` for
        ``1 / in-degree`` of the target (the weighted cascade); ``"weight"`` for the tie
        strengths themselves (in [0, 1]: strong ties transmit more); or a function of the
        weight array, e.g. ``lambda s: 0.02 + 0.1 * s``.
    runs
        Monte Carlo runs, at least 1.
    rng
        Seed material (see :func:`shequn.rng.resolve_rng`); the same value gives the same
        result.
    executor
        Optional :class:`concurrent.futures.Executor` to spread blocks of runs over.
    max_steps
        Stop after this many steps (``None``: until the cascade dies out).

    Returns
    -------
    DiffusionResult
        ``final_sizes`` count the seeds; ``curves[:, t]`` the adopters after step ``t``.

    Examples
    --------
    >>> import networkx as nx
    >>> star = nx.star_graph(4)            # a central person (中心人) with four members
    >>> res = independent_cascade(star, [0], p=0.5, runs=4000, rng=1)
    >>> bool(abs(res.mean - 3.0) < 4 * res.se)   # exact: 1 + 4 * 0.5 = 3
    True
    >>> independent_cascade(star, [0], p=1.5)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `independent_cascade.p` must be in [0, 1]; got 1.5
    """
    owner = "independent_cascade"
    net = as_network(graph, owner=owner)
    if type(p) is float and 0.0 <= p <= 1.0:  # the common case, checked without overhead
        p0, uniform, prob = p, True, _NO_EDGES
    elif isinstance(p, str) or callable(p) or np.ndim(p) != 0:
        prob = edge_probabilities(net, p, owner=owner)
        uniform = prob.size == 0 or bool((prob == prob[0]).all())
        p0 = float(prob[0]) if uniform and prob.size else 0.0
    else:  # one number: no per-edge array at all
        p0 = check_probability(p, owner=owner, field="p")
        uniform, prob = True, _NO_EDGES
    idx, n_random = _seeds(seeds, net, owner)
    runs = _runs(runs, owner)
    limit, capped = _limit(max_steps, owner, net.n)
    ip, ix = _csr32(net)
    if uniform and 0.0 < p0 < 1.0:
        # geometric skipping reads (1 - p)^k, the chance that k remaining edges all fail
        kernel, args = "ic", (ip, ix, _none_left(net, p0), p0)
    else:  # per-edge coins; with p = 0 or 1 on every edge the process is deterministic
        if uniform:
            prob = np.full(net.n_edges, p0)
        kernel, args = "ic_edges", (ip, ix, np.ascontiguousarray(prob, dtype=np.float64), p0)
    deterministic = uniform and p0 in (0.0, 1.0)
    out = _simulate(
        kernel,
        net,
        args,
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
        progress=progress,
        capped=capped,
        deterministic=deterministic,
    )
    return _result(owner, net, idx, n_random, out, (("p", _describe(p)),))


def linear_threshold(
    graph: Any,
    seeds: Any,
    *,
    weights: ThresholdWeights = "uniform",
    thresholds: float | ArrayLike | None = None,
    runs: int = 1000,
    rng: RNGLike = None,
    executor: Executor | None = None,
    max_steps: int | None = None,
    progress: ProgressLike = None,
) -> DiffusionResult:
    """Linear threshold: adopt once the weight of adopted contacts reaches your threshold.

    Member ``v`` has a threshold ``θ_v`` and in-ties of weight ``w_uv`` with
    ``Σ_u w_uv ≤ 1``; it adopts at step ``t + 1`` when ``Σ_{u adopted by t} w_uv ≥ θ_v``.
    With ``θ_v`` uniform on (0, 1], drawn afresh in every run, this is the model of Kempe,
    Kleinberg & Tardos (2003), equivalent to reachability in a random graph where each node
    keeps at most one in-tie, tie ``u → v`` with probability ``w_uv``. A threshold is drawn
    (or read) only when a contact of the member first adopts.

    Parameters
    ----------
    graph, seeds, runs, rng, executor, max_steps
        As in :func:`independent_cascade`.
    weights
        ``"uniform"`` (``1 / in-degree``), ``"normalized"`` (tie strengths scaled to sum to 1
        at every node), ``"weight"`` (the tie strengths as given) or a per-edge array; the
        weights into each node must sum to at most 1.
    thresholds
        ``None`` for uniform random thresholds in every run, or fixed thresholds in [0, 1]
        (one number or one per node; then runs with fixed seeds are identical). Fixed
        thresholds are compared with a slack of 1e-9.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([(0, 1), (2, 1)])      # member 1 listens to 0 and 2, weight 1/2 each
    >>> res = linear_threshold(G, [0], runs=4000, rng=3)
    >>> round(float(res.node_frequency[1]), 1)   # P(θ ≤ 1/2)
    0.5
    >>> linear_threshold(G, [0, 2], thresholds=0.8, runs=1).final_sizes.tolist()
    [3]
    """
    owner = "linear_threshold"
    net = as_network(graph, owner=owner)
    w = threshold_weights(net, weights, owner=owner)
    idx, n_random = _seeds(seeds, net, owner)
    runs = _runs(runs, owner)
    limit, capped = _limit(max_steps, owner, net.n)
    if thresholds is None:
        theta = np.zeros(net.n, dtype=np.float64)
        fixed, tol = 0, 0.0
    else:
        theta = _per_node(thresholds, net.n, owner, "thresholds", probability=True)
        fixed, tol = 1, _TOL
    args = (*_csr32(net), np.ascontiguousarray(w, dtype=np.float64), theta, fixed, tol)
    out = _simulate(
        "lt",
        net,
        args,
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
        progress=progress,
        capped=capped,
        deterministic=bool(fixed),
    )
    params = (("weights", _describe(weights)),) + (
        () if thresholds is None else (("thresholds", _describe(thresholds, "per-node")),)
    )
    return _result(owner, net, idx, n_random, out, params)


def _per_node(
    value: Any, n: int, owner: str, field: str, *, probability: bool = False
) -> FloatArray:
    if np.ndim(value) == 0:
        if probability:
            v = check_probability(value, owner=owner, field=field)
        else:
            v = check_in_range(value, owner=owner, field=field)
        return np.full(n, v, dtype=np.float64)
    arr = check_array(value, owner=owner, field=field, ndim=1, probability=probability)
    if arr.shape[0] != n:
        raise fail(owner, field, f"have one value per node ({n})", arr.shape[0])
    return np.ascontiguousarray(arr, dtype=np.float64)


def watts_threshold(
    graph: Any,
    seeds: Any,
    *,
    phi: float | ArrayLike,
    weighted: bool = False,
    runs: int = 1,
    rng: RNGLike = None,
    executor: Executor | None = None,
    max_steps: int | None = None,
    progress: ProgressLike = None,
) -> DiffusionResult:
    """Watts' (2002) fractional threshold: adopt when at least a share ``phi`` of contacts has.

    Member ``v`` with ``k_v`` contacts (in-neighbours) adopts at step ``t + 1`` when
    ``a_v(t) / k_v ≥ φ_v``, ``a_v(t)`` the contacts adopted by step ``t`` (with ``weighted``:
    the share of tie strength instead of the share of contacts). A member with ``k_v ≤ 1/φ``
    is *vulnerable*: one adopted contact is enough. On random graphs global cascades happen
    only inside a window of mean degree where vulnerable members percolate (see
    ``docs/diffusion.md``). Members without contacts never adopt unless seeded.

    The rule is deterministic: with fixed seeds every run is the same (computed once); use
    :class:`RandomSeeds` to ask how often a random start cascades.

    Parameters
    ----------
    graph, seeds, runs, rng, executor, max_steps
        As in :func:`independent_cascade` (``runs`` defaults to 1 here).
    phi
        Threshold share in [0, 1], one number or one per node. ``0`` means one adopted contact
        suffices.
    weighted
        Count tie strength instead of contacts.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(5)               # inner members have 2 contacts, the ends 1
    >>> watts_threshold(G, [0], phi=0.5).final_sizes.tolist()    # half of 2 is one contact
    [5]
    >>> watts_threshold(G, [0], phi=0.6).final_sizes.tolist()    # needs both contacts
    [1]
    """
    owner = "watts_threshold"
    check_rng(rng, owner=owner)  # deterministic without random seeds: checked all the same
    check_instance(weighted, bool, owner=owner, field="weighted")
    net = as_network(graph, owner=owner)
    phis = _per_node(phi, net.n, owner, "phi", probability=True)
    idx, n_random = _seeds(seeds, net, owner)
    runs = _runs(runs, owner)
    limit, capped = _limit(max_steps, owner, net.n)
    if weighted:
        w = threshold_weights(net, "normalized", owner=owner)
        args: tuple[Any, ...] = (
            *_csr32(net),
            np.ascontiguousarray(w),
            phis,
            1,
            _TOL,
        )
        kernel = "lt"
    else:
        k_in = net.in_degree.astype(np.float64)
        need = np.maximum(1, np.ceil(phis * k_in - _TOL)).astype(np.int64)
        args = _counting_args(net, need)
        kernel = "lt"
    out = _simulate(
        kernel,
        net,
        args,
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
        progress=progress,
        capped=capped,
        deterministic=True,
    )
    params = (("phi", _describe(phi, "per-node")), ("weighted", weighted))
    return _result(owner, net, idx, n_random, out, params)


def complex_contagion(
    graph: Any,
    seeds: Any,
    *,
    k: int | ArrayLike = 2,
    runs: int = 1,
    rng: RNGLike = None,
    executor: Executor | None = None,
    max_steps: int | None = None,
    progress: ProgressLike = None,
) -> DiffusionResult:
    """Complex contagion: adopt after hearing it from ``k`` distinct adopted contacts.

    Member ``v`` adopts at step ``t + 1`` when at least ``k_v`` of its contacts
    (in-neighbours) adopted by step ``t`` (Centola & Macy 2007): behaviour that needs social
    reinforcement, which spreads through clustered strong-tie neighbourhoods but not over
    long weak ties. Deterministic like :func:`watts_threshold`: use :class:`RandomSeeds` for
    random starts.

    Parameters
    ----------
    graph, seeds, runs, rng, executor, max_steps
        As in :func:`independent_cascade` (``runs`` defaults to 1 here).
    k
        Number of distinct adopted contacts needed, an integer >= 1 or one per node.

    Examples
    --------
    >>> import networkx as nx
    >>> ring = nx.watts_strogatz_graph(20, 4, 0.0)         # each member: 2 on either side
    >>> complex_contagion(ring, [0, 1], k=2).final_sizes.tolist()
    [20]
    >>> complex_contagion(ring, [0, 10], k=2).final_sizes.tolist()  # no reinforcement
    [2]
    """
    owner = "complex_contagion"
    check_rng(rng, owner=owner)  # deterministic without random seeds: checked all the same
    net = as_network(graph, owner=owner)
    if np.ndim(k) == 0:
        need = np.full(net.n, check_int(k, owner=owner, field="k", low=1), dtype=np.int64)
    else:
        need = check_array(k, owner=owner, field="k", dtype=np.int64, ndim=1)
        if need.shape[0] != net.n:
            raise fail(owner, "k", f"have one value per node ({net.n})", need.shape[0])
        if (need < 1).any():
            bad = int(np.flatnonzero(need < 1)[0])
            raise fail(owner, "k", f"be integers >= 1 (index {bad})", int(need[bad]))
        need = np.ascontiguousarray(need, dtype=np.int64)
    idx, n_random = _seeds(seeds, net, owner)
    runs = _runs(runs, owner)
    limit, capped = _limit(max_steps, owner, net.n)
    out = _simulate(
        "lt",
        net,
        _counting_args(net, need),
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
        progress=progress,
        capped=capped,
        deterministic=True,
    )
    return _result(owner, net, idx, n_random, out, (("k", _describe(k, "per-node")),))


def network_bass(
    graph: Any,
    *,
    p: float,
    q: float,
    steps: int,
    seeds: Any = (),
    weighted: bool = True,
    runs: int = 1000,
    rng: RNGLike = None,
    executor: Executor | None = None,
    progress: ProgressLike = None,
) -> DiffusionResult:
    """Network Bass: broadcast ``p`` and word of mouth ``q`` per adopted contact, every step.

    In each step every member who has not adopted adopts with probability

        1 - (1 - p) (1 - q)^a,

    ``a`` the tie-weighted number of contacts (in-neighbours) who adopted by the previous step
    (the plain count with ``weighted=False``): ``p`` is the external hazard (ads, SMS), ``q``
    the chance that one adopted contact converts you in a step. On a complete graph with
    ``q = Q / n`` this is the discrete-time Bass model with coefficients ``p`` and ``Q``
    (:mod:`shequn.diffusion.bass`); on a community it puts the word of mouth where the ties
    are.

    Parameters
    ----------
    graph, runs, rng, executor
        As in :func:`independent_cascade`.
    p, q
        External and per-contact probabilities per step, in [0, 1].
    steps
        Number of steps (weeks) to simulate, at least 1; ``curves`` has ``steps + 1`` columns.
    seeds
        Members who have adopted at the start (none by default), or :class:`RandomSeeds`.
    weighted
        Weigh adopted contacts by tie strength (tie weights of 1 when the graph has none).

    Examples
    --------
    >>> import networkx as nx
    >>> res = network_bass(nx.star_graph(10), p=0.0, q=1.0, steps=2, seeds=[0], runs=3, rng=0)
    >>> res.curves[0].tolist()           # the hub converts every leaf in one step
    [1, 11, 11]
    >>> res = network_bass(nx.empty_graph(1000), p=0.1, q=0.0, steps=1, runs=200, rng=0)
    >>> round(res.mean_share, 2)         # broadcast only: a share p adopts per step
    0.1
    """
    owner = "network_bass"
    check_instance(weighted, bool, owner=owner, field="weighted")
    net = as_network(graph, owner=owner)
    p = check_probability(p, owner=owner, field="p")
    q = check_probability(q, owner=owner, field="q")
    steps = check_int(steps, owner=owner, field="steps", low=1)
    idx, n_random = _seeds(seeds, net, owner, allow_empty=True)
    runs = _runs(runs, owner)
    w = net.weight if weighted else np.ones(net.n_edges, dtype=np.float64)
    out = _simulate(
        "bass",
        net,
        (*_csr32(net), np.ascontiguousarray(w, dtype=np.float64), p, q),
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=steps,
        owner=owner,
        progress=progress,
        deterministic=(p in (0.0, 1.0) and q in (0.0, 1.0)),
        fixed_width=True,
    )
    params = (("p", p), ("q", q), ("steps", steps), ("weighted", weighted))
    return _result(owner, net, idx, n_random, out, params)


_VARIANTS: tuple[Literal["maki-thompson", "daley-kendall"], ...] = (
    "maki-thompson",
    "daley-kendall",
)


def rumour(
    graph: Any,
    seeds: Any,
    *,
    spread: float = 1.0,
    stifle: float = 1.0,
    forget: float = 0.0,
    variant: Literal["maki-thompson", "daley-kendall"] = "maki-thompson",
    runs: int = 1000,
    rng: RNGLike = None,
    executor: Executor | None = None,
    max_steps: int | None = None,
    progress: ProgressLike = None,
) -> DiffusionResult:
    """Rumour spreading with stifling and forgetting: ignorant → spreader → stifler.

    The seeds start as spreaders, everyone else as ignorant. In each step every spreader,
    in random order, tells one contact chosen uniformly among its out-neighbours:

    * an ignorant contact becomes a spreader with probability ``spread`` (λ), from the next
      step on;
    * a contact who already knows (spreader or stifler) makes the teller lose interest and
      become a stifler with probability ``stifle`` (α); with ``variant="daley-kendall"`` two
      spreaders who meet both become stiflers;
    * afterwards a teller still spreading forgets with probability ``forget`` (δ) and becomes
      a stifler.

    A spreader with no contact becomes a stifler. The rumour stops when no spreader is left.
    On a complete graph the counts follow the Maki & Thompson (1973) chain (or Daley &
    Kendall's, 1965), whose classic result is that about 20% never hear (``spread = stifle
    = 1``, ``forget = 0``); forgetting (Zhao et al. 2011) makes messages die out sooner.

    ``final_sizes`` and ``curves`` count the *informed* (spreaders plus stiflers);
    :attr:`DiffusionResult.active` holds the spreaders after each step.

    Parameters
    ----------
    graph, seeds, runs, rng, executor, max_steps
        As in :func:`independent_cascade`.
    spread, stifle, forget
        λ, α and δ, probabilities in [0, 1]. With ``forget = 0`` and ``stifle = 0`` or
        ``spread = 0`` spreaders may never stop, so ``max_steps`` is then required. Without
        ``max_steps`` a run may last 10 steps per member + 1,000; a rumour still alive then
        raises :class:`~shequn.exceptions.ConvergenceError` (pass ``max_steps``).
    variant
        ``"maki-thompson"`` (only the teller is stifled) or ``"daley-kendall"``.

    Examples
    --------
    >>> import networkx as nx
    >>> res = rumour(nx.complete_graph(400), [0], runs=400, rng=2)
    >>> round(1 - res.mean_share, 1)     # share who never hear: about 0.2 (Maki-Thompson)
    0.2
    >>> int(res.active[:, -1].max())     # and the rumour always dies out
    0
    """
    owner = "rumour"
    net = as_network(graph, owner=owner)
    lam = check_probability(spread, owner=owner, field="spread")
    alpha = check_probability(stifle, owner=owner, field="stifle")
    delta = check_probability(forget, owner=owner, field="forget")
    variant = check_choice(variant, list(_VARIANTS), owner=owner, field="variant")
    idx, n_random = _seeds(seeds, net, owner)
    runs = _runs(runs, owner)
    if max_steps is None and delta == 0.0 and (alpha == 0.0 or lam == 0.0):
        # a spreader stops only by forgetting, or by stifling on a contact who knows; with no
        # forgetting and no stifling (or no one new ever hearing) it can talk forever
        raise fail(
            owner,
            "max_steps",
            "be given when forget is 0 and stifle or spread is 0 (spreaders could never stop)",
            max_steps,
        )
    limit, capped = _limit(max_steps, owner, _RUMOUR_STEPS_PER_NODE * net.n + 1000)
    dk = 1 if variant == "daley-kendall" else 0
    out = _simulate(
        "rumour",
        net,
        (*_csr32(net), lam, alpha, delta, dk),
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
        progress=progress,
        capped=capped,
    )
    if max_steps is None and out[3] is not None and bool(out[3][:, -1].any()):
        raise ConvergenceError(
            f"rumour: spreaders were still talking after {limit:,} steps (the default cap, "
            f"{_RUMOUR_STEPS_PER_NODE} steps per member + 1,000); the rumour dies out too slowly "
            "for these spread, stifle and forget: pass max_steps to stop it there, or raise "
            "stifle or forget"
        )
    params = (("spread", lam), ("stifle", alpha), ("forget", delta), ("variant", variant))
    return _result(owner, net, idx, n_random, out, params)
