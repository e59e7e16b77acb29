"""The experiment entry points: :func:`replicate`, :func:`sweep` and :func:`load`.

Examples
--------
>>> from shequn.experiment import replicate
>>> def draw(*, rng):
...     return float(rng.normal())
>>> replicate(draw, runs=3, rng=7) == replicate(draw, runs=3, rng=7)
True
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, Literal

import numpy as np

from shequn._progress import check_progress
from shequn._validation import (
    check_bool,
    check_choice,
    check_executor,
    check_int,
    check_memory,
    fail,
)
from shequn.exceptions import ShequnError, ShequnWarning
from shequn.experiment._grid import Param, grid_hash, grid_points, point_id
from shequn.experiment._records import (
    ExperimentResult,
    RunFailure,
    RunRecord,
    _columns_of,
)
from shequn.experiment._runner import Outcome, Progress, Task, check_picklable, execute
from shequn.experiment._store import (
    StoreMismatchError,
    SweepStore,
    check_manifest,
    new_manifest,
    open_store,
    warn_problems,
)
from shequn.io.jsonl import to_jsonable
from shequn.rng import RNGLike, check_rng, spawn_seeds

__all__ = ["RunError", "load", "replicate", "sweep"]

OnError = Literal["warn", "raise", "ignore"]


class RunError(ShequnError, RuntimeError):
    """A run failed after all retries and ``on_error="raise"`` was asked for.

    ``failure`` is the :class:`~shequn.experiment.RunFailure` (parameters, seed, traceback
    text). Points finished before the failure are already in the store, if any.
    """

    def __init__(self, message: str, failure: RunFailure) -> None:
        super().__init__(message)
        self.failure = failure


def _arg_repr(value: Any) -> str:
    # scalars are part of the identity; other objects only by type (their repr may hold an
    # address that changes between processes; use ``version=`` to tell such sweeps apart)
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    return f"<{type(value).__qualname__}>"


def _fn_name(fn: Callable[..., Any]) -> str:
    """Qualified name of ``fn``; for a partial, also its scalar arguments.

    Examples
    --------
    >>> from shequn.experiment.examples import busy
    >>> _fn_name(functools.partial(busy, work=10))
    'functools.partial(shequn.experiment.examples.busy, work=10)'
    """
    if isinstance(fn, functools.partial):
        parts = [_fn_name(fn.func)]
        parts += [_arg_repr(a) for a in fn.args]
        parts += [f"{k}={_arg_repr(v)}" for k, v in sorted(fn.keywords.items())]
        return f"functools.partial({', '.join(parts)})"
    module = getattr(fn, "__module__", None) or type(fn).__module__
    qual = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    return f"{module}.{qual}"


def _entropy(seq: np.random.SeedSequence) -> int | tuple[int, ...]:
    ent = seq.entropy
    if isinstance(ent, int | np.integer):
        return int(ent)
    return tuple(int(e) for e in np.asarray(ent).ravel())


def _root(rng: int | np.integer[Any] | None, owner: str) -> np.random.SeedSequence:
    if rng is None:
        return np.random.SeedSequence()
    if int(rng) < 0:
        raise fail(owner, "rng", "be a non-negative integer seed", rng)
    return np.random.SeedSequence(int(rng))


def _from_json_entropy(value: Any) -> int | tuple[int, ...]:
    return tuple(int(v) for v in value) if isinstance(value, list) else int(value)


def _run(
    fn: Callable[..., Any],
    points: list[dict[str, Param]],
    seeds: list[tuple[int | tuple[int, ...], list[tuple[int, ...]]]],
    *,
    runs: int,
    executor: Executor | None,
    progress: Any,
    retries: int,
    batch_size: int | None,
    on_error: str,
    store: SweepStore | None,
    identity: dict[str, Any] | None,
    owner: str,
) -> ExperimentResult:
    ids = [point_id(p) for p in points]
    entropy = seeds[0][0]
    records: dict[int, RunRecord] = {}
    if store is not None:
        assert identity is not None
        if store.exists():
            found = store.inspect()
            check_manifest(store.path, found.manifest, identity, owner=owner)
            warn_problems(
                store.path, found, then="the points they held are run again", stacklevel=4
            )
            store.repair()
            for p, entry in found.points.items():
                for run in entry["runs"]:
                    r = int(run["run"])
                    records[p * runs + r] = RunRecord(
                        point=p,
                        point_id=ids[p],
                        run=r,
                        params=dict(points[p]),
                        entropy=_from_json_entropy(run["entropy"]),
                        spawn_key=tuple(int(k) for k in run["spawn_key"]),
                        output=run["output"],
                        attempts=int(run.get("attempts", 1)),
                        seconds=float(run.get("seconds", float("nan"))),
                    )
        else:
            store.create(new_manifest(identity, points))
    done_points = {i // runs for i in records}
    resumed = len(done_points)
    tasks: list[Task] = []
    for p, point in enumerate(points):
        if p in done_points:
            continue
        ent, keys = seeds[p]
        for r, key in enumerate(keys):
            tasks.append((p * runs + r, point, ent, key))

    failures: list[RunFailure] = []
    finished = dict.fromkeys(range(len(points)), 0)
    failed_points: set[int] = set()

    def record_point(p: int) -> dict[str, Any]:
        runs_out = []
        for r in range(runs):
            rec = records[p * runs + r]
            if _columns_of(rec.output) is None:
                raise fail(
                    owner,
                    "fn",
                    "return a scalar, a dict of scalars or arrays, or a numpy "
                    "array when a store is used",
                    type(rec.output).__name__,
                )
            runs_out.append(
                {
                    "run": r,
                    "entropy": rec.entropy,
                    "spawn_key": list(rec.spawn_key),
                    "output": rec.output,
                    "attempts": rec.attempts,
                    "seconds": rec.seconds,
                }
            )
        entry = {"point": p, "point_id": ids[p], "params": points[p], "runs": runs_out}
        try:
            to_jsonable(entry)
        except TypeError as exc:
            raise fail(
                owner,
                "fn",
                f"return values that can be stored ({exc})",
                type(records[p * runs].output).__name__,
            ) from exc
        return entry

    def on_outcomes(outs: list[Outcome]) -> None:
        complete: list[int] = []
        first_failure: RunFailure | None = None
        for index, ok, value, attempts, seconds in outs:
            p, r = divmod(index, runs)
            ent, key = seeds[p][0], seeds[p][1][r]
            if ok:
                records[index] = RunRecord(
                    point=p,
                    point_id=ids[p],
                    run=r,
                    params=dict(points[p]),
                    entropy=ent,
                    spawn_key=key,
                    output=value,
                    attempts=attempts,
                    seconds=seconds,
                )
            else:
                failure = RunFailure(
                    point=p,
                    point_id=ids[p],
                    run=r,
                    params=dict(points[p]),
                    entropy=ent,
                    spawn_key=key,
                    error_type=value[0],
                    message=value[1],
                    traceback=value[2],
                    attempts=attempts,
                )
                failures.append(failure)
                failed_points.add(p)
                first_failure = first_failure or failure
            finished[p] += 1
            if finished[p] == runs and p not in failed_points:
                complete.append(p)
        if store is not None and complete:
            store.append([record_point(p) for p in sorted(complete)])
        if first_failure is not None and on_error == "raise":
            f = first_failure
            raise RunError(
                f"{owner}: run {f.run} of point {f.point} {f.params} failed after {f.attempts} "
                f"attempt(s): {f.error_type}: {f.message}\n{f.traceback}",
                f,
            )

    bar = Progress(progress, total=len(tasks), owner=owner)
    try:
        execute(
            fn,
            tasks,
            executor=executor,
            batch_size=batch_size,
            retries=retries,
            on_outcomes=on_outcomes,
            progress=bar,
            owner=owner,
        )
    finally:
        bar.close()
    failures.sort(key=lambda f: (f.point, f.run))
    if failures and on_error == "warn":
        warnings.warn(
            f"{owner}: {len(failures)} run(s) failed after {retries + 1} attempt(s) each "
            f"(first: point {failures[0].point} run {failures[0].run}: {failures[0].error_type}: "
            f"{failures[0].message}); see result.failures",
            ShequnWarning,
            stacklevel=3,
        )
    return ExperimentResult(
        points=tuple(points),
        runs=runs,
        records=tuple(records[i] for i in sorted(records)),
        failures=tuple(failures),
        entropy=entropy,
        fn_name=_fn_name(fn),
        fn=fn,
        store=store.path if store is not None else None,
        resumed_points=resumed,
    )


RUN_BYTES = 1000
"""Memory a sweep holds per run (task, seed key, record and output bookkeeping), about."""


def _common_checks(
    fn: Any,
    runs: Any,
    retries: Any,
    on_error: Any,
    executor: Any,
    batch_size: Any,
    rng: Any,
    progress: Any,
    owner: str,
) -> tuple[int, int]:
    if not callable(fn):
        raise fail(owner, "fn", "be callable", fn)
    runs = check_int(runs, owner=owner, field="runs", low=1)
    retries = check_int(retries, owner=owner, field="retries", low=0)
    check_choice(on_error, ["warn", "raise", "ignore"], owner=owner, field="on_error")
    check_executor(executor, owner=owner)
    if batch_size is not None:
        check_int(batch_size, owner=owner, field="batch_size", low=1)
    check_rng(rng, owner=owner)
    check_progress(progress, owner=owner)
    check_picklable(fn, executor, owner=owner)
    return runs, retries


def replicate(
    fn: Callable[..., Any],
    *,
    runs: int,
    rng: RNGLike = None,
    executor: Executor | None = None,
    progress: bool | Callable[[int, int], object] | None = None,
    retries: int = 0,
    batch_size: int | None = None,
    on_error: OnError = "warn",
) -> ExperimentResult:
    """Run ``fn(rng=generator)`` ``runs`` times, each run on its own spawned child stream.

    The children are those of :func:`shequn.rng.spawn_seeds` (``SeedSequence.spawn``), exactly as
    in :func:`shequn.rng.replicate`, so both give the same draws for the same ``rng``.

    Parameters
    ----------
    fn
        A function taking the keyword ``rng`` (a :class:`numpy.random.Generator`). It may return
        a scalar, a dict of scalars or arrays, or a numpy array (these are tabulated), or any
        other object (kept in :attr:`ExperimentResult.outputs` only). With a process or cluster
        executor it must be picklable.
    runs
        Number of runs, at least 1.
    rng
        Seed material for the parent stream (see :func:`shequn.rng.resolve_rng`).
    executor
        Any :class:`concurrent.futures.Executor`; serial in this process when ``None``.
    progress
        ``None``: a tqdm bar if tqdm is installed and stderr is a terminal or a notebook;
        ``True``/``False`` to force; or a callable ``(done, total)``.
    retries
        How many times a run whose ``fn`` raised (or whose worker died) is tried again on the
        same seed before it counts as failed.
    batch_size
        Runs per executor task. By default batches adapt: single runs at first, then about
        0.2 s of work each (as timed so far), at most ``ceil(runs / (4 * workers))``; with at
        most two batches per worker in flight, a crash loses little finished work.
    on_error
        What to do with runs that still fail: ``"warn"`` (default; a :class:`ShequnWarning`,
        failures in ``result.failures``), ``"raise"`` (:class:`RunError` at the first one) or
        ``"ignore"`` (only ``result.failures``).

    Returns
    -------
    ExperimentResult
        Records in run order, identical for the same ``rng`` whatever the executor.

    Examples
    --------
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> def mean_of_ten(*, rng):
    ...     return float(rng.random(10).mean())
    >>> serial = replicate(mean_of_ten, runs=5, rng=11)
    >>> with ThreadPoolExecutor(2) as pool:
    ...     threaded = replicate(mean_of_ten, runs=5, rng=11, executor=pool)
    >>> serial == threaded
    True
    >>> m = serial.aggregate()
    >>> bool(m["value_lo"][0] < m["value_mean"][0] < m["value_hi"][0])
    True
    """
    owner = "replicate"
    runs, retries = _common_checks(
        fn, runs, retries, on_error, executor, batch_size, rng, progress, owner
    )
    check_memory(RUN_BYTES * runs, owner=owner, field="runs", value=runs)
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        # a private root: the children's keys are (0,), (1,), ... without building them
        root = _root(rng, owner)
        keys = [(*root.spawn_key, i) for i in range(runs)]
        ent = _entropy(root)
    else:  # the caller's seed object records that it spawned children, as numpy does
        children = spawn_seeds(rng, runs, owner=owner, field="runs")
        keys = [tuple(c.spawn_key) for c in children]
        ent = _entropy(children[0])
    return _run(
        fn,
        [{}],
        [(ent, keys)],
        runs=runs,
        executor=executor,
        progress=progress,
        retries=retries,
        batch_size=batch_size,
        on_error=on_error,
        store=None,
        identity=None,
        owner=owner,
    )


def sweep(
    fn: Callable[..., Any],
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    runs: int,
    rng: RNGLike = None,
    executor: Executor | None = None,
    progress: bool | Callable[[int, int], object] | None = None,
    store: str | os.PathLike[str] | SweepStore | None = None,
    retries: int = 0,
    version: str | None = None,
    batch_size: int | None = None,
    on_error: OnError = "warn",
) -> ExperimentResult:
    """Run ``fn(**params, rng=generator)`` ``runs`` times at every point of ``grid``.

    Point ``i`` gets the ``i``-th child of the parent seed sequence and its runs the children of
    that child (``SeedSequence.spawn`` twice), so every record's ``entropy`` and ``spawn_key``
    rebuild its stream exactly and results do not depend on the executor.

    Parameters
    ----------
    fn
        A function of the grid's parameters (as keywords) and the keyword ``rng``; see
        :func:`replicate` for what it may return.
    grid
        A dict of lists (cartesian product, first name slowest) or a list of dicts. Values are
        int, float, str, bool or None. Each point is identified by a stable hash of its
        parameters (:func:`shequn.experiment.point_id`).
    runs
        Runs per grid point, at least 1.
    rng, executor, progress, retries, batch_size, on_error
        As in :func:`replicate`.
    store
        A path (``.jsonl``: JSON Lines; ``.parquet``: a Parquet directory; other names: Parquet
        if pyarrow is installed, else JSON Lines) or a :class:`SweepStore`. Every finished point
        is written as soon as it completes; running the same sweep again skips the finished
        points (and returns them from the store). A store written by a different sweep raises
        :class:`StoreMismatchError`. A point with a failed run is not stored (it is re-run on
        resume).
    version
        A code version string recorded in the store's identity: change it when ``fn``'s code
        changes so that old results are not mixed with new ones.

    Returns
    -------
    ExperimentResult
        Records ordered by point then run.

    Examples
    --------
    >>> def adopters(*, size, p, rng):
    ...     k = int(rng.binomial(size, p))
    ...     return {"adopted": k, "share": k / size}
    >>> res = sweep(adopters, {"size": [100], "p": [0.1, 0.5]}, runs=20, rng=42)
    >>> agg = res.aggregate()
    >>> agg["p"].tolist(), agg["n"].tolist()
    ([0.1, 0.5], [20, 20])
    >>> [round(float(m), 2) for m in agg["share_mean"]]
    [0.11, 0.49]
    >>> res.replay(25) == res.outputs[25]
    True
    """
    owner = "sweep"
    runs, retries = _common_checks(
        fn, runs, retries, on_error, executor, batch_size, rng, progress, owner
    )
    points = grid_points(grid, owner=owner)
    check_memory(RUN_BYTES * runs * len(points), owner=owner, field="runs", value=runs)
    if version is not None and not isinstance(version, str):
        raise fail(owner, "version", "be None or a str", version)
    point_seeds = spawn_seeds(rng, len(points), owner=owner, field="grid")
    # the runs of point i are the children of point seed i: keys (*key_i, 0), (*key_i, 1), ...
    seeds = [(_entropy(ps), [(*ps.spawn_key, r) for r in range(runs)]) for ps in point_seeds]
    the_store = None if store is None else open_store(store, owner=owner)
    identity = {
        "fn": _fn_name(fn),
        "version": version,
        "runs": runs,
        "grid_hash": grid_hash(points),
        "n_points": len(points),
        "rng_entropy": _entropy(point_seeds[0]),
        "rng_spawn_key": list(point_seeds[0].spawn_key),
    }
    if the_store is not None and the_store.exists():
        # a foreign or different store is refused before the lock file is made beside it
        check_manifest(the_store.path, the_store.manifest(), identity, owner=owner)
    with contextlib.ExitStack() as held:
        if the_store is not None:
            held.enter_context(the_store.lock(owner=owner))  # one writer at a time
        return _run(
            fn,
            points,
            seeds,
            runs=runs,
            executor=executor,
            progress=progress,
            retries=retries,
            batch_size=batch_size,
            on_error=on_error,
            store=the_store,
            identity=identity,
            owner=owner,
        )


def load(store: str | os.PathLike[str] | SweepStore, *, repair: bool = False) -> ExperimentResult:
    """Read a sweep store into an :class:`ExperimentResult` (without ``fn``; see :func:`replay`).

    Only finished points are in a store; ``result.complete`` tells whether all of them are.
    Every record is checked (see :mod:`shequn.experiment._store`); what fails is left out with
    a :class:`~shequn.exceptions.ShequnWarning` naming it, and running the sweep again on the
    store recomputes it. ``repair=True`` first makes the store sound for other readers (moves
    damaged or duplicated Parquet parts aside after saving their sound records, removes a
    killed writer's temporary files; nothing sound is lost), holding the store's lock.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.jsonl"
    >>> def f(*, a, rng):
    ...     return a + float(rng.random())
    >>> res = sweep(f, {"a": [0, 10]}, runs=2, rng=1, store=path)
    >>> load(path) == res
    True
    """
    the_store = open_store(store, owner="load")
    repair = check_bool(repair, owner="load", field="repair")
    if not the_store.exists():
        raise fail("load", "store", "be an existing sweep store", str(the_store.path))
    found = the_store.inspect()
    if not isinstance(found.manifest, dict) or found.manifest.get("format") != "shequn-sweep":
        raise StoreMismatchError(
            f"`load.store` must be a shequn sweep store; {str(the_store.path)!r} is not one",
            path=the_store.path,
            mismatches={"format": (None, "shequn-sweep")},
        )
    if repair:
        with the_store.lock(owner="load"):
            the_store.repair()
        damage = found.problems
        found = the_store.inspect()
        found.problems = damage  # what was wrong before the repair is still worth a warning
    manifest = found.manifest
    warn_problems(
        the_store.path,
        found,
        then="the points they held are left out (run the sweep again on this store to "
        "recompute them)",
    )
    points = [dict(p) for p in manifest["points"]]
    runs = int(manifest["runs"])
    records: list[RunRecord] = []
    for p in sorted(found.points):
        entry = found.points[p]
        for run in entry["runs"]:
            records.append(
                RunRecord(
                    point=p,
                    point_id=str(entry["point_id"]),
                    run=int(run["run"]),
                    params=dict(points[p]),
                    entropy=_from_json_entropy(run["entropy"]),
                    spawn_key=tuple(int(k) for k in run["spawn_key"]),
                    output=run["output"],
                    attempts=int(run.get("attempts", 1)),
                    seconds=float(run.get("seconds", float("nan"))),
                )
            )
    return ExperimentResult(
        points=tuple(points),
        runs=runs,
        records=tuple(records),
        failures=(),
        entropy=_from_json_entropy(manifest["rng_entropy"]),
        fn_name=str(manifest["fn"]),
        fn=None,
        store=the_store.path,
        resumed_points=len(found.points),
    )
