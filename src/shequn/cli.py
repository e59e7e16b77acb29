"""Command-line interface: ``shequn demo``, the built-in example scenario.

``shequn demo`` generates the four community types and prints their structure side by side,
then compares the reach of a launch through ten members chosen at random, by degree and by
influence maximisation (the central persons), and finally simulates a brand community for a
year under the default operating model (通法术器) against the same community run as a member
card with SMS, and prints the two trajectories' outcomes.

Examples
--------
>>> from shequn.cli import main
>>> main(["demo", "--n", "300", "--seed", "1", "--weeks", "2"])  # doctest: +ELLIPSIS
shequn demo: the four community types, 300 members each (seed 1)
...
shequn seeding demo: a launch through 10 members of a brand community of 3000 (seed 1)
...
shequn simulation demo: a brand community of 3000 members, 2 weeks (seed 1)
...
0
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return "nan" if math.isnan(x) else f"{x:.3f}"
    return str(x)


def _demo(n: int, seed: int) -> int:
    from shequn.community import CommunityType, generate_community, k_hop_reach
    from shequn.rng import spawn_seeds

    print(f"shequn demo: the four community types, {n} members each (seed {seed})")
    kinds = list(CommunityType)
    streams = spawn_seeds(seed, len(kinds))
    rows: dict[str, list[str]] = {}
    for kind, s in zip(kinds, streams, strict=True):
        c = generate_community(kind, n, rng=s)
        summ = dict(c.summary())
        reach = k_hop_reach(c, list(range(1, 11)), k=3)
        summ["reach_2nd_3rd_from_10"] = int(reach[2] + reach[3])
        summ["groups"] = c.groups.n_groups if c.groups is not None else 0
        for key, val in summ.items():
            rows.setdefault(key, []).append(_fmt(val))
    header = ["metric"] + [f"{k.value} {k.chinese}" for k in kinds]
    widths = [max(len(header[0]), *(len(k) for k in rows))]
    for j in range(len(kinds)):
        widths.append(max(len(header[j + 1]), *(len(v[j]) for v in rows.values())))
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for key, vals in rows.items():
        cells = [key.ljust(widths[0])] + [v.rjust(w) for v, w in zip(vals, widths[1:], strict=True)]
        print("  ".join(cells))
    return 0


def _seeding_demo(seed: int) -> int:
    from shequn.scenarios import seeding_report

    print()
    print(seeding_report(rng=seed))
    return 0


def _simulation_demo(seed: int, weeks: int) -> int:
    from shequn.scenarios import demo_report

    print()
    print(demo_report(rng=seed, weeks=weeks))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``shequn`` command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="shequn", description="Community economics models.")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the built-in example scenario")
    demo.add_argument("--n", type=int, default=2000, help="members per community (default 2000)")
    demo.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    demo.add_argument(
        "--weeks", type=int, default=52, help="weeks to simulate in the strategy comparison"
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.n < 50:
            parser.error("--n must be at least 50")
        if args.weeks < 1:
            parser.error("--weeks must be at least 1")
        return (
            _demo(args.n, args.seed)
            or _seeding_demo(args.seed)
            or _simulation_demo(args.seed, args.weeks)
        )
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
