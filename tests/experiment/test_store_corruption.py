"""Damaged stores (issue 14, "Stores"): every corruption detected or repaired, nothing lost.

Each test writes a sound store, damages it the way a crash, a second writer or a careless edit
would, and checks three things: ``load`` leaves the damage out and says so (a ShequnWarning
naming it) instead of failing with a raw error or returning it; a resumed sweep runs again
exactly the points that were damaged, and ends with results identical to a clean run; the
store is sound afterwards (no warning, no duplicate, readable by pandas for Parquet).
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shequn.exceptions import InvalidParameterError, ShequnWarning
from shequn.experiment import load, sweep
from shequn.experiment.examples import traced

SRC = Path(__file__).resolve().parents[2] / "src"
XS = [float(i) for i in range(6)]
RUNS = 3


def _grid(log: Path) -> dict[str, list[object]]:
    return {"x": XS, "log": [str(log)]}


def _expected(seed: int = 11) -> list[float]:
    """traced's outputs computed directly from SeedSequence.spawn (no store involved)."""
    out = []
    for x, child in zip(XS, np.random.SeedSequence(seed).spawn(len(XS)), strict=True):
        out += [x + float(np.random.default_rng(g).random()) for g in child.spawn(RUNS)]
    return out


def _calls(log: Path) -> collections.Counter[str]:
    return collections.Counter(log.read_text().split()) if log.exists() else collections.Counter()


def _fresh(tmp_path: Path, name: str) -> tuple[Path, Path]:
    path, log = tmp_path / name, tmp_path / f"{name}.calls"
    res = sweep(traced, _grid(log), runs=RUNS, rng=11, store=path, progress=False)
    assert res.outputs == _expected()
    return path, log


def _resume(path: Path, log: Path) -> tuple[Any, dict[str, int]]:
    """Resume the sweep; return the result and how often each point ran again."""
    before = _calls(log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShequnWarning)  # the damage was reported by load
        res = sweep(traced, _grid(log), runs=RUNS, rng=11, store=path, progress=False)
    after = _calls(log)
    rerun = {x: after[x] - before[x] for x in after if after[x] != before[x]}
    return res, rerun


def _load_quietly(path: Path) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShequnWarning)  # a sound store warns about nothing
        return load(path)


# ---------------------------------------------------------------------------------------------
# JSON Lines
# ---------------------------------------------------------------------------------------------


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")[:-1]


