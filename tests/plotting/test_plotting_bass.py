"""Plots of the Bass family draw what they claim (headless Agg backend)."""

from __future__ import annotations

import numpy as np
import pytest

from shequn.diffusion.bass import Bass, fit_bass
from shequn.diffusion.reach import BroadcastCampaign, compare_budget, fit_open_rate
from shequn.exceptions import InvalidParameterError

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

from shequn.plotting.bass import (  # noqa: E402
    plot_bass_forecast,
    plot_budget_comparison,
    plot_open_rate,
)


def test_forecast_plot_draws_fit_band_and_split() -> None:
    b = Bass(p=0.03, q=0.38, m=1000.0)
    fit = fit_bass(b.adoptions(12) + (-1.0) ** np.arange(12))
    fig, ax = plt.subplots()
    out = plot_bass_forecast(fit, periods=20, ax=ax)
    assert out is ax
    fitted_line = ax.lines[0]
    np.testing.assert_allclose(fitted_line.get_ydata(), fit.predict(20).adoptions)
    inn, imi = ax.lines[1].get_ydata(), ax.lines[2].get_ydata()
    np.testing.assert_allclose(np.asarray(inn) + np.asarray(imi), fit.model.adoptions(20))
    assert len(ax.patches) == 12  # one bar per observed period
    with pytest.raises(InvalidParameterError, match=r"plot_bass_forecast\.periods"):
        plot_bass_forecast(fit, periods=0, ax=ax)
    plt.close(fig)


def test_open_rate_and_comparison_plots() -> None:
    a = np.array([100.0, 1000.0, 10000.0, 100000.0])
    opens = np.array([30, 200, 1000, 5000])
    ax = plot_open_rate(fit_open_rate(a, opens), a, opens)
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], opens / a)
    plt.close(ax.figure)
    sms = BroadcastCampaign(audience=1, open_rate=0.1, click_rate=0.01, cost_per_impression=0.05)
    cmp = compare_budget(100, broadcast=sms, community=lambda b, g: 4, runs=10, rng=0)
    ax = plot_budget_comparison(cmp)
    assert "community" in ax.get_legend().get_texts()[1].get_text()
    plt.close(ax.figure)


def test_result_plot_shortcuts_draw_the_same_figures() -> None:
    fit = fit_bass(Bass(p=0.03, q=0.38, m=1000.0).adoptions(12) + (-1.0) ** np.arange(12))
    fig, (a, b) = plt.subplots(1, 2)
    assert fit.plot(periods=20, ax=a) is a
    plot_bass_forecast(fit, periods=20, ax=b)
    for la, lb in zip(a.lines, b.lines, strict=True):
        np.testing.assert_array_equal(la.get_xydata(), lb.get_xydata())
    plt.close(fig)
    sms = BroadcastCampaign(audience=1, open_rate=0.1, click_rate=0.01, cost_per_impression=0.05)
    cmp = compare_budget(100, broadcast=sms, community=lambda b, g: 4, runs=10, rng=0)
    ax = cmp.plot()
    assert len(ax.patches) == len(plot_budget_comparison(cmp).patches)
    plt.close("all")
