"""Regression tests for the loyalty defects of issues 13 and 14: no NaN, no impossible value,
no silent misreading, our error types.

References: mpmath at 40-60 digits for the numerical cases (the closed forms evaluated with
arbitrary precision, or the defining integrals), hand-computed calendars for the date cases.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.exceptions import ConvergenceError, InvalidParameterError
from shequn.loyalty import default_ladder, read_cdnow, rfm_summary
from shequn.loyalty.customer_base import (
    BGBB,
    BGNBD,
    GammaGamma,
    ModifiedBGNBD,
    ParetoNBD,
    customer_lifetime_value,
)

# -- issue 13: rfm_summary, expected_transactions(0) ------------------------------------------


def test_rfm_refuses_yyyymmdd_without_a_format_and_reads_it_with_one():
    args = ([1, 1, 2], ["20150201", "20150206", "20150101"])
    with pytest.raises(InvalidParameterError, match="date_format"):
        rfm_summary(*args, calibration_end="20150207", time_unit="days")
    s = rfm_summary(*args, calibration_end="20150207", time_unit="days", date_format="%Y%m%d")
    # customer 1: Feb 1 → Feb 6 (5 days), age Feb 1 → Feb 7; customer 2: Jan 1 → Feb 7
    assert s.recency.tolist() == [5.0, 0.0]
    assert s.T.tolist() == [6.0, 37.0]
    with pytest.raises(InvalidParameterError, match="date_format"):
        rfm_summary(*args, date_format="%d/%m/%Y")


def test_rfm_refuses_mixed_and_impossible_timestamps():
    with pytest.raises(InvalidParameterError, match="timestamps"):
        rfm_summary([1, 1, 1], ["2020-01-01", 3, "2020-01-03"])
    with pytest.raises(InvalidParameterError, match="timestamps"):
        rfm_summary([1, 1], ["2020-02-30", "2020-03-01"])
    with pytest.raises(InvalidParameterError, match="timestamps"):
        rfm_summary([1, 1], np.array([np.datetime64("2020-01-01"), 5], dtype=object))
    with pytest.raises(InvalidParameterError, match="date_format"):
        rfm_summary([1, 1], [1.0, 2.0], date_format="%Y")


def test_rfm_calibration_and_observation_before_the_data_is_our_error():
    days = np.array(["2020-05-01", "2020-05-03"], dtype="datetime64[D]")
    for obs in ("2020-02-01", None):
        with pytest.raises(InvalidParameterError, match="calibration_end"):
            rfm_summary([1, 1], days, calibration_end="2020-01-01", observation_end=obs)


def test_pareto_expected_transactions_at_zero_is_positive_zero():
    m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    v = m.expected_transactions([0.0, 0.0])
    assert v.tolist() == [0.0, 0.0] and all(math.copysign(1.0, x) == 1.0 for x in v)
    assert (
        math.copysign(
            1.0, BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8).expected_transactions([0])[0]
        )
        == 1.0
    )


# -- issue 14: BG/BB ---------------------------------------------------------------------------

BB = BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.78)


@pytest.mark.parametrize("method", ["log_likelihood", "p_alive"])
def test_bgbb_methods_check_frequency_recency_n_like_the_fit(method):
    with pytest.raises(InvalidParameterError, match="frequency"):
        getattr(BB, method)([7], [6], [6])  # the issue's log-likelihood of +1.17
    with pytest.raises(InvalidParameterError, match="recency"):
        getattr(BB, method)([3], [7], [6])
    with pytest.raises(InvalidParameterError, match="frequency"):
        BB.conditional_expected_transactions(2, [5], [4], [6])


def test_bgbb_fit_with_frequency_above_n_is_invalid_input_not_convergence():
    with pytest.raises(InvalidParameterError, match="frequency"):
        BGBB.fit([7, 1, 0], [6, 3, 0], [6, 6, 6])


def _bgbb_pmf_mpmath(m, x, n):
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 30
    al, be, ga, de = (mp.mpf(v) for v in (m.alpha, m.beta, m.gamma, m.delta))
    bab, bgd = mp.beta(al, be), mp.beta(ga, de)
    tot = mp.binomial(n, x) * mp.beta(al + x, be + n - x) / bab * mp.beta(ga, de + n) / bgd
    for i in range(x, n):
        tot += mp.binomial(i, x) * mp.beta(al + x, be + i - x) / bab * mp.beta(ga + 1, de + i) / bgd
    return float(tot)


def test_bgbb_pmf_for_large_n_is_a_distribution_and_matches_mpmath():
    p = BB.prob_transactions(np.arange(2001), 2000)
    assert np.all(np.isfinite(p)) and np.all((p >= 0) & (p <= 1))
    assert p.sum() == pytest.approx(1.0, abs=1e-9)
    for x in (0, 10, 1999, 2000):
        assert p[x] == pytest.approx(_bgbb_pmf_mpmath(BB, x, 2000), rel=1e-9)
    # the mean of the distribution is the closed-form expectation
    assert np.arange(2001) @ p == pytest.approx(BB.expected_transactions([2000])[0], rel=1e-9)


# -- issue 14: gamma-gamma with q <= 1 ------------------------------------------------------


@pytest.mark.parametrize("q", [0.5, 1.0])
def test_gamma_gamma_needs_q_above_one_for_a_mean_spend(q):
    m = GammaGamma(p=6.25, q=q, gamma=15.44)
    with pytest.raises(InvalidParameterError, match="q"):
        m.conditional_expected_spend([0], [0.0])
    with pytest.raises(InvalidParameterError, match="q"):
        _ = m.mean_spend
    with pytest.raises(InvalidParameterError, match="q"):
        customer_lifetime_value(
            BGNBD(r=0.24, alpha=4.4, a=0.79, b=2.4), m, [0], [0.0], [39.0], [0.0]
        )
    # a repeat customer's expected spend exists when p·x + q > 1: finite and positive
    assert m.conditional_expected_spend([2], [20.0])[0] > 0


# -- issue 14: BG/NBD and Pareto/NBD at extreme parameters, against mpmath ------------------


def _bg_conditional_mpmath(m, t, x, tx, T):
    """FHL (2005) eq. 10, 50 digits."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50
    r, al, a, b = (mp.mpf(v) for v in (m.r, m.alpha, m.a, m.b))
    t, X, TX, TT = mp.mpf(t), mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    z = t / (al + TT + t)
    num = (
        (a + b + X - 1)
        / (a - 1)
        * (1 - ((al + TT) / (al + TT + t)) ** (r + X) * mp.hyp2f1(r + X, b + X, a + b + X - 1, z))
    )
    den = 1 + (a / (b + X - 1)) * ((al + TT) / (al + TX)) ** (r + X) if x > 0 else 1
    return float(num / den)


