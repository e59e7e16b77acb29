"""Word of mouth on community networks: cascades, thresholds, network Bass and rumours.

Seed 000 describes a community as a way to reach "the second- and third-degree contacts"
(二三级人脉) of loyal fans through their reposts; seed 001 says an article's reach "depends on
its reposts, not on the platform's subscribers" and that a community needs a central person
(中心人) to drive it. These are network diffusion processes, and this module simulates the
standard ones by Monte Carlo on the community's ties:

=========================  ==================================================================
:func:`independent_cascade` each new adopter gets one chance to convert each contact, with an
                            edge probability (uniform, per edge, from tie strength...)
:func:`linear_threshold`    a member adopts once the weight of adopted contacts reaches a
                            private random (or given) threshold (Kempe, Kleinberg & Tardos 2003)
:func:`watts_threshold`     adopt when the adopted *share* of contacts is at least ``phi``
                            (Watts 2002): global cascades only inside a window of density
:func:`complex_contagion`   adopt after ``k`` distinct adopted contacts (Centola & Macy 2007)
:func:`network_bass`        every step a non-adopter adopts with ``1 - (1-p)(1-q)^a``: ``p``
                            broadcast, ``q`` per (tie-weighted) adopted contact ``a``
:func:`rumour`              ignorant → spreader → stifler with forgetting (Maki & Thompson 1973,
                            Daley & Kendall 1965): messages die out
=========================  ==================================================================

All take the graph first (a :class:`~shequn.community.Community`, a networkx graph, a square
sparse matrix, or a :class:`~shequn.diffusion._network.DiffusionNetwork` built once with
:func:`~shequn.diffusion._network.as_network` to skip the conversion in repeated calls), then
the seeds (node labels, or :class:`RandomSeeds` for fresh uniform seeds in every run), then
keyword-only options, ``runs``, ``rng`` and ``executor``, and return a frozen
:class:`DiffusionResult`. Time is discrete: step ``t`` turns the adopters of step ``t - 1``
into new adopters (synchronous generations); ``curves[:, 0]`` counts the seeds.

Runs are simulated by compiled kernels (:mod:`shequn.diffusion._cascade_kernels`) in blocks of
:data:`BLOCK` runs, each block on its own child stream of ``rng``
(:func:`shequn.rng.spawn_seeds`); the split does not depend on the executor, so the same
``rng`` gives identical results serially, on threads (the kernels release the GIL) or on
processes, and a larger ``runs`` extends the same first runs.

Examples
--------
>>> import networkx as nx
>>> from shequn.diffusion.cascades import independent_cascade
>>> G = nx.path_graph(3)                # a fan (0) reposts to a friend (1), who reposts on (2)
>>> res = independent_cascade(G, [0], p=0.5, runs=20_000, rng=7)
>>> bool(abs(res.mean - 1.75) < 4 * res.se)   # exact: 1 + 0.5 + 0.5 * 0.5 = 1.75
True
>>> import numpy as np                  # reach of the second- and third-degree contacts
>>> bool(np.allclose(res.node_frequency, [1.0, 0.5, 0.25], atol=0.02))
True
>>> res == independent_cascade(G, [0], p=0.5, runs=20_000, rng=7)   # same rng, same result
True

References
----------
Kempe, D., Kleinberg, J. & Tardos, É. (2003). Maximizing the spread of influence through a
social network. *KDD '03*, 137-146.
Watts, D. J. (2002). A simple model of global cascades on random networks. *PNAS* 99(9),
5766-5771.
Centola, D. & Macy, M. (2007). Complex contagions and the weakness of long ties. *American
Journal of Sociology* 113(3), 702-734.
Bass, F. M. (1969). A new product growth for model consumer durables. *Management Science*
15(5), 215-227.
Daley, D. J. & Kendall, D. G. (1965). Stochastic rumours. *IMA J. Applied Mathematics* 1(1),
42-55. Maki, D. P. & Thompson, M. (1973). *Mathematical Models and Applications*.
Prentice-Hall. Zhao, L. et al. (2011). Rumor spreading model with consideration of forgetting
mechanism. *Physica A* 390(13), 2619-2625.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Hashable
from concurrent.futures import Executor
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from shequn._optional import optional_import
from shequn._stats import mean_ci, mean_ci_columns
from shequn._validation import (
    check_array,
    check_choice,
    check_in_range,
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
from shequn.rng import RNGLike, spawn_seeds

__all__ = [
    "BLOCK",
    "DiffusionResult",
    "RandomSeeds",
    "complex_contagion",
    "independent_cascade",
    "linear_threshold",
    "network_bass",
    "rumour",
    "watts_threshold",
]

BLOCK = 1024
"""Runs per random stream: run ``r`` uses child stream ``r // BLOCK`` of ``rng``."""

