"""Tests of true-fans economics."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from shequn.exceptions import InvalidParameterError
from shequn.longtail.truefans import TrueFans, fan_probability
from shequn.loyalty.stages import Stage


def test_kelly_thousand_true_fans() -> None:
    # Kelly (2008): 1000 true fans spending $100 a year give $100,000
    tf = TrueFans(spend=100.0)
    assert tf.income(1000) == 100_000.0
    assert tf.fans_needed(100_000.0) == 1000


def test_income_with_retention_margin_costs() -> None:
    tf = TrueFans(spend=120.0, retention=0.75, margin=0.6, costs=18_000.0)
    assert tf.income(1000) == pytest.approx(1000 * 120 * 0.75 * 0.6 - 18_000)
    # (target + costs) / (spend * retention * margin) = (36000 + 18000) / 54 = 1000
    assert tf.fans_needed(36_000.0) == 1000
    assert tf.fans_needed(36_000.01) == 1001


def test_customers_needed_expected_and_quantile() -> None:
    tf = TrueFans(spend=100.0)
    assert tf.customers_needed(1000, conversion=0.04) == 25_000
    n = tf.customers_needed(100, conversion=0.1, level=0.9)
    # exact binomial check: n is the smallest count reaching the level
    assert stats.binom.sf(99, n, 0.1) >= 0.9 > stats.binom.sf(99, n - 1, 0.1)


def test_conversion_from_a_ladder_like_object() -> None:
    class Ladder:
        def probability_of_reaching(self, stage: Stage) -> float:
            return {Stage.FAN: 0.05}.get(stage, 0.5)

    assert fan_probability(Ladder()) == 0.05
    assert TrueFans(spend=50.0).customers_needed(10, conversion=Ladder()) == 200


@given(
    st.floats(1.0, 1e4),
    st.floats(0.05, 1.0),
    st.floats(0.05, 1.0),
    st.floats(0.0, 1e6),
    st.floats(0.0, 1e7),
)
def test_fans_needed_is_minimal(
    spend: float, retention: float, margin: float, costs: float, target: float
) -> None:
    tf = TrueFans(spend=spend, retention=retention, margin=margin, costs=costs)
    f = tf.fans_needed(target)
    assert tf.income(f) >= target - 1e-6 * max(1.0, target)
    if f > 0:
        assert tf.income(f - 1) < target


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: TrueFans(spend=0.0), "TrueFans.spend"),
        (lambda: TrueFans(spend=10.0, retention=1.2), "TrueFans.retention"),
        (lambda: TrueFans(spend=10.0, margin=-0.1), "TrueFans.margin"),
        (lambda: TrueFans(spend=10.0, costs=-1.0), "TrueFans.costs"),
        (lambda: TrueFans(spend=10.0).income(-5), "income.fans"),
        (lambda: TrueFans(spend=10.0).fans_needed(float("nan")), "fans_needed.target_income"),
        (lambda: TrueFans(spend=10.0).customers_needed(10, conversion=0.0), "conversion"),
        (lambda: TrueFans(spend=10.0).customers_needed(10, conversion=1.5), "conversion"),
        (lambda: TrueFans(spend=10.0).customers_needed(10, conversion=0.1, level=1.0), "level"),
        (lambda: TrueFans(spend=10.0).customers_needed(2.5, conversion=0.1), "fans"),
    ],
)
def test_bad_input(call: object, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        call()  # type: ignore[operator]


def test_ladder_plugs_into_true_fans() -> None:
    """A Ladder is a FanConversion: customers needed = fans / P(customer reaches fan)."""
    import math

    from shequn.longtail.truefans import TrueFans
    from shequn.loyalty import Stage, default_ladder

    lad = default_ladder()
    p = lad.reach(Stage.FAN, lapse_is_final=True)[0]
    got = TrueFans(spend=100.0).customers_needed(1000, conversion=lad)
    assert got == math.ceil(1000 / p)


def test_customers_needed_refuses_a_conversion_that_overflows() -> None:
    """Issue 14 (long walk): conversion=5e-324 made fans / conversion inf and then a raw
    ValueError (ceil of NaN)."""
    with pytest.raises(InvalidParameterError, match=r"`TrueFans\.customers_needed\.conversion`"):
        TrueFans(spend=100.0).customers_needed(1000, conversion=5e-324)
