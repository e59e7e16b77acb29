"""The library's array aliases and the one attrs equality for array fields.

Every module names its arrays with these aliases (not local ``F64``/``FloatArr`` copies) and
compares array fields of frozen value types with :data:`array_eq`.

Examples
--------
>>> import attrs
>>> import numpy as np
>>> from shequn._typing import FloatArray, array_eq
>>> @attrs.frozen
... class Box:
...     x: FloatArray = attrs.field(eq=array_eq)
>>> Box(np.array([1.0, 2.0])) == Box(np.array([1.0, 2.0]))
True
"""

from __future__ import annotations

from typing import Any, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

__all__ = ["BoolArray", "FloatArray", "IntArray", "array_eq", "nan_array_eq", "optional_array_eq"]

FloatArray: TypeAlias = NDArray[np.float64]
"""A float64 array."""
IntArray: TypeAlias = NDArray[np.int64]
"""An int64 array."""
BoolArray: TypeAlias = NDArray[np.bool_]
"""A boolean array."""


def _optional_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b))


array_eq = attrs.cmp_using(eq=np.array_equal)
"""attrs ``eq=`` for array fields: equal when shapes and elements are equal."""

optional_array_eq = attrs.cmp_using(eq=_optional_equal)
"""attrs ``eq=`` for fields that hold an array or ``None``."""


def _nan_equal(a: Any, b: Any) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


nan_array_eq = attrs.cmp_using(eq=_nan_equal)
"""attrs ``eq=`` for float arrays that may hold NaN (NaN equals NaN)."""
