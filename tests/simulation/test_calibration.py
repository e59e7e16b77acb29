"""Calibration hooks: estimates from the Bass, BG/NBD and ladder modules plug into the engine.

Each end-to-end test runs a community in which only the hooked mechanism acts (no churn, engagement
fixed at the baseline), so the weekly rate the engine produces has a closed form: the estimate
itself. Tolerances are 4 standard errors of a binomial or Poisson mean.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from shequn.community import generate_community
from shequn.diffusion.bass import Bass
from shequn.diffusion.reach import PowerOpenRate
from shequn.economics import Economics
from shequn.exceptions import InvalidParameterError
from shequn.loyalty import BGNBD, Ladder, Stage, default_ladder
from shequn.operating import OperatingModel
from shequn.simulation import (
    Mechanisms,
    Profile,
    bass_hooks,
    ladder_rates_from,
    repeat_rates_from,
    simulate,
)

B = 0.3  # baseline engagement; with no channels and no leader dependence it never moves
STILL = Profile(baseline_churn=0.0, baseline_engagement=B, leader_dependence=0.0)


def test_bass_hooks_units() -> None:
    # per week, per opened message, per conversation: p / (weeks · opens), q / (weeks · talks)
    out = bass_hooks(Bass(p=0.03, q=0.6, m=1e4), period_weeks=3.0, talks_per_week=2.0)
    assert out == pytest.approx({"broadcast_p": 0.01, "wom_q": 0.1})
    out = bass_hooks(SimpleNamespace(p=0.02, q=0.1), opens_per_week=0.5)
    assert out == pytest.approx({"broadcast_p": 0.04, "wom_q": 0.1})
    with pytest.raises(InvalidParameterError, match=r"bass_hooks\.model.*got 'int'"):
        bass_hooks(3)
    with pytest.raises(InvalidParameterError, match=r"bass_hooks\.talks_per_week.*got 0"):
        bass_hooks(Bass(p=0.01, q=0.3), talks_per_week=0.0)
    with pytest.raises(InvalidParameterError, match=r"bass_hooks\.broadcast_p.*got 2"):
        bass_hooks(Bass(p=0.2, q=0.3), opens_per_week=0.1)


def test_repeat_and_ladder_units() -> None:
    bg = BGNBD(r=0.6, alpha=2.0, a=1.0, b=3.0)
    assert repeat_rates_from(bg, period_weeks=0.5) == pytest.approx((0.6,) * 4)
    fits = [SimpleNamespace(model=BGNBD(r=k, alpha=10.0, a=1.0, b=1.0)) for k in (1, 2, 3, 4)]
    assert repeat_rates_from(fits) == pytest.approx((0.1, 0.2, 0.3, 0.4))
    with pytest.raises(InvalidParameterError, match=r"repeat_rates_from\.models"):
        repeat_rates_from(SimpleNamespace(r=1.0))
    # weekly probability of a constant hazard: 1 - (1 - P)^(1/w), then over engagement
    T = default_ladder().transition
    rates = ladder_rates_from(SimpleNamespace(ladder=default_ladder()), period_weeks=2.0)
    assert rates[0] == pytest.approx(1 - math.sqrt(1 - T[Stage.CUSTOMER, Stage.USER]))
    assert rates[2] == pytest.approx(1 - math.sqrt(1 - T[Stage.FAN, Stage.FRIEND]))
    assert ladder_rates_from(default_ladder(), engagement=0.5)[1] == pytest.approx(0.16)
    with pytest.raises(InvalidParameterError, match=r"ladder_rates_from\.engagement.*got 0.1"):
        ladder_rates_from(default_ladder(), engagement=0.1)  # 0.2 / 0.1 > 1
    with pytest.raises(InvalidParameterError, match=r"ladder_rates_from\.ladder"):
        ladder_rates_from(np.eye(6))


def test_bass_p_hook_is_the_weekly_adoption_hazard() -> None:
    # every member gets and opens one message a week; nothing else converts prospects
    p = 0.04
    mech = Mechanisms(
        open_rate=PowerOpenRate(r0=1.0, beta=0.0),
        ladder_rates=(0.0, 0.0, 0.0),
        **bass_hooks(Bass(p=p, q=0.2), opens_per_week=1.0),
    )
    c = generate_community("brand", 3000, rng=11)
    om = OperatingModel.broadcast_only(budget=3000 * 0.05)
    t = simulate(c, om, weeks=10, rng=12, mechanisms=mech, profile=STILL)
    at_risk = float(t.stage_counts[:-1, int(Stage.PROSPECT)].sum())
    won = float(t.column("new_customers").sum())
    assert float(t.column("open_rate")[1:].min()) == 1.0
    assert abs(won / at_risk - p) < 4 * math.sqrt(p * (1 - p) / at_risk)


def test_bgnbd_rate_is_the_weekly_purchase_rate() -> None:
    rates = repeat_rates_from(BGNBD(r=0.5, alpha=2.0, a=1.0, b=2.0))  # 0.25 a week
    rate = rates[0]
    mech = Mechanisms(repeat_rates=rates)
    c = generate_community("sharing", 2000, rng=3)
    t = simulate(c, OperatingModel.silent(), weeks=8, rng=4, mechanisms=mech, profile=STILL)
    adopter_weeks = float(t.adopters[:-1].sum())
    units = float(t.column("units").sum())
    assert t.column("new_customers").sum() == 0
    assert abs(units / adopter_weeks - rate) < 4 * math.sqrt(rate / adopter_weeks)


def test_fitted_ladder_reproduces_its_up_moves() -> None:
    # the engine's up-move is rate · e · satisfaction; with e = B and engagement=B the fitted
    # weekly probabilities come back
    lad = Ladder(transition=default_ladder().transition)
    mech = Mechanisms(
        ladder_rates=ladder_rates_from(lad, engagement=B), ladder_down=0.0, return_rate=0.0
    )
    c = generate_community("brand", 4000, rng=8)
    t = simulate(
        c,
        OperatingModel.silent(),
        weeks=6,
        rng=9,
        mechanisms=mech,
        profile=STILL,
        economics=Economics(product_quality=1.0),
    )
    n = t.stage_counts
    C, U = int(Stage.CUSTOMER), int(Stage.USER)
    up_c = n[:-1, C] - n[1:, C]  # customers leave only by moving up
    up_u = n[:-1, U] + up_c - n[1:, U]
    for moved, at_risk, P in (
        (up_c.sum(), n[:-1, C].sum(), lad.transition[C, U]),
        (up_u.sum(), n[:-1, U].sum(), lad.transition[U, int(Stage.FAN)]),
    ):
        assert abs(moved / at_risk - P) < 4 * math.sqrt(P * (1 - P) / at_risk), (moved, at_risk)
