"""RecordTables a run emits, checked against the run's own weekly totals (an independent account).

The engine counts flows in its compiled passes; the records are collected separately (which
ties talked, who attended, who bought, every member's stage). Summed per week they must give
the same numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.operating import Economics, OperatingModel, Tools
from shequn.simulation import Mechanisms, RecordTables, simulate
from shequn.simulation.records import STAGE_NAMES, TABLES

WEEKS = 10


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    c = generate_community("sharing", 400, rng=5)
    om = OperatingModel(tools=Tools(event_frequency=1.0, event_capacity=25, broadcast_budget=5.0))
    eco = Economics(price=99.9, referral_reward=10.0)
    mech = Mechanisms(return_rate=0.5)  # many returns: members with a second spell
    return simulate(c, om, weeks=WEEKS, rng=9, economics=eco, mechanisms=mech, records=True)


def _per_week(times: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(times.astype(np.int64), weights=weights, minlength=WEEKS + 1)


def test_every_table_of_the_schema(run) -> None:  # type: ignore[no-untyped-def]
    r = run.records
    assert isinstance(r, RecordTables) and r.names == TABLES
    for name in TABLES:
        sizes = {v.shape[0] for v in r[name].values()}
        assert len(sizes) == 1, name


def test_records_sum_to_the_flows(run) -> None:  # type: ignore[no-untyped-def]
    r, c = run.records, run.columns
    msg = r["messages"]
    assert np.array_equal(_per_week(msg["time"], msg["count"]), c["messages"])
    assert (msg["sender"] < msg["recipient"]).all()
    assert np.array_equal(_per_week(r["events"]["time"]), c["attendees"])
    tx = r["transactions"]
    np.testing.assert_allclose(_per_week(tx["time"], tx["amount"]), c["revenue"], rtol=1e-12)
    bc = r["broadcasts"]
    sent = np.zeros(WEEKS + 1)
    sent[bc["time"].astype(int)] = bc["audience"]
    assert np.array_equal(sent, c["broadcast_sent"])
    ties = r["ties"]
    later = ties["formed"][~np.isnan(ties["formed"])]  # week-0 ties: formed before the start
    assert np.array_equal(_per_week(later)[1:], c["ties_formed"][1:])
    assert ties["a"].size == c["ties"][-1]


def test_members_and_stages_match_the_stocks(run) -> None:  # type: ignore[no-untyped-def]
    r, c = run.records, run.columns
    st = r["stages"]
    for w in range(WEEKS + 1):
        counts = np.bincount(st["stage"][st["week"] == w], minlength=6)
        assert np.array_equal(counts, run.stage_counts[w]), w
    m = r["members"]
    # one row per membership spell: spells starting in a week are the week's joins (newcomers,
    # ad customers, returns), spells ending are its leavers
    assert np.array_equal(_per_week(m["joined"])[1:], c["joined"][1:])
    ended = m["left"][~np.isnan(m["left"])]
    assert np.array_equal(_per_week(ended)[1:], c["left"][1:])
    still = np.isnan(m["left"]) & np.isin(m["role"], ["member", "volunteer"])
    assert still.sum() == run.members[-1]
    # operators (brand account, leaders) are never in a stage
    ops = m["member"][np.isin(m["role"], ["leader", "brand_account"])]
    assert not np.isin(ops, st["member"]).any()
    g = r["groups"]
    present = st["member"][(st["week"] == WEEKS) & (st["stage"] < 5)]
    assert np.isin(g["member"], present).all()  # (returners come back without a group)
    assert g["member"].size >= run.members[-1] - c["returned"].sum()
    assert set(np.unique(g["role"])) <= {"owner", "member"}


def test_off_by_default_and_validated() -> None:
    c = generate_community("brand", 100, rng=0)
    t = simulate(c, OperatingModel(), weeks=2, rng=0)
    assert t.records is None
    with pytest.raises(InvalidParameterError, match=r"simulate\.records"):
        simulate(c, OperatingModel(), weeks=2, rng=0, records="yes")  # type: ignore[arg-type]
    with_records = simulate(c, OperatingModel(), weeks=2, rng=0, records=True)
    assert with_records == t  # recording changes nothing in the run


def test_to_frames(run) -> None:  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    frames = run.records.to_frames()
    assert set(frames) == set(TABLES)
    assert isinstance(frames["stages"], pd.DataFrame)
    assert set(frames["stages"]["stage"].astype(str)) <= set(STAGE_NAMES)


def test_member_roles_are_the_communitys_and_group_roles_their_groups() -> None:
    # the members table carries each member's role in the community (Community.roles), the
    # groups table each member's role in their group: the two must not leak into each other
    from shequn.community.types import Role
    from shequn.simulation import compile_dynamics

    names = {Role.MEMBER: "member", Role.VOLUNTEER: "volunteer", Role.LEADER: "leader"}
    names[Role.BRAND_ACCOUNT] = "brand_account"
    seen: set[str] = set()
    owner_rows = 0
    for kind in ("leader", "brand", "sharing"):
        c = generate_community(kind, 600, rng=3)
        t = simulate(c, OperatingModel(), weeks=6, rng=4, records=True)
        assert t.records is not None
        m, g = t.records["members"], t.records["groups"]
        founding = m["member"] < c.n
        expected = np.array([names[Role(int(x))] for x in c.roles[m["member"][founding]]])
        assert np.array_equal(m["role"][founding], expected), kind
        assert set(m["role"][~founding]) <= {"member"}  # newcomers are ordinary members
        seen |= set(expected.tolist())
        # at most one owner per group; a week-0 owner still in their group is its owner and
        # every other member of a week-0 group a member (later groups' owners are not known)
        owners = compile_dynamics(c, OperatingModel()).groups.owners
        assert np.bincount(g["group"][g["role"] == "owner"]).max(initial=0) <= 1, kind
        week0 = g["group"] < owners.size
        is_owner = np.zeros(g["group"].size, dtype=bool)
        is_owner[week0] = owners[g["group"][week0]] == g["member"][week0]
        assert (g["role"][is_owner] == "owner").all(), kind
        assert (g["role"][week0 & ~is_owner] == "member").all(), kind
        owner_rows += int(is_owner.sum())
    assert {"leader", "brand_account", "volunteer", "member"} <= seen  # every role was checked
    assert owner_rows > 0  # and some group owners
