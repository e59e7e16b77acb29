"""Scenario files: a community, named arms and outputs in TOML (docs/scenario-files.md).

A scenario file says what to compare and how often: the community (a type and a size, or
CSV files of your own members and ties), the arms (each a complete operating model 通法术器
with its economics, and optionally mechanisms and a behavioural profile), the horizon in weeks,
the Monte Carlo runs, the seed (``rng``), the worker processes and the outputs. It is read
with :mod:`tomllib`; every value type is built by one generic converter over the attrs fields
of its class (:func:`structure` / :func:`unstructure`: enums by value, tuples as arrays, no
hand-written serialiser per class), so every field the classes document is a key of the file.

Errors name the file, the key path, the rule, the value and the line::

    scenario.toml: arms.community.content.quality must be in [0, 1]; got 1.4 (line 12)

and are :class:`ScenarioError` (an :class:`~shequn.exceptions.InvalidParameterError`), never
another exception.

Examples
--------
>>> from shequn.io.scenario import loads_scenario
>>> s = loads_scenario('''
... weeks = 8
... runs = 3
... rng = 1
... [community]
... type = "brand"
... size = 200
... [arms.community]
... content.quality = 0.8
... [arms.member_card]
... preset = "broadcast_only"
... tools.broadcast_budget = 50.0
... ''')
>>> [a.name for a in s.arms], s.arms[0].operating_model.content.quality
(['community', 'member_card'], 0.8)
>>> s.arms[1].operating_model.tools.group_chat
False
>>> text = '[community]\\ntype = "brand"\\nsize = 100\\n[arms.a]\\ncontent.quality = 1.4\\n'
>>> loads_scenario(text, name="my.toml")
Traceback (most recent call last):
...
shequn.io.scenario.ScenarioError: my.toml: arms.a.content.quality must be in [0, 1]; got 1.4 \
(line 5)
"""

from __future__ import annotations

import csv
import enum
import math
import re
import tomllib
import types
import typing
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import numpy as np

from shequn._results import ResultMixin, Summary, Table, format_value
from shequn._validation import check_int, check_path, fail
from shequn.community.community import Community
from shequn.community.generators import generate_community
from shequn.community.types import CommunityType, Role
from shequn.economics.money import Economics
from shequn.exceptions import InvalidParameterError
from shequn.loyalty.stages import Stage
from shequn.operating.model import OperatingModel
from shequn.scenarios.demo import money
from shequn.scenarios.result import Contrast
from shequn.simulation.engine import simulate
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.profiles import Profile
from shequn.simulation.trajectory import Trajectory

__all__ = [
    "METRICS",
    "PRESETS",
    "SERIES",
    "Arm",
    "CommunitySpec",
    "Metric",
    "Outputs",
    "Scenario",
    "ScenarioError",
    "ScenarioRun",
    "dumps_toml",
    "load_scenario",
    "loads_scenario",
    "pin_scenario_text",
    "structure",
    "summarise_runs",
    "unstructure",
]

T = TypeVar("T")
KeyPath = tuple[str, ...]

MAX_SEED = 2**63 - 1
"""Largest ``rng`` a file may hold (TOML integers are signed 64-bit)."""


# --------------------------------------------------------------------------------- errors
class ScenarioError(InvalidParameterError):
    """A scenario file breaks a rule: names the file, the key path, the rule and the line.

    Attributes
    ----------
    file
        The file name (or ``"<scenario>"`` for text).
    key
        The key path, e.g. ``("arms", "community", "content", "quality")``.
    rule
        What the value must be, with the value (``"must be in [0, 1]; got 1.4"``).
    line
        1-based line of the key in the file, or ``None`` when it cannot be told.

    Examples
    --------
    >>> str(ScenarioError(("weeks",), "must be an integer >= 1; got 0", file="a.toml", line=3))
    'a.toml: weeks must be an integer >= 1; got 0 (line 3)'
    """

    def __init__(
        self, key: KeyPath, rule: str, *, file: str = "<scenario>", line: int | None = None
    ) -> None:
        self.key = tuple(key)
        self.rule = rule
        self.file = file
        self.line = line
        super().__init__(self._message())

    def _message(self) -> str:
        where = ".".join(self.key) if self.key else "the file"
        line = f" (line {self.line})" if self.line is not None else ""
        return f"{self.file}: {where} {self.rule}{line}"

    def located(self, file: str, text: str | None) -> ScenarioError:
        """The same error naming ``file`` and the key's line in ``text``."""
        line = self.line if self.line is not None else (_line_of(text, self.key) if text else None)
        return ScenarioError(self.key, self.rule, file=file, line=line)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list) and len(value) > 6:
        return f"an array of {len(value)} values"
    return str(value)


def _bad(path: KeyPath, rule: str, value: Any) -> ScenarioError:
    return ScenarioError(path, f"must {rule}; got {_show(value)}")


_FAIL_RE = re.compile(r"^`([^`]+)` must (.*)$", re.DOTALL)


def _from_invalid(path: KeyPath, exc: Exception, fields: Sequence[str]) -> ScenarioError:
    """Re-anchor a class's own ``InvalidParameterError`` at the key path it came from."""
    text = str(exc)
    m = _FAIL_RE.match(text)
    if m is None:
        return ScenarioError(path, f"is invalid: {text}")
    owner_field, rule = m.group(1), m.group(2)
    name = owner_field.rsplit(".", 1)[-1]
    key = (*path, name) if name in fields else path
    return ScenarioError(key, f"must {rule}")


# --------------------------------------------------------------------------------- line lookup
_KEY_RE = re.compile(r"""\s*((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))""")


