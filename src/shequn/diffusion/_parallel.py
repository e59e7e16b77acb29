"""``executor=`` for the diffusion kernels: validation, ordered task results, the old ``threads=``.

The compiled cascade and RR-set kernels release the GIL, so a
:class:`~concurrent.futures.ThreadPoolExecutor` runs them on several cores in one process; a
:class:`~concurrent.futures.ProcessPoolExecutor` or a Dask ``client.get_executor()`` runs them
in other processes or machines. Work is always cut into the same tasks, whatever the executor,
and results are gathered in task order, so the answer never depends on it.

Examples
--------
>>> from concurrent.futures import ThreadPoolExecutor
>>> from shequn.diffusion._parallel import run_tasks
>>> with ThreadPoolExecutor(2) as pool:
...     run_tasks(pow, [(2, 3), (3, 2)], pool)
[8, 9]
>>> run_tasks(pow, [(2, 3)], "threads", owner="imm")
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `imm.executor` must be a concurrent.futures.Executor \
(or anything with submit) or None; got 'threads'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

from shequn._validation import check_int, fail
from shequn.exceptions import ShequnDeprecationWarning

__all__ = ["check_executor", "executor_from_threads", "run_tasks"]

T = TypeVar("T")


def check_executor(executor: Any, owner: str) -> Executor | None:
    """``executor`` if it is ``None`` or has a callable ``submit``, else our error."""
    if executor is None:
        return None
    if not callable(getattr(executor, "submit", None)):
        raise fail(
            owner,
            "executor",
            "be a concurrent.futures.Executor (or anything with submit) or None",
            executor,
        )
    out: Executor = executor
    return out


def run_tasks(
    fn: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    executor: Any,
    *,
    owner: str = "run_tasks",
) -> list[T]:
    """``fn(*task)`` for every task, in task order; on ``executor`` when one is given."""
    ex = check_executor(executor, owner)
    if ex is None or len(tasks) <= 1:
        return [fn(*task) for task in tasks]
    futures = [ex.submit(fn, *task) for task in tasks]
    try:
        return [f.result() for f in futures]
    except BaseException:  # Ctrl-C or a failed task: drop the work not started yet
        for f in futures:
            f.cancel()
        raise


def executor_from_threads(
    threads: Any, executor: Any, owner: str
) -> tuple[Executor | None, ThreadPoolExecutor | None]:
    """Honour the deprecated ``threads=`` keyword: a thread pool of that size.

    Returns the executor to use and, when this function made one, the pool the caller must
    shut down.
    """
    ex = check_executor(executor, owner)
    if threads is None:
        return ex, None
    warnings.warn(
        f"{owner}(threads=...) is deprecated: pass executor=ThreadPoolExecutor(n) (or any "
        "concurrent.futures.Executor), the library's one keyword for parallelism",
        ShequnDeprecationWarning,
        stacklevel=3,
    )
    n = check_int(threads, owner=owner, field="threads", low=1)
    if ex is not None:
        raise fail(owner, "threads", "not be given together with executor", threads)
    if n == 1:
        return None, None
    pool = ThreadPoolExecutor(max_workers=n)
    return pool, pool
