"""Fuzz the scenario-file loader: only shequn's errors, never another exception.

Run: ``PYTHONPATH=src python benchmarks/bench_scenario_fuzz.py [--quick] [--examples N]``

Hypothesis generates TOML documents two ways and hands each to
:func:`shequn.io.scenario.loads_scenario`, which must return a scenario or raise
:class:`~shequn.io.scenario.ScenarioError` with a message naming the file and, for documents
that parse, a key path:

* ``structured``: tables shaped like the schema (the real keys of every section and value
  class, a few unknown ones, values of the right type inside and outside their ranges, and
  values of every other TOML type: strings, booleans, huge integers, NaN and infinities,
  dates, arrays, nested tables), written with ``tomli-w``;
* ``perturbed``: a valid file with one to three values set at any key path (every field of
  every value class), plausible or wild, so the checks deep inside the arms run;
* ``mutated``: a valid scenario file with characters deleted, inserted or replaced (broken
  TOML, broken keys, broken values).

The default is 10,000 documents of each kind (``--quick``: 500). The test suite runs a few
hundred (tests/io/test_scenario_fuzz.py, which imports this module).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequn.economics import Economics
from shequn.io.scenario import ScenarioError, loads_scenario
from shequn.loyalty.ties import TieRule
from shequn.operating import Connectivity, Content, Structure, Tools
from shequn.simulation import Mechanisms, Profile

VALID = """\
name = "fuzz"
weeks = 4
runs = 3
rng = 1
[community]
type = "brand"
size = 60
[arms.community]
content.quality = 0.8
tools.rule_strictness = 0.5
[arms.member_card]
preset = "broadcast_only"
tools.broadcast_budget = 100.0
economics.price = 80.0
[outputs]
metrics = ["retention", "profit", "cac"]
baseline = "member_card"
"""

_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=-5, max_value=600),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1.0, max_value=2.0),
    st.text(max_size=12),
    st.sampled_from(["open", "closed", "steady", "bursty", "owner_only", "degree", "imm",
                     "members", "market", "brand", "leader", "values", "sharing", ""]),
    st.datetimes(min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(2100, 1, 1)),
    st.dates(),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3),
    ),
    max_leaves=6,
)


def _table_of(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    names = [f.name for f in attrs.fields(cls)] + ["unknown", "Quality"]
    return st.dictionaries(st.sampled_from(names), _values, max_size=5)


_arm = st.fixed_dictionaries(
    {},
    optional={
        "preset": st.one_of(st.sampled_from(["default", "broadcast_only", "silent"]), _values),
        "description": _values,
        "connectivity": st.one_of(_table_of(Connectivity), _values),
        "content": _table_of(Content),
        "structure": _table_of(Structure),
        "tools": _table_of(Tools),
        "economics": _table_of(Economics),
        "mechanisms": _table_of(Mechanisms),
        "profile": _table_of(Profile),
        "bogus": _values,
    },
)
_community = st.fixed_dictionaries(
    {},
    optional={
        "type": st.one_of(
            st.sampled_from(["brand", "leader", "sharing", "values", "品牌社群"]), _values
        ),
        "size": st.one_of(st.integers(min_value=-10, max_value=200), _values),
        "params": st.one_of(
            st.dictionaries(st.sampled_from(["follow", "k", "rewire", "camps", "circle", "x"]),
                            _scalars, max_size=2),
            _values,
        ),
        "members": _values,
        "ties": st.one_of(st.just("no-such-file.csv"), _values),
    },
)  # fmt: skip
_outputs = st.fixed_dictionaries(
    {},
    optional={
        "metrics": st.one_of(
            st.lists(st.sampled_from(["retention", "profit", "cac", "nope"]), max_size=3), _values
        ),
        "baseline": st.one_of(st.sampled_from(["a", "b", "c"]), _values),
        "dir": _values,
        "formats": st.one_of(
            st.lists(st.sampled_from(["csv", "html", "pdf"]), max_size=3), _values
        ),
        "figures": _values,
    },
)
DOCUMENTS = st.fixed_dictionaries(
    {},
    optional={
        "name": _values,
        "description": _values,
        "weeks": st.one_of(st.integers(min_value=-2, max_value=600), _values),
        "runs": st.one_of(st.integers(min_value=-2, max_value=20), _values),
        "rng": st.one_of(st.integers(min_value=-(2**63), max_value=2**63 - 1), _values),
        "workers": _values,
        "community": st.one_of(_community, _values),
        "arms": st.one_of(
            st.dictionaries(st.sampled_from(["a", "b", "c"]), _arm, max_size=3), _values
        ),
        "outputs": st.one_of(_outputs, _values),
        "extra": _values,
    },
)
"""Schema-shaped documents, valid and invalid."""


def _paths() -> list[tuple[str, ...]]:
    """Every key path of a scenario file that holds a value (and the tables above them)."""
    out: list[tuple[str, ...]] = [(k,) for k in ("name", "weeks", "runs", "rng", "workers")]
    out += [("community", k) for k in ("type", "size", "params", "members")]
    out += [("outputs", k) for k in ("metrics", "baseline", "dir", "formats", "figures")]
    arm = ("arms", "community")
    out += [(*arm, "preset"), (*arm, "description"), ("arms", "new arm")]
    for key, cls in (
        ("connectivity", Connectivity),
        ("content", Content),
        ("structure", Structure),
        ("tools", Tools),
        ("economics", Economics),
        ("mechanisms", Mechanisms),
        ("profile", Profile),
    ):
        out.append((*arm, key))
        out += [(*arm, key, f.name) for f in attrs.fields(cls)]
    out += [(*arm, "mechanisms", "tie_rule", f.name) for f in attrs.fields(TieRule)]
    return out


PATHS = _paths()
_plausible = st.one_of(
    st.floats(min_value=-0.5, max_value=1.5),
    st.integers(min_value=-2, max_value=60),
    st.booleans(),
    st.sampled_from(["open", "closed", "steady", "bursty", "owner_only", "degree", "random",
                     "imm", "members", "market", "default", "silent", "retention", "csv"]),
    st.lists(st.floats(min_value=-0.5, max_value=1.5), max_size=5),
)  # fmt: skip


@st.composite
def perturbed(draw: st.DrawFn) -> dict[str, Any]:
    """The valid file with one to three values set anywhere, plausible or wild."""
    import copy
    import tomllib

    doc: dict[str, Any] = copy.deepcopy(tomllib.loads(VALID))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS))
        value = draw(st.one_of(_plausible, _values))
        node = doc
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A valid file with a few characters deleted, inserted or replaced."""
    text = VALID
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        i = draw(st.integers(min_value=0, max_value=len(text)))
        op = draw(st.sampled_from(["delete", "insert", "replace"]))
        piece = draw(st.text(alphabet="[]=.\"'#\n 01.9-+eEinfaxyz{},", min_size=1, max_size=3))
        if op == "delete":
            text = text[:i] + text[i + 3 :]
        elif op == "insert":
            text = text[:i] + piece + text[i:]
        else:
            text = text[:i] + piece + text[i + len(piece) :]
    return text


