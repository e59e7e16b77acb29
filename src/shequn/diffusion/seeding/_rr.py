"""Reverse-reachable (RR) sets: the sampling machinery behind IMM, CELF's default and spreads.

Private to :mod:`shequn.diffusion.seeding`. A *reverse-reachable set* of a node ``v`` is the
set of nodes that would have activated ``v`` in one random live-edge graph (Borgs et al. 2014):
under the independent cascade, every edge ``u → w`` is live with its probability and the RR set
is what reaches ``v`` over live edges (a reverse breadth-first search that flips each in-edge's
coin); under the linear threshold model every node keeps at most one live in-edge, chosen with
probability equal to its weight, and the RR set is a reverse random walk that stops at a node
with no live in-edge or at a node already visited. For a root ``v`` drawn uniformly,

    P(S meets RR(v)) = σ(S) / n,

so ``n`` times the share of RR sets that a seed set covers is an unbiased estimate of its
expected spread ``σ(S)``.

Sets are drawn in *rounds*; a round of ``b`` sets is cut into ranges of root nodes (one per
:data:`MIN_TASK_SETS` sets, at most :data:`BLOCKS`), range ``j`` getting a multinomial share
of the ``b`` sets (in proportion to its nodes) and its own random stream (a spawned child of
entropy drawn from the caller's generator). A range is a self-contained task (its bounds, its
count, its stream), so the same generator gives the same sets serially, on threads or on a
cluster, and the parts of a round can stay where they were made
(:mod:`shequn.diffusion._dask`).

Examples
--------
>>> import networkx as nx
>>> import numpy as np
>>> from shequn.diffusion._network import as_network
>>> from shequn.diffusion.seeding._rr import RRModel, estimate_spread
>>> m = RRModel.build(as_network(nx.path_graph(3)), model="ic", p=1.0, weights="uniform",
...                   owner="doc")
>>> estimate_spread(m, np.array([0]), samples=100, gen=np.random.default_rng(0))
(3.0, 0.0)
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import check_choice, check_duration, check_int
from shequn.diffusion._dask import DaskRRCollection, Traffic, dask_client, dask_hits, scatter
from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
    edge_probabilities,
    threshold_weights,
)
from shequn.diffusion._parallel import run_tasks
from shequn.diffusion._xoshiro import block_states
from shequn.diffusion.seeding import _kernels as kern

__all__ = [
    "BATCH",
    "BLOCKS",
    "PILOT",
    "Part",
    "RRCollection",
    "RRModel",
    "estimate_spread",
    "make_collection",
    "round_plan",
]

#: RR sets drawn per round, at most (rounds start at :data:`PILOT` sets and double, so a
#: first round tells the memory a set takes and every round is short enough for progress and
#: Ctrl-C; the sizes depend only on the counts asked for, never on timing).
BATCH = 1 << 22
#: RR sets in a collection's first round.
PILOT = 1 << 14
#: Ranges of root nodes per round at most, each a task with its own stream; their number is
#: fixed by the round's size, so results do not depend on the executor (64: enough tasks for
#: two cores or a small cluster per round).
BLOCKS = 64
#: RR sets per task at least (a small round is cut into fewer ranges).
MIN_TASK_SETS = 1 << 13


def _row_common(indptr: NDArray[np.int64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per row: the value every entry shares, ``-1`` when entries differ (0 for empty rows)."""
    n = indptr.shape[0] - 1
    out = np.zeros(n, dtype=np.float64)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    if nonempty.size:
        starts = indptr[nonempty]
        lo = np.minimum.reduceat(values, starts)
        hi = np.maximum.reduceat(values, starts)
        out[nonempty] = np.where(lo == hi, lo, -1.0)
    return out


def _target_values(out_vals: NDArray[np.float64], net: DiffusionNetwork) -> NDArray[np.float64]:
    """Per node, the value of the edges into it, from values that depend only on the target."""
    per_node = np.zeros(net.n)
    per_node[net.indices] = out_vals
    return per_node


