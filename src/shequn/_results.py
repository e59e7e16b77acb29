"""The shape every result shares: ``summary()``, ``conf_int()``, ``_repr_html_``, ``plot()``.

One vocabulary across the library (docs/architecture.md, "Vocabulary"):

* ``summary()`` always returns a :class:`Summary`: a read-only mapping of headline values
  (``s["retention"]``) whose ``str()`` is the plain-text report and whose ``_repr_html_`` is
  the notebook table; an optional :class:`Table` holds per-parameter or per-arm rows.
* ``conf_int(level=0.95)`` always returns :data:`Intervals`: ``{name: (lower, upper)}``.
* ``to_frame()`` returns the main table as a pandas DataFrame (pandas is an optional extra).
* ``plot(ax=None, **kwargs)`` draws with :mod:`shequn.plotting` and returns the Axes.
  :class:`ResultMixin` holds the library's only route from the core to the shell: the one
  import of ``shequn.plotting`` below, made when ``plot`` is called and declared as the single
  exception in the import-linter contract (pyproject.toml).

Numbers are written one way everywhere (:func:`format_value`): thousands separators, four
significant digits, never scientific notation above ``1e-4``.

Examples
--------
>>> from shequn._results import Summary, Table
>>> s = Summary(title="Example", headline={"members": 12_500, "revenue": 716_004.2,
...                                          "retention": 0.73312})
>>> s["members"]
12500
>>> print(s)
Example
  members    12,500
  revenue    716,004
  retention  0.7331
>>> t = Table(columns=("estimate", "se"), rows={"r": (0.2426, 0.0126)})
>>> print(Summary(title="Fit", headline={}, table=t))
Fit
     estimate      se
  r    0.2426  0.0126
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import numpy as np

__all__ = [
    "Intervals",
    "ResultMixin",
    "Summary",
    "Table",
    "draw",
    "format_value",
    "intervals",
]

Intervals: TypeAlias = dict[str, tuple[float, float]]
"""What every ``conf_int(level)`` returns: ``{quantity or parameter name: (lower, upper)}``."""


def format_value(value: Any) -> str:
    """Write a number (or a small container of them) the one way the library writes numbers.

    Integers get thousands separators; floats of magnitude 1,000 or more are rounded to whole
    units with separators (money, counts), smaller ones get four significant digits, and only
    magnitudes below ``1e-4`` use scientific notation.

    Examples
    --------
    >>> [format_value(v) for v in (716004.2, 1.8234, 25, 0.000123, 3e-7, float("nan"))]
    ['716,004', '1.823', '25', '0.000123', '3.000e-07', 'nan']
    >>> format_value({"fan": 12, "friend": 3})
    'fan 12, friend 3'
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            return str(x)
        if x == 0.0:
            return "0"
        ax = abs(x)
        if ax >= 1000.0:
            return f"{x:,.0f}"
        if ax >= 1e-4:
            return f"{x:.4g}"
        return f"{x:.3e}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {format_value(v)}" for k, v in value.items())
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def intervals(names: Sequence[str], lower: Any, upper: Any) -> Intervals:
    """Pair names with lower and upper bounds as :data:`Intervals`.

    Examples
    --------
    >>> intervals(["p", "q"], [0.01, 0.3], [0.02, 0.4])
    {'p': (0.01, 0.02), 'q': (0.3, 0.4)}
    """
    lo = np.asarray(lower, dtype=float).ravel()
    hi = np.asarray(upper, dtype=float).ravel()
    return {str(k): (float(a), float(b)) for k, a, b in zip(names, lo, hi, strict=True)}


