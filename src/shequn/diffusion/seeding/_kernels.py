"""Compiled kernels for reverse-reachable (RR) sets: sampling, coverage and greedy selection.

Private: :mod:`shequn.diffusion.seeding` is the public face. The kernels are compiled with
``numba.njit(cache=True)`` and wrapped in typed functions, so that ``mypy --strict`` sees typed
signatures. They are written with plain loops (no slice assignment, no sorting inside): numba
compiles loops several times faster, which is what a first call after installation waits for.

Randomness: each kernel call draws from one xoshiro256** stream whose state (four 64-bit
words) the caller derives from a spawned seed sequence (:mod:`shequn.diffusion._xoshiro`), so
there is no global random state, the same state gives the same samples, and a call can run in
a thread, another process or on a cluster worker.

The network is given as *in-edge* CSR arrays (``in_ptr``, ``in_src``: the in-edges of ``u`` are
``in_src[in_ptr[u]:in_ptr[u + 1]]``). For the independent cascade each in-edge has a
probability ``in_p``. When all in-edges of ``u`` share one probability ``q`` (a uniform ``p``,
or the weighted cascade ``1 / in-degree``), ``node_lq[u] = 1 / log(1 - q)`` (0 when
``q = 0``, ``-inf`` when ``q = 1``) and the live edges are found by geometric skipping: the gap
to the next live edge is ``floor(log(U) / log(1 - q))`` with ``U`` uniform on (0, 1], one draw
per live edge instead of one per edge; ``node_p0[u] = (1 - q)^d`` is the chance that none of
the ``d`` in-edges is live, so a root is settled as a singleton by one comparison, and the same
uniform, when above ``node_p0``, starts its first gap. ``node_lq[u] = 1`` marks a node whose
in-edges differ, which gets one coin per edge. For the linear threshold model ``in_cum`` holds
the running sum of the in-weights within each row and ``node_w[u]`` the common in-weight when
the in-weights of ``u`` are all equal (else ``-1``).

A call draws the RR sets of one range of root nodes: ``n_sets`` roots uniform on the range
(on its non-seeds, when estimating a seed set's spread), counted per node first: RR sets are
exchangeable, so visiting the roots in node order gives the same collection in distribution
while the per-node arrays are read in memory order. A call needs nothing but its range, its
count and its stream, so the ranges of a round can run anywhere.

An RR set of size one (its root alone) only ever adds one to its root's coverage, so singletons
are counted per node (``singles``) instead of stored; the other sets are stored flat
(``nodes``, with ``ptr`` offsets).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from shequn._typing import FloatArray, IntArray
from shequn.diffusion._compile import install_notice
from shequn.diffusion._xoshiro import next_state, u01, u01_open

__all__ = [
    "Arrays",
    "count_covered",
    "greedy_cover",
    "row_cumsum",
    "rr_hits",
    "rr_sets",
]

install_notice()

_WRAP = 2**31 - 2  # stamps live in int32 marks; past this the marks are cleared


@numba.njit(inline="always")
def _longer(buf: Any, need: int) -> Any:
    cap = buf.shape[0]
    while cap < need:
        cap *= 2
    out = np.empty(cap, buf.dtype)
    for i in range(buf.shape[0]):
        out[i] = buf[i]
    return out


@numba.njit(inline="always")
def _next_stamp(stamp: int, mark: Any) -> int:
    stamp += 1
    if stamp > _WRAP:
        for i in range(mark.shape[0]):
            mark[i] = 0
        stamp = 1
    return stamp


@numba.njit(inline="always")
def _store(
    queue: Any, size: int, nodes: Any, top: int, ptr: Any, nsets: int
) -> tuple[Any, int, Any, int]:
    """Append the set ``queue[:size]`` to the flat output (growing it when full)."""
    if top + size > nodes.shape[0]:
        nodes = _longer(nodes, top + size)
    for i in range(size):
        nodes[top + i] = queue[i]
    top += size
    nsets += 1
    if nsets + 1 > ptr.shape[0]:
        ptr = _longer(ptr, nsets + 1)
    ptr[nsets] = top
    return nodes, top, ptr, nsets


@numba.njit(inline="always")
def _roots(
    r_lo: int, r_hi: int, n_sets: int, is_seed: Any, stop: bool, s0: Any, s1: Any, s2: Any, s3: Any
) -> tuple[Any, Any, Any, Any, Any]:
    """How many of ``n_sets`` roots, uniform on ``[r_lo, r_hi)`` (on its non-seeds when
    ``stop``), fall on each node: RR sets are exchangeable, so the searches then visit their
    roots in node order."""
    width = r_hi - r_lo
    counts = np.zeros(width, np.int64)
    drawn = 0
    if stop:
        free = 0
        for i in range(r_lo, r_hi):
            if not is_seed[i]:
                free += 1
        if free == 0:  # the caller gives such a range no sets; never loop forever
            return counts, s0, s1, s2, s3
    while drawn < n_sets:
        x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
        r = min(int(u01(x) * width), width - 1)
        if stop and is_seed[r_lo + r]:
            continue
        counts[r] += 1
        drawn += 1
    return counts, s0, s1, s2, s3


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rr_ic(
    in_ptr: Any,
    in_src: Any,
    in_p: Any,
    node: Any,
    unused: Any,
    r_lo: int,
    r_hi: int,
    n_sets: int,
    state: Any,
    is_seed: Any,
    stop: bool,
    mark: Any,
    queue: Any,
    ws_stamp: Any,
) -> tuple[Any, Any, Any, int]:
    """``n_sets`` independent-cascade RR sets with roots uniform on ``[r_lo, r_hi)``, when the
    in-edges of every node share one probability (geometric skipping; see the module notes).

    ``node[u]`` packs ``(first in-edge, end of in-edges, 1 / log(1 - q), (1 - q)^d)`` of node
    ``u`` in one row, so visiting a node reads one cache line instead of four arrays: the
    search is bound by memory latency, not arithmetic.

    Without ``stop``: returns the non-singleton sets (flat nodes, offsets) and the singletons
    per root. With ``stop``: each reverse search ends at the first seed it meets, nothing is
    stored, and the number of sets that met a seed is returned.
    """
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    counts, s0, s1, s2, s3 = _roots(r_lo, r_hi, n_sets, is_seed, stop, s0, s1, s2, s3)
    nodes = np.empty(1024, queue.dtype)
    ptr = np.zeros(1024, np.int64)
    singles = np.zeros(r_hi - r_lo, np.int64)
    top = 0
    nsets = 0
    hits = 0
    stamp = ws_stamp[0]
    for r in range(r_lo, r_hi):
        cnt = counts[r - r_lo]
        if cnt == 0:
            continue
        lq0 = node[r, 2]
        if node[r, 0] == node[r, 1] or lq0 == 0.0:  # no in-edge can be live
            singles[r - r_lo] += cnt
            continue
        p0 = node[r, 3] if (lq0 < 0.0 and lq0 > -math.inf) else 0.0
        for _ in range(cnt):
            first = -1.0
            if p0 > 0.0:
                x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                first = u01_open(x)
                if first <= p0:  # none of the root's in-edges is live
                    singles[r - r_lo] += 1
                    continue
            stamp = _next_stamp(stamp, mark)
            mark[r] = stamp
            queue[0] = r
            head = 0
            end = 1
            hit = False
            while head < end and not hit:
                u = queue[head]
                head += 1
                lo = int(node[u, 0])  # one cache line holds what a node needs
                hi = int(node[u, 1])
                lq = node[u, 2]
                if lo == hi or lq == 0.0:
                    continue
                if lq == -math.inf:  # probability 1: every in-edge is live
                    for e in range(lo, hi):
                        v = in_src[e]
                        if mark[v] != stamp:
                            if stop and is_seed[v]:
                                hit = True
                                break
                            mark[v] = stamp
                            queue[end] = v
                            end += 1
                else:  # one shared probability: geometric gaps between live edges
                    e = lo - 1
                    if first > 0.0:  # the root's first uniform, drawn above its (1 - q)^d
                        w = first
                        first = -1.0
                    else:
                        x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                        w = u01_open(x)
                        if w <= node[u, 3]:  # no in-edge live: settled without a logarithm
                            continue
                    while True:
                        if w < 0.0:
                            x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                            w = u01_open(x)
                        g = math.log(w) * lq
                        w = -1.0
                        if g >= hi - e - 1:
                            break
                        e += 1 + int(g)
                        v = in_src[e]
                        if mark[v] != stamp:
                            if stop and is_seed[v]:
                                hit = True
                                break
                            mark[v] = stamp
                            queue[end] = v
                            end += 1
            if stop:
                if hit:
                    hits += 1
            elif end == 1:
                singles[r - r_lo] += 1
            else:
                nodes, top, ptr, nsets = _store(queue, end, nodes, top, ptr, nsets)
    ws_stamp[0] = stamp
    return nodes[:top], ptr[: nsets + 1], singles, hits


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rr_coin(
    in_ptr: Any,
    in_src: Any,
    in_p: Any,
    node_lq: Any,
    node_p0: Any,
    r_lo: int,
    r_hi: int,
    n_sets: int,
    state: Any,
    is_seed: Any,
    stop: bool,
    mark: Any,
    queue: Any,
    ws_stamp: Any,
) -> tuple[Any, Any, Any, int]:
    """Independent-cascade RR sets with a coin per in-edge (probabilities that differ between
    the in-edges of a node); arguments and results as :func:`_rr_ic`.

    Without ``stop``: returns the non-singleton sets (flat nodes, offsets) and the singletons
    per root. With ``stop``: each reverse search ends at the first seed it meets, nothing is
    stored, and the number of sets that met a seed is returned.
    """
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    counts, s0, s1, s2, s3 = _roots(r_lo, r_hi, n_sets, is_seed, stop, s0, s1, s2, s3)
    nodes = np.empty(1024, queue.dtype)
    ptr = np.zeros(1024, np.int64)
    singles = np.zeros(r_hi - r_lo, np.int64)
    top = 0
    nsets = 0
    hits = 0
    stamp = ws_stamp[0]
    for r in range(r_lo, r_hi):
        cnt = counts[r - r_lo]
        if cnt == 0:
            continue
        if in_ptr[r] == in_ptr[r + 1]:  # no in-edge: every set is the root alone
            singles[r - r_lo] += cnt
            continue
        for _ in range(cnt):
            stamp = _next_stamp(stamp, mark)
            mark[r] = stamp
            queue[0] = r
            head = 0
            end = 1
            hit = False
            while head < end and not hit:
                u = queue[head]
                head += 1
                lo = in_ptr[u]
                hi = in_ptr[u + 1]
                for e in range(lo, hi):  # one coin per in-edge
                    v = in_src[e]
                    if mark[v] != stamp:
                        x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                        if u01(x) < in_p[e]:
                            if stop and is_seed[v]:
                                hit = True
                                break
                            mark[v] = stamp
                            queue[end] = v
                            end += 1
            if stop:
                if hit:
                    hits += 1
            elif end == 1:
                singles[r - r_lo] += 1
            else:
                nodes, top, ptr, nsets = _store(queue, end, nodes, top, ptr, nsets)
    ws_stamp[0] = stamp
    return nodes[:top], ptr[: nsets + 1], singles, hits


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rr_lt(
    in_ptr: Any,
    in_src: Any,
    in_cum: Any,
    node_w: Any,
    unused: Any,
    r_lo: int,
    r_hi: int,
    n_sets: int,
    state: Any,
    is_seed: Any,
    stop: bool,
    mark: Any,
    queue: Any,
    ws_stamp: Any,
) -> tuple[Any, Any, Any, int]:
    """Linear-threshold RR sets: a reverse walk taking at most one in-edge per node, with
    probability its weight, until no edge is live or the walk returns to a visited node
    (arguments and results as :func:`_rr_ic`)."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    counts, s0, s1, s2, s3 = _roots(r_lo, r_hi, n_sets, is_seed, stop, s0, s1, s2, s3)
    nodes = np.empty(1024, queue.dtype)
    ptr = np.zeros(1024, np.int64)
    singles = np.zeros(r_hi - r_lo, np.int64)
    top = 0
    nsets = 0
    hits = 0
    stamp = ws_stamp[0]
    for r in range(r_lo, r_hi):
        cnt = counts[r - r_lo]
        if cnt == 0:
            continue
        if in_ptr[r] == in_ptr[r + 1]:
            singles[r - r_lo] += cnt
            continue
        for _ in range(cnt):
            stamp = _next_stamp(stamp, mark)
            mark[r] = stamp
            queue[0] = r
            end = 1
            hit = False
            u = r
            while True:
                lo = in_ptr[u]
                hi = in_ptr[u + 1]
                if lo == hi:
                    break
                x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                y = u01(x)
                w = node_w[u]
                if w >= 0.0:
                    if y >= w * (hi - lo):
                        break
                    idx = lo + min(int(y / w), hi - lo - 1)
                else:
                    if y >= in_cum[hi - 1]:
                        break
                    a, b = lo, hi - 1  # first entry with running sum > y
                    while a < b:
                        mid = (a + b) // 2
                        if in_cum[mid] > y:
                            b = mid
                        else:
                            a = mid + 1
                    idx = a
                v = in_src[idx]
                if mark[v] == stamp:
                    break
                if stop and is_seed[v]:
                    hit = True
                    break
                mark[v] = stamp
                queue[end] = v
                end += 1
                u = v
            if stop:
                if hit:
                    hits += 1
            elif end == 1:
                singles[r - r_lo] += 1
            else:
                nodes, top, ptr, nsets = _store(queue, end, nodes, top, ptr, nsets)
    ws_stamp[0] = stamp
    return nodes[:top], ptr[: nsets + 1], singles, hits


