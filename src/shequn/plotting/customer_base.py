"""Diagnostics of customer-base models: the figures lifetimes users know.

Each function draws one result of :mod:`shequn.loyalty.customer_base.diagnostics` on ``ax``
(a new figure's Axes when ``None``) and returns the Axes; each result's ``plot()`` calls it
(:data:`shequn.plotting.PLOTTERS`). matplotlib is imported lazily (extra ``plot``).

* :func:`plot_tracking` — cumulative or incremental repeat transactions, actual and model,
  with the end of calibration marked;
* :func:`plot_alive_path` — one customer's P(alive) history with her purchases;
* :func:`plot_frequency_recency` — P(alive) or expected purchases over frequency × recency;
* :func:`plot_calibration_holdout` — mean holdout purchases by calibration frequency;
* :func:`plot_period_transactions` — customers by repeat purchases, actual and model.

Examples
--------
>>> matplotlib = __import__("pytest").importorskip("matplotlib")
>>> matplotlib.use("Agg")
>>> from shequn.loyalty.customer_base import BGNBD
>>> from shequn.loyalty.customer_base.diagnostics import frequency_recency_matrix
>>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> ax = frequency_recency_matrix(m, T=39.0, kind="p_alive").plot()
>>> ax.get_xlabel(), ax.get_ylabel()
('recency (time of last purchase)', 'frequency (repeat purchases)')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shequn._optional import optional_import
from shequn._validation import check_choice, fail
from shequn.loyalty.customer_base.diagnostics import (
    AlivePath,
    CalibrationHoldout,
    FrequencyRecencyMatrix,
    PeriodTransactions,
    Tracking,
)

__all__ = [
    "plot_alive_path",
    "plot_calibration_holdout",
    "plot_frequency_recency",
    "plot_period_transactions",
    "plot_tracking",
]


def _axes(ax: Any) -> Any:
    plt = optional_import("matplotlib.pyplot", extra="plot")
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _check(result: Any, cls: type, owner: str) -> None:
    if not isinstance(result, cls):
        raise fail(owner, "result", f"be a {cls.__name__}", type(result).__name__)


def plot_tracking(result: Tracking, *, ax: Any = None, kind: str = "cumulative") -> Any:
    """Actual and expected repeat transactions per period, the calibration end dashed.

    ``kind`` is ``"cumulative"`` or ``"incremental"`` (transactions in each period).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.loyalty.customer_base import BGNBD
    >>> from shequn.loyalty.customer_base.diagnostics import tracking
    >>> tr = tracking(BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5), [1, 1, 2, 2], [0, 30, 7, 50],
    ...               calibration_end=40, period="days")
    >>> plot_tracking(tr, kind="incremental").get_ylabel()
    'repeat transactions per day'
    """
    _check(result, Tracking, "plot_tracking")
    which = check_choice(kind, ["cumulative", "incremental"], owner="plot_tracking", field="kind")
    ax = _axes(ax)
    unit = 7.0 if result.period == "weeks" else 1.0
    t = result.time / unit
    if which == "cumulative":
        a, e = result.actual, result.expected
        ylabel = "cumulative repeat transactions"
    else:
        a, e = result.actual_incremental, result.expected_incremental
        ylabel = f"repeat transactions per {result.period[:-1]}"
    ax.plot(t, a, color="black", label="actual")
    ax.plot(t, e, color="tab:blue", linestyle="--", label="model")
    ax.axvline(
        result.calibration_end / unit, color="grey", linestyle=":", label="end of calibration"
    )
    ax.set_xlabel(f"{result.period} since the cohort's first purchase")
    ax.set_ylabel(ylabel)
    ax.set_title("Tracking: actual vs model")
    ax.legend()
    return ax


def plot_alive_path(result: AlivePath, *, ax: Any = None) -> Any:
    """One customer's P(alive) over time, her repeat purchases marked.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.loyalty.customer_base import BGNBD
    >>> from shequn.loyalty.customer_base.diagnostics import alive_path
    >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> [float(v) for v in plot_alive_path(alive_path(m, [0, 3, 9], end=40)).get_ylim()]
    [0.0, 1.05]
    """
    _check(result, AlivePath, "plot_alive_path")
    ax = _axes(ax)
    ax.plot(result.time, result.p_alive, color="tab:blue", label="P(alive)")
    for i, t in enumerate(result.purchases):
        ax.axvline(
            t,
            color="grey",
            linewidth=0.8,
            linestyle=":",
            label="repeat purchase" if i == 0 else None,
        )
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("time since first purchase")
    ax.set_ylabel("P(alive)")
    ax.set_title("P(alive) history")
    ax.legend()
    return ax


def plot_frequency_recency(result: FrequencyRecencyMatrix, *, ax: Any = None, **kwargs: Any) -> Any:
    """The matrix as a heat map (frequency down, recency across) with a colour bar.

    Extra keyword arguments go to ``imshow`` (e.g. ``cmap``).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.loyalty.customer_base import ParetoNBD
    >>> from shequn.loyalty.customer_base.diagnostics import frequency_recency_matrix
    >>> m = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    >>> ax = plot_frequency_recency(frequency_recency_matrix(m, T=39.0, max_frequency=10))
    >>> ax.get_title()
    'Expected purchases in the next 1 (T = 39)'
    """
    _check(result, FrequencyRecencyMatrix, "plot_frequency_recency")
    ax = _axes(ax)
    style = {"cmap": "viridis", "aspect": "auto", "origin": "upper", "interpolation": "nearest"}
    style.update(kwargs)
    ext = (
        float(result.recency[0]),
        float(result.recency[-1]),
        float(result.frequency[-1]) + 0.5,
        float(result.frequency[0]) - 0.5,
    )
    im = ax.imshow(np.ma.masked_invalid(result.values), extent=ext, **style)
    what = "P(alive)" if result.kind == "p_alive" else "expected purchases"
    ax.figure.colorbar(im, ax=ax, label=what)
    ax.set_xlabel("recency (time of last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    if result.kind == "p_alive":
        ax.set_title(f"P(alive) (T = {result.T:g})")
    else:
        ax.set_title(f"Expected purchases in the next {result.t:g} (T = {result.T:g})")
    return ax


def plot_calibration_holdout(result: CalibrationHoldout, *, ax: Any = None) -> Any:
    """Mean holdout purchases by calibration frequency: actual and model.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
    >>> from shequn.loyalty.customer_base.diagnostics import calibration_holdout
    >>> s = load_cdnow_sample().rfm()
    >>> ax = plot_calibration_holdout(calibration_holdout(BGNBD.fit(data=s).model, s))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['actual', 'model']
    """
    _check(result, CalibrationHoldout, "plot_calibration_holdout")
    ax = _axes(ax)
    f = result.frequency
    ax.plot(f, result.actual, marker="o", color="black", label="actual")
    ax.plot(f, result.expected, marker="s", linestyle="--", color="tab:blue", label="model")
    labels = [str(int(v)) for v in f]
    labels[-1] += "+"
    ax.set_xticks(f, labels)
    ax.set_xlabel("purchases in calibration")
    ax.set_ylabel(f"mean purchases in holdout ({result.holdout_length:g})")
    ax.set_title("Calibration vs holdout purchases")
    ax.legend()
    return ax


def plot_period_transactions(result: PeriodTransactions, *, ax: Any = None) -> Any:
    """Customers by repeat purchases in calibration: actual and model, side by side.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
    >>> from shequn.loyalty.customer_base.diagnostics import period_transactions
    >>> s = load_cdnow_sample().rfm()
    >>> ax = plot_period_transactions(period_transactions(BGNBD.fit(data=s).model, s.frequency,
    ...                                                   s.T))
    >>> len(ax.patches)
    16
    """
    _check(result, PeriodTransactions, "plot_period_transactions")
    ax = _axes(ax)
    f = result.frequency.astype(float)
    ax.bar(f - 0.2, result.actual, width=0.4, color="black", label="actual")
    ax.bar(f + 0.2, result.expected, width=0.4, color="tab:blue", label="model")
    labels = [str(int(v)) for v in result.frequency]
    labels[-1] += "+"
    ax.set_xticks(f, labels)
    ax.set_xlabel("repeat purchases in calibration")
    ax.set_ylabel("customers")
    ax.set_title("Period transactions: actual vs model")
    ax.legend()
    return ax
