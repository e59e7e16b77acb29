"""Compiled Monte Carlo kernels for the cascade models of :mod:`shequn.diffusion.cascades`.

Private module: the public, validated entry points are in :mod:`shequn.diffusion.cascades`;
:func:`run` is the one typed door into the compiled code.

Every kernel simulates a contiguous range of Monte Carlo runs in one call, so per-run overhead
is a few nanoseconds, and returns the arrays of :class:`KernelOutput`. The graph comes as
out-edge CSR arrays (``indptr``, ``indices``), int32 when they fit (as
:class:`~shequn.diffusion.DiffusionNetwork` stores them).

Randomness
----------
The kernels never touch global random state. Runs are grouped in fixed blocks of ``block``
runs; block ``b`` is driven by its own xoshiro256** generator whose state is ``states[b]``
(:mod:`shequn.diffusion._xoshiro`). Within a block the runs share that stream in run order. A
uniform variate is the top 53 bits of one output scaled by 2^-53 (``[0, 1)``) or shifted by
one ulp (``(0, 1]``, where a logarithm is taken).

No work proportional to the network per call
--------------------------------------------
A call costs a few microseconds plus the work of its runs, whatever the network's size:

* the per-node scratch arrays (activity marks, frontier, thresholds) live in a *workspace*
  (:func:`workspace`) that the caller keeps per network and thread and hands to every call;
  marks are int32 run stamps (``mark[v] == stamp``) that keep counting across calls, so
  nothing is cleared between runs or calls (only when the stamp wraps, every 2^31 runs);
* who adopted is recorded as the concatenated adopters of the runs (``reached``), not as a
  per-node count: the counts are folded into an (n,) array only when the list would pass
  :func:`fold_at` entries, and :class:`~shequn.diffusion.DiffusionResult` adds up the rest
  only when ``node_counts`` is read.

Fast paths
----------
* Independent cascade with one probability ``p`` on every edge skips over the failed edges of a
  newly active node: the gap to the next successful edge is geometric,
  ``floor(log(U) / log(1 - p))``, so a node of degree ``d`` costs about ``1 + p d`` draws
  instead of ``d``. Per-edge probabilities draw once per edge, before the (random-access)
  visited check, so failed edges never touch node memory.
* Network Bass draws the external adoptions (probability ``p`` each) by geometric skipping over
  the node range and the word-of-mouth adoptions only for exposed non-adopters, so a step costs
  ``O(p n + exposed + new ties)``, not ``O(n)``.

Examples
--------
>>> import numpy as np
>>> from shequn.diffusion.cascades._kernels import run, workspace
>>> indptr = np.array([0, 1, 2, 2], np.int32)                # the path 0 -> 1 -> 2
>>> indices = np.array([1, 2], np.int32)
>>> states = np.array([[1, 2, 3, 4]], dtype=np.uint64)
>>> out = run("ic_edges", (indptr, indices, np.ones(2), 1.0), workspace("ic_edges", 3),
...           seeds=np.array([0]), n_random=0, states=states, block=256, runs=2, limit=2)
>>> out.sizes.tolist(), out.steps.tolist(), out.curves[0, :3].tolist(), out.reached.tolist()
([3, 3], [2, 2], [1, 2, 3], [0, 1, 2, 0, 1, 2])
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numba
import numpy as np
from numpy.typing import NDArray

from shequn.diffusion._compile import install_notice
from shequn.diffusion._xoshiro import next_state, u01, u01_open

__all__ = [
    "KernelOutput",
    "fold_at",
    "run",
    "workspace",
]

install_notice()

_WRAP = 2**31 - 2  # run stamps live in int32 marks; past this the marks are cleared
_FOLD = 1 << 22  # adopters listed per call before they are folded into per-node counts


def fold_at(n: int) -> int:
    """Adopters a call lists before folding them into an (n,) count array: the larger of
    ``n`` and 4 M (16 MiB), so the list never takes much more memory than the counts."""
    return max(n, _FOLD)


class KernelOutput(NamedTuple):
    """What every kernel returns for its ``runs`` runs.

    Attributes
    ----------
    sizes
        (runs,) final number of adopters (informed, for the rumour), seeds included.
    steps
        (runs,) last step at which anyone adopted (0: nobody beyond the seeds).
    curves
        (runs, width) cumulative adopters after each step, each row padded with its final
        value (so the last column holds the final sizes); ``width`` is the longest run's last
        step + 1 (network Bass: the steps + 1).
    reached
        The adopters of the runs not yet folded into ``counts``, run after run (int32).
    counts
        (n,) runs in which each node adopted, for the folded runs; empty when none was folded.
    active
        (runs, width) spreaders after each step for the rumour; (0, 0) for the other models.
    """

    sizes: NDArray[np.int64]
    steps: NDArray[np.int64]
    curves: NDArray[np.int64]
    reached: NDArray[Any]
    counts: NDArray[np.int64]
    active: NDArray[np.int64]


# --- shared steps --------------------------------------------------------------------------------


@numba.njit(inline="always")
def _grow(curve: Any, need: int, limit: int) -> Any:
    """A copy of ``curve`` with at least ``need + 1`` columns, doubling, but never more than
    ``limit + 1`` (the step cap, chosen by the caller to fit in memory) when ``limit >= 0``."""
    cap = curve.shape[1]
    while cap <= need:
        cap *= 2
    if limit >= 0 and cap > limit + 1:
        cap = max(limit + 1, need + 1)
    out = np.zeros((curve.shape[0], cap), np.int64)
    for r in range(curve.shape[0]):  # loops, not slice assignment: far cheaper to compile
        for c in range(curve.shape[1]):
            out[r, c] = curve[r, c]
    return out


@numba.njit(inline="always")
def _record_step(curve: Any, r: int, t: int, tail: int, limit: int) -> Any:
    """Write run ``r``'s cumulative count after step ``t``, growing ``curve`` when full."""
    if t >= curve.shape[1]:
        curve = _grow(curve, t, limit)
    curve[r, t] = tail
    return curve


