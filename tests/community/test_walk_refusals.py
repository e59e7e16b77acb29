"""Bad input found by the API walk (issue 14): our error, naming the caller's field."""

from __future__ import annotations

import re
from typing import Any

import networkx as nx
import numpy as np
import pytest

from shequn.community import Community, CommunityType, Groups, Role, generate_community
from shequn.exceptions import InvalidParameterError


def _raises(field: str) -> Any:
    return pytest.raises(InvalidParameterError, match=re.escape(field) + "` must")


def _parts(n: int = 4) -> dict[str, Any]:
    c = Community.from_graph(nx.path_graph(n))
    return {"adjacency": c.adjacency, "roles": c.roles, "taste": c.taste, "resources": c.resources}


@pytest.mark.parametrize("groups", ["abc", 1, {}])
def test_groups_must_be_groups(groups: Any) -> None:
    with _raises("Community.groups"):
        Community(**_parts(), groups=groups)
    with _raises("Community.groups"):
        Community.from_graph(nx.path_graph(4), groups=groups)


@pytest.mark.parametrize("kind", ["abc", 1, {}])
def test_kind_is_parsed_when_built(kind: Any) -> None:
    with _raises("Community.kind"):
        Community(**_parts(), kind=kind)
    assert Community(**_parts(), kind="价值观社群").kind is CommunityType.VALUES


def test_labels_must_be_a_sequence() -> None:
    with _raises("Community.labels"):
        Community(**_parts(), labels=5)
    assert Community(**_parts(), labels=["a", "b", "c", "d"]).labels == ("a", "b", "c", "d")


def test_parse_names_the_callers_field() -> None:
    with _raises("f.value"):
        CommunityType.parse("tribe", owner="f", field="value")
    with _raises("generate_community.kind"):
        generate_community("tribe", 10, rng=0)


def test_index_of_field_and_weight_names() -> None:
    c = Community.from_graph(nx.path_graph(4))
    for bad in (1, ["a"], None):
        with _raises("Community.index_of.field"):
            c.index_of([0], field=bad)
    # Role is an IntEnum: 0 is Role.MEMBER
    assert c.members_with_role(0).tolist() == c.members_with_role(Role.MEMBER).tolist()
    for bad in (5, ["w"]):
        with _raises("Community.from_graph.weight"):
            Community.from_graph(nx.karate_club_graph(), weight=bad)


def test_negative_weights_name_the_adjacency() -> None:
    c = Community.from_graph(nx.path_graph(4))
    A = c.adjacency.copy()
    A.data[:] = -1.0
    with _raises("Community.with_adjacency.adjacency"):
        c.with_adjacency(A)
    with _raises("Community.adjacency"):
        Community(**{**_parts(), "adjacency": A})


def test_sizes_beyond_memory_are_refused() -> None:
    with _raises("Groups.n"):
        Groups.single(10**12)
    with _raises("generate_community.n"):
        generate_community("brand", 10**12, rng=0)
    # -1 is documented (no group)
    assert Groups(membership=[0, 0, 1, -1], owners=[0, 2]).membership.tolist() == [0, 0, 1, -1]
    assert np.array_equal(Groups.single(3).membership, [0, 0, 0])
