"""The shared diffusion network and its per-edge parameters, against networkx and by hand."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from shequn.community import generate_community
from shequn.diffusion._network import (
    as_network,
    edge_probabilities,
    threshold_weights,
)
from shequn.exceptions import InvalidParameterError


@st.composite
def digraphs(draw: st.DrawFn) -> nx.DiGraph:
    n = draw(st.integers(1, 12))
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(chosen)
    return G


@given(digraphs())
def test_edges_match_networkx(G: nx.DiGraph) -> None:
    net = as_network(G)
    edges = {(int(u), int(v)) for u, v in zip(net.sources, net.indices, strict=True)}
    assert edges == set(G.edges())
    assert net.in_degree.tolist() == [G.in_degree(v) for v in range(G.number_of_nodes())]
    rev, perm = net.transpose()
    # the reversed network holds exactly the reversed edges, and perm maps edge ids across
    redges = {(int(u), int(v)) for u, v in zip(rev.sources, rev.indices, strict=True)}
    assert redges == {(v, u) for u, v in G.edges()}
    assert np.array_equal(net.sources[perm], rev.indices)
    assert np.array_equal(net.indices[perm], rev.sources)


@given(digraphs())
def test_uniform_threshold_weights_sum_to_one(G: nx.DiGraph) -> None:
    net = as_network(G)
    w = threshold_weights(net)
    total = np.bincount(net.indices, weights=w, minlength=net.n)
    has_in = net.in_degree > 0
    assert np.allclose(total[has_in], 1.0)
    assert np.all(total[~has_in] == 0)


def test_undirected_graph_gives_both_directions() -> None:
    net = as_network(nx.path_graph(3))
    assert not net.directed
    assert set(zip(net.sources.tolist(), net.indices.tolist(), strict=True)) == {
        (0, 1),
        (1, 0),
        (1, 2),
        (2, 1),
    }


def test_community_and_sparse_inputs() -> None:
    c = generate_community("sharing", 200, rng=0)
    net = as_network(c)
    assert net.n == c.n and net.n_edges == 2 * c.n_edges and not net.directed
    A = sp.csr_array(np.array([[0, 1.0], [0, 0]]))
    assert as_network(A).directed


def test_zero_weight_edges_are_dropped() -> None:
    G = nx.DiGraph()
    G.add_edge(0, 1, weight=0.0)
    G.add_edge(1, 0, weight=2.0)
    net = as_network(G)
    assert net.n_edges == 1 and net.weight.tolist() == [2.0]


def test_weighted_cascade_is_reciprocal_in_degree() -> None:
    G = nx.DiGraph([(0, 2), (1, 2), (3, 2), (2, 0)])
    net = as_network(G)
    p = edge_probabilities(net, "weighted")
    assert net.labels == (0, 2, 1, 3)  # node order of the DiGraph, not sorted
    labels = net.labels
    for e, v in enumerate(net.indices):
        assert p[e] == pytest.approx(1.0 / G.in_degree(labels[int(v)]))


def test_probability_forms() -> None:
    G = nx.Graph()
    G.add_edge(0, 1, weight=0.25)
    G.add_edge(1, 2, weight=1.0)
    net = as_network(G)
    assert edge_probabilities(net, 0.3).tolist() == [0.3] * 4
    assert edge_probabilities(net, "weight").tolist() == net.weight.tolist()
    assert np.allclose(edge_probabilities(net, lambda s: s / 2), net.weight / 2)
    arr = np.linspace(0, 1, 4)
    assert edge_probabilities(net, arr).tolist() == arr.tolist()


@pytest.mark.parametrize(
    ("p", "match"),
    [
        (-0.1, r"`f\.p` must be in \[0, 1\]; got -0\.1"),
        (float("nan"), r"`f\.p` must be in \[0, 1\]; got nan"),
        ("strong", r"`f\.p` must be one of \['weighted', 'weight'\]; got 'strong'"),
        (np.array([0.1, 0.2]), r"`f\.p` must have one probability per edge \(4\); got 2"),
        (np.array([0.1, 0.2, 2.0, 0.1]), r"`f\.p` must be in \[0, 1\] \(index 2\); got 2\.0"),
        (lambda s: s * 10, r"`f\.p` must be in \[0, 1\]"),
    ],
)
def test_bad_probabilities(p: object, match: str) -> None:
    net = as_network(nx.path_graph(3))
    with pytest.raises(InvalidParameterError, match=match):
        edge_probabilities(net, p, owner="f")  # type: ignore[arg-type]


def test_weight_as_probability_must_be_at_most_one() -> None:
    G = nx.Graph([(0, 1, {"weight": 3.0})])
    with pytest.raises(InvalidParameterError, match=r"`f\.p \(edge weights\)` must be in"):
        edge_probabilities(as_network(G), "weight", owner="f")


def test_threshold_weights_bad_input() -> None:
    net = as_network(nx.DiGraph([(0, 2), (1, 2)]))
    with pytest.raises(InvalidParameterError, match=r"sum to at most 1.*node 2\); got 1\.2"):
        threshold_weights(net, np.array([0.6, 0.6]), owner="f")
    with pytest.raises(InvalidParameterError, match=r"`f\.weights` must be >= 0"):
        threshold_weights(net, np.array([-0.1, 0.6]), owner="f")
    with pytest.raises(InvalidParameterError, match=r"one weight per edge \(2\); got 3"):
        threshold_weights(net, np.array([0.1, 0.1, 0.1]), owner="f")
    with pytest.raises(InvalidParameterError, match=r"`f\.weights` must be one of"):
        threshold_weights(net, "equal", owner="f")  # type: ignore[arg-type]


def test_bad_graphs() -> None:
    G = nx.Graph([(0, 0)])
    with pytest.raises(InvalidParameterError, match="self-loops"):
        as_network(G)
    with pytest.raises(InvalidParameterError, match=r"weight.*finite and >= 0"):
        as_network(nx.Graph([(0, 1, {"weight": -1.0})]))
    with pytest.raises(InvalidParameterError, match="square"):
        as_network(sp.csr_array(np.ones((2, 3))))
