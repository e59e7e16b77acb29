"""Run walk cases on a small pool of persistent worker processes, each case isolated.

A worker imports shequn once and runs case after case (walk_worker.py). A case that crashes its
worker (segfault, abort) or exceeds its time limit is recorded as ``crash`` or ``hang`` and the
worker is replaced; the other cases never notice. A crash in a worker that had run other cases
may come from memory an earlier case corrupted (an out-of-bounds write that returned), so such a
case is run again, first, in a fresh worker, and judged there. Workers run with an address-space
limit (``resource.setrlimit(RLIMIT_AS)``) so a runaway allocation fails fast instead of taking
the machine, with one BLAS/numba thread each, and no core dumps.

Run it directly for the counts per package and outcome::

    .venv/bin/python tests/walk/walk_pool.py            # the CI table of cases
    .venv/bin/python tests/walk/walk_pool.py --known    # also print the failing cases
    .venv/bin/python tests/walk/walk_pool.py --only longtail,io --write-known
                                            # rerun two packages, rewrite their known failures
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER = HERE / "walk_worker.py"
MEMORY_LIMIT = int(os.environ.get("SHEQUN_WALK_MEMORY", str(3 * 2**30)))
START_TIMEOUT = 300.0  # importing shequn and loading (or compiling) kernels on a busy machine


def _limits() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setsid()


class Worker:
    """One worker process and the case it is running."""

    def __init__(self, tmp: str) -> None:
        src = str(HERE.parents[1] / "src")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "NUMBA_NUM_THREADS": "1",
            "TMPDIR": tmp,
            "MPLBACKEND": "Agg",
            "PYTHONFAULTHANDLER": "",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            preexec_fn=_limits,
        )
        self.buf = b""
        self.runs = 0  # cases answered: a crash in a used worker is rerun in a fresh one
        self.case: str | None = None
        self.deadline = time.monotonic() + START_TIMEOUT
        self.ready = False
        assert self.proc.stdout is not None
        os.set_blocking(self.proc.stdout.fileno(), False)

    def fileno(self) -> int:
        assert self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def send(self, case_id: str, timeout: float) -> None:
        assert self.proc.stdin is not None
        self.case = case_id
        self.deadline = time.monotonic() + timeout
        self.proc.stdin.write((json.dumps({"id": case_id}) + "\n").encode())
        self.proc.stdin.flush()

    def lines(self) -> tuple[list[dict[str, Any]], bool]:
        """Read what is available: complete answer lines, and whether the pipe closed."""
        assert self.proc.stdout is not None
        try:
            chunk = os.read(self.fileno(), 1 << 16)
        except BlockingIOError:
            return [], False
        if not chunk:
            return [], True
        self.buf += chunk
        *done, self.buf = self.buf.split(b"\n")
        return [json.loads(d) for d in done if d.strip()], False

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def run_cases(
    case_ids: Iterable[str],
    *,
    timeouts: dict[str, float] | None = None,
    default_timeout: float | None = None,
    workers: int | None = None,
) -> dict[str, dict[str, str]]:
    """Run every case (by id) and return ``{id: {"outcome": ..., "detail": ...}}``."""
    if default_timeout is None:
        default_timeout = float(os.environ.get("SHEQUN_WALK_TIMEOUT", "60"))
    queue = list(case_ids)
    queue.reverse()
    fresh_only: list[str] = []  # crashed in a used worker: the cause may be an earlier case
    timeouts = timeouts or {}
    n = workers or int(os.environ.get("SHEQUN_WALK_WORKERS", "2"))
    n = max(1, min(n, len(queue)))
    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="shequn-walk-") as tmp:
        pool = [Worker(tmp) for _ in range(n)]
        try:
            while queue or fresh_only or any(w.case is not None for w in pool):
                for w in pool:
                    if not (w.ready and w.case is None):
                        continue
                    if fresh_only and w.runs == 0:
                        cid = fresh_only.pop()
                    elif queue:
                        cid = queue.pop()
                    else:
                        continue
                    w.send(cid, timeouts.get(cid, default_timeout))
                busy = [w for w in pool if w.case is not None or not w.ready]
                wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                readable, _, _ = select.select(busy, [], [], min(wait, 1.0))
                now = time.monotonic()
                for w in list(pool):
                    closed = False
                    if w in readable:
                        answers, closed = w.lines()
                        for a in answers:
                            if "ready" in a:
                                w.ready = True
                            elif a["id"] == w.case:
                                results[a["id"]] = {
                                    "outcome": a["outcome"],
                                    "detail": a["detail"],
                                    "seconds": a.get("seconds", ""),
                                }
                                w.case = None
                                w.runs += 1
                    timed_out = now > w.deadline and (w.case is not None or not w.ready)
                    if closed or timed_out:
                        if w.case is not None:
                            if closed and w.runs > 0:
                                # memory an earlier case corrupted may be what crashed: the
                                # case is judged again, alone, in a fresh worker
                                fresh_only.append(w.case)
                            elif closed:
                                w.proc.wait()
                                code = w.proc.returncode
                                how = f"signal {-code}" if code < 0 else f"exit {code}"
                                results[w.case] = {"outcome": "crash", "detail": how}
                            else:
                                limit = timeouts.get(w.case, default_timeout)
                                results[w.case] = {"outcome": "hang", "detail": f"> {limit:g} s"}
                        elif not w.ready:
                            w.kill()
                            raise RuntimeError("a walk worker failed to start")
                        w.kill()
                        pool[pool.index(w)] = Worker(tmp)
        finally:
            for w in pool:
                w.close()
    return results


def tally(
    results: dict[str, dict[str, str]], package_of: dict[str, str]
) -> dict[str, Counter[str]]:
    """Counts per package and outcome (``other:KeyError`` counted as ``other``)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for cid, r in results.items():
        out[package_of[cid]][r["outcome"].split(":")[0]] += 1
    return out


