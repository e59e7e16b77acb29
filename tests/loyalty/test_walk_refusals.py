"""Bad input found by the API walk (issue 14) is refused with our error naming the field.

Each case was an AttributeError, KeyError, OSError, MemoryError, ZeroDivisionError or a
silently accepted value before; the expected message names the parameter the caller passed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from shequn.exceptions import InvalidParameterError
from shequn.loyalty import (
    BGBB,
    BGNBD,
    GammaGamma,
    ParetoNBD,
    Stage,
    TieRule,
    decay_counts,
    default_ladder,
    is_strong,
    read_cdnow,
    rfm_summary,
    strong_tie_counts,
    tie_strength,
)
from shequn.loyalty.customer_base import (
    CustomerBaseFit,
    alive_path,
    calibration_holdout,
    customer_lifetime_value,
    load_cdnow_sample,
    load_fit,
)
from shequn.loyalty.customer_base.diagnostics import (
    frequency_recency_matrix,
    period_transactions,
    tracking,
)
from shequn.loyalty.customer_base.time_varying import sample_panel

BG = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
GG = GammaGamma(p=6.25, q=3.74, gamma=15.44)
BB = BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.78)


def _raises(field: str) -> Any:
    return pytest.raises(InvalidParameterError, match=re.escape(field) + "` must")


@pytest.mark.parametrize("rule", ["abc", 1, {}, None])
def test_tie_functions_refuse_a_rule_that_is_not_a_tierule(rule: Any) -> None:
    with _raises("tie_strength.rule"):
        tie_strength([1.0], [1.0], rule)
    with _raises("is_strong.rule"):
        is_strong([1.0], rule)
    with _raises("decay_counts.rule"):
        decay_counts([1.0], 2.0, rule)
    with _raises("strong_tie_counts.rule"):
        strong_tie_counts(default_adjacency(), [3, 3, 0, 0], rule)


def default_adjacency() -> Any:
    import networkx as nx

    from shequn.community._graph import as_csr

    return as_csr(nx.path_graph(3))[0]


def test_decay_counts_refuses_infinite_weeks() -> None:
    with _raises("decay_counts.weeks"):
        decay_counts([1.0], float("inf"), TieRule())


@pytest.mark.parametrize("model", [BG, PN, GG, BB])
@pytest.mark.parametrize("summary", ["abc", 1, {}, None])
def test_fit_summary_refuses_objects_without_the_columns(model: Any, summary: Any) -> None:
    with _raises(f"{type(model).__name__}.fit_summary.summary"):
        type(model).fit_summary(summary)


@pytest.mark.parametrize("model", [PN, GG, BB])
@pytest.mark.parametrize("d", [{}, float("nan"), "abc", {"params": {"nope": 1.0}}])
def test_from_dict_refuses_what_to_dict_never_writes(model: Any, d: Any) -> None:
    with _raises(f"{type(model).__name__}.from_dict.d"):
        type(model).from_dict(d)
    assert type(model).from_dict(model.to_dict()) == model


@pytest.mark.parametrize("method", ["p_alive", "log_likelihood"])
@pytest.mark.parametrize("n", [[6, 6, 6.5], [6, 6, -1], [6, 6, np.nan], None, "abc"])
def test_bgbb_methods_name_n_not_t(method: str, n: Any) -> None:
    with _raises(f"BGBB.{method}.n"):
        getattr(BB, method)([0, 2, 5], [0, 3, 6], n)
    with _raises("BGBB.conditional_expected_transactions.n"):
        BB.conditional_expected_transactions([5], [0, 2, 5], [0, 3, 6], n)


def test_model_fits_refuse_an_infinite_penalizer_and_bad_initial_values() -> None:
    s = load_cdnow_sample().rfm()
    with _raises("BGNBD.fit.penalizer"):
        BGNBD.fit(s.frequency, s.recency, s.T, penalizer=float("inf"))
    with _raises("BGNBD.fit.initial"):
        BGNBD.fit(s.frequency, s.recency, s.T, initial={"nope": 1.0})
    with _raises("GammaGamma.fit.frequency"):  # whole numbers beyond 2**53 are not exact
        GammaGamma.fit(np.r_[s.frequency[:-1], 1e300], s.monetary)


def test_saved_fits_name_the_callers_argument(tmp_path: Any) -> None:
    fit = BGNBD.fit(data=load_cdnow_sample().rfm())
    with _raises("CustomerBaseFit.save.path"):
        fit.save(5)  # not a file descriptor
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    for path in (5, None, tmp_path / "missing.json", garbage):
        with _raises("load_fit.path"):
            load_fit(path)
        with _raises("CustomerBaseFit.load.path"):
            CustomerBaseFit.load(path)
    with _raises("CustomerBaseFit.from_json.text"):
        CustomerBaseFit.from_json(fit.to_json().replace('"r": 0.', '"r": NaN, "x": 0.'))
    for restricted in ("abc", 1, {}):
        with _raises("CustomerBaseFit.lr_test.restricted"):
            fit.lr_test(restricted)
    for path in (5, None, tmp_path / "missing.txt"):
        with _raises("read_cdnow.path"):
            read_cdnow(path)


def test_sample_sizes_beyond_memory_are_refused_before_allocating() -> None:
    with _raises("BGNBD.sample.n_customers"):
        BG.sample(10**12, 39.0, rng=0)
    with _raises("ParetoNBD.sample.n_customers"):
        PN.sample(10**12, 39.0, rng=0)
    with _raises("BGBB.sample.n"):
        BB.sample(5, 10**12, rng=0)
    with _raises("BGBB.sample.n_customers"):
        BB.sample(10**12, 5, rng=0)
    with _raises("BGNBD.sample.T"):  # neither a scalar nor one age per customer
        BG.sample(2, [[39.0, 39.0]], rng=0)
    lad = default_ladder()
    with _raises("Ladder.project.steps"):
        lad.project([0, 1000, 0, 0, 0, 0], 10**12)
    with _raises("Ladder.simulate.steps"):
        lad.simulate([Stage.CUSTOMER] * 3, 10**12, rng=0)
    with _raises("alive_path.end"):
        alive_path(BG, [0.0, 2.0, 5.0], end=1e12)
    with _raises("alive_path.step"):
        alive_path(BG, [0.0, 2.0, 5.0], end=30.0, step=1e-300)
    with _raises("frequency_recency_matrix.max_frequency"):
        frequency_recency_matrix(BG, T=39.0, max_frequency=10**12)
    with _raises("frequency_recency_matrix.T"):
        frequency_recency_matrix(BG, T=1e300)


def test_bgnbd_refuses_horizons_that_round_z_to_one() -> None:
    # t/(alpha + T + t) == 1.0 in doubles: the series divided by 1 - z = 0
    with _raises("BGNBD.expected_transactions.t"):
        BG.expected_transactions([1.0, 1e300])
    with _raises("BGNBD.conditional_expected_transactions.t"):
        BG.conditional_expected_transactions([1e300], [1], [3.0], [5.0])
    assert np.isfinite(BG.expected_transactions([1e6])).all()


def test_ladder_arguments() -> None:
    lad = default_ladder()
    for bad in ("abc", {}, None, 7, True):
        with _raises("Ladder.probability_of_reaching.stage"):
            lad.probability_of_reaching(bad)
    # Stage is an IntEnum: its int value is the same stage
    assert lad.probability_of_reaching(3) == lad.probability_of_reaching(Stage.FAN)
    with _raises("Ladder.reach.lapse_is_final"):
        lad.reach(Stage.FAN, lapse_is_final="no")
    with _raises("Ladder.fundamental_matrix.absorbing"):
        lad.fundamental_matrix(None)
    for bad in (np.nan, np.inf):
        with _raises("Ladder.fit_log.members"):
            type(lad).fit_log([7, 7, bad], [0, 1, 0], [1, 2, 1])


def test_diagnostics_arguments() -> None:
    s = load_cdnow_sample().rfm()
    for bad in ("abc", 1, {}, None):
        with _raises("calibration_holdout.model"):
            calibration_holdout(bad, s)
        with _raises("sample_panel.model"):
            sample_panel(bad, None)
    with _raises("period_transactions.frequency"):
        period_transactions(BG, [1.5, 2.0], [30.0, 30.0])
    with _raises("frequency_recency_matrix.max_frequency"):
        frequency_recency_matrix(BG, T=39.0, max_frequency=0)
    for bad in (np.nan, np.inf):
        with _raises("tracking.customer_ids"):
            tracking(BG, [1.0, 1.0, bad], [0, 14, 7], calibration_end=21, period="days")


def test_clv_discount_rate() -> None:
    s = load_cdnow_sample().rfm()
    args = (BG, GG, s.frequency[:5], s.recency[:5], s.T[:5], s.monetary[:5])
    with _raises("customer_lifetime_value.discount_rate"):
        customer_lifetime_value(*args, discount_rate=float("inf"))
    # a huge finite rate discounts everything after the first period to nothing: no overflow
    v = customer_lifetime_value(*args, discount_rate=1e300)
    assert np.isfinite(v).all() and (v >= 0).all()


def test_transaction_log_summary_checks_its_rfm_options_now() -> None:
    log = load_cdnow_sample()
    with _raises("rfm_summary.time_unit"):
        log.summary(time_unit="fortnights")
    with _raises("rfm_summary.calibration_end"):
        log.summary(calibration_end="abc")


def test_rfm_summary_refuses_day_numbers_beyond_int64_arithmetic() -> None:
    with _raises("rfm_summary.calibration_end"):
        rfm_summary([1, 1], [0.0, 3.0], calibration_end=1e300)
