"""``shequn demo``: three short sections that explain themselves.

1. :func:`community_types_report` - the four community types of seed 001 side by side;
2. :func:`seeding_report` - who to seed first: random members, the best connected, or the
   central persons chosen by influence maximisation (IMM);
3. :func:`demo_report` - one brand community run two ways: as a community (通法术器) and as a
   member card with SMS on the same budget, with the winner on each metric and why.

Each section states what its table shows and which claim of the seed essays it tests, and
writes numbers one way (:func:`shequn._results.format_value`; money with a ¥ sign and
thousands separators). The sections are generators (:func:`sections`) so the command line can
print each title as the section starts, before its numbers are computed.

Only the kernels a section needs are compiled: the community types use none, the seeding
section the reverse-reachable-set kernels (IMM and the reach estimates), the comparison the
weekly engine's.

Examples
--------
>>> from shequn.scenarios.demo import demo_report, seeding_report
>>> print(demo_report(rng=1, n=300, weeks=4).splitlines()[0])
Two ways to run the same 300 customers for 4 weeks (seed 1)
>>> print(seeding_report(rng=1, n=300).splitlines()[0])
Whom to seed: a launch through 10 members of a brand community of 300 (seed 1)
"""

from __future__ import annotations

import math
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from shequn._results import format_value
from shequn._validation import (
    _is_real,
    check_int,
    check_memory,
    check_probability,
    fail,
)
from shequn.community.generators import generate_community
from shequn.community.metrics import k_hop_reach, structure_summary
from shequn.community.types import CommunityType
from shequn.diffusion.seeding import imm, rr_spread, select_seeds
from shequn.diffusion.seeding._rr import check_rr_samples
from shequn.exceptions import ShequnDeprecationWarning
from shequn.loyalty.stages import Stage
from shequn.operating.model import OperatingModel
from shequn.rng import RNGLike, resolve_rng, spawn_seeds
from shequn.simulation.engine import simulate
from shequn.simulation.trajectory import Trajectory

__all__ = [
    "community_types_report",
    "demo_report",
    "money",
    "sections",
    "seeding_report",
]

Section = Iterator[str]
"""A section: its title first (before anything is computed), then its body lines."""


def money(x: float) -> str:
    """An amount of money: a ¥ sign, thousands separators, never scientific notation.

    Examples
    --------
    >>> money(278303.4), money(-1234.0), money(117.26), money(float("inf"))
    ('¥278,303', '-¥1,234', '¥117.3', 'n/a')

    A NaN or infinite amount (an undefined ratio such as the cost per customer when nobody
    was won) prints as ``n/a``; what is not a real number is refused:

    >>> money(True)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `money.x` must be a real number; got True
    """
    if not _is_real(x):
        raise fail("money", "x", "be a real number", x)
    if not math.isfinite(x):
        return "n/a"
    text = format_value(float(x))
    return "-¥" + text[1:] if text.startswith("-") else "¥" + text


def _num(x: float) -> str:
    return "n/a" if isinstance(x, float) and not math.isfinite(x) else format_value(x)


def _weeks(w: int) -> str:
    return f"{w} week" if w == 1 else f"{w} weeks"


def _seed_text(rng: RNGLike) -> str:
    return f" (seed {rng})" if isinstance(rng, int) and not isinstance(rng, bool) else ""


