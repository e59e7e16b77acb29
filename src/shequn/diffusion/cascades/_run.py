"""Plumbing shared by the cascade models: the kernels' CSR arrays and workspaces, random
streams per block of runs, running the kernels (serially in chunks, or on an executor) and
packing a :class:`DiffusionResult`.

A call on a prepared network costs a few microseconds of Python plus the work of its runs:
nothing here walks the network (its largest degree and the kernels' scratch arrays are kept
per network), memory is asked of the machine only when a request is large, and a progress
display is made only when asked for or when the work spans several chunks.
"""

from __future__ import annotations

import functools
import threading
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
from shequn.diffusion._dask import Traffic, dask_client, scatter
from shequn.diffusion._network import DiffusionNetwork
from shequn.diffusion._parallel import check_executor
from shequn.diffusion._xoshiro import block_states
from shequn.diffusion.cascades import _kernels as kern
from shequn.diffusion.cascades.result import DiffusionResult
from shequn.rng import RNGLike

__all__ = ["BLOCK"]

BLOCK = 1024
"""Runs per random stream: run ``r`` uses child stream ``r // BLOCK`` of ``rng``."""

#: Memory any call may use without asking the machine (the worst-case curves of small calls).
_SMALL = 64 * 2**20
#: Seconds of kernel time a serial chunk of blocks aims at (Ctrl-C and progress between chunks).
_CHUNK_SECONDS = 0.25


# --- per-network state --------------------------------------------------------------------------


class _NetState:
    """What the kernels keep for one network: its largest out-degree and, per thread and
    kernel, the scratch arrays (:func:`~shequn.diffusion.cascades._kernels.workspace`)."""

    __slots__ = ("dmax", "local", "tables")

    def __init__(self, net: DiffusionNetwork) -> None:
        self.dmax = int(net.out_degree.max()) if net.n else 0
        self.local = threading.local()  # freed with the thread
        self.tables: dict[float, NDArray[np.float64]] = {}


# by identity (networks compare by value, and their arrays make them unhashable); an entry
# goes when its network is collected
_STATES: dict[int, _NetState] = {}
_STATES_LOCK = threading.Lock()


def _state(net: DiffusionNetwork) -> _NetState:
    st = _STATES.get(id(net))
    if st is None:
        with _STATES_LOCK:
            st = _STATES.get(id(net))
            if st is None:
                st = _NetState(net)
                _STATES[id(net)] = st
                weakref.finalize(net, _STATES.pop, id(net), None)
    return st


def _workspace(net: DiffusionNetwork, kernel: str) -> tuple[Any, ...]:
    """This thread's scratch arrays for ``kernel`` on ``net`` (made on first use)."""
    local = _state(net).local
    ws: tuple[Any, ...] | None = getattr(local, kernel, None)
    if ws is None:
        ws = kern.workspace(kernel, net.n, net.indices.dtype.type)
        setattr(local, kernel, ws)
    return ws


def _prepared(net: DiffusionNetwork) -> tuple[NDArray[Any], NDArray[Any], int]:
    """The kernels' CSR arrays of ``net`` (int32 when the graph fits, as the network stores
    them) and its largest out-degree (computed once per network)."""
    return net.indptr, net.indices, _state(net).dmax


def _none_left(net: DiffusionNetwork, p: float) -> NDArray[np.float64]:
    """``(1 - p)^k`` for ``k = 0..`` the largest out-degree: the chance that ``k`` edges all
    fail, which geometric skipping reads (kept per network for the last few ``p``)."""
    st = _state(net)
    table = st.tables.get(p)
    if table is None:
        table = np.exp(np.arange(st.dmax + 1) * np.log1p(-p))
        if len(st.tables) >= 8:
            st.tables.clear()
        st.tables[p] = table
    return table


def _csr32(net: DiffusionNetwork) -> tuple[NDArray[Any], NDArray[Any]]:
    """The kernels' CSR arrays of ``net``."""
    return net.indptr, net.indices


