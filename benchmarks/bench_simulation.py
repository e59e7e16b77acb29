"""Benchmark: time per simulated week vs one sparse mat-vec on the same graph, memory, scaling.

Run::

    PYTHONPATH=src python benchmarks/bench_simulation.py          # 1M x 52 weeks
    PYTHONPATH=src python benchmarks/bench_simulation.py --quick  # 100k x 10

The target (issue 7): a simulated week costs no more than 20 sparse matrix-vector products on
the same member network (the floor for one diffusion step), memory grows with members + ties,
and time grows about linearly in members. Both are measured in the same process run.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_context
from shequn.community import generate_community
from shequn.operating import OperatingModel
from shequn.simulation import compile, init_state, step


def matvec_seconds(A: object, reps: int = 20) -> float:
    x = np.random.default_rng(0).random(A.shape[0])  # type: ignore[attr-defined]
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        A @ x  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def _one_matvec(A: object, x: np.ndarray) -> float:
    t = time.perf_counter()
    A @ x  # type: ignore[operator]
    return time.perf_counter() - t


def run(n: int, weeks: int) -> dict[str, float]:
    """Time ``weeks`` simulated weeks; after each week time three mat-vecs under the same load."""
    c = generate_community("brand", n, rng=1)
    A = c.adjacency
    x = np.random.default_rng(0).random(n)
    t0 = time.perf_counter()
    d = compile(c, OperatingModel())
    s = init_state(d, rng=2)
    t_init = time.perf_counter() - t0
    gens = np.random.SeedSequence(3).spawn(weeks)
    week_times, mv_times = [], []
    for w in range(1, weeks + 1):
        t = time.perf_counter()
        s = step(s, d, w, rng=np.random.default_rng(gens[w - 1]))
        week_times.append(time.perf_counter() - t)
        mv_times.extend(_one_matvec(A, x) for _ in range(3))
    wk = float(np.median(week_times))
    mv = float(np.median(mv_times))
    return {
        "n": n,
        "edges": c.n_edges,
        "matvec_s": mv,
        "init_s": t_init,
        "week_s": wk,
        "week_first6_s": float(np.median(week_times[:6])),
        "week_mean_s": float(np.mean(week_times)),
        "ratio": wk / mv,
        "ties_end": s.n_ties,
        "members_end": int(s.present.sum()),
    }


def peak_memory(n: int, weeks: int) -> float:
    """Peak traced bytes of compile + init_state + ``weeks`` weeks (tracemalloc sees numpy)."""
    c = generate_community("brand", n, rng=1)
    tracemalloc.start()
    d = compile(c, OperatingModel())
    s = init_state(d, rng=2)
    for w in range(1, weeks + 1):
        s = step(s, d, w, rng=w)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return float(peak)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100,000 members for 10 weeks")
    args = ap.parse_args()
    n, weeks = (100_000, 10) if args.quick else (1_000_000, 52)
    print_context()
    main_run = run(n, weeks)
    mem_weeks = 4
    main_run["peak_bytes"] = peak_memory(n, mem_weeks)
    print(
        f"shequn simulation benchmark: brand community, {n:,} members, "
        f"{main_run['edges']:,} ties, {weeks} weeks"
    )
    print(
        f"  one sparse mat-vec (A @ x, scipy csr): {main_run['matvec_s'] * 1e3:8.2f} ms "
        "(median, timed after every week)"
    )
    print(f"  compile + init_state:                  {main_run['init_s'] * 1e3:8.2f} ms")
    print(
        f"  simulated week (median):               {main_run['week_s'] * 1e3:8.2f} ms "
        f"(mean {main_run['week_mean_s'] * 1e3:.2f} ms)"
    )
    verdict = "met" if main_run["ratio"] <= 20 else "MISSED"
    print(
        f"  ratio week / mat-vec:                  {main_run['ratio']:8.1f}   "
        f"(target <= 20: {verdict})"
    )
    print(f"  ties at the end: {main_run['ties_end']:,}; members: {main_run['members_end']:,}")
    print(
        f"  peak traced memory ({mem_weeks} weeks, separate run): "
        f"{main_run['peak_bytes'] / 2**20:8.1f} MiB "
        f"= {main_run['peak_bytes'] / n:.0f} B/member, "
        f"{main_run['peak_bytes'] / main_run['edges']:.0f} B/tie"
    )
    # scaling in members: a few weeks at 1/8 .. 1 of the size, fitted log-log slope
    sizes = [n // 8, n // 4, n // 2, n]
    rows = [run(m, min(weeks, 6)) for m in sizes[:-1]]
    rows.append(
        dict(
            main_run,
            week_s=main_run["week_first6_s"],
            ratio=main_run["week_first6_s"] / main_run["matvec_s"],
        )
    )
    print("\n  scaling (median of the first 6 weeks):")
    print("  members      ties   week ms   mat-vec ms   ratio")
    for r in rows:
        print(
            f"  {r['n']:>8,} {r['edges']:>9,} {r['week_s'] * 1e3:9.2f} "
            f"{r['matvec_s'] * 1e3:12.3f} {r['ratio']:7.1f}"
        )
    slope = np.polyfit(np.log([r["n"] for r in rows]), np.log([r["week_s"] for r in rows]), 1)[0]
    print(f"\n  fitted exponent of week time in members: {slope:.2f} (target about 1)")
    print_context()


if __name__ == "__main__":
    main()
