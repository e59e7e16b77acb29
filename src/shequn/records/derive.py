"""What the records say: the network, groups, strong ties, weekly stages and weekly series.

Every derivation counts in the records' week clock: week ``w >= 1`` holds the times in
``(w - 1, w]`` and row 0 what is recorded at time 0 or before (the start). Operators (leaders
and brand accounts, ``members.role``) are part of the network but are not counted as members,
as active members or as buyers, as in the engine.

Examples
--------
>>> from shequn.records import load_records
>>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 0]},
...                  messages={"time": [0.5, 0.7, 1.5], "sender": [1, 2, 1],
...                            "recipient": [2, 1, 3]})
>>> w = r.weekly()
>>> w["messages"].tolist(), w["active"].tolist()
([0.0, 2.0, 1.0], [0.0, 2.0, 2.0])
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._results import ResultMixin, Summary
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import check_array, check_choice, check_int, fail, instance_of, integer
from shequn.community._graph import edges_to_csr
from shequn.community.community import Community
from shequn.community.groups import WECHAT_GROUP_CAP, Groups
from shequn.community.types import CommunityType, InvitePolicy
from shequn.loyalty.ladder import Ladder, LadderFit
from shequn.loyalty.stages import Stage
from shequn.loyalty.ties import TieRule
from shequn.rng import resolve_rng

if TYPE_CHECKING:
    from shequn.records.records import Records

__all__ = [
    "SERIES",
    "StageHistory",
    "StageRule",
    "WeeklySeries",
    "week_of",
]

SERIES: dict[str, str] = {
    "joins": "membership spells that began in the week (founding members are not joins)",
    "leaves": "membership spells that ended in the week",
    "members": "members at the end of the week",
    "active": "members who sent a message, received a direct message, attended an event or "
    "bought in the week",
    "messages": "messages sent by members (the sum of `count`)",
    "events": "offline events held",
    "attendances": "event attendances (one per attendee and event)",
    "member_purchases": "transactions by members",
    "member_buyers": "members who bought",
    "member_revenue": "money spent by members",
    "purchases": "transactions by all customers, members or not",
    "buyers": "customers who bought, members or not",
    "revenue": "money spent by all customers",
    "broadcast_sent": "broadcast messages sent (the sum of `audience`)",
    "broadcast_opens": "broadcast messages opened",
}
"""The weekly observed series: name → meaning (members exclude operators throughout)."""


def week_of(times: FloatArray) -> IntArray:
    """The week of each time: ``ceil(t)`` (week ``w`` holds ``(w - 1, w]``), 0 for ``t <= 0``.

    Examples
    --------
    >>> week_of(np.array([-1.0, 0.0, 0.2, 1.0, 1.5])).tolist()
    [0, 0, 1, 1, 2]
    >>> week_of([0.5, float("nan")])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `week_of.times` must be finite (index 1); got nan
    """
    w = np.ceil(check_array(times, owner="week_of", field="times") - 1e-9)
    out: IntArray = np.maximum(w, 0).astype(np.int64)
    return out


# ---------------------------------------------------------------------------------- series


def _freeze(cols: Mapping[str, Any]) -> dict[str, FloatArray]:
    out = {}
    if not isinstance(cols, Mapping) or not cols:
        raise fail(
            "WeeklySeries", "columns", "be a mapping of names to arrays (at least one)", cols
        )
    for k, v in cols.items():
        a = np.array(check_array(v, owner="WeeklySeries", field=f"columns[{k!r}]", ndim=1))
        a.setflags(write=False)
        out[str(k)] = a
    return out


def _cols_eq(a: Mapping[str, FloatArray], b: Mapping[str, FloatArray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


@attrs.frozen(kw_only=True)
class WeeklySeries(ResultMixin, Mapping[str, FloatArray]):
    """Weekly observed series: one array of ``weeks + 1`` values per name (row 0: the start).

    A read-only mapping (``s["members"]``). Flows (joins, messages, revenue) in row ``w``
    happened in week ``w``; stocks (members) are counted at the end of the week; row 0 holds
    what is recorded at time 0 (flows) and the founding members (stock). The names are those
    of :data:`SERIES`.

    Examples
    --------
    >>> s = WeeklySeries(columns={"members": [3, 4, 4], "joins": [0, 1, 0]})
    >>> s.weeks, s["members"].tolist(), s.names
    (2, [3.0, 4.0, 4.0], ['members', 'joins'])
    """

    columns: dict[str, FloatArray] = attrs.field(
        converter=_freeze, eq=attrs.cmp_using(eq=_cols_eq), repr=False
    )

    def __attrs_post_init__(self) -> None:
        sizes = {v.shape for v in self.columns.values()}
        if len(sizes) > 1:
            raise fail("WeeklySeries", "columns", "have one length", sorted(sizes))

    def __getitem__(self, key: str) -> FloatArray:
        if key not in self.columns:
            raise fail("WeeklySeries", "name", f"be one of {self.names}", key)
        return self.columns[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        """Series names in order."""
        return list(self.columns)

    @property
    def weeks(self) -> int:
        """Observed weeks (rows minus the start)."""
        return int(next(iter(self.columns.values())).shape[0] - 1) if self.columns else 0

    def select(self, names: list[str] | tuple[str, ...], weeks: int | None = None) -> FloatArray:
        """(len(names), weeks) array of the named series over weeks 1..``weeks``.

        ``names`` is a list (or tuple) of series names; ``weeks`` a whole number of weeks,
        by default all of them.

        Examples
        --------
        >>> WeeklySeries(columns={"a": [0, 1, 2], "b": [0, 5, 6]}).select(["b"], 1).tolist()
        [[5.0]]
        """
        owner = "WeeklySeries.select"
        self.check_names(names, owner=owner)
        w = self.weeks if weeks is None else check_int(weeks, owner=owner, field="weeks", low=1)
        if w > self.weeks:
            raise fail(owner, "weeks", f"be in 1..{self.weeks}", weeks)
        return np.vstack([self[n][1 : w + 1] for n in names])

    def check_names(self, names: Any, *, owner: str, field: str = "names") -> list[str]:
        """``names`` as a list if it is a non-empty list (or tuple) of this series' names.

        Examples
        --------
        >>> s = WeeklySeries(columns={"a": [0, 1], "b": [0, 5]})
        >>> s.check_names(("b",), owner="f")
        ['b']
        >>> s.check_names("b", owner="f")
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `f.names` must be a non-empty list of series \
names; got 'b'
        """
        if isinstance(names, str) or not isinstance(names, list | tuple) or not names:
            raise fail(owner, field, "be a non-empty list of series names", names)
        for n in names:
            if not isinstance(n, str) or n not in self.columns:
                raise fail(owner, field, f"hold names of {self.names}", n)
        return list(names)

    def summary(self) -> Summary:
        """Totals of the flows and the last value of the stocks.

        Examples
        --------
        >>> print(WeeklySeries(columns={"members": [3, 4], "joins": [0, 1]}).summary())
        Weekly series: 1 weeks
          members  4
          joins    1
        """
        head: dict[str, Any] = {}
        for k, v in self.columns.items():
            head[k] = float(v[-1]) if k == "members" else float(v[1:].sum())
            if float(head[k]).is_integer():
                head[k] = int(head[k])
        return Summary(
            title=f"Weekly series: {self.weeks} weeks",
            headline=head,
            notes=("members: at the end of the last week; the others: totals over the weeks",)
            if self.weeks > 1
            else (),
        )

    def to_frame(self) -> Any:
        """The series as a pandas DataFrame indexed by week (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            dict(self.columns), index=pd.Index(np.arange(self.weeks + 1), name="week")
        )


