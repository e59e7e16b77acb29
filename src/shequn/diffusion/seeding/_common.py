"""Plumbing shared by the seeding methods: validation prologue, wrapping seeds in a
:class:`~shequn.diffusion.seeding.SeedSet` with an independent spread estimate."""

from __future__ import annotations

import time
from collections.abc import Hashable

import numpy as np
from numpy.typing import NDArray

from shequn._validation import (
    check_choice,
    check_int,
)
from shequn.community._graph import GraphLike
from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
    as_network,
)
from shequn.diffusion.seeding._rr import RRModel, check_rr_samples, estimate_spread
from shequn.diffusion.seeding.result import SeedSet

_DEFAULT_P = 0.1
#: Relative standard error IMM's spread estimate aims at when ``samples`` is not given.
_EVAL_RSE = 0.005


# --- shared plumbing --------------------------------------------------------------------------


def _labels(net: DiffusionNetwork, seeds: NDArray[np.int64]) -> tuple[Hashable, ...] | None:
    if net.labels is None:
        return None
    return tuple(net.labels[int(s)] for s in seeds)


def _check_model(model: str | None, owner: str, *, optional: bool) -> str | None:
    choices: list[str | None] = ["ic", "lt"]
    if optional:
        choices = [None, *choices]
    return check_choice(model, choices, owner=owner, field="model")


def _finish(
    net: DiffusionNetwork,
    seeds: NDArray[np.int64],
    *,
    method: str,
    scores: NDArray[np.float64] | None,
    model: str | None,
    p: EdgeProbability,
    weights: ThresholdWeights,
    samples: int,
    gen: np.random.Generator | None,
    owner: str,
    t0: float,
) -> SeedSet:
    """Wrap a heuristic's seeds, estimating their spread when a model is named."""
    timings = {"selection": time.perf_counter() - t0}
    spread = se = float("nan")
    used = 0
    if model is not None and gen is not None:
        t1 = time.perf_counter()
        m = RRModel.build(net, model=model, p=p, weights=weights, owner=owner)
        spread, se = estimate_spread(m, seeds, samples=samples, gen=gen)
        used = samples
        timings["estimate"] = time.perf_counter() - t1
    return SeedSet(
        seeds=seeds,
        method=method,
        spread=spread,
        spread_se=se,
        labels=_labels(net, seeds),
        scores=scores,
        model=model,
        samples=used,
        timings=timings,
    )


def _prologue(
    graph: GraphLike, k: int, owner: str, model: str | None, samples: int
) -> tuple[DiffusionNetwork, int, str | None, int]:
    net = as_network(graph, owner=owner)
    k = check_int(k, owner=owner, field="k", low=1, high=net.n)
    model = _check_model(model, owner, optional=True)
    samples = check_rr_samples(samples, owner=owner)
    return net, k, model, samples


def _ranked(score: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """The ``k`` highest scores, ties to the lowest index."""
    order: NDArray[np.int64] = np.argsort(-score, kind="stable")[:k].astype(np.int64)
    return order
