"""Community core at scale: generate each type and compute 2nd/3rd-degree reach.

Run: ``PYTHONPATH=src python benchmarks/bench_community.py [--n 1000000] [--quick]``

For each community type: generation time and peak traced memory (tracemalloc, which sees numpy
buffers), in total, per member and per tie; then the time and peak memory to compute the
1st/2nd/3rd-degree reach (二三级人脉) of 1,000 members on CSR (vectorised frontier expansion, no
Python loop over members), compared in the same run with networkx's multi-source BFS
(``multi_source_dijkstra_path_length`` with a cutoff, the peer way to do it) on a networkx copy
of the graph where that copy is affordable (``--peer-max-n``). The two reach counts must agree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_traced, print_context, print_table, timed
from shequn.community import CommunityType, generate_community, k_hop_reach


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="n = 100,000")
    ap.add_argument(
        "--peer-max-n",
        type=int,
        default=200_000,
        help="largest n for which the networkx comparison is run",
    )
    args = ap.parse_args()
    n = 100_000 if args.quick else args.n
    print_context()
    rows = []
    for i, kind in enumerate(CommunityType):
        t_gen, peak, c = peak_traced(lambda kind=kind, i=i: generate_community(kind, n, rng=i))
        sources = np.random.default_rng(99).choice(np.arange(1, n), size=1000, replace=False)
        t_reach, reach = timed(lambda c=c, s=sources: k_hop_reach(c, s, k=3), repeat=3)
        _, reach_peak, _ = peak_traced(lambda c=c, s=sources: k_hop_reach(c, s, k=3))
        if n <= args.peer_max_n:
            G = c.to_networkx()
            t_nx, dist = timed(
                lambda G=G, s=sources: nx.multi_source_dijkstra_path_length(
                    G, set(s.tolist()), cutoff=3
                )
            )
            counts = np.bincount(np.fromiter(dist.values(), dtype=np.int64), minlength=4)
            assert np.array_equal(counts[:4], reach), (counts, reach)
            ratio = f"{t_nx / t_reach:.1f}x"
        else:
            t_nx, ratio = float("nan"), "n/a"
        rows.append(
            [
                kind.value,
                n,
                c.n_edges,
                round(t_gen, 2),
                round(t_gen / n * 1e6, 2),
                round(t_gen / max(c.n_edges, 1) * 1e9),
                round(peak / 2**20),
                round(peak / n, 1),
                round(peak / max(c.n_edges, 1), 1),
                int(reach[2]),
                int(reach[3]),
                round(t_reach * 1e3, 1),
                round(reach_peak / 2**20, 1),
                round(t_nx * 1e3, 1),
                ratio,
            ]
        )
    print_table(
        f"generation and 2nd/3rd-degree reach from 1,000 members (n = {n:,})",
        [
            "type",
            "n",
            "ties",
            "generate s",
            "us/member",
            "ns/tie",
            "peak MiB",
            "peak B/member",
            "peak B/tie",
            "2nd",
            "3rd",
            "reach ms",
            "reach peak MiB",
            "networkx ms",
            "speed-up",
        ],
        rows,
    )
    print_context()


if __name__ == "__main__":
    main()
