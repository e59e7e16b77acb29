"""The shared validators: messages name owner, field, rule and value; nothing is clipped."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn._validation import (
    check_array,
    check_choice,
    check_in_range,
    check_int,
    check_nonnegative,
    check_positive,
    check_probability,
    in_range,
    probability,
)
from shequn.exceptions import ConvergenceError, InvalidParameterError, ShequnError


def test_error_hierarchy() -> None:
    assert issubclass(InvalidParameterError, ValueError)
    assert issubclass(ConvergenceError, RuntimeError)
    assert issubclass(ConvergenceError, ShequnError)


def test_message_names_owner_field_rule_value() -> None:
    with pytest.raises(InvalidParameterError) as info:
        check_probability(1.2, owner="Content", field="quality")
    assert str(info.value) == "`Content.quality` must be in [0, 1]; got 1.2"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_probability_accepts_exactly_unit_interval(x: float) -> None:
    if 0.0 <= x <= 1.0:
        assert check_probability(x, owner="o", field="f") == x
    else:
        with pytest.raises(InvalidParameterError, match=r"`o\.f`"):
            check_probability(x, owner="o", field="f")


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_positive_and_nonnegative(x: float) -> None:
    finite = math.isfinite(x)
    if finite and x > 0:
        assert check_positive(x, owner="o", field="f") == x
    else:
        with pytest.raises(InvalidParameterError):
            check_positive(x, owner="o", field="f")
    if finite and x >= 0:
        assert check_nonnegative(x, owner="o", field="f") == x
    else:
        with pytest.raises(InvalidParameterError):
            check_nonnegative(x, owner="o", field="f")


def test_bool_and_string_are_not_numbers() -> None:
    for bad in (True, "0.5", None):
        with pytest.raises(InvalidParameterError):
            check_probability(bad, owner="o", field="f")
        with pytest.raises(InvalidParameterError):
            check_int(bad, owner="o", field="f")


def test_int_refuses_floats_and_bounds() -> None:
    assert check_int(np.int64(4), owner="o", field="n", low=1) == 4
    with pytest.raises(InvalidParameterError, match="integer >= 1"):
        check_int(3.0, owner="o", field="n", low=1)
    with pytest.raises(InvalidParameterError, match="<= 5"):
        check_int(6, owner="o", field="n", high=5)


def test_open_interval() -> None:
    with pytest.raises(InvalidParameterError, match=r"\(0, 1\]"):
        check_in_range(0.0, owner="o", field="f", low=0, high=1, low_open=True)


def test_choice() -> None:
    with pytest.raises(InvalidParameterError, match="one of"):
        check_choice("x", ["a", "b"], owner="o", field="f")


def test_array_rules() -> None:
    with pytest.raises(InvalidParameterError, match="finite"):
        check_array([1.0, np.inf], owner="o", field="f")
    with pytest.raises(InvalidParameterError, match=r">= 0 \(index 1\)"):
        check_array([1.0, -2.0], owner="o", field="f", nonnegative=True)
    with pytest.raises(InvalidParameterError, match="integers"):
        check_array([1.5], owner="o", field="f", dtype=np.int64)
    with pytest.raises(InvalidParameterError, match="2-dimensional"):
        check_array([1.0], owner="o", field="f", ndim=2)
    with pytest.raises(InvalidParameterError, match=r"array-like|numeric"):
        check_array([[1.0], [1.0, 2.0]], owner="o", field="f")
    assert check_array([1, 2], owner="o", field="f", dtype=np.int64).dtype == np.int64


def test_attrs_validators_use_class_name() -> None:
    @attrs.frozen(kw_only=True)
    class Rule:
        strictness: float = attrs.field(validator=in_range(0, 1))
        share: float = attrs.field(default=0.5, validator=probability)

    with pytest.raises(InvalidParameterError, match=r"`Rule\.share` must be in \[0, 1\]; got -1"):
        Rule(strictness=0.5, share=-1)
