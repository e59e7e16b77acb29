"""Individual-level records of a simulated community, in the schema of docs/records.md.

``simulate(..., records=True)`` (or ``run``) keeps what every member did each week and returns
it as :attr:`Trajectory.records <shequn.simulation.Trajectory.records>`: a :class:`RecordTables`,
one table per name, each table a mapping of column name to a plain numpy array (pandas is not
needed; :meth:`RecordTables.to_frames` builds DataFrames when pandas is installed). These are the
tables a community operator loads from their own data, so the customer-base models, the
ladder and the structure metrics run on simulated records exactly as on real ones.

Time is the engine's week number (an event of week ``w`` happens at time ``w``; week 0 is the
start). Member ids are the engine's slot numbers (the community's node indices for the
founding members, then newcomers in order of arrival).

=============  ==========================================================================
table          columns (one row per ...)
=============  ==========================================================================
members        ``member``, ``joined``, ``left``, ``role``: one row per membership spell (0 for
               founding members; ``left`` NaN while a member; a member who left and came
               back has a second row); ``role`` ``member``, ``volunteer``, ``leader`` or
               ``brand_account`` (leaders and the brand account are operators, never
               customers)
ties           ``a``, ``b``, ``weight``, ``formed`` (week formed; NaN for the week-0 ties)
groups         ``group``, ``member``, ``role`` (``owner``/``member``): present members at the
               end, and the tools' ``invitation`` policy
messages       ``time``, ``sender``, ``recipient``, ``count``: a tie that carried a
               conversation that week (one row per tie and week, ``count`` 1)
events         ``event``, ``member``, ``time``: one row per attendee (one event id per group
               and week)
transactions   ``customer``, ``time``, ``amount``: one row per member and week with purchases,
               ``amount`` = units × price
broadcasts     ``time``, ``audience``, ``opens``: weeks with broadcast messages
stages         ``member``, ``week``, ``stage``: every member who joined, at the end of every
               week (``stage`` an int8 code of :class:`~shequn.loyalty.stages.Stage`;
               :data:`STAGE_NAMES` gives the names, ``to_frames`` writes them)
=============  ==========================================================================

The tables are plain so that anything reading the records schema can take them as they are
(``shequn.records.load_records(**tables.tables)`` reads them as it reads a community's own
data); stage codes become names with :data:`STAGE_NAMES` (as :meth:`RecordTables.to_frames`
does).

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import simulate
>>> t = simulate(generate_community("brand", 150, rng=0), OperatingModel(), weeks=3, rng=1,
...              records=True)
>>> r = t.records
>>> r.names[:3], int(r["stages"]["member"].size) == int(t.stage_counts.sum())
(('members', 'ties', 'groups'), True)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import numpy as np

from shequn._optional import optional_import
from shequn._results import ResultMixin, Summary
from shequn._typing import FloatArray, IntArray
from shequn._validation import check_choice, fail
from shequn.loyalty.stages import Stage

__all__ = ["STAGE_NAMES", "TABLES", "RecordTables"]

STAGE_NAMES: tuple[str, ...] = tuple(s.name.lower() for s in Stage)
"""Stage code → name (``stages.stage`` holds the codes)."""

TABLES: tuple[str, ...] = (
    "members",
    "ties",
    "groups",
    "messages",
    "events",
    "transactions",
    "broadcasts",
    "stages",
)
"""The tables of :class:`RecordTables`, in order."""


def _freeze(tables: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(tables, Mapping):
        raise fail(
            "RecordTables", "tables", "be a mapping of table name to columns", type(tables).__name__
        )
    for name in TABLES:
        if name not in tables:
            raise fail("RecordTables", "tables", f"hold the table {name!r}", sorted(tables))
        if not isinstance(tables[name], Mapping):
            raise fail(
                "RecordTables",
                f"tables[{name!r}]",
                "be a mapping of column name to values",
                type(tables[name]).__name__,
            )
        cols = {}
        size = None
        for col, values in tables[name].items():
            a = np.array(values)
            if size is not None and a.shape[0] != size:
                raise fail("RecordTables", f"{name}.{col}", f"have {size} rows", a.shape[0])
            size = a.shape[0]
            a.setflags(write=False)
            cols[str(col)] = a
        out[name] = cols
    return out


def _tables_eq(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.keys() == b.keys() and all(
        a[t].keys() == b[t].keys()
        and all(np.array_equal(a[t][c], b[t][c], equal_nan=a[t][c].dtype.kind == "f") for c in a[t])
        for t in a
    )


@attrs.frozen(kw_only=True)
class RecordTables(ResultMixin):
    """The records of one simulated run: one table per name (see the module docstring).

    Attributes
    ----------
    tables
        Table name → column name → numpy array (all columns of a table have one row each).

    Examples
    --------
    >>> r = RecordTables(tables={name: {} for name in TABLES})
    >>> len(r["messages"])
    0
    """

    tables: dict[str, dict[str, Any]] = attrs.field(
        converter=_freeze, eq=attrs.cmp_using(eq=_tables_eq), repr=False
    )

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self._table(name, owner="RecordTables", field="table")

    def _table(self, name: Any, *, owner: str, field: str) -> dict[str, Any]:
        check_choice(name, list(self.tables), owner=owner, field=field)
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    @property
    def names(self) -> tuple[str, ...]:
        """Table names."""
        return tuple(self.tables)

    def rows(self, name: str) -> int:
        """Rows of one table.

        Examples
        --------
        >>> RecordTables(tables={name: {} for name in TABLES}).rows("members")
        0
        """
        cols = self._table(name, owner="RecordTables.rows", field="name")
        return int(next(iter(cols.values())).shape[0]) if cols else 0

    def __repr__(self) -> str:
        sizes = ", ".join(f"{t}={self.rows(t):,}" for t in self.tables)
        return f"RecordTables({sizes})"

    def summary(self) -> Summary:
        """Rows per table.

        Examples
        --------
        >>> print(RecordTables(tables={name: {} for name in TABLES}).summary().title)
        Record tables of a simulated run
        """
        return Summary(
            title="Record tables of a simulated run",
            headline={t: self.rows(t) for t in self.tables},
        )

    def to_frames(self) -> dict[str, Any]:
        """Every table as a pandas DataFrame (pandas is optional); stages as names.

        Examples
        --------
        >>> empty = RecordTables(tables={name: {} for name in TABLES})
        >>> frames = empty.to_frames()  # doctest: +SKIP
        """
        pd = optional_import("pandas", extra="pandas")
        out = {}
        for name, cols in self.tables.items():
            data = dict(cols)
            if name == "stages" and "stage" in data:
                data["stage"] = pd.Categorical.from_codes(
                    data["stage"].astype(np.int64), categories=list(STAGE_NAMES)
                )
            out[name] = pd.DataFrame(data)
        return out


class Recorder:
    """Collects a run's records week by week (used by the engine when ``records=True``)."""

    def __init__(self, dynamics: Any, state: Any) -> None:
        self.d = dynamics
        self.price = float(dynamics.economics.price)
        cap = dynamics.capacity
        self.start = np.full(cap, math.nan)  # the open spell of each member (NaN: none)
        self.start[: state.n_used][state.stage[: state.n_used] >= 0] = 0.0
        self.start[: state.n_used][state.operator[: state.n_used]] = 0.0
        self.spells: list[tuple[IntArray, FloatArray, float]] = []  # closed: member, start, end
        self.formed: list[tuple[int, int]] = [(0, state.m_used)]
        self.msg: list[tuple[int, IntArray, IntArray]] = []
        self.ev: list[tuple[int, IntArray, IntArray]] = []
        self.tx: list[tuple[int, IntArray, FloatArray]] = []
        self.bc: list[tuple[int, float, float]] = []
        self.stage: list[tuple[int, Any]] = [(0, state.stage[: state.n_used].copy())]
        self.n_events = 0

    def messages(self, week: int, eu: Any, ev: Any, talked: IntArray) -> None:
        """The ties that carried a conversation this week."""
        self.msg.append((week, eu[talked].astype(np.int64), ev[talked].astype(np.int64)))

    def events(self, week: int, who: IntArray, block: IntArray, group: Any) -> None:
        """This week's attendees, ``block[g]:block[g + 1]`` of ``who`` being group ``g``'s."""
        if who.size == 0:
            return
        per_group = np.diff(block)
        gid = np.repeat(np.arange(per_group.size, dtype=np.int64), per_group)
        # one event id per group that met this week, numbered in order of appearance
        _, local = np.unique(gid, return_inverse=True)
        self.ev.append((week, local.astype(np.int64) + self.n_events, who.astype(np.int64)))
        self.n_events += int(local.max()) + 1

    def week(
        self, week: int, before: Any, after: Any, units: Any, sent: float, opened: float
    ) -> None:
        """The end of ``week``: purchases, arrivals, leavers, new ties, stages."""
        n_after = after.n_used
        buyers = np.flatnonzero(units[:n_after] > 0)
        self.tx.append(
            (week, buyers.astype(np.int64), units[buyers].astype(np.float64) * self.price)
        )
        st0 = before.stage[:n_after]
        st1 = after.stage[:n_after]
        lapsed = int(Stage.LAPSED)
        gone = np.flatnonzero((st1 == lapsed) & (st0 != lapsed))
        if gone.size:
            self.spells.append((gone, self.start[gone].copy(), float(week)))
            self.start[gone] = math.nan
        back = np.flatnonzero((st1 != lapsed) & (st0 == lapsed))  # came back: a new spell
        self.start[back] = float(week)
        self.start[before.n_used : n_after] = float(week)
        if after.m_used > before.m_used:
            self.formed.append((week, after.m_used))
        if sent:
            self.bc.append((week, sent, opened))
        self.stage.append((week, st1.copy()))

    def records(self, state: Any) -> RecordTables:
        """The tables of the run that ended in ``state``."""
        n = state.n_used
        d = self.d
        role = np.full(n, "member", dtype="<U13")
        role[state.volunteers[state.volunteers < n]] = "volunteer"
        role[: d.n][d.operator] = "brand_account"
        role[d.leaders] = "leader"
        open_ = np.flatnonzero(~np.isnan(self.start[:n]))
        spell_member = np.concatenate([*(g for g, _, _ in self.spells), open_]).astype(np.int64)
        spell_start = np.concatenate([*(s for _, s, _ in self.spells), self.start[open_]])
        spell_end = np.concatenate(
            [*(np.full(g.size, w) for g, _, w in self.spells), np.full(open_.size, math.nan)]
        )
        by = np.lexsort((spell_start, spell_member))  # member, then spell
        m = state.m_used
        formed = np.full(m, math.nan)
        for (_, lo), (w, hi) in zip(self.formed, self.formed[1:], strict=False):
            formed[lo:hi] = w  # (week-0 ties: NaN, formed before the start)
        present = (state.stage[:n] >= 0) & (state.stage[:n] < int(Stage.LAPSED))
        in_group = np.flatnonzero(present & (state.group[:n] >= 0))
        # a member's role in their group (not in the community: that is ``role`` above)
        owns_it = state.owners[state.group[in_group]] == in_group
        group_role = np.where(owns_it, "owner", "member")
        policy = self.d.groups.policy.value

        def cat(parts: list[Any], dtype: Any) -> Any:
            return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

        stage_members = [np.flatnonzero(s >= 0) for _, s in self.stage]
        tables: dict[str, dict[str, Any]] = {
            "members": {
                "member": spell_member[by],
                "joined": spell_start[by],
                "left": spell_end[by],
                "role": role[spell_member[by]],
            },
            "ties": {
                "a": state.eu[:m].astype(np.int64),
                "b": state.ev[:m].astype(np.int64),
                "weight": state.ew[:m].astype(np.float64),
                "formed": formed,
            },
            "groups": {
                "group": state.group[in_group].astype(np.int64),
                "member": in_group.astype(np.int64),
                "role": group_role,
                "invitation": np.full(in_group.size, policy),
            },
            "messages": {
                "time": cat([np.full(a.size, w, np.float64) for w, a, _ in self.msg], np.float64),
                "sender": cat([a for _, a, _ in self.msg], np.int64),
                "recipient": cat([b for _, _, b in self.msg], np.int64),
                "count": cat([np.ones(a.size, np.int64) for _, a, _ in self.msg], np.int64),
            },
            "events": {
                "event": cat([e for _, e, _ in self.ev], np.int64),
                "member": cat([m_ for _, _, m_ in self.ev], np.int64),
                "time": cat([np.full(e.size, w, np.float64) for w, e, _ in self.ev], np.float64),
            },
            "transactions": {
                "customer": cat([c for _, c, _ in self.tx], np.int64),
                "time": cat([np.full(c.size, w, np.float64) for w, c, _ in self.tx], np.float64),
                "amount": cat([a for _, _, a in self.tx], np.float64),
            },
            "broadcasts": {
                "time": np.array([float(w) for w, _, _ in self.bc]),
                "audience": np.array([int(s) for _, s, _ in self.bc], dtype=np.int64),
                "opens": np.array([int(o) for _, _, o in self.bc], dtype=np.int64),
            },
            "stages": {
                "member": cat(stage_members, np.int64),
                "week": cat(
                    [
                        np.full(ix.size, w, np.int64)
                        for (w, _), ix in zip(self.stage, stage_members, strict=True)
                    ],
                    np.int64,
                ),
                "stage": cat(
                    [s[ix] for (_, s), ix in zip(self.stage, stage_members, strict=True)], np.int8
                ),
            },
        }
        return RecordTables(tables=tables)
