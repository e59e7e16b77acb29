"""Community generators: reproducible, valid, and the four types differ as documented."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from shequn.community import (
    Community,
    CommunityType,
    InvitePolicy,
    Role,
    average_clustering,
    degree_centralization,
    generate_community,
    modularity,
    taste_assortativity,
)
from shequn.exceptions import InvalidParameterError

KINDS = list(CommunityType)


@pytest.fixture(scope="module")
def communities() -> dict[CommunityType, Community]:
    return {k: generate_community(k, 3000, rng=i) for i, k in enumerate(KINDS)}


@pytest.mark.parametrize("kind", KINDS)
def test_same_rng_identical_community(kind: CommunityType) -> None:
    a = generate_community(kind, 400, rng=17)
    b = generate_community(kind, 400, rng=17)
    c = generate_community(kind, 400, rng=18)
    assert a == b
    assert a != c


@pytest.mark.parametrize("kind", KINDS)
def test_valid_structure(kind: CommunityType, communities: dict[CommunityType, Community]) -> None:
    c = communities[kind]
    A = c.adjacency
    assert isinstance(A, sp.csr_array)
    assert (abs(A - A.T)).nnz == 0
    assert A.diagonal().sum() == 0
    assert np.all(A.data > 0)
    assert c.kind is kind
    assert c.groups is not None and c.groups.sizes().sum() == c.n
    assert c.groups.sizes().max() <= c.groups.cap
    assert np.all(c.resources >= 0)


def test_documented_differences(communities: dict[CommunityType, Community]) -> None:
    cen = {k: degree_centralization(c) for k, c in communities.items()}
    clu = {k: average_clustering(c) for k, c in communities.items()}
    hom = {k: taste_assortativity(c) for k, c in communities.items()}
    # leader-centred: the most concentrated; brand has a hub too, sharing/values none
    assert cen[CommunityType.LEADER] > cen[CommunityType.BRAND] > 0.1
    assert cen[CommunityType.BRAND] > 10 * max(
        cen[CommunityType.SHARING], cen[CommunityType.VALUES]
    )
    # sharing: the most clustered (small circles that share resources)
    assert clu[CommunityType.SHARING] == max(clu.values())
    # values: homophily on value vectors; the others have none
    assert hom[CommunityType.VALUES] > 0.8
    for k in (CommunityType.BRAND, CommunityType.LEADER, CommunityType.SHARING):
        assert abs(hom[k]) < 0.15
    # modularity (Louvain): the leader's hub joins everyone into one circle, the least modular;
    # the sharing type's small circles are the most modular
    mod = {k: modularity(c, rng=0) for k, c in communities.items()}
    assert mod[CommunityType.LEADER] == min(mod.values()) and mod[CommunityType.LEADER] < 0.6
    assert mod[CommunityType.SHARING] == max(mod.values())


def test_roles(communities: dict[CommunityType, Community]) -> None:
    brand = communities[CommunityType.BRAND]
    leader = communities[CommunityType.LEADER]
    assert brand.members_with_role(Role.BRAND_ACCOUNT).tolist() == [0]
    assert leader.members_with_role(Role.LEADER).tolist() == [0]
    assert int(leader.degree.argmax()) == 0
    vol = brand.members_with_role(Role.VOLUNTEER)
    assert vol.size == round(0.005 * brand.n)


def test_group_policy_and_cap() -> None:
    c = generate_community(
        "sharing", 1200, rng=2, group_cap=100, invite_policy=InvitePolicy.OWNER_ONLY
    )
    assert c.groups is not None
    assert c.groups.sizes().max() == 100
    assert c.groups.can_invite().sum() == c.groups.n_groups


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "tribe", "n": 10}, "kind"),
        ({"kind": "brand", "n": 1}, "n"),
        ({"kind": "brand", "n": 10, "follow": 1.5}, "follow"),
        ({"kind": "leader", "n": 10, "follow": float("nan")}, "follow"),
        ({"kind": "sharing", "n": 10, "p_in": -0.1}, "p_in"),
        ({"kind": "values", "n": 10, "random_tie": 2}, "random_tie"),
        ({"kind": "values", "n": 10, "colour": 2}, "colour"),
        ({"kind": "values", "n": 10, "volunteers": 1.1}, "volunteers"),
        ({"kind": "values", "n": 10, "group_cap": 0}, "group_cap"),
        ({"kind": "values", "n": 10, "rng": -3}, "rng"),
    ],
)
def test_bad_input(kwargs: dict[str, object], field: str) -> None:
    kind = kwargs.pop("kind")
    n = kwargs.pop("n")
    with pytest.raises(InvalidParameterError, match=f"`generate_community.{field}`"):
        generate_community(kind, n, **kwargs)  # type: ignore[arg-type]


def test_from_graph_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match="undirected"):
        Community.from_graph(nx.DiGraph([(0, 1)]))
    G = nx.path_graph(3)
    with pytest.raises(InvalidParameterError, match=r"`Community\.taste` must be finite"):
        Community.from_graph(G, taste=[[0.0], [np.nan], [1.0]])
    with pytest.raises(InvalidParameterError, match=r"`Community\.resources`"):
        Community.from_graph(G, resources=[1.0, -1.0, 1.0])
    with pytest.raises(InvalidParameterError, match="nodes of the graph"):
        Community.from_graph(nx.Graph([("a", "b")]), roles={"z": Role.LEADER})
    G2 = nx.Graph([(0, 1)])
    G2.add_edge(1, 1)
    with pytest.raises(InvalidParameterError, match="self-loops"):
        Community.from_graph(G2)
    G3 = nx.Graph()
    G3.add_edge(0, 1, weight=-2.0)
    with pytest.raises(InvalidParameterError, match="weight"):
        Community.from_graph(G3)


def test_from_graph_round_trip() -> None:
    G = nx.les_miserables_graph()
    c = Community.from_graph(G)
    H = c.to_networkx()
    assert set(H.nodes) == set(G.nodes)
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in G.edges}
    for u, v, d in G.edges(data=True):
        assert H[u][v]["weight"] == d["weight"]
    assert c.index_of(["Valjean"]).size == 1
    with pytest.raises(InvalidParameterError, match="members"):
        c.index_of(["Nobody"])
    with pytest.raises(InvalidParameterError, match=r"`Community\.members_with_role\.role`.*9"):
        c.members_with_role(9)  # type: ignore[arg-type]
    assert c.members_with_role(0).size == c.n  # an int that is a Role value is accepted
