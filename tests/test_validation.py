"""The shared validators: messages name owner, field, rule and value; nothing is clipped."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn._validation import (
    as_float,
    check_array,
    check_choice,
    check_duration,
    check_executor,
    check_finite,
    check_in_range,
    check_instance,
    check_int,
    check_nonnegative,
    check_path,
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


# --- bools, numeric strings, overflow (issue 14) -------------------------------------------

NOT_NUMBERS = st.one_of(
    st.booleans(),
    st.text(max_size=8),
    st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True),  # numeric strings
    st.none(),
    st.lists(st.floats(), max_size=2),
)


@given(NOT_NUMBERS)
def test_no_scalar_validator_reads_a_bool_or_a_string_as_a_number(value: object) -> None:
    checks = (
        lambda v: check_finite(v, owner="o", field="f"),
        lambda v: check_probability(v, owner="o", field="f"),
        lambda v: check_positive(v, owner="o", field="f"),
        lambda v: check_nonnegative(v, owner="o", field="f"),
        lambda v: check_in_range(v, owner="o", field="f", low=-10.0, high=10.0),
        lambda v: check_int(v, owner="o", field="f"),
    )
    for check in checks:
        with pytest.raises(InvalidParameterError, match=r"^`o\.f` must "):
            check(value)


@given(NOT_NUMBERS)
def test_as_float_lets_the_validator_refuse_what_float_would_accept(value: object) -> None:
    @attrs.frozen
    class Rate:
        p: float = attrs.field(converter=as_float, validator=probability)

    with pytest.raises(InvalidParameterError, match=r"^`Rate\.p` must be in \[0, 1\]"):
        Rate(value)


def test_as_float_converts_real_numbers_only() -> None:
    assert as_float(1) == 1.0 and type(as_float(1)) is float
    assert type(as_float(np.float32(0.5))) is float and as_float(np.int64(3)) == 3.0
    for value in (True, "0.5", None, [0.5]):
        assert as_float(value) is value


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ([True, False], r"numeric array \(not bool\)"),
        (["0.5", "1"], r"numeric array \(not str\)"),
        (np.array([b"1"]), r"numeric array \(not str\)"),
    ],
)
def test_arrays_of_bools_or_strings_are_not_numbers(value: object, rule: str) -> None:
    with pytest.raises(InvalidParameterError, match=rule):
        check_array(value, owner="o", field="f")
    with pytest.raises(InvalidParameterError, match=rule):
        check_array(value, owner="o", field="f", dtype=np.int64)


@pytest.mark.parametrize("big", [2.0**63, 1e300, -1e19])
def test_integer_arrays_never_wrap_around(big: float) -> None:
    # float -> int64 conversion of these is undefined (numpy gives -2**63): refuse instead
    with pytest.raises(InvalidParameterError, match=r"integers of magnitude at most 9\.22e\+18"):
        check_array([1.0, big], owner="o", field="f", dtype=np.int64)
    with pytest.raises(InvalidParameterError, match=r"within the range of int32"):
        check_array([1, 2**40], owner="o", field="f", dtype=np.int32)
    assert check_array([2.0**62], owner="o", field="f", dtype=np.int64)[0] == 2**62


def test_integer_float_arrays_stay_exact() -> None:
    assert check_array([0.0, 3.0, 2.0**53], owner="o", field="f", integer=True).tolist() == [
        0.0,
        3.0,
        2.0**53,
    ]
    with pytest.raises(InvalidParameterError, match=r"integers \(index 1\); got 1\.5"):
        check_array([1.0, 1.5], owner="o", field="f", integer=True)
    with pytest.raises(InvalidParameterError, match=r"magnitude at most 9\.01e\+15"):
        check_array([1e300], owner="o", field="f", integer=True)


def test_executor_is_checked_before_any_work() -> None:
    from concurrent.futures import ThreadPoolExecutor

    assert check_executor(None, owner="o") is None
    with ThreadPoolExecutor(1) as pool:
        assert check_executor(pool, owner="o") is pool
    for bad in ("processes", 2, object(), ThreadPoolExecutor):
        with pytest.raises(InvalidParameterError, match=r"^`o\.executor` must be None or a "):
            check_executor(bad, owner="o")


def test_check_instance_names_the_class_and_the_field() -> None:
    assert check_instance(3, int, owner="o", field="f") == 3
    with pytest.raises(InvalidParameterError, match=r"^`o\.rule` must be a TieRule; got 'abc'$"):
        from shequn.loyalty import TieRule

        check_instance("abc", TieRule, owner="o", field="rule")
    with pytest.raises(InvalidParameterError, match=r"must be an int or a float; got None"):
        check_instance(None, (int, float), owner="o", field="f")


def test_check_path_refuses_descriptors_and_missing_files(tmp_path: Any) -> None:
    f = tmp_path / "x.json"
    f.write_text("{}")
    assert check_path(f, owner="o", exists=True) == str(f)
    assert check_path("new.json", owner="o") == "new.json"
    # an int would be opened as a file descriptor: never a path here
    for bad in (5, None, ["a"], "", True):
        with pytest.raises(InvalidParameterError, match=r"^`o\.path` must be a path \(str or os"):
            check_path(bad, owner="o")
    with pytest.raises(InvalidParameterError, match=r"^`o\.path` must be an existing file"):
        check_path(tmp_path / "missing.json", owner="o", exists=True)


def test_check_duration_refuses_only_beyond_the_limit() -> None:
    check_duration(3599.0, owner="o", field="samples", value=1)
    # the message carries the estimate in seconds and hours
    with pytest.raises(InvalidParameterError, match=r"at least 7\.2e\+03 s, 2 hours"):
        check_duration(7200.0, owner="o", field="samples", value=2)
    with pytest.raises(InvalidParameterError, match=r"`o\.samples`"):
        check_duration(math.nan, owner="o", field="samples", value=3)  # no estimate: refused


def test_flags_take_numpy_bools_as_their_value_and_refuse_strings(tmp_path: Any) -> None:
    # the flags that used to accept only a Python bool now go through check_bool
    from shequn.community import generate_community
    from shequn.io.jsonl import append_jsonl, read_jsonl
    from shequn.operating import OperatingModel
    from shequn.simulation import compile_dynamics, parameters, run

    assert parameters(calibratable=np.True_) == parameters(calibratable=True)
    d = compile_dynamics(generate_community("brand", 60, rng=0), OperatingModel())
    assert run(d, weeks=2, rng=1, rings=np.False_) == run(d, weeks=2, rng=1, rings=False)
    path = tmp_path / "v.jsonl"
    append_jsonl(path, [1, 2])
    assert read_jsonl(path, strict=np.True_) == read_jsonl(path, strict=True)
    with pytest.raises(InvalidParameterError, match=r"^`read_jsonl\.strict` must be True or"):
        read_jsonl(path, strict="no")
    with pytest.raises(InvalidParameterError, match=r"^`run\.rings` must be True or False"):
        run(d, weeks=2, rng=1, rings="no")
