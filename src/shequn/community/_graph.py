"""Conversion of user graphs to the CSR form every algorithm uses, and member look-up.

Everything that walks a network in shequn works on a symmetric ``scipy.sparse.csr_array`` with
sorted indices, float64 weights > 0 and no self-loops. :func:`as_csr` accepts a
:class:`~shequn.community.Community`, a ``networkx`` graph or a sparse matrix and converts once.

Examples
--------
>>> import networkx as nx
>>> from shequn.community._graph import as_csr
>>> A, labels = as_csr(nx.path_graph(3))
>>> A.toarray().tolist()
[[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
>>> labels
(0, 1, 2)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from shequn._validation import fail

if TYPE_CHECKING:
    from shequn.community.community import Community

__all__ = ["GraphLike", "as_csr", "edges_to_csr", "resolve_members"]

GraphLike = Any  # Community | nx.Graph | nx.DiGraph | scipy sparse matrix


def edges_to_csr(
    n: int,
    u: NDArray[np.integer[Any]],
    v: NDArray[np.integer[Any]],
    w: NDArray[np.floating[Any]] | None = None,
) -> sp.csr_array:
    """Symmetric CSR adjacency from undirected edge lists, dropping self-loops and duplicates.

    Duplicate edges keep the largest weight. Weights default to 1.

    Examples
    --------
    >>> import numpy as np
    >>> A = edges_to_csr(3, np.array([0, 1, 1, 2]), np.array([1, 0, 2, 2]))
    >>> int(A.nnz)
    4
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    wa = np.ones(u.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    keep = u != v
    u, v, wa = u[keep], v[keep], wa[keep]
    lo = np.minimum(u, v)
    hi = np.maximum(u, v)
    key = lo * n + hi
    order = np.lexsort((-wa, key))
    key = key[order]
    first = np.ones(key.shape[0], dtype=bool)
    first[1:] = key[1:] != key[:-1]
    lo, hi, wa = lo[order][first], hi[order][first], wa[order][first]
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    data = np.concatenate([wa, wa])
    idx_dtype = np.int32 if n < 2**31 - 1 and rows.size < 2**31 - 1 else np.int64
    A = sp.csr_array(
        (data, (rows.astype(idx_dtype), cols.astype(idx_dtype))), shape=(n, n), dtype=np.float64
    )
    A.sort_indices()
    return A


def _from_networkx(
    G: nx.Graph, *, owner: str, weight: str | None, allow_directed: bool
) -> tuple[sp.csr_array, tuple[Hashable, ...]]:
    if G.is_directed() and not allow_directed:
        raise fail(owner, "graph", "be undirected (got a directed graph)", type(G).__name__)
    if G.is_multigraph():
        raise fail(owner, "graph", "be a simple graph (got a multigraph)", type(G).__name__)
    labels = tuple(G.nodes())
    if len(labels) == 0:
        raise fail(owner, "graph", "have at least one node", 0)
    if nx.number_of_selfloops(G):
        loop = next(iter(nx.selfloop_edges(G)))
        raise fail(owner, "graph", "have no self-loops", loop)
    A = nx.to_scipy_sparse_array(G, nodelist=list(labels), weight=weight, format="csr",
                                 dtype=np.float64)
    A = sp.csr_array(A)
    _check_weights(A, owner)
    A.sort_indices()
    return A, labels


def _check_weights(A: sp.csr_array, owner: str) -> None:
    data = A.data
    bad = ~np.isfinite(data) | (data < 0)
    if bad.any():
        raise fail(owner, "weight", "be finite and >= 0 on every edge", data[np.argmax(bad)])


def as_csr(
    graph: GraphLike,
    *,
    owner: str = "as_csr",
    weight: str | None = "weight",
    allow_directed: bool = False,
) -> tuple[sp.csr_array, tuple[Hashable, ...] | None]:
    """Return ``(adjacency, labels)`` for a Community, networkx graph or sparse matrix.

    ``labels`` maps row index to the user's node label (``None`` when nodes are already
    ``0..n-1``, as for a Community or a sparse matrix). A directed graph is refused unless
    ``allow_directed`` (then ``A[i, j]`` is the weight of the edge i → j).

    Examples
    --------
    >>> import networkx as nx
    >>> as_csr(nx.DiGraph([(0, 1)]))
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `as_csr.graph` must be undirected (got a directed \
graph); got 'DiGraph'
    """
    from shequn.community.community import Community

    if isinstance(graph, Community):
        return graph.adjacency, graph.labels
    if isinstance(graph, nx.Graph):
        return _from_networkx(graph, owner=owner, weight=weight, allow_directed=allow_directed)
    if sp.issparse(graph):
        A = sp.csr_array(graph, dtype=np.float64)
        if A.shape[0] != A.shape[1]:
            raise fail(owner, "graph", "be a square matrix", A.shape)
        if A.diagonal().any():
            raise fail(owner, "graph", "have no self-loops (non-zero diagonal)",
                       int(np.flatnonzero(A.diagonal())[0]))
        _check_weights(A, owner)
        if not allow_directed and (abs(A - A.T) > 1e-12).nnz:
            raise fail(owner, "graph", "be symmetric (undirected)", "asymmetric matrix")
        A.sort_indices()
        return A, None
    raise fail(owner, "graph", "be a Community, a networkx graph or a scipy sparse matrix",
               type(graph).__name__)


def resolve_members(
    members: Iterable[Hashable] | Hashable,
    n: int,
    labels: Sequence[Hashable] | None,
    *,
    owner: str,
    field: str,
    allow_repeats: bool = False,
    allow_empty: bool = False,
) -> NDArray[np.int64]:
    """Map member labels (or indices when ``labels`` is None) to row indices, validating them.

    Examples
    --------
    >>> resolve_members([2, 0], 3, None, owner="f", field="seeds").tolist()
    [2, 0]
    >>> resolve_members([5], 3, None, owner="f", field="seeds")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.seeds` must be members of the community \
(0..2); got 5
    """
    if isinstance(members, str | bytes) or not isinstance(members, Iterable):
        items: list[Hashable] = [members]
    elif isinstance(members, np.ndarray):
        items = list(members.ravel().tolist())
    else:
        items = list(members)
    if not items and not allow_empty:
        raise fail(owner, field, "be non-empty", items)
    if labels is None or (isinstance(labels, tuple) and labels == tuple(range(n))):
        out = np.empty(len(items), dtype=np.int64)
        for i, x in enumerate(items):
            if isinstance(x, bool) or not isinstance(x, int | np.integer) or not 0 <= int(x) < n:
                raise fail(owner, field, f"be members of the community (0..{n - 1})", x)
            out[i] = int(x)
    else:
        index = {lab: i for i, lab in enumerate(labels)}
        out = np.empty(len(items), dtype=np.int64)
        for i, x in enumerate(items):
            try:
                out[i] = index[x]
            except (KeyError, TypeError):
                raise fail(owner, field, "be nodes of the graph", x) from None
    if not allow_repeats and np.unique(out).size != out.size:
        vals, counts = np.unique(out, return_counts=True)
        dup = vals[counts > 1][0]
        shown = labels[dup] if labels is not None else int(dup)
        raise fail(owner, field, "not repeat a member", shown)
    return out
