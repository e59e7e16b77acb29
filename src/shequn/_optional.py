"""Lazy imports of optional extras with an error that says which extra to install.

Examples
--------
>>> from shequn._optional import optional_import
>>> math = optional_import("math", extra="none")
>>> math.sqrt(4.0)
2.0
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["optional_import"]


def optional_import(module: str, *, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`ImportError` naming the shequn extra that provides it.

    Examples
    --------
    >>> optional_import("no_such_module_xyz", extra="plot")
    Traceback (most recent call last):
    ...
    ImportError: no_such_module_xyz is needed here; install it with `pip install shequn[plot]`
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{module} is needed here; install it with `pip install shequn[{extra}]`"
        ) from exc
