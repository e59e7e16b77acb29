"""Invariants, closed-form checks and bad input of the simulation engine."""

from __future__ import annotations

import math
import re
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.community import Community, CommunityType, InvitePolicy, generate_community
from shequn.exceptions import InvalidParameterError
from shequn.loyalty.stages import Stage
from shequn.operating import (
    Connectivity,
    Content,
    Economics,
    OperatingModel,
    Structure,
    Tools,
)
from shequn.simulation import (
    PROFILES,
    Mechanisms,
    Profile,
    compile_dynamics,
    half_edge_values,
    init_state,
    observe,
    profile_for,
    simulate,
    step,
)
from shequn.simulation import profiles as profiles_module

KINDS = ["brand", "leader", "sharing", "values"]


def _om(
    draw_quality: float,
    strict: float,
    policy: InvitePolicy,
    bcast: float,
    bursty: bool,
    closed: bool,
    audience: str = "members",
) -> OperatingModel:
    return OperatingModel(
        connectivity=Connectivity(feedback="closed" if closed else "open"),
        content=Content(quality=draw_quality, schedule="bursty" if bursty else "steady"),
        tools=Tools(
            rule_strictness=strict,
            invite_policy=policy,
            broadcast_budget=bcast,
            broadcast_audience=audience,
            event_frequency=0.5,
            event_capacity=10,
        ),
        structure=Structure(group_cap=60),
    )


om_strategy = st.builds(
    _om,
    st.floats(0, 1),
    st.floats(0, 1),
    st.sampled_from(list(InvitePolicy)),
    st.sampled_from([0.0, 5.0, 2000.0]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["members", "market"]),
)


@settings(max_examples=15)
@given(kind=st.sampled_from(KINDS), om=om_strategy, seed=st.integers(0, 2**32 - 1))
def test_conservation_partition_and_money(kind: str, om: OperatingModel, seed: int) -> None:
    c = generate_community(kind, 150, rng=seed)
    t = simulate(c, om, weeks=10, rng=seed, capacity=200)
    cols = t.columns
    # members conserved: joined - left = change
    dm = np.diff(t.members)
    assert np.array_equal(dm, (cols["joined"] - cols["left"])[1:].astype(int))
    # stages partition the members: present stages sum to members, all stages to everyone seen
    counts = t.stage_counts
    assert np.array_equal(counts[:, : int(Stage.LAPSED)].sum(axis=1), t.members)
    ever = counts[0].sum() + np.cumsum(cols["newcomers"] + cols["ad_customers"])
    assert np.array_equal(counts.sum(axis=1), ever.astype(int))
    # money balances each week
    assert np.array_equal(t.revenue - t.costs, t.profit)
    parts = (
        cols["cogs"]
        + cols["cost_content"]
        + cols["cost_events"]
        + cols["cost_broadcast"]
        + cols["cost_staff"]
    )
    np.testing.assert_allclose(parts, t.costs, rtol=1e-12, atol=1e-9)
    assert (t.active_share >= 0).all() and (t.active_share <= 1).all()
    assert int(t.members.max()) <= 200


@settings(max_examples=5)
@given(seed=st.integers(0, 2**32 - 1))
def test_same_rng_same_trajectory(seed: int) -> None:
    c = generate_community("values", 120, rng=1)
    a = simulate(c, OperatingModel(), weeks=6, rng=seed)
    b = simulate(c, OperatingModel(), weeks=6, rng=seed)
    assert a == b
    other = simulate(c, OperatingModel(), weeks=6, rng=seed + 1 if seed < 2**32 - 1 else 0)
    assert other != a


def _still_setup(kind: str) -> tuple[Profile, Mechanisms]:
    prof = attrs.evolve(profile_for(kind), baseline_churn=0.0)
    mech = Mechanisms(ladder_rates=(0.0, 0.0, 0.0), ladder_down=0.0)
    return prof, mech


