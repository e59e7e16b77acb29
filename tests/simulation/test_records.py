"""Records a run emits, checked against the run's own weekly totals (an independent account).

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
from shequn.simulation import Mechanisms, Records, simulate
from shequn.simulation.records import STAGE_NAMES, TABLES

WEEKS = 10


@pytest.fixture(scope="module")
def run():  # type: ignore[no-untyped-def]
    c = generate_community("sharing", 400, rng=5)
    om = OperatingModel(tools=Tools(event_frequency=1.0, event_capacity=25, broadcast_budget=5.0))
    eco = Economics(price=99.9, referral_reward=10.0)
    mech = Mechanisms(return_rate=0.0)  # no returns: every leaver stays lapsed
    return simulate(c, om, weeks=WEEKS, rng=9, economics=eco, mechanisms=mech, records=True)


def _per_week(times: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(times.astype(np.int64), weights=weights, minlength=WEEKS + 1)


def test_every_table_of_the_schema(run) -> None:  # type: ignore[no-untyped-def]
    r = run.records
    assert isinstance(r, Records) and r.names == TABLES
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
    assert np.array_equal(_per_week(ties["formed"])[1:], c["ties_formed"][1:])
    assert ties["a"].size == c["ties"][-1]


def test_members_and_stages_match_the_stocks(run) -> None:  # type: ignore[no-untyped-def]
    r, c = run.records, run.columns
    st = r["stages"]
    for w in range(WEEKS + 1):
        counts = np.bincount(st["stage"][st["week"] == w], minlength=6)
        assert np.array_equal(counts, run.stage_counts[w]), w
    m = r["members"]
    joined = m["joined"]
    assert np.array_equal(_per_week(joined)[1:], (c["newcomers"] + c["ad_customers"])[1:])
    left = m["left"][~np.isnan(m["left"])]
    assert np.array_equal(_per_week(left)[1:], c["left"][1:])  # no returns in this run
    # founding members joined at 0; operators are never in a stage
    assert (joined[: int(run.stage_counts[0].sum()) + int(m["operator"].sum())] == 0).all()
    assert not np.isin(np.flatnonzero(m["operator"]), st["member"]).any()
    g = r["groups"]
    assert c["ad_customers"].sum() == 0  # no mass ads here: every present member is in a group
    assert g["member"].size == run.members[-1]
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
