"""The :class:`Records` of a community, as loaded, with what can be derived from them.

A :class:`Records` holds the validated tables of the records schema with member ids replaced
by member codes (``0..n-1`` in order of first appearance in the members table; ``member_ids``
maps back). Its methods derive, with the library's own types:

* :meth:`Records.community` — the :class:`~shequn.community.Community` (ties weighted by
  message counts on request) with roles and :class:`~shequn.community.Groups`;
* :meth:`Records.strong_ties` — pairs with at least ``TieRule.strong_after_meetings`` offline
  meetings (seed 004);
* :meth:`Records.stages` — each member's ladder stage per week (a :class:`StageHistory`), from
  the stages table or by the documented :class:`StageRule`;
* :meth:`Records.rfm` — the :class:`~shequn.loyalty.RFMSummary` of the transactions;
* :meth:`Records.weekly` — the weekly observed series (:class:`WeeklySeries`).

Examples
--------
>>> from shequn.records import load_records
>>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 1.5],
...                               "left": [None, 2.2, None]},
...                  transactions={"customer": [1, 1, 3], "time": [0.5, 2.0, 2.5],
...                                "amount": [10.0, 20.0, 5.0]})
>>> w = r.weekly()
>>> r.weeks, w["members"].tolist(), w["joins"].tolist(), w["leaves"].tolist()
(3, [2.0, 2.0, 3.0, 2.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0])
>>> w["member_revenue"].tolist()
[0.0, 10.0, 20.0, 5.0]
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._results import ResultMixin, Summary
from shequn._typing import IntArray
from shequn._validation import (
    check_bool,
    check_choice,
    check_in_range,
    check_instance,
    check_nonnegative,
    check_path,
    fail,
)
from shequn.community.community import Community
from shequn.community.groups import Groups
from shequn.community.types import CommunityType, Role
from shequn.loyalty.rfm import RFMSummary, rfm_summary
from shequn.loyalty.ties import TieRule
from shequn.records import derive
from shequn.records.derive import StageHistory, StageRule, WeeklySeries
from shequn.records.report import LoadReport
from shequn.records.schema import TABLES

__all__ = ["Records"]

Columns = dict[str, NDArray[Any]]


@attrs.frozen(kw_only=True, eq=False)
class Records(ResultMixin):
    """A community's validated records (build with :func:`shequn.records.load_records`).

    Member columns hold member codes (``-1``: not a member, for transaction customers). Tables
    not given are ``None``.

    Attributes
    ----------
    member_ids
        The member ids (int64 when every id is an integer, else text), indexed by code.
    roles
        :class:`~shequn.community.Role` per member (int8).
    attributes
        Other members columns (per member, from its first spell), as given.
    spells
        ``member``, ``joined``, ``left`` (NaN: still a member), sorted by member and joined.
    ties
        ``a``, ``b``, ``weight``, ``formed`` (NaN: before the start), or ``None``.
    groups
        ``group`` (code into ``group_ids``), ``member``, ``role``, ``invitation``, or ``None``.
    group_ids
        Group ids by code (``None`` without a groups table).
    messages
        ``time``, ``sender``, ``recipient`` (``-1``: a group post), ``group`` (``-1``: a direct
        message), ``count``, or ``None``.
    events
        ``event`` (code into ``event_ids``), ``member``, ``time``, or ``None``.
    event_ids
        Event ids by code.
    transactions
        ``customer`` (id as text), ``member`` (code or ``-1``), ``time``, ``amount``, or
        ``None``.
    broadcasts
        ``time``, ``audience``, ``opens``, or ``None``.
    stages
        ``member``, ``week``, ``stage`` (int8 :class:`~shequn.loyalty.Stage`), or ``None``.
    start
        The date of week 0 when times were dates, else ``None``.
    end
        End of observation in weeks.
    weeks
        Observed weeks, ``ceil(end)`` (the last may be partial).
    report
        The :class:`~shequn.records.LoadReport`.
    ignored
        Columns of each table that the schema does not use (not read).
    """

    member_ids: NDArray[Any] = attrs.field(repr=False)
    roles: NDArray[np.int8] = attrs.field(repr=False)
    attributes: Columns = attrs.field(factory=dict, repr=False)
    spells: Columns = attrs.field(repr=False)
    ties: Columns | None = attrs.field(default=None, repr=False)
    groups: Columns | None = attrs.field(default=None, repr=False)
    group_ids: NDArray[Any] | None = attrs.field(default=None, repr=False)
    messages: Columns | None = attrs.field(default=None, repr=False)
    events: Columns | None = attrs.field(default=None, repr=False)
    event_ids: NDArray[Any] | None = attrs.field(default=None, repr=False)
    transactions: Columns | None = attrs.field(default=None, repr=False)
    broadcasts: Columns | None = attrs.field(default=None, repr=False)
    stages_table: Columns | None = attrs.field(default=None, repr=False, alias="stages")
    start: np.datetime64 | None = None
    end: float
    weeks: int
    report: LoadReport = attrs.field(factory=LoadReport, repr=False)
    ignored: dict[str, tuple[str, ...]] = attrs.field(factory=dict, repr=False)

    # ------------------------------------------------------------------ sizes
    @property
    def n_members(self) -> int:
        """Members (distinct ids, operators included)."""
        return int(self.member_ids.shape[0])

    @property
    def operators(self) -> NDArray[np.bool_]:
        """Per member: a leader or brand account (in the network, not a customer)."""
        out: NDArray[np.bool_] = np.isin(self.roles, [int(Role.LEADER), int(Role.BRAND_ACCOUNT)])
        return out

    def index_of(self, ids: Any) -> IntArray:
        """Member codes of ``ids`` (an :class:`InvalidParameterError` for unknown ids).

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": ["x", "y"], "joined": [0, 0]})
        >>> r.index_of(["y"]).tolist()
        [1]
        """
        want = np.atleast_1d(np.asarray(ids)).astype(str)
        have = self.member_ids.astype(str)
        pos = {v: i for i, v in enumerate(have.tolist())}
        out = []
        for v in want.tolist():
            if v not in pos:
                raise fail("Records.index_of", "ids", "be member ids", v)
            out.append(pos[v])
        return np.asarray(out, dtype=np.int64)

    # ------------------------------------------------------------------ derivations
    def present(self, at: float) -> NDArray[np.bool_]:
        """Per member: in a membership spell at time ``at`` (joined ≤ at < left; weeks, >= 0).

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1, 2], "joined": [0, 3], "left": [2, None]})
        >>> r.present(1.0).tolist(), r.present(3.0).tolist()
        ([True, False], [False, True])
        """
        at = check_nonnegative(at, owner="Records.present", field="at")
        s = self.spells
        inside = (s["joined"] <= at) & (np.isnan(s["left"]) | (s["left"] > at))
        out = np.zeros(self.n_members, dtype=bool)
        out[s["member"][inside]] = True
        return out

    def community(
        self,
        *,
        at: float | None = None,
        weight: str = "unit",
        kind: CommunityType | str | None = None,
        rng: Any = 0,
    ) -> Community:
        """The member network as a :class:`~shequn.community.Community`.

        Ties are the pairs in the ties table (formed by ``at``) and the pairs that exchanged
        direct messages (by ``at``). Member ``i`` of the community is the ``i``-th member kept
        (all members, or those present at ``at``); ``labels`` holds their ids.

        Parameters
        ----------
        at
            Keep the members present at this time (weeks from the start, >= 0) and the ties
            formed by then;
            ``None``: every member and tie of the whole observation.
        weight
            ``"unit"`` (every tie 1, as the engine's generated communities), ``"given"`` (the
            ties table's ``weight``; 1 for ties known only from messages) or ``"messages"``
            (``1 +`` the direct messages the pair exchanged by ``at``).
        kind
            The community type (selects the engine's default profile); ``None``: unknown.
        rng
            Seeds the taste vectors drawn when the members table has no ``taste_*`` columns
            (two-dimensional standard normal, as the generators draw them: records do not say
            what members value).

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 0]},
        ...                  ties={"a": [1], "b": [2]},
        ...                  messages={"time": [1, 2], "sender": [2, 3], "recipient": [1, 1]})
        >>> c = r.community(weight="messages")
        >>> c.n_edges, c.adjacency.toarray().tolist()[0]
        (2, [0.0, 2.0, 2.0])
        """
        if at is not None:
            at = check_nonnegative(at, owner="Records.community", field="at")
        check_choice(
            weight, ["unit", "given", "messages"], owner="Records.community", field="weight"
        )
        return derive.community(self, at=at, weight=weight, kind=kind, rng=rng)

    def groups_at(self, at: float | None = None) -> Groups | None:
        """The chat groups of the members kept by :meth:`community` (``None``: no groups table).

        Each member is placed in one group (the :class:`~shequn.community.Groups` model): the
        group it owns, else the first group it is listed in. A group's owner is its member
        with role ``owner``, else its first ``admin``, else its first member; groups left
        without a member are dropped. The invitation policy is the most common ``invitation``
        value (``open`` when none is given); the cap is 500 (WeChat) or the largest group.

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 0]},
        ...                  groups={"group": ["g", "g", "h"], "member": [1, 2, 3],
        ...                          "role": ["member", "owner", "owner"]})
        >>> g = r.groups_at()
        >>> g.membership.tolist(), g.owners.tolist()
        ([0, 0, 1], [1, 2])
        """
        if at is not None:
            at = check_nonnegative(at, owner="Records.groups_at", field="at")
        keep = np.ones(self.n_members, dtype=bool) if at is None else self.present(at)
        return derive.groups(self, keep)

    def strong_ties(self, rule: TieRule | None = None) -> IntArray:
        """Pairs ``(a, b)`` (member codes, ``a < b``) with at least ``rule.strong_after_meetings``
        offline meetings over the observation.

        A meeting is two tied members at the same event (tied in the ties table or by direct
        messages; without either, any two attendees). Shape ``(k, 2)``.

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 0]},
        ...                  ties={"a": [1], "b": [2]},
        ...                  events={"event": ["e1", "e1", "e1", "e2", "e2", "e3", "e3"],
        ...                          "member": [1, 2, 3, 1, 2, 1, 2],
        ...                          "time": [1, 1, 1, 2, 2, 3, 3]})
        >>> r.strong_ties().tolist()
        [[0, 1]]
        """
        if rule is None:
            rule = TieRule()
        check_instance(rule, TieRule, owner="Records.strong_ties", field="rule")
        pairs, _ = derive.strong_pairs(self, rule)
        return pairs

    def stages(self, rule: StageRule | None = None) -> StageHistory:
        """Each member's ladder stage at the end of every week (the stages table when given,
        else :class:`StageRule`).

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1, 2], "joined": [0, 0], "left": [None, 2]},
        ...                  transactions={"customer": [1, 1], "time": [0.5, 1.5],
        ...                                "amount": [5.0, 5.0]})
        >>> h = r.stages()
        >>> h.names(1), h.names(2)
        (['customer', 'prospect'], ['user', 'lapsed'])
        """
        if rule is not None:
            check_instance(rule, StageRule, owner="Records.stages", field="rule")
        if self.stages_table is not None and rule is None:
            return derive.stages_from_table(self)
        return derive.stages_by_rule(self, StageRule() if rule is None else rule)

    def rfm(
        self, *, calibration_end: float | None = None, members_only: bool = False
    ) -> RFMSummary:
        """Recency, frequency, age and mean repeat spend per customer, in weeks.

        Purchase days are merged as :func:`~shequn.loyalty.rfm_summary` does (time 1.0 week
        is day 7). ``calibration_end`` (weeks, in ``(0, end]``: a calibration period ends within
        the observation) defaults to the end of observation; ``members_only`` keeps the
        members' transactions.

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1], "joined": [0]},
        ...                  transactions={"customer": [1, 1, 5], "time": [0, 2, 1],
        ...                                "amount": [5.0, 7.0, 1.0]})
        >>> s = r.rfm()
        >>> s.customer_ids.tolist(), s.frequency.tolist(), s.T.tolist()
        (['1', '5'], [1, 0], [2.0, 1.0])
        """
        members_only = check_bool(members_only, owner="Records.rfm", field="members_only")
        end = self.end
        if calibration_end is not None:  # a calibration period ends within the observation
            end = check_in_range(
                calibration_end,
                owner="Records.rfm",
                field="calibration_end",
                low=0.0,
                high=self.end,
                low_open=True,
            )
        tx = self.transactions
        if tx is None or tx["time"].size == 0:
            raise fail("Records.rfm", "transactions", "hold at least one transaction", 0)
        keep = tx["member"] >= 0 if members_only else np.ones(tx["time"].size, dtype=bool)
        return rfm_summary(
            tx["customer"][keep],
            np.floor(tx["time"][keep] * 7.0 + 1e-9),
            tx["amount"][keep],
            calibration_end=np.floor(end * 7.0 + 1e-9),
            time_unit="weeks",
        )

    def weekly(self) -> WeeklySeries:
        """The weekly observed series (see :data:`shequn.records.SERIES`)."""
        return derive.weekly_series(self)

    # ------------------------------------------------------------------ output
    def to_tables(self) -> dict[str, dict[str, list[Any]]]:
        """The records as schema tables of plain values (ids as given; times in weeks).

        Loading the result again gives the same records.

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [4, 5], "joined": [0, 1]})
        >>> r.to_tables()["members"]["member"]
        [4, 5]
        """
        return derive.to_tables(self)

    def to_csv(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write one CSV file per table into ``directory`` (created); returns the paths.

        Times are written as weeks (numbers), so ``load_records(directory)`` reads them back.

        Examples
        --------
        >>> import tempfile
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1, 2], "joined": [0, 0]},
        ...                  ties={"a": [1], "b": [2]})
        >>> paths = r.to_csv(tempfile.mkdtemp())
        >>> [p.name for p in paths]
        ['members.csv', 'ties.csv']
        >>> load_records(paths[0].parent).n_members
        2
        """
        root = Path(check_path(directory, owner="Records.to_csv", field="directory"))
        root.mkdir(parents=True, exist_ok=True)
        out = []
        tables = self.to_tables()
        for name in TABLES:
            if name not in tables:
                continue
            cols = tables[name]
            path = root / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(list(cols))
                n = len(next(iter(cols.values()))) if cols else 0
                for i in range(n):
                    w.writerow(["" if _blank(cols[k][i]) else cols[k][i] for k in cols])
            out.append(path)
        return out

    def summary(self) -> Summary:
        """Sizes of the records and the observation window.

        Examples
        --------
        >>> from shequn.records import load_records
        >>> print(load_records(members={"member": [1], "joined": [0]}, end=2).summary())
        Records: 1 members over 2 weeks
          members        1
          operators      0
          spells         1
          weeks          2
          set_aside      0
        """
        head: dict[str, Any] = {
            "members": self.n_members,
            "operators": int(self.operators.sum()),
            "spells": int(self.spells["member"].size),
        }
        for name in ("ties", "groups", "messages", "events", "transactions", "broadcasts"):
            t = getattr(self, name)
            if t is not None:
                head[name] = int(next(iter(t.values())).shape[0])
        if self.stages_table is not None:
            head["stages"] = int(self.stages_table["member"].size)
        head["weeks"] = self.weeks
        head["set_aside"] = self.report.set_aside
        when = "" if self.start is None else f" from {str(self.start)[:10]}"
        return Summary(
            title=f"Records: {self.n_members:,} members over {self.weeks} weeks{when}",
            headline=head,
        )

    def __repr__(self) -> str:
        return f"Records(members={self.n_members}, weeks={self.weeks})"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)
