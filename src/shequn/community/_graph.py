"""Conversion of user graphs to the CSR form every algorithm uses, its validation, member look-up.

Everything that walks a network in shequn works on CSR arrays (``indptr``, ``indices``,
``data``: the ties of member ``u`` are ``indices[indptr[u]:indptr[u + 1]]``) with indices
sorted and distinct within each row, no self-loops and finite weights > 0; an undirected graph
is symmetric (both directions of every tie, same weight). :func:`as_csr` and
:func:`graph_arrays` accept a :class:`~shequn.community.Community`, a networkx graph, a square
scipy sparse matrix or an edge-list array and convert once; :func:`check_csr` is the one
validator of CSR arrays a user built by hand (compiled kernels read them without bounds
checks, so a bad index must never reach them).

Converting a networkx graph reads its adjacency dictionaries directly (one pass over the
neighbours for the indices, one over the edge dictionaries for the weights), which is faster
than pulling the edge list out of networkx (``np.array(G.edges())``) and holds no more than the
final arrays plus the neighbour labels in flight (benchmarks/bench_diffusion.py). networkx
graphs are mutable and carry no version, so a conversion cannot be cached safely: convert a
large graph once (``as_network(G)``, ``Community.from_graph(G)``) and pass the result to every
call.

Examples
--------
>>> import networkx as nx
>>> from shequn.community._graph import as_csr
>>> A, labels = as_csr(nx.path_graph(3))
>>> A.toarray().tolist()
[[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
>>> print(labels)                  # nodes 0..n-1: no labels needed
None
>>> as_csr(nx.Graph([("a", "b")]))[1]
('a', 'b')
"""

from __future__ import annotations

import contextlib
import itertools
import numbers
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from shequn._validation import check_int, fail

__all__ = [
    "GraphArrays",
    "GraphLike",
    "as_csr",
    "check_csr",
    "edges_to_csr",
    "graph_arrays",
    "index_dtype",
    "is_trusted",
    "resolve_members",
    "trusted_csr",
]

GraphLike = Any  # Community | nx.Graph | nx.DiGraph | scipy sparse matrix | (m, 2) edge array

_INT32_MAX = 2**31 - 1
_CHUNK = 1 << 20  # entries checked at once: bounds the validator's temporaries

_TRUSTED: ContextVar[bool] = ContextVar("shequn_trusted_csr", default=False)


@contextlib.contextmanager
def trusted_csr() -> Iterator[None]:
    """Within this block, value types built from CSR arrays skip :func:`check_csr`.

    Only for code of this package that made the arrays by a construction that guarantees the
    rules (a networkx adjacency, :func:`edges_to_csr`, a validated network's transpose).
    """
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def is_trusted() -> bool:
    """Whether the caller is inside :func:`trusted_csr`."""
    return _TRUSTED.get()


def index_dtype(n: int, m: int) -> type[np.signedinteger[Any]]:
    """int32 when ``n`` nodes and ``m`` entries fit (half the memory traffic), else int64."""
    return np.int32 if n < _INT32_MAX and m < _INT32_MAX else np.int64


# --- validation ----------------------------------------------------------------------------------


def _shown(labels: Sequence[Hashable] | None, i: int) -> Hashable:
    return labels[i] if labels is not None else i