def _limit(max_steps: int | None, owner: str, bound: int) -> tuple[int, str]:
    """The step cap and what to blame when memory lowers it: ``max_steps`` when given, else
    ``bound`` (no cascade of ``n`` nodes grows for more than ``n - 1`` steps)."""
    if max_steps is None:
        return bound, "runs"
    return check_int(max_steps, owner=owner, field="max_steps", low=0), "runs"


def _fit(curve: IntArray, width: int) -> IntArray:
    """``curve`` cut or widened to ``width`` columns (rows end in their final value, which
    the kernels padded to the end: widening repeats the last column)."""
    w = curve.shape[1]
    if w >= width:
        return curve[:, :width]
    out = np.empty((curve.shape[0], width), dtype=np.int64)
    out[:, :w] = curve
    out[:, w:] = curve[:, w - 1 : w]
    return out


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


# --- running the kernels ------------------------------------------------------------------------


def _task(
    net: DiffusionNetwork,
    kernel: str,
    model_args: tuple[Any, ...],
    seeds: IntArray,
    n_random: int,
    limit: int,
    states: NDArray[np.uint64],
    runs: int,
) -> kern.KernelOutput:
    """Runs of one chunk of blocks, on this thread's workspace (module level: picklable)."""
    return kern.run(
        kernel,
        model_args,
        _workspace(net, kernel),
        seeds=seeds,
        n_random=n_random,
        states=states,
        block=BLOCK,
        runs=runs,
        limit=limit,
    )


class _Silent:
    """The progress display of a call too short to show one."""

    def update(self, n: int) -> None:
        pass