def _parse_key(text: str, pos: int) -> tuple[list[str], int] | None:
    """Parse a (dotted) TOML key starting at ``pos``: the parts and the position after it."""
    parts: list[str] = []
    while True:
        m = _KEY_RE.match(text, pos)
        if m is None:
            return None
        raw = m.group(1)
        parts.append(raw[1:-1] if raw[:1] in "\"'" else raw)
        pos = m.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return parts, pos


def _line_of(text: str, key: KeyPath) -> int | None:
    """Best-effort 1-based line of ``key`` in TOML ``text`` (its own line or its table's).

    Examples
    --------
    >>> _line_of('a = 1\\n[arms.x]\\ncontent.quality = 2\\n', ("arms", "x", "content", "quality"))
    3
    >>> _line_of('[arms.x]\\n', ("arms", "x", "tools", "group_chat"))
    1
    """
    target = list(key)
    best: tuple[int, int] | None = None  # (matched length, line)
    table: list[str] = []
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        stripped = line.lstrip()
        if stripped.startswith("["):
            double = stripped.startswith("[[")
            parsed = _parse_key(stripped, 2 if double else 1)
            if parsed is None:
                continue
            table = parsed[0]
            full = table
        else:
            parsed = _parse_key(line, 0)
            if parsed is None or not line[parsed[1] :].startswith("="):
                continue
            full = table + parsed[0]
            rest = line[parsed[1] + 1 :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
        n = len(full)
        if n and target[:n] == full and (best is None or n > best[0]):
            best = (n, number)
    return None if best is None else best[1]


# --------------------------------------------------------------------------------- converter
_OMIT = object()


def _hints(cls: type) -> dict[str, Any]:
    if cls is Mechanisms:  # one flat table of every mechanism's parameters
        return Mechanisms.types()
    return typing.get_type_hints(cls)


def _fields(cls: type) -> list[Any]:
    """The attrs fields a file's table holds for ``cls`` (Mechanisms: its flat parameters)."""
    if cls is Mechanisms:
        return list(Mechanisms.fields())
    return [f for f in attrs.fields(cls) if f.init]


def unstructure(value: Any) -> dict[str, Any]:
    """An attrs value as a plain dict of TOML types: enums by value, tuples as lists.

    Fields holding ``None`` are left out (TOML has no null; a missing key means the default).
    A function (``Mechanisms.open_rate``) cannot be written and is refused.

    Examples
    --------
    >>> from shequn.operating import Content
    >>> unstructure(Content(quality=0.9, schedule="bursty"))
    {'cadence': 3.0, 'quality': 0.9, 'social_share': 0.4, 'schedule': 'bursty', 'burst_period': 4}
    """
    if not attrs.has(type(value)):
        raise fail("unstructure", "value", "be an attrs value", type(value).__name__)
    owner = type(value).__name__
    out: dict[str, Any] = {}
    for f in _fields(type(value)):
        u = _unstructure_value(getattr(value, f.name), owner, f.name)
        if u is not _OMIT:
            out[f.name] = u
    return out


def _unstructure_value(v: Any, owner: str, field: str) -> Any:
    if v is None:
        return _OMIT
    if attrs.has(type(v)):
        return unstructure(v)
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, tuple | list):
        items = [_unstructure_value(x, owner, field) for x in v]
        if any(x is _OMIT for x in items):
            raise fail(owner, field, "hold no None to be written to a file", v)
        return items
    if callable(v):
        raise fail(owner, field, "be None to be written to a file (a function cannot be)", v)
    raise fail(owner, field, "hold numbers, strings, enums or arrays", v)


def structure(cls: type[T], data: Any, *, path: KeyPath = ()) -> T:
    """Build ``cls`` (an attrs class) from a plain dict, checking every key and type.

    Missing keys take the class's defaults; unknown keys, wrong types and values the class
    refuses raise :class:`ScenarioError` naming the key path.

    Examples
    --------
    >>> from shequn.operating import Tools
    >>> structure(Tools, {"invite_policy": "owner_only", "group_chat": False}).invite_policy
    <InvitePolicy.OWNER_ONLY: 'owner_only'>
    >>> structure(Tools, {"group_chat": "yes"}, path=("arms", "a", "tools"))
    Traceback (most recent call last):
    ...
    shequn.io.scenario.ScenarioError: <scenario>: arms.a.tools.group_chat must be true or \
false; got 'yes'
    """
    if not isinstance(data, Mapping):
        raise _bad(path, f"be a table of {cls.__name__} fields", data)
    hints = _hints(cls)
    fields = _fields(cls)
    names = [f.name for f in fields]
    for key in data:
        if key not in names:
            raise _bad(
                (*path, str(key)), f"be one of the keys of {cls.__name__} ({', '.join(names)})", key
            )
    kwargs: dict[str, Any] = {}
    for f in fields:
        if f.name in data:
            kwargs[f.name] = _convert(hints.get(f.name, Any), data[f.name], (*path, f.name))
    try:
        return cls(**kwargs)
    except InvalidParameterError as exc:
        raise _from_invalid(path, exc, names) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ScenarioError(path, f"is not a valid {cls.__name__}: {exc}") from None