def check_csr(
    indptr: Any,
    indices: Any,
    data: Any,
    *,
    n: int,
    owner: str,
    field: str,
    symmetric: bool,
    labels: Sequence[Hashable] | None = None,
    whole: str | None = None,
) -> tuple[NDArray[Any], NDArray[Any], NDArray[np.float64]]:
    """Check CSR arrays of an ``n``-node graph and return them with integer and float dtypes.

    Rules: ``indptr`` has ``n + 1`` non-decreasing integers from 0 to ``len(indices)``;
    ``indices`` are integers in ``[0, n)``, strictly increasing within each row (sorted, no
    repeated tie) and never the row itself (no self-loop); ``data`` holds one finite weight
    > 0 per entry; with ``symmetric`` the matrix equals its transpose (an undirected graph:
    both directions of every tie, with the same weight). Memory beyond the arrays is bounded
    (the checks run in chunks of about a million entries). Errors about the weights or the
    graph as a whole name ``whole`` when given (the caller's parameter holding the matrix),
    else ``weight`` and ``graph``.

    Examples
    --------
    >>> import numpy as np
    >>> ip, ix, w = check_csr([0, 1, 2], [1, 0], [1.0, 1.0], n=2, owner="f", field="g",
    ...                       symmetric=True)
    >>> ix.tolist()
    [1, 0]
    >>> check_csr([0, 1, 2], [10**9, 0], [1.0, 1.0], n=2, owner="DiffusionNetwork",
    ...           field="indices", symmetric=False)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `DiffusionNetwork.indices` must be node indices \
in [0, 2) (entry 0); got 1000000000
    """
    ip = _int_array(indptr, owner, "indptr" if field == "indices" else field)
    ix = _int_array(indices, owner, field)
    try:
        w = np.asarray(data)
    except (TypeError, ValueError) as exc:
        raise fail(owner, whole or "weight", "be an array of numbers", data) from exc
    if w.dtype.kind not in "iuf" or w.ndim != 1:
        raise fail(owner, whole or "weight", "be a one-dimensional array of numbers", data)
    w = w.astype(np.float64, copy=False)
    pfield = "indptr" if field == "indices" else field
    if ip.ndim != 1 or ip.shape[0] != n + 1:
        raise fail(owner, pfield, f"have n + 1 = {n + 1} row pointers", ip.shape)
    m = ix.shape[0]
    if ix.ndim != 1 or w.shape[0] != m:
        raise fail(owner, whole or "weight", f"have one weight per entry ({m})", w.shape)
    if ip[0] != 0 or ip[-1] != m:
        raise fail(owner, pfield, f"start at 0 and end at the number of entries ({m})", ip)
    steps = np.diff(ip)
    if (steps < 0).any():
        bad = int(np.flatnonzero(steps < 0)[0])
        raise fail(owner, pfield, f"be non-decreasing (row {bad})", ip)
    for r0, r1 in _row_chunks(ip, n):
        e0, e1 = int(ip[r0]), int(ip[r1])
        if e1 == e0:
            continue
        sub = ix[e0:e1]
        out = (sub < 0) | (sub >= n)
        if out.any():
            j = int(np.flatnonzero(out)[0])
            raise fail(owner, field, f"be node indices in [0, {n}) (entry {e0 + j})", sub[j])
        rows = np.repeat(np.arange(r0, r1, dtype=ix.dtype), steps[r0:r1])
        loop = sub == rows
        if loop.any():
            j = int(np.flatnonzero(loop)[0])
            node = _shown(labels, int(rows[j]))
            raise fail(owner, whole or "graph", "have no self-loops", (node, node))
        if sub.shape[0] > 1:
            same_row = rows[1:] == rows[:-1]
            bad_order = same_row & (sub[1:] <= sub[:-1])
            if bad_order.any():
                j = int(np.flatnonzero(bad_order)[0])
                u = int(rows[j])
                if sub[j + 1] == sub[j]:
                    tie = (_shown(labels, u), _shown(labels, int(sub[j])))
                    raise fail(owner, whole or "graph", "not repeat a tie", tie)
                raise fail(owner, field, f"be sorted within each row (row {u})", sub[j + 1])
        ws = w[e0:e1]
        bad_w = ~np.isfinite(ws) | (ws <= 0)
        if bad_w.any():
            j = int(np.flatnonzero(bad_w)[0])
            rule = (
                "have finite weights > 0 on every tie"
                if whole
                else "be finite and > 0 on every tie"
            )
            raise fail(owner, whole or "weight", rule, ws[j])
    if symmetric and not _is_symmetric(ip, ix, w, n):
        raise fail(
            owner,
            whole or "graph",
            "be symmetric (undirected: both directions of every tie, same weight)",
            "asymmetric adjacency",
        )
    return ip, ix, w


