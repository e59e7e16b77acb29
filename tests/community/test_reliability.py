"""Issue 14 in community/: a Community's adjacency is checked when built (the engine and the
metrics read it unchecked), groups refuse non-integer indices, metrics answer on edgeless and
one-member graphs, and bad graphs give our error naming the field."""

from __future__ import annotations

import math
import re
from typing import Any

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from shequn.community import (
    Community,
    Groups,
    average_clustering,
    generate_community,
    k_hop_reach,
    modularity,
    structure_summary,
    taste_assortativity,
)
from shequn.exceptions import InvalidParameterError


def _community(A: Any) -> Community:
    n = A.shape[0]
    return Community(adjacency=A, roles=np.zeros(n), taste=np.zeros(n), resources=np.ones(n))


def _csr(ip: list[int], ix: list[int], w: list[float], n: int) -> sp.csr_array:
    return sp.csr_array((np.array(w, float), np.array(ix), np.array(ip)), shape=(n, n))


def test_column_index_out_of_range_is_refused() -> None:
    """Issue 14: a column index 999 in a 30 x 30 matrix made simulate and structure_summary
    segfault."""
    A = sp.csr_array(nx.to_scipy_sparse_array(nx.cycle_graph(30)))
    A.indices[0] = 999
    with pytest.raises(InvalidParameterError, match=re.escape("`Community.adjacency` must be")):
        _community(A)


