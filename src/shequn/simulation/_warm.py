"""The first compile of the engine's kernels, on two cores.

With an empty numba cache (a fresh install, a new numba or Python version) the first
``simulate`` of a process compiles the weekly kernels: about 7-9 s of CPU on this project's
machines, more than half of it in numba's Python front end, which one process cannot spread
over cores. :func:`prepare` halves the wait on a machine with two free cores: the process
forks once, and parent and child each compile a share of the kernels (numba writes both
shares to its disk cache, from which the parent loads the child's share).

To compile a kernel numba needs arguments of the right types, which come from running the
week. Each process therefore runs a tiny canonical simulation (:func:`tiny_run`: 60 members,
5 weeks) in which the kernels of the *other* share run as plain Python (:func:`pure`: the
kernel's own source with every compiled function it calls replaced by its Python original), so
that neither waits for the other. Every kernel has one signature whatever the community or
operating model (the engine converts everything to fixed dtypes), so the canonical run's
types are the real run's.

The fork happens only when it is safe and useful, else the first run compiles in-process as
before: on Linux, in a process with a single thread (forking a threaded process can deadlock
the child), outside worker processes, with at least two usable CPUs, JIT enabled, and no
kernel cached yet. ``SHEQUN_PARALLEL_COMPILE=0`` turns it off. The child writes nothing but
numba's cache and leaves with ``os._exit``; the parent reaps it (waiting at most three times
as long as its own share took plus :data:`CHILD_GRACE` seconds, then killing it), and whatever
the child did not cache the parent compiles itself. Results never depend on any of this: only
where the compiling happens.

Examples
--------
>>> from shequn.simulation import _warm
>>> sorted(name.rsplit(".", 1)[1] for name in _warm.kernels())
['_final_pass', '_member_pass', '_nb_events', '_nb_pull', '_nb_spread', '_tie_pass']
>>> set(_warm.kernels()) >= _warm.BACKGROUND
True
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
import types
import warnings
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from numba.core.dispatcher import Dispatcher

from shequn.exceptions import ShequnWarning
from shequn.simulation._numba import KERNELS

__all__ = ["BACKGROUND", "CHILD_GRACE", "kernels", "prepare", "pure", "tiny_run"]

BACKGROUND = frozenset(
    {"shequn.simulation.week._member_pass", "shequn.simulation.week._final_pass"}
)
"""The kernels the child compiles (the rest are the parent's). Measured single-process
compile times on an idle 2-core machine: member pass 2.8-3.0 s, events 1.5 s (the first
kernel: it also compiles numba's own array and random helpers), content spread 1.0 s, tie pass
0.9 s, final pass 0.5 s, advocates' pull 0.1 s; this split gives the two processes 3.4 and
3.5 s."""

CHILD_GRACE = 30.0
"""Seconds the parent waits for the child beyond three times its own share's compile (the two
shares take about as long): a child stuck for any reason delays the first run by this much,
then the parent kills it and compiles the child's share itself."""

_done = False
_lock = threading.Lock()


def kernels() -> dict[str, Any]:
    """The engine's compiled kernels by qualified name (``module.function``)."""
    return {
        f"{d.py_func.__module__}.{d.py_func.__name__}": d
        for d in KERNELS
        if d.py_func.__module__.startswith("shequn.simulation")
    }


# ----------------------------------------------------------------------------- plain Python
class _PureModule(types.ModuleType):
    """A shequn module seen from plain-Python kernel code: compiled functions are originals."""

    def __init__(self, module: types.ModuleType, memo: dict[Any, Any]) -> None:
        super().__init__(module.__name__)
        self._module = module
        self._memo = memo

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        return pure(value, self._memo) if isinstance(value, Dispatcher) else value


def pure(dispatcher: Any, memo: dict[Any, Any] | None = None) -> Any:
    """The Python function behind a numba ``dispatcher``, calling Python all the way down.

    The function's code is rebound to a copy of its globals in which every compiled function
    (and every compiled function reached through a ``shequn`` module) is itself replaced by
    its Python original, so calling it compiles nothing. Slow (plain Python loops): used on
    tiny inputs only.

    Examples
    --------
    >>> import numba
    >>> from shequn.simulation._numba import ipow
    >>> f = pure(ipow)
    >>> isinstance(f, numba.core.dispatcher.Dispatcher), f(2.0, 10)
    (False, 1024.0)
    """
    memo = {} if memo is None else memo
    if dispatcher in memo:
        return memo[dispatcher]
    fn = dispatcher.py_func
    scope: dict[str, Any] = {}
    plain = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)
    memo[dispatcher] = plain
    for name, value in fn.__globals__.items():
        if isinstance(value, Dispatcher):
            value = pure(value, memo)
        elif isinstance(value, types.ModuleType) and value.__name__.startswith("shequn."):
            value = _PureModule(value, memo)
        scope[name] = value
    return plain


