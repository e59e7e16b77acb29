"""First run of ``shequn demo``: cold (empty numba cache) and warm, in fresh processes.

Run: ``PYTHONPATH=src python benchmarks/bench_first_run.py [--quick] [--repeat N] [--venv]``

What a new user meets (issue 15): the first ``shequn demo`` after installing compiles every
numba kernel it uses; later runs load them from numba's on-disk cache. Each measurement is a
fresh ``python -m shequn demo`` process with ``NUMBA_CACHE_DIR`` pointed at a new empty
temporary folder (cold), then run again on the same folder (warm). The targets are ≤ 20 s cold
and ≤ 5 s warm on 2 cores.

The floor beside them is a fresh process that only imports shequn's dependencies (numpy,
scipy, networkx, numba) and shequn itself: the ratio ``demo / floor`` is less sensitive to the
machine's load than the seconds (measured in the same run, under the same load).

``--venv`` also times the README's install step (``python -m venv`` and ``pip install -e .``
into a new folder), reported on its own line: it is the user's wait before the first command.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import load_average, print_context, print_table

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the child, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one cold and one warm run (default)")
    ap.add_argument("--repeat", type=int, default=1, help="cold/warm pairs to measure")
    ap.add_argument("--venv", action="store_true", help="also time a fresh venv install")
    ap.add_argument("--python", default=sys.executable, help="interpreter with shequn installed")
    args = ap.parse_args()
    print_context()
    env = dict(os.environ)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    floor_cmd = [args.python, "-c", "import numpy, scipy, networkx, numba, shequn"]
    demo_cmd = [args.python, "-m", "shequn", "demo"]
    rows = []
    for i in range(max(1, args.repeat)):
        with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
            env["NUMBA_CACHE_DIR"] = cache
            floor, _, _ = _run(floor_cmd, env)
            load = load_average()
            cold, cold_cpu, out = _run(demo_cmd, env)
            warm, warm_cpu, _ = _run(demo_cmd, env)
            assert "[3/3]" in out, out
            rows.append(
                [
                    i + 1,
                    round(cold, 2),
                    round(cold_cpu, 2),
                    round(warm, 2),
                    round(warm_cpu, 2),
                    round(floor, 2),
                    round(cold / floor, 1),
                    round(warm / floor, 1),
                    load,
                ]
            )
    print_table(
        "shequn demo in fresh processes (target: cold <= 20 s, warm <= 5 s on 2 cores)",
        [
            "pair",
            "cold wall s",
            "cold CPU s",
            "warm wall s",
            "warm CPU s",
            "import floor s",
            "cold / floor",
            "warm / floor",
            "load average (1 5 15 min)",
        ],
        rows,
    )
    if args.venv:
        with tempfile.TemporaryDirectory(prefix="shequn-venv-") as folder:
            venv = Path(folder) / "venv"
            load = load_average()
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", "-e", str(ROOT)],
                check=True,
                capture_output=True,
            )
            install = time.perf_counter() - t0
            print(f"\nfresh venv + `pip install -e .`: {install:.1f} s (load average {load})")
    print()
    print_context()
    return 0


if __name__ == "__main__":
    sys.exit(main())