EXTREME_BG = [
    BGNBD(r=1e-3, alpha=1e3, a=1e-3, b=1e3),
    BGNBD(r=100.0, alpha=0.01, a=50.0, b=0.01),
    BGNBD(r=0.243, alpha=4.414, a=1.0 + 1e-9, b=2.426),  # the removable singularity a = 1
    BGNBD(r=5.0, alpha=0.5, a=0.05, b=40.0),
]


@pytest.mark.parametrize("m", EXTREME_BG, ids=range(len(EXTREME_BG)))
def test_bgnbd_conditional_expectation_at_extreme_parameters_vs_mpmath(m):
    grid = [
        (0, 0.0, 1e-6),
        (0, 0.0, 100.0),
        (1, 5.0, 10.0),
        (100, 1e-6, 1e-6),
        (1000, 50.0, 100.0),
        (5, 1e3, 1e4),
    ]
    for t in (1.0, 1e4):
        for x, tx, T in grid:
            ours = m.conditional_expected_transactions(t, [x], [tx], [T])[0]
            assert math.isfinite(ours)
            ref = _bg_conditional_mpmath(m, t, x, tx, T)
            assert ours == pytest.approx(ref, rel=1e-7, abs=1e-300), (x, tx, T, t)


def test_bgnbd_issue_grid_has_no_nan():
    # the issue's 114-cell grid at t = 1e4 (27 cells were NaN)
    m = BGNBD(r=1e-3, alpha=1e3, a=1e-3, b=1e3)
    xs = np.array([0, 1, 2, 5, 10, 50, 100, 1000])
    for x in xs:
        for T in (1e-6, 1e-3, 1.0, 10.0, 100.0, 1e3, 1e4, 1e6):
            for f in (0.0, 0.5, 1.0):
                if x == 0 and f > 0:
                    continue
                v = m.conditional_expected_transactions(1e4, [x], [f * T], [T])[0]
                assert math.isfinite(v) and v >= 0


