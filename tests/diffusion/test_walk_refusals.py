"""Bad input found by the API walk (issue 14): our error, naming the caller's field."""

from __future__ import annotations

import re
from typing import Any

import networkx as nx
import numpy as np
import pytest

from shequn.diffusion import (
    DiffusionNetwork,
    as_network,
    complex_contagion,
    network_bass,
    select_seeds,
    watts_threshold,
)
from shequn.diffusion.bass import Bass, bass_pdf, bkj_effort, fit_bass
from shequn.diffusion.reach import (
    BroadcastCampaign,
    CommunityChannel,
    PowerOpenRate,
    compare_budget,
    open_rate_from_interest,
)
from shequn.diffusion.seeding import (
    degree_discount,
    imm,
    kcore_seeds,
    pagerank_seeds,
    random_seeds,
    rr_spread,
    top_degree,
)
from shequn.exceptions import ConvergenceError, InvalidParameterError

G = nx.karate_club_graph()


def _raises(field: str) -> Any:
    return pytest.raises(InvalidParameterError, match=re.escape(field) + "` must")


@pytest.mark.parametrize("rng", [-1, "abc", 1.5, True, [1, 2]])
def test_deterministic_models_still_check_rng(rng: Any) -> None:
    with _raises("watts_threshold.rng"):
        watts_threshold(G, [0], phi=0.2, rng=rng)
    with _raises("complex_contagion.rng"):
        complex_contagion(G, [0], rng=rng)
    with _raises("select_seeds.rng"):
        select_seeds(G, 2, method="degree", rng=rng)


def test_flags_must_be_bools() -> None:
    with _raises("watts_threshold.weighted"):
        watts_threshold(G, [0], phi=0.2, weighted="no")
    with _raises("network_bass.weighted"):
        network_bass(G, p=0.01, q=0.1, steps=3, weighted="no", rng=0)


def test_weight_and_labels() -> None:
    for bad in (5, ["w"]):
        with _raises("as_network.weight"):
            as_network(G, weight=bad)
    with _raises("DiffusionNetwork.labels"):
        DiffusionNetwork(
            indptr=np.array([0, 1, 2]), indices=np.array([1, 0]), weight=np.ones(2), labels=5
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda: top_degree(G, 2, model="ic", samples=10**12, rng=0),
        lambda: random_seeds(G, 2, model="ic", samples=10**12, rng=0),
        lambda: kcore_seeds(G, 2, model="ic", samples=10**12, rng=0),
        lambda: pagerank_seeds(G, 2, model="ic", samples=10**12, rng=0),
        lambda: degree_discount(G, 2, samples=10**12, rng=0),
        lambda: imm(G, 2, samples=10**12, rng=0),
        lambda: rr_spread(G, [0], samples=10**12, rng=0),
    ],
)
def test_rr_sample_counts_that_would_run_for_hours_are_refused_at_once(call: Any) -> None:
    # 10**12 RR sets at >= 30 ns each: at least 8.3 hours, refused with the estimate
    with pytest.raises(
        InvalidParameterError, match=r"\.samples` must need at most 1 hour .*8\.33 h"
    ):
        call()


def test_bass_horizons_beyond_memory() -> None:
    m = Bass(p=0.03, q=0.38, m=1000)
    with _raises("Bass.adoptions.periods"):
        m.adoptions(10**12)
    with _raises("BassFit.predict.periods"):
        fit_bass(m.adoptions(12)).predict(10**12)


def test_bass_pdf_at_huge_coefficients_is_finite_and_right() -> None:
    # f(0) = p exactly (only innovators adopt at launch), whatever q
    assert bass_pdf(0.0, 1e300, 0.38)[()] == 1e300
    assert bass_pdf(0.0, 0.03, 1e300)[()] == 0.03
    t = np.array([0.5, 1.0, 5.0])
    p, q = 0.03, 0.38
    e = np.exp(-(p + q) * t)
    np.testing.assert_allclose(bass_pdf(t, p, q), (p + q) ** 2 / p * e / (1 + q / p * e) ** 2)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow the error reports
def test_bkj_betas_must_be_finite_and_fit_failures_are_convergence_errors() -> None:
    for bad in (np.inf, -np.inf):
        with _raises("bkj_effort.beta_price"):
            bkj_effort(price=[1.0, 1.1], beta_price=bad)
        with _raises("bkj_effort.beta_advertising"):
            bkj_effort(advertising=[1.0, 1.1], beta_advertising=bad)
    y = Bass(p=0.03, q=0.38, m=1000).adoptions(12)
    with pytest.raises(ConvergenceError, match=r"fit_bass\.adoptions"):
        fit_bass(np.r_[y[:-1], 1e300])


def test_reach_arguments() -> None:
    with _raises("PowerOpenRate.beta"):
        PowerOpenRate(r0=0.2, beta=-1.0)
    camp = BroadcastCampaign(
        audience=10_000,
        open_rate=0.2,
        click_rate=0.01,
        precise_share=0.1,
        conversion_rate=0.05,
        cost_per_impression=0.01,
    )
    with _raises("BroadcastCampaign.simulate.runs"):
        camp.simulate(runs=10**12, rng=0)
    ch = CommunityChannel(graph=G, p=0.01, q=0.2, cost_per_week=100.0, seeds=None)
    with _raises("BroadcastCampaign.at_budget.budget"):
        compare_budget(1e300, broadcast=camp, community=ch, runs=2, rng=0)
    with _raises("CommunityChannel.budget"):
        ch.trajectory(1e300, rng=0)
    with _raises("open_rate_from_interest.grid"):
        open_rate_from_interest([100], population=10_000, grid=10**12)
    # the population is a number in the formula: 10**12 is fine
    assert np.isfinite(open_rate_from_interest([100], population=10**12)).all()
