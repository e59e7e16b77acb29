"""Sweep stores: finished grid points on disk, as they complete, safe against crashes.

Two formats hold the same content:

* **JSON Lines** (a file, always available): the first line is the manifest, every further line
  one finished grid point with all its runs. Lines are appended with one write, flush and
  ``fsync`` (:func:`shequn.io.append_jsonl`), so a killed process can only leave one torn last
  line, which is detected and truncated when the sweep resumes.
* **Parquet** (a directory, needs pyarrow): ``manifest.json`` and part files, one per batch of
  finished points, each written to a temporary file and renamed into place
  (:func:`shequn.io.write_parquet_part`), one row per run with ``param.*`` and ``out.*`` columns
  for analysis and ``output_json`` for exact reconstruction.

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
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from shequn._validation import fail
from shequn.exceptions import InvalidParameterError
from shequn.io.files import write_atomic
from shequn.io.jsonl import append_jsonl, from_jsonable, read_jsonl, to_jsonable
from shequn.io.parquet import read_parquet_parts, write_parquet_part

__all__ = [
    "IDENTITY_FIELDS",
    "JsonLinesStore",
    "ParquetStore",
    "StoreMismatchError",
    "SweepStore",
    "open_store",
]

FORMAT = "shequn-sweep"
FORMAT_VERSION = 1
IDENTITY_FIELDS = ("fn", "version", "runs", "grid_hash", "n_points", "rng_entropy", "rng_spawn_key")


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
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
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


class SweepStore:
    """Where a sweep keeps its finished points (base class of the two formats).

    Examples
    --------
    >>> SweepStore(Path("x")).path
    PosixPath('x')
    """

    kind = "base"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def exists(self) -> bool:  # pragma: no cover - abstract
        """True if the store already holds a sweep."""
        raise NotImplementedError

    def create(self, manifest: dict[str, Any]) -> None:  # pragma: no cover - abstract
        """Start a new store with ``manifest``."""
        raise NotImplementedError

    def read(self) -> tuple[Any, list[dict[str, Any]]]:  # pragma: no cover - abstract
        """The manifest and the finished points (dicts with point, point_id, params, runs)."""
        raise NotImplementedError

    def repair(self) -> None:
        """Drop what a killed writer left half-written (after the manifest was checked)."""

    def append(self, points: list[dict[str, Any]]) -> None:  # pragma: no cover - abstract
        """Durably add finished points."""
        raise NotImplementedError


class JsonLinesStore(SweepStore):
    """A JSON Lines file: the manifest line, then one line per finished point.

    Examples
    --------
    >>> JsonLinesStore("runs.jsonl").kind
    'jsonl'
    """

    kind = "jsonl"

    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def create(self, manifest: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"shequn_sweep": manifest}, separators=(",", ":")) + "\n"
        write_atomic(self.path, line.encode("utf-8"))

    def read(self) -> tuple[Any, list[dict[str, Any]]]:
        got = read_jsonl(self.path)
        if not got.values or not isinstance(got.values[0], dict):
            return None, []
        manifest = got.values[0].get("shequn_sweep")
        return manifest, [v for v in got.values[1:] if isinstance(v, dict)]

    def repair(self) -> None:
        read_jsonl(self.path, repair=True)

    def append(self, points: list[dict[str, Any]]) -> None:
        append_jsonl(self.path, points)


def _uniform(values: list[Any]) -> bool:
    kinds = {type(v) for v in values if v is not None}
    return len(kinds) <= 1 or kinds <= {int, float}


class ParquetStore(SweepStore):
    """A directory: ``manifest.json`` plus atomically written Parquet part files (pyarrow).

    Examples
    --------
    >>> ParquetStore("runs.parquet").kind
    'parquet'
    """

    kind = "parquet"

    @property
    def manifest_path(self) -> Path:
        """The manifest file inside the store directory."""
        return self.path / "manifest.json"

    def exists(self) -> bool:
        if self.manifest_path.is_file():
            return True
        return self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir()))

    def create(self, manifest: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.manifest_path, json.dumps(manifest).encode("utf-8"))

    def read(self) -> tuple[Any, list[dict[str, Any]]]:
        if not self.manifest_path.is_file():
            return None, []
        try:
            manifest = json.loads(self.manifest_path.read_text("utf-8"))
        except ValueError:
            return None, []
        points: dict[int, dict[str, Any]] = {}
        for part in read_parquet_parts(self.path):
            for row in part:
                p = int(row["point"])
                entry = points.setdefault(
                    p, {"point": p, "point_id": row["point_id"], "params": None, "runs": []}
                )
                entry["runs"].append(
                    {
                        "run": int(row["run"]),
                        "entropy": json.loads(row["seed_entropy"]),
                        "spawn_key": list(row["spawn_key"]),
                        "output": from_jsonable(json.loads(row["output_json"])),
                        "attempts": int(row["attempts"]),
                        "seconds": float(row["seconds"]),
                    }
                )
        grid = manifest.get("points", []) if isinstance(manifest, dict) else []
        for p, entry in points.items():
            entry["params"] = grid[p] if p < len(grid) else {}
        return manifest, [points[p] for p in sorted(points)]

    def append(self, points: list[dict[str, Any]]) -> None:
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
                    "seconds": run["seconds"],
                    "output_json": json.dumps(to_jsonable(run["output"])),
                }
                for k, v in pt["params"].items():
                    row[f"param.{k}"] = v
                out = run["output"]
                if isinstance(out, dict):
                    for k, v in out.items():
                        if isinstance(v, bool | int | float | str):
                            row[f"out.{k}"] = v
                elif isinstance(out, bool | int | float | str):
                    row["out.value"] = out
                rows.append(row)
        if not rows:
            return
        names: dict[str, None] = {}
        for r in rows:
            names.update(dict.fromkeys(r))
        keep = [
            n
            for n in names
            if not n.startswith(("param.", "out.")) or _uniform([r.get(n) for r in rows])
        ]
        write_parquet_part(self.path, [{n: r.get(n) for n in keep} for r in rows])


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
