"""Invariants of the cascade models (hypothesis), determinism across executors, a naive second
implementation of the deterministic threshold rules, and the result object."""

from __future__ import annotations

from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.community import generate_community
from shequn.diffusion._network import as_network
from shequn.diffusion.cascades import (
    BLOCK,
    DiffusionResult,
    RandomSeeds,
    complex_contagion,
    independent_cascade,
    linear_threshold,
    network_bass,
    rumour,
    watts_threshold,
)


@st.composite
def graphs_and_seeds(draw: st.DrawFn) -> tuple[nx.Graph | nx.DiGraph, list[int]]:
    n = draw(st.integers(2, 14))
    directed = draw(st.booleans())
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v and (directed or u < v)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=30))
    G: nx.Graph | nx.DiGraph = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(edges)
    seeds = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    return G, seeds


def _models(G: Any, seeds: list[int], rng: int) -> list[DiffusionResult]:
    return [
        independent_cascade(G, seeds, p=0.4, runs=30, rng=rng),
        independent_cascade(G, seeds, p="weighted", runs=30, rng=rng),
        linear_threshold(G, seeds, runs=30, rng=rng),
        watts_threshold(G, seeds, phi=0.3, runs=2),
        complex_contagion(G, seeds, k=2, runs=2),
        network_bass(G, p=0.0, q=0.3, steps=6, seeds=seeds, runs=30, rng=rng),
        rumour(G, seeds, spread=0.8, stifle=0.5, forget=0.1, runs=30, rng=rng),
    ]


@given(graphs_and_seeds(), st.integers(0, 2**32 - 1))
@settings(max_examples=40)
def test_monotone_curves_seeds_counted_and_paths_respected(
    case: tuple[nx.Graph | nx.DiGraph, list[int]], rng: int
) -> None:
    G, seeds = case
    reachable = set(seeds)
    for s in seeds:
        reachable |= nx.descendants(G, s) if G.is_directed() else nx.node_connected_component(G, s)
    for res in _models(G, seeds, rng):
        assert np.all(np.diff(res.curves, axis=1) >= 0), res.model
        assert np.all(res.curves[:, 0] == len(seeds))
        assert np.array_equal(res.curves[:, -1], res.final_sizes)
        assert np.all(res.final_sizes >= len(seeds))
        assert np.all(res.node_counts[seeds] == res.runs)
        # nobody adopts without a path from a seed (without broadcast p, every model)
        adopted = set(np.flatnonzero(res.node_counts).tolist())
        assert adopted <= reachable, res.model
        assert int(res.node_counts.sum()) == int(res.final_sizes.sum())


@given(graphs_and_seeds(), st.integers(0, 2**32 - 1))
@settings(max_examples=25)
def test_same_rng_same_result(case: tuple[nx.Graph | nx.DiGraph, list[int]], rng: int) -> None:
    G, seeds = case
    assert _models(G, seeds, rng) == _models(G, seeds, rng)


def naive_threshold(G: nx.Graph | nx.DiGraph, seeds: list[int], need: dict[int, int]) -> list[int]:
    """Synchronous threshold rule recomputed from scratch every step (a second method)."""
    active = set(seeds)
    curve = [len(active)]
    preds = G.predecessors if G.is_directed() else G.neighbors
    while True:
        new = {
            v
            for v in G.nodes
            if v not in active and sum(1 for u in preds(v) if u in active) >= need[v]
        }
        if not new:
            return curve
        active |= new
        curve.append(len(active))


@given(graphs_and_seeds(), st.sampled_from([0.0, 0.2, 0.34, 0.5, 1.0]), st.integers(1, 3))
def test_watts_and_complex_contagion_match_naive_rule(
    case: tuple[nx.Graph | nx.DiGraph, list[int]], phi: float, k: int
) -> None:
    G, seeds = case
    deg = dict(G.in_degree() if G.is_directed() else G.degree())
    # Watts: the smallest count a with a / k_v >= phi (at least one)
    need_w = {v: max(1, int(np.ceil(phi * deg[v] - 1e-9))) for v in G.nodes}
    curve = naive_threshold(G, seeds, need_w)
    res = watts_threshold(G, seeds, phi=phi)
    assert res.curves[0].tolist() == curve
    curve = naive_threshold(G, seeds, dict.fromkeys(G.nodes, k))
    assert complex_contagion(G, seeds, k=k).curves[0].tolist() == curve


def test_watts_weighted_counts_tie_strength() -> None:
    # node 3 has a strong tie (3) to 0 and weak ties (1) to 1 and 2; 0, 1, 2 know only 3
    G = nx.Graph([(0, 3, {"weight": 3.0}), (1, 3, {"weight": 1.0}), (2, 3, {"weight": 1.0})])
    # 0 carries 3/5 of 3's tie strength (>= 1/2), then 3 is all that 1 and 2 know
    assert watts_threshold(G, [0], phi=0.5, weighted=True).curves[0].tolist() == [1, 2, 4]
    assert watts_threshold(G, [0], phi=0.5).final_sizes.tolist() == [1]  # 1 of 3 contacts
    # 1 and 2 are 2 of 3 contacts but only 2/5 of the strength
    assert watts_threshold(G, [1, 2], phi=0.5).final_sizes.tolist() == [4]
    assert watts_threshold(G, [1, 2], phi=0.5, weighted=True).final_sizes.tolist() == [2]


class _Inline(Executor):
    """An executor that runs tasks immediately (counts them)."""

    def __init__(self) -> None:
        self.tasks = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.tasks += 1
        fut: Future[Any] = Future()
        fut.set_result(fn(*args, **kwargs))
        return fut


