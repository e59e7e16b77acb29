"""The documented example "does the community make customers more loyal?": its fitting side.

The transaction log is simulated directly from the Pareto/NBD story with a known membership
effect (members buy exp(0.4) times as often and drop out at exp(-1.0) times the rate), written
out as purchase days and summarised by rfm_summary, as the engine's records will be.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from shequn.exceptions import InvalidParameterError
from shequn.loyalty import rfm_summary
from shequn.loyalty.customer_base import community_effect

GAMMA_T, GAMMA_L = 0.4, -1.0


def _log(n=3000, seed=0, weeks=52):
    """A transaction log (customer, day) simulated customer by customer, by hand."""
    gen = np.random.default_rng(seed)
    member = gen.random(n) < 0.4
    r, alpha, s, beta = 0.6, 8.0, 0.7, 10.0
    lam = gen.gamma(r, 1 / (alpha * np.exp(-GAMMA_T * member)))  # weekly purchase rates
    mu = gen.gamma(s, 1 / (beta * np.exp(-GAMMA_L * member)))  # weekly drop-out rates
    first = gen.integers(0, 12 * 7, n)  # staggered first purchases over 12 weeks (days)
    ids, days = [], []
    for i in range(n):
        end = min(weeks * 7 - first[i], gen.exponential(1 / mu[i]) * 7)  # days alive
        t, times = 0.0, [0.0]
        while True:
            t += gen.exponential(1 / lam[i]) * 7 if lam[i] > 0 else math.inf
            if t > end:
                break
            times.append(t)
        ids += [i] * len(times)
        days += list(first[i] + np.floor(times))
    return np.array(ids), np.array(days), member


def test_community_effect_recovers_the_membership_effect():
    ids, days, member = _log()
    s = rfm_summary(ids, days, calibration_end=52 * 7 - 1)
    flag = member[s.customer_ids]
    eff = community_effect(s.frequency, s.recency, s.T, member=flag)
    ci = eff.conf_int()
    lo, hi = ci["purchase rate ratio"]
    assert lo < math.exp(GAMMA_T) < hi
    lo, hi = ci["dropout rate ratio"]
    assert lo < math.exp(GAMMA_L) < hi and hi < 1  # members stay longer, and it shows
    assert eff.lr_test.df == 2 and eff.lr_test.p_value < 1e-6
    assert eff.expected_member > eff.expected_non_member
    text = str(eff.summary())
    assert "stay longer" in text and f"{eff.members:,} members" in text


def test_no_effect_is_not_reported_as_one():
    # a membership flag unrelated to behaviour: the LR test should not reject (at 0.1%)
    ids, days, _member = _log(n=2000, seed=1)
    s = rfm_summary(ids, days, calibration_end=52 * 7 - 1)
    fake = np.random.default_rng(2).random(s.n) < 0.5
    eff = community_effect(s.frequency, s.recency, s.T, member=fake)
    assert eff.lr_test.p_value > 0.001


def test_bgnbd_variant_and_bad_flags():
    ids, days, member = _log(n=1500, seed=3)
    s = rfm_summary(ids, days, calibration_end=52 * 7 - 1)
    eff = community_effect(
        s.frequency, s.recency, s.T, member=member[s.customer_ids], model="bgnbd"
    )
    assert set(eff.params) == {"purchase rate ratio", "a, b factor"}
    lo, hi = eff.conf_int()["purchase rate ratio"]
    assert lo < math.exp(GAMMA_T) * 1.5 and hi > 1.0  # right direction at this size
    with pytest.raises(InvalidParameterError, match="member"):
        community_effect(s.frequency, s.recency, s.T, member=np.full(s.n, 2.0))
    with pytest.raises(InvalidParameterError, match="model"):
        community_effect(s.frequency, s.recency, s.T, member=member[s.customer_ids], model="cox")
