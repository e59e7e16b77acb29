"""The calibration problem: free parameters on an unbounded scale, and batched simulations.

A :class:`Problem` knows the observed weekly series, the free parameters with their bounds
and transforms, and how to simulate the same series for a batch of parameter vectors on a
batch of random streams, serially or on an executor (``executor=``). Every calibration
method (:mod:`shequn.twin.calibration`) works through it, so the methods differ only in how
they choose where to simulate.

Transform: a parameter with bounds ``[low, high]`` is mapped to ``z = logit(u)`` with ``u``
its position between the bounds, on the natural scale (``scale="logit"``) or on the log scale
(``scale="log"``); ``z`` ranges over the real line, so samplers and optimisers work without
bounds and every ``z`` is a valid parameter.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs
import numpy as np

from shequn._typing import FloatArray
from shequn._validation import fail
from shequn.simulation.dynamics import Dynamics
from shequn.twin._engine import (
    OBSERVED,
    EngineSetup,
    ParameterSpec,
    engine_values,
    weekly_batch,
)

__all__ = ["Problem", "from_z", "to_z"]


def _g(spec: ParameterSpec, x: Any) -> Any:
    return np.log(x) if spec.scale == "log" else x


def _g_inv(spec: ParameterSpec, y: Any) -> Any:
    return np.exp(y) if spec.scale == "log" else y


def to_z(specs: Sequence[ParameterSpec], theta: Any) -> FloatArray:
    """Natural-scale parameters (..., p) → unbounded ``z`` (..., p).

    Examples
    --------
    >>> from shequn.twin._engine import parameters
    >>> s = [parameters()["baseline_churn"]]
    >>> float(to_z(s, [0.5])[0])  # the middle of [0, 1]
    0.0
    """
    th = np.asarray(theta, dtype=np.float64)
    out = np.empty_like(th)
    for j, s in enumerate(specs):
        lo, hi = _g(s, np.float64(s.low)), _g(s, np.float64(s.high))
        u = (_g(s, th[..., j]) - lo) / (hi - lo)
        u = np.clip(u, 1e-12, 1 - 1e-12)
        out[..., j] = np.log(u) - np.log1p(-u)
    return out


def from_z(specs: Sequence[ParameterSpec], z: Any) -> FloatArray:
    """Unbounded ``z`` (..., p) → natural-scale parameters, always inside the bounds.

    Examples
    --------
    >>> from shequn.twin._engine import parameters
    >>> s = [parameters()["repeat_scale"]]
    >>> round(float(from_z(s, [0.0])[0]), 6)  # the geometric middle of [0.1, 10]
    1.0
    """
    zz = np.asarray(z, dtype=np.float64)
    out = np.empty_like(zz)
    for j, s in enumerate(specs):
        lo, hi = _g(s, np.float64(s.low)), _g(s, np.float64(s.high))
        u = 1.0 / (1.0 + np.exp(-zz[..., j]))
        out[..., j] = _g_inv(s, lo + u * (hi - lo))
    return out


def _key(seed: np.random.SeedSequence) -> tuple[Any, ...]:
    return (seed.entropy, tuple(seed.spawn_key), seed.pool_size, seed.n_children_spawned)


def _fresh(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    """A copy of ``seed`` (spawning from a SeedSequence changes it; each run needs it as given)."""
    return np.random.SeedSequence(
        seed.entropy,
        spawn_key=seed.spawn_key,
        pool_size=seed.pool_size,
        n_children_spawned=seed.n_children_spawned,
    )


def _simulate_batch(
    dynamics: Dynamics,
    rows: tuple[int, ...],
    weeks: int,
    jobs: list[tuple[dict[str, float], np.random.SeedSequence]],
) -> list[FloatArray]:
    """The series of each job; the jobs that share a stream run as one ``run_batch`` with
    common random numbers on the shared compiled model."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, (_, seed) in enumerate(jobs):
        groups.setdefault(_key(seed), []).append(i)
    out: list[FloatArray] = [np.empty(0)] * len(jobs)
    for idx in groups.values():
        ys = weekly_batch(
            dynamics, [jobs[i][0] for i in idx], weeks=weeks, rng=_fresh(jobs[idx[0]][1])
        )
        for i, y in zip(idx, ys, strict=True):
            out[i] = y[list(rows), 1:].ravel()
    return out


