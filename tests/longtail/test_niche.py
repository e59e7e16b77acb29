"""Tests of niche diffusion (concepts.md behaviour 8)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.community import generate_community
from shequn.exceptions import InvalidParameterError
from shequn.longtail.niche import CHANNELS, NicheMarket, compare_channels, simulate_niche

MARKET = NicheMarket(n_products=20, steps=12)


@pytest.fixture(scope="module")
def community():  # type: ignore[no-untyped-def]
    return generate_community("values", 400, rng=1)


def test_word_of_mouth_raises_tail_share(community) -> None:  # type: ignore[no-untyped-def]
    # Behaviour 8: with the same products, seeds and random numbers (paired runs), the niche
    # share of sales is higher under community word of mouth than under broadcast, and higher
    # with both channels than with broadcast alone. 30 runs; the claim is that the lower end of
    # the 95% t-interval of the paired difference is above zero.
    res = compare_channels(community, market=MARKET, runs=30, rng=2)
    ci = res.conf_int()
    for ch in ("community", "both"):
        lo, _ = ci[f"{ch} - broadcast"]
        assert lo > 0, (ch, lo)
    summ = res.summary()
    assert summ.table is not None
    assert summ.table.rows["broadcast"][0] < summ.table.rows["community"][0]
    # the deprecated tuple form still gives the same interval, with a warning naming conf_int
    with pytest.warns(DeprecationWarning, match="conf_int"):
        mean, lo, hi = res.difference("community")
    assert (lo, hi) == ci["community - broadcast"] and mean == summ["community - broadcast"]


def test_broadcast_tail_share_follows_budget(community) -> None:  # type: ignore[no-untyped-def]
    # With budgets equal (exponent 0) broadcast favours no product: the tail share is then
    # about the tail's share of products (0.8), far above the Zipf-budget case.
    flat = compare_channels(
        community, market=NicheMarket(n_products=20, steps=12, budget_exponent=0.0), runs=10, rng=3
    )
    zipf = compare_channels(community, market=MARKET, runs=10, rng=3)
    b = CHANNELS.index("broadcast")
    assert flat.tail_share[:, b].mean() > zipf.tail_share[:, b].mean() + 0.1
    assert flat.tail_share[:, b].mean() == pytest.approx(0.8, abs=0.1)


def test_no_channel_no_sales(community) -> None:  # type: ignore[no-untyped-def]
    quiet = NicheMarket(n_products=10, steps=5, ad_reach=0.0, wom=0.0)
    for ch in CHANNELS:
        assert simulate_niche(community, market=quiet, channel=ch, rng=4).total == 0


def test_homophily_helps_niche_products_spread() -> None:
    # Word of mouth on the homophilous community sells more than on the same graph with the
    # tastes shuffled across members (ties no longer join similar members).
    com = generate_community("values", 400, rng=5)
    shuffled = np.random.default_rng(6).permutation(com.taste)
    a = compare_channels(com, market=MARKET, runs=10, rng=7)
    b = compare_channels(com, market=MARKET, runs=10, rng=7, taste=shuffled)
    c = CHANNELS.index("community")
    assert a.total[:, c].mean() > 1.2 * b.total[:, c].mean()


def test_accepts_networkx_graph_with_taste() -> None:
    g = nx.path_graph(30)
    taste = np.linspace(-1, 1, 30)
    run = simulate_niche(g, taste=taste, market=NicheMarket(n_products=5, steps=3), rng=1)
    assert run.sales.shape == (5,)


@settings(max_examples=15)
@given(st.integers(0, 2**32 - 1), st.sampled_from(CHANNELS))
def test_invariants(seed: int, channel: str) -> None:
    com = generate_community("values", 60, rng=seed % 1000)
    mk = NicheMarket(n_products=6, steps=4, seeds=1)
    a = simulate_niche(com, market=mk, channel=channel, rng=seed)
    b = simulate_niche(com, market=mk, channel=channel, rng=seed)
    assert a == b
    assert (a.sales >= 0).all() and (a.sales <= com.n - 1).all()
    assert a.budget.sum() == pytest.approx(1.0) and np.all(np.diff(a.budget) <= 0)
    if a.total:
        assert 0.0 <= a.tail_share <= 1.0 and 0.0 <= a.tail_share_by_rank <= 1.0


def test_same_rng_any_executor(community) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    a = compare_channels(community, market=NicheMarket(n_products=6, steps=3), runs=4, rng=9)
    with ThreadPoolExecutor(2) as pool:
        b = compare_channels(
            community, market=NicheMarket(n_products=6, steps=3), runs=4, rng=9, executor=pool
        )
    assert a == b


def test_frame(community) -> None:  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    res = compare_channels(community, market=NicheMarket(n_products=6, steps=3), runs=2, rng=1)
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 6


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda c: NicheMarket(n_products=1), "NicheMarket.n_products"),
        (lambda c: NicheMarket(head_share=1.0), "NicheMarket.head_share"),
        (lambda c: NicheMarket(adopt=1.5), "NicheMarket.adopt"),
        (lambda c: NicheMarket(taste_width=0.0), "NicheMarket.taste_width"),
        (lambda c: NicheMarket(wom=-1.0), "NicheMarket.wom"),
        (lambda c: simulate_niche(c, channel="radio"), "simulate_niche.channel"),
        (lambda c: simulate_niche(c, market="big"), "simulate_niche.market"),
        (lambda c: simulate_niche(nx.path_graph(5)), "simulate_niche.taste"),
        (lambda c: compare_channels(c, runs=0), "compare_channels.runs"),
        (lambda c: compare_channels(c, rng=-2), "compare_channels.rng"),
    ],
)
def test_bad_input(community, call, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidParameterError, match=match):
        call(community)
