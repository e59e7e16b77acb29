"""器 Offline events and meetings: the regulars meet, ties grow strong (seeds 001, 002, 004).

Seed 001: 每个微信群……固定的时间组织一次社群线下活动 ("each group holds an offline event at
a fixed time"); seed 002: 办的活动多了……不成恋人起码也会成为朋友 ("hold enough events and
people become friends at least"); seed 004: 超过3次的线下见面和聚会, 就可能实现强关联 (more than
three meetings make a strong tie).

Each group with at least ``event_min_group`` present members meets on its own fixed schedule
(``Tools.event_frequency`` per week; the groups' phases are spread by the golden ratio). Seats
(``Tools.event_capacity`` per event) go by Efraimidis–Spirakis weighted sampling without
replacement with weight ``e^event_selectivity · (1 + event_habit · events attended)``: the
engaged regulars come again and again. Every tie between attendees of the same group gains a
meeting (strong at ``TieRule.strong_after_meetings``); each attendee meets Poisson(``Tools.
event_ties``) others of the event (new ties with one meeting already). Attending lifts
engagement by ``event_gain``.

Examples
--------
>>> from shequn.simulation.mechanisms.events import EventParams
>>> EventParams().event_min_group
10
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import BoolArray, IntArray
from shequn._validation import nonnegative
from shequn.simulation._numba import inline, kernel, poisson_inverse, search_left
from shequn.simulation.mechanisms._spec import Flow, Setting, int_param, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "EventParams", "EventRates", "Held"]

NAME = "events"
PROFILE_FIELDS: tuple[str, ...] = ()
GOLDEN = 0.6180339887498949
"""Phase step between groups' schedules (the golden ratio's fractional part)."""


@attrs.frozen(kw_only=True)
class EventParams:
    """Rates of offline events.

    Attributes
    ----------
    event_gain
        Engagement gained by attending an offline event.
    event_selectivity
        Attendance weight is ``engagement ** event_selectivity``.
    event_habit
        Attendance weight grows by this factor per event attended before (habit).
    event_min_group
        Present members a group needs to hold offline events.
    """

    event_gain: float = param(
        0.2, unit="engagement / event", source="002 线下活动 (offline events bind); size assumed"
    )
    event_selectivity: float = param(
        4.0,
        nonnegative,
        unit="exponent",
        source="assumed: the engaged come (the regulars among whom friendships form)",
    )
    event_habit: float = param(
        2.0, nonnegative, unit="weight / event attended", source="assumed: habit of attending"
    )
    event_min_group: int = int_param(
        10, low=1, unit="members", source="assumed: a group too small holds no event"
    )


PARAMS = EventParams

FLOWS = (
    Flow(name="events", unit="events", meaning="offline events held this week"),
    Flow(name="attendees", unit="members", meaning="members who attended an event"),
    Flow(name="meetings", unit="meetings", meaning="ties whose two ends met at an event"),
    Flow(
        name="cost_events",
        unit="money",
        meaning="events × Economics.cost_per_event",
        cost=True,
        marketing=True,
    ),
)


class EventRates(NamedTuple):
    """What the events mechanism needs each week (derived at compile time)."""

    frequency: float
    seats: int
    new_ties: float
    gain: float
    selectivity: float
    habit: float
    min_group: int
    cost_per_event: float


def derive(params: EventParams, s: Setting) -> EventRates:
    """Compile-time rates from 器 ``Tools`` (frequency, capacity, new ties) and the economics."""
    om = s.operating_model
    economics = s.economics
    tl = om.tools
    return EventRates(
        frequency=float(tl.event_frequency),
        seats=int(tl.event_capacity),
        new_ties=float(tl.event_ties),
        gain=float(params.event_gain),
        selectivity=float(params.event_selectivity),
        habit=float(params.event_habit),
        min_group=int(params.event_min_group),
        cost_per_event=float(economics.cost_per_event),
    )


def schedule(r: EventRates, n_groups: int, week: int) -> IntArray:
    """Events each group holds in (1-based) ``week`` on its fixed schedule."""
    phase = (np.arange(n_groups) * GOLDEN) % 1.0
    out: IntArray = (
        np.floor(r.frequency * week + phase + 1e-9)
        - np.floor(r.frequency * (week - 1) + phase + 1e-9)
    ).astype(np.int64)
    return out


def cost(r: EventRates, n_events: int) -> float:
    """Money spent on the events held."""
    return n_events * r.cost_per_event


class Held(NamedTuple):
    """This week's events: counts, the attendees by group, and new acquaintances."""

    events: int
    attendees: int
    meetings: int
    new_a: IntArray
    new_b: IntArray
    who: IntArray
    block: IntArray


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def gain(r: EventRates, attended: bool) -> float:
    """Engagement gain of an attendee this week (0 otherwise)."""
    return r.gain if attended else 0.0


