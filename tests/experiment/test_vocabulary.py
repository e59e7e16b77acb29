"""Experiment results speak the library's vocabulary: Summary, conf_int, ResultMixin."""

from __future__ import annotations

import numpy as np
import pytest

from shequn._results import ResultMixin, Summary
from shequn._stats import mean_ci
from shequn.exceptions import InvalidParameterError
from shequn.experiment import ExperimentResult, RunRecord, replicate, sweep
from shequn.experiment.examples import coin_flips, random_walk


def test_conf_int_is_the_student_t_interval_of_each_point() -> None:
    res = sweep(coin_flips, {"p": [0.2, 0.6]}, runs=25, rng=3)
    ci = res.conf_int(0.9)
    assert sorted(ci) == ["heads[p=0.2]", "heads[p=0.6]", "share[p=0.2]", "share[p=0.6]"]
    for i, p in enumerate((0.2, 0.6)):
        share = [r.output["share"] for r in res.records if r.point == i]
        _, lo, hi = mean_ci(share, level=0.9)  # an independent computation from the records
        assert ci[f"share[p={p}]"] == pytest.approx((lo, hi))
    single = replicate(lambda rng: float(rng.normal()), runs=40, rng=2)
    assert list(single.conf_int()) == ["value"]
    with pytest.raises(InvalidParameterError, match=r"`ExperimentResult\.conf_int\.level`"):
        res.conf_int(0.0)


def test_array_outputs_have_no_scalar_interval() -> None:
    res = sweep(random_walk, {"steps": [4]}, runs=5, rng=1)
    assert res.conf_int() == {}
    assert res.aggregate()["value_lo"].shape == (1, 4)  # element-wise, in aggregate()


def test_summaries_are_summary_objects() -> None:
    res = sweep(coin_flips, {"p": [0.2, 0.6]}, runs=4, rng=3)
    s = res.summary()
    assert isinstance(res, ResultMixin) and isinstance(s, Summary)
    assert s["points"] == 2 and s["failures"] == 0 and s.table is not None
    mean_share = np.mean([r.output["share"] for r in res.records if r.point == 1])
    assert s.table.rows["p=0.6"][3] == pytest.approx(mean_share)  # n, failed, heads, share
    assert "Experiment of shequn.experiment.examples.coin_flips" in str(s)
    assert "<table>" in res._repr_html_()
    rec = res.records[5]
    assert isinstance(rec, RunRecord) and rec.summary()["p"] == 0.6
    assert rec.summary()["share"] == rec.output["share"]


def test_a_large_sweep_summary_stays_short() -> None:
    res = sweep(coin_flips, {"p": [i / 50 for i in range(30)]}, runs=2, rng=0)
    s = res.summary()
    assert s.table is not None and len(s.table.rows) == 20
    assert any("10 more points" in n for n in s.notes)
    assert isinstance(res, ExperimentResult)
