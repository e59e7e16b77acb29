"""Plumbing shared by the cascade models: the kernels' CSR arrays, random streams per block of
runs, running the kernels (serially or on an executor) and packing a :class:`DiffusionResult`."""

from __future__ import annotations

import functools
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shequn._progress import Progress
from shequn._typing import IntArray
from shequn._validation import available_memory, check_int, check_memory, fail
from shequn.diffusion._network import (
    DiffusionNetwork,
)
from shequn.diffusion._parallel import check_executor
from shequn.diffusion.cascades.result import DiffusionResult
from shequn.rng import RNGLike, spawn_seeds

__all__ = ["BLOCK"]

BLOCK = 1024
"""Runs per random stream: run ``r`` uses child stream ``r // BLOCK`` of ``rng``."""

# --- shared plumbing ------------------------------------------------------------------------------


_last_dmax: tuple[weakref.ref[DiffusionNetwork], int] | None = None


def _prepared(net: DiffusionNetwork) -> tuple[NDArray[Any], NDArray[Any], int]:
    """The kernels' CSR arrays of ``net`` (int32 when the graph fits, as the network stores
    them) and its largest out-degree, remembered for the last network so that repeated calls
    on one network (CELF) compute it once."""
    global _last_dmax
    cached = _last_dmax
    if cached is not None and cached[0]() is net:
        return net.indptr, net.indices, cached[1]
    dmax = int(net.out_degree.max()) if net.n else 0
    _last_dmax = (weakref.ref(net), dmax)
    return net.indptr, net.indices, dmax


def _csr32(net: DiffusionNetwork) -> tuple[NDArray[Any], NDArray[Any]]:
    """The kernels' CSR arrays of ``net`` (see :func:`_prepared`)."""
    ip, ix, _ = _prepared(net)
    return ip, ix


def _limit(max_steps: int | None, owner: str, bound: int) -> tuple[int, str]:
    """The step cap and what to blame when memory lowers it: ``max_steps`` when given, else
    ``bound`` (no cascade of ``n`` nodes grows for more than ``n - 1`` steps)."""
    if max_steps is None:
        return bound, "runs"
    return check_int(max_steps, owner=owner, field="max_steps", low=0), "runs"


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


#: Memory any run may use without asking the machine (the worst-case curves of small calls).
_SMALL = 64 * 2**20
#: Seconds of kernel time a serial chunk of blocks aims at (Ctrl-C and progress between chunks).
_CHUNK_SECONDS = 0.25