@attrs.frozen(kw_only=True)
class RRModel:
    """A cascade model in the in-edge form the RR kernels walk.

    ``a`` is the per-in-edge probability (IC) or the running in-weight sum per row (LT).
    For IC when every node's in-edges share a probability ``q`` (kernel ``"ic"``), ``b`` is
    an (n, 4) table of ``(first in-edge, end, 1 / log(1 - q), (1 - q)^d)`` per node (0 for
    ``q = 0``, ``-inf`` for ``q = 1`` in the third column) and ``c`` is empty; otherwise
    ``b`` and ``c`` are per node: for IC (kernel ``"ic_coin"``) ``1 / log(1 - q)`` (1 when
    the in-edges differ) and ``(1 - q)^d``; for LT the in-weight all in-edges share (-1 when
    they differ) and zeros. ``kernel`` names the RR kernel: ``"ic"`` when every node's
    in-edges share a probability, ``"ic_coin"`` when some differ, ``"lt"``.
    """

    model: str
    n: int
    in_ptr: NDArray[np.int32] | NDArray[np.int64] = attrs.field(eq=array_eq, repr=False)
    in_src: NDArray[np.int32] | NDArray[np.int64] = attrs.field(eq=array_eq, repr=False)
    a: FloatArray = attrs.field(eq=array_eq, repr=False)
    b: FloatArray = attrs.field(eq=array_eq, repr=False)
    c: FloatArray = attrs.field(eq=array_eq, repr=False)
    kernel: str = "ic"

    @classmethod
    def build(
        cls,
        net: DiffusionNetwork,
        *,
        model: str,
        p: EdgeProbability,
        weights: ThresholdWeights,
        owner: str,
    ) -> RRModel:
        """Validate the model parameters on ``net`` and lay them out on the in-edges."""
        model = check_choice(model, ["ic", "lt"], owner=owner, field="model")
        if model == "ic":
            out_vals = edge_probabilities(net, p, owner=owner)
            by_target = not callable(p) and (
                (isinstance(p, str) and p == "weighted")
                or (not isinstance(p, str) and np.ndim(p) == 0)
            )
        else:
            out_vals = threshold_weights(net, weights, owner=owner)
            by_target = isinstance(weights, str) and weights == "uniform"
        if by_target and not net.directed:
            # a symmetric network is its own transpose, and these values depend only on the
            # edge's target: 1 / in-degree (or a constant) of the row's own node
            indptr, indices = net.indptr, net.indices
            indeg = np.diff(indptr)
            in_vals = np.repeat(_target_values(out_vals, net), indeg)
        else:
            rev, perm = net.transpose()
            indptr, indices = rev.indptr, rev.indices
            in_vals = np.ascontiguousarray(out_vals[perm])
        deg = np.diff(indptr).astype(np.float64)
        small = net.n_edges < 2**31 - 1
        in_ptr = indptr.astype(np.int32) if small else indptr
        in_src = indices.astype(np.int32) if small else indices
        if model == "ic":
            common = _row_common(indptr, in_vals)
            lq = np.ones(net.n)
            shared = common >= 0
            with np.errstate(divide="ignore"):
                lq[shared] = np.log1p(-common[shared])
            p0 = np.zeros(net.n)
            geo = shared & (lq < 0) & np.isfinite(lq)
            p0[geo] = np.exp(deg[geo] * lq[geo])
            with np.errstate(divide="ignore", over="ignore"):
                inv = 1.0 / lq[geo]
            # the kernels multiply by 1 / log(1 - q); a q below ~1e-308 is no live edge at all
            lq[geo] = np.where(np.isfinite(inv), inv, 0.0)
            if bool((lq <= 0.0).all()):  # every node's in-edges share a probability
                starts = indptr.astype(np.float64)
                packed = np.column_stack([starts[:-1], starts[1:], lq, p0])
                return cls(
                    model=model,
                    n=net.n,
                    in_ptr=in_ptr,
                    in_src=in_src,
                    a=np.zeros(0),  # the node table says all: no per-edge array to ship
                    b=np.ascontiguousarray(packed),
                    c=np.zeros(0),
                    kernel="ic",
                )
            return cls(
                model=model,
                n=net.n,
                in_ptr=in_ptr,
                in_src=in_src,
                a=in_vals,
                b=lq,
                c=p0,
                kernel="ic_coin",
            )
        return cls(
            model=model,
            n=net.n,
            in_ptr=in_ptr,
            in_src=in_src,
            a=kern.row_cumsum(indptr, in_vals),
            b=_row_common(indptr, in_vals),
            c=np.zeros(net.n),
            kernel="lt",
        )

    @property
    def arrays(
        self,
    ) -> tuple[
        NDArray[np.int32] | NDArray[np.int64],
        NDArray[np.int32] | NDArray[np.int64],
        NDArray[np.float64],
        NDArray[np.float64],
        NDArray[np.float64],
    ]:
        """The arrays the kernels take, in order."""
        return self.in_ptr, self.in_src, self.a, self.b, self.c


