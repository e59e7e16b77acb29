"""Shared validators: one place for every input rule and its message.

Each check returns the validated (and, for arrays, converted) value, or raises
:class:`~shequn.exceptions.InvalidParameterError` with a message of the form
``"`Owner.field` must <rule>; got <value>"``. ``owner`` is a class or function name and
``field`` the parameter name, so the user sees exactly where the value went wrong.

Two flavours are offered:

* plain functions (``check_probability(value, owner=..., field=...)``) for function arguments;
* attrs validators (``probability``, ``positive``, ...) for ``@attrs.frozen`` value types, which
  take the owner from the class and the field from the attribute.

A number is an ``int``, ``float`` or numpy real, never a ``bool`` or a string: ``True`` and
``"0.5"`` are refused wherever a number is expected (in arrays too). A float field of a value
type converts with :func:`as_float` (not ``converter=float``, which would read ``"0.5"`` and
``True`` as numbers before the validator sees them).

Examples
--------
>>> from shequn._validation import check_probability
>>> check_probability(0.3, owner="Content", field="quality")
0.3
>>> check_probability(1.2, owner="Content", field="quality")
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `Content.quality` must be in [0, 1]; got 1.2
"""

from __future__ import annotations

import math
import numbers
import os
import reprlib
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from shequn.exceptions import InvalidParameterError

__all__ = [
    "INT_MAX",
    "as_float",
    "available_memory",
    "check_array",
    "check_bool",
    "check_choice",
    "check_count",
    "check_duration",
    "check_executor",
    "check_finite",
    "check_in_range",
    "check_indices",
    "check_instance",
    "check_int",
    "check_level",
    "check_memory",
    "check_nonnegative",
    "check_path",
    "check_positive",
    "check_probability",
    "count",
    "fail",
    "in_range",
    "instance_of",
    "integer",
    "nonnegative",
    "positive",
    "probability",
]

T = TypeVar("T")


def _fmt(value: object) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, threshold=6, edgeitems=3)
    return repr(value) if isinstance(value, str) else str(value)


def fail(owner: str, field: str, rule: str, value: object) -> InvalidParameterError:
    """Build the standard error for ``owner.field`` breaking ``rule`` with ``value``.

    Returns the exception (the caller raises it) so that type checkers see the ``raise``.

    Examples
    --------
    >>> str(fail("Community", "n", "be >= 1", 0))
    '`Community.n` must be >= 1; got 0'
    """
    return InvalidParameterError(f"`{owner}.{field}` must {rule}; got {_fmt(value)}")


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def as_float(value: Any) -> Any:
    """attrs converter for float fields: real numbers become ``float``, anything else passes.

    What is not a real number (a ``bool``, a string such as ``"0.5"``, ``None``) is left as it
    is, so that the field's validator refuses it with the house message; ``converter=float``
    would silently turn ``"0.5"`` into 0.5 and ``True`` into 1.0.

    Examples
    --------
    >>> import attrs
    >>> @attrs.frozen
    ... class Rate:
    ...     p: float = attrs.field(converter=as_float, validator=probability)
    >>> Rate(1).p
    1.0
    >>> Rate("0.5")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Rate.p` must be in [0, 1]; got '0.5'
    """
    return float(value) if _is_real(value) else value


def check_finite(value: Any, *, owner: str, field: str) -> float:
    """Return ``value`` as a float if it is a finite real number.

    Examples
    --------
    >>> check_finite(2, owner="f", field="x")
    2.0
    """
    if not _is_real(value) or not math.isfinite(float(value)):
        raise fail(owner, field, "be a finite real number", value)
    return float(value)


