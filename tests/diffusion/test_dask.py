"""Diffusion on a Dask cluster (issue 17): RR sets drawn and kept on the workers, coverage
reduced and seeds chosen on the client, Monte Carlo runs on the workers; the answers are
identical to the single-machine run for the same rng, also when a worker process dies."""

from __future__ import annotations

import os
import signal
from typing import Any

import networkx as nx
import pytest

distributed = pytest.importorskip("distributed")

from shequn.diffusion import (  # noqa: E402
    as_network,
    imm,
    independent_cascade,
    linear_threshold,
    rr_spread,
)

NET = as_network(nx.barabasi_albert_graph(600, 3, seed=11))


@pytest.fixture(scope="module")
def client() -> Any:
    """Two workers in this process: the scatter, submit and gather paths, quickly."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.mark.parametrize(
    "kw",
    [{"p": 0.05}, {"p": "weighted", "reuse_samples": True}, {"model": "lt"}],
)
def test_imm_on_the_cluster_is_the_single_machine_imm(client: Any, kw: dict[str, Any]) -> None:
    here = imm(NET, 3, epsilon=0.5, rng=5, **kw)
    there = imm(NET, 3, epsilon=0.5, rng=5, executor=client, **kw)
    assert there == here  # seeds, gains, θ, lower bound, spread and its SE
    assert there.timings["bytes_to_client"] > 0 and there.timings["bytes_to_workers"] > 0
    if kw == {"p": 0.05}:  # client.get_executor() is the same path
        assert imm(NET, 3, epsilon=0.5, rng=5, executor=client.get_executor(), **kw) == here


def test_spread_estimates_on_the_cluster(client: Any) -> None:
    seeds = [0, 1, 2]
    assert rr_spread(NET, seeds, p=0.1, samples=40_000, rng=2, executor=client) == rr_spread(
        NET, seeds, p=0.1, samples=40_000, rng=2
    )
    mc = independent_cascade(NET, seeds, p=0.1, runs=5000, rng=2)
    assert independent_cascade(NET, seeds, p=0.1, runs=5000, rng=2, executor=client) == mc
    lt = linear_threshold(NET, seeds, runs=3000, rng=2)
    assert linear_threshold(NET, seeds, runs=3000, rng=2, executor=client) == lt


def test_a_killed_worker_process_changes_nothing() -> None:
    """Two worker processes; one is killed (SIGKILL) while IMM draws its RR sets. Dask restarts
    it and recomputes the lost sets from their inputs (a range, a count, a stream state), so
    the seeds and every figure are those of the run on one machine."""
    here = imm(NET, 3, p=0.05, epsilon=0.4, rng=9)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        pids = c.run(os.getpid)
        victim = sorted(pids.values())[0]
        killed: list[int] = []

        def kill_once(done: int, total: int) -> None:
            if not killed and done > 0:
                killed.append(victim)
                os.kill(victim, signal.SIGKILL)

        there = imm(NET, 3, p=0.05, epsilon=0.4, rng=9, executor=c, progress=kill_once)
        assert killed == [victim]
        assert victim not in c.run(os.getpid).values()  # the process really died
    assert there == here
