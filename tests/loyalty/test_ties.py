"""Tie strength rules: closed forms (seed 004: strong after 3 offline meetings)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.community._graph import as_csr
from shequn.exceptions import InvalidParameterError
from shequn.loyalty.ties import TieRule, decay_counts, is_strong, strong_tie_counts, tie_strength


def test_strength_closed_form():
    rule = TieRule(meeting_weight=0.5, message_weight=0.1)
    s = tie_strength([10.0], [2.0], rule)[0]
    assert s == pytest.approx(1 - math.exp(-(0.1 * 10 + 0.5 * 2)))


def test_default_strong_after_three_meetings_messages_never_suffice():
    rule = TieRule()
    assert is_strong([2, 3, 4], rule).tolist() == [False, True, True]
    assert not is_strong([0], rule)[0]  # however many messages


@given(st.floats(0, 1e3), st.floats(0, 1e3), st.floats(0, 1e3))
def test_strength_in_unit_interval_and_monotone(msg, meet, extra):
    rule = TieRule()
    a = tie_strength([msg], [meet], rule)[0]
    b = tie_strength([msg + extra], [meet + extra], rule)[0]
    assert 0 <= a <= 1 and a <= b


def test_decay_halves_per_half_life():
    assert decay_counts([8.0], 52.0, TieRule(half_life_weeks=26)).tolist() == [2.0]


def test_strong_tie_counts_per_member():
    A, _ = as_csr(nx.star_graph(3))  # hub 0 with leaves 1..3
    meetings = np.zeros(A.nnz)
    # hub's row holds half-edges to 1, 2, 3; make the tie to leaf 1 strong on both halves
    meetings[A.indptr[0]] = 3
    meetings[A.indptr[1]] = 3
    assert strong_tie_counts(A, meetings, TieRule()).tolist() == [1, 1, 0, 0]


def test_bad_inputs():
    with pytest.raises(InvalidParameterError, match="strong_after_meetings"):
        TieRule(strong_after_meetings=0)
    with pytest.raises(InvalidParameterError, match="meetings"):
        tie_strength([1.0], [-1.0], TieRule())
    with pytest.raises(InvalidParameterError, match="weeks"):
        decay_counts([1.0], -1.0, TieRule())
