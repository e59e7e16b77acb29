"""Tie strength rule (seed 004: repeated offline meetings make strong ties)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.community._graph import as_csr
from shequn.exceptions import InvalidParameterError
from shequn.loyalty.ties import TieRule, decay_counts, is_strong, strong_tie_counts, tie_strength

counts = st.lists(st.floats(0, 1e3), min_size=1, max_size=20)


@given(counts, counts)
def test_strength_in_unit_interval_and_monotone(msg: list[float], meet: list[float]) -> None:
    k = min(len(msg), len(meet))
    m, t = np.array(msg[:k]), np.array(meet[:k])
    s = tie_strength(m, t, TieRule())
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(tie_strength(m + 1, t, TieRule()) >= s)
    assert np.all(tie_strength(m, t + 1, TieRule()) >= s)


def test_closed_form() -> None:
    rule = TieRule(meeting_weight=0.5, message_weight=0.1)
    assert tie_strength([10.0], [2.0], rule)[0] == pytest.approx(1 - np.exp(-(1.0 + 1.0)))


def test_threshold_default_three_meetings() -> None:
    assert is_strong([0, 1, 2, 3, 7], TieRule()).tolist() == [False, False, False, True, True]
    # messages alone never make a strong tie
    assert not is_strong([0], TieRule())[0]


def test_decay_half_life() -> None:
    rule = TieRule(half_life_weeks=4)
    np.testing.assert_allclose(decay_counts([8.0, 2.0], 8, rule), [2.0, 0.5])


def test_strong_tie_counts_match_loop() -> None:
    G = nx.gnp_random_graph(30, 0.2, seed=3)
    A, _ = as_csr(G)
    rng = np.random.default_rng(0)
    meet = rng.integers(0, 6, size=A.nnz).astype(float)
    got = strong_tie_counts(A, meet, TieRule())
    for i in range(A.shape[0]):
        row = meet[A.indptr[i] : A.indptr[i + 1]]
        assert got[i] == int((row >= 3).sum())


def test_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"`TieRule\.strong_after_meetings`"):
        TieRule(strong_after_meetings=0)
    with pytest.raises(InvalidParameterError, match=r"`TieRule\.half_life_weeks`"):
        TieRule(half_life_weeks=0)
    with pytest.raises(InvalidParameterError, match=r"`tie_strength\.meetings`"):
        tie_strength([1.0], [-1.0], TieRule())
    with pytest.raises(InvalidParameterError, match=r"`tie_strength\.meetings`"):
        tie_strength([1.0], [1.0, 2.0], TieRule())
    with pytest.raises(InvalidParameterError, match=r"`decay_counts\.weeks`"):
        decay_counts([1.0], -1.0, TieRule())
    A, _ = as_csr(nx.path_graph(3))
    with pytest.raises(InvalidParameterError, match="half-edge"):
        strong_tie_counts(A, [1.0], TieRule())
