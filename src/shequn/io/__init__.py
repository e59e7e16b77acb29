"""Files in and out: crash-safe JSON Lines, atomic whole-file writes and Parquet part files.

This is the shell's I/O layer; the core never imports it. It holds only what the experiment
store needs, each piece documented with its guarantee:

* :func:`write_atomic` writes a whole file through a temporary file in the same directory,
  ``fsync`` and :func:`os.replace`, so readers see the old file or the new one, never half.
* :func:`append_jsonl` appends complete lines (one JSON value each) with a single write,
  ``flush`` and ``fsync``; :func:`read_jsonl` reads them back and detects a torn last line
  (a process killed mid-write), which it can truncate away (``repair=True``).
* :func:`to_jsonable` / :func:`from_jsonable` carry numpy arrays and scalars through JSON exactly
  (floats are written with ``repr``, which round-trips).
* :func:`write_parquet_part` / :func:`read_parquet_parts` keep a directory of Parquet part files,
  each written atomically; they need the optional ``pyarrow`` (extra ``parquet``).
* :func:`remove_temp_files` clears what a killed writer left; :class:`FileLock` keeps a second
  writer out of a store (released by the kernel if the holder dies).

Examples
--------
>>> import tempfile, pathlib
>>> from shequn.io import append_jsonl, read_jsonl
>>> path = pathlib.Path(tempfile.mkdtemp()) / "log.jsonl"
>>> append_jsonl(path, [{"a": 1}, {"a": 2.5}])
>>> read_jsonl(path).values
[{'a': 1}, {'a': 2.5}]
"""

from shequn.io.files import FileLock, remove_temp_files, write_atomic
from shequn.io.jsonl import JsonLines, append_jsonl, from_jsonable, read_jsonl, to_jsonable
from shequn.io.parquet import (
    parquet_part_files,
    read_parquet_part,
    read_parquet_parts,
    write_parquet_part,
)

__all__ = [
    "FileLock",
    "JsonLines",
    "append_jsonl",
    "from_jsonable",
    "parquet_part_files",
    "read_jsonl",
    "read_parquet_part",
    "read_parquet_parts",
    "remove_temp_files",
    "to_jsonable",
    "write_atomic",
    "write_parquet_part",
]