@numba.njit(inline="always")
def _pad_rows(curve: Any, nsteps: Any) -> Any:
    """Repeat each run's value at its last step to the end of its row (the final size, or
    the final spreaders), and cut the columns after the longest run: every column of a
    chunk's curves is then meaningful."""
    longest = 0
    for r in range(curve.shape[0]):
        longest = max(longest, nsteps[r])
    width = min(curve.shape[1], longest + 1)
    for r in range(curve.shape[0]):
        last = curve[r, nsteps[r]]
        for c in range(nsteps[r] + 1, width):
            curve[r, c] = last
    return curve[:, :width]


@numba.njit(inline="always")
def _fold(buf: Any, nbuf: int, counts: Any, n: int) -> Any:
    """Add the listed adopters ``buf[:nbuf]`` to the per-node counts (made on first use)."""
    if counts.shape[0] == 0:
        counts = np.zeros(n, np.int64)
    for i in range(nbuf):
        counts[buf[i]] += 1
    return counts


@numba.njit(inline="always")
def _clear(marks: Any) -> None:
    for i in range(marks.shape[0]):
        marks[i] = 0


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
def _record_run(
    sizes: Any,
    nsteps: Any,
    r: int,
    tail: int,
    last: int,
    nodes: Any,
    buf: Any,
    nbuf: int,
    counts: Any,
    limit_list: int,
) -> tuple[Any, int, Any]:
    """Store run ``r``'s final size and last step and list the ``tail`` nodes it reached."""
    sizes[r] = tail
    nsteps[r] = last
    n = nodes.shape[0]
    if nbuf + tail > limit_list:
        counts = _fold(buf, nbuf, counts, n)
        nbuf = 0
    if nbuf + tail > buf.shape[0]:
        buf = _longer(buf, nbuf + tail)
    for i in range(tail):
        buf[nbuf + i] = nodes[i]
    return buf, nbuf + tail, counts


