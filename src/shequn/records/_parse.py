"""Turn raw column values into typed arrays, marking every missing and unusable cell.

Each parser returns ``(values, missing, bad)``: the parsed array (with a placeholder where a
cell is missing or bad) and two boolean masks. Nothing is clipped or guessed: a date is a date
only when it is ISO 8601 (``YYYY-MM-DD``, optionally with a time) or matches the explicit
``date_format``; ``'20150201'`` without a ``date_format`` is a number of weeks, not a date.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shequn._typing import BoolArray, FloatArray, IntArray

__all__ = ["WEEK", "parse_choice", "parse_ids", "parse_numbers", "parse_times", "to_datetime"]

WEEK = np.timedelta64(7 * 24 * 3600, "s")
"""One week, the records clock's unit."""

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return isinstance(v, np.datetime64) and bool(np.isnat(v))


def parse_ids(raw: NDArray[Any]) -> tuple[NDArray[np.str_], BoolArray, BoolArray]:
    """Ids as text: integers and integral floats as their digits, strings stripped.

    Examples
    --------
    >>> ids, missing, bad = parse_ids(np.array([7, 8.0, "a ", None, 1.5], dtype=object))
    >>> ids.tolist(), missing.tolist()
    (['7', '8', 'a', '', ''], [False, False, False, True, False])
    >>> bad.tolist()
    [False, False, False, False, True]
    """
    n = raw.shape[0]
    missing = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    if raw.dtype.kind in "iu":
        return raw.astype(str), missing, bad
    if raw.dtype.kind == "f":
        missing = np.isnan(raw)
        bad = ~missing & (np.round(raw) != raw)
        out = np.where(missing | bad, 0, raw).astype(np.int64).astype(str)
        out[missing | bad] = ""
        return out, missing, bad
    if raw.dtype.kind == "U":
        out = np.char.strip(raw)
        return out, out == "", bad
    vals: list[str] = []
    for i, v in enumerate(raw.tolist()):
        if _is_missing(v):
            missing[i] = True
            vals.append("")
        elif isinstance(v, bool):
            bad[i] = True
            vals.append("")
        elif isinstance(v, numbers.Integral):
            vals.append(str(int(v)))
        elif isinstance(v, numbers.Real):
            if float(v) != round(float(v)):
                bad[i] = True
                vals.append("")
            else:
                vals.append(str(int(float(v))))
        else:
            vals.append(str(v).strip())
    return np.asarray(vals, dtype=str), missing, bad


def _seconds(value: np.datetime64) -> np.datetime64:
    out: np.datetime64 = value.astype("datetime64[s]")
    return out


def to_datetime(value: Any, date_format: str | None = None) -> np.datetime64 | None:
    """A date or datetime value as ``datetime64[s]`` (``None`` when it is not one).

    Examples
    --------
    >>> to_datetime("2024-03-01"), to_datetime("01/03/2024", "%d/%m/%Y"), to_datetime("3.5")
    (np.datetime64('2024-03-01T00:00:00'), np.datetime64('2024-03-01T00:00:00'), None)
    """
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else _seconds(value)
    if isinstance(value, _dt.datetime | _dt.date):
        return _seconds(np.datetime64(value.isoformat()[:19]))
    if hasattr(value, "isoformat") and hasattr(value, "to_datetime64"):  # pandas Timestamp
        return _seconds(np.datetime64(value.to_datetime64()))
    if isinstance(value, str):
        s = value.strip()
        if date_format is not None:
            try:
                d = _dt.datetime.strptime(s, date_format)
            except ValueError:
                return None
            return _seconds(np.datetime64(d.isoformat()[:19]))
        if _ISO.match(s):
            try:
                return _seconds(np.datetime64(s.replace(" ", "T")))
            except ValueError:
                return None
    return None