_TOL = 1e-9
"""Slack in fixed-threshold comparisons, so that shares equal in exact arithmetic count."""

_arr_eq = attrs.cmp_using(eq=np.array_equal)
_NO_EDGES = np.zeros(0, dtype=np.float64)
IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def _opt_equal(a: IntArray | None, b: IntArray | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))


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


@attrs.frozen(kw_only=True)
class DiffusionResult:
    """Monte Carlo outcome of a diffusion model: final sizes, adoption curves, who adopted.

    Attributes
    ----------
    model
        Name of the function that produced it, e.g. ``"independent_cascade"``.
    n
        Number of nodes of the network.
    seeds
        (k,) node indices of the fixed seeds (empty with :class:`RandomSeeds`).
    random_seeds
        Number of seeds drawn per run with :class:`RandomSeeds`, else 0.
    final_sizes
        (runs,) adopters at the end of each run, seeds included (for :func:`rumour`: members
        who ever heard the message, i.e. spreaders plus stiflers).
    curves
        (runs, steps + 1) cumulative adopters after each step (column 0: the seeds), each row
        padded with its final value after the run stopped.
    node_counts
        (n,) number of runs in which each node adopted (seeds included).
    active
        (runs, steps + 1) spreaders after each step for :func:`rumour` (0 once it died out);
        ``None`` for the other models.
    params
        The model's parameters as ``(name, value)`` pairs, for the summary.
    labels
        Node labels by index, or ``None`` when the nodes are ``0..n-1``.
    level
        Confidence level of the reported intervals.

    Examples
    --------
    >>> import networkx as nx
    >>> res = independent_cascade(nx.path_graph(4), [0], p=1.0, runs=3, rng=0)
    >>> res.final_sizes.tolist(), res.curves[0].tolist()
    ([4, 4, 4], [1, 2, 3, 4])
    >>> res.node_frequency.tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    model: str
    n: int
    seeds: IntArray = attrs.field(eq=_arr_eq, repr=False)
    random_seeds: int = 0
    final_sizes: IntArray = attrs.field(eq=_arr_eq, repr=False)
    curves: IntArray = attrs.field(eq=_arr_eq, repr=False)
    node_counts: IntArray = attrs.field(eq=_arr_eq, repr=False)
    active: IntArray | None = attrs.field(
        default=None, eq=attrs.cmp_using(eq=_opt_equal), repr=False
    )
    params: tuple[tuple[str, Any], ...] = attrs.field(default=(), repr=False)
    labels: tuple[Hashable, ...] | None = attrs.field(default=None, repr=False)
    level: float = 0.95

    @property
    def runs(self) -> int:
        """Number of Monte Carlo runs."""
        return int(self.final_sizes.shape[0])

    @property
    def steps(self) -> int:
        """Number of steps recorded in :attr:`curves` (its width minus one)."""
        return int(self.curves.shape[1] - 1)

    @property
    def mean(self) -> float:
        """Mean final size over the runs (the expected spread)."""
        return float(self.final_sizes.mean())

    @property
    def se(self) -> float:
        """Standard error of :attr:`mean` (NaN with one run)."""
        if self.runs < 2:
            return float("nan")
        return float(self.final_sizes.std(ddof=1) / math.sqrt(self.runs))

    @property
    def mean_share(self) -> float:
        """Mean final size as a share of the network."""
        return self.mean / self.n

    @property
    def node_frequency(self) -> FloatArray:
        """(n,) share of runs in which each node adopted: its adoption probability."""
        out: FloatArray = self.node_counts / float(self.runs)
        return out

    @property
    def durations(self) -> IntArray:
        """(runs,) step of each run's last adoption (for :func:`rumour`: steps until no spreader
        is left).

        Examples
        --------
        >>> import networkx as nx
        >>> independent_cascade(nx.path_graph(4), [0], p=1.0, runs=2, rng=0).durations.tolist()
        [3, 3]
        """
        if self.active is not None:
            # spreaders stay positive until the rumour dies, then 0 for good
            alive: IntArray = np.minimum((self.active > 0).sum(axis=1), self.steps)
            return alive.astype(np.int64)
        grew = np.diff(self.curves, axis=1) > 0
        if grew.shape[1] == 0:
            return np.zeros(self.runs, dtype=np.int64)
        last = grew.shape[1] - np.argmax(grew[:, ::-1], axis=1)
        out = np.where(grew.any(axis=1), last, 0).astype(np.int64)
        return out

    def ci(self, level: float | None = None) -> tuple[float, float]:
        """Student-t confidence interval ``(lower, upper)`` of :attr:`mean` at ``level``.

        Examples
        --------
        >>> import networkx as nx
        >>> res = independent_cascade(nx.star_graph(5), [0], p=0.5, runs=400, rng=1)
        >>> lo, hi = res.ci()
        >>> bool(lo < 3.5 < hi)    # exact: 1 + 5 * 0.5
        True
        """
        lvl = self.level if level is None else level
        _, lo, hi = mean_ci(self.final_sizes, level=lvl)
        return lo, hi

    def mean_curve(self, level: float | None = None) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Mean cumulative adopters per step with its confidence band ``(mean, lower, upper)``.

        Examples
        --------
        >>> import networkx as nx
        >>> m, lo, hi = independent_cascade(nx.path_graph(3), [0], p=1.0, runs=2).mean_curve()
        >>> m.tolist()
        [1.0, 2.0, 3.0]
        """
        lvl = self.level if level is None else level
        return mean_ci_columns(self.curves, level=lvl)

    def prob_reach(self, size: int) -> float:
        """Share of runs whose final size is at least ``size`` (e.g. a "global" cascade).

        Examples
        --------
        >>> import networkx as nx
        >>> independent_cascade(nx.path_graph(3), [0], p=1.0, runs=4).prob_reach(3)
        1.0
        """
        k = check_int(size, owner="DiffusionResult.prob_reach", field="size", low=0)
        return float((self.final_sizes >= k).mean())

    def _param_text(self) -> str:
        return ", ".join(f"{k}={_short(v)}" for k, v in self.params)

    def _seed_text(self) -> str:
        if self.random_seeds:
            return f"{self.random_seeds} random seed{'s' if self.random_seeds > 1 else ''} per run"
        k = self.seeds.shape[0]
        return f"{k} seed{'s' if k != 1 else ''}"

    def summary(self) -> str:
        """Plain-text summary: expected spread with its interval, share, duration.

        Examples
        --------
        >>> import networkx as nx
        >>> res = independent_cascade(nx.path_graph(5), [0], p=1.0, runs=10, rng=0)
        >>> print(res.summary().splitlines()[0])
        independent_cascade on 5 nodes, 1 seed, 10 runs (p=1)
        """
        pct = round(100 * self.level)
        lo, hi = self.ci()
        what = "informed" if self.model == "rumour" else "adopters"
        dur = self.durations
        lines = [
            f"{self.model} on {self.n} nodes, {self._seed_text()}, {self.runs} runs"
            + (f" ({self._param_text()})" if self.params else ""),
            f"final {what}: mean {self.mean:.6g}, {pct}% CI [{lo:.6g}, {hi:.6g}], "
            f"sd {float(self.final_sizes.std(ddof=1)) if self.runs > 1 else 0.0:.4g}, "
            f"range {int(self.final_sizes.min())}-{int(self.final_sizes.max())}",
            f"share of the network: {self.mean_share:.4g}; steps: mean {float(dur.mean()):.3g}, "
            f"max {int(dur.max())}",
        ]
        return "\n".join(lines)

    def to_frame(self, kind: Literal["runs", "curve", "nodes"] = "runs") -> Any:
        """The result as a :class:`pandas.DataFrame` (needs pandas).

        Parameters
        ----------
        kind
            ``"runs"``: one row per run (final size, duration); ``"curve"``: one row per step
            (mean cumulative adopters with its confidence band, and mean spreaders for the
            rumour); ``"nodes"``: one row per node (adoption frequency), indexed by label.

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> import networkx as nx
        >>> res = independent_cascade(nx.path_graph(3), [0], p=1.0, runs=2)
        >>> res.to_frame().columns.tolist(), res.to_frame("curve").shape
        (['final_size', 'duration'], (3, 3))
        """
        kind = check_choice(
            kind, ["runs", "curve", "nodes"], owner="DiffusionResult.to_frame", field="kind"
        )
        pd = optional_import("pandas", extra="pandas")
        if kind == "runs":
            return pd.DataFrame(
                {"final_size": self.final_sizes, "duration": self.durations},
                index=pd.RangeIndex(self.runs, name="run"),
            )
        if kind == "curve":
            m, lo, hi = self.mean_curve()
            data = {"mean": m, "lower": lo, "upper": hi}
            if self.active is not None:
                data["spreaders"] = self.active.mean(axis=0)
            return pd.DataFrame(data, index=pd.RangeIndex(self.steps + 1, name="step"))
        index = pd.Index(
            list(self.labels) if self.labels is not None else list(range(self.n)), name="node"
        )
        return pd.DataFrame(
            {"frequency": self.node_frequency, "runs_adopted": self.node_counts}, index=index
        )

    def _repr_html_(self) -> str:
        lo, hi = self.ci()
        pct = round(100 * self.level)
        params = f" ({self._param_text()})" if self.params else ""
        return (
            f"<p>{self.model} on {self.n} nodes, {self._seed_text()}, {self.runs} runs"
            f"{params}</p><table><tr><th>mean final size</th><th>{pct}% CI</th>"
            "<th>share</th><th>max steps</th></tr>"
            f"<tr><td>{self.mean:.6g}</td><td>[{lo:.6g}, {hi:.6g}]</td>"
            f"<td>{self.mean_share:.4g}</td><td>{self.steps}</td></tr></table>"
        )


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