@numba.njit(inline="always")
def _start(
    seeds: Any,
    n_random: int,
    n: int,
    mark: Any,
    stamp: int,
    frontier: Any,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
) -> tuple[int, Any, Any, Any, Any]:
    """Put the run's seeds (fixed, or ``n_random`` distinct uniform nodes) on the frontier."""
    tail = 0
    for i in range(seeds.shape[0]):
        v = seeds[i]
        if mark[v] != stamp:
            mark[v] = stamp
            frontier[tail] = v
            tail += 1
    while tail < n_random:
        x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
        v = min(int(u01(x) * n), n - 1)
        if mark[v] != stamp:
            mark[v] = stamp
            frontier[tail] = v
            tail += 1
    return tail, s0, s1, s2, s3


# --- independent cascade -------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _ic_geometric(
    indptr: Any,
    indices: Any,
    none_left: Any,
    p: float,
    seeds: Any,
    n_random: int,
    states: Any,
    block: int,
    runs: int,
    limit: int,
    mark: Any,
    frontier: Any,
    ws_stamp: Any,
    limit_list: int,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, 16), np.int64)
    buf = np.empty(1024, frontier.dtype)
    nbuf = 0
    counts = np.zeros(0, np.int64)
    # none_left[k] = (1 - p)^k for k = 0..max degree is the chance that k remaining edges all
    # fail: a gap is only computed (one logarithm) when the uniform says some edge succeeds
    inv_log = 1.0 / math.log1p(-p)
    stamp = ws_stamp[0]
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp += 1
        if stamp > _WRAP:
            _clear(mark)
            stamp = 1
        tail, s0, s1, s2, s3 = _start(seeds, n_random, n, mark, stamp, frontier, s0, s1, s2, s3)
        curve[r, 0] = tail
        head = 0
        t = 0
        last = 0
        while head < tail and (limit < 0 or t < limit):
            end_gen = tail
            while head < end_gen:
                u = frontier[head]
                head += 1
                e = indptr[u]
                end = indptr[u + 1]
                while e < end:
                    # failures before the next success: floor(log(U) / log(1 - p)),
                    # at least end - e exactly when U <= (1 - p)^(end - e)
                    x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                    w = u01_open(x)
                    if w <= none_left[end - e]:
                        break
                    gap = int(math.log(w) * inv_log)
                    if gap >= end - e:  # rounding at the boundary
                        break
                    e += gap
                    v = indices[e]
                    if mark[v] != stamp:
                        mark[v] = stamp
                        frontier[tail] = v
                        tail += 1
                    e += 1
            t += 1
            curve = _record_step(curve, r, t, tail, limit)
            if tail > end_gen:
                last = t
        buf, nbuf, counts = _record_run(
            sizes, nsteps, r, tail, last, frontier, buf, nbuf, counts, limit_list
        )
    ws_stamp[0] = stamp
    curve = _pad_rows(curve, nsteps)
    return sizes, nsteps, curve, buf[:nbuf], counts, np.zeros((0, 0), np.int64)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _ic_edges(
    indptr: Any,
    indices: Any,
    prob: Any,
    p: float,
    seeds: Any,
    n_random: int,
    states: Any,
    block: int,
    runs: int,
    limit: int,
    mark: Any,
    frontier: Any,
    ws_stamp: Any,
    limit_list: int,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, 16), np.int64)
    buf = np.empty(1024, frontier.dtype)
    nbuf = 0
    counts = np.zeros(0, np.int64)
    stamp = ws_stamp[0]
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp += 1
        if stamp > _WRAP:
            _clear(mark)
            stamp = 1
        tail, s0, s1, s2, s3 = _start(seeds, n_random, n, mark, stamp, frontier, s0, s1, s2, s3)
        curve[r, 0] = tail
        head = 0
        t = 0
        last = 0
        while head < tail and (limit < 0 or t < limit):
            end_gen = tail
            while head < end_gen:
                u = frontier[head]
                head += 1
                e = indptr[u]
                end = indptr[u + 1]
                for j in range(e, end):  # one coin per edge (p = 1 edges always pass)
                    x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                    if u01(x) < prob[j]:
                        v = indices[j]
                        if mark[v] != stamp:
                            mark[v] = stamp
                            frontier[tail] = v
                            tail += 1
            t += 1
            curve = _record_step(curve, r, t, tail, limit)
            if tail > end_gen:
                last = t
        buf, nbuf, counts = _record_run(
            sizes, nsteps, r, tail, last, frontier, buf, nbuf, counts, limit_list
        )
    ws_stamp[0] = stamp
    curve = _pad_rows(curve, nsteps)
    return sizes, nsteps, curve, buf[:nbuf], counts, np.zeros((0, 0), np.int64)


