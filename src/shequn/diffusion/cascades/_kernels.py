"""Compiled Monte Carlo kernels for the cascade models of :mod:`shequn.diffusion.cascades`.

Private module: the public, validated entry points are in :mod:`shequn.diffusion.cascades`;
:func:`run` is the one typed door into the compiled code.

Every kernel simulates a contiguous range of Monte Carlo runs in one call, so per-run overhead
is a few nanoseconds, and returns the same five arrays (see :class:`KernelOutput`). The graph
comes as out-edge CSR arrays (``indptr``, ``indices``), int32 when they fit (the callers
convert; int64 works too, compiled on first use).

Randomness
----------
The kernels never touch global random state. Runs are grouped in fixed blocks of ``block``
runs; block ``b`` is driven by its own xoshiro256** generator (Blackman & Vigna 2018, 256 bits
of state, period 2^256 - 1) whose state is ``states[b]``, four 64-bit words drawn by the caller
from a spawned :class:`numpy.random.SeedSequence` child. Within a block the runs share that
stream in run order. A uniform variate is the top 53 bits of one output scaled by 2^-53
(``[0, 1)``) or shifted by one ulp (``(0, 1]``, where a logarithm is taken). xoshiro256** is a
handful of shifts and xors kept in registers; measured here it costs about 1 ns per draw,
half of a ``numpy.random.Generator`` passed into numba.

Fast paths
----------
* Independent cascade with one probability ``p`` on every edge skips over the failed edges of a
  newly active node: the gap to the next successful edge is geometric,
  ``floor(log(U) / log(1 - p))``, so a node of degree ``d`` costs about ``1 + p d`` draws
  instead of ``d``. Per-edge probabilities draw once per edge, before the (random-access)
  visited check, so failed edges never touch node memory.
* Activity marks are int32 run stamps (``mark[v] == run + 1``), so nothing is cleared between
  runs and the marks take half the cache of int64.
* Network Bass draws the external adoptions (probability ``p`` each) by geometric skipping over
  the node range and the word-of-mouth adoptions only for exposed non-adopters, so a step costs
  ``O(p n + exposed + new ties)``, not ``O(n)``.

Examples
--------
>>> import numpy as np
>>> from shequn.diffusion.cascades._kernels import run
>>> indptr = np.array([0, 1, 2, 2], np.int32)                # the path 0 -> 1 -> 2
>>> indices = np.array([1, 2], np.int32)
>>> states = np.array([[1, 2, 3, 4]], dtype=np.uint64)
>>> out = run("ic", (indptr, indices, np.ones(2), 1.0, 1), seeds=np.array([0]), n_random=0,
...           states=states, block=256, runs=2, limit=-1)
>>> out.sizes.tolist(), out.steps.tolist(), out.curves[0, :3].tolist()
([3, 3], [2, 2], [1, 2, 3])
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["IC_ALL", "IC_EDGE", "IC_GEOMETRIC", "IC_NONE", "KernelOutput", "run"]

IC_GEOMETRIC = 0  # one probability 0 < p < 1 on every edge
IC_ALL = 1  # p = 1 on every edge
IC_NONE = 2  # p = 0 on every edge
IC_EDGE = 3  # per-edge probabilities

_TWO_M53 = 1.0 / 9007199254740992.0  # 2^-53
_WRAP = 2**31 - 2  # run stamps live in int32 marks; after this many runs the marks are cleared


class KernelOutput(NamedTuple):
    """What every kernel returns for its ``runs`` runs.

    Attributes
    ----------
    sizes
        (runs,) final number of adopters (informed, for the rumour), seeds included.
    steps
        (runs,) last step at which anyone adopted (0: nobody beyond the seeds).
    curves
        (runs, width) cumulative adopters after each step; only columns ``0..steps[r]`` of row
        ``r`` are meaningful (the caller pads).
    counts
        (n,) number of runs in which each node adopted.
    active
        (runs, width) spreaders after each step for the rumour; (0, 0) for the other models.
    """

    sizes: NDArray[np.int64]
    steps: NDArray[np.int64]
    curves: NDArray[np.int64]
    counts: NDArray[np.int64]
    active: NDArray[np.int64]


# --- the generator -------------------------------------------------------------------------------


@numba.njit(inline="always")
def _rotl(x: Any, k: int) -> Any:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@numba.njit(inline="always")
def _next(s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[Any, Any, Any, Any, Any]:
    """One xoshiro256** output and the advanced state."""
    out = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return out, s0, s1, s2, s3


@numba.njit(inline="always")
def _u01(x: Any) -> float:
    """Uniform on [0, 1) from a 64-bit output."""
    return float(x >> np.uint64(11)) * _TWO_M53


@numba.njit(inline="always")
def _u01_open(x: Any) -> float:
    """Uniform on (0, 1] from a 64-bit output (safe to take the logarithm of)."""
    return float((x >> np.uint64(11)) + np.uint64(1)) * _TWO_M53


@numba.njit(cache=True)
def _grow(curve: Any, need: int, limit: int) -> Any:
    """A copy of ``curve`` with at least ``need + 1`` columns, doubling, but never more than
    ``limit + 1`` (the step cap, chosen by the caller to fit in memory) when ``limit >= 0``."""
    cap = curve.shape[1]
    while cap <= need:
        cap *= 2
    if limit >= 0 and cap > limit + 1:
        cap = max(limit + 1, need + 1)
    out = np.zeros((curve.shape[0], cap), np.int64)
    out[:, : curve.shape[1]] = curve
    return out


@numba.njit(inline="always")
def _record_step(curve: Any, r: int, t: int, tail: int, limit: int) -> Any:
    """Write run ``r``'s cumulative count after step ``t``, growing ``curve`` when full."""
    if t >= curve.shape[1]:
        curve = _grow(curve, t, limit)
    curve[r, t] = tail
    return curve


