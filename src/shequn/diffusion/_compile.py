"""A one-line notice the first time this process compiles a diffusion kernel.

numba compiles each kernel on its first call after installation (or after the disk cache was
cleared) and caches it on disk, so the first call of a session can take seconds while every
later one starts at once. The notice says so, once per process, on stderr, when numba really
compiles (a cache hit is silent); ``SHEQUN_QUIET=1`` silences it.

Examples
--------
>>> from shequn.diffusion._compile import install_notice
>>> install_notice()      # idempotent
"""

from __future__ import annotations

import os
import sys
from typing import Any

from numba.core import event

__all__ = ["install_notice"]

_PREFIX = "shequn.diffusion"


class _Notice(event.Listener):
    def __init__(self) -> None:
        self.said = False

    def on_start(self, ev: Any) -> None:
        if self.said or os.environ.get("SHEQUN_QUIET"):
            return
        dispatcher = ev.data.get("dispatcher") if isinstance(ev.data, dict) else None
        module = getattr(getattr(dispatcher, "py_func", None), "__module__", "") or ""
        if module.startswith(_PREFIX):
            self.said = True
            print(
                "shequn: compiling the diffusion kernels for this machine (first use after "
                "installation, a few seconds; cached on disk afterwards)",
                file=sys.stderr,
                flush=True,
            )

    def on_end(self, ev: Any) -> None:
        pass


_LISTENER: _Notice | None = None


def install_notice() -> None:
    """Register the notice with numba's compile events (once per process)."""
    global _LISTENER
    if _LISTENER is None:
        _LISTENER = _Notice()
        event.register("numba:compile", _LISTENER)  # type: ignore[no-untyped-call]
