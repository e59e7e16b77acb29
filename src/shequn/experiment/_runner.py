"""Running tasks on an executor: batching, retries, crash handling, picklability and progress.

A *task* is one run ``(index, params, entropy, spawn_key)``. Tasks are grouped into batches;
each batch is one call of :func:`run_batch` on the executor, which rebuilds every run's
generator from its seed and calls ``fn(**params, rng=generator)``. An exception inside ``fn`` is
retried in place (same seed, so a success is identical to a first-time success); a batch whose
worker died is resubmitted as a whole. Whatever still fails is returned as a failure outcome.

Examples
--------
>>> def f(*, rng):
...     return 1
>>> outs = run_batch(f, [(0, {}, 1, (0,))], 0)
>>> outs[0][:4]
(0, True, 1, 1)
"""

from __future__ import annotations

import math
import os
import pickle
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from typing import Any, TypeAlias

import numpy as np

from shequn._optional import optional_import
from shequn._progress import Progress
from shequn._validation import check_int, fail
from shequn.experiment._records import normalize_output

__all__ = ["Outcome", "Progress", "Task", "check_picklable", "execute", "n_workers", "run_batch"]

Task: TypeAlias = tuple[int, dict[str, Any], "int | tuple[int, ...]", tuple[int, ...]]
# (index, ok, value-or-(error type, message, traceback), attempts, seconds)
Outcome: TypeAlias = tuple[int, bool, Any, int, float]


def run_batch(
    fn: Callable[..., Any], items: Sequence[Task], retries: int, nonce: int = 0
) -> list[Outcome]:
    """Run a batch of tasks where it lands (in a worker), retrying exceptions of ``fn``.

    ``nonce`` only makes resubmissions distinct calls (so caching executors such as Dask with
    ``pure=True`` cannot hand back the failed first attempt). ``KeyboardInterrupt`` and
    ``SystemExit`` are not caught.

    Examples
    --------
    >>> def bad(*, rng):
    ...     raise ValueError("nope")
    >>> out = run_batch(bad, [(3, {}, 1, (0,))], 2)
    >>> out[0][0], out[0][1], out[0][2][:2], out[0][3]
    (3, False, ('ValueError', 'nope'), 3)
    """
    out: list[Outcome] = []
    for index, params, entropy, key in items:
        attempts = 0
        while True:
            attempts += 1
            start = time.perf_counter()
            try:
                seq = np.random.SeedSequence(entropy, spawn_key=key)
                value = normalize_output(fn(**params, rng=np.random.default_rng(seq)))
            except Exception as exc:
                if attempts <= retries:
                    continue
                info = (type(exc).__qualname__, str(exc), traceback.format_exc())
                out.append((index, False, info, attempts, time.perf_counter() - start))
                break
            out.append((index, True, value, attempts, time.perf_counter() - start))
            break
    return out


def _pickler_for(executor: Executor) -> Callable[[Any], bytes]:
    module = type(executor).__module__
    if module.startswith(("distributed", "loky", "joblib")):
        # these executors serialise functions with cloudpickle (lambdas and closures work)
        try:
            cloudpickle = optional_import("cloudpickle", extra="dask")
        except ImportError:  # pragma: no cover - they ship it
            return pickle.dumps
        dumps: Callable[[Any], bytes] = cloudpickle.dumps
        return dumps
    return pickle.dumps


def check_picklable(fn: Callable[..., Any], executor: Executor | None, *, owner: str) -> None:
    """Fail early, before any work is submitted, if ``fn`` cannot travel to ``executor``.

    Serial runs and thread pools need nothing; other executors get the function pickled (with
    cloudpickle for Dask and loky, which use it).

    Examples
    --------
    >>> from concurrent.futures import ProcessPoolExecutor
    >>> pool = ProcessPoolExecutor(1)
    >>> check_picklable(lambda rng: 0, pool, owner="sweep")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `sweep.fn` must be picklable to run on ...
    >>> pool.shutdown()
    """
    if executor is None or isinstance(executor, ThreadPoolExecutor):
        return
    dumps = _pickler_for(executor)
    try:
        dumps(fn)
    except Exception as exc:
        raise fail(
            owner,
            "fn",
            f"be picklable to run on {type(executor).__name__} (define it at module level,"
            f" or use a ThreadPoolExecutor; {type(exc).__name__}: {exc})",
            fn,
        ) from exc


def n_workers(executor: Executor | None) -> int:
    """How many tasks ``executor`` runs at once (best effort; the CPU count if unknown).

    Examples
    --------
    >>> with ThreadPoolExecutor(3) as pool:
    ...     n_workers(pool)
    3
    """
    if executor is None:
        return 1
    if type(executor).__module__.startswith("distributed"):
        client = getattr(executor, "_client", None)
        if client is not None:
            try:
                return max(1, int(sum(client.nthreads().values())))
            except Exception:  # pragma: no cover - cluster gone
                pass
    if isinstance(executor, ThreadPoolExecutor | ProcessPoolExecutor) or hasattr(
        executor, "_max_workers"
    ):
        value = getattr(executor, "_max_workers", None)
        if isinstance(value, int) and value > 0:
            return value
    return os.cpu_count() or 1


