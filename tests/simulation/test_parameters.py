"""The engine's parameters as one named vector; models rebuilt from it; batches of runs."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.loyalty.ties import TieRule
from shequn.operating import OperatingModel
from shequn.simulation import (
    MECHANISMS,
    Mechanisms,
    Profile,
    compile_dynamics,
    parameters,
    profile_for,
    run,
    run_batch,
)
from shequn.simulation.mechanisms._spec import spec_of

C = generate_community("sharing", 150, rng=4)
D = compile_dynamics(C, OperatingModel())


def _expected_names() -> set[str]:
    # independent walk of the parameter classes: every float or float-tuple field a
    # calibration may move, the tie rule's weights and half-life, every profile field
    names: set[str] = set()
    m = Mechanisms()
    for mod in MECHANISMS:
        if mod.PARAMS is None:
            continue
        for f in attrs.fields(mod.PARAMS):
            value = getattr(m, f.name)
            if isinstance(value, TieRule):
                names |= {"meeting_weight", "message_weight", "half_life_weeks"}
                continue
            spec = spec_of(f)
            if spec is None or not spec.calibrate or value is None:
                continue
            if isinstance(value, tuple):
                names |= {f"{f.name}[{i}]" for i in range(len(value))}
            else:
                names.add(f.name)
    names |= {f.name for f in attrs.fields(Profile)}
    return names


def test_parameter_list_is_complete_and_consistent() -> None:
    p = parameters("values")
    assert set(p.names) == _expected_names()
    assert len(set(p.names)) == len(p.names)
    owners = {m.NAME for m in MECHANISMS} | {"initial"}
    prof = profile_for("values")
    for item in p:
        assert item.mechanism in owners
        lo, hi = item.bounds
        assert lo <= item.default <= hi, item.name
        assert item.source and item.unit
        if item.where == "profile":
            assert item.default == getattr(prof, item.name)
    assert p["ladder_rates[1]"].default == Mechanisms().ladder_rates[1]
    assert p["half_life_weeks"].default == TieRule().half_life_weeks
    assert "open_rate" not in p.names and "n_products" not in p.names  # hooks, integers
    everything = parameters(calibratable=False)
    assert {"n_products", "repost_hops"} <= set(everything.names)


def test_defaults_rebuild_the_same_model() -> None:
    p = parameters(profile=D.profile, mechanisms=D.mechanisms)
    same = D.with_parameters(p.values(p.defaults))
    assert run(same, weeks=5, rng=3) == run(D, weeks=5, rng=3)
    assert same.network is D.network and same.taste is D.taste  # shared, not copied


def test_with_parameters_equals_building_the_model_by_hand() -> None:
    # a second way to the same model: evolve the profile and the mechanisms, compile again
    values = {"baseline_churn": 0.05, "wom_conversion": 0.4, "ladder_rates[2]": 0.2}
    prof = attrs.evolve(profile_for("sharing"), baseline_churn=0.05)
    mech = Mechanisms(wom_conversion=0.4, ladder_rates=(0.10, 0.06, 0.2))
    by_hand = compile_dynamics(C, OperatingModel(), profile=prof, mechanisms=mech)
    assert run(D.with_parameters(values), weeks=6, rng=8) == run(by_hand, weeks=6, rng=8)


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({"nope": 0.1}, r"with_parameters\.values.*engine parameters.*'nope'"),
        ({"relax": "0.5"}, r"with_parameters\.values\['relax'\].*real number"),
        ({"relax": True}, r"with_parameters\.values\['relax'\].*real number"),
        ({"relax": math.nan}, r"with_parameters\.values\['relax'\].*finite"),
        ({"relax": 1.5}, r"Mechanisms\.relax.*\[0, 1\].*1\.5"),
        ({"baseline_churn": -0.1}, r"Profile\.baseline_churn"),
        ({"ladder_rates[3]": 0.1}, r"ladder_rates within 0\.\.2"),
        ({"half_life_weeks": 0.0}, r"TieRule\.half_life_weeks"),
    ],
)
def test_bad_parameters_are_refused(values: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        D.with_parameters(values)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_parameter_vector_must_be_finite(bad: float) -> None:
    p = parameters()
    v = p.defaults.copy()
    v[3] = bad
    with pytest.raises(InvalidParameterError, match=r"`Parameters\.values\.vector` must be finite"):
        p.values(v)


def test_batch_equals_single_runs_and_executors_agree() -> None:
    sets = [{}, {"relax": 0.3}, {"peer_talk": 0.9, "event_gain": 0.5}]
    batch = run_batch(D, sets, weeks=4, rng=11)
    seeds = np.random.SeedSequence(11).spawn(3)
    singles = [run(D.with_parameters(v), weeks=4, rng=s) for v, s in zip(sets, seeds, strict=True)]
    assert batch == singles
    with ThreadPoolExecutor(2) as pool:
        assert run_batch(D, sets, weeks=4, rng=11, executor=pool) == batch


def test_common_random_numbers() -> None:
    a, b = run_batch(D, [{}, {}], weeks=4, rng=5, common_random_numbers=True)
    assert a == b
    c, d = run_batch(D, [{}, {}], weeks=4, rng=5)
    assert c != d
    with pytest.raises(InvalidParameterError, match=r"run_batch\.values"):
        run_batch(D, {"relax": 0.2}, weeks=2)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"with_parameters\.values"):
        run_batch(D, [{}, {"zzz": 1.0}], weeks=2)


@settings(max_examples=10)
@given(data=st.data())
def test_any_vector_within_bounds_runs(data: st.DataObject) -> None:
    # property: every parameter vector inside the bounds (capped at 5 where unbounded) gives
    # a valid run: members conserved, shares in [0, 1]
    p = parameters("sharing")
    vec = [
        data.draw(
            st.floats(item.bounds[0], min(item.bounds[1], 5.0), exclude_min=item.low_open),
            label=item.name,
        )
        for item in p
    ]
    values = p.values(vec)
    t = run(D.with_parameters(values), weeks=3, rng=0)
    assert np.array_equal(np.diff(t.members), (t.columns["joined"] - t.columns["left"])[1:])
    assert ((t.active_share >= 0) & (t.active_share <= 1)).all()
    assert ((t.column("mean_engagement") >= 0) & (t.column("mean_engagement") <= 1)).all()
