"""Structure metrics: k-hop reach (二三级人脉), distance rings (差序格局), centralisation,
clustering, homophily, social capital and the network value laws.

All graph functions take the graph first (a :class:`~shequn.community.Community`, a networkx
graph or a sparse matrix) and work on CSR internally, walking the frontier with vectorised
numpy rather than a Python loop over members.

Examples
--------
>>> import networkx as nx
>>> from shequn.community.metrics import k_hop_reach, degree_centralization
>>> k_hop_reach(nx.path_graph(6), [0], k=3).tolist()
[1, 1, 1, 1]
>>> degree_centralization(nx.star_graph(9))
1.0
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from shequn._results import Summary, format_value
from shequn._validation import check_array, check_int, fail
from shequn.community._graph import GraphLike, as_csr, resolve_members

__all__ = [
    "average_clustering",
    "degree_centralization",
    "distance_rings",
    "k_hop_reach",
    "metcalfe_value",
    "modularity",
    "odlyzko_value",
    "reed_log_value",
    "sarnoff_value",
    "social_capital",
    "structure_summary",
    "taste_assortativity",
    "triangles",
]


def _expand(A: sp.csr_array, frontier: NDArray[np.int64]) -> NDArray[np.int64]:
    """Distinct neighbours of the frontier nodes (no Python loop over members)."""
    indptr, indices = A.indptr, A.indices
    starts = indptr[frontier]
    lengths = indptr[frontier + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    if total > A.shape[0]:
        # dense frontier: one sparse mat-vec is cheaper than gathering every row
        x = np.zeros(A.shape[0])
        x[frontier] = 1.0
        return np.flatnonzero(A @ x).astype(np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    hits = indices[offsets]
    if total * 64 < A.shape[0]:
        return np.unique(hits).astype(np.int64)
    # many hits: marking a boolean mask is linear and beats sorting or hashing them
    mark = np.zeros(A.shape[0], dtype=bool)
    mark[hits] = True
    return np.flatnonzero(mark).astype(np.int64)


def _rings(A: sp.csr_array, sources: NDArray[np.int64], k: int | None) -> list[int]:
    n = A.shape[0]
    visited = np.zeros(n, dtype=bool)
    visited[sources] = True
    frontier = np.unique(sources)
    counts = [int(frontier.size)]
    d = 0
    while frontier.size and (k is None or d < k):
        nxt = _expand(A, frontier)
        nxt = nxt[~visited[nxt]]
        visited[nxt] = True
        d += 1
        if k is None and nxt.size == 0:
            break
        counts.append(int(nxt.size))
        frontier = nxt
    if k is not None:
        counts.extend([0] * (k + 1 - len(counts)))
    return counts


def k_hop_reach(graph: GraphLike, members: Iterable[Hashable], *, k: int = 3) -> NDArray[np.int64]:
    """Members at distance exactly 0, 1, ..., k from a set of members.

    Entry 0 counts the set itself, entry 1 its direct contacts, entries 2 and 3 the 2nd and 3rd
    degree contacts (二三级人脉, seed 000) that a campaign through these members can penetrate.
    ``cumsum`` gives the reach within d hops.

    Examples
    --------
    >>> import networkx as nx
    >>> k_hop_reach(nx.star_graph(5), [1], k=3).tolist()
    [1, 1, 4, 0]
    """
    A, labels = as_csr(graph, owner="k_hop_reach")
    k = check_int(k, owner="k_hop_reach", field="k", low=0)
    src = resolve_members(members, A.shape[0], labels, owner="k_hop_reach", field="members")
    return np.asarray(_rings(A, src, k), dtype=np.int64)


def distance_rings(
    graph: GraphLike, member: Hashable, *, max_distance: int | None = None
) -> NDArray[np.int64]:
    """Concentric rings around one member: how many people at each distance (差序格局, seed 003).

    Fei Xiaotong's image of relationships as ripples spreading from a stone thrown in water:
    entry d counts the people d steps away. Without ``max_distance`` it runs until the
    member's component is exhausted.

    Examples
    --------
    >>> import networkx as nx
    >>> distance_rings(nx.balanced_tree(2, 3), 0).tolist()
    [1, 2, 4, 8]
    """
    A, labels = as_csr(graph, owner="distance_rings")
    if max_distance is not None:
        max_distance = check_int(max_distance, owner="distance_rings", field="max_distance", low=0)
    src = resolve_members([member], A.shape[0], labels, owner="distance_rings", field="member")
    return np.asarray(_rings(A, src, max_distance), dtype=np.int64)


def degree_centralization(graph: GraphLike) -> float:
    """Freeman's degree centralisation: 1 for a star, 0 for a regular graph.

    C = Σ (d_max − d_i) / ((n − 1)(n − 2)) (Freeman 1978), defined for n ≥ 3.

    Examples
    --------
    >>> import networkx as nx
    >>> degree_centralization(nx.complete_graph(5))
    0.0
    """
    A, _ = as_csr(graph, owner="degree_centralization")
    n = A.shape[0]
    if n < 3:
        raise fail("degree_centralization", "graph", "have at least 3 nodes", n)
    deg = np.diff(A.indptr).astype(np.float64)
    return float((deg.max() - deg).sum() / ((n - 1) * (n - 2)))


def triangles(graph: GraphLike) -> NDArray[np.int64]:
    """Number of triangles through each node.

    Edges are oriented from lower to higher degree, so the sparse products stay small even
    when one hub (a brand account, a leader) touches everyone.

    Examples
    --------
    >>> import networkx as nx
    >>> triangles(nx.complete_graph(4)).tolist()
    [3, 3, 3, 3]
    """
    A, _ = as_csr(graph, owner="triangles")
    n = A.shape[0]
    B = A.copy()
    B.data = np.ones_like(B.data)
    deg = np.diff(B.indptr)
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), deg))] = np.arange(n)
    coo = B.tocoo()
    keep = rank[coo.row] < rank[coo.col]
    O = sp.csr_array((np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=(n, n))
    M1 = (O @ O).multiply(O)  # [u, w]: triangles u < v < w found at the u-w edge
    M2 = (O.T @ O).multiply(O)  # [v, w]: same triangles credited to the middle node v
    t = (
        np.asarray(M1.sum(axis=1)).ravel()
        + np.asarray(M1.sum(axis=0)).ravel()
        + np.asarray(M2.sum(axis=1)).ravel()
    )
    out: NDArray[np.int64] = np.rint(t).astype(np.int64)
    return out


def average_clustering(graph: GraphLike) -> float:
    """Mean local clustering coefficient (nodes of degree < 2 count as 0, as in networkx).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> abs(average_clustering(G) - nx.average_clustering(G)) < 1e-12
    True
    """
    A, _ = as_csr(graph, owner="average_clustering")
    deg = np.diff(A.indptr).astype(np.float64)
    t = triangles(A).astype(np.float64)
    pairs = deg * (deg - 1) / 2
    local = np.divide(t, pairs, out=np.zeros_like(t), where=pairs > 0)
    return float(local.mean())


def modularity(graph: GraphLike, *, rng: Any = None) -> float:
    """Modularity of the Louvain partition (networkx), a measure of how clustered into circles.

    Meant for graphs up to about 10⁵ ties; it builds a networkx graph. Modularity compares
    the ties inside circles with those expected by chance, so a graph without ties has none:
    the result is NaN (0/0), not an error.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(5))
    >>> round(modularity(G, rng=0), 3)
    0.5
    >>> modularity(nx.empty_graph(3))
    nan
    """
    import networkx as nx

    from shequn.rng import resolve_rng

    A, _ = as_csr(graph, owner="modularity")
    if A.nnz == 0:
        resolve_rng(rng, owner="modularity")  # still check it
        return float("nan")
    G = nx.from_scipy_sparse_array(A)
    seed = int(resolve_rng(rng, owner="modularity").integers(2**31 - 1))
    parts = nx.community.louvain_communities(G, seed=seed)
    return float(nx.community.modularity(G, parts))


def taste_assortativity(graph: GraphLike, taste: ArrayLike | None = None) -> float:
    """Homophily: correlation of members' taste across ties (mean over taste dimensions).

    Pearson correlation of ``taste[u]`` and ``taste[v]`` over both directions of every tie; 0
    when taste says nothing about who is tied to whom, near 1 under strong homophily.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (2, 3)])
    >>> taste_assortativity(G, [[0.0], [0.0], [1.0], [1.0]])
    1.0
    """
    from shequn.community.community import Community

    A, _ = as_csr(graph, owner="taste_assortativity")
    if taste is None:
        if not isinstance(graph, Community):
            raise fail("taste_assortativity", "taste", "be given for a non-Community graph", None)
        tv = graph.taste
    else:
        tv = check_array(taste, owner="taste_assortativity", field="taste")
        if tv.ndim == 1:
            tv = tv[:, None]
    if tv.shape[0] != A.shape[0]:
        raise fail("taste_assortativity", "taste", f"have {A.shape[0]} rows", tv.shape[0])
    if A.nnz == 0:  # no tie: nothing to correlate
        return float("nan")
    coo = A.tocoo()
    rs = []
    for j in range(tv.shape[1]):
        x, y = tv[coo.row, j], tv[coo.col, j]
        if x.std() == 0 or y.std() == 0:
            continue
        rs.append(float(np.corrcoef(x, y)[0, 1]))
    return float(np.mean(rs)) if rs else float("nan")


def social_capital(
    graph: GraphLike,
    members: Iterable[Hashable] | None = None,
    *,
    resources: ArrayLike | None = None,
    chunk: int = 256,
) -> NDArray[np.float64]:
    """Social capital per member: reach within two hops plus tie-weighted contact resources.

    ``S_i = |{j : 1 ≤ dist(i, j) ≤ 2}| + Σ_{j ∈ N(i)} w_ij r_j``. The first term is the size
    of the network the member can mobilise (seed 001: the size of the network a member can
    mobilise); the second the resources embedded in direct ties, weighted by tie strength, as in
    Lin's (2001) resource-based definition of social capital. ``resources`` defaults to the
    Community's, or ones.

    Cost grows with the 2-hop balls (hubs make them large), so pass ``members`` on big graphs.

    Examples
    --------
    >>> import networkx as nx
    >>> social_capital(nx.path_graph(3), resources=[1.0, 5.0, 1.0]).tolist()
    [7.0, 4.0, 7.0]
    """
    from shequn.community.community import Community

    A, labels = as_csr(graph, owner="social_capital")
    n = A.shape[0]
    chunk = check_int(chunk, owner="social_capital", field="chunk", low=1)
    if resources is None:
        r = graph.resources if isinstance(graph, Community) else np.ones(n)
    else:
        r = check_array(
            resources, owner="social_capital", field="resources", ndim=1, nonnegative=True
        )
        if r.shape[0] != n:
            raise fail("social_capital", "resources", f"have {n} entries", r.shape[0])
    idx = (
        np.arange(n, dtype=np.int64)
        if members is None
        else resolve_members(members, n, labels, owner="social_capital", field="members")
    )
    B = A.copy()
    B.data = np.ones_like(B.data)
    out = np.empty(idx.size)
    embedded = A @ r
    for s in range(0, idx.size, chunk):
        sel = idx[s : s + chunk]
        X = sp.csr_array((np.ones(sel.size), (np.arange(sel.size), sel)), shape=(sel.size, n))
        one = X @ B
        two = one @ B
        ball = (one + two).tocsr()
        ball.eliminate_zeros()
        self_hit = np.asarray(ball[np.arange(sel.size), sel]).ravel() != 0
        out[s : s + sel.size] = np.diff(ball.indptr) - self_hit
    total: NDArray[np.float64] = out + embedded[idx]
    return total


def sarnoff_value(n: int) -> float:
    """Sarnoff's law: a broadcast network is worth its audience, ``n``.

    Examples
    --------
    >>> sarnoff_value(10)
    10.0
    """
    return float(check_int(n, owner="sarnoff_value", field="n", low=0))


def metcalfe_value(n: int) -> float:
    """Metcalfe's law: worth the number of possible pairs, ``n (n − 1) / 2`` (order n²).

    Examples
    --------
    >>> metcalfe_value(4)
    6.0
    """
    n = check_int(n, owner="metcalfe_value", field="n", low=0)
    return n * (n - 1) / 2.0


def odlyzko_value(n: int) -> float:
    """Odlyzko and Tilly's law: ``n ln n``, for networks whose pairs are not all valuable.

    Examples
    --------
    >>> round(odlyzko_value(100), 3)
    460.517
    """
    n = check_int(n, owner="odlyzko_value", field="n", low=0)
    return 0.0 if n == 0 else n * math.log(n)


def reed_log_value(n: int) -> float:
    """Natural log of Reed's group-forming value: the number of possible groups ``2ⁿ − n − 1``.

    Computed in log space, so it stays finite for millions of members.

    Examples
    --------
    >>> round(math.exp(reed_log_value(4)))
    11
    >>> reed_log_value(1_000_000) / 1e6 > 0.69
    True
    """
    n = check_int(n, owner="reed_log_value", field="n", low=2)
    return n * math.log(2.0) + math.log1p(-(n + 1) * 2.0 ** (-n)) if n < 1100 else n * math.log(2)


def structure_summary(graph: GraphLike, *, rng: Any = 0) -> Summary:
    """Headline figures of a community's structure, as shown by ``shequn demo``.

    A :class:`~shequn._results.Summary` (a read-only mapping that prints as a report) with
    keys ``n``, ``ties``, ``mean_degree``, ``max_degree_share`` (the best-connected member's
    ties over n − 1; 0 for a single member), ``degree_centralization`` (NaN below 3 members),
    ``clustering``, ``taste_assortativity`` (NaN without tastes or ties), ``modularity`` (NaN
    without ties, and above 200,000 ties, where Louvain would take too long).

    Examples
    --------
    >>> import networkx as nx
    >>> s = structure_summary(nx.star_graph(4))
    >>> s["n"], s["ties"], s["degree_centralization"]
    (5, 4, 1.0)
    >>> print(s)
    network: 5 members, 4 ties
      n                      5
      ties                   4
      mean_degree            1.6
      max_degree_share       1
      degree_centralization  1
      clustering             0
      taste_assortativity    nan
      modularity             0
    """
    from shequn.community.community import Community

    A, _ = as_csr(graph, owner="structure_summary")
    n = A.shape[0]
    deg = np.diff(A.indptr)
    out: dict[str, Any] = {
        "n": n,
        "ties": int(A.nnz // 2),
        "mean_degree": float(deg.mean()),
        "max_degree_share": float(deg.max() / max(n - 1, 1)),
        "degree_centralization": degree_centralization(A) if n >= 3 else float("nan"),
        "clustering": average_clustering(A),
        "taste_assortativity": (
            taste_assortativity(graph) if isinstance(graph, Community) else float("nan")
        ),
        "modularity": modularity(A, rng=rng) if A.nnz // 2 <= 200_000 else float("nan"),
    }
    title = (
        graph._title()
        if isinstance(graph, Community)
        else f"network: {format_value(n)} members, {format_value(out['ties'])} ties"
    )
    return Summary(title=title, headline=out)
