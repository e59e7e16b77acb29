"""Tests of the broadcast channel: open-rate laws, the interest mechanism, funnel, comparison."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from shequn.diffusion.reach import (
    BroadcastCampaign,
    CommunityChannel,
    PowerOpenRate,
    SaturatingOpenRate,
    compare_budget,
    fit_open_rate,
    open_rate_from_interest,
)
from shequn.exceptions import InvalidParameterError
from shequn.rng import spawn_seeds

AUD = np.geomspace(200, 2e6, 25).round()

# --- open-rate law fitting ---------------------------------------------------------------------


def test_power_law_recovered_within_se() -> None:
    law = PowerOpenRate(r0=0.18, beta=0.35, a0=1e4)
    opens = np.random.default_rng(11).binomial(AUD.astype(np.int64), law(AUD))
    fit = fit_open_rate(AUD, opens, a0=1e4)
    truth = np.array([0.18, 0.35])
    # |estimate - truth| < 3 SE fails with probability < 0.3% per parameter for a correct SE
    assert (np.abs(fit.estimates - truth) < 3 * fit.se).all(), (fit.estimates, fit.se)
    assert fit.dispersion == pytest.approx(1.0, abs=0.6)  # chi2_23 / 23 has sd 0.29


def test_saturating_law_recovered_within_se() -> None:
    law = SaturatingOpenRate(r0=0.45, r_floor=0.05, a_half=3000.0)
    opens = np.random.default_rng(5).binomial(AUD.astype(np.int64), law(AUD))
    fit = fit_open_rate(AUD, opens, form="saturating")
    truth = np.array([0.45, 0.05, 3000.0])
    assert (np.abs(fit.estimates - truth) < 3 * fit.se).all(), (fit.estimates, fit.se)
    assert isinstance(fit.law, SaturatingOpenRate)


def test_open_rate_interval_coverage() -> None:
    """200 synthetic campaigns (smaller lists): 95% Wald intervals cover 90-99% (SE 0.0154)."""
    law = PowerOpenRate(r0=0.1, beta=0.25, a0=1000.0)
    a = np.geomspace(50, 20000, 12).round()
    truth = np.array([0.1, 0.25])
    hits = np.zeros(2)
    for s in spawn_seeds(8, 200):
        opens = np.random.default_rng(s).binomial(a.astype(np.int64), law(a))
        ci = fit_open_rate(a, opens, a0=1000.0, dispersion="binomial").conf_int()
        lo, hi = np.array([ci["r0"], ci["beta"]]).T
        hits += (lo <= truth) & (truth <= hi)
    cov = hits / 200
    assert ((cov >= 0.90) & (cov <= 0.99)).all(), cov


def test_power_fit_matches_poisson_glm_on_rare_opens() -> None:
    """For rare opens the binomial MLE of the power law is the log-link Poisson GLM (closed
    form score equations solved by Newton here independently)."""
    law = PowerOpenRate(r0=0.002, beta=0.2, a0=1e4)
    opens = np.random.default_rng(2).binomial(AUD.astype(np.int64), law(AUD))
    fit = fit_open_rate(AUD, opens, a0=1e4)
    x = np.log(AUD / 1e4)
    D = np.column_stack([np.ones_like(x), -x])
    b = np.array([math.log(0.002), 0.2])
    for _ in range(50):
        mu = AUD * np.exp(D @ b)
        b = b + np.linalg.solve(D.T @ (D * mu[:, None]), D.T @ (opens - mu))
    assert fit.estimates[0] == pytest.approx(math.exp(b[0]), rel=5e-3)
    assert fit.estimates[1] == pytest.approx(b[1], abs=5e-3)


def test_open_rate_fit_output() -> None:
    opens = np.random.default_rng(1).binomial(AUD.astype(np.int64), 0.1)
    fit = fit_open_rate(AUD, opens)
    assert "PowerOpenRate" in str(fit.summary())
    assert abs(fit.estimates[1]) < 4 * fit.se[1]  # constant rate: beta = 0 within SE
    pd = pytest.importorskip("pandas")
    assert isinstance(fit.to_frame(), pd.DataFrame)


@pytest.mark.parametrize(
    ("audience", "opens", "kwargs", "field"),
    [
        ([100, 200, -5], [1, 2, 3], {}, "audience"),
        ([100, 200, 300], [1, -2, 3], {}, "opens"),
        ([100, 200, 300], [1, float("nan"), 3], {}, "opens"),
        ([100, 200, float("inf")], [1, 2, 3], {}, "audience"),
        ([100, 200, 300], [1, 2, 301], {}, "opens"),
        ([100, 200, 300], [1, 2.5, 3], {}, "opens"),
        ([100, 200, 300], [1, 2], {}, "opens"),
        ([100], [1], {}, "audience"),
        ([100, 200], [1, 2], {"form": "saturating"}, "audience"),
        ([100, 200, 300], [1, 2, 3], {"form": "exp"}, "form"),
        ([100, 200, 300], [1, 2, 3], {"a0": 0}, "a0"),
    ],
)
def test_fit_open_rate_bad_input(
    audience: list[float], opens: list[float], kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidParameterError, match=f"fit_open_rate.{field}"):
        fit_open_rate(audience, opens, **kwargs)  # type: ignore[arg-type]


def test_law_bad_parameters() -> None:
    with pytest.raises(InvalidParameterError, match=r"PowerOpenRate\.r0.*1\.5"):
        PowerOpenRate(r0=1.5, beta=0.2)
    with pytest.raises(InvalidParameterError, match=r"PowerOpenRate\.beta.*nan"):
        PowerOpenRate(r0=0.5, beta=float("nan"))
    with pytest.raises(InvalidParameterError, match=r"SaturatingOpenRate\.r_floor"):
        SaturatingOpenRate(r0=0.1, r_floor=0.2, a_half=10)
    with pytest.raises(InvalidParameterError, match=r"PowerOpenRate\.audience"):
        PowerOpenRate(r0=0.5, beta=0.2)([-1.0])


# --- the interest mechanism ------------------------------------------------------------------


def test_interest_uniform_strict_order_closed_form() -> None:
    # uniform interest, strict order: followers are the top fraction f, mean 1 - f/2
    a = np.array([1, 10, 2500, 5000, 9999, 10000])
    r = open_rate_from_interest(a, population=10000, interest_alpha=1, interest_beta=1)
    np.testing.assert_allclose(r, 1 - a / 20000, atol=1e-6)


def test_interest_random_order_is_flat() -> None:
    r = open_rate_from_interest(
        [10, 1000, 5000], population=5000, interest_alpha=2, interest_beta=6, selectivity=0.0
    )
    np.testing.assert_allclose(r, 0.25, atol=1e-4)


def test_interest_beta_strict_order_matches_quadrature() -> None:
    al, be = 2.0, 5.0
    f = 0.1
    qf = stats.beta.ppf(1 - f, al, be)
    # E[u | u > q] = alpha/(alpha+beta) * (1 - I_q(alpha+1, beta)) / f
    exact = al / (al + be) * stats.beta.sf(qf, al + 1, be) / f
    r = open_rate_from_interest([1000], population=10000, interest_alpha=al, interest_beta=be)
    assert float(r[0]) == pytest.approx(exact, abs=1e-4)


def test_interest_successive_sampling_against_monte_carlo() -> None:
    """Weighted sampling without replacement (Efraimidis-Spirakis keys) of N=20,000 people.

    Tolerance: 4 standard errors of the Monte Carlo mean plus 0.003 for the large-population
    approximation (its error is O(1/sqrt(N)) in the audience fraction).
    """
    N, kappa, al, be = 20000, 2.0, 1.0, 4.0
    audiences = np.array([200, 2000, 10000])
    gen = np.random.default_rng(42)
    sims = np.empty((30, 3))
    for r in range(30):
        u = gen.beta(al, be, N)
        keys = np.log(gen.random(N)) / np.maximum(u**kappa, 1e-300)
        order = np.argsort(-keys)
        for j, a in enumerate(audiences):
            sims[r, j] = u[order[:a]].mean()
    mean = sims.mean(axis=0)
    se = sims.std(axis=0, ddof=1) / math.sqrt(30)
    theory = open_rate_from_interest(
        audiences, population=N, interest_alpha=al, interest_beta=be, selectivity=kappa
    )
    assert (np.abs(theory - mean) < 4 * se + 3e-3).all(), (theory, mean, se)


def test_interest_curve_is_explained_by_power_law() -> None:
    a = np.geomspace(100, 50000, 20).round()
    r = open_rate_from_interest(
        a, population=100000, interest_alpha=0.5, interest_beta=5, selectivity=1.0
    )
    opens = np.round(r * a)
    fit = fit_open_rate(a, opens)
    assert fit.estimates[1] > 0.05  # the mechanism implies a falling law


@given(
    al=st.floats(0.2, 5),
    be=st.floats(0.2, 20),
    kappa=st.one_of(st.just(math.inf), st.floats(0.1, 8)),
)
def test_interest_open_rate_falls_with_audience(al: float, be: float, kappa: float) -> None:
    a = np.array([1, 10, 100, 1000, 5000, 10000])
    r = open_rate_from_interest(
        a, population=10000, interest_alpha=al, interest_beta=be, selectivity=kappa, grid=2000
    )
    assert ((r >= 0) & (r <= 1)).all()
    assert (np.diff(r) <= 1e-9).all()
    assert float(r[-1]) == pytest.approx(al / (al + be), abs=2e-3)


def test_interest_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"open_rate_from_interest\.audience"):
        open_rate_from_interest([0, 5], population=10)
    with pytest.raises(InvalidParameterError, match=r"open_rate_from_interest\.audience"):
        open_rate_from_interest([11], population=10)
    with pytest.raises(InvalidParameterError, match=r"open_rate_from_interest\.selectivity"):
        open_rate_from_interest([5], population=10, selectivity=-1)
    with pytest.raises(InvalidParameterError, match=r"open_rate_from_interest\.interest_beta"):
        open_rate_from_interest([5], population=10, interest_beta=0)


# --- funnel --------------------------------------------------------------------------------


def test_funnel_closed_form_and_waste() -> None:
    c = BroadcastCampaign(
        audience=50_000,
        open_rate=0.2,
        delivery_rate=0.9,
        click_rate=0.05,
        precise_share=0.1,
        conversion_rate=0.3,
        cost_per_impression=0.04,
        fixed_cost=500,
    )
    f = c.funnel()
    assert f.impressions == pytest.approx(45_000)
    assert f.opens == pytest.approx(9_000)
    assert f.clicks == pytest.approx(450)
    assert f.customers == pytest.approx(13.5)
    assert f.spend == pytest.approx(500 + 0.04 * 45_000)
    assert f.cost_per_customer == pytest.approx(2300 / 13.5)
    assert f.ad_waste == pytest.approx(0.9 * 2300)
    assert f.prob_no_customer == pytest.approx((1 - 13.5 / 50_000) ** 50_000)


def test_seed_000_banner_week() -> None:
    banner = BroadcastCampaign(
        audience=200_000,
        open_rate=0.3,
        click_rate=0.002,
        precise_share=0.001,
        conversion_rate=0.05,
        fixed_cost=30_000,
    )
    f = banner.funnel()
    assert f.ad_waste == pytest.approx(30_000 * 0.999)
    assert f.prob_no_customer > 0.99
    draws = banner.simulate(runs=2000, rng=0)
    # P(0) = 0.994: the 2000 draws should show at most ~2.4% non-zero (mean 0.6%, sd 0.17%)
    assert (draws == 0).mean() > 0.985


def test_simulated_customers_match_expectation() -> None:
    c = BroadcastCampaign(
        audience=20_000,
        open_rate=PowerOpenRate(r0=0.3, beta=0.2, a0=1000),
        click_rate=0.1,
        precise_share=0.5,
        conversion_rate=0.2,
    )
    draws = c.simulate(runs=4000, rng=7)
    mean, sd = draws.mean(), draws.std(ddof=1)
    assert abs(mean - c.funnel().customers) < 4 * sd / math.sqrt(4000)
    # binomial variance n pi (1 - pi)
    pi = c.conversion_probability
    assert sd**2 == pytest.approx(20_000 * pi * (1 - pi), rel=0.1)  # SE of s^2 ~ 2.2% here


def test_at_budget_and_law_reevaluated() -> None:
    law = PowerOpenRate(r0=0.2, beta=0.5, a0=1000)
    c = BroadcastCampaign(audience=1000, open_rate=law, cost_per_impression=0.1, fixed_cost=50)
    big = c.at_budget(50 + 0.1 * 4000)
    assert big.audience == 4000
    assert big.effective_open_rate == pytest.approx(0.1)
    assert big.spend == pytest.approx(450)


def test_campaign_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"BroadcastCampaign\.audience.*-1"):
        BroadcastCampaign(audience=-1, open_rate=0.1)
    with pytest.raises(InvalidParameterError, match=r"BroadcastCampaign\.open_rate.*1\.2"):
        BroadcastCampaign(audience=10, open_rate=1.2)
    with pytest.raises(InvalidParameterError, match=r"BroadcastCampaign\.click_rate"):
        BroadcastCampaign(audience=10, open_rate=0.1, click_rate=float("nan"))
    with pytest.raises(InvalidParameterError, match=r"BroadcastCampaign\.cost_per_impression"):
        BroadcastCampaign(audience=10, open_rate=0.1, cost_per_impression=-1)
    c = BroadcastCampaign(audience=10, open_rate=0.1, fixed_cost=100)
    with pytest.raises(InvalidParameterError, match=r"at_budget\.budget.*50"):
        c.at_budget(50)
    with pytest.raises(InvalidParameterError, match=r"at_budget\.cost_per_impression"):
        c.at_budget(500)


# --- community channel and comparison ----------------------------------------------------------


def test_network_bass_without_ties_is_binomial() -> None:
    """q = 0: each member adopts independently, P = 1 - (1-p)^weeks; exact binomial oracle."""
    G = nx.empty_graph(2000)
    ch = CommunityChannel(graph=G, p=0.01, q=0.3, cost_per_week=1.0)
    vals = np.array([ch(10.0, np.random.default_rng(s)) for s in spawn_seeds(4, 300)])
    pi = 1 - 0.99**10
    mean, var = 2000 * pi, 2000 * pi * (1 - pi)
    assert abs(vals.mean() - mean) < 4 * math.sqrt(var / 300)


def test_network_bass_star_hub_talks_to_leaves() -> None:
    """p = 0, hub adopted: each leaf adopts per week with q, so after T weeks Bin(n, 1-(1-q)^T)."""
    G = nx.star_graph(500)
    ch = CommunityChannel(graph=G, p=0.0, q=0.2, cost_per_week=100.0, seeds=[0])
    vals = np.array([ch(300.0, np.random.default_rng(s)) for s in spawn_seeds(5, 300)])
    pi = 1 - 0.8**3
    assert abs(vals.mean() - 500 * pi) < 4 * math.sqrt(500 * pi * (1 - pi) / 300)


def test_network_bass_tie_weights_act_as_exponent() -> None:
    G = nx.Graph()
    G.add_edge(0, 1, weight=3.0)
    ch = CommunityChannel(graph=G, p=0.0, q=0.5, cost_per_week=1.0, seeds=[0])
    vals = np.array([ch(1.0, np.random.default_rng(s)) for s in spawn_seeds(6, 2000)])
    assert abs(vals.mean() - (1 - 0.5**3)) < 4 * math.sqrt(0.875 * 0.125 / 2000)


@given(seed=st.integers(0, 2**32 - 1), weeks=st.integers(0, 6))
def test_trajectory_nondecreasing_and_bounded(seed: int, weeks: int) -> None:
    G = nx.watts_strogatz_graph(60, 4, 0.2, seed=1)
    ch = CommunityChannel(graph=G, p=0.05, q=0.2, cost_per_week=1.0, seeds=[0])
    traj = ch.trajectory(weeks, rng=seed)
    assert traj.shape == (weeks + 1,)
    assert (np.diff(traj) >= 0).all() and traj[-1] <= 60 and traj[0] == 1
    np.testing.assert_array_equal(traj, ch.trajectory(weeks, rng=seed))


def test_compare_budget_reproducible_and_consistent() -> None:
    G = nx.watts_strogatz_graph(400, 6, 0.1, seed=2)
    ch = CommunityChannel(graph=G, p=0.005, q=0.15, cost_per_week=1000.0, seeds=[0, 1])
    sms = BroadcastCampaign(
        audience=1,
        open_rate=PowerOpenRate(r0=0.2, beta=0.3, a0=1000),
        click_rate=0.05,
        precise_share=0.05,
        conversion_rate=0.2,
        cost_per_impression=0.05,
    )
    a = compare_budget(10_000, broadcast=sms, community=ch, runs=60, rng=9)
    b = compare_budget(10_000, broadcast=sms, community=ch, runs=60, rng=9)
    assert a == b
    with ThreadPoolExecutor(2) as pool:
        c = compare_budget(10_000, broadcast=sms, community=ch, runs=60, rng=9, executor=pool)
    assert a == c
    assert a.campaign.audience == 200_000
    # broadcast draws are Binomial(audience, pi): check mean within 4 SE
    pi = a.campaign.conversion_probability
    assert abs(a.broadcast.mean() - 200_000 * pi) < 4 * math.sqrt(200_000 * pi / 60)
    m, lo, hi = a.customers("community")
    assert lo <= m <= hi
    cpc, clo, chi = a.cost_per_customer("community")
    assert cpc == pytest.approx(10_000 / m) and clo <= cpc <= chi
    assert a.conf_int()["community"] == (lo, hi)
    s = a.summary()
    assert s["community_customers"] == m and s["prob_community_wins"] == a.prob_community_wins
    assert "prob_community_wins" in str(s) and "<table>" in a._repr_html_()


def test_compare_budget_bad_input() -> None:
    sms = BroadcastCampaign(audience=1, open_rate=0.1, cost_per_impression=0.05)
    with pytest.raises(InvalidParameterError, match=r"compare_budget\.budget"):
        compare_budget(-1, broadcast=sms, community=lambda b, g: 1)
    with pytest.raises(InvalidParameterError, match=r"compare_budget\.community"):
        compare_budget(100, broadcast=sms, community=lambda b, g: -1, runs=3, rng=0)
    with pytest.raises(InvalidParameterError, match=r"compare_budget\.community"):
        compare_budget(100, broadcast=sms, community=5, runs=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"compare_budget\.runs"):
        compare_budget(100, broadcast=sms, community=lambda b, g: 1, runs=1)
    with pytest.raises(InvalidParameterError, match=r"compare_budget\.rng.*-1"):
        compare_budget(100, broadcast=sms, community=lambda b, g: 1, runs=3, rng=-1)
    with pytest.raises(InvalidParameterError, match=r"CommunityChannel\.q"):
        CommunityChannel(graph=nx.path_graph(3), p=0.1, q=1.5, cost_per_week=1)
    with pytest.raises(InvalidParameterError, match=r"CommunityChannel\.seeds"):
        CommunityChannel(graph=nx.path_graph(3), p=0.1, q=0.5, cost_per_week=1, seeds=[7])
