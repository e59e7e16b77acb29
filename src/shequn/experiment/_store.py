"""Sweep stores: finished grid points on disk, as they complete, safe against crashes.

Two formats hold the same content:

* **JSON Lines** (a file, always available): the first line is the manifest, every further line
  one finished grid point with all its runs. Lines are appended with one write, flush and
  ``fsync`` (:func:`shequn.io.append_jsonl`), so a killed process can only leave one torn last
  line, which is detected and truncated when the sweep resumes.
* **Parquet** (a directory, needs pyarrow): ``_manifest.json`` and part files, one per batch of
  finished points, each written to a temporary file and renamed into place
  (:func:`shequn.io.write_parquet_part`), one row per run with ``param.*`` and ``out.*`` columns
  for analysis and ``output_json`` for exact reconstruction. Every part has the same columns
  and types, so ``pandas.read_parquet(store)`` and ``pyarrow.dataset.dataset(store)`` read the
  whole store (they skip the files starting with ``_`` or ``.``). Per-run arrays of a common
  length (a trajectory's weekly columns) are also written one row per element to the dataset
  ``_arrays/`` inside the store (columns ``point``, ``run``, ``index`` and one per array).

Every run record carries a checksum (SHA-256 of its point, run number, seed and output), and
every record is checked when read: its point must be in the grid, its seed must be the one the
manifest implies, its checksum must match, and a point must hold each of its runs exactly once.
What fails a check is never used and never silently dropped: a :class:`ShequnWarning` names it,
a resumed sweep runs the affected points again, and :meth:`SweepStore.repair` (run by every
resume, and by ``load(store, repair=True)``) moves damaged, unreadable or duplicated Parquet
parts aside (renamed ``_corrupt-...``, ``_damaged-...``, ``_duplicate-...``, never deleted),
rewriting the good records they held, and removes a killed writer's temporary files. One
writer at a time holds the store's lock (:class:`shequn.io.FileLock`).

The manifest records the sweep's identity: the function's qualified name, the user's
``version`` string, the runs per point, the grid hash and the rng entropy and spawn key. A store
written by a different sweep raises :class:`StoreMismatchError`; nothing is ever overwritten.

Examples
--------
>>> import tempfile, pathlib
>>> store = open_store(pathlib.Path(tempfile.mkdtemp()) / "s.jsonl", owner="sweep")
>>> type(store).__name__, store.exists()
('JsonLinesStore', False)
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.util
import json
import math
import os
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from shequn._validation import check_path, fail
from shequn.exceptions import InvalidParameterError, ShequnWarning
from shequn.experiment._grid import point_id
from shequn.io.files import FileLock, fsync_dir, remove_temp_files, write_atomic
from shequn.io.jsonl import append_jsonl, from_jsonable, read_jsonl, to_jsonable
from shequn.io.parquet import parquet_part_files, read_parquet_part, write_parquet_part

__all__ = [
    "IDENTITY_FIELDS",
    "JsonLinesStore",
    "ParquetStore",
    "StoreMismatchError",
    "SweepStore",
    "open_store",
    "record_checksum",
]

FORMAT = "shequn-sweep"
FORMAT_VERSION = 2
"""2: a checksum per run record, the Parquet manifest named ``_manifest.json``, ``_arrays/``.
Stores of version 1 are read (records without checksums) and written on with checksums."""
IDENTITY_FIELDS = ("fn", "version", "runs", "grid_hash", "n_points", "rng_entropy", "rng_spawn_key")
ARRAYS = "_arrays"


class StoreMismatchError(InvalidParameterError):
    """A store holds results of a different sweep (or is not a sweep store at all).

    The message names the file and every field that differs; ``path`` and ``mismatches``
    (field -> (stored, requested)) carry the same information for programs.

    Examples
    --------
    >>> err = StoreMismatchError("differs", path=Path("s.jsonl"), mismatches={"runs": (1, 2)})
    >>> isinstance(err, InvalidParameterError), err.mismatches["runs"]
    (True, (1, 2))
    """

    def __init__(self, message: str, *, path: Path, mismatches: dict[str, tuple[Any, Any]]):
        super().__init__(message)
        self.path = path
        self.mismatches = mismatches


def _plain(value: Any) -> Any:
    """The value as it reads back from JSON (tuples become lists, numpy becomes Python)."""
    return json.loads(json.dumps(to_jsonable(value)))


def _canonical(value: Any) -> str:
    return json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"), allow_nan=True)


def record_checksum(point_id: str, run: dict[str, Any]) -> str:
    """The checksum of one run record: SHA-256 of its point, run number, seed and output.

    ``attempts`` and ``seconds`` (bookkeeping) are left out. Any change to the output, the
    seed or the numbers makes a record fail its check when read.

    Examples
    --------
    >>> rec = {"run": 0, "entropy": 7, "spawn_key": [0, 0], "output": 0.5}
    >>> record_checksum("abc", rec) == record_checksum("abc", dict(rec))
    True
    >>> record_checksum("abc", rec) == record_checksum("abc", {**rec, "output": 0.25})
    False
    """
    payload = {
        "point_id": point_id,
        "run": run["run"],
        "entropy": run["entropy"],
        "spawn_key": list(run["spawn_key"]),
        "output": run["output"],
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()[:32]


def new_manifest(identity: dict[str, Any], points: list[dict[str, Any]]) -> dict[str, Any]:
    """The manifest written at the head of a new store."""
    from shequn import __version__

    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION}
    manifest.update({k: _plain(identity[k]) for k in IDENTITY_FIELDS})
    manifest["created"] = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    manifest["shequn_version"] = __version__
    manifest["points"] = _plain(points)
    return manifest


def check_manifest(path: Path, stored: Any, identity: dict[str, Any], *, owner: str) -> None:
    """Raise :class:`StoreMismatchError` unless ``stored`` belongs to the sweep ``identity``."""
    if not _is_manifest(stored):
        raise StoreMismatchError(
            f"`{owner}.store` must be a shequn sweep store or a new path; {str(path)!r} exists "
            "and is not one (refusing to overwrite it)",
            path=path,
            mismatches={
                "format": (None if not isinstance(stored, dict) else stored.get("format"), FORMAT)
            },
        )
    mismatches: dict[str, tuple[Any, Any]] = {}
    for key in IDENTITY_FIELDS:
        want = _plain(identity[key])
        if stored.get(key) != want:
            mismatches[key] = (stored.get(key), want)
    if mismatches:
        parts = [f"{k}: store has {a!r}, this sweep has {b!r}" for k, (a, b) in mismatches.items()]
        hint = ""
        if "rng_entropy" in mismatches:
            hint = (
                f"; to resume, pass rng=numpy.random.SeedSequence({stored.get('rng_entropy')})"
                " (or the original seed)"
            )
        raise StoreMismatchError(
            f"`{owner}.store` {str(path)!r} was written by a different sweep ("
            + "; ".join(parts)
            + f"){hint}; use a new store path to keep both",
            path=path,
            mismatches=mismatches,
        )


def _is_manifest(value: Any) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(value, dict)
        and value.get("format") == FORMAT
        and isinstance(value.get("points"), list)
        and isinstance(value.get("runs"), int)
        and all(k in value for k in IDENTITY_FIELDS)
    )


# --- checking what a store holds ----------------------------------------------------------


class Inspection:
    """What a store holds: the manifest, the first sound copy of each point, what is wrong.

    ``points`` maps a point index to its record (``point``, ``point_id``, ``params``, ``runs``
    in run order); ``origin`` maps it to where that copy is (a line or a part file);
    ``problems`` lists what was ignored and why; ``status`` gives, for each location read,
    ``"kept"``, ``"duplicate"`` or ``"damaged"`` per point copy found there.
    """

    def __init__(self, manifest: Any) -> None:
        self.manifest = manifest
        self.points: dict[int, dict[str, Any]] = {}
        self.origin: dict[int, str] = {}
        self.problems: list[str] = []
        self.status: dict[str, list[tuple[int | None, str]]] = {}
        self.unreadable: list[str] = []
        self.torn_bytes = 0

    @property
    def damaged(self) -> bool:
        """Whether anything in the store failed its checks."""
        return bool(self.problems)

    def note(self, where: str, point: int | None, status: str, problem: str | None = None) -> None:
        self.status.setdefault(where, []).append((point, status))
        if problem is not None:
            self.problems.append(f"{where}: {problem}")


def _as_int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _check_run(run: Any, expected_key: list[int], pid: str, manifest: dict[str, Any]) -> str | None:
    """Why one run record fails its checks, or None."""
    if not isinstance(run, dict):
        return "a run record is not an object"
    r = _as_int(run.get("run"))
    runs = int(manifest["runs"])
    if r is None or not 0 <= r < runs:
        return f"run number {run.get('run')!r} is not in 0..{runs - 1}"
    if "output" not in run:
        return f"run {r} has no output"
    if _plain(run.get("entropy")) != manifest["rng_entropy"]:
        return f"run {r}: its seed entropy is not the manifest's"
    if _plain(run.get("spawn_key")) != [*expected_key, r]:
        return f"run {r}: its spawn key {run.get('spawn_key')!r} should be {[*expected_key, r]}"
    sha = run.get("sha")
    if sha is None:
        if int(manifest.get("format_version", 1)) >= 2:
            return f"run {r} has no checksum"
    elif sha != record_checksum(pid, run):
        return f"run {r}: its checksum does not match (its output, seed or number was changed)"
    attempts = _as_int(run.get("attempts", 1))
    if attempts is None or attempts < 1:
        return f"run {r}: attempts {run.get('attempts')!r} is not a count >= 1"
    return None


def _check_point(entry: Any, manifest: dict[str, Any]) -> tuple[int | None, str | None]:
    """The point index of a point record and why it fails its checks (or None)."""
    if not isinstance(entry, dict) or "point" not in entry or "runs" not in entry:
        return None, "not a point record"
    p = _as_int(entry.get("point"))
    grid = manifest["points"]
    if p is None or not 0 <= p < len(grid):
        return None, f"point {entry.get('point')!r} is not in the grid (0..{len(grid) - 1})"
    pid = point_id(grid[p])
    if entry.get("point_id") != pid:
        return p, f"point {p}: its point id {entry.get('point_id')!r} is not {pid!r}"
    runs = entry["runs"]
    if not isinstance(runs, list):
        return p, f"point {p}: its runs are not a list"
    key = [*[int(k) for k in manifest["rng_spawn_key"]][:-1], p]
    for run in runs:
        why = _check_run(run, key, pid, manifest)
        if why is not None:
            return p, f"point {p}, {why}"
    numbers = sorted(int(run["run"]) for run in runs)
    want = int(manifest["runs"])
    if numbers != list(range(want)):
        missing = sorted(set(range(want)) - set(numbers))
        extra = len(numbers) - len(set(numbers))
        what = f"runs {missing} missing" if missing else f"{extra} run(s) repeated"
        return p, f"point {p}: {what} (a point holds each of its {want} runs once)"
    return p, None


def inspect_entries(
    manifest: dict[str, Any], entries: Iterable[tuple[str, Any]], inspection: Inspection
) -> None:
    """Check located point records, keeping the first sound copy of each point."""
    for where, entry in entries:
        p, why = _check_point(entry, manifest)
        if why is not None:
            inspection.note(where, p, "damaged", why)
            continue
        assert p is not None
        if p in inspection.points:
            kept = inspection.points[p]
            same = [_canonical(r["output"]) for r in sorted(kept["runs"], key=_run_no)] == [
                _canonical(r["output"]) for r in sorted(entry["runs"], key=_run_no)
            ]
            inspection.note(
                where,
                p,
                "duplicate",
                None
                if same
                else f"point {p}: a second sound copy with other outputs (the first is kept)",
            )
            continue
        runs = sorted(entry["runs"], key=_run_no)
        inspection.points[p] = {
            "point": p,
            "point_id": entry["point_id"],
            "params": manifest["points"][p],
            "runs": runs,
        }
        inspection.origin[p] = where
        inspection.note(where, p, "kept")


def _run_no(run: dict[str, Any]) -> int:
    return int(run["run"])


def with_checksums(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Point records with a checksum on every run record (added where missing)."""
    out = []
    for pt in points:
        runs = [
            {**run, "sha": record_checksum(pt["point_id"], run)} if "sha" not in run else run
            for run in pt["runs"]
        ]
        out.append({**pt, "runs": runs})
    return out