def format_tally(counts: dict[str, Counter[str]]) -> str:
    """A plain table of :func:`tally`."""
    from walk_core import OUTCOMES

    head = f"{'package':<12}" + "".join(f"{o:>9}" for o in OUTCOMES) + f"{'total':>8}"
    lines = [head]
    total: Counter[str] = Counter()
    for pkg in sorted(counts):
        c = counts[pkg]
        total.update(c)
        lines.append(
            f"{pkg:<12}" + "".join(f"{c[o]:>9}" for o in OUTCOMES) + f"{sum(c.values()):>8}"
        )
    lines.append(
        f"{'all':<12}" + "".join(f"{total[o]:>9}" for o in OUTCOMES) + f"{sum(total.values()):>8}"
    )
    return "\n".join(lines)


def write_known(failing: dict[str, dict[str, str]], cases: dict[str, Any]) -> None:
    """Rewrite walk_known.py's list from ``failing`` (grouped by package, details as comments).

    ``cases`` are the cases that ran; entries of other cases keep their lines (packages not
    rerun, a missing extra), entries of cases that no longer exist are dropped.
    """
    import walk_known
    import walk_table

    existing = walk_table.all_cases()

    text = (HERE / "walk_known.py").read_text()
    start = text.index("KNOWN: dict[str, str] = {")
    end = (
        text.index("\n}\n", start) + 3
        if "{}" not in text[start : start + 30]
        else (text.index("{}", start) + 3)
    )
    head, tail = text[:start], text[end:]
    by_pkg: dict[str, list[str]] = defaultdict(list)
    for line in text[start:end].splitlines():  # entries of cases not run: kept verbatim
        key = line.strip().split(":", 1)[0]
        if key.startswith('"') and json.loads(key) not in cases and json.loads(key) in existing:
            by_pkg[existing[json.loads(key)].entry.package].append(line)
    for cid in sorted(failing):
        if cid in walk_known.FLAKY:
            continue
        r = failing[cid]
        line = f"    {json.dumps(cid)}: {json.dumps(r['outcome'])},"
        room = 99 - len(line) - 4
        detail = " ".join(r["detail"].split())
        if room >= 12 and detail:
            line += "  # " + (detail if len(detail) <= room else detail[: room - 3] + "...")
        elif len(line) > 100:  # a long case id: ruff format keeps the line as it is
            line += "  # noqa: E501"
        by_pkg[cases[cid].entry.package].append(line)
    body = []
    for pkg in sorted(by_pkg):
        body.append(f"    # --- {pkg}: {len(by_pkg[pkg])}")
        body.extend(sorted(by_pkg[pkg]))
    known = "{\n" + "\n".join(body) + "\n}\n" if body else "{}\n"  # as ruff formats it
    (HERE / "walk_known.py").write_text(head + "KNOWN: dict[str, str] = " + known + tail)


def main(argv: list[str]) -> int:
    import importlib.util

    sys.path.insert(0, str(HERE))
    import walk_core
    import walk_known
    import walk_table

    cases = walk_table.all_cases()
    only = argv[argv.index("--only") + 1].split(",") if "--only" in argv else None
    runnable = {
        cid: c
        for cid, c in cases.items()
        if all(importlib.util.find_spec(m) is not None for m in c.entry.needs)
        and (only is None or c.entry.package in only)
    }
    timeouts = {cid: walk_known.timeout(cid) for cid in runnable if walk_known.timeout(cid)}
    t0 = time.monotonic()
    results = run_cases(runnable, timeouts=timeouts)
    took = time.monotonic() - t0
    counts = tally(results, {cid: c.entry.package for cid, c in runnable.items()})
    print(format_tally(counts))
    print(
        f"{len(results)} cases, {len(walk_table.ENTRIES)} entries, {took:.0f} s, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    failing = {
        cid: r for cid, r in results.items() if not walk_core.passed(runnable[cid], r["outcome"])
    }
    if "--write-known" in argv:
        write_known(failing, runnable)
    if "--known" in argv:
        by_pkg: dict[str, list[str]] = defaultdict(list)
        for cid in sorted(failing):
            r = failing[cid]
            by_pkg[runnable[cid].entry.package].append(
                f"    {cid!r}: {r['outcome']!r},  # {r['detail'][:150]}"
            )
        for pkg in sorted(by_pkg):
            print(f"    # --- {pkg} ({len(by_pkg[pkg])})")
            print("\n".join(by_pkg[pkg]))
    if "--json" in argv:
        out = Path(argv[argv.index("--json") + 1])
        out.write_text(json.dumps(results, indent=0, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
