"""Atomic whole-file writes, leftover temporary files, and the writers' lock of a store.

* :func:`write_atomic` writes through a temporary file in the same directory (``.tmp-<pid>-``
  prefix), ``fsync`` and :func:`os.replace`: readers see the old file or the new one.
* :func:`remove_temp_files` removes what a killed writer left (temporary files whose process
  is gone, or older than a day).
* :class:`FileLock` is an advisory exclusive lock (``fcntl.flock``) on a lock file: one writer
  at a time, released by the kernel when its process dies, so a killed writer never leaves a
  stale lock.

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
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from shequn._validation import check_path, fail

__all__ = ["FileLock", "fsync_dir", "remove_temp_files", "write_atomic"]

TEMP_PREFIX = ".tmp-"
"""Prefix of the temporary files of :func:`write_atomic` (``.tmp-<pid>-<random><suffix>``)."""


def _check_path(path: Any, owner: str, field: str = "path") -> Path:
    return Path(check_path(path, owner=owner, field=field))


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a directory entry to disk so that a rename or a new file survives a crash.

    A no-op where directories cannot be opened (Windows).

    Examples
    --------
    >>> import tempfile
    >>> fsync_dir(tempfile.gettempdir())
    """
    p = _check_path(path, "fsync_dir")
    if not p.is_dir():
        raise fail("fsync_dir", "path", "be an existing directory", str(p))
    try:
        fd = os.open(os.fspath(p), os.O_RDONLY)
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
    target = _check_path(path, "write_atomic")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise fail("write_atomic", "data", "be bytes", type(data).__name__)
    if not target.parent.is_dir():
        raise fail("write_atomic", "path", "be in an existing directory", str(target))
    if target.is_dir():
        raise fail("write_atomic", "path", "not be a directory", str(target))
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=target.parent
    )
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's live process
        return True
    return True


def remove_temp_files(folder: str | os.PathLike[str], *, max_age: float = 86_400.0) -> list[Path]:
    """Remove the temporary files a killed :func:`write_atomic` left in ``folder``.

    A temporary file is removed when the process named in it (``.tmp-<pid>-...``) no longer
    runs on this machine, or when it is older than ``max_age`` seconds (files of another
    machine, or of the old unnamed form). A live writer's file is left alone. Returns the
    removed paths.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".tmp-999999999-ab.parquet").write_bytes(b"half a part")
    >>> [p.name for p in remove_temp_files(folder)]
    ['.tmp-999999999-ab.parquet']
    """
    root = _check_path(folder, "remove_temp_files", "folder")
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    now = time.time()
    for p in sorted(root.glob(f"{TEMP_PREFIX}*")):
        if not p.is_file():
            continue
        pid_text = p.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        dead = pid_text.isdigit() and not _alive(int(pid_text))
        try:
            old = now - p.stat().st_mtime > max_age
        except FileNotFoundError:  # pragma: no cover - removed meanwhile
            continue
        if dead or old:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
                removed.append(p)
    if removed:
        fsync_dir(root)
    return removed


class FileLock:
    """An exclusive advisory lock on ``path`` (created if missing), for one writer at a time.

    ``acquire()`` does not wait: when another process holds the lock it raises
    :class:`~shequn.exceptions.InvalidParameterError` naming ``owner.field`` and the lock
    file. The kernel releases the lock when the holder exits or is killed, so no stale lock
    survives a crash. Where ``fcntl`` is missing (Windows) the lock is a no-op.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "store.lock"
    >>> with FileLock(path, owner="sweep", field="store"):
    ...     pass
    """

    def __init__(self, path: str | os.PathLike[str], *, owner: str, field: str) -> None:
        self.path = _check_path(path, owner, field)
        self.owner = owner
        self.field = field
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise if another process holds it."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise fail(
                self.owner,
                self.field,
                "not be in use by another process (one writer at a time; wait for it or use "
                f"another path; lock file {str(self.path)!r})",
                str(self.path),
            ) from None
        self._fd = fd

    def release(self) -> None:
        """Release the lock (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
