"""The loader meets a few hundred generated documents with only its own error type.

The generators live in benchmarks/bench_scenario_fuzz.py, which runs 10,000 of each kind.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

pytest.importorskip("tomli_w")

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_scenario_fuzz.py"
_spec = importlib.util.spec_from_file_location("bench_scenario_fuzz", _PATH)
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_scenario_fuzz", fuzz)
_spec.loader.exec_module(fuzz)

_settings = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def test_the_valid_document_loads() -> None:
    assert fuzz.check(fuzz.VALID) == "ok"


@_settings
@given(fuzz.DOCUMENTS)
def test_schema_shaped_documents(doc: dict) -> None:
    text = fuzz.to_text(doc)
    if text is not None:
        fuzz.check(text)


@_settings
@given(fuzz.perturbed())
def test_valid_documents_with_values_changed_anywhere(doc: dict) -> None:
    text = fuzz.to_text(doc)
    if text is not None:
        fuzz.check(text)


@_settings
@given(fuzz.mutated())
def test_broken_text(text: str) -> None:
    fuzz.check(text)
