"""A walk worker: imports shequn once, then runs the cases named on stdin, one per line.

Protocol (JSON Lines): the worker writes ``{"ready": n_cases}`` once, then for every request
line ``{"id": ...}`` one answer ``{"id": ..., "outcome": ..., "detail": ...}``. What the cases
print goes to /dev/null (the protocol has its own file descriptor). The pool (walk_pool.py)
starts workers with an address-space limit and kills them on a timeout.
"""

from __future__ import annotations

import json
import os
import sys
import time


def _selftest(case_id: str) -> dict[str, str]:
    """Cases that check the pool itself: a segfault, a hang, a runaway allocation."""
    import signal
    import time

    if case_id == "__crash__":
        os.kill(os.getpid(), signal.SIGSEGV)
    if case_id == "__hang__":
        time.sleep(3600)
    if case_id == "__memory__":
        try:
            bytearray(64 * 2**30)
        except MemoryError:
            return {"outcome": "other:MemoryError", "detail": "address-space limit"}
    return {"outcome": "ok", "detail": ""}


def main() -> None:
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the worker
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import walk_core
    import walk_table

    import shequn  # noqa: F401 - imported once, before the first case

    cases = walk_table.all_cases()
    proto.write(json.dumps({"ready": len(cases)}) + "\n")
    for line in sys.stdin:
        case_id = json.loads(line)["id"]
        t0 = time.monotonic()
        answer = (
            _selftest(case_id) if case_id.startswith("__") else walk_core.run_case(cases[case_id])
        )
        answer["seconds"] = f"{time.monotonic() - t0:.3f}"
        proto.write(json.dumps({"id": case_id, **answer}) + "\n")


if __name__ == "__main__":
    main()
