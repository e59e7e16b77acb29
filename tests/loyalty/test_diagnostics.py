"""Diagnostics: tracking curves, P(alive) paths, matrices, calibration/holdout, period counts.

References: simulation from the model (period transactions), the published CDNOW holdout
figures (Fader, Hardie & Lee 2005: the 1,411 customers without repeat purchases made 0.24
purchases each in weeks 40-78, the BG/NBD predicts 0.23), direct per-customer computations by
hand, and lifetimes' own functions (in test_lifetimes_parity.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from shequn.exceptions import InvalidParameterError
from shequn.loyalty.customer_base import (
    BGNBD,
    ModifiedBGNBD,
    ParetoNBD,
    alive_path,
    calibration_holdout,
    frequency_recency_matrix,
    load_cdnow_sample,
    period_transactions,
    tracking,
)

BG = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)


@pytest.fixture(scope="module")
def cdnow():
    log = load_cdnow_sample()
    s = log.rfm()
    return log, s, BGNBD.fit(data=s).model


def test_period_transactions_expected_counts_vs_simulation(cdnow):
    _, s, m = cdnow
    pt = period_transactions(m, s.frequency, s.T, max_frequency=5)
    reps = 200
    counts = np.zeros((reps, 6))
    gen = np.random.default_rng(1)
    for k in range(reps):
        x, _, _ = m.sample(s.n, s.T, rng=gen)
        counts[k] = np.bincount(np.minimum(x, 5), minlength=6)
    mean = counts.mean(axis=0)
    se = counts.std(axis=0, ddof=1) / math.sqrt(reps)
    assert np.all(np.abs(mean - pt.expected) < 4 * se + 1e-9)
    assert pt.expected.sum() == pytest.approx(s.n)
    assert pt.actual.tolist()[:2] == [1411.0, 439.0]
    assert pt.summary()["customers"] == 2357


def test_calibration_holdout_reproduces_the_published_zero_class(cdnow):
    _, s, m = cdnow
    ch = calibration_holdout(m, s, max_frequency=7)
    assert int(ch.customers[0]) == 1411
    assert round(float(ch.actual[0]), 2) == 0.24 and round(float(ch.expected[0]), 2) == 0.23
    # every bin by hand
    for f, c, a, e in zip(ch.frequency, ch.customers, ch.actual, ch.expected, strict=True):
        sel = (s.frequency == f) if f < 7 else (s.frequency >= 7)
        assert c == sel.sum()
        assert a == pytest.approx(s.holdout_frequency[sel].mean())
        assert e == pytest.approx(
            m.conditional_expected_transactions(
                s.holdout_length, s.frequency[sel], s.recency[sel], s.T[sel]
            ).mean()
        )
    with pytest.raises(InvalidParameterError, match="holdout"):
        calibration_holdout(m, load_cdnow_sample().rfm(observation_end=None))


def test_tracking_weekly_is_the_daily_curve_at_week_ends(cdnow):
    log, _, m = cdnow
    kw = {"calibration_end": "1997-09-30", "observation_end": "1998-06-30"}
    wk = tracking(m, log.customer_id, log.date, period="weeks", **kw)
    dy = tracking(m, log.customer_id, log.date, period="days", **kw)
    idx = np.arange(7, dy.time.size + 1, 7) - 1
    np.testing.assert_array_equal(wk.actual[: idx.size], dy.actual[idx])
    np.testing.assert_allclose(wk.expected[: idx.size], dy.expected[idx], rtol=1e-12)
    assert wk.actual_incremental.sum() == wk.actual[-1]
    # the calibration total is Σ E[X(T_i)], the model's expectation of the summary's x
    s = log.rfm()
    i = int(np.searchsorted(wk.time, wk.calibration_end, side="right")) - 1
    assert wk.expected[i] == pytest.approx(m.expected_transactions(s.T).sum(), rel=1e-12)
    assert wk.actual[i] == s.frequency.sum()
    assert wk.summary()["actual at the end"] == 4339


def test_alive_path_jumps_at_purchases_and_decays_between():
    buys = [0.0, 3.0, 5.5, 12.0]
    pn = alive_path(PN, buys, end=40.0, step=0.5)
    bg = alive_path(BG, buys, end=40.0, step=0.5)
    for path, model in ((pn, PN), (bg, BG)):
        at = dict(zip(path.time.tolist(), path.p_alive.tolist(), strict=True))
        for k, t in enumerate(buys[1:], start=1):
            before = at[t - 0.5]
            # Pareto/NBD: just bought means alive; BG/NBD: she may drop out right after the
            # purchase, P = 1 / (1 + a/(b+x-1)) with t_x = T
            want = 1.0 if model is PN else 1.0 / (1.0 + BG.a / (BG.b + k - 1))
            assert at[t] == pytest.approx(want)
            if model is PN or k > 1:  # (a BG/NBD customer without repeats is surely alive)
                assert at[t] > before
        after = path.time > 12.0
        assert np.all(np.diff(path.p_alive[after]) <= 0)
    path = bg
    mbg = alive_path(ModifiedBGNBD(r=0.25, alpha=4.4, a=0.8, b=2.4), [0.0, 3.0], end=20.0)
    assert mbg.p_alive[0] < 1.0  # the MBG/NBD can drop out right after a purchase
    assert path.summary()["repeat purchases"] == 3
    with pytest.raises(InvalidParameterError, match="end"):
        alive_path(BG, [0.0, 10.0], end=5.0)


@pytest.mark.parametrize("model", [BG, PN], ids=["bgnbd", "pareto"])
def test_frequency_recency_matrices(model):
    fr = frequency_recency_matrix(model, T=39.0, max_frequency=12, kind="p_alive")
    ex = frequency_recency_matrix(model, T=39.0, max_frequency=12, kind="expected", t=10.0)
    assert fr.values.shape == (13, 40)
    assert np.isnan(fr.values[0, 1:]).all() and not np.isnan(fr.values[1:]).any()
    i, j = 7, 20
    assert fr.values[i, j] == model.p_alive([7], [fr.recency[j]], [39.0])[0]
    assert ex.values[i, j] == model.conditional_expected_transactions(10.0, [7], [20.0], [39.0])[0]
    # P(alive) rises with recency at fixed frequency
    assert np.all(np.diff(fr.values[1:], axis=1) >= -1e-12)
    assert np.nanmin(fr.values) >= 0 and np.nanmax(fr.values) <= 1
    with pytest.raises(InvalidParameterError, match="model"):
        frequency_recency_matrix(model.with_covariates(trans={"m": 1.0}), T=10.0)


def test_results_to_frame(cdnow):
    pytest.importorskip("pandas")
    log, s, m = cdnow
    assert list(frequency_recency_matrix(m, T=5.0).to_frame().index.names) == ["frequency"]
    assert (
        "expected_incremental"
        in tracking(m, log.customer_id, log.date, calibration_end="1997-09-30").to_frame()
    )
    assert calibration_holdout(m, s).to_frame().shape[1] == 4
    assert period_transactions(m, s.frequency, s.T).to_frame().shape == (8, 3)
    assert alive_path(m, [0.0, 2.0], end=5.0).to_frame().shape[1] == 2
