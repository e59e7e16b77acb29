"""Calibration: honesty checks scaled down (recovery, held-out weeks, identification)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.community import generate_community
from shequn.exceptions import ConvergenceError, InvalidParameterError, ShequnWarning
from shequn.operating import OperatingModel, Tools
from shequn.records import load_records
from shequn.twin import EngineSetup, build, calibrate, emit_records, parameters, twin_setup
from shequn.twin._engine import ENGINE_PARAMETERS, current
from shequn.twin._problem import from_z, to_z

FREE = ("peer_talk", "repeat_scale")
N, WEEKS = 200, 10
SMALL = {"replications": 3, "pilot": 10, "design": 60, "draws": 200, "predictive": 20}


@pytest.fixture(scope="module")
def setup() -> EngineSetup:
    return EngineSetup.of(generate_community("brand", N, rng=0), OperatingModel())


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """Two worker processes (the CI machine's cores) for the replicated checks."""
    with ProcessPoolExecutor(2) as ex:
        yield ex


@pytest.fixture(scope="module")
def small() -> EngineSetup:
    return EngineSetup.of(generate_community("brand", 200, rng=3), OperatingModel())


def _truths(setup: EngineSetup, n: int, seed: int) -> list[dict[str, float]]:
    specs = tuple(parameters()[f] for f in FREE)
    z0 = to_z(specs, [current(setup, f) for f in FREE])
    gen = np.random.default_rng(seed)
    return [
        dict(zip(FREE, from_z(specs, z0 + gen.uniform(-0.7, 0.7, 2)).tolist(), strict=True))
        for _ in range(n)
    ]


@given(st.sampled_from(ENGINE_PARAMETERS), st.floats(0.001, 0.999))
def test_transform_round_trip_stays_in_bounds(spec, u) -> None:  # type: ignore[no-untyped-def]
    value = spec.low + u * (spec.high - spec.low)
    z = to_z([spec], [value])
    back = from_z([spec], z)[0]
    assert spec.low <= back <= spec.high
    assert back == pytest.approx(value, rel=1e-9, abs=1e-12)
    assert from_z([spec], z + 0.1)[0] > back  # monotone


def test_recovery_covers_the_truth(small: EngineSetup, pool: ProcessPoolExecutor) -> None:
    """30 replications, 2 parameters: 90 % intervals cover the truth in 80-97 % of 60 cases.

    Under correct 90 % coverage the count is Binomial(60, 0.9) (mean 54, sd 2.3): 48-58
    holds with probability 0.98.
    """
    hits = 0
    fast = {"replications": 2, "pilot": 8, "design": 60, "draws": 200, "predictive": 4}
    for i, truth in enumerate(_truths(small, 30, 1)):
        rec = emit_records(build(small, truth), weeks=6, rng=1000 + i)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ShequnWarning)
            twin = calibrate(rec, free=FREE, setup=small, rng=i, executor=pool, **fast)  # type: ignore[arg-type]
        ci = twin.conf_int()
        hits += sum(ci[f][0] <= truth[f] <= ci[f][1] for f in FREE)
    assert 48 <= hits <= 58


def test_held_out_weeks_fall_in_the_bands(setup: EngineSetup, pool: ProcessPoolExecutor) -> None:
    """Calibrate on weeks 1-7 of 10; weeks 8-10 in 8 runs: about 90 % inside the 90 % bands.

    The series with large counts (members, active members, messages, revenue): with a few
    joins or leaves a week, an inclusive band over small integers covers more than its level.
    """
    inside = []
    for i, truth in enumerate(_truths(setup, 8, 2)):
        rec = emit_records(build(setup, truth), weeks=WEEKS, rng=2000 + i)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ShequnWarning)
            twin = calibrate(
                rec,
                free=FREE,
                setup=setup,
                weeks=7,
                rng=i,
                executor=pool,
                **SMALL,  # type: ignore[arg-type]
            )
        pred = twin.predict(WEEKS, runs=100, observed=rec, rng=i, executor=pool)
        share = pred.inside(slice(7, WEEKS))
        inside += [share[k] for k in ("members", "active", "messages", "member_revenue")]
    assert 0.8 <= float(np.mean(inside)) <= 0.98


def test_unidentified_parameter_is_refused(setup: EngineSetup) -> None:
    rec = emit_records(setup, weeks=WEEKS, rng=5)
    # without any broadcast, broadcast conversion changes nothing the records show
    with pytest.raises(ConvergenceError, match="do not identify `broadcast_conversion`"):
        calibrate(rec, free=("broadcast_conversion",), setup=setup, rng=0, **SMALL)  # type: ignore[arg-type]


def test_same_rng_same_twin_whatever_the_executor(setup: EngineSetup) -> None:
    rec = emit_records(setup, weeks=6, rng=7)
    kw = dict(free=("peer_talk",), setup=setup, weeks=6, rng=3, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShequnWarning)
        a = calibrate(rec, **kw)  # type: ignore[arg-type]
        with ThreadPoolExecutor(2) as pool:
            b = calibrate(rec, executor=pool, **kw)  # type: ignore[arg-type]
    assert a.estimate == b.estimate
    assert np.array_equal(a.draws, b.draws)
    assert a.distance == b.distance


