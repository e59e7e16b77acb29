"""What loading did with every row: problems found by name, rows set aside, rows kept.

Validation never drops a row silently. Each unusable row is a :class:`Problem` naming the
table, the file (or DataFrame), the row, the column and the value; with
``on_error="raise"`` (the default) the first one raises, with ``on_error="set_aside"`` the row
is set aside and counted here.

Problem kinds:

=========================  ========================================================================
kind                       meaning
=========================  ========================================================================
``bad_value``              a value that cannot be used (not a number, negative, unknown choice,
                           missing where required, opens above audience, left before joined)
``unknown_member``         an id in ties, groups, messages, events or stages that is not in members
``unknown_group``          a message posted in a group the groups table does not list
``outside_window``         a time before the start (0) or after the end of observation
``duplicate_transaction``  a second transaction with the same id (or customer, time and amount)
``self_tie``               a tie from a member to itself
``self_message``           a direct message from a member to itself
``duplicate_tie``          the same pair listed twice in ties
``duplicate_membership``   a member in the same group twice, an attendee twice at one event, or a
                           stage twice for a member and week
``overlapping_spell``      two membership spells of one member that overlap
=========================  ========================================================================

Examples
--------
>>> r = LoadReport(rows={"ties": 3}, kept={"ties": 2},
...                problems=(Problem(kind="self_tie", table="ties", origin="ties.csv", row=2,
...                                  column="b", value="7", rule="differ from `a`"),))
>>> r.counts
{('ties', 'self_tie'): 1}
>>> print(r.problems[0])
ties.csv row 2, column `b`: self_tie (must differ from `a`; got '7')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from shequn._results import ResultMixin, Summary, Table
from shequn._validation import check_choice

__all__ = ["PROBLEM_KINDS", "LoadReport", "Problem"]

PROBLEM_KINDS = (
    "bad_value",
    "unknown_member",
    "unknown_group",
    "outside_window",
    "duplicate_transaction",
    "self_tie",
    "self_message",
    "duplicate_tie",
    "duplicate_membership",
    "overlapping_spell",
)
"""Every kind of problem validation reports (see the module docstring)."""


@attrs.frozen(kw_only=True)
class Problem:
    """One unusable row.

    Attributes
    ----------
    kind
        One of :data:`PROBLEM_KINDS`.
    table
        The records table (``members``, ``ties``, ...).
    origin
        Where the rows came from: a file name, or ``DataFrame`` / ``mapping``.
    row
        1-based data row (the header is not counted; in a CSV file it is on line ``row + 1``).
    column
        The offending column.
    value
        The value as given (text).
    rule
        What the value must be.
    """

    kind: str = attrs.field(validator=attrs.validators.in_(PROBLEM_KINDS))
    table: str
    origin: str
    row: int
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        return (
            f"{self.origin} row {self.row}, column `{self.column}`: {self.kind} "
            f"(must {self.rule}; got {self.value!r})"
        )


def _problems(value: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(value)


def _counts(problems: tuple[Problem, ...]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for p in problems:
        out[(p.table, p.kind)] = out.get((p.table, p.kind), 0) + 1
    return out


@attrs.frozen(kw_only=True)
class LoadReport(ResultMixin):
    """Rows read and kept per table, and every problem found.

    Attributes
    ----------
    rows
        Rows read per table.
    kept
        Rows kept per table (read minus set aside).
    problems
        Every problem, in table and row order (one per set-aside row and problem).
    """

    rows: dict[str, int] = attrs.field(factory=dict)
    kept: dict[str, int] = attrs.field(factory=dict)
    problems: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)

    @property
    def counts(self) -> dict[tuple[str, str], int]:
        """Problems per (table, kind)."""
        return _counts(self.problems)

    @property
    def set_aside(self) -> int:
        """Rows set aside in all (a row with two problems counts once)."""
        return sum(self.rows.values()) - sum(self.kept.values())

    def of_kind(self, kind: str) -> tuple[Problem, ...]:
        """The problems of one kind.

        Examples
        --------
        >>> LoadReport().of_kind("self_tie")
        ()
        """
        check_choice(kind, PROBLEM_KINDS, owner="LoadReport.of_kind", field="kind")
        return tuple(p for p in self.problems if p.kind == kind)

    def summary(self) -> Summary:
        """Rows read and kept per table, and problems by kind (with the first example).

        Examples
        --------
        >>> print(LoadReport(rows={"members": 2}, kept={"members": 2}).summary())
        Records loaded: 2 rows, 0 set aside
          members  2 of 2 rows kept
        """
        head: dict[str, Any] = {
            t: f"{self.kept.get(t, 0):,} of {n:,} rows kept" for t, n in self.rows.items()
        }
        table = None
        if self.problems:
            first: dict[tuple[str, str], Problem] = {}
            for p in self.problems:
                first.setdefault((p.table, p.kind), p)
            table = Table(
                columns=("rows", "first"),
                rows={
                    f"{t} {k}": (
                        n,
                        f"row {first[(t, k)].row} `{first[(t, k)].column}` = "
                        f"{first[(t, k)].value!r}",
                    )
                    for (t, k), n in self.counts.items()
                },
            )
        total = sum(self.rows.values())
        return Summary(
            title=f"Records loaded: {total:,} rows, {self.set_aside:,} set aside",
            headline=head,
            table=table,
        )