def _rewrite(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def _edit_point(path: Path, point: int, edit: object) -> None:
    lines = _lines(path)
    for i, line in enumerate(lines[1:], start=1):
        rec = json.loads(line)
        if rec["point"] == point:
            edit(rec)  # type: ignore[operator]
            lines[i] = json.dumps(rec).encode()
    _rewrite(path, lines)


JSONL_DAMAGE = {
    # a stray line that is valid JSON but no record: nothing to rerun
    "stray line": (lambda p: _rewrite(p, [*_lines(p)[:3], b'{"hello": 1}', *_lines(p)[3:]]), None),
    # a corrupted key: the line's point is unreadable
    "corrupted key": (
        lambda p: _rewrite(
            p, [_lines(p)[0], _lines(p)[1].replace(b'"point":', b'"pOint":'), *_lines(p)[2:]]
        ),
        0,
    ),
    "point 1000": (lambda p: _edit_point(p, 2, lambda r: r.update(point=1000)), 2),
    "one run deleted": (lambda p: _edit_point(p, 3, lambda r: r["runs"].pop(1)), 3),
    "output edited": (lambda p: _edit_point(p, 4, lambda r: r["runs"][0].update(output=0.5)), 4),
    "spawn key edited": (
        lambda p: _edit_point(p, 5, lambda r: r["runs"][2].update(spawn_key=[5, 9])),
        5,
    ),
    "checksum removed": (lambda p: _edit_point(p, 1, lambda r: r["runs"][0].pop("sha")), 1),
    "not JSON": (lambda p: _rewrite(p, [*_lines(p)[:2], b"%%% garbage %%%", *_lines(p)[2:]]), None),
    "point copied twice": (lambda p: _rewrite(p, [*_lines(p), _lines(p)[2]]), None),
}


@pytest.mark.parametrize("damage", JSONL_DAMAGE)
def test_jsonl_damage_is_detected_rerun_and_repaired(tmp_path: Path, damage: str) -> None:
    path, log = _fresh(tmp_path, "runs.jsonl")
    harm, point = JSONL_DAMAGE[damage]
    harm(path)
    with (
        pytest.warns(ShequnWarning, match=r"damaged item")
        if damage != "point copied twice"
        else (warnings.catch_warnings())
    ):
        partial = load(path)
    held = sorted({r.point for r in partial.records})  # type: ignore[attr-defined]
    assert held == [p for p in range(len(XS)) if p != point]  # the damage is left out, no more
    assert len(partial.records) == RUNS * len(held)  # type: ignore[attr-defined]
    assert partial.complete == (point is None)  # type: ignore[attr-defined]
    res, rerun = _resume(path, log)
    assert rerun == ({} if point is None else {repr(XS[point]): RUNS})  # exactly that point
    assert res.outputs == _expected()  # type: ignore[attr-defined]
    again = _load_quietly(path)
    assert again == res
    if damage != "point copied twice" and point is not None:
        aside = path.with_name(path.name + ".aside").read_bytes()
        assert aside  # the damaged line is kept aside, not deleted


def test_jsonl_store_of_format_1_without_checksums_still_reads(tmp_path: Path) -> None:
    path, log = _fresh(tmp_path, "old.jsonl")
    lines = _lines(path)
    head = json.loads(lines[0])
    head["shequn_sweep"]["format_version"] = 1
    old = [json.dumps(head).encode()]
    for line in lines[1:]:
        rec = json.loads(line)
        for run in rec["runs"]:
            run.pop("sha")
        old.append(json.dumps(rec).encode())
    _rewrite(path, old)
    assert _load_quietly(path).outputs == _expected()  # type: ignore[attr-defined]
    res, rerun = _resume(path, log)
    assert rerun == {} and res.outputs == _expected()  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------------------------


def _parts(path: Path) -> list[Path]:
    return sorted(path.glob("part-*.parquet"))


def _points_in(part: Path) -> set[int]:
    pq = pytest.importorskip("pyarrow.parquet")
    return set(pq.read_table(part, columns=["point"]).column("point").to_pylist())


def _fresh_parquet(tmp_path: Path) -> tuple[Path, Path]:
    pytest.importorskip("pyarrow")
    return _fresh(tmp_path, "runs.parquet")


def _pandas_rows(path: Path) -> int:
    pd = pytest.importorskip("pandas")
    frame = pd.read_parquet(path)
    assert not frame.duplicated(["point", "run"]).any()
    return len(frame)


def test_parquet_truncated_part(tmp_path: Path) -> None:
    path, log = _fresh_parquet(tmp_path)
    victim = _parts(path)[1]
    lost = _points_in(victim)
    victim.write_bytes(victim.read_bytes()[:-40])  # a part cut short
    with pytest.warns(ShequnWarning, match=rf"{victim.name}: unreadable"):
        partial = load(path)
    assert {r.point for r in partial.records} == set(range(len(XS))) - lost
    res, rerun = _resume(path, log)
    assert rerun == {repr(XS[p]): RUNS for p in lost}
    assert res.outputs == _expected()  # type: ignore[attr-defined]
    assert (path / f"_corrupt-{victim.name}").is_file()  # kept aside, never deleted
    assert _load_quietly(path) == res and _pandas_rows(path) == RUNS * len(XS)


def test_parquet_garbage_part_and_killed_writers_temp_file(tmp_path: Path) -> None:
    path, log = _fresh_parquet(tmp_path)
    (path / "part-000099-feedbeef.parquet").write_bytes(os.urandom(300))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tmp = path / f".tmp-{dead}-abcd.parquet"
    tmp.write_bytes(b"PAR1 half a part")
    with pytest.warns(ShequnWarning, match="unreadable"):
        assert load(path).outputs == _expected()  # the garbage held nothing of ours
    res, rerun = _resume(path, log)
    assert rerun == {} and res.outputs == _expected()  # type: ignore[attr-defined]
    assert not tmp.exists()  # the dead writer's temporary file is gone
    assert _load_quietly(path) == res and _pandas_rows(path) == RUNS * len(XS)


def test_parquet_duplicated_part_never_doubles_records(tmp_path: Path) -> None:
    path, log = _fresh_parquet(tmp_path)
    first = _parts(path)[0]
    shutil.copy(first, path / "part-000050-copyofit.parquet")  # as a careless copy would
    assert len(load(path).records) == RUNS * len(XS)  # duplicates are never returned
    res, rerun = _resume(path, log)
    assert rerun == {} and res.outputs == _expected()  # type: ignore[attr-defined]
    assert (path / "_duplicate-part-000050-copyofit.parquet").is_file()
    assert _pandas_rows(path) == RUNS * len(XS)


def test_parquet_edited_record_is_rerun_and_its_neighbours_kept(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path, log = _fresh(tmp_path, "runs.parquet")
    # put two points in one part, then edit one output of the second
    res0 = load(path)
    victim = _parts(path)[0]
    table = pq.read_table(victim)
    outputs = table.column("output_json").to_pylist()
    outputs[0] = json.dumps(0.123)
    table = table.set_column(
        table.schema.get_field_index("output_json"), "output_json", pa.array(outputs)
    )
    pq.write_table(table, victim)
    edited = _points_in(victim)
    with pytest.warns(ShequnWarning, match="checksum does not match"):
        partial = load(path)
    assert {r.point for r in partial.records} == set(range(len(XS))) - edited
    res, rerun = _resume(path, log)
    assert rerun == {repr(XS[p]): RUNS for p in edited}
    assert res == res0 and res.outputs == _expected()  # type: ignore[attr-defined]
    assert (path / f"_damaged-{victim.name}").is_file()
    assert _load_quietly(path) == res and _pandas_rows(path) == RUNS * len(XS)


def test_a_second_writer_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path, log = tmp_path / "race.parquet", tmp_path / "calls.txt"
    xs = [float(i) for i in range(40)]
    script = (
        "from shequn.experiment import sweep\n"
        "from shequn.experiment.examples import traced\n"
        f"sweep(traced, {{'x': {xs!r}, 'log': [{str(log)!r}], 'seconds': [0.02]}}, runs=2,"
        f" rng=5, store={str(path)!r}, progress=False)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _parts(path):
            time.sleep(0.01)
        with pytest.raises(InvalidParameterError, match=r"`sweep\.store` must not be in use"):
            sweep(
                traced,
                {"x": xs, "log": [str(log)], "seconds": [0.02]},
                runs=2,
                rng=5,
                store=path,
                progress=False,
            )
    finally:
        proc.wait(timeout=120)
    assert proc.returncode == 0
    res = load(path)
    assert len(res.records) == 80 and res.complete  # 40 points x 2 runs, no duplicate
    assert _pandas_rows(path) == 80


def test_parquet_store_of_format_1_is_read_and_migrated(tmp_path: Path) -> None:
    path, log = _fresh_parquet(tmp_path)
    (path / "_manifest.json").rename(path / "manifest.json")  # the old layout
    assert load(path).outputs == _expected()
    res, rerun = _resume(path, log)
    assert rerun == {} and res.outputs == _expected() and (path / "_manifest.json").is_file()
    assert not (path / "manifest.json").exists()  # readers no longer trip on it
    assert _pandas_rows(path) == RUNS * len(XS)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_resume_after_sigkill_mid_sweep(tmp_path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    path, log = tmp_path / f"killed.{fmt}", tmp_path / "calls.txt"
    xs = [float(i) for i in range(40)]
    grid = {"x": xs, "log": [str(log)], "seconds": [0.02]}
    script = (
        "from shequn.experiment import sweep\n"
        "from shequn.experiment.examples import traced\n"
        f"sweep(traced, {grid!r}, runs=2, rng=5, store={str(path)!r}, progress=False)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = (
                len(_parts(path))
                if fmt == "parquet"
                else (path.read_bytes().count(b"\n") - 1 if path.exists() else 0)
            )
            if done >= 5:
                break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored = load(path)
    finished = sorted({r.point for r in stored.records})
    assert len(finished) >= 5 and finished == list(range(len(finished)))
    before = _calls(log)
    res = sweep(traced, grid, runs=2, rng=5, store=path, progress=False)
    after = _calls(log)
    for p in finished:  # finished before the kill: never run again
        assert after[repr(xs[p])] == before[repr(xs[p])] == 2
    expected = []
    for x, child in zip(xs, np.random.SeedSequence(5).spawn(len(xs)), strict=True):
        expected += [x + float(np.random.default_rng(g).random()) for g in child.spawn(2)]
    assert res.outputs == expected and res.resumed_points == len(finished)
    assert _load_quietly(path) == res
    if fmt == "parquet":
        assert not list(path.glob(".tmp-*")) and _pandas_rows(path) == 80


# ---------------------------------------------------------------------------------------------
# readers other than shequn, and weekly tables
# ---------------------------------------------------------------------------------------------


def mixed(*, p: float, rng: np.random.Generator) -> dict[str, object]:
    """An output whose number is an int in some runs and a float in others."""
    k = int(rng.integers(0, 3))
    return {"k": k if k else 0.5, "hit": bool(rng.random() < p), "label": f"p={p}"}


def test_pandas_and_pyarrow_read_a_parquet_store(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    ds = pytest.importorskip("pyarrow.dataset")
    path = tmp_path / "store.parquet"
    res = sweep(mixed, {"p": [0, 0.5, 1]}, runs=4, rng=3, store=path, batch_size=1)
    frame = pd.read_parquet(path)  # the manifest and the lock are skipped
    assert len(frame) == 12 and sorted(frame["point"].unique()) == [0, 1, 2]
    assert frame["param.p"].tolist() == [float(p) for p in np.repeat([0, 0.5, 1], 4)]
    assert frame["out.k"].tolist() == [float(r.output["k"]) for r in res.records]
    assert frame["out.hit"].tolist() == [r.output["hit"] for r in res.records]
    table = ds.dataset(path, format="parquet").to_table()
    assert table.num_rows == 12 and "output_json" in table.column_names


def weekly(*, n: int, rng: np.random.Generator) -> dict[str, object]:
    """A sweep function keeping a trajectory's weekly table beside its headline number."""
    from shequn import OperatingModel, generate_community, simulate

    t = simulate(generate_community("brand", n, rng=rng), OperatingModel(), weeks=3, rng=rng)
    return {"final_members": int(t.members[-1]), **t.columns}


def test_a_sweep_keeps_each_runs_weekly_table(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    path = tmp_path / "weekly.parquet"
    res = sweep(weekly, {"n": [60, 80]}, runs=2, rng=4, store=path)
    weeks = pd.read_parquet(path / "_arrays")  # one row per run and week
    assert len(weeks) == 4 * 4  # 2 points x 2 runs x weeks 0..3
    for rec in res.records:
        rows = weeks[(weeks["point"] == rec.point) & (weeks["run"] == rec.run)].sort_values("index")
        assert rows["members"].tolist() == rec.output["members"].tolist()
        assert rows["revenue"].tolist() == rec.output["revenue"].tolist()
        assert rows["stage_counts.2"].tolist() == rec.output["stage_counts"][:, 2].tolist()
    assert load(path) == res  # the exact outputs come back too
    # the weekly rows of a lost part are written again from the exact outputs on repair
    part = sorted((path / "_arrays").glob("part-*.parquet"))[0]
    part.unlink()
    load(path, repair=True)
    assert len(pd.read_parquet(path / "_arrays")) == 16


def test_load_repair_makes_the_store_sound_without_a_sweep(tmp_path: Path) -> None:
    path, _ = _fresh_parquet(tmp_path)
    victim = _parts(path)[2]
    victim.write_bytes(b"garbage")
    with pytest.warns(ShequnWarning, match="unreadable"):
        fixed = load(path, repair=True)
    assert re.match(r"_corrupt-part-", sorted(p.name for p in path.glob("_corrupt-*"))[0])
    assert len(fixed.records) == RUNS * (len(XS) - 1) and not fixed.complete
    assert _pandas_rows(path) == RUNS * (len(XS) - 1)
