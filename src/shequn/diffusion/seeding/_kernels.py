# mypy: disable-error-code="no-untyped-def"
"""Compiled kernels for reverse-reachable (RR) sets: sampling, coverage and greedy selection.

Private: :mod:`shequn.diffusion.seeding` is the public face. The kernels are plain Python
functions compiled with ``numba.njit(cache=True)`` and wrapped in typed functions, so that
``mypy --strict`` sees typed signatures.

Randomness: every kernel takes a :class:`numpy.random.Generator` and draws from it (numba
supports Generator arguments and advances the caller's bit generator), so there is no global
random state and the same generator state gives the same samples.

The network is given as *in-edge* CSR arrays (``in_ptr``, ``in_src``: the in-edges of ``u`` are
``in_src[in_ptr[u]:in_ptr[u + 1]]``). For the independent cascade each in-edge has a
probability ``in_p``. When all in-edges of ``u`` share one probability ``q`` (a uniform ``p``,
or the weighted cascade ``1 / in-degree``), ``node_lq[u] = 1 / log(1 - q)`` (0 when
``q = 0``, ``-inf`` when ``q = 1``) and the live edges are found by geometric skipping: the gap
to the next live edge is ``floor(log(U) / log(1 - q))`` with ``U`` uniform on (0, 1], one draw
per live edge instead of one per edge; ``node_p0[u] = (1 - q)^d`` is the chance that none of
the ``d`` in-edges is live, so most roots are settled by one comparison. ``node_lq[u] = 1``
marks a node whose in-edges differ, which gets one coin per edge. For the linear threshold model
``in_cum`` holds the running sum of the in-weights within each row and ``node_w[u]`` the common
in-weight when the in-weights of ``u`` are all equal (else ``-1``).

Roots come as ``counts`` (how many RR sets to root at each node) rather than a list: RR sets
are exchangeable, so visiting roots in node order gives the same collection in distribution
while the per-node arrays are read in memory order.

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

__all__ = [
    "Arrays",
    "append_sets",
    "count_covered",
    "greedy_cover",
    "row_cumsum",
    "rr_hits",
    "rr_sets",
]


def _grow(buf: Any, need: int) -> Any:
    cap = buf.shape[0]
    while cap < need:
        cap *= 2
    out = np.empty(cap, dtype=buf.dtype)
    out[: buf.shape[0]] = buf
    return out


_grow_jit = numba.njit(cache=True)(_grow)


def _ic_search(
    r, first, in_ptr, in_src, in_p, node_lq, mark, stamp, queue, base, is_seed, stop, gen
):
    """Reverse BFS from ``r`` into ``queue[base:]``; returns (end index, met a seed).

    ``first`` (in (0, 1], or -1) is the uniform already drawn for the root's first geometric
    gap. With ``stop`` the search ends at the first seed it meets.
    """
    mark[r] = stamp
    queue[base] = r
    head = base
    end = base + 1
    pending = first
    while head < end:
        u = queue[head]
        head += 1
        lo = in_ptr[u]
        hi = in_ptr[u + 1]
        lq = node_lq[u]
        if lo == hi or lq == 0.0:
            continue
        if lq > 0.0:  # edge-specific probabilities: one coin per edge
            for e in range(lo, hi):
                v = in_src[e]
                if mark[v] != stamp and gen.random() < in_p[e]:
                    if stop and is_seed[v]:
                        return end, True
                    mark[v] = stamp
                    queue[end] = v
                    end += 1
        elif lq == -math.inf:  # probability 1: every in-edge is live
            for e in range(lo, hi):
                v = in_src[e]
                if mark[v] != stamp:
                    if stop and is_seed[v]:
                        return end, True
                    mark[v] = stamp
                    queue[end] = v
                    end += 1
        else:  # one shared probability: geometric gaps between live edges
            e = lo - 1
            while True:
                if pending > 0.0:
                    x = pending
                    pending = -1.0
                else:
                    x = 1.0 - gen.random()
                g = math.log(x) * lq
                if g >= hi - e - 1:
                    break
                e += 1 + int(g)
                v = in_src[e]
                if mark[v] != stamp:
                    if stop and is_seed[v]:
                        return end, True
                    mark[v] = stamp
                    queue[end] = v
                    end += 1
    return end, False


_ic_search_jit = numba.njit(cache=True)(_ic_search)


def _lt_search(r, in_ptr, in_src, in_cum, node_w, mark, stamp, queue, base, is_seed, stop, gen):
    """Reverse random walk from ``r`` into ``queue[base:]``; returns (end index, met a seed)."""
    mark[r] = stamp
    queue[base] = r
    end = base + 1
    u = r
    while True:
        lo = in_ptr[u]
        hi = in_ptr[u + 1]
        if lo == hi:
            break
        x = gen.random()
        w = node_w[u]
        if w >= 0.0:
            if x >= w * (hi - lo):
                break
            idx = lo + min(int(x / w), hi - lo - 1)
        else:
            if x >= in_cum[hi - 1]:
                break
            idx = lo + np.searchsorted(in_cum[lo:hi], x, side="right")
        v = in_src[idx]
        if mark[v] == stamp:
            break
        if stop and is_seed[v]:
            return end, True
        mark[v] = stamp
        queue[end] = v
        end += 1
        u = v
    return end, False


_lt_search_jit = numba.njit(cache=True)(_lt_search)


def _run(lt, in_ptr, in_src, a, b, c, counts, r_lo, r_hi, is_seed, stop, gen, singles):
    """``counts[r]`` RR sets rooted at each ``r`` in ``[r_lo, r_hi)``: store or count hits.

    Returns the stored sets' nodes and offsets, and (``stop``) how many sets met a seed.
    ``singles[r - r_lo]`` counts the singleton sets of root ``r`` (a block-local array), so
    blocks of roots can run in parallel threads or processes.

    IC roots whose in-edges share a probability settle how many of their ``counts[r]`` sets
    are singletons with one binomial draw (each is a singleton with probability
    ``c[r] = (1 - q)^d``); the others start from a uniform on ``(c[r], 1]`` for the first gap.
    """
    n = in_ptr.shape[0] - 1
    mark = np.zeros(n, dtype=np.int32)
    queue = np.empty(n if stop else 1, dtype=np.int32)
    buf = np.empty(1024, dtype=np.int32)
    ptr = np.zeros(1024, dtype=np.int64)
    top = 0
    nsets = 0
    hits = 0
    stamp = 0
    for r in range(r_lo, r_hi):
        cnt = counts[r]
        if cnt == 0:
            continue
        p0 = 0.0
        if lt:
            lone = in_ptr[r] == in_ptr[r + 1]
        else:
            lq = b[r]
            lone = in_ptr[r] == in_ptr[r + 1] or lq == 0.0
            if not lone and lq < 0.0 and lq > -math.inf:
                p0 = c[r]
        if lone:  # no in-edge can be live: every set is the root alone
            if not stop:
                singles[r - r_lo] += cnt
            continue
        if p0 > 0.0:
            k0 = gen.binomial(cnt, p0)
            if not stop:
                singles[r - r_lo] += k0
            cnt -= k0
        for _ in range(cnt):
            stamp += 1
            if stamp == 2147483647:
                mark[:] = 0
                stamp = 1
            if stop:
                out = queue
                base = 0
            else:
                if top + n > buf.shape[0]:  # room for the largest possible set
                    buf = _grow_jit(buf, top + n)
                out = buf
                base = top
            if lt:
                end, hit = _lt_search_jit(
                    r, in_ptr, in_src, a, b, mark, stamp, out, base, is_seed, stop, gen
                )
            else:
                first = -1.0
                if p0 > 0.0:
                    first = p0 + (1.0 - p0) * (1.0 - gen.random())
                end, hit = _ic_search_jit(
                    r, first, in_ptr, in_src, a, b, mark, stamp, out, base, is_seed, stop, gen
                )
            if stop:
                if hit:
                    hits += 1
                continue
            if end - top == 1:
                singles[r - r_lo] += 1
                continue
            top = end
            nsets += 1
            if nsets + 1 > ptr.shape[0]:
                ptr = _grow_jit(ptr, nsets + 1)
            ptr[nsets] = top
    return buf[:top].copy(), ptr[: nsets + 1].copy(), hits


_run_jit = numba.njit(cache=True, nogil=True)(_run)


def _greedy(n, k, singles, in_sets, nodes, ptr):
    nsets = ptr.shape[0] - 1
    m = nodes.shape[0]
    cov = singles + in_sets
    # Only chosen nodes need the list of sets that contain them. Index the likeliest ones
    # (the highest initial coverage: an upper bound on every later marginal coverage) and
    # look the rare others up by a scan; the choices are exactly those of a full index.
    n_cand = min(n, max(16 * k, 1024))
    cand = np.zeros(n, dtype=np.bool_)
    if n_cand >= n:
        cand[:] = True
    else:
        cand[np.argsort(-cov, kind="mergesort")[:n_cand]] = True
    slot = np.full(n, -1, dtype=np.int64)
    iptr = np.zeros(n_cand + 1, dtype=np.int64)
    c = 0
    for u in range(n):
        if cand[u]:
            slot[u] = c
            iptr[c + 1] = in_sets[u]
            c += 1
    for j in range(c):
        iptr[j + 1] += iptr[j]
    fill = iptr[:-1].copy()
    iset = np.empty(iptr[c], dtype=np.int64)
    for s in range(nsets):
        for i in range(ptr[s], ptr[s + 1]):
            j = slot[nodes[i]]
            if j >= 0:
                iset[fill[j]] = s
                fill[j] += 1
    covered = np.zeros(nsets, dtype=np.bool_)
    seeds = np.empty(k, dtype=np.int64)
    gains = np.empty(k, dtype=np.int64)
    for it in range(k):
        v = np.argmax(cov)
        seeds[it] = v
        gains[it] = cov[v]
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


def _append(dst_nodes, dst_ptr, top, nsets, nodes, ptr, in_sets):
    for i in range(nodes.shape[0]):
        u = nodes[i]
        dst_nodes[top + i] = u
        in_sets[u] += 1
    for j in range(1, ptr.shape[0]):
        dst_ptr[nsets + j] = ptr[j] + top


def _covered(singles, nodes, ptr, is_seed):
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


def _row_cumsum(indptr, values):
    out = np.empty(values.shape[0], dtype=np.float64)
    for u in range(indptr.shape[0] - 1):
        acc = 0.0
        for e in range(indptr[u], indptr[u + 1]):
            acc += values[e]
            out[e] = acc
    return out


_greedy_jit = numba.njit(cache=True)(_greedy)
_covered_jit = numba.njit(cache=True)(_covered)
_append_jit = numba.njit(cache=True)(_append)
_row_cumsum_jit = numba.njit(cache=True)(_row_cumsum)

IndexArray = NDArray[np.int32] | NDArray[np.int64]


Arrays = tuple[IndexArray, IndexArray, FloatArray, FloatArray, FloatArray]


def rr_sets(
    model: str,
    arrays: Arrays,
    counts: IntArray,
    roots: tuple[int, int],
    gen: np.random.Generator,
) -> tuple[NDArray[np.int32], IntArray, IntArray]:
    """``counts[r]`` RR sets rooted at each node ``r`` in ``range(*roots)`` ("ic" or "lt").

    ``arrays`` is ``(in_ptr, in_src, a, b, c)`` (see the module notes). Returns the stored
    (non-singleton) sets flat (nodes, offsets) and the singleton count of each root in the
    range. Releases the GIL, so disjoint root ranges can run in threads.
    """
    no_seed = np.zeros(1, dtype=np.bool_)
    singles = np.zeros(roots[1] - roots[0], dtype=np.int64)
    nodes, ptr, _ = _run_jit(
        model == "lt", *arrays, counts, roots[0], roots[1], no_seed, False, gen, singles
    )
    return nodes, ptr, singles


def rr_hits(
    model: str,
    arrays: Arrays,
    counts: IntArray,
    roots: tuple[int, int],
    is_seed: NDArray[np.bool_],
    gen: np.random.Generator,
) -> int:
    """How many of the RR sets (``counts[r]`` rooted at each ``r`` in range) meet a seed.

    Each search stops at the first seed it meets; roots must not be seeds.
    """
    singles = np.zeros(1, dtype=np.int64)
    *_, hits = _run_jit(
        model == "lt", *arrays, counts, roots[0], roots[1], is_seed, True, gen, singles
    )
    return int(hits)


def greedy_cover(
    n: int, k: int, singles: IntArray, in_sets: IntArray, nodes: NDArray[np.int32], ptr: IntArray
) -> tuple[IntArray, IntArray]:
    """Greedy maximum coverage: ``k`` nodes and the number of new RR sets each one covers.

    ``singles[u]`` counts the sets that are ``{u}`` alone, ``in_sets[u]`` the stored sets
    (``nodes``/``ptr``) that contain ``u``. Ties go to the lowest node index.
    """
    seeds, gains = _greedy_jit(n, k, singles, in_sets, nodes, ptr)
    return seeds, gains


def append_sets(
    dst_nodes: NDArray[np.int32],
    dst_ptr: IntArray,
    top: int,
    nsets: int,
    nodes: NDArray[np.int32],
    ptr: IntArray,
    in_sets: IntArray,
) -> None:
    """Copy sets (``nodes``, ``ptr``) after ``top`` entries and ``nsets`` sets of the ``dst``
    buffers (which must have room) and count them into ``in_sets``."""
    _append_jit(dst_nodes, dst_ptr, top, nsets, nodes, ptr, in_sets)


def count_covered(
    singles: IntArray, nodes: NDArray[np.int32], ptr: IntArray, is_seed: NDArray[np.bool_]
) -> int:
    """Number of RR sets (singletons included) that contain at least one seed."""
    return int(_covered_jit(singles, nodes, ptr, is_seed))


def row_cumsum(indptr: IntArray, values: FloatArray) -> FloatArray:
    """Running sum of ``values`` within each CSR row."""
    out: FloatArray = _row_cumsum_jit(indptr, values)
    return out
