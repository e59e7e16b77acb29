"""Figures of a community's records and health (matplotlib, the ``plot`` extra; lines only).

* :func:`plot_weekly` — weekly observed series (:class:`~shequn.records.WeeklySeries`);
* :func:`plot_stages` — the share of members in each ladder stage, week by week
  (:class:`~shequn.records.StageHistory`);
* :func:`plot_health` — one panel of a :class:`~shequn.records.HealthReport`
  (``kind="series"``, ``"stages"``, ``"rings"``, ``"clv"`` or ``"open_rate"``);
* :func:`health_figures` — the report's figure set; :func:`health_section` — the report as an
  HTML ``<section>`` with its tables and figures (inline SVG), for the CLI's HTML report.

Every function draws on ``ax`` (a new figure's Axes when ``None``) and returns the Axes.

Examples
--------
>>> _ = __import__("pytest").importorskip("matplotlib")
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from shequn.records import load_records
>>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 1]}, end=3)
>>> plot_weekly(r.weekly(), names=["members"]).get_ylabel()
'per week'
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from shequn._optional import optional_import
from shequn._validation import check_choice, check_instance, fail
from shequn.loyalty.stages import Stage

if TYPE_CHECKING:
    from shequn.records import HealthReport, StageHistory, WeeklySeries

__all__ = ["health_figures", "health_section", "plot_health", "plot_stages", "plot_weekly"]

KINDS = ("series", "stages", "rings", "clv", "open_rate")
"""The panels of :func:`plot_health`."""


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    plt = optional_import("matplotlib.pyplot", extra="plot")
    _, new = plt.subplots()
    return new


def _check_report(report: Any, owner: str) -> None:
    from shequn.records import HealthReport

    check_instance(report, HealthReport, owner=owner, field="report")


def plot_weekly(
    series: WeeklySeries,
    *,
    names: list[str] | tuple[str, ...] = ("members", "active", "member_buyers"),
    ax: Any = None,
) -> Any:
    """Weekly observed series as lines (weeks 1 onward; ``members`` from week 0).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.records import WeeklySeries
    >>> ax = plot_weekly(WeeklySeries(columns={"members": [3, 4, 5], "active": [0, 2, 1]}),
    ...                  names=["members", "active"])
    >>> [line.get_label() for line in ax.lines]
    ['members', 'active']
    """
    from shequn.records import WeeklySeries

    check_instance(series, WeeklySeries, owner="plot_weekly", field="series")
    names = series.check_names(names, owner="plot_weekly")
    ax = _axes(ax)
    for name in names:
        y = series[name]
        first = 0 if name == "members" else 1
        ax.plot(np.arange(first, y.size), y[first:], label=name)
    ax.set_xlabel("week")
    ax.set_ylabel("per week")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_stages(history: StageHistory, *, ax: Any = None) -> Any:
    """Share of present members in each stage (customer to friend), week by week.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.records import StageHistory
    >>> h = StageHistory(stages=np.array([[1, 2, 3], [0, 1, 1]], dtype=np.int8), source="rule")
    >>> ax = plot_stages(h)
    >>> ax.lines[1].get_ydata().tolist()       # users among present members
    [0.0, 0.5, 0.0]
    """
    from shequn.records import StageHistory

    check_instance(history, StageHistory, owner="plot_stages", field="history")
    ax = _axes(ax)
    c = history.counts().astype(float)
    present = c[:, : int(Stage.LAPSED)].sum(axis=1)
    share = np.divide(c, present[:, None], out=np.zeros_like(c), where=present[:, None] > 0)
    weeks = np.arange(c.shape[0])
    for s in (Stage.CUSTOMER, Stage.USER, Stage.FAN, Stage.FRIEND):
        ax.plot(weeks, share[:, int(s)], label=s.name.lower())
    ax.set_xlabel("week")
    ax.set_ylabel("share of members")
    ax.set_title(f"ladder stages ({history.source})")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_health(report: HealthReport, *, kind: str = "series", ax: Any = None) -> Any:
    """One panel of a health report (see :data:`KINDS`).

    ``"series"``: members, active members and buyers per week; ``"stages"``: the stage mix;
    ``"rings"``: members at each distance from the hub (差序格局) and the reach of a launch
    through the best-connected members (二三级人脉); ``"clv"``: the lifetime values of
    members and of other customers, each sorted (a line per group); ``"open_rate"``: the
    observed open rate against the audience with the fitted law.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.records import health, load_records
    >>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 0]},
    ...                  ties={"a": [1, 2], "b": [2, 3]})
    >>> plot_health(health(r), kind="rings").get_xlabel()
    'distance (steps)'
    """
    _check_report(report, "plot_health")
    check_choice(kind, list(KINDS), owner="plot_health", field="kind")
    ax = _axes(ax)
    if kind == "series":
        return plot_weekly(report.series, ax=ax)
    if kind == "stages":
        return plot_stages(report.stages, ax=ax)
    if kind == "rings":
        rings = report.rings
        ax.plot(np.arange(rings.size), rings, marker="o", label="around the hub")
        reach = report.reach
        ax.plot(np.arange(reach.size), reach, marker="s", label="from the launch seeds")
        ax.set_xlabel("distance (steps)")
        ax.set_ylabel("members")
        ax.legend(loc="best", fontsize="small")
        return ax
    if kind == "clv":
        if report.clv is None:
            raise fail("plot_health", "kind", "be 'clv' only when the report has CLVs", kind)
        clv = np.asarray(report.clv["clv"])
        mem = np.asarray(report.clv["member"], dtype=bool)
        for label, sel in (("members", mem), ("others", ~mem)):
            if sel.any():
                v = np.sort(clv[sel])[::-1]
                ax.plot(np.linspace(0, 1, v.size), v, label=label)
        ax.set_xlabel("customers, highest value first (share)")
        ax.set_ylabel("lifetime value")
        ax.legend(loc="best", fontsize="small")
        return ax
    fit = report.open_rate
    if fit is None:
        raise fail("plot_health", "kind", "be 'open_rate' only with broadcast logs", kind)
    from shequn.plotting.bass import plot_open_rate

    log = report.broadcast_log
    assert log is not None
    return plot_open_rate(fit, log["audience"], log["opens"], ax=ax)


def health_figures(report: HealthReport) -> dict[str, Any]:
    """The report's figures by kind (each a new matplotlib Figure; only those with data).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.records import health, load_records
    >>> r = load_records(members={"member": [1, 2], "joined": [0, 0]}, ties={"a": [1], "b": [2]})
    >>> sorted(health_figures(health(r)))
    ['rings', 'series', 'stages']
    """
    _check_report(report, "health_figures")
    plt = optional_import("matplotlib.pyplot", extra="plot")
    out = {}
    for kind in KINDS:
        if kind == "clv" and report.clv is None:
            continue
        if kind == "open_rate" and report.open_rate is None:
            continue
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
        plot_health(report, kind=kind, ax=ax)
        fig.tight_layout()
        out[kind] = fig
    return out


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    text = buf.getvalue()
    return text[text.find("<svg") :]


def health_section(report: HealthReport) -> str:
    """The health report as an HTML ``<section>``: tables, then the figures as inline SVG.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.records import health, load_records
    >>> r = load_records(members={"member": [1, 2], "joined": [0, 0]}, ties={"a": [1], "b": [2]})
    >>> html = health_section(health(r))
    >>> html.startswith("<section") and html.count("<svg") == 3
    True
    """
    _check_report(report, "health_section")
    plt = optional_import("matplotlib.pyplot", extra="plot")
    body = report.to_html()
    figs = health_figures(report)
    parts = []
    for kind, fig in figs.items():
        parts.append(f"<figure class='shequn-{kind}'>{_svg(fig)}</figure>")
        plt.close(fig)
    return body.replace("</section>", "".join(parts) + "</section>")
