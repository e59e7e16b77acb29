"""The worked example of docs/twin.md runs (at a small size), and the page shows its code."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

DOCS = Path(__file__).parents[2] / "docs"
SCRIPT = DOCS / "examples" / "twin_walkthrough.py"


def test_the_page_shows_the_script() -> None:
    page = (DOCS / "twin.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    code = SCRIPT.read_text(encoding="utf-8")
    body = code[code.index("def main(") : code.index("\n\n\nif __name__")]
    assert any(body.strip() == b.strip() for b in blocks)


def test_records_to_decision(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("twin_walkthrough", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = mod.main(n=1000, weeks=12, runs=8, out=str(tmp_path), workers=2)
    for title in ("Records loaded", "Community health", "Twin:", "Strategies on the twin"):
        assert title in text
    assert (tmp_path / "records" / "members.csv").is_file()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "shequn-health" in html and "shequn-strategies" in html
    for arm in ("as now", "more offline events", "more broadcast"):
        assert arm in text