@numba.njit(cache=True, error_model="numpy")
def _greedy(
    n: int, k: int, cov: Any, cand: Any, in_sets: Any, nodes: Any, ptr: Any
) -> tuple[Any, Any]:
    nsets = ptr.shape[0] - 1
    m = nodes.shape[0]
    # Only chosen nodes need the list of sets that contain them. Index the likeliest ones
    # (``cand``: the highest initial coverage, an upper bound on every later marginal
    # coverage) and look the rare others up by a scan; the choices are exactly those of a full
    # index.
    slot = np.empty(n, np.int64)
    n_cand = 0
    for u in range(n):
        if cand[u]:
            slot[u] = n_cand
            n_cand += 1
        else:
            slot[u] = -1
    iptr = np.zeros(n_cand + 1, np.int64)
    for u in range(n):
        j = slot[u]
        if j >= 0:
            iptr[j + 1] = in_sets[u]
    for j in range(n_cand):
        iptr[j + 1] += iptr[j]
    fill = np.empty(n_cand, np.int64)
    for j in range(n_cand):
        fill[j] = iptr[j]
    iset = np.empty(iptr[n_cand], np.int64)
    for s in range(nsets):
        for i in range(ptr[s], ptr[s + 1]):
            j = slot[nodes[i]]
            if j >= 0:
                iset[fill[j]] = s
                fill[j] += 1
    covered = np.zeros(nsets, np.bool_)
    seeds = np.empty(k, np.int64)
    gains = np.empty(k, np.int64)
    for it in range(k):
        v = 0
        best = cov[0]
        for u in range(1, n):  # the first of the largest: ties to the lowest index
            if cov[u] > best:
                best = cov[u]
                v = u
        seeds[it] = v
        gains[it] = best
        j = slot[v]
        if j >= 0:
            for i in range(iptr[j], iptr[j + 1]):
                s = iset[i]
                if not covered[s]:
                    covered[s] = True
                    for t in range(ptr[s], ptr[s + 1]):
                        cov[nodes[t]] -= 1
        else:  # not indexed: find its sets by a scan
            for s in range(nsets):
                if covered[s]:
                    continue
                has = False
                for t in range(ptr[s], ptr[s + 1]):
                    if nodes[t] == v:
                        has = True
                        break
                if has:
                    covered[s] = True
                    for t in range(ptr[s], ptr[s + 1]):
                        cov[nodes[t]] -= 1
        cov[v] = -(m + 1)  # below every node still in play
    return seeds, gains


