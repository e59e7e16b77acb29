"""Stores: resume after interrupts and kills, no repeats, other sweeps refused, no overwrite."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError
from shequn.experiment import StoreMismatchError, load, sweep
from shequn.experiment.examples import coin_flips, traced

SRC = Path(__file__).resolve().parents[2] / "src"
FORMATS = ["jsonl", "parquet"]


def _store(tmp_path: Path, fmt: str) -> Path:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    return tmp_path / f"runs.{fmt}"


def _expected(xs: list[float], runs: int, seed: int) -> list[float]:
    """The outputs of traced over xs, computed directly from SeedSequence.spawn."""
    out = []
    for x, child in zip(xs, np.random.SeedSequence(seed).spawn(len(xs)), strict=True):
        out += [x + float(np.random.default_rng(g).random()) for g in child.spawn(runs)]
    return out


def _calls(log: Path) -> collections.Counter[str]:
    return collections.Counter(log.read_text().split()) if log.exists() else collections.Counter()


STOP: dict[str, int | None] = {"after": None}


def interrupting(*, x: float, log: str, rng: np.random.Generator) -> float:
    """traced, but a KeyboardInterrupt arrives once the log holds STOP['after'] calls."""
    limit = STOP["after"]
    if limit is not None and sum(_calls(Path(log)).values()) >= limit:
        raise KeyboardInterrupt
    return traced(x=x, log=log, rng=rng)


@pytest.mark.parametrize("fmt", FORMATS)
def test_resume_after_keyboard_interrupt_keeps_and_skips_finished_points(
    tmp_path: Path, fmt: str
) -> None:
    path, log = _store(tmp_path, fmt), tmp_path / "calls.txt"
    xs = [float(i) for i in range(6)]
    grid = {"x": xs, "log": [str(log)]}
    STOP["after"] = 7  # 3 runs per point: points 0 and 1 finish, point 2 is interrupted
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep(interrupting, grid, runs=3, rng=11, store=path)
    finally:
        STOP["after"] = None
    partial = load(path)
    assert [r.point for r in partial.records] == [0, 0, 0, 1, 1, 1]
    assert partial.outputs == _expected(xs, 3, 11)[:6]
    before = _calls(log)
    res = sweep(interrupting, grid, runs=3, rng=11, store=path)
    after = _calls(log)
    assert res.resumed_points == 2
    # finished points were not run again; the interrupted and the new points ran exactly once
    assert {x: after[x] - before[x] for x in after} == {
        "0.0": 0,
        "1.0": 0,
        "2.0": 3,
        "3.0": 3,
        "4.0": 3,
        "5.0": 3,
    }
    assert res.outputs == _expected(xs, 3, 11)
    assert load(path) == res
    # a third run does nothing at all
    again = sweep(interrupting, grid, runs=3, rng=11, store=path)
    assert _calls(log) == after and again == res and again.resumed_points == 6


def test_resume_after_the_process_is_killed(tmp_path: Path) -> None:
    path, log = tmp_path / "runs.jsonl", tmp_path / "calls.txt"
    xs = [float(i) for i in range(40)]
    script = (
        "import sys\n"
        "from shequn.experiment import sweep\n"
        "from shequn.experiment.examples import traced\n"
        f"sweep(traced, {{'x': {xs!r}, 'log': [{str(log)!r}], 'seconds': [0.02]}}, runs=2,"
        f" rng=5, store={str(path)!r}, progress=False)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if path.exists() and path.read_bytes().count(b"\n") >= 6:  # manifest + 5 points
                break
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # whatever the kill left, add a torn half line as a kill in the middle of a write would
    with open(path, "ab") as fh:
        fh.write(b'{"point": 39, "point_id": "abc", "runs": [{"run"')
    stored = load(path)
    done = sorted({r.point for r in stored.records})
    assert len(done) >= 5 and done == list(range(len(done)))
    before = _calls(log)
    res = sweep(
        traced,
        {"x": xs, "log": [str(log)], "seconds": [0.02]},
        runs=2,
        rng=5,
        store=path,
        progress=False,
    )
    after = _calls(log)
    for p in done:  # finished before the kill: never run again
        assert after[repr(xs[p])] == before[repr(xs[p])] == 2
    assert res.outputs == _expected(xs, 2, 5)
    assert res.resumed_points == len(done)
    assert load(path) == res  # the torn line was truncated, nothing duplicated
    assert path.read_bytes().endswith(b"\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_store_written_out_of_order_by_a_process_pool(
    tmp_path: Path, fmt: str, process_pool: object
) -> None:
    path, log = _store(tmp_path, fmt), tmp_path / "calls.txt"
    xs = [float(i) for i in range(8)]
    grid = {"x": xs, "log": [str(log)]}
    res = sweep(traced, grid, runs=3, rng=2, store=path, executor=process_pool, batch_size=2)
    assert res.outputs == _expected(xs, 3, 2)
    assert load(path) == res
    calls = _calls(log)
    sweep(traced, grid, runs=3, rng=2, store=path, executor=process_pool)
    assert _calls(log) == calls


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"runs": 3}, "runs"),
        ({"grid": {"p": [0.1, 0.3]}}, "grid_hash"),
        ({"version": "v2"}, "version"),
        ({"rng": 2}, "rng_entropy"),
        ({"fn": traced}, "fn"),
    ],
)
def test_a_different_sweep_is_refused_and_nothing_is_overwritten(
    tmp_path: Path, fmt: str, change: dict[str, object], field: str
) -> None:
    path = _store(tmp_path, fmt)
    base: dict[str, object] = {
        "fn": coin_flips,
        "grid": {"p": [0.1, 0.2]},
        "runs": 2,
        "rng": 1,
        "version": "v1",
    }
    sweep(base["fn"], base["grid"], runs=2, rng=1, version="v1", store=path)  # type: ignore[arg-type]
    snapshot = {p: p.read_bytes() for p in ([path] if path.is_file() else path.iterdir())}
    args = {**base, **change}
    with pytest.raises(StoreMismatchError, match=field) as info:
        sweep(
            args["fn"],
            args["grid"],
            runs=args["runs"],
            rng=args["rng"],  # type: ignore[arg-type]
            version=args["version"],
            store=path,
        )  # type: ignore[arg-type]
    assert str(path) in str(info.value)
    assert field in info.value.mismatches and info.value.path == path
    assert isinstance(info.value, InvalidParameterError)
    after = {p: p.read_bytes() for p in ([path] if path.is_file() else path.iterdir())}
    assert after == snapshot


def test_rng_mismatch_says_how_to_resume(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    first = sweep(coin_flips, {"p": [0.5]}, runs=2, rng=None, store=path)
    with pytest.raises(StoreMismatchError, match="SeedSequence"):
        sweep(coin_flips, {"p": [0.5]}, runs=2, rng=None, store=path)
    again = sweep(
        coin_flips, {"p": [0.5]}, runs=2, rng=np.random.SeedSequence(first.entropy), store=path
    )
    assert again == first and again.resumed_points == 1


def test_foreign_files_are_never_overwritten(tmp_path: Path) -> None:
    foreign = tmp_path / "notes.jsonl"
    foreign.write_bytes(b'{"hello": 1}\n')
    with pytest.raises(StoreMismatchError, match="not one"):
        sweep(coin_flips, {"p": [0.5]}, runs=1, rng=0, store=foreign)
    assert foreign.read_bytes() == b'{"hello": 1}\n'
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    pytest.importorskip("pyarrow")
    with pytest.raises(StoreMismatchError, match="not one"):
        sweep(coin_flips, {"p": [0.5]}, runs=1, rng=0, store=folder)
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]


def test_store_format_choice(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    res = sweep(coin_flips, {"p": [0.5]}, runs=2, rng=0, store=tmp_path / "auto")
    assert (tmp_path / "auto" / "_manifest.json").is_file()
    assert load(tmp_path / "auto") == res
    # leftovers of a killed Parquet writer are ignored
    (tmp_path / "auto" / ".tmp-abc.parquet").write_bytes(b"PAR1 half")
    assert load(tmp_path / "auto") == res


def test_parquet_columns_for_analysis(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "runs.parquet"
    sweep(coin_flips, {"p": [0.2, 0.4], "n": [10]}, runs=2, rng=0, store=path)
    parts = sorted(path.glob("part-*.parquet"))
    table = pq.read_table(parts[0]).to_pydict()
    assert table["param.p"] == [0.2, 0.2]
    assert {"out.heads", "out.share", "output_json", "seed_entropy", "spawn_key"} <= set(table)


def test_untabulable_output_cannot_be_stored(tmp_path: Path) -> None:
    def f(*, a: int, rng: np.random.Generator) -> object:
        return {"x": [1, 2]}

    with pytest.raises(InvalidParameterError, match=r"sweep\.fn.*dict"):
        sweep(f, {"a": [1]}, runs=1, rng=0, store=tmp_path / "s.jsonl")


def test_array_outputs_round_trip_exactly(tmp_path: Path) -> None:
    def f(*, a: int, rng: np.random.Generator) -> dict[str, object]:
        return {"curve": rng.random(4) * a, "ok": True, "label": "x"}

    path = tmp_path / "s.jsonl"
    res = sweep(f, {"a": [1, 2]}, runs=2, rng=3, store=path)
    got = load(path)
    assert got == res
    np.testing.assert_array_equal(got.to_numpy()["curve"], res.to_numpy()["curve"])
    assert load(path).fn is None
    with pytest.raises(InvalidParameterError, match="fn"):
        got.replay(0)


def _echo(*, i: int, table: str, rng: np.random.Generator) -> object:
    import json

    return _decode(json.loads(table)[i])


def _decode(v: object) -> object:
    if isinstance(v, dict):
        return {k: (np.asarray(x) if isinstance(x, list) else x) for k, x in v.items()}
    return v


outputs = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(2**62), 2**62),
    st.booleans(),
    st.text(max_size=5),
    st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False),
            st.integers(-(2**62), 2**62),
            st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=3),
        ),
        max_size=3,
    ),
)


@settings(max_examples=20)
@given(values=st.lists(outputs, min_size=1, max_size=4))
def test_stored_outputs_round_trip_exactly(
    tmp_path_factory: pytest.TempPathFactory, values: list[object]
) -> None:
    import json

    path = tmp_path_factory.mktemp("rt") / "s.jsonl"
    table = json.dumps(values)
    res = sweep(_echo, {"i": list(range(len(values))), "table": [table]}, runs=1, rng=0, store=path)
    assert load(path) == res
    again = sweep(
        _echo, {"i": list(range(len(values))), "table": [table]}, runs=1, rng=0, store=path
    )
    assert again == res and again.resumed_points == len(values)


def test_partial_arguments_are_part_of_the_identity(tmp_path: Path) -> None:
    import functools

    from shequn.experiment.examples import random_walk

    path = tmp_path / "s.jsonl"
    sweep(functools.partial(random_walk, steps=3), [{}], runs=2, rng=0, store=path)
    with pytest.raises(StoreMismatchError, match="steps=4"):
        sweep(functools.partial(random_walk, steps=4), [{}], runs=2, rng=0, store=path)
