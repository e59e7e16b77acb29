"""The network every diffusion model and seeding method walks, and its per-edge parameters.

One place for three concepts shared by the cascade models (:mod:`shequn.diffusion.cascades`)
and influence maximisation (:mod:`shequn.diffusion.seeding`):

* :class:`DiffusionNetwork`: a graph as out-edge CSR arrays (``indptr``, ``indices``,
  ``weight``: edge ``e`` in row ``u`` goes ``u → indices[e]``). An undirected graph is stored
  as both directions of every tie, so word of mouth can travel either way. Built once by
  :func:`as_network` from a :class:`~shequn.community.Community`, a networkx ``Graph`` or
  ``DiGraph``, or a square scipy sparse matrix (``A[u, v]`` is the weight of ``u → v``).
* :func:`edge_probabilities`: the independent-cascade probability of every edge, from a
  number, a per-edge array, the *weighted cascade* (``"weighted"``: ``1 / in-degree`` of the
  target, Kempe, Kleinberg & Tardos 2003) or the edge weights themselves (``"weight"``, e.g. tie
  strength in [0, 1]: strong ties transmit more), or a function of the weights.
* :func:`threshold_weights`: linear-threshold in-weights, which must sum to at most 1 at every
  node (``"uniform"``: ``1 / in-degree``; ``"normalized"``: the edge weights scaled to sum to
  1; ``"weight"``: the weights as given; or a per-edge array).

Per-edge arrays are aligned with the out-edge order (``net.indices``); :meth:`DiffusionNetwork.
transpose` returns the in-edge view and the permutation that carries per-edge arrays across.

Examples
--------
>>> import networkx as nx
>>> from shequn.diffusion._network import as_network, edge_probabilities
>>> net = as_network(nx.star_graph(2))
>>> net.n, net.n_edges, net.directed
(3, 4, False)
>>> edge_probabilities(net, "weighted").tolist()   # 0->1, 0->2, 1->0, 2->0
[1.0, 1.0, 0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import check_array, check_bool, check_choice, check_probability, fail
from shequn.community._graph import (
    check_csr,
    graph_arrays,
    index_dtype,
    is_trusted,
    trusted_csr,
)

__all__ = [
    "DiffusionNetwork",
    "EdgeProbability",
    "ThresholdWeights",
    "as_network",
    "edge_probabilities",
    "threshold_weights",
]

EdgeProbability: TypeAlias = (
    float | ArrayLike | Literal["weighted", "weight"] | Callable[[NDArray[np.float64]], ArrayLike]
)
ThresholdWeights: TypeAlias = ArrayLike | Literal["uniform", "normalized", "weight"]


def _index_array(x: Any) -> NDArray[Any]:
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def _labels_tuple(x: Any) -> Any:
    # a str or a non-iterable passes unchanged, for __attrs_post_init__ to refuse by name
    if x is None or isinstance(x, str | bytes) or not isinstance(x, Iterable):
        return x
    return tuple(x)


@attrs.frozen(kw_only=True)
class DiffusionNetwork:
    """A graph as out-edge CSR arrays, ready for diffusion kernels.

    Build one with :func:`as_network` (from a Community, a networkx graph, a sparse matrix or
    an edge array), once, and pass it to every call. Built by hand, it is checked like any user
    input (:func:`~shequn.community._graph.check_csr`): the compiled kernels read these arrays
    without bounds checks, so no bad index may reach them.

    Attributes
    ----------
    indptr
        (n + 1,) row pointers: the out-edges of ``u`` are ``indptr[u]:indptr[u + 1]``; they
        start at 0, never decrease and end at the number of edges.
    indices
        (m,) targets of the out-edges, node indices in ``[0, n)``, strictly increasing within
        each row (no repeated edge), never the row itself (no self-loop). Stored as int32 when
        the graph fits (``n`` and ``m`` below 2^31; half the memory traffic), else int64.
    weight
        (m,) float64 edge weights (tie strength; 1 when the graph has none), finite and > 0.
    directed
        Whether the graph is directed; an undirected network stores both directions of every
        tie with the same weight (it must be symmetric).
    labels
        The user's node labels by index (distinct), or ``None`` when nodes are ``0..n-1``.

    Examples
    --------
    >>> import numpy as np
    >>> net = DiffusionNetwork(indptr=[0, 1, 2], indices=[1, 0], weight=[1.0, 1.0])
    >>> net.n, net.n_edges, net.indices.dtype.name
    (2, 2, 'int32')
    >>> DiffusionNetwork(indptr=[0, 1, 2], indices=[10**9, 0], weight=[1.0, 1.0])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `DiffusionNetwork.indices` must be node indices \
