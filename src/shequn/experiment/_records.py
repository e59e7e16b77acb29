"""Run records, failures and the frozen results table of a replication or a sweep.

What is tabulated from what ``fn`` returns:

* a scalar (int, float, bool, str or a numpy scalar) becomes the column ``value``;
* a dict with str keys and scalar or numpy-array values becomes one column per key;
* a numpy array becomes the column ``value`` (a 2-D column ``(runs, *shape)`` in the numpy form
  when every run returns the same shape);
* anything else is kept in :attr:`RunRecord.output` (and :attr:`ExperimentResult.outputs`) but
  is not tabulated, and cannot be written to a store.

An output column whose name is already taken by a parameter or a bookkeeping column
(``point``, ``point_id``, ``run``, ``seed_entropy``, ``spawn_key``) is prefixed with ``out_``.

Examples
--------
>>> import numpy as np
>>> from shequn.experiment import replicate
>>> res = replicate(lambda rng: {"x": float(rng.random())}, runs=3, rng=1)
>>> sorted(res.to_numpy())
['point', 'point_id', 'run', 'seed_entropy', 'spawn_key', 'x']
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary
from shequn._results import Table as SummaryTable
from shequn._stats import mean_ci, mean_ci_columns
from shequn._validation import check_int, check_level, fail
from shequn.experiment._grid import Param, point_id

__all__ = ["ExperimentResult", "RunFailure", "RunRecord", "Table", "normalize_output", "replay"]

_BOOKKEEPING = ("point", "point_id", "run", "seed_entropy", "spawn_key")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, bool | int | float | str)


def normalize_output(output: Any) -> Any:
    """Convert numpy scalars to Python scalars (recursively in a dict) so outputs compare and store.

    Arrays, Python scalars and dicts of them are returned in canonical form; any other object is
    returned unchanged (it is kept but not tabulated).

    Examples
    --------
    >>> normalize_output({"a": np.float64(1.5), "b": np.int64(2)})
    {'a': 1.5, 'b': 2}
    """
    if isinstance(output, np.generic):
        return output.item()
    if isinstance(output, dict) and all(isinstance(k, str) for k in output):
        return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in output.items()}
    return output


def _columns_of(output: Any) -> dict[str, Any] | None:
    """The tabulated columns of one normalised output, or None if it is not tabulable."""
    if _is_scalar(output) or isinstance(output, np.ndarray):
        return {"value": output}
    if isinstance(output, dict) and all(
        isinstance(k, str) and (_is_scalar(v) or isinstance(v, np.ndarray))
        for k, v in output.items()
    ):
        return dict(output)
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(type(a) is type(b) and a == b)
    except (TypeError, ValueError):  # objects without a usable ==
        return a is b


def _seed(entropy: int | Sequence[int], spawn_key: Sequence[int]) -> np.random.SeedSequence:
    return np.random.SeedSequence(entropy, spawn_key=tuple(spawn_key))


@attrs.frozen(kw_only=True)
class RunRecord(ResultMixin):
    """One finished run: where it sits in the sweep, its parameters, its seed and its output.

    ``entropy`` and ``spawn_key`` rebuild the run's :class:`~numpy.random.SeedSequence` exactly,
    so :meth:`replay` reproduces ``output``. ``attempts`` and ``seconds`` are bookkeeping and do
    not take part in equality.

    Examples
    --------
    >>> rec = RunRecord(point=0, point_id="x", run=0, params={"mu": 1.0}, entropy=7,
    ...                 spawn_key=(0, 0), output=0.0)
    >>> rec.seed.spawn_key
    (0, 0)
    """

    point: int
    point_id: str
    run: int
    params: dict[str, Param]
    entropy: int | tuple[int, ...]
    spawn_key: tuple[int, ...]
    output: Any = attrs.field(eq=attrs.cmp_using(eq=_same))
    attempts: int = attrs.field(default=1, eq=False)
    seconds: float = attrs.field(default=math.nan, eq=False)

    @property
    def seed(self) -> np.random.SeedSequence:
        """The run's seed sequence, rebuilt from ``entropy`` and ``spawn_key``."""
        return _seed(self.entropy, self.spawn_key)

    def summary(self) -> Summary:
        """Where the run sits, its parameters, its seed and its output (scalars shown as is).

        Examples
        --------
        >>> rec = RunRecord(point=1, point_id="x", run=3, params={"mu": 1.0}, entropy=7,
        ...                 spawn_key=(1, 3), output={"y": 2.5, "path": np.zeros(4)})
        >>> print(rec.summary())
        Run 3 of point 1
          mu          1
          entropy     7
          spawn_key   [1, 3]
          y           2.5
          path        array (4,)
          attempts    1
        """
        out = self.output if isinstance(self.output, dict) else {"output": self.output}
        shown = {
            k: (f"array {v.shape}" if isinstance(v, np.ndarray) else v) for k, v in out.items()
        }
        return Summary(
            title=f"Run {self.run} of point {self.point}",
            headline={
                **self.params,
                "entropy": self.entropy,
                "spawn_key": list(self.spawn_key),
                **shown,
                "attempts": self.attempts,
            },
        )

    def replay(self, fn: Callable[..., Any]) -> Any:
        """Call ``fn(**params, rng=generator)`` on this run's own stream again.

        Examples
        --------
        >>> from shequn.experiment import sweep
        >>> def f(*, mu, rng):
        ...     return mu + float(rng.normal())
        >>> res = sweep(f, {"mu": [0.0, 5.0]}, runs=2, rng=3)
        >>> res.records[3].replay(f) == res.records[3].output
        True
        """
        if not callable(fn):
            raise fail("RunRecord.replay", "fn", "be callable", fn)
        return normalize_output(fn(**self.params, rng=np.random.default_rng(self.seed)))


