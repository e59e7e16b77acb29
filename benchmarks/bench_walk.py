"""The long API walk: the CI walk's cases plus more values per parameter kind.

``tests/walk/test_api_walk.py`` runs the table of bad values per parameter kind in CI (a few
thousand cases, each in a worker process with a time and memory limit). This script runs the
same table with the extra values of ``walk_core.MORE`` (float32 NaN, "nan", complex, numpy
bools, subnormals, 0-d arrays, 2**64, object and ragged arrays, sets, generators, seed
sequences, case-changed choices) and prints the outcome counts per package and the failing
cases, so a change can be checked against far more input than CI affords.

    PYTHONPATH=src python benchmarks/bench_walk.py [--workers N] [--timeout S] [--failures]

It prints the load average beside the time: the machine is shared, so timings vary.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

WALK = Path(__file__).resolve().parents[1] / "tests" / "walk"
sys.path.insert(0, str(WALK))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--failures", action="store_true", help="list every failing case")
    args = parser.parse_args()
    os.environ["SHEQUN_WALK_FULL"] = "1"

    import walk_core
    import walk_known
    import walk_pool
    import walk_table

    cases = walk_table.all_cases(full=True)
    runnable = {
        cid: c
        for cid, c in cases.items()
        if all(importlib.util.find_spec(m) is not None for m in c.entry.needs)
    }
    timeouts = {cid: t for cid in runnable if (t := walk_known.timeout(cid))}
    load0 = os.getloadavg()[0]
    t0 = time.monotonic()
    results = walk_pool.run_cases(
        runnable, timeouts=timeouts, default_timeout=args.timeout, workers=args.workers
    )
    took = time.monotonic() - t0
    counts = walk_pool.tally(results, {cid: c.entry.package for cid, c in runnable.items()})
    print(walk_pool.format_tally(counts))
    ci = len(walk_table.all_cases(full=False))
    print(
        f"{len(results)} cases ({ci} in CI), {len(walk_table.ENTRIES)} entries, {took:.0f} s on "
        f"{args.workers} workers, load {load0:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    failing = {c: r for c, r in results.items() if not walk_core.passed(runnable[c], r["outcome"])}
    new = sorted(c for c in failing if c not in walk_known.KNOWN)
    print(f"{len(failing)} failing, {len(new)} of them not in walk_known.py")
    for cid in sorted(failing) if args.failures else new:
        print(f"  {cid}: {failing[cid]['outcome']}: {failing[cid]['detail'][:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
