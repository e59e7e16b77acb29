"""Referral rewards (老带新): the law in isolation, the engine's books, and the CAC scenario."""

from __future__ import annotations

import math

import attrs
import numpy as np
import pytest
from scipy import stats

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.loyalty.stages import Stage
from shequn.operating import Economics, OperatingModel
from shequn.scenarios import referral_rewards_cac
from shequn.simulation import Mechanisms, profile_for, simulate
from shequn.simulation.mechanisms._spec import Setting
from shequn.simulation.mechanisms.referral import ReferralParams, derive, referrers, response


def _rates(reward: float, budget: float | None = None, params: ReferralParams | None = None):  # type: ignore[no-untyped-def]
    s = Setting(
        operating_model=OperatingModel(),
        profile=profile_for("brand"),
        economics=Economics(referral_reward=reward, referral_budget=budget),
        taste=np.zeros((1, 2)),
    )
    return derive(params or ReferralParams(), s)


def test_referral_rate_rises_with_stage_and_reward() -> None:
    # the law in isolation: 20,000 members in each adopter stage at engagement 0.5 refer with
    # rate[stage] · e · R / (R + half); counts within 4 binomial standard errors
    params = ReferralParams(referral_rate=(0.05, 0.10, 0.20, 0.30), reward_half=10.0)
    per = 20_000
    stage = np.repeat(np.arange(6, dtype=np.int8), per)  # prospect .. lapsed
    group = np.zeros(stage.size, dtype=np.int32)
    e = np.full(stage.size, 0.5, dtype=np.float32)
    gen = np.random.default_rng(1)
    last = np.zeros(4)
    for reward in (5.0, 10.0, 40.0):
        got = referrers(
            gen, _rates(reward, params=params), stage=stage, group=group, e=e, n_used=stage.size,
            room=stage.size,
        )  # fmt: skip
        counts = np.bincount(stage[got], minlength=6)
        assert counts[0] == 0 and counts[5] == 0  # prospects and the lapsed do not refer
        f = reward / (reward + 10.0)
        for s in range(1, 5):
            p = params.referral_rate[s - 1] * 0.5 * f
            assert abs(counts[s] - per * p) < 4 * math.sqrt(per * p * (1 - p)), (reward, s)
        rates = counts[1:5] / per
        assert (np.diff(rates) > 0).all()  # rises with the stage
        assert (rates > last).all()  # and with the reward
        last = rates


def test_budget_room_and_groups_bound_the_referrals() -> None:
    stage = np.full(1000, int(Stage.FRIEND), dtype=np.int8)
    group = np.zeros(1000, dtype=np.int32)
    group[500:] = -1  # not in a group: no referral
    e = np.ones(1000, dtype=np.float32)
    params = ReferralParams(referral_rate=(1.0, 1.0, 1.0, 1.0))
    gen = np.random.default_rng(0)
    all_ = referrers(gen, _rates(1e9, params=params), stage=stage, group=group, e=e, n_used=1000,
                     room=1000)  # fmt: skip
    assert all_.size > 490 and all_.max() < 500
    capped = referrers(gen, _rates(10.0, 95.0, params), stage=stage, group=group, e=e,
                       n_used=1000, room=1000)  # fmt: skip
    assert capped.size == 9  # floor(95 / 10)
    assert referrers(gen, _rates(10.0, None, params), stage=stage, group=group, e=e, n_used=1000,
                     room=3).size == 3  # fmt: skip
    assert referrers(gen, _rates(0.0), stage=stage, group=group, e=e, n_used=1000,
                     room=1000).size == 0  # fmt: skip
    assert response(ReferralParams(reward_half=5.0), reward=5.0) == 0.5