def _pareto_p_alive_mpmath(m, x, tx, T):
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 60
    r, al, s, be = (mp.mpf(v) for v in (m.r, m.alpha, m.s, m.beta))
    X, TX, TT = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    alive = (al + TT) ** (-(r + X)) * (be + TT) ** (-s)
    dead = s * mp.quad(lambda u: (al + u) ** (-(r + X)) * (be + u) ** (-(s + 1)), [TX, TT])
    return float(alive / (alive + dead))


@pytest.mark.parametrize(
    ("m", "x", "tx", "T"),
    [
        (ParetoNBD(r=2, alpha=1e-3, s=2, beta=1e4), 1000, 0.0, 1e-6),  # the issue's case
        (ParetoNBD(r=2, alpha=1e4, s=2, beta=1e-3), 3, 1.0, 50.0),
        (ParetoNBD(r=1e-3, alpha=1e-3, s=1e-3, beta=1e-3), 0, 0.0, 1e3),
        (ParetoNBD(r=50, alpha=0.1, s=50, beta=0.1), 20000, 38.9, 39.0),
    ],
)
def test_pareto_p_alive_at_extreme_parameters_vs_mpmath(m, x, tx, T):
    ours = m.p_alive([x], [tx], [T])[0]
    assert ours == pytest.approx(_pareto_p_alive_mpmath(m, x, tx, T), rel=1e-9, abs=1e-15)


def test_issue_case_pareto_p_alive_value():
    m = ParetoNBD(r=2, alpha=1e-3, s=2, beta=1e4)
    assert m.p_alive([1000], [0], [1e-6])[0] == pytest.approx(0.99999999966, abs=1e-11)


log_param = st.floats(-3, 3).map(lambda v: float(10**v))


@given(
    log_param,
    log_param,
    log_param,
    log_param,
    st.integers(0, 5000),
    st.floats(0, 1),
    st.floats(-4, 4).map(lambda v: float(10**v)),
    st.floats(-2, 4).map(lambda v: float(10**v)),
)
def test_extreme_parameters_give_finite_probabilities(r, al, a, b, x, frac, T, t):
    tx = frac * T if x > 0 else 0.0
    for m in (
        BGNBD(r=r, alpha=al, a=a, b=b),
        ModifiedBGNBD(r=r, alpha=al, a=a, b=b),
        ParetoNBD(r=r, alpha=al, s=a, beta=b),
    ):
        p = m.p_alive([x], [tx], [T])[0]
        assert 0.0 <= p <= 1.0
        ll = m.log_likelihood([x], [tx], [T])[0]
        assert math.isfinite(ll)
        try:
            y = m.conditional_expected_transactions(t, [x], [tx], [T])[0]
        except ConvergenceError:  # only for an astronomically long horizon: says so
            continue
        assert math.isfinite(y) and y >= 0
        # no more than a never-dying customer would make: (r+x) t / (α+T)
        assert y <= (r + x) * t / (al + T) * (1 + 1e-9) + 1e-300


