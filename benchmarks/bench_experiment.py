"""Benchmark shequn.experiment: per-task overhead of each executor and parallel speed-up.

Run:  PYTHONPATH=src python benchmarks/bench_experiment.py [--quick]

Measures, in one process run:
1. tiny tasks (one random draw): wall time per task for a plain Python loop over spawned seeds,
   shequn serial, threads, processes (batched and unbatched), loky and Dask (2 workers each),
   and mesa's ``batch_run`` on the same tiny task (1 and 2 processes), with ratios;
2. 100 ms CPU-bound tasks (``busy`` with its ``work`` calibrated to 100 ms on this machine at
   the start of the run): wall time per task and the overhead beyond the ideal split over
   2 workers;
3. a CPU-bound sweep on 2 processes vs serial (the issue's target: speed-up >= 1.8).
Executor start-up is excluded (each executor is warmed up first), except for mesa, whose
``batch_run`` creates its own process pool on every call.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
from shequn.experiment import replicate, sweep
from shequn.experiment.examples import busy, tiny


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Best wall time of ``repeat`` calls (the result is not needed here)."""
    return float(_common.timed(fn, repeat=repeat)[0])


def calibrate_work(target: float = 0.1) -> int:
    """The ``work`` argument for which one ``busy`` task takes ``target`` seconds here."""
    probe = 3000
    t = timed(lambda: busy(work=probe, rng=np.random.default_rng(0)), repeat=3)
    return max(1, round(probe * target / t))


def plain_loop(n: int) -> list[float]:
    return [tiny(rng=np.random.default_rng(s)) for s in np.random.SeedSequence(0).spawn(n)]


TRIM_CODE = """
import time, numpy as np
rng = np.random.default_rng(0)
best = 1e9
for rep in range(2):
    t = time.perf_counter()
    for _ in range({n}):
        a = rng.random(200_000)  # 1.6 MB arrays allocated and freed in a loop
        s = float((a * 2.0).sum())
    best = min(best, time.perf_counter() - t)
print(best)
"""