@settings(max_examples=8)
@given(kind=st.sampled_from(KINDS), seed=st.integers(0, 2**32 - 1), n=st.integers(60, 250))
def test_all_channels_off_and_zero_churn_stays_still(kind: str, seed: int, n: int) -> None:
    prof, mech = _still_setup(kind)
    c = generate_community(kind, n, rng=seed)
    t = simulate(c, OperatingModel.silent(), weeks=12, rng=seed, profile=prof, mechanisms=mech)
    assert (t.members == t.members[0]).all()
    assert (t.stage_counts == t.stage_counts[0]).all()
    cols = t.columns
    for name in (
        "joined",
        "left",
        "new_customers",
        "messages",
        "ties_formed",
        "meetings",
        "cost_content",
        "cost_events",
        "cost_broadcast",
    ):
        assert cols[name].sum() == 0, name
    assert (t.columns["ties"] == t.columns["ties"][0]).all()


def test_retention_matches_closed_form_hazard() -> None:
    # silent model, no leader dependence, perfect product: every member's engagement stays at
    # the baseline b, so each week a member leaves with h = churn * exp(-3 b).
    b, base = 0.3, 0.05
    prof = Profile(
        baseline_churn=base, baseline_engagement=b, leader_dependence=0.0, invite_propensity=0.0
    )
    mech = Mechanisms(ladder_rates=(0.0, 0.0, 0.0), ladder_down=0.0, return_rate=0.0)
    eco = Economics(product_quality=1.0)
    c = generate_community("sharing", 3000, rng=0)
    t = simulate(
        c, OperatingModel.silent(), weeks=20, rng=1, profile=prof, mechanisms=mech, economics=eco
    )
    h = base * math.exp(-3.0 * b)
    n0 = int(t.members[0])
    for week in (5, 10, 20):
        expected = (1 - h) ** week
        se = math.sqrt(expected * (1 - expected) / n0)
        assert abs(t.retention[week] - expected) < 4 * se, (week, t.retention[week], expected)


def test_open_rate_equals_mean_interest_of_the_audience() -> None:
    # members-list broadcast: each of the top-m most interested opens with p = interest
    c = generate_community("brand", 2000, rng=5)
    d = compile_dynamics(c, OperatingModel.broadcast_only(budget=25.0))  # 500 messages
    s0 = init_state(d, rng=0)
    listed = s0.order[: d.n][s0.stage[s0.order[: d.n]] >= 0]
    expected = float(s0.interest[listed[:500]].mean())
    rates = []
    s = s0
    for w in range(1, 21):
        s = step(s, d, w, rng=w)
        rates.append(s.flows["open_rate"])
    se = math.sqrt(expected * (1 - expected) / (500 * 20))
    # the audience changes slightly as members leave; allow 4 SE plus that drift
    assert abs(np.mean(rates) - expected) < 4 * se + 0.01


def test_open_rate_calibration_hook() -> None:
    mech = Mechanisms(open_rate=lambda m: 0.3)
    c = generate_community("brand", 1000, rng=5)
    t = simulate(c, OperatingModel.broadcast_only(budget=50.0), weeks=10, rng=2, mechanisms=mech)
    sent = t.columns["broadcast_sent"].sum()
    rate = t.columns["broadcast_opened"].sum() / sent
    assert abs(rate - 0.3) < 4 * math.sqrt(0.3 * 0.7 / sent)


def test_market_ads_open_rate_closed_form() -> None:
    # outsiders' taste N(0, s^2 I) in 2-D: P(open) = E[exp(-|t|^2/2)] = 1 / (1 + s^2)
    s = 2.0
    mech = Mechanisms(market_spread=s, market_size=1e9, broadcast_conversion=0.0)
    c = generate_community("brand", 200, rng=0)
    om = OperatingModel.broadcast_only(budget=1000.0, audience="market")  # 20,000 messages
    t = simulate(c, om, weeks=5, rng=3, mechanisms=mech)
    sent = t.columns["broadcast_sent"].sum()
    rate = t.columns["broadcast_opened"].sum() / sent
    p = 1.0 / (1.0 + s * s)
    assert abs(rate - p) < 4 * math.sqrt(p * (1 - p) / sent)
    assert t.columns["ad_customers"].sum() == 0


def test_content_costs_follow_schedule() -> None:
    eco = Economics(cost_per_content=10.0)
    om = OperatingModel(content=Content(cadence=2.0, schedule="bursty", burst_period=3))
    t = simulate(generate_community("brand", 100, rng=0), om, weeks=6, rng=0, economics=eco)
    assert t.columns["cost_content"][1:].tolist() == [60.0, 0.0, 0.0, 60.0, 0.0, 0.0]


