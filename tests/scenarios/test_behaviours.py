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


def test_undefined_metric_warns_and_contrasts_use_the_defined_runs() -> None:
    # 60 members for 4 weeks: some runs win no customer, so their niche share is undefined
    from shequn.exceptions import ShequnWarning
    from shequn.scenarios import niche_share_wom_vs_broadcast

    with pytest.warns(ShequnWarning, match=r"undefined in \d+ of 4 runs"):
        r = niche_share_wom_vs_broadcast(runs=4, n=60, weeks=4, rng=0)
    diff = r.values[:, 0] - r.values[:, 1]
    finite = diff[np.isfinite(diff)]
    assert r.contrasts[0].values.size == finite.size < 4
    assert r.contrasts[0].mean == pytest.approx(finite.mean())


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
