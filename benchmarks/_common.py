"""Shared helpers for benchmark scripts: timing, peak memory, and the result table."""

from __future__ import annotations

import datetime
import gc
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any


def timed(fn: Callable[[], Any], *, repeat: int = 1) -> tuple[float, Any]:
    """Best wall time over ``repeat`` calls, and the last result."""
    best = float("inf")
    out: Any = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def peak_traced(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """Wall time, peak bytes allocated through Python's allocator (numpy included), result."""
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak, out


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, e.g. ``"1.43 1.15 0.61"`` (other jobs on the CPUs)."""
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def machine_line() -> str:
    """Date, command, machine and load: the context every published figure needs."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = " ".join(["python", *sys.argv])
    return (
        f"{now} | {cmd} | {os.cpu_count()} CPUs, Python {platform.python_version()} | "
        f"load average {load_average()}"
    )


def print_context() -> None:
    """Print :func:`machine_line` (call at the start and at the end of a benchmark)."""
    print(f"[{machine_line()}]", flush=True)


def max_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print an aligned plain-text table (Markdown compatible)."""

    def fmt(x: Any) -> str:
        if isinstance(x, float):
            return f"{x:.4g}"
        return str(x)

    cells = [[fmt(x) for x in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    print(f"\n### {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        print("| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |")
