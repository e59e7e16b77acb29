"""The registry of the engine's weekly record: every column, declared once.

Each mechanism module declares the flows it produces (:class:`Flow`: name, unit, one-line
meaning); :mod:`shequn.simulation.week` gathers them in registry order (:data:`FLOWS`,
indexed by :data:`F` in the compiled passes), :func:`~shequn.simulation.observe` measures the
:data:`STOCKS`, and the engine adds the :data:`DERIVED` columns. The
:class:`~shequn.simulation.Trajectory` columns, its ``to_frame()``, the table of columns in
docs/simulation.md (:func:`column_table`) and the conservation test all iterate
:data:`COLUMNS`.

Examples
--------
>>> from shequn.simulation.flows import COLUMNS, FLOWS, F
>>> FLOWS[F.messages].name, FLOWS[F.messages].mechanism
('messages', 'word_of_mouth')
>>> len({c.name for c in COLUMNS}) == len(COLUMNS)
True
"""

from __future__ import annotations

from shequn.simulation.mechanisms._spec import Flow
from shequn.simulation.state import STOCKS
from shequn.simulation.week import ENGINE_FLOWS, FLOWS, MECHANISMS, F

__all__ = [
    "COLUMNS",
    "DERIVED",
    "ENGINE_FLOWS",
    "FLOWS",
    "MECHANISMS",
    "STOCKS",
    "F",
    "Flow",
    "column_table",
    "cost_flows",
    "marketing_flows",
]

DERIVED = (
    Flow(name="week", unit="week", meaning="row: the state after this many weeks", kind="derived"),
    Flow(
        name="adopter_weeks",
        unit="member-weeks",
        meaning="adopters present at the start of the week (for LTV)",
        kind="derived",
    ),
    Flow(
        name="member_weeks",
        unit="member-weeks",
        meaning="members present at the start of the week (for the churn rate)",
        kind="derived",
    ),
)
"""Columns the engine computes from the others."""

COLUMNS: tuple[Flow, ...] = (*FLOWS, *STOCKS, *DERIVED)
"""Every column of a :class:`~shequn.simulation.Trajectory`, in order."""


def cost_flows() -> tuple[str, ...]:
    """Names of the flows summed into ``costs`` (registry order)."""
    return tuple(f.name for f in FLOWS if f.cost)


def marketing_flows() -> tuple[str, ...]:
    """Names of the cost flows that make the marketing costs behind CAC and ROI."""
    return tuple(f.name for f in FLOWS if f.marketing)


def column_table() -> str:
    """The columns as a Markdown table (name, kind, unit, mechanism, meaning).

    Examples
    --------
    >>> print(column_table().splitlines()[2])
    | `content_items` | flow | items | content | content items published this week |
    """
    lines = ["| column | kind | unit | mechanism | meaning |", "|---|---|---|---|---|"]
    for c in COLUMNS:
        kind = c.kind + (", cost" if c.cost else "") + (", marketing" if c.marketing else "")
        lines.append(f"| `{c.name}` | {kind} | {c.unit} | {c.mechanism or '—'} | {c.meaning} |")
    return "\n".join(lines)
