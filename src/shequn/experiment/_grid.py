"""Parameter grids: normalisation, validation and stable identities of grid points.

Examples
--------
>>> pts = grid_points({"p": [0.1, 0.2], "kind": ["brand"]}, owner="sweep")
>>> pts
[{'p': 0.1, 'kind': 'brand'}, {'p': 0.2, 'kind': 'brand'}]
>>> point_id({"kind": "brand", "p": 0.1}) == point_id(pts[0])
True
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np

from shequn._validation import fail

__all__ = ["Param", "grid_hash", "grid_points", "point_id"]

Param: TypeAlias = bool | int | float | str | None

_RULE = "hold parameter values that are int, float (not NaN), str, bool or None"


def _scalar(value: Any, *, owner: str, name: str) -> Param:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise fail(owner, "grid", f"{_RULE} (parameter {name!r})", value)
        return value
    raise fail(owner, "grid", f"{_RULE} (parameter {name!r})", value)


def _canonical(params: Mapping[str, Param]) -> str:
    return json.dumps(params, sort_keys=True, separators=(",", ":"), allow_nan=True)


def _check_params(params: Any, owner: str, field: str) -> None:
    if not isinstance(params, Mapping) or not all(
        isinstance(k, str) and (v is None or isinstance(v, bool | int | float | str))
        for k, v in params.items()
    ):
        raise fail(owner, field, "be a dict of str names to int, float, str, bool or None", params)


def point_id(params: Mapping[str, Param]) -> str:
    """Stable identity of one grid point: the first 16 hex digits of a SHA-256 of its parameters.

    The hash is taken over canonical JSON (keys sorted), so it does not depend on key order, the
    Python process or the machine. ``1`` and ``1.0`` are different parameters.

    Examples
    --------
    >>> point_id({"a": 1, "b": "x"}) == point_id({"b": "x", "a": 1})
    True
    >>> point_id({"a": 1}) == point_id({"a": 1.0})
    False
    """
    _check_params(params, "point_id", "params")
    return hashlib.sha256(_canonical(params).encode("utf-8")).hexdigest()[:16]


def grid_hash(points: Sequence[Mapping[str, Param]]) -> str:
    """Identity of a whole grid: SHA-256 over its points' identities, in order.

    Examples
    --------
    >>> grid_hash([{"a": 1}, {"a": 2}]) == grid_hash([{"a": 2}, {"a": 1}])
    False
    """
    if isinstance(points, str | bytes | Mapping) or not isinstance(points, Sequence):
        raise fail("grid_hash", "points", "be a list of parameter dicts", points)
    for p in points:
        _check_params(p, "grid_hash", "points")
    h = hashlib.sha256()
    for p in points:
        h.update(_canonical(p).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:32]


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence | np.ndarray | range) and not isinstance(value, str | bytes)


def grid_points(
    grid: Mapping[str, Any] | Sequence[Mapping[str, Any]], *, owner: str
) -> list[dict[str, Param]]:
    """Expand ``grid`` into a list of parameter dicts (the grid points, in sweep order).

    ``grid`` is either a mapping from parameter names to lists of values (the cartesian product
    is taken, the first name varying slowest, like :func:`itertools.product`) or a list of
    dicts, one per point. Values must be int, float (not NaN), str, bool or None (numpy scalars
    are converted). An empty grid, an empty value list or a repeated point raises
    :class:`~shequn.exceptions.InvalidParameterError`.

    Examples
    --------
    >>> grid_points([{"n": 10}, {"n": 20, "hub": True}], owner="sweep")
    [{'n': 10}, {'n': 20, 'hub': True}]
    >>> grid_points({"n": []}, owner="sweep")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `sweep.grid` must give at least one value for 'n'...
    """
    points: list[dict[str, Param]] = []
    if isinstance(grid, Mapping):
        if not grid:
            raise fail(
                owner, "grid", "have at least one parameter (use replicate without one)", grid
            )
        names: list[str] = []
        columns: list[list[Param]] = []
        for name, values in grid.items():
            if not isinstance(name, str):
                raise fail(owner, "grid", "have str parameter names", name)
            if not _is_sequence(values):
                raise fail(owner, "grid", f"map {name!r} to a list of values", values)
            vals = [_scalar(v, owner=owner, name=name) for v in values]
            if not vals:
                raise fail(owner, "grid", f"give at least one value for {name!r}", list(values))
            names.append(name)
            columns.append(vals)
        points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*columns)]
    elif _is_sequence(grid):
        if len(grid) == 0:
            raise fail(owner, "grid", "have at least one point", list(grid))
        for item in grid:
            if not isinstance(item, Mapping):
                raise fail(owner, "grid", "be a dict of lists or a list of dicts", item)
            point: dict[str, Param] = {}
            for name, value in item.items():
                if not isinstance(name, str):
                    raise fail(owner, "grid", "have str parameter names", name)
                point[name] = _scalar(value, owner=owner, name=name)
            points.append(point)
    else:
        raise fail(owner, "grid", "be a dict of lists or a list of dicts", grid)
    seen: set[str] = set()
    for p in points:
        key = _canonical(p)
        if key in seen:
            raise fail(owner, "grid", "not repeat a point", p)
        seen.add(key)
    return points