# --- shared plumbing ------------------------------------------------------------------------------


_INT32_MAX = 2**31 - 1
_last_csr: tuple[weakref.ref[DiffusionNetwork], NDArray[Any], NDArray[Any], int] | None = None


def _prepared(net: DiffusionNetwork) -> tuple[NDArray[Any], NDArray[Any], int]:
    """``net.indptr`` and ``net.indices`` as int32 when they fit (a quarter less memory traffic
    per visited edge, measured 20-25% faster on BA(100k, 5)) and the largest out-degree; kept
    for the last network, so repeated calls on one network (CELF) prepare it once."""
    global _last_csr
    cached = _last_csr
    if cached is not None and cached[0]() is net:
        return cached[1], cached[2], cached[3]
    dmax = int(net.out_degree.max()) if net.n else 0
    if net.n_edges >= _INT32_MAX or net.n >= _INT32_MAX:
        ip, ix = net.indptr, net.indices
    else:
        ip, ix = net.indptr.astype(np.int32), net.indices.astype(np.int32)
    _last_csr = (weakref.ref(net), ip, ix, dmax)
    return ip, ix, dmax


def _csr32(net: DiffusionNetwork) -> tuple[NDArray[Any], NDArray[Any]]:
    """The kernels' CSR arrays of ``net`` (see :func:`_prepared`)."""
    ip, ix, _ = _prepared(net)
    return ip, ix


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


