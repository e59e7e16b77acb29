"""Randomness: one ``rng`` keyword everywhere, independent child streams for replications.

shequn never touches global random state (NEP 19). Every stochastic function takes a keyword
``rng`` that may be ``None`` (fresh OS entropy), an ``int`` seed, a
:class:`numpy.random.SeedSequence`, a :class:`numpy.random.BitGenerator` or a
:class:`numpy.random.Generator`; :func:`resolve_rng` turns it into a ``Generator`` once.

Replications (Monte Carlo runs, bootstrap refits, scenario repeats) each get their own child
stream from :meth:`numpy.random.SeedSequence.spawn`, never ``seed + i``. :func:`spawn_seeds`
makes the children and :func:`map_runs` calls a pure function ``fn(*, rng)`` once per child,
serially or on any :class:`concurrent.futures.Executor` (the same ``fn(*, rng)`` convention as
:func:`shequn.experiment.replicate`, which adds records and stores). Results come back in run
order whatever the executor, so the same ``rng`` gives identical results serially, on processes
or on a Dask cluster.

Examples
--------
>>> from shequn.rng import map_runs, resolve_rng
>>> float(resolve_rng(42).random()) == float(resolve_rng(42).random())
True
>>> def draw(*, rng):
...     return float(rng.normal())
>>> map_runs(draw, runs=3, rng=7) == map_runs(draw, runs=3, rng=7)
True
"""

from __future__ import annotations

import collections
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, TypeAlias, TypeVar

import numpy as np

from shequn._progress import Progress
from shequn._validation import check_executor, check_int, check_memory, fail
from shequn.exceptions import ShequnDeprecationWarning

__all__ = [
    "RNGLike",
    "check_rng",
    "map_runs",
    "replicate",
    "resolve_rng",
    "seed_entropy",
    "spawn_seeds",
]

RNGLike: TypeAlias = (
    int
    | np.integer[Any]
    | np.random.SeedSequence
    | np.random.BitGenerator
    | np.random.Generator
    | None
)

R = TypeVar("R")

SEED_BYTES = 400
"""Memory held by one spawned SeedSequence (measured with tracemalloc: about 380 bytes)."""

_RNG_RULE = "be None, an int, a SeedSequence, a BitGenerator or a Generator"


def check_rng(rng: Any, *, owner: str = "rng") -> RNGLike:
    """Return ``rng`` if :func:`resolve_rng` accepts it, without drawing from or spawning it.

    For functions that take ``rng`` but may not use it (a fit without a bootstrap): a bad value
    is refused whether or not randomness is needed this time.

    Examples
    --------
    >>> check_rng(3) == 3
    True
    >>> check_rng(True, owner="fit_powerlaw")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `fit_powerlaw.rng` must be None, an int, a \
SeedSequence, a BitGenerator or a Generator; got True
    """
    if rng is None or isinstance(
        rng, np.random.Generator | np.random.SeedSequence | np.random.BitGenerator
    ):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if int(rng) < 0:
            raise fail(owner, "rng", "be a non-negative integer seed", rng)
        return rng
    raise fail(owner, "rng", _RNG_RULE, rng)


