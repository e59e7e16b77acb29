"""Bad input to the twin is refused with InvalidParameterError naming the field, before any
work: wrong object types, a bad executor, metric names, and sizes whose memory need exceeds
the machine (each with the estimate in the message) instead of a MemoryError or a hang."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.operating import OperatingModel
from shequn.records import Records
from shequn.twin import (
    EngineSetup,
    StrategyComparison,
    Twin,
    build,
    calibrate,
    compare_strategies,
    emit_records,
    observe_run,
    parameters,
)
from shequn.twin.calibration import Predictive, twin_setup

WRONG_OBJECTS = ["abc", 1, {}]
HUGE = 10**12
MEMORY = r"must need no more memory than this machine has \(about .* bytes needed"


@pytest.fixture(scope="module")
def setup() -> EngineSetup:
    return EngineSetup.of(generate_community("brand", 60, rng=0))


@pytest.fixture(scope="module")
def records(setup: EngineSetup) -> Records:
    return emit_records(setup, weeks=4, rng=1)


@pytest.fixture(scope="module")
def twin(setup: EngineSetup) -> Twin:
    # a Twin as calibrate returns it, without the cost of a calibration (its values do not
    # matter to argument checks)
    return Twin(
        setup=setup,
        specs=(),
        estimate={},
        z=np.zeros(0),
        cov=None,
        draws=np.zeros((10, 0)),
        series=("members",),
        weeks=4,
        observed=np.zeros((1, 4)),
        predictive=Predictive(weeks=4, level=0.9, bands={}),
        distance=0.0,
        method="msm",
        level=0.9,
        diagnostics={},
    )


@pytest.mark.parametrize("bad", [*WRONG_OBJECTS, None])
def test_setup_arguments_are_type_checked(setup: EngineSetup, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`EngineSetup\.of\.community` must be a"):
        EngineSetup.of(bad)
    with pytest.raises(InvalidParameterError, match=r"`build\.setup` must be an EngineSetup"):
        build(bad, {})
    with pytest.raises(InvalidParameterError, match=r"`emit_records\.setup` must be an"):
        emit_records(bad, weeks=2, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`observe_run\.setup` must be an"):
        observe_run(bad, weeks=2, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`twin_setup\.records` must be a Records"):
        twin_setup(bad)
    with pytest.raises(InvalidParameterError, match=r"`compare_strategies\.twin` must be a"):
        compare_strategies(bad, {"a": OperatingModel(), "b": OperatingModel()}, weeks=2)


@pytest.mark.parametrize("bad", WRONG_OBJECTS)
@pytest.mark.parametrize("field", ["operating_model", "profile", "mechanisms", "economics"])
def test_engine_setup_settings_are_type_checked(setup: EngineSetup, field: str, bad: Any) -> None:
    # these were accepted (operating_model, profile, economics) or failed deep inside
    with pytest.raises(InvalidParameterError, match=rf"`EngineSetup\.of\.{field}` must be a"):
        EngineSetup.of(setup.community, **{field: bad})
    with pytest.raises(InvalidParameterError, match=rf"`EngineSetup\.{field}` must be a"):
        good = {
            "community": setup.community,
            "operating_model": setup.operating_model,
            "profile": setup.profile,
            "mechanisms": setup.mechanisms,
            "economics": setup.economics,
        }
        EngineSetup(**{**good, field: bad})


@pytest.mark.parametrize("bad", WRONG_OBJECTS)
def test_parameters_setup_is_none_or_a_setup(setup: EngineSetup, bad: Any) -> None:
    assert parameters(setup) == parameters()
    with pytest.raises(InvalidParameterError, match=r"`parameters\.setup` must be an"):
        parameters(bad)


@pytest.mark.parametrize("bad", [*WRONG_OBJECTS, None])
def test_calibrate_records_and_setup_are_type_checked(records: Records, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`calibrate\.records` must be a Records"):
        calibrate(bad, free=("baseline_churn",))
    if bad is not None:  # setup=None is the documented default
        with pytest.raises(InvalidParameterError, match=r"`calibrate\.setup` must be an"):
            calibrate(records, free=("baseline_churn",), setup=bad)


@pytest.mark.parametrize("bad", ["processes", 2, object()])
def test_bad_executor_is_refused_before_work(records: Records, twin: Twin, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`calibrate\.executor` must be None"):
        calibrate(records, free=("baseline_churn",), executor=bad)
    with pytest.raises(InvalidParameterError, match=r"`Twin\.predict\.executor` must be None"):
        twin.predict(4, executor=bad)


@pytest.mark.parametrize("field", ["replications", "pilot", "design", "draws", "predictive"])
def test_calibrate_refuses_sizes_beyond_memory(records: Records, field: str) -> None:
    # replications=1e12 ran for hours; design, pilot and draws raised MemoryError
    with pytest.raises(InvalidParameterError, match=rf"`calibrate\.{field}` {MEMORY}"):
        calibrate(records, free=("baseline_churn",), **{field: HUGE})


def test_predict_refuses_sizes_beyond_memory(twin: Twin) -> None:
    with pytest.raises(InvalidParameterError, match=rf"`Twin\.predict\.runs` {MEMORY}"):
        twin.predict(4, runs=HUGE)
    with pytest.raises(InvalidParameterError, match=rf"`Twin\.predict\.weeks` {MEMORY}"):
        twin.predict(HUGE)
    for bad in WRONG_OBJECTS:
        with pytest.raises(InvalidParameterError, match=r"`Twin\.predict\.observed` must be a"):
            twin.predict(4, observed=bad)


def test_compare_strategies_refuses_weeks_beyond_memory(twin: Twin) -> None:
    arms = {"a": OperatingModel(), "b": OperatingModel()}
    with pytest.raises(InvalidParameterError, match=rf"`compare_strategies\.weeks` {MEMORY}"):
        compare_strategies(twin, arms, weeks=HUGE)
    with pytest.raises(InvalidParameterError, match=rf"`compare_strategies\.runs` {MEMORY}"):
        compare_strategies(twin, arms, weeks=2, runs=HUGE)


@pytest.mark.parametrize("bad", ["no-such-metric", 1, ["profit"], None])
def test_strategy_metric_names_are_checked(bad: Any) -> None:
    r = StrategyComparison(
        arms=("a", "b"),
        metrics=("profit",),
        weeks=4,
        values={"profit": np.array([[1.0, 3.0], [2.0, 2.5], [1.5, 4.0]])},
        weekly_profit=np.zeros((3, 2, 4)),
        higher_is_better={"profit": True},
    )
    assert r.expected("profit")["b"][0] == pytest.approx(9.5 / 3)  # mean of 3.0, 2.5, 4.0
    for method in ("expected", "p_best", "contrasts", "result"):
        with pytest.raises(
            InvalidParameterError, match=rf"`StrategyComparison\.{method}\.metric` must be one"
        ):
            getattr(r, method)(bad)


def test_engine_setup_capacity_beyond_int64_is_refused(setup: EngineSetup) -> None:
    with pytest.raises(InvalidParameterError, match=r"`EngineSetup\.capacity` must be at most"):
        EngineSetup.of(setup.community, capacity=2**64)
