"""Crowdsourcing: exact cases, an order-statistic closed form and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.rng import spawn_seeds
from shequn.simulation.crowdsourcing import crowd_size_curve, crowdsource

C = generate_community("brand", 200, rng=0)


def test_perfect_judgement_picks_the_truly_best() -> None:
    o = crowdsource(C, rng=3, vote_noise=0.0, tie_bias=0.0, ideas_seen=1000)
    assert o.best_by_vote == o.best_true
    assert o.overlap == 1.0
    assert o.votes[np.argmax(o.quality)] == o.votes.sum()


def test_expected_best_is_the_normal_order_statistic() -> None:
    # 5 proposers: E[max of 5 iid N(0,1)] = 1.162964 (Harter 1961 tables); sd of the max ~ 0.67
    best = [
        crowdsource(C, rng=s, proposer_share=0.025, top=1).best_true for s in spawn_seeds(11, 400)
    ]
    se = np.std(best, ddof=1) / np.sqrt(len(best))
    assert abs(np.mean(best) - 1.162964) < 4 * se


@settings(max_examples=20)
@given(
    seed=st.integers(0, 2**32 - 1),
    noise=st.floats(0, 3),
    bias=st.floats(0, 3),
    seen=st.integers(1, 30),
)
def test_vote_never_beats_the_truth(seed: int, noise: float, bias: float, seen: int) -> None:
    o = crowdsource(C, rng=seed, vote_noise=noise, tie_bias=bias, ideas_seen=seen)
    assert o.best_by_vote <= o.best_true
    assert o.top_vote_mean <= o.top_true_mean + 1e-12
    assert 0.0 <= o.overlap <= 1.0
    assert o.votes.sum() == pytest.approx(C.n - o.proposers.size)


def test_zero_engagement_casts_no_votes() -> None:
    o = crowdsource(C, rng=0, engagement=np.zeros(C.n))
    assert o.votes.sum() == 0


def test_larger_crowds_find_better_ideas() -> None:
    c = crowd_size_curve(sizes=[100, 1000], runs=8, rng=2)
    assert c.best_true[1, 1] > c.best_true[0, 2]  # CIs do not overlap
    assert "members" in str(c.summary()) and c.summary()["sizes"] == [100, 1000]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"proposer_share": 0.0}, "proposer_share"),
        ({"proposer_share": 1.0}, "proposer_share"),
        ({"idea_sd": 0.0}, "idea_sd"),
        ({"vote_noise": -1.0}, "vote_noise"),
        ({"tie_bias": -0.1}, "tie_bias"),
        ({"ideas_seen": 0}, "ideas_seen"),
        ({"top": 0}, "top"),
        ({"engagement": np.ones(3)}, "engagement"),
    ],
)
def test_bad_input(kw: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidParameterError, match=field):
        crowdsource(C, rng=0, **kw)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="sizes"):
        crowd_size_curve(sizes=[5])
