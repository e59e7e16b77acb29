"""Figures of the twin and of strategy comparisons: drawn, labelled, non-blank, lines only."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

from shequn.community import generate_community
from shequn.exceptions import ShequnWarning
from shequn.operating import OperatingModel
from shequn.twin import EngineSetup, calibrate, compare_strategies, emit_records


@pytest.fixture(scope="module")
def twin():  # type: ignore[no-untyped-def]
    setup = EngineSetup.of(generate_community("brand", 150, rng=0), OperatingModel())
    rec = emit_records(setup, weeks=6, rng=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShequnWarning)
        return calibrate(
            rec,
            free=("peer_talk",),
            setup=setup,
            design=32,
            replications=2,
            pilot=8,
            draws=60,
            predictive=20,
            rng=0,
        )


def _png_std(fig) -> float:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return float(plt.imread(io.BytesIO(buf.getvalue())).std())


def test_twin_figures(twin) -> None:  # type: ignore[no-untyped-def]
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shequn.plotting.twin import plot_posterior, twin_section

    fig, (a, b) = plt.subplots(1, 2)
    assert twin.plot(ax=a) is a  # the dispatcher: the first series' band
    lo, _, hi = twin.predictive.bands[twin.series[0]]
    assert np.array_equal(a.lines[0].get_ydata(), lo) and np.array_equal(a.lines[1].get_ydata(), hi)
    assert a.lines[-1].get_label() == "observed" and a.get_xlabel() == "week"
    plot_posterior(twin, ax=b)
    assert b.get_ylabel() == "peer_talk" and not b.patches
    assert _png_std(fig) > 0.01
    plt.close(fig)
    html = twin_section(twin)
    assert html.count("<svg") == len(twin.series) and "The calibrated twin" in html


def test_strategy_figure(twin) -> None:  # type: ignore[no-untyped-def]
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    om = OperatingModel()
    r = compare_strategies(twin, {"now": om, "same": om}, weeks=4, runs=4, rng=0)
    ax = r.plot()
    labels = [ln.get_label() for ln in ax.lines if not ln.get_label().startswith("_")]
    assert labels == ["now", "same"] and ax.get_ylabel() == "cumulative profit"
    assert np.allclose(ax.lines[0].get_ydata(), np.cumsum(r.weekly_profit, axis=2)[:, 0].mean(0))
    assert _png_std(ax.figure) > 0.01
    plt.close("all")