in [0, 2) (entry 0); got 1000000000
    """

    indptr: NDArray[Any] = attrs.field(eq=array_eq, repr=False, converter=_index_array)
    indices: NDArray[Any] = attrs.field(eq=array_eq, repr=False, converter=_index_array)
    weight: FloatArray = attrs.field(eq=array_eq, repr=False, converter=_index_array)
    directed: bool = False
    labels: tuple[Hashable, ...] | None = attrs.field(
        default=None, repr=False, converter=_labels_tuple
    )

    def __attrs_post_init__(self) -> None:
        if is_trusted():
            return
        owner = "DiffusionNetwork"
        check_bool(self.directed, owner=owner, field="directed")
        n = int(np.shape(self.indptr)[0]) - 1 if np.ndim(self.indptr) == 1 else -1
        if n < 1:
            raise fail(owner, "indptr", "be a 1-d array of n + 1 >= 2 row pointers", self.indptr)
        if self.labels is not None:
            if not isinstance(self.labels, tuple):
                raise fail(owner, "labels", "be a sequence of node labels", self.labels)
            if len(self.labels) != n:
                raise fail(owner, "labels", f"have one label per node ({n})", len(self.labels))
            try:
                distinct = len(set(self.labels)) == n
            except TypeError:
                raise fail(owner, "labels", "be hashable", self.labels) from None
            if not distinct:
                raise fail(owner, "labels", "be distinct", self.labels)
        ip, ix, w = check_csr(
            self.indptr,
            self.indices,
            self.weight,
            n=n,
            owner=owner,
            field="indices",
            symmetric=not self.directed,
            labels=self.labels,
        )
        idx = index_dtype(n, int(ix.shape[0]))
        object.__setattr__(self, "indptr", np.ascontiguousarray(ip, dtype=idx))
        object.__setattr__(self, "indices", np.ascontiguousarray(ix, dtype=idx))
        object.__setattr__(self, "weight", np.ascontiguousarray(w, dtype=np.float64))
        object.__setattr__(self, "directed", bool(self.directed))

    @property
    def n(self) -> int:
        """Number of nodes."""
        return int(self.indptr.shape[0] - 1)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (twice the ties of an undirected graph)."""
        return int(self.indices.shape[0])

    @property
    def out_degree(self) -> IntArray:
        """Out-edges per node."""
        out: IntArray = np.diff(self.indptr).astype(np.int64, copy=False)
        return out

    @property
    def in_degree(self) -> IntArray:
        """In-edges per node.

        Examples
        --------
        >>> import networkx as nx
        >>> as_network(nx.DiGraph([(0, 1), (2, 1)])).in_degree.tolist()
        [0, 2, 0]
        """
        out: IntArray = np.bincount(self.indices, minlength=self.n).astype(np.int64)
        return out

    @property
    def sources(self) -> IntArray:
        """(m,) source node of every out-edge (the row of each entry)."""
        out: IntArray = np.repeat(np.arange(self.n, dtype=np.int64), self.out_degree)
        return out

    def to_csr(self) -> sp.csr_array:
        """The weighted adjacency as a scipy ``csr_array`` (``A[u, v]`` = weight of u → v)."""
        return sp.csr_array((self.weight, self.indices, self.indptr), shape=(self.n, self.n))

    def transpose(self) -> tuple[DiffusionNetwork, IntArray]:
        """The reversed network (in-edges as rows) and the edge permutation.

        ``perm[e_in]`` is the out-edge index of in-edge ``e_in``, so a per-edge array ``x``
        aligned with this network becomes ``x[perm]`` on the reversed one.

        Examples
        --------
        >>> import networkx as nx
        >>> net = as_network(nx.DiGraph([(0, 1), (0, 2), (1, 2)]))
        >>> rev, perm = net.transpose()
        >>> rev.indices.tolist(), perm.tolist()    # in-edges of 1: from 0; of 2: from 0, 1
        ([0, 0, 1], [0, 1, 2])
        """
        src = self.sources
        order = np.lexsort((src, self.indices)).astype(np.int64)
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(self.in_degree, out=indptr[1:])
        with trusted_csr():  # the transpose of a valid network is valid
            rev = DiffusionNetwork(
                indptr=indptr.astype(self.indptr.dtype),
                indices=src[order].astype(self.indices.dtype),
                weight=self.weight[order],
                directed=self.directed,
                labels=self.labels,
            )
        return rev, order