def _spell_weeks(records: Records) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    s = records.spells
    jw = week_of(s["joined"])
    left = s["left"]
    lw = np.where(np.isnan(left), np.iinfo(np.int64).max, week_of(np.nan_to_num(left)))
    ordinary = ~records.operators[s["member"]]
    return jw, lw, ordinary


def _distinct_per_week(week: IntArray, who: IntArray, n_weeks: int) -> FloatArray:
    if week.size == 0:
        return np.zeros(n_weeks)
    key = np.unique(week * (int(who.max()) + 1) + who)
    out: FloatArray = np.bincount(key // (int(who.max()) + 1), minlength=n_weeks).astype(float)
    return out[:n_weeks]


def _sum_per_week(week: IntArray, weights: FloatArray | None, n_weeks: int) -> FloatArray:
    out: FloatArray = np.bincount(week, weights=weights, minlength=n_weeks).astype(np.float64)
    return out[:n_weeks]


def activity(records: Records) -> tuple[IntArray, IntArray]:
    """(week, member) of every recorded activity of an ordinary member: a message sent, a
    direct message received, an event attended, a purchase.

    Examples
    --------
    >>> from shequn.records import load_records
    >>> r = load_records(members={"member": [1, 2], "joined": [0, 0]},
    ...                  events={"event": ["e"], "member": [2], "time": [1.5]})
    >>> [a.tolist() for a in activity(r)]
    [[2], [1]]
    """
    weeks: list[IntArray] = []
    who: list[IntArray] = []
    m = records.messages
    if m is not None:
        wk = week_of(m["time"])
        weeks += [wk]
        who += [m["sender"]]
        dm = m["recipient"] >= 0
        weeks += [wk[dm]]
        who += [m["recipient"][dm]]
    e = records.events
    if e is not None:
        weeks += [week_of(e["time"])]
        who += [e["member"]]
    t = records.transactions
    if t is not None:
        mem = t["member"] >= 0
        weeks += [week_of(t["time"][mem])]
        who += [t["member"][mem]]
    if not weeks:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    wk_all = np.concatenate(weeks).astype(np.int64)
    who_all = np.concatenate(who).astype(np.int64)
    ordinary = ~records.operators[who_all]
    return wk_all[ordinary], who_all[ordinary]


def weekly_series(records: Records) -> WeeklySeries:
    """The weekly observed series of :data:`SERIES` (see :meth:`Records.weekly`)."""
    W = records.weeks + 1
    jw, lw, ordinary = _spell_weeks(records)
    cols: dict[str, FloatArray] = {}
    joins = _sum_per_week(np.minimum(jw[ordinary], W), None, W + 1)[:W]
    joins[0] = 0.0
    leaves = np.bincount(np.minimum(lw[ordinary], W), minlength=W + 1)[:W].astype(float)
    leaves[0] = 0.0
    start = np.bincount(np.minimum(jw[ordinary], W), minlength=W + 1)[:W]
    stop = np.bincount(np.minimum(lw[ordinary], W), minlength=W + 1)[:W]
    cols["joins"] = joins
    cols["leaves"] = leaves
    cols["members"] = np.cumsum(start - stop).astype(float)
    wk, who = activity(records)
    cols["active"] = _distinct_per_week(wk, who, W) if wk.size else np.zeros(W)
    m = records.messages
    if m is not None:
        by_member = ~records.operators[m["sender"]]
        cols["messages"] = _sum_per_week(
            week_of(m["time"][by_member]), m["count"][by_member].astype(float), W
        )
    else:
        cols["messages"] = np.zeros(W)
    e = records.events
    if e is not None:
        ew = week_of(e["time"])
        cols["events"] = _distinct_per_week(ew, e["event"], W)
        cols["attendances"] = _sum_per_week(ew, None, W)
    else:
        cols["events"] = np.zeros(W)
        cols["attendances"] = np.zeros(W)
    t = records.transactions
    if t is not None:
        tw = week_of(t["time"])
        mem = t["member"] >= 0
        mem[mem] &= ~records.operators[t["member"][mem]]
        cols["member_purchases"] = _sum_per_week(tw[mem], None, W)
        cols["member_buyers"] = _distinct_per_week(tw[mem], t["member"][mem], W)
        cols["member_revenue"] = _sum_per_week(tw[mem], t["amount"][mem], W)
        _, cust = np.unique(t["customer"], return_inverse=True)
        cols["purchases"] = _sum_per_week(tw, None, W)
        cols["buyers"] = _distinct_per_week(tw, np.asarray(cust, dtype=np.int64).ravel(), W)
        cols["revenue"] = _sum_per_week(tw, t["amount"], W)
    else:
        for k in ("member_purchases", "member_buyers", "member_revenue"):
            cols[k] = np.zeros(W)
        for k in ("purchases", "buyers", "revenue"):
            cols[k] = np.zeros(W)
    b = records.broadcasts
    if b is not None:
        bw = week_of(b["time"])
        cols["broadcast_sent"] = _sum_per_week(bw, b["audience"].astype(float), W)
        cols["broadcast_opens"] = _sum_per_week(bw, b["opens"].astype(float), W)
    return WeeklySeries(columns=cols)


# ---------------------------------------------------------------------------------- network


def _pairs(records: Records, at: float | None) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Tie pairs (ties table, then direct-message pairs) with given weight and DM counts."""
    a: list[IntArray] = []
    b: list[IntArray] = []
    w: list[FloatArray] = []
    dm: list[FloatArray] = []
    t = records.ties
    if t is not None:
        keep = np.ones(t["a"].size, dtype=bool)
        if at is not None:
            keep = np.isnan(t["formed"]) | (t["formed"] <= at)
        a.append(t["a"][keep])
        b.append(t["b"][keep])
        w.append(t["weight"][keep].astype(float))
        dm.append(np.zeros(int(keep.sum())))
    m = records.messages
    if m is not None:
        keep = m["recipient"] >= 0
        if at is not None:
            keep &= m["time"] <= at
        a.append(m["sender"][keep])
        b.append(m["recipient"][keep])
        w.append(np.full(int(keep.sum()), np.nan))
        dm.append(m["count"][keep].astype(float))
    if not a:
        e = np.empty(0, np.int64)
        return e, e, np.empty(0), np.empty(0)
    return np.concatenate(a), np.concatenate(b), np.concatenate(w), np.concatenate(dm)


def community(
    records: Records,
    *,
    at: float | None,
    weight: str,
    kind: CommunityType | str | None,
    rng: Any,
) -> Community:
    """See :meth:`Records.community`."""
    n_all = records.n_members
    keep = np.ones(n_all, dtype=bool) if at is None else records.present(at)
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        raise fail("Records.community", "at", "leave at least one member present", at)
    pos = np.full(n_all, -1, dtype=np.int64)
    pos[idx] = np.arange(idx.size)
    a, b, given, dms = _pairs(records, at)
    ok = (pos[a] >= 0) & (pos[b] >= 0) & (a != b)
    u, v, given, dms = pos[a[ok]], pos[b[ok]], given[ok], dms[ok]
    n = idx.size
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    key = lo * n + hi
    uk, inv = np.unique(key, return_inverse=True)
    inv = np.asarray(inv).ravel()
    wt: FloatArray
    if weight == "unit":
        wt = np.ones(uk.size)
    elif weight == "messages":
        wt = 1.0 + np.bincount(inv, weights=dms, minlength=uk.size).astype(np.float64)
    else:
        g = np.where(np.isnan(given), -np.inf, given)
        wt = np.full(uk.size, -np.inf)
        np.maximum.at(wt, inv, g)
        wt[np.isinf(wt)] = 1.0
    A = edges_to_csr(n, uk // n, uk % n, wt) if uk.size else sp.csr_array((n, n))
    taste = _taste(records, idx, rng)
    res = records.attributes.get("resources")
    resources = np.ones(n)
    if res is not None:
        try:
            resources = np.asarray(res[idx], dtype=np.float64)
        except (TypeError, ValueError):
            raise fail("Records.community", "resources", "be numbers >= 0", res[:3]) from None
    grp = groups(records, keep)
    return Community(
        adjacency=A,
        roles=records.roles[idx],
        taste=taste,
        resources=resources,
        groups=grp,
        kind=None if kind is None else CommunityType.parse(kind, owner="Records.community"),
        labels=tuple(records.member_ids[idx].tolist()),
    )


def _taste(records: Records, idx: IntArray, rng: Any) -> FloatArray:
    names = sorted(
        (k for k in records.attributes if k.startswith("taste_")), key=lambda k: k[6:].zfill(6)
    )
    if names:
        try:
            cols = [np.asarray(records.attributes[k][idx], dtype=np.float64) for k in names]
        except (TypeError, ValueError):
            raise fail("Records.community", names[0], "hold numbers", None) from None
        out: FloatArray = np.column_stack(cols)
        return out
    gen = resolve_rng(rng, owner="Records.community")
    drawn: FloatArray = gen.normal(size=(records.n_members, 2))[idx]
    return drawn


def groups(records: Records, keep: NDArray[np.bool_]) -> Groups | None:
    """See :meth:`Records.groups_at`: one group per kept member, owners by role."""
    g = records.groups
    if g is None:
        return None
    n_all = records.n_members
    pos = np.full(n_all, -1, dtype=np.int64)
    idx = np.flatnonzero(keep)
    pos[idx] = np.arange(idx.size)
    ok = pos[g["member"]] >= 0
    gid, mem, role = g["group"][ok], pos[g["member"][ok]], g["role"][ok]
    n_groups = int(records.group_ids.shape[0]) if records.group_ids is not None else 0
    rank = {"owner": 0, "admin": 1, "member": 2}
    pref = np.array([rank[r] for r in role.tolist()], dtype=np.int64)
    owner = np.full(n_groups, -1, dtype=np.int64)
    owns = np.full(idx.size, -1, dtype=np.int64)
    # owners: by role (owner, then admin, then member), in row order; one group per owner
    for r in np.lexsort((np.arange(gid.size), pref)).tolist():
        gg, mm = int(gid[r]), int(mem[r])
        if owner[gg] < 0 and owns[mm] < 0:
            owner[gg] = mm
            owns[mm] = gg
    membership = owns.copy()
    for r in range(gid.size):  # the first group listed, for members who own none
        mm = int(mem[r])
        if membership[mm] < 0 and owner[int(gid[r])] >= 0:
            membership[mm] = int(gid[r])
    used = np.flatnonzero(owner >= 0)
    remap = np.full(n_groups + 1, -1, dtype=np.int64)
    remap[used] = np.arange(used.size)
    membership = remap[membership]
    sizes = np.bincount(membership[membership >= 0], minlength=used.size)
    cap = max(WECHAT_GROUP_CAP, int(sizes.max()) if sizes.size else 0)
    inv = g["invitation"][ok]
    given = inv[inv != ""]
    policy = InvitePolicy.OPEN
    if given.size:
        vals, counts = np.unique(given, return_counts=True)
        policy = InvitePolicy(str(vals[np.argmax(counts)]))
    return Groups(membership=membership, owners=owner[used], cap=cap, policy=policy)


def strong_pairs(records: Records, rule: TieRule) -> tuple[IntArray, IntArray]:
    """Pairs (codes, ``a < b``) with ``rule.strong_after_meetings`` meetings, and the week of
    the meeting that made each strong."""
    e = records.events
    empty = np.empty((0, 2), dtype=np.int64)
    if e is None or e["member"].size == 0:
        return empty, np.empty(0, np.int64)
    k = rule.strong_after_meetings
    n = records.n_members
    o = np.lexsort((e["member"], e["event"]))
    ev, mem, wk = e["event"][o], e["member"][o], week_of(e["time"][o])
    starts = np.flatnonzero(np.r_[True, ev[1:] != ev[:-1]])
    ends = np.r_[starts[1:], ev.size]
    pa: list[IntArray] = []
    pb: list[IntArray] = []
    pw: list[IntArray] = []
    for s, t in zip(starts.tolist(), ends.tolist(), strict=True):
        if t - s < 2:
            continue
        m = mem[s:t]
        i, j = np.triu_indices(m.size, 1)
        pa.append(m[i])
        pb.append(m[j])
        pw.append(np.full(i.size, int(wk[s:t].max())))
    if not pa:
        return empty, np.empty(0, np.int64)
    a, b, w = np.concatenate(pa), np.concatenate(pb), np.concatenate(pw)
    key = np.minimum(a, b) * n + np.maximum(a, b)
    ta, tb, _, _ = _pairs(records, None)
    if ta.size:
        tied = np.unique(np.minimum(ta, tb) * n + np.maximum(ta, tb))
        on = np.isin(key, tied)
        key, w = key[on], w[on]
    o2 = np.lexsort((w, key))
    key, w = key[o2], w[o2]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    count = np.diff(np.r_[first, key.size])
    strong = count >= k
    kth = first[strong] + k - 1
    pairs = np.column_stack([key[kth] // n, key[kth] % n]).astype(np.int64)
    return pairs, w[kth].astype(np.int64)


# ---------------------------------------------------------------------------------- stages


@attrs.frozen(kw_only=True)
class StageRule:
    """How a member's ladder stage is read from the records when there is no stages table.

    At the end of each week, a member who is present is

    * a **prospect** before any purchase;
    * a **customer** after purchases in fewer than ``repeat_weeks`` distinct weeks;
    * a **user** after purchases in at least ``repeat_weeks`` distinct weeks (a relationship
      with the product);
    * a **fan**: a user active in the community (sent a message, received a direct message or
      attended an event) in at least ``fan_active_weeks`` of the last ``fan_window`` weeks;
    * a **friend**: a fan with at least one strong tie (``tie_rule``: offline meetings with a
      tied member, seed 004).

    A member who has left is **lapsed** until a new spell begins. Operators have no stage.
    Purchases at time 0 count (a customer before the start).

    Attributes
    ----------
    repeat_weeks
        Distinct purchase weeks that make a user (>= 2). Default 2.
    fan_window
        Weeks looked back for community activity (>= 1). Default 4.
    fan_active_weeks
        Active weeks within the window that make a fan (1..``fan_window``). Default 2.
    tie_rule
        :class:`~shequn.loyalty.TieRule` for strong ties.

    Examples
    --------
    >>> StageRule(fan_window=2, fan_active_weeks=3)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `StageRule.fan_active_weeks` must be <= \
fan_window (2); got 3
    """

    repeat_weeks: int = attrs.field(default=2, validator=integer(low=2))
    fan_window: int = attrs.field(default=4, validator=integer(low=1))
    fan_active_weeks: int = attrs.field(default=2, validator=integer(low=1))
    tie_rule: TieRule = attrs.field(factory=TieRule, validator=instance_of(TieRule))

    def __attrs_post_init__(self) -> None:
        if self.fan_active_weeks > self.fan_window:
            raise fail(
                "StageRule",
                "fan_active_weeks",
                f"be <= fan_window ({self.fan_window})",
                self.fan_active_weeks,
            )


def _stage_codes(value: Any) -> NDArray[np.int8]:
    """``StageHistory.stages``: a (members, weeks + 1) array of codes -1..5 (as int8)."""
    arr = check_array(value, owner="StageHistory", field="stages", dtype=np.int8, ndim=2)
    if arr.shape[1] < 1:
        raise fail("StageHistory", "stages", "have a column per week from week 0", arr.shape)
    bad = np.flatnonzero(((arr < -1) | (arr >= len(Stage))).ravel())
    if bad.size:
        raise fail(
            "StageHistory",
            "stages",
            f"hold Stage codes 0..{len(Stage) - 1} or -1 (no stage) (index {bad[0]})",
            arr.ravel()[bad[0]],
        )
    return arr


def _source(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    check_choice(value, ["records", "rule"], owner="StageHistory", field="source")


@attrs.frozen(kw_only=True)
class StageHistory(ResultMixin):
    """Every member's ladder stage at the end of every week.

    Attributes
    ----------
    stages
        (members, weeks + 1) int8 :class:`~shequn.loyalty.Stage` codes; ``-1`` before a member
        first joined, and for operators.
    source
        ``"records"`` (the stages table) or ``"rule"`` (derived by :class:`StageRule`).
    """

    stages: NDArray[np.int8] = attrs.field(converter=_stage_codes, eq=array_eq, repr=False)
    source: str = attrs.field(validator=_source)

    @property
    def weeks(self) -> int:
        """Observed weeks."""
        return int(self.stages.shape[1] - 1)

    def names(self, week: int) -> list[str]:
        """Stage names of every member at the end of ``week`` (``"-"`` for no stage).

        Examples
        --------
        >>> StageHistory(stages=np.array([[0, 1]], dtype=np.int8), source="rule").names(1)
        ['customer']
        """
        w = check_int(week, owner="StageHistory.names", field="week", low=0)
        if w >= self.stages.shape[1]:
            raise fail("StageHistory.names", "week", f"be at most {self.stages.shape[1] - 1}", week)
        col = self.stages[:, w]
        return ["-" if s < 0 else Stage(int(s)).name.lower() for s in col.tolist()]

    def counts(self) -> IntArray:
        """(weeks + 1, 6) members per stage each week.

        Examples
        --------
        >>> h = StageHistory(stages=np.array([[0, 1], [-1, 1]], dtype=np.int8), source="rule")
        >>> h.counts()[1].tolist()
        [0, 2, 0, 0, 0, 0]
        """
        W = self.stages.shape[1]
        out = np.zeros((W, len(Stage)), dtype=np.int64)
        for w in range(W):
            col = self.stages[:, w]
            out[w] = np.bincount(col[col >= 0], minlength=len(Stage))
        return out

    def ladder(self, *, level: float = 0.95) -> LadderFit:
        """The weekly :class:`~shequn.loyalty.Ladder` fitted to the stage moves, with Wilson
        intervals (:meth:`~shequn.loyalty.Ladder.fit_log`; one period = one week).

        Examples
        --------
        >>> h = StageHistory(stages=np.array([[1, 2, 2], [1, 1, 5]], dtype=np.int8),
        ...                  source="rule")
        >>> round(float(h.ladder().ladder.transition[1, 2]), 3)  # 1 of 3 moves from customer
        0.333
        """
        i, w = np.nonzero(self.stages >= 0)
        return Ladder.fit_log(i, w, self.stages[i, w].astype(np.int64), level=level)

    def summary(self) -> Summary:
        """Members per stage at the start and at the end.

        Examples
        --------
        >>> h = StageHistory(stages=np.array([[0, 1]], dtype=np.int8), source="rule")
        >>> h.summary()["end"]
        {'prospect': 0, 'customer': 1, 'user': 0, 'fan': 0, 'friend': 0, 'lapsed': 0}
        """
        c = self.counts()
        names = [s.name.lower() for s in Stage]
        return Summary(
            title=f"Ladder stages over {self.weeks} weeks (from the {self.source})",
            headline={
                "start": dict(zip(names, c[0].tolist(), strict=True)),
                "end": dict(zip(names, c[-1].tolist(), strict=True)),
            },
        )

    def to_frame(self) -> Any:
        """Members per stage per week as a pandas DataFrame (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            self.counts(),
            columns=[s.name.lower() for s in Stage],
            index=pd.Index(np.arange(self.weeks + 1), name="week"),
        )


def stages_from_table(records: Records) -> StageHistory:
    """The stages table as a :class:`StageHistory` (member-weeks not listed: ``-1``)."""
    st = records.stages_table
    assert st is not None
    out = np.full((records.n_members, records.weeks + 1), -1, dtype=np.int8)
    out[st["member"], st["week"]] = st["stage"]
    return StageHistory(stages=out, source="records")


def stages_by_rule(records: Records, rule: StageRule) -> StageHistory:
    """Stages per member and week by :class:`StageRule` (see there)."""
    n, W = records.n_members, records.weeks + 1
    jw, lw, _ = _spell_weeks(records)
    s = records.spells
    present = np.zeros((n, W), dtype=bool)
    joined_once = np.zeros((n, W), dtype=bool)
    weeks = np.arange(W)
    for m, a, b in zip(s["member"].tolist(), jw.tolist(), lw.tolist(), strict=True):
        present[m] |= (weeks >= a) & (weeks < b)
        joined_once[m] |= weeks >= a
    # distinct purchase weeks so far
    bought = np.zeros((n, W), dtype=bool)
    t = records.transactions
    if t is not None:
        mem = t["member"] >= 0
        bought[t["member"][mem], np.minimum(week_of(t["time"][mem]), W - 1)] = True
    n_weeks_bought = np.cumsum(bought, axis=1)
    # community activity (messages, direct messages received, events) per week
    act = np.zeros((n, W), dtype=np.int64)
    m = records.messages
    if m is not None:
        wk = np.minimum(week_of(m["time"]), W - 1)
        act[m["sender"], wk] = 1
        dm = m["recipient"] >= 0
        act[m["recipient"][dm], wk[dm]] = 1
    e = records.events
    if e is not None:
        act[e["member"], np.minimum(week_of(e["time"]), W - 1)] = 1
    c = np.cumsum(act, axis=1)
    lagged = np.zeros_like(c)
    if rule.fan_window < W:
        lagged[:, rule.fan_window :] = c[:, : W - rule.fan_window]
    recent = c - lagged
    # strong ties: from the week the pair's meetings reached the rule
    strong_since = np.full(n, np.iinfo(np.int64).max)
    pairs, when = strong_pairs(records, rule.tie_rule)
    if pairs.size:
        np.minimum.at(strong_since, pairs[:, 0], when)
        np.minimum.at(strong_since, pairs[:, 1], when)
    strong = weeks[None, :] >= strong_since[:, None]
    stage = np.full((n, W), int(Stage.PROSPECT), dtype=np.int8)
    stage[n_weeks_bought >= 1] = int(Stage.CUSTOMER)
    user = n_weeks_bought >= rule.repeat_weeks
    stage[user] = int(Stage.USER)
    fan = user & (recent >= rule.fan_active_weeks)
    stage[fan] = int(Stage.FAN)
    stage[fan & strong] = int(Stage.FRIEND)
    stage[~present & joined_once] = int(Stage.LAPSED)
    stage[~joined_once] = -1
    stage[records.operators] = -1
    return StageHistory(stages=stage, source="rule")


# ---------------------------------------------------------------------------------- output


def _times(v: FloatArray) -> list[Any]:
    return [None if math.isnan(x) else float(x) for x in v.tolist()]


def to_tables(records: Records) -> dict[str, dict[str, list[Any]]]:
    """See :meth:`Records.to_tables`."""
    ids = records.member_ids
    role_name = {0: "member", 1: "volunteer", 2: "leader", 3: "brand_account"}
    s = records.spells
    members: dict[str, list[Any]] = {
        "member": ids[s["member"]].tolist(),
        "joined": _times(s["joined"]),
        "left": _times(s["left"]),
        "role": [role_name[int(r)] for r in records.roles[s["member"]].tolist()],
    }
    for k, v in records.attributes.items():
        members[k] = np.asarray(v)[s["member"]].tolist()
    out: dict[str, dict[str, list[Any]]] = {"members": members}
    if records.ties is not None:
        t = records.ties
        out["ties"] = {
            "a": ids[t["a"]].tolist(),
            "b": ids[t["b"]].tolist(),
            "weight": t["weight"].astype(float).tolist(),
            "formed": _times(t["formed"]),
        }
    if records.groups is not None and records.group_ids is not None:
        g = records.groups
        out["groups"] = {
            "group": records.group_ids[g["group"]].tolist(),
            "member": ids[g["member"]].tolist(),
            "role": g["role"].tolist(),
            "invitation": [None if x == "" else x for x in g["invitation"].tolist()],
        }
    if records.messages is not None:
        m = records.messages
        gids = records.group_ids
        out["messages"] = {
            "time": _times(m["time"]),
            "sender": ids[m["sender"]].tolist(),
            "recipient": [None if r < 0 else ids[r].item() for r in m["recipient"].tolist()],
            "group": [
                None if g < 0 else (g if gids is None else gids[g].item())
                for g in m["group"].tolist()
            ],
            "count": m["count"].astype(int).tolist(),
        }
    if records.events is not None and records.event_ids is not None:
        e = records.events
        out["events"] = {
            "event": records.event_ids[e["event"]].tolist(),
            "member": ids[e["member"]].tolist(),
            "time": _times(e["time"]),
        }
    if records.transactions is not None:
        t = records.transactions
        cust = [
            ids[c].item() if c >= 0 else x
            for c, x in zip(t["member"].tolist(), t["customer"].tolist(), strict=True)
        ]
        out["transactions"] = {
            "customer": cust,
            "time": _times(t["time"]),
            "amount": t["amount"].astype(float).tolist(),
        }
        if "transaction" in t and (t["transaction"] != "").any():
            out["transactions"]["transaction"] = [
                None if x == "" else x for x in t["transaction"].tolist()
            ]
    if records.broadcasts is not None:
        b = records.broadcasts
        out["broadcasts"] = {
            "time": _times(b["time"]),
            "audience": b["audience"].astype(int).tolist(),
            "opens": b["opens"].astype(int).tolist(),
        }
    if records.stages_table is not None:
        st = records.stages_table
        out["stages"] = {
            "member": ids[st["member"]].tolist(),
            "week": st["week"].astype(int).tolist(),
            "stage": [Stage(int(x)).name.lower() for x in st["stage"].tolist()],
        }
    return out