@numba.njit(cache=True, error_model="numpy")
def _covered(singles: Any, nodes: Any, ptr: Any, is_seed: Any) -> int:
    total = 0
    for u in range(singles.shape[0]):
        if is_seed[u]:
            total += singles[u]
    for s in range(ptr.shape[0] - 1):
        for i in range(ptr[s], ptr[s + 1]):
            if is_seed[nodes[i]]:
                total += 1
                break
    return total


@numba.njit(cache=True, error_model="numpy")
def _row_cumsum(indptr: Any, values: Any) -> Any:
    out = np.empty(values.shape[0], dtype=np.float64)
    for u in range(indptr.shape[0] - 1):
        acc = 0.0
        for e in range(indptr[u], indptr[u + 1]):
            acc += values[e]
            out[e] = acc
    return out


IndexArray = NDArray[np.int32] | NDArray[np.int64]
Arrays = tuple[IndexArray, IndexArray, FloatArray, FloatArray, FloatArray]
Workspace = tuple[NDArray[np.int32], IndexArray, IntArray]
_NO_SEED = np.zeros(1, dtype=np.bool_)
#: ``"ic"``: shared probability per node (geometric skipping); ``"ic_coin"``: a coin per
#: in-edge; ``"lt"``: the linear threshold's reverse walk.
_KERNELS: dict[str, Any] = {"ic": _rr_ic, "ic_coin": _rr_coin, "lt": _rr_lt}


