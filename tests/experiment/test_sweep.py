"""replicate / sweep: seeding, records, replay, tabulation, aggregation, bad input, retries."""

from __future__ import annotations

import functools
import math
import warnings
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from shequn.exceptions import InvalidParameterError, ShequnWarning
from shequn.experiment import (
    RunError,
    grid_points,
    point_id,
    replay,
    replicate,
    sweep,
)
from shequn.experiment.examples import coin_flips, random_walk
from shequn.rng import map_runs


def normal_draw(*, mu: float, rng: np.random.Generator) -> float:
    return mu + float(rng.normal())


def three_kinds(*, kind: str, rng: np.random.Generator) -> object:
    x = rng.random(3)
    if kind == "scalar":
        return np.float64(x[0])
    if kind == "dict":
        return {"a": np.float64(x[0]), "b": int(x[1] > 0.5), "curve": x}
    return x


# --- seeding and replay -----------------------------------------------------------------------


def test_replicate_matches_core_replicate_draws() -> None:
    # a second implementation of the same streams: the core's shequn.rng.map_runs
    ours = replicate(lambda *, rng: float(rng.normal()), runs=7, rng=123)
    core = map_runs(lambda *, rng: float(rng.normal()), runs=7, rng=123)
    assert ours.outputs == core


def test_sweep_streams_are_spawned_twice_from_the_parent() -> None:
    grid = {"mu": [0.0, 10.0, 20.0]}
    res = sweep(normal_draw, grid, runs=4, rng=99)
    root = np.random.SeedSequence(99)
    expected = []
    for p, child in enumerate(root.spawn(3)):
        for r, grand in enumerate(child.spawn(4)):
            expected.append(((p, r), 10.0 * p + float(np.random.default_rng(grand).normal())))
    assert [(rec.spawn_key, rec.output) for rec in res.records] == expected
    assert all(rec.entropy == root.entropy for rec in res.records)
    assert res.entropy == root.entropy
    assert [rec.params for rec in res.records] == [{"mu": 10.0 * (i // 4)} for i in range(12)]


def test_every_record_replays_exactly() -> None:
    res = sweep(three_kinds, {"kind": ["scalar", "dict", "array"]}, runs=3, rng=5)
    for i, rec in enumerate(res.records):
        assert attrs.evolve(rec, output=replay(rec, three_kinds)) == rec
        assert attrs.evolve(rec, output=res.replay(i)) == rec
    # and equality really looks at the output
    assert attrs.evolve(res.records[0], output=-1.0) != res.records[0]
    # rebuilding the seed from the record alone (as a user with only the table would)
    rec = res.records[4]
    gen = np.random.default_rng(np.random.SeedSequence(rec.entropy, spawn_key=rec.spawn_key))
    assert three_kinds(kind=rec.params["kind"], rng=gen)["a"] == rec.output["a"]


def test_same_rng_same_result_and_different_rng_differs() -> None:
    a = sweep(normal_draw, {"mu": [0.0, 1.0]}, runs=5, rng=1)
    b = sweep(normal_draw, {"mu": [0.0, 1.0]}, runs=5, rng=1)
    c = sweep(normal_draw, {"mu": [0.0, 1.0]}, runs=5, rng=2)
    assert a == b
    assert a != c


def test_rng_none_records_fresh_entropy_that_reproduces() -> None:
    a = sweep(normal_draw, {"mu": [0.0]}, runs=3, rng=None)
    b = sweep(normal_draw, {"mu": [0.0]}, runs=3, rng=np.random.SeedSequence(a.entropy))
    assert a == b


# --- tabulation and aggregation -----------------------------------------------------------------


def test_to_numpy_tabulates_scalars_dicts_and_arrays() -> None:
    res = sweep(coin_flips, {"p": [0.2, 0.7], "n": [50]}, runs=3, rng=0)
    cols = res.to_numpy()
    assert list(cols) == [
        "point",
        "point_id",
        "run",
        "p",
        "n",
        "seed_entropy",
        "spawn_key",
        "heads",
        "share",
    ]
    assert cols["point"].tolist() == [0, 0, 0, 1, 1, 1]
    assert cols["run"].tolist() == [0, 1, 2] * 2
    assert cols["p"].tolist() == [0.2] * 3 + [0.7] * 3
    assert cols["heads"].dtype == np.int64
    np.testing.assert_array_equal(cols["share"], cols["heads"] / 50)
    assert cols["point_id"][0] == point_id({"p": 0.2, "n": 50})
    walks = replicate(functools.partial(random_walk, steps=4), runs=5, rng=3).to_numpy()
    assert walks["value"].shape == (5, 4)


def test_output_named_like_a_parameter_is_prefixed() -> None:
    def f(*, n: int, rng: np.random.Generator) -> dict[str, int]:
        return {"n": n + 1}

    cols = sweep(f, {"n": [1, 2]}, runs=1, rng=0).to_numpy()
    assert cols["n"].tolist() == [1, 2]
    assert cols["out_n"].tolist() == [2, 3]


def test_untabulable_outputs_are_kept_but_not_tabulated() -> None:
    res = replicate(lambda *, rng: {1: "x"}, runs=2, rng=0)
    assert res.outputs == [{1: "x"}, {1: "x"}]
    assert "value" not in res.to_numpy()


def test_to_frame_matches_numpy_form() -> None:
    pytest.importorskip("pandas")
    res = sweep(coin_flips, {"p": [0.2, 0.7]}, runs=4, rng=0)
    frame = res.to_frame()
    cols = res.to_numpy()
    assert frame.shape == (8, len(cols))
    np.testing.assert_array_equal(frame["share"].to_numpy(), cols["share"])
    agg = res.aggregate().to_frame()
    assert agg["n"].tolist() == [4, 4]


def test_aggregate_matches_direct_computation() -> None:
    res = sweep(coin_flips, {"p": [0.1, 0.5, 0.9]}, runs=12, rng=8)
    agg = res.aggregate(level=0.9)
    cols = res.to_numpy()
    for i in range(3):
        x = cols["share"][cols["point"] == i]
        m = x.mean()
        half = stats.t.ppf(0.95, df=len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
        assert agg["share_mean"][i] == pytest.approx(m, rel=1e-12)
        assert agg["share_lo"][i] == pytest.approx(m - half, rel=1e-12)
        assert agg["share_hi"][i] == pytest.approx(m + half, rel=1e-12)
    assert agg["p"].tolist() == [0.1, 0.5, 0.9]
    assert agg["n"].tolist() == [12, 12, 12]
    assert agg["failed"].tolist() == [0, 0, 0]


def test_aggregate_of_array_outputs_is_elementwise() -> None:
    res = replicate(functools.partial(random_walk, steps=5), runs=30, rng=4)
    agg = res.aggregate()
    walks = np.stack(res.outputs)
    np.testing.assert_allclose(agg["value_mean"][0], walks.mean(axis=0), rtol=1e-12)
    assert agg["value_lo"].shape == (1, 5)
    assert np.all(agg["value_lo"][0] <= agg["value_hi"][0])


def test_sweep_estimates_are_consistent_with_the_truth() -> None:
    # share of heads: mean p, standard error sqrt(p(1-p)/(n*runs)); 4 SE tolerance
    res = sweep(coin_flips, {"p": [0.3, 0.6]}, runs=200, rng=2024)
    agg = res.aggregate()
    for p, m in zip([0.3, 0.6], agg["share_mean"], strict=True):
        se = math.sqrt(p * (1 - p) / (100 * 200))
        assert abs(m - p) < 4 * se


@given(
    values=st.lists(
        st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=6),
        min_size=1,
        max_size=4,
    ),
    level=st.floats(0.5, 0.99),
)
def test_aggregate_invariants(values: list[list[float]], level: float) -> None:
    # fn returns pre-chosen values so the aggregate can be checked against them
    table = [list(v) for v in values]
    runs = max(len(v) for v in table)

    def f(*, point: int, rng: np.random.Generator) -> float:
        return 0.0

    res = sweep(f, {"point": list(range(len(table)))}, runs=runs, rng=0)

    recs = tuple(
        attrs.evolve(r, output=table[r.point][r.run % len(table[r.point])]) for r in res.records
    )
    res = attrs.evolve(res, records=recs)
    agg = res.aggregate(level=level)
    assert int(agg["n"].sum() + agg["failed"].sum()) == len(table) * runs
    for i in range(len(table)):
        m, lo, hi = agg["value_mean"][i], agg["value_lo"][i], agg["value_hi"][i]
        assert min(table[i]) - 1e-6 <= m <= max(table[i]) + 1e-6
        if runs > 1:
            assert lo <= m + 1e-9 * (1 + abs(m)) and m <= hi + 1e-9 * (1 + abs(m))


# --- grid ---------------------------------------------------------------------------------------


@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3))
def test_grid_is_the_cartesian_product(sizes: list[int]) -> None:
    grid = {f"x{i}": list(range(s)) for i, s in enumerate(sizes)}
    pts = grid_points(grid, owner="sweep")
    assert len(pts) == math.prod(sizes)
    assert len({point_id(p) for p in pts}) == len(pts)
    assert pts[0] == {k: 0 for k in grid} and pts[-1] == {k: v[-1] for k, v in grid.items()}


def test_point_id_is_a_sha256_of_canonical_json() -> None:
    import hashlib
    import json

    params = {"b": "x", "a": 0.5}
    want = hashlib.sha256(json.dumps({"a": 0.5, "b": "x"}, separators=(",", ":")).encode())
    assert point_id(params) == want.hexdigest()[:16]


def test_list_of_dicts_grid_and_numpy_values() -> None:
    res = sweep(normal_draw, [{"mu": np.float64(1.0)}, {"mu": 2}], runs=1, rng=0)
    assert [p for p in res.points] == [{"mu": 1.0}, {"mu": 2}]
    assert type(res.points[0]["mu"]) is float


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ({}, "grid"),
        ([], "grid"),
        ({"x": []}, "grid.*'x'"),
        ({"x": 3}, "grid"),
        ({"x": [float("nan")]}, "grid.*'x'"),
        ({"x": [[1, 2]]}, "grid"),
        ({"x": [1, 1]}, "grid.*repeat"),
        ([{"x": 1}, 2], "grid"),
        ("abc", "grid"),
    ],
)
def test_bad_grids(grid: object, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        sweep(normal_draw, grid, runs=1, rng=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"runs": 0}, r"`sweep\.runs` must be an integer >= 1; got 0"),
        ({"runs": -3}, r"sweep\.runs.*-3"),
        ({"runs": 2.0}, r"sweep\.runs.*2\.0"),
        ({"runs": 1, "retries": -1}, r"sweep\.retries.*-1"),
        ({"runs": 1, "on_error": "skip"}, r"sweep\.on_error.*skip"),
        ({"runs": 1, "executor": "pool"}, r"sweep\.executor.*pool"),
        ({"runs": 1, "progress": "yes"}, r"sweep\.progress.*yes"),
        ({"runs": 1, "version": 3}, r"sweep\.version.*3"),
        ({"runs": 1, "rng": -1}, r"sweep\.rng.*-1"),
        ({"runs": 1, "store": 3.5}, r"sweep\.store.*3\.5"),
        ({"runs": 1, "batch_size": 0, "executor": "thread"}, r"sweep\.batch_size.*0"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], match: str, thread_pool: object) -> None:
    if kwargs.get("executor") == "thread":
        kwargs = {**kwargs, "executor": thread_pool}
    with pytest.raises(InvalidParameterError, match=match):
        sweep(normal_draw, {"mu": [0.0]}, **kwargs)  # type: ignore[arg-type]


