"""Dask: a real two-process LocalCluster, one worker killed mid-sweep, results as serial."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shequn.experiment import load, sweep
from shequn.experiment.examples import coin_flips, traced

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_same_rng_same_result_on_dask(client: Any) -> None:
    grid = {"p": [0.2, 0.8], "n": [30]}
    ex = client.get_executor(pure=False)
    assert sweep(coin_flips, grid, runs=6, rng=3, executor=ex) == sweep(
        coin_flips, grid, runs=6, rng=3
    )
    # with the default pure=True resubmitted batches still differ (each carries its attempt)
    assert sweep(coin_flips, grid, runs=6, rng=3, executor=client.get_executor()) == sweep(
        coin_flips, grid, runs=6, rng=3
    )


def test_sweep_survives_a_killed_worker(client: Any, tmp_path: Path) -> None:
    log, path = tmp_path / "calls.txt", tmp_path / "dask.jsonl"
    xs = [float(i) for i in range(12)]
    grid = {"x": xs, "log": [str(log)], "seconds": [0.1]}
    pids = client.run(os.getpid)
    victim = next(iter(pids.values()))
    killed: list[int] = []

    def kill_once(done: int, total: int) -> None:
        if not killed and done >= 4:
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    res = sweep(
        traced,
        grid,
        runs=2,
        rng=17,
        executor=client.get_executor(pure=False),
        batch_size=2,
        progress=kill_once,
        store=path,
    )
    assert killed == [victim]
    # every run ran at least once (a run in flight on the killed worker ran twice)
    assert len(log.read_text().split()) >= 24
    # identical to the serial streams, computed directly from SeedSequence.spawn
    expected = []
    for x, child in zip(xs, np.random.SeedSequence(17).spawn(len(xs)), strict=True):
        expected += [x + float(np.random.default_rng(g).random()) for g in child.spawn(2)]
    assert res.failures == ()
    assert res.outputs == expected
    assert load(path) == res
    # the nanny restarted the killed worker process
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        now = client.run(os.getpid)
        if len(now) == 2 and victim not in now.values():
            break
        time.sleep(0.2)
    assert victim not in client.run(os.getpid).values()