def resolve_rng(rng: RNGLike = None, *, owner: str = "rng") -> np.random.Generator:
    """Turn any accepted ``rng`` value into a :class:`numpy.random.Generator`.

    A ``Generator`` is returned as is (so the caller's stream advances); anything else seeds a
    new PCG64 generator.

    Examples
    --------
    >>> gen = resolve_rng(1)
    >>> resolve_rng(gen) is gen
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, np.random.SeedSequence | np.random.BitGenerator):
        return np.random.default_rng(rng)
    check_rng(rng, owner=owner)
    return np.random.default_rng(int(rng))


def _seed_sequence(rng: RNGLike, owner: str) -> np.random.SeedSequence:
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        seq = rng.bit_generator.seed_seq
    elif isinstance(rng, np.random.BitGenerator):
        seq = rng.seed_seq
    elif rng is None:
        return np.random.SeedSequence()
    elif isinstance(rng, int | np.integer) and not isinstance(rng, bool) and int(rng) >= 0:
        return np.random.SeedSequence(int(rng))
    else:
        check_rng(rng, owner=owner)
        raise fail(owner, "rng", _RNG_RULE, rng)  # pragma: no cover - check_rng raised
    if not isinstance(seq, np.random.SeedSequence):  # pragma: no cover - legacy seeding
        raise fail(owner, "rng", "carry a numpy SeedSequence", rng)
    return seq


def spawn_seeds(
    rng: RNGLike, n: int, *, owner: str = "spawn_seeds", field: str = "n"
) -> list[np.random.SeedSequence]:
    """Return ``n`` independent child :class:`~numpy.random.SeedSequence` objects.

    The same integer seed always yields the same children. For a ``Generator`` the children come
    from its own seed sequence (and that sequence records that it has spawned them, as in
    :meth:`numpy.random.Generator.spawn`). A number whose seeds would not fit in memory is
    refused, naming ``owner.field`` (pass the caller's own argument: ``runs``, ``weeks``).

    Examples
    --------
    >>> a = spawn_seeds(3, 2)
    >>> b = spawn_seeds(3, 2)
    >>> [s.spawn_key for s in a] == [s.spawn_key for s in b] == [(0,), (1,)]
    True
    """
    n = check_int(n, owner=owner, field=field, low=0)
    check_memory(SEED_BYTES * n, owner=owner, field=field, value=n)
    return _seed_sequence(rng, owner).spawn(n)


def seed_entropy(seed: np.random.SeedSequence) -> dict[str, Any]:
    """Return what is needed to rebuild ``seed`` exactly: its entropy and spawn key.

    Examples
    --------
    >>> s = spawn_seeds(5, 1)[0]
    >>> rebuilt = np.random.SeedSequence(**seed_entropy(s))
    >>> rebuilt.generate_state(2).tolist() == s.generate_state(2).tolist()
    True
    """
    if not isinstance(seed, np.random.SeedSequence):
        raise fail("seed_entropy", "seed", "be a numpy.random.SeedSequence", seed)
    entropy = seed.entropy
    return {
        "entropy": int(entropy) if isinstance(entropy, int | np.integer) else entropy,
        "spawn_key": tuple(int(k) for k in seed.spawn_key),
    }


def _run_batch(fn: Callable[..., R], seeds: Sequence[np.random.SeedSequence]) -> list[R]:
    return [fn(rng=np.random.default_rng(s)) for s in seeds]


def map_runs(
    fn: Callable[..., R],
    *,
    runs: int,
    rng: RNGLike = None,
    executor: Executor | None = None,
    batch_size: int | None = None,
    progress: Any = False,
    owner: str = "map_runs",
) -> list[R]:
    """Call ``fn(rng=generator)`` once per run, each run on its own spawned child stream.

    Parameters
    ----------
    fn
        A pure function taking the keyword ``rng`` (a :class:`numpy.random.Generator`). With
        a process or cluster executor it must be picklable (a module-level function or a
        :func:`functools.partial` of one).
    runs
        Number of replications, at least 1. A number whose seeds alone would not fit in
        memory is refused with the estimate.
    rng
        Seed material for the parent stream (see :func:`resolve_rng`).
    executor
        Any :class:`concurrent.futures.Executor`; serial in this process when ``None``.
    batch_size
        Runs sent to the executor per task, so that small runs do not drown in overhead;
        by default ``ceil(runs / 16)``. Serially, the runs between two progress updates.
    progress
        ``False`` (default), ``None`` (a bar when tqdm is installed and the output is a
        terminal or notebook), ``True`` or a callable ``(done, total)``: see
        :class:`shequn._progress.Progress`. Updated after every batch.
    owner
        The name bad ``runs``, ``rng`` or ``batch_size`` values are reported under: a function
        built on ``map_runs`` passes its own name, so the user sees where the value went in.

    Returns
    -------
    list
        The results in run order, identical for the same ``rng`` whatever the executor.

    A ``KeyboardInterrupt`` (Ctrl-C, or raised by a ``progress`` callback) stops the work:
    batches not yet started are cancelled before it propagates.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> def mean_of_ten(*, rng):
    ...     return float(rng.random(10).mean())
    >>> serial = map_runs(mean_of_ten, runs=5, rng=11)
    >>> with ThreadPoolExecutor(2) as pool:
    ...     threaded = map_runs(mean_of_ten, runs=5, rng=11, executor=pool)
    >>> serial == threaded
    True
    """
    if not callable(fn):
        raise fail(owner, "fn", "be callable", fn)
    runs = check_int(runs, owner=owner, field="runs", low=1)
    check_executor(executor, owner=owner)
    if batch_size is not None:
        batch_size = check_int(batch_size, owner=owner, field="batch_size", low=1)
    check_rng(rng, owner=owner)
    check_memory(SEED_BYTES * runs, owner=owner, field="runs", value=runs)
    seeds = spawn_seeds(rng, runs, owner=owner, field="runs")
    if batch_size is None:
        batch_size = max(1, math.ceil(runs / 16))
    batches = [seeds[i : i + batch_size] for i in range(0, runs, batch_size)]
    out: list[R] = []
    with Progress(progress, total=runs, owner=owner) as bar:
        if executor is None:
            for b in batches:
                out.extend(_run_batch(fn, b))
                bar.update(len(b))
            return out
        # a window of batches in flight (two per worker): results come back in order, and an
        # interrupt leaves at most the window running, never the whole remaining work
        workers = getattr(executor, "_max_workers", None)
        window = 2 * (workers if isinstance(workers, int) and workers > 0 else os.cpu_count() or 1)
        pending: collections.deque[Any] = collections.deque()
        try:
            for b in batches:
                if len(pending) >= window:
                    fut, size = pending.popleft()
                    out.extend(fut.result())
                    bar.update(size)
                pending.append((executor.submit(_run_batch, fn, b), len(b)))
            while pending:
                fut, size = pending.popleft()
                out.extend(fut.result())
                bar.update(size)
        except BaseException:
            for fut, _ in pending:
                fut.cancel()
            raise
    return out


def _positional(fn: Callable[[np.random.Generator], R], *, rng: np.random.Generator) -> R:
    return fn(rng)


def replicate(
    fn: Callable[[np.random.Generator], R],
    *,
    runs: int,
    rng: RNGLike = None,
    executor: Executor | None = None,
    batch_size: int | None = None,
    owner: str = "replicate",
) -> list[R]:
    """Deprecated: call ``fn(generator)`` per run; use :func:`map_runs` (``fn(*, rng)``).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     replicate(lambda gen: 1, runs=2, rng=0)
    [1, 1]
    """
    import functools
    import warnings

    if not callable(fn):
        raise fail(owner, "fn", "be callable", fn)
    warnings.warn(
        "shequn.rng.replicate(fn) is deprecated: use shequn.rng.map_runs, which calls "
        "fn(rng=generator) like shequn.experiment.replicate",
        ShequnDeprecationWarning,
        stacklevel=2,
    )
    return map_runs(
        functools.partial(_positional, fn),
        runs=runs,
        rng=rng,
        executor=executor,
        batch_size=batch_size,
        owner=owner,
    )
