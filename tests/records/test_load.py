"""Loading records: sources, parsing, and every validation problem reported by name."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError
from shequn.records import PROBLEM_KINDS, SCHEMA, TABLES, load_records


def _write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


@pytest.fixture
def csv_dir(tmp_path: Path) -> Path:
    _write(
        tmp_path / "members.csv",
        """
member,joined,left,role,city
ann,2024-01-01,,leader,Beijing
bo,2024-01-01,2024-01-20,member,Shanghai
cy,2024-01-10,,member,Beijing
""",
    )
    _write(tmp_path / "ties.csv", "a,b\nann,bo\nbo,cy\n")
    _write(
        tmp_path / "transactions.csv",
        """
customer,time,amount
bo,2024-01-03,10
cy,2024-01-12,25.5
walk-in,2024-01-15,7
""",
    )
    return tmp_path


def test_csv_directory_with_dates(csv_dir: Path) -> None:
    r = load_records(csv_dir, start="2024-01-01")
    # 2024-01-20 is 19 days after the start: 19/7 weeks; 2024-01-15 is exactly 2 weeks
    assert r.member_ids.tolist() == ["ann", "bo", "cy"]
    assert r.spells["left"][1] == pytest.approx(19 / 7)
    assert r.transactions is not None
    assert r.transactions["time"].tolist() == pytest.approx([2 / 7, 11 / 7, 2.0])
    assert r.end == pytest.approx(19 / 7) and r.weeks == 3
    assert r.attributes["city"].tolist() == ["Beijing", "Shanghai", "Beijing"]
    assert r.operators.tolist() == [True, False, False]
    # the walk-in customer is not a member: a transaction, not an unknown member
    assert r.transactions["member"].tolist() == [1, 2, -1]
    w = r.weekly()
    # members exclude the leader: bo from the start, cy from week 2, bo gone in week 3
    assert w["members"].tolist() == [1.0, 1.0, 2.0, 1.0]
    assert w["revenue"].tolist() == [0.0, 10.0, 32.5, 0.0]
    assert w["member_revenue"].tolist() == [0.0, 10.0, 25.5, 0.0]


def test_dates_need_a_start(csv_dir: Path) -> None:
    with pytest.raises(InvalidParameterError, match=r"`members.joined` must be a number of weeks"):
        load_records(csv_dir)


def test_compact_dates_are_never_guessed(tmp_path: Path) -> None:
    _write(tmp_path / "members.csv", "member,joined\n1,20240101\n")
    # without date_format the digits are a number of weeks: far beyond the end given
    with pytest.raises(InvalidParameterError, match=r"within the observation"):
        load_records(tmp_path, end=10)
    r = load_records(tmp_path, start="2024-01-01", date_format="%Y%m%d", end=1)
    assert r.spells["joined"].tolist() == [0.0]


def test_missing_required_column_raises_even_when_setting_aside() -> None:
    with pytest.raises(InvalidParameterError, match=r"`transactions.amount` must be a column"):
        load_records(
            members={"member": [1], "joined": [0]},
            transactions={"customer": [1], "time": [1]},
            on_error="set_aside",
        )


def test_members_are_required() -> None:
    with pytest.raises(InvalidParameterError, match="members"):
        load_records(ties={"a": [1], "b": [2]})


def test_raise_names_file_row_column_and_value(tmp_path: Path) -> None:
    _write(tmp_path / "members.csv", "member,joined\n1,0\n2,0\n")
    _write(tmp_path / "transactions.csv", "customer,time,amount\n1,1,5\n2,1.5,-5\n")
    with pytest.raises(InvalidParameterError) as err:
        load_records(tmp_path)
    msg = str(err.value)
    assert "`transactions.amount`" in msg and "transactions.csv, row 2" in msg
    assert "got '-5'" in msg


# One minimal case per problem kind: (tables, kind, table, row, column)
CASES = {
    "bad_value": (
        {"transactions": {"customer": [1, 1], "time": [1, 2], "amount": ["3", "x"]}},
        "transactions",
        2,
        "amount",
    ),
    "unknown_member": (
        {"messages": {"time": [1, 1], "sender": [1, 7], "recipient": [2, 1]}},
        "messages",
        2,
        "sender",
    ),
    "unknown_group": (
        {
            "groups": {"group": ["g"], "member": [1]},
            "messages": {"time": [1], "sender": [1], "group": ["h"]},
        },
        "messages",
        1,
        "group",
    ),
    "outside_window": (
        {"events": {"event": ["e", "f"], "member": [1, 2], "time": [1, 9]}},
        "events",
        2,
        "time",
    ),
    "duplicate_transaction": (
        {"transactions": {"customer": [1, 2, 1], "time": [1, 1, 1], "amount": [5, 5, 5]}},
        "transactions",
        3,
        "amount",
    ),
    "self_tie": ({"ties": {"a": [1, 2], "b": [2, 2]}}, "ties", 2, "b"),
    "self_message": (
        {"messages": {"time": [1], "sender": [2], "recipient": [2]}},
        "messages",
        1,
        "recipient",
    ),
    "duplicate_tie": ({"ties": {"a": [1, 2], "b": [2, 1]}}, "ties", 2, "b"),
    "duplicate_membership": (
        {"events": {"event": ["e", "e"], "member": [1, 1], "time": [1, 1]}},
        "events",
        2,
        "member",
    ),
    "overlapping_spell": ({}, "members", 3, "joined"),
}


def _members(kind: str) -> dict[str, list[object]]:
    if kind == "overlapping_spell":
        return {"member": [1, 2, 1], "joined": [0, 0, 2], "left": [3, None, None]}
    return {"member": [1, 2], "joined": [0, 0]}


def test_every_problem_kind_has_a_case() -> None:
    assert set(CASES) == set(PROBLEM_KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_problem_raises_by_default(kind: str) -> None:
    tables, table, row, column = CASES[kind]
    with pytest.raises(InvalidParameterError) as err:
        load_records(members=_members(kind), end=5, **tables)
    assert re.search(rf"`{table}\.{column}`", str(err.value)), str(err.value)
    assert f"row {row}" in str(err.value)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_problem_is_set_aside_and_counted(kind: str) -> None:
    tables, table, row, column = CASES[kind]
    r = load_records(members=_members(kind), end=5, on_error="set_aside", **tables)
    assert r.report.counts == {(table, kind): 1}
    (p,) = r.report.problems
    assert (p.kind, p.table, p.row, p.column) == (kind, table, row, column)
    assert r.report.rows[table] - r.report.kept[table] == 1
    assert r.report.set_aside == 1


def test_distinct_orders_with_ids_are_not_duplicates() -> None:
    tx = {"customer": [1, 1], "time": [1, 1], "amount": [5, 5], "transaction": ["a", "b"]}
    r = load_records(members={"member": [1], "joined": [0]}, transactions=tx)
    assert r.weekly()["purchases"][1] == 2
    tx["transaction"] = ["a", "a"]
    with pytest.raises(InvalidParameterError, match="transaction id not seen before"):
        load_records(members={"member": [1], "joined": [0]}, transactions=tx)


def test_opens_above_audience_and_left_before_joined() -> None:
    with pytest.raises(InvalidParameterError, match=r"`broadcasts.opens` must be <= audience"):
        load_records(
            members={"member": [1], "joined": [0]},
            broadcasts={"time": [1], "audience": [10], "opens": [11]},
        )
    with pytest.raises(InvalidParameterError, match=r"`members.left` must be at or after"):
        load_records(members={"member": [1], "joined": [2], "left": [1]}, end=3)


def test_unknown_table_and_bad_option() -> None:
    with pytest.raises(InvalidParameterError, match="name tables"):
        load_records({"members": {"member": [1], "joined": [0]}, "orders": {}})
    with pytest.raises(InvalidParameterError, match="on_error"):
        load_records(members={"member": [1], "joined": [0]}, on_error="drop")


def test_ragged_csv_line_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "members.csv", "member,joined\n1,0\n2,0,extra\n")
    with pytest.raises(InvalidParameterError, match="row 2"):
        load_records(tmp_path)


def test_dataframes_and_parquet_load_like_csv(csv_dir: Path, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    base = load_records(csv_dir, start="2024-01-01")
    frames = {
        name: pd.read_csv(csv_dir / f"{name}.csv") for name in ("members", "ties", "transactions")
    }
    frames["members"]["joined"] = pd.to_datetime(frames["members"]["joined"])
    from_df = load_records(start="2024-01-01", **frames)
    out = tmp_path / "pq"
    out.mkdir()
    for name, df in frames.items():
        pq.write_table(pa.Table.from_pandas(df), out / f"{name}.parquet")
    from_pq = load_records(out, start="2024-01-01")
    for r in (from_df, from_pq):
        assert r.member_ids.tolist() == base.member_ids.tolist()
        assert r.weekly() == base.weekly()


def test_schema_page_documents_every_column() -> None:
    """docs/records.md holds one row per schema column (the docs and the code agree)."""
    page = (Path(__file__).parents[2] / "docs" / "records.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*(\w*)\s*\|\s*`(\w+)`", page, flags=re.M)
    documented: dict[str, list[str]] = {}
    table = ""
    for t, col in rows:
        table = t or table
        documented.setdefault(table, []).append(col)
    for name in TABLES:
        assert documented.get(name) == [c.name for c in SCHEMA[name]], name


# --------------------------------------------------------------------------- properties

spell = st.tuples(st.integers(0, 6), st.integers(0, 8), st.one_of(st.none(), st.integers(1, 9)))


@st.composite
def member_tables(draw: st.DrawFn) -> dict[str, list[object]]:
    rows = draw(st.lists(spell, min_size=1, max_size=12))
    member, joined, left = [], [], []
    last: dict[int, float | None] = {}
    for m, j, length in rows:
        prev_end = last.get(m, -1.0)
        if prev_end is None:  # open spell: this member cannot start another
            continue
        start = max(j, (prev_end or 0) + (1 if m in last else 0))
        end = None if length is None else start + length
        member.append(m)
        joined.append(float(start))
        left.append(end)
        last[m] = end
    return {"member": member, "joined": joined, "left": left}


@given(member_tables(), st.lists(st.tuples(st.integers(0, 9), st.floats(0, 20)), max_size=20))
def test_members_are_conserved_week_by_week(
    members: dict[str, list[object]], buys: list[tuple[int, float]]
) -> None:
    tx = {
        "customer": [b[0] for b in buys],
        "time": [b[1] for b in buys],
        "amount": [1.0] * len(buys),
    }
    r = load_records(members=members, transactions=tx, end=20, on_error="set_aside")
    w = r.weekly()
    m = w["members"]
    assert np.array_equal(np.diff(m), w["joins"][1:] - w["leaves"][1:])
    assert (w["member_buyers"] <= r.n_members).all()
    assert (w["member_buyers"] <= w["buyers"]).all()
    assert sum(r.report.kept.values()) + r.report.set_aside == sum(r.report.rows.values())


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "x", "", "-3", "2.5", "2024-01-09"]),
            st.sampled_from(["1", "2", "3", "", "zz"]),
        ),
        max_size=15,
    )
)
def test_set_aside_never_raises_on_bad_rows(rows: list[tuple[str, str]]) -> None:
    messages = {"time": [r[0] for r in rows], "sender": [r[1] for r in rows]}
    messages["recipient"] = ["1"] * len(rows)
    r = load_records(
        members={"member": ["1", "2", "3"], "joined": ["0", "0", "0"]},
        messages=messages,
        end=4,
        on_error="set_aside",
    )
    assert r.report.rows.get("messages", 0) == len(rows)
    kept = r.messages["time"].size if r.messages is not None else 0
    assert kept == r.report.kept.get("messages", 0)
    assert all(p.kind in PROBLEM_KINDS for p in r.report.problems)
    if r.messages is not None:
        assert ((r.messages["time"] >= 0) & (r.messages["time"] <= 4)).all()


@given(member_tables())
def test_to_tables_round_trip(members: dict[str, list[object]]) -> None:
    r = load_records(members=members, end=20, on_error="set_aside")
    again = load_records(r.to_tables(), end=20)
    assert again.member_ids.tolist() == r.member_ids.tolist()
    assert again.weekly() == r.weekly()


def test_a_member_whose_only_spell_is_set_aside_is_unknown_elsewhere() -> None:
    r = load_records(
        members={"member": [1, 2], "joined": [0, 3], "left": [None, 1], "role": ["leader", None]},
        messages={"time": [1, 1], "sender": [1, 2], "recipient": [2, 1]},
        on_error="set_aside",
    )
    assert r.member_ids.tolist() == [1] and r.roles.tolist() == [2]
    assert r.report.counts == {("members", "bad_value"): 1, ("messages", "unknown_member"): 2}
