"""Scenario files: what they hold, how errors are reported, and what a run computes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from shequn.community.types import CommunityType, Role
from shequn.io.scenario import (
    METRICS,
    ScenarioError,
    load_scenario,
    loads_scenario,
    pin_scenario_text,
    summarise_runs,
)
from shequn.operating import OperatingModel
from shequn.operating.model import Schedule
from shequn.rng import map_runs

GOOD = """\
name = "card vs community"
weeks = 6
runs = 3
rng = 11

[community]
type = "brand"
size = 120

[arms.community]
description = "the default operating model"
content.schedule = "bursty"
[arms.community.tools]
rule_strictness = 0.3

[arms.card]
preset = "broadcast_only"
tools.broadcast_budget = 20.0
economics.price = 80.0
mechanisms.tie_rule.strong_after_meetings = 4
profile.baseline_churn = 0.03

[outputs]
metrics = ["retention", "profit"]
baseline = "card"
"""


def test_a_good_file_builds_complete_values() -> None:
    s = loads_scenario(GOOD, name="good.toml")
    assert (s.name, s.weeks, s.runs, s.rng, s.workers) == ("card vs community", 6, 3, 11, 1)
    assert s.community.kind is CommunityType.BRAND and s.community.size == 120
    community, card = s.arms
    assert community.operating_model.content.schedule is Schedule.BURSTY
    assert community.operating_model.tools.rule_strictness == 0.3
    assert community.operating_model.structure == OperatingModel().structure  # defaults kept
    # the preset first, then the arm's own keys on top of it
    expected = OperatingModel.broadcast_only(budget=20.0)
    assert card.operating_model == expected
    assert card.economics.price == 80.0 and card.mechanisms.tie_rule.strong_after_meetings == 4
    assert card.profile is not None and card.profile.baseline_churn == 0.03
    assert s.outputs.metrics == ("retention", "profit") and s.baseline == "card"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("rule_strictness = 0.3", "rule_strictness = 1.4"),
            "x.toml: arms.community.tools.rule_strictness must be in [0, 1]; got 1.4 (line 14)",
        ),
        (
            ('content.schedule = "bursty"', 'content.schedule = "weekly"'),
            "x.toml: arms.community.content.schedule must be one of ['steady', 'bursty']; "
            "got 'weekly' (line 12)",
        ),
        (
            ("economics.price = 80.0", "economics.prise = 80.0"),
            "x.toml: arms.card.economics.prise must be one of the keys of Economics",
        ),
        (
            ("weeks = 6", "weeks = 0"),
            "x.toml: weeks must be an integer in [1, 520]; got 0 (line 2)",
        ),
        (("size = 120", "size = 10"), "community.size must be an integer in [50, 1,000,000]"),
        (('type = "brand"', 'type = "tribe"'), "community.type must be one of ['brand'"),
        (('baseline = "card"', 'baseline = "mesh"'), "outputs.baseline must name an arm"),
        (
            ("tools.broadcast_budget = 20.0", 'tools.broadcast_budget = "lots"'),
            "arms.card.tools.broadcast_budget must be a number; got 'lots' (line 18)",
        ),
        (("rng = 11", "rng = -1"), "rng must be an integer >= 0; got -1 (line 4)"),
        (("runs = 3", "runs = 3\nextra = 1"), "extra must be one of the top-level keys"),
        (("[outputs]", "[outputs\n"), "x.toml: the file must be valid TOML"),
    ],
)
def test_errors_name_file_key_path_rule_and_line(edit: tuple[str, str], message: str) -> None:
    text = GOOD.replace(*edit)
    assert text != GOOD
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, name="x.toml")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_error_lines_point_at_the_key() -> None:
    # the line numbers counted by hand in GOOD (1-based)
    lines = GOOD.splitlines()
    assert lines[13].strip().startswith("rule_strictness") and lines[17].startswith("tools.")
    err = ScenarioError(("arms", "card", "tools", "broadcast_budget"), "must be x")
    assert err.located("x.toml", GOOD).line == 18
    err = ScenarioError(("arms", "community", "tools", "group_chat"), "must be x")
    assert err.located("x.toml", GOOD).line == 13  # not in the file: its table's header


def test_user_network_from_csv_files(tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_text("id,role\nann,leader\nbob,member\ncy,\ndi,volunteer\n")
    (tmp_path / "ties.csv").write_text("a,b\nann,bob\nann,cy\nbob,cy\ncy,di\n")
    path = tmp_path / "mine.toml"
    path.write_text(
        'weeks = 2\n[community]\nmembers = "members.csv"\nties = "ties.csv"\n[arms.a]\n'
    )
    s = load_scenario(path)
    c = s.community.community
    assert c is not None and (c.n, c.n_edges) == (4, 4)
    assert c.labels == ("ann", "bob", "cy", "di")
    assert c.roles.tolist() == [Role.LEADER, Role.MEMBER, Role.MEMBER, Role.VOLUNTEER]
    (tmp_path / "ties.csv").write_text("a,b\nann,zed\n")
    with pytest.raises(ScenarioError, match=r"community\.ties must tie listed members"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match=r"^nothere\.toml: the file must exist"):
        load_scenario(tmp_path / "nothere.toml")


def test_pinned_text_reruns_with_the_same_values() -> None:
    out = pin_scenario_text(GOOD, rng=5, runs=4, workers=2)
    doc = tomllib.loads(out)
    assert (doc["rng"], doc["runs"], doc["workers"]) == (5, 4, 2)
    # everything else is as written, comments and all
    assert (
        out.replace("rng = 5  # pinned by shequn", "rng = 11").replace(
            "runs = 4  # pinned by shequn", "runs = 3"
        )
        == "workers = 2  # pinned by shequn\n" + GOOD
    )


def test_identical_arms_give_identical_runs() -> None:
    """Arms of one run share its community and seed: two equal arms never differ."""
    s = loads_scenario('weeks = 3\n[community]\ntype = "sharing"\nsize = 80\n[arms.a]\n[arms.b]\n')
    outs = map_runs(s.run_once, runs=3, rng=4)
    for o in outs:
        assert o["a"] == o["b"]
    run = summarise_runs(s, outs, seed=4)
    for m in METRICS:
        c = run.contrasts[m][0]
        assert c.mean == 0.0 or np.isnan(c.mean)


def test_contrasts_are_per_run_differences_with_t_intervals() -> None:
    from scipy import stats

    s = loads_scenario(GOOD)
    outs = map_runs(s.run_once, runs=3, rng=11)
    run = summarise_runs(s, outs, seed=11)
    diff = np.array(
        [o["community"]["metrics"]["profit"] - o["card"]["metrics"]["profit"] for o in outs]
    )
    c = run.contrasts["profit"][0]
    assert c.label == "community − card"
    half = stats.t.ppf(0.975, df=2) * diff.std(ddof=1) / np.sqrt(3)
    assert (c.mean, c.lo, c.hi) == pytest.approx(
        (diff.mean(), diff.mean() - half, diff.mean() + half)
    )
    assert run.values["profit"].shape == (3, 2)
    assert run.weekly["card"]["members"].shape == (3, 7)
    text = str(run.summary())
    assert "card vs community" in text and "retention" in text