def test_meetings_only_between_tied_attendees_and_strong_after_threshold() -> None:
    c = generate_community("sharing", 120, rng=0)
    om = OperatingModel(
        tools=Tools(event_frequency=1.0, event_capacity=120, event_ties=0.0),
        structure=Structure(group_cap=500),
    )
    d = compile_dynamics(
        c,
        om,
        mechanisms=Mechanisms(
            triangle_rate=0.0, newcomer_friends=0, disorder=0.0, burden=0.0, breach=0.0
        ),
        profile=attrs.evolve(profile_for("sharing"), invite_propensity=0.0, baseline_churn=0.0),
    )
    s = init_state(d, rng=0)
    for w in range(1, 4):
        s = step(s, d, w, rng=w)
    # one group of 120 with 120 seats: everyone attends every week, so every tie met 3 times
    assert np.all(s.meetings[: d.n_edges] == 3)
    assert s.flows["meetings"] == d.n_edges


@pytest.mark.parametrize("bad", [np.nan, np.inf, "a"])
def test_half_edge_values_refuses_non_finite_values(bad: object) -> None:
    d = compile_dynamics(generate_community("values", 40, rng=2), OperatingModel())
    vals = np.ones(d.n_edges, dtype=object if isinstance(bad, str) else float)
    vals[1] = bad
    with pytest.raises(InvalidParameterError, match=r"`half_edge_values\.values` must be"):
        half_edge_values(d, vals.astype(str) if isinstance(bad, str) else vals)


def test_spare_tie_slots_hold_zeros_not_uninitialised_memory() -> None:
    # the tie buffers have room beyond m_used; step used to allocate them with np.empty,
    # so a State could carry NaN or garbage there (issue 14). Poisoned freed blocks of the
    # buffers' size make np.empty hand back NaN, which this test would then see.
    d = compile_dynamics(generate_community("brand", 60, rng=0), OperatingModel())
    s = init_state(d, rng=0)
    room = s.messages.shape[0]
    for _ in range(20):
        poison = np.full(room, np.nan, dtype=np.float32)
        del poison
    s1 = step(s, d, 1, rng=0)
    assert s1.m_used < s1.messages.shape[0]
    assert np.all(s1.messages[s1.m_used :] == 0.0)
    assert np.all(s1.meetings[s1.m_used :] == 0.0)


def test_half_edge_values_align_with_csr() -> None:
    c = generate_community("values", 80, rng=2)
    d = compile_dynamics(c, OperatingModel())
    vals = np.arange(d.n_edges, dtype=float)
    he = half_edge_values(d, vals)
    A = c.adjacency
    rows = np.repeat(np.arange(c.n), np.diff(A.indptr))
    cols = A.indices
    for k in range(0, A.nnz, 7):
        u, v = min(rows[k], cols[k]), max(rows[k], cols[k])
        idx = np.flatnonzero((d.eu == u) & (d.ev == v))[0]
        assert he[k] == vals[idx]


def test_leader_leaving_removes_leader_flow() -> None:
    c = generate_community("leader", 400, rng=1)
    om = OperatingModel(structure=Structure(volunteers=0))
    stay = simulate(c, om, weeks=20, rng=5)
    gone = simulate(
        c, attrs.evolve(om, structure=Structure(volunteers=0, leader_leaves_at=2)), weeks=20, rng=5
    )
    assert gone.column("mean_engagement")[-1] < stay.column("mean_engagement")[-1]


def test_trajectory_reports() -> None:
    t = simulate(generate_community("brand", 150, rng=0), OperatingModel(), weeks=4, rng=0)
    s = t.summary()
    assert s["weeks"] == 4 and set(s["stages"]) == {x.name.lower() for x in Stage}
    assert "Trajectory" in t._repr_html_()
    assert len(t.ring_sizes) == 4 and t.ring_sizes[0] == 10
    assert t.reach.shape == (5, 5)
    with pytest.raises(InvalidParameterError, match="column"):
        t.column("nope")
    pd = pytest.importorskip("pandas")
    df = t.to_frame()
    assert isinstance(df, pd.DataFrame) and len(df) == 5 and "n_fan" in df


