"""Load a community's records from CSV or Parquet files, DataFrames or mappings of columns.

:func:`load_records` reads the tables of the records schema (``docs/records.md``,
:mod:`shequn.records.schema`), parses every value, and checks the rows against each other.
Nothing is dropped silently: every unusable row becomes a :class:`~shequn.records.Problem`
(file, row, column, value and the rule it breaks). With ``on_error="raise"`` (the default) the
first problem raises :class:`~shequn.exceptions.InvalidParameterError`; with
``on_error="set_aside"`` the rows are set aside and counted in the load report
(``records.report``).

Examples
--------
>>> from shequn.records import load_records
>>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 2.5]},
...                  ties={"a": [1, 2], "b": [2, 3]},
...                  transactions={"customer": [1, 9], "time": [1.0, 3.0],
...                                "amount": [20.0, 5.0]})
>>> r.n_members, r.weeks, r.member_ids.tolist()
(3, 3, [1, 2, 3])
>>> load_records(members={"member": [1], "joined": [0]}, ties={"a": [1], "b": [1]})
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `ties.b` must differ from `a` (a self-tie) \
(mapping ties, row 1); got '1'
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from shequn._typing import BoolArray, IntArray
from shequn._validation import check_choice, fail
from shequn.community.types import Role
from shequn.exceptions import InvalidParameterError
from shequn.loyalty.stages import Stage
from shequn.records._parse import (
    parse_choice,
    parse_ids,
    parse_numbers,
    parse_times,
    to_datetime,
)
from shequn.records._read import find_files, read_table
from shequn.records.records import Records
from shequn.records.report import LoadReport, Problem
from shequn.records.schema import SCHEMA, TABLES, Column

__all__ = ["load_records"]

_INT_ID = re.compile(r"^(0|-?[1-9][0-9]*)$")
_ROLE = {
    "member": int(Role.MEMBER),
    "volunteer": int(Role.VOLUNTEER),
    "leader": int(Role.LEADER),
    "brand_account": int(Role.BRAND_ACCOUNT),
}


class _Checked:
    """One table's parsed columns and the problems found in its rows."""

    def __init__(self, table: str, origin: str, n: int) -> None:
        self.table = table
        self.origin = origin
        self.n = n
        self.cols: dict[str, NDArray[Any]] = {}
        self.raw: dict[str, NDArray[Any]] = {}
        self.present: set[str] = set()
        self.missing: dict[str, BoolArray] = {}
        self.problems: list[tuple[int, int, Problem]] = []  # (row, order, problem)
        self.bad = np.zeros(n, dtype=bool)

    def flag(self, mask: BoolArray, kind: str, column: str, rule: str) -> None:
        rows = np.flatnonzero(mask)
        if not rows.size:
            return
        raw = self.raw.get(column)
        for i in rows.tolist():
            value = "" if raw is None or raw[i] is None else str(raw[i])
            self.problems.append(
                (
                    i,
                    len(self.problems),
                    Problem(
                        kind=kind,
                        table=self.table,
                        origin=self.origin,
                        row=i + 1,
                        column=column,
                        value=value,
                        rule=rule,
                    ),
                )
            )
        self.bad[rows] = True


def _parse_table(
    table: str,
    origin: str,
    raw: dict[str, NDArray[Any]],
    n: int,
    *,
    start: np.datetime64 | None,
    date_format: str | None,
) -> _Checked:
    chk = _Checked(table, origin, n)
    spec = SCHEMA[table]
    for col in spec:
        if col.required and col.name not in raw:
            raise fail(
                table,
                col.name,
                f"be a column of {origin} (required; found {sorted(raw)})",
                None,
            )
    for col in spec:
        if col.name not in raw:
            _absent(chk, col, n)
            continue
        values = raw[col.name]
        chk.raw[col.name] = values
        chk.present.add(col.name)
        _parse_column(chk, col, values, start=start, date_format=date_format)
    return chk


def _absent(chk: _Checked, col: Column, n: int) -> None:
    chk.missing[col.name] = np.ones(n, dtype=bool)
    if col.kind == "id" or col.kind == "choice":
        chk.cols[col.name] = np.full(n, "" if col.default is None else str(col.default))
    elif col.kind == "time":
        chk.cols[col.name] = np.full(n, np.nan)
    elif col.kind == "int":
        chk.cols[col.name] = np.full(n, 0 if col.default is None else int(str(col.default)))
    else:
        chk.cols[col.name] = np.full(n, np.nan if col.default is None else float(str(col.default)))