def test_engine_books_referrals_as_customers_and_costs() -> None:
    c = generate_community("brand", 800, rng=2)
    eco = Economics(referral_reward=25.0, referral_budget=100.0)
    mech = Mechanisms(referral_rate=(0.2, 0.2, 0.2, 0.2))
    t = simulate(c, OperatingModel(), weeks=12, rng=3, economics=eco, mechanisms=mech,
                 capacity=2000)  # fmt: skip
    cols = t.columns
    ref = cols["referrals"]
    assert ref.sum() > 0 and ref.max() <= 4  # floor(100 / 25) a week
    assert np.array_equal(cols["cost_referral"], 25.0 * ref)
    # every referral is a newcomer who joined as a customer won by word of mouth
    assert (cols["newcomers"] >= ref).all() and (cols["new_wom"] >= ref).all()
    # members conserved, stages partition everyone seen, money balances
    assert np.array_equal(np.diff(t.members), (cols["joined"] - cols["left"])[1:].astype(int))
    ever = t.stage_counts[0].sum() + np.cumsum(cols["newcomers"] + cols["ad_customers"])
    assert np.array_equal(t.stage_counts.sum(axis=1), ever.astype(int))
    parts = sum(cols[k] for k in ("cogs", "cost_content", "cost_events", "cost_broadcast",
                                  "cost_staff", "cost_referral"))  # fmt: skip
    np.testing.assert_allclose(parts, t.costs, rtol=1e-12)
    marketing = np.cumsum(
        cols["cost_content"] + cols["cost_events"] + cols["cost_broadcast"] + cols["cost_staff"]
        + cols["cost_referral"]
    )  # fmt: skip
    np.testing.assert_allclose(t.marketing_costs, marketing, rtol=1e-12)


def test_no_reward_no_programme() -> None:
    c = generate_community("sharing", 200, rng=0)
    base = simulate(c, OperatingModel(), weeks=5, rng=1)
    off = simulate(c, OperatingModel(), weeks=5, rng=1, economics=Economics(referral_budget=50.0))
    assert base == off and base.column("referrals").sum() == 0


def test_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"Economics\.referral_reward.*-1"):
        Economics(referral_reward=-1.0)
    with pytest.raises(InvalidParameterError, match=r"Economics\.referral_budget"):
        Economics(referral_budget="50")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"ReferralParams\.referral_rate"):
        ReferralParams(referral_rate=(0.1, 0.2))
    with pytest.raises(InvalidParameterError, match=r"Mechanisms\.reward_half.*got 0"):
        Mechanisms(reward_half=0.0)
    with pytest.raises(InvalidParameterError, match=r"referral_rewards_cac\.runs"):
        referral_rewards_cac(runs=1)


def test_scenario_cac_with_a_confidence_interval() -> None:
    r = referral_rewards_cac(runs=6, n=600, weeks=20, rng=20261123, keep_trajectories=True)
    assert r.trajectories is not None
    # the arms recomputed from the kept trajectories (marketing cost / customers won)
    for row, (without, with_) in zip(r.values, r.trajectories, strict=True):
        for value, t in ((row[0], without), (row[1], with_)):
            won = t.column("new_customers").sum()
            assert value == pytest.approx(t.marketing_costs[-1] / max(won, 1.0))
        assert with_.column("cost_referral").sum() > 0 == without.column("cost_referral").sum()
    # the headline contrast is the Student-t 95 % interval of the per-run log ratios
    logs = np.log(r.values[:, 0] / r.values[:, 1])
    half = stats.t.ppf(0.975, logs.size - 1) * logs.std(ddof=1) / math.sqrt(logs.size)
    c = r.contrasts[0]
    assert c.mean == pytest.approx(logs.mean()) and c.lo == pytest.approx(logs.mean() - half)
    # with the defaults (¥20 a referral, ¥400 a week) rewards bring customers and lower CAC
    assert r.holds, r.summary()


def test_referral_params_reach_the_engine_through_mechanisms() -> None:
    m = Mechanisms(referral=ReferralParams(reward_half=2.0))
    assert m.reward_half == 2.0 and attrs.evolve(m, reward_half=3.0).reward_half == 3.0
