"""Atomic whole-file writes (temporary file in the same directory, fsync, os.replace).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
>>> write_atomic(path, b"hello")
>>> path.read_bytes()
b'hello'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["fsync_dir", "write_atomic"]


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a directory entry to disk so that a rename or a new file survives a crash.

    A no-op where directories cannot be opened (Windows).

    Examples
    --------
    >>> import tempfile
    >>> fsync_dir(tempfile.gettempdir())
    """
    try:
        fd = os.open(os.fspath(path), os.O_RDONLY)
    except OSError:  # pragma: no cover - platform dependent
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old content or all of ``data``.

    The bytes go to a temporary file in the same directory (``.tmp-`` prefix), which is flushed,
    ``fsync``-ed and renamed over ``path`` with :func:`os.replace`; the directory is then synced.
    If anything fails the temporary file is removed and ``path`` is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> write_atomic(path, b"{}")
    >>> write_atomic(path, b'{"x": 1}')
    >>> path.read_text()
    '{"x": 1}'
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)
