"""The records schema: every table, column, type, unit and default in one place.

This module is the machine-readable form of ``docs/records.md`` (a test checks that the two
agree). The loaders (:func:`shequn.records.load_records`) parse and validate against it, and
the records the engine emits use it too, so anything loaded can be compared with anything
simulated.

Time is measured in **weeks since the start of observation** (float). Week ``w >= 1`` covers
the times in ``(w - 1, w]``; time 0 is the start (week 0: the state before the first observed
week). Dates are converted to this clock given the observation start (``start=``).

Examples
--------
>>> from shequn.records.schema import SCHEMA
>>> [c.name for c in SCHEMA["transactions"] if c.required]
['customer', 'time', 'amount']
>>> sorted(SCHEMA)[:3]
['broadcasts', 'events', 'groups']
"""

from __future__ import annotations

import attrs

__all__ = ["GROUP_ROLES", "INVITATIONS", "MEMBER_ROLES", "SCHEMA", "TABLES", "Column"]

KINDS = ("id", "time", "float", "int", "choice", "stage")
"""Column kinds: member or other ids, times, non-negative numbers, counts, choices, stages."""

MEMBER_ROLES = ("member", "volunteer", "leader", "brand_account")
"""Values of ``members.role``: leaders and brand accounts are operators (in the network, not
counted as members, never customers), as :class:`shequn.community.Role`."""

GROUP_ROLES = ("owner", "admin", "member")
"""Values of ``groups.role``."""

INVITATIONS = ("open", "owner_only")
"""Values of ``groups.invitation`` (:class:`shequn.community.InvitePolicy`)."""


@attrs.frozen(kw_only=True)
class Column:
    """One column of a records table.

    Attributes
    ----------
    name
        Column name as it appears in files and DataFrames.
    kind
        ``"id"`` (an identifier, int or str), ``"time"`` (weeks since the start, or a date),
        ``"float"`` (a number >= 0), ``"int"`` (an integer >= 0, or >= 1 for ``count``),
        ``"choice"`` (one of ``choices``) or ``"stage"`` (a ladder stage name).
    required
        Whether every table of this kind must have the column.
    meaning
        One line: what the column holds and its unit.
    default
        The value used when an optional column is absent or a cell is empty (``None``: missing).
    choices
        Allowed values of a ``"choice"`` column.
    member
        Whether the column holds member ids (checked against the members table).
    """

    name: str
    kind: str = attrs.field(validator=attrs.validators.in_(KINDS))
    required: bool
    meaning: str
    default: object = None
    choices: tuple[str, ...] = ()
    member: bool = False


TABLES = (
    "members",
    "ties",
    "groups",
    "messages",
    "events",
    "transactions",
    "broadcasts",
    "stages",
)
"""The tables, in the order they are loaded (members first: the others refer to them)."""

SCHEMA: dict[str, tuple[Column, ...]] = {
    "members": (
        Column(
            name="member",
            kind="id",
            required=True,
            meaning="a member's id; one row per membership spell (a member who left and came "
            "back has a second row)",
        ),
        Column(
            name="joined",
            kind="time",
            required=True,
            meaning="when the spell began (0 or earlier for founding members)",
        ),
        Column(
            name="left",
            kind="time",
            required=False,
            meaning="when the spell ended (empty: still a member)",
        ),
        Column(
            name="role",
            kind="choice",
            required=False,
            default="member",
            choices=MEMBER_ROLES,
            meaning="member, volunteer, leader or brand_account (leaders and brand accounts "
            "are operators)",
        ),
    ),
    "ties": (
        Column(name="a", kind="id", required=True, member=True, meaning="one end of the tie"),
        Column(
            name="b",
            kind="id",
            required=True,
            member=True,
            meaning="the other end (`a != b`; the tie is undirected)",
        ),
        Column(
            name="weight",
            kind="float",
            required=False,
            default=1.0,
            meaning="strength or interaction count, > 0",
        ),
        Column(
            name="formed",
            kind="time",
            required=False,
            meaning="when the tie was formed (empty: before the start)",
        ),
    ),
    "groups": (
        Column(name="group", kind="id", required=True, meaning="a chat group"),
        Column(name="member", kind="id", required=True, member=True, meaning="a member of it"),
        Column(
            name="role",
            kind="choice",
            required=False,
            default="member",
            choices=GROUP_ROLES,
            meaning="owner, admin or member",
        ),
        Column(
            name="invitation",
            kind="choice",
            required=False,
            choices=INVITATIONS,
            meaning="the group's invitation policy: open or owner_only",
        ),
    ),
    "messages": (
        Column(name="time", kind="time", required=True, meaning="when sent"),
        Column(name="sender", kind="id", required=True, member=True, meaning="who sent it"),
        Column(
            name="recipient",
            kind="id",
            required=False,
            member=True,
            meaning="a direct message's recipient (one of recipient and group)",
        ),
        Column(
            name="group",
            kind="id",
            required=False,
            meaning="the group it was posted in (one of recipient and group)",
        ),
        Column(
            name="count",
            kind="int",
            required=False,
            default=1,
            meaning="messages aggregated in this row, >= 1",
        ),
    ),
    "events": (
        Column(name="event", kind="id", required=True, meaning="an offline event"),
        Column(name="member", kind="id", required=True, member=True, meaning="an attendee"),
        Column(name="time", kind="time", required=True, meaning="when it took place"),
    ),
    "transactions": (
        Column(
            name="customer",
            kind="id",
            required=True,
            meaning="the buyer: a member id, or any other id for a customer who is not a member",
        ),
        Column(name="time", kind="time", required=True, meaning="when"),
        Column(name="amount", kind="float", required=True, meaning="money spent, >= 0"),
        Column(
            name="transaction",
            kind="id",
            required=False,
            meaning="an order id; rows with the same id are duplicates (without the column: "
            "rows equal in customer, time and amount)",
        ),
    ),
    "broadcasts": (
        Column(name="time", kind="time", required=True, meaning="when a broadcast was sent"),
        Column(name="audience", kind="int", required=True, meaning="how many received it"),
        Column(name="opens", kind="int", required=True, meaning="how many opened it, <= audience"),
    ),
    "stages": (
        Column(name="member", kind="id", required=True, member=True, meaning="a member"),
        Column(name="week", kind="int", required=True, meaning="the week (end of week), >= 0"),
        Column(
            name="stage",
            kind="stage",
            required=True,
            meaning="prospect, customer, user, fan, friend or lapsed",
        ),
    ),
}
"""Table name → its columns (attribute columns of ``members`` are any others, kept as text)."""