def test_bad_replicate_arguments() -> None:
    with pytest.raises(InvalidParameterError, match=r"replicate\.runs.*0"):
        replicate(normal_draw, runs=0, rng=0)
    with pytest.raises(InvalidParameterError, match=r"replicate\.fn"):
        replicate(3, runs=1, rng=0)  # type: ignore[arg-type]


def test_unpicklable_fn_with_a_process_pool_fails_before_submitting(process_pool: object) -> None:
    calls: list[int] = []

    def local(*, mu: float, rng: np.random.Generator) -> float:  # a closure: not picklable
        calls.append(1)
        return mu

    with pytest.raises(InvalidParameterError, match=r"`sweep\.fn` must be picklable.*Process"):
        sweep(local, {"mu": [0.0]}, runs=2, rng=0, executor=process_pool)  # type: ignore[arg-type]
    assert calls == []
    # threads need no pickling
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(sweep(local, {"mu": [0.0]}, runs=2, rng=0)) == 2


# --- failures and retries -------------------------------------------------------------------------


def flaky(*, x: int, fail_first: int, counter: str, rng: np.random.Generator) -> float:
    """Fail the first ``fail_first`` attempts of each (x, draw) run, counting attempts in files."""
    value = float(rng.random())
    path = Path(counter) / f"{x}-{value!r}"
    n = int(path.read_text()) if path.exists() else 0
    path.write_text(str(n + 1))
    if n < fail_first:
        raise ConnectionError(f"attempt {n + 1} of x={x}")
    return x + value