@contextlib.contextmanager
def _plain(names: Collection[str]) -> Iterator[None]:
    """Within the block, the kernels ``names`` run as plain Python (module attributes swapped)."""
    found = kernels()
    memo: dict[Any, Any] = {}
    swapped = []
    try:
        for name in names:
            d = found[name]
            module = sys.modules[d.py_func.__module__]
            attr = d.py_func.__name__
            setattr(module, attr, pure(d, memo))
            swapped.append((module, attr, d))
        yield
    finally:
        for module, attr, d in swapped:
            setattr(module, attr, d)


def tiny_run(compiled: Collection[str]) -> None:
    """Run the canonical tiny simulation: the kernels ``compiled`` compile (and are cached),
    every other kernel runs as plain Python.

    Examples
    --------
    >>> tiny_run(compiled=())  # everything in plain Python: compiles nothing
    """
    from shequn.community import generate_community
    from shequn.operating import OperatingModel
    from shequn.simulation.engine import simulate

    with _plain(set(kernels()) - set(compiled)):
        simulate(generate_community("brand", 60, rng=0), OperatingModel(), weeks=5, rng=0)


# ----------------------------------------------------------------------------- the fork
def _cached(d: Any) -> bool:
    """Whether ``d`` is compiled in this process or has a numba cache index on disk."""
    if d.signatures:
        return True
    index = getattr(getattr(getattr(d, "_cache", None), "_cache_file", None), "_index_path", None)
    return index is None or Path(index).exists()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _worth_forking() -> bool:
    """Whether a two-process first compile is safe and useful here (see the module notes)."""
    found = list(kernels().values())
    return (
        os.environ.get("SHEQUN_PARALLEL_COMPILE", "1") != "0"
        and sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and threading.current_thread() is threading.main_thread()
        and multiprocessing.parent_process() is None
        and _cpus() >= 2
        and bool(found)
        and all(isinstance(d, Dispatcher) for d in found)
        and not any(_cached(d) for d in found)
    )


def _initialise_numba() -> None:
    """numba's one-time set-up (target, code generator, runtime; about 0.25 s), done before
    the fork so that parent and child share it instead of both paying it."""
    import numba

    numba.njit(lambda x: x + 1)(1)


def _child(compiled: Collection[str]) -> None:  # pragma: no cover - runs in the forked child
    code = 1
    try:
        devnull = open(os.devnull, "w")  # noqa: SIM115 - the process ends with os._exit
        sys.stdout = sys.stderr = devnull
        warnings.simplefilter("ignore")
        tiny_run(compiled)
        code = 0
    finally:
        os._exit(code)


def _reap(pid: int, timeout: float) -> None:
    """Wait for the child at most ``timeout`` seconds, then kill it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped already (SIGCHLD ignored by the application)
            return
        if done:
            return
        time.sleep(0.005)
    with contextlib.suppress(OSError):  # pragma: no cover - a hung child
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def prepare() -> None:
    """Compile the engine's kernels on two cores, once per process, when it helps.

    Called by the engine before its first week; does nothing after the first call, or when
    the conditions of the module notes do not hold (then the first week compiles as usual).

    Examples
    --------
    >>> prepare()  # (the kernels are cached or compiled here already: nothing to do)
    """
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        _done = True
        if not _worth_forking():
            return
        _initialise_numba()
        background = BACKGROUND & set(kernels())
        try:
            pid = os.fork()
        except OSError:  # no memory or process slot for a child: compile here, as before
            return
        if pid == 0:  # pragma: no cover - the child
            _child(background)
        start = time.monotonic()
        try:
            tiny_run(set(kernels()) - background)
        except Exception as exc:  # a warm-up only: the real run compiles what is missing
            warnings.warn(
                f"shequn: the two-core first compile failed ({exc!r}); the kernels compile in "
                "this process instead (SHEQUN_PARALLEL_COMPILE=0 skips the attempt)",
                ShequnWarning,
                stacklevel=3,
            )
        finally:
            _reap(pid, 3.0 * (time.monotonic() - start) + CHILD_GRACE)
