"""Benchmark: the first ``simulate()`` of a fresh process with an empty numba cache.

Each measurement is a fresh Python process whose ``NUMBA_CACHE_DIR`` points at a new, empty
temporary directory, so every kernel the run needs is compiled. The process imports shequn,
generates a brand community of 1,000 members (both outside the timing), then times the first
``simulate(..., weeks=8)`` (monthly events happen, so every kernel of a default run compiles):
CPU seconds of the process (user + system) and wall seconds; then a second ``simulate`` in the
same process (compiled), and a third process on the now-filled cache (loading, not compiling).

Run::

    PYTHONPATH=src python benchmarks/bench_cold_start.py                    # this checkout
    PYTHONPATH=src python benchmarks/bench_cold_start.py --baseline 5b03533 # and an older engine

``--baseline REF`` measures the engine of git revision REF (its ``src`` exported with ``git
archive`` into a temporary directory) in alternation with this checkout, in the same run, so
the two figures share the machine's load. This checkout is measured twice: as a user gets it
(the first compile forks once and compiles on two cores, :mod:`shequn.simulation._warm`) and
with ``SHEQUN_PARALLEL_COMPILE=0`` (one process, as before). CPU seconds count the process
and its children (the forked compiler), so the two-core figure's CPU is the whole cost.

Target (issue 12): the first ``simulate`` compiles in at most 5 s on 2 cores (wall seconds,
median of the fresh processes; an idle machine is needed for a fair figure: the load average
is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_average, print_context

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, resource, sys, time, warnings
warnings.simplefilter("ignore")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    k = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + k.ru_utime + k.ru_stime
from shequn.community import generate_community
from shequn.operating import OperatingModel
from shequn.simulation import simulate
c = generate_community("brand", 1000, rng=0)
c0, w0 = cpu(), time.perf_counter()
simulate(c, OperatingModel(), weeks=8, rng=0)
c1, w1 = cpu(), time.perf_counter()
simulate(c, OperatingModel(), weeks=8, rng=1)
c2 = cpu()
print(json.dumps({"cpu": c1 - c0, "wall": w1 - w0, "compiled_cpu": c2 - c1,
                  "load": os.getloadavg()[0]}))
"""


def measure(
    src: Path, cache: str | None = None, env_extra: dict[str, str] | None = None
) -> dict[str, float]:
    """One fresh process on ``src``; a new empty numba cache unless ``cache`` is given."""
    env = dict(os.environ, PYTHONPATH=str(src), NUMBA_CACHE_DIR=cache or tempfile.mkdtemp())
    env.pop("SHEQUN_QUIET", None)
    env.pop("SHEQUN_PARALLEL_COMPILE", None)
    env.update(env_extra or {})
    out = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["notice"] = float("compiling the simulation kernels" in out.stderr)
    return result


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--baseline", help="git revision of an engine to compare with")
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per engine")
    ap.add_argument("--quick", action="store_true", help="one fresh process per engine")
    args = ap.parse_args()
    if args.quick:
        args.repeat = 1
    print_context()
    engines: dict[str, tuple[Path, dict[str, str]]] = {
        "this checkout": (ROOT / "src", {}),
        "one process": (ROOT / "src", {"SHEQUN_PARALLEL_COMPILE": "0"}),
    }
    if args.baseline:
        engines[f"baseline {args.baseline}"] = (export(args.baseline), {})
    rows: dict[str, list[dict[str, float]]] = {k: [] for k in engines}
    warm: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):  # alternate, so all engines see the same load
        for name, (src, extra) in engines.items():
            rows[name].append(measure(src, env_extra=extra))
    for name, (src, extra) in engines.items():
        cache = tempfile.mkdtemp()
        measure(src, cache, extra)
        warm[name] = measure(src, cache, extra)
    print(
        "\nfirst simulate() in a fresh process, empty numba cache (brand community of 1,000, "
        "8 weeks)"
    )
    print(f"{'engine':>22}  {'CPU s (min, median)':>20}  {'wall s (median)':>15}  "
          f"{'next simulate CPU s':>19}  {'warm cache CPU s':>16}  {'load':>5}")  # fmt: skip
    for name, rs in rows.items():
        cpus = sorted(r["cpu"] for r in rs)
        walls = sorted(r["wall"] for r in rs)
        med = cpus[len(cpus) // 2]
        print(
            f"{name:>22}  {cpus[0]:8.2f}, {med:9.2f}  {walls[len(walls) // 2]:15.2f}  "
            f"{rs[0]['compiled_cpu']:19.3f}  {warm[name]['cpu']:16.2f}  "
            f"{sum(r['load'] for r in rs) / len(rs):5.2f}"
        )
        if name != "one process" and not name.startswith("baseline"):
            shown = all(r["notice"] for r in rs) and not warm[name]["notice"]
            print(
                f"{'':>22}  compile notice on stderr: {'once, cold only' if shown else 'MISSING'}"
            )
    if args.baseline:
        for what in ("cpu", "wall"):
            new = sorted(r[what] for r in rows["this checkout"])
            old = sorted(r[what] for r in rows[f"baseline {args.baseline}"])
            ratio = new[len(new) // 2] / old[len(old) // 2]
            print(f"ratio this / baseline (median {what}): {ratio:.2f}")
    walls = sorted(r["wall"] for r in rows["this checkout"])
    median = walls[len(walls) // 2]
    verdict = "met" if median <= 5.0 else "MISSED"
    print(
        f"target <= 5 s on 2 cores (median wall of {args.repeat}, {median:.2f} s): {verdict}; "
        f"load average {load_average()}"
    )
    print_context()


if __name__ == "__main__":
    main()
