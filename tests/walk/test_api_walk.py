"""The API walk (issue 14, "Keep it true"): every public name, every bad value, one worker each.

Every callable in every ``__all__`` of the shequn packages and modules, and every public method
of their classes, is called with a table of bad values per parameter kind (walk_table.py): NaN,
±inf, negatives, empty and mismatched arrays, wrong types, huge values, bools and numeric
strings in float fields, directed graphs, self-loops, string labels, isolated nodes, seeds not
in the graph, duplicate seeds, probabilities > 1, runs = 0, 10**12 sizes. Each case runs in a
pool of persistent worker processes with a time limit and an address-space limit
(walk_pool.py), so a segfault or a hang fails that case only. A case passes when shequn raises
``InvalidParameterError`` naming the field, or (for valid but extreme input) returns finite
values; see walk_core.py for the outcomes.

The suite runs a bounded sample (``walk_table.in_sample``: every valid call, every
hand-written case, one in ``SHEQUN_WALK_STRIDE`` (default 10) of the generated cases, the same
ones every run); ``SHEQUN_WALK_STRIDE=1`` runs them all, and benchmarks/bench_walk.py runs all
of them plus more values per kind.

Cases failing today are listed in walk_known.py and marked strict expected failures: fixing one
turns its test red until it is removed from the list. ``test_every_public_name_is_walked``
fails when a new public name has no entry in the table.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import walk_core  # noqa: E402
import walk_known  # noqa: E402
import walk_pool  # noqa: E402
import walk_table  # noqa: E402

import shequn  # noqa: E402

CASES = walk_table.all_cases()


def _missing(case: walk_core.Case) -> list[str]:
    return [m for m in case.entry.needs if importlib.util.find_spec(m) is None]


def _known_crash(cid: str) -> bool:
    """Listed crashes stay out of the suite's sample: each one costs two fresh workers (a
    crash in a used worker is judged again alone), most of the walk's time. The long run
    (benchmarks/bench_walk.py) and ``SHEQUN_WALK_STRIDE=1`` still run them."""
    if walk_table.SAMPLE_STRIDE <= 1:
        return False
    return "crash" in (walk_known.KNOWN.get(cid), walk_known.FLAKY.get(cid))


def _params() -> Iterator[Any]:
    for cid, case in CASES.items():
        if not walk_table.in_sample(case) or _known_crash(cid):
            continue
        marks: list[Any] = []
        if _missing(case):
            marks.append(pytest.mark.skip(reason=f"needs {', '.join(_missing(case))}"))
        elif cid in walk_known.KNOWN:
            marks.append(
                pytest.mark.xfail(strict=True, reason=f"known failure: {walk_known.KNOWN[cid]}")
            )
        elif cid in walk_known.FLAKY:
            marks.append(pytest.mark.xfail(strict=False, reason=f"flaky: {walk_known.FLAKY[cid]}"))
        yield pytest.param(cid, marks=marks, id=cid)


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Run every selected case once, on the worker pool, before the first check."""
    selected = [
        item.callspec.params["case_id"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and hasattr(item, "callspec")
        and "case_id" in item.callspec.params
        and not _missing(CASES[item.callspec.params["case_id"]])
    ]
    timeouts = {cid: t for cid in selected if (t := walk_known.timeout(cid))}
    return walk_pool.run_cases(selected, timeouts=timeouts)


@pytest.mark.parametrize("case_id", list(_params()))
def test_case(case_id: str, outcomes: dict[str, dict[str, str]]) -> None:
    case = CASES[case_id]
    got = outcomes[case_id]
    assert walk_core.passed(case, got["outcome"]), (
        f"{case_id}: expected {case.expect}, got {got['outcome']}: {got['detail']}"
    )


def _public_objects() -> dict[int, tuple[Any, set[str]]]:
    """Every object in an ``__all__`` of a public shequn module, with all its public paths."""
    modules = ["shequn"] + [
        m.name
        for m in pkgutil.walk_packages(shequn.__path__, "shequn.")
        if not any(part.startswith("_") for part in m.name.split("."))
    ]
    found: dict[int, tuple[Any, set[str]]] = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module of an optional extra, in the core-only environment
            continue
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            found.setdefault(id(obj), (obj, set()))[1].add(f"{name}.{attr}")
    return found


def _methods(cls: type) -> list[str]:
    out = []
    for name, value in vars(cls).items():
        if name.startswith("_") or isinstance(value, property):
            continue
        if inspect.isfunction(value) or isinstance(value, classmethod | staticmethod):
            out.append(name)
    return out


def test_every_public_name_is_walked() -> None:
    walked = {e.public for e in walk_table.ENTRIES.values()} | set(walk_table.EXEMPT)
    missing = []
    for obj, paths in _public_objects().values():
        if not paths & walked:
            missing.append(sorted(paths)[0])
        if inspect.isclass(obj):
            for method in _methods(obj):
                if not {f"{p}.{method}" for p in paths} & walked:
                    missing.append(f"{sorted(paths)[0]}.{method}")
    assert not missing, (
        "public names without walk cases (add them to tests/walk/walk_table.py, or to EXEMPT "
        "with a reason): " + ", ".join(sorted(missing))
    )


def test_known_failures_are_cases() -> None:
    stale = sorted((set(walk_known.KNOWN) | set(walk_known.FLAKY)) - set(CASES))
    assert not stale, f"walk_known.py lists cases that no longer exist: {stale}"


def test_walk_flags_what_it_should() -> None:
    """The walk can fail: wrong errors, NaN, accepted bad input, crashes and hangs are caught."""
    from shequn._validation import fail

    def run(fn: Any, expect: str) -> str:
        entry = walk_core.Entry(
            "walk.probe", {}, on=lambda: type("P", (), {"probe": staticmethod(fn)})
        )
        return walk_core.run_case(walk_core.Case("probe", entry, {}, expect, ("x",)))["outcome"]

    def raises(exc: BaseException) -> Any:
        def fn() -> None:
            raise exc

        return fn

    assert run(lambda: float("nan"), walk_core.EITHER) == "nan"
    assert run(lambda: [1.0, float("inf")], walk_core.VALID) == "nan"
    assert run(lambda: 1.0, walk_core.RAISE) == "accepted"
    assert run(lambda: 1.0, walk_core.EITHER) == "ok"
    assert run(raises(KeyError("x")), walk_core.RAISE) == "other:KeyError"
    assert run(raises(fail("f", "x", "be 1", 2)), walk_core.RAISE) == "ours"
    assert run(raises(fail("f", "y", "be 1", 2)), walk_core.RAISE) == "unnamed"
    assert run(raises(fail("f", "y", "be 1", 2)), walk_core.VALID) == "refused"
    got = walk_pool.run_cases(
        ["__crash__", "__hang__", "__memory__", "rng.resolve_rng[valid]"],
        timeouts={"__hang__": 3.0},
    )
    assert {k: v["outcome"] for k, v in got.items()} == {
        "__crash__": "crash",
        "__hang__": "hang",
        "__memory__": "other:MemoryError",
        "rng.resolve_rng[valid]": "ok",
    }
