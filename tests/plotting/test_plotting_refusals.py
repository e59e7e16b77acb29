"""Bad input to a figure is refused with InvalidParameterError naming the parameter, before
anything is drawn (no figure is opened), never an AttributeError or a silently ignored value.

These are the API walk's plotting cases (tests/walk), pinned one by one.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# every figure function and the parameter that takes the object it draws
OBJECT_PARAMETERS = [
    ("shequn.plotting:plot", "result", "a result with a registered figure"),
    ("shequn.plotting.bass:plot_bass_forecast", "fit", "a BassFit"),
    ("shequn.plotting.bass:plot_budget_comparison", "comparison", "a BudgetComparison"),
    ("shequn.plotting.community:plot_community", "community", "a Community"),
    ("shequn.plotting.diffusion:plot_diffusion", "result", "a DiffusionResult"),
    ("shequn.plotting.diffusion:plot_seed_set", "seed_set", "a SeedSet"),
    ("shequn.plotting.simulation:plot_ladder", "ladder", "a Ladder"),
    ("shequn.plotting.simulation:plot_trajectory", "trajectory", "a Trajectory"),
    ("shequn.plotting.scenarios:plot_scenario", "result", "a ScenarioResult"),
    ("shequn.plotting.scenarios:scenario_figure", "result", "a ScenarioResult"),
    ("shequn.plotting.scenarios:plot_scenario_run", "run", "a ScenarioRun"),
    ("shequn.plotting.records:plot_weekly", "series", "a WeeklySeries"),
    ("shequn.plotting.records:plot_stages", "history", "a StageHistory"),
    ("shequn.plotting.records:plot_health", "report", "a HealthReport"),
    ("shequn.plotting.records:health_figures", "report", "a HealthReport"),
    ("shequn.plotting.records:health_section", "report", "a HealthReport"),
    ("shequn.plotting.twin:plot_bands", "pred", "a Predictive"),
    ("shequn.plotting.twin:plot_twin", "twin", "a Twin"),
    ("shequn.plotting.twin:plot_posterior", "twin", "a Twin"),
    ("shequn.plotting.twin:twin_section", "twin", "a Twin"),
    ("shequn.plotting.twin:plot_strategies", "result", "a StrategyComparison"),
]


def _function(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def _refused(fn: Any, *args: Any, match: str, **kwargs: Any) -> str:
    """Call ``fn``, expect our error matching ``match`` and no figure opened; the message."""
    before = set(plt.get_fignums())
    with pytest.raises(InvalidParameterError, match=match) as info:
        fn(*args, **kwargs)
    assert set(plt.get_fignums()) == before, "a figure was opened before the refusal"
    return str(info.value)


@pytest.mark.parametrize(("path", "field", "rule"), OBJECT_PARAMETERS)
@pytest.mark.parametrize(
    "bad", ["abc", 1, {}, None, [0.5]], ids=["str", "int", "dict", "none", "list"]
)
def test_a_wrong_object_is_refused_naming_the_parameter(
    path: str, field: str, rule: str, bad: Any
) -> None:
    owner = path.split(":")[1]
    msg = _refused(_function(path), bad, match=rf"`{owner}\.{field}` must be {rule}")
    got = msg.rsplit("; got ", 1)[1]  # what was given: the value or its type
    assert repr(bad) in got or type(bad).__name__ in got


@settings(max_examples=40)
@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
    st.sampled_from(OBJECT_PARAMETERS),
)
def test_property_no_plain_value_is_ever_drawn(bad: Any, entry: tuple[str, str, str]) -> None:
    path, field, _ = entry
    _refused(_function(path), bad, match=rf"`{path.split(':')[1]}\.{field}`")


@pytest.fixture(scope="module")
def bass_fit() -> Any:
    from shequn.diffusion.bass import Bass, fit_bass

    return fit_bass(Bass(p=0.03, q=0.38, m=1000.0).adoptions(12) + (-1.0) ** np.arange(12))


def test_forecast_horizon_beyond_memory_is_refused_with_the_estimate(bass_fit: Any) -> None:
    from shequn.plotting.bass import plot_bass_forecast

    # 10**12 periods would allocate terabytes in the forecast: refused before any allocation
    msg = _refused(
        plot_bass_forecast, bass_fit, periods=10**12, match=r"plot_bass_forecast\.periods"
    )
    assert "bytes needed" in msg and msg.endswith("got 1000000000000")
    # a long but feasible horizon still draws
    ax = plot_bass_forecast(bass_fit, periods=5000)
    assert len(ax.lines[0].get_ydata()) == 5000
    plt.close(ax.figure)


@pytest.mark.parametrize("bad", ["no", 1, None])
def test_forecast_split_must_be_a_flag(bass_fit: Any, bad: Any) -> None:
    from shequn.plotting.bass import plot_bass_forecast

    _refused(
        plot_bass_forecast,
        bass_fit,
        split=bad,
        match=r"`plot_bass_forecast\.split` must be True or False",
    )


@pytest.fixture(scope="module")
def open_rate() -> tuple[Any, Any, Any]:
    from shequn.diffusion.reach import fit_open_rate

    a = np.array([100.0, 1000.0, 10000.0, 100000.0])
    opens = np.array([30.0, 200.0, 1000.0, 5000.0])
    return fit_open_rate(a, opens), a, opens


@pytest.mark.parametrize(
    ("field", "bad", "rule"),
    [
        ("opens", [30.0, 200.0, 1000.0, 5000.5], "hold integers"),
        ("opens", [30.0, 200.0, 1000.0, -1.0], "be >= 0"),
        ("opens", [30.0, 200.0, 1000.0, float("nan")], "hold integers"),
        ("opens", [30.0, 200.0, 1000.0, 1e300], "hold integers of magnitude"),
        ("opens", [30.0, 200.0, 1000.0, 200000.0], "be <= audience"),
        ("opens", [30.0, 200.0], "have one value per audience"),
        ("opens", None, "be a numeric array"),
        ("opens", ["a", "b", "c", "d"], "be a numeric array"),
        ("audience", None, "be a numeric array"),
        ("audience", "abc", "be a numeric array"),
        ("audience", [0.0, 1000.0, 10000.0, 100000.0], "be > 0"),
    ],
)
def test_open_rate_data_are_checked(open_rate: Any, field: str, bad: Any, rule: str) -> None:
    from shequn.plotting.bass import plot_open_rate

    fit, a, opens = open_rate
    kwargs = {"audience": a, "opens": opens, field: bad}
    _refused(plot_open_rate, fit, match=rf"`plot_open_rate\.{field}` must {rule}", **kwargs)


@pytest.fixture(scope="module")
def scenario_run() -> Any:
    from shequn.io.scenario import loads_scenario, summarise_runs
    from shequn.rng import map_runs

    s = loads_scenario(
        'weeks = 2\n[community]\ntype = "brand"\nsize = 60\n[arms.a]\n[arms.b]\npreset = "silent"\n'
    )
    return summarise_runs(s, map_runs(s.run_once, runs=2, rng=0), seed=0)


def test_scenario_run_series_and_metric_are_checked_whatever_the_panel(scenario_run: Any) -> None:
    from shequn.plotting.scenarios import plot_scenario_run

    for bad in ("no-such-series", 1, ["members"], None):  # with what="runs" it was ignored
        _refused(
            plot_scenario_run,
            scenario_run,
            series=bad,
            match=r"`plot_scenario_run\.series` must be one of",
        )
    for bad in ("no-such-metric", 1, ["members"]):  # with what="weekly" it was ignored
        _refused(
            plot_scenario_run,
            scenario_run,
            what="weekly",
            metric=bad,
            match=r"`plot_scenario_run\.metric` must be one of",
        )


def _twin() -> Any:
    from shequn.twin import Predictive, Twin, parameters

    pred = Predictive(
        weeks=3,
        level=0.9,
        bands={"members": np.array([[1.0, 2, 3], [2, 3, 4], [3, 4, 5]])},
        observed={"members": np.array([2.0, 3.5])},
    )
    return Twin(
        setup=None,
        specs=(parameters()["peer_talk"],),
        estimate={"peer_talk": 0.5},
        z=np.zeros(1),
        cov=None,
        draws=np.linspace(0.4, 0.6, 11)[:, None],
        series=("members",),
        weeks=3,
        observed=np.zeros((0, 1)),
        predictive=pred,
        distance=0.0,
        method="msm",
        level=0.9,
    )


@pytest.mark.parametrize("bad", [["members"], 1, "no-such-series"])
def test_band_series_must_be_a_series_name(bad: Any) -> None:
    from shequn.plotting.twin import plot_bands, plot_twin

    twin = _twin()
    _refused(
        plot_bands,
        twin.predictive,
        series=bad,
        match=r"`plot_bands\.series` must be one of \['members'\]",
    )
    _refused(plot_twin, twin, series=bad, match=r"`plot_twin\.series` must be one of \['members'\]")
    ax = plot_twin(twin, series="members")  # the valid call still draws the band
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 2, 3])
    plt.close(ax.figure)


def test_dispatcher_refusal_is_also_a_value_error() -> None:
    from shequn.plotting import plot

    with pytest.raises(
        ValueError, match=r"`plot\.result` must be a result with a registered figure"
    ):
        plot(object())


def test_ladder_horizon_beyond_memory_is_refused_with_the_estimate() -> None:
    from shequn.loyalty.ladder import default_ladder
    from shequn.plotting.simulation import plot_ladder

    for steps in (10**12, 2**64):
        msg = _refused(plot_ladder, default_ladder(), steps=steps, match=r"`plot_ladder\.steps`")
        assert "bytes needed" in msg


def test_posterior_parameter_empty_is_not_read_as_the_default() -> None:
    from shequn.plotting.twin import plot_posterior

    twin = _twin()
    for bad in ("", 0, ["peer_talk"]):
        _refused(plot_posterior, twin, parameter=bad, match=r"`plot_posterior\.parameter` must be")
    ax = plot_posterior(twin)  # None: the first free parameter
    assert ax.get_ylabel() == "peer_talk"
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ([-1.0, 2.0, 0, 0, 0, 0], "be >= 0"),  # a positive sum with a negative count
        ([0.0, 1.0], "hold one value per Stage"),
        ("abc", "be a numeric array"),
        ([0.0, float("nan"), 0, 0, 0, 0], "be finite"),
        ([0.0] * 6, "hold non-negative counts with a positive sum"),
    ],
)
def test_ladder_initial_counts_are_checked(bad: Any, rule: str) -> None:
    from shequn.loyalty.ladder import default_ladder
    from shequn.plotting.simulation import plot_ladder

    _refused(
        plot_ladder, default_ladder(), initial=bad, match=rf"`plot_ladder\.initial` must {rule}"
    )


@pytest.mark.parametrize("bad", ["members", None, [], ["nope"], [1]])
def test_weekly_names_are_series_names(bad: Any) -> None:
    from shequn.plotting.records import plot_weekly
    from shequn.records import WeeklySeries

    s = WeeklySeries(columns={"members": [3, 4, 5], "active": [0, 2, 1]})
    _refused(plot_weekly, s, names=bad, match=r"`plot_weekly\.names` must")
    ax = plot_weekly(s, names=("active",))
    assert ax.lines[0].get_ydata().tolist() == [2.0, 1.0]  # weeks 1 onward
    plt.close(ax.figure)