def _simulate(
    kernel: str,
    net: DiffusionNetwork,
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
) -> tuple[IntArray, IntArray, tuple[int, IntArray, IntArray], IntArray | None]:
    """Final sizes, curves, who adopted and (rumour) spreader curves of ``runs`` runs.

    ``limit`` is the step cap (the user's ``max_steps``, the network Bass steps, or the
    model's natural bound). Curves need ``limit + 1`` columns at most; when memory cannot hold
    that many for every run the cap is lowered, and a run that reaches the lowered cap before
    it ends raises (``capped`` names what the user should change). Serial runs go in chunks
    of whole random blocks of about a quarter of a second, so progress is shown and Ctrl-C
    stops the call between chunks; with an executor the same blocks are tasks.
    """
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
    call = functools.partial(_task, net, kernel, model_args, seeds, n_random, run_limit)
    if deterministic and n_random == 0:
        # nothing random: one run is every run
        one = call(np.ones((1, 4), dtype=np.uint64), 1)
        outs = [
            kern.KernelOutput(
                sizes=np.repeat(one.sizes, runs),
                steps=np.repeat(one.steps, runs),
                curves=np.repeat(one.curves, runs, axis=0),
                reached=one.reached,
                counts=one.counts,
                active=np.repeat(one.active, runs, axis=0) if one.active.size else one.active,
            )
        ]
        repeat = runs
    else:
        repeat = 1
        n_blocks = -(-runs // BLOCK)
        states = block_states(rng, n_blocks, owner=owner)
        if progress is None and n_blocks == 1 and executor is None:
            outs = [call(states, runs)]  # one short chunk: no display to set up
        else:
            with Progress(progress, total=runs, owner=owner, desc="runs") as bar:
                client = dask_client(executor)
                if executor is None:
                    outs = _serial_chunks(call, states, runs, bar)
                elif client is not None:  # the network scattered once, not in every task
                    traffic = Traffic()
                    net_f = scatter(client, net, traffic)
                    args_f = scatter(client, model_args, traffic)

                    def submit(st: NDArray[np.uint64], n_runs: int) -> Any:
                        return client.submit(
                            _task,
                            net_f,
                            kernel,
                            args_f,
                            seeds,
                            n_random,
                            run_limit,
                            st,
                            n_runs,
                            pure=False,
                        )

                    outs = _on_executor(submit, states, runs, bar)
                else:
                    outs = _on_executor(
                        lambda st, n_runs: executor.submit(call, st, n_runs), states, runs, bar
                    )
    if len(outs) == 1:
        o = outs[0]
        sizes, steps = o.sizes, o.steps
    else:
        sizes = np.concatenate([o.sizes for o in outs])
        steps = np.concatenate([o.steps for o in outs])
    if capped is not None and run_limit < limit:
        going = (
            any(o.active[:, -1].any() for o in outs)  # spreaders left
            if kernel == "rumour"
            else bool((steps >= run_limit).any())
        )
        if going:
            raise _capped(owner, capped, run_limit, runs)
    width = max(o.curves.shape[1] for o in outs)  # kernels cut after their longest run
    if len(outs) == 1:
        curves = outs[0].curves
    else:
        curves = np.concatenate([_fit(o.curves, width) for o in outs], axis=0)
    adopted = _adopted(outs, net.n, repeat)
    active: IntArray | None = None
    if kernel == "rumour":
        active = np.concatenate([_fit(o.active, width) for o in outs], axis=0)
    return sizes, curves, adopted, active


def _adopted(outs: list[kern.KernelOutput], n: int, repeat: int) -> tuple[int, IntArray, IntArray]:
    """``(n, listed adopters, folded counts)`` of the chunks: node counts are their bincount
    plus the folded counts, times ``repeat`` (a deterministic run standing for every run)."""
    if len(outs) == 1:
        reached, counts = outs[0].reached, outs[0].counts
    else:
        reached = np.concatenate([o.reached for o in outs])
        folded = [o.counts for o in outs if o.counts.size]
        counts = np.sum(folded, axis=0) if folded else np.zeros(0, np.int64)
    if repeat != 1:
        total = np.bincount(reached, minlength=n).astype(np.int64)
        if counts.size:
            total += counts
        return n, np.zeros(0, np.int32), total * repeat
    return n, reached, counts


def _capped(owner: str, field: str, cap: int, runs: int) -> Exception:
    return fail(
        owner,
        field,
        f"be given, or runs fewer: {runs:,} runs still going after {cap:,} steps would need "
        "more memory for their curves than this machine has",
        None,
    )


def _serial_chunks(
    call: Callable[..., Any], states: NDArray[np.uint64], runs: int, bar: Any
) -> list[Any]:
    """Run the blocks in order, in chunks sized to about :data:`_CHUNK_SECONDS` each."""
    n_blocks = states.shape[0]
    outs = []
    b0, per = 0, 1
    while b0 < n_blocks:
        b1 = min(n_blocks, b0 + per)
        n_runs = min(runs, b1 * BLOCK) - b0 * BLOCK
        t0 = time.perf_counter()
        outs.append(call(states[b0:b1], n_runs))
        spent = time.perf_counter() - t0
        bar.update(n_runs)
        done = b1 - b0
        b0 = b1
        # next chunk: as many blocks as fit in the time budget (at most four times as many)
        per = max(1, min(4 * done, int(_CHUNK_SECONDS * done / max(spent, 1e-9))))
    return outs


def _on_executor(
    submit: Callable[[NDArray[np.uint64], int], Any],
    states: NDArray[np.uint64],
    runs: int,
    bar: Any,
) -> list[Any]:
    """The blocks as (at most 16) tasks given to ``submit(states, runs)`` (an executor's or a
    Dask client's); results in block order."""
    n_blocks = states.shape[0]
    per_task = max(1, -(-n_blocks // 16))
    futures = []
    for b0 in range(0, n_blocks, per_task):
        b1 = min(n_blocks, b0 + per_task)
        n_runs = min(runs, b1 * BLOCK) - b0 * BLOCK
        futures.append((n_runs, submit(states[b0:b1], n_runs)))
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
    out: tuple[IntArray, IntArray, tuple[int, IntArray, IntArray], IntArray | None],
    params: tuple[tuple[str, Any], ...],
) -> DiffusionResult:
    sizes, curves, adopted, active = out
    return DiffusionResult(
        model=model,
        n=net.n,
        seeds=seeds,
        random_seeds=n_random,
        final_sizes=sizes,
        curves=curves,
        adopted=adopted,
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