def _convert(tp: Any, value: Any, path: KeyPath) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(options) == 1:
            return _convert(options[0], value, path)
        return value
    if tp is Any:
        return value
    if isinstance(tp, type) and attrs.has(tp):
        return structure(tp, value, path=path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        choices = [m.value for m in tp]
        for m in tp:
            if value == m.value and type(value) is type(m.value):
                return m
        raise _bad(path, f"be one of {choices}", value)
    if origin is tuple:
        args = typing.get_args(tp)
        if not isinstance(value, list):
            raise _bad(path, "be an array", value)
        item = args[0] if args else Any
        return tuple(_convert(item, v, (*path, str(i))) for i, v in enumerate(value))
    if (origin is not None and origin in (Callable, typing.Callable)) or tp is Callable:
        raise _bad(path, "be set in Python (a function cannot be written in a file)", value)
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise _bad(path, "be a table", value)
        return dict(value)
    if tp is bool:
        if not isinstance(value, bool):
            raise _bad(path, "be true or false", value)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(path, "be an integer", value)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(path, "be a number", value)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise _bad(path, "be a string", value)
        return value
    return value


def dumps_toml(value: Any) -> str:
    """An attrs value (or a plain dict) as TOML text (needs ``tomli-w``, the ``toml`` extra).

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("tomli_w")
    >>> from shequn.operating import Connectivity
    >>> print(dumps_toml(Connectivity(person_person=0.5)))
    person_person = 0.5
    product_visibility = 0.5
    feedback = "open"
    <BLANKLINE>
    """
    from shequn._optional import optional_import

    tomli_w = optional_import("tomli_w", extra="toml")
    data = unstructure(value) if attrs.has(type(value)) else dict(value)
    text: str = tomli_w.dumps(data)
    return text


# --------------------------------------------------------------------------------- metrics
@attrs.frozen(kw_only=True)
class Metric:
    """One outcome measured per arm and run: a name, its meaning and which way is better.

    Attributes
    ----------
    name
        The key used in files and tables.
    label
        What it is, in words.
    better
        ``"higher"`` or ``"lower"``.
    money
        Whether the value is an amount of money.
    of
        The function of a :class:`~shequn.simulation.Trajectory` that measures it.

    Examples
    --------
    >>> METRICS["cac"].better, METRICS["cac"].money
    ('lower', True)
    """

    name: str
    label: str
    better: str
    money: bool
    of: Callable[[Trajectory], float] = attrs.field(eq=False, repr=False)


def _fans_friends(t: Trajectory) -> float:
    c = t.stage_counts[-1]
    return float(c[Stage.FAN] + c[Stage.FRIEND])


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            name="members",
            label="members at the end",
            better="higher",
            money=False,
            of=lambda t: float(t.members[-1]),
        ),
        Metric(
            name="retention",
            label="share of week-0 members still present",
            better="higher",
            money=False,
            of=lambda t: float(t.retention[-1]),
        ),
        Metric(
            name="active_share",
            label="share of members active in the last week",
            better="higher",
            money=False,
            of=lambda t: float(t.active_share[-1]),
        ),
        Metric(
            name="customers",
            label="members who have bought (customers to friends)",
            better="higher",
            money=False,
            of=lambda t: float(t.adopters[-1]),
        ),
        Metric(
            name="fans_friends",
            label="fans and friends at the end (the top of the ladder)",
            better="higher",
            money=False,
            of=_fans_friends,
        ),
        Metric(
            name="revenue",
            label="revenue",
            better="higher",
            money=True,
            of=lambda t: float(t.revenue.sum()),
        ),
        Metric(
            name="marketing",
            label="marketing spend (content, events, broadcast, staff)",
            better="lower",
            money=True,
            of=lambda t: float(t.marketing_costs[-1]),
        ),
        Metric(
            name="profit",
            label="profit (revenue minus all costs)",
            better="higher",
            money=True,
            of=lambda t: float(t.profit.sum()),
        ),
        Metric(
            name="cac",
            label="marketing spend per customer won (CAC)",
            better="lower",
            money=True,
            of=lambda t: float(t.cac[-1]),
        ),
        Metric(
            name="roi",
            label="return on marketing ((gross margin − spend) / spend)",
            better="higher",
            money=False,
            of=lambda t: float(t.roi[-1]),
        ),
        Metric(
            name="messages",
            label="messages between members and content read",
            better="higher",
            money=False,
            of=lambda t: float(t.value_layers["channel_messages"]),
        ),
        Metric(
            name="ties_formed",
            label="new ties between members",
            better="higher",
            money=False,
            of=lambda t: float(t.value_layers["ecosystem_ties"]),
        ),
    )
}
"""The outcomes a scenario run records for every arm and run (``outputs.metrics`` picks the
ones the report leads with)."""

DEFAULT_METRICS = ("members", "retention", "customers", "profit", "cac", "roi")


def _fan_share(t: Trajectory) -> Any:
    c = t.stage_counts
    return (c[:, Stage.FAN] + c[:, Stage.FRIEND]) / np.maximum(c[:, :5].sum(axis=1), 1)


SERIES: dict[str, tuple[str, Callable[[Trajectory], Any]]] = {
    "members": ("members present", lambda t: t.members),
    "retention": ("share of week-0 members present", lambda t: t.retention),
    "fans_friends_share": ("share of fans and friends", _fan_share),
    "active_share": ("share of members active", lambda t: t.active_share),
    "revenue": ("revenue per week", lambda t: t.revenue),
    "costs": ("costs per week", lambda t: t.costs),
    "profit": ("profit per week", lambda t: t.profit),
}
"""Weekly series kept per arm and run: name → (label, function of a Trajectory)."""


# --------------------------------------------------------------------------------- the scenario
PRESETS: dict[str, Callable[[], OperatingModel]] = {
    "default": OperatingModel,
    "broadcast_only": lambda: OperatingModel.broadcast_only(budget=0.0),
    "silent": OperatingModel.silent,
}
"""Operating models an arm can start from (``preset = "broadcast_only"``) before its own keys."""

_ARM_EXTRA = ("description", "preset", "economics", "mechanisms", "profile")
_OM_KEYS = tuple(f.name for f in attrs.fields(OperatingModel))


@attrs.frozen(kw_only=True)
class Arm:
    """One operating choice: a complete operating model with its economics (one named value).

    Examples
    --------
    >>> Arm(name="mesh").operating_model == OperatingModel()
    True
    """

    name: str
    description: str = ""
    operating_model: OperatingModel = attrs.field(factory=OperatingModel)
    economics: Economics = attrs.field(factory=Economics)
    mechanisms: Mechanisms = attrs.field(factory=Mechanisms)
    profile: Profile | None = None


