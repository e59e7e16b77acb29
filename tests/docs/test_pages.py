"""The scenario-file page documents every key the classes have, and its examples are true."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from shequn.economics import Economics
from shequn.io.scenario import METRICS, ScenarioError, loads_scenario
from shequn.loyalty.ties import TieRule
from shequn.operating import Connectivity, Content, Structure, Tools
from shequn.simulation import Mechanisms, Profile

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = (DOCS / "scenario-files.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = PAGE.index(title)
    end = PAGE.find("\n#", start + 1)
    return PAGE[start : end if end > 0 else None]


@pytest.mark.parametrize(
    ("table", "cls"),
    [
        ("[arms.NAME.connectivity]", Connectivity),
        ("[arms.NAME.content]", Content),
        ("[arms.NAME.structure]", Structure),
        ("[arms.NAME.tools]", Tools),
        ("[arms.NAME.economics]", Economics),
        ("[arms.NAME.mechanisms]`", Mechanisms),
        ("[arms.NAME.mechanisms.tie_rule]", TieRule),
        ("[arms.NAME.profile]", Profile),
    ],
)
def test_every_field_is_documented(table: str, cls: type) -> None:
    section = _section(table)
    for f in attrs.fields(cls):
        assert f"| `{f.name}` |" in section, f"{cls.__name__}.{f.name} missing from {table}"
    keys = re.findall(r"^\| `(\w+)` \|", section, flags=re.M)
    assert set(keys) == {f.name for f in attrs.fields(cls)}  # and nothing that is not a field


def test_every_metric_is_documented() -> None:
    row = next(line for line in PAGE.splitlines() if line.startswith("| `metrics` |"))
    for name in METRICS:
        assert f"`{name}`" in row


def test_the_example_loads_and_its_errors_are_as_documented() -> None:
    example = re.search(r"```toml\n(.*?)```", PAGE, re.S)
    assert example is not None
    text = example.group(1)
    s = loads_scenario(text, name="community-vs-card.toml")
    assert [a.name for a in s.arms] == ["community", "member_card"]
    documented = re.search(r"```text\n(.*?)```", PAGE, re.S)
    assert documented is not None
    lines = documented.group(1).strip().splitlines()
    edits = [
        ("content.quality = 0.7", "content.quality = 1.4"),
        ("economics.cost_per_message = 0.05", "economics.cost_per_mesage = 0.05"),
        ("weeks = 52 ", "weeks = 52 ="),
    ]
    for (old, new), expected in zip(edits, lines, strict=True):
        with pytest.raises(ScenarioError) as info:
            loads_scenario(text.replace(old, new), name="community-vs-card.toml")
        assert str(info.value) == expected
