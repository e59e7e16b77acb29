"""Chat groups: caps, invitation policies, fission."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.community import Groups, InvitePolicy
from shequn.exceptions import InvalidParameterError


@given(
    st.integers(1, 60),
    st.integers(1, 10),
    st.lists(st.integers(0, 10_000), max_size=40),
    st.sampled_from(list(InvitePolicy)),
)
def test_joins_conserve_members_and_respect_cap(
    n: int, cap: int, picks: list[int], policy: InvitePolicy
) -> None:
    g = Groups.single(n, cap=cap, policy=policy)
    for pick in picks:
        allowed = np.flatnonzero(g.can_invite())
        via = int(allowed[pick % allowed.size])
        before = g.n_groups
        full = g.sizes()[g.membership[via]] >= cap
        g = g.join(new_member=g.membership.size, via=via)
        assert g.n_groups == before + int(full)
    assert g.sizes().sum() == n + len(picks)
    assert g.sizes().max() <= cap
    assert np.array_equal(g.membership[g.owners], np.arange(g.n_groups))


def test_owner_only_refuses_members() -> None:
    g = Groups.single(5, cap=10, policy=InvitePolicy.OWNER_ONLY)
    assert g.can_invite().tolist() == [True, False, False, False, False]
    with pytest.raises(InvalidParameterError, match=r"`Groups\.via`"):
        g.join(new_member=5, via=3)
    open_g = Groups.single(5, cap=10, policy=InvitePolicy.OPEN)
    assert open_g.can_invite().all()


def test_bad_groups() -> None:
    with pytest.raises(InvalidParameterError, match=r"`Groups\.cap`"):
        Groups.single(3, cap=0)
    with pytest.raises(InvalidParameterError, match=r"`Groups\.membership`"):
        Groups(membership=[0, 0, 0], owners=[0], cap=2)
    with pytest.raises(InvalidParameterError, match=r"`Groups\.owners`"):
        Groups(membership=[0, 1], owners=[1, 0], cap=2)
    with pytest.raises(InvalidParameterError, match=r"`Groups\.new_member`"):
        Groups.single(3).join(new_member=7, via=0)


def test_form_groups_takes_any_graph_and_refuses_directed_ones() -> None:
    import networkx as nx
    import scipy.sparse as sp

    from shequn.community import form_groups

    G = nx.path_graph(12)
    from_nx = form_groups(G, cap=5, rng=3)
    from_csr = form_groups(nx.to_scipy_sparse_array(G, format="csr"), cap=5, rng=3)
    assert from_nx == from_csr
    assert from_nx.sizes().tolist() == [5, 5, 2]
    with pytest.raises(InvalidParameterError, match=r"`form_groups\.graph` must be undirected"):
        form_groups(nx.DiGraph([(0, 1), (1, 2)]))
    upper = sp.csr_array(np.triu(np.ones((4, 4)), 1))
    with pytest.raises(InvalidParameterError, match=r"`form_groups\.graph` must be symmetric"):
        form_groups(upper)
    with pytest.raises(InvalidParameterError, match=r"`form_groups\.policy`"):
        form_groups(G, policy="open")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"`form_groups\.rng`"):
        form_groups(G, rng=-1)