def _read_csv(path: Path, key: KeyPath) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ScenarioError(
            key, f"must name a readable CSV file; got {str(path)!r} ({exc})"
        ) from None
    if not rows:
        raise ScenarioError(key, f"must name a CSV file with a header and rows; got {str(path)!r}")
    return rows


def _community_from_files(
    members: Path | None, ties: Path, kind: CommunityType | None
) -> Community:
    import networkx as nx

    G: Any = nx.Graph()
    roles: dict[Hashable, Role] = {}
    role_names = {r.name.lower(): r for r in Role}
    if members is not None:
        rows = _read_csv(members, ("community", "members"))
        if "id" not in rows[0]:
            raise ScenarioError(
                ("community", "members"), f"must have an 'id' column; got {list(rows[0])}"
            )
        for row in rows:
            G.add_node(row["id"])
            role = (row.get("role") or "member").strip().lower()
            if role not in role_names:
                raise ScenarioError(
                    ("community", "members"),
                    f"must give roles among {sorted(role_names)}; got {role!r} (member "
                    f"{row['id']!r})",
                )
            if role != "member":
                roles[row["id"]] = role_names[role]
    rows = _read_csv(ties, ("community", "ties"))
    cols = list(rows[0])
    if len(cols) < 2:
        raise ScenarioError(("community", "ties"), f"must have two member columns; got {cols}")
    a, b = cols[0], cols[1]
    weight = "weight" if "weight" in cols else None
    for row in rows:
        u, v = row[a], row[b]
        if members is not None and (u not in G or v not in G):
            raise ScenarioError(("community", "ties"), f"must tie listed members; got {u!r}-{v!r}")
        if u == v:
            continue
        if weight is not None:
            try:
                w = float(row[weight])
            except (TypeError, ValueError):
                raise ScenarioError(
                    ("community", "ties"), f"must have numeric weights; got {row[weight]!r}"
                ) from None
            G.add_edge(u, v, weight=w)
        else:
            G.add_edge(u, v)
    if G.number_of_nodes() < 2:
        raise ScenarioError(("community", "ties"), "must tie at least two members")
    try:
        return Community.from_graph(G, roles=roles or None, weight=weight, kind=kind)
    except InvalidParameterError as exc:
        raise ScenarioError(("community",), f"is not a valid community: {exc}") from None


@attrs.frozen(kw_only=True)
class CommunitySpec:
    """The community of a scenario: generated afresh each run, or the user's own (fixed).

    Attributes
    ----------
    kind
        Community type (generator and default profile); ``None`` for your own network without
        a type (the brand profile is used).
    size
        Members of a generated community.
    params
        Type-specific generator parameters (:func:`~shequn.community.generate_community`).
    members, ties
        Your own members and ties as CSV files (paths as written in the file).
    community
        The community read from the files (``None`` when generated).

    Examples
    --------
    >>> spec = CommunitySpec(kind=CommunityType.VALUES, size=60)
    >>> spec.build(np.random.default_rng(0)).n
    60
    """

    kind: CommunityType | None = None
    size: int | None = None
    params: dict[str, Any] = attrs.field(factory=dict)
    members: str | None = None
    ties: str | None = None
    community: Community | None = attrs.field(default=None, eq=False, repr=False)

    def build(self, rng: np.random.Generator) -> Community:
        """The community of one run (a fresh draw for a type and size)."""
        if self.community is not None:
            return self.community
        assert self.kind is not None and self.size is not None
        return generate_community(self.kind, self.size, rng=rng, **self.params)

    def describe(self) -> str:
        """One line: what community the runs use."""
        if self.community is not None:
            kind = f" ({self.kind.value})" if self.kind is not None else ""
            return (
                f"your community{kind}: {self.community.n:,} members, "
                f"{self.community.n_edges:,} ties (from {self.ties})"
            )
        assert self.kind is not None and self.size is not None
        return (
            f"a {self.kind.value} community ({self.kind.chinese}) of {self.size:,} members, "
            "drawn afresh in each run"
        )


@attrs.frozen(kw_only=True)
class Outputs:
    """What ``shequn run`` writes.

    Attributes
    ----------
    metrics
        The outcomes the report leads with (keys of :data:`METRICS`); every metric is in the
        per-run tables.
    baseline
        The arm every other arm is compared with (default: the first).
    dir
        Output folder (relative to the file; default ``<file stem>-results``).
    formats
        Any of ``"csv"``, ``"parquet"``, ``"html"``, ``"markdown"`` (default: all that the
        installed extras allow).
    figures
        Whether to draw figures (default: when matplotlib is installed).

    Examples
    --------
    >>> Outputs().metrics
    ('members', 'retention', 'customers', 'profit', 'cac', 'roi')
    """

    metrics: tuple[str, ...] = DEFAULT_METRICS
    baseline: str | None = None
    dir: str | None = None
    formats: tuple[str, ...] | None = None
    figures: bool | None = None


FORMATS = ("csv", "parquet", "html", "markdown")