def as_network(
    graph: Any,
    *,
    owner: str = "as_network",
    weight: str | None = "weight",
    n: int | None = None,
    directed: bool = False,
) -> DiffusionNetwork:
    """Convert a graph to a :class:`DiffusionNetwork` (once; pass the result to every call).

    A :class:`DiffusionNetwork` is returned as it is, so a large graph converted once can be
    passed to every model and seeding method without converting it again (networkx graphs are
    mutable and carry no version, so shequn never caches a conversion behind your back).
    Directed graphs are accepted (``A[u, v]`` is the edge ``u → v``); an undirected graph or a
    symmetric matrix gives both directions of every tie. Edges of weight 0 are dropped (a tie
    of no strength is no tie); negative, non-finite or non-numeric weights and self-loops are
    refused.

    Parameters
    ----------
    graph
        A :class:`~shequn.community.Community`; a networkx ``Graph``/``DiGraph``; a square
        scipy sparse matrix; an integer edge array of shape (m, 2), or (m, 3) with a weight
        column (nodes ``0..n-1``; each row a tie, or a directed edge with ``directed=True``);
        or a :class:`DiffusionNetwork` (returned unchanged).
    owner
        Name of the calling function, used in error messages.
    weight
        Edge attribute holding the weight for networkx graphs (``None``: every edge weighs 1).
    n
        Number of nodes of an edge array (default: its largest index + 1).
    directed
        Whether the rows of an edge array are directed edges.

    Examples
    --------
    >>> import networkx as nx
    >>> net = as_network(nx.DiGraph([("a", "b")]))
    >>> net.directed, net.labels, net.indices.tolist()
    (True, ('a', 'b'), [1])
    >>> as_network(net) is net
    True
    >>> import numpy as np
    >>> as_network(np.array([[0, 1], [1, 2]])).indices.tolist()   # ties 0-1 and 1-2
    [1, 0, 2, 1]
    >>> as_network(nx.MultiGraph([(0, 1), (0, 1)]))
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `as_network.graph` must be a simple graph (got a \
multigraph); got 'MultiGraph'
    """
    if isinstance(graph, DiffusionNetwork):
        return graph
    ip, ix, w, size, labels, is_directed = graph_arrays(
        graph, owner=owner, weight=weight, allow_directed=True, n=n, directed=directed
    )
    idx = index_dtype(size, int(ix.shape[0]))
    with trusted_csr():  # graph_arrays returns canonical, checked arrays
        return DiffusionNetwork(
            indptr=np.ascontiguousarray(ip, dtype=idx),
            indices=np.ascontiguousarray(ix, dtype=idx),
            weight=np.ascontiguousarray(w, dtype=np.float64),
            directed=is_directed,
            labels=labels,
        )