@inline  # type: ignore[misc, unused-ignore]
def _pow(x: float, a: float, a_int: int) -> float:
    if a_int >= 0:  # integral exponent: repeated multiplication (exact, no pow)
        out = 1.0
        for _ in range(a_int):
            out *= x
        return out
    return math.pow(x, a)


@inline  # type: ignore[misc, unused-ignore]
def _meet(meet: Any, t: int, thr: float, strong: Any, a: int, b: int) -> int:
    old = meet[t]
    meet[t] = old + 1.0
    if old < thr and old + 1.0 >= thr:
        strong[a] += 1
        strong[b] += 1
    return 1


@inline  # type: ignore[misc, unused-ignore]
def _kth_smallest(a: Any, lo: int, hi: int, k: int) -> float:
    """The ``k``-th smallest (0-based) of ``a[lo:hi]``, reordering that slice (quickselect)."""
    left = lo
    right = hi - 1
    target = lo + k
    while left < right:
        pivot = a[(left + right) >> 1]
        i = left
        j = right
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if target <= j:
            right = j
        elif target >= i:
            left = i
        else:
            break
    return float(a[target])


@kernel  # type: ignore[misc, unused-ignore]
def _nb_events(
    n_used: int,
    cust: Any,
    group: Any,
    per_group: Any,
    min_group: int,
    seats: int,
    e: Any,
    attended: Any,
    selectivity: float,
    sel_int: int,
    habit: float,
    ip: Any,
    ind: Any,
    n: int,
    upper_start: Any,
    tie_start: Any,
    extra_keys: Any,
    extra_pos: Any,
    cap: int,
    meet: Any,
    thr: float,
    strong: Any,
    att: Any,
    gen: Any,
) -> Any:
    G = per_group.shape[0]
    size = np.zeros(G, np.int64)
    for i in range(n_used):
        g = group[i]
        if cust[i] and g >= 0:
            size[g] += 1
    n_events = 0
    start = np.zeros(G + 1, np.int64)
    for g in range(G):
        if size[g] < min_group:
            per_group[g] = 0
        n_events += per_group[g]
        start[g + 1] = start[g] + (size[g] if per_group[g] > 0 else 0)
    total = start[G]
    blk = np.zeros(G + 1, np.int64)  # attendees of group g: alist[blk[g]:blk[g + 1]]
    alist = np.empty(total, np.int64)
    if n_events == 0 or total == 0:
        return n_events, 0, 0, alist, blk
    who = np.empty(total, np.int64)
    key = np.empty(total, np.float64)
    scratch = np.empty(total, np.float64)
    pos = start[:G].copy()
    for i in range(n_used):
        g = group[i]
        if cust[i] and g >= 0 and per_group[g] > 0:
            # Efraimidis-Spirakis: the largest log(u) / weight win the seats
            ei = float(e[i])
            wt = _pow(ei if ei > 1e-6 else 1e-6, selectivity, sel_int) * (1.0 + habit * attended[i])
            who[pos[g]] = i
            key[pos[g]] = math.log(gen.random()) / wt
            pos[g] += 1
    k = 0
    for g in range(G):
        s, t = start[g], start[g + 1]
        blk[g] = k
        room = seats * per_group[g]
        if t - s <= room:
            for q in range(s, t):
                alist[k] = who[q]
                k += 1
        elif room > 0:
            for q in range(s, t):
                scratch[q] = key[q]
            th = _kth_smallest(scratch, s, t, t - s - room)  # the room-th largest
            above = 0
            for q in range(s, t):
                above += key[q] > th
            ties_left = room - above  # keys equal to the threshold fill the rest
            for q in range(s, t):
                if key[q] > th or (key[q] == th and ties_left > 0):
                    if key[q] == th:
                        ties_left -= 1
                    alist[k] = who[q]
                    k += 1
    blk[G] = k
    for q in range(k):
        i = alist[q]
        att[i] = True
        attended[i] += 1.0
    # every tied pair of attendees of the same group adds a meeting, found from its lower end
    n_meet = 0
    n_extra = extra_keys.shape[0]
    for q in range(k):
        a = alist[q]
        g = group[a]
        if a < n:
            off = tie_start[a] - upper_start[a]
            for r in range(upper_start[a], ip[a + 1]):
                b = ind[r]
                if att[b] and group[b] == g:
                    n_meet += _meet(meet, off + r, thr, strong, a, b)
        if n_extra:
            hi_key = (a + 1) * cap
            r = search_left(extra_keys, 0, n_extra, a * cap + a + 1)
            while r < n_extra and extra_keys[r] < hi_key:
                b = extra_keys[r] - a * cap
                if att[b] and group[b] == g:
                    n_meet += _meet(meet, extra_pos[r], thr, strong, a, b)
                r += 1
    return n_events, k, n_meet, alist[:k], blk