# --- linear threshold ----------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _lt(
    indptr: Any,
    indices: Any,
    weight: Any,
    theta_fixed: Any,
    fixed: int,
    tol: float,
    seeds: Any,
    n_random: int,
    states: Any,
    block: int,
    runs: int,
    limit: int,
    mark: Any,
    frontier: Any,
    ws_stamp: Any,
    touched: Any,
    bucket: Any,
    theta: Any,
    limit_list: int,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, 16), np.int64)
    buf = np.empty(1024, frontier.dtype)
    nbuf = 0
    counts = np.zeros(0, np.int64)
    stamp = ws_stamp[0]
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp += 1
        if stamp > _WRAP:
            _clear(mark)
            _clear(touched)
            stamp = 1
        tail, s0, s1, s2, s3 = _start(seeds, n_random, n, mark, stamp, frontier, s0, s1, s2, s3)
        curve[r, 0] = tail
        head = 0
        t = 0
        last = 0
        while head < tail and (limit < 0 or t < limit):
            end_gen = tail
            while head < end_gen:
                u = frontier[head]
                head += 1
                for e in range(indptr[u], indptr[u + 1]):
                    v = indices[e]
                    if mark[v] == stamp:
                        continue
                    if touched[v] != stamp:
                        # first exposure in this run: draw (or read) the threshold lazily
                        touched[v] = stamp
                        bucket[v] = 0.0
                        if fixed:
                            theta[v] = theta_fixed[v]
                        else:
                            x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                            theta[v] = u01_open(x)
                    bucket[v] += weight[e]
                    if bucket[v] >= theta[v] - tol:
                        mark[v] = stamp
                        frontier[tail] = v
                        tail += 1
            t += 1
            curve = _record_step(curve, r, t, tail, limit)
            if tail > end_gen:
                last = t
        buf, nbuf, counts = _record_run(
            sizes, nsteps, r, tail, last, frontier, buf, nbuf, counts, limit_list
        )
    ws_stamp[0] = stamp
    curve = _pad_rows(curve, nsteps)
    return sizes, nsteps, curve, buf[:nbuf], counts, np.zeros((0, 0), np.int64)


