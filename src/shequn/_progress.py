"""Progress for long calls: a tqdm bar, a callback ``(done, total)``, or nothing.

Every long single call (scenarios, simulate over many weeks at scale, cascades with many runs,
IMM, bootstraps, sweeps) takes ``progress=`` and reports through :class:`Progress`:

* ``None`` (the default): a bar when tqdm is installed and stderr is a terminal or the code
  runs in a notebook, nothing otherwise;
* ``True``: a bar (tqdm must be installed); ``False``: nothing;
* a callable: called as ``progress(done, total)`` after each update.

In a notebook the widget bar is used only when ipywidgets is installed; without it the text
bar is used, quietly (no "IProgress not found" warning).

Examples
--------
>>> from shequn._progress import Progress
>>> seen = []
>>> bar = Progress(lambda done, total: seen.append((done, total)), total=4, owner="sweep")
>>> bar.update(3); bar.update(1); bar.close()
>>> seen
[(3, 4), (4, 4)]
>>> Progress("yes", total=1, owner="imm")
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `imm.progress` must be None, True, False or a \
callable(done, total); got 'yes'
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from typing import Any

from shequn._optional import optional_import
from shequn._validation import fail

__all__ = ["Progress", "ProgressLike", "check_progress"]

ProgressLike = bool | Callable[[int, int], object] | None
"""What ``progress=`` accepts."""


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - odd IPython installs
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _interactive() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        tty = bool(isatty()) if isatty is not None else False
    except ValueError:  # closed stream
        tty = False
    return tty or _in_notebook()


def _tqdm_module() -> Any:
    widgets = _in_notebook() and importlib.util.find_spec("ipywidgets") is not None
    return optional_import("tqdm.auto" if widgets else "tqdm", extra="progress")


_RULE = "be None, True, False or a callable(done, total)"


def check_progress(progress: Any, *, owner: str) -> Any:
    """Return ``progress`` if it is a valid ``progress=`` value, without showing anything.

    For calls that check their arguments before the work (and the bar) starts.

    Examples
    --------
    >>> check_progress(None, owner="sweep") is None
    True
    >>> check_progress(2, owner="sweep")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `sweep.progress` must be None, True, False or a \
callable(done, total); got 2
    """
    if progress is None or isinstance(progress, bool) or callable(progress):
        return progress
    raise fail(owner, "progress", _RULE, progress)


class Progress:
    """A progress display for ``total`` units of work (see the module docstring).

    Parameters
    ----------
    progress
        ``None``, ``True``, ``False`` or a callable ``(done, total)``.
    total
        Units of work (runs, weeks, RR sets).
    owner
        The function whose ``progress`` argument this is (named in errors).
    desc
        Label of the bar.
    """

    def __init__(self, progress: Any, *, total: int, owner: str, desc: str = "runs") -> None:
        self.total = total
        self.done = 0
        self._bar: Any = None
        self._callback: Callable[[int, int], object] | None = None
        if callable(progress) and not isinstance(progress, bool):
            self._callback = progress
        elif progress is True or (
            progress is None and importlib.util.find_spec("tqdm") is not None and _interactive()
        ):
            self._bar = _tqdm_module().tqdm(total=total, desc=desc)
        elif progress is not None and progress is not False:
            raise fail(owner, "progress", _RULE, progress)

    @property
    def active(self) -> bool:
        """Whether anything is shown or called (callers may skip bookkeeping otherwise)."""
        return self._bar is not None or self._callback is not None

    def update(self, n: int) -> None:
        """Record ``n`` more finished units."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        if self._callback is not None:
            self._callback(self.done, self.total)

    def close(self) -> None:
        """Close the bar, if any."""
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