def hold(
    gen: np.random.Generator,
    r: EventRates,
    *,
    per_group: IntArray,
    n_used: int,
    cust: BoolArray,
    group: Any,
    e: Any,
    attended: Any,
    net: Any,
    n: int,
    capacity: int,
    extra_keys: IntArray,
    extra_pos: IntArray,
    meetings: Any,
    strong_after: float,
    strong: Any,
    att: BoolArray,
) -> Held:
    """Hold this week's events: seats, meetings between tied attendees, new acquaintances.

    ``per_group`` (events per group this week) is zeroed in place for groups with fewer than
    ``event_min_group`` present members. Attendees are marked in ``att`` and their
    ``attended`` count (in place) rises by one; meetings are added to ``meetings`` in place
    (``strong`` counts of both ends rise when a tie reaches ``strong_after``).
    """
    sel = r.selectivity
    sel_int = int(sel) if sel.is_integer() and sel <= 16 else -1
    ne, k, nm, who, blk = _nb_events(
        int(n_used),
        cust,
        group,
        per_group,
        r.min_group,
        r.seats,
        e,
        attended,
        sel,
        sel_int,
        r.habit,
        net.indptr,
        net.indices,
        int(n),
        net.upper_start,
        net.tie_start,
        extra_keys,
        extra_pos,
        int(capacity),
        meetings,
        float(strong_after),
        strong,
        att,
        gen,
    )
    pa, pb = acquaintances(gen, r.new_ties, who, blk)
    return Held(int(ne), int(k), int(nm), pa, pb, who, blk)


def acquaintances(
    gen: np.random.Generator, lam: float, who: IntArray, block: IntArray
) -> tuple[IntArray, IntArray]:
    """New acquaintances: Poisson(``lam``) partners per attendee, each uniform among the
    attendees of the same group (oneself drawn is no tie); attendees in group order, their
    draws in that order."""
    k = int(who.size)
    if lam <= 0.0 or k < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    reps = poisson_inverse(gen, lam, k)
    groups = np.repeat(np.arange(block.size - 1), np.diff(block))
    start = block[groups]
    span = block[groups + 1] - start
    q = np.repeat(np.arange(k), reps)
    x = (gen.random(q.size) * span[q]).astype(np.int64)
    a = who[q]
    b = who[start[q] + np.minimum(x, span[q] - 1)]
    keep = b != a
    return a[keep], b[keep]