@attrs.frozen(kw_only=True, eq=False)
class Problem:
    """Observed series, free parameters and a batched simulator of the same series.

    Attributes
    ----------
    setup
        The engine setup with every parameter that is not free.
    specs
        The free parameters.
    series
        The series compared (names from :data:`~shequn.twin._engine.OBSERVED`).
    weeks
        Weeks compared (1..weeks).
    observed
        (len(series), weeks) observed values.
    executor
        Where simulations run (``None``: here, serially).
    """

    setup: EngineSetup
    specs: tuple[ParameterSpec, ...]
    series: tuple[str, ...]
    weeks: int
    observed: FloatArray = attrs.field(repr=False)
    executor: Executor | None = None
    counter: list[int] = attrs.field(factory=lambda: [0], repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Free parameter names."""
        return tuple(s.name for s in self.specs)

    @property
    def p(self) -> int:
        """Number of free parameters."""
        return len(self.specs)

    @property
    def y(self) -> FloatArray:
        """The observed series as one vector (series-major)."""
        out: FloatArray = self.observed.ravel()
        return out

    @property
    def simulations(self) -> int:
        """Simulations run so far through this problem."""
        return self.counter[0]

    def simulate(
        self, z: Any, seeds: Sequence[np.random.SeedSequence], *, weeks: int | None = None
    ) -> FloatArray:
        """Simulate parameter vectors ``z`` (n, p) on ``seeds`` (n): (n, series × weeks).

        Row ``i`` runs ``z[i]`` on ``seeds[i]``; results are identical whatever the executor.
        """
        zz = np.atleast_2d(np.asarray(z, dtype=np.float64))
        if zz.shape[0] != len(seeds):
            raise fail("Problem.simulate", "seeds", f"have one per row ({zz.shape[0]})", len(seeds))
        theta = from_z(self.specs, zz)
        w = self.weeks if weeks is None else int(weeks)
        rows = tuple(OBSERVED.index(s) for s in self.series)
        names = self.names
        jobs = [
            (engine_values(self.setup, dict(zip(names, theta[i].tolist(), strict=True))), seeds[i])
            for i in range(zz.shape[0])
        ]
        self.counter[0] += len(jobs)
        fn = functools.partial(_simulate_batch, self.setup.compile(), rows, w)
        if self.executor is None:
            return np.asarray(fn(jobs)).reshape(len(jobs), -1)
        # chunks of whole streams (a stream's runs are one run_batch), about 4 per worker
        streams: dict[tuple[Any, ...], list[int]] = {}
        for i, (_, seed) in enumerate(jobs):
            streams.setdefault(_key(seed), []).append(i)
        order = [i for idx in streams.values() for i in idx]
        n_chunks = max(1, min(len(jobs), 4 * _workers(self.executor)))
        size = math.ceil(len(jobs) / n_chunks)
        chunks: list[list[int]] = [[]]
        for j, i in enumerate(order):
            if len(chunks[-1]) >= size and _key(jobs[i][1]) != _key(jobs[order[j - 1]][1]):
                chunks.append([])
            chunks[-1].append(i)
        futures = [self.executor.submit(fn, [jobs[i] for i in c]) for c in chunks]
        out: list[FloatArray] = [np.empty(0)] * len(jobs)
        for c, f in zip(chunks, futures, strict=True):
            for i, y in zip(c, f.result(), strict=True):
                out[i] = y
        return np.asarray(out).reshape(len(jobs), -1)

    def natural(self, z: Any) -> dict[str, float]:
        """A ``z`` vector as ``{name: natural value}``."""
        th = from_z(self.specs, np.asarray(z, dtype=np.float64))
        return {n: float(v) for n, v in zip(self.names, th.tolist(), strict=True)}


def _workers(executor: Executor) -> int:
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int) and n > 0:
        return n
    return 2


def start_z(problem_specs: Sequence[ParameterSpec], start: Mapping[str, float]) -> FloatArray:
    """``z`` of a start mapping (values clipped strictly inside the bounds)."""
    vals = []
    for s in problem_specs:
        v = float(start[s.name])
        span = s.high - s.low
        vals.append(min(max(v, s.low + 1e-6 * span), s.high - 1e-6 * span))
    return to_z(problem_specs, np.asarray(vals))
