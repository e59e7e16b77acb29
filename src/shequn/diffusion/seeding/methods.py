"""Seeding methods by name: :data:`METHODS` and :func:`select_seeds`, the engine's way in."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from shequn._validation import (
    check_choice,
    fail,
)
from shequn.community._graph import GraphLike
from shequn.diffusion.seeding.celf import celf
from shequn.diffusion.seeding.heuristics import (
    degree_discount,
    kcore_seeds,
    pagerank_seeds,
    random_seeds,
    top_degree,
)
from shequn.diffusion.seeding.imm import imm
from shequn.diffusion.seeding.result import SeedSet
from shequn.rng import RNGLike, check_rng

__all__ = ["METHODS", "select_seeds"]

# --- by name ----------------------------------------------------------------------------------

_DEPRECATED = ("threads",)  # still accepted, with a warning, not advertised

#: Seeding methods by the name :func:`select_seeds` and ``Structure.seeding`` use.
METHODS: dict[str, Callable[..., SeedSet]] = {
    "degree": top_degree,
    "random": random_seeds,
    "pagerank": pagerank_seeds,
    "kcore": kcore_seeds,
    "degree_discount": degree_discount,
    "celf": celf,
    "imm": imm,
}


def select_seeds(
    graph: GraphLike, k: int, *, method: str = "degree", rng: RNGLike = None, **params: Any
) -> SeedSet:
    """Choose ``k`` seed members by ``method`` name, passing ``params`` on.

    ======================  ======================  ============================================
    method                  function                params
    ======================  ======================  ============================================
    ``"degree"``            :func:`top_degree`      model, p, weights, samples
    ``"random"``            :func:`random_seeds`    model, p, weights, samples
    ``"pagerank"``          :func:`pagerank_seeds`  alpha, max_iter, tol, model, p, weights,
                                                    samples
    ``"kcore"``             :func:`kcore_seeds`     model, p, weights, samples
    ``"degree_discount"``   :func:`degree_discount` p, model, weights, samples
    ``"celf"``              :func:`celf`            spread, model, p, weights, runs, candidates
    ``"imm"``               :func:`imm`             model, p, weights, epsilon, ell, samples,
                                                    reuse_samples, executor, progress
    ======================  ======================  ============================================

    Examples
    --------
    >>> import networkx as nx
    >>> len(select_seeds(nx.path_graph(10), 3, method="random", rng=0).seeds)
    3
    >>> select_seeds(nx.path_graph(10), 3, method="imm", runs=5)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `select_seeds.runs` must be a parameter of \
method 'imm' (model, p, weights, epsilon, ell, samples, reuse_samples, executor, \
progress); got 5
    """
    check_rng(rng, owner="select_seeds")  # refused even for methods that draw nothing
    method = check_choice(method, list(METHODS), owner="select_seeds", field="method")
    fn = METHODS[method]
    accepted = [
        name
        for name, par in inspect.signature(fn).parameters.items()
        if par.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("rng", *_DEPRECATED)
    ]
    for name, value in params.items():
        if name not in accepted and name not in _DEPRECATED:
            raise fail(
                "select_seeds",
                name,
                f"be a parameter of method {method!r} ({', '.join(accepted)})",
                value,
            )
    return fn(graph, k, rng=rng, **params)
