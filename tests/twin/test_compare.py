"""Strategy comparison: paired arms on posterior draws, so both uncertainties reach the CIs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import attrs
import numpy as np
import pytest

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.operating import OperatingModel
from shequn.scenarios.result import ScenarioResult
from shequn.twin import EngineSetup, Predictive, Twin, compare_strategies, parameters
from shequn.twin._problem import to_z

N, WEEKS, RUNS = 200, 8, 24


def _twin(draws: np.ndarray) -> Twin:
    setup = EngineSetup.of(generate_community("brand", N, rng=1), OperatingModel())
    specs = (parameters()["peer_talk"],)
    return Twin(
        setup=setup,
        specs=specs,
        estimate={"peer_talk": float(np.median(draws))},
        z=to_z(specs, [float(np.median(draws))]),
        cov=None,
        draws=draws.reshape(-1, 1),
        series=("messages",),
        weeks=WEEKS,
        observed=np.zeros((1, WEEKS)),
        predictive=Predictive(weeks=WEEKS, level=0.9, bands={}),
        distance=0.0,
        method="msm",
        level=0.9,
    )


@pytest.fixture(scope="module")
def spread() -> Twin:
    return _twin(np.linspace(0.1, 0.9, 50))


@pytest.fixture(scope="module")
def point() -> Twin:
    return _twin(np.full(50, 0.5))


OM = OperatingModel()
EVENTS = attrs.evolve(OM, tools=attrs.evolve(OM.tools, event_frequency=1.0))


def test_identical_arms_differ_by_nothing(spread: Twin) -> None:
    r = compare_strategies(spread, {"a": OM, "b": OM}, weeks=WEEKS, runs=6, rng=0)
    for m in r.metrics:
        (c,) = r.contrasts(m)
        assert np.all(c.values == 0.0), m
        assert r.p_best(m) == {"a": 0.5, "b": 0.5}


def test_pairing_removes_the_shared_noise(spread: Twin) -> None:
    r = compare_strategies(spread, {"now": OM, "events": EVENTS}, weeks=WEEKS, runs=RUNS, rng=1)
    v = r.values["active_members"]
    paired = np.var(v[:, 1] - v[:, 0], ddof=1)
    unpaired = np.var(v[:, 1] - np.roll(v[:, 0], 1), ddof=1)  # the same runs, unmatched
    assert paired < 0.25 * unpaired


def test_parameter_uncertainty_reaches_the_intervals(spread: Twin, point: Twin) -> None:
    """Same runs and streams; only the posterior differs. A spread posterior of peer_talk
    widens the spread of the messages-driven metric across runs (F-ratio far above 1)."""
    arms = {"now": OM, "events": EVENTS}
    wide = compare_strategies(spread, arms, weeks=WEEKS, runs=RUNS, rng=2)
    narrow = compare_strategies(point, arms, weeks=WEEKS, runs=RUNS, rng=2)
    vw = np.var(wide.values["active_members"][:, 0], ddof=1)
    vn = np.var(narrow.values["active_members"][:, 0], ddof=1)
    assert vw > 4 * vn  # F(23, 23) above 4 has probability below 0.001 under equal spreads
    e_w, e_n = wide.expected("active_members")["now"], narrow.expected("active_members")["now"]
    assert (e_w[2] - e_w[1]) > (e_n[2] - e_n[1])
    assert set(np.unique(wide.draws)) <= set(spread.draws.ravel().tolist())


def test_results_in_the_scenario_shape(spread: Twin) -> None:
    r = compare_strategies(spread, {"now": OM, "events": EVENTS}, weeks=WEEKS, runs=8, rng=3)
    res = r.result("profit")
    assert isinstance(res, ScenarioResult)
    assert res.arms == ("now", "events") and res.values.shape == (8, 2)
    assert res.contrasts[0].label == "events − now"
    assert res.contrasts[0].mean == pytest.approx(
        float(np.mean(res.values[:, 1] - res.values[:, 0]))
    )
    s = r.summary()
    assert s["best_profit"] in ("now", "events") and s.table is not None
    exp = r.expected("profit")
    assert exp["now"][0] == pytest.approx(float(np.mean(r.values["profit"][:, 0])))
    assert sum(r.p_best("profit").values()) == pytest.approx(1.0)
    assert r.to_html().startswith("<section")


def test_same_rng_same_comparison_whatever_the_executor(spread: Twin) -> None:
    arms = {"now": OM, "events": EVENTS}
    a = compare_strategies(spread, arms, weeks=4, runs=4, rng=7)
    with ThreadPoolExecutor(2) as pool:
        b = compare_strategies(spread, arms, weeks=4, runs=4, rng=7, executor=pool)
    for m in a.metrics:
        assert np.array_equal(a.values[m], b.values[m], equal_nan=True)


def test_bad_arms(spread: Twin) -> None:
    with pytest.raises(InvalidParameterError, match="at least two"):
        compare_strategies(spread, {"a": OM}, weeks=4)
    with pytest.raises(InvalidParameterError, match="OperatingModel"):
        compare_strategies(spread, {"a": OM, "b": "events"}, weeks=4)  # type: ignore[dict-item]
