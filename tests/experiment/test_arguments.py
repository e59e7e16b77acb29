"""Bad arguments to replicate and sweep: refused up front, named, before any run starts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shequn.exceptions import InvalidParameterError
from shequn.experiment import replicate, sweep
from shequn.experiment.examples import coin_flips, tiny

CALLS: list[int] = []


def counted(*, rng: Any) -> float:
    CALLS.append(1)
    return float(rng.random())


@pytest.mark.parametrize("bad", [0, -1, float("nan"), 1.5, "2", True])
def test_batch_size_is_checked_serially_and_on_executors(bad: object) -> None:
    CALLS.clear()
    with pytest.raises(InvalidParameterError, match=r"^`replicate\.batch_size` must be an integer"):
        replicate(counted, runs=3, rng=0, batch_size=bad)  # type: ignore[arg-type]
    with (
        ThreadPoolExecutor(1) as pool,
        pytest.raises(InvalidParameterError, match=r"^`sweep\.batch_size` must be an integer"),
    ):
        sweep(coin_flips, {"p": [0.5]}, runs=3, rng=0, executor=pool, batch_size=bad)  # type: ignore[arg-type]
    assert CALLS == []


class NoSubmit:
    def map(self, *args: object) -> None:  # looks like a pool, is not an Executor
        return None


@pytest.mark.parametrize("bad", ["processes", 2, NoSubmit(), ThreadPoolExecutor])
def test_executor_without_submit_is_our_error(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"^`sweep\.executor` must be None or a "):
        sweep(coin_flips, {"p": [0.5]}, runs=2, rng=0, executor=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"^`replicate\.executor` must be None or a "):
        replicate(tiny, runs=2, rng=0, executor=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [True, -3, 1.5, "1", [1, 2]])
def test_rng_is_checked_before_work(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"^`sweep\.rng` must be "):
        sweep(coin_flips, {"p": [0.5]}, runs=2, rng=bad)  # type: ignore[arg-type]


def test_progress_value_is_checked() -> None:
    with pytest.raises(InvalidParameterError, match=r"^`replicate\.progress` must be None"):
        replicate(tiny, runs=2, rng=0, progress="yes")  # type: ignore[arg-type]


def test_runs_beyond_memory_are_refused_with_the_estimate() -> None:
    CALLS.clear()
    with pytest.raises(InvalidParameterError, match=r"^`replicate\.runs` must need no more memory"):
        replicate(counted, runs=10**12, rng=0)
    with pytest.raises(InvalidParameterError, match=r"bytes needed"):
        sweep(coin_flips, {"p": [0.1, 0.2]}, runs=10**12, rng=0)
    assert CALLS == []