def test_executors_give_identical_results() -> None:
    G = nx.barabasi_albert_graph(300, 3, seed=1)
    runs = 5 * BLOCK + 17  # several blocks, the last one partial
    calls = [
        lambda ex: independent_cascade(G, [0, 5], p=0.1, runs=runs, rng=3, executor=ex),
        lambda ex: independent_cascade(G, [0, 5], p="weighted", runs=runs, rng=3, executor=ex),
        lambda ex: linear_threshold(G, [0], runs=runs, rng=3, executor=ex),
        lambda ex: network_bass(G, p=0.01, q=0.1, steps=10, runs=runs, rng=3, executor=ex),
        lambda ex: rumour(G, [0], forget=0.2, runs=runs, rng=3, executor=ex),
        lambda ex: watts_threshold(G, RandomSeeds(count=2), phi=0.2, runs=runs, rng=3, executor=ex),
    ]
    inline = _Inline()
    with ThreadPoolExecutor(2) as pool:
        for call in calls:
            serial = call(None)
            assert call(pool) == serial
            assert call(inline) == serial
    assert inline.tasks > len(calls)  # blocks were really split into tasks
    with ProcessPoolExecutor(2) as procs:  # kernels and arrays pickle to worker processes
        for call in calls[:2]:
            assert call(procs) == call(None)


def test_more_runs_extend_the_same_first_runs() -> None:
    G = nx.karate_club_graph()
    small = independent_cascade(G, [0], p=0.15, runs=100, rng=11)
    big = independent_cascade(G, [0], p=0.15, runs=3 * BLOCK, rng=11)
    assert np.array_equal(big.final_sizes[:100], small.final_sizes)


def test_generator_rng_advances() -> None:
    G = nx.karate_club_graph()
    gen = np.random.default_rng(5)
    a = independent_cascade(G, [0], p=0.2, runs=50, rng=gen)
    b = independent_cascade(G, [0], p=0.2, runs=50, rng=gen)
    assert a != b  # a Generator is a stream: the second call continues it


def test_inputs_community_labels_and_network_agree() -> None:
    com = generate_community("brand", n=120, rng=2)
    net = as_network(com)
    a = independent_cascade(com, [0, 1], p=0.2, runs=200, rng=1)
    assert independent_cascade(net, [0, 1], p=0.2, runs=200, rng=1) == a
    G = nx.relabel_nodes(nx.path_graph(4), dict(enumerate("abcd")))
    res = linear_threshold(G, ["b"], runs=10, rng=0)
    assert res.labels == ("a", "b", "c", "d")
    assert res.node_frequency[1] == 1.0


def test_random_seeds_draw_distinct_members() -> None:
    G = nx.empty_graph(30)  # nobody can be converted: the final size is the seed count
    res = independent_cascade(G, RandomSeeds(count=7), p=1.0, runs=400, rng=3)
    assert res.final_sizes.tolist() == [7] * 400
    assert res.random_seeds == 7 and res.seeds.size == 0
    # every member is drawn with probability 7/30
    se = np.sqrt(7 / 30 * (23 / 30) / 400)
    assert np.all(np.abs(res.node_frequency - 7 / 30) < 4.5 * se)


def test_max_steps_and_durations() -> None:
    G = nx.path_graph(10)
    res = independent_cascade(G, [0], p=1.0, runs=3, max_steps=4)
    assert res.final_sizes.tolist() == [5, 5, 5] and res.durations.tolist() == [4, 4, 4]
    res = complex_contagion(G, [0], k=1, max_steps=0)
    assert res.curves.tolist() == [[1]]
    res = rumour(G, [0], stifle=0.0, forget=0.0, runs=4, rng=1, max_steps=3)
    assert res.active is not None and res.active.shape == (4, 4)
    assert np.all(res.durations == 3)


def test_result_views() -> None:
    G = nx.star_graph(6)
    res = independent_cascade(G, [0], p=0.5, runs=500, rng=4)
    assert res.runs == 500 and res.n == 7
    lo, hi = res.conf_int(0.99)["mean"]
    assert lo < res.mean < hi
    slo, shi = res.conf_int(0.99)["mean_share"]
    assert slo == pytest.approx(lo / 7) and shi == pytest.approx(hi / 7)
    with pytest.warns(DeprecationWarning, match=r"conf_int\(level\)\['mean'\]"):
        assert res.ci(0.99) == (lo, hi)
    m, lo_c, hi_c = res.mean_curve()
    assert m.shape == (res.steps + 1,) and np.all(lo_c <= m) and np.all(m <= hi_c)
    assert 0.0 < res.prob_reach(4) < 1.0 and res.prob_reach(1) == 1.0
    s = res.summary()
    assert s.title == "independent_cascade on 7 nodes, 1 seed, 500 runs (p=0.5)"
    assert s["mean"] == res.mean and s["se"] == res.se
    assert (s["lower"], s["upper"]) == res.conf_int()["mean"]  # at the result's level, 0.95
    assert s["share"] == res.mean_share and s["max_steps"] == int(res.durations.max())
    assert "<table>" in res._repr_html_()
    rum = rumour(G, [0], runs=20, rng=1)
    assert "final informed" in str(rum.summary())
    pd = pytest.importorskip("pandas")
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame) and frame.shape == (500, 2)
    assert res.to_frame("nodes")["frequency"].iloc[0] == 1.0
    assert "spreaders" in rum.to_frame("curve").columns