def _freeze_rows(value: Mapping[str, Sequence[Any]]) -> dict[str, tuple[Any, ...]]:
    return {str(k): tuple(v) for k, v in value.items()}


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@attrs.frozen(kw_only=True)
class Table:
    """Rows of named columns inside a :class:`Summary` (parameters, arms, stages).

    Examples
    --------
    >>> Table(columns=("a",), rows={"x": (1, 2)})
    Traceback (most recent call last):
    ...
    ValueError: Table row 'x' has 2 values for 1 columns
    """

    columns: tuple[str, ...] = attrs.field(converter=_strings)
    rows: dict[str, tuple[Any, ...]] = attrs.field(converter=_freeze_rows)

    def __attrs_post_init__(self) -> None:
        for k, v in self.rows.items():
            if len(v) != len(self.columns):
                raise ValueError(
                    f"Table row {k!r} has {len(v)} values for {len(self.columns)} columns"
                )

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (needs pandas)."""
        from shequn._optional import optional_import

        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame.from_dict(
            {k: list(v) for k, v in self.rows.items()}, orient="index", columns=self.columns
        )

    def lines(self) -> list[str]:
        """The table as aligned text lines (row labels first)."""
        cells = [[k, *(format_value(x) for x in v)] for k, v in self.rows.items()]
        head = ["", *self.columns]
        widths = [max(len(r[i]) for r in [head, *cells]) for i in range(len(head))]
        out = []
        for r in [head, *cells]:
            first = r[0].ljust(widths[0])
            rest = "  ".join(c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))
            out.append(f"  {first}  {rest}".rstrip())
        return out

    def html(self) -> str:
        """The table as an HTML ``<table>``."""
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            + "".join(f"<td>{html.escape(format_value(x))}</td>" for x in v)
            + "</tr>"
            for k, v in self.rows.items()
        )
        return f"<table><tr><th></th>{head}</tr>{body}</table>"


def _freeze_values(value: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()}


@attrs.frozen(kw_only=True)
class Summary(Mapping[str, Any]):
    """Headline values of a result: a read-only mapping that prints as a report.

    Attributes
    ----------
    title
        One line naming the result (model, sizes).
    headline
        Headline values by name, in display order (numbers, strings or small mappings); the
        mapping interface reads these.
    table
        Optional rows (per parameter, arm or stage).
    notes
        Sentences printed after the values (what the numbers mean, warnings).
    """

    title: str
    headline: dict[str, Any] = attrs.field(converter=_freeze_values)
    table: Table | None = None
    notes: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    def __getitem__(self, key: str) -> Any:
        return self.headline[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.headline)

    def __len__(self) -> int:
        return len(self.headline)

    def to_dict(self) -> dict[str, Any]:
        """The headline values as a plain dict (a copy)."""
        return dict(self.headline)

    def __str__(self) -> str:
        lines = [self.title]
        if self.headline:
            width = max(len(k) for k in self.headline)
            lines += [f"  {k.ljust(width)}  {format_value(v)}" for k, v in self.headline.items()]
        if self.table is not None:
            lines += self.table.lines()
        lines += [f"  {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td>{html.escape(format_value(v))}</td></tr>"
            for k, v in self.headline.items()
        )
        parts = [f"<table><caption>{html.escape(self.title)}</caption>{rows}</table>"]
        if self.table is not None:
            parts.append(self.table.html())
        parts += [f"<p>{html.escape(n)}</p>" for n in self.notes]
        return "".join(parts)


class ResultMixin:
    """``_repr_html_`` from :meth:`summary` and ``plot`` through :mod:`shequn.plotting`.

    Result classes (frozen attrs classes) inherit it and implement ``summary()``.
    """

    __slots__ = ()

    def summary(self) -> Summary:
        """Headline values (every result implements this)."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw this result on ``ax`` (a new figure's Axes when ``None``); returns the Axes.

        Needs the ``plot`` extra (matplotlib); see :func:`shequn.plotting.plot` for what each
        result draws and the keyword arguments it takes.
        """
        return draw(self, ax=ax, **kwargs)


def draw(result: Any, ax: Any = None, **kwargs: Any) -> Any:
    """Draw ``result`` with :func:`shequn.plotting.plot` (what every ``plot()`` method calls)."""
    # the core's only route to the shell, taken when called (import-linter exception)
    from shequn.plotting import plot

    return plot(result, ax=ax, **kwargs)
