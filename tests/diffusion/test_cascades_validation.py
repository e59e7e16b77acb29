"""Bad input to the cascade models: InvalidParameterError naming the function, field and value."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pytest

from shequn.diffusion.cascades import (
    RandomSeeds,
    complex_contagion,
    independent_cascade,
    linear_threshold,
    network_bass,
    rumour,
    watts_threshold,
)
from shequn.exceptions import InvalidParameterError

G = nx.path_graph(4)
HEAVY = nx.DiGraph([(0, 2, {"weight": 0.7}), (1, 2, {"weight": 0.6})])


def _raises(call: Callable[[], Any], pattern: str) -> None:
    with pytest.raises(InvalidParameterError, match=pattern):
        call()


CASES: list[tuple[Callable[[], Any], str]] = [
    (
        lambda: independent_cascade(G, [0], p=1.5),
        r"`independent_cascade.p` must be in \[0, 1\]; got 1.5",
    ),
    (
        lambda: independent_cascade(G, [0], p=-0.1),
        r"`independent_cascade.p` .*got -0.1",
    ),
    (
        lambda: independent_cascade(G, [0], p=[0.1, 2.0, 0.1, 0.1, 0.1, 0.1]),
        r"`independent_cascade.p` must be in \[0, 1\] \(index 1\); got 2.0",
    ),
    (
        lambda: independent_cascade(G, [0], p=[0.1]),
        r"`independent_cascade.p` must have one probability per edge \(6\); got 1",
    ),
    (
        lambda: independent_cascade(G, [9]),
        r"`independent_cascade.seeds` must be members .*; got 9",
    ),
    (
        lambda: independent_cascade(G, [1, 1]),
        r"`independent_cascade.seeds` must not repeat a member; got 1",
    ),
    (
        lambda: independent_cascade(G, []),
        r"`independent_cascade.seeds` must be non-empty",
    ),
    (
        lambda: independent_cascade(G, [0], runs=0),
        r"`independent_cascade.runs` must be an integer >= 1; got 0",
    ),
    (
        lambda: independent_cascade(G, [0], runs=2.0),
        r"`independent_cascade.runs` must be an integer >= 1; got 2.0",
    ),
    (
        lambda: independent_cascade(G, [0], max_steps=-1),
        r"`independent_cascade.max_steps` must be an integer >= 0; got -1",
    ),
    (
        lambda: independent_cascade(G, RandomSeeds(count=5)),
        r"`independent_cascade.seeds` must draw at most n = 4 random seeds; got 5",
    ),
    (
        lambda: independent_cascade(nx.Graph([(0, 0), (0, 1)]), [0]),
        r"`independent_cascade.graph` .*self-loop",
    ),
    (
        lambda: independent_cascade(nx.Graph([(0, 1, {"weight": -1.0})]), [0]),
        r"`independent_cascade.weight` must be finite and >= 0 on every edge; got -1.0",
    ),
    (
        lambda: independent_cascade(nx.Graph([(0, 1, {"weight": 2.0})]), [0], p="weight"),
        r"`independent_cascade.p \(edge weights\)` must be in \[0, 1\] \(index 0\); got 2.0",
    ),
    (
        lambda: linear_threshold(HEAVY, [0], weights="weight"),
        r"`linear_threshold.weights` must sum to at most 1 .*\(node 2\); got 1.29999",
    ),
    (
        lambda: linear_threshold(G, [0], weights=np.full(6, -0.1)),
        r"`linear_threshold.weights` must be >= 0 \(index 0\); got -0.1",
    ),
    (
        lambda: linear_threshold(G, [0], thresholds=1.2),
        r"`linear_threshold.thresholds` must be in \[0, 1\]; got 1.2",
    ),
    (
        lambda: linear_threshold(G, [0], thresholds=[0.5, 0.5]),
        r"`linear_threshold.thresholds` must have one value per node \(4\); got 2",
    ),
    (
        lambda: watts_threshold(G, [0], phi=-0.2),
        r"`watts_threshold.phi` must be in \[0, 1\]; got -0.2",
    ),
    (
        lambda: watts_threshold(G, [0], phi=[0.1, 0.2, 1.5, 0.1]),
        r"`watts_threshold.phi` must be in \[0, 1\] \(index 2\); got 1.5",
    ),
    (
        lambda: complex_contagion(G, [0], k=0),
        r"`complex_contagion.k` must be an integer >= 1; got 0",
    ),
    (
        lambda: complex_contagion(G, [0], k=[1, 2, 0, 1]),
        r"`complex_contagion.k` must be integers >= 1 \(index 2\); got 0",
    ),
    (
        lambda: complex_contagion(G, [0], k=[1.5, 1, 1, 1]),
        r"`complex_contagion.k` must hold integers \(index 0\); got 1.5",
    ),
    (
        lambda: network_bass(G, p=1.1, q=0.1, steps=3),
        r"`network_bass.p` must be in \[0, 1\]; got 1.1",
    ),
    (
        lambda: network_bass(G, p=0.1, q=-1, steps=3),
        r"`network_bass.q` must be in \[0, 1\]; got -1",
    ),
    (
        lambda: network_bass(G, p=0.1, q=0.1, steps=0),
        r"`network_bass.steps` must be an integer >= 1; got 0",
    ),
    (
        lambda: network_bass(G, p=0.1, q=0.1, steps=3, seeds=["x"]),
        r"`network_bass.seeds` must be members .*; got 'x'",
    ),
    (
        lambda: rumour(G, [0], spread=2),
        r"`rumour.spread` must be in \[0, 1\]; got 2",
    ),
    (
        lambda: rumour(G, [0], stifle=-0.5),
        r"`rumour.stifle` must be in \[0, 1\]; got -0.5",
    ),
    (
        lambda: rumour(G, [0], forget=1.01),
        r"`rumour.forget` must be in \[0, 1\]; got 1.01",
    ),
    (
        lambda: rumour(G, [0], variant="sir"),
        r"`rumour.variant` must be one of \['maki-thompson', 'daley-kendall'\]; got 'sir'",
    ),
    (
        lambda: rumour(G, [0], stifle=0.0, forget=0.0),
        r"`rumour.max_steps` must be given when forget is 0 and stifle or spread is 0 .*; got None",
    ),
]


@pytest.mark.parametrize(("call", "pattern"), CASES)
def test_bad_input_names_field_and_value(call: Callable[[], Any], pattern: str) -> None:
    _raises(call, pattern)


def test_labelled_seeds_name_the_label() -> None:
    H = nx.relabel_nodes(G, dict(enumerate("abcd")))
    _raises(lambda: linear_threshold(H, ["a", "zz"]), re.escape("`linear_threshold.seeds`") + ".*z")
    _raises(lambda: linear_threshold(H, ["a", "a"]), "must not repeat a member; got 'a'")


def test_result_level_checked() -> None:
    res = independent_cascade(G, [0], runs=5, rng=0)
    _raises(lambda: res.conf_int(1.5), r"`mean_ci.level` must be in \(0, 1\); got 1.5")
    _raises(lambda: res.prob_reach(-1), r"`DiffusionResult.prob_reach.size` must be an integer")
    bad: Any = "x"
    _raises(lambda: res.to_frame(bad), r"`DiffusionResult.to_frame.kind` must be one of")
