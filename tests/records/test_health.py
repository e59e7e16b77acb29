"""The health report: structure by hand, known customer-base and open-rate laws recovered."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shequn.diffusion.reach import PowerOpenRate
from shequn.exceptions import InvalidParameterError
from shequn.loyalty import BGNBD, ParetoNBD, RFMSummary, Stage
from shequn.records import Records, health, load_records, membership_effect


def _star_with_tail() -> Records:
    # 0 is the leader tied to 1..4; 4-5-6 is a tail: without 0, the largest circle is {4, 5, 6}
    return load_records(
        members={
            "member": list(range(7)),
            "joined": [0] * 7,
            "role": ["leader"] + ["member"] * 6,
        },
        ties={"a": [0, 0, 0, 0, 4, 5], "b": [1, 2, 3, 4, 5, 6]},
        messages={
            "time": [1, 1, 2, 2],
            "sender": [1, 0, 5, 2],
            "recipient": [0, 3, 6, 3],
            "count": [2, 1, 3, 4],
        },
    )


def test_structure_by_hand() -> None:
    h = health(_star_with_tail(), launch_seeds=1)
    s = h.structure
    assert s["members"] == 6 and s["operators"] == 1 and s["ties"] == 7  # 2-3 from messages
    assert s["hub"] == [0]
    # messages touching the leader: 2 + 1 of 10
    assert s["hub_message_share"] == pytest.approx(0.3)
    # without the leader: {1}, {2, 3}, {4, 5, 6}: 3 of the 6 members are off the largest circle
    assert s["cut_off_share"] == pytest.approx(0.5)
    # the launch seed is member 2 (degree 2, like 3, 4 and 5, and the first of them):
    # distance 1: 0 and 3; distance 2: 1 and 4; distance 3: 5 (6 is at distance 4)
    assert h.reach.tolist() == [1, 2, 2, 1]
    assert s["reach_1"] == pytest.approx(3 / 7) and s["reach_3"] == pytest.approx(6 / 7)
    # around the leader: 1, 2, 3, 4; then 5; then 6
    assert h.rings.tolist() == [1, 4, 1, 1, 0]


def _times(x: np.ndarray, tx: np.ndarray, gen: np.random.Generator) -> list[np.ndarray]:
    """Purchase times of customers who first bought at 0 with ``x`` repeats, the last at ``tx``."""
    out = []
    for k, last in zip(x.tolist(), tx.tolist(), strict=True):
        rest = np.sort(gen.uniform(0, last, size=max(int(k) - 1, 0)))
        out.append(np.r_[0.0, rest, last] if k else np.zeros(1))
    return out


def _records(
    times: list[np.ndarray], members: int, gen: np.random.Generator, end: float = 30.0
) -> Records:
    cust: list[int] = []
    tt: list[float] = []
    for i, ts in enumerate(times):
        cust += [i] * ts.size
        tt += ts.tolist()
    return load_records(
        members={"member": list(range(members)), "joined": [0] * members},
        transactions={
            "customer": cust,
            "time": tt,
            "amount": gen.gamma(4.0, 5.0, size=len(tt)).tolist(),
        },
        end=end,
    )


def test_membership_effect_is_recovered_from_transactions() -> None:
    """Pareto/NBD with membership on both processes: members buy 3x as often and drop out at
    exp(-1) = 0.37x the rate (the truth the data are drawn from)."""
    gen = np.random.default_rng(7)
    m = np.r_[np.ones(500), np.zeros(500)]
    truth = ParetoNBD(r=0.6, alpha=9.0, s=0.7, beta=10.0).with_covariates(
        trans={"member": math.log(3.0)}, life={"member": -1.0}
    )
    # a year watched: over 30 weeks the drop-out ratio's interval still reaches 1
    x, tx, _ = truth.sample(52.0, covariates={"member": m}, rng=gen)
    h = health(_records(_times(x, tx, gen), 500, gen, end=52.0), model="pareto_nbd")
    cb = h.customer_base
    assert cb is not None and cb["comparison"] is None and cb["df"] == 2
    # purchase rates while alive: truth ratio 3 (days merged: slightly fewer purchases)
    assert cb["members"]["rate"] / cb["others"]["rate"] > 2.0
    _, hi = cb["effect"].conf_int()["dropout rate ratio"]
    assert hi < 1.0  # members stay longer (truth 0.37)
    assert cb["members"]["p_alive"] > cb["others"]["p_alive"]
    assert cb["p_value"] < 1e-6
    assert h.worth is not None and h.worth["members"][0] > 2 * h.worth["others"][0]
    assert h.worth["total_members"] == pytest.approx(
        sum(v for v, mm in zip(h.clv["clv"], h.clv["member"], strict=True) if mm)
    )
    s = h.summary()
    assert s["member_rate_ratio"] > 2.0 and s.table is not None
    assert s["member_dropout_rate_ratio"] < 1.0


def test_bgnbd_membership_rate_ratio() -> None:
    """BG/NBD (default): members' purchase rate 3x the others' (alpha 3 against 9)."""
    gen = np.random.default_rng(8)
    x1, t1, _ = BGNBD(r=0.6, alpha=3.0, a=0.4, b=4.0).sample(500, 30.0, rng=gen)
    x2, t2, _ = BGNBD(r=0.6, alpha=9.0, a=0.4, b=4.0).sample(500, 30.0, rng=gen)
    h = health(_records(_times(np.r_[x1, x2], np.r_[t1, t2], gen), 500, gen))
    cb = h.customer_base
    assert cb is not None and cb["comparison"] is None
    lo, hi = cb["effect"].conf_int()["purchase rate ratio"]
    assert lo < 3.0 < hi
    assert cb["p_value"] < 1e-6


def test_membership_test_has_its_size_under_no_effect() -> None:
    """Same model for both groups: the LR test rejects at 5% in about 5% of data sets.

    40 replications: rejections ~ Binomial(40, 0.05) (mean 2); P(X >= 7) = 0.003.
    """
    gen = np.random.default_rng(11)
    model = BGNBD(r=0.5, alpha=5.0, a=0.6, b=3.0)
    rejected = 0
    for _ in range(40):
        x, tx, T = model.sample(600, 26.0, rng=gen)
        s = RFMSummary(
            customer_ids=np.arange(600),
            frequency=x,
            recency=tx,
            T=T,
            monetary=np.zeros(600),
            first_purchase=np.zeros(600, dtype=np.int64),
        )
        e = membership_effect(s, gen.random(600) < 0.5)
        rejected += e["p_value"] < 0.05
    assert rejected <= 6


def test_groups_too_small_are_not_compared() -> None:
    x, tx, T = BGNBD(r=0.5, alpha=5.0, a=0.6, b=3.0).sample(300, 26.0, rng=1)
    s = RFMSummary(
        customer_ids=np.arange(300),
        frequency=x,
        recency=tx,
        T=T,
        monetary=np.zeros(300),
        first_purchase=np.zeros(300, dtype=np.int64),
    )
    e = membership_effect(s, np.ones(300, dtype=bool))
    assert e["others"] is None and "others group has 0 customers" in e["comparison"]
    assert math.isnan(e["p_value"]) and e["all"]["customers"] == 300


def test_open_rate_law_is_recovered() -> None:
    gen = np.random.default_rng(3)
    law = PowerOpenRate(r0=0.25, beta=0.3, a0=1000.0)
    audience = np.geomspace(100, 20_000, 12).round()
    opens = gen.binomial(audience.astype(int), law(audience))
    r = load_records(
        members={"member": [1], "joined": [0]},
        broadcasts={"time": np.arange(1, 13), "audience": audience, "opens": opens},
    )
    h = health(r)
    assert h.open_rate is not None
    lo, hi = h.open_rate.conf_int()["beta"]
    assert lo < 0.3 < hi
    assert h.summary()["open_rate_beta"] == pytest.approx(float(h.open_rate.params["beta"]))


def test_notes_say_what_is_missing() -> None:
    r = load_records(
        members={"member": [1, 2], "joined": [0, 0]},
        broadcasts={"time": [1, 2], "audience": [10, 10], "opens": [1, 2]},
    )
    h = health(r)
    assert h.customer_base is None and h.worth is None and h.open_rate is None
    assert h.notes == (
        "customer base: no transactions",
        "open rate: fewer than 3 distinct audience sizes in the broadcast logs",
    )
    with pytest.raises(InvalidParameterError, match="membership"):
        health(r, membership="cards")


def test_ladder_of_engine_records_counts_every_consecutive_week() -> None:
    from shequn.community import generate_community
    from shequn.twin._engine import EngineSetup, emit_records

    r = emit_records(EngineSetup.of(generate_community("brand", 300, rng=2)), weeks=8, rng=4)
    h = health(r)
    st = h.stages.stages
    pairs = int(((st[:, :-1] >= 0) & (st[:, 1:] >= 0)).sum())
    assert h.ladder is not None and int(h.ladder.counts.sum()) == pairs
    moves = h.ladder_moves()
    assert moves is not None and "customer → user" in moves.rows
    c, u = int(Stage.CUSTOMER), int(Stage.USER)
    assert moves.rows["customer → user"][3] == h.ladder.counts[c, u]
    html = h.to_html()
    assert html.startswith("<section") and "Ladder (weekly moves)" in html
