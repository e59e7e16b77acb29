"""Cases of the API walk that fail today: strict expected failures, to be emptied.

Each entry is ``case id: outcome seen when it was listed``. ``test_api_walk.py`` marks these
cases ``xfail(strict=True)``: a listed case that starts passing turns the suite red, so remove
it from here in the commit that fixes it. Cases listed as ``hang`` run with a short time limit
so that they cost seconds, not minutes.
"""

from __future__ import annotations

KNOWN: dict[str, str] = {}

# Cases whose failure depends on what happens to lie in memory (reads out of bounds): they
# crash, raise or pass from run to run, so they are expected failures that may pass.
FLAKY: dict[str, str] = {}

HANG_TIMEOUT = 2.0


def timeout(case_id: str) -> float | None:
    """The time limit of a listed hang, else None (the default limit)."""
    return HANG_TIMEOUT if KNOWN.get(case_id) == "hang" else None
