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
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._progress import Progress
from shequn._typing import FloatArray, array_eq
from shequn._validation import check_choice
from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
    edge_probabilities,
    threshold_weights,
)
from shequn.diffusion._parallel import run_tasks
from shequn.diffusion.seeding._kernels import (
    append_sets,
    count_covered,
    greedy_cover,
    row_cumsum,
    rr_hits,
    rr_sets,
)
from shequn.rng import spawn_seeds

__all__ = [
    "BATCH",
    "BLOCKS",
    "PILOT",
    "RRCollection",
    "RRModel",
    "estimate_spread",
    "root_counts",
]

#: RR sets drawn per round of kernel calls, at most (rounds start at :data:`PILOT` sets and
#: double, so a first round tells the memory a set takes and every round is short enough for
#: progress and Ctrl-C; the sizes depend only on the counts asked for, never on timing).
BATCH = 1 << 22
#: RR sets in a collection's first round.
PILOT = 1 << 14
#: Root ranges per round, each on its own stream; fixed, so results do not depend on threads.
BLOCKS = 8


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
    ``b`` and ``c`` are per node: for IC ``1 / log(1 - q)`` of the probability ``q`` all
    in-edges share (0 if ``q = 0``, ``-inf`` if ``q = 1``, 1 when they differ) and
    ``(1 - q)^d``; for LT the in-weight all in-edges share (-1
    when they differ) and zeros.
    """

    model: str
    n: int
    in_ptr: NDArray[np.int32] | NDArray[np.int64] = attrs.field(eq=array_eq, repr=False)
    in_src: NDArray[np.int32] | NDArray[np.int64] = attrs.field(eq=array_eq, repr=False)
    a: FloatArray = attrs.field(eq=array_eq, repr=False)
    b: FloatArray = attrs.field(eq=array_eq, repr=False)
    c: FloatArray = attrs.field(eq=array_eq, repr=False)

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
            return cls(
                model=model,
                n=net.n,
                in_ptr=in_ptr,
                in_src=in_src,
                a=in_vals,
                b=lq,
                c=p0,
            )
        return cls(
            model=model,
            n=net.n,
            in_ptr=in_ptr,
            in_src=in_src,
            a=row_cumsum(indptr, in_vals),
            b=_row_common(indptr, in_vals),
            c=np.zeros(net.n),
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


def root_counts(n: int, size: int, gen: np.random.Generator) -> NDArray[np.int64]:
    """How many of ``size`` uniform roots fall on each of ``n`` nodes (a multinomial draw).

    RR sets are exchangeable, so drawing the counts (one multinomial, O(n)) instead of the
    roots themselves changes nothing in distribution and lets the kernels walk the nodes in
    memory order.
    """
    if size < n:
        roots = gen.integers(0, n, size=size)
        return np.bincount(roots, minlength=n).astype(np.int64)
    out: NDArray[np.int64] = gen.multinomial(size, np.full(n, 1.0 / n)).astype(np.int64)
    return out


def _blocks(
    n: int, gen: np.random.Generator
) -> tuple[list[tuple[int, int]], list[np.random.Generator]]:
    """Root ranges and their independent generators.

    The nodes are cut into :data:`BLOCKS` equal ranges whatever the number of threads, and
    each range gets its own generator, a child (``SeedSequence.spawn``) of entropy drawn from
    ``gen``: the same ``gen`` state gives the same samples on one thread or many.
    """
    cuts = np.linspace(0, n, BLOCKS + 1).round().astype(np.int64)
    entropy = [int(x) for x in gen.integers(0, 2**63, size=4)]
    children = spawn_seeds(np.random.SeedSequence(entropy), BLOCKS, owner="rr_sample")
    ranges = [(int(cuts[i]), int(cuts[i + 1])) for i in range(BLOCKS)]
    return ranges, [np.random.default_rng(c) for c in children]


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
        self._nodes = np.empty(1024, dtype=np.int32)
        self._ptr = np.zeros(1024, dtype=np.int64)
        self._top = 0
        self._nsets = 0
        self._in_sets = np.zeros(model.n, dtype=np.int64)

    def _append(self, nodes: NDArray[np.int32], ptr: NDArray[np.int64]) -> None:
        m, k = nodes.shape[0], ptr.shape[0] - 1
        if self._top + m > self._nodes.shape[0]:
            grown = np.empty(max(2 * self._nodes.shape[0], self._top + m), dtype=np.int32)
            grown[: self._top] = self._nodes[: self._top]
            self._nodes = grown
        if self._nsets + k + 1 > self._ptr.shape[0]:
            grown_p = np.empty(max(2 * self._ptr.shape[0], self._nsets + k + 1), dtype=np.int64)
            grown_p[: self._nsets + 1] = self._ptr[: self._nsets + 1]
            self._ptr = grown_p
        append_sets(self._nodes, self._ptr, self._top, self._nsets, nodes, ptr, self._in_sets)
        self._top += m
        self._nsets += k

    def bytes_per_set(self) -> float:
        """Memory a stored RR set has taken so far, on average (0 before any set)."""
        if self.size == 0:
            return 0.0
        return (4.0 * self._top + 8.0 * self._nsets) / self.size

    def extend(
        self,
        total: int,
        gen: np.random.Generator,
        *,
        bar: Progress | None = None,
        guard: Callable[[float], None] | None = None,
    ) -> None:
        """Draw RR sets until the collection holds ``total``.

        Rounds of :data:`PILOT`, then doubling up to :data:`BATCH` sets; ``bar`` is advanced
        after each round and ``guard(bytes)`` is called before every round after the first
        with the memory the remaining sets will need (it raises to refuse).
        """
        m = self.model
        while self.size < total:
            if guard is not None and self.size:
                # the stored sets grow by doubling: twice their expected size at worst
                guard(2.0 * self.bytes_per_set() * total)
            b = min(BATCH, total - self.size, max(PILOT, self.size))
            counts = root_counts(m.n, b, gen)
            ranges, gens = _blocks(m.n, gen)
            jobs = [(m.model, m.arrays, counts, r, g) for r, g in zip(ranges, gens, strict=True)]
            outs = run_tasks(rr_sets, jobs, self.executor)
            for (lo, hi), (nodes, ptr, singles) in zip(ranges, outs, strict=True):
                self.singles[lo:hi] += singles
                if ptr.shape[0] > 1:
                    self._append(nodes, ptr)
            self.size += b
            if bar is not None:
                bar.update(b)

    def flat(self) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
        """The stored (non-singleton) sets as one flat node array and offsets (views)."""
        return self._nodes[: self._top], self._ptr[: self._nsets + 1]

    @property
    def in_sets(self) -> NDArray[np.int64]:
        """Per node, the stored (non-singleton) sets that contain it."""
        return self._in_sets

    @property
    def stored_nodes(self) -> int:
        """Entries held for non-singleton sets (memory use is about 4 bytes each)."""
        return self._top

    def greedy(self, k: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Greedy max coverage: ``k`` seeds and the RR sets each newly covers."""
        nodes, ptr = self.flat()
        return greedy_cover(self.model.n, k, self.singles, self._in_sets, nodes, ptr)

    def covered(self, seeds: NDArray[np.int64]) -> int:
        """RR sets that contain at least one of ``seeds``."""
        nodes, ptr = self.flat()
        is_seed = np.zeros(self.model.n, dtype=np.bool_)
        is_seed[seeds] = True
        return count_covered(self.singles, nodes, ptr, is_seed)


def estimate_spread(
    model: RRModel,
    seeds: NDArray[np.int64],
    *,
    samples: int,
    gen: np.random.Generator,
    executor: Any = None,
    bar: Progress | None = None,
) -> tuple[float, float]:
    """Expected spread of ``seeds`` and its standard error from ``samples`` fresh RR sets.

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
    others = np.flatnonzero(~is_seed).astype(np.int64)
    hits = 0
    done = 0
    while done < samples:
        b = min(BATCH, samples - done, max(PILOT, done))
        counts = np.zeros(n, dtype=np.int64)
        counts[others] = root_counts(others.shape[0], b, gen)
        ranges, gens = _blocks(n, gen)

        jobs = [
            (model.model, model.arrays, counts, r, is_seed, g)
            for r, g in zip(ranges, gens, strict=True)
        ]
        hits += sum(run_tasks(rr_hits, jobs, executor))
        done += b
        if bar is not None:
            bar.update(b)
    f = hits / samples
    spread = k + (n - k) * f
    se = (n - k) * math.sqrt(f * (1.0 - f) / samples)
    return float(spread), float(se)
