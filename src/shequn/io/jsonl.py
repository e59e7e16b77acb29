"""JSON Lines that survive a crash: complete-line appends with fsync, torn-tail detection.

A file written only through :func:`append_jsonl` is a sequence of complete lines, each one JSON
value followed by ``\\n``. A process killed in the middle of a write can leave at most one
incomplete last line; :func:`read_jsonl` reports it (``torn``) and, with ``repair=True``,
truncates the file back to the last complete line so that later appends start clean.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "runs.jsonl"
>>> append_jsonl(path, [{"run": 0}])
>>> with open(path, "ab") as fh:  # a killed writer left half a line
...     _ = fh.write(b'{"run": 1, "val')
>>> got = read_jsonl(path, repair=True)
>>> got.values, got.torn_bytes
([{'run': 0}], 15)
>>> path.read_bytes()
b'{"run":0}\\n'
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from shequn._validation import check_bool, check_path, fail

__all__ = ["JsonLines", "append_jsonl", "from_jsonable", "read_jsonl", "to_jsonable"]

_ND = "__ndarray__"


def to_jsonable(obj: Any) -> Any:
    """Convert ``obj`` to plain JSON types, keeping numpy arrays and scalars exact.

    Arrays become ``{"__ndarray__": nested list, "dtype": ..., "shape": [...]}``; numpy scalars
    become Python scalars; tuples become lists; dict keys must be strings. Anything else raises
    :class:`TypeError` naming the type.

    Examples
    --------
    >>> to_jsonable({"x": np.float64(0.5), "v": np.arange(2)})
    {'x': 0.5, 'v': {'__ndarray__': [0, 1], 'dtype': 'int64', 'shape': [2]}}
    """
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biufUS":
            raise TypeError(f"cannot store a numpy array of dtype {obj.dtype} as JSON")
        return {_ND: obj.tolist(), "dtype": str(obj.dtype), "shape": list(obj.shape)}
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise TypeError(f"cannot store a dict with a {type(key).__name__} key as JSON")
            out[key] = to_jsonable(value)
        return out
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    raise TypeError(f"cannot store a {type(obj).__name__} as JSON")


def from_jsonable(obj: Any) -> Any:
    """Invert :func:`to_jsonable`: rebuild numpy arrays with their dtype and shape.

    Examples
    --------
    >>> from_jsonable(to_jsonable(np.eye(2))).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if isinstance(obj, dict):
        if _ND in obj and "dtype" in obj and "shape" in obj:
            return np.asarray(obj[_ND], dtype=np.dtype(obj["dtype"])).reshape(obj["shape"])
        return {k: from_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [from_jsonable(v) for v in obj]
    return obj


def _dumps(value: Any) -> bytes:
    text = json.dumps(to_jsonable(value), separators=(",", ":"), allow_nan=True)
    return text.encode("utf-8") + b"\n"


def append_jsonl(path: str | os.PathLike[str], values: Iterable[Any]) -> None:
    """Append ``values`` to ``path``, one JSON line each, in one write followed by fsync.

    Either every line reaches the disk complete or (if the process dies mid-write) the file ends
    with one torn line that :func:`read_jsonl` detects. The file is created if missing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> append_jsonl(path, [1, [2, 3]])
    >>> path.read_text()
    '1\\n[2,3]\\n'
    """
    path = check_path(path, owner="append_jsonl", field="path")
    if isinstance(values, str | bytes | dict) or not isinstance(values, Iterable):
        raise fail("append_jsonl", "values", "be an iterable of JSON values", values)
    data = b"".join(_dumps(v) for v in values)
    if not data:
        return
    if Path(path).is_dir():
        raise fail("append_jsonl", "path", "be a file, not a directory", str(path))
    with open(path, "ab") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


@attrs.frozen(kw_only=True)
class JsonLines:
    """What :func:`read_jsonl` found: the decoded values and the size of a torn tail.

    Attributes
    ----------
    path
        The file read.
    values
        One decoded value per complete line, in file order.
    torn_bytes
        Bytes after the last complete line (0 if the file ended cleanly). With ``repair=True``
        they have been truncated away.
    invalid
        Numbers (from 1) of the complete lines that are not valid JSON, when read with
        ``strict=False`` (left out of ``values``, never removed from the file).

    Examples
    --------
    >>> JsonLines(path=Path("x.jsonl"), values=[], torn_bytes=0).torn_bytes
    0
    """

    path: Path
    values: list[Any]
    torn_bytes: int
    invalid: tuple[int, ...] = ()


def read_jsonl(
    path: str | os.PathLike[str], *, repair: bool = False, strict: bool = True
) -> JsonLines:
    """Read a JSON Lines file written by :func:`append_jsonl`.

    A last line without its newline, or one that is not valid JSON, is a torn write: it is left
    out of ``values`` and counted in ``torn_bytes``; ``repair=True`` truncates it from the file.
    An invalid line anywhere else means the file was changed by something else: it raises
    :class:`~shequn.exceptions.InvalidParameterError` naming the file and the line, or with
    ``strict=False`` is skipped and reported in ``invalid`` (a store reads this way, so that
    one damaged line costs only the records on it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "bad.jsonl"
    >>> _ = path.write_bytes(b'{"a": 1}\\nnot json\\n{"a": 2}\\n')
    >>> read_jsonl(path)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `read_jsonl.path` must hold one JSON ... (line 2 ...
    """
    path = check_path(path, owner="read_jsonl", field="path")
    repair = check_bool(repair, owner="read_jsonl", field="repair")
    strict = check_bool(strict, owner="read_jsonl", field="strict")
    p = Path(path)
    if not p.is_file():
        raise fail("read_jsonl", "path", "be an existing file", str(p))
    data = p.read_bytes()
    lines = data.split(b"\n")
    # after the split the last element is what follows the final newline (b"" when clean)
    tail = lines.pop()
    values: list[Any] = []
    invalid: list[int] = []
    good_end = 0
    torn = len(tail)
    for number, line in enumerate(lines, start=1):
        try:
            values.append(from_jsonable(json.loads(line)))
        except ValueError as exc:
            if number == len(lines) and not tail:
                # the last newline-terminated line is itself garbage: a torn write that
                # happened to contain a newline byte cannot occur with append_jsonl, but a
                # partially flushed page can; treat it as torn too
                torn = len(data) - good_end
                break
            if strict:
                raise fail(
                    "read_jsonl",
                    "path",
                    f"hold one JSON value per line (line {number} is not valid JSON)",
                    str(p),
                ) from exc
            invalid.append(number)
        good_end += len(line) + 1
    if torn and repair:
        with open(p, "r+b") as fh:
            fh.truncate(good_end)
            fh.flush()
            os.fsync(fh.fileno())
    return JsonLines(path=p, values=values, torn_bytes=torn, invalid=tuple(invalid))