def _cells(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - _cells(text), 0)
    return fill + text if right else text + fill


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned text: the first column left, the others right (CJK counted as two columns)."""
    widths = [max(_cells(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: Sequence[str]) -> str:
        first = _pad(r[0], widths[0], right=False)
        rest = "  ".join(_pad(c, w, right=True) for c, w in zip(r[1:], widths[1:], strict=True))
        return f"  {first}  {rest}".rstrip()

    out = [line(header)]
    out.append("  " + "-" * (_cells(out[0]) - 2))
    out += [line(r) for r in rows]
    return out


def _wrap(text: str, width: int = 96, indent: str = "  ", hang: str | None = None) -> list[str]:
    """Wrap ``text`` to ``width`` terminal columns (CJK characters count as two)."""
    words = text.split(" ")
    lines: list[str] = []
    current = indent
    for word in words:
        pad = "" if current in (indent, hang) else " "
        if _cells(current) + len(pad) + _cells(word) > width and current.strip():
            lines.append(current)
            current = (hang if hang is not None else indent) + word
        else:
            current += pad + word
    if current.strip():
        lines.append(current)
    return lines


# ------------------------------------------------------------------------------ 1. types
_TYPE_ROWS: tuple[tuple[str, str], ...] = (
    ("mean_degree", "ties per member"),
    ("max_degree_share", "share of members tied to the top member"),
    ("degree_centralization", "centralisation (1 a star, 0 all equal)"),
    ("clustering", "clustering (friends of a friend are friends)"),
    ("taste_assortativity", "taste similarity of tied members (-1 to 1)"),
    ("modularity", "modularity (splits into circles, 0 to 1)"),
    ("reach", "2nd + 3rd-degree contacts of 10 members"),
    ("groups", "chat groups (cap 500, WeChat)"),
)


def _types_section(*, n: int, rng: RNGLike) -> Section:
    n = check_int(n, owner="community_types_report", field="n", low=50)
    check_memory(600.0 * n, owner="community_types_report", field="n", value=n)
    kinds = list(CommunityType)
    yield f"The four community types of seed 001, {n:,} members each{_seed_text(rng)}"
    streams = spawn_seeds(rng, len(kinds), owner="community_types_report")
    cols: dict[CommunityType, dict[str, float]] = {}
    for kind, s in zip(kinds, streams, strict=True):
        gen = np.random.default_rng(s)
        c = generate_community(kind, n, rng=gen)
        summ = structure_summary(c, rng=gen)
        reach = k_hop_reach(c, list(range(1, 11)), k=3)
        vals = {key: float(summ[key]) for key, _ in _TYPE_ROWS[:6]}
        vals["reach"] = int(reach[2] + reach[3])
        vals["groups"] = c.groups.n_groups if c.groups is not None else 0
        cols[kind] = vals
    yield from _wrap(
        "What it shows: one generated network per type. It tests how seed 001 (§4.1) tells the "
        "types apart: a brand community (品牌社群) gathers round the brand account, a "
        "leader-centred one (传输式社群) hangs on one charismatic leader, a sharing one (共享社群) "
        "is a flat web of peers, and a values one (价值观社群) ties people who value the same "
        "things."
    )
    header = ["", *(k.value for k in kinds)]
    rows = [[label, *(_num(cols[k][key]) for k in kinds)] for key, label in _TYPE_ROWS]
    yield from _table(header, rows)

    def top(key: str, lowest: bool = False) -> CommunityType:
        pick = min if lowest else max
        return pick(kinds, key=lambda k: cols[k][key])

    names = {
        CommunityType.BRAND: "brand",
        CommunityType.LEADER: "leader-centred",
        CommunityType.SHARING: "sharing",
        CommunityType.VALUES: "values",
    }
    central, similar = top("degree_centralization"), top("taste_assortativity")
    far, near = top("reach"), top("reach", lowest=True)
    yield from _wrap(
        f"Reading: the {names[central]} community is the most centralised "
        f"({_num(cols[central]['degree_centralization'])}: one member holds it together); "
        f"the {names[similar]} community ties like to like (taste similarity "
        f"{_num(cols[similar]['taste_assortativity'])}); ten members of the {names[far]} "
        f"community reach {_num(cols[far]['reach'])} people at the 2nd and 3rd degree "
        f"(二三级人脉, seed 000), ten of the {names[near]} community {_num(cols[near]['reach'])}: "
        "hubs carry a message far, circles keep it close."
    )


def community_types_report(*, n: int = 2000, rng: RNGLike = None) -> str:
    """The four community types side by side, with what the table shows and tests.

    Each type gets its own child stream of ``rng``, so the same seed gives the same table.

    Returns
    -------
    str
        The section, ready to print.

    Examples
    --------
    >>> text = community_types_report(n=200, rng=3)
    >>> text.splitlines()[0]
    'The four community types of seed 001, 200 members each (seed 3)'
    >>> "centralisation" in text and "Reading:" in text
    True
    """
    return "\n".join(_types_section(n=n, rng=rng))


# ------------------------------------------------------------------------------ 2. seeding
def _seeding_section(
    *, rng: RNGLike, n: int, k: int, p: float, samples: int, owner: str = "seeding_report"
) -> Section:
    n = check_int(n, owner=owner, field="n", low=50)
    check_memory(600.0 * n, owner=owner, field="n", value=n)
    k = check_int(k, owner=owner, field="k", low=1, high=n)
    p = check_probability(p, owner=owner, field="p")
    samples = check_int(samples, owner=owner, field="samples", low=100)
    yield (
        f"Whom to seed: a launch through {k} members of a brand community of {n:,}{_seed_text(rng)}"
    )
    gen = resolve_rng(rng, owner=owner)
    c = generate_community("brand", n, rng=gen)
    choices = {
        "random members": select_seeds(c, k, method="random", rng=gen),
        "most ties (degree)": select_seeds(c, k, method="degree"),
        "central persons (IMM)": imm(c, k, p=p, epsilon=0.2, rng=gen),
    }
    est_seed = int(gen.integers(2**63))
    yield from _wrap(
        f"What it shows: how many members a launch reaches by word of mouth (each new adopter "
        f"persuades each friend with probability {p:g}, an independent cascade) when its first "
        f"{k} members are drawn at random, are those with the most ties, or are the central "
        "persons chosen by influence maximisation. It tests seed 001's advice to set central "
        "persons (设置中心人) and seed 000's claim that a community reaches the 2nd and 3rd "
        "degree (二三级人脉)."
    )
    rows, reach = [], {}
    for name, chosen in choices.items():
        est = rr_spread(c, chosen.seeds, p=p, samples=samples, rng=est_seed)
        half = 1.959963984540054 * est.spread_se
        reach[name] = (est.spread, est.spread - half, est.spread + half)
        hops = k_hop_reach(c, chosen.seeds, k=3).cumsum()
        rows.append(
            [
                name,
                format_value(est.spread),
                f"[{format_value(est.spread - half)}, {format_value(est.spread + half)}]",
                format_value(int(hops[2])),
                format_value(int(hops[3])),
            ]
        )
    header = ["", "expected reach", "95% CI", "within 2 hops", "within 3 hops"]
    yield from _table(header, rows)
    rnd, deg, cen = (reach[name] for name in choices)
    ratio = cen[0] / rnd[0] if rnd[0] > 0 else math.inf
    if cen[1] > deg[2]:
        versus = f"and more than the {k} best-connected ({format_value(deg[0])})"
    elif deg[1] > cen[2]:
        versus = (
            f"though the {k} best-connected reach more here ({format_value(deg[0])}): IMM "
            "guarantees a share of the best, not the best"
        )
    else:
        versus = (
            f"about as many as the {k} best-connected ({format_value(deg[0])}): in a brand "
            "community the best-connected members are its central persons"
        )
    yield from _wrap(
        f"Reading: the central persons reach {format_value(ratio)}× as many members as {k} "
        f"drawn at random ({format_value(cen[0])} vs {format_value(rnd[0])}), {versus}."
    )
    yield from _wrap(
        f"(reach estimated from {samples:,} reverse-reachable sets per row, Borgs et al. "
        "2014; IMM: Tang et al. 2015, ε = 0.2)"
    )


def seeding_report(
    *,
    rng: RNGLike = None,
    n: int = 3000,
    k: int = 10,
    p: float = 0.05,
    samples: int = 20_000,
    runs: int | None = None,
) -> str:
    """Reach of a launch through ``k`` members chosen at random, by degree and by IMM.

    Word of mouth is an independent cascade with probability ``p`` per tie (reposts, seed 001).
    Each seed set's expected reach is estimated from ``samples`` reverse-reachable sets
    (:func:`~shequn.diffusion.rr_spread`, unbiased, with a 95 % interval), beside the members
    within 2 and 3 hops of the seeds (二三级人脉, seed 000).

    Parameters
    ----------
    runs
        Deprecated: the reach is no longer a Monte Carlo mean over cascade runs; use
        ``samples``.

    Returns
    -------
    str
        The section, ready to print.

    Examples
    --------
    >>> "IMM" in seeding_report(rng=0, n=200, samples=1000)
    True
    """
    if runs is not None:
        warnings.warn(
            "seeding_report(runs=...) is deprecated: the reach is estimated from RR sets; "
            "use samples=",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        samples = runs
    check_rr_samples(samples, owner="seeding_report")  # before the community is generated
    return "\n".join(_seeding_section(rng=rng, n=n, k=k, p=p, samples=samples))


# ------------------------------------------------------------------------------ 3. strategies
# (key, label, better, money, function of a trajectory)
_ROWS: tuple[tuple[str, str, str, bool, Callable[[Trajectory], float]], ...] = (
    ("members", "members at the end", "higher", False, lambda t: float(t.members[-1])),
    ("retention", "share of week-0 members still there", "higher", False,
     lambda t: float(t.retention[-1])),
    ("active", "share active in the last week", "higher", False,
     lambda t: float(t.active_share[-1])),
    ("customers", "customers (members who bought)", "higher", False,
     lambda t: float(t.adopters[-1])),
    ("fans", "fans + friends (top of the ladder)", "higher", False,
     lambda t: float(t.stage_counts[-1][Stage.FAN] + t.stage_counts[-1][Stage.FRIEND])),
    ("revenue", "revenue", "higher", True, lambda t: float(t.revenue.sum())),
    ("marketing", "marketing spend", "lower", True, lambda t: float(t.marketing_costs[-1])),
    ("profit", "profit (revenue − all costs)", "higher", True, lambda t: float(t.profit.sum())),
    ("cac", "spend per customer won (CAC)", "lower", True, lambda t: float(t.cac[-1])),
    ("roi", "return on marketing (ROI)", "higher", False, lambda t: float(t.roi[-1])),
    ("messages", "messages between members", "higher", False,
     lambda t: float(t.columns["messages"].sum())),
    ("ties", "new ties between members", "higher", False,
     lambda t: float(t.columns["ties_formed"].sum())),
)  # fmt: skip

# why each side wins a metric: (when the community wins, when the member card wins)
_WHY: dict[str, tuple[str, str]] = {
    "retention": (
        "members who talk, meet at events and form strong ties churn less; the card gives "
        "them nothing to talk about (seed 000)",
        "the community's group-chat disorder and rule burden push disengaged members out "
        "before talk and strong ties have built up (a longer horizon shows the community "
        "ahead)",
    ),
    "customers": (
        "word of mouth between friends and the weekly content convert members the SMS never moves",
        "the SMS goes to the most interested members first and converts them quickly",
    ),
    "profit": (
        "more customers and more repeat buyers ({fans}) outweigh its marketing spend ({spend})",
        "it spends almost nothing ({spend}); the community's extra sales do not yet cover its "
        "content and events",
    ),
    "cac": (
        "word of mouth wins customers for free, so its spend is shared by many more customers",
        "an SMS costs ¥0.05 and goes to the most interested members first, while the community "
        "pays for content and events ({spend})",
    ),
    "roi": (
        "its margin grows faster than its spend",
        "ROI divides the margin by the spend, and the card spends almost nothing",
    ),
}

# how the community compares, for the closing sentence: (when it wins, when it loses)
_SHORT: dict[str, tuple[str, str]] = {
    "cac": ("costs less per customer acquired", "costs more per customer acquired"),
    "roi": ("returns more per ¥ of marketing", "returns less per ¥ of marketing"),
    "retention": ("keeps more of its members", "keeps fewer of its members"),
    "customers": ("wins more customers", "wins fewer customers"),
    "profit": ("earns more profit", "earns less profit"),
}


def _fmt_row(value: float, is_money: bool) -> str:
    return money(value) if is_money else _num(value)


def _winner(a: float, b: float, better: str) -> int | None:
    """0 when ``a`` is better, 1 when ``b`` is, ``None`` on a tie or a missing value."""
    if not (math.isfinite(a) and math.isfinite(b)) or a == b:
        if math.isfinite(a) and not math.isfinite(b):
            return 0
        if math.isfinite(b) and not math.isfinite(a):
            return 1
        return None
    return 0 if (a > b) == (better == "higher") else 1


def _check_demo_size(owner: str, n: int, weeks: int) -> tuple[int, int]:
    n = check_int(n, owner=owner, field="n", low=50)
    weeks = check_int(weeks, owner=owner, field="weeks", low=1)
    # a community and its state (about 600 bytes a member with its ties), two trajectories of
    # about 100 columns of 8-byte values a week
    check_memory(600.0 * n, owner=owner, field="n", value=n)
    check_memory(1600.0 * (weeks + 1) * 2, owner=owner, field="weeks", value=weeks)
    return n, weeks


def _demo_section(*, rng: RNGLike, n: int, weeks: int) -> Section:
    n, weeks = _check_demo_size("demo_report", n, weeks)
    yield f"Two ways to run the same {n:,} customers for {_weeks(weeks)}{_seed_text(rng)}"
    gen = resolve_rng(rng, owner="demo_report")
    c = generate_community("brand", n, rng=gen)
    sim_seed = int(gen.integers(2**63))
    good = simulate(c, OperatingModel(), weeks=weeks, rng=sim_seed)
    budget = float(good.marketing_costs[-1] / weeks)
    card = simulate(c, OperatingModel.broadcast_only(budget=budget), weeks=weeks, rng=sim_seed)
    yield from _wrap(
        "What it shows: one brand community run two ways on the same random streams: as a "
        "community (通法术器: a group chat, 3 items of content a week, a monthly offline event "
        "per group, open invitations, moderate rules) and as a member card that spends the "
        "same weekly budget on SMS. It tests seed 000: a one-to-many member system cannot form "
        "a community (单点对多点的连接…没有办法形成社区), so it keeps fewer members and sells "
        "less."
    )
    arms = ("community", "member card")
    vals: dict[str, tuple[float, float]] = {}
    rows = []
    for key, label, better, is_money, of in _ROWS:
        a, b = of(good), of(card)
        vals[key] = (a, b)
        w = _winner(a, b, better)
        rows.append(
            [
                label,
                _fmt_row(a, is_money),
                _fmt_row(b, is_money),
                "tie" if w is None else arms[w],
            ]
        )
    yield from _table(["", "community (通法术器)", "member card + SMS", "better"], rows)
    spend = vals["marketing"]
    fans = vals["fans"]
    fill = {
        "fans": f"fans and friends {_num(fans[0])} vs {_num(fans[1])}",
        "spend": f"{money(spend[0])} vs {money(spend[1])}",
    }
    yield "  Why:"
    better_for_community: list[str] = []
    worse_for_community: list[str] = []
    for key in ("retention", "customers", "profit", "cac", "roi"):
        label, better, is_money = next((r[1], r[2], r[3]) for r in _ROWS if r[0] == key)
        a, b = vals[key]
        w = _winner(a, b, better)
        if w is None:
            yield from _wrap(f"- {label}: a tie ({_fmt_row(a, is_money)}).", hang="    ")
            continue
        reason = _WHY[key][w].format(**fill)
        pair = f"{_fmt_row(a, is_money)} vs {_fmt_row(b, is_money)}"
        yield from _wrap(f"- {label}: the {arms[w]} wins ({pair}): {reason}.", hang="    ")
        phrase = f"{_SHORT[key][w]} ({pair})"
        (better_for_community if w == 0 else worse_for_community).append(phrase)
    if better_for_community and worse_for_community:
        short = f"the community {_join(worse_for_community)} but {_join(better_for_community)}."
    else:
        short = f"the community {_join(better_for_community or worse_for_community)}."
    yield from _wrap(f"In short: {short}")
    yield from _wrap(
        f"(The member card was offered the community's weekly spend, {money(budget)}, for SMS "
        "at ¥0.05 a message; it can send at most one message per member a week. One run: "
        "`shequn scenarios run one_to_many_vs_mesh` repeats the comparison with confidence "
        "intervals.)"
    )


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def demo_report(*, rng: RNGLike = None, n: int = 3000, weeks: int = 26) -> str:
    """Run a brand community as a community and as a member card with SMS; compare.

    The community is :class:`~shequn.operating.OperatingModel` defaults (group chat, 3 items
    of quality 0.7 a week, monthly events per group, open invitations, moderate rules). The
    member card is :meth:`OperatingModel.broadcast_only` offered the same money for SMS. The
    table names the better arm on each metric; the lines after it say why and sum up.

    Returns
    -------
    str
        The section, ready to print.

    Examples
    --------
    >>> text = demo_report(rng=0, n=200, weeks=3)
    >>> "share of week-0 members still there" in text and "In short: the community" in text
    True
    """
    return "\n".join(_demo_section(rng=rng, n=n, weeks=weeks))


def sections(*, n: int, weeks: int, rng: RNGLike) -> list[tuple[str, Callable[[], Section]]]:
    """The demo's three sections, each with the kernels it compiles (for the notice).

    Every section uses ``n`` members and ``rng``; the comparison runs ``weeks`` weeks.

    Examples
    --------
    >>> [name for name, _ in sections(n=100, weeks=2, rng=1)]
    ['community types', 'seeding', 'strategies']

    The arguments are checked here, before any section runs:

    >>> sections(n=100, weeks=0, rng=1)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `sections.weeks` must be an integer >= 1; got 0
    """
    n, weeks = _check_demo_size("sections", n, weeks)
    resolve_rng(rng, owner="sections")  # refuses a bad seed now (a Generator is not drawn from)
    return [
        ("community types", lambda: _types_section(n=n, rng=rng)),
        ("seeding", lambda: _seeding_section(rng=rng, n=n, k=10, p=0.05, samples=20_000)),
        ("strategies", lambda: _demo_section(rng=rng, n=n, weeks=weeks)),
    ]
