"""The Markov ladder: validation, analysis vs brute-force simulation, estimation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError, ShequnDeprecationWarning
from shequn.loyalty.ladder import Ladder, default_ladder
from shequn.loyalty.stages import Stage

LAD = default_ladder()


def _absorbing_lapse(lad):
    P = lad.transition.copy()
    P[Stage.LAPSED] = 0
    P[Stage.LAPSED, Stage.LAPSED] = 1
    return Ladder(transition=P)


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matrix", "match"),
    [
        (np.eye(6) * 0.9, "rows summing to 1"),
        (np.eye(5), "6×6"),
        (np.full((6, 6), np.nan), "transition"),
        (np.eye(6) * 2 - np.full((6, 6), 1 / 6), "transition"),  # negative entries
    ],
)
def test_bad_transition_matrices(matrix, match):
    with pytest.raises(InvalidParameterError, match=match):
        Ladder(transition=matrix)


def test_row_error_names_stage_and_value():
    P = default_ladder().transition.copy()
    P[Stage.FAN, Stage.FAN] += 0.1
    with pytest.raises(InvalidParameterError, match=r"row FAN.*1\.1"):
        Ladder(transition=P)


def test_stationary_needs_a_single_closed_class():
    with pytest.raises(InvalidParameterError, match="closed class"):
        Ladder(transition=np.eye(6)).stationary()


# -- analysis vs brute-force simulation -------------------------------------------------------


def test_p_lapse_before_fan_vs_simulation():
    n, steps = 30_000, 250
    paths = LAD.simulate(np.full(n, Stage.CUSTOMER), steps, rng=1)
    hit_fan = np.argmax(paths == Stage.FAN, axis=1)
    hit_fan = np.where((paths == Stage.FAN).any(axis=1), hit_fan, steps + 1)
    hit_lapse = np.argmax(paths == Stage.LAPSED, axis=1)
    hit_lapse = np.where((paths == Stage.LAPSED).any(axis=1), hit_lapse, steps + 1)
    sim = np.mean(hit_lapse < hit_fan)
    p = LAD.p_lapse_before(Stage.FAN)
    assert abs(sim - p) < 4 * math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("target", [Stage.FAN, Stage.FRIEND])
def test_reach_time_vs_simulation(target):
    lad = _absorbing_lapse(LAD)
    n, steps = 20_000, 300
    paths = lad.simulate(np.full(n, Stage.CUSTOMER), steps, rng=2)
    hit = (paths == target).any(axis=1)
    first = np.argmax(paths == target, axis=1)[hit]
    p, t = LAD.reach(target, lapse_is_final=True)
    assert abs(hit.mean() - p) < 4 * math.sqrt(p * (1 - p) / n)
    assert abs(first.mean() - t) < 4 * first.std(ddof=1) / math.sqrt(first.size)


def test_reach_is_certain_with_win_backs_and_time_matches_simulation():
    n, steps = 6_000, 1500
    paths = LAD.simulate(np.full(n, Stage.CUSTOMER), steps, rng=3)
    hit = (paths == Stage.FAN).any(axis=1)
    assert hit.mean() > 0.999
    first = np.argmax(paths == Stage.FAN, axis=1)[hit]
    p, t = LAD.reach(Stage.FAN)
    assert p == pytest.approx(1.0)
    assert abs(first.mean() - t) < 4 * first.std(ddof=1) / math.sqrt(first.size)


def test_stationary_vs_long_run_simulation_and_power_iteration():
    pi = LAD.stationary()
    np.testing.assert_allclose(pi @ LAD.transition, pi, atol=1e-12)
    power = np.linalg.matrix_power(LAD.transition, 5000)[Stage.CUSTOMER]
    np.testing.assert_allclose(pi, power, atol=1e-10)
    paths = LAD.simulate(np.full(10_000, Stage.PROSPECT), 400, rng=4)
    share = np.bincount(paths[:, -1], minlength=6) / 10_000
    assert np.all(np.abs(share - pi) < 4 * np.sqrt(pi * (1 - pi) / 10_000) + 1e-12)


def test_projection_equals_mean_of_simulations():
    start = np.array([0, 3000, 1000, 0, 0, 0])
    proj = LAD.project(start, 24)
    members = np.repeat(np.arange(6), start)
    paths = LAD.simulate(members, 24, rng=5)
    counts = np.stack([np.bincount(paths[:, t], minlength=6) for t in range(25)])
    n = start.sum()
    share = proj / n
    sd = np.sqrt(n * share * (1 - share))
    assert np.all(np.abs(counts - proj) <= 4 * sd + 1e-9)
    np.testing.assert_allclose(proj.sum(axis=1), n)


def test_fundamental_matrix_expected_visits_vs_simulation():
    N, idx = LAD.fundamental_matrix([Stage.FAN, Stage.LAPSED])
    absorb = _absorbing_lapse(LAD).transition.copy()
    absorb[Stage.FAN] = 0
    absorb[Stage.FAN, Stage.FAN] = 1
    paths = Ladder(transition=absorb).simulate(np.full(20_000, Stage.CUSTOMER), 250, rng=6)
    visits_user = (paths[:, :-1] == Stage.USER).sum(axis=1)
    expected = N[idx.index(Stage.CUSTOMER), idx.index(Stage.USER)]
    assert abs(visits_user.mean() - expected) < 4 * visits_user.std() / math.sqrt(20_000)


@given(st.integers(0, 2**31 - 1))
def test_simulate_same_rng_same_paths(seed):
    a = LAD.simulate([1, 2, 3], 10, rng=seed)
    b = LAD.simulate([1, 2, 3], 10, rng=seed)
    assert np.array_equal(a, b)


@given(st.lists(st.lists(st.floats(0.01, 1.0), min_size=6, max_size=6), min_size=6, max_size=6))
def test_random_ladders_give_probabilities(rows):
    P = np.array(rows)
    P /= P.sum(axis=1, keepdims=True)
    lad = Ladder(transition=P)
    pl = lad.p_lapse_before(Stage.FAN)
    p, t = lad.reach(Stage.FRIEND, lapse_is_final=True)
    pi = lad.stationary()
    assert 0 <= pl <= 1 and 0 <= p <= 1 and t >= 1
    assert np.all(pi >= -1e-12) and pi.sum() == pytest.approx(1)


# -- estimation --------------------------------------------------------------------------------


def test_fit_recovers_ladder_and_intervals_cover():
    start = np.full(3000, Stage.PROSPECT)
    paths = LAD.simulate(start, 30, rng=7)
    fit = Ladder.fit(list(paths))
    P = LAD.transition
    observed = fit.counts.sum(axis=1) > 0
    inside = (fit.lower <= P) & (fit.upper >= P)
    # 95% Wilson intervals: nearly all entries of observed rows cover the truth
    assert inside[observed].mean() >= 0.9
    assert np.abs(fit.ladder.transition - P)[observed].max() < 0.03
    assert "Wilson" in str(fit.summary())


def test_fit_log_matches_sequences():
    paths = LAD.simulate(np.full(50, Stage.CUSTOMER), 6, rng=8)
    members = np.repeat(np.arange(50), 7)
    periods = np.tile(np.arange(7), 50)
    a = Ladder.fit(list(paths))
    b = Ladder.fit_log(members, periods, paths.ravel())
    assert np.array_equal(a.counts, b.counts)


def test_fit_log_gap_breaks_chain():
    fit = Ladder.fit_log([1, 1, 1], [0, 1, 5], [1, 2, 3])
    assert int(fit.counts.sum()) == 1
    assert Stage.USER in fit.unobserved  # the 1 -> 5 jump is not a transition
    assert "never left" in str(fit.summary())


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (([1, 2, 1], [0, 0, 1], [1, 1, 2]), "members"),  # not grouped
        (([1, 1], [3, 2], [1, 2]), "periods"),  # unsorted
        (([1, 1], [2, 2], [1, 2]), "periods"),  # duplicate row
        (([1, 1], [0, 1], [1, 9]), "stages"),
        (([1, 1], [0, np.nan], [1, 2]), "periods"),
        (([], [], []), "members"),
    ],
)
def test_fit_log_bad_input(args, field):
    with pytest.raises(InvalidParameterError, match=field):
        Ladder.fit_log(*args)


def test_fit_bad_input():
    with pytest.raises(InvalidParameterError, match="sequences"):
        Ladder.fit([[1], [2]])  # no transitions
    with pytest.raises(InvalidParameterError, match=r"sequences\[0\]"):
        Ladder.fit([[1, 7]])
    with pytest.raises(InvalidParameterError, match="start"):
        LAD.simulate([9], 3, rng=0)
    with pytest.raises(InvalidParameterError, match="initial"):
        LAD.project([1, 2], 3)
    with pytest.raises(InvalidParameterError, match="target"):
        LAD.p_lapse_before(Stage.LAPSED)


def test_vocabulary_fit_conf_int_summary_and_deprecated_aliases():
    import warnings

    from shequn._results import Summary

    paths = default_ladder().simulate(np.full(500, Stage.CUSTOMER), 12, rng=3)
    fit = Ladder.fit(list(paths))
    assert fit.model is fit.ladder
    assert isinstance(fit.summary(), Summary)
    ci = fit.conf_int()
    assert set(ci) == set(fit.params) == set(fit.standard_errors)
    # Wilson intervals at the fit's level are the stored bounds
    lo, hi = ci["CUSTOMER->USER"]
    assert (lo, hi) == (
        fit.lower[Stage.CUSTOMER, Stage.USER],
        fit.upper[Stage.CUSTOMER, Stage.USER],
    )
    lo90, hi90 = fit.conf_int(0.90)["CUSTOMER->USER"]
    assert lo < lo90 < fit.params["CUSTOMER->USER"] < hi90 < hi
    # binomial standard error of a row-normalised count
    n_row = fit.counts[Stage.CUSTOMER].sum()
    p = fit.params["CUSTOMER->USER"]
    assert fit.standard_errors["CUSTOMER->USER"] == pytest.approx(np.sqrt(p * (1 - p) / n_row))
    # the multinomial log-likelihood at the estimate, summed by hand
    P = fit.model.transition
    ll = sum(
        fit.counts[i, j] * np.log(P[i, j]) for i in range(6) for j in range(6) if fit.counts[i, j]
    )
    assert fit.log_likelihood == pytest.approx(ll)
    assert "<table>" in fit._repr_html_()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        old = Ladder.estimate(list(paths))
        old_log = Ladder.estimate_log([7, 7, 7], [0, 1, 2], [1, 2, 2])
    assert old == fit and int(old_log.counts.sum()) == 2
    assert [x.category for x in w] == [ShequnDeprecationWarning, ShequnDeprecationWarning]
    assert "Ladder.fit" in str(w[0].message) and "Ladder.fit_log" in str(w[1].message)
