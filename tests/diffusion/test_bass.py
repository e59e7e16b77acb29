"""Tests of the Bass family: closed forms, generalised Bass, the three estimators."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad, solve_ivp

from shequn.diffusion.bass import (
    Bass,
    GeneralizedBass,
    bass_cdf,
    bass_pdf,
    bkj_effort,
    fit_bass,
)
from shequn.exceptions import ConvergenceError, InvalidParameterError, ShequnWarning
from shequn.rng import spawn_seeds

TRUTH = Bass(p=0.02, q=0.4, m=10_000.0)

# --- closed forms against numerical integration --------------------------------------------


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.001, 1.5), (0.4, 0.05), (0.01, 0.01)])
def test_cdf_matches_ode_solution(p: float, q: float) -> None:
    t = np.linspace(0, 40, 81)
    sol = solve_ivp(
        lambda _t, F: (p + q * F) * (1 - F),
        (0, 40),
        [0.0],
        t_eval=t,
        rtol=1e-12,
        atol=1e-14,
        method="DOP853",
    )
    np.testing.assert_allclose(bass_cdf(t, p, q), sol.y[0], atol=1e-8, rtol=0)
    # the density is the right-hand side of the ODE
    F = sol.y[0]
    np.testing.assert_allclose(bass_pdf(t, p, q), (p + q * F) * (1 - F), atol=1e-8, rtol=0)


def test_generalized_bass_matches_ode_with_varying_effort() -> None:
    p, q = 0.02, 0.5
    x = np.array([1.0, 1.5, 0.5, 2.0, 1.0, 0.8, 1.2, 1.0])
    g = GeneralizedBass(p=p, q=q, m=1.0, effort=x)
    t_eval = np.linspace(0, len(x), 33)

    def rhs(t: float, F: np.ndarray) -> np.ndarray:
        k = min(max(math.ceil(t), 1), len(x)) - 1
        return (p + q * F) * (1 - F) * x[k]

    sol = solve_ivp(
        rhs,
        (0, len(x)),
        [0.0],
        t_eval=t_eval,
        rtol=1e-12,
        atol=1e-14,
        max_step=0.25,
        method="DOP853",
    )
    np.testing.assert_allclose(g.cdf(t_eval), sol.y[0], atol=1e-8, rtol=0)


def test_peak_time_and_height_are_the_maximum_of_the_rate() -> None:
    b = Bass(p=0.01, q=0.6, m=500.0)
    t = np.linspace(0, 30, 300_001)
    r = b.rate(t)
    assert b.peak_time == pytest.approx(t[np.argmax(r)], abs=2e-4)
    assert b.peak_rate == pytest.approx(r.max(), rel=1e-9)
    assert float(b.cdf(b.peak_time)) == pytest.approx(b.peak_share, abs=1e-12)


def test_innovator_imitator_split_matches_quadrature() -> None:
    b = Bass(p=0.03, q=0.38, m=1000.0)
    for t in (0.5, 3.0, 10.0, 40.0):
        inn, _ = quad(lambda s: b.m * b.p * (1 - float(b.cdf(s))), 0, t, epsabs=1e-12)
        imi, _ = quad(
            lambda s: b.m * b.q * float(b.cdf(s)) * (1 - float(b.cdf(s))), 0, t, epsabs=1e-12
        )
        assert float(b.innovators(t)) == pytest.approx(inn, rel=1e-9)
        assert float(b.imitators(t)) == pytest.approx(imi, rel=1e-9)
    inn, imi = b.split(30)
    np.testing.assert_allclose(inn + imi, b.adoptions(30), rtol=1e-12)
    assert (inn >= 0).all() and (imi >= 0).all()


def test_generalized_bass_with_unit_effort_is_bass() -> None:
    b = Bass(p=0.03, q=0.38, m=1000.0)
    g = GeneralizedBass(p=0.03, q=0.38, m=1000.0, effort=np.ones(25))
    np.testing.assert_array_equal(g.adoptions(), b.adoptions(25))
    t = np.linspace(0, 25, 101)
    np.testing.assert_allclose(g.cdf(t), b.cdf(t), rtol=0, atol=1e-15)


def test_constant_effort_rescales_time() -> None:
    b = Bass(p=0.03, q=0.38, m=1000.0)
    g = GeneralizedBass(p=0.03, q=0.38, m=1000.0, effort=np.full(10, 1.7))
    t = np.linspace(0, 10, 41)
    np.testing.assert_allclose(g.cdf(t), b.cdf(1.7 * t), rtol=1e-13, atol=1e-15)


def test_bkj_effort_formula() -> None:
    x = bkj_effort(
        price=[100, 90, 90, 99], advertising=[10, 20, 10, 10], beta_price=-2.0, beta_advertising=0.5
    )
    # period 2: price -10% -> +0.2; ads +100% -> +0.5; period 3: ads fall, ignored; 4: +10% price
    np.testing.assert_allclose(x, [1.0, 1.7, 1.0, 0.8])


# --- fitting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["nls", "mle"])
def test_noiseless_recovery(method: str) -> None:
    b = Bass(p=0.03, q=0.38, m=1000.0)
    fit = fit_bass(b.adoptions(25), method=method)
    # nls is exact on expected adoptions; the multinomial mle of m deviates by O(1) people
    # because the censored remainder m - N_T is about 0.5 here (lgamma vs continuous m).
    tol = 1e-6 if method == "nls" else 1e-2
    np.testing.assert_allclose(fit.estimates, [0.03, 0.38, 1000.0], rtol=tol)
    # with m known the likelihood score for (p, q) vanishes exactly at the truth
    known = fit_bass(b.adoptions(25), method=method, m=1000.0)
    np.testing.assert_allclose(known.estimates, [0.03, 0.38, 1000.0], rtol=1e-5)
    assert fit.r2 == pytest.approx(1.0, abs=1e-9 if method == "nls" else 1e-4)


def test_nls_and_ols_agree_on_noiseless_data() -> None:
    """Bass's OLS is an Euler discretisation: its relative bias is first order in (p+q)*period.

    Tolerance derivation: regressing n_k on N_{k-1} evaluates the hazard at the start of each
    period (an Euler step), whose error is O(h (p + q)) for periods of length h. On exact data
    each OLS parameter may therefore differ from NLS (exact) by C (p + q) h; we bound C by 2
    and check the defining property: halving h halves the gap (ratio 2 within 10%).
    """
    gaps = []
    for h in (0.2, 0.1, 0.05):
        b = Bass(p=0.03 * h, q=0.38 * h, m=1000.0)
        y = b.adoptions(round(30 / h))
        nls = fit_bass(y, method="nls")
        ols = fit_bass(y, method="ols")
        gap = np.abs(ols.estimates / nls.estimates - 1)
        assert (gap <= 2 * (b.p + b.q)).all(), (h, gap)
        gaps.append(gap)
    ratios = np.asarray(gaps[:-1]) / np.asarray(gaps[1:])
    np.testing.assert_allclose(ratios, 2.0, rtol=0.1)


def test_ols_with_fixed_m_is_exact_on_discrete_bass_recursion() -> None:
    # data that follow the discrete Bass recursion exactly make the OLS regression exact
    p, q, m = 0.02, 0.3, 5000.0
    N, y = 0.0, []
    for _ in range(30):
        n = (p + q * N / m) * (m - N)
        y.append(n)
        N += n
    fit = fit_bass(np.array(y), method="ols")
    np.testing.assert_allclose(fit.estimates, [p, q, m], rtol=1e-8)
    fit2 = fit_bass(np.array(y), method="ols", m=m)
    np.testing.assert_allclose(fit2.estimates, [p, q, m], rtol=1e-8)


def test_nls_coverage_of_95_percent_intervals() -> None:
    """200 noisy series; each 95% interval must cover the truth in 90-99% of them.

    Tolerance: coverage is Binomial(200, 0.95)/200 with SE sqrt(.95 * .05 / 200) = 0.0154, so
    [0.90, 0.99] is -3.2 / +2.6 SE around the nominal level. Noise sd 15 keeps every period
    positive (smallest expected adoption 37 > 2.4 sd), so no clipping biases the data.
    """
    T, sd = 18, 15.0
    y0 = TRUTH.adoptions(T)
    truth = np.array([TRUTH.p, TRUTH.q, TRUTH.m])
    hits = np.zeros(3)
    seeds = spawn_seeds(2024, 200)
    for s in seeds:
        y = y0 + np.random.default_rng(s).normal(0, sd, T)
        assert (y >= 0).all()
        ci = fit_bass(y).conf_int(0.95)
        lo, hi = np.array([ci[k] for k in ("p", "q", "m")]).T
        hits += (lo <= truth) & (truth <= hi)
    coverage = hits / len(seeds)
    assert ((coverage >= 0.90) & (coverage <= 0.99)).all(), coverage


def test_mle_coverage_on_multinomial_adoption_times() -> None:
    """MLE intervals on interval-censored adoption times of 10,000 people (same band, 200 runs)."""
    T = 18
    probs = np.diff(TRUTH.cdf(np.arange(T + 1.0)))
    probs = np.append(probs, 1 - probs.sum())
    truth = np.array([TRUTH.p, TRUTH.q, TRUTH.m])
    hits = np.zeros(3)
    for s in spawn_seeds(77, 200):
        y = np.random.default_rng(s).multinomial(10_000, probs)[:-1].astype(float)
        ci = fit_bass(y, method="mle").conf_int(0.95)
        lo, hi = np.array([ci[k] for k in ("p", "q", "m")]).T
        hits += (lo <= truth) & (truth <= hi)
    coverage = hits / 200
    assert ((coverage >= 0.90) & (coverage <= 0.99)).all(), coverage


def test_fixed_m_and_effort_fit() -> None:
    x = bkj_effort(price=np.r_[np.full(8, 100.0), np.full(12, 70.0)], beta_price=-1.0)
    g = GeneralizedBass(p=0.02, q=0.45, m=2000.0, effort=x)
    y = g.adoptions()
    fit = fit_bass(y, effort=x)
    np.testing.assert_allclose(fit.estimates, [0.02, 0.45, 2000.0], rtol=1e-6)
    plain = fit_bass(y)  # ignoring the price cut misfits
    assert plain.r2 < fit.r2
    fixed = fit_bass(y, m=2000.0, effort=x, method="mle")
    assert fixed.m_fixed and fixed.se[2] == 0.0
    np.testing.assert_allclose(fixed.estimates[:2], [0.02, 0.45], rtol=1e-4)


def test_prediction_intervals_cover_future_periods() -> None:
    """Prediction intervals for periods 19-24 from 18 observed: about 95% of new draws inside.

    60 fits x 6 future periods = 360 checks (not independent within a fit); we ask only for
    85-100%, far from the 50% a confidence band for the mean would give here.
    """
    T, sd = 18, 15.0
    y_all = TRUTH.adoptions(T + 6)
    inside, total = 0, 0
    for s in spawn_seeds(31, 60):
        gen = np.random.default_rng(s)
        y = y_all + gen.normal(0, sd, T + 6)
        fc = fit_bass(y[:T]).predict(np.arange(T + 1, T + 7))
        inside += int(((fc.lower <= y[T:]) & (y[T:] <= fc.upper)).sum())
        total += 6
        assert (np.diff(fc.cumulative) > 0).all()
    assert 0.85 <= inside / total <= 1.0


def test_fit_statistics() -> None:
    y = TRUTH.adoptions(18) + np.random.default_rng(3).normal(0, 15, 18)
    fit = fit_bass(y)
    np.testing.assert_allclose(fit.residuals, y - fit.fitted)
    rss = float(fit.residuals @ fit.residuals)
    assert fit.sigma2 == pytest.approx(rss / 15)
    assert fit.log_likelihood == pytest.approx(-9 * (math.log(2 * math.pi * rss / 18) + 1))
    assert fit.aic == pytest.approx(8 - 2 * fit.log_likelihood)
    assert fit.r2 == pytest.approx(1 - rss / float(((y - y.mean()) ** 2).sum()))
    s = fit.summary()
    assert s["r2"] == fit.r2 and s["aic"] == fit.aic and s["q"] == fit.q
    assert s.table is not None and s.table.rows["q"][1] == fit.standard_errors["q"]
    text = str(s)
    assert text.startswith("Bass fit (nls), 18 periods") and "r2" in text
    assert "<table>" in fit._repr_html_()


def test_to_frame() -> None:
    pd = pytest.importorskip("pandas")
    fit = fit_bass(TRUTH.adoptions(18) + np.random.default_rng(3).normal(0, 15, 18))
    frame = fit.to_frame()
    assert isinstance(frame, pd.DataFrame)
    np.testing.assert_allclose(frame["se"].to_numpy(), fit.se)
    fc = fit.predict(20).to_frame()
    assert fc.index.tolist() == list(range(1, 21))


# --- identification ---------------------------------------------------------------------------


def test_unidentified_m_raises_with_advice() -> None:
    # the first 5 periods of a slow take-off with 2% noise: pure growth, no inflection in sight
    y = Bass(p=0.002, q=0.5, m=1e6).adoptions(5) * (1 + 0.02 * (-1.0) ** np.arange(5))
    with pytest.raises(ConvergenceError, match=r"fix m .*m_bounds"):
        fit_bass(y)
    fit = fit_bass(y, m=1e6)  # fixing m makes it estimable
    assert fit.m == 1e6
    with pytest.warns(ShequnWarning, match="m_bounds"):
        fit_bass(y, m_bounds=(float(y.sum()), 1e5))


def test_pre_peak_series_warns_about_extrapolation() -> None:
    y = TRUTH.adoptions(6) + np.array([3.0, -2.0, 1.0, -1.0, 2.0, -3.0])
    with pytest.warns(ShequnWarning, match="extrapolation"):
        fit_bass(y)


def test_ols_without_valid_solution_raises() -> None:
    with pytest.raises(ConvergenceError, match="nls"):
        # n = 10 + N + 0.01 N^2 exactly: c > 0, no Bass solution
        fit_bass([10.0, 21.0, 50.61, 158.211921, 824.9674589, 12412.553616], method="ols")


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"adoptions": [5.0, -1.0, 3.0, 2.0]}, "adoptions"),
        ({"adoptions": [5.0, float("nan"), 3.0, 2.0]}, "adoptions"),
        ({"adoptions": [5.0, float("inf"), 3.0, 2.0]}, "adoptions"),
        ({"adoptions": [5.0, 3.0]}, "adoptions"),
        ({"adoptions": [5.0], "m": 100.0}, "adoptions"),
        ({"adoptions": [5.0, 8.0, 3.0], "m": 10.0}, "m"),
        ({"adoptions": [5.0, 8.0, 3.0], "m": -1.0}, "m"),
        ({"adoptions": [5.0, 8.0, 3.0], "m_bounds": (10.0, 100.0)}, "m_bounds"),
        ({"adoptions": [5.0, 8.0, 3.0], "m_bounds": (50.0, 20.0)}, "m_bounds"),
        ({"adoptions": [5.0, 8.0, 3.0], "effort": [1.0, 1.0]}, "effort"),
        ({"adoptions": [5.0, 8.0, 3.0], "effort": [1.0, 0.0, 1.0]}, "effort"),
        ({"adoptions": [5.0, 8.0, 3.0], "method": "bayes"}, "method"),
        ({"adoptions": [5.0, 8.0, 3.0], "level": 1.0}, "level"),
    ],
)
def test_fit_bad_input(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"fit_bass.{field}"):
        fit_bass(**kwargs)  # type: ignore[arg-type]


def test_bad_model_parameters_name_field_and_value() -> None:
    with pytest.raises(InvalidParameterError, match=r"`Bass.p` must be > 0.*-0.1"):
        Bass(p=-0.1, q=0.3)
    with pytest.raises(InvalidParameterError, match=r"`Bass.q` must be > 0.*0"):
        Bass(p=0.1, q=0.0)
    with pytest.raises(InvalidParameterError, match=r"`Bass.m`"):
        Bass(p=0.1, q=0.3, m=float("inf"))
    with pytest.raises(InvalidParameterError, match=r"bass_cdf\.q"):
        bass_cdf([1.0], 0.1, 0.0)
    with pytest.raises(InvalidParameterError, match=r"bass_cdf\.t"):
        bass_cdf([-1.0], 0.1, 0.2)
    with pytest.raises(InvalidParameterError, match=r"GeneralizedBass\.effort"):
        GeneralizedBass(p=0.1, q=0.2, effort=[1.0, 1.0]).cdf(3.0)
    with pytest.raises(InvalidParameterError, match=r"bkj_effort\.advertising"):
        bkj_effort(price=[1.0, 2.0], advertising=[1.0], beta_price=-1.0)
    fit = fit_bass(Bass(p=0.03, q=0.38, m=100.0).adoptions(10), effort=np.ones(10))
    with pytest.raises(InvalidParameterError, match=r"BassFit\.predict\.effort"):
        fit.predict(12)
    with pytest.raises(InvalidParameterError, match=r"BassFit\.predict\.periods"):
        fit.predict([0, 1])


# --- properties -------------------------------------------------------------------------------

pos = st.floats(1e-4, 2.0)


@given(p=pos, q=pos, t=st.lists(st.floats(0, 200), min_size=2, max_size=20))
def test_cdf_in_unit_interval_and_nondecreasing(p: float, q: float, t: list[float]) -> None:
    ts = np.sort(np.asarray(t))
    F = bass_cdf(ts, p, q)
    assert ((F >= 0) & (F <= 1)).all()
    assert (np.diff(F) >= -1e-15).all()


@given(p=pos, q=pos, m=st.floats(1.0, 1e7), n=st.integers(1, 60))
def test_adoptions_nonnegative_and_sum_to_cumulative(p: float, q: float, m: float, n: int) -> None:
    b = Bass(p=p, q=q, m=m)
    a = b.adoptions(n)
    assert (a >= 0).all()
    assert a.sum() == pytest.approx(float(b.cumulative(n)), rel=1e-9, abs=1e-9 * m)


@given(
    p=st.floats(0.005, 0.1),
    q=st.floats(0.1, 1.0),
    noise=st.floats(0.0, 0.1),
    seed=st.integers(0, 2**32 - 1),
    method=st.sampled_from(["nls", "mle"]),
)
def test_fitted_parameters_positive(
    p: float, q: float, noise: float, seed: int, method: str
) -> None:
    b = Bass(p=p, q=q, m=1000.0)
    T = max(6, math.ceil(2.5 * b.peak_time) + 3)
    y = np.round(b.adoptions(T) * np.exp(np.random.default_rng(seed).normal(0, noise, T)))
    if y.sum() == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShequnWarning)
        try:
            fit = fit_bass(y, method=method)
        except ConvergenceError:  # an honest refusal is allowed; a nonsense fit is not
            return
    assert (fit.estimates > 0).all()
    assert fit.m >= y.sum() - 1e-9


@given(seed=st.integers(0, 2**32 - 1))
def test_same_data_same_fit(seed: int) -> None:
    y = TRUTH.adoptions(18) + np.random.default_rng(seed).normal(0, 15, 18)
    y = np.clip(y, 0, None)
    a, b = fit_bass(y), fit_bass(y.copy())
    assert a == b
