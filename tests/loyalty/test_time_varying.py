"""Time-varying covariates in the Pareto/NBD (Bachmann, Meierer & Näf 2021).

References: (1) with covariates constant in time the model is the static-covariate model,
exactly; (2) the piecewise integrals against scipy's adaptive quadrature of the defining
integral, period boundaries as break points; (3) finite differences of the likelihood terms for
the analytic gradient; (4) recovery of coefficients from data simulated by the model's story.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

from shequn.exceptions import InvalidParameterError
from shequn.loyalty.customer_base import CovariatePanel, ParetoNBD
from shequn.loyalty.customer_base import time_varying as tv
from shequn.loyalty.customer_base._kernels import tv_grad_rows

BASE = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0)


def _panel(n=400, K=60, seed=0):
    gen = np.random.default_rng(seed)
    member = gen.integers(0, 2, n).astype(float)
    start = gen.uniform(0.0, 10.0, n)
    promo = np.zeros(K)
    promo[15:25] = 1.0
    season = np.sin(np.arange(K) / 8.0)
    values = {"member": member[:, None] * np.ones((1, K)), "promo": promo, "season": season}
    return CovariatePanel(values=values, start=start, T=50.0 - start), member


def test_constant_panel_is_exactly_the_static_model():
    gen = np.random.default_rng(1)
    n, K = 300, 70
    member = gen.integers(0, 2, n).astype(float)
    z = gen.normal(size=n)
    start = gen.uniform(0, 15, n)
    T = 52.0 - start
    values = {"member": np.repeat(member[:, None], K, axis=1), "z": np.repeat(z[:, None], K, 1)}
    m = BASE.with_covariates(trans={"member": 0.5, "z": 0.2}, life={"member": -0.8})
    sim = m.sample_panel(CovariatePanel(values=values, start=start, T=T), rng=2)
    x, tx = sim.frequency, sim.recency
    static = {"member": member, "z": z}
    for method in ("log_likelihood", "p_alive"):
        np.testing.assert_allclose(
            getattr(m, method)(x, tx, T, covariates=sim),
            getattr(m, method)(x, tx, T, covariates=static),
            rtol=1e-11,
            atol=1e-13,
        )
    np.testing.assert_allclose(
        m.conditional_expected_transactions(10.0, x, tx, T, covariates=sim),
        m.conditional_expected_transactions(10.0, x, tx, T, covariates=static),
        rtol=1e-11,
        atol=1e-13,
    )
    # the purchase sums of a constant covariate are x times its value
    np.testing.assert_allclose(sim.at_purchases["member"], x * member)
    # and the fits agree: the time-varying fit of a constant panel is the static fit
    a = ParetoNBD.fit(data=sim, trans=["member", "z"], life=["member"])
    b = ParetoNBD.fit(x, tx, T, trans=static, life={"member": member})
    for k, v in b.params.items():
        assert a.params[k] == pytest.approx(v, rel=1e-4, abs=1e-5)
    assert a.log_likelihood == pytest.approx(b.log_likelihood, rel=1e-10)


class _Paths:
    """A customer's rate multipliers and their integrals A(u), B(u), piecewise linear in u,
    built directly from the panel (period k covers calendar [k, k+1))."""

    def __init__(self, sim, i, trans, life):
        self.st = sim.start[i]
        n_per = sim.n_periods

        def eta(coefs):
            e = np.zeros(n_per)
            for name, g in coefs.items():
                v = sim.values[name]
                e += g * v[0 if v.shape[0] == 1 else i]
            return np.exp(e)

        self.et, self.el = eta(trans), eta(life)
        k0 = math.floor(self.st)
        self.knots = np.r_[0.0, np.arange(k0 + 1, n_per) - self.st]  # customer-time boundaries
        ks = np.arange(k0, n_per)
        self.A = np.r_[0.0, np.cumsum(self.et[ks[:-1]] * np.diff(self.knots))]
        self.B = np.r_[0.0, np.cumsum(self.el[ks[:-1]] * np.diff(self.knots))]

    def rate(self, u, which):
        k = math.floor(self.st + u)
        return (self.et if which == "t" else self.el)[k]

    def cum(self, u, which):
        return float(np.interp(u, self.knots, self.A if which == "t" else self.B))

    def breaks(self, lo, hi):
        return [b for b in self.knots if lo < b < hi] or None


def test_likelihood_integral_against_adaptive_quadrature():
    panel, _ = _panel(12, seed=3)
    m = BASE.with_covariates(
        trans={"promo": 0.9, "season": 0.4}, life={"promo": -0.5, "season": 0.3}
    )
    sim = m.sample_panel(panel, rng=4)
    x, tx, T = sim.frequency, sim.recency, sim.T
    ll = m.log_likelihood(x, tx, T, covariates=sim)
    r, al, s, be = 0.6, 8.0, 0.7, 10.0
    for i in range(x.size):
        p = _Paths(sim, i, m.trans, m.life)

        def f(u, p=p, i=i):
            return (
                p.rate(u, "l")
                * (al + p.cum(u, "t")) ** (-(r + x[i]))
                * (be + p.cum(u, "l")) ** (-(s + 1))
            )

        dead = (
            s
            * integrate.quad(
                f, tx[i], T[i], points=p.breaks(tx[i], T[i]), limit=400, epsabs=0, epsrel=1e-12
            )[0]
            if T[i] > tx[i]
            else 0.0
        )
        alive = (al + p.cum(T[i], "t")) ** (-(r + x[i])) * (be + p.cum(T[i], "l")) ** (-s)
        pre = (
            sum(g * sim.at_purchases[k][i] for k, g in m.trans.items())
            + special.gammaln(r + x[i])
            - special.gammaln(r)
            + r * math.log(al)
            + s * math.log(be)
        )
        assert ll[i] == pytest.approx(pre + math.log(alive + dead), rel=1e-10)


def test_analytic_gradient_of_the_kernel_matches_finite_differences():
    panel, _ = _panel(200, seed=5)
    m = BASE.with_covariates(
        trans={"member": 0.5, "promo": 0.8}, life={"member": -0.8, "promo": 0.3}
    )
    sim = m.sample_panel(panel, rng=6)
    x, tx, T, st = sim.frequency, sim.recency, sim.T, sim.start
    Xt = tv._stack(sim, ["member", "promo"])
    Xl = tv._stack(sim, ["member", "promo"])
    th = np.array([0.6, 8.0, 0.7, 10.0, 0.5, 0.8, -0.8, 0.3])

    def run(v):
        return tv_grad_rows(x, tx, T, st, 1.0, Xt, Xl, v[4:6], v[6:8], *v[:4])

    _la, ld, g_la, g_ld = run(th)
    ok = np.isfinite(ld)
    for j, k in enumerate([1, 3, 0, 2, 4, 5, 6, 7]):  # kernel order: α, β, r, s, γt, γl
        h = 1e-6 * max(1.0, abs(th[k]))
        up, dn = th.copy(), th.copy()
        up[k] += h
        dn[k] -= h
        a1, a0 = run(up), run(dn)
        np.testing.assert_allclose(g_la[:, j], (a1[0] - a0[0]) / (2 * h), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(
            g_ld[ok, j], ((a1[1] - a0[1]) / (2 * h))[ok], rtol=1e-4, atol=1e-6
        )


def test_recovery_of_time_varying_coefficients():
    panel, member = _panel(1500, seed=7)
    truth = BASE.with_covariates(trans={"member": 0.5, "promo": 0.9}, life={"member": -0.8})
    sim = truth.sample_panel(panel, rng=8)
    fit = ParetoNBD.fit(data=sim, trans=["member", "promo"], life=["member"])
    se = fit.standard_errors
    for k, v in truth.params.items():
        assert abs(fit.params[k] - v) < 3.5 * se[k], (k, fit.params[k], v, se[k])
    assert fit.lr_test().p_value < 1e-6
    # ignoring the promotion (a static member-only model) fits worse
    static = ParetoNBD.fit(
        sim.frequency, sim.recency, sim.T, trans={"member": member}, life={"member": member}
    )
    assert fit.log_likelihood > static.log_likelihood + 10


def test_from_transactions_builds_rfm_and_purchase_sums():
    p = CovariatePanel.from_transactions(
        [7, 7, 7, 9, 9, 7],
        [0.5, 3.5, 3.5, 1.0, 6.0, 2.2],  # customer 7 buys twice at 3.5: one purchase
        {
            "promo": [0, 0, 1, 1, 0, 0, 0, 0],
            "spend": [[1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]],
        },
        calibration_end=5.0,
    )
    assert p.frequency.tolist() == [2.0, 0.0]  # 9's purchase at 6.0 is after calibration
    assert p.recency.tolist() == [3.0, 0.0]
    assert p.T.tolist() == [4.5, 4.0] and p.start.tolist() == [0.5, 1.0]
    # repeat purchases of 7 fall in periods 2 and 3: promo 1 + 1, spend 3 + 4
    assert p.at_purchases["promo"].tolist() == [2.0, 0.0]
    assert p.at_purchases["spend"].tolist() == [7.0, 0.0]
    assert "2 customers" in repr(p)


def test_conditional_expectation_integral_against_quadrature():
    panel, _ = _panel(12, seed=9)
    m = BASE.with_covariates(trans={"promo": 0.9}, life={"season": 0.5})
    sim = m.sample_panel(
        CovariatePanel(values=panel.values, start=panel.start, T=panel.T - 8.0), rng=10
    )
    x, tx, T = sim.frequency, sim.recency, sim.T
    y = m.conditional_expected_transactions(8.0, x, tx, T, covariates=sim)
    pa = m.p_alive(x, tx, T, covariates=sim)
    s, be, r, al = 0.7, 10.0, 0.6, 8.0
    for i in range(x.size):
        p = _Paths(sim, i, m.trans, m.life)
        bt = p.cum(T[i], "l")
        w = integrate.quad(
            lambda u, p=p, bt=bt: p.rate(u, "t") * ((be + bt) / (be + p.cum(u, "l"))) ** s,
            T[i],
            T[i] + 8.0,
            points=p.breaks(T[i], T[i] + 8.0),
            limit=200,
            epsabs=0,
            epsrel=1e-12,
        )[0]
        assert y[i] == pytest.approx(pa[i] * (r + x[i]) / (al + p.cum(T[i], "t")) * w, rel=1e-10)


def test_bad_panels_and_horizons():
    panel, _ = _panel(10, K=55, seed=11)
    m = BASE.with_covariates(trans={"promo": 0.5})
    sim = m.sample_panel(panel, rng=12)
    with pytest.raises(InvalidParameterError, match="stay within the panel"):
        m.conditional_expected_transactions(20.0, sim.frequency, sim.recency, sim.T, covariates=sim)
    with pytest.raises(InvalidParameterError, match="cover every customer"):
        CovariatePanel(values={"promo": np.zeros(20)}, start=np.zeros(2), T=np.array([10, 30.0]))
    with pytest.raises(InvalidParameterError, match="names"):
        ParetoNBD.fit(data=sim, trans={"promo": np.zeros(10)})
    no_sums = CovariatePanel(
        values=sim.values, start=sim.start, T=sim.T, frequency=sim.frequency, recency=sim.recency
    )
    with pytest.raises(InvalidParameterError, match="at_purchases"):
        ParetoNBD.fit(data=no_sums, trans=["promo"])
    with pytest.raises(InvalidParameterError, match="static"):
        m.customer_params(sim)
