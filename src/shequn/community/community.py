"""The :class:`Community` value: a member network with roles, attributes and groups.

Examples
--------
>>> import networkx as nx
>>> from shequn.community import Community
>>> c = Community.from_graph(nx.karate_club_graph(), weight=None)
>>> c.n, c.n_edges
(34, 78)
>>> c.roles[:3].tolist()
[0, 0, 0]
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import attrs
import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from shequn._results import Summary, format_value
from shequn._typing import FloatArray, array_eq
from shequn._validation import check_array, check_instance, fail
from shequn.community._graph import as_csr, check_csr, is_trusted, resolve_members, trusted_csr
from shequn.community.groups import Groups
from shequn.community.types import CommunityType, Role

__all__ = ["Community"]


def _csr_eq(a: sp.csr_array, b: sp.csr_array) -> bool:
    return bool(a.shape == b.shape and (a != b).nnz == 0)


@attrs.frozen(kw_only=True, repr=False)
class Community:
    """A community: who is tied to whom, who plays which role, what members value and own.

    Build one with :func:`~shequn.community.generate_community` (one generator per community
    type) or :meth:`Community.from_graph` for your own network. Members are indexed ``0..n-1``;
    ``labels`` keeps your node labels when you came from a graph.

    Attributes
    ----------
    adjacency
        Symmetric ``scipy.sparse.csr_array`` (n, n): tie weights > 0 (tie strength, 1 by
        default), no self-loops, sorted indices.
    roles
        :class:`~shequn.community.types.Role` per member (int8).
    taste
        (n, d) value/taste vectors: what a member values (homophily acts on it).
    resources
        Non-negative resources per member (money, skills, contacts), used by social capital.
    groups
        Chat groups (:class:`~shequn.community.groups.Groups`) or ``None``.
    kind
        The community type, ``None`` for a user graph.
    labels
        The user's node labels by index, or ``None`` when nodes are ``0..n-1``.
    """

    adjacency: sp.csr_array = attrs.field(eq=attrs.cmp_using(eq=_csr_eq), repr=False)
    roles: NDArray[np.int8] = attrs.field(eq=array_eq, repr=False)
    taste: FloatArray = attrs.field(eq=array_eq, repr=False)
    resources: FloatArray = attrs.field(eq=array_eq, repr=False)
    groups: Groups | None = attrs.field(default=None, repr=False)
    kind: CommunityType | None = None
    labels: tuple[Hashable, ...] | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.labels is not None:
            if isinstance(self.labels, str | bytes) or not isinstance(self.labels, Sequence):
                raise fail("Community", "labels", "be a sequence of node labels", self.labels)
            object.__setattr__(self, "labels", tuple(self.labels))
        A = self.adjacency
        if not isinstance(A, sp.csr_array) or A.shape[0] != A.shape[1] or A.shape[0] < 1:
            raise fail(
                "Community",
                "adjacency",
                "be a square csr_array with n >= 1",
                getattr(A, "shape", A),
            )
        n = A.shape[0]
        if not is_trusted():
            # compiled kernels (the engine, structure metrics) read these arrays unchecked
            ip, ix, w = check_csr(
                A.indptr,
                A.indices,
                A.data,
                n=n,
                owner="Community",
                field="adjacency",
                symmetric=True,
                labels=self.labels,
                whole="adjacency",
            )
            if ip is not A.indptr or ix is not A.indices or w is not A.data:
                A = sp.csr_array((w, ix, ip), shape=(n, n), copy=False)
                object.__setattr__(self, "adjacency", A)
            A.has_sorted_indices = True
        roles = check_array(self.roles, owner="Community", field="roles", dtype=np.int8, ndim=1)
        if roles.shape[0] != n:
            raise fail("Community", "roles", f"have one entry per member ({n})", roles.shape[0])
        valid = np.isin(roles, [int(r) for r in Role])
        if not valid.all():
            raise fail("Community", "roles", "hold Role values", int(roles[~valid][0]))
        taste = check_array(self.taste, owner="Community", field="taste", dtype=np.float64)
        if taste.ndim == 1:
            taste = taste[:, None]
        if taste.ndim != 2 or taste.shape[0] != n:
            raise fail("Community", "taste", f"have shape (n={n}, d)", taste.shape)
        res = check_array(
            self.resources, owner="Community", field="resources", ndim=1, nonnegative=True
        )
        if res.shape[0] != n:
            raise fail("Community", "resources", f"have one entry per member ({n})", res.shape[0])
        if self.groups is not None:
            check_instance(self.groups, Groups, owner="Community", field="groups")
        if self.kind is not None:
            object.__setattr__(self, "kind", CommunityType.parse(self.kind, owner="Community"))
        if self.groups is not None and self.groups.membership.shape[0] != n:
            raise fail(
                "Community", "groups", f"cover the {n} members", self.groups.membership.shape[0]
            )
        if self.labels is not None and len(self.labels) != n:
            raise fail("Community", "labels", f"have one label per member ({n})", len(self.labels))
        object.__setattr__(self, "roles", roles)
        object.__setattr__(self, "taste", taste)
        object.__setattr__(self, "resources", res)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_graph(
        cls,
        graph: nx.Graph,
        *,
        roles: ArrayLike | dict[Hashable, Role] | None = None,
        taste: ArrayLike | None = None,
        resources: ArrayLike | None = None,
        weight: str | None = "weight",
        groups: Groups | None = None,
        kind: CommunityType | str | None = None,
    ) -> Community:
        """Wrap your own undirected networkx graph as a Community.

        Parameters
        ----------
        graph
            Undirected simple graph; node order defines member indices.
        roles
            Array of :class:`Role` per node (in node order) or a dict ``{node: Role}`` for the
            special members; others are ``Role.MEMBER``.
        taste, resources
            Per-node attributes in node order; default zeros (d = 1) and ones.
        weight
            Edge attribute holding tie strength (``None``: every tie weighs 1).

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.star_graph(3)
        >>> c = Community.from_graph(G, roles={0: Role.LEADER})
        >>> c.roles.tolist()
        [2, 0, 0, 0]
        """
        A, labels = as_csr(graph, owner="Community.from_graph", weight=weight)
        n = A.shape[0]
        if isinstance(roles, dict):
            idx = resolve_members(
                list(roles), n, labels, owner="Community.from_graph", field="roles"
            )
            r = np.zeros(n, dtype=np.int8)
            for i, role in zip(idx, roles.values(), strict=True):
                if not isinstance(role, Role):
                    raise fail("Community.from_graph", "roles", "map nodes to Role values", role)
                r[i] = int(role)
            roles_arr: ArrayLike = r
        else:
            roles_arr = np.zeros(n, dtype=np.int8) if roles is None else roles
        with trusted_csr():  # as_csr returned a canonical, checked adjacency
            return cls(
                adjacency=A,
                roles=np.asarray(roles_arr),
                taste=np.zeros((n, 1)) if taste is None else np.asarray(taste),
                resources=np.ones(n) if resources is None else np.asarray(resources),
                groups=groups,
                kind=None if kind is None else CommunityType.parse(kind, owner="Community"),
                labels=None if labels == tuple(range(n)) else labels,
            )

    # ------------------------------------------------------------------ views
    @property
    def n(self) -> int:
        """Number of members."""
        return int(self.adjacency.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of (undirected) ties."""
        return int(self.adjacency.nnz // 2)

    @property
    def degree(self) -> NDArray[np.int64]:
        """Number of ties per member."""
        out: NDArray[np.int64] = np.diff(self.adjacency.indptr).astype(np.int64)
        return out

    def members_with_role(self, role: Role) -> NDArray[np.int64]:
        """Indices of members with ``role``.

        Examples
        --------
        >>> import networkx as nx
        >>> Community.from_graph(nx.path_graph(3), roles={1: Role.LEADER}).members_with_role(
        ...     Role.LEADER).tolist()
        [1]
        """
        if not isinstance(role, Role):
            try:
                role = Role(role)
            except (ValueError, TypeError):
                raise fail("Community.members_with_role", "role", "be a Role", role) from None
        out: NDArray[np.int64] = np.flatnonzero(self.roles == int(role)).astype(np.int64)
        return out

    def index_of(
        self, members: Iterable[Hashable] | Hashable, *, field: str = "members"
    ) -> NDArray[np.int64]:
        """Member indices of ``members`` (your labels, or indices when there are none).

        Examples
        --------
        >>> import networkx as nx
        >>> c = Community.from_graph(nx.Graph([("a", "b")]))
        >>> c.index_of(["b"]).tolist()
        [1]
        """
        check_instance(field, str, owner="Community.index_of", field="field")
        return resolve_members(members, self.n, self.labels, owner="Community", field=field)

    def neighbors(self, member: int) -> NDArray[np.int64]:
        """Indices of ``member``'s ties.

        Examples
        --------
        >>> import networkx as nx
        >>> Community.from_graph(nx.path_graph(3)).neighbors(1).tolist()
        [0, 2]
        """
        i = int(self.index_of([member], field="member")[0])
        A = self.adjacency
        out: NDArray[np.int64] = A.indices[A.indptr[i] : A.indptr[i + 1]].astype(np.int64)
        return out

    def to_networkx(self) -> nx.Graph:
        """The member network as a networkx graph with ``weight`` and ``role`` attributes.

        Examples
        --------
        >>> import networkx as nx
        >>> c = Community.from_graph(nx.cycle_graph(4))
        >>> nx.is_isomorphic(c.to_networkx(), nx.cycle_graph(4))
        True
        """
        G = nx.from_scipy_sparse_array(self.adjacency)
        nx.set_node_attributes(G, {i: Role(int(r)) for i, r in enumerate(self.roles)}, "role")
        if self.labels is not None:
            G = nx.relabel_nodes(G, dict(enumerate(self.labels)))
        return G

    def with_adjacency(self, adjacency: sp.csr_array) -> Community:
        """A copy with a new tie structure (same members).

        Examples
        --------
        >>> import networkx as nx
        >>> c = Community.from_graph(nx.path_graph(3))
        >>> c.with_adjacency(Community.from_graph(nx.complete_graph(3)).adjacency).n_edges
        3
        """
        A, _ = as_csr(adjacency, owner="Community.with_adjacency", field="adjacency")
        if A.shape[0] != self.n:
            raise fail("Community.with_adjacency", "adjacency", f"have {self.n} rows", A.shape)
        with trusted_csr():  # as_csr checked it
            return attrs.evolve(self, adjacency=A)

    def summary(self) -> Summary:
        """Headline structure figures (see :func:`shequn.community.metrics.structure_summary`).

        Examples
        --------
        >>> import networkx as nx
        >>> Community.from_graph(nx.star_graph(4)).summary()["degree_centralization"]
        1.0
        """
        from shequn.community.metrics import structure_summary

        return structure_summary(self)

    def _title(self) -> str:
        kind = f"{self.kind.value} community" if self.kind is not None else "community"
        return f"{kind}: {format_value(self.n)} members, {format_value(self.n_edges)} ties"

    def __repr__(self) -> str:
        """Short: type and sizes, never the arrays.

        Examples
        --------
        >>> import networkx as nx
        >>> Community.from_graph(nx.karate_club_graph())
        Community(kind=None, n=34, ties=78, groups=0)
        """
        kind = repr(self.kind.value) if self.kind is not None else "None"
        groups = self.groups.n_groups if self.groups is not None else 0
        return (
            f"Community(kind={kind}, n={format_value(self.n)}, "
            f"ties={format_value(self.n_edges)}, groups={format_value(groups)})"
        )

    def _repr_html_(self) -> str:
        """The notebook view: the figures that cost no more than a pass over the ties (the
        full :meth:`summary` runs clustering and Louvain, too slow for a display)."""
        deg = self.degree
        roles = {r.name.lower(): int((self.roles == int(r)).sum()) for r in Role}
        head: dict[str, Any] = {
            "members": self.n,
            "ties": self.n_edges,
            "mean_degree": float(deg.mean()),
            "max_degree_share": float(deg.max() / max(self.n - 1, 1)),
            "roles": {k: v for k, v in roles.items() if v},
            "groups": self.groups.n_groups if self.groups is not None else 0,
        }
        return Summary(title=self._title(), headline=head)._repr_html_()
