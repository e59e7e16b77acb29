"""The command line: what it prints, what it writes, and its one-line errors and exit codes."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import shequn
from shequn.cli import EXIT_BAD_INPUT, EXIT_OK, main

SCENARIO = """\
# a small comparison
name = "small"
weeks = 3
runs = 3
rng = 5
[community]
type = "values"
size = 80
[arms.community]
[arms.card]
preset = "broadcast_only"
tools.broadcast_budget = 10.0
[outputs]
metrics = ["members", "profit"]
baseline = "card"
formats = ["csv", "html", "markdown"]
figures = false
"""


def _env() -> dict[str, str]:
    src = str(Path(shequn.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shequn", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=_env(),
    )


def test_demo_sections_explain_themselves(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--n", "300", "--seed", "3", "--weeks", "4"]) == EXIT_OK
    out = capsys.readouterr().out
    titles = [line for line in out.splitlines() if line.startswith("[")]
    assert titles == [
        "[1/3] The four community types of seed 001, 300 members each (seed 3)",
        "[2/3] Whom to seed: a launch through 10 members of a brand community of 300 (seed 3)",
        "[3/3] Two ways to run the same 300 customers for 4 weeks (seed 3)",
    ]
    assert out.count("What it shows:") == 3 and out.count("It tests") == 3
    assert "In short: the community" in out
    assert "e+0" not in out  # never scientific notation


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--seed", "-1"], "shequn demo: --seed must be an integer in [0, "),
        (["demo", "--n", "1"], "shequn demo: --n must be an integer in [50, 200,000]; got 1"),
        (["demo", "--weeks", "x"], "shequn demo: --weeks must be an integer; got 'x'"),
        (["run"], "shequn run: the following arguments are required: file"),
        (["scenarios", "run", "x", "--runs", "1"], "--runs must be an integer in [2, 100,000]"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_python_dash_m_version_and_bad_input() -> None:
    done = _cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"shequn {shequn.__version__}"
    done = _cli("demo", "--seed", "-1")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_run_writes_tables_report_and_a_rerunnable_file(tmp_path: Path) -> None:
    path = tmp_path / "small.toml"
    path.write_text(SCENARIO)
    out = tmp_path / "out"
    assert main(["run", str(path), "--runs", "4", "--out", str(out), "--no-progress"]) == 0
    rows = list(csv.DictReader((out / "runs.csv").open()))
    assert len(rows) == 4 * 2 and {r["arm"] for r in rows} == {"community", "card"}
    contrasts = list(csv.DictReader((out / "contrasts.csv").open()))
    profit = next(r for r in contrasts if r["metric"] == "profit")
    diffs = [
        float(a["profit"]) - float(b["profit"]) for a, b in zip(rows[0::2], rows[1::2], strict=True)
    ]
    assert float(profit["mean"]) == pytest.approx(sum(diffs) / len(diffs))
    pinned = tomllib.loads((out / "scenario.toml").read_text())
    assert (pinned["runs"], pinned["rng"]) == (4, 5)  # the override is pinned for the rerun
    html = (out / "report.html").read_text()
    assert "small" in html and "rerun exactly" in html and "name = &quot;small&quot;" in html
    assert shequn.__version__ in (out / "summary.md").read_text()
    # the pinned file reruns to the same numbers
    again = tmp_path / "again"
    assert main(["run", str(out / "scenario.toml"), "--out", str(again), "--no-progress"]) == 0
    assert (again / "runs.csv").read_text() == (out / "runs.csv").read_text()


def test_validate_and_run_report_bad_files_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "small.toml"
    path.write_text(SCENARIO.replace("size = 80", "size = 80\nextra = 1"))
    assert main(["validate", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err == (
        "shequn validate: small.toml: community.extra must be one of the keys of [community] "
        "(type, size, params, members, ties); got 'extra' (line 9)\n"
    )
    assert main(["run", str(tmp_path / "none.toml")]) == EXIT_BAD_INPUT
    path.write_text(SCENARIO)
    assert main(["validate", str(path)]) == EXIT_OK
    assert "small.toml: ok - 2 arms (community, card)" in capsys.readouterr().out


def test_scenarios_list_and_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from shequn.scenarios import SCENARIOS, open_rate_vs_audience

    assert main(["scenarios", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in SCENARIOS)
    args = ["scenarios", "run", "open_rate_vs_audience", "--runs", "2", "--n", "100"]
    assert main([*args, "--weeks", "2", "--seed", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    expected = open_rate_vs_audience(runs=2, n=100, weeks=2, rng=3)
    assert str(expected.summary()).splitlines()[0] in out
    rows = list(csv.DictReader((tmp_path / "runs.csv").open()))
    assert [float(r["small list"]) for r in rows] == expected.values[:, 0].tolist()
    assert "--seed 3" in (tmp_path / "report.html").read_text()
    assert main(["scenarios", "run", "nope"]) == EXIT_BAD_INPUT
