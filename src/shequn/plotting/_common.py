"""What every plotting module shares: the Axes to draw on, money ticks, stage colours.

Examples
--------
>>> from shequn.plotting._common import money_formatter
>>> money_formatter()(716004.2, 0)
'716,004'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shequn._optional import optional_import
from shequn._results import format_value

__all__ = ["BYTES_PER_POINT", "STAGE_COLOURS", "axes", "money_axis", "money_formatter"]

BYTES_PER_POINT = 400.0
"""Memory one period (week, step) of a figure's horizon costs, for the memory check of a
requested horizon: the model's projection over the horizon and matplotlib's copies of the
drawn lines. Measured with ``tracemalloc`` at 10**5 and 10**6 periods: a peak of about 230
bytes per period for ``plot_bass_forecast`` and 280 for ``plot_ladder`` before rendering;
400 leaves room for drawing."""

STAGE_COLOURS = ("#c7c7c7", "#9ecae1", "#4292c6", "#fd8d3c", "#d94801", "#636363")
"""One colour per :class:`~shequn.loyalty.stages.Stage` (prospect … friend, lapsed)."""


def axes(ax: Any) -> Any:
    """``ax`` itself, or the Axes of a new figure when ``None`` (imports matplotlib then).

    Examples
    --------
    >>> marker = object()
    >>> axes(marker) is marker
    True
    """
    if ax is not None:
        return ax
    plt = optional_import("matplotlib.pyplot", extra="plot")
    _, new = plt.subplots()
    return new


def money_formatter() -> Callable[[float, Any], str]:
    """A tick formatter writing numbers the library's way (thousands separators, no 1e5).

    Examples
    --------
    >>> money_formatter()(1.5e6, None)
    '1,500,000'
    """

    def fmt(x: float, pos: Any = None) -> str:
        return format_value(float(x))

    return fmt


def money_axis(axis: Any) -> None:
    """Write an axis's tick labels with :func:`shequn._results.format_value`.

    Examples
    --------
    >>> plt = __import__("pytest").importorskip("matplotlib.pyplot")
    >>> fig, ax = plt.subplots()
    >>> money_axis(ax.yaxis)
    >>> ax.yaxis.get_major_formatter()(2.5e5, 0)
    '250,000'
    >>> plt.close(fig)
    """
    ticker = optional_import("matplotlib.ticker", extra="plot")
    axis.set_major_formatter(ticker.FuncFormatter(money_formatter()))