@given(log_param, log_param, log_param, log_param, st.integers(1, 300), st.integers(0, 300))
def test_bgbb_probabilities_at_extreme_parameters(al, be, ga, de, n, k):
    m = BGBB(alpha=al, beta=be, gamma=ga, delta=de)
    x = min(k, n)
    tx = n if x else 0
    assert 0.0 <= m.p_alive([x], [tx], [n])[0] <= 1.0
    assert m.log_likelihood([x], [tx], [n])[0] <= 1e-12
    p = m.prob_transactions(np.arange(n + 1), n)
    assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0, abs=1e-8)


def test_absurd_frequencies_are_refused():
    with pytest.raises(InvalidParameterError, match="frequency"):
        BGNBD(r=0.24, alpha=4.4, a=0.79, b=2.4).log_likelihood([1e300], [30], [38])


# -- issue 14: unidentified fits, the ladder, read_cdnow ------------------------------------


@pytest.mark.parametrize("cls", [ParetoNBD, BGNBD])
def test_single_customer_without_repeats_is_flagged_not_converged(cls):
    with pytest.raises(ConvergenceError, match="not identified"):
        cls.fit([0], [0.0], [10.0])


def test_fundamental_matrix_without_absorbing_stages_is_refused():
    with pytest.raises(InvalidParameterError, match="absorbing"):
        default_ladder().fundamental_matrix([])
    N, _ = default_ladder().fundamental_matrix([4, 5])  # FRIEND and LAPSED absorb
    assert np.all(np.isfinite(N)) and N.max() < 1e3


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("1 19971399 1 10.0", "date"),
        ("1 19970231 1 10.0", "date"),
        ("1 19970101 1 nan", "amount"),
        ("1 19970101 1 -5.0", "amount"),
        ("1 19970101 -1 5.0", "quantit"),
        ("1 19970101 1.5 5.0", "quantit"),
    ],
)
def test_read_cdnow_refuses_impossible_rows(tmp_path, line, what):
    p = tmp_path / "bad.txt"
    p.write_text("1 19970105 2 20.0\n" + line + "\n")
    with pytest.raises(InvalidParameterError, match=what):
        read_cdnow(p)


def test_read_cdnow_accepts_leap_day(tmp_path):
    p = tmp_path / "ok.txt"
    p.write_text("1 19960229 1 10.0\n2 19971231 1 5.0\n")
    log = read_cdnow(p)
    assert [str(d) for d in log.date] == ["1996-02-29", "1997-12-31"]


def test_hyp2f1_one_refuses_arguments_outside_its_domain():
    from shequn.loyalty.customer_base import hyp2f1_one

    for args, field in (((0.0, 2.0, -1.0), "b"), ((1.0, 0.5, -1.0), "c"), ((1.0, 2.0, 0.5), "w")):
        with pytest.raises(InvalidParameterError, match=field):
            hyp2f1_one(*args)


# -- issue 14: BG/BB expectations at huge n, the transaction log, customer ids ----------------


