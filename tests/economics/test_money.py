"""Closed-form checks of the economics helpers."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.economics import Economics, cac, excess_spend, ltv, roi
from shequn.exceptions import InvalidParameterError


@given(m=st.floats(0.01, 100), h=st.floats(0.01, 0.9), d=st.floats(0, 0.2))
def test_ltv_equals_discounted_geometric_sum(m: float, h: float, d: float) -> None:
    t = 4000
    r = (1 - h) / (1 + d)
    direct = sum(m * r**k for k in range(t))
    assert ltv(m, h, discount_per_week=d) == pytest.approx(direct, rel=1e-6)


def test_cac_roi_waste() -> None:
    assert cac(500.0, 5) == 100.0
    assert math.isinf(cac(1.0, 0))
    assert math.isnan(cac(0.0, 0))
    assert roi(gross_margin=50.0, cost=100.0) == -0.5
    assert math.isnan(roi(gross_margin=1.0, cost=0.0))
    assert excess_spend(100.0, customers=10, target_cac=20.0) == 0.0
    assert ltv(0.0, 0.0) == 0.0 and math.isinf(ltv(1.0, 0.0))


def test_messages_for_budget() -> None:
    e = Economics(cost_per_message=0.1)
    assert e.messages_for(1.0) == 10.0
    assert e.messages_for(0.0) == 0.0
    assert math.isinf(Economics(cost_per_message=0.0).messages_for(1.0))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: cac(-1.0, 1), "acquisition_cost"),
        (lambda: cac(1.0, -1), "customers"),
        (lambda: ltv(1.0, 1.5), "churn_per_week"),
        (lambda: ltv(-1.0, 0.1), "margin_per_week"),
        (lambda: roi(gross_margin=1.0, cost=-1.0), "cost"),
        (lambda: excess_spend(-1.0, customers=1, target_cac=1.0), "spend"),
        (lambda: Economics().messages_for(-2.0), "budget"),
    ],
)
def test_bad_input(call: object, field: str) -> None:
    with pytest.raises(InvalidParameterError, match=field):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("bad", ["100", True, None, [1.0]])
@pytest.mark.parametrize(
    "field", ["price", "cost_per_content", "cost_per_event", "cost_per_message", "staff_per_week"]
)
def test_money_fields_refuse_strings_bools_and_none(field: str, bad: object) -> None:
    """Issue 14: converter=float read "100" and True as numbers; now the house error."""
    with pytest.raises(InvalidParameterError, match=rf"`Economics\.{field}` must"):
        Economics(**{field: bad})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: cac(1000.0, 5e-324), "cac.customers"),
        (lambda: ltv(10.0, 5e-324), "ltv.churn_per_week"),
        (lambda: roi(gross_margin=1.0, cost=5e-324), "roi.cost"),
    ],
)
def test_a_subnormal_divisor_is_refused_not_turned_into_inf(call: object, field: str) -> None:
    """Issue 14 (long walk): 1000 / 5e-324 overflowed to inf, returned as if a value."""
    with pytest.raises(InvalidParameterError, match=rf"`{re.escape(field)}` must be large enough"):
        call()  # type: ignore[operator]


def test_the_documented_infinities_stay() -> None:
    """No customer at a positive cost is an infinite CAC; no churn nor discount an infinite LTV."""
    assert cac(1000.0, 0) == math.inf
    assert ltv(10.0, 0.0) == math.inf
