"""Structure metrics against independent oracles (networkx BFS, closed forms, enumeration)."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.community import (
    average_clustering,
    degree_centralization,
    distance_rings,
    k_hop_reach,
    metcalfe_value,
    modularity,
    odlyzko_value,
    reed_log_value,
    sarnoff_value,
    social_capital,
    structure_summary,
    taste_assortativity,
    triangles,
)
from shequn.exceptions import InvalidParameterError


def test_centralization_star_and_complete() -> None:
    assert degree_centralization(nx.star_graph(20)) == 1.0
    assert degree_centralization(nx.complete_graph(20)) == 0.0
    assert degree_centralization(nx.cycle_graph(20)) == 0.0


@st.composite
def graphs_and_sources(draw: st.DrawFn) -> tuple[nx.Graph, list[int], int]:
    n = draw(st.integers(2, 40))
    p = draw(st.floats(0.0, 0.4))
    seed = draw(st.integers(0, 10_000))
    G = nx.gnp_random_graph(n, p, seed=seed)
    sources = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5, unique=True))
    k = draw(st.integers(0, 5))
    return G, sources, k


@given(graphs_and_sources())
def test_k_hop_reach_matches_networkx_bfs(case: tuple[nx.Graph, list[int], int]) -> None:
    G, sources, k = case
    dist = nx.multi_source_dijkstra_path_length(G, sources)
    expected = np.zeros(k + 1, dtype=np.int64)
    for d in dist.values():
        if d <= k:
            expected[int(d)] += 1
    np.testing.assert_array_equal(k_hop_reach(G, sources, k=k), expected)


@given(graphs_and_sources())
def test_rings_partition_the_component(case: tuple[nx.Graph, list[int], int]) -> None:
    G, sources, _ = case
    rings = distance_rings(G, sources[0])
    assert rings.sum() == len(nx.node_connected_component(G, sources[0]))
    lengths = nx.single_source_shortest_path_length(G, sources[0])
    assert rings.size - 1 == max(lengths.values())


def test_reach_on_dense_frontier_path() -> None:
    # a hub makes the second frontier larger than n: exercises the mat-vec branch
    G = nx.complete_graph(60)
    assert k_hop_reach(G, list(range(30)), k=2).tolist() == [30, 30, 0]


@settings(max_examples=25)
@given(st.integers(3, 40), st.floats(0.05, 0.9), st.integers(0, 1000))
def test_triangles_and_clustering_match_networkx(n: int, p: float, seed: int) -> None:
    G = nx.gnp_random_graph(n, p, seed=seed)
    G.add_edges_from((0, j) for j in range(1, n))  # a hub, the hard case for the orientation
    tri = nx.triangles(G)
    np.testing.assert_array_equal(triangles(G), [tri[i] for i in range(n)])
    assert average_clustering(G) == pytest.approx(nx.average_clustering(G), abs=1e-12)


def test_social_capital_by_hand() -> None:
    # star with centre 0: leaves reach the centre (1 hop) and 3 other leaves (2 hops)
    G = nx.star_graph(4)
    res = [10.0, 1.0, 2.0, 3.0, 4.0]
    sc = social_capital(G, resources=res)
    assert sc[0] == 4 + (1 + 2 + 3 + 4)
    assert sc[1] == 4 + 10.0
    # tie strength weights the embedded resources
    H = nx.Graph()
    H.add_edge(0, 1, weight=0.5)
    H.add_edge(1, 2, weight=2.0)
    sc2 = social_capital(H, [1], resources=[4.0, 0.0, 1.0])
    assert sc2.tolist() == [2 + 0.5 * 4 + 2.0 * 1]


def test_social_capital_chunks_agree() -> None:
    G = nx.barabasi_albert_graph(300, 3, seed=1)
    np.testing.assert_allclose(social_capital(G, chunk=7), social_capital(G, chunk=1000))


def test_value_laws_by_enumeration() -> None:
    for n in range(2, 12):
        people = range(n)
        pairs = sum(1 for _ in itertools.combinations(people, 2))
        groups = sum(1 for k in range(2, n + 1) for _ in itertools.combinations(people, k))
        assert metcalfe_value(n) == pairs
        assert math.exp(reed_log_value(n)) == pytest.approx(groups, rel=1e-12)
        assert sarnoff_value(n) == n
        assert odlyzko_value(n) == pytest.approx(n * math.log(n))
    # log space keeps huge communities finite; 2^n dominates
    assert reed_log_value(10**6) == pytest.approx(10**6 * math.log(2))
    assert math.isfinite(reed_log_value(10**9))


def test_metric_bad_input() -> None:
    G = nx.path_graph(4)
    with pytest.raises(InvalidParameterError, match=r"`k_hop_reach\.members`"):
        k_hop_reach(G, [9])
    with pytest.raises(InvalidParameterError, match="repeat"):
        k_hop_reach(G, [1, 1])
    with pytest.raises(InvalidParameterError, match=r"`k_hop_reach\.k`"):
        k_hop_reach(G, [1], k=-1)
    with pytest.raises(InvalidParameterError, match="undirected"):
        k_hop_reach(nx.DiGraph([(0, 1)]), [0])
    with pytest.raises(InvalidParameterError, match=r"`distance_rings\.member`"):
        distance_rings(G, 7)
    with pytest.raises(InvalidParameterError, match=r"`social_capital\.resources`"):
        social_capital(G, resources=[1.0, np.nan, 1.0, 1.0])
    with pytest.raises(InvalidParameterError, match="at least 3"):
        degree_centralization(nx.path_graph(2))
    with pytest.raises(InvalidParameterError, match=r"`reed_log_value\.n`"):
        reed_log_value(1)
    with pytest.raises(InvalidParameterError, match=r"`modularity\.rng`.*-1"):
        modularity(G, rng=-1)
    with pytest.raises(InvalidParameterError, match=r"`triangles\.graph`"):
        triangles(nx.DiGraph([(0, 1)]))
    with pytest.raises(InvalidParameterError, match=r"`taste_assortativity\.taste`.*nan"):
        taste_assortativity(G, [0.0, np.nan, 1.0, 2.0])
    with pytest.raises(InvalidParameterError, match=r"`structure_summary\.graph`"):
        structure_summary(nx.DiGraph([(0, 1), (1, 2)]))