# --- rounds, ranges and tasks --------------------------------------------------------------------

Task = tuple[int, int, int, NDArray[np.uint64]]
"""One range of a round: ``(first root, end root, sets, stream state)``."""


def round_ranges(n: int, size: int) -> IntArray:
    """Cut points of a round's root ranges: one range per :data:`MIN_TASK_SETS` sets, at
    most :data:`BLOCKS` (fixed by ``n`` and ``size`` alone, so the same on every executor)."""
    blocks = max(1, min(BLOCKS, -(-size // MIN_TASK_SETS)))
    out: IntArray = np.linspace(0, n, blocks + 1).round().astype(np.int64)
    return out


def round_plan(
    n: int,
    size: int,
    gen: np.random.Generator,
    is_seed: NDArray[np.bool_] | None = None,
) -> list[Task]:
    """The ranges of a round of ``size`` sets (:func:`round_ranges`) and their streams.

    Range ``j`` gets a multinomial share of the sets in proportion to its nodes (its
    non-seeds, given ``is_seed``: the roots of a spread estimate), so the roots of the whole
    round are uniform; every range gets its own xoshiro stream from entropy drawn from ``gen``.
    """
    cuts = round_ranges(n, size)
    if is_seed is None:
        w = np.diff(cuts).astype(np.float64)
    else:
        cum = np.concatenate([[0], np.cumsum(~is_seed)])
        w = (cum[cuts[1:]] - cum[cuts[:-1]]).astype(np.float64)
    blocks = cuts.shape[0] - 1
    share = gen.multinomial(size, w / w.sum()) if w.sum() > 0 else np.zeros(blocks, np.int64)
    entropy = [int(x) for x in gen.integers(0, 2**63, size=4)]
    states = block_states(np.random.SeedSequence(entropy), blocks, owner="rr_sample")
    return [
        (int(cuts[j]), int(cuts[j + 1]), int(share[j]), states[j])
        for j in range(blocks)
        if share[j] > 0
    ]


_SPACES: dict[int, threading.local] = {}
_SPACES_LOCK = threading.Lock()


def _workspace(arrays: kern.Arrays) -> kern.Workspace:
    """This thread's scratch arrays for searches on ``arrays`` (kept per network and thread)."""
    key = id(arrays[0])
    local = _SPACES.get(key)
    if local is None:
        with _SPACES_LOCK:
            local = _SPACES.get(key)
            if local is None:
                local = threading.local()
                _SPACES[key] = local
                weakref.finalize(arrays[0], _SPACES.pop, key, None)
    ws: kern.Workspace | None = getattr(local, "ws", None)
    if ws is None:
        n = arrays[0].shape[0] - 1
        ws = kern.workspace(n, arrays[1].dtype.type)
        local.ws = ws
    return ws


Part = tuple[NDArray[Any], IntArray, tuple[int, int], IntArray]
"""One range's sets: flat nodes, offsets, its root range and its roots' singleton counts."""


def sample_task(kind: str, arrays: kern.Arrays, task: Task) -> Part:
    """The RR sets of one range of a round (module level: runs in threads or processes)."""
    lo, hi, size, state = task
    nodes, ptr, singles = kern.rr_sets(kind, arrays, (lo, hi), size, state, _workspace(arrays))
    return nodes, ptr, (lo, hi), singles


def hits_task(kind: str, arrays: kern.Arrays, is_seed: NDArray[np.bool_], task: Task) -> int:
    """How many RR sets of one range meet a seed (roots on the range's non-seeds)."""
    lo, hi, size, state = task
    return kern.rr_hits(kind, arrays, (lo, hi), size, is_seed, state, _workspace(arrays))


class RRCollection:
    """A growing collection of RR sets with uniformly random roots (mutable, private).


    Examples
    --------
    >>> import networkx as nx
    >>> from shequn.diffusion._network import as_network
    >>> m = RRModel.build(as_network(nx.star_graph(3)), model="ic", p=1.0, weights="uniform",
    ...                   owner="doc")
    >>> R = RRCollection(m)
    >>> R.extend(50, np.random.default_rng(1))
    >>> R.size, R.greedy(1)[0].tolist(), R.greedy(1)[1].tolist()   # p = 1: all sets are V
    (50, [0], [50])
    """

    def __init__(self, model: RRModel, *, executor: Any = None) -> None:
        self.model = model
        self.executor = executor
        self.size = 0
        self.singles = np.zeros(model.n, dtype=np.int64)
        # stored sets in amortised (doubling) buffers, and how many of them hold each node
        self._nodes = np.empty(1024, dtype=model.in_src.dtype)
        self._ptr = np.zeros(1024, dtype=np.int64)
        self._top = 0
        self._nsets = 0
        self._in_sets = np.zeros(model.n, dtype=np.int64)

    def bytes_per_set(self) -> float:
        """Memory a stored RR set has taken so far, on average (0 before any set)."""
        if self.size == 0:
            return 0.0
        width = self.model.in_src.dtype.itemsize
        return (width * self._top + 8.0 * self._nsets) / self.size

    @property
    def stored_nodes(self) -> int:
        """Entries held for non-singleton sets."""
        return self._top

    def _append(self, nodes: NDArray[Any], ptr: IntArray) -> None:
        m, k = nodes.shape[0], ptr.shape[0] - 1
        if self._top + m > self._nodes.shape[0]:
            grown = np.empty(max(2 * self._nodes.shape[0], self._top + m), self._nodes.dtype)
            grown[: self._top] = self._nodes[: self._top]
            self._nodes = grown
        if self._nsets + k + 1 > self._ptr.shape[0]:
            grown_p = np.empty(max(2 * self._ptr.shape[0], self._nsets + k + 1), np.int64)
            grown_p[: self._nsets + 1] = self._ptr[: self._nsets + 1]
            self._ptr = grown_p
        self._nodes[self._top : self._top + m] = nodes
        self._ptr[self._nsets + 1 : self._nsets + k + 1] = ptr[1:] + self._top
        self._top += m
        self._nsets += k

    def extend(
        self,
        total: int,
        gen: np.random.Generator,
        *,
        bar: Any = None,
        guard: Callable[[float], None] | None = None,
    ) -> None:
        """Draw RR sets until the collection holds ``total``.

        Rounds of :data:`PILOT`, then doubling up to :data:`BATCH` sets; ``bar`` is advanced
        after each round and ``guard(bytes)`` is called before every round after the first
        with the memory the sets will need (it raises to refuse).
        """
        m = self.model
        while self.size < total:
            if guard is not None and self.size:
                # the stored sets grow by doubling: twice their expected size at worst
                guard(2.0 * self.bytes_per_set() * total)
            b = min(BATCH, total - self.size, max(PILOT, self.size))
            tasks = [(m.kernel, m.arrays, task) for task in round_plan(m.n, b, gen)]
            start = self._top
            for nodes, ptr, (lo, hi), singles in run_tasks(sample_task, tasks, self.executor):
                self.singles[lo:hi] += singles
                if ptr.shape[0] > 1:
                    self._append(nodes, ptr)
            if self._top > start:
                self._in_sets += np.bincount(self._nodes[start : self._top], minlength=m.n)
            self.size += b
            if bar is not None:
                bar.update(b)

    def flat(self) -> tuple[NDArray[Any], IntArray]:
        """The stored (non-singleton) sets as one flat node array and offsets (views)."""
        return self._nodes[: self._top], self._ptr[: self._nsets + 1]

    @property
    def in_sets(self) -> IntArray:
        """Per node, the stored (non-singleton) sets that contain it."""
        return self._in_sets

    def greedy(self, k: int) -> tuple[IntArray, IntArray]:
        """Greedy max coverage: ``k`` seeds and the RR sets each newly covers."""
        nodes, ptr = self.flat()
        return kern.greedy_cover(self.model.n, k, self.singles, self._in_sets, nodes, ptr)

    def covered(self, seeds: IntArray) -> int:
        """RR sets that contain at least one of ``seeds``."""
        nodes, ptr = self.flat()
        is_seed = np.zeros(self.model.n, dtype=np.bool_)
        is_seed[seeds] = True
        return kern.count_covered(self.singles, nodes, ptr, is_seed)


def make_collection(model: RRModel, executor: Any, traffic: Traffic | None = None) -> Any:
    """An RR collection drawn on ``executor``: kept on the workers of a Dask cluster
    (:class:`~shequn.diffusion._dask.DaskRRCollection`), else in this process."""
    client = dask_client(executor)
    if client is None:
        return RRCollection(model, executor=executor)
    return DaskRRCollection(model, client, Traffic() if traffic is None else traffic)


RR_SET_SECONDS = 3e-8
"""A floor on the time one RR set costs (one search from a random root): 80 ns were measured
on the karate club at p = 0.1 (load 7.9, ``top_degree(..., samples=10**6)``); 30 ns is below
any graph's cost, so a refusal from :func:`check_rr_samples` is certain."""


def check_rr_samples(samples: Any, *, owner: str) -> int:
    """``samples`` RR sets: an integer >= 1 whose time floor stays within an hour.

    Examples
    --------
    >>> check_rr_samples(10_000, owner="rr_spread")
    10000
    >>> check_rr_samples(10**12, owner="rr_spread")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `rr_spread.samples` must need at most 1 hour of \
work (at least 3e+04 s, 8.33 hours, estimated); got 1000000000000
    """
    r = check_int(samples, owner=owner, field="samples", low=1)
    check_duration(r * RR_SET_SECONDS, owner=owner, field="samples", value=samples)
    return r


def estimate_spread(
    model: RRModel,
    seeds: IntArray,
    *,
    samples: int,
    gen: np.random.Generator,
    executor: Any = None,
    bar: Any = None,
    traffic: Traffic | None = None,
    arrays: Any = None,
) -> tuple[float, float]:
    """Expected spread of ``seeds`` and its standard error from ``samples`` fresh RR sets.

    With a Dask ``executor`` the searches run on the workers (the graph scattered once, or
    given as the future ``arrays``) and only hit counts come back; ``traffic`` tallies the
    bytes.

    The seeds count exactly; the RR sets are rooted at uniformly random *non-seed* nodes, so

        σ̂(S) = k + (n − k) · h / R,   SE = (n − k) · sqrt(f (1 − f) / R),  f = h / R,

    with ``h`` of the ``R`` sets meeting a seed (a binomial proportion). This is unbiased, never
    below ``k`` nor above ``n``, and has lower variance than rooting at any node. Each search
    stops at the first seed it meets. The plug-in SE is 0 when no set or every set meets a
    seed; then it only says that ``R`` sets saw no variation.
    """
    n = model.n
    k = int(seeds.shape[0])
    if k >= n:
        return float(n), 0.0
    is_seed = np.zeros(n, dtype=np.bool_)
    is_seed[seeds] = True
    client = dask_client(executor)
    if client is not None:
        traffic = Traffic() if traffic is None else traffic
        arrays = scatter(client, model.arrays, traffic) if arrays is None else arrays
        seeds_f = scatter(client, is_seed, traffic)
    hits = 0
    done = 0
    while done < samples:
        b = min(BATCH, samples - done, max(PILOT, done))
        plan = round_plan(n, b, gen, is_seed)
        if client is not None:
            assert traffic is not None
            hits += dask_hits(model, client, plan, seeds_f, traffic, arrays)
        else:
            tasks = [(model.kernel, model.arrays, is_seed, t) for t in plan]
            hits += sum(run_tasks(hits_task, tasks, executor))
        done += b
        if bar is not None:
            bar.update(b)
    f = hits / samples
    spread = k + (n - k) * f
    se = (n - k) * math.sqrt(f * (1.0 - f) / samples)
    return float(spread), float(se)
