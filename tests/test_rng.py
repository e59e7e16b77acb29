"""Randomness helpers: resolution, spawning, map_runs across executors."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError
from shequn.rng import (
    check_rng,
    map_runs,
    replicate,
    resolve_rng,
    seed_entropy,
    spawn_seeds,
)


def _normal_mean(*, rng: np.random.Generator, size: int = 5) -> float:
    return float(rng.normal(size=size).mean())


def test_resolve_accepts_all_forms() -> None:
    a = resolve_rng(3).random()
    b = resolve_rng(np.random.SeedSequence(3)).random()
    c = resolve_rng(np.random.PCG64(3)).random()
    assert a == b == c
    gen = np.random.default_rng(1)
    assert resolve_rng(gen) is gen


@pytest.mark.parametrize("bad", [-1, 1.5, "seed", True])
def test_resolve_rejects(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match="rng"):
        resolve_rng(bad)  # type: ignore[arg-type]


def test_children_are_independent_streams_not_seed_plus_i() -> None:
    kids = spawn_seeds(10, 3)
    draws = [np.random.default_rng(k).random() for k in kids]
    assert len(set(draws)) == 3
    assert draws[0] != np.random.default_rng(11).random()


@given(st.integers(min_value=0, max_value=2**63), st.integers(min_value=1, max_value=20))
def test_same_rng_same_results(seed: int, runs: int) -> None:
    assert map_runs(_normal_mean, runs=runs, rng=seed) == map_runs(
        _normal_mean, runs=runs, rng=seed
    )


def test_replay_from_recorded_entropy() -> None:
    kids = spawn_seeds(99, 4)
    results = map_runs(_normal_mean, runs=4, rng=99)
    rebuilt = np.random.SeedSequence(**seed_entropy(kids[2]))
    assert _normal_mean(rng=np.random.default_rng(rebuilt)) == results[2]


def test_executors_give_identical_results() -> None:
    fn = partial(_normal_mean, size=3)
    serial = map_runs(fn, runs=9, rng=5)
    with ThreadPoolExecutor(2) as pool:
        assert map_runs(fn, runs=9, rng=5, executor=pool, batch_size=2) == serial
    with ProcessPoolExecutor(2) as pool:
        assert map_runs(fn, runs=9, rng=5, executor=pool) == serial


def test_runs_must_be_positive() -> None:
    with pytest.raises(InvalidParameterError, match=r"`map_runs\.runs`"):
        map_runs(_normal_mean, runs=0, rng=1)
    # a function built on map_runs reports bad values under its own name
    with pytest.raises(InvalidParameterError, match=r"`my_sim\.runs`"):
        map_runs(_normal_mean, runs=0, rng=1, owner="my_sim")
    with pytest.raises(InvalidParameterError, match=r"`my_sim\.rng`"):
        map_runs(_normal_mean, runs=2, rng=-4, owner="my_sim")


def test_executor_must_submit() -> None:
    with pytest.raises(InvalidParameterError, match=r"`map_runs\.executor`"):
        map_runs(_normal_mean, runs=2, rng=1, executor=object())  # type: ignore[arg-type]


def test_deprecated_replicate_calls_fn_with_a_generator() -> None:
    def positional(gen: np.random.Generator) -> float:
        return float(gen.random())

    with pytest.warns(DeprecationWarning, match="map_runs"):
        old = replicate(positional, runs=3, rng=4)
    assert old == map_runs(lambda *, rng: float(rng.random()), runs=3, rng=4)


def test_bad_arguments_are_refused_serially_too() -> None:
    # batch_size and executor are checked whether or not an executor is used
    for bad in (0, -1, float("nan"), 1.5, "2", True):
        with pytest.raises(InvalidParameterError, match=r"`map_runs\.batch_size`"):
            map_runs(_normal_mean, runs=2, rng=1, batch_size=bad)  # type: ignore[arg-type]
    for bad in ("threads", 2, ThreadPoolExecutor):
        with pytest.raises(InvalidParameterError, match=r"`map_runs\.executor`"):
            map_runs(_normal_mean, runs=2, rng=1, executor=bad)  # type: ignore[arg-type]
    for bad in (True, 1.5, "7", [1, 2]):
        with pytest.raises(InvalidParameterError, match=r"`map_runs\.rng`"):
            map_runs(_normal_mean, runs=2, rng=bad)  # type: ignore[arg-type]


def test_check_rng_spawns_nothing() -> None:
    seq = np.random.SeedSequence(3)
    assert check_rng(seq) is seq and seq.n_children_spawned == 0
    with pytest.raises(InvalidParameterError, match=r"`f\.rng` must be a non-negative"):
        check_rng(-1, owner="f")


def test_runs_beyond_memory_are_refused_with_the_estimate() -> None:
    with pytest.raises(InvalidParameterError, match=r"`map_runs\.runs` must need no more memory"):
        map_runs(_normal_mean, runs=10**12, rng=1)
    with pytest.raises(InvalidParameterError, match=r"about 4e\+14 bytes needed"):
        spawn_seeds(1, 10**12)


def test_progress_and_interrupt() -> None:
    seen: list[tuple[int, int]] = []
    map_runs(_normal_mean, runs=10, rng=1, batch_size=4, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(4, 10), (8, 10), (10, 10)]

    calls: list[int] = []

    def counted(*, rng: np.random.Generator) -> float:
        calls.append(1)
        return float(rng.random())

    def stop(done: int, total: int) -> None:
        if done >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        map_runs(counted, runs=1000, rng=1, batch_size=1, progress=stop)
    assert len(calls) == 3  # serially: nothing runs after the interrupt
    calls.clear()
    with ThreadPoolExecutor(1) as pool, pytest.raises(KeyboardInterrupt):
        map_runs(counted, runs=1000, rng=1, batch_size=1, executor=pool, progress=stop)
    # at most a window of two batches per worker was in flight: the rest never started
    assert len(calls) <= 3 + 2 + 1