def workspace(n: int, index: type[np.signedinteger[Any]] = np.int32) -> Workspace:
    """Scratch arrays one thread's RR searches reuse across calls: marks, a queue, a stamp."""
    return np.zeros(n, np.int32), np.empty(n, index), np.zeros(1, np.int64)


def rr_sets(
    model: str,
    arrays: Arrays,
    roots: tuple[int, int],
    n_sets: int,
    state: NDArray[np.uint64],
    ws: Workspace,
) -> tuple[IndexArray, IntArray, IntArray]:
    """``n_sets`` RR sets (kernel ``model``: "ic", "ic_coin" or "lt") with roots uniform on
    ``range(*roots)``.

    ``arrays`` is ``(in_ptr, in_src, a, b, c)`` (see the module notes), ``state`` the stream.
    Returns the stored (non-singleton) sets flat (nodes, offsets) and the singleton count of
    each root in the range. Releases the GIL, so disjoint root ranges can run in threads.
    """
    kernel = _KERNELS[model]
    nodes, ptr, singles, _ = kernel(
        *arrays, roots[0], roots[1], n_sets, state, _NO_SEED, False, *ws
    )
    return nodes, ptr, singles


def rr_hits(
    model: str,
    arrays: Arrays,
    roots: tuple[int, int],
    n_sets: int,
    is_seed: NDArray[np.bool_],
    state: NDArray[np.uint64],
    ws: Workspace,
) -> int:
    """How many of ``n_sets`` RR sets, rooted uniformly on the non-seeds of the range, meet a
    seed (each search stops at the first seed it meets)."""
    kernel = _KERNELS[model]
    *_, hits = kernel(*arrays, roots[0], roots[1], n_sets, state, is_seed, True, *ws)
    return int(hits)


