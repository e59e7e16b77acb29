"""Run every benchmark script, one after the other, and print their tables and ratios.

Run: ``PYTHONPATH=src python benchmarks/run_all.py [--quick] [community bass ...]``

Each ``bench_<name>.py`` runs in its own Python process (so peak-memory figures are per
benchmark), with ``--quick`` passed on when given. Every script prints its own context line
(date, command, CPUs, load average) at the start and at the end; the figures in
``docs/benchmarks.md`` were produced this way. Timing ratios against peer libraries are always
measured inside one script run, so the machine's load affects both sides alike.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts() -> dict[str, Path]:
    """Benchmark name -> script, for every ``bench_*.py`` beside this file."""
    return {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}


def main() -> int:
    found = scripts()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {list(found)})")
    ap.add_argument("--quick", action="store_true", help="pass --quick to every script")
    args = ap.parse_args()
    unknown = [n for n in args.names if n not in found]
    if unknown:
        ap.error(f"unknown benchmark(s) {unknown}; choose from {list(found)}")
    env = dict(os.environ)
    src = str(HERE.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    failed = []
    for name in args.names or list(found):
        cmd = [sys.executable, str(found[name])] + (["--quick"] if args.quick else [])
        print(f"\n## {name}\n", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run(cmd, env=env, check=False).returncode
        print(f"\n({name}: {time.perf_counter() - t0:.0f} s, exit code {rc})", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
