"""The command line: `shequn demo` prints the four types side by side."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import shequn
from shequn.cli import main


def test_demo_prints_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--n", "400", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    for name in ("brand", "leader", "sharing", "values", "degree_centralization", "clustering"):
        assert name in out


def test_python_dash_m() -> None:
    src = str(Path(shequn.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-m", "shequn", "demo", "--n", "300"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "传输式社群" in done.stdout


def test_bad_n() -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--n", "1"])