def _width_cap(
    runs: int, limit: int, per_col: int, owner: str, *, fixed: bool, memory_field: str
) -> int:
    """The most curve columns ``runs`` runs may hold: ``limit + 1`` unless memory is short.

    Refuses (naming ``memory_field``) when even the smallest result would not fit: the fixed
    width for network Bass, 17 columns (a run's start and first growth) otherwise.
    """
    want = limit + 1
    per_run = 16 + per_col  # final size and step, plus one column per step
    if runs * per_run * want <= _SMALL:
        return want
    have = available_memory() // 2
    least = want if fixed else min(want, 17)
    check_memory(
        runs * (16 + per_col * least),
        owner=owner,
        field=memory_field,
        value=runs if memory_field == "runs" else limit,
        fraction=0.5,
    )
    return max(least, min(want, have // max(1, runs * per_col)))


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
    progress: Any = None,
    capped: str | None = None,
) -> tuple[IntArray, IntArray, IntArray, IntArray | None]:
    """Final sizes, curves, node counts and (rumour) spreader curves of ``runs`` runs.

    ``limit`` is the step cap (the user's ``max_steps``, the network Bass steps, or the
    model's natural bound). Curves need ``limit + 1`` columns at most; when memory cannot hold
    that many for every run the cap is lowered, and a run that reaches the lowered cap before
    it ends raises (``capped`` names what the user should change). Serial runs go in chunks
    of whole random blocks of about a quarter of a second, so progress is shown and Ctrl-C
    stops the call between chunks; with an executor the same blocks are tasks.
    """
    from shequn.diffusion.cascades import _kernels as kern

    executor = check_executor(executor, owner)
    per_col = 16 if kernel == "rumour" else 8
    cap = _width_cap(
        runs,
        limit,
        per_col,
        owner,
        fixed=fixed_width,
        memory_field="steps" if fixed_width and runs * 144 < _SMALL else "runs",
    )
    run_limit = cap - 1
    call = functools.partial(
        kern.run, kernel, model_args, seeds=seeds, n_random=n_random, block=BLOCK, limit=run_limit
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
                active=np.repeat(one.active, runs, axis=0) if one.active.size else one.active,
            )
        ]
    else:
        n_blocks = -(-runs // BLOCK)
        states = _block_states(rng, n_blocks, owner)
        with Progress(progress, total=runs, owner=owner, desc="runs") as bar:
            if executor is None:
                outs = _serial_chunks(call, states, runs, bar)
            else:
                outs = _on_executor(call, states, runs, executor, bar)
    sizes = np.concatenate([o.sizes for o in outs])
    steps = np.concatenate([o.steps for o in outs])
    active: IntArray | None = None
    if kernel == "rumour":
        final_active = [o.active[np.arange(o.sizes.shape[0]), o.steps] for o in outs]
        if capped is not None and run_limit < limit and any(fa.any() for fa in final_active):
            raise _capped(owner, capped, run_limit, runs)
    elif capped is not None and run_limit < limit and bool((steps >= run_limit).any()):
        raise _capped(owner, capped, run_limit, runs)
    width = outs[0].curves.shape[1] if fixed_width else int(steps.max()) + 1
    curves = np.concatenate([_pad(o.curves, o.steps, o.sizes, width) for o in outs], axis=0)
    counts = outs[0].counts if len(outs) == 1 else np.sum([o.counts for o in outs], axis=0)
    if kernel == "rumour":
        active = np.concatenate(
            [_pad(o.active, o.steps, fa, width) for o, fa in zip(outs, final_active, strict=True)],
            axis=0,
        )
    return sizes, curves, counts, active


def _capped(owner: str, field: str, cap: int, runs: int) -> Exception:
    return fail(
        owner,
        field,
        f"be given, or runs fewer: {runs:,} runs still going after {cap:,} steps would need "
        "more memory for their curves than this machine has",
        None,
    )


def _serial_chunks(
    call: Callable[..., Any], states: NDArray[np.uint64], runs: int, bar: Progress
) -> list[Any]:
    """Run the blocks in order, in chunks sized to about :data:`_CHUNK_SECONDS` each."""
    n_blocks = states.shape[0]
    outs = []
    b0, per = 0, 1
    while b0 < n_blocks:
        b1 = min(n_blocks, b0 + per)
        n_runs = min(runs, b1 * BLOCK) - b0 * BLOCK
        t0 = time.perf_counter()
        outs.append(call(states=states[b0:b1], runs=n_runs))
        spent = time.perf_counter() - t0
        bar.update(n_runs)
        done = b1 - b0
        b0 = b1
        # next chunk: as many blocks as fit in the time budget (at most four times as many)
        per = max(1, min(4 * done, int(_CHUNK_SECONDS * done / max(spent, 1e-9))))
    return outs


def _on_executor(
    call: Callable[..., Any],
    states: NDArray[np.uint64],
    runs: int,
    executor: Executor,
    bar: Progress,
) -> list[Any]:
    """The blocks as (at most 16) tasks on ``executor``; results in block order."""
    n_blocks = states.shape[0]
    per_task = max(1, -(-n_blocks // 16))
    futures = []
    for b0 in range(0, n_blocks, per_task):
        b1 = min(n_blocks, b0 + per_task)
        n_runs = min(runs, b1 * BLOCK) - b0 * BLOCK
        futures.append((n_runs, executor.submit(call, states=states[b0:b1], runs=n_runs)))
    outs = []
    try:
        for n_runs, fut in futures:
            outs.append(fut.result())
            bar.update(n_runs)
    except BaseException:  # Ctrl-C or a failed task: drop the work not started yet
        for _, fut in futures:
            fut.cancel()
        raise
    return outs


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
