"""Tests of the long-tail CCDF plot."""

from __future__ import annotations

import numpy as np
import pytest

from shequn.longtail import fit_powerlaw, sample_powerlaw


def test_plot_ccdf_draws_data_and_fit() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shequn.plotting.longtail import empirical_ccdf, plot_ccdf

    fit = fit_powerlaw(sample_powerlaw(400, alpha=2.2, xmin=1.0, rng=1), compare_with=())
    fig, ax = plt.subplots()
    out = plot_ccdf(fit, ax=ax)
    assert out is ax and ax.get_xscale() == "log" and len(ax.lines) == 3
    _, p = empirical_ccdf(fit)
    assert np.allclose(ax.lines[0].get_ydata(), p)
    # the fitted line starts at n_tail / n at xmin
    assert ax.lines[1].get_ydata()[0] == pytest.approx(fit.n_tail / fit.n)
    plt.close(fig)
    ax2 = plot_ccdf(fit, show_fit=False)
    assert len(ax2.lines) == 1
    plt.close("all")


def test_fit_plot_shortcut_is_plot_ccdf() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shequn.plotting.longtail import plot_ccdf

    fit = fit_powerlaw(sample_powerlaw(300, alpha=2.5, xmin=1.0, rng=4), compare_with=())
    fig, (a, b) = plt.subplots(1, 2)
    assert fit.plot(ax=a) is a
    plot_ccdf(fit, ax=b)
    for la, lb in zip(a.lines, b.lines, strict=True):
        np.testing.assert_array_equal(la.get_xydata(), lb.get_xydata())
    plt.close(fig)
