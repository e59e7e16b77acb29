"""Chat groups with a size cap, an invitation policy and fission when full.

Seed 004 contrasts WeChat groups, where any member invites friends (``InvitePolicy.OPEN``), with
QQ groups, where only the owner adds people (``InvitePolicy.OWNER_ONLY``). WeChat caps a group at
500 members, the default ``cap`` here. When a group is full a newcomer founds a new group and
becomes its owner: seed 003's "multi-centre fission" (多中心裂变), in which members become
centres of their own.

Examples
--------
>>> import numpy as np
>>> from shequn.community.groups import Groups
>>> from shequn.community.types import InvitePolicy
>>> g = Groups.single(4, cap=3, policy=InvitePolicy.OPEN)
>>> g.sizes().tolist()
[3, 1]
>>> g.join(new_member=4, via=3).sizes().tolist()  # room in member 3's group
[3, 2]
>>> g.join(new_member=4, via=1).sizes().tolist()  # member 1's group is full: fission
[3, 1, 1]
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from shequn._typing import IntArray, array_eq
from shequn._validation import check_array, check_int, check_memory, fail, integer
from shequn.community._graph import GraphLike, as_csr
from shequn.community.types import InvitePolicy
from shequn.rng import RNGLike, resolve_rng

__all__ = ["WECHAT_GROUP_CAP", "Groups", "form_groups"]

WECHAT_GROUP_CAP = 500
"""The WeChat group size cap, the default ``Groups.cap``."""


def _int_array(x: Any, field: str) -> IntArray:
    # integer-valued only: 1.9 is refused, never truncated to 1
    try:
        kind = np.asarray(x).dtype.kind
    except (TypeError, ValueError):
        kind = "O"
    if kind not in "iuf" and np.size(x):
        raise fail("Groups", field, "hold integers", x)
    out: IntArray = check_array(x, owner="Groups", field=field, dtype=np.int64, ndim=1)
    return out


def _membership(x: Any) -> IntArray:
    return _int_array(x, "membership")


def _owners(x: Any) -> IntArray:
    return _int_array(x, "owners")


@attrs.frozen(kw_only=True)
class Groups:
    """Assignment of members to chat groups.

    Attributes
    ----------
    membership
        Group index per member, ``-1`` for members in no group.
    owners
        Owner (member index) per group.
    cap
        Maximum members per group (>= 1); default 500, the WeChat cap.
    policy
        Who may invite: ``OPEN`` (any member) or ``OWNER_ONLY``.
    """

    membership: IntArray = attrs.field(converter=_membership, eq=array_eq)
    owners: IntArray = attrs.field(converter=_owners, eq=array_eq)
    cap: int = attrs.field(default=WECHAT_GROUP_CAP, validator=integer(low=1))
    policy: InvitePolicy = attrs.field(default=InvitePolicy.OPEN)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.policy, InvitePolicy):
            raise fail("Groups", "policy", "be an InvitePolicy", self.policy)
        n_groups = self.owners.shape[0]
        m = self.membership
        if m.ndim != 1 or (m.size and (m.min() < -1 or m.max() >= n_groups)):
            raise fail("Groups", "membership", f"hold group indices in -1..{n_groups - 1}", m)
        if self.owners.size and (self.owners.min() < 0 or self.owners.max() >= m.size):
            raise fail("Groups", "owners", f"be member indices in 0..{m.size - 1}", self.owners)
        if n_groups and not np.array_equal(m[self.owners], np.arange(n_groups)):
            bad = int(np.flatnonzero(m[self.owners] != np.arange(n_groups))[0])
            raise fail(
                "Groups",
                "owners",
                f"belong to the group they own (group {bad})",
                int(self.owners[bad]),
            )
        sizes = self.sizes()
        if sizes.size and sizes.max() > self.cap:
            raise fail(
                "Groups", "membership", f"fill no group beyond cap={self.cap}", int(sizes.max())
            )

    @classmethod
    def single(
        cls, n: int, *, cap: int = WECHAT_GROUP_CAP, policy: InvitePolicy = InvitePolicy.OPEN
    ) -> Groups:
        """Members ``0..n-1`` packed in order into groups of ``cap``; first member owns each.

        Examples
        --------
        >>> Groups.single(5, cap=2).owners.tolist()
        [0, 2, 4]
        """
        n = check_int(n, owner="Groups", field="n", low=1)
        cap = check_int(cap, owner="Groups", field="cap", low=1)
        check_memory(24.0 * n, owner="Groups", field="n", value=n)  # membership and owners
        membership = np.arange(n) // cap
        owners = np.arange(0, n, cap)
        return cls(membership=membership, owners=owners, cap=cap, policy=policy)

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return int(self.owners.shape[0])

    def sizes(self) -> NDArray[np.int64]:
        """Members per group.

        Examples
        --------
        >>> Groups.single(3, cap=2).sizes().tolist()
        [2, 1]
        """
        inside = self.membership[self.membership >= 0]
        return np.bincount(inside, minlength=self.n_groups).astype(np.int64)

    def can_invite(self) -> NDArray[np.bool_]:
        """Per member: may this member bring someone in under the policy?

        Examples
        --------
        >>> g = Groups.single(3, cap=3, policy=InvitePolicy.OWNER_ONLY)
        >>> g.can_invite().tolist()
        [True, False, False]
        """
        if self.policy is InvitePolicy.OPEN:
            return self.membership >= 0
        out = np.zeros(self.membership.shape[0], dtype=bool)
        out[self.owners] = True
        return out

    def join(self, *, new_member: int, via: int) -> Groups:
        """A newcomer joins through member ``via``; a full group makes the newcomer found a new one.

        ``new_member`` must be the next member index (``len(membership)``), so member arrays grow
        in step. ``via`` must be allowed to invite under the policy.

        Examples
        --------
        >>> g = Groups.single(2, cap=2, policy=InvitePolicy.OWNER_ONLY)
        >>> g.join(new_member=2, via=1)
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `Groups.via` must be allowed to invite under \
policy owner_only; got 1
        """
        n = self.membership.shape[0]
        new_member = check_int(new_member, owner="Groups", field="new_member", low=n, high=n)
        via = check_int(via, owner="Groups", field="via", low=0, high=n - 1)
        if not self.can_invite()[via]:
            raise fail(
                "Groups", "via", f"be allowed to invite under policy {self.policy.value}", via
            )
        g = int(self.membership[via])
        if self.sizes()[g] < self.cap:
            membership = np.append(self.membership, g)
            owners = self.owners
        else:
            membership = np.append(self.membership, self.n_groups)
            owners = np.append(self.owners, new_member)
        return attrs.evolve(self, membership=membership, owners=owners)


def form_groups(
    graph: GraphLike,
    *,
    cap: int = WECHAT_GROUP_CAP,
    policy: InvitePolicy = InvitePolicy.OPEN,
    owners: NDArray[np.int64] | None = None,
    rng: RNGLike = None,
) -> Groups:
    """Pack members into groups of at most ``cap`` so that neighbours tend to share a group.

    Members are ordered, component by component, by a breadth-first walk from a random starting
    member (friends join the same group, as they would by invitation) and cut into consecutive
    blocks of ``cap``. The
    best-connected member of each block owns it, unless ``owners`` lists preferred owners
    (brand account, leader, volunteers), who then own the group they fall in.

    Examples
    --------
    ``graph`` is a :class:`~shequn.community.Community`, an undirected networkx graph or a
    symmetric sparse matrix (members are its rows, in order).

    Examples
    --------
    >>> import networkx as nx
    >>> g = form_groups(nx.path_graph(10), cap=4, rng=0)
    >>> g.sizes().tolist()
    [4, 4, 2]
    >>> form_groups(nx.DiGraph([(0, 1)]))
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `form_groups.graph` must be undirected (got a \
directed graph); got 'DiGraph'
    """
    adjacency, _ = as_csr(graph, owner="form_groups")
    cap = check_int(cap, owner="form_groups", field="cap", low=1)
    if not isinstance(policy, InvitePolicy):
        raise fail("form_groups", "policy", "be an InvitePolicy", policy)
    return _form_groups(
        adjacency, cap=cap, policy=policy, owners=owners, gen=resolve_rng(rng, owner="form_groups")
    )


def _form_groups(
    adjacency: sp.csr_array,
    *,
    cap: int,
    policy: InvitePolicy,
    owners: NDArray[np.int64] | None,
    gen: np.random.Generator,
) -> Groups:
    """:func:`form_groups` on an adjacency already known to be a valid symmetric CSR."""
    n = adjacency.shape[0]
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    n_comp, comp = connected_components(adjacency, directed=False)
    # one random starting member per component, joined to a virtual node n; one breadth-first
    # walk from it ranks members by closeness to their component's start, and sorting by
    # (component in random order, that rank) keeps components contiguous, friends together.
    # (scipy's depth-first walk is quadratic around hubs, so it is not used.)
    perm = gen.permutation(n)
    _, first = np.unique(comp[perm], return_index=True)
    starts = perm[first]
    hub = sp.csr_array(
        (np.ones(starts.size), (np.full(starts.size, n), starts)), shape=(n + 1, n + 1)
    )
    padded = sp.block_diag([adjacency, sp.csr_array((1, 1))], format="csr") + hub
    walk = breadth_first_order(padded, n, directed=False, return_predecessors=False)
    walk = walk[walk != n]
    bfs_rank = np.empty(n, dtype=np.int64)
    bfs_rank[walk] = np.arange(n)
    comp_rank = gen.permutation(n_comp)[comp]
    order = np.lexsort((bfs_rank, comp_rank)).astype(np.int64)
    membership = np.empty(n, dtype=np.int64)
    membership[order] = np.arange(n) // cap
    n_groups = int(membership.max()) + 1
    degree = np.diff(adjacency.indptr)
    # best-connected member per group
    best = np.full(n_groups, -1, dtype=np.int64)
    key = membership.astype(np.float64) * (degree.max() + 2) + degree
    sorted_idx = np.argsort(key, kind="stable")
    last_of_group = np.flatnonzero(
        np.r_[membership[sorted_idx][1:] != membership[sorted_idx][:-1], True]
    )
    best[membership[sorted_idx[last_of_group]]] = sorted_idx[last_of_group]
    if owners is not None:
        pref = check_array(owners, owner="form_groups", field="owners", dtype=np.int64, ndim=1)
        for o in pref[::-1]:
            if not 0 <= o < n:
                raise fail("form_groups", "owners", f"be member indices in 0..{n - 1}", int(o))
            best[membership[o]] = o
    return Groups(membership=membership, owners=best, cap=cap, policy=policy)
