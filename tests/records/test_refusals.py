"""Bad input to the records API is refused with InvalidParameterError naming the parameter, never
read as something else (a string time, a truthy "no", an empty series) or left to fail later
with an AttributeError. These are the API walk's records cases (tests/walk), pinned one by one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError
from shequn.loyalty import TieRule
from shequn.records import (
    LoadReport,
    Records,
    StageHistory,
    StageRule,
    WeeklySeries,
    health,
    load_records,
    membership_effect,
    week_of,
)

# typed values that are not what a parameter takes, as a user may pass them by mistake
WRONG_OBJECTS = ["abc", 1, {}, [0.5]]
BAD_TIMES = [-1.0, float("nan"), float("inf"), -float("inf"), True, "2", [2.0], None]


@pytest.fixture(scope="module")
def records() -> Records:
    return load_records(
        members={"member": [1, 2, 3], "joined": [0, 0, 1.5], "left": [None, 2.2, None]},
        ties={"a": [1], "b": [2]},
        transactions={"customer": [1, 1, 3], "time": [0.5, 2.0, 2.5], "amount": [10.0, 20, 5]},
    )


@pytest.mark.parametrize("bad", ["no-such-kind", 1, ["bad_value"], None])
def test_problem_kind_must_be_one_of_the_documented_kinds(bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`LoadReport\.of_kind\.kind` must be one of"):
        LoadReport().of_kind(bad)
    assert LoadReport().of_kind("self_tie") == ()


@pytest.mark.parametrize("method", ["present", "community", "groups_at"])
@pytest.mark.parametrize("bad", BAD_TIMES, ids=repr)
def test_a_time_must_be_a_finite_number_of_weeks_from_the_start(
    records: Records, method: str, bad: Any
) -> None:
    if bad is None and method != "present":
        return  # None is the documented "whole observation" there
    with pytest.raises(InvalidParameterError, match=rf"`Records\.{method}\.at` must be >= 0"):
        getattr(records, method)(at=bad)


def test_present_by_hand(records: Records) -> None:
    # spells: 1 in [0, inf), 2 in [0, 2.2), 3 in [1.5, inf)
    assert records.present(0).tolist() == [True, True, False]
    assert records.present(2.2).tolist() == [True, False, True]


@pytest.mark.parametrize("bad", [True, "2", 0, 0.0, -1.0, float("nan"), [2.0], 1e300, 2.6])
def test_calibration_end_lies_within_the_observation(records: Records, bad: Any) -> None:
    # end of observation: 2.5 weeks (the last transaction)
    with pytest.raises(InvalidParameterError, match=r"`Records\.rfm\.calibration_end` must be in"):
        records.rfm(calibration_end=bad)


def test_calibration_end_at_the_end_is_the_default(records: Records) -> None:
    a, b = records.rfm(), records.rfm(calibration_end=records.end)
    assert a.T.tolist() == b.T.tolist() and a.frequency.tolist() == b.frequency.tolist()
    # by hand: customer 1 bought on days 3 and 14, the window ends on day floor(2.5 * 7) = 17
    early = records.rfm(calibration_end=1.0)  # day 7: customer 1's second purchase is later
    assert early.customer_ids.tolist() == ["1"] and early.frequency.tolist() == [0]


@pytest.mark.parametrize("bad", ["no", 1, None])
def test_members_only_is_a_flag(records: Records, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`Records\.rfm\.members_only` must be True"):
        records.rfm(members_only=bad)


@pytest.mark.parametrize("bad", WRONG_OBJECTS)
def test_rules_must_be_rule_objects(records: Records, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`Records\.stages\.rule` must be a StageRule"):
        records.stages(bad)
    with pytest.raises(
        InvalidParameterError, match=r"`Records\.strong_ties\.rule` must be a TieRule"
    ):
        records.strong_ties(bad)
    with pytest.raises(InvalidParameterError, match=r"`StageRule\.tie_rule` must be a TieRule"):
        StageRule(tie_rule=bad)
    with pytest.raises(InvalidParameterError, match=r"`health\.stage_rule` must be a StageRule"):
        health(records, stage_rule=bad)


def test_stage_rule_without_a_tie_rule_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match=r"`StageRule\.tie_rule` must be a TieRule"):
        StageRule(tie_rule=None)  # type: ignore[arg-type]
    assert StageRule(tie_rule=TieRule(strong_after_meetings=2)).tie_rule.strong_after_meetings == 2


@pytest.mark.parametrize("bad", [5, None, ["a"]])
def test_csv_directory_must_be_a_path(records: Records, bad: Any, tmp_path: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`Records\.to_csv\.directory` must be a path"):
        records.to_csv(bad)


@pytest.mark.parametrize("bad", ["members", "", 1, None, ["a"]])
def test_stage_history_source_is_records_or_rule(bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`StageHistory\.source` must be one of"):
        StageHistory(stages=np.zeros((1, 2), np.int8), source=bad)


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        (np.array([1, 2], np.int8), "be 2-dimensional"),
        (np.array([[1, 9]], np.int8), "hold Stage codes 0..5 or -1"),
        (np.array([[1, -2]], np.int8), "hold Stage codes 0..5 or -1"),
        (np.array([[1.5, 2.0]]), "hold integers"),
        (np.zeros((2, 0), np.int8), "have a column per week"),
        ([["a", "b"]], "be a numeric array"),
    ],
)
def test_stage_history_holds_stage_codes(bad: Any, rule: str) -> None:
    with pytest.raises(InvalidParameterError, match=rf"`StageHistory\.stages` must {rule}"):
        StageHistory(stages=bad, source="rule")


def test_stage_history_reads_lists_as_stage_codes() -> None:
    h = StageHistory(stages=[[0, 1], [-1, 5]], source="rule")
    assert h.stages.dtype == np.int8 and h.names(1) == ["customer", "lapsed"]


def test_weekly_series_has_at_least_one_series() -> None:
    with pytest.raises(InvalidParameterError, match=r"`WeeklySeries\.columns` must be a mapping"):
        WeeklySeries(columns={})


@pytest.mark.parametrize("bad", ["members", None, 1, {}, [], ["nope"], [1]])
def test_select_names_is_a_list_of_series_names(bad: Any) -> None:
    s = WeeklySeries(columns={"members": [3, 4, 4], "joins": [0, 1, 0]})
    with pytest.raises(InvalidParameterError, match=r"`WeeklySeries\.select\.names` must"):
        s.select(bad)


@pytest.mark.parametrize("bad", [True, 1.5, 1.0, float("nan"), "2", 0, 3])
def test_select_weeks_is_a_whole_number_within_the_series(bad: Any) -> None:
    s = WeeklySeries(columns={"members": [3, 4, 4], "joins": [0, 1, 0]})
    with pytest.raises(InvalidParameterError, match=r"`WeeklySeries\.select\.weeks` must"):
        s.select(["joins"], weeks=bad)
    assert s.select(["joins", "members"], weeks=2).tolist() == [[1.0, 0.0], [4.0, 4.0]]


@pytest.mark.parametrize(
    "bad", [[0.5, float("nan")], [0.5, float("inf")], None, "abc", ["a", "b"], {"a": 1}], ids=repr
)
def test_week_of_refuses_what_is_not_a_finite_time(bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`week_of\.times` must"):
        week_of(bad)


@settings(max_examples=60)
@given(st.lists(st.floats(-1e6, 1e6), max_size=20))
def test_property_week_of_is_the_ceiling_clipped_at_zero(times: list[float]) -> None:
    # week w holds (w - 1, w]: the definition, one time at a time
    want = [max(0, math.ceil(t - 1e-9)) for t in times]
    assert week_of(times).tolist() == want


@pytest.mark.parametrize("bad", WRONG_OBJECTS)
def test_health_takes_records_and_membership_effect_an_rfm_summary(
    records: Records, bad: Any
) -> None:
    with pytest.raises(InvalidParameterError, match=r"`health\.records` must be a Records"):
        health(bad)
    with pytest.raises(
        InvalidParameterError, match=r"`membership_effect\.rfm` must be an? RFMSummary"
    ):
        membership_effect(bad, np.array([True, False]))