def edge_probabilities(
    net: DiffusionNetwork, p: EdgeProbability, *, owner: str = "edge_probabilities"
) -> NDArray[np.float64]:
    """Independent-cascade transmission probability of every out-edge of ``net``.

    Parameters
    ----------
    net
        The network (see :func:`as_network`).
    p
        * a number in [0, 1]: the same probability on every edge;
        * an array of ``net.n_edges`` values in [0, 1], aligned with ``net.indices``;
        * ``"weighted"``: the weighted cascade, ``1 / in-degree(target)``;
        * ``"weight"``: the edge weights themselves (they must lie in [0, 1], e.g. tie strength);
        * a function of the weight array returning one probability per edge, e.g.
          ``lambda s: 0.01 + 0.09 * s`` for ties that transmit more the stronger they are.
    owner
        Name of the calling function, used in error messages.

    Examples
    --------
    >>> import networkx as nx
    >>> net = as_network(nx.Graph([(0, 1, {"weight": 0.5})]))
    >>> edge_probabilities(net, lambda s: 0.2 * s).tolist()
    [0.1, 0.1]
    >>> edge_probabilities(net, 1.5, owner="independent_cascade")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `independent_cascade.p` must be in [0, 1]; got 1.5
    """
    m = net.n_edges
    if isinstance(p, str):
        check_choice(p, ["weighted", "weight"], owner=owner, field="p")
        if p == "weighted":
            indeg = net.in_degree
            out: NDArray[np.float64] = 1.0 / indeg[net.indices].astype(np.float64)
            return out
        return check_array(net.weight, owner=owner, field="p (edge weights)", probability=True)
    if callable(p):
        values = check_array(p(net.weight.copy()), owner=owner, field="p", ndim=1, probability=True)
        if values.shape[0] != m:
            raise fail(owner, "p", f"return one probability per edge ({m})", values.shape[0])
        return values.astype(np.float64)
    if np.ndim(p) == 0:
        return np.full(m, check_probability(p, owner=owner, field="p"))
    values = check_array(p, owner=owner, field="p", ndim=1, probability=True)
    if values.shape[0] != m:
        raise fail(owner, "p", f"have one probability per edge ({m})", values.shape[0])
    return values.astype(np.float64)


def threshold_weights(
    net: DiffusionNetwork,
    weights: ThresholdWeights = "uniform",
    *,
    owner: str = "threshold_weights",
) -> NDArray[np.float64]:
    """Linear-threshold influence weight of every out-edge ``u → v`` on its target ``v``.

    The weights into every node must sum to at most 1 (Kempe, Kleinberg & Tardos 2003).

    Parameters
    ----------
    net
        The network (see :func:`as_network`).
    weights
        ``"uniform"`` (``1 / in-degree`` of the target, the usual benchmark choice),
        ``"normalized"`` (edge weights divided by the target's total in-weight, so stronger ties
        weigh more), ``"weight"`` (edge weights as given) or an array of ``net.n_edges``
        non-negative values aligned with ``net.indices``.
    owner
        Name of the calling function, used in error messages.

    Examples
    --------
    >>> import networkx as nx
    >>> net = as_network(nx.DiGraph([(0, 2, {"weight": 3.0}), (1, 2, {"weight": 1.0})]))
    >>> threshold_weights(net, "normalized").tolist()
    [0.75, 0.25]
    >>> threshold_weights(net, "weight", owner="linear_threshold")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `linear_threshold.weights` must sum to at most 1 \
over the in-edges of every node (node 2); got 4.0
    """
    m = net.n_edges
    if isinstance(weights, str):
        check_choice(weights, ["uniform", "normalized", "weight"], owner=owner, field="weights")
        if weights == "uniform":
            out: NDArray[np.float64] = 1.0 / net.in_degree[net.indices].astype(np.float64)
            return out
        w = net.weight.copy()
        if weights == "normalized":
            total = np.bincount(net.indices, weights=w, minlength=net.n)
            out = w / total[net.indices]
            return out
    else:
        w = check_array(weights, owner=owner, field="weights", ndim=1, nonnegative=True)
        if w.shape[0] != m:
            raise fail(owner, "weights", f"have one weight per edge ({m})", w.shape[0])
        w = w.astype(np.float64)
    total = np.bincount(net.indices, weights=w, minlength=net.n)
    over = np.flatnonzero(total > 1.0 + 1e-9)
    if over.size:
        node = int(over[0])
        shown = net.labels[node] if net.labels is not None else node
        raise fail(
            owner,
            "weights",
            f"sum to at most 1 over the in-edges of every node (node {shown})",
            float(total[node]),
        )
    return w
