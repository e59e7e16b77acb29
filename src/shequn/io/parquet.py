"""A directory of Parquet part files, each written atomically (needs the optional pyarrow).

Each call to :func:`write_parquet_part` writes one new file ``part-<n>-<token>.parquet`` through a
temporary file and :func:`os.replace`, so a killed process leaves either a complete part or only a
``.tmp-`` file, which :func:`read_parquet_parts` ignores. Parts are never rewritten, so earlier
results cannot be damaged by a later write.

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
from shequn.io.files import write_atomic

__all__ = ["read_parquet_parts", "write_parquet_part"]

_PREFIX = "part-"


def _part_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob(f"{_PREFIX}*.parquet") if p.is_file())


def write_parquet_part(folder: str | os.PathLike[str], rows: Sequence[dict[str, Any]]) -> Path:
    """Write ``rows`` (dicts with the same keys) as a new part file in ``folder``, atomically.

    Column types are inferred by pyarrow; nested lists become list columns. Returns the path of
    the new part. Parts sort in the order they were written.

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
    pa = optional_import("pyarrow", extra="parquet")
    pq = optional_import("pyarrow.parquet", extra="parquet")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    number = len(_part_files(target))
    path = target / f"{_PREFIX}{number:06d}-{uuid.uuid4().hex[:8]}.parquet"
    table = pa.Table.from_pylist(list(rows))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    write_atomic(path, sink.getvalue())
    return path


def read_parquet_parts(folder: str | os.PathLike[str]) -> list[list[dict[str, Any]]]:
    """Read every complete part file in ``folder``, in write order, as lists of row dicts.

    Leftover temporary files from a killed writer are ignored. Parts are read one by one, so
    parts whose column types differ (an int column in one, float in another) do not clash.

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
    pq = optional_import("pyarrow.parquet", extra="parquet")
    out: list[list[dict[str, Any]]] = []
    for path in _part_files(Path(folder)):
        rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        out.append(rows)
    return out