def _int_array(x: Any, owner: str, field: str) -> NDArray[Any]:
    try:
        a = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise fail(owner, field, "be an array of integers", x) from exc
    if a.dtype.kind not in "iu":
        if a.dtype.kind == "f" and a.size and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
            return a.astype(np.int64)
        raise fail(owner, field, "be an array of integers", x)
    if a.dtype.kind == "u":
        if a.size and int(a.max()) > np.iinfo(np.int64).max:
            raise fail(owner, field, "hold integers below 2^63", int(a.max()))
        return a.astype(np.int64)
    return a


def _row_chunks(ip: NDArray[Any], n: int) -> Iterator[tuple[int, int]]:
    """Row ranges of about :data:`_CHUNK` entries each (a huge row is a chunk of its own)."""
    r0 = 0
    while r0 < n:
        target = int(ip[r0]) + _CHUNK
        r1 = int(np.searchsorted(ip, target, side="right")) - 1
        r1 = min(max(r1, r0 + 1), n)
        yield r0, r1
        r0 = r1


def _is_symmetric(ip: NDArray[Any], ix: NDArray[Any], w: NDArray[np.float64], n: int) -> bool:
    """Whether the canonical CSR equals its transpose (scipy's counting-sort transpose)."""
    A = sp.csr_array((w, ix, ip), shape=(n, n), copy=False)
    T = A.T.tocsr()
    T.sort_indices()
    return bool(
        np.array_equal(T.indptr, ip) and np.array_equal(T.indices, ix) and np.array_equal(T.data, w)
    )


# --- conversion ---------------------------------------------------------------------------------


GraphArrays = tuple[
    NDArray[Any], NDArray[Any], NDArray[np.float64], int, tuple[Hashable, ...] | None, bool
]
"""``(indptr, indices, weight, n, labels, directed)``: canonical CSR arrays (int32 indices
when they fit), the node count, the user's labels (``None`` for ``0..n-1``), directedness."""


