"""The customer-base diagnostics draw: each figure is rendered to a PNG that must not be blank
(pixel variance) and must carry axis labels, and each result's plot() reaches it."""

from __future__ import annotations

import numpy as np
import pytest

from shequn.loyalty.customer_base import (
    BGNBD,
    alive_path,
    calibration_holdout,
    frequency_recency_matrix,
    load_cdnow_sample,
    period_transactions,
    tracking,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from shequn.plotting import customer_base as cbp  # noqa: E402


@pytest.fixture(scope="module")
def results():
    log = load_cdnow_sample()
    s = log.rfm()
    m = BGNBD.fit(data=s).model
    tr = tracking(
        m, log.customer_id, log.date, calibration_end="1997-09-30", observation_end="1998-06-30"
    )
    cid = int(s.customer_ids[np.argmax(s.frequency)])
    days = log.date[log.customer_id == cid]
    weeks = (days - days.min()).astype(np.int64) / 7.0
    return {
        "calibration_holdout": (cbp.plot_calibration_holdout, calibration_holdout(m, s), {}),
        "frequency_recency": (
            cbp.plot_frequency_recency,
            frequency_recency_matrix(m, T=39.0, max_frequency=20),
            {},
        ),
        "p_alive_matrix": (
            cbp.plot_frequency_recency,
            frequency_recency_matrix(m, T=39.0, kind="p_alive"),
            {},
        ),
        "period_transactions": (
            cbp.plot_period_transactions,
            period_transactions(m, s.frequency, s.T),
            {},
        ),
        "tracking_cumulative": (cbp.plot_tracking, tr, {"kind": "cumulative"}),
        "tracking_incremental": (cbp.plot_tracking, tr, {"kind": "incremental"}),
        "alive_path": (cbp.plot_alive_path, alive_path(m, weeks, end=78.0, step=0.25), {}),
    }


NAMES = [
    "calibration_holdout",
    "frequency_recency",
    "p_alive_matrix",
    "period_transactions",
    "tracking_cumulative",
    "tracking_incremental",
    "alive_path",
]


@pytest.mark.parametrize("name", NAMES)
def test_figure_is_drawn_labelled_and_not_blank(results, name, tmp_path):
    fn, result, kw = results[name]
    fig, ax = plt.subplots()
    out = fn(result, ax=ax, **kw)
    assert out is ax
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    plt.close(fig)
    img = plt.imread(path)
    assert img.ndim == 3 and img[..., :3].std() > 0.02  # not a blank canvas


@pytest.mark.parametrize("name", NAMES)
def test_result_plot_method_draws_the_same_figure(results, name):
    fn, result, kw = results[name]
    fig, (a, b) = plt.subplots(1, 2)
    assert result.plot(ax=a, **kw) is a
    fn(result, ax=b, **kw)
    for la, lb in zip(a.lines, b.lines, strict=True):
        np.testing.assert_array_equal(la.get_xydata(), lb.get_xydata())
    assert len(a.patches) == len(b.patches) and len(a.images) == len(b.images)
    plt.close(fig)


def test_tracking_marks_the_end_of_calibration(results):
    _, tr, _ = results["tracking_cumulative"]
    ax = cbp.plot_tracking(tr)
    xs = [ln.get_xdata() for ln in ax.lines if ln.get_label() == "end of calibration"]
    assert xs and float(xs[0][0]) == pytest.approx(39.0)
    plt.close("all")


def test_wrong_result_type_is_refused():
    from shequn.exceptions import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="Tracking"):
        cbp.plot_tracking(object())
