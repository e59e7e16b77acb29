"""Customer-base models: simulation recovery, closed forms, invariants, stability, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.exceptions import ConvergenceError, InvalidParameterError
from shequn.loyalty.customer_base import (
    BGBB,
    BGNBD,
    GammaGamma,
    ParetoNBD,
    compress_rows,
    customer_lifetime_value,
    hyp2f1_one,
)

BG = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
GG = GammaGamma(p=6.25, q=3.74, gamma=15.44)
BB = BGBB(alpha=1.204, beta=0.750, gamma=0.657, delta=2.783)


def _within(fit, truth, k=3.5):
    """Every estimate within k standard errors of the truth (log scale, as fitted)."""
    se_log = np.sqrt(np.diag(fit.covariance))
    for (name, est), s in zip(fit.params.items(), se_log, strict=True):
        z = abs(math.log(est) - math.log(truth[name])) / s
        assert z < k, (name, est, truth[name], z)


# -- simulate from known parameters, refit, recover within standard errors ---------------------


def test_bgnbd_recovers_parameters():
    truth = {"r": 0.5, "alpha": 6.0, "a": 0.8, "b": 2.5}
    T = np.random.default_rng(0).uniform(20, 52, 6000)
    x, tx, T = BGNBD(**truth).sample(6000, T, rng=11)
    _within(BGNBD.fit(x, tx, T), truth)


def test_pareto_nbd_recovers_parameters():
    truth = {"r": 0.6, "alpha": 8.0, "s": 0.7, "beta": 10.0}
    T = np.random.default_rng(1).uniform(20, 52, 6000)
    x, tx, T = ParetoNBD(**truth).sample(6000, T, rng=12)
    _within(ParetoNBD.fit(x, tx, T), truth)


def test_gamma_gamma_recovers_parameters():
    truth = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    x = np.random.default_rng(2).integers(1, 10, 4000)
    z = GammaGamma(**truth).sample(x, rng=13)
    _within(GammaGamma.fit(x, z), truth)


def test_bgbb_recovers_parameters():
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    x, tx, n = BGBB(**truth).sample(20000, 6, rng=14)
    fit = BGBB.fit(x, tx, n)
    assert fit.n_rows <= 28  # (x, t_x) pairs for n = 6
    _within(fit, truth)


# -- closed forms vs simulation -----------------------------------------------------------------


@pytest.mark.parametrize("model", [BG, PN], ids=["bgnbd", "pareto"])
def test_expected_transactions_and_pmf_vs_simulation(model):
    n, t = 200_000, 39.0
    x, _, _ = model.sample(n, t, rng=21)
    mean, se = x.mean(), x.std(ddof=1) / math.sqrt(n)
    assert abs(mean - model.expected_transactions(t)[0]) < 4 * se
    pmf = model.prob_transactions(np.arange(4), t)
    freq = np.bincount(x, minlength=4)[:4] / n
    assert np.all(np.abs(freq - pmf) < 4 * np.sqrt(pmf * (1 - pmf) / n))


@pytest.mark.parametrize("model", [BG, PN], ids=["bgnbd", "pareto"])
def test_conditional_expectation_tower_property(model):
    # E[X(78)] − E[X(39)] must equal the population average of E[Y(39) | history at 39]:
    # simulate histories to week 39 and average the model's conditional expectations.
    n = 300_000
    x, tx, T = model.sample(n, 39.0, rng=32)
    y = model.conditional_expected_transactions(39.0, x, tx, T)
    lhs = model.expected_transactions(78.0)[0] - model.expected_transactions(39.0)[0]
    se = y.std(ddof=1) / math.sqrt(n)
    assert abs(lhs - y.mean()) < 4 * se


@pytest.mark.parametrize("model", [BG, PN], ids=["bgnbd", "pareto"])
def test_p_alive_is_calibrated_on_simulated_customers(model):
    # Among simulated customers, the average P(alive | history) must equal the share that is
    # actually alive. Simulate lifetimes explicitly for the Pareto/NBD and via the drop-out
    # count for the BG/NBD by re-running the model's story with the same seeds.
    n, T = 200_000, 39.0
    gen = np.random.default_rng(77)
    if isinstance(model, ParetoNBD):
        lam = gen.gamma(model.r, 1 / model.alpha, n)
        mu = gen.gamma(model.s, 1 / model.beta, n)
        life = gen.exponential(1.0, n) / mu
        window = np.minimum(life, T)
        x = gen.poisson(lam * window)
        tx = np.where(x > 0, window * gen.random(n) ** (1 / np.maximum(x, 1)), 0.0)
        alive = life > T
    else:
        lam = gen.gamma(model.r, 1 / model.alpha, n)
        p = gen.beta(model.a, model.b, n)
        drop = gen.geometric(p)
        arrivals = gen.poisson(lam * T)
        x = np.minimum(drop, arrivals)
        tx = np.where(x > 0, T * gen.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
        alive = drop > arrivals  # never hit the drop-out purchase within T
    pa = model.p_alive(x, tx, np.full(n, T))
    se = alive.std() / math.sqrt(n)
    assert abs(pa.mean() - alive.mean()) < 4 * se
    repeaters = x > 2
    se_r = alive[repeaters].std() / math.sqrt(repeaters.sum())
    assert abs(pa[repeaters].mean() - alive[repeaters].mean()) < 4 * se_r


def test_bgbb_closed_forms_vs_simulation():
    n = 200_000
    x, tx, nn = BB.sample(n, 6, rng=41)
    pmf = BB.prob_transactions(np.arange(7), 6)
    freq = np.bincount(x, minlength=7) / n
    assert np.all(np.abs(freq - pmf) < 4 * np.sqrt(pmf * (1 - pmf) / n) + 1e-12)
    assert abs(x.mean() - BB.expected_transactions(6)[0]) < 4 * x.std() / math.sqrt(n)
    # tower property for the conditional expectation over the next 5 opportunities
    e = BB.conditional_expected_transactions(5, x, tx, nn)
    lhs = BB.expected_transactions(11)[0] - BB.expected_transactions(6)[0]
    assert abs(e.mean() - lhs) < 4 * e.std() / math.sqrt(n)


def test_pmf_sums_to_one():
    assert BG.prob_transactions(np.arange(400), 78.0).sum() == pytest.approx(1, abs=1e-9)
    assert PN.prob_transactions(np.arange(400), 78.0).sum() == pytest.approx(1, abs=1e-9)
    long_run = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=0.5)  # beta << t
    assert long_run.prob_transactions(np.arange(3000), 1000.0).sum() == pytest.approx(1, abs=1e-9)
    # the mean of the pmf equals the closed-form E[X(t)]
    k = np.arange(3000)
    assert k @ long_run.prob_transactions(k, 1000.0) == pytest.approx(
        long_run.expected_transactions(1000.0)[0], rel=1e-6
    )
    assert BB.prob_transactions(np.arange(11), 10).sum() == pytest.approx(1, abs=1e-12)


# -- invariants (hypothesis) --------------------------------------------------------------------

params_bg = st.builds(
    BGNBD,
    r=st.floats(0.05, 5),
    alpha=st.floats(0.1, 50),
    a=st.floats(0.05, 5),
    b=st.floats(0.05, 5),
)
params_pn = st.builds(
    ParetoNBD,
    r=st.floats(0.05, 5),
    alpha=st.floats(0.1, 50),
    s=st.floats(0.05, 5),
    beta=st.floats(0.1, 50),
)


@given(
    st.one_of(params_bg, params_pn), st.integers(1, 500), st.floats(1, 100), st.floats(0.01, 0.99)
)
def test_p_alive_in_unit_interval_and_decreasing_in_gap(model, x, T, frac):
    gaps = np.array([0.0, frac * T / 2, frac * T])
    tx = T - gaps
    p = model.p_alive(np.full(3, x), tx, np.full(3, T))
    assert np.all((p >= 0) & (p <= 1))
    assert p[0] >= p[1] >= p[2]


@given(st.one_of(params_bg, params_pn), st.floats(1, 100), st.floats(1, 52))
def test_expected_transactions_increase_with_frequency(model, T, t):
    # At fixed recency t_x = T (a customer who just bought), more purchases mean a higher
    # rate and no lower P(alive). (For old recencies frequency can *lower* the expectation:
    # many purchases followed by silence suggest death, the 'frequency paradox' of FHL 2005.)
    x = np.array([1, 2, 5, 10, 40])
    tx = np.full(5, T)
    y = model.conditional_expected_transactions(t, x, tx, np.full(5, T))
    assert np.all(np.isfinite(y))
    assert np.all(np.diff(y) >= -1e-9 * y[1:])


@given(st.integers(0, 2**31 - 1))
def test_same_rng_same_sample(seed):
    a = BG.sample(50, 39.0, rng=seed)
    b = BG.sample(50, 39.0, rng=seed)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


# -- numerical stability for heavy buyers --------------------------------------------------------


def _pareto_ll_mpmath(m, x, tx, T):
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    r, al, s, be = (mp.mpf(v) for v in (m.r, m.alpha, m.s, m.beta))
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    pre = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(al) + s * mp.log(be)
    alive = (al + T) ** (-(r + x)) * (be + T) ** (-s)
    # the integrand decays on the scale (alpha + t_x)/(r + x): split the interval there
    scale = (min(al, be) + tx) / (r + x + s)
    pts = sorted({tx, T, *(min(tx + k * scale, T) for k in (0.1, 1, 3, 10, 30, 100, 1000))})
    dead = s * mp.quad(lambda u: (al + u) ** (-(r + x)) * (be + u) ** (-(s + 1)), pts)
    return float(pre + mp.log(alive + dead))


@pytest.mark.parametrize(
    "model",
    [PN, ParetoNBD(r=0.553, alpha=30.0, s=0.606, beta=2.0)],
    ids=["beta>alpha", "alpha>beta"],
)
@pytest.mark.parametrize(
    ("x", "tx", "T"),
    [
        (0, 0.0, 39.0),
        (3, 10.0, 39.0),
        (300, 38.0, 39.0),
        (3000, 20.0, 39.0),
        (20000, 38.9, 39.0),
        (50, 39.0, 39.0),
    ],
)
def test_pareto_loglik_extreme_customers_vs_mpmath(model, x, tx, T):
    ours = model.log_likelihood([x], [tx], [T])[0]
    assert math.isfinite(ours)
    assert ours == pytest.approx(_pareto_ll_mpmath(model, x, tx, T), rel=1e-9, abs=1e-9)


def test_heavy_buyers_finite_everywhere():
    x = np.array([0, 10, 1000, 100000])
    tx = np.array([0.0, 30.0, 38.0, 38.99])
    T = np.full(4, 39.0)
    for m in (BG, PN):
        for arr in (
            m.log_likelihood(x, tx, T),
            m.p_alive(x, tx, T),
            m.conditional_expected_transactions(39.0, x, tx, T),
        ):
            assert np.all(np.isfinite(arr))


@given(st.floats(0.01, 1e4), st.floats(1.001, 1e5), st.floats(-1e4, 0.0))
def test_hyp2f1_one_within_bounds(b, c, w):
    # the quadrature fallback needs c > b (documented): for c <= b a point where scipy's value
    # is unusable raises ConvergenceError (e.g. b=172, c=1.5, w=-10), never a wrong value
    try:
        v = hyp2f1_one([b], [c], [w])[0]
    except ConvergenceError:
        assert c <= b
        return
    assert (1 - w) ** (-b) * (1 - 1e-9) <= v <= 1 + 1e-9


def test_hyp2f1_one_refuses_what_it_cannot_compute():
    with pytest.raises(ConvergenceError, match="needs c > b"):
        hyp2f1_one([172.0], [1.5], [-10.0])


def test_hyp2f1_one_vs_mpmath():
    mp = pytest.importorskip("mpmath")
    for b, c, w in [
        (0.6, 5.0, -0.3),
        (3000.5, 3002.0, -0.9),
        (1.6, 20001.2, -50.0),
        (25.0, 40.0, -1e3),
    ]:
        ref = float(mp.hyp2f1(1, b, c, w))
        assert hyp2f1_one([b], [c], [w])[0] == pytest.approx(ref, rel=1e-9)


# -- penalty, convergence errors ------------------------------------------------------------------


def test_penalizer_shrinks_log_parameters_toward_zero():
    T = np.random.default_rng(5).uniform(20, 52, 800)
    x, tx, T = BGNBD(r=0.3, alpha=8.0, a=0.5, b=4.0).sample(800, T, rng=6)
    plain = BGNBD.fit(x, tx, T)
    pen = BGNBD.fit(x, tx, T, penalizer=0.5)
    n_plain = sum(math.log(v) ** 2 for v in plain.params.values())
    n_pen = sum(math.log(v) ** 2 for v in pen.params.values())
    assert n_pen < n_plain
    assert pen.log_likelihood <= plain.log_likelihood + 1e-6


def test_runaway_fit_raises_convergence_error_with_advice():
    # nobody ever repeats: the likelihood increases as r -> 0, no interior maximum
    with pytest.raises(ConvergenceError, match="penalizer"):
        BGNBD.fit([0, 0, 0, 0], [0.0] * 4, [10.0, 20.0, 30.0, 40.0])
    fit = BGNBD.fit([0, 0, 0, 0], [0.0] * 4, [10.0, 20.0, 30.0, 40.0], penalizer=0.1)
    assert fit.converged


def test_compress_rows_keeps_likelihood():
    x, tx, T = BG.sample(500, np.repeat([30.0, 39.0], 250), rng=8)
    (ux, utx, uT), w, inv = compress_rows(x.astype(float), tx, T)
    assert np.array_equal(ux[inv], x) and np.array_equal(uT[inv], T)
    assert float(w @ BG.log_likelihood(ux, utx, uT)) == pytest.approx(
        BG.log_likelihood(x, tx, T).sum(), rel=1e-12
    )


def test_clv_zero_discount_equals_spend_times_expected_transactions():
    x, tx, T, m = [3, 0], [20.0, 0.0], [39.0, 39.0], [30.0, 0.0]
    v = customer_lifetime_value(
        BG, GG, x, tx, T, m, periods=6, period_length=4.0, discount_rate=0.0
    )
    expected = GG.conditional_expected_spend(x, m) * BG.conditional_expected_transactions(
        24.0, x, tx, T
    )
    np.testing.assert_allclose(v, expected, rtol=1e-12)


# -- bad input ---------------------------------------------------------------------------------

BAD_RFM = [
    (([1], [5.0], [4.0]), "recency"),  # recency > T
    (([-1], [0.0], [4.0]), "frequency"),  # negative
    (([1], [-1.0], [4.0]), "recency"),
    (([1], [1.0], [-4.0]), "T"),
    (([0], [2.0], [4.0]), "recency"),  # frequency 0 with recency > 0
    (([np.nan], [0.0], [4.0]), "frequency"),
    (([1], [np.nan], [4.0]), "recency"),
    (([1], [1.0], [np.nan]), "T"),
    (([1.5], [1.0], [4.0]), "frequency"),
    (([], [], []), "frequency"),  # empty
    (([1, 2], [1.0], [4.0, 4.0]), "recency"),
]


@pytest.mark.parametrize(("args", "field"), BAD_RFM)
@pytest.mark.parametrize("cls", [BGNBD, ParetoNBD])
def test_bad_rfm_inputs(cls, args, field):
    with pytest.raises(InvalidParameterError, match=field):
        cls.fit(*args)
    model = BG if cls is BGNBD else PN
    with pytest.raises(InvalidParameterError, match=field):
        model.p_alive(*args)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (([1, 2], [10.0, -1.0]), "monetary"),
        (([1, 2], [10.0, 0.0]), "monetary"),
        (([1, 2], [10.0, np.nan]), "monetary"),
        (([0, 0], [0.0, 0.0]), "frequency"),
        (([], []), "frequency"),
    ],
)
def test_bad_spend_inputs(args, field):
    with pytest.raises(InvalidParameterError, match=field):
        GammaGamma.fit(*args)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"r": -1.0, "alpha": 1.0, "a": 1.0, "b": 1.0}, "r"),
        ({"r": 1.0, "alpha": np.nan, "a": 1.0, "b": 1.0}, "alpha"),
        ({"r": 1.0, "alpha": 1.0, "a": 0.0, "b": 1.0}, "a"),
    ],
)
def test_bad_parameters(kwargs, field):
    with pytest.raises(InvalidParameterError, match=field):
        BGNBD(**kwargs)


def test_bad_fit_options():
    with pytest.raises(InvalidParameterError, match="penalizer"):
        BGNBD.fit([1], [1.0], [2.0], penalizer=-1.0)
    with pytest.raises(InvalidParameterError, match="initial"):
        BGNBD.fit([1], [1.0], [2.0], initial={"zeta": 1.0})
    with pytest.raises(InvalidParameterError, match="recency"):
        BGBB.fit([1], [1.5], [3])
    with pytest.raises(InvalidParameterError, match="discount_rate"):
        customer_lifetime_value(BG, GG, [1], [1.0], [2.0], [3.0], discount_rate=-0.1)


@pytest.mark.parametrize(
    ("x", "tx", "T"), [(2, 30.43, 38.86), (500, 38.0, 39.0), (5000, 20.0, 39.0)]
)
def test_bgnbd_conditional_expectation_heavy_buyers_vs_mpmath(x, tx, T):
    # FHL (2005) eq. 10 evaluated directly with 50-digit arithmetic.
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 50
    r, al, a, b = (mp.mpf(v) for v in (BG.r, BG.alpha, BG.a, BG.b))
    t = mp.mpf(39)
    X, TX, TT = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    z = t / (al + TT + t)
    num = (
        (a + b + X - 1)
        / (a - 1)
        * (1 - ((al + TT) / (al + TT + t)) ** (r + X) * mp.hyp2f1(r + X, b + X, a + b + X - 1, z))
    )
    den = 1 + (a / (b + X - 1)) * ((al + TT) / (al + TX)) ** (r + X)
    ref = float(num / den)
    ours = BG.conditional_expected_transactions(39.0, [x], [tx], [T])[0]
    assert ours == pytest.approx(ref, rel=1e-9)