def warn_problems(path: Path, inspection: Inspection, *, then: str, stacklevel: int = 3) -> None:
    """One :class:`ShequnWarning` naming what a store held that failed its checks."""
    if not inspection.problems:
        return
    shown = "; ".join(inspection.problems[:5])
    more = len(inspection.problems) - 5
    warnings.warn(
        f"store {str(path)!r}: {len(inspection.problems)} damaged item(s) ignored ({shown}"
        + (f"; and {more} more" if more > 0 else "")
        + f"); {then}",
        ShequnWarning,
        stacklevel=stacklevel,
    )


class SweepStore:
    """Where a sweep keeps its finished points (base class of the two formats).

    Examples
    --------
    >>> SweepStore(Path("x")).path
    PosixPath('x')
    """

    kind = "base"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(check_path(path, owner=type(self).__name__, field="path"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def exists(self) -> bool:  # pragma: no cover - abstract
        """True if the store already holds a sweep."""
        raise NotImplementedError

    def create(self, manifest: dict[str, Any]) -> None:  # pragma: no cover - abstract
        """Start a new store with ``manifest``."""
        raise NotImplementedError

    def inspect(self) -> Inspection:  # pragma: no cover - abstract
        """Read and check everything the store holds (see :class:`Inspection`)."""
        raise NotImplementedError

    def manifest(self) -> Any:  # pragma: no cover - abstract
        """The stored manifest (None when there is none), without reading the records."""
        raise NotImplementedError

    def read(self) -> tuple[Any, list[dict[str, Any]]]:
        """The manifest and the sound finished points (dicts with point, point_id, params, runs).

        What fails its checks is left out, with a :class:`ShequnWarning` naming it.
        """
        found = self.inspect()
        warn_problems(self.path, found, then="they are left out", stacklevel=3)
        return found.manifest, [found.points[p] for p in sorted(found.points)]

    def repair(self) -> list[str]:
        """Clean what a killed writer or a damaged file left; return what was done."""
        return []

    def append(self, points: list[dict[str, Any]]) -> None:  # pragma: no cover - abstract
        """Durably add finished points (with a checksum per run)."""
        raise NotImplementedError

    @property
    def lock_path(self) -> Path:  # pragma: no cover - abstract
        """The file whose lock a writer holds."""
        raise NotImplementedError

    @contextmanager
    def lock(self, *, owner: str = "sweep") -> Iterator[None]:
        """Hold the store's writer lock (another writer gets our error, not a race)."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(self.lock_path, owner=owner, field="store"):
            yield

    def _check_points(self, points: Any) -> list[dict[str, Any]]:
        if not isinstance(points, list) or not all(
            isinstance(p, dict) and {"point", "point_id", "params", "runs"} <= set(p)
            for p in points
        ):
            raise fail(
                f"{type(self).__name__}.append",
                "points",
                "be a list of point records (point, point_id, params, runs)",
                points,
            )
        return points


class JsonLinesStore(SweepStore):
    """A JSON Lines file: the manifest line, then one line per finished point.

    Examples
    --------
    >>> JsonLinesStore("runs.jsonl").kind
    'jsonl'
    """

    kind = "jsonl"

    @property
    def lock_path(self) -> Path:
        """``<store>.lock`` beside the file (safe to delete when no sweep is running)."""
        return self.path.with_name(self.path.name + ".lock")

    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def create(self, manifest: dict[str, Any]) -> None:
        if not _is_manifest(manifest):
            raise fail("JsonLinesStore.create", "manifest", "be a shequn sweep manifest", manifest)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"shequn_sweep": manifest}, separators=(",", ":")) + "\n"
        write_atomic(self.path, line.encode("utf-8"))

    def manifest(self) -> Any:
        if not self.path.is_file():
            return None
        with open(self.path, "rb") as fh:
            first = fh.readline()
        try:
            head = json.loads(first)
        except ValueError:
            return None
        return head.get("shequn_sweep") if isinstance(head, dict) else None

    def inspect(self) -> Inspection:
        if not self.path.is_file():
            raise fail("JsonLinesStore", "path", "be an existing store file", str(self.path))
        got = read_jsonl(self.path, strict=False)
        invalid = set(got.invalid)
        numbers = [n for n in range(1, len(got.values) + len(invalid) + 1) if n not in invalid]
        head = got.values[0] if got.values and numbers and numbers[0] == 1 else None
        manifest = head.get("shequn_sweep") if isinstance(head, dict) else None
        found = Inspection(manifest)
        found.torn_bytes = got.torn_bytes
        if not _is_manifest(manifest):
            return found
        for n in sorted(invalid):
            found.note(f"line {n}", None, "damaged", "not valid JSON")
        inspect_entries(
            manifest,
            ((f"line {n}", v) for n, v in zip(numbers[1:], got.values[1:], strict=True)),
            found,
        )
        return found

    @property
    def aside_path(self) -> Path:
        """``<store>.aside``: where repair moves damaged and duplicated lines (appended)."""
        return self.path.with_name(self.path.name + ".aside")

    def repair(self) -> list[str]:
        """Make the file sound again without losing a sound record.

        Truncates a torn last line (a write cut short); lines that fail their checks, and
        second copies of a point, are appended to ``<store>.aside`` and the file is rewritten
        (atomically) with the manifest and the sound lines, in their order. Call it with the
        store's lock held.
        """
        got = read_jsonl(self.path, repair=True, strict=False)
        done = [f"truncated a torn last line ({got.torn_bytes} bytes)"] if got.torn_bytes else []
        found = self.inspect()
        if not _is_manifest(found.manifest):
            return done
        moved = {
            int(where.split()[1])
            for where, notes in found.status.items()
            if any(status != "kept" for _, status in notes)
        }
        if not moved:
            return done
        lines = self.path.read_bytes().split(b"\n")[:-1]
        with open(self.aside_path, "ab") as fh:
            fh.write(b"".join(lines[n - 1] + b"\n" for n in sorted(moved)))
            fh.flush()
            os.fsync(fh.fileno())
        kept = b"".join(line + b"\n" for n, line in enumerate(lines, 1) if n not in moved)
        write_atomic(self.path, kept)
        done.append(f"moved {len(moved)} damaged or repeated line(s) to {self.aside_path.name}")
        return done

    def append(self, points: list[dict[str, Any]]) -> None:
        append_jsonl(self.path, with_checksums(self._check_points(points)))


def _uniform(values: list[Any]) -> bool:
    kinds = {type(v) for v in values if v is not None}
    return len(kinds) <= 1 or kinds <= {int, float}


def _column_type(values: list[Any]) -> str:
    """The Parquet type of a column of JSON scalars: bool, int64, double or string (JSON)."""
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool}:
        return "bool"
    if kinds <= {int}:
        return "int64"
    if kinds <= {int, float}:
        return "double"
    if kinds <= {str}:
        return "string"
    return "json"


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "int64":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "double":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok else None
    if kind == "string":
        return value if isinstance(value, str) else None
    return json.dumps(to_jsonable(value))


def _arrow_type(pa: Any, kind: str) -> Any:
    return {
        "bool": pa.bool_(),
        "int64": pa.int64(),
        "double": pa.float64(),
        "string": pa.string(),
        "json": pa.string(),
    }[kind]


def _out_scalars(output: Any) -> dict[str, Any]:
    if isinstance(output, dict):
        return {f"out.{k}": v for k, v in output.items() if isinstance(v, bool | int | float | str)}
    if isinstance(output, bool | int | float | str):
        return {"out.value": output}
    return {}


def _out_arrays(output: Any) -> dict[str, np.ndarray[Any, Any]]:
    """Per-run arrays of one common length (1-D, or 2-D split into columns ``name.j``)."""
    arrays = output if isinstance(output, dict) else {"value": output}
    cols: dict[str, np.ndarray[Any, Any]] = {}
    length: int | None = None
    for name, a in arrays.items():
        if not isinstance(a, np.ndarray) or a.ndim not in (1, 2) or a.dtype.kind not in "biuf":
            continue
        if length is None:
            length = a.shape[0]
        if a.shape[0] != length:
            continue
        if a.ndim == 1:
            cols[name] = a
        else:
            for j in range(a.shape[1]):
                cols[f"{name}.{j}"] = a[:, j]
    return cols


class ParquetStore(SweepStore):
    """A directory: ``_manifest.json`` plus atomically written Parquet part files (pyarrow).

    ``pandas.read_parquet(store)`` reads one row per run; ``pandas.read_parquet(store /
    "_arrays")`` one row per element of the runs' arrays (a trajectory's weeks).

    Examples
    --------
    >>> ParquetStore("runs.parquet").kind
    'parquet'
    """

    kind = "parquet"

    @property
    def manifest_path(self) -> Path:
        """The manifest file inside the store directory (readers of the parts skip it)."""
        return self.path / "_manifest.json"

    @property
    def _legacy_manifest(self) -> Path:
        return self.path / "manifest.json"  # format version 1, among the parts

    @property
    def lock_path(self) -> Path:
        """``_lock`` inside the store directory."""
        return self.path / "_lock"

    def exists(self) -> bool:
        if self.manifest_path.is_file() or self._legacy_manifest.is_file():
            return True
        if not self.path.is_dir():
            return self.path.exists()
        return any(p != self.lock_path for p in self.path.iterdir())  # our lock is not content

    def create(self, manifest: dict[str, Any]) -> None:
        if not _is_manifest(manifest):
            raise fail("ParquetStore.create", "manifest", "be a shequn sweep manifest", manifest)
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.manifest_path, json.dumps(manifest).encode("utf-8"))

    def manifest(self) -> Any:
        return self._read_manifest()

    def _read_manifest(self) -> Any:
        for path in (self.manifest_path, self._legacy_manifest):
            if path.is_file():
                try:
                    return json.loads(path.read_text("utf-8"))
                except ValueError:
                    return None
        return None

    def _rows_to_entries(self, part: str, rows: list[dict[str, Any]]) -> list[tuple[str, Any]]:
        grouped: dict[Any, dict[str, Any]] = {}
        for row in rows:
            p = row.get("point")
            entry = grouped.setdefault(p, {"point": p, "point_id": row.get("point_id"), "runs": []})
            try:
                run: Any = {
                    "run": row["run"],
                    "entropy": json.loads(row["seed_entropy"]),
                    "spawn_key": list(row["spawn_key"]),
                    "output": from_jsonable(json.loads(row["output_json"])),
                    "attempts": row.get("attempts", 1),
                    "seconds": row.get("seconds", math.nan),
                }
                if row.get("sha") is not None:
                    run["sha"] = row["sha"]
            except (KeyError, TypeError, ValueError):
                run = None  # an unreadable row: the point copy fails its checks
            entry["runs"].append(run)
        return [(part, e) for e in grouped.values()]

    def inspect(self) -> Inspection:
        manifest = self._read_manifest()
        found = Inspection(manifest)
        if not _is_manifest(manifest) or not self.path.is_dir():
            return found
        entries: list[tuple[str, Any]] = []
        for part in parquet_part_files(self.path):
            try:
                rows = read_parquet_part(part)
            except InvalidParameterError as exc:
                found.unreadable.append(part.name)
                found.note(part.name, None, "damaged", f"unreadable ({str(exc)[-120:]})")
                continue
            entries.extend(self._rows_to_entries(part.name, rows))
        inspect_entries(manifest, entries, found)
        return found

    # -- writing --------------------------------------------------------------------------
    def _param_kinds(self, manifest: dict[str, Any]) -> dict[str, str]:
        names: dict[str, None] = {}
        for pt in manifest["points"]:
            names.update(dict.fromkeys(pt))
        return {n: _column_type([pt.get(n) for pt in manifest["points"]]) for n in names}

    def _existing_kinds(self, folder: Path, prefix: str) -> dict[str, str] | None:
        """Column kinds of the first readable part (the dataset's schema), if any."""
        pq = _pyarrow("parquet")
        pa = _pyarrow()
        for part in parquet_part_files(folder) if folder.is_dir() else []:
            try:
                schema = pq.read_schema(part)
            except (pa.ArrowException, OSError):
                continue
            kinds: dict[str, str] = {}
            for field in schema:
                if not field.name.startswith(prefix):
                    continue
                t = field.type
                kinds[field.name] = (
                    "bool"
                    if t == pa.bool_()
                    else "int64"
                    if t == pa.int64()
                    else "double"
                    if t == pa.float64()
                    else "string"
                )
            return kinds
        return None

    def _main_rows(self, points: list[dict[str, Any]], manifest: dict[str, Any]) -> None:
        pa = _pyarrow()
        params = self._param_kinds(manifest)
        outs = self._existing_kinds(self.path, "out.")
        if outs is None:  # the first part fixes the output columns of the dataset
            values: dict[str, list[Any]] = {}
            for pt in points:
                for run in pt["runs"]:
                    for k, v in _out_scalars(run["output"]).items():
                        values.setdefault(k, []).append(v)
            outs = {k: _column_type(v) for k, v in values.items() if _uniform(v)}
            outs = {k: ("double" if t == "int64" else t) for k, t in outs.items()}
        fields = [
            ("point", pa.int64()),
            ("point_id", pa.string()),
            ("run", pa.int64()),
            ("seed_entropy", pa.string()),
            ("spawn_key", pa.list_(pa.int64())),
            ("attempts", pa.int64()),
            ("seconds", pa.float64()),
            ("output_json", pa.string()),
            ("sha", pa.string()),
        ]
        fields += [(f"param.{n}", _arrow_type(pa, t)) for n, t in params.items()]
        fields += [(n, _arrow_type(pa, t)) for n, t in outs.items()]
        rows: list[dict[str, Any]] = []
        for pt in points:
            for run in pt["runs"]:
                row: dict[str, Any] = {
                    "point": pt["point"],
                    "point_id": pt["point_id"],
                    "run": run["run"],
                    "seed_entropy": json.dumps(to_jsonable(run["entropy"])),
                    "spawn_key": [int(k) for k in run["spawn_key"]],
                    "attempts": run["attempts"],
                    "seconds": float(run["seconds"]),
                    "output_json": json.dumps(to_jsonable(run["output"])),
                    "sha": run["sha"],
                }
                for n, t in params.items():
                    row[f"param.{n}"] = _cell(pt["params"].get(n), t)
                scalars = _out_scalars(run["output"])
                for n, t in outs.items():
                    row[n] = _cell(scalars.get(n), t)
                rows.append(row)
        if rows:
            write_parquet_part(self.path, rows, schema=pa.schema(fields))

    def _array_rows(self, points: list[dict[str, Any]]) -> None:
        pa = _pyarrow()
        folder = self.path / ARRAYS
        kinds = self._existing_kinds(folder, "")
        rows: list[dict[str, Any]] = []
        for pt in points:
            for run in pt["runs"]:
                cols = _out_arrays(run["output"])
                if not cols:
                    continue
                if kinds is None:
                    kinds = {
                        "point": "int64",
                        "point_id": "string",
                        "run": "int64",
                        "index": "int64",
                        **{
                            k: ("bool" if a.dtype.kind == "b" else "double")
                            for k, a in cols.items()
                        },
                    }
                length = next(iter(cols.values())).shape[0]
                for i in range(length):
                    row: dict[str, Any] = {
                        "point": pt["point"],
                        "point_id": pt["point_id"],
                        "run": run["run"],
                        "index": i,
                    }
                    for k, t in kinds.items():
                        if k in row:
                            continue
                        a = cols.get(k)
                        row[k] = None if a is None else _cell(a[i].item(), t)
                    rows.append(row)
        if rows and kinds is not None:
            schema = pa.schema([(k, _arrow_type(pa, t)) for k, t in kinds.items()])
            write_parquet_part(folder, rows, schema=schema)

    def append(self, points: list[dict[str, Any]]) -> None:
        checked = with_checksums(self._check_points(points))
        if not checked:
            return
        manifest = self._read_manifest()
        if not _is_manifest(manifest):
            raise fail("ParquetStore.append", "path", "hold a sweep manifest", str(self.path))
        self._main_rows(checked, manifest)  # the records first: the arrays are derived
        self._array_rows(checked)

    # -- repair ---------------------------------------------------------------------------
    def _aside(self, part: Path, why: str) -> str:
        target = part.with_name(f"_{why}-{part.name}")
        os.replace(part, target)
        return f"moved {part.name} aside as {target.name} ({why})"

    def repair(self) -> list[str]:
        """Make the store sound again without losing a sound record.

        Removes a killed writer's temporary files, renames the legacy ``manifest.json``, moves
        unreadable parts aside, moves aside parts holding damaged or duplicated copies after
        writing the sound records they also held to a new part, and brings ``_arrays/`` in
        line with the records (missing rows written again from the exact outputs, rows of
        points no longer held moved aside). Call it with the store's lock held.
        """
        done = [f"removed {p.name}" for p in remove_temp_files(self.path)]
        if self._legacy_manifest.is_file() and not self.manifest_path.is_file():
            write_atomic(self.manifest_path, self._legacy_manifest.read_bytes())
            self._legacy_manifest.unlink()
            fsync_dir(self.path)
            done.append("renamed manifest.json to _manifest.json (readers skip it)")
        found = self.inspect()
        if not _is_manifest(found.manifest):
            return done
        for name in found.unreadable:
            done.append(self._aside(self.path / name, "corrupt"))
        rewrite: list[dict[str, Any]] = []
        for name, notes in found.status.items():
            if not name.endswith(".parquet") or name in found.unreadable:
                continue
            statuses = {s for _, s in notes}
            if statuses == {"kept"}:
                continue
            kept = [found.points[p] for p, s in notes if s == "kept" and p is not None]
            rewrite += kept
            why = "damaged" if "damaged" in statuses else "duplicate"
            done.append(self._aside(self.path / name, why))
        if rewrite:
            self._main_rows(rewrite, found.manifest)
            done.append(f"rewrote the sound records of {len(rewrite)} point(s) to a new part")
        done += self._repair_arrays(found)
        return done

    def _repair_arrays(self, found: Inspection) -> list[str]:
        folder = self.path / ARRAYS
        done = [f"removed {p.name}" for p in remove_temp_files(folder)] if folder.is_dir() else []
        seen: set[tuple[int, int]] = set()
        if folder.is_dir():
            for part in parquet_part_files(folder):
                try:
                    rows = read_parquet_part(part)
                except InvalidParameterError:
                    done.append(self._aside(part, "corrupt"))
                    continue
                keys: list[tuple[Any, Any, Any]] = [
                    (r.get("point"), r.get("run"), r.get("point_id")) for r in rows
                ]
                sound = all(
                    _as_int(p) is not None
                    and _as_int(r) is not None
                    and p in found.points
                    and found.points[p]["point_id"] == pid
                    for p, r, pid in keys
                )
                pairs = {(p, r) for p, r, _ in keys}
                if not sound or pairs & seen:
                    done.append(self._aside(part, "damaged" if not sound else "duplicate"))
                    continue
                seen |= {(int(p), int(r)) for p, r in pairs}
        missing = [
            {**pt, "runs": [r for r in pt["runs"] if (p, int(r["run"])) not in seen]}
            for p, pt in sorted(found.points.items())
        ]
        missing = [pt for pt in missing if any(_out_arrays(r["output"]) for r in pt["runs"])]
        if missing:
            self._array_rows(missing)
            done.append(f"wrote the array rows of {len(missing)} point(s) again")
        return done


def _pyarrow(module: str | None = None) -> Any:
    from shequn._optional import optional_import

    return optional_import("pyarrow" + (f".{module}" if module else ""), extra="parquet")


def open_store(store: str | os.PathLike[str] | SweepStore, *, owner: str) -> SweepStore:
    """Pick the store format for ``store``.

    ``*.jsonl`` is JSON Lines and ``*.parquet`` Parquet (pyarrow required); an existing file is
    JSON Lines and an existing directory Parquet; a new path of any other name is Parquet when
    pyarrow is installed, else JSON Lines. A :class:`SweepStore` is used as given.

    Examples
    --------
    >>> type(open_store("results.jsonl", owner="sweep")).__name__
    'JsonLinesStore'
    """
    if isinstance(store, SweepStore):
        return store
    if not isinstance(store, str | os.PathLike):
        raise fail(owner, "store", "be None, a path or a SweepStore", store)
    path = Path(store)
    if path.suffix == ".jsonl":
        return JsonLinesStore(path)
    if path.suffix == ".parquet":
        if importlib.util.find_spec("pyarrow") is None:
            raise ImportError(
                f"pyarrow is needed for the Parquet store {str(path)!r}; install it with "
                "`pip install shequn[parquet]` or use a .jsonl path"
            )
        return ParquetStore(path)
    if path.is_dir():
        return ParquetStore(path)
    if path.exists():
        return JsonLinesStore(path)
    if importlib.util.find_spec("pyarrow") is not None:
        return ParquetStore(path)
    return JsonLinesStore(path)
