"""The long-tail numerics at extreme parameters (against mpmath), and issue 14's bad inputs.

mpmath evaluates the Hurwitz zeta function and the incomplete gamma function in arbitrary
precision (50 digits here): an independent reference for the fast float64 versions in
``shequn.longtail._special`` over the whole range the fits, the sampler and the comparisons
can reach, not only the typical one.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from shequn._results import Summary
from shequn.exceptions import InvalidParameterError
from shequn.longtail import (
    BootstrapResult,
    PowerLawFit,
    bootstrap_pvalue,
    compare,
    fit_powerlaw,
    powerlaw_pmf,
    sample_powerlaw,
)
from shequn.longtail._special import hurwitz_zeta, log_upper_gamma, zeta_outer

mpmath = pytest.importorskip("mpmath")
mpmath.mp.dps = 50


def _zeta_mp(s: float, q: float) -> Any:
    """Hurwitz zeta in 50 digits: a direct sum up to q + K >= 10 s + 50, then Euler-Maclaurin.

    (``mpmath.zeta(s, q)`` itself was found off by 1e-9 relative at s = 55.8, q = 689, so the
    reference is built from its definition; 20 Bernoulli terms at that q are exact to far
    beyond float precision.)
    """
    sm, qm = mpmath.mpf(s), mpmath.mpf(q)
    k = max(0, math.ceil(10 * s + 50 - q))
    head = mpmath.fsum((j + qm) ** (-sm) for j in range(k))
    big = qm + k
    tail = big ** (1 - sm) / (sm - 1) + big ** (-sm) / 2
    rising = sm  # (s)_{2j-1}
    for j in range(1, 21):
        tail += (
            mpmath.bernoulli(2 * j) / mpmath.factorial(2 * j) * rising * big ** (-sm - 2 * j + 1)
        )
        rising *= (sm + 2 * j - 1) * (sm + 2 * j)
    return head + tail


def _zeta(s: float, q: float) -> float:
    return float(_zeta_mp(s, q))


# ---------------------------------------------------------------------------------------------
# special functions against mpmath
# ---------------------------------------------------------------------------------------------


@given(st.floats(1.0001, 60.0), st.floats(-3.0, 15.0))
@example(s=51.78, log10_q=1.45)  # steep laws near q = 25, where a short series is not enough
@example(s=8.5, log10_q=1.4)
@example(s=55.83369288358976, log10_q=2.838153)
def test_hurwitz_zeta_matches_mpmath_everywhere(s: float, log10_q: float) -> None:
    q = 10.0**log10_q
    ref = _zeta(s, q)
    if ref < 1e-300:  # below the float range: 0 (or a subnormal) is the right float answer
        assert float(hurwitz_zeta(s, q)) <= 1e-290
        return
    assert float(hurwitz_zeta(s, q)) == pytest.approx(ref, rel=1e-10)


@given(st.lists(st.floats(1.0001, 60.0), min_size=1, max_size=4), st.floats(1.0, 9.0))
@example(s=[2.0, 56.8], log10_qmax=4.0)
def test_zeta_outer_matches_mpmath(s: list[float], log10_qmax: float) -> None:
    sa = np.array(s)
    q = np.unique(np.round(np.geomspace(1.0, 10.0**log10_qmax, 12)))
    z, pw = zeta_outer(sa, q, np.log(q))
    for i, si in enumerate(s):
        for k, qk in enumerate(q):
            ref = _zeta(si, qk)
            if ref > 1e-290:
                assert z[i, k] == pytest.approx(ref, rel=1e-10)
                assert pw[i, k] == pytest.approx(float(mpmath.power(qk, -si)), rel=1e-12)


@given(st.floats(-30.0, 150.0), st.floats(-6.0, 4.0))
@example(s=1.3250625583546523e-307, log10_x=-4.0)  # found by hypothesis: gammaincc at tiny s
@example(s=1e-307, log10_x=-6.0)
@example(s=1e-20, log10_x=-6.0)
@example(s=2e-20, log10_x=-6.0)
@example(s=-1.546662537091855e-09, log10_x=-1.0)  # found by hypothesis: x u - 1 cancelled
@example(s=-9.99e-4, log10_x=-0.01)
@example(s=5e-324, log10_x=-1.0)  # found by hypothesis: a subnormal s
@example(s=-5e-324, log10_x=-6.0)
@example(s=1e-99, log10_x=-6.0)
@example(s=9.99e-4, log10_x=-6.0)
def test_log_upper_gamma_matches_mpmath(s: float, log10_x: float) -> None:
    x = 10.0**log10_x
    ref_mp = mpmath.gammainc(s, x)  # the upper incomplete gamma function
    ref = float(mpmath.log(ref_mp))
    assert log_upper_gamma(s, x) == pytest.approx(ref, rel=1e-9, abs=1e-9)


@given(st.floats(1.0001, 50.0), st.integers(1, 10**6), st.integers(0, 10**9))
def test_powerlaw_pmf_matches_mpmath(alpha: float, xmin: int, offset: int) -> None:
    x = xmin + offset
    ref = mpmath.power(x, -alpha) / _zeta_mp(alpha, xmin)
    got = float(powerlaw_pmf([x], alpha=alpha, xmin=xmin)[0])
    if ref < 1e-300:
        assert got <= 1e-290
    else:
        assert got == pytest.approx(float(ref), rel=1e-9)
    assert 0.0 <= got <= 1.0


@given(st.floats(1.01, 30.0), st.integers(1, 1000), st.floats(0.0, 12.0))
def test_fitted_ccdf_matches_mpmath(alpha: float, xmin: int, log10_ratio: float) -> None:
    fit = fit_powerlaw(
        sample_powerlaw(200, alpha=2.5, xmin=float(xmin), discrete=True, rng=1),
        discrete=True,
        xmin=xmin,
        compare_with=(),
    )
    fit = attrs.evolve(fit, alpha=alpha)  # a hand-set exponent, checked on evolve
    x = math.ceil(xmin * 10.0**log10_ratio)
    ref = float(_zeta_mp(alpha, x) / _zeta_mp(alpha, xmin))
    got = float(fit.ccdf(x))
    assert 0.0 <= got <= 1.0
    if ref > 1e-290:
        assert got == pytest.approx(ref, rel=1e-9)


@given(st.floats(1.0001, 200.0), st.floats(1e-3, 1e6), st.floats(0.0, 300.0))
def test_continuous_ccdf_matches_mpmath(alpha: float, xmin: float, log10_ratio: float) -> None:
    fit = fit_powerlaw(
        sample_powerlaw(200, alpha=2.5, xmin=xmin, rng=1), xmin=xmin, compare_with=()
    )
    fit = attrs.evolve(fit, alpha=alpha)
    x = xmin * 10.0**log10_ratio
    ref = mpmath.power(mpmath.mpf(x) / xmin, 1 - alpha)  # (x / xmin)^(1 - alpha), exact
    got = float(fit.ccdf(x))
    assert 0.0 <= got <= 1.0
    if ref > 1e-290:
        assert got == pytest.approx(float(ref), rel=1e-12 * max(1.0, log10_ratio * alpha))
    else:
        assert got <= 1e-280  # underflow to (nearly) 0, never NaN


# ---------------------------------------------------------------------------------------------
# issue 14: powerlaw_pmf, sample_powerlaw and bootstrap requests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"alpha": float("nan")}, "alpha"),
        ({"alpha": 0.5}, "alpha"),
        ({"alpha": 1.0}, "alpha"),
        ({"alpha": float("inf")}, "alpha"),
        ({"alpha": "2"}, "alpha"),
        ({"alpha": True}, "alpha"),
        ({"xmin": 0}, "xmin"),
        ({"xmin": 1.5}, "xmin"),
        ({"xmin": -3}, "xmin"),
        ({"x": [float("nan")]}, "x"),
        ({"x": [1.5]}, "x"),
        ({"x": ["2"]}, "x"),
    ],
)
def test_powerlaw_pmf_refuses_what_is_not_a_discrete_power_law(
    kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"x": [1, 2, 3], "alpha": 2.5, "xmin": 1, **kwargs}
    with pytest.raises(InvalidParameterError, match=rf"^`powerlaw_pmf\.{field}` must "):
        powerlaw_pmf(**args)  # type: ignore[arg-type]


def test_powerlaw_pmf_sums_to_one_and_is_zero_below_xmin() -> None:
    x = np.arange(0, 200_000)
    p = powerlaw_pmf(x, alpha=2.5, xmin=3)
    assert (p[:3] == 0).all()
    tail = float(_zeta_mp(2.5, 200_000) / _zeta_mp(2.5, 3))  # the mass beyond the sum
    assert p.sum() + tail == pytest.approx(1.0, rel=1e-12)


def test_bootstrap_of_a_huge_request_is_refused_before_any_work() -> None:
    fit = fit_powerlaw(sample_powerlaw(300, alpha=2.5, xmin=1.0, rng=2), compare_with=())
    with pytest.raises(InvalidParameterError, match=r"`bootstrap_pvalue\.runs` must need no more"):
        bootstrap_pvalue(fit, runs=10**12)
    with pytest.raises(InvalidParameterError, match=r"^`fit_powerlaw\.bootstrap` must need no"):
        fit_powerlaw(sample_powerlaw(300, alpha=2.5, xmin=1.0, rng=2), bootstrap=10**12)


def test_long_bootstrap_shows_progress_and_can_be_interrupted() -> None:
    fit = fit_powerlaw(sample_powerlaw(300, alpha=2.5, xmin=1.0, rng=2), compare_with=())
    seen: list[tuple[int, int]] = []
    res = bootstrap_pvalue(fit, runs=32, rng=1, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (32, 32) and len(seen) == 16  # one update per batch of 2
    assert res == bootstrap_pvalue(fit, runs=32, rng=1, progress=False)  # progress changes nothing

    def stop(done: int, total: int) -> None:
        if done >= 4:
            raise KeyboardInterrupt  # what Ctrl-C raises in the loop

    with pytest.raises(KeyboardInterrupt):
        bootstrap_pvalue(fit, runs=10**6, rng=1, batch_size=2, progress=stop)


def test_bootstrap_refuses_a_fit_whose_replicates_would_overflow() -> None:
    fit = fit_powerlaw(sample_powerlaw(300, alpha=2.5, xmin=1.0, rng=2), compare_with=())
    near_one = attrs.evolve(fit, alpha=1.001)
    with pytest.raises(InvalidParameterError, match=r"`bootstrap_pvalue\.fit\.alpha` must be at"):
        bootstrap_pvalue(near_one, runs=5, rng=0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"alpha": 0.9}, "alpha"),
        ({"alpha": float("nan")}, "alpha"),
        ({"xmin": 0.0}, "xmin"),
        ({"n": 0}, "n"),
        ({"n_tail": 10**9}, "n_tail"),
        ({"values": np.array([3.0, 1.0])}, "values"),
        ({"counts": np.array([1, 2])}, "counts"),
        ({"ks_convention": "kuiper"}, "ks_convention"),
        ({"discrete": "yes"}, "discrete"),
    ],
)
def test_a_power_law_fit_built_or_changed_by_hand_is_checked(
    change: dict[str, object], field: str
) -> None:
    fit = fit_powerlaw(sample_powerlaw(300, alpha=2.5, xmin=1.0, rng=2), compare_with=())
    with pytest.raises(InvalidParameterError, match=rf"^`PowerLawFit\.{field}` must "):
        attrs.evolve(fit, **change)


# ---------------------------------------------------------------------------------------------
# issue 13: one convergence rule for all alternatives
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("discrete", [False, True])
def test_alternatives_at_the_power_law_limit_are_all_not_converged(discrete: bool) -> None:
    # small pure power-law samples: the lognormal (mu -> -inf, sigma -> inf) and the stretched
    # exponential (beta -> 0) both run to their power-law limit; before, the lognormal said
    # converged=False (iteration limit) and the stretched exponential True (it stopped there)
    x = sample_powerlaw(100, alpha=2.0, xmin=1.0, discrete=discrete, rng=5)
    fit = fit_powerlaw(x, xmin=1.0, discrete=discrete, compare_with=())
    lognormal = compare(fit, "lognormal")
    stretched = compare(fit, "stretched_exponential")
    if not discrete:
        assert not lognormal.converged and not stretched.converged
    for c in (lognormal, stretched):
        if not c.converged:
            assert abs(c.loglik_ratio) < 0.05 and c.favours() == "inconclusive"
    assert compare(fit, "exponential").converged  # a closed form, away from any limit


def test_alternatives_away_from_the_limit_converge() -> None:
    x = 1.0 + np.random.default_rng(2).exponential(2.0, 3000)
    fit = fit_powerlaw(x, xmin=1.0)
    assert all(c.converged for c in fit.comparisons)
    assert {c.alternative for c in fit.comparisons if c.favours() != "power_law"} == {
        c.alternative for c in fit.comparisons
    }


# ---------------------------------------------------------------------------------------------
# vocabulary: Summary, conf_int, ResultMixin
# ---------------------------------------------------------------------------------------------


def test_results_speak_the_library_vocabulary() -> None:
    fit = fit_powerlaw(
        sample_powerlaw(400, alpha=2.5, xmin=1.0, rng=3),
        compare_with=("exponential",),
        bootstrap=20,
        rng=4,
    )
    assert isinstance(fit, PowerLawFit) and isinstance(fit.bootstrap, BootstrapResult)
    for result in (fit, fit.bootstrap, fit.comparisons[0]):
        s = result.summary()
        assert isinstance(s, Summary) and str(s) and "<table>" in result._repr_html_()
    ci = fit.conf_int(0.9)
    assert set(ci) == {"alpha", "p_value"}
    lo, hi = ci["alpha"]
    z = 1.6448536269514722
    assert lo == pytest.approx(fit.alpha - z * fit.alpha_se) and hi > fit.alpha
    plo, phi = ci["p_value"]
    assert 0.0 <= plo <= fit.p_value <= phi <= 1.0
    with pytest.raises(InvalidParameterError, match=r"`PowerLawFit\.conf_int\.level`"):
        fit.conf_int(1.0)
    with pytest.raises(InvalidParameterError, match=r"`Comparison\.favours\.level`"):
        fit.comparisons[0].favours(2.0)
