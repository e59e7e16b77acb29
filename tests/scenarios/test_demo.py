"""The demo sections: their tables say what the library computes, and bad input is refused."""

from __future__ import annotations

import re

import pytest

from shequn.community import generate_community, k_hop_reach
from shequn.diffusion import imm, rr_spread
from shequn.exceptions import InvalidParameterError
from shequn.operating import OperatingModel
from shequn.rng import resolve_rng
from shequn.scenarios.demo import (
    community_types_report,
    demo_report,
    money,
    sections,
    seeding_report,
)
from shequn.simulation import simulate


def _rows(text: str) -> dict[str, list[str]]:
    out = {}
    for line in text.splitlines():
        m = re.match(r"  (\S.*?\S)\s{2,}(\S.*)$", line)
        if m and not line.startswith("  -"):
            out[m.group(1)] = re.split(r"\s{2,}", m.group(2).strip())
    return out


def test_seeding_rows_match_a_direct_computation() -> None:
    text = seeding_report(rng=11, n=400, samples=2000)
    rows = _rows(text)
    gen = resolve_rng(11)
    c = generate_community("brand", 400, rng=gen)
    gen.choice(400, size=10, replace=False)  # the random row's draw
    chosen = imm(c, 10, p=0.05, epsilon=0.2, rng=gen)
    est_seed = int(gen.integers(2**63))
    est = rr_spread(c, chosen.seeds, p=0.05, samples=2000, rng=est_seed)
    imm_row = rows["central persons (IMM)"]
    assert float(imm_row[0]) == pytest.approx(est.spread, rel=1e-3)
    assert int(imm_row[3].replace(",", "")) == int(k_hop_reach(c, chosen.seeds, k=3)[:4].sum())
    assert "What it shows:" in text and "设置中心人" in text


def test_strategy_table_names_the_winner_from_the_numbers() -> None:
    text = demo_report(rng=2, n=300, weeks=6)
    rows = _rows(text)
    gen = resolve_rng(2)
    c = generate_community("brand", 300, rng=gen)
    seed = int(gen.integers(2**63))
    good = simulate(c, OperatingModel(), weeks=6, rng=seed)
    budget = float(good.marketing_costs[-1] / 6)
    card = simulate(c, OperatingModel.broadcast_only(budget=budget), weeks=6, rng=seed)
    members = rows["members at the end"]
    assert members[:2] == [f"{int(good.members[-1]):,}", f"{int(card.members[-1]):,}"]
    cac = rows["spend per customer won (CAC)"]
    lower_cac = "community" if good.cac[-1] < card.cac[-1] else "member card"
    assert cac[2] == lower_cac  # lower is better for CAC
    profit = rows["profit (revenue − all costs)"]
    higher = "community" if good.profit.sum() > card.profit.sum() else "member card"
    assert profit[2] == higher and profit[0] == money(float(good.profit.sum()))
    assert "In short:" in text and "Why:" in text


def test_types_reading_names_the_extremes() -> None:
    text = community_types_report(n=300, rng=1)
    rows = _rows(text)
    cent = [float(x) for x in rows["centralisation (1 a star, 0 all equal)"]]
    kinds = ["brand", "leader-centred", "sharing", "values"]
    top = kinds[cent.index(max(cent))].split("-")[0]
    assert f"the {top}" in text.split("Reading:")[1]


def test_money_is_never_scientific() -> None:
    assert money(7.16e5) == "¥716,000" and money(-2.5e7) == "-¥25,000,000"


def test_reports_refuse_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"`seeding_report\.n` must be an integer"):
        seeding_report(n=10)
    with pytest.raises(InvalidParameterError, match=r"`seeding_report\.samples`"):
        seeding_report(samples=1)
    with pytest.raises(InvalidParameterError, match=r"`demo_report\.weeks`"):
        demo_report(weeks=0)
    with pytest.warns(DeprecationWarning, match="use samples="):
        seeding_report(n=100, runs=500, rng=0)


@pytest.mark.parametrize("x", [True, "12", None, [1.0]])
def test_money_refuses_what_is_not_a_number(x: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"`money\.x` must be a real number"):
        money(x)  # type: ignore[arg-type]


def test_money_prints_an_undefined_amount_as_na() -> None:
    assert money(float("nan")) == money(float("-inf")) == "n/a"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n": 10}, "n"),
        ({"n": True}, "n"),
        ({"n": 10**12}, "n"),  # memory estimate
        ({"weeks": 0}, "weeks"),
        ({"weeks": 2.5}, "weeks"),
        ({"weeks": 10**12}, "weeks"),
        ({"rng": -1}, "rng"),
        ({"rng": "seed"}, "rng"),
    ],
)
def test_sections_check_their_arguments_before_running(kwargs: dict, field: str) -> None:
    args = {"n": 60, "weeks": 1, "rng": 0} | kwargs
    with pytest.raises(InvalidParameterError, match=rf"`sections\.{field}` must"):
        sections(**args)


def test_reports_refuse_a_community_too_large_for_memory() -> None:
    for report in (community_types_report, demo_report, seeding_report):
        with pytest.raises(InvalidParameterError, match=r"\.n` must need no more memory"):
            report(n=10**12)
