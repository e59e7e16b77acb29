"""Every main result draws: a PNG that is not blank, labelled axes, and the data it claims.

Each figure is saved to a PNG and read back: a blank canvas has (almost) no pixel variance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import shequn.plotting as plotting  # noqa: E402
from shequn.community import Community, distance_rings, generate_community  # noqa: E402
from shequn.diffusion import imm, independent_cascade  # noqa: E402
from shequn.loyalty.ladder import default_ladder  # noqa: E402
from shequn.operating import OperatingModel  # noqa: E402
from shequn.simulation import simulate  # noqa: E402


def _check_png(ax: Any, path: Path) -> None:
    ax.figure.savefig(path, dpi=60)
    img = plt.imread(path)
    assert img.std() > 0.02, "the figure is blank"
    assert ax.get_xlabel(), "no x label"
    if ax.get_xticks().size:  # the network drawing has no ticks and no y label
        assert ax.get_ylabel(), "no y label"
    plt.close(ax.figure)


@pytest.fixture(scope="module")
def trajectory() -> Any:
    return simulate(generate_community("brand", 200, rng=1), OperatingModel(), weeks=8, rng=2)


@pytest.mark.parametrize("what", ["stages", "activity", "money"])
def test_trajectory(trajectory: Any, what: str, tmp_path: Path) -> None:
    ax = plotting.plot_trajectory(trajectory, what=what)
    if what == "stages":  # the stacked stages add up to the members present
        top = ax.collections[-1].get_paths()[0].vertices[:, 1].max()
        assert top == pytest.approx(float(trajectory.members.max()))
    if what == "money":
        np.testing.assert_allclose(ax.lines[0].get_ydata(), trajectory.revenue)
    _check_png(ax, tmp_path / f"t_{what}.png")


def test_result_plot_dispatches_to_the_registered_function(trajectory: Any, tmp_path: Path) -> None:
    fig, (a, b) = plt.subplots(1, 2)
    assert plotting.plot(trajectory, ax=a, what="money") is a
    plotting.plot_trajectory(trajectory, what="money", ax=b)
    for la, lb in zip(a.lines, b.lines, strict=True):
        np.testing.assert_array_equal(la.get_xydata(), lb.get_xydata())
    plt.close(fig)


@pytest.mark.parametrize("what", ["curve", "sizes"])
def test_diffusion_result(what: str, tmp_path: Path) -> None:
    res = independent_cascade(nx.star_graph(12), [0], p=0.4, runs=200, rng=3)
    ax = res.plot(what=what) if hasattr(res, "plot") else plotting.plot(res, what=what)
    if what == "curve":
        m, _, _ = res.mean_curve()
        np.testing.assert_allclose(ax.lines[0].get_ydata(), m)
    else:
        assert sum(p.get_height() for p in ax.patches) == res.runs
    _check_png(ax, tmp_path / f"d_{what}.png")


def test_seed_set(tmp_path: Path) -> None:
    c = generate_community("brand", 300, rng=4)
    s = imm(c, 5, p=0.05, epsilon=0.3, rng=5)
    ax = plotting.plot(s)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.cumsum(s.scores))
    _check_png(ax, tmp_path / "seeds.png")


@pytest.mark.parametrize("what", ["degree", "rings", "network"])
def test_community(what: str, tmp_path: Path) -> None:
    c = Community.from_graph(nx.karate_club_graph(), weight=None)
    ax = plotting.plot(c, what=what)
    if what == "rings":
        heights = [p.get_height() for p in ax.patches]
        assert heights == distance_rings(c, int(np.argmax(c.degree))).tolist()[1:]
    if what == "degree":  # the share with at least the smallest degree is everyone
        assert ax.lines[0].get_ydata()[0] == pytest.approx(1.0)
    if what == "network":
        assert ax.collections[-1].get_offsets().shape == (34, 2)
    _check_png(ax, tmp_path / f"c_{what}.png")


def test_community_coloured_by_stage_and_refusals(tmp_path: Path) -> None:
    from shequn.exceptions import InvalidParameterError

    c = Community.from_graph(nx.path_graph(6))
    ax = plotting.plot_community(c, what="network", stages=[0, 1, 2, 3, 4, 5])
    assert len(ax.get_legend().get_texts()) == 6
    _check_png(ax, tmp_path / "stages.png")
    with pytest.raises(InvalidParameterError, match=r"plot_community\.stages"):
        plotting.plot_community(c, what="network", stages=[9] * 6)
    big = generate_community("sharing", 2100, rng=0)
    with pytest.raises(InvalidParameterError, match="at most 2,000 members"):
        plotting.plot_community(big, what="network")
    plt.close("all")


def test_ladder(tmp_path: Path) -> None:
    lad = default_ladder()
    ax = plotting.plot(lad, steps=12)
    total = sum(np.asarray(line.get_ydata()) for line in ax.lines)
    np.testing.assert_allclose(total, 1.0)  # shares of one cohort
    np.testing.assert_allclose(ax.lines[1].get_ydata(), lad.project([0, 1, 0, 0, 0, 0], 12)[:, 1])
    _check_png(ax, tmp_path / "ladder.png")


@pytest.mark.parametrize("what", ["runs", "weekly"])
def test_scenario_result(what: str, tmp_path: Path) -> None:
    from shequn.scenarios import open_vs_owner_invitations

    r = open_vs_owner_invitations(runs=3, n=150, weeks=4, rng=6, keep_trajectories=True)
    ax = plotting.plot(r, what=what)
    if what == "runs":  # one dot per run and arm
        assert sum(len(c.get_offsets()) for c in ax.collections[::2]) >= 2 * 3
    else:
        want = np.mean([run[0].members for run in r.trajectories], axis=0)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), want)
    _check_png(ax, tmp_path / f"s_{what}.png")
    fig = plotting.scenario_figure(r)
    fig.savefig(tmp_path / "both.png")
    assert len(fig.axes) == 2
    plt.close(fig)


def test_scenario_run(tmp_path: Path) -> None:
    from shequn.io.scenario import loads_scenario, summarise_runs
    from shequn.rng import map_runs

    s = loads_scenario(
        'weeks = 3\n[community]\ntype = "brand"\nsize = 80\n[arms.a]\n[arms.b]\npreset = "silent"\n'
    )
    run = summarise_runs(s, map_runs(s.run_once, runs=3, rng=1), seed=1)
    ax = plotting.plot(run, metric="members")
    _check_png(ax, tmp_path / "run.png")
    ax = plotting.plot_scenario_run(run, what="weekly", series="revenue")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), run.weekly["a"]["revenue"].mean(axis=0))
    _check_png(ax, tmp_path / "run_weekly.png")


def test_money_ticks_have_separators(trajectory: Any) -> None:
    ax = plotting.plot_trajectory(trajectory, what="money")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("e+" in t or "1e" in t for t in labels)
    plt.close("all")


def test_everything_is_exported() -> None:
    for name in (
        "plot_trajectory",
        "plot_ladder",
        "plot_diffusion",
        "plot_seed_set",
        "plot_community",
        "plot_scenario",
        "plot_scenario_run",
        "scenario_figure",
        "plot_bass_forecast",
        "plot_ccdf",
    ):
        assert name in plotting.__all__ and callable(getattr(plotting, name))