@attrs.frozen(kw_only=True)
class Scenario:
    """A scenario file, read and checked (see the module docstring and docs/scenario-files.md).

    Attributes
    ----------
    name, description
        What is compared.
    weeks, runs, rng, workers
        Horizon, Monte Carlo runs, seed (``None``: a fresh one at run time) and processes.
    community
        :class:`CommunitySpec`.
    arms
        The compared :class:`Arm` values, in file order.
    outputs
        :class:`Outputs`.
    source
        The file's text (embedded in every output so the run can be repeated).
    path
        Where it was read from, if a file.

    Examples
    --------
    >>> s = loads_scenario('[community]\\ntype = "brand"\\nsize = 60\\n[arms.a]\\n[arms.b]\\n')
    >>> s.weeks, s.runs, s.baseline
    (52, 12, 'a')
    """

    name: str
    description: str = ""
    weeks: int = 52
    runs: int = 12
    rng: int | None = None
    workers: int = 1
    community: CommunitySpec
    arms: tuple[Arm, ...]
    outputs: Outputs = attrs.field(factory=Outputs)
    source: str = attrs.field(default="", repr=False, eq=False)
    path: Path | None = attrs.field(default=None, eq=False)

    @property
    def baseline(self) -> str:
        """Name of the arm the others are compared with."""
        return self.outputs.baseline or self.arms[0].name

    def run_once(self, *, rng: np.random.Generator) -> dict[str, Any]:
        """One Monte Carlo run: every arm on the same community with the same seed.

        Returns ``{arm: {"metrics": {name: value}, "weekly": {series: list}}}`` (plain types,
        so that runs travel between processes cheaply).

        Examples
        --------
        >>> s = loads_scenario('weeks = 2\\n[community]\\ntype = "brand"\\nsize = 60\\n'
        ...                    '[arms.a]\\n[arms.b]\\npreset = "silent"\\n')
        >>> out = s.run_once(rng=np.random.default_rng(0))
        >>> sorted(out), len(out["a"]["weekly"]["members"])
        (['a', 'b'], 3)
        """
        community = self.community.build(rng)
        seed = int(rng.integers(2**63))
        out: dict[str, Any] = {}
        for arm in self.arms:
            t = simulate(
                community,
                arm.operating_model,
                weeks=self.weeks,
                rng=seed,
                economics=arm.economics,
                profile=arm.profile,
                mechanisms=arm.mechanisms,
            )
            out[arm.name] = {
                "metrics": {name: m.of(t) for name, m in METRICS.items()},
                "weekly": {
                    name: np.asarray(f(t), dtype=float).tolist() for name, (_, f) in SERIES.items()
                },
            }
        return out


# --------------------------------------------------------------------------------- reading
_TOP = ("name", "description", "weeks", "runs", "rng", "workers", "community", "arms", "outputs")


def _int(doc: Mapping[str, Any], key: str, default: int | None, low: int, high: int) -> int | None:
    if key not in doc:
        return default
    v = doc[key]
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        rule = (
            f"be an integer in [{low:,}, {high:,}]"
            if high < MAX_SEED
            else f"be an integer >= {low}"
        )
        raise _bad((key,), rule, v)
    return v


def _str(doc: Mapping[str, Any], key: str, path: KeyPath, default: str) -> str:
    v = doc.get(key, default)
    if not isinstance(v, str):
        raise _bad((*path, key), "be a string", v)
    return v


def _arm(name: str, table: Any) -> Arm:
    path: KeyPath = ("arms", name)
    if not isinstance(table, Mapping):
        raise _bad(path, "be a table (an arm: operating model, economics, ...)", table)
    known = (*_OM_KEYS, *_ARM_EXTRA)
    for key in table:
        if key not in known:
            raise _bad((*path, str(key)), f"be one of the keys of an arm ({', '.join(known)})", key)
    preset = table.get("preset", "default")
    if not isinstance(preset, str) or preset not in PRESETS:
        raise _bad((*path, "preset"), f"be one of {list(PRESETS)}", preset)
    base = unstructure(PRESETS[preset]())
    om_data = {k: table[k] for k in _OM_KEYS if k in table}
    merged: dict[str, Any] = {}
    for key in _OM_KEYS:
        part = om_data.get(key)
        if part is None:
            merged[key] = base[key]
        elif isinstance(part, Mapping):
            merged[key] = {**base[key], **part}
        else:
            raise _bad((*path, key), "be a table", part)
    om = structure(OperatingModel, merged, path=path)
    profile = table.get("profile")
    return Arm(
        name=name,
        description=_str(table, "description", path, ""),
        operating_model=om,
        economics=structure(Economics, table.get("economics", {}), path=(*path, "economics")),
        mechanisms=structure(Mechanisms, table.get("mechanisms", {}), path=(*path, "mechanisms")),
        profile=None if profile is None else structure(Profile, profile, path=(*path, "profile")),
    )