def edges_to_csr(
    n: int,
    u: NDArray[np.integer[Any]],
    v: NDArray[np.integer[Any]],
    w: NDArray[np.floating[Any]] | None = None,
) -> sp.csr_array:
    """Symmetric CSR adjacency from undirected edge lists, dropping self-loops and duplicates.

    Duplicate edges keep the largest weight. Weights default to 1. (The generators' builder:
    their edge lists may repeat a tie; user edge lists go through :func:`graph_arrays`, which
    refuses repeats.)

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
    idx_dtype = index_dtype(n, rows.size)
    A = sp.csr_array(
        (data, (rows.astype(idx_dtype), cols.astype(idx_dtype))), shape=(n, n), dtype=np.float64
    )
    A.sort_indices()
    return A


def _weights_of(adj: dict[Any, Any], weight: str, m: int, owner: str) -> NDArray[np.float64]:
    values = [d.get(weight, 1.0) for nbrs in adj.values() for d in nbrs.values()]
    arr = np.array(values) if values else np.zeros(0)
    if arr.shape != (m,) or arr.dtype.kind not in "iuf":
        bad = next(
            (
                x
                for x in values
                if not isinstance(x, numbers.Real) or isinstance(x, bool | np.bool_)
            ),
            None,
        )
        raise fail(owner, "weight", f"be a number on every edge (attribute {weight!r})", bad)
    out: NDArray[np.float64] = arr.astype(np.float64, copy=False)
    return out


def _from_networkx(
    G: nx.Graph, *, owner: str, weight: str | None, allow_directed: bool
) -> GraphArrays:
    directed = bool(G.is_directed())
    if directed and not allow_directed:
        raise fail(owner, "graph", "be undirected (got a directed graph)", type(G).__name__)
    if G.is_multigraph():
        raise fail(owner, "graph", "be a simple graph (got a multigraph)", type(G).__name__)
    adj = G._adj  # the successors of a DiGraph: out-edges, as the CSR rows want
    n = len(adj)
    if n == 0:
        raise fail(owner, "graph", "have at least one node", 0)
    labels = tuple(adj)
    deg = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
    indptr_full = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=indptr_full[1:])
    m = int(indptr_full[-1])
    idx = index_dtype(n, m)
    nbrs = itertools.chain.from_iterable(adj.values())
    is_range = labels == tuple(range(n))
    if is_range:
        indices = np.fromiter(nbrs, dtype=idx, count=m)
    else:
        position = dict(zip(labels, range(n), strict=True))
        indices = np.fromiter(map(position.__getitem__, nbrs), dtype=idx, count=m)
    rows = np.repeat(np.arange(n, dtype=idx), deg)
    loops = np.flatnonzero(indices == rows)
    del rows
    if loops.size:
        u = labels[int(indices[loops[0]])]
        raise fail(owner, "graph", "have no self-loops", (u, u))
    data = np.ones(m, dtype=np.float64) if weight is None else _weights_of(adj, weight, m, owner)
    bad = ~np.isfinite(data) | (data < 0)
    if bad.any():
        raise fail(owner, "weight", "be finite and >= 0 on every edge", data[np.argmax(bad)])
    A = sp.csr_array((data, indices, indptr_full.astype(idx)), shape=(n, n), copy=False)
    A.sort_indices()
    if (data == 0).any():  # a tie of no strength is no tie
        A.eliminate_zeros()
    return A.indptr, A.indices, A.data, n, (None if is_range else labels), directed


_CHECKED_FORMATS = ("csr", "csc", "bsr", "coo")
"""Sparse formats whose index arrays :func:`_check_sparse_indices` checks (scipy trusts them)."""


def _check_sparse_indices(M: Any, *, owner: str, field: str) -> None:
    """Refuse a sparse matrix whose index arrays point outside it, before scipy converts it.

    scipy's conversions trust the index arrays of a compressed (CSR, CSC, BSR) or coordinate
    (COO) matrix; one edited after construction makes them write out of bounds (a crash).
    """
    fmt = getattr(M, "format", None)
    try:
        if fmt in ("csr", "csc", "bsr"):
            M.check_format(full_check=True)
        elif fmt == "coo":
            coords = getattr(M, "coords", None) or (M.row, M.col)
            for axis, idx in enumerate(coords):
                idx = np.asarray(idx)
                if idx.dtype.kind not in "iu":
                    raise ValueError(f"axis {axis} indices are not integers ({idx.dtype})")
                if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= M.shape[axis]):
                    raise ValueError(f"axis {axis} index out of range 0..{M.shape[axis] - 1}")
    except ValueError as exc:
        raise fail(
            owner, field, f"have valid sparse index arrays ({exc})", "sparse matrix"
        ) from exc


def _from_sparse(M: Any, *, owner: str, allow_directed: bool, field: str = "graph") -> GraphArrays:
    _check_sparse_indices(M, owner=owner, field=field)
    try:
        A = sp.csr_array(M)
    except (TypeError, ValueError) as exc:
        raise fail(owner, field, "be a numeric sparse matrix", type(M).__name__) from exc
    if getattr(M, "format", None) not in _CHECKED_FORMATS:
        # scipy trusts a compressed matrix's index arrays; an index out of range would make
        # sum_duplicates below write out of bounds (a segfault), so check the converted ones
        # too when the input's were not checked above
        _check_sparse_indices(A, owner=owner, field=field)
    if A.dtype.kind not in "biuf":
        raise fail(owner, field, "hold numeric weights", A.dtype)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise fail(owner, field, "be a square matrix", A.shape)
    n = int(A.shape[0])
    if n == 0:
        raise fail(owner, field, "have at least one node", 0)
    A = A.astype(np.float64)  # a copy: the caller's matrix is never changed
    A.sum_duplicates()  # canonical: sorted indices, duplicates summed
    diag = A.diagonal()
    if diag.any():
        i = int(np.flatnonzero(diag)[0])
        raise fail(owner, field, "have no self-loops (non-zero diagonal)", (i, i))
    bad = ~np.isfinite(A.data) | (A.data < 0)
    if bad.any():
        raise fail(owner, field, "hold finite weights >= 0 on every edge", A.data[np.argmax(bad)])
    A.eliminate_zeros()
    idx = index_dtype(n, A.nnz)
    ip, ix = A.indptr.astype(idx, copy=False), A.indices.astype(idx, copy=False)
    symmetric = _is_symmetric(ip, ix, A.data, n)
    if not symmetric and not allow_directed:
        raise fail(owner, field, "be symmetric (undirected)", "asymmetric matrix")
    return ip, ix, A.data, n, None, not symmetric


def _from_edges(
    E: NDArray[Any], *, owner: str, n: int | None, directed: bool, allow_directed: bool
) -> GraphArrays:
    if directed and not allow_directed:
        raise fail(owner, "directed", "be False here (an undirected graph)", directed)
    if E.ndim != 2 or E.shape[1] not in (2, 3):
        raise fail(owner, "graph", "be an (m, 2) edge array, or (m, 3) with weights", E.shape)
    if E.dtype.kind not in "iuf":
        raise fail(owner, "graph", "be a numeric edge array", E.dtype)
    ends = E[:, :2]
    if ends.dtype.kind == "f" and not (np.isfinite(ends).all() and (ends == np.round(ends)).all()):
        raise fail(owner, "graph", "hold integer node indices in its first two columns", E)
    u = ends[:, 0].astype(np.int64)
    v = ends[:, 1].astype(np.int64)
    top = int(max(u.max(), v.max())) + 1 if u.size else 0
    n = top if n is None else check_int(n, owner=owner, field="n", low=1)
    if n == 0:
        raise fail(owner, "graph", "have at least one node", 0)
    if u.size and (min(int(u.min()), int(v.min())) < 0 or top > n):
        raise fail(owner, "graph", f"hold node indices in [0, {n})", E)
    loop = u == v
    if loop.any():
        i = int(u[np.argmax(loop)])
        raise fail(owner, "graph", "have no self-loops", (i, i))
    w = np.ones(u.shape[0]) if E.shape[1] == 2 else E[:, 2].astype(np.float64)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise fail(owner, "weight", "be finite and > 0 on every edge", w[np.argmax(bad)])
    idx = index_dtype(n, 2 * u.size)
    if directed:
        rows, cols, data = u.astype(idx), v.astype(idx), w
    else:
        rows = np.concatenate([u, v]).astype(idx)
        cols = np.concatenate([v, u]).astype(idx)
        data = np.concatenate([w, w])
    A = sp.coo_array((data, (rows, cols)), shape=(n, n)).tocsr()
    A.sum_duplicates()
    if A.nnz != rows.shape[0]:
        seen = set()
        for a, b in zip(u.tolist(), v.tolist(), strict=True):
            key = (a, b) if directed else (min(a, b), max(a, b))
            if key in seen:
                raise fail(owner, "graph", "not repeat a tie", (a, b))
            seen.add(key)
    return (
        A.indptr.astype(idx, copy=False),
        A.indices.astype(idx, copy=False),
        A.data,
        n,
        None,
        bool(directed),
    )


def graph_arrays(
    graph: GraphLike,
    *,
    owner: str = "graph_arrays",
    weight: str | None = "weight",
    allow_directed: bool = False,
    n: int | None = None,
    directed: bool = False,
    field: str = "graph",
) -> GraphArrays:
    """Canonical CSR arrays of a Community, networkx graph, sparse matrix or edge array.

    Parameters
    ----------
    graph
        A :class:`~shequn.community.Community`; a networkx ``Graph`` (or ``DiGraph`` when
        ``allow_directed``); a square scipy sparse matrix (``A[u, v]`` is the weight of
        ``u → v``; a symmetric matrix is undirected); or an integer array of edges, shape
        (m, 2), or (m, 3) with a weight column, nodes ``0..n-1``.
    owner
        The calling function, named in errors.
    weight
        Edge attribute holding the weight for networkx graphs (``None``: every edge weighs 1).
    allow_directed
        Accept directed graphs (else they are refused).
    n
        Number of nodes of an edge array (default: the largest index + 1).
    directed
        Whether an edge array lists directed edges (else each row is an undirected tie).
    field
        The caller's parameter named in errors about a sparse matrix (default ``graph``).

    Examples
    --------
    >>> import numpy as np
    >>> ip, ix, w, n, labels, directed = graph_arrays(np.array([[0, 1], [1, 2]]))
    >>> ip.tolist(), ix.tolist(), n, directed
    ([0, 1, 3, 4], [1, 0, 2, 1], 3, False)
    >>> graph_arrays(np.array([[0, 1], [1, 0]]))
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `graph_arrays.graph` must not repeat a tie; \
got (1, 0)
    """
    from shequn.community.community import Community

    if weight is not None and not isinstance(weight, str):
        raise fail(owner, "weight", "be None or the name (a str) of an edge attribute", weight)
    if isinstance(graph, Community):
        A = graph.adjacency
        return A.indptr, A.indices, A.data, graph.n, graph.labels, False
    if isinstance(graph, nx.Graph):
        return _from_networkx(graph, owner=owner, weight=weight, allow_directed=allow_directed)
    if sp.issparse(graph):
        return _from_sparse(graph, owner=owner, allow_directed=allow_directed, field=field)
    if isinstance(graph, np.ndarray):
        return _from_edges(
            graph, owner=owner, n=n, directed=directed, allow_directed=allow_directed
        )
    raise fail(
        owner,
        "graph",
        "be a Community, a networkx graph, a scipy sparse matrix or an (m, 2) edge array",
        type(graph).__name__,
    )


def as_csr(
    graph: GraphLike,
    *,
    owner: str = "as_csr",
    weight: str | None = "weight",
    allow_directed: bool = False,
    field: str = "graph",
) -> tuple[sp.csr_array, tuple[Hashable, ...] | None]:
    """Return ``(adjacency, labels)`` for a Community, networkx graph, sparse matrix or edges.

    ``labels`` maps row index to the user's node label (``None`` when nodes are already
    ``0..n-1``, as for a Community, a sparse matrix or an edge array). A directed graph is
    refused unless ``allow_directed`` (then ``A[i, j]`` is the weight of the edge i → j). The
    adjacency is canonical (sorted, distinct indices per row), without self-loops or zero
    weights; a Community's own matrix is returned as is.

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
    ip, ix, w, n, labels, _ = graph_arrays(
        graph, owner=owner, weight=weight, allow_directed=allow_directed, field=field
    )
    A = sp.csr_array((w, ix, ip), shape=(n, n), copy=False)
    A.has_sorted_indices = True
    return A, labels


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
    if (  # the common case, checked fast: a list of distinct ints in range
        labels is None
        and type(members) is list
        and members
        and not allow_repeats
        and all(type(x) is int for x in members)
        and min(members) >= 0
        and max(members) < n
        and len(set(members)) == len(members)
    ):
        return np.array(members, dtype=np.int64)
    if isinstance(members, str | bytes) or not isinstance(members, Iterable):
        items: list[Hashable] = [members]
    elif isinstance(members, np.ndarray):
        items = list(members.ravel().tolist())
    else:
        items = list(members)
    if not items and not allow_empty:
        raise fail(owner, field, "be non-empty", items)
    if labels is None:
        ints = [x for x in items if type(x) is int]  # the common case, checked fast
        if len(ints) != len(items) or (ints and (min(ints) < 0 or max(ints) >= n)):
            for x in items:
                if isinstance(x, bool) or not isinstance(x, int | np.integer) or not 0 <= x < n:
                    raise fail(owner, field, f"be members of the community (0..{n - 1})", x)
        out = np.array(items, dtype=np.int64)
    else:
        index = {lab: i for i, lab in enumerate(labels)}
        out = np.empty(len(items), dtype=np.int64)
        for i, x in enumerate(items):
            try:
                out[i] = index[x]
            except (KeyError, TypeError):
                raise fail(owner, field, "be nodes of the graph", x) from None
    if not allow_repeats and len(set(out.tolist())) != out.size:
        vals, counts = np.unique(out, return_counts=True)
        dup = vals[counts > 1][0]
        shown = labels[dup] if labels is not None else int(dup)
        raise fail(owner, field, "not repeat a member", shown)
    return out