@numba.njit(inline="always")
def _record_run(
    sizes: Any, nsteps: Any, counts: Any, r: int, tail: int, last: int, reached: Any
) -> None:
    """Store run ``r``'s final size and last step, and count the ``tail`` nodes it reached."""
    sizes[r] = tail
    nsteps[r] = last
    for i in range(tail):
        counts[reached[i]] += 1


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
        x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
        v = min(int(_u01(x) * n), n - 1)
        if mark[v] != stamp:
            mark[v] = stamp
            frontier[tail] = v
            tail += 1
    return tail, s0, s1, s2, s3


# --- independent cascade -------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _ic(
    indptr: Any,
    indices: Any,
    prob: Any,
    p: float,
    mode: int,
    seeds: Any,
    n_random: int,
    states: Any,
    block: int,
    runs: int,
    limit: int,
) -> tuple[Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    mark = np.zeros(n, np.int32)
    frontier = np.empty(n, np.int32)
    counts = np.zeros(n, np.int64)
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, 16), np.int64)
    inv_log = 0.0
    # in geometric mode ``prob`` holds none_left[k] = (1 - p)^k for k = 0..max degree, the
    # chance that k remaining edges all fail: a gap is only computed (one logarithm) when the
    # uniform says some edge succeeds
    none_left = prob
    if mode == IC_GEOMETRIC:
        inv_log = 1.0 / math.log1p(-p)
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp = r % _WRAP + 1
        if stamp == 1 and r > 0:
            mark[:] = 0
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
                if mode == IC_GEOMETRIC:
                    while e < end:
                        # failures before the next success: floor(log(U) / log(1 - p)),
                        # at least end - e exactly when U <= (1 - p)^(end - e)
                        x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                        w = _u01_open(x)
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
                elif mode == IC_EDGE:
                    for j in range(e, end):
                        x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                        if _u01(x) < prob[j]:
                            v = indices[j]
                            if mark[v] != stamp:
                                mark[v] = stamp
                                frontier[tail] = v
                                tail += 1
                elif mode == IC_ALL:
                    for j in range(e, end):
                        v = indices[j]
                        if mark[v] != stamp:
                            mark[v] = stamp
                            frontier[tail] = v
                            tail += 1
            t += 1
            curve = _record_step(curve, r, t, tail, limit)
            if tail > end_gen:
                last = t
        _record_run(sizes, nsteps, counts, r, tail, last, frontier)
    return sizes, nsteps, curve, counts, np.zeros((0, 0), np.int64)


# --- linear threshold ----------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
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
) -> tuple[Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    mark = np.zeros(n, np.int32)
    touched = np.zeros(n, np.int32)
    bucket = np.zeros(n, np.float64)
    theta = np.zeros(n, np.float64)
    frontier = np.empty(n, np.int32)
    counts = np.zeros(n, np.int64)
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, 16), np.int64)
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp = r % _WRAP + 1
        if stamp == 1 and r > 0:
            mark[:] = 0
            touched[:] = 0
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
                            x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                            theta[v] = _u01_open(x)
                    bucket[v] += weight[e]
                    if bucket[v] >= theta[v] - tol:
                        mark[v] = stamp
                        frontier[tail] = v
                        tail += 1
            t += 1
            curve = _record_step(curve, r, t, tail, limit)
            if tail > end_gen:
                last = t
        _record_run(sizes, nsteps, counts, r, tail, last, frontier)
    return sizes, nsteps, curve, counts, np.zeros((0, 0), np.int64)