def parse_times(
    raw: NDArray[Any], *, start: np.datetime64 | None, date_format: str | None
) -> tuple[FloatArray, BoolArray, BoolArray, BoolArray]:
    """Times in weeks since ``start``: numbers as weeks, dates converted (they need ``start``).

    Returns ``(weeks, missing, bad, undated)``: ``undated`` marks dates met without a
    ``start`` (bad too, with their own message).

    Examples
    --------
    >>> w, missing, bad, undated = parse_times(
    ...     np.array(["1.5", "2024-01-15", None, "x"], dtype=object),
    ...     start=np.datetime64("2024-01-01"), date_format=None)
    >>> w.tolist()[:2], missing.tolist(), bad.tolist()
    ([1.5, 2.0], [False, False, True, False], [False, False, False, True])
    """
    n = raw.shape[0]
    out = np.zeros(n)
    missing = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    undated = np.zeros(n, dtype=bool)
    if raw.dtype.kind in "iuf":
        out = raw.astype(np.float64)
        missing = np.isnan(out)
        bad = np.isinf(out)
        out[missing | bad] = 0.0
        return out, missing, bad, undated
    if raw.dtype.kind == "M":
        missing = np.isnat(raw)
        if start is None:
            undated = ~missing
            return out, missing, undated.copy(), undated
        sec = raw.astype("datetime64[s]")
        out = np.where(missing, 0.0, (sec - start) / WEEK).astype(np.float64)
        return out, missing, bad, undated
    if date_format is None:
        try:  # the common case: every cell a number (or empty)
            vals = np.asarray(raw, dtype=object).astype(np.float64)
            missing = np.isnan(vals)
            bad = np.isinf(vals)
            vals[missing | bad] = 0.0
            return vals, missing, bad, undated
        except (TypeError, ValueError):
            pass
    for i, v in enumerate(raw.tolist()):
        if _is_missing(v):
            missing[i] = True
            continue
        d = to_datetime(v, date_format)
        if d is not None:
            if start is None:
                undated[i] = bad[i] = True
            else:
                out[i] = float((d - start) / WEEK)
            continue
        if isinstance(v, numbers.Real) and not isinstance(v, bool):
            x = float(v)
        else:
            try:
                x = float(str(v))
            except ValueError:
                bad[i] = True
                continue
        if math.isfinite(x):
            out[i] = x
        else:
            bad[i] = True
    return out, missing, bad, undated


def parse_numbers(
    raw: NDArray[Any], *, integer: bool
) -> tuple[FloatArray | IntArray, BoolArray, BoolArray]:
    """Finite numbers (integers when ``integer``); the caller checks their range.

    Examples
    --------
    >>> v, missing, bad = parse_numbers(np.array(["3", "", "2.5", "x"], dtype=object),
    ...                                 integer=True)
    >>> v.tolist(), missing.tolist(), bad.tolist()
    ([3, 0, 0, 0], [False, True, False, False], [False, False, True, True])
    """
    n = raw.shape[0]
    missing = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    if raw.dtype.kind in "iuf":
        vals = raw.astype(np.float64)
        missing = np.isnan(vals)
    else:
        vals = np.zeros(n)
        for i, v in enumerate(raw.tolist()):
            if _is_missing(v):
                missing[i] = True
            elif isinstance(v, bool):
                bad[i] = True
            elif isinstance(v, numbers.Real):
                vals[i] = float(v)
            else:
                try:
                    vals[i] = float(str(v))
                except ValueError:
                    bad[i] = True
    bad |= ~missing & ~np.isfinite(vals)
    if integer:
        bad |= ~missing & ~bad & (np.round(vals) != vals)
    vals[missing | bad] = 0.0
    if integer:
        return vals.astype(np.int64), missing, bad
    return vals, missing, bad


def parse_choice(
    raw: NDArray[Any], choices: tuple[str, ...]
) -> tuple[NDArray[np.str_], BoolArray, BoolArray]:
    """Lower-cased choices; anything else is bad.

    Examples
    --------
    >>> v, missing, bad = parse_choice(np.array(["Owner", None, "boss"], dtype=object),
    ...                                ("owner", "member"))
    >>> v.tolist(), missing.tolist(), bad.tolist()
    (['owner', '', ''], [False, True, False], [False, False, True])
    """
    ids, missing, bad = parse_ids(raw)
    low = np.char.lower(ids)
    bad = bad | (~missing & ~np.isin(low, np.asarray(choices)))
    low[bad] = ""
    return low, missing, bad