# --- network Bass --------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _bass(
    indptr: Any,
    indices: Any,
    weight: Any,
    p: float,
    q: float,
    seeds: Any,
    n_random: int,
    states: Any,
    block: int,
    runs: int,
    limit: int,
    mark: Any,
    adopters: Any,
    ws_stamp: Any,
    exposed_mark: Any,
    pressure: Any,
    exposed: Any,
    limit_list: int,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    steps = limit
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, steps + 1), np.int64)
    buf = np.empty(1024, adopters.dtype)
    nbuf = 0
    counts = np.zeros(0, np.int64)
    inv_log_p = 1.0 / math.log1p(-p) if 0.0 < p < 1.0 else 0.0
    log_keep_q = math.log1p(-q) if q < 1.0 else -math.inf
    stamp = ws_stamp[0]
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp += 1
        if stamp > _WRAP:
            _clear(mark)
            _clear(exposed_mark)
            stamp = 1
        tail, s0, s1, s2, s3 = _start(seeds, n_random, n, mark, stamp, adopters, s0, s1, s2, s3)
        curve[r, 0] = tail
        n_exposed = 0
        done = 0  # adopters whose ties already press on their neighbours
        last = 0
        for t in range(1, steps + 1):
            # ties of last step's adopters start to press (synchronous update)
            for i in range(done, tail):
                u = adopters[i]
                for e in range(indptr[u], indptr[u + 1]):
                    v = indices[e]
                    if mark[v] == stamp:
                        continue
                    if exposed_mark[v] != stamp:
                        exposed_mark[v] = stamp
                        pressure[v] = 0.0
                        exposed[n_exposed] = v
                        n_exposed += 1
                    pressure[v] += weight[e]
            done = tail
            start = tail
            # external adoptions: each non-adopter with probability p
            if p >= 1.0:
                for v in range(n):
                    if mark[v] != stamp:
                        mark[v] = stamp
                        adopters[tail] = v
                        tail += 1
            elif p > 0.0:
                v = -1
                while True:
                    x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                    gap = math.log(u01_open(x)) * inv_log_p
                    if gap >= n - 1 - v:
                        break
                    v += int(gap) + 1
                    if mark[v] != stamp:
                        mark[v] = stamp
                        adopters[tail] = v
                        tail += 1
            # word of mouth: exposed non-adopters (not already external this step)
            if q > 0.0:
                kept = 0
                for i in range(n_exposed):
                    v = exposed[i]
                    if mark[v] == stamp:
                        continue  # adopted: leaves the exposed list
                    x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                    if u01(x) >= math.exp(pressure[v] * log_keep_q):
                        mark[v] = stamp
                        adopters[tail] = v
                        tail += 1
                    else:
                        exposed[kept] = v
                        kept += 1
                n_exposed = kept
            curve[r, t] = tail
            if tail > start:
                last = t
        buf, nbuf, counts = _record_run(
            sizes, nsteps, r, tail, last, adopters, buf, nbuf, counts, limit_list
        )
    ws_stamp[0] = stamp
    # every column was recorded: network Bass keeps its fixed number of steps
    return sizes, nsteps, curve, buf[:nbuf], counts, np.zeros((0, 0), np.int64)


