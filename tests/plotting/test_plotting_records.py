"""Figures of records and health reports: drawn, labelled, non-blank, lines only."""

from __future__ import annotations

import io

import numpy as np
import pytest

from shequn.diffusion.reach import PowerOpenRate
from shequn.records import health, load_records


def _report():  # type: ignore[no-untyped-def]
    gen = np.random.default_rng(0)
    n = 60
    audience = np.geomspace(50, 5000, 8).round()
    return health(
        load_records(
            members={"member": list(range(n)), "joined": [0] * 50 + [2] * 10},
            ties={"a": list(range(n - 1)), "b": list(range(1, n))},
            messages={
                "time": gen.uniform(0, 8, 200),
                "sender": gen.integers(0, n, 200),
                "group": ["g"] * 200,
            },
            transactions={
                "customer": gen.integers(0, 90, 400),
                "time": np.round(gen.uniform(0, 8, 400), 3),
                "amount": gen.gamma(3.0, 10.0, 400),
            },
            broadcasts={
                "time": np.arange(1, 9),
                "audience": audience,
                "opens": gen.binomial(
                    audience.astype(int), PowerOpenRate(r0=0.3, beta=0.4)(audience)
                ),
            },
            end=8,
        )
    )


@pytest.mark.parametrize("kind", ["series", "stages", "rings", "clv", "open_rate"])
def test_every_health_panel_draws(kind: str) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shequn.plotting import plot
    from shequn.plotting.records import plot_health

    report = _report()
    fig, ax = plt.subplots()
    assert plot_health(report, kind=kind, ax=ax) is ax
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.lines and not ax.patches[1:]  # lines, no bars
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    img = plt.imread(io.BytesIO(buf.getvalue()))
    assert img.std() > 0.01  # not blank
    plt.close(fig)
    if kind == "series":
        ax2 = plot(report)  # the dispatcher draws a report's default panel
        assert [ln.get_label() for ln in ax2.lines] == [ln.get_label() for ln in ax.lines]
        plt.close("all")


def test_health_section_embeds_every_figure() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from shequn.plotting.records import health_section

    html = health_section(_report())
    assert html.count("<svg") == 5 and html.endswith("</section>")
    assert "Community health" in html