def check(text: str) -> str:
    """Load ``text``: ``"ok"`` or ``"error"`` (a ScenarioError); anything else propagates."""
    try:
        loads_scenario(text, name="fuzz.toml")
    except ScenarioError as exc:
        msg = str(exc)
        assert msg.startswith("fuzz.toml: "), msg
        return "error"
    return "ok"


def to_text(doc: dict[str, Any]) -> str | None:
    """The document as TOML, or ``None`` when TOML cannot hold it (tomli-w refuses)."""
    import tomli_w

    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return None


def run(examples: int) -> dict[str, dict[str, int]]:
    """Fuzz ``examples`` documents of each kind; counts of outcomes per kind."""
    counts: dict[str, dict[str, int]] = {
        "structured": {"ok": 0, "error": 0, "unwritable": 0},
        "perturbed": {"ok": 0, "error": 0, "unwritable": 0},
        "mutated": {"ok": 0, "error": 0},
    }
    opts = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )

    @opts
    @given(DOCUMENTS)
    def structured(doc: dict[str, Any]) -> None:
        text = to_text(doc)
        if text is None:
            counts["structured"]["unwritable"] += 1
            return
        counts["structured"][check(text)] += 1

    @opts
    @given(perturbed())
    def near_valid(doc: dict[str, Any]) -> None:
        text = to_text(doc)
        if text is None:
            counts["perturbed"]["unwritable"] += 1
            return
        counts["perturbed"][check(text)] += 1

    @opts
    @given(mutated())
    def broken(text: str) -> None:
        counts["mutated"][check(text)] += 1

    structured()
    near_valid()
    broken()
    return counts


def main() -> int:
    from _common import print_context, print_table

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="500 documents of each kind")
    ap.add_argument("--examples", type=int, default=None, help="documents of each kind")
    args = ap.parse_args()
    n = args.examples or (500 if args.quick else 10_000)
    print_context()
    t0 = time.perf_counter()
    counts = run(n)
    took = time.perf_counter() - t0
    rows = [[kind, sum(c.values()), *(c.get(k, 0) for k in ("ok", "error", "unwritable"))]
            for kind, c in counts.items()]  # fmt: skip
    print_table(
        f"scenario loader fuzz: {n:,} documents per kind in {took:,.1f} s; every outcome is a "
        "scenario or a ScenarioError (any other exception stops the run)",
        ["kind", "documents", "loaded", "ScenarioError", "not writable as TOML"],
        rows,
    )
    print()
    print_context()
    return 0


if __name__ == "__main__":
    sys.exit(main())
