"""The engine gives the same trajectories as an older revision's engine for the same ``rng``.

Run: ``PYTHONPATH=src python benchmarks/bench_equivalence.py [--baseline main] [--weeks 26]``

Issue 12 allows no change of behaviour except the defects it names. This script runs a set of
cases (the four community types, leader departure, broadcast to the market and to members,
bursty content, invitations at capacity, owner-only groups, a closed feedback channel, strict
rules) on this checkout's engine and on the engine of git revision ``--baseline`` (its
``src`` exported with ``git archive``, run in a separate process), and compares every column
the two trajectories share, bit for bit. Columns only this engine has (the flows the old one
computed and dropped, and those of mechanisms added since) are listed, not compared.

It prints one row per case and exits with status 1 if any shared column differs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import load_average, print_context, print_table
from bench_simulation import export

ROOT = Path(__file__).resolve().parents[1]

# the cases, run by the child with the engine on its PYTHONPATH (the public API both share)
CASES = {
    "brand default": ("brand", 1500, "om", {}),
    "values default": ("values", 1200, "om", {}),
    "sharing default": ("sharing", 1200, "om", {}),
    "leader leaves at 8": ("leader", 1200, "om", {"structure": {"leader_leaves_at": 8}}),
    "broadcast to market": (
        "brand",
        1000,
        "om",
        {"tools": {"broadcast_budget": 40.0, "broadcast_audience": "market"}},
    ),
    "broadcast only": ("brand", 1000, "broadcast_only", {}),
    "bursty content": ("values", 1000, "om", {"content": {"schedule": "bursty"}}),
    "owner-only groups": ("sharing", 1000, "om", {"tools": {"invite_policy": "owner_only"}}),
    "closed feedback, strict": (
        "brand",
        1000,
        "om",
        {"connectivity": {"feedback": "closed"}, "tools": {"rule_strictness": 0.9}},
    ),
    "at capacity": ("values", 800, "om", {"capacity": 880}),
}

CHILD = r"""
import enum, sys, attrs, numpy as np
from shequn.community import generate_community
from shequn.operating import OperatingModel
from shequn.simulation import simulate
cases, weeks, out = eval(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
arrays = {}
for i, (name, (kind, n, base, edits)) in enumerate(sorted(cases.items())):
    om = OperatingModel() if base == "om" else OperatingModel.broadcast_only(budget=30.0)
    edits = dict(edits)
    capacity = edits.pop("capacity", None)
    for part, changes in edits.items():
        old = getattr(om, part)
        changes = {  # enum fields by value (InvitePolicy, FeedbackChannel, Schedule)
            k: type(getattr(old, k))(v) if isinstance(getattr(old, k), enum.Enum) else v
            for k, v in changes.items()
        }
        om = attrs.evolve(om, **{part: attrs.evolve(old, **changes)})
    c = generate_community(kind, n, rng=100 + i)
    t = simulate(c, om, weeks=weeks, rng=1000 + i, capacity=capacity)
    for col, values in t.columns.items():
        arrays[name + "::" + col] = np.asarray(values)
np.savez(out, **arrays)
"""


def run_engine(src: Path, weeks: int, out: Path) -> float:
    """Run every case on the engine in ``src`` in a fresh process; returns its wall seconds."""
    env = dict(os.environ, PYTHONPATH=str(src))
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CHILD, repr(CASES), str(weeks), str(out)],
        env=env,
        check=True,
    )
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="main", help="git revision of the engine to match")
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--quick", action="store_true", help="8 weeks per case")
    args = ap.parse_args()
    if args.quick:
        args.weeks = 8
    print_context()
    with tempfile.TemporaryDirectory(prefix="shequn-equiv-") as tmp:
        old_path, new_path = Path(tmp) / "old.npz", Path(tmp) / "new.npz"
        load = load_average()
        t_old = run_engine(export(args.baseline), args.weeks, old_path)
        t_new = run_engine(ROOT / "src", args.weeks, new_path)
        old, new = dict(np.load(old_path)), dict(np.load(new_path))
    rows = []
    differ = 0
    for name in sorted(CASES):
        o = {k.split("::", 1)[1]: v for k, v in old.items() if k.startswith(name + "::")}
        n = {k.split("::", 1)[1]: v for k, v in new.items() if k.startswith(name + "::")}
        shared = sorted(set(o) & set(n))
        bad = [
            c
            for c in shared
            if o[c].shape != n[c].shape
            or not np.array_equal(o[c].astype(float), n[c].astype(float), equal_nan=True)
        ]
        differ += len(bad)
        rows.append(
            [
                name,
                len(shared),
                "yes" if not bad else "NO: " + ", ".join(bad[:4]),
                len(set(o) - set(n)),
                ", ".join(sorted(set(n) - set(o))),
            ]
        )
    print_table(
        f"{args.weeks} weeks per case, this engine against {args.baseline}'s (same rng)",
        ["case", "shared columns", "bitwise equal", "old-only", "new columns"],
        rows,
    )
    print(
        f"\nbaseline {t_old:.1f} s, this engine {t_new:.1f} s wall (each compiling in a fresh "
        f"process unless cached); load average at the start {load}"
    )
    print_context()
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
