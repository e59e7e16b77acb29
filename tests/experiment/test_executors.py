"""Executors: identical results for the same rng, batching, dead workers reported."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.exceptions import ShequnWarning
from shequn.experiment import replicate, sweep
from shequn.experiment._runner import default_batch_size, n_workers
from shequn.experiment.examples import coin_flips, random_walk


def mixed(*, p: float, rng: np.random.Generator) -> dict[str, object]:
    return {"share": coin_flips(p=p, n=20, rng=rng)["share"], "walk": random_walk(steps=3, rng=rng)}


GRID = {"p": [0.1, 0.5, 0.9]}


@pytest.fixture(scope="module")
def serial_result() -> object:
    return sweep(mixed, GRID, runs=7, rng=31)


@pytest.mark.parametrize("batch_size", [None, 1, 4, 100])
def test_threads_and_processes_match_serial(
    serial_result: object, thread_pool: object, process_pool: object, batch_size: int | None
) -> None:
    for ex in (thread_pool, process_pool):
        res = sweep(mixed, GRID, runs=7, rng=31, executor=ex, batch_size=batch_size)
        assert res == serial_result


def test_loky_matches_serial(serial_result: object) -> None:
    loky = pytest.importorskip("joblib.externals.loky")
    ex = loky.get_reusable_executor(max_workers=2)
    try:
        # loky pickles with cloudpickle, so even a lambda is accepted
        assert sweep(mixed, GRID, runs=7, rng=31, executor=ex) == serial_result
        draws = replicate(lambda *, rng: float(rng.random()), runs=5, rng=1, executor=ex)
        assert draws.outputs == replicate(lambda *, rng: float(rng.random()), runs=5, rng=1).outputs
    finally:
        ex.shutdown(wait=True)


def test_replicate_on_processes_matches_serial(process_pool: object) -> None:
    a = replicate(random_walk, runs=9, rng=4, executor=process_pool)  # type: ignore[arg-type]
    b = replicate(random_walk, runs=9, rng=4)
    assert a == b


def test_default_batching(thread_pool: object) -> None:
    assert n_workers(thread_pool) == 2  # type: ignore[arg-type]
    assert default_batch_size(1000, thread_pool) == 125  # type: ignore[arg-type]
    assert default_batch_size(3, thread_pool) == 1  # type: ignore[arg-type]


def die(*, x: int, rng: np.random.Generator) -> float:
    if x == 1:
        os._exit(3)  # the worker process dies without a Python exception
    return float(rng.random())


def test_a_dead_worker_is_reported_never_lost() -> None:
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool, pytest.warns(ShequnWarning, match="fail"):
        res = sweep(die, {"x": [0, 1, 2]}, runs=2, rng=0, executor=pool, batch_size=2, retries=1)
    # every run is accounted for: a record or a failure naming the broken pool
    assert len(res.records) + len(res.failures) == 6
    assert {f.point for f in res.failures} >= {1}
    assert all("BrokenProcessPool" in f.error_type for f in res.failures)
    for rec in res.records:
        assert rec.output == rec.replay(die)


@settings(max_examples=10)
@given(
    grid=st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True),
        min_size=1,
    ),
    runs=st.integers(1, 4),
    seed=st.integers(0, 2**32),
    batch_size=st.integers(1, 5),
)
def test_same_rng_same_result_on_threads(
    grid: dict[str, list[int]], runs: int, seed: int, batch_size: int, thread_pool: object
) -> None:
    def f(*, rng: np.random.Generator, **params: int) -> float:
        return float(sum(params.values()) + rng.random())

    serial = sweep(f, grid, runs=runs, rng=seed)
    threaded = sweep(f, grid, runs=runs, rng=seed, executor=thread_pool, batch_size=batch_size)
    assert threaded == serial
    assert [r.spawn_key for r in serial.records] == [
        (p, r) for p in range(serial.n_points) for r in range(runs)
    ]


def test_adaptive_batches_start_small_then_grow(thread_pool: object) -> None:
    from shequn.experiment.examples import tiny

    done: list[int] = []
    res = replicate(
        tiny, runs=400, rng=0, executor=thread_pool, progress=lambda d, t: done.append(d)
    )  # type: ignore[arg-type]
    sizes = np.diff([0, *done]).tolist()
    # 2 workers: four single-run probes in flight, then batches of the cap ceil(400 / 8) = 50
    # (a one-draw task takes far less than 0.2 s / 50)
    assert sorted(sizes) == [1, 1, 1, 1, 46] + [50] * 7
    assert res == replicate(tiny, runs=400, rng=0)