# ------------------------------------------------------------------------------- bad input
def test_bad_input() -> None:
    c = generate_community("leader", 100, rng=0)
    with pytest.raises(InvalidParameterError, match=r"simulate\.weeks.*got 0"):
        simulate(c, OperatingModel(), weeks=0)
    with pytest.raises(InvalidParameterError, match=r"Structure\.leaders.*got 100"):
        simulate(c, OperatingModel(structure=Structure(leaders=[100])), weeks=3)
    with pytest.raises(InvalidParameterError, match=r"Structure\.leader_leaves_at.*got 9"):
        simulate(c, OperatingModel(structure=Structure(leader_leaves_at=9)), weeks=5)
    with pytest.raises(InvalidParameterError, match=r"Structure\.leader_leaves_at.*got 0"):
        Structure(leader_leaves_at=0)
    brand = generate_community("brand", 100, rng=0)
    with pytest.raises(InvalidParameterError, match=r"Structure\.leader_leaves_at"):
        simulate(brand, OperatingModel(structure=Structure(leader_leaves_at=2)), weeks=5)
    with pytest.raises(InvalidParameterError, match=r"Structure\.group_cap.*got 0"):
        Structure(group_cap=0)
    with pytest.raises(InvalidParameterError, match=r"compile_dynamics\.capacity.*got 50"):
        simulate(c, OperatingModel(), weeks=2, capacity=50)
    with pytest.raises(InvalidParameterError, match=r"Economics\.cost_per_event.*got -1"):
        Economics(cost_per_event=-1.0)
    with pytest.raises(InvalidParameterError, match=r"compile_dynamics\.operating_model"):
        compile_dynamics(c, "default")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"Profile\.baseline_churn.*got 1.5"):
        Profile(baseline_churn=1.5)
    with pytest.raises(InvalidParameterError, match=r"Mechanisms\.repeat_rates"):
        Mechanisms(repeat_rates=(0.1, -0.2, 0.3, 0.4))
    d = compile_dynamics(c, OperatingModel())
    with pytest.raises(InvalidParameterError, match=r"step\.week.*got 3"):
        step(init_state(d, rng=0), d, 3, rng=0)


def test_user_graph_and_explicit_leaders() -> None:
    import networkx as nx

    c = Community.from_graph(nx.karate_club_graph(), weight=None)
    om = OperatingModel(structure=Structure(leaders=[0, 33], leader_leaves_at=3, seeds=2))
    t = simulate(c, om, weeks=5, rng=0)
    assert int(t.members[0]) == 32  # the two leaders are operators, not customers


def test_profiles_table() -> None:
    assert set(PROFILES) == set(CommunityType)
    leader = PROFILES[CommunityType.LEADER]
    others = [p for k, p in PROFILES.items() if k is not CommunityType.LEADER]
    assert leader.leader_dependence > max(p.leader_dependence for p in others)
    assert profile_for("values").homophily == max(p.homophily for p in PROFILES.values())


def _float_cells(line: str) -> list[float]:
    cells = re.split(r"[|\s]+", line)
    return [float(c) for c in cells if re.fullmatch(r"\d+\.\d+", c)]


def test_profiles_table_in_docs_and_docstring_matches_code() -> None:
    # the one table of type assumptions is printed twice (docs page, module docstring):
    # every row must show the values in PROFILES, in the order brand, leader, sharing, values
    order = [CommunityType.BRAND, CommunityType.LEADER, CommunityType.SHARING, CommunityType.VALUES]
    docs = (Path(__file__).parents[2] / "docs" / "simulation.md").read_text(encoding="utf-8")
    texts = {  # table rows: "| `field` | ..." on the page, "field (unit)  ..." in the docstring
        "docs/simulation.md": (docs, r"\| `{}`"),
        "profiles docstring": (profiles_module.__doc__ or "", r"{}\s"),
    }
    for field in attrs.fields(Profile):
        expected = [getattr(PROFILES[k], field.name) for k in order]
        for where, (text, row) in texts.items():
            start = re.compile(row.format(field.name))
            # the profiles table's row (the mechanisms' parameter tables list one value)
            rows = [ln for ln in text.splitlines() if start.match(ln) and len(_float_cells(ln)) > 3]
            assert rows, (where, field.name)
            assert _float_cells(rows[0])[:4] == pytest.approx(expected), (where, field.name)


