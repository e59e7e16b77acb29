"""What every mechanism module declares: its flows and its parameters (with unit and source).

A mechanism module (:mod:`shequn.simulation.mechanisms`) holds

* ``NAME``: the mechanism's name (also its key in :class:`~shequn.simulation.Mechanisms`);
* ``Params``-like attrs class whose fields are built with :func:`param`, so that the parameter
  vector (:func:`shequn.simulation.parameters`) can read each field's unit, bounds and source;
* ``PROFILE_FIELDS``: the :class:`~shequn.simulation.Profile` fields it owns (parameters whose
  default depends on the community type);
* ``FLOWS``: the :class:`Flow` it produces each week (names unique across the engine).

Examples
--------
>>> import attrs
>>> from shequn.simulation.mechanisms._spec import Flow, param, spec_of
>>> @attrs.frozen(kw_only=True)
... class ToyParams:
...     rate: float = param(0.1, unit="per week", source="assumed")
>>> spec_of(attrs.fields(ToyParams).rate).bounds
(0.0, 1.0)
>>> Flow(name="toys", unit="items", meaning="toys made this week").kind
'flow'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, NamedTuple

import attrs

from shequn._validation import (
    check_count,
    count,
    fail,
    integer,
    nonnegative,
    positive,
    probability,
)

__all__ = ["Flow", "ParamSpec", "Setting", "int_param", "param", "spec_of"]

KINDS = ("flow", "stock", "derived")


@attrs.frozen(kw_only=True)
class Flow:
    """One column of the engine's weekly record, declared once.

    Attributes
    ----------
    name
        Column name (unique across the engine).
    unit
        Unit of one row (``"members"``, ``"money"``, ``"share"`` ...).
    meaning
        One line: what the number counts.
    kind
        ``"flow"`` (happened during the week; row 0 is ``start``), ``"stock"`` (measured at
        the end of the week) or ``"derived"`` (computed from other columns).
    cost
        A cost of the week: summed into ``costs`` (money flows only).
    marketing
        Part of the marketing costs behind CAC and ROI (content, events, broadcast, staff,
        rewards; not the cost of goods).
    start
        Value in row 0 (week 0 has no flows; rates are ``nan``).
    width
        Columns of a stock held as a matrix (``stage_counts``: 6), else 1.
    mechanism
        The mechanism that produces it (filled in by the registry).
    """

    name: str
    unit: str
    meaning: str
    kind: str = "flow"
    cost: bool = False
    marketing: bool = False
    start: float = 0.0
    width: int = 1
    mechanism: str = ""

    def __attrs_post_init__(self) -> None:
        for text in ("name", "unit", "meaning", "mechanism"):
            if not isinstance(getattr(self, text), str):
                raise fail("Flow", text, "be a string", getattr(self, text))
        for flag in ("cost", "marketing"):
            if not isinstance(getattr(self, flag), bool):
                raise fail("Flow", flag, "be True or False", getattr(self, flag))
        if self.kind not in KINDS:
            raise fail("Flow", "kind", f"be one of {list(KINDS)}", self.kind)
        # NaN is a meaningful start (a rate has no value in week 0); ±inf is not
        s = self.start
        if isinstance(s, bool) or not isinstance(s, numbers.Real) or math.isinf(float(s)):
            raise fail("Flow", "start", "be a finite real number or nan", s)
        check_count(self.width, owner="Flow", field="width", low=1)
        if self.marketing and not self.cost:
            raise fail("Flow", "marketing", "be set only on a cost", self.name)


@attrs.frozen(kw_only=True)
class ParamSpec:
    """Unit, valid range (``low_open``: the low bound itself excluded), source, and whether a
    calibration may move a parameter."""

    unit: str
    bounds: tuple[float, float]
    source: str
    calibrate: bool
    low_open: bool = False


class Setting(NamedTuple):
    """What a mechanism's ``derive`` reads at compile time."""

    operating_model: Any
    profile: Any
    economics: Any
    taste: Any


_BOUNDS: dict[Any, tuple[float, float]] = {
    probability: (0.0, 1.0),
    nonnegative: (0.0, math.inf),
    positive: (0.0, math.inf),
}


def param(
    default: Any,
    check: Callable[..., Any] = probability,
    *,
    unit: str,
    source: str,
    bounds: tuple[float, float] | None = None,
    calibrate: bool = True,
    converter: Callable[[Any], Any] | None = None,
    eq: bool = True,
) -> Any:
    """An attrs field for a mechanism parameter: default, validator and its :class:`ParamSpec`.

    ``check`` is one of the shared validators of :mod:`shequn._validation` (``probability``,
    ``nonnegative``, ``positive`` or an ``integer(...)`` validator); ``bounds`` default to
    the range it enforces. ``source`` says where the default comes from: a seed passage, a
    published figure, or ``"assumed"`` with the reason.
    """
    if bounds is None:
        if check not in _BOUNDS and calibrate:
            raise TypeError(f"param({default!r}): give the bounds of a {check!r} check")
        bounds = _BOUNDS.get(check, (-math.inf, math.inf))
    spec = ParamSpec(
        unit=unit, bounds=bounds, source=source, calibrate=calibrate, low_open=check is positive
    )
    return attrs.field(
        default=default,
        validator=check,
        converter=converter,
        eq=eq,
        metadata={"spec": spec},
    )


def int_param(default: int, *, low: int, high: int | None = None, unit: str, source: str) -> Any:
    """An integer parameter (structural: not moved by a calibration)."""
    return param(
        default,
        count(low) if high is None else integer(low=low, high=high),
        unit=unit,
        source=source,
        bounds=(float(low), math.inf if high is None else float(high)),
        calibrate=False,
    )


def spec_of(field: attrs.Attribute[Any]) -> ParamSpec | None:
    """The :class:`ParamSpec` of a parameter field (``None`` for a field without one)."""
    spec = field.metadata.get("spec")
    return spec if isinstance(spec, ParamSpec) else None