def replay(record: RunRecord, fn: Callable[..., Any]) -> Any:
    """Re-run the run described by ``record`` with ``fn`` (see :meth:`RunRecord.replay`).

    Examples
    --------
    >>> from shequn.experiment import replicate
    >>> def f(*, rng):
    ...     return float(rng.random())
    >>> res = replicate(f, runs=4, rng=9)
    >>> replay(res.records[2], f) == res.outputs[2]
    True
    """
    if not isinstance(record, RunRecord):
        raise fail("replay", "record", "be a RunRecord (from result.records or load)", record)
    if not callable(fn):
        raise fail("replay", "fn", "be callable", fn)
    return record.replay(fn)


@attrs.frozen(kw_only=True)
class RunFailure:
    """A run that still failed after all retries: where, with which seed, and why.

    Examples
    --------
    >>> RunFailure(point=0, point_id="x", run=1, params={}, entropy=1, spawn_key=(1,),
    ...            error_type="ValueError", message="bad", traceback="", attempts=2).error_type
    'ValueError'
    """

    point: int
    point_id: str
    run: int
    params: dict[str, Param]
    entropy: int | tuple[int, ...]
    spawn_key: tuple[int, ...]
    error_type: str
    message: str
    traceback: str = attrs.field(repr=False, eq=False)
    attempts: int

    @property
    def seed(self) -> np.random.SeedSequence:
        """The failed run's seed sequence, to reproduce the failure."""
        return _seed(self.entropy, self.spawn_key)


def _column_array(values: list[Any]) -> NDArray[Any]:
    """Stack one column: a typed (possibly multi-dimensional) array when possible, else objects."""
    if values and all(isinstance(v, np.ndarray) for v in values):
        if len({v.shape for v in values}) == 1:
            return np.stack(values)
    elif values and all(_is_scalar(v) for v in values):
        kinds = {type(v) for v in values}
        try:
            if kinds == {bool}:
                return np.asarray(values, dtype=bool)
            if kinds == {int}:
                return np.asarray(values, dtype=np.int64)
            if kinds <= {int, float}:
                return np.asarray(values, dtype=np.float64)
            if kinds == {str}:
                return np.asarray(values, dtype=str)
        except OverflowError:  # ints beyond int64 stay Python ints
            pass
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


