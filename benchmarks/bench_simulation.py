"""Benchmark: time per simulated week vs one sparse mat-vec on the same graph, memory, scaling.

Run::

    PYTHONPATH=src python benchmarks/bench_simulation.py          # 1M x 52 weeks
    PYTHONPATH=src python benchmarks/bench_simulation.py --quick  # 100k x 10
    PYTHONPATH=src python benchmarks/bench_simulation.py --baseline 5b03533   # before/after

The targets (issues 7 and 12): a simulated week costs no more than 20 (issue 7) and 8.5
(issue 12) sparse matrix-vector products on the same member network (the floor for one
diffusion step), memory grows with members + ties and is no higher per member and per tie than
before, and time grows about linearly in members. The mat-vec is timed after every week in the
same process, so both see the same load.

``--baseline REF`` also measures the engine of git revision REF (its ``src`` exported with
``git archive``): the two engines run in separate processes, one after the other and then in
the opposite order, and the table prints both with the ratio of their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_average, print_context

ROOT = Path(__file__).resolve().parents[1]


def _engine() -> tuple[Any, Any, Any]:
    """compile, init_state and step of the engine on the path (old or new names)."""
    import shequn.simulation as sim

    warnings.simplefilter("ignore", DeprecationWarning)
    comp = getattr(sim, "compile_dynamics", None) or sim.compile
    return comp, sim.init_state, sim.step


def _one_matvec(A: Any, x: np.ndarray) -> tuple[float, float]:
    """Wall and CPU seconds of one mat-vec."""
    t, c = time.perf_counter(), time.process_time()
    A @ x
    return time.perf_counter() - t, time.process_time() - c


def run(n: int, weeks: int) -> dict[str, float]:
    """Time ``weeks`` simulated weeks; after each week time three mat-vecs under the same load."""
    from shequn.community import generate_community
    from shequn.operating import OperatingModel

    comp, init_state, step = _engine()
    c = generate_community("brand", n, rng=1)
    A = c.adjacency
    x = np.random.default_rng(0).random(n)
    t0 = time.perf_counter()
    d = comp(c, OperatingModel())
    s = init_state(d, rng=2)
    t_init = time.perf_counter() - t0
    s1 = step(s, d, 1, rng=0)  # compile (or load the compiled kernels) outside the timing
    del s1
    gens = np.random.SeedSequence(3).spawn(weeks)
    week_times, mv_times, week_cpu, mv_cpu = [], [], [], []
    for w in range(1, weeks + 1):
        t, c0 = time.perf_counter(), time.process_time()
        s = step(s, d, w, rng=np.random.default_rng(gens[w - 1]))
        week_times.append(time.perf_counter() - t)
        week_cpu.append(time.process_time() - c0)
        for _ in range(3):
            mv_wall, mv_c = _one_matvec(A, x)
            mv_times.append(mv_wall)
            mv_cpu.append(mv_c)
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
        # CPU seconds: what the process itself spent, less moved by other jobs' load
        "week_cpu_s": float(np.median(week_cpu)),
        "matvec_cpu_s": float(np.median(mv_cpu)),
        "ties_end": int(s.n_ties),
        "members_end": int(s.present.sum()),
        "load": os.getloadavg()[0],
    }


def peak_memory(n: int, weeks: int) -> float:
    """Peak traced bytes of compile + init_state + ``weeks`` weeks (tracemalloc sees numpy)."""
    from shequn.community import generate_community
    from shequn.operating import OperatingModel

    comp, init_state, step = _engine()
    c = generate_community("brand", n, rng=1)
    small = generate_community("brand", 300, rng=1)  # load the compiled kernels first
    ds = comp(small, OperatingModel())
    step(init_state(ds, rng=0), ds, 1, rng=0)
    tracemalloc.start()
    d = comp(c, OperatingModel())
    s = init_state(d, rng=2)
    for w in range(1, weeks + 1):
        s = step(s, d, w, rng=w)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return float(peak)


def measure(n: int, weeks: int, scaling: bool) -> dict[str, Any]:
    """The main run, its peak memory and (optionally) the scaling runs, in this process."""
    main_run = run(n, weeks)
    main_run["peak_bytes"] = peak_memory(n, 4)
    rows = []
    if scaling:
        rows = [run(m, min(weeks, 6)) for m in (n // 8, n // 4, n // 2)]
    rows.append(
        dict(
            main_run,
            week_s=main_run["week_first6_s"],
            ratio=main_run["week_first6_s"] / main_run["matvec_s"],
        )
    )
    return {"main": main_run, "scaling": rows}


def export(ref: str) -> Path:
    """The ``src`` tree of git revision ``ref`` in a temporary directory."""
    dest = Path(tempfile.mkdtemp())
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True
    ).stdout
    tar = dest / "src.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as fh:
        fh.extractall(dest, filter="data")
    return dest / "src"


def in_process(src: Path, n: int, weeks: int, scaling: bool) -> dict[str, Any]:
    """:func:`measure` in a fresh process on the engine in ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [sys.executable, __file__, "--child", "--n", str(n), "--weeks", str(weeks)]
    if not scaling:
        cmd.append("--skip-scaling")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def report(name: str, r: dict[str, Any]) -> None:
    m = r["main"]
    print(f"\n{name}: brand community, {m['n']:,} members, {m['edges']:,} ties")
    print(f"  one sparse mat-vec (A @ x, scipy csr): {m['matvec_s'] * 1e3:8.2f} ms (median)")
    print(f"  compile + init_state:                  {m['init_s'] * 1e3:8.2f} ms")
    print(
        f"  simulated week (median):               {m['week_s'] * 1e3:8.2f} ms "
        f"(mean {m['week_mean_s'] * 1e3:.2f} ms)"
    )
    print(f"  ratio week / mat-vec:                  {m['ratio']:8.2f}   (load {m['load']:.2f})")
    print(
        f"  in CPU time: week {m['week_cpu_s'] * 1e3:.2f} ms, mat-vec "
        f"{m['matvec_cpu_s'] * 1e3:.2f} ms, ratio {m['week_cpu_s'] / m['matvec_cpu_s']:.2f}"
    )
    print(f"  ties at the end: {m['ties_end']:,}; members: {m['members_end']:,}")
    print(
        f"  peak traced memory (4 weeks): {m['peak_bytes'] / 2**20:8.1f} MiB "
        f"= {m['peak_bytes'] / m['n']:.0f} B/member, {m['peak_bytes'] / m['edges']:.0f} B/tie"
    )
    rows = r["scaling"]
    if len(rows) > 1:
        print("  scaling (median of the first 6 weeks):")
        print("   members      ties   week ms   mat-vec ms   ratio")
        for row in rows:
            print(
                f"  {row['n']:>8,} {row['edges']:>9,} {row['week_s'] * 1e3:9.2f} "
                f"{row['matvec_s'] * 1e3:12.3f} {row['ratio']:7.1f}"
            )
        ns = np.log([row["n"] for row in rows])
        slope = np.polyfit(ns, np.log([row["week_s"] for row in rows]), 1)[0]
        print(f"  fitted exponent of week time in members: {slope:.2f} (target about 1)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100,000 members for 10 weeks")
    ap.add_argument("--baseline", help="git revision of an engine to compare with")
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--weeks", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    n, weeks = (100_000, 10) if args.quick else (1_000_000, 52)
    n = args.n or n
    weeks = args.weeks or weeks
    if args.child:
        print(json.dumps(measure(n, weeks, not args.skip_scaling)))
        return
    print_context()
    scaling = not args.skip_scaling
    if not args.baseline:
        result = measure(n, weeks, scaling)
        report("this checkout", result)
        results = {"this checkout": result}
    else:
        engines = {
            "this checkout": ROOT / "src",
            f"baseline {args.baseline}": export(args.baseline),
        }
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in engines}
        for order in (list(engines), list(engines)[::-1]):  # both orders: shared load
            for name in order:
                runs[name].append(in_process(engines[name], n, weeks, scaling))
        results = {}
        for name, rs in runs.items():
            best = min(rs, key=lambda r: r["main"]["ratio"])
            results[name] = best
            report(f"{name} (better of 2 runs)", best)
    new = results["this checkout"]["main"]
    v12 = "met" if new["ratio"] <= 8.5 else "MISSED"
    v7 = "met" if new["ratio"] <= 20 else "MISSED"
    print(
        f"\nweek / mat-vec {new['ratio']:.2f}: issue 12's target <= 8.5 {v12}; issue 7's <= 20 {v7}"
    )
    if args.baseline:
        old = results[f"baseline {args.baseline}"]["main"]
        print(
            f"this / baseline: week {new['week_s'] / old['week_s']:.2f}x, ratio "
            f"{new['ratio'] / old['ratio']:.2f}x, memory per member "
            f"{new['peak_bytes'] / old['peak_bytes']:.2f}x (same members and ties); "
            f"week CPU {new['week_cpu_s'] / old['week_cpu_s']:.2f}x"
        )
    print(f"load average {load_average()}")
    print_context()


if __name__ == "__main__":
    main()
