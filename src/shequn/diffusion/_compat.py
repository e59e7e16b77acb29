"""Deprecation bridges for values whose shape changed with the library's one vocabulary.

``BassFit.params`` and ``OpenRateFit.params`` became ``{name: value}`` mappings and their
``conf_int()`` became ``{name: (lower, upper)}`` (docs/architecture.md, "Vocabulary"). The new
values are plain dicts for every dict use; for one release they also answer the old array
use (``fit.params[1]``, ``fit.params[:2]``, ``np.asarray(fit.params)``, ``fit.params.round(4)``,
``ci[0, 1]``, ``ci.shape``) with a :class:`DeprecationWarning` naming the replacement.

Examples
--------
>>> import warnings
>>> from shequn.diffusion._compat import ArrayDict
>>> d = ArrayDict({"p": 0.03, "q": 0.38}, old="fit.params[i]", new='fit.params["q"]')
>>> d["q"], list(d)
(0.38, ['p', 'q'])
>>> with warnings.catch_warnings(record=True) as w:
...     warnings.simplefilter("always")
...     old = d[1]
>>> float(old), w[0].category.__name__
(0.38, 'ShequnDeprecationWarning')
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np

from shequn.exceptions import ShequnDeprecationWarning


def _float_equal(a: float, b: float) -> bool:
    return bool(a == b or (math.isnan(a) and math.isnan(b)))


nan_eq = attrs.cmp_using(eq=_float_equal)


def as_floats(instance: Any, *names: str) -> None:
    """Store the named fields of a frozen attrs ``instance`` as floats (call it in
    ``__attrs_post_init__``, after the validators have refused anything not a real number).

    Float fields carry no ``converter=float``: it would quietly read ``"0.5"`` as 0.5 and
    ``True`` as 1.0 before any validator sees them.
    """
    for name in names:
        object.__setattr__(instance, name, float(getattr(instance, name)))


"""attrs ``eq=`` for float fields that may be NaN (a NaN field must not make a result unequal
to itself)."""

__all__ = ["ArrayDict", "as_floats", "nan_eq"]


class ArrayDict(dict[str, Any]):
    """A ``{name: value}`` dict that still answers the array API it replaced, with a warning.

    Parameters
    ----------
    data
        The mapping (its values in the order of the old array's rows).
    old, new
        How the old use and its replacement are spelled, for the warning.
    """

    def __init__(self, data: dict[str, Any], *, old: str = "", new: str = "") -> None:
        super().__init__(data)
        self._old = old
        self._new = new

    def _warn(self) -> None:
        warnings.warn(
            f"{self._old} as an array is deprecated: it is now a {{name: value}} mapping "
            f"(docs/architecture.md, Vocabulary); use {self._new}",
            ShequnDeprecationWarning,
            stacklevel=3,
        )

    def _array(self) -> np.ndarray[Any, Any]:
        return np.asarray(list(self.values()), dtype=np.float64)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(key)
        self._warn()
        return self._array()[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        self._warn()
        out = self._array()
        return out if dtype is None else out.astype(dtype)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        self._warn()
        return getattr(self._array(), name)