@attrs.frozen(kw_only=True)
class Table:
    """A frozen table: named numpy columns of equal length, with pandas on demand.

    Examples
    --------
    >>> t = Table(columns={"a": np.arange(3)})
    >>> len(t), t["a"].tolist()
    (3, [0, 1, 2])
    """

    columns: dict[str, NDArray[Any]] = attrs.field(
        eq=attrs.cmp_using(
            eq=lambda a, b: a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
        )
    )

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.columns[name]

    def to_numpy(self) -> dict[str, NDArray[Any]]:
        """The columns as a dict of numpy arrays (copies are not made).

        Examples
        --------
        >>> list(Table(columns={"a": np.zeros(2)}).to_numpy())
        ['a']
        """
        return dict(self.columns)

    def to_frame(self) -> Any:
        """A :class:`pandas.DataFrame` (pandas is imported lazily; extra ``pandas``).

        Multi-dimensional columns become object columns holding one array per row.

        Examples
        --------
        >>> try:
        ...     shape = Table(columns={"a": np.arange(2)}).to_frame().shape
        ... except ImportError:  # pandas is optional
        ...     shape = (2, 1)
        >>> shape
        (2, 1)
        """
        pd = optional_import("pandas", extra="pandas")
        data = {}
        for name, col in self.columns.items():
            if col.ndim > 1:
                obj = np.empty(len(col), dtype=object)
                for i in range(len(col)):
                    obj[i] = col[i]
                data[name] = obj
            else:
                data[name] = col
        return pd.DataFrame(data)

    def _repr_html_(self) -> str:
        names = list(self.columns)
        head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
        rows = []
        for i in range(min(len(self), 20)):
            cells = "".join(f"<td>{html.escape(str(self.columns[n][i]))}</td>" for n in names)
            rows.append(f"<tr>{cells}</tr>")
        more = f"<p>{len(self) - 20} more rows</p>" if len(self) > 20 else ""
        return f"<table><tr>{head}</tr>{''.join(rows)}</table>{more}"


