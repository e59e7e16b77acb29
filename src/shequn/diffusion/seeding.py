"""Choosing seeds, the "central persons" to start a campaign with (术, seed 001).

This module is the one place seeding strategies live; the simulation engine calls
:func:`select_seeds` by method name.

Examples
--------
>>> import networkx as nx
>>> from shequn.diffusion.seeding import select_seeds
>>> select_seeds(nx.star_graph(5), 1, method="degree").seeds.tolist()
[0]
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._validation import check_choice, check_int
from shequn.community._graph import GraphLike, as_csr
from shequn.rng import RNGLike, resolve_rng

__all__ = ["SeedSet", "select_seeds"]


@attrs.frozen(kw_only=True)
class SeedSet:
    """Chosen seeds with, where estimated, their expected spread and its standard error."""

    seeds: NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    method: str
    spread: float = float("nan")
    spread_se: float = float("nan")


def select_seeds(
    graph: GraphLike, k: int, *, method: str = "degree", rng: RNGLike = None, **params: Any
) -> SeedSet:
    """Choose ``k`` seed members by ``method`` (``"degree"`` or ``"random"`` for now).

    Examples
    --------
    >>> import networkx as nx
    >>> len(select_seeds(nx.path_graph(10), 3, method="random", rng=0).seeds)
    3
    """
    A, _ = as_csr(graph, owner="select_seeds")
    n = A.shape[0]
    k = check_int(k, owner="select_seeds", field="k", low=1, high=n)
    method = check_choice(method, ["degree", "random"], owner="select_seeds", field="method")
    if method == "degree":
        deg = np.diff(A.indptr)
        seeds = np.argsort(-deg, kind="stable")[:k]
    else:
        seeds = resolve_rng(rng).choice(n, size=k, replace=False)
    return SeedSet(seeds=np.asarray(seeds, dtype=np.int64), method=method)