@pytest.mark.parametrize("executor", [None, "thread", "process"])
def test_retries_are_honoured(
    tmp_path: Path, executor: object, thread_pool: object, process_pool: object
) -> None:
    ex = {"thread": thread_pool, "process": process_pool}.get(executor)  # type: ignore[call-overload]
    grid = {"x": [0, 1], "fail_first": [2], "counter": [str(tmp_path)]}
    res = sweep(flaky, grid, runs=3, rng=7, retries=2, executor=ex, batch_size=2)
    clean = sweep(flaky, {**grid, "fail_first": [0]}, runs=3, rng=7)
    assert res.failures == ()
    assert [r.output for r in res.records] == [r.output for r in clean.records]
    assert [r.attempts for r in res.records] == [3] * 6
    # every run was attempted exactly three times (two failures, then success)
    counts = sorted(int(p.read_text()) for p in tmp_path.iterdir())
    assert counts == [4] * 6  # 3 attempts above plus 1 from the clean reference run


def test_failures_after_retries_are_reported_not_lost(tmp_path: Path) -> None:
    grid = {"x": [0, 1], "fail_first": [5], "counter": [str(tmp_path)]}
    with pytest.warns(ShequnWarning, match="6 run"):
        res = sweep(flaky, grid, runs=3, rng=7, retries=1)
    assert len(res.records) == 0 and len(res.failures) == 6
    f = res.failures[0]
    assert (f.point, f.run, f.error_type, f.attempts) == (0, 0, "ConnectionError", 2)
    assert "attempt 2 of x=0" in f.message and "ConnectionError" in f.traceback
    assert f.seed.spawn_key == (0, 0)
    assert not res.complete
    assert res.aggregate()["failed"].tolist() == [3, 3]
    assert res.aggregate()["n"].tolist() == [0, 0]


def test_on_error_raise(tmp_path: Path) -> None:
    grid = {"x": [0], "fail_first": [1], "counter": [str(tmp_path)]}
    with pytest.raises(RunError, match="ConnectionError") as info:
        sweep(flaky, grid, runs=2, rng=7, on_error="raise")
    assert info.value.failure.run == 0


def test_progress_callback_and_bar(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[tuple[int, int]] = []
    sweep(normal_draw, {"mu": [0.0, 1.0]}, runs=3, rng=0, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 6) for i in range(1, 7)]
    pytest.importorskip("tqdm")
    sweep(normal_draw, {"mu": [0.0]}, runs=3, rng=0, progress=True)
    assert "3/3" in capsys.readouterr().err
    sweep(normal_draw, {"mu": [0.0]}, runs=3, rng=0, progress=None)  # stderr is not a terminal
    sweep(normal_draw, {"mu": [0.0]}, runs=3, rng=0, progress=False)
    assert capsys.readouterr().err == ""
