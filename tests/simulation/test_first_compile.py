"""The first compile on two cores (:mod:`shequn.simulation._warm`).

Two things make it correct: the plain-Python kernels it runs while the other process compiles
must compute what the compiled kernels compute (checked here run against run, a second method
for every kernel), and the child's share must reach the parent through numba's cache (checked
in a fresh process with an empty cache: the parent loads those kernels and compiles only its
own share, and the run is the one this process computes).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shequn.community import generate_community
from shequn.operating import Connectivity, Content, OperatingModel, Structure
from shequn.simulation import _warm, simulate

MODELS = {
    "brand, default": ("brand", OperatingModel()),
    "leader, busy": (
        "leader",
        OperatingModel(
            connectivity=Connectivity(person_person=0.9, feedback="closed"),
            content=Content(cadence=6.0, schedule="bursty"),
            structure=Structure(volunteers=5, group_cap=20),
        ),
    ),
    "sharing, quiet": ("sharing", OperatingModel(content=Content(cadence=0.5, quality=0.3))),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_plain_python_kernels_compute_what_the_compiled_ones_do(name: str) -> None:
    kind, model = MODELS[name]
    c = generate_community(kind, 80, rng=11)
    compiled = simulate(c, model, weeks=6, rng=4)
    with _warm._plain(_warm.kernels()):
        assert all(not hasattr(getattr(sys.modules[k.rsplit(".", 1)[0]], k.rsplit(".", 1)[1]),
                               "signatures") for k in _warm.kernels())  # fmt: skip
        plain = simulate(c, model, weeks=6, rng=4)
    assert plain == compiled
    # the kernels are back afterwards
    assert all(hasattr(d, "signatures") for d in _warm.kernels().values())


def test_every_kernel_runs_in_the_tiny_run_and_the_split_names_kernels() -> None:
    ks = _warm.kernels()
    assert set(ks) >= _warm.BACKGROUND
    assert len(ks) >= 6
    _warm.tiny_run(compiled=ks)  # compiled already here: the run uses every kernel
    assert all(d.signatures for d in ks.values())


def test_no_fork_when_turned_off_threaded_or_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    simulate(generate_community("brand", 30, rng=0), OperatingModel(), weeks=1, rng=0)
    assert not _warm._worth_forking()  # compiled in this process already
    monkeypatch.setattr(_warm, "_cached", lambda d: False)  # as if nothing were compiled
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(_warm, "_cpus", lambda: 2)
    if sys.platform.startswith("linux"):
        assert _warm._worth_forking()
    monkeypatch.setenv("SHEQUN_PARALLEL_COMPILE", "0")
    assert not _warm._worth_forking()
    monkeypatch.delenv("SHEQUN_PARALLEL_COMPILE")
    monkeypatch.setattr(_warm, "_cpus", lambda: 1)
    assert not _warm._worth_forking()
    monkeypatch.setattr(_warm, "_cpus", lambda: 2)
    seen: list[bool] = []
    t = threading.Thread(target=lambda: seen.append(_warm._worth_forking()))
    t.start()
    t.join()
    assert seen == [False]  # not from another thread than the main one


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_hung_child_is_killed() -> None:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        time.sleep(60)
        os._exit(0)
    _warm._reap(pid, 0.2)
    with pytest.raises(ChildProcessError):  # reaped: no such child any more
        os.waitpid(pid, os.WNOHANG)


FRESH = """
import pickle, sys, warnings
warnings.simplefilter("ignore")
from shequn.community import generate_community
from shequn.operating import OperatingModel
from shequn.simulation import _warm, simulate
t = simulate(generate_community("values", 150, rng=3), OperatingModel(), weeks=6, rng=5)
stats = {{name: (sum(d.stats.cache_hits.values()), sum(d.stats.cache_misses.values()))
         for name, d in _warm.kernels().items()}}
with open({out!r}, "wb") as fh:
    pickle.dump((t, stats), fh)
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="the two-core compile needs Linux and two usable CPUs",
)
def test_a_fresh_process_compiles_on_two_cores(tmp_path: Path) -> None:
    out = tmp_path / "run.pkl"
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("SHEQUN_QUIET", None)
    env.pop("SHEQUN_PARALLEL_COMPILE", None)
    done = subprocess.run(
        [sys.executable, "-c", FRESH.format(out=str(out))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    with out.open("rb") as fh:
        t, stats = pickle.load(fh)
    for name, (hits, misses) in stats.items():
        if name in _warm.BACKGROUND:  # compiled by the child, loaded from the cache
            assert (hits, misses) == (1, 0), name
        else:  # compiled by the parent
            assert (hits, misses) == (0, 1), name
    assert done.stderr.count("compiling the simulation kernels") == 1
    here = simulate(generate_community("values", 150, rng=3), OperatingModel(), weeks=6, rng=5)
    assert t == here
    assert pickle.loads(pickle.dumps(here)) == here  # (the comparison survives pickling)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_reaping_survives_an_application_that_ignores_sigchld() -> None:
    import signal

    old = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os._exit(0)
        time.sleep(0.05)
        _warm._reap(pid, 5.0)  # no ChildProcessError
    finally:
        signal.signal(signal.SIGCHLD, old)


def test_a_failed_fork_leaves_the_compile_to_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError(12, "Cannot allocate memory")

    ran: list[object] = []
    monkeypatch.setattr(_warm, "_done", False)
    monkeypatch.setattr(_warm, "_worth_forking", lambda: True)
    monkeypatch.setattr(_warm, "_initialise_numba", lambda: None)
    monkeypatch.setattr(_warm, "tiny_run", lambda compiled: ran.append(compiled))
    monkeypatch.setattr(os, "fork", no_fork)
    _warm.prepare()  # no exception reaches the caller, and nothing else is attempted
    assert ran == []
    assert _warm._done
