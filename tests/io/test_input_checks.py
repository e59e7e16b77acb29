"""Bad input to the scenario and report writers gets our error naming the field (issue 14).

Each case here was found by the API walk (tests/walk) after main's surface merge: a raw
TypeError, KeyError, IndexError or AttributeError, or a value silently accepted.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from shequn.exceptions import InvalidParameterError
from shequn.io.report import Report, ReportTable, write_csv, write_report
from shequn.io.scenario import load_scenario, loads_scenario, pin_scenario_text, summarise_runs
from shequn.rng import map_runs

SCN = '[community]\ntype = "brand"\nsize = 60\n[arms.a]\n[arms.b]\npreset = "silent"\n'


@pytest.fixture(scope="module")
def run() -> Any:
    s = loads_scenario("weeks = 2\n" + SCN)
    return summarise_runs(s, map_runs(s.run_once, runs=2, rng=0), seed=0)


@pytest.mark.parametrize("method", ["means", "winner", "clear_winner"])
@pytest.mark.parametrize("metric", ["no-such-metric", 1, None, ["members"]])
def test_scenario_run_methods_name_a_bad_metric(run: Any, method: str, metric: Any) -> None:
    with pytest.raises(InvalidParameterError, match=rf"`ScenarioRun\.{method}\.metric` must"):
        getattr(run, method)(metric)


def test_means_of_a_good_metric_still_work(run: Any) -> None:
    means = run.means("members")
    assert set(means) == {"a", "b"} and all(math.isfinite(v) for v in means.values())


def test_summarise_runs_refuses_no_outputs_and_bad_seed() -> None:
    s = loads_scenario("weeks = 2\n" + SCN)
    with pytest.raises(InvalidParameterError, match=r"`summarise_runs\.outputs` must"):
        summarise_runs(s, [], seed=0)
    with pytest.raises(InvalidParameterError, match=r"`summarise_runs\.seed` must"):
        summarise_runs(s, [s.run_once(rng=__import__("numpy").random.default_rng(0))], seed=-1)
    with pytest.raises(InvalidParameterError, match=r"`summarise_runs\.scenario` must"):
        summarise_runs("abc", [{}], seed=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"runs": 1.5}, "runs"),
        ({"runs": True}, "runs"),
        ({"runs": 0}, "runs"),
        ({"runs": 10**12}, "runs"),
        ({"rng": -1}, "rng"),
        ({"rng": "7"}, "rng"),
        ({"rng": math.nan}, "rng"),
        ({"rng": None}, "rng"),
    ],
)
def test_pin_scenario_text_checks_each_value(values: dict[str, Any], field: str) -> None:
    """Pinning runs=1.5 wrote `runs = 1` silently; rng=nan raised a raw ValueError."""
    with pytest.raises(InvalidParameterError, match=rf"`pin_scenario_text\.{field}` must"):
        pin_scenario_text(SCN, **values)


def test_pin_scenario_text_refuses_non_text() -> None:
    with pytest.raises(InvalidParameterError, match=r"`pin_scenario_text\.text` must be a string"):
        pin_scenario_text(None, runs=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", [5, None, ["a.toml"]])
def test_load_scenario_refuses_what_is_not_a_path(path: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"`load_scenario\.path` must be a path"):
        load_scenario(path)


def test_loads_scenario_refuses_a_non_text_name() -> None:
    with pytest.raises(InvalidParameterError, match=r"`loads_scenario\.name` must be a string"):
        loads_scenario(SCN, name=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [Report, ReportTable])
@pytest.mark.parametrize("title", [1, None, ["t"]])
def test_report_titles_must_be_text(cls: type, title: Any) -> None:
    kwargs: dict[str, Any] = {"title": title}
    if cls is ReportTable:
        kwargs.update(columns=["a"], rows=[[1]])
    with pytest.raises(InvalidParameterError, match=rf"`{cls.__name__}\.title` must be a string"):
        cls(**kwargs)


def test_writers_name_a_bad_path_or_report(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match=r"`write_csv\.path` must be a path"):
        write_csv(5, ["a"], [[1]])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"`write_report\.out_dir` must be a path"):
        write_report(Report(title="t"), None)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"`write_report\.report` must be a Report"):
        write_report({"title": "t"}, tmp_path)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())  # nothing half-written
