"""shequn.io: atomic writes, crash-safe JSON Lines, exact numpy round trips, Parquet parts."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from shequn.exceptions import InvalidParameterError
from shequn.io import (
    append_jsonl,
    from_jsonable,
    read_jsonl,
    read_parquet_parts,
    to_jsonable,
    write_atomic,
    write_parquet_part,
)


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    write_atomic(path, b"one")
    write_atomic(path, b"two")
    assert path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_write_atomic_failure_keeps_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.bin"
    write_atomic(path, b"old")
    with pytest.raises(InvalidParameterError, match=r"`write_atomic\.data` must be bytes"):
        write_atomic(path, "not bytes")  # type: ignore[arg-type]

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)  # the write fails half way
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]  # the temporary file is gone


@given(
    arr=hnp.arrays(
        dtype=st.sampled_from([np.float64, np.int64, np.float32, np.bool_]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
    ),
    x=st.floats(allow_nan=False),
)
def test_json_round_trip_is_exact(
    tmp_path_factory: pytest.TempPathFactory, arr: np.ndarray, x: float
) -> None:
    path = tmp_path_factory.mktemp("rt") / "v.jsonl"
    append_jsonl(path, [{"a": arr, "x": x, "s": np.float64(x)}])
    (got,) = read_jsonl(path).values
    assert got["a"].dtype == arr.dtype and got["a"].shape == arr.shape
    np.testing.assert_array_equal(got["a"], arr)
    assert got["x"] == x and got["s"] == x and type(got["s"]) is float


def test_to_jsonable_rejects_what_it_cannot_carry() -> None:
    with pytest.raises(TypeError, match="set"):
        to_jsonable({1, 2})
    with pytest.raises(TypeError, match="int key"):
        to_jsonable({1: 2})
    with pytest.raises(TypeError, match="object"):
        to_jsonable(np.array([object()]))
    assert from_jsonable([1, {"b": [2]}]) == [1, {"b": [2]}]


@pytest.mark.parametrize("cut", [1, 5, 17])
def test_torn_tail_is_detected_and_repaired(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "log.jsonl"
    append_jsonl(path, [{"i": 0}, {"i": 1}])
    clean = path.read_bytes()
    line = b'{"i":2,"payload":"' + b"x" * 20 + b'"}\n'
    with open(path, "ab") as fh:
        fh.write(line[:cut])  # a writer killed after `cut` bytes
    got = read_jsonl(path)
    assert got.values == [{"i": 0}, {"i": 1}] and got.torn_bytes == cut
    assert path.read_bytes() == clean + line[:cut]  # reading alone changes nothing
    read_jsonl(path, repair=True)
    assert path.read_bytes() == clean
    append_jsonl(path, [{"i": 2}])
    assert [v["i"] for v in read_jsonl(path).values] == [0, 1, 2]


def test_garbage_in_the_middle_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"a":1}\n{"a":\n{"a":2}\n')
    with pytest.raises(InvalidParameterError, match=r"line 2.*bad\.jsonl"):
        read_jsonl(path)


def test_append_is_one_write_per_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd) or real(fd))
    append_jsonl(tmp_path / "x.jsonl", [1, 2, 3])
    append_jsonl(tmp_path / "x.jsonl", [])
    assert len(calls) == 1
    assert (tmp_path / "x.jsonl").read_text() == "1\n2\n3\n"


def test_parquet_parts(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    write_parquet_part(tmp_path, [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0]}])
    write_parquet_part(tmp_path, [{"a": 2.5}])
    (tmp_path / ".tmp-x.parquet").write_bytes(b"half")
    parts = read_parquet_parts(tmp_path)
    assert parts == [[{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0]}], [{"a": 2.5}]]