def _bgbb_mean_mpmath(m, n):
    """E[X(n)] (Fader, Hardie & Shang 2010, eq. 8) with 60-digit log-gammas."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 60
    al, be, ga, de = (mp.mpf(v) for v in (m.alpha, m.beta, m.gamma, m.delta))
    n = mp.mpf(int(n))
    ratio = mp.exp(
        mp.loggamma(ga + de)
        + mp.loggamma(1 + de + n)
        - mp.loggamma(1 + de)
        - mp.loggamma(ga + de + n)
    )
    return float(al / (al + be) * de / (ga - 1) * (1 - ratio))


@pytest.mark.parametrize("m", [BB, BGBB(alpha=1.2, beta=0.75, gamma=2.5, delta=2.78)])
def test_bgbb_expected_transactions_at_huge_n_vs_mpmath_and_the_pmf(m):
    # the gammaln differences lost every digit at n = 1e15 (negative values at n = 1e300)
    ns = [1, 6, 10**6, 10**12, 10**15, 9 * 10**18]
    ours = m.expected_transactions(ns)
    for n, v in zip(ns, ours, strict=True):
        assert v == pytest.approx(_bgbb_mean_mpmath(m, n), rel=1e-12)
    assert np.all(np.diff(ours) >= 0)  # more opportunities, never fewer purchases
    # a second method at moderate n: the mean of the distribution P(X(n) = x)
    p = m.prob_transactions(np.arange(301), 300)
    assert np.arange(301) @ p == pytest.approx(m.expected_transactions([300])[0], rel=1e-10)


def test_bgbb_counts_beyond_int64_or_fractional_are_refused():
    for bad in (1e300, 2.5, -1):
        with pytest.raises(InvalidParameterError, match=r"`BGBB\.expected_transactions\.n`"):
            BB.expected_transactions([1, bad])
        with pytest.raises(
            InvalidParameterError, match=r"`BGBB\.conditional_expected_transactions\.n_star`"
        ):
            BB.conditional_expected_transactions([5, bad], [0, 2], [0, 3], [6, 6])


def test_bgbb_conditional_expectation_at_huge_n_star_vs_mpmath():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 60
    m = BB
    al, be, ga, de = (mp.mpf(v) for v in (m.alpha, m.beta, m.gamma, m.delta))
    x, tx, n = 2, 3, 6

    def B(a, b):
        return mp.beta(a, b)

    like = B(al + x, be + n - x) / B(al, be) * B(ga, de + n) / B(ga, de)
    for i in range(n - tx):
        like += B(al + x, be + tx - x + i) / B(al, be) * B(ga + 1, de + tx + i) / B(ga, de)

    def g(z):
        return mp.exp(mp.loggamma(1 + de + z) - mp.loggamma(ga + de + z))

    for n_star in (5, 10**9, 10**18):
        ref = (
            B(al + x + 1, be + n - x)
            / B(al, be)
            / like
            * de
            / (ga - 1)
            * mp.exp(mp.loggamma(ga + de) - mp.loggamma(1 + de))
            * (g(mp.mpf(n)) - g(mp.mpf(n + n_star)))
        )
        ours = m.conditional_expected_transactions([n_star], [x], [tx], [n])[0]
        assert ours == pytest.approx(float(ref), rel=1e-12)


def test_transaction_log_refuses_nan_inf_and_impossible_columns():
    from shequn.loyalty import TransactionLog

    date = np.array(["1997-01-01", "1997-01-05", "1997-01-02"], dtype="datetime64[D]")
    good = {"customer_id": [1, 1, 2], "date": date, "quantity": [1, 2, 1], "amount": [10.0, 5, 3]}
    log = TransactionLog(**good)
    assert log.customer_id.dtype == np.int64 and log.amount.dtype == np.float64
    assert log.summary()["total amount"] == 18.0
    for field, bad in (
        ("amount", [10.0, 5.0, math.inf]),
        ("amount", [10.0, 5.0, math.nan]),
        ("amount", [10.0, 5.0, -3.0]),
        ("customer_id", [1.0, 1.0, math.nan]),
        ("customer_id", [1, 1, 2.5]),
        ("quantity", [1.0, 2.0, math.nan]),
        ("quantity", [1, 2, 1e300]),
        ("quantity", [1, 2]),
        ("date", "1997-01-01"),
        ("date", np.array(["1997-01-01", "NaT", "1997-01-02"], dtype="datetime64[D]")),
    ):
        with pytest.raises(InvalidParameterError, match=rf"`TransactionLog\.{field}`"):
            TransactionLog(**{**good, field: bad})


def test_rfm_summary_refuses_infinite_customer_ids():
    with pytest.raises(InvalidParameterError, match=r"`rfm_summary\.customer_ids` must be finite"):
        rfm_summary([7.0, math.inf], [0.0, 3.0], calibration_end=21.0)