TARGET_BATCH_SECONDS = 0.2
"""Adaptive batching aims at batches of about this many seconds of work."""


def default_batch_size(n_tasks: int, executor: Executor | None) -> int:
    """The largest batch adaptive batching will use: ``ceil(n_tasks / (4 * workers))``.

    Examples
    --------
    >>> with ThreadPoolExecutor(2) as pool:
    ...     default_batch_size(100, pool)
    13
    """
    return max(1, math.ceil(n_tasks / (4 * n_workers(executor))))


def adaptive_batch_size(mean_seconds: float | None, cap: int) -> int:
    """Runs per batch for about :data:`TARGET_BATCH_SECONDS` of work, between 1 and ``cap``.

    Before any run has been timed (``mean_seconds`` is None) batches hold one run.

    Examples
    --------
    >>> adaptive_batch_size(None, 50), adaptive_batch_size(0.01, 50), adaptive_batch_size(1e-6, 50)
    (1, 20, 50)
    """
    if mean_seconds is None:
        return 1
    size = math.ceil(TARGET_BATCH_SECONDS / max(mean_seconds, 1e-9))
    return max(1, min(size, cap))


def execute(
    fn: Callable[..., Any],
    tasks: Sequence[Task],
    *,
    executor: Executor | None,
    batch_size: int | None,
    retries: int,
    on_outcomes: Callable[[list[Outcome]], None],
    progress: Progress,
    owner: str,
) -> None:
    """Run ``tasks`` and hand every batch's outcomes to ``on_outcomes`` as they arrive.

    Serially the tasks run one by one in order. On an executor, at most two batches per worker
    are in flight, submitted in task order and handled in completion order. Without a fixed
    ``batch_size`` the batches adapt: the first ones hold single runs, later ones about
    :data:`TARGET_BATCH_SECONDS` of work as timed so far (at most :func:`default_batch_size`), so
    tiny tasks are grouped while a crash loses little finished work. A batch that raised (worker
    killed, broken pool, result not picklable) is resubmitted up to ``retries`` times, then
    reported as failures. An exception from ``on_outcomes`` (or a ``KeyboardInterrupt``) cancels
    the batches not yet started.

    Examples
    --------
    >>> got = []
    >>> def f(*, x, rng):
    ...     return x
    >>> tasks = [(i, {"x": i}, 0, (i,)) for i in range(3)]
    >>> with ThreadPoolExecutor(2) as pool:
    ...     execute(f, tasks, executor=pool, batch_size=2, retries=0, on_outcomes=got.extend,
    ...             progress=Progress(False, total=3, owner="f"), owner="f")
    >>> sorted(o[2] for o in got)
    [0, 1, 2]
    """
    if executor is None:
        for task in tasks:
            on_outcomes(run_batch(fn, [task], retries))
            progress.update(1)
        return
    fixed = (
        None
        if batch_size is None
        else check_int(batch_size, owner=owner, field="batch_size", low=1)
    )
    workers = n_workers(executor)
    cap = default_batch_size(len(tasks), executor)
    window = 2 * workers  # batches in flight: every worker busy, one queued behind it
    batches: dict[int, list[Task]] = {}
    pending: dict[Future[list[Outcome]], tuple[int, int]] = {}
    timed_runs, timed_seconds = 0, 0.0
    position = 0

    def failed(b: int, error: BaseException, attempts: int) -> list[Outcome]:
        info = (
            type(error).__qualname__,
            str(error) or repr(error),
            "".join(traceback.format_exception(error)),
        )
        return [(t[0], False, info, attempts, math.nan) for t in batches.pop(b)]

    def finish(outs: list[Outcome]) -> None:
        on_outcomes(outs)
        progress.update(len(outs))

    try:
        while pending or position < len(tasks):
            while position < len(tasks) and len(pending) < window:
                mean = timed_seconds / timed_runs if timed_runs else None
                size = fixed if fixed is not None else adaptive_batch_size(mean, cap)
                b = position
                batches[b] = list(tasks[position : position + size])
                position += len(batches[b])
                try:
                    pending[executor.submit(run_batch, fn, batches[b], retries, 0)] = (b, 0)
                except Exception as exc:  # e.g. BrokenProcessPool: report, never drop
                    finish(failed(b, exc, 1))
            if not pending:
                continue
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                b, attempt = pending.pop(fut)
                try:
                    outs = fut.result()
                except (Exception, CancelledError) as exc:
                    error: BaseException = exc
                    if attempt < retries:
                        try:
                            again = executor.submit(run_batch, fn, batches[b], retries, attempt + 1)
                        except Exception as exc2:  # e.g. BrokenProcessPool on submit
                            error = exc2
                        else:
                            pending[again] = (b, attempt + 1)
                            continue
                    finish(failed(b, error, attempt + 1))
                    continue
                del batches[b]
                for o in outs:
                    if o[1] and math.isfinite(o[4]):
                        timed_runs += 1
                        timed_seconds += o[4]
                finish(outs)
    finally:
        for fut in pending:
            fut.cancel()