def _limit(max_steps: int | None, owner: str) -> int:
    if max_steps is None:
        return -1
    return check_int(max_steps, owner=owner, field="max_steps", low=0)


def _block_states(rng: RNGLike, n_blocks: int, owner: str) -> NDArray[np.uint64]:
    children = spawn_seeds(rng, n_blocks, owner=owner)
    states = np.empty((n_blocks, 4), dtype=np.uint64)
    for b, child in enumerate(children):
        st = child.generate_state(4, np.uint64)
        if not st.any():  # xoshiro's one forbidden state; probability 2^-256
            st[0] = np.uint64(1)
        states[b] = st
    return states


def _pad(curve: IntArray, steps: IntArray, sizes: IntArray, width: int) -> IntArray:
    """Cut or widen ``curve`` to ``width`` columns, each row padded with its final value."""
    out = np.empty((curve.shape[0], width), dtype=np.int64)
    k = min(width, curve.shape[1])
    out[:, :k] = curve[:, :k]
    cols = np.arange(width)
    return np.where(cols[None, :] <= steps[:, None], out, sizes[:, None])


def _simulate(
    kernel: str,
    model_args: tuple[Any, ...],
    *,
    seeds: IntArray,
    n_random: int,
    runs: int,
    rng: RNGLike,
    executor: Executor | None,
    limit: int,
    owner: str,
    deterministic: bool = False,
    fixed_width: bool = False,
) -> tuple[IntArray, IntArray, IntArray, IntArray | None]:
    """Final sizes, curves, node counts and (rumour) spreader curves of ``runs`` runs."""
    from shequn.diffusion import _cascade_kernels as kern

    call = functools.partial(
        kern.run, kernel, model_args, seeds=seeds, n_random=n_random, block=BLOCK, limit=limit
    )
    if deterministic and n_random == 0:
        # nothing random: one run is every run
        one = call(states=np.ones((1, 4), dtype=np.uint64), runs=1)
        outs = [
            kern.KernelOutput(
                sizes=np.repeat(one.sizes, runs),
                steps=np.repeat(one.steps, runs),
                curves=np.repeat(one.curves, runs, axis=0),
                counts=one.counts * runs,
                active=one.active,
            )
        ]
    else:
        n_blocks = -(-runs // BLOCK)
        states = _block_states(rng, n_blocks, owner)
        if executor is None:
            outs = [call(states=states, runs=runs)]
        else:
            per_task = max(1, -(-n_blocks // 16))
            futures = []
            for b0 in range(0, n_blocks, per_task):
                b1 = min(n_blocks, b0 + per_task)
                n_runs = min(runs, b1 * BLOCK) - b0 * BLOCK
                futures.append(executor.submit(call, states=states[b0:b1], runs=n_runs))
            outs = [f.result() for f in futures]
    sizes = np.concatenate([o.sizes for o in outs])
    steps = np.concatenate([o.steps for o in outs])
    width = outs[0].curves.shape[1] if fixed_width else int(steps.max()) + 1
    curves = np.concatenate([_pad(o.curves, o.steps, o.sizes, width) for o in outs], axis=0)
    counts = outs[0].counts if len(outs) == 1 else np.sum([o.counts for o in outs], axis=0)
    active: IntArray | None = None
    if kernel == "rumour":
        final_active = [o.active[np.arange(o.sizes.shape[0]), o.steps] for o in outs]
        active = np.concatenate(
            [_pad(o.active, o.steps, fa, width) for o, fa in zip(outs, final_active, strict=True)],
            axis=0,
        )
    return sizes, curves, counts, active


def _counting_args(net: DiffusionNetwork, need: IntArray) -> tuple[Any, ...]:
    """Threshold kernel arguments for "adopt after ``need[v]`` adopted contacts": the linear
    threshold with every in-weight 1 and the fixed threshold ``need[v]`` (integer sums of
    ones are exact in floating point, so no tolerance is needed)."""
    ones = np.ones(net.n_edges, dtype=np.float64)
    return (*_csr32(net), ones, need.astype(np.float64), 1, 0.0)


def _result(
    model: str,
    net: DiffusionNetwork,
    seeds: IntArray,
    n_random: int,
    out: tuple[IntArray, IntArray, IntArray, IntArray | None],
    params: tuple[tuple[str, Any], ...],
) -> DiffusionResult:
    sizes, curves, counts, active = out
    return DiffusionResult(
        model=model,
        n=net.n,
        seeds=seeds,
        random_seeds=n_random,
        final_sizes=sizes,
        curves=curves,
        node_counts=counts,
        active=active,
        params=params,
        labels=net.labels,
    )


def _describe(value: Any, per: str = "per-edge") -> Any:
    """A short, comparable description of a parameter for the summary."""
    if isinstance(value, str | int | float):
        return value
    if callable(value):
        return "callable"
    return per if np.ndim(value) else float(value)


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
    if isinstance(p, str) or callable(p) or np.ndim(p) != 0:
        prob = edge_probabilities(net, p, owner=owner)
        uniform = prob.size == 0 or bool((prob == prob[0]).all())
        p0 = float(prob[0]) if uniform and prob.size else 0.0
    else:  # one number: no per-edge array at all
        p0 = check_probability(p, owner=owner, field="p")
        uniform, prob = True, _NO_EDGES
    idx, n_random = _seeds(seeds, net, owner)
    runs = check_int(runs, owner=owner, field="runs", low=1)
    limit = _limit(max_steps, owner)
    from shequn.diffusion import _cascade_kernels as kern

    ip, ix, dmax = _prepared(net)
    if uniform:
        mode = kern.IC_ALL if p0 >= 1.0 else kern.IC_NONE if p0 <= 0.0 else kern.IC_GEOMETRIC
        # geometric skipping reads (1 - p)^k, the chance that k remaining edges all fail
        prob = (
            np.exp(np.arange(dmax + 1) * math.log1p(-p0))
            if mode == kern.IC_GEOMETRIC
            else _NO_EDGES
        )
    else:
        mode = kern.IC_EDGE
    args = (ip, ix, np.ascontiguousarray(prob, dtype=np.float64), p0, mode)
    deterministic = mode in (kern.IC_ALL, kern.IC_NONE)
    out = _simulate(
        "ic",
        args,
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
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
    runs = check_int(runs, owner=owner, field="runs", low=1)
    limit = _limit(max_steps, owner)
    if thresholds is None:
        theta = np.zeros(net.n, dtype=np.float64)
        fixed, tol = 0, 0.0
    else:
        theta = _per_node(thresholds, net.n, owner, "thresholds", probability=True)
        fixed, tol = 1, _TOL
    args = (*_csr32(net), np.ascontiguousarray(w, dtype=np.float64), theta, fixed, tol)
    out = _simulate(
        "lt",
        args,
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
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
    net = as_network(graph, owner=owner)
    phis = _per_node(phi, net.n, owner, "phi", probability=True)
    idx, n_random = _seeds(seeds, net, owner)
    runs = check_int(runs, owner=owner, field="runs", low=1)
    limit = _limit(max_steps, owner)
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
        args,
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
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
    runs = check_int(runs, owner=owner, field="runs", low=1)
    limit = _limit(max_steps, owner)
    out = _simulate(
        "lt",
        _counting_args(net, need),
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
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
    net = as_network(graph, owner=owner)
    p = check_probability(p, owner=owner, field="p")
    q = check_probability(q, owner=owner, field="q")
    steps = check_int(steps, owner=owner, field="steps", low=1)
    idx, n_random = _seeds(seeds, net, owner, allow_empty=True)
    runs = check_int(runs, owner=owner, field="runs", low=1)
    w = net.weight if weighted else np.ones(net.n_edges, dtype=np.float64)
    out = _simulate(
        "bass",
        (*_csr32(net), np.ascontiguousarray(w, dtype=np.float64), p, q),
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=steps,
        owner=owner,
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
        λ, α and δ, probabilities in [0, 1]. With ``stifle = forget = 0`` spreaders never
        stop, so ``max_steps`` is then required.
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
    runs = check_int(runs, owner=owner, field="runs", low=1)
    limit = _limit(max_steps, owner)
    if alpha == 0.0 and delta == 0.0 and limit < 0:
        raise fail(
            owner,
            "max_steps",
            "be given when stifle and forget are both 0 (spreaders would never stop)",
            max_steps,
        )
    dk = 1 if variant == "daley-kendall" else 0
    out = _simulate(
        "rumour",
        (*_csr32(net), lam, alpha, delta, dk),
        seeds=idx,
        n_random=n_random,
        runs=runs,
        rng=rng,
        executor=executor,
        limit=limit,
        owner=owner,
    )
    params = (("spread", lam), ("stifle", alpha), ("forget", delta), ("variant", variant))
    return _result(owner, net, idx, n_random, out, params)
