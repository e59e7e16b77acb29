"""The engine's records and the engine's own weekly flows agree (two code paths, one run)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.loyalty import Stage
from shequn.operating import OperatingModel, Tools
from shequn.records import load_records
from shequn.simulation import simulate
from shequn.twin._engine import OBSERVED, EngineSetup, build, emit_records, observe_run

WEEKS = 10


@pytest.fixture(scope="module")
def setup() -> EngineSetup:
    c = generate_community("brand", 400, rng=5)
    om = OperatingModel(tools=Tools(broadcast_budget=10.0, event_frequency=0.5))
    return EngineSetup.of(c, om)


def test_records_series_equal_the_trajectory(setup: EngineSetup, tmp_path: Path) -> None:
    r = emit_records(setup, weeks=WEEKS, rng=11)
    t = simulate(
        setup.community, setup.operating_model, weeks=WEEKS, rng=11, economics=setup.economics
    )
    w = r.weekly()
    same = {
        "joins": "joined",
        "leaves": "left",
        "members": "members",
        "messages": "messages",
        "events": "events",
        "attendances": "attendees",
        "member_revenue": "revenue",
        "broadcast_sent": "broadcast_sent",
        "broadcast_opens": "broadcast_opened",
    }
    for mine, theirs in same.items():
        assert np.array_equal(w[mine][1:], np.asarray(t.column(theirs), float)[1:]), mine
    assert w["attendances"][1:].sum() > 0 and w["messages"][1:].sum() > 0
    # stocks: the engine's stage counts at the end of every week, from the stages table
    assert np.array_equal(r.stages().counts(), t.stage_counts)
    assert r.stages().source == "records"
    # the direct path (no records) gives the same series
    y = observe_run(setup, weeks=WEEKS, rng=11)
    for i, k in enumerate(OBSERVED):
        assert np.array_equal(y[i, 1:], w[k][1:]), k
    # and the records survive CSV
    r.to_csv(tmp_path)
    again = load_records(tmp_path)
    assert again.weekly() == w
    assert np.array_equal(again.stages().stages, r.stages().stages)


def test_spells_follow_lapses_and_returns(setup: EngineSetup) -> None:
    s = build(setup, {"baseline_churn": 0.15, "return_rate": 0.2})
    r = emit_records(s, weeks=WEEKS, rng=3)
    h = r.stages().stages
    lapsed = h == int(Stage.LAPSED)
    back = (lapsed[:, :-1] & (h[:, 1:] >= 0) & (h[:, 1:] < int(Stage.LAPSED))).sum()
    # one spell per member plus one per return
    assert back > 0
    ever = (h >= 0).any(axis=1) | r.operators
    assert r.spells["member"].size == int(ever.sum()) + int(back)
    w = r.weekly()
    assert np.array_equal(np.diff(w["members"]), w["joins"][1:] - w["leaves"][1:])


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"baseline_churn": "0.05"}, r"`build\.values\['baseline_churn'\]` must be a finite"),
        ({"repeat_scale": "2"}, r"`build\.values\['repeat_scale'\]` must be a finite"),
        ({"ladder_scale": float("nan")}, r"`build\.values\['ladder_scale'\]` must be a finite"),
        ("baseline_churn", r"`build\.values` must be a mapping"),
    ],
)
def test_build_refuses_values_that_are_not_finite_numbers(
    setup: EngineSetup, values: object, match: str
) -> None:
    # float("0.05") used to turn a string into a number silently (issue 14)
    with pytest.raises(InvalidParameterError, match=match):
        build(setup, values)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [float("nan"), 0, 2.5, "100", True])
def test_engine_setup_capacity_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"`EngineSetup\.capacity` must be an integer"):
        EngineSetup.of(generate_community("brand", 30, rng=0), capacity=bad)  # type: ignore[arg-type]


def test_emit_records_tastes_must_be_a_bool(setup: EngineSetup) -> None:
    with pytest.raises(InvalidParameterError, match=r"`emit_records\.tastes` must be True or"):
        emit_records(setup, weeks=2, rng=0, tastes="no")  # type: ignore[arg-type]


def test_runs_without_rings_are_the_same_runs(setup: EngineSetup) -> None:
    """``rings=False`` (what the twin asks for) leaves every weekly column and record as it
    was; only ``ring_sizes`` is empty. A flag that is not a bool is refused."""
    from shequn.simulation import run, run_batch

    d = setup.compile()
    a = run(d, weeks=4, rng=3, records=True)
    b = run(d, weeks=4, rng=3, records=True, rings=False)
    assert b.ring_sizes == () and len(a.ring_sizes) == 4
    assert set(a.columns) == set(b.columns)
    for k in a.columns:
        assert np.array_equal(a.columns[k], b.columns[k], equal_nan=True), k
    assert a.records is not None and b.records is not None
    for name, table in a.records.tables.items():
        for col, values in table.items():
            nan = np.asarray(values).dtype.kind == "f"
            assert np.array_equal(values, b.records.tables[name][col], equal_nan=nan), (name, col)
    with pytest.raises(InvalidParameterError, match=r"`run\.rings` must be True or False"):
        run(d, weeks=2, rng=0, rings="no")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"`run_batch\.rings` must be True or False"):
        run_batch(d, [{}], weeks=2, rng=0, rings=1)  # type: ignore[arg-type]