def _community(doc: Mapping[str, Any], base: Path | None) -> CommunitySpec:
    path: KeyPath = ("community",)
    if "community" not in doc:
        raise ScenarioError(path, "must be given: a [community] table with type and size, or ties")
    table = doc["community"]
    if not isinstance(table, Mapping):
        raise _bad(path, "be a table", table)
    known = ("type", "size", "params", "members", "ties")
    for key in table:
        if key not in known:
            raise _bad(
                (*path, str(key)), f"be one of the keys of [community] ({', '.join(known)})", key
            )
    kind: CommunityType | None = None
    if "type" in table:
        raw = table["type"]
        choices = [k.value for k in CommunityType]
        if not isinstance(raw, str):
            raise _bad((*path, "type"), f"be one of {choices}", raw)
        try:
            kind = CommunityType.parse(raw)
        except InvalidParameterError:
            raise _bad((*path, "type"), f"be one of {choices}", raw) from None
    params = table.get("params", {})
    if not isinstance(params, Mapping):
        raise _bad((*path, "params"), "be a table of generator parameters", params)
    if "ties" in table:
        for key in ("size", "params"):
            if key in table:
                raise _bad(
                    (*path, key),
                    "not be given with ties (your own network has its size)",
                    table[key],
                )
        files: dict[str, Path | None] = {}
        for key in ("members", "ties"):
            raw = table.get(key)
            if raw is None:
                files[key] = None
                continue
            if not isinstance(raw, str) or not raw:
                raise _bad((*path, key), "be the path of a CSV file", raw)
            p = Path(raw)
            files[key] = p if p.is_absolute() or base is None else base / p
        ties_path = files["ties"]
        assert ties_path is not None
        community = _community_from_files(files["members"], ties_path, kind)
        return CommunitySpec(
            kind=kind,
            members=table.get("members"),
            ties=table["ties"],
            community=community,
        )
    if "members" in table:
        raise _bad((*path, "members"), "come with ties (a CSV of member pairs)", table["members"])
    if kind is None:
        raise ScenarioError(
            (*path, "type"), "must be given (brand, leader, sharing or values) unless ties are"
        )
    size = table.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or not 50 <= size <= 1_000_000:
        raise _bad((*path, "size"), "be an integer in [50, 1,000,000]", size)
    try:  # the generator checks its own parameters: draw a tiny community once
        generate_community(kind, 50, rng=0, **dict(params))
    except InvalidParameterError as exc:
        m = _FAIL_RE.match(str(exc))
        name = m.group(1).rsplit(".", 1)[-1] if m else ""
        key = (*path, "params", name) if name in params else (*path, "params")
        raise ScenarioError(key, f"must {m.group(2)}" if m else f"is invalid: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ScenarioError((*path, "params"), f"is invalid: {exc}") from None
    return CommunitySpec(kind=kind, size=size, params=dict(params))


def _outputs(doc: Mapping[str, Any], arms: Sequence[str]) -> Outputs:
    path: KeyPath = ("outputs",)
    table = doc.get("outputs", {})
    if not isinstance(table, Mapping):
        raise _bad(path, "be a table", table)
    known = ("metrics", "baseline", "dir", "formats", "figures")
    for key in table:
        if key not in known:
            raise _bad(
                (*path, str(key)), f"be one of the keys of [outputs] ({', '.join(known)})", key
            )
    metrics = table.get("metrics", list(DEFAULT_METRICS))
    if not isinstance(metrics, list) or not metrics:
        raise _bad((*path, "metrics"), f"be a non-empty array of {list(METRICS)}", metrics)
    for i, m in enumerate(metrics):
        if not isinstance(m, str) or m not in METRICS:
            raise _bad((*path, "metrics", str(i)), f"be one of {list(METRICS)}", m)
    baseline = table.get("baseline")
    if baseline is not None and (not isinstance(baseline, str) or baseline not in arms):
        raise _bad((*path, "baseline"), f"name an arm ({', '.join(arms)})", baseline)
    out_dir = table.get("dir")
    if out_dir is not None and (not isinstance(out_dir, str) or not out_dir):
        raise _bad((*path, "dir"), "be a folder path", out_dir)
    formats = table.get("formats")
    if formats is not None:
        if not isinstance(formats, list):
            raise _bad((*path, "formats"), f"be an array of {list(FORMATS)}", formats)
        for i, f in enumerate(formats):
            if not isinstance(f, str) or f not in FORMATS:
                raise _bad((*path, "formats", str(i)), f"be one of {list(FORMATS)}", f)
    figures = table.get("figures")
    if figures is not None and not isinstance(figures, bool):
        raise _bad((*path, "figures"), "be true or false", figures)
    return Outputs(
        metrics=tuple(dict.fromkeys(metrics)),
        baseline=baseline,
        dir=out_dir,
        formats=None if formats is None else tuple(dict.fromkeys(formats)),
        figures=figures,
    )


def _scenario(doc: Mapping[str, Any], *, name: str, source: str, path: Path | None) -> Scenario:
    for key in doc:
        if key not in _TOP:
            raise _bad((str(key),), f"be one of the top-level keys ({', '.join(_TOP)})", key)
    arms_table = doc.get("arms")
    if not isinstance(arms_table, Mapping) or not arms_table:
        raise ScenarioError(
            ("arms",), "must hold at least one arm: [arms.NAME] with its operating model"
        )
    arms = tuple(_arm(str(k), v) for k, v in arms_table.items())
    weeks = _int(doc, "weeks", 52, 1, 520)
    runs = _int(doc, "runs", 12, 2, 100_000)
    workers = _int(doc, "workers", 1, 1, 1024)
    rng = _int(doc, "rng", None, 0, MAX_SEED)
    assert weeks is not None and runs is not None and workers is not None
    for arm in arms:
        leave = arm.operating_model.structure.leader_leaves_at
        if leave is not None and leave > weeks:
            raise _bad(
                ("arms", arm.name, "structure", "leader_leaves_at"),
                f"be a week within the horizon 1..{weeks}",
                leave,
            )
    community = _community(doc, None if path is None else path.parent)
    return Scenario(
        name=_str(doc, "name", (), name),
        description=_str(doc, "description", (), ""),
        weeks=weeks,
        runs=runs,
        rng=rng,
        workers=workers,
        community=community,
        arms=arms,
        outputs=_outputs(doc, [a.name for a in arms]),
        source=source,
        path=path,
    )


def loads_scenario(text: str, *, name: str = "<scenario>", path: Path | None = None) -> Scenario:
    """Read a scenario from TOML text (``name`` is the file name used in errors).

    Raises
    ------
    ScenarioError
        Naming the file, the key path, the rule and the line.

    Examples
    --------
    >>> loads_scenario("weeks = ", name="bad.toml")
    Traceback (most recent call last):
    ...
    shequn.io.scenario.ScenarioError: bad.toml: the file must be valid TOML; got invalid value \
(at end of document) (line 1)
    """
    if not isinstance(text, str):
        raise fail("loads_scenario", "text", "be a string", type(text).__name__)
    if not isinstance(name, str):
        raise fail("loads_scenario", "name", "be a string", type(name).__name__)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = int(m.group(1)) if m else (1 if "end of document" in msg else None)
        detail = re.sub(r"^(.*?)(?: \(at line \d+, column \d+\))?$", r"\1", msg).strip()
        detail = detail[:1].lower() + detail[1:]
        raise ScenarioError((), f"must be valid TOML; got {detail}", file=name, line=line) from None
    stem = Path(name).stem if name != "<scenario>" else "scenario"
    try:
        return _scenario(doc, name=stem, source=text, path=path)
    except ScenarioError as exc:
        raise exc.located(name, text) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (see docs/scenario-files.md).

    Examples
    --------
    >>> load_scenario("no/such/file.toml")
    Traceback (most recent call last):
    ...
    shequn.io.scenario.ScenarioError: file.toml: the file must exist and be readable; got \
'no/such/file.toml'
    """
    p = Path(check_path(path, owner="load_scenario", field="path"))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ScenarioError(
            (), f"must exist and be readable; got {str(path)!r}", file=p.name
        ) from None
    return loads_scenario(text, name=p.name, path=p)


# --------------------------------------------------------------------------------- rerun
_TOP_INT_RE = {
    key: re.compile(rf"^(\s*){key}\s*=\s*[-+0-9_xXoObBa-fA-F]+\s*(#.*)?$")
    for key in ("rng", "runs", "workers")
}


def pin_scenario_text(text: str, **values: int) -> str:
    """The file's text with top-level integer keys set (``rng``, ``runs``, ``workers``).

    Comments and layout are kept: an existing line is replaced, a missing key is added at the
    top. The result is read back and checked, so the written file reruns exactly.

    Examples
    --------
    >>> print(pin_scenario_text("runs = 12  # default\\n[community]\\n", runs=3, rng=7))
    rng = 7  # pinned by shequn
    runs = 3  # pinned by shequn
    [community]
    """
    if not isinstance(text, str):
        raise fail("pin_scenario_text", "text", "be a string", type(text).__name__)
    for key, value in values.items():
        if key in _TOP_INT_RE:
            low = {"rng": 0, "runs": 2, "workers": 1}[key]
            high = {"rng": MAX_SEED, "runs": 100_000, "workers": 1024}[key]
            check_int(value, owner="pin_scenario_text", field=key, low=low, high=high)
    lines = text.splitlines()
    first_table = next(
        (i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines)
    )
    added: list[str] = []
    for key, value in values.items():
        if key not in _TOP_INT_RE:
            raise fail("pin_scenario_text", key, f"be one of {list(_TOP_INT_RE)}", value)
        new = f"{key} = {int(value)}  # pinned by shequn"
        for i in range(first_table):
            if _TOP_INT_RE[key].match(lines[i]):
                lines[i] = new
                break
        else:
            added.append(new)
    out = "\n".join(added + lines) + ("\n" if text.endswith("\n") or not lines else "")
    doc = tomllib.loads(out)
    for key, value in values.items():
        if doc.get(key) != int(value):  # pragma: no cover - a layout the scanner missed
            raise fail("pin_scenario_text", key, "be pinned in the text", value)
    return out


# --------------------------------------------------------------------------------- results
def _nan_if_inf(a: Any) -> Any:
    x = np.asarray(a, dtype=float)
    return np.where(np.isfinite(x), x, np.nan)


@attrs.frozen(kw_only=True)
class ScenarioRun(ResultMixin):
    """The runs of a scenario file: every metric per arm and run, contrasts with 95 % CIs.

    Attributes
    ----------
    scenario
        The :class:`Scenario` that was run (with the seed actually used).
    seed
        The seed of the run (``rng``).
    values
        Metric name → (runs, arms) values.
    weekly
        Arm → series name → (runs, weeks + 1) values.
    contrasts
        Metric name → one :class:`~shequn.scenarios.Contrast` per non-baseline arm
        (arm − baseline per run: the arms share each run's community and seed).

    Examples
    --------
    >>> from shequn.rng import map_runs
    >>> s = loads_scenario('weeks = 2\\n[community]\\ntype = "brand"\\nsize = 60\\n'
    ...                    '[arms.a]\\n[arms.b]\\npreset = "silent"\\n')
    >>> run = summarise_runs(s, map_runs(s.run_once, runs=2, rng=0), seed=0)
    >>> run.arms, run.runs, run.winner("messages")
    (('a', 'b'), 2, 'a')
    """

    scenario: Scenario
    seed: int
    values: dict[str, Any] = attrs.field(eq=False, repr=False)
    weekly: dict[str, dict[str, Any]] = attrs.field(eq=False, repr=False)
    contrasts: dict[str, tuple[Contrast, ...]] = attrs.field(eq=False, repr=False)

    @property
    def arms(self) -> tuple[str, ...]:
        """Arm names in file order."""
        return tuple(a.name for a in self.scenario.arms)

    @property
    def runs(self) -> int:
        """Number of runs."""
        first = next(iter(self.values.values()))
        return int(first.shape[0])

    def means(self, metric: str) -> dict[str, float]:
        """Mean of ``metric`` per arm (infinite values, e.g. CAC without customers, left out)."""
        metric = self._metric(metric, "means")
        v = _nan_if_inf(self.values[metric])
        with np.errstate(all="ignore"):
            return {
                a: float(np.nanmean(v[:, j])) if np.isfinite(v[:, j]).any() else math.nan
                for j, a in enumerate(self.arms)
            }

    def _metric(self, metric: Any, method: str) -> str:
        if not isinstance(metric, str) or metric not in self.values:
            raise fail(f"ScenarioRun.{method}", "metric", f"be one of {list(self.values)}", metric)
        return metric

    def winner(self, metric: str) -> str | None:
        """The arm with the best mean on ``metric`` (``None`` when no mean is finite)."""
        metric = self._metric(metric, "winner")
        means = {a: m for a, m in self.means(metric).items() if math.isfinite(m)}
        if not means:
            return None
        pick = max if METRICS[metric].better == "higher" else min
        return pick(means, key=lambda a: means[a])

    def clear_winner(self, metric: str) -> str | None:
        """:meth:`winner` when its lead is clear at 95 %, else ``None``.

        Clear: the winner's contrast with the baseline (or, when the baseline wins, the
        runner-up's) has a 95 % interval that excludes zero.

        Examples
        --------
        >>> from shequn.rng import map_runs
        >>> s = loads_scenario('weeks = 2\\n[community]\\ntype = "brand"\\nsize = 60\\n'
        ...                    '[arms.a]\\n[arms.b]\\n')
        >>> run = summarise_runs(s, map_runs(s.run_once, runs=3, rng=0), seed=0)
        >>> run.winner("members") is not None, run.clear_winner("members")  # identical arms
        (True, None)
        """
        metric = self._metric(metric, "clear_winner")
        best = self.winner(metric)
        if best is None:
            return None
        base = self.scenario.baseline
        others = [a for a in self.arms if a != base]
        cons = dict(zip(others, self.contrasts[metric], strict=True))
        if best != base:
            pair = [cons[best]]
        else:
            means = self.means(metric)
            rivals = [a for a in others if math.isfinite(means[a])]
            if not rivals:
                return None
            pick = max if METRICS[metric].better == "higher" else min
            pair = [cons[pick(rivals, key=lambda a: means[a])]]
        c = pair[0]
        clear = math.isfinite(c.lo) and math.isfinite(c.hi) and (c.lo > 0 or c.hi < 0)
        return best if clear else None

    def summary(self) -> Summary:
        """Per metric: each arm's mean and each contrast with its 95 % CI.

        Examples
        --------
        >>> s = loads_scenario('weeks = 2\\nruns = 2\\nrng = 1\\n[community]\\ntype = "brand"\\n'
        ...                    'size = 60\\n[arms.a]\\n[arms.b]\\npreset = "silent"\\n')
        >>> from shequn.rng import map_runs
        >>> run = summarise_runs(s, map_runs(s.run_once, runs=2, rng=1), seed=1)
        >>> run.summary().table.columns[:2]
        ('a', 'b')
        """
        cols = [
            *self.arms,
            *(f"{c.label} [95% CI]" for c in self.contrasts[self.scenario.outputs.metrics[0]]),
        ]
        rows: dict[str, tuple[Any, ...]] = {}
        for name in self.scenario.outputs.metrics:
            means = self.means(name)
            fmt = money if METRICS[name].money else format_value
            cells: list[Any] = [
                fmt(means[a]) if math.isfinite(means[a]) else "n/a" for a in self.arms
            ]
            for c in self.contrasts[name]:
                cells.append(_ci_text(c, METRICS[name].money))
            rows[name] = tuple(cells)
        return Summary(
            title=f"{self.scenario.name}: {len(self.arms)} arms, {self.runs} runs of "
            f"{self.scenario.weeks} weeks (rng {self.seed})",
            headline={},
            table=Table(columns=tuple(cols), rows=rows),
            notes=(self.scenario.community.describe(),),
        )


def _ci_text(c: Contrast, is_money: bool) -> str:
    if not math.isfinite(c.mean):
        return "n/a"
    f = money if is_money else format_value
    sign = "+" if c.mean > 0 else ""
    lo = f(c.lo) if math.isfinite(c.lo) else "nan"
    hi = f(c.hi) if math.isfinite(c.hi) else "nan"
    return f"{sign}{f(c.mean)} [{lo}, {hi}]"


def summarise_runs(
    scenario: Scenario, outputs: Sequence[Mapping[str, Any]], *, seed: int
) -> ScenarioRun:
    """Collect :meth:`Scenario.run_once` outputs into a :class:`ScenarioRun` with contrasts.

    Examples
    --------
    >>> s = loads_scenario('weeks = 3\\n[community]\\ntype = "values"\\nsize = 80\\n'
    ...                    '[arms.good]\\n[arms.silent]\\npreset = "silent"\\n')
    >>> from shequn.rng import map_runs
    >>> run = summarise_runs(s, map_runs(s.run_once, runs=3, rng=2), seed=2)
    >>> run.values["members"].shape, [c.label for c in run.contrasts["members"]]
    ((3, 2), ['silent − good'])
    """
    owner = "summarise_runs"
    if not isinstance(scenario, Scenario):
        raise fail(owner, "scenario", "be a Scenario", type(scenario).__name__)
    outputs = list(outputs)
    if not outputs:
        raise fail(owner, "outputs", "hold at least one run's output", outputs)
    seed = check_int(seed, owner=owner, field="seed", low=0)
    arms = [a.name for a in scenario.arms]
    values = {
        m: np.array([[float(o[a]["metrics"][m]) for a in arms] for o in outputs], dtype=float)
        for m in METRICS
    }
    weekly = {
        a: {s: np.array([o[a]["weekly"][s] for o in outputs], dtype=float) for s in SERIES}
        for a in arms
    }
    base = arms.index(scenario.baseline)
    contrasts: dict[str, tuple[Contrast, ...]] = {}
    for m, v in values.items():
        w = _nan_if_inf(v)
        cons = []
        for j, a in enumerate(arms):
            if j == base:
                continue
            d = w[:, j] - w[:, base]
            d = d[np.isfinite(d)]
            if d.size >= 2:
                cons.append(Contrast.of(f"{a} − {arms[base]}", d))
            else:
                nan = math.nan
                cons.append(
                    Contrast(label=f"{a} − {arms[base]}", values=d, mean=nan, lo=nan, hi=nan)
                )
        contrasts[m] = tuple(cons)
    return ScenarioRun(
        scenario=scenario, seed=seed, values=values, weekly=weekly, contrasts=contrasts
    )