def malloc_trim_effect(n: int) -> tuple[float, float]:
    """Seconds for a numpy allocate/free loop in a fresh process, without and with Dask's
    worker setting MALLOC_TRIM_THRESHOLD_=65536."""
    import subprocess
    import sys

    out = []
    for trim in (None, "65536"):
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
        if trim is not None:
            env["MALLOC_TRIM_THRESHOLD_"] = trim
        done = subprocess.run(
            [sys.executable, "-c", TRIM_CODE.format(n=n)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(float(done.stdout))
    return out[0], out[1]


def _raw_half(works: list[int]) -> None:
    for w in works:
        busy(work=w, rng=np.random.default_rng(w))


def raw_two_processes(works: list[int]) -> float:
    """The ceiling: the same busy tasks split over two bare forked processes, no shequn."""
    ctx = multiprocessing.get_context("fork")
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        procs = [ctx.Process(target=_raw_half, args=(works[i::2],)) for i in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        best = min(best, time.perf_counter() - start)
    return best


def make_executors() -> tuple[dict[str, Executor | None], list[Callable[[], None]]]:
    fork = multiprocessing.get_context("fork")
    executors: dict[str, Executor | None] = {
        "serial": None,
        "threads(2)": ThreadPoolExecutor(2),
        "processes(2)": ProcessPoolExecutor(2, mp_context=fork),
    }
    closers: list[Callable[[], None]] = []
    try:
        from joblib.externals.loky import get_reusable_executor

        executors["loky(2)"] = get_reusable_executor(max_workers=2)
    except ImportError:
        pass
    try:
        import distributed

        cluster = distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        )
        client = distributed.Client(cluster)
        executors["dask(2)"] = client.get_executor(pure=False)

        def close_dask() -> None:
            client.close()
            cluster.close()

        closers.append(close_dask)
    except ImportError:
        pass
    for ex in executors.values():
        if ex is not None:
            replicate(tiny, runs=8, rng=0, executor=ex, progress=False)  # warm up workers
            closers.append(ex.shutdown)
    return executors, closers


def mesa_tiny(n: int, processes: int) -> float | None:
    try:
        from mesa.batchrunner import batch_run

        from _mesa_tiny import TinyModel
    except ImportError:
        return None
    return timed(
        lambda: batch_run(
            TinyModel,
            parameters={"seed": range(n)},
            iterations=1,
            max_steps=1,
            number_processes=processes,
            display_progress=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tasks (about 30 s)")
    args = parser.parse_args()
    n_tiny = 2000 if args.quick else 10000
    n_slow = 4 if args.quick else 8
    sweep_runs = 1 if args.quick else 2
    _common.print_context()
    work = calibrate_work(0.1)  # 100 ms per busy task on one core of this machine

    executors, closers = make_executors()
    try:
        loop = timed(lambda: plain_loop(n_tiny), repeat=3)
        print(f"\n1. tiny tasks (one draw), {n_tiny} runs; per-task wall time")
        print(f"{'runner':<28}{'us/task':>10}{'x plain loop':>14}")
        print(f"{'plain loop over spawn()':<28}{1e6 * loop / n_tiny:>10.1f}{1.0:>14.2f}")
        tiny_times: dict[str, float] = {}
        for name, ex in executors.items():
            t = timed(
                lambda ex=ex: replicate(tiny, runs=n_tiny, rng=0, executor=ex, progress=False),
                repeat=2,
            )
            tiny_times[name] = t
            print(f"{'shequn ' + name:<28}{1e6 * t / n_tiny:>10.1f}{t / loop:>14.2f}")
        n_unbatched = n_tiny // 10
        t = timed(
            lambda: replicate(
                tiny,
                runs=n_unbatched,
                rng=0,
                executor=executors["processes(2)"],
                batch_size=1,
                progress=False,
            )
        )
        print(
            f"{'shequn processes, batch=1':<28}{1e6 * t / n_unbatched:>10.1f}"
            f"{t / n_unbatched / (loop / n_tiny):>14.2f}"
        )
        n_mesa = n_tiny // 5
        for procs in (1, 2):
            m = mesa_tiny(n_mesa, procs)
            if m is not None:
                label = f"mesa batch_run ({procs} proc)"
                ratio = (m / n_mesa) / (tiny_times["serial"] / n_tiny)
                print(
                    f"{label:<28}{1e6 * m / n_mesa:>10.1f}{m / n_mesa / (loop / n_tiny):>14.2f}"
                    f"   (mesa / shequn serial = {ratio:.1f})"
                )

        print(f"\n2. 100 ms CPU-bound tasks (busy, work={work} calibrated), {n_slow} runs")
        seeds = np.random.SeedSequence(0).spawn(n_slow)
        task = functools.partial(busy, work=work)
        cpu0 = time.process_time()
        base = timed(lambda: [busy(work=work, rng=np.random.default_rng(s)) for s in seeds])
        cpu = time.process_time() - cpu0
        per = base / n_slow
        print(
            f"plain loop: {1e3 * per:.1f} ms/task (this process got {cpu / base:.0%} of a core;"
            " below 100% means other jobs compete for the CPUs)"
        )
        print(f"{'executor':<16}{'wall s':>9}{'ms/task':>10}{'overhead ms/task':>18}")
        for name, ex in executors.items():
            t = timed(
                lambda ex=ex: replicate(task, runs=n_slow, rng=0, executor=ex, progress=False)
            )
            workers = 1 if ex is None else 2
            # time beyond the ideal split of the plain loop's work over the workers, per task
            over = 1e3 * (t * workers - base) / n_slow
            print(f"{name:<16}{t:>9.2f}{1e3 * t / n_slow:>10.1f}{over:>18.1f}")

        grid = {"work": [round(work * (1 - 0.02 * k)) for k in range(8)]}
        print(f"\n3. CPU-bound sweep: 8 points x {sweep_runs} runs of busy (~100 ms each)")

        def run_sweep(ex: Executor | None) -> tuple[float, float]:
            """Best wall time of two, and the summed in-task seconds of that run."""
            best, task_s = float("inf"), 0.0
            for _ in range(2):
                start = time.perf_counter()
                res = sweep(busy, grid, runs=sweep_runs, rng=1, executor=ex, progress=False)
                wall = time.perf_counter() - start
                if wall < best:
                    best, task_s = wall, sum(r.seconds for r in res.records)
            return best, task_s

        rows = [("serial", *run_sweep(None))]
        raw = raw_two_processes([w for w in grid["work"] for _ in range(sweep_runs)])
        rows.append(("raw 2 procs", raw, float("nan")))
        for name in ("processes(2)", "loky(2)", "dask(2)"):
            if name in executors:
                rows.append((name, *run_sweep(executors[name])))
        t_serial, task_serial = rows[0][1], rows[0][2]
        print(f"{'executor':<16}{'wall s':>9}{'speed-up':>10}{'task-time x serial':>20}")
        for name, t, task_s in rows:
            inflation = "-" if task_s != task_s else f"{task_s / task_serial:.2f}"
            print(f"{name:<16}{t:>9.2f}{t_serial / t:>10.2f}{inflation:>20}")
        print(
            "task-time x serial: summed in-task seconds relative to the serial run; above 1 the"
            " workers ran slower than alone, i.e. they did not get a full core each.\n"
            "raw 2 procs: the same tasks on two bare forked processes without shequn, the"
            " ceiling this machine allows right now"
        )
        proc = dict((name, t) for name, t, _ in rows).get("processes(2)")
        if proc is not None:
            verdict = "met" if t_serial / proc >= 1.8 else "MISSED"
            print(
                f"target: CPU-bound sweep on 2 processes >= 1.8x serial: {t_serial / proc:.2f}x,"
                f" {verdict} (raw two-process ceiling now {t_serial / raw:.2f}x)"
            )
        n_trim = 500 if args.quick else 2000
        plain, trimmed = malloc_trim_effect(n_trim)
        print(f"\n4. numpy allocate/free loop ({n_trim} x 1.6 MB arrays) in a fresh process")
        print(
            f"default malloc: {plain:.2f} s; MALLOC_TRIM_THRESHOLD_=65536 (Dask workers): "
            f"{trimmed:.2f} s ({trimmed / plain:.1f}x slower)"
        )
        _common.print_context()
    finally:
        for close in reversed(closers):
            with contextlib.suppress(Exception):
                close()


if __name__ == "__main__":
    main()