def _parse_column(
    chk: _Checked,
    col: Column,
    values: NDArray[Any],
    *,
    start: np.datetime64 | None,
    date_format: str | None,
) -> None:
    name = col.name
    if col.kind == "id":
        ids, missing, bad = parse_ids(values)
        chk.flag(bad, "bad_value", name, "be an id (text or an integer)")
        chk.cols[name] = ids
    elif col.kind == "time":
        weeks, missing, bad, undated = parse_times(values, start=start, date_format=date_format)
        chk.flag(
            undated,
            "bad_value",
            name,
            "be a number of weeks, or a date with start= given (the date of week 0)",
        )
        rule = (
            f"be a date in the format {date_format!r} or a number of weeks"
            if date_format
            else "be a number of weeks or an ISO 8601 date (YYYY-MM-DD)"
        )
        chk.flag(bad & ~undated, "bad_value", name, rule)
        weeks = weeks.astype(np.float64)
        weeks[missing] = np.nan
        chk.cols[name] = weeks
    elif col.kind in ("float", "int"):
        vals, missing, bad = parse_numbers(values, integer=col.kind == "int")
        low = 1 if name == "count" else 0
        if col.kind == "int":
            chk.flag(bad, "bad_value", name, f"be an integer >= {low}")
            neg = ~missing & ~bad & (vals < low)
            chk.flag(neg, "bad_value", name, f"be an integer >= {low}")
        else:
            strict = name == "weight"
            rule = "be a number > 0" if strict else "be a number >= 0"
            chk.flag(bad, "bad_value", name, rule)
            neg = ~missing & ~bad & ((vals <= 0) if strict else (vals < 0))
            chk.flag(neg, "bad_value", name, rule)
        if missing.any() and col.default is not None:
            vals = vals.copy()
            vals[missing] = (
                float(str(col.default)) if col.kind == "float" else int(str(col.default))
            )
        elif missing.any() and col.kind == "float":
            vals = vals.astype(np.float64)
            vals[missing] = np.nan
        chk.cols[name] = vals
    elif col.kind == "choice":
        picked, missing, bad = parse_choice(values, col.choices)
        chk.flag(bad, "bad_value", name, f"be one of {list(col.choices)}")
        if col.default is not None:
            picked[missing] = str(col.default)
        chk.cols[name] = picked
    else:  # stage
        stages, missing, bad = _parse_stages(values)
        chk.flag(bad, "bad_value", name, f"be a stage {[s.name.lower() for s in Stage]}")
        chk.cols[name] = stages
    if col.required:
        chk.flag(missing, "bad_value", name, "be given (required)")
    chk.missing[name] = missing


def _parse_stages(values: NDArray[Any]) -> tuple[NDArray[np.int8], BoolArray, BoolArray]:
    names = {s.name.lower(): int(s) for s in Stage}
    names.update({str(int(s)): int(s) for s in Stage})
    names.update({s.chinese: int(s) for s in Stage})
    ids, missing, bad = parse_ids(values)
    low = np.char.lower(ids)
    out = np.zeros(ids.shape[0], dtype=np.int8)
    for i, v in enumerate(low.tolist()):
        if missing[i] or bad[i]:
            continue
        code = names.get(v)
        if code is None:
            bad[i] = True
        else:
            out[i] = code
    return out, missing, bad


