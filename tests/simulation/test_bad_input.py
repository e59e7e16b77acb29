"""Bad input to the simulation package is refused with InvalidParameterError naming the field
(cases the API walk found: wrong object types, index arrays, names of columns and tables)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.operating import OperatingModel
from shequn.simulation import (
    Dynamics,
    Mechanisms,
    Parameters,
    RecordTables,
    Trajectory,
    compile_dynamics,
    crowdsource,
    half_edge_values,
    init_state,
    parameters,
    profile_for,
    simulate,
    step,
)
from shequn.simulation.engine import run_batch
from shequn.simulation.mechanisms import open_probability
from shequn.simulation.mechanisms import purchases as purchases_mod
from shequn.simulation.mechanisms.crowdsourcing import MAX_MEAN, IdeaRates, ideas
from shequn.simulation.mechanisms.referral import response
from shequn.simulation.parameters import parameter_table, split_values
from shequn.simulation.records import TABLES

WRONG_OBJECTS = ["abc", 1, {}, None]


@pytest.fixture(scope="module")
def dyn() -> Dynamics:
    return compile_dynamics(generate_community("brand", 60, rng=0), OperatingModel())


@pytest.fixture(scope="module")
def traj() -> Trajectory:
    return simulate(generate_community("brand", 60, rng=0), OperatingModel(), weeks=2, rng=0)


# --- index arrays: members and products of product_fit and purchases.fit ----------------------
@pytest.mark.parametrize(
    ("members", "products", "field"),
    [
        ([0, 1.5], [0, 1], "members"),  # a fraction is not an index
        ([0, float("nan")], [0, 1], "members"),
        ([0, -1], [0, 1], "members"),  # was accepted: numpy read it from the end
        ([0, 10**6], [0, 1], "members"),
        (["a", "b"], [0, 1], "members"),
        (None, [0, 1], "members"),
        ([[0, 1]], [0, 1], "members"),
        ([0, 1], [0, -1], "products"),
        ([0, 1], [0, 10**6], "products"),
        ([0, 1], [0, 1e300], "products"),
        ([0, 1], [0], "products"),  # was accepted: lengths differ
    ],
)
def test_product_fit_refuses_bad_indices(
    dyn: Dynamics, members: Any, products: Any, field: str
) -> None:
    with pytest.raises(InvalidParameterError, match=rf"`Dynamics\.product_fit\.{field}` must"):
        dyn.product_fit(members, products)


@pytest.mark.parametrize("taste", ["abc", {"a": 1}, [[0.0, float("nan")]] * 2, np.zeros((2, 5))])
def test_product_fit_refuses_bad_taste(dyn: Dynamics, taste: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`Dynamics\.product_fit\.taste` must"):
        dyn.product_fit([0, 1], [0, 1], taste=taste)


def test_product_fit_of_valid_input_is_the_closed_form(dyn: Dynamics) -> None:
    # fit = exp(-d^2 / (2 w^2)) with d the taste distance to the product (module docstring)
    pr = dyn.rates["purchases"]
    got = dyn.product_fit(np.array([3, 7]), np.array([0, 2]))
    d2 = ((dyn.taste[[3, 7]] - pr.products[[0, 2]]) ** 2).sum(axis=1)
    np.testing.assert_allclose(got, np.exp(-d2 / pr.two_w2))


def test_purchases_fit_checks_its_arguments(dyn: Dynamics) -> None:
    pr = dyn.rates["purchases"]
    t = dyn.taste[:2]
    assert purchases_mod.fit(pr, t, [0, 1]).shape == (2,)
    with pytest.raises(InvalidParameterError, match=r"`purchases\.fit\.products` must hold"):
        purchases_mod.fit(pr, t, [0, pr.products.shape[0]])
    with pytest.raises(InvalidParameterError, match=r"`purchases\.fit\.products` must have one"):
        purchases_mod.fit(pr, t, [0])
    with pytest.raises(InvalidParameterError, match=r"`purchases\.fit\.r` must be a"):
        purchases_mod.fit({}, t, [0, 1])  # type: ignore[arg-type]


@given(idx=st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=5))
def test_any_out_of_range_index_is_refused_never_used(idx: list[int]) -> None:
    dyn = _small_dynamics()
    n = dyn.taste.shape[0]
    members = [min(max(i, 0), n - 1) for i in idx]
    if all(0 <= i < n for i in idx):
        assert dyn.product_fit(idx, [0] * len(idx)).shape == (len(idx),)
    else:
        with pytest.raises(InvalidParameterError, match=r"`Dynamics\.product_fit\.members`"):
            dyn.product_fit(idx, [0] * len(idx))
    assert dyn.product_fit(members, [0] * len(idx)).shape == (len(idx),)


_CACHE: list[Dynamics] = []


def _small_dynamics() -> Dynamics:
    if not _CACHE:
        _CACHE.append(compile_dynamics(generate_community("brand", 40, rng=1), OperatingModel()))
    return _CACHE[0]


# --- names: columns, tables, mechanisms -------------------------------------------------------
@pytest.mark.parametrize("name", ["nope", 1, ["members"], None])
def test_names_are_checked_and_name_the_argument(
    traj: Trajectory, dyn: Dynamics, name: Any
) -> None:
    with pytest.raises(InvalidParameterError, match=r"`Trajectory\.column\.name` must be one of"):
        traj.column(name)
    tables = RecordTables(tables={t: {} for t in TABLES})
    with pytest.raises(InvalidParameterError, match=r"`RecordTables\.rows\.name` must be one of"):
        tables.rows(name)
    with pytest.raises(InvalidParameterError, match=r"`Mechanisms\.part\.mechanism` must be one"):
        Mechanisms().part(name)
    with pytest.raises(InvalidParameterError, match=r"`parameter_table\.mechanism` must be one"):
        parameter_table(name)


@pytest.mark.parametrize("week", [True, 1.5, float("nan"), -1, None, "2"])
def test_items_in_week_needs_a_week_number(dyn: Dynamics, week: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`Dynamics\.items_in_week\.week` must"):
        dyn.items_in_week(week)


# --- wrong object types ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", WRONG_OBJECTS)
def test_wrong_objects_are_refused_by_name(dyn: Dynamics, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`crowdsource\.community` must be a"):
        crowdsource(bad, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`half_edge_values\.dynamics` must be a"):
        half_edge_values(bad, np.ones(3))
    with pytest.raises(InvalidParameterError, match=r"`step\.state` must be a State"):
        step(bad, dyn, 1, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`referral\.response\.params` must be a"):
        response(bad, reward=1.0)
    with pytest.raises(InvalidParameterError, match=r"`open_probability\.params` must be a"):
        open_probability(bad, 10)
    with pytest.raises(InvalidParameterError, match=r"`with_parameters\.mechanisms` must be a"):
        split_values({}, bad, profile_for("brand"), owner="with_parameters")
    with pytest.raises(InvalidParameterError, match=r"`with_parameters\.profile` must be a"):
        split_values({}, Mechanisms(), bad, owner="with_parameters")
    with pytest.raises(InvalidParameterError, match=r"`Parameters\.items` must be a tuple"):
        Parameters(items=bad)
    with pytest.raises(InvalidParameterError, match=r"`Trajectory\.columns` must be a mapping"):
        Trajectory(columns=bad, ring_sizes=(0, 0, 0, 0, 0))


@pytest.mark.parametrize("bad", [1, None, "abc"])
def test_record_tables_must_be_a_mapping(bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`RecordTables\.tables` must be a mapping"):
        RecordTables(tables=bad)


def test_trajectory_columns_need_weeks_rows(traj: Trajectory) -> None:
    cols = dict(traj.columns)
    cols["members"] = cols["members"][:-1]
    with pytest.raises(InvalidParameterError, match=r"`Trajectory\.columns\['members'\]` must"):
        Trajectory(columns=cols, ring_sizes=traj.ring_sizes)
    assert Trajectory(columns=dict(traj.columns), ring_sizes=traj.ring_sizes) == traj


@pytest.mark.parametrize("field", ["week", "n_used"])
@pytest.mark.parametrize("bad", [True, 1.5, float("nan"), -1, None, "3"])
def test_state_counts_are_integers(dyn: Dynamics, field: str, bad: Any) -> None:
    s = init_state(dyn, rng=0)
    with pytest.raises(InvalidParameterError, match=rf"`State\.{field}` must be an integer"):
        attrs.evolve(s, **{field: bad})


def test_dynamics_n_is_not_a_bool(dyn: Dynamics) -> None:
    with pytest.raises(InvalidParameterError, match=r"`Dynamics\.n` must be an integer"):
        attrs.evolve(dyn, n=True)


def test_open_probability_audience_is_a_count() -> None:
    m = Mechanisms(open_rate=lambda a: 0.25)
    assert open_probability(m, 1000) == 0.25
    for bad in (True, 1.5, float("nan"), -1, None, "3"):
        with pytest.raises(InvalidParameterError, match=r"`open_probability\.audience` must"):
            open_probability(m, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf"), True, "0.5", [0.5], None])
def test_ideas_needs_a_finite_nonnegative_engagement(bad: Any) -> None:
    gen = np.random.default_rng(0)
    with pytest.raises(InvalidParameterError, match=r"`crowdsourcing\.ideas\.fan_engagement`"):
        ideas(IdeaRates(rate=0.5), bad, gen)


def test_ideas_refuses_a_mean_numpy_cannot_draw() -> None:
    gen = np.random.default_rng(0)
    with pytest.raises(InvalidParameterError, match=r"fan_engagement` must give a mean"):
        ideas(IdeaRates(rate=1.0), 1e300, gen)
    # at the limit a count is drawn: Poisson(1e15) lies within 1e15 +- 10 sd (sd ~ 3.2e7)
    assert abs(ideas(IdeaRates(rate=1.0), MAX_MEAN, gen) - MAX_MEAN) < 10 * MAX_MEAN**0.5


def test_parameters_calibratable_is_a_flag() -> None:
    with pytest.raises(InvalidParameterError, match=r"`parameters\.calibratable` must be True"):
        parameters(calibratable="no")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", 2, object()])
def test_run_batch_refuses_a_bad_executor(dyn: Dynamics, bad: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`run_batch\.executor` must be None"):
        run_batch(dyn, [{}], weeks=1, rng=0, executor=bad)


# --- integers beyond int64, sizes beyond memory (the walk's long run) ---------------------------
BEYOND_INT64 = 2**64


def test_integers_beyond_int64_are_refused_not_wrapped(dyn: Dynamics) -> None:
    s = init_state(dyn, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`State\.week` must be at most 2\*\*63 - 1"):
        attrs.evolve(s, week=BEYOND_INT64)
    with pytest.raises(InvalidParameterError, match=r"`Dynamics\.items_in_week\.week` must"):
        dyn.items_in_week(BEYOND_INT64)
    with pytest.raises(InvalidParameterError, match=r"`Mechanisms\.repost_hops` must be at most"):
        Mechanisms(repost_hops=BEYOND_INT64)
    with pytest.raises(InvalidParameterError, match=r"`Dynamics\.n` must be at most 2\*\*63 - 1"):
        attrs.evolve(dyn, n=BEYOND_INT64)
    with pytest.raises(InvalidParameterError, match=r"`open_probability\.audience` must"):
        open_probability(Mechanisms(open_rate=lambda a: 0.25), BEYOND_INT64)
    assert Mechanisms(repost_hops=2**63 - 1).repost_hops == 2**63 - 1  # int64's largest: allowed


def test_compile_refuses_a_capacity_beyond_memory() -> None:
    c = generate_community("brand", 60, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`compile_dynamics\.capacity` must need no"):
        compile_dynamics(c, OperatingModel(), capacity=2**62)
    assert compile_dynamics(c, OperatingModel(), capacity=200).capacity == 200


def test_crowdsource_top_is_at_most_n_minus_one() -> None:
    c = generate_community("values", 60, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`crowdsource\.top` must be an integer"):
        crowdsource(c, rng=0, top=BEYOND_INT64)
    with pytest.raises(InvalidParameterError, match=r"`crowdsource\.ideas_seen` must be at most"):
        crowdsource(c, rng=0, ideas_seen=BEYOND_INT64)


def test_half_edge_values_refuses_ragged_values(dyn: Dynamics) -> None:
    with pytest.raises(InvalidParameterError, match=r"`half_edge_values\.values` must be array"):
        half_edge_values(dyn, [[1.0], [1.0, 2.0]])


def test_repeat_rates_from_refuses_a_period_that_overflows() -> None:
    from shequn.loyalty import BGNBD
    from shequn.simulation import repeat_rates_from

    m = BGNBD(r=0.25, alpha=4.0, a=0.8, b=2.5)
    # r / alpha per week at period 1: 0.0625 (the BG/NBD purchase rate while alive)
    assert repeat_rates_from(m, period_weeks=1.0) == (0.0625,) * 4
    with pytest.raises(InvalidParameterError, match=r"`repeat_rates_from\.period_weeks` must"):
        repeat_rates_from(m, period_weeks=5e-324)
