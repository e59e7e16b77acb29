"""Derivations from records, checked against brute-force loops (a second method) and by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.community import InvitePolicy, Role
from shequn.exceptions import InvalidParameterError
from shequn.loyalty import Stage, TieRule, rfm_summary
from shequn.records import Records, StageRule, load_records
from shequn.records.derive import WeeklySeries


def _week(t: float) -> int:
    return max(0, math.ceil(t - 1e-9))


@st.composite
def small_records(draw: st.DrawFn) -> Records:
    n = draw(st.integers(2, 6))
    ids = list(range(10, 10 + n))
    members: dict[str, list[object]] = {"member": [], "joined": [], "left": [], "role": []}
    for i in ids:
        j = draw(st.sampled_from([0.0, 0.0, 1.5, 3.0]))
        stay = draw(st.one_of(st.none(), st.floats(0.5, 4)))
        members["member"].append(i)
        members["joined"].append(j)
        members["left"].append(None if stay is None else j + stay)
        members["role"].append(draw(st.sampled_from(["member", "member", "leader"])))
    times = st.floats(0, 6).map(lambda x: round(x, 2))
    msgs = draw(st.lists(st.tuples(times, st.sampled_from(ids), st.sampled_from(ids)), max_size=10))
    msgs = [m for m in msgs if m[1] != m[2]]
    evs = draw(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(ids)), max_size=10))
    evs = list({(e, m): (e, m) for e, m in evs}.values())
    buys = draw(
        st.lists(st.tuples(times, st.sampled_from([*ids, 99]), st.floats(0, 50)), max_size=10)
    )
    buys = list({(t, c, a): (t, c, a) for t, c, a in buys}.values())
    ties = list(itertools.pairwise(ids))
    return load_records(
        members=members,
        ties={"a": [t[0] for t in ties], "b": [t[1] for t in ties]},
        messages={
            "time": [m[0] for m in msgs],
            "sender": [m[1] for m in msgs],
            "recipient": [m[2] for m in msgs],
        },
        events={
            "event": [f"e{e}" for e, _ in evs],
            "member": [m for _, m in evs],
            "time": [1.0 + 2 * e for e, _ in evs],
        },
        transactions={
            "customer": [b[1] for b in buys],
            "time": [b[0] for b in buys],
            "amount": [b[2] for b in buys],
        },
        end=8,
    )


def _brute_weekly(r: Records) -> dict[str, list[float]]:
    W = r.weeks + 1
    ops = set(np.flatnonzero(r.operators).tolist())
    out = {k: [0.0] * W for k in ("joins", "leaves", "members", "active", "messages")}
    out.update({k: [0.0] * W for k in ("member_buyers", "member_revenue", "revenue")})
    s = r.spells
    for m, j, lf in zip(
        s["member"].tolist(), s["joined"].tolist(), s["left"].tolist(), strict=True
    ):
        if m in ops:
            continue
        for w in range(W):
            # at the end of week w: joined in a week <= w and not left in a week <= w
            inside = _week(j) <= w and (math.isnan(lf) or _week(lf) > w)
            out["members"][w] += inside
        if _week(j) >= 1:
            out["joins"][_week(j)] += 1
        if not math.isnan(lf) and _week(lf) >= 1:
            out["leaves"][_week(lf)] += 1
    active: list[set[int]] = [set() for _ in range(W)]
    assert r.messages is not None and r.events is not None and r.transactions is not None
    m = r.messages
    for t, a, b, c in zip(m["time"], m["sender"], m["recipient"], m["count"], strict=True):
        if int(a) not in ops:
            out["messages"][_week(t)] += c
            active[_week(t)].add(int(a))
        if int(b) not in ops:
            active[_week(t)].add(int(b))
    e = r.events
    for who, t in zip(e["member"], e["time"], strict=True):
        if int(who) not in ops:
            active[_week(t)].add(int(who))
    tx = r.transactions
    buyers: list[set[int]] = [set() for _ in range(W)]
    for mem, t, a in zip(tx["member"], tx["time"], tx["amount"], strict=True):
        out["revenue"][_week(t)] += a
        if mem >= 0 and int(mem) not in ops:
            active[_week(t)].add(int(mem))
            buyers[_week(t)].add(int(mem))
            out["member_revenue"][_week(t)] += a
    out["active"] = [float(len(a)) for a in active]
    out["member_buyers"] = [float(len(b)) for b in buyers]
    return out


@settings(max_examples=40)
@given(small_records())
def test_weekly_series_match_a_brute_force_count(r: Records) -> None:
    w = r.weekly()
    for k, v in _brute_weekly(r).items():
        assert w[k].tolist() == pytest.approx(v), k


def _brute_stage(r: Records, rule: StageRule, member: int, week: int) -> int:
    s = r.spells
    spells = [
        (j, lf)
        for m, j, lf in zip(
            s["member"].tolist(), s["joined"].tolist(), s["left"].tolist(), strict=True
        )
        if m == member
    ]
    if r.operators[member] or all(_week(j) > week for j, _ in spells):
        return -1
    if not any(_week(j) <= week and (math.isnan(lf) or _week(lf) > week) for j, lf in spells):
        return int(Stage.LAPSED)
    assert r.transactions is not None and r.messages is not None and r.events is not None
    tx = r.transactions
    weeks_bought = {_week(t) for m, t in zip(tx["member"], tx["time"], strict=True) if m == member}
    n_bought = len({w for w in weeks_bought if w <= week})
    if n_bought == 0:
        return int(Stage.PROSPECT)
    if n_bought < rule.repeat_weeks:
        return int(Stage.CUSTOMER)
    act: set[int] = set()
    m = r.messages
    for t, a, b in zip(m["time"], m["sender"], m["recipient"], strict=True):
        if member in (a, b):
            act.add(_week(t))
    for who, t in zip(r.events["member"], r.events["time"], strict=True):
        if who == member:
            act.add(_week(t))
    recent = len({w for w in act if week - rule.fan_window < w <= week})
    if recent < rule.fan_active_weeks:
        return int(Stage.USER)
    # strong: a tied member met at >= 3 events by this week
    strong = any(
        week >= w
        for (a, b), w in zip(
            map(tuple, r.strong_ties(rule.tie_rule).tolist()),
            _strong_weeks(r, rule.tie_rule),
            strict=True,
        )
        if member in (a, b)
    )
    return int(Stage.FRIEND) if strong else int(Stage.FAN)


def _strong_weeks(r: Records, rule: TieRule) -> list[int]:
    from shequn.records.derive import strong_pairs

    return strong_pairs(r, rule)[1].tolist()


@settings(max_examples=30)
@given(small_records(), st.integers(2, 3), st.integers(1, 3))
def test_stage_rule_matches_its_definition(r: Records, repeat: int, window: int) -> None:
    rule = StageRule(repeat_weeks=repeat, fan_window=window, fan_active_weeks=1)
    h = r.stages(rule)
    for i in range(r.n_members):
        for w in range(r.weeks + 1):
            assert h.stages[i, w] == _brute_stage(r, rule, i, w), (i, w)


def test_strong_ties_by_hand() -> None:
    events = {
        "event": ["e1"] * 3 + ["e2"] * 3 + ["e3"] * 2 + ["e4"] * 2,
        "member": [1, 2, 3, 1, 2, 3, 1, 2, 2, 3],
        "time": [1, 1, 1, 2, 2, 2, 3, 3, 4, 4],
    }
    members = {"member": [1, 2, 3], "joined": [0, 0, 0]}
    # without any tie information every co-attendance is a meeting: 1-2 three times (weeks
    # 1, 2, 3), 2-3 three times (1, 2, 4), 1-3 twice
    r = load_records(members=members, events=events)
    from shequn.records.derive import strong_pairs

    pairs, weeks = strong_pairs(r, TieRule())
    assert pairs.tolist() == [[0, 1], [1, 2]] and weeks.tolist() == [3, 4]
    # with ties, only tied pairs meet
    r2 = load_records(members=members, events=events, ties={"a": [2], "b": [3]})
    assert r2.strong_ties().tolist() == [[1, 2]]
    assert r2.strong_ties(TieRule(strong_after_meetings=4)).tolist() == []


def test_community_roles_groups_and_weights() -> None:
    r = load_records(
        members={
            "member": ["b", "x", "y", "z"],
            "joined": [0, 0, 0, 2],
            "role": ["brand_account", "volunteer", None, None],
            "taste_0": [0.0, 1.0, 2.0, 3.0],
            "taste_1": [0.0, -1.0, -2.0, -3.0],
        },
        ties={"a": ["b", "x"], "b": ["x", "y"], "weight": [3.0, 0.5]},
        messages={"time": [1, 1, 1], "sender": ["y", "z", "x"], "recipient": ["z", "y", "y"]},
        groups={
            "group": ["g", "g", "h", "h"],
            "member": ["x", "y", "y", "z"],
            "role": ["admin", "member", "owner", "member"],
            "invitation": ["owner_only", None, "owner_only", None],
        },
    )
    c = r.community(weight="messages")
    assert c.labels == ("b", "x", "y", "z")
    assert c.roles.tolist() == [int(Role.BRAND_ACCOUNT), int(Role.VOLUNTEER), 0, 0]
    A = c.adjacency.toarray()
    assert A[2, 3] == 3.0  # a tie known only from two messages: 1 + 2
    assert A[1, 2] == 2.0 and A[0, 1] == 1.0
    assert r.community(weight="given").adjacency.toarray()[0, 1] == 3.0
    assert c.taste[:, 1].tolist() == [0.0, -1.0, -2.0, -3.0]
    g = c.groups
    assert g is not None and g.policy is InvitePolicy.OWNER_ONLY
    # g: no owner, so its admin x; h: owned by y, who is placed in h
    assert g.owners.tolist() == [1, 2] and g.membership.tolist() == [-1, 0, 1, 1]
    # at week 1, z has not joined and the z-y messages are later
    c1 = r.community(at=0.5)
    assert c1.n == 3 and c1.n_edges == 2


def test_rfm_in_weeks() -> None:
    r = load_records(
        members={"member": [1, 2], "joined": [0, 0]},
        transactions={
            "customer": [1, 1, 1, 2],
            "time": [0, 1, 3, 2],
            "amount": [4.0, 6.0, 8.0, 1.0],
        },
    )
    s = r.rfm()
    direct = rfm_summary(
        ["1", "1", "1", "2"],
        [0, 7, 21, 14],
        [4.0, 6.0, 8.0, 1.0],
        calibration_end=21,
        time_unit="weeks",
    )
    assert s == direct
    assert s.frequency.tolist() == [2, 0] and s.recency.tolist() == [3.0, 0.0]
    assert s.monetary.tolist() == [7.0, 0.0]


def test_ladder_fit_from_rule_stages_has_intervals() -> None:
    r = load_records(
        members={"member": list(range(40)), "joined": [0] * 40},
        transactions={
            "customer": [i for i in range(40) for _ in range(i % 3)],
            "time": [1.0 + k for i in range(40) for k in range(i % 3)],
            "amount": [1.0 for i in range(40) for _ in range(i % 3)],
        },
    )
    fit = r.stages().ladder()
    P = fit.ladder.transition
    assert np.allclose(P.sum(axis=1), 1.0)
    # customers who buy in two consecutive weeks become users: 13 of the 26 customers
    c, u = int(Stage.CUSTOMER), int(Stage.USER)
    assert fit.counts[c, u] == 13
    assert fit.lower[c, u] < P[c, u] < fit.upper[c, u]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "4"])
def test_weekly_series_refuses_non_finite_or_non_numeric_values(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"`WeeklySeries\.columns\['members'\]` must"):
        WeeklySeries(columns={"members": [3, bad], "joins": [0, 1]})
