"""Covariates in the BG/NBD and Pareto/NBD: second methods, gradients, recovery, API, bad input.

Independent references used here:
* the per-customer likelihood with covariates must equal the no-covariate likelihood at the
  customer's own parameters (CLVTools' parametrisation, written out by hand in the test);
* brute-force numerical integration (scipy dblquad) of the individual-level model over the
  customer's purchase rate and drop-out probability/rate;
* finite differences of the objective for the analytic gradient;
* simulation from known coefficients for recovery and interval coverage.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import integrate

from shequn.exceptions import InvalidParameterError
from shequn.loyalty.customer_base import (
    BGNBD,
    BGNBDCovariates,
    CustomerBaseFit,
    GammaGamma,
    ModifiedBGNBD,
    ParetoNBD,
    ParetoNBDCovariates,
    _common,
    customer_lifetime_value,
)
from shequn.loyalty.customer_base.covariates import objective
from shequn.rng import map_runs

BG = BGNBD(r=0.5, alpha=6.0, a=0.8, b=2.5)
PN = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0)


def _data(n, seed):
    gen = np.random.default_rng(seed)
    member = gen.integers(0, 2, n).astype(float)
    z = gen.normal(0.0, 1.0, n)
    return member, z


# -- second methods -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bg", "pn"])
def test_per_customer_likelihood_equals_base_model_at_own_parameters(kind):
    member, z = _data(40, 0)
    cov = {"member": member, "z": z}
    if kind == "bg":
        m = BG.with_covariates(trans={"member": 0.6, "z": -0.3}, life={"member": 0.5})
        x, tx, T = m.sample(39.0, covariates=cov, rng=1)
    else:
        m = PN.with_covariates(trans={"member": 0.6, "z": -0.3}, life={"member": -0.8})
        x, tx, T = m.sample(39.0, covariates=cov, rng=1)
    ll = m.log_likelihood(x, tx, T, covariates=cov)
    pa = m.p_alive(x, tx, T, covariates=cov)
    ce = m.conditional_expected_transactions(13.0, x, tx, T, covariates=cov)
    for i in range(x.size):
        eta_t = 0.6 * member[i] - 0.3 * z[i]
        if kind == "bg":  # CLVTools: alpha_i = alpha e^{-g'x}, a_i, b_i = (a, b) e^{g'z}
            own = BGNBD(
                r=0.5,
                alpha=6.0 * math.exp(-eta_t),
                a=0.8 * math.exp(0.5 * member[i]),
                b=2.5 * math.exp(0.5 * member[i]),
            )
        else:  # alpha_i = alpha e^{-g'x}, beta_i = beta e^{-g'z}
            own = ParetoNBD(
                r=0.6, alpha=8.0 * math.exp(-eta_t), s=0.7, beta=10.0 * math.exp(0.8 * member[i])
            )
        args = ([x[i]], [tx[i]], [T[i]])
        assert ll[i] == pytest.approx(own.log_likelihood(*args)[0], rel=1e-12, abs=1e-12)
        assert pa[i] == pytest.approx(own.p_alive(*args)[0], rel=1e-12, abs=1e-14)
        assert ce[i] == pytest.approx(
            own.conditional_expected_transactions(13.0, *args)[0], rel=1e-12, abs=1e-14
        )


def _gamma_logpdf(r, al):
    c = r * math.log(al) - math.lgamma(r)
    return lambda v: c + (r - 1) * math.log(v) - al * v


def _beta_logpdf(a, b):
    c = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    return lambda v: c + (a - 1) * math.log(v) + (b - 1) * math.log1p(-v)


def _bg_individual(lam, p, x, tx, T):
    alive = (1 - p) ** x * lam**x * math.exp(-lam * T)
    dead = p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * tx) if x > 0 else 0.0
    return alive + dead


def _pn_individual(lam, mu, x, tx, T):
    s = lam + mu
    return lam**x * math.exp(-s * T) + lam**x * mu / s * (math.exp(-s * tx) - math.exp(-s * T))


@pytest.mark.parametrize(
    ("x", "tx", "T", "m"), [(0, 0.0, 30.0, 1.0), (2, 12.5, 30.0, 0.0), (4, 25.0, 39.0, 1.0)]
)
def test_bgnbd_covariate_likelihood_vs_brute_force_integration(x, tx, T, m):
    mod = BG.with_covariates(trans={"member": 0.6}, life={"member": 0.5})
    P = mod.customer_params({"member": [m]})
    r, al, a, b = (float(P[k][0]) for k in ("r", "alpha", "a", "b"))
    g, bt = _gamma_logpdf(r, al), _beta_logpdf(a, b)
    val, _ = integrate.dblquad(
        lambda lam, p: _bg_individual(lam, p, x, tx, T) * math.exp(g(lam) + bt(p)),
        0.0,
        1.0,
        0.0,
        np.inf,
        epsabs=0,
        epsrel=1e-9,
    )
    ours = mod.log_likelihood([x], [tx], [T], covariates={"member": [m]})[0]
    assert ours == pytest.approx(math.log(val), rel=1e-6)


@pytest.mark.parametrize(
    ("x", "tx", "T", "m"), [(0, 0.0, 30.0, 1.0), (2, 12.5, 30.0, 0.0), (4, 25.0, 39.0, 1.0)]
)
def test_pareto_covariate_likelihood_vs_brute_force_integration(x, tx, T, m):
    mod = PN.with_covariates(trans={"member": 0.6}, life={"member": -0.8})
    P = mod.customer_params({"member": [m]})
    r, al, s, be = (float(P[k][0]) for k in ("r", "alpha", "s", "beta"))
    g, h = _gamma_logpdf(r, al), _gamma_logpdf(s, be)
    val, _ = integrate.dblquad(
        lambda lam, mu: _pn_individual(lam, mu, x, tx, T) * math.exp(g(lam) + h(mu)),
        0.0,
        np.inf,
        0.0,
        np.inf,
        epsabs=0,
        epsrel=1e-9,
    )
    ours = mod.log_likelihood([x], [tx], [T], covariates={"member": [m]})[0]
    assert ours == pytest.approx(math.log(val), rel=1e-6)


@pytest.mark.parametrize("cls", [BGNBD, ParetoNBD])
def test_zero_covariates_give_exactly_the_plain_fit(cls):
    x, tx, T = (BG if cls is BGNBD else PN).sample(800, 39.0, rng=3)
    plain = cls.fit(x, tx, T)
    empty = cls.fit(x, tx, T, trans={}, life={})
    assert isinstance(empty.model, (BGNBDCovariates, ParetoNBDCovariates))
    assert empty.params == plain.params
    assert empty.log_likelihood == plain.log_likelihood
    np.testing.assert_array_equal(empty.covariance, plain.covariance)
    # and a covariate model whose coefficients are 0 is the plain model, bit for bit
    member, z = _data(800, 4)
    zero = plain.model.with_covariates(trans={"member": 0.0}, life={"z": 0.0})
    np.testing.assert_array_equal(
        zero.log_likelihood(x, tx, T, covariates={"member": member, "z": z}),
        plain.model.log_likelihood(x, tx, T),
    )


@pytest.mark.parametrize("cls", [BGNBD, ParetoNBD])
def test_fit_objective_equals_model_log_likelihood(cls):
    member, z = _data(300, 5)
    base = BG if cls is BGNBD else PN
    x, tx, T = base.sample(300, 39.0, rng=6)
    f, names = objective(
        cls,
        x,
        tx,
        T,
        trans={"member": member, "z": z},
        life={"member": member},
        weights=np.arange(300) % 3 + 1,
    )
    theta = np.r_[np.log(list(base.params.values())), 0.4, -0.2, 0.3]
    value, _ = f(theta)
    coefs = dict(zip(names[4:], theta[4:], strict=True))
    m = base.with_covariates(
        trans={"member": coefs["trans.member"], "z": coefs["trans.z"]},
        life={"member": coefs["life.member"]},
    )
    ll = m.log_likelihood(x, tx, T, covariates={"member": member, "z": z})
    assert -value == pytest.approx(float((np.arange(300) % 3 + 1) @ ll), rel=1e-12)


@pytest.mark.parametrize("cls", [BGNBD, ParetoNBD, ModifiedBGNBD])
@pytest.mark.parametrize("constrain", [False, True])
def test_analytic_gradient_matches_finite_differences(cls, constrain):
    member, z = _data(400, 7)
    base = BG if cls is not ParetoNBD else PN
    x, tx, T = base.sample(400, np.random.default_rng(8).uniform(10, 52, 400), rng=9)
    if cls is ModifiedBGNBD:
        f, names = objective(cls, x, tx, T)
    else:
        f, names = objective(
            cls,
            x,
            tx,
            T,
            trans={"member": member, "z": z},
            life={"member": member, "z": z},
            constrain=["member"] if constrain else (),
        )
    gen = np.random.default_rng(10)
    theta = np.log(list(base.params.values()))
    theta = np.r_[theta + gen.normal(0, 0.2, 4), gen.normal(0, 0.3, len(names) - 4)]
    _, g = f(theta)
    for k in range(theta.size):
        h = 1e-6 * max(1.0, abs(theta[k]))
        e = np.zeros(theta.size)
        e[k] = h
        fd = (f(theta + e)[0] - f(theta - e)[0]) / (2 * h)
        # central differences: error O(h²·f''') plus rounding ~1e-16·|f|/h
        assert g[k] == pytest.approx(fd, rel=1e-5, abs=1e-5 * max(1.0, abs(f(theta)[0])) * 1e-3)


# -- recovery and coverage ------------------------------------------------------------------


def _replicate_bg(rng):
    n = 1500
    member = (rng.random(n) < 0.5).astype(float)
    z = rng.normal(0.0, 1.0, n)
    truth = BG.with_covariates(trans={"member": 0.6, "z": -0.3}, life={"member": 0.7})
    T = rng.uniform(26.0, 52.0, n)
    x, tx, T = truth.sample(T, covariates={"member": member, "z": z}, rng=rng)
    fit = BGNBD.fit(x, tx, T, trans={"member": member, "z": z}, life={"member": member})
    return fit.params, fit.conf_int(), fit.lr_test().p_value


def _replicate_pn(rng):
    n = 1500
    member = (rng.random(n) < 0.5).astype(float)
    z = rng.normal(0.0, 1.0, n)
    truth = PN.with_covariates(trans={"member": 0.5, "z": 0.3}, life={"member": -0.8})
    T = rng.uniform(26.0, 52.0, n)
    x, tx, T = truth.sample(T, covariates={"member": member, "z": z}, rng=rng)
    fit = ParetoNBD.fit(x, tx, T, trans={"member": member, "z": z}, life={"member": member})
    return fit.params, fit.conf_int(), fit.lr_test().p_value


@pytest.mark.parametrize(
    ("fn", "truth"),
    [
        (
            _replicate_bg,
            {"trans.member": 0.6, "trans.z": -0.3, "life.member": 0.7, "r": 0.5, "alpha": 6.0},
        ),
        (
            _replicate_pn,
            {"trans.member": 0.5, "trans.z": 0.3, "life.member": -0.8, "r": 0.6, "alpha": 8.0},
        ),
    ],
    ids=["bgnbd", "pareto"],
)
def test_parameter_recovery_and_interval_coverage(fn, truth):
    runs = 30
    out = map_runs(fn, runs=runs, rng=2024)
    covered = 0
    total = 0
    for name, value in truth.items():
        est = np.array([o[0][name] for o in out])
        # unbiased within 4 standard errors of the replication mean
        assert abs(est.mean() - value) < 4 * est.std(ddof=1) / math.sqrt(runs), name
        for _, ci, _ in out:
            lo, hi = ci[name]
            covered += lo <= value <= hi
            total += 1
    # 95% intervals: the coverage count is ~Binomial(total, 0.95); allow 3.5 binomial sds
    sd = math.sqrt(total * 0.95 * 0.05)
    assert covered >= 0.95 * total - 3.5 * sd, covered / total
    assert all(o[2] < 1e-3 for o in out)  # the LR test sees the (strong) effects


def test_lr_test_has_its_size_under_no_effect():
    def run(rng):
        n = 600
        member = (rng.random(n) < 0.5).astype(float)
        x, tx, T = BG.sample(n, rng.uniform(26.0, 52.0, n), rng=rng)
        fit = BGNBD.fit(x, tx, T, trans={"member": member})
        return fit.lr_test().statistic

    stats_ = np.array(map_runs(run, runs=60, rng=99))
    # χ²(1): mean 1, sd of the mean sqrt(2/60) ≈ 0.18; allow 3.5 sds
    assert abs(stats_.mean() - 1.0) < 3.5 * math.sqrt(2 / 60)


# -- constraints and regularisation ---------------------------------------------------------


def test_constrained_coefficient_is_shared_and_nested():
    member, _ = _data(3000, 12)
    truth = PN.with_covariates(trans={"member": 0.5}, life={"member": 0.5}, constrained=["member"])
    assert truth.params["constr.member"] == 0.5
    x, tx, T = truth.sample(52.0, covariates={"member": member}, rng=13)
    free = ParetoNBD.fit(x, tx, T, trans={"member": member}, life={"member": member})
    tied = ParetoNBD.fit(
        x, tx, T, trans={"member": member}, life={"member": member}, constrain=["member"]
    )
    assert list(tied.params)[-1] == "constr.member"
    assert tied.model.trans["member"] == tied.model.life["member"] == tied.params["constr.member"]
    assert tied.log_likelihood <= free.log_likelihood + 1e-6
    lo, hi = tied.conf_int()["constr.member"]
    assert lo < 0.5 < hi
    test = free.lr_test(tied)
    assert test.df == 1 and test.p_value > 0.001  # the constraint is true here


def test_regularization_shrinks_coefficients_and_zero_changes_nothing():
    member, z = _data(1500, 14)
    truth = BG.with_covariates(trans={"member": 0.8, "z": 0.4})
    x, tx, T = truth.sample(39.0, covariates={"member": member, "z": z}, rng=15)
    kw = {"trans": {"member": member, "z": z}}
    plain = BGNBD.fit(x, tx, T, **kw)
    zero = BGNBD.fit(x, tx, T, regularization={"trans": 0.0, "life": 0.0}, **kw)
    assert zero.params == plain.params
    norms = []
    for lam in (0.01, 0.1, 1.0):
        f = BGNBD.fit(x, tx, T, regularization={"trans": lam}, **kw)
        norms.append(f.params["trans.member"] ** 2 + f.params["trans.z"] ** 2)
        with pytest.raises(InvalidParameterError, match="unpenalised"):
            f.lr_test()
    assert norms[0] < plain.params["trans.member"] ** 2 + plain.params["trans.z"] ** 2
    assert norms[0] > norms[1] > norms[2]


# -- predictions per customer ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bg", "pn"])
def test_predictions_per_customer_equal_the_customers_own_model(kind):
    member, z = _data(6, 16)
    cov = {"member": member, "z": z}
    m = (BG if kind == "bg" else PN).with_covariates(
        trans={"member": 0.6, "z": 0.2}, life={"member": -0.4}
    )
    x, tx, T = np.array([0, 1, 3, 7, 2, 0]), np.array([0, 5.0, 20, 30, 9, 0]), np.full(6, 39.0)
    e = m.expected_transactions(20.0, covariates=cov)
    pmf = m.prob_transactions(np.arange(5), 20.0, covariates=cov)
    spend = GammaGamma(p=6.25, q=3.74, gamma=15.44)
    money = np.array([0.0, 20.0, 35.0, 18.0, 50.0, 0.0])
    clv = customer_lifetime_value(m, spend, x, tx, T, money, covariates=cov)
    for i in range(6):
        own = m.for_customer({"member": member[i], "z": z[i]})
        assert e[i] == pytest.approx(own.expected_transactions(20.0)[0], rel=1e-12)
        np.testing.assert_allclose(pmf[i], own.prob_transactions(np.arange(5), 20.0), rtol=1e-10)
        assert clv[i] == pytest.approx(
            customer_lifetime_value(own, spend, [x[i]], [tx[i]], [T[i]], [money[i]])[0],
            rel=1e-12,
        )


def test_sampling_with_covariates_matches_expected_transactions():
    # simulation against the closed form, per covariate group
    n = 100_000
    member = np.repeat([0.0, 1.0], n // 2)
    m = PN.with_covariates(trans={"member": 0.7}, life={"member": -0.5})
    x, _, _ = m.sample(39.0, covariates={"member": member}, rng=17)
    e = m.expected_transactions(39.0, covariates={"member": np.array([0.0, 1.0])})
    for g in (0, 1):
        xs = x[member == g]
        assert abs(xs.mean() - e[g]) < 4 * xs.std() / math.sqrt(xs.size)


def test_extreme_customers_stay_finite():
    m = PN.with_covariates(trans={"spend": 3.0}, life={"spend": -3.0})
    cov = {"spend": np.array([-8.0, 0.0, 8.0, 8.0])}  # rates scaled by e^{±24}
    x, tx, T = np.array([0, 50, 5000, 0]), np.array([0, 30.0, 38.9, 0]), np.full(4, 39.0)
    for arr in (
        m.log_likelihood(x, tx, T, covariates=cov),
        m.p_alive(x, tx, T, covariates=cov),
        m.conditional_expected_transactions(39.0, x, tx, T, covariates=cov),
    ):
        assert np.all(np.isfinite(arr))
    b = BG.with_covariates(trans={"spend": 3.0}, life={"spend": 3.0})
    for arr in (
        b.log_likelihood(x, tx, T, covariates=cov),
        b.p_alive(x, tx, T, covariates=cov),
        b.conditional_expected_transactions(39.0, x, tx, T, covariates=cov),
    ):
        assert np.all(np.isfinite(arr))


# -- API: data frames, names, executor, persistence -----------------------------------------


def test_fit_from_dataframe_by_column_names_equals_arrays():
    pd = pytest.importorskip("pandas")
    member, z = _data(1000, 18)
    truth = BG.with_covariates(trans={"member": 0.5}, life={"z": 0.3})
    x, tx, T = truth.sample(39.0, covariates={"member": member, "z": z}, rng=19)
    df = pd.DataFrame({"x": x, "rec": tx, "age": T, "member": member, "z": z})
    a = BGNBD.fit(x, tx, T, trans={"member": member}, life={"z": z})
    b = BGNBD.fit("x", "rec", "age", data=df, trans=["member"], life=["z"])
    assert a.params == b.params
    c = BGNBD.fit(x, tx, T, covariates=df, trans=["member"], life=["z"])
    assert c.params == a.params
    p = b.model.p_alive(x, tx, T, covariates=df)
    np.testing.assert_array_equal(
        p, a.model.p_alive(x, tx, T, covariates={"member": member, "z": z})
    )


def test_weights_equal_expanded_rows():
    x, tx, T = BG.sample(300, 39.0, rng=20)
    member = (np.arange(300) % 2).astype(float)
    w = np.arange(300) % 4  # including zero-weight rows
    rows = np.repeat(np.arange(300), w)
    a = BGNBD.fit(x, tx, T, weights=w, trans={"member": member})
    b = BGNBD.fit(x[rows], tx[rows], T[rows], trans={"member": member[rows]})
    assert a.n_customers == b.n_customers == int(w.sum())
    for k, v in a.params.items():
        assert v == pytest.approx(b.params[k], rel=1e-6)
    assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-10)


def test_threads_give_the_same_fit_as_serial(monkeypatch):
    monkeypatch.setattr(_common, "CHUNK_ROWS", 256)  # several row blocks
    member, z = _data(2000, 21)
    x, tx, T = PN.with_covariates(trans={"z": 0.3}).sample(39.0, covariates={"z": z}, rng=22)
    kw = {"trans": {"member": member, "z": z}, "life": {"member": member}}
    serial = ParetoNBD.fit(x, tx, T, **kw)
    with ThreadPoolExecutor(2) as ex:
        threaded = ParetoNBD.fit(x, tx, T, executor=ex, **kw)
    assert threaded.params == serial.params
    assert threaded.log_likelihood == serial.log_likelihood


def test_covariate_fit_round_trips_through_json(tmp_path):
    member, _ = _data(800, 23)
    x, tx, T = PN.with_covariates(trans={"member": 0.5}).sample(
        39.0, covariates={"member": member}, rng=24
    )
    fit = ParetoNBD.fit(
        x, tx, T, trans={"member": member}, life={"member": member}, constrain=["member"]
    )
    path = tmp_path / "fit.json"
    fit.save(path)
    back = CustomerBaseFit.load(path)
    assert back == fit
    assert (
        back.model.p_alive([1], [3.0], [9.0], covariates={"member": [1.0]})[0]
        == (fit.model.p_alive([1], [3.0], [9.0], covariates={"member": [1.0]})[0])
    )
    assert back.lr_test().statistic == fit.lr_test().statistic


def test_summary_lists_coefficients_and_lr_test():
    member, _ = _data(1000, 25)
    x, tx, T = BG.sample(1000, 39.0, rng=26)
    fit = BGNBD.fit(x, tx, T, trans={"member": member})
    s = fit.summary()
    assert s.table is not None and "trans.member" in s.table.rows
    assert "LR test vs no covariates" in s
    assert "with covariates" in s.title


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"trans": {"c": np.ones(50)}}, "covariates"),  # constant: not identified
        ({"trans": {"m": np.arange(50.0), "m2": 2 * np.arange(50.0)}}, "trans"),  # collinear
        ({"trans": {"m": np.ones(49)}}, "covariates"),  # wrong length
        ({"trans": {"m": np.r_[np.nan, np.ones(49)]}}, "covariates"),
        ({"trans": ["m"]}, "covariates"),  # names without data
        ({"trans": {"m": np.arange(50.0)}, "constrain": ["m"]}, "constrain"),
        ({"trans": {"m": np.arange(50.0)}, "regularization": {"both": 1.0}}, "regularization"),
        ({"regularization": {"trans": 1.0}}, "regularization"),  # nothing to regularise
        ({"trans": {"m": np.arange(50.0)}, "initial": {"trans.q": 1.0}}, "initial"),
        ({"trans": "m"}, "trans"),
    ],
)
def test_bad_covariate_input(kwargs, field):
    x, tx, T = BG.sample(50, 39.0, rng=27)
    with pytest.raises(InvalidParameterError, match=field):
        BGNBD.fit(x, tx, T, **kwargs)


def test_bad_prediction_covariates_and_unsupported_models():
    m = PN.with_covariates(trans={"member": 0.5})
    with pytest.raises(InvalidParameterError, match="member"):
        m.p_alive([1], [2.0], [5.0], covariates={"other": [1.0]})
    with pytest.raises(InvalidParameterError, match="one value per customer"):
        m.p_alive([1, 2], [2.0, 3.0], [5.0, 5.0], covariates={"member": [1.0, 0.0, 1.0]})
    with pytest.raises(InvalidParameterError, match="life"):
        PN.with_covariates(trans={"m": 1.0}, life={"m": 2.0}, constrained=["m"])
    with pytest.raises(InvalidParameterError, match="life"):
        BGNBD.fit(
            [1, 0, 2],
            [2.0, 0.0, 3.0],
            [5.0, 5.0, 5.0],
            trans={"m": [0.0, 1.0, 2.0]},
            life={"m": [1.0, 1.0, 0.0]},
        )