def test_twin_reports_and_bands(setup: EngineSetup) -> None:
    rec = emit_records(setup, weeks=8, rng=9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShequnWarning)
        twin = calibrate(rec, free=FREE, setup=setup, rng=0, **SMALL)  # type: ignore[arg-type]
    s = twin.summary()
    assert s.table is not None and set(s.table.rows) == set(FREE)
    assert s["simulations"] == twin.diagnostics["simulations"] > 0
    lo, med, hi = twin.predictive.bands["members"]
    assert (lo <= med).all() and (med <= hi).all() and lo.size == 8
    assert twin.draws.shape == (200, 2)
    for f, (a, b) in twin.conf_int().items():
        spec = parameters()[f]
        assert spec.low <= a <= twin.estimate[f] <= b <= spec.high


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"free": ("no_such",)}, "name engine parameters"),
        ({"free": ("peer_talk",), "fixed": {"peer_talk": 0.3}}, "not hold a free parameter"),
        ({"free": ("peer_talk",), "weeks": 99}, "integer >= 2 and <= 4"),
        ({"free": ("peer_talk",), "series": ("likes",)}, "series"),
        ({"free": ("peer_talk",), "method": "mcmc"}, "method"),
    ],
)
def test_bad_requests(setup: EngineSetup, kwargs: dict[str, object], match: str) -> None:
    rec = emit_records(setup, weeks=4, rng=1)
    with pytest.raises(InvalidParameterError, match=match):
        calibrate(rec, setup=setup, **kwargs)  # type: ignore[arg-type]


def test_twin_setup_measures_tools_price_and_hooks() -> None:
    rec = load_records(
        members={"member": list(range(6)), "joined": [0] * 6},
        groups={"group": ["g"] * 3 + ["h"] * 3, "member": list(range(6))},
        events={"event": ["e1", "e1", "e2"], "member": [0, 1, 3], "time": [1.0, 1.0, 3.0]},
        broadcasts={
            "time": [1, 2, 3, 4],
            "audience": [100, 200, 400, 800],
            "opens": [40, 60, 90, 130],
        },
        transactions={
            "customer": [0, 0, 1, 2],
            "time": [0.0, 1.5, 1.5, 2.5],
            "amount": [50.0, 30.0, 30.0, 90.0],
        },
        end=4,
    )
    s = twin_setup(rec)
    tools = s.operating_model.tools
    # 2 events over 4 weeks in 2 groups; the larger had 2 attendees
    assert tools.event_frequency == pytest.approx(2 / 4 / 2) and tools.event_capacity == 2
    # mean weekly audience 375 messages at 0.05 each
    assert tools.broadcast_budget == pytest.approx(375 * 0.05)
    assert s.profile.initial_customers == pytest.approx(1 / 6)
    assert s.economics.price == 30.0  # median weekly spend of a buying member: 30, 30, 90
    law = s.mechanisms.open_rate
    assert law is not None and 0.1 < float(law(800)) < float(law(100)) < 0.5
    assert twin_setup(rec, hooks=()).mechanisms.open_rate is None
    assert (
        twin_setup(rec, operating_model=OperatingModel(tools=Tools())).operating_model.tools
        == Tools()
    )


def test_abc_method_runs_through_pyabc(setup: EngineSetup) -> None:
    """The optional ABC-SMC backend returns a weighted posterior sample inside the bounds."""
    pytest.importorskip("pyabc")
    import logging

    logging.getLogger("ABC").setLevel(logging.WARNING)
    rec = emit_records(setup, weeks=5, rng=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twin = calibrate(
            rec,
            free=("peer_talk",),
            setup=setup,
            method="abc",
            design=30,
            draws=50,
            predictive=10,
            rng=0,
        )
    spec = parameters()["peer_talk"]
    assert twin.method == "abc" and twin.cov is None and twin.draws.shape == (50, 1)
    assert (twin.draws >= spec.low).all() and (twin.draws <= spec.high).all()
    assert twin.diagnostics["generations"] >= 1


@pytest.mark.parametrize(("rho", "warns"), [(0.7, False), (-0.7, False), (0.9, True), (-0.9, True)])
def test_trade_off_flag_follows_the_correlation(rho: float, warns: bool) -> None:
    """Two parameters with posterior correlation rho: the correlation matrix's eigenvalues are
    1 ± |rho| (closed form), so the smallest is under TRADE_OFF = 0.2 exactly when |rho| > 0.8.
    4,000 draws estimate rho within about 0.005 (standard error (1 - rho²) / sqrt(n)), far
    from the threshold in every case."""
    from shequn.twin.calibration import TRADE_OFF, _trade_off

    assert TRADE_OFF == 0.2
    gen = np.random.default_rng(1)
    a, b = gen.normal(size=(2, 4000))
    draws = np.column_stack([a, rho * a + np.sqrt(1 - rho**2) * b])
    specs = (parameters()["peer_talk"], parameters()["relax"])
    note = _trade_off(specs, draws)
    assert (note is not None) == warns
    if warns:
        assert note is not None and "`peer_talk` and `relax` trade off" in note
