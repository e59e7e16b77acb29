"""Read one table's raw columns from a CSV or Parquet file, a DataFrame or a mapping.

Files are read with the standard library's :mod:`csv` module; Parquet needs pyarrow (the
``parquet`` extra, imported when a Parquet file is read); DataFrames are read through their
``columns`` and ``to_numpy`` without importing pandas. Nothing here interprets a value: the
columns come back as object arrays of what was there (``None`` for an empty CSV cell).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._validation import fail

__all__ = ["RawTable", "find_files", "read_table"]

RawTable = tuple[str, dict[str, NDArray[Any]], int]
"""(origin, column name → raw values, number of rows)."""

SUFFIXES = (".csv", ".parquet", ".pq")


def find_files(directory: str | os.PathLike[str], tables: tuple[str, ...]) -> dict[str, Path]:
    """The ``<table>.csv`` / ``<table>.parquet`` files of a directory, by table name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "members.csv").write_text("member,joined\\n1,0\\n")
    >>> sorted(find_files(d, ("members", "ties")))
    ['members']
    """
    root = Path(directory)
    if not root.is_dir():
        raise fail("load_records", "source", "be a directory of records files", str(directory))
    out: dict[str, Path] = {}
    for name in tables:
        hits = [root / f"{name}{s}" for s in SUFFIXES if (root / f"{name}{s}").is_file()]
        if len(hits) > 1:
            raise fail(
                "load_records",
                name,
                "be one file (found several)",
                ", ".join(h.name for h in hits),
            )
        if hits:
            out[name] = hits[0]
    return out


def _read_csv(path: Path, table: str) -> RawTable:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise fail(table, "file", "have a header line", path.name) from None
        rows = list(reader)
    width = len(header)
    cols: dict[str, list[Any]] = {h: [] for h in header}
    for i, r in enumerate(rows, start=1):
        if len(r) != width:
            if not any(c.strip() for c in r):  # blank line
                r = [""] * width
            else:
                raise fail(
                    table,
                    "file",
                    f"have {width} fields on every line ({path.name}, row {i})",
                    len(r),
                )
        for h, v in zip(header, r, strict=True):
            v = v.strip()
            cols[h].append(v if v else None)
    blank = [i for i in range(len(rows)) if all(cols[h][i] is None for h in header)]
    if blank:  # blank lines are not rows
        keep = np.ones(len(rows), dtype=bool)
        keep[blank] = False
        out = {h: np.asarray(v, dtype=object)[keep] for h, v in cols.items()}
        return path.name, out, int(keep.sum())
    return path.name, {h: np.asarray(v, dtype=object) for h, v in cols.items()}, len(rows)


def _read_parquet(path: Path) -> RawTable:
    pq = optional_import("pyarrow.parquet", extra="parquet")
    t = pq.read_table(path)
    cols = {
        str(name): _column(t.column(name).to_numpy(zero_copy_only=False)) for name in t.schema.names
    }
    return path.name, cols, int(t.num_rows)


def _column(values: Any) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = np.asarray(list(values), dtype=object)
    return arr


def read_table(source: Any, table: str) -> RawTable:
    """Raw columns of one table from a path, a DataFrame or a mapping of columns.

    Examples
    --------
    >>> origin, cols, n = read_table({"member": [1, 2], "joined": [0, 0]}, "members")
    >>> origin, sorted(cols), n
    ('mapping members', ['joined', 'member'], 2)
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise fail("load_records", table, "be an existing file", str(source))
        if path.suffix.lower() == ".csv":
            return _read_csv(path, table)
        if path.suffix.lower() in (".parquet", ".pq"):
            return _read_parquet(path)
        raise fail("load_records", table, "be a .csv or .parquet file", path.name)
    if hasattr(source, "columns") and hasattr(source, "__getitem__") and hasattr(source, "shape"):
        cols = {}
        for name in source.columns:
            col = source[name]
            values = col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)
            cols[str(name)] = _column(values)
        return f"DataFrame {table}", cols, int(source.shape[0])
    if isinstance(source, Mapping):
        cols = {str(k): _column(v) for k, v in source.items()}
        sizes = {v.shape[0] for v in cols.values()}
        if len(sizes) > 1:
            raise fail("load_records", table, "have columns of one length", sorted(sizes))
        return f"mapping {table}", cols, sizes.pop() if sizes else 0
    raise fail(
        "load_records",
        table,
        "be a CSV or Parquet path, a DataFrame or a mapping of columns",
        type(source).__name__,
    )