# --- rumour (Maki-Thompson / Daley-Kendall with forgetting) --------------------------------------


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _rumour(
    indptr: Any,
    indices: Any,
    spread: float,
    stifle: float,
    forget: float,
    daley_kendall: int,
    seeds: Any,
    n_random: int,
    states: Any,
    block: int,
    runs: int,
    limit: int,
    mark: Any,
    informed: Any,
    ws_stamp: Any,
    spreading: Any,
    current: Any,
    nxt: Any,
    limit_list: int,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, 16), np.int64)
    active = np.zeros((runs, 16), np.int64)
    buf = np.empty(1024, informed.dtype)
    nbuf = 0
    counts = np.zeros(0, np.int64)
    stamp = ws_stamp[0]
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp += 1
        if stamp > _WRAP:
            _clear(mark)
            stamp = 1
        tail, s0, s1, s2, s3 = _start(seeds, n_random, n, mark, stamp, informed, s0, s1, s2, s3)
        n_cur = tail
        for i in range(tail):
            current[i] = informed[i]
            spreading[informed[i]] = True
        curve[r, 0] = tail
        active[r, 0] = n_cur
        t = 0
        last = 0
        while n_cur > 0 and (limit < 0 or t < limit):
            start = tail
            # the spreaders of this step act once each, in random order
            for i in range(n_cur - 1, 0, -1):
                x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                j = min(int(u01(x) * (i + 1)), i)
                tmp = current[i]
                current[i] = current[j]
                current[j] = tmp
            for i in range(n_cur):
                u = current[i]
                if not spreading[u]:
                    continue  # stifled by another spreader earlier in this step (Daley-Kendall)
                deg = indptr[u + 1] - indptr[u]
                if deg == 0:
                    spreading[u] = False  # nobody to tell
                    continue
                x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                v = indices[indptr[u] + min(int(u01(x) * deg), deg - 1)]
                if mark[v] != stamp:
                    hear = spread >= 1.0
                    if not hear:
                        x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                        hear = u01(x) < spread
                    if hear:
                        mark[v] = stamp
                        spreading[v] = True
                        informed[tail] = v
                        tail += 1
                elif stifle > 0.0:
                    x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                    if u01(x) < stifle:
                        spreading[u] = False
                        if daley_kendall and spreading[v]:
                            spreading[v] = False
                if spreading[u] and forget > 0.0:
                    x, s0, s1, s2, s3 = next_state(s0, s1, s2, s3)
                    if u01(x) < forget:
                        spreading[u] = False
            m = 0
            for i in range(n_cur):
                if spreading[current[i]]:
                    nxt[m] = current[i]
                    m += 1
            for i in range(start, tail):
                if spreading[informed[i]]:
                    nxt[m] = informed[i]
                    m += 1
            for i in range(m):
                current[i] = nxt[i]
            n_cur = m
            t += 1
            if t >= curve.shape[1]:
                curve = _grow(curve, t, limit)
                active = _grow(active, t, limit)
            curve[r, t] = tail
            active[r, t] = n_cur
            last = t
        buf, nbuf, counts = _record_run(
            sizes, nsteps, r, tail, last, informed, buf, nbuf, counts, limit_list
        )
    ws_stamp[0] = stamp
    curve = _pad_rows(curve, nsteps)
    active = _pad_rows(active, nsteps)
    return sizes, nsteps, curve, buf[:nbuf], counts, active


_KERNELS: dict[str, Any] = {
    "ic": _ic_geometric,
    "ic_edges": _ic_edges,
    "lt": _lt,
    "bass": _bass,
    "rumour": _rumour,
}


def workspace(
    kernel: str, n: int, index: type[np.signedinteger[Any]] = np.int32
) -> tuple[Any, ...]:
    """The scratch arrays a kernel keeps between calls on one network (one set per thread):
    activity marks and a node list for every model, plus thresholds for the linear threshold,
    exposure for network Bass and speaker lists for the rumour."""
    ws: tuple[Any, ...] = (np.zeros(n, np.int32), np.empty(n, index), np.zeros(1, np.int64))
    if kernel == "lt":
        ws += (np.zeros(n, np.int32), np.zeros(n, np.float64), np.zeros(n, np.float64))
    elif kernel == "bass":
        ws += (np.zeros(n, np.int32), np.zeros(n, np.float64), np.empty(n, index))
    elif kernel == "rumour":
        ws += (np.zeros(n, np.bool_), np.empty(n, index), np.empty(n, index))
    return ws


def run(
    kernel: str,
    model_args: tuple[Any, ...],
    ws: tuple[Any, ...],
    *,
    seeds: NDArray[np.int64],
    n_random: int,
    states: NDArray[np.uint64],
    block: int,
    runs: int,
    limit: int,
) -> KernelOutput:
    """Run ``runs`` Monte Carlo runs of ``kernel`` (``"ic"``: one probability on every edge,
    geometric skipping; ``"ic_edges"``: a coin per edge; ``"lt"``, ``"bass"``, ``"rumour"``)
    with its model arguments and workspace; run ``r`` uses the stream ``states[r // block]``.

    ``limit`` is the step cap (``-1``: until nothing changes; the number of steps for Bass).
    The workspace must be used by one call at a time (one per thread).
    """
    n = ws[0].shape[0]
    out = _KERNELS[kernel](
        *model_args, seeds, n_random, states, block, runs, limit, *ws, fold_at(n)
    )
    return KernelOutput(*out)