# --- network Bass --------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
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
) -> tuple[Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    steps = limit
    mark = np.zeros(n, np.int32)
    exposed_mark = np.zeros(n, np.int32)
    pressure = np.zeros(n, np.float64)  # tie-weighted adopted in-neighbours
    adopters = np.empty(n, np.int32)  # in adoption order
    exposed = np.empty(n, np.int32)
    counts = np.zeros(n, np.int64)
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, steps + 1), np.int64)
    inv_log_p = 1.0 / math.log1p(-p) if 0.0 < p < 1.0 else 0.0
    log_keep_q = math.log1p(-q) if q < 1.0 else -math.inf
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp = r % _WRAP + 1
        if stamp == 1 and r > 0:
            mark[:] = 0
            exposed_mark[:] = 0
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
                    x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    gap = math.log(_u01_open(x)) * inv_log_p
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
                    x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    if _u01(x) >= math.exp(pressure[v] * log_keep_q):
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
        _record_run(sizes, nsteps, counts, r, tail, last, adopters)
    return sizes, nsteps, curve, counts, np.zeros((0, 0), np.int64)


# --- rumour (Maki-Thompson / Daley-Kendall with forgetting) --------------------------------------


@numba.njit(cache=True, nogil=True)
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
) -> tuple[Any, Any, Any, Any, Any]:
    n = indptr.shape[0] - 1
    mark = np.zeros(n, np.int32)  # informed (spreader or stifler) in this run
    spreading = np.zeros(n, np.bool_)  # meaningful only where informed
    informed = np.empty(n, np.int32)  # in order of hearing
    current = np.empty(n, np.int32)
    nxt = np.empty(n, np.int32)
    counts = np.zeros(n, np.int64)
    sizes = np.empty(runs, np.int64)
    nsteps = np.empty(runs, np.int64)
    curve = np.zeros((runs, 16), np.int64)
    active = np.zeros((runs, 16), np.int64)
    s0 = s1 = s2 = s3 = np.uint64(0)
    for r in range(runs):
        if r % block == 0:
            b = r // block
            s0, s1, s2, s3 = states[b, 0], states[b, 1], states[b, 2], states[b, 3]
        stamp = r % _WRAP + 1
        if stamp == 1 and r > 0:
            mark[:] = 0
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
                x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                j = min(int(_u01(x) * (i + 1)), i)
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
                x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                v = indices[indptr[u] + min(int(_u01(x) * deg), deg - 1)]
                if mark[v] != stamp:
                    hear = spread >= 1.0
                    if not hear:
                        x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                        hear = _u01(x) < spread
                    if hear:
                        mark[v] = stamp
                        spreading[v] = True
                        informed[tail] = v
                        tail += 1
                elif stifle > 0.0:
                    x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    if _u01(x) < stifle:
                        spreading[u] = False
                        if daley_kendall and spreading[v]:
                            spreading[v] = False
                if spreading[u] and forget > 0.0:
                    x, s0, s1, s2, s3 = _next(s0, s1, s2, s3)
                    if _u01(x) < forget:
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
        _record_run(sizes, nsteps, counts, r, tail, last, informed)
    return sizes, nsteps, curve, counts, active


_KERNELS: dict[str, Any] = {
    "ic": _ic,
    "lt": _lt,
    "bass": _bass,
    "rumour": _rumour,
}


def run(
    kernel: str,
    model_args: tuple[Any, ...],
    *,
    seeds: NDArray[np.int64],
    n_random: int,
    states: NDArray[np.uint64],
    block: int,
    runs: int,
    limit: int,
) -> KernelOutput:
    """Run ``runs`` Monte Carlo runs of ``kernel`` (``"ic"``, ``"lt"``, ``"bass"``,
    ``"rumour"``) with its model arguments; run ``r`` uses the stream ``states[r // block]``.

    ``limit`` is the step cap (``-1``: until nothing changes; the number of steps for Bass).
    Module-level, so that a process executor can pickle a :func:`functools.partial` of it.
    """
    out = _KERNELS[kernel](*model_args, seeds, n_random, states, block, runs, limit)
    return KernelOutput(*(np.asarray(a, dtype=np.int64) for a in out))