def _lookup(keys: NDArray[np.str_], values: NDArray[np.str_]) -> IntArray:
    """Index of each value in ``keys`` (unique), or -1."""
    if keys.size == 0:
        return np.full(values.shape[0], -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    pos = np.searchsorted(sk, values)
    pos = np.minimum(pos, sk.size - 1)
    hit = sk[pos] == values
    out = np.where(hit, order[pos], -1)
    return out.astype(np.int64)


def _typed_ids(ids: NDArray[np.str_]) -> NDArray[Any]:
    if ids.size and all(_INT_ID.match(s) for s in ids.tolist()):
        return ids.astype(np.int64)
    return ids.astype(object).astype(str)


def _window_time(value: Any, start: np.datetime64 | None, field: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(float(value)):
            raise fail("load_records", field, "be finite", value)
        return float(value)
    d = to_datetime(value)
    if d is None:
        raise fail("load_records", field, "be a number of weeks or a date", value)
    if start is None:
        raise fail("load_records", field, "be a number of weeks when start= is not given", value)
    return float((d - start) / np.timedelta64(7 * 24 * 3600, "s"))


def load_records(
    source: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    *,
    members: Any = None,
    ties: Any = None,
    groups: Any = None,
    messages: Any = None,
    events: Any = None,
    transactions: Any = None,
    broadcasts: Any = None,
    stages: Any = None,
    start: Any = None,
    end: Any = None,
    date_format: str | None = None,
    on_error: str = "raise",
) -> Records:
    """Load and validate a community's records (see ``docs/records.md`` for the schema).

    Parameters
    ----------
    source
        A directory holding ``members.csv`` (or ``.parquet``), ``ties.csv``, ``groups.csv``,
        ``messages.csv``, ``events.csv``, ``transactions.csv``, ``broadcasts.csv`` and
        ``stages.csv`` (any but members may be absent), or a mapping table name → table.
    members, ties, groups, messages, events, transactions, broadcasts, stages
        One table each (override ``source``): a CSV or Parquet path, a pandas DataFrame or a
        mapping column name → values. ``members`` is required.
    start
        The date of week 0 (``"2024-01-01"``, a ``datetime64`` or ``datetime``), needed when
        times are dates; times given as numbers are weeks since the start already.
    end
        End of observation (weeks, or a date with ``start``); default the last time in the
        records. Times after it, or before 0, are ``outside_window`` problems.
    date_format
        A :func:`datetime.datetime.strptime` format for dates that are not ISO 8601.
    on_error
        ``"raise"`` (default): the first unusable row raises, naming file, row, column and
        value. ``"set_aside"``: unusable rows are set aside and counted in ``report``.

    Returns
    -------
    Records

    Raises
    ------
    InvalidParameterError
        A missing table or column, an unreadable file, or (with ``on_error="raise"``) any
        unusable row.

    Examples
    --------
    >>> r = load_records(members={"member": ["ann", "bo", "cy"], "joined": [0, 0, 0]},
    ...                  messages={"time": [0.5, 1.2, 9.0], "sender": ["ann", "dan", "bo"],
    ...                            "recipient": ["bo", "ann", "ann"]},
    ...                  end=4, on_error="set_aside")
    >>> r.report.counts
    {('messages', 'unknown_member'): 1, ('messages', 'outside_window'): 1}
    >>> print(r.report.problems[0])
    mapping messages row 2, column `sender`: unknown_member (must be in members; got 'dan')
    """
    check_choice(on_error, ["raise", "set_aside"], owner="load_records", field="on_error")
    given = {
        "members": members,
        "ties": ties,
        "groups": groups,
        "messages": messages,
        "events": events,
        "transactions": transactions,
        "broadcasts": broadcasts,
        "stages": stages,
    }
    sources: dict[str, Any] = {}
    if source is not None:
        if isinstance(source, Mapping):
            unknown = sorted(set(source) - set(TABLES))
            if unknown:
                raise fail("load_records", "source", f"name tables among {list(TABLES)}", unknown)
            sources.update({k: v for k, v in source.items() if v is not None})
        else:
            sources.update(find_files(source, TABLES))
    sources.update({k: v for k, v in given.items() if v is not None})
    if "members" not in sources:
        raise fail("load_records", "members", "be given (the members table is required)", None)
    t0: np.datetime64 | None = None
    if start is not None:
        t0 = to_datetime(start if not isinstance(start, str) else start.strip())
        if t0 is None:
            raise fail("load_records", "start", "be a date (YYYY-MM-DD or a datetime)", start)

    checked: dict[str, _Checked] = {}
    ignored: dict[str, tuple[str, ...]] = {}
    for table in TABLES:
        if table not in sources:
            continue
        origin, raw, n = read_table(sources[table], table)
        checked[table] = _parse_table(table, origin, raw, n, start=t0, date_format=date_format)
        known = {c.name for c in SCHEMA[table]}
        if table != "members":
            extra = tuple(sorted(set(raw) - known))
            if extra:
                ignored[table] = extra
        else:
            checked[table].cols.update({f"attr:{k}": v for k, v in raw.items() if k not in known})

    # --- members: ids, roles, spells
    mem = checked["members"]
    mid = mem.cols["member"]
    joined = mem.cols["joined"]
    left = mem.cols["left"]
    lb = ~np.isnan(left) & ~np.isnan(joined) & (left < joined)
    mem.flag(lb, "bad_value", "left", "be at or after `joined`")

    # --- the observation window
    t_end: float
    if end is not None:
        t_end = _window_time(end, t0, "end")
        if t_end <= 0:
            raise fail("load_records", "end", "be after the start (> 0 weeks)", end)
    else:
        latest = [0.0]
        for table, chk in checked.items():
            for c in SCHEMA[table]:
                if c.kind == "time":
                    v = chk.cols[c.name][~chk.bad]
                    v = v[~np.isnan(v)]
                    if v.size:
                        latest.append(float(v.max()))
        t_end = max(latest)
        if t_end <= 0:
            t_end = 1.0
    weeks = max(1, math.ceil(t_end - 1e-9))
    for table, chk in checked.items():
        for c in SCHEMA[table]:
            if c.kind != "time":
                continue
            v = chk.cols[c.name]
            if table == "members" and c.name == "joined":
                out = ~chk.bad & (v > t_end)  # founding members joined before the start
            elif table == "ties":
                out = ~chk.bad & ~np.isnan(v) & (v > t_end)
            else:
                out = ~chk.bad & ~np.isnan(v) & ((v < 0) | (v > t_end))
            chk.flag(out, "outside_window", c.name, f"be within the observation [0, {t_end:g}]")
    if "stages" in checked:
        s = checked["stages"]
        out = ~s.bad & (s.cols["week"] > weeks)
        s.flag(out, "outside_window", "week", f"be within the observation weeks 0..{weeks}")

    # --- spells of one member must not overlap
    _check_spells(mem, _codes(mid), joined, left)

    # --- the members: ids with at least one usable spell, in order of first appearance
    ok = ~mem.bad
    unique_ids, first = np.unique(mid[ok], return_index=True) if ok.any() else (mid[:0], mid[:0])
    rows_ok = np.flatnonzero(ok)
    order = np.argsort(rows_ok[first], kind="stable") if unique_ids.size else np.empty(0, int)
    keys = unique_ids[order]
    spell_member = _lookup(keys, mid)

    # --- member references
    for table, chk in checked.items():
        if table == "members":
            continue
        for c in SCHEMA[table]:
            if not c.member or c.name not in chk.present:
                continue
            code = _lookup(keys, chk.cols[c.name])
            given_ = ~chk.missing[c.name]
            chk.flag(given_ & ~chk.bad & (code < 0), "unknown_member", c.name, "be in members")
            chk.cols[f"{c.name}:code"] = code
        for c in SCHEMA[table]:
            if c.member and f"{c.name}:code" not in chk.cols:
                chk.cols[f"{c.name}:code"] = np.full(chk.n, -1, dtype=np.int64)

    _check_ties(checked.get("ties"))
    group_keys = _check_groups(checked.get("groups"))
    _check_messages(checked.get("messages"), group_keys)
    _check_pairs(checked.get("events"), ("event", "member:code"), "an attendee once per event")
    _check_pairs(
        checked.get("stages"), ("member:code", "week"), "have one stage per member and week"
    )
    _check_transactions(checked.get("transactions"))
    if "broadcasts" in checked:
        b = checked["broadcasts"]
        over = ~b.bad & (b.cols["opens"] > b.cols["audience"])
        b.flag(over, "bad_value", "opens", "be <= audience")

    problems: list[Problem] = []
    for table in TABLES:
        if table in checked:
            problems += [p for _, _, p in sorted(checked[table].problems, key=lambda x: x[:2])]
    if problems and on_error == "raise":
        p = problems[0]
        msg = str(fail(p.table, p.column, f"{p.rule} ({p.origin}, row {p.row})", p.value))
        if len(problems) > 1:
            msg += (
                f" (and {len(problems) - 1} more problems; on_error='set_aside' sets such rows "
                "aside and counts them in records.report)"
            )
        raise InvalidParameterError(msg)

    report = LoadReport(
        rows={t: c.n for t, c in checked.items()},
        kept={t: int((~c.bad).sum()) for t, c in checked.items()},
        problems=problems,
    )
    return _build(checked, keys, spell_member, t0, t_end, weeks, report, ignored, group_keys)


def _check_spells(
    mem: _Checked, spell_member: IntArray, joined: NDArray[Any], left: NDArray[Any]
) -> None:
    ok = np.flatnonzero(~mem.bad)
    if ok.size < 2:
        return
    o = ok[np.lexsort((joined[ok], spell_member[ok]))]
    same = spell_member[o[1:]] == spell_member[o[:-1]]
    prev_left = left[o[:-1]]
    overlap = same & (np.isnan(prev_left) | (joined[o[1:]] < prev_left))
    mask = np.zeros(mem.n, dtype=bool)
    mask[o[1:][overlap]] = True
    mem.flag(mask, "overlapping_spell", "joined", "start after the member's previous spell ended")


def _check_ties(t: _Checked | None) -> None:
    if t is None:
        return
    a, b = t.cols["a:code"], t.cols["b:code"]
    t.flag(~t.bad & (a == b), "self_tie", "b", "differ from `a` (a self-tie)")
    ok = np.flatnonzero(~t.bad)
    if ok.size:
        key = np.minimum(a[ok], b[ok]) * (int(max(a.max(), b.max())) + 1) + np.maximum(a[ok], b[ok])
        _, first = np.unique(key, return_index=True)
        dup = np.ones(ok.size, dtype=bool)
        dup[first] = False
        mask = np.zeros(t.n, dtype=bool)
        mask[ok[dup]] = True
        t.flag(mask, "duplicate_tie", "b", "list each pair once")


def _check_groups(g: _Checked | None) -> NDArray[np.str_] | None:
    if g is None:
        return None
    _check_pairs(g, ("group", "member:code"), "list a member once per group")
    ids = g.cols["group"][~g.bad]
    _, first = np.unique(ids, return_index=True)
    keys: NDArray[np.str_] = ids[np.sort(first)]
    return keys


def _check_messages(m: _Checked | None, group_keys: NDArray[np.str_] | None) -> None:
    if m is None:
        return
    none = m.missing["recipient"] & m.missing["group"]
    m.flag(none, "bad_value", "recipient", "be given, or `group` (a message goes somewhere)")
    m.flag(
        ~m.bad & (m.cols["recipient:code"] == m.cols["sender:code"]),
        "self_message",
        "recipient",
        "differ from the sender",
    )
    if group_keys is not None:
        code = _lookup(group_keys, m.cols["group"])
        unknown = ~m.missing["group"] & ~m.bad & (code < 0)
        m.flag(unknown, "unknown_group", "group", "be a group in the groups table")


def _codes(values: NDArray[Any]) -> IntArray:
    _, inv = np.unique(values, return_inverse=True)
    return np.asarray(inv, dtype=np.int64).ravel()


def _check_pairs(t: _Checked | None, cols: tuple[str, str], rule: str) -> None:
    if t is None:
        return
    ok = np.flatnonzero(~t.bad)
    if not ok.size:
        return
    a = _codes(t.cols[cols[0]][ok])
    b = _codes(t.cols[cols[1]][ok])
    key = a * (int(b.max()) + 1) + b
    _, first = np.unique(key, return_index=True)
    dup = np.ones(ok.size, dtype=bool)
    dup[first] = False
    mask = np.zeros(t.n, dtype=bool)
    mask[ok[dup]] = True
    column = cols[1].split(":")[0]
    t.flag(mask, "duplicate_membership", column, rule)


def _check_transactions(t: _Checked | None) -> None:
    if t is None:
        return
    ok = np.flatnonzero(~t.bad)
    if not ok.size:
        return
    if "transaction" in t.present:
        given = ~t.missing["transaction"][ok]
        key = _codes(t.cols["transaction"][ok])
        key = np.where(given, key, -1 - np.arange(ok.size))  # rows without an id are distinct
        rule = "have a transaction id not seen before"
    else:
        c = _codes(t.cols["customer"][ok])
        tm = _codes(t.cols["time"][ok])
        am = _codes(t.cols["amount"][ok])
        key = (c * (int(tm.max()) + 1) + tm) * (int(am.max()) + 1) + am
        rule = (
            "differ from an earlier row in customer, time and amount (give a `transaction` "
            "id column if equal rows are distinct orders)"
        )
    _, first = np.unique(key, return_index=True)
    dup = np.ones(ok.size, dtype=bool)
    dup[first] = False
    mask = np.zeros(t.n, dtype=bool)
    mask[ok[dup]] = True
    t.flag(
        mask,
        "duplicate_transaction",
        "transaction" if "transaction" in t.present else "amount",
        rule,
    )


def _keep(chk: _Checked | None, names: tuple[str, ...]) -> dict[str, NDArray[Any]] | None:
    if chk is None:
        return None
    ok = ~chk.bad
    return {n: np.asarray(chk.cols[n][ok]) for n in names}


def _build(
    checked: dict[str, _Checked],
    keys: NDArray[np.str_],
    spell_member: IntArray,
    start: np.datetime64 | None,
    end: float,
    weeks: int,
    report: LoadReport,
    ignored: dict[str, tuple[str, ...]],
    group_keys: NDArray[np.str_] | None,
) -> Records:
    mem = checked["members"]
    ok = ~mem.bad
    sm = spell_member[ok]
    order = np.lexsort((mem.cols["joined"][ok], sm))
    spells = {
        "member": sm[order],
        "joined": mem.cols["joined"][ok][order],
        "left": mem.cols["left"][ok][order],
    }
    n = keys.size
    # per member: role and attributes of the first spell row
    first_row = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(ok)
    for i in rows[::-1]:  # reverse so the earliest row wins
        first_row[spell_member[i]] = i
    role_names = mem.cols["role"][first_row] if n else np.empty(0, str)
    roles = np.array([_ROLE[r] for r in role_names.tolist()], dtype=np.int8)
    attributes = {
        k[5:]: np.asarray(v)[first_row] for k, v in mem.cols.items() if k.startswith("attr:")
    }

    def get(table: str, names: tuple[str, ...], rename: dict[str, str]) -> dict[str, Any] | None:
        got = _keep(checked.get(table), names)
        if got is None:
            return None
        return {rename.get(k, k): v for k, v in got.items()}

    ties = get("ties", ("a:code", "b:code", "weight", "formed"), {"a:code": "a", "b:code": "b"})
    groups_t = get(
        "groups",
        ("group", "member:code", "role", "invitation"),
        {"member:code": "member"},
    )
    if groups_t is not None and group_keys is not None:
        groups_t["group"] = _lookup(group_keys, groups_t["group"])
    messages_t = get(
        "messages",
        ("time", "sender:code", "recipient:code", "group", "count"),
        {"sender:code": "sender", "recipient:code": "recipient"},
    )
    if messages_t is not None:
        gname = messages_t.pop("group")
        if group_keys is not None:
            messages_t["group"] = _lookup(group_keys, gname)
        else:
            has = gname != ""
            code = np.full(gname.shape[0], -1, dtype=np.int64)
            if has.any():
                code[has] = _codes(gname[has])
            messages_t["group"] = code
    events_t = get("events", ("event", "member:code", "time"), {"member:code": "member"})
    event_ids = None
    if events_t is not None:
        event_ids, inv = np.unique(events_t["event"], return_inverse=True)
        events_t["event"] = np.asarray(inv, dtype=np.int64).ravel()
    tx = get("transactions", ("customer", "time", "amount", "transaction"), {})
    if tx is not None:
        tx["member"] = _lookup(keys, tx["customer"])
    bc = get("broadcasts", ("time", "audience", "opens"), {})
    st = get("stages", ("member:code", "week", "stage"), {"member:code": "member"})
    return Records(
        member_ids=_typed_ids(keys),
        roles=roles,
        attributes=attributes,
        spells=spells,
        ties=ties,
        groups=groups_t,
        group_ids=None if group_keys is None else _typed_ids(group_keys),
        messages=messages_t,
        events=events_t,
        event_ids=event_ids,
        transactions=tx,
        broadcasts=bc,
        stages=st,
        start=start,
        end=end,
        weeks=weeks,
        report=report,
        ignored=ignored,
    )