@attrs.frozen(kw_only=True, repr=False)
class ExperimentResult(ResultMixin):
    """The finished runs of :func:`~shequn.experiment.replicate` or :func:`.sweep`.

    Records are in sweep order (grid point, then run) whatever the executor, so the same ``rng``
    gives an equal result serially, on threads, processes or a Dask cluster.

    Attributes
    ----------
    points
        The grid points (parameter dicts) in order; ``({},)`` for :func:`replicate`.
    runs
        Runs per grid point.
    records
        The successful runs.
    failures
        Runs that failed after all retries (empty when everything succeeded).
    entropy
        Entropy of the parent seed sequence (pass it as ``rng`` to reproduce or resume).
    fn_name
        Qualified name of the function run.
    fn
        The function itself when known (``None`` for results loaded from a store).
    store
        The store path, if any.

    Examples
    --------
    >>> from shequn.experiment import sweep
    >>> def coin(*, p, rng):
    ...     return float(rng.random() < p)
    >>> res = sweep(coin, {"p": [0.2, 0.8]}, runs=50, rng=0)
    >>> len(res), res.n_points
    (100, 2)
    >>> agg = res.aggregate()
    >>> agg["n"].tolist()
    [50, 50]
    >>> bool(agg["value_mean"][0] < agg["value_mean"][1])
    True
    """

    points: tuple[dict[str, Param], ...]
    runs: int
    records: tuple[RunRecord, ...]
    failures: tuple[RunFailure, ...] = ()
    entropy: int | tuple[int, ...]
    fn_name: str = attrs.field(eq=False)
    fn: Callable[..., Any] | None = attrs.field(default=None, eq=False)
    store: Path | None = attrs.field(default=None, eq=False)
    resumed_points: int = attrs.field(default=0, eq=False)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[RunRecord]:
        return iter(self.records)

    def __repr__(self) -> str:
        return (
            f"ExperimentResult(fn={self.fn_name!r}, points={self.n_points}, runs={self.runs}, "
            f"records={len(self.records)}, failures={len(self.failures)})"
        )

    @property
    def n_points(self) -> int:
        """Number of grid points."""
        return len(self.points)

    @property
    def outputs(self) -> list[Any]:
        """The outputs of the successful runs, in record order."""
        return [r.output for r in self.records]

    @property
    def complete(self) -> bool:
        """True when every run of every point succeeded."""
        return len(self.records) == self.n_points * self.runs

    def _param_names(self) -> list[str]:
        names: dict[str, None] = {}
        for p in self.points:
            names.update(dict.fromkeys(p))
        return list(names)

    def to_numpy(self) -> dict[str, NDArray[Any]]:
        """The plain numpy form: one array per column (no pandas needed).

        Columns: ``point``, ``point_id``, ``run``, each parameter, ``seed_entropy`` and
        ``spawn_key`` (object arrays), then the tabulated outputs (see the module notes).

        Examples
        --------
        >>> from shequn.experiment import replicate
        >>> cols = replicate(lambda rng: rng.random(2), runs=3, rng=0).to_numpy()
        >>> cols["value"].shape
        (3, 2)
        """
        recs = self.records
        cols: dict[str, NDArray[Any]] = {
            "point": np.asarray([r.point for r in recs], dtype=np.int64),
            "point_id": np.asarray([r.point_id for r in recs], dtype=str),
            "run": np.asarray([r.run for r in recs], dtype=np.int64),
        }
        for name in self._param_names():
            cols[name] = _column_array([r.params.get(name) for r in recs])
        ent = np.empty(len(recs), dtype=object)
        keys = np.empty(len(recs), dtype=object)
        for i, r in enumerate(recs):
            ent[i] = r.entropy
            keys[i] = r.spawn_key
        cols["seed_entropy"] = ent
        cols["spawn_key"] = keys
        per_run = [_columns_of(r.output) for r in recs]
        out_names: dict[str, None] = {}
        for c in per_run:
            if c is not None:
                out_names.update(dict.fromkeys(c))
        for name in out_names:
            values = [c.get(name) if c is not None else None for c in per_run]
            label = name
            while label in cols:
                label = "out_" + label
            cols[label] = _column_array(values)
        return cols

    def table(self) -> Table:
        """The records as a :class:`Table` (see :meth:`to_numpy`)."""
        return Table(columns=self.to_numpy())

    def to_frame(self) -> Any:
        """The records as a :class:`pandas.DataFrame`, one row per run (lazy pandas import).

        Examples
        --------
        >>> from shequn.experiment import replicate
        >>> res = replicate(lambda rng: 1.0, runs=2, rng=0)
        >>> try:
        ...     shape = res.to_frame().shape
        ... except ImportError:  # pandas is optional
        ...     shape = (2, 6)
        >>> shape
        (2, 6)
        """
        return self.table().to_frame()

    def aggregate(self, *, level: float = 0.95) -> Table:
        """Per grid point: parameters, run and failure counts, mean and CI of each numeric output.

        For every numeric output column ``c`` (bool, int or float; arrays element-wise) the table
        has ``c_mean``, ``c_lo`` and ``c_hi``: the mean over the point's successful runs and a
        Student-t interval at ``level`` (:func:`shequn._stats.mean_ci`; NaN bounds with one run).
        ``n`` counts successful runs and ``failed`` failed runs, so ``n + failed == runs``.

        Examples
        --------
        >>> from shequn.experiment import sweep
        >>> def f(*, k, rng):
        ...     return {"k2": k * 2.0}
        >>> sweep(f, {"k": [1, 2]}, runs=3, rng=0).aggregate()["k2_mean"].tolist()
        [2.0, 4.0]
        """
        level = check_level(level, owner="ExperimentResult.aggregate")
        cols = self.to_numpy()
        point = cols["point"]
        n_p = self.n_points
        out: dict[str, NDArray[Any]] = {
            "point": np.arange(n_p, dtype=np.int64),
            "point_id": np.asarray([_pid(self, i) for i in range(n_p)], dtype=str),
        }
        for name in self._param_names():
            out[name] = _column_array([p.get(name) for p in self.points])
        out["n"] = np.bincount(point, minlength=n_p).astype(np.int64)
        out["failed"] = np.bincount(
            np.asarray([f.point for f in self.failures], dtype=np.int64), minlength=n_p
        ).astype(np.int64)
        skip = set(_BOOKKEEPING) | set(self._param_names())
        order = np.argsort(point, kind="stable")
        bounds = np.searchsorted(point[order], np.arange(n_p + 1))
        for name, col in cols.items():
            if name in skip or col.dtype.kind not in "biuf":
                continue
            data = col[order].astype(float)
            shape = data.shape[1:]
            mean = np.full((n_p, *shape), np.nan)
            lo = np.full((n_p, *shape), np.nan)
            hi = np.full((n_p, *shape), np.nan)
            for i in range(n_p):
                chunk = data[bounds[i] : bounds[i + 1]]
                if chunk.shape[0] == 0:
                    continue
                if shape:
                    m, a, b = mean_ci_columns(chunk.reshape(chunk.shape[0], -1), level=level)
                    mean[i], lo[i], hi[i] = m.reshape(shape), a.reshape(shape), b.reshape(shape)
                else:
                    mean[i], lo[i], hi[i] = mean_ci(chunk, level=level)
            out[f"{name}_mean"], out[f"{name}_lo"], out[f"{name}_hi"] = mean, lo, hi
        return Table(columns=out)

    def replay(self, i: int) -> Any:
        """Re-run record ``i`` on its own stream and return the output (equal to ``outputs[i]``).

        Examples
        --------
        >>> from shequn.experiment import replicate
        >>> def f(*, rng):
        ...     return float(rng.normal())
        >>> res = replicate(f, runs=3, rng=2)
        >>> res.replay(1) == res.outputs[1]
        True
        """
        i = check_int(
            i,
            owner="ExperimentResult.replay",
            field="i",
            low=-len(self.records),
            high=len(self.records) - 1,
        )
        if self.fn is None:
            raise fail(
                "ExperimentResult.replay",
                "fn",
                "be known (results loaded from a store do not hold fn; use "
                "shequn.experiment.replay(record, fn))",
                None,
            )
        return self.records[i].replay(self.fn)

    def _point_label(self, i: int) -> str:
        params = self.points[i]
        return ", ".join(f"{k}={v!r}" for k, v in params.items()) if params else f"point {i}"

    def _scalar_outputs(self, agg: Table) -> list[str]:
        return [
            name[: -len("_mean")]
            for name, col in agg.to_numpy().items()
            if name.endswith("_mean") and col.ndim == 1
        ]

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Student-t intervals of the mean of every numeric scalar output, per grid point.

        Keys are the output's column name (``"value"`` for a scalar output) for a single
        point (:func:`replicate`), and ``"<column>[<parameters>]"`` for a sweep, e.g.
        ``"share[size=100, p=0.2]"``. Array outputs have element-wise intervals in
        :meth:`aggregate`. With one run a bound is NaN (no interval, never a zero-width one).

        Examples
        --------
        >>> from shequn.experiment import replicate, sweep
        >>> lo, hi = replicate(lambda rng: float(rng.normal()), runs=200, rng=1).conf_int()["value"]
        >>> bool(lo < 0.0 < hi)
        True
        >>> def coin(*, p, rng):
        ...     return float(rng.random() < p)
        >>> sorted(sweep(coin, {"p": [0.2, 0.8]}, runs=30, rng=0).conf_int())
        ['value[p=0.2]', 'value[p=0.8]']
        """
        level = check_level(level, owner="ExperimentResult.conf_int")
        agg = self.aggregate(level=level)
        cols = agg.to_numpy()
        out: Intervals = {}
        for name in self._scalar_outputs(agg):
            for i in range(self.n_points):
                key = name if self.n_points == 1 else f"{name}[{self._point_label(i)}]"
                out[key] = (float(cols[f"{name}_lo"][i]), float(cols[f"{name}_hi"][i]))
        return out

    def summary(self) -> Summary:
        """The experiment in brief: function, grid, runs, failures, seed, and per grid point the
        runs, failures and mean of each numeric scalar output (at most 20 points shown).

        Examples
        --------
        >>> from shequn.experiment import replicate
        >>> s = replicate(lambda rng: 1.0, runs=2, rng=5).summary()
        >>> s["points"], s["runs_per_point"], s["failures"]
        (1, 2, 0)
        >>> str(s).splitlines()[0]
        'Experiment of ...<lambda>'
        """
        headline: dict[str, Any] = {
            "points": self.n_points,
            "runs_per_point": self.runs,
            "records": len(self.records),
            "failures": len(self.failures),
            "rng_entropy": self.entropy,
        }
        if self.store is not None:
            headline["store"] = str(self.store)
            headline["resumed_points"] = self.resumed_points
        agg = self.aggregate()
        cols = agg.to_numpy()
        names = self._scalar_outputs(agg)
        shown = min(self.n_points, 20)
        rows = {
            self._point_label(i): (
                int(cols["n"][i]),
                int(cols["failed"][i]),
                *(float(cols[f"{c}_mean"][i]) for c in names),
            )
            for i in range(shown)
        }
        notes = [
            f"failed: point {f.point} run {f.run} {f.params}: {f.error_type}: {f.message}"
            for f in self.failures[:5]
        ]
        if self.n_points > shown:
            notes.append(f"... and {self.n_points - shown} more points (see aggregate()).")
        return Summary(
            title=f"Experiment of {self.fn_name}",
            headline=headline,
            table=SummaryTable(columns=("n", "failed", *(f"{c}_mean" for c in names)), rows=rows),
            notes=notes,
        )


def _pid(res: ExperimentResult, i: int) -> str:
    return point_id(res.points[i])
