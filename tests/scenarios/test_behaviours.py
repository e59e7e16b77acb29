"""Every seed behaviour of concepts.md §7 at 95 % confidence with library defaults.

Each scenario runs its default number of Monte Carlo replications (12) on generated
communities of 1,000 members with a fixed seed; a behaviour "holds" when the Student-t 95 %
confidence interval of every predicted contrast lies above zero. A behaviour that does not
emerge from the general mechanisms is kept as a strict xfail with the measured reason.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from shequn.exceptions import InvalidParameterError
from shequn.scenarios import SCENARIOS, Contrast, ScenarioResult, open_rate_vs_audience

SEED = 20261123

EMERGE = [name for name in SCENARIOS if name != "leader_departure"]


@pytest.mark.slow
@pytest.mark.parametrize("name", EMERGE)
def test_behaviour_holds_at_95_percent(name: str) -> None:
    result = SCENARIOS[name](rng=SEED)
    assert result.runs == 12
    assert result.holds, result.summary()


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="with the leader community's default volunteers (0.5 % best-connected members, the "
    "peer hubs) the leader's departure removes about half of the member-member messages (52 %; "
    "the 95 % CI of share lost - 0.5 is [-0.043, 0.075]): volunteers carry the rest; with as "
    "many volunteers placed at random 90 % is lost, with Structure(volunteers=0) 94 %",
)
def test_leader_departure_loses_most_activity() -> None:
    result = SCENARIOS["leader_departure"](rng=SEED)
    assert result.holds, result.summary()


@pytest.mark.slow
def test_leader_departure_loses_activity() -> None:
    # the weaker claim (the leader's departure costs activity) does hold
    r = SCENARIOS["leader_departure"](runs=6, n=600, rng=SEED)
    lost = 1.0 - r.values[:, 1] / r.values[:, 0]
    c = Contrast.of("lost", lost)
    assert c.holds


def test_executor_gives_identical_result() -> None:
    serial = open_rate_vs_audience(runs=4, n=300, rng=3)
    with ThreadPoolExecutor(2) as pool:
        threaded = open_rate_vs_audience(runs=4, n=300, rng=3, executor=pool)
    assert serial == threaded


def test_trajectories_kept_on_request() -> None:
    r = open_rate_vs_audience(runs=2, n=200, rng=0, keep_trajectories=True)
    assert r.trajectories is not None and len(r.trajectories) == 2
    assert len(r.trajectories[0]) == 2


def test_bad_input() -> None:
    with pytest.raises(InvalidParameterError, match=r"open_rate_vs_audience\.runs.*got 1"):
        open_rate_vs_audience(runs=1)
    with pytest.raises(InvalidParameterError, match=r"open_rate_vs_audience\.n.*got 10"):
        open_rate_vs_audience(n=10)


def test_result_contrast_and_reports() -> None:
    r = ScenarioResult(
        name="x",
        behaviour="b",
        seed="000",
        metric="m",
        arms=("A", "B"),
        values=np.array([[2.0, 1.0], [3.0, 1.0]]),
        contrasts=(
            Contrast.of("A − B", np.array([1.0, 2.0, 3.0, 2.0])),
            Contrast.of("never", np.array([-1.0, 1.0])),
        ),
    )
    assert r.means == {"A": 2.5, "B": 1.0}
    assert not r.holds and r.contrasts[0].holds
    # Student-t 95 % CI of [1, 2, 3, 2]: 2 ± t(0.975, 3) · s / 2 with t = 3.182446, s = 0.816497
    assert r.conf_int()["A − B"][0] == pytest.approx(2.0 - 3.1824463 * 0.8164966 / 2, rel=1e-6)
    # 90 %: t(0.95, 3) = 2.3533634
    assert r.conf_int(0.9)["A − B"][1] == pytest.approx(2.0 + 2.3533634 * 0.8164966 / 2, rel=1e-6)
    with pytest.warns(DeprecationWarning, match="conf_int"):
        assert r.ci == r.conf_int()["A − B"]
    assert "NOT shown" in str(r.summary()) and "<table>" in r._repr_html_()
    assert repr(r) == "ScenarioResult(name='x', runs=2, arms=('A', 'B'))"


def test_niche_share_counts_no_customer_won_as_no_niche_adoption() -> None:
    # 60 members for 4 weeks: some runs win no customer in an arm; the share there is 0/0,
    # which the scenario counts as no niche adoption (0) and says so, never NaN
    from shequn.exceptions import ShequnWarning
    from shequn.scenarios import niche_share_wom_vs_broadcast

    with pytest.warns(ShequnWarning, match=r"no customer won \(.*of 4 runs.*counts as 0"):
        r = niche_share_wom_vs_broadcast(runs=4, n=60, weeks=4, rng=0, keep_trajectories=True)
    assert np.isfinite(r.values).all() and r.contrasts[0].values.size == 4
    # recomputed from the kept trajectories' weekly columns
    assert r.trajectories is not None
    nobody = 0
    for row, trajs in zip(r.values, r.trajectories, strict=True):
        for share, t in zip(row, trajs, strict=True):
            first = t.column("first_units").sum()
            nobody += first == 0
            expected = t.column("first_niche_units").sum() / first if first else 0.0
            assert share == pytest.approx(expected)
    assert nobody > 0  # the case under test did occur
    diff = r.values[:, 0] - r.values[:, 1]
    assert r.contrasts[0].mean == pytest.approx(diff.mean())


def test_a_contrast_defined_in_fewer_than_two_runs_is_refused() -> None:
    from shequn.exceptions import ConvergenceError, ShequnWarning
    from shequn.scenarios.behaviours import _finish

    outs = [((1.0, float("nan")), ()), ((2.0, 1.0), ()), ((3.0, float("nan")), ())]
    with (
        pytest.warns(ShequnWarning, match="undefined in 2 of 3 runs"),
        pytest.raises(ConvergenceError, match=r"'A − B' is defined in 1 of 3 runs.*more members"),
    ):
        _finish(
            "x", "b", "000", "m", ("A", "B"), outs, [("A − B", lambda v: v[:, 0] - v[:, 1])], False
        )


@pytest.mark.parametrize("name", [*SCENARIOS, "referral_rewards_cac"])
@pytest.mark.parametrize("keep", ["no", 1, None])
def test_keep_trajectories_must_be_a_bool(name: str, keep: object) -> None:
    from shequn.scenarios import referral_rewards_cac

    fn = referral_rewards_cac if name == "referral_rewards_cac" else SCENARIOS[name]
    with pytest.raises(InvalidParameterError, match=rf"`{name}\.keep_trajectories` must be True"):
        fn(runs=2, n=60, weeks=1, rng=0, keep_trajectories=keep)


@pytest.mark.parametrize(
    ("label", "values", "message"),
    [
        ("x", [1.0, float("nan"), 2.0], r"`Contrast\.of\.values` must be finite \(index 1\)"),
        ("x", [1.0, 2.0, float("inf")], r"`Contrast\.of\.values` must be finite \(index 2\)"),
        ("x", None, r"`Contrast\.of\.values` must be a numeric array"),
        ("x", "abc", r"`Contrast\.of\.values` must be a numeric array"),
        ("x", {"a": 1}, r"`Contrast\.of\.values` must be a numeric array"),
        ("x", [[1.0, 2.0]], r"`Contrast\.of\.values` must be 1-dimensional"),
        (1, [1.0, 2.0], r"`Contrast\.of\.label` must be a string"),
        (None, [1.0, 2.0], r"`Contrast\.of\.label` must be a string"),
    ],
)
def test_contrast_refuses_bad_input(label: object, values: object, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        Contrast.of(label, values)  # type: ignore[arg-type]


def test_contrast_of_one_value_or_none_has_no_interval() -> None:
    c = Contrast.of("x", [2.0])
    assert c.mean == 2.0 and np.isnan(c.lo) and np.isnan(c.hi) and not c.holds
    e = Contrast.of("x", [])
    assert np.isnan([e.mean, e.lo, e.hi]).all() and not e.holds


def test_progress_and_memory() -> None:
    seen: list[tuple[int, int]] = []
    with_bar = open_rate_vs_audience(
        runs=3, n=100, rng=4, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert with_bar == open_rate_vs_audience(runs=3, n=100, rng=4)  # the same streams
    with ThreadPoolExecutor(2) as pool:
        seen.clear()
        threaded = open_rate_vs_audience(
            runs=3, n=100, rng=4, executor=pool, progress=lambda d, t: seen.append((d, t))
        )
    assert threaded == with_bar and seen[-1] == (3, 3)
    with pytest.raises(InvalidParameterError, match=r"open_rate_vs_audience\.runs.*memory"):
        open_rate_vs_audience(runs=10**15, n=100, keep_trajectories=True)
    with pytest.raises(InvalidParameterError, match=r"open_rate_vs_audience\.n.*memory"):
        open_rate_vs_audience(runs=2, n=10**15)
    with pytest.raises(InvalidParameterError, match=r"open_rate_vs_audience\.progress"):
        open_rate_vs_audience(runs=2, n=100, progress="yes")