def greedy_cover(
    n: int,
    k: int,
    singles: IntArray,
    in_sets: IntArray,
    nodes: IndexArray,
    ptr: IntArray,
) -> tuple[IntArray, IntArray]:
    """Greedy maximum coverage: ``k`` nodes and the number of new RR sets each one covers.

    ``singles[u]`` counts the sets that are ``{u}`` alone, ``in_sets[u]`` the stored sets
    (``nodes``/``ptr``) that contain ``u``. Ties go to the lowest node index.
    """
    cov = singles + in_sets
    n_cand = min(n, max(16 * k, 1024))
    if n_cand >= n:
        cand = np.ones(n, dtype=np.bool_)
    else:
        cand = np.zeros(n, dtype=np.bool_)
        cand[np.argpartition(-cov, n_cand - 1)[:n_cand]] = True
    seeds, gains = _greedy(n, k, cov, cand, in_sets, nodes, ptr)
    return seeds, gains


def count_covered(
    singles: IntArray, nodes: IndexArray, ptr: IntArray, is_seed: NDArray[np.bool_]
) -> int:
    """Number of RR sets (singletons included) that contain at least one seed."""
    return int(_covered(singles, nodes, ptr, is_seed))


def row_cumsum(indptr: IndexArray, values: FloatArray) -> FloatArray:
    """Running sum of ``values`` within each CSR row."""
    out: FloatArray = _row_cumsum(indptr, values)
    return out