def check_in_range(
    value: Any,
    *,
    owner: str,
    field: str,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float if it lies in the interval from ``low`` to ``high``.

    Examples
    --------
    >>> check_in_range(0.5, owner="f", field="x", low=0, high=1, low_open=True)
    0.5
    """
    lo_b = "(" if low_open else "["
    hi_b = ")" if high_open else "]"

    def _b(x: float) -> str:
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return f"{x:g}"

    rule = f"be in {lo_b}{_b(low)}, {_b(high)}{hi_b}"
    if not _is_real(value) or math.isnan(float(value)):
        raise fail(owner, field, rule, value)
    v = float(value)
    if (v < low) or (low_open and v == low) or (v > high) or (high_open and v == high):
        raise fail(owner, field, rule, value)
    return v


def check_probability(value: Any, *, owner: str, field: str) -> float:
    """Return ``value`` as a float if it is a probability in [0, 1].

    Examples
    --------
    >>> check_probability(1, owner="f", field="p")
    1.0
    """
    return check_in_range(value, owner=owner, field=field, low=0.0, high=1.0)


def check_level(value: Any, *, owner: str, field: str = "level") -> float:
    """Return ``value`` as a float if it is a confidence level, strictly between 0 and 1.

    Examples
    --------
    >>> check_level(0.95, owner="mean_ci")
    0.95
    >>> check_level(1, owner="mean_ci")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `mean_ci.level` must be in (0, 1); got 1
    """
    return check_in_range(
        value, owner=owner, field=field, low=0.0, high=1.0, low_open=True, high_open=True
    )


def check_positive(value: Any, *, owner: str, field: str) -> float:
    """Return ``value`` as a float if it is finite and > 0.

    Examples
    --------
    >>> check_positive(0, owner="Bass", field="p")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Bass.p` must be > 0 and finite; got 0
    """
    if not _is_real(value) or not math.isfinite(float(value)) or float(value) <= 0:
        raise fail(owner, field, "be > 0 and finite", value)
    return float(value)


def check_nonnegative(value: Any, *, owner: str, field: str) -> float:
    """Return ``value`` as a float if it is finite and >= 0.

    Examples
    --------
    >>> check_nonnegative(0, owner="Economics", field="staff_cost")
    0.0
    """
    if not _is_real(value) or not math.isfinite(float(value)) or float(value) < 0:
        raise fail(owner, field, "be >= 0 and finite", value)
    return float(value)


def check_int(
    value: Any, *, owner: str, field: str, low: int | None = None, high: int | None = None
) -> int:
    """Return ``value`` as an int if it is an integer within the optional bounds.

    Floats are rejected (``3.0`` is not silently accepted as ``3``), numpy integers accepted.

    Examples
    --------
    >>> check_int(3, owner="f", field="runs", low=1)
    3
    >>> check_int(0, owner="f", field="runs", low=1)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.runs` must be an integer >= 1; got 0
    """
    parts = []
    if low is not None:
        parts.append(f">= {low}")
    if high is not None:
        parts.append(f"<= {high}")
    rule = "be an integer" + (" " + " and ".join(parts) if parts else "")
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise fail(owner, field, rule, value)
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        raise fail(owner, field, rule, value)
    return v


def check_choice(value: T, choices: Iterable[T], *, owner: str, field: str) -> T:
    """Return ``value`` if it is one of ``choices``.

    Examples
    --------
    >>> check_choice("ic", ["ic", "lt"], owner="f", field="model")
    'ic'
    """
    options = list(choices)
    if value not in options:
        raise fail(owner, field, f"be one of {options}", value)
    return value


def check_array(
    value: ArrayLike,
    *,
    owner: str,
    field: str,
    dtype: type | np.dtype[Any] = np.float64,
    ndim: int | None = None,
    finite: bool = True,
    nonnegative: bool = False,
    probability: bool = False,
    integer: bool = False,
    min_size: int = 0,
) -> NDArray[Any]:
    """Convert ``value`` to an array of ``dtype`` and check shape and content rules.

    Numbers only: booleans, strings (``["0.5"]``) and objects are refused for a numeric
    ``dtype``. For an integer ``dtype`` every value must be an integer within its range
    (``1e300`` is refused, never wrapped around); ``integer=True`` asks the same of a float
    array, up to ``2**53`` in magnitude (beyond which floats do not hold every integer).

    Examples
    --------
    >>> check_array([0.1, 0.5], owner="f", field="p", probability=True)
    array([0.1, 0.5])
    >>> check_array([0.1, float("nan")], owner="f", field="p")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.p` must be finite (index 1); got nan
    >>> check_array([3, 1e300], owner="f", field="counts", dtype=np.int64)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.counts` must hold integers of magnitude at most \
9.22e+18 (index 1); got 1e+300
    >>> check_array(["0.5"], owner="f", field="p")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.p` must be a numeric array (not str); got ['0.5']
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged input and the like
        raise fail(owner, field, "be array-like", value) from exc
    target = np.dtype(dtype)
    if arr.dtype == object:
        raise fail(owner, field, "be a numeric array", value)
    numeric = np.issubdtype(target, np.number)
    if numeric and arr.dtype.kind in "USb" and not (arr.dtype.kind == "b" and arr.size == 0):
        kind = "bool" if arr.dtype.kind == "b" else "str"
        raise fail(owner, field, f"be a numeric array (not {kind})", value)
    if numeric and not np.issubdtype(arr.dtype, np.number) and arr.size:
        raise fail(owner, field, f"be a numeric array (not {arr.dtype})", value)
    limit: float | None = None  # the largest magnitude allowed (a power of two, exact as float)
    if np.issubdtype(target, np.integer) and arr.size and not np.issubdtype(arr.dtype, np.integer):
        limit = float(np.iinfo(target).max) + 1.0  # 2**63 for int64: itself out of range
    elif integer and arr.size:
        limit = 2.0**53
    if limit is not None:
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            bad = np.flatnonzero(~whole.ravel())
            raise fail(owner, field, f"hold integers (index {bad[0]})", arr.ravel()[bad[0]])
        signed = np.issubdtype(target, np.signedinteger) or not np.issubdtype(target, np.integer)
        lowest = -limit if signed else 0.0
        big = (arr < lowest) | (arr >= limit if np.issubdtype(target, np.integer) else arr > limit)
        if big.any():
            bad = np.flatnonzero(big.ravel())
            raise fail(
                owner,
                field,
                f"hold integers of magnitude at most {limit:.3g} (index {bad[0]})",
                arr.ravel()[bad[0]],
            )
    if np.issubdtype(target, np.integer) and np.issubdtype(arr.dtype, np.integer) and arr.size:
        info = np.iinfo(target)
        if arr.min() < info.min or arr.max() > info.max:
            bad = np.flatnonzero(((arr < info.min) | (arr > info.max)).ravel())
            raise fail(
                owner, field, f"hold values within the range of {target}", arr.ravel()[bad[0]]
            )
    try:
        arr = arr.astype(target, copy=False)
    except (TypeError, ValueError, OverflowError) as exc:
        raise fail(owner, field, f"be convertible to {target}", value) from exc
    if ndim is not None and arr.ndim != ndim:
        raise fail(owner, field, f"be {ndim}-dimensional (shape {arr.shape})", arr)
    if arr.size < min_size:
        raise fail(owner, field, f"have at least {min_size} elements", arr.size)
    if np.issubdtype(arr.dtype, np.floating):
        if finite:
            bad = np.flatnonzero(~np.isfinite(arr.ravel()))
            if bad.size:
                raise fail(owner, field, f"be finite (index {bad[0]})", arr.ravel()[bad[0]])
        elif np.isnan(arr).any():
            bad = np.flatnonzero(np.isnan(arr.ravel()))
            raise fail(owner, field, f"not be NaN (index {bad[0]})", arr.ravel()[bad[0]])
    if probability:
        bad = np.flatnonzero(((arr < 0) | (arr > 1)).ravel())
        if bad.size:
            raise fail(owner, field, f"be in [0, 1] (index {bad[0]})", arr.ravel()[bad[0]])
    elif nonnegative:
        bad = np.flatnonzero((arr < 0).ravel())
        if bad.size:
            raise fail(owner, field, f"be >= 0 (index {bad[0]})", arr.ravel()[bad[0]])
    return arr


def check_executor(executor: Any, *, owner: str, field: str = "executor") -> Any:
    """Return ``executor`` if it is ``None`` or a :class:`concurrent.futures.Executor`.

    Anything with a callable ``submit`` (a Dask ``client.get_executor()``, loky) counts; a
    wrong object is refused here, before any work starts, instead of failing later with an
    ``AttributeError``.

    Examples
    --------
    >>> check_executor(None, owner="sweep") is None
    True
    >>> check_executor("processes", owner="sweep")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `sweep.executor` must be None or a \
concurrent.futures.Executor (an object with submit()); got 'processes'
    """
    if executor is None:
        return None
    if isinstance(executor, type) or not callable(getattr(executor, "submit", None)):
        raise fail(
            owner,
            field,
            "be None or a concurrent.futures.Executor (an object with submit())",
            executor,
        )
    return executor


def check_path(value: Any, *, owner: str, field: str = "path", exists: bool = False) -> str:
    """Return ``value`` as a ``str`` path if it is a ``str`` or ``os.PathLike`` of one.

    An integer (which ``open`` would take as a file descriptor), ``None`` or a list is refused;
    with ``exists=True`` the path must also name an existing file.

    Examples
    --------
    >>> check_path("fit.json", owner="save")
    'fit.json'
    >>> check_path(5, owner="save")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `save.path` must be a path (str or os.PathLike); got 5
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise fail(owner, field, "be a path (str or os.PathLike)", value)
    if exists and not os.path.isfile(value):
        raise fail(owner, field, "be an existing file", value)
    return value


def _a(name: str) -> str:
    """``name`` with its article: "a Ladder", "an OpenRateFit", "an RFMSummary" (an acronym)."""
    acronym = name[1:2].isupper() and name[:1] in "FHLMNRSX"
    return f"{'an' if name[:1].upper() in 'AEIOU' or acronym else 'a'} {name}"


class _Verbatim:
    """Text that :func:`fail` shows as it is (a ``str`` value would be shown quoted)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


def _described(value: object) -> object:
    """``value`` itself when short (None, a number, a string), else its type and a short repr."""
    if value is None or isinstance(value, str | numbers.Number):
        return value
    return _Verbatim(f"{_a(type(value).__name__)} {reprlib.repr(value)}")


@overload
def check_instance(
    value: Any, cls: type[T], *, owner: str, field: str, optional: Literal[False] = ...
) -> T: ...
@overload
def check_instance(
    value: Any, cls: type[T], *, owner: str, field: str, optional: Literal[True]
) -> T | None: ...
@overload
def check_instance(
    value: Any, cls: type | tuple[type, ...], *, owner: str, field: str, optional: bool = ...
) -> Any: ...
def check_instance(
    value: Any, cls: type | tuple[type, ...], *, owner: str, field: str, optional: bool = False
) -> Any:
    """Return ``value`` if it is an instance of ``cls`` (a class or a tuple of classes).

    For parameters that take an object of a given class (a model, a result, a rule, a fit): a
    string, a dict or ``None`` is refused here, before any work starts, instead of failing
    later with an ``AttributeError``; the message names the class expected and what was given
    (its type and a short repr for containers and objects). With ``optional=True``, ``None``
    is accepted (and returned).

    Examples
    --------
    >>> from fractions import Fraction
    >>> check_instance(Fraction(1, 2), Fraction, owner="f", field="x")
    Fraction(1, 2)
    >>> check_instance("abc", (int, float), owner="f", field="rule")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.rule` must be an int or a float; got 'abc'
    >>> check_instance({"a": 1}, Fraction, owner="plot", field="fit")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `plot.fit` must be a Fraction; got a dict {'a': 1}
    >>> check_instance(None, Fraction, owner="f", field="x", optional=True) is None
    True
    """
    if optional and value is None:
        return None
    if not isinstance(value, cls):
        classes = cls if isinstance(cls, tuple) else (cls,)
        rule = "be " + " or ".join(_a(c.__name__) for c in classes)
        raise fail(owner, field, rule + (" or None" if optional else ""), _described(value))
    return value


def check_bool(value: Any, *, owner: str, field: str) -> bool:
    """Return ``value`` as a ``bool`` if it is ``True`` or ``False`` (a numpy bool too).

    A flag given a string (``"no"`` is truthy) or a number is refused, never read as its truth
    value.

    Examples
    --------
    >>> check_bool(False, owner="plot_bass_forecast", field="split")
    False
    >>> check_bool("no", owner="plot_bass_forecast", field="split")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `plot_bass_forecast.split` must be True or False; \
got 'no'
    """
    if not isinstance(value, bool | np.bool_):
        raise fail(owner, field, "be True or False", value)
    return bool(value)


def check_indices(value: ArrayLike, size: int, *, owner: str, field: str) -> NDArray[np.int64]:
    """Return ``value`` as a 1-d int64 array of indices into ``size`` items (``0..size-1``).

    Fractions, NaN, strings and negative or too large indices are refused, naming the field,
    before anything indexes with them.

    Examples
    --------
    >>> check_indices([0, 2], 3, owner="f", field="members")
    array([0, 2])
    >>> check_indices([0, 3], 3, owner="f", field="members")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.members` must hold indices in 0..2 (index 1); \
got 3
    """
    arr = check_array(value, owner=owner, field=field, dtype=np.int64, ndim=1)
    bad = np.flatnonzero((arr < 0) | (arr >= size))
    if bad.size:
        raise fail(owner, field, f"hold indices in 0..{size - 1} (index {bad[0]})", arr[bad[0]])
    return arr


INT_MAX = 2**63 - 1
"""The largest integer an int64 array (and a compiled kernel) holds: give it as ``high`` to
:func:`check_int` or :func:`integer` for a count, size or week that is stored as int64, so that
``2**64`` is refused, never wrapped around or passed on to fail later."""

_INT64_RULE = "be at most 2**63 - 1 (it is stored as int64)"


def check_count(value: Any, *, owner: str, field: str, low: int = 0) -> int:
    """Return ``value`` as an int if it is an integer >= ``low`` that int64 holds.

    :func:`check_int` with the upper bound :data:`INT_MAX` in a message of its own, so that
    the common error (``0`` where 1 is the least) keeps its short rule.

    Examples
    --------
    >>> check_count(3, owner="Tools", field="event_capacity", low=1)
    3
    >>> check_count(2**64, owner="Tools", field="event_capacity", low=1)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Tools.event_capacity` must be at most 2**63 - 1 \
(it is stored as int64); got 18446744073709551616
    """
    v = check_int(value, owner=owner, field=field, low=low)
    if v > INT_MAX:
        raise fail(owner, field, _INT64_RULE, value)
    return v


# --- attrs validators -------------------------------------------------------------------------

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def _owner(instance: object) -> str:
    return type(instance).__name__


def probability(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator: the field is a probability in [0, 1]."""
    check_probability(value, owner=_owner(instance), field=attribute.name)


def positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator: the field is finite and > 0."""
    check_positive(value, owner=_owner(instance), field=attribute.name)


def nonnegative(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator: the field is finite and >= 0."""
    check_nonnegative(value, owner=_owner(instance), field=attribute.name)


def finite(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """attrs validator: the field is a finite real number."""
    check_finite(value, owner=_owner(instance), field=attribute.name)


def in_range(
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> Validator:
    """attrs validator factory: the field lies in the given interval.

    Examples
    --------
    >>> import attrs
    >>> @attrs.frozen
    ... class Rule:
    ...     strictness: float = attrs.field(validator=in_range(0, 1))
    >>> Rule(strictness=2.0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Rule.strictness` must be in [0, 1]; got 2.0
    """

    def _validate(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_in_range(
            value,
            owner=_owner(instance),
            field=attribute.name,
            low=low,
            high=high,
            low_open=low_open,
            high_open=high_open,
        )

    return _validate


def integer(low: int | None = None, high: int | None = None) -> Validator:
    """attrs validator factory: the field is an integer within the optional bounds."""

    def _validate(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_int(value, owner=_owner(instance), field=attribute.name, low=low, high=high)

    return _validate


def instance_of(cls: type | tuple[type, ...], *, optional: bool = False) -> Validator:
    """attrs validator factory: the field is an instance of ``cls`` (see :func:`check_instance`;
    ``optional=True`` also accepts ``None``).

    Examples
    --------
    >>> import attrs
    >>> from fractions import Fraction
    >>> @attrs.frozen
    ... class Rule:
    ...     share: Fraction = attrs.field(validator=instance_of(Fraction))
    >>> Rule(share=None)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Rule.share` must be a Fraction; got None
    """

    def _validate(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_instance(value, cls, owner=_owner(instance), field=attribute.name, optional=optional)

    return _validate


def count(low: int = 0) -> Validator:
    """attrs validator factory: the field is an integer >= ``low`` that int64 holds
    (:func:`check_count`)."""

    def _validate(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        check_count(value, owner=_owner(instance), field=attribute.name, low=low)

    return _validate


def available_memory() -> int:
    """Bytes of memory this process can still use (``MemAvailable``, else free pages).

    Examples
    --------
    >>> available_memory() > 0
    True
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 2**62


def check_memory(
    nbytes: float, *, owner: str, field: str, value: object, fraction: float = 0.8
) -> None:
    """Refuse work whose memory estimate exceeds ``fraction`` of the available memory.

    Call it before allocating, with the estimate of what a request will hold at once; the
    error names the field that asked for it, the estimate and what the machine has.

    Examples
    --------
    >>> check_memory(1e3, owner="imm", field="epsilon", value=0.1)
    >>> check_memory(1e30, owner="simulate", field="runs", value=10**12)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `simulate.runs` must need no more memory than \
this machine has (about 1e+30 bytes needed, ... available); got 1000000000000
    """
    have = available_memory()
    if not nbytes <= fraction * have:
        raise fail(
            owner,
            field,
            f"need no more memory than this machine has (about {float(nbytes):.3g} bytes "
            f"needed, {have / 2**30:.1f} GiB available)",
            value,
        )


def check_duration(
    seconds: float, *, owner: str, field: str, value: object, limit: float = 3600.0
) -> None:
    """Refuse work whose time estimate exceeds ``limit`` seconds (default an hour).

    For requests that hold little memory but would run for hours (``samples=10**12``): call it
    before starting, with a *lower bound* of the time needed (a floor per unit of work times
    the units), so that a refusal is certain; a long but feasible request stays allowed.

    Examples
    --------
    >>> check_duration(10.0, owner="rr_spread", field="samples", value=10**8)
    >>> check_duration(3e4, owner="rr_spread", field="samples", value=10**12)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `rr_spread.samples` must need at most 1 hour of \
work (at least 3e+04 s, 8.33 hours, estimated); got 1000000000000
    """
    if not seconds <= limit:
        raise fail(
            owner,
            field,
            f"need at most {limit / 3600:.3g} hour{'' if limit == 3600 else 's'} of work "
            f"(at least {float(seconds):.3g} s, {seconds / 3600:.3g} hours, estimated)",
            value,
        )