def test_mass_ads_customers_join_and_respect_capacity() -> None:
    mech = Mechanisms(market_spread=1.0, broadcast_conversion=1.0)
    c = generate_community("brand", 100, rng=0)
    om = OperatingModel.broadcast_only(budget=10.0, audience="market")  # 200 messages a week
    t = simulate(c, om, weeks=6, rng=0, mechanisms=mech, capacity=160)
    ads = t.columns["ad_customers"]
    assert ads.sum() > 0
    assert int(t.stage_counts[-1].sum()) == int(t.stage_counts[0].sum() + ads.sum())
    assert int(t.stage_counts[-1].sum()) <= 160 - 1  # the brand account holds one slot
    assert np.array_equal(np.diff(t.members), (t.columns["joined"] - t.columns["left"])[1:])
    assert t.columns["new_broadcast"].sum() >= ads.sum()


# ------------------------------------------------------------------- reliability (issue 14)
def test_states_are_checked_before_a_kernel_reads_them() -> None:
    brand = compile_dynamics(generate_community("brand", 120, rng=0), OperatingModel())
    leader = compile_dynamics(generate_community("leader", 40, rng=0), OperatingModel())
    s = init_state(brand, rng=0)
    with pytest.raises(InvalidParameterError, match=r"step\.state\.n_used"):
        step(s, leader, 1, rng=0)  # a state of another community
    with pytest.raises(InvalidParameterError, match=r"observe\.state"):
        observe(s, leader)
    bad_eu = s.eu.copy()
    bad_eu[5] = 10**6
    for changes, field in (
        ({"n_used": 10**6}, "n_used"),
        ({"eu": bad_eu}, "state"),
        ({"m_used": s.eu.size + 1}, "m_used"),
        ({"group": np.full(s.group.size, 10**6, dtype=np.int32)}, "group"),
        ({"stage": s.stage.astype(np.int64)}, "stage"),
        ({"engagement": np.full(s.engagement.size, 2.0, dtype=np.float32)}, "engagement"),
    ):
        with pytest.raises(InvalidParameterError, match=rf"`step\.state\.{field}|`step\.{field}"):
            step(attrs.evolve(s, **changes), brand, 1, rng=0)
    # a state changed by hand and put right again is accepted (checked once)
    ok = attrs.evolve(s, engagement=s.engagement.copy())
    assert step(ok, brand, 1, rng=0).week == 1


def test_structure_and_mechanisms_refuse_impossible_settings() -> None:
    c = generate_community("brand", 120, rng=0)
    with pytest.raises(InvalidParameterError, match=r"Structure\.seeds.*10000"):
        simulate(c, OperatingModel(structure=Structure(seeds=10000)), weeks=2, rng=0)
    with pytest.raises(InvalidParameterError, match=r"Structure\.volunteers"):
        simulate(c, OperatingModel(structure=Structure(volunteers=500)), weeks=2, rng=0)
    with pytest.raises(InvalidParameterError, match=r"Mechanisms\.tie_rule.*TieRule.*None"):
        Mechanisms(tie_rule=None)
    with pytest.raises(InvalidParameterError, match=r"simulate\.weeks.*memory"):
        simulate(c, OperatingModel(), weeks=10**12, rng=0)


def test_a_dynamics_built_or_changed_by_hand_is_checked() -> None:
    d = compile_dynamics(generate_community("brand", 80, rng=0), OperatingModel())
    net = d.network
    bad_indices = net.indices.copy()
    bad_indices[3] = 10**6
    for changes, field in (
        ({"capacity": 10}, "capacity"),
        ({"network": net._replace(indices=bad_indices)}, "network.indices"),
        ({"network": net._replace(eu=net.ev, ev=net.eu)}, "network.eu"),
        ({"taste": d.taste[:5]}, "taste"),
        ({"order": d.order + 1000}, "order"),
        ({"rates": {}}, "rates"),
        ({"rates": {**d.rates, "ladder": d.rates["content"]}}, r"rates\['ladder'\]"),
    ):
        with pytest.raises(InvalidParameterError, match=rf"`Dynamics\.{field}"):
            attrs.evolve(d, **changes)