@pytest.mark.parametrize(
    ("A", "message"),
    [
        (_csr([0, 1, 1], [1], [1.0], 2), "`Community.adjacency` must be symmetric"),
        (
            _csr([0, 1, 2], [1, 0], [np.nan, np.nan], 2),
            "`Community.adjacency` must have finite weights > 0",
        ),
        (
            _csr([0, 1, 2], [1, 0], [-1.0, -1.0], 2),
            "`Community.adjacency` must have finite weights > 0",
        ),
        (_csr([0, 1, 2], [0, 1], [1.0, 1.0], 2), "`Community.adjacency` must have no self-loops"),
        (_csr([0, 2, 3, 4], [2, 1, 0, 0], [1.0] * 4, 3), "must be sorted within each row"),
    ],
)
def test_bad_adjacency_is_refused(A: sp.csr_array, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        _community(A)


def test_checked_and_trusted_constructions_agree() -> None:
    G = nx.karate_club_graph()
    c = Community.from_graph(G, weight=None)
    rebuilt = _community(c.adjacency.copy())  # by hand: fully checked, accepted
    assert rebuilt.adjacency.nnz == c.adjacency.nnz == 2 * G.number_of_edges()
    assert (rebuilt.adjacency != c.adjacency).nnz == 0
    gen = generate_community("sharing", 200, rng=1)
    assert _community(gen.adjacency.copy()).n_edges == gen.n_edges


def test_groups_refuse_non_integer_membership() -> None:
    """Issue 14: Groups(membership=[0, 1.9, ...]) used to truncate 1.9 to 1."""
    with pytest.raises(
        InvalidParameterError, match=re.escape("`Groups.membership` must hold integers (index 1)")
    ):
        Groups(membership=[0, 1.9, 1], owners=[0, 1])
    with pytest.raises(InvalidParameterError, match=re.escape("`Groups.owners` must hold")):
        Groups(membership=[0, 1, 1], owners=[0, "x"])
    assert Groups(membership=[0.0, 1.0, 1.0], owners=[0, 1]).sizes().tolist() == [1, 2]


@pytest.mark.parametrize("G", [nx.empty_graph(1), nx.empty_graph(4)])
def test_metrics_on_graphs_without_ties(G: nx.Graph) -> None:
    """Modularity is 0/0 without ties: NaN (it used to raise ZeroDivisionError)."""
    assert math.isnan(modularity(G, rng=0))
    s = structure_summary(G)
    assert s["ties"] == 0 and s["n"] == G.number_of_nodes()
    assert math.isnan(s["modularity"]) and s["clustering"] == 0.0
    assert s["max_degree_share"] == 0.0 and s["mean_degree"] == 0.0
    assert math.isnan(taste_assortativity(G, np.arange(G.number_of_nodes(), dtype=float)))
    assert average_clustering(G) == 0.0
    assert k_hop_reach(G, [0], k=2).tolist() == [1, 0, 0]


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (nx.DiGraph([(0, 1)]), "`k_hop_reach.graph` must be undirected"),
        (nx.Graph([(0, 0), (0, 1)]), "`k_hop_reach.graph` must have no self-loops; got (0, 0)"),
        (nx.Graph([(0, 1, {"weight": "x"})]), "`k_hop_reach.weight` must be a number"),
        (sp.csr_array(np.array([[0, 1], [0, 0]])), "`k_hop_reach.graph` must be symmetric"),
        ("not a graph", "`k_hop_reach.graph` must be a Community, a networkx graph"),
    ],
)
def test_bad_graphs_name_the_field(graph: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        k_hop_reach(graph, [0], k=1)


def test_members_not_in_the_graph_or_repeated() -> None:
    G = nx.Graph([("a", "b"), ("b", "c")])
    G.add_node("isolated")
    assert k_hop_reach(G, ["a"], k=2).tolist() == [1, 1, 1]
    assert k_hop_reach(G, ["isolated"], k=2).tolist() == [1, 0, 0]
    with pytest.raises(InvalidParameterError, match=r"`k_hop_reach.members` must be nodes"):
        k_hop_reach(G, ["zz"])
    with pytest.raises(InvalidParameterError, match=r"`k_hop_reach.members` must not repeat"):
        k_hop_reach(G, ["a", "a"])
    c = Community.from_graph(G)
    assert c.labels == ("a", "b", "c", "isolated") and c.degree.tolist() == [1, 2, 1, 0]


def test_zero_weight_ties_are_no_ties() -> None:
    G = nx.Graph([(0, 1, {"weight": 0.0}), (1, 2, {"weight": 2.0})])
    c = Community.from_graph(G)
    assert c.n_edges == 1 and c.degree.tolist() == [0, 1, 1]


def test_sparse_input_with_an_index_out_of_range_is_refused_before_scipy_touches_it() -> None:
    # scipy's sum_duplicates trusts the index arrays: an index of 999 in a 30 x 30 matrix
    # wrote out of bounds (a segfault, found by the API walk); it is refused first
    import networkx as nx
    import numpy as np
    import pytest
    import scipy.sparse as sp

    from shequn.community import Community
    from shequn.exceptions import InvalidParameterError

    a = sp.csr_array(nx.to_numpy_array(nx.path_graph(30)))
    a.indices[0] = 999
    with pytest.raises(InvalidParameterError, match=r"indices must be < 30"):
        Community.from_graph(a)
    c = Community.from_graph(nx.path_graph(30))
    with pytest.raises(InvalidParameterError, match=r"valid sparse index arrays"):
        c.with_adjacency(a)
    assert np.array_equal(
        c.adjacency.indices, Community.from_graph(nx.path_graph(30)).adjacency.indices
    )


def test_sparse_index_arrays_edited_after_construction_are_refused_before_conversion() -> None:
    # scipy's COO -> CSR and CSC -> CSR conversions trust the index arrays: an index edited
    # out of range would be written out of bounds before any later check could see it
    import pytest
    import scipy.sparse as sp

    from shequn.community import Community
    from shequn.exceptions import InvalidParameterError

    dense = nx.to_numpy_array(nx.path_graph(30))
    coo = sp.coo_array(dense)
    coo.row[0] = 10**6
    with pytest.raises(InvalidParameterError, match=r"valid sparse index arrays.*out of range"):
        Community.from_graph(coo)
    coo = sp.coo_array(dense)
    coo.col[3] = -4
    with pytest.raises(InvalidParameterError, match=r"valid sparse index arrays.*out of range"):
        Community.from_graph(coo)
    csc = sp.csc_array(dense)
    csc.indices[0] = 999
    with pytest.raises(InvalidParameterError, match=r"valid sparse index arrays"):
        Community.from_graph(csc)
    # an untouched COO matrix is the same community as the graph
    ok = Community.from_graph(sp.coo_array(dense))
    assert np.array_equal(
        ok.adjacency.indices, Community.from_graph(nx.path_graph(30)).adjacency.indices
    )
