"""ABC-SMC with pyabc (the ``twin-abc`` extra): the sample-based alternative to MSM.

The prior is uniform over each free parameter's bounds on its scale (a standard logistic on
the ``z`` scale); the distance is pyabc's adaptive 2-norm over the weekly series (each point
rescaled every generation); pyabc's sequential Monte Carlo runs populations of ``population``
accepted particles until the simulation budget is spent. pyabc samples from numpy's global
random state and simulations draw fresh streams, so unlike ``method="msm"`` a run is not
reproducible from ``rng``.
"""

from __future__ import annotations

import functools
import os
import tempfile
from concurrent.futures import Executor
from typing import Any

import attrs
import numpy as np

from shequn._optional import optional_import
from shequn._typing import FloatArray
from shequn.twin._engine import OBSERVED, EngineSetup, ParameterSpec, build, observe_run
from shequn.twin._problem import Problem, from_z

__all__ = ["ABCFit", "fit_abc"]


@attrs.frozen(kw_only=True)
class ABCFit:
    """The last ABC-SMC population (``z`` scale) with its weights."""

    z: FloatArray
    weights: FloatArray
    distance: float
    epsilon: float
    generations: int
    simulations: int


def _model(
    setup: EngineSetup,
    specs: tuple[ParameterSpec, ...],
    rows: tuple[int, ...],
    weeks: int,
    par: Any,
) -> dict[str, FloatArray]:
    z = np.array([float(par[f"z{j}"]) for j in range(len(specs))])
    theta = from_z(specs, z)
    s = build(setup, {sp.name: float(v) for sp, v in zip(specs, theta, strict=True)})
    y = observe_run(s, weeks=weeks, rng=np.random.SeedSequence())
    return {"y": y[list(rows), 1:].ravel()}


def fit_abc(
    problem: Problem,
    z0: FloatArray,
    *,
    population: int = 200,
    budget: int | None = None,
    executor: Executor | None = None,
    rng: np.random.SeedSequence,
) -> ABCFit:
    """ABC-SMC over the free parameters (see the module docstring).

    Parameters
    ----------
    problem
        The calibration problem.
    z0
        Unused by the sampler (the prior covers the bounds); kept for a common signature.
    population
        Accepted particles per generation.
    budget
        Total simulations (default ``15 × population``).
    executor
        Runs the simulations (pyabc's ``ConcurrentFutureSampler``); serial when ``None``.
    rng
        Unused: pyabc draws from numpy's global state.
    """
    pyabc = optional_import("pyabc", extra="twin-abc")
    specs = problem.specs
    prior = pyabc.Distribution(
        **{f"z{j}": pyabc.RV("logistic", 0.0, 1.0) for j in range(len(specs))}
    )
    rows = tuple(OBSERVED.index(s) for s in problem.series)
    model = functools.partial(_model, problem.setup, specs, rows, problem.weeks)
    if executor is None:
        sampler = pyabc.sampler.SingleCoreSampler()
    else:
        sampler = pyabc.sampler.ConcurrentFutureSampler(cfuture_executor=executor)
    abc = pyabc.ABCSMC(
        model,
        prior,
        pyabc.AdaptivePNormDistance(p=2),
        population_size=population,
        sampler=sampler,
    )
    with tempfile.TemporaryDirectory() as tmp:
        abc.new("sqlite:///" + os.path.join(tmp, "abc.db"), {"y": problem.y})
        history = abc.run(
            max_total_nr_simulations=15 * population if budget is None else budget,
            max_nr_populations=50,
        )
        df, w = history.get_distribution()
        z = df[[f"z{j}" for j in range(len(specs))]].to_numpy(dtype=np.float64)
        pops = history.get_all_populations()
        eps = float(pops["epsilon"].iloc[-1])
        gens = int(history.max_t + 1)
        sims = int(history.total_nr_simulations)
    problem.counter[0] += sims
    weights = np.asarray(w, dtype=np.float64)
    return ABCFit(
        z=z,
        weights=weights / weights.sum(),
        distance=eps,
        epsilon=eps,
        generations=gens,
        simulations=sims,
    )
