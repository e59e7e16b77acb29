"""RFM summaries: checked against the published CDNOW summary and a pandas groupby."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError
from shequn.loyalty.datasets import CALIBRATION_END, load_cdnow_sample, read_cdnow
from shequn.loyalty.rfm import rfm_summary

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cdnow"


def test_cdnow_sample_summary_matches_published_csv():
    # cdnow_customers_summary_with_transactions.csv is the 2,357-customer CBS of Fader,
    # Hardie & Lee (2005) (as distributed with lifetimes), rounded to 2 decimals.
    csv = DATA / "cdnow_customers_summary_with_transactions.csv"
    if not csv.exists():
        pytest.skip("shared CDNOW data not present")
    ref = np.genfromtxt(csv, delimiter=",", names=True)
    s = load_cdnow_sample().rfm()
    assert np.array_equal(s.customer_ids, ref["ID"].astype(np.int64))
    assert np.array_equal(s.frequency, ref["x"].astype(np.int64))
    for mine, theirs in ((s.recency, ref["t_x"]), (s.T, ref["T"]), (s.monetary, ref["zbar"])):
        assert np.max(np.abs(mine - theirs)) <= 0.005 + 1e-9  # rounding to 2 decimals


def test_shipped_sample_equals_raw_shared_file():
    raw = DATA / "CDNOW_sample.txt"
    if not raw.exists():
        pytest.skip("shared CDNOW data not present")
    assert read_cdnow(raw) == load_cdnow_sample()


def test_cdnow_published_totals():
    # FHL (2005): 2,357 customers, 1,411 of them without repeat purchases in weeks 1-39,
    # and 946 repeat customers used by the gamma-gamma spend model.
    s = load_cdnow_sample().rfm()
    assert s.n == 2357
    assert int((s.frequency == 0).sum()) == 1411
    assert int((s.frequency > 0).sum()) == 946
    assert s.holdout_length == pytest.approx(273 / 7)


def test_same_day_purchases_merge_and_first_purchase_excluded_from_spend():
    ids = [1, 1, 1, 1]
    days = [0.0, 0.2, 7.0, 7.9]  # two purchase days, two orders each
    s = rfm_summary(ids, days, [1.0, 2.0, 10.0, 20.0], calibration_end=14, time_unit="days")
    assert s.frequency.tolist() == [1]
    assert s.recency.tolist() == [7.0]
    assert s.T.tolist() == [14.0]
    assert s.monetary.tolist() == [30.0]


def test_holdout_counts_and_late_customers_dropped():
    ids = ["a", "a", "a", "b", "c"]
    days = np.array(
        ["2020-01-01", "2020-01-05", "2020-02-01", "2020-01-02", "2020-03-01"],
        dtype="datetime64[D]",
    )
    s = rfm_summary(
        ids,
        days,
        [1, 2, 3, 4, 5],
        calibration_end="2020-01-10",
        observation_end="2020-03-31",
        time_unit="days",
    )
    assert s.customer_ids.tolist() == ["a", "b"]  # c first bought after calibration
    assert s.holdout_frequency is not None and s.holdout_frequency.tolist() == [1, 0]
    assert s.holdout_monetary is not None and s.holdout_monetary.tolist() == [3.0, 0.0]


def test_unsorted_rows_give_the_same_summary():
    log = load_cdnow_sample()
    perm = np.random.default_rng(3).permutation(log.n_transactions)
    a = rfm_summary(log.customer_id, log.date, log.amount, calibration_end=CALIBRATION_END)
    b = rfm_summary(
        log.customer_id[perm], log.date[perm], log.amount[perm], calibration_end=CALIBRATION_END
    )
    for f in ("customer_ids", "frequency", "recency", "T", "first_purchase"):
        assert np.array_equal(getattr(a, f), getattr(b, f))
    np.testing.assert_allclose(a.monetary, b.monetary, rtol=1e-12)  # summation order only


def _groupby_reference(ids, days, amt, cal):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"id": ids, "day": days, "amt": amt})
    df = df[df.day <= cal].groupby(["id", "day"], as_index=False).amt.sum()
    g = df.groupby("id")
    first = g.day.min()
    out = pd.DataFrame(
        {
            "x": g.size() - 1,
            "tx": g.day.max() - first,
            "T": cal - first,
            "first_amt": df.sort_values("day").groupby("id").amt.first(),
            "tot": g.amt.sum(),
        }
    )
    out["m"] = np.where(out.x > 0, (out.tot - out.first_amt) / out.x.clip(lower=1), 0.0)
    return out


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="needs pandas")
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_matches_pandas_groupby_on_random_logs(seed):
    gen = np.random.default_rng(seed)
    n = int(gen.integers(1, 60))
    ids = gen.integers(0, 8, n)
    days = gen.integers(0, 30, n).astype(float)
    amt = gen.integers(0, 50, n).astype(float)
    cal = 20
    if not (days <= cal).any():
        return
    ref = _groupby_reference(ids, days, amt, cal)
    s = rfm_summary(ids, days, amt, calibration_end=cal, time_unit="days")
    assert s.customer_ids.tolist() == ref.index.tolist()
    assert s.frequency.tolist() == ref.x.tolist()
    np.testing.assert_allclose(s.recency, ref.tx.to_numpy(dtype=float))
    np.testing.assert_allclose(s.T, ref["T"].to_numpy(dtype=float))
    np.testing.assert_allclose(s.monetary, ref.m.to_numpy(dtype=float))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"customer_ids": [], "timestamps": [], "amounts": []}, "customer_ids"),
        ({"customer_ids": [1.0, np.nan], "timestamps": [0, 1]}, "customer_ids"),
        ({"customer_ids": [1, 2], "timestamps": [0.0, np.nan]}, "timestamps"),
        ({"customer_ids": [1, 2], "timestamps": [0, 1], "amounts": [1.0, -2.0]}, "amounts"),
        ({"customer_ids": [1, 2], "timestamps": [0, 1], "amounts": [1.0, np.nan]}, "amounts"),
        ({"customer_ids": [1, 2], "timestamps": [0]}, "timestamps"),
        ({"customer_ids": [1, 2], "timestamps": ["2020-01-01", "nonsense"]}, "timestamps"),
        ({"customer_ids": [1], "timestamps": [5], "calibration_end": 1}, "calibration_end"),
        (
            {"customer_ids": [1], "timestamps": [0], "calibration_end": 5, "observation_end": 3},
            "observation_end",
        ),
        ({"customer_ids": [1], "timestamps": [0], "time_unit": "months"}, "time_unit"),
    ],
)
def test_bad_transaction_logs(kwargs, field):
    with pytest.raises(InvalidParameterError, match=field):
        rfm_summary(**kwargs)


def _summary(**over):
    from shequn.loyalty.rfm import RFMSummary

    fields = {
        "customer_ids": np.array([1, 2]),
        "frequency": np.array([1, 0]),
        "recency": np.array([2.0, 0.0]),
        "T": np.array([5.0, 5.0]),
        "monetary": np.array([3.0, 0.0]),
        "first_purchase": np.array([0, 0]),
    }
    fields.update(over)
    return RFMSummary(**fields)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"customer_ids": np.array([1, 1])}, "customer_ids"),  # duplicate rows
        ({"recency": np.array([6.0, 0.0])}, "recency"),  # recency > T
        ({"recency": np.array([2.0, 1.0])}, "recency"),  # frequency 0, recency > 0
        ({"frequency": np.array([-1, 0])}, "frequency"),
        ({"T": np.array([np.nan, 5.0])}, "T"),
        ({"monetary": np.array([-3.0, 0.0])}, "monetary"),
    ],
)
def test_bad_summaries(over, field):
    with pytest.raises(InvalidParameterError, match=field):
        _summary(**over)


def test_short_reprs_summaries_and_the_deprecated_log_summary():
    import warnings

    from shequn._results import Summary

    log = load_cdnow_sample()
    assert (
        repr(log) == "TransactionLog(6,919 transactions, 2,357 customers, 1997-01-01 to 1998-06-30)"
    )
    s = log.rfm()
    assert repr(s) == (
        "RFMSummary(2,357 customers, 946 with repeat purchases, time unit weeks, holdout 39)"
    )
    assert len(repr(s)) < 120 and len(repr(log)) < 120  # sizes, not arrays
    for obj in (log, s):
        assert isinstance(obj.summary(), Summary) and "<table>" in obj._repr_html_()
    assert s.summary()["repeat purchases"] == 2457
    assert log.summary()["transactions"] == 6919
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        freq = log.summary().frequency  # the old meaning, for one release
    assert np.array_equal(freq, s.frequency)
    assert w and issubclass(w[0].category, DeprecationWarning) and "rfm()" in str(w[0].message)
    with pytest.raises(AttributeError):
        _ = log.summary().no_such_attribute
