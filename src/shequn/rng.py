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

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any, TypeAlias, TypeVar

import numpy as np

from shequn._validation import check_int, fail

__all__ = ["RNGLike", "map_runs", "replicate", "resolve_rng", "seed_entropy", "spawn_seeds"]

RNGLike: TypeAlias = (
    int
    | np.integer[Any]
    | np.random.SeedSequence
    | np.random.BitGenerator
    | np.random.Generator
    | None
)

R = TypeVar("R")


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
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if int(rng) < 0:
            raise fail(owner, "rng", "be a non-negative integer seed", rng)
        return np.random.default_rng(int(rng))
    raise fail(owner, "rng", "be None, an int, a SeedSequence, a BitGenerator or a Generator", rng)


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
        raise fail(
            owner, "rng", "be None, an int, a SeedSequence, a BitGenerator or a Generator", rng
        )
    if not isinstance(seq, np.random.SeedSequence):  # pragma: no cover - legacy seeding
        raise fail(owner, "rng", "carry a numpy SeedSequence", rng)
    return seq


def spawn_seeds(
    rng: RNGLike, n: int, *, owner: str = "spawn_seeds"
) -> list[np.random.SeedSequence]:
    """Return ``n`` independent child :class:`~numpy.random.SeedSequence` objects.

    The same integer seed always yields the same children. For a ``Generator`` the children come
    from its own seed sequence (and that sequence records that it has spawned them, as in
    :meth:`numpy.random.Generator.spawn`).

    Examples
    --------
    >>> a = spawn_seeds(3, 2)
    >>> b = spawn_seeds(3, 2)
    >>> [s.spawn_key for s in a] == [s.spawn_key for s in b] == [(0,), (1,)]
    True
    """
    n = check_int(n, owner=owner, field="n", low=0)
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
        Number of replications, at least 1.
    rng
        Seed material for the parent stream (see :func:`resolve_rng`).
    executor
        Any :class:`concurrent.futures.Executor`; serial in this process when ``None``.
    batch_size
        Runs sent to the executor per task, so that small runs do not drown in overhead;
        by default about four tasks per worker-sized chunk (``ceil(runs / 16)``).
    owner
        The name bad ``runs``, ``rng`` or ``batch_size`` values are reported under: a function
        built on ``map_runs`` passes its own name, so the user sees where the value went in.

    Returns
    -------
    list
        The results in run order, identical for the same ``rng`` whatever the executor.

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
    runs = check_int(runs, owner=owner, field="runs", low=1)
    seeds = spawn_seeds(rng, runs, owner=owner)
    if executor is None:
        return _run_batch(fn, seeds)
    if not callable(getattr(executor, "submit", None)):
        raise fail(owner, "executor", "be a concurrent.futures.Executor or None", executor)
    if batch_size is None:
        batch_size = max(1, math.ceil(runs / 16))
    batch_size = check_int(batch_size, owner=owner, field="batch_size", low=1)
    batches = [seeds[i : i + batch_size] for i in range(0, runs, batch_size)]
    futures = [executor.submit(_run_batch, fn, b) for b in batches]
    out: list[R] = []
    for fut in futures:
        out.extend(fut.result())
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

    warnings.warn(
        "shequn.rng.replicate(fn) is deprecated: use shequn.rng.map_runs, which calls "
        "fn(rng=generator) like shequn.experiment.replicate",
        DeprecationWarning,
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
