"""The demo reports: their tables say what the library computes, and bad input is refused."""

from __future__ import annotations

import re

import pytest

from shequn.community import generate_community
from shequn.diffusion import imm, independent_cascade
from shequn.exceptions import InvalidParameterError
from shequn.rng import resolve_rng
from shequn.scenarios import demo_report, seeding_report


def _reach_rows(text: str) -> dict[str, tuple[float, float, float]]:
    rows = {}
    for line in text.splitlines()[2:-1]:
        m = re.match(r"(.+?)\s{2,}([\d,.]+)\s+\[([\d,.]+), ([\d,.]+)\]", line)
        assert m, line
        rows[m.group(1).strip()] = tuple(float(m.group(i).replace(",", "")) for i in (2, 3, 4))
    return rows


def test_seeding_report_matches_a_direct_computation() -> None:
    text = seeding_report(rng=11, n=400, runs=400)
    rows = _reach_rows(text)
    assert set(rows) == {"random members", "most ties (degree)", "central persons (IMM)"}
    # the same draws by hand: the report's IMM row is the IMM seeds' cascade
    gen = resolve_rng(11)
    c = generate_community("brand", 400, rng=gen)
    gen.choice(400, size=10, replace=False)  # the random row's draw
    chosen = imm(c, 10, p=0.05, epsilon=0.2, rng=gen)
    sim_seed = int(gen.integers(2**63))
    res = independent_cascade(c, chosen.seeds, p=0.05, runs=400, rng=sim_seed)
    assert rows["central persons (IMM)"][0] == pytest.approx(res.mean, abs=0.05)
    # central persons reach more than members drawn at random (intervals apart)
    assert rows["central persons (IMM)"][1] > rows["random members"][2]


def test_demo_report_compares_two_arms() -> None:
    text = demo_report(rng=2, n=300, weeks=3)
    assert "community (通法术器)" in text and "member card + SMS" in text


def test_reports_refuse_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"`seeding_report\.n` must be an integer"):
        seeding_report(n=10)
    with pytest.raises(InvalidParameterError, match=r"`seeding_report\.runs`"):
        seeding_report(runs=1)
    with pytest.raises(InvalidParameterError, match=r"`demo_report\.weeks`"):
        demo_report(weeks=0)
