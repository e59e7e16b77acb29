"""The flow registry is the only list of the engine's columns: nothing computed is dropped.

Two independent checks: the source of the weekly pass and the mechanisms is scanned for every
``F.<name>`` the passes write (a written flow must be registered, a registered flow written),
and runs that exercise every channel must give every flow column a non-zero value somewhere
(a flow that is computed reaches the trajectory).
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import numpy as np
import pytest

from shequn.community import generate_community
from shequn.operating import Content, Economics, OperatingModel, Structure, Tools
from shequn.simulation import COLUMNS, FLOWS, MECHANISMS, Mechanisms, simulate
from shequn.simulation.flows import STOCKS, column_table, cost_flows, marketing_flows

SRC = Path(__file__).parents[2] / "src" / "shequn" / "simulation"


def _written() -> set[str]:
    names: set[str] = set()
    for path in [SRC / "week.py", *sorted((SRC / "mechanisms").glob("*.py"))]:
        names |= set(re.findall(r"\bF\.(\w+)", path.read_text(encoding="utf-8")))
    return names


def test_every_written_flow_is_registered_and_every_registered_flow_written() -> None:
    registered = {f.name for f in FLOWS}
    written = _written()
    assert written - registered == set(), "written but not registered"
    assert registered - written == set(), "registered but never written"


def test_names_unique_and_owned() -> None:
    names = [c.name for c in COLUMNS]
    assert len(names) == len(set(names))
    owners = {m.NAME for m in MECHANISMS} | {"membership"}
    for f in FLOWS:
        assert f.mechanism in owners, f.name
        assert f.unit and f.meaning, f.name
    assert set(marketing_flows()) <= set(cost_flows())
    assert "cogs" in cost_flows() and "cogs" not in marketing_flows()


def test_trajectory_columns_are_the_registry() -> None:
    t = simulate(generate_community("brand", 120, rng=0), OperatingModel(), weeks=2, rng=0)
    assert set(t.columns) == {c.name for c in COLUMNS}
    for s in STOCKS:
        assert t.columns[s.name].shape[1:] == ((s.width,) if s.width > 1 else ())
    assert "active_talkers" in t.columns and "active" in t.columns


@pytest.mark.slow
def test_every_flow_is_computed_and_reaches_the_trajectory() -> None:
    # an operating model with every channel on, a mass-market arm and a small catalogue, so
    # that every flow is non-zero in some week of some run
    c = generate_community("leader", 600, rng=3)
    mech = Mechanisms(market_spread=1.0, broadcast_conversion=1.0, return_rate=0.5)
    rich = OperatingModel(
        content=Content(quality=0.9),
        structure=Structure(leader_leaves_at=3, group_cap=80),
        tools=Tools(
            broadcast_budget=5.0,
            event_frequency=1.0,
            event_capacity=40,
            rule_strictness=0.9,
        ),
    )
    market = attrs.evolve(
        rich, tools=attrs.evolve(rich.tools, broadcast_audience="market", broadcast_budget=50.0)
    )
    # every money setting that is off by default (0: no staff, no programme) switched on
    switched_on = {f.name: 20.0 for f in attrs.fields(Economics) if f.default == 0.0}
    eco = Economics(product_quality=0.5, **switched_on)
    runs = [
        simulate(c, om, weeks=12, rng=s, mechanisms=mech, economics=eco, capacity=900)
        for om in (rich, market)
        for s in (1, 2)
    ]
    for f in FLOWS:
        seen = np.concatenate([t.columns[f.name][1:] for t in runs])
        assert np.nanmax(np.abs(seen)) > 0, f.name


def test_column_table_lists_every_column() -> None:
    rows = column_table().splitlines()[2:]
    assert [r.split("`")[1] for r in rows] == [c.name for c in COLUMNS]


def _table_after(text: str, marker: str) -> list[str]:
    lines = text.splitlines()
    i = lines.index(marker) + 2  # the marker, a blank line, then the table
    out = []
    while i < len(lines) and lines[i].startswith("|"):
        out.append(lines[i])
        i += 1
    return out


def test_docs_tables_are_the_code() -> None:
    # docs/simulation.md prints each mechanism's parameter table and the column table; they
    # must be what the code declares (defaults, units, sources, meanings)
    from shequn.simulation.parameters import parameter_table

    docs = (Path(__file__).parents[2] / "docs" / "simulation.md").read_text(encoding="utf-8")
    assert _table_after(docs, "<!-- columns -->") == column_table().splitlines()
    for m in MECHANISMS:
        marker = f"<!-- parameters: {m.NAME} -->"
        if m.PARAMS is None and not m.PROFILE_FIELDS:
            assert marker not in docs
            continue
        assert _table_after(docs, marker) == parameter_table(m.NAME).splitlines(), m.NAME


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("start", float("inf")),
        ("start", -float("inf")),
        ("start", "0.5"),
        ("width", float("nan")),
        ("width", 0),
        ("cost", "no"),
        ("name", None),
    ],
)
def test_flow_refuses_bad_fields(field: str, bad: object) -> None:
    from shequn.exceptions import InvalidParameterError
    from shequn.simulation import Flow

    with pytest.raises(InvalidParameterError, match=rf"`Flow\.{field}` must"):
        Flow(**{"name": "toys", "unit": "items", "meaning": "toys", field: bad})  # type: ignore[arg-type]


def test_flow_start_may_be_nan_as_the_rates_are() -> None:
    # week 0 has no rate: the broadcast rates' row 0 is NaN by design (Flow.start docs)
    nan_starts = {f.name for f in FLOWS if np.isnan(f.start)}
    assert nan_starts == {"open_rate", "precise_share"}
