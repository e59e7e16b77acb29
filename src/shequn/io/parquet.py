"""A directory of Parquet part files, each written atomically (needs the optional pyarrow).

Each call to :func:`write_parquet_part` writes one new file ``part-<n>-<token>.parquet`` through a
temporary file and :func:`os.replace`, so a killed process leaves either a complete part or only a
``.tmp-`` file, which readers ignore (as pyarrow and pandas do every file starting with ``.`` or
``_``). Parts are never rewritten, so earlier results cannot be damaged by a later write. A part
that cannot be read (truncated, overwritten) raises :class:`InvalidParameterError` naming the
file, never a bare pyarrow error.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> try:
...     _ = write_parquet_part(folder, [{"run": 0, "value": 0.5}])
...     rows = [r for part in read_parquet_parts(folder) for r in part]
... except ImportError:  # pyarrow is optional
...     rows = [{"run": 0, "value": 0.5}]
>>> rows
[{'run': 0, 'value': 0.5}]
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shequn._optional import optional_import
from shequn._validation import check_path, fail
from shequn.io.files import write_atomic

__all__ = ["parquet_part_files", "read_parquet_part", "read_parquet_parts", "write_parquet_part"]

_PREFIX = "part-"


def _folder(folder: Any, owner: str) -> Path:
    return Path(check_path(folder, owner=owner, field="folder"))


def _part_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob(f"{_PREFIX}*.parquet") if p.is_file())


def parquet_part_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The part files of ``folder`` in write order (temporary and quarantined files excluded).

    Examples
    --------
    >>> import tempfile
    >>> parquet_part_files(tempfile.mkdtemp())
    []
    """
    root = _folder(folder, "parquet_part_files")
    if not root.is_dir():
        raise fail("parquet_part_files", "folder", "be an existing directory", str(root))
    return _part_files(root)


def _part_number(p: Path) -> int:
    text = p.name[len(_PREFIX) :].split("-", 1)[0]
    return int(text) if text.isdigit() else -1


def write_parquet_part(
    folder: str | os.PathLike[str], rows: Sequence[dict[str, Any]], *, schema: Any = None
) -> Path:
    """Write ``rows`` (dicts with the same keys) as a new part file in ``folder``, atomically.

    Column types are inferred by pyarrow, or taken from ``schema`` (a ``pyarrow.Schema``, so
    that every part of a dataset has the same columns and types); nested lists become list
    columns. Returns the path of the new part. Parts sort in the order they were written.

    Examples
    --------
    >>> import tempfile
    >>> try:
    ...     name = write_parquet_part(tempfile.mkdtemp(), [{"x": 1}]).name
    ... except ImportError:
    ...     name = "part-000000-abc.parquet"
    >>> name.startswith("part-000000-") and name.endswith(".parquet")
    True
    """
    target = _folder(folder, "write_parquet_part")
    if (
        isinstance(rows, str | bytes | dict)
        or not isinstance(rows, Sequence)
        or not all(isinstance(r, dict) for r in rows)
    ):
        raise fail("write_parquet_part", "rows", "be a sequence of dicts (one per row)", rows)
    pa = optional_import("pyarrow", extra="parquet")
    pq = optional_import("pyarrow.parquet", extra="parquet")
    target.mkdir(parents=True, exist_ok=True)
    number = max((_part_number(p) for p in _part_files(target)), default=-1) + 1
    path = target / f"{_PREFIX}{number:06d}-{uuid.uuid4().hex[:8]}.parquet"
    table = pa.Table.from_pylist(list(rows), schema=schema)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    write_atomic(path, sink.getvalue())
    return path


def read_parquet_parts(folder: str | os.PathLike[str]) -> list[list[dict[str, Any]]]:
    """Read every complete part file in ``folder``, in write order, as lists of row dicts.

    Leftover temporary files from a killed writer are ignored. Parts are read one by one, so
    parts whose column types differ (an int column in one, float in another) do not clash. An
    unreadable part raises :class:`InvalidParameterError` naming it (see
    :func:`read_parquet_part`).

    Examples
    --------
    >>> import tempfile
    >>> try:
    ...     parts = read_parquet_parts(tempfile.mkdtemp())
    ... except ImportError:
    ...     parts = []
    >>> parts
    []
    """
    root = _folder(folder, "read_parquet_parts")
    if not root.is_dir():
        raise fail("read_parquet_parts", "folder", "be an existing directory", str(root))
    return [read_parquet_part(p) for p in _part_files(root)]


def read_parquet_part(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read one part file as a list of row dicts; an unreadable file is our error naming it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "part-000000-x.parquet"
    >>> _ = bad.write_bytes(b"PAR1 but not really")
    >>> try:
    ...     read_parquet_part(bad)
    ... except ImportError:  # pyarrow is optional
    ...     print("`read_parquet_part.path` must ...")
    ... except ValueError as err:
    ...     print(str(err)[:31])
    `read_parquet_part.path` must ...
    """
    path = check_path(path, owner="read_parquet_part", field="path")
    pq = optional_import("pyarrow.parquet", extra="parquet")
    pa = optional_import("pyarrow", extra="parquet")
    try:
        rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    except (pa.ArrowException, OSError) as exc:
        raise fail(
            "read_parquet_part",
            "path",
            f"be a readable Parquet file ({type(exc).__name__}: {exc})",
            str(path),
        ) from exc
    return rows
