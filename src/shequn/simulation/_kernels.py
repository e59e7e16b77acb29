"""Compiled loops of the weekly step (numba): a few passes over members and ties per week.

Each kernel fuses what would be many whole-array numpy passes of a mechanism block of
:func:`~shequn.simulation.step` into one loop. Two rules keep the loops fast at a million
members, where every array is larger than the processor's caches:

* no branch on a random outcome: outcomes are counted and lists compacted arithmetically
  (``k += hit``), so a mispredicted branch never discards the memory loads in flight; rare
  events (an adoption, a talk) are the exception, because their branch is predictable;
* uniforms for the per-member and per-tie decisions are drawn in bulk by numpy (``float32``,
  passed in), the rest by the ``numpy.random.Generator`` passed in (numba draws from its bit
  generator). There is no global random state: the same generator gives the same week.

Every probability is the one documented in :mod:`shequn.simulation.step` and in each
wrapper's docstring. Two decisions that exclude each other share one uniform (up- or
down-move; churn or removal: ``u < p`` for the first, ``p <= u < p + (1 − p) q`` for the
second, which has probability ``(1 − p) q`` as when drawn separately); a prospect's adoption
draws the featured products only when its uniform is below the largest probability the
features could give (the uniform is independent of the features, so the law is unchanged).
Kernels take arrays of fixed dtypes (see the typed wrappers' annotations) and plain
``int``/``float``/``bool`` scalars, so each compiles once and is cached on disk
(``cache=True``).

The typed wrappers below are the module's interface; the ``_nb_*`` functions are the kernels.

Examples
--------
>>> import numpy as np
>>> from shequn.simulation._kernels import poisson_small
>>> bool(poisson_small(np.random.default_rng(0), 0.0) == 0)
True
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MemberRates",
    "content_spread",
    "events",
    "final_pass",
    "lead_pass",
    "member_codes",
    "members_week",
    "observe_pass",
    "poisson_small",
    "poisson_table",
    "return_pull",
    "tie_week",
    "ties_exist",
]

POISSON_TERMS = 12
"""Terms of the tabulated Poisson CDF; rates whose tail beyond it exceeds 1e-9 invert fully."""


# ----------------------------------------------------------------------------- small helpers
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_poisson_keep(gen: Any, lam: float, keep: float) -> int:
    """Poisson(lam) by inversion from one uniform (lam <= 10; ``keep = exp(-lam)``)."""
    if lam <= 0.0:
        return 0
    if lam > 10.0:
        return int(gen.poisson(lam))
    u = gen.random()
    k = 0
    p = keep
    f = p
    while u > f and k < 200:
        k += 1
        p *= lam / k
        f += p
    return k


@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_poisson(gen: Any, lam: float) -> int:
    return int(_nb_poisson_keep(gen, lam, math.exp(-lam)))


def poisson_small(gen: np.random.Generator, lam: float) -> int:
    """One Poisson(``lam``) draw from ``gen`` (the kernels' sampler).

    Examples
    --------
    >>> import numpy as np
    >>> x = [poisson_small(np.random.default_rng(s), 0.3) for s in range(2000)]
    >>> abs(float(np.mean(x)) - 0.3) < 4 * (0.3 / 2000) ** 0.5
    True
    """
    return int(_nb_poisson(gen, float(lam)))


def poisson_table(rates: NDArray[np.float64]) -> NDArray[np.float64]:
    """CDF ``F[s, k] = P(Poisson(rates[s]) <= k)`` for ``k < POISSON_TERMS`` (one row per rate).

    A uniform ``u`` gives the Poisson variate ``#{k : F[s, k] < u}`` (inversion) whenever
    ``u <= F[s, -1]``; the kernels continue the inversion beyond the table otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> F = poisson_table(np.array([0.0, 1.0]))
    >>> F[0].tolist() == [1.0] * POISSON_TERMS, round(float(F[1, 0]), 6)
    (True, 0.367879)
    """
    lam = np.asarray(rates, dtype=np.float64)[:, None]
    k = np.arange(POISSON_TERMS, dtype=np.float64)[None, :]
    log_pmf = k * np.log(np.where(lam > 0, lam, 1.0)) - lam - np.vectorize(math.lgamma)(k + 1)
    pmf = np.where(lam > 0, np.exp(log_pmf), (k == 0).astype(np.float64))
    out: NDArray[np.float64] = np.minimum(np.cumsum(pmf, axis=1), 1.0)
    return out


@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_poisson_tab(F: Any, s: int, lam: float, u: float) -> int:
    x = 0
    row = F[s]
    for k in range(row.shape[0]):
        x += row[k] < u
    if x == row.shape[0]:  # beyond the table (rare): continue the inversion
        p = math.exp(-lam)
        f = p
        x = 0
        while u > f and x < 10_000:
            x += 1
            p *= lam / x
            f += p
    return x


@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_fit(taste: Any, i: int, products: Any, f: int, two_w2: float) -> float:
    d2 = 0.0
    for k in range(taste.shape[1]):
        x = taste[i, k] - products[f, k]
        d2 += x * x
    return math.exp(-d2 / two_w2)


@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_zipf(gen: Any, cdf: Any) -> int:
    j = int(np.searchsorted(cdf, gen.random(), side="right"))
    last: int = cdf.shape[0] - 1
    return min(j, last)


# ----------------------------------------------------------------------------- 1. content
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_content(
    order: Any,
    rank: Any,
    n: int,
    n_used: int,
    cust: Any,
    interest: Any,
    e: Any,
    n_f: int,
    po_const: float,
    u_open: Any,
    ip: Any,
    ind: Any,
    p_share: float,
    flow: float,
    hops: int,
    read: Any,
    gen: Any,
) -> Any:
    counts = np.zeros(hops + 1, np.int64)
    # followers: the first n_f present members of ``order``, i.e. present members whose rank
    # (position in ``order``) is below ``top``
    f = 0
    top = 0
    while f < n_f and top < n_used:
        f += cust[order[top]]
        top += 1
    frontier = np.empty(max(n_used, 1), np.int64)
    nxt = np.empty(max(n_used, 1), np.int64)
    flag = np.empty(max(n_used, 1), np.uint8)  # 1: present, 2: read (one look-up for both)
    k = 0
    for i in range(n_used):  # in slot order: sequential memory access
        r = rank[i] if i < n else i  # newcomers rank in arrival order, after week-0 members
        p = po_const if po_const >= 0.0 else interest[i] * (0.5 + 0.5 * e[i])
        hit = cust[i] & (r < top) & (u_open[i] < p)
        flag[i] = cust[i] | (hit << 1)
        frontier[k] = i
        k += hit
    counts[0] = k
    for h in range(1, hops + 1):
        if k == 0:
            break
        n_sh = 0
        for t in range(k):  # sharers (week-0 members only: they have CSR rows)
            i = frontier[t]
            nxt[n_sh] = i
            n_sh += (gen.random() < p_share) & (i < n)
        k2 = 0
        for t in range(n_sh):
            i = nxt[t]
            for q in range(ip[i], ip[i + 1]):
                j = ind[q]
                # a present neighbour not yet reached reads with probability ``flow``; it is
                # marked at once, so several sharers' chances combine as 1 - (1 - flow)^k
                ok = (flag[j] == 1) & (gen.random(dtype=np.float32) < flow)
                flag[j] |= ok << 1
                frontier[k2] = j
                k2 += ok
        k = k2
        counts[h] = k
    for i in range(n_used):
        read[i] = flag[i] >= 2
    return counts


def content_spread(
    gen: np.random.Generator,
    *,
    order: NDArray[np.int64],
    rank: NDArray[np.int64],
    n: int,
    n_used: int,
    cust: NDArray[np.bool_],
    interest: NDArray[np.float64],
    e: NDArray[np.float32],
    n_followers: int,
    open_prob: float | None,
    indptr: NDArray[np.int64],
    indices: NDArray[np.int32],
    p_share: float,
    flow: float,
    hops: int,
    read: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """Followers open (most interested first), then reposts spread ``hops`` hops.

    Marks readers in ``read`` (in place) and returns readers per hop (direct opens first).
    The followers are the first ``n_followers`` present members of ``order`` (``rank`` is
    each week-0 member's position in it; later slots follow in arrival order); each opens
    with ``open_prob`` (the calibration hook) or ``interest (0.5 + 0.5 e)``; each reader
    shares with ``p_share`` (week-0 members only: they have CSR rows) and each present,
    unreached neighbour of a sharer reads with probability ``flow``.
    """
    u_open = gen.random(max(int(n_used), 1), dtype=np.float32)
    out: NDArray[np.int64] = _nb_content(
        order,
        rank,
        int(n),
        int(n_used),
        cust,
        interest,
        e,
        int(n_followers),
        -1.0 if open_prob is None else float(open_prob),
        u_open,
        indptr,
        indices,
        float(p_share),
        float(flow),
        int(hops),
        read,
        gen,
    )
    return out


# ----------------------------------------------------------------------------- 2. ties
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_codes(
    n_used: int, stage: Any, e: Any, product: Any, dissat: Any, ec: Any, code: Any, adv: Any
) -> int:
    n_present = 0
    for i in range(n_used):
        st = stage[i]
        present = (st >= 0) & (st < 5)
        ec[i] = e[i] if present else -1.0
        code[i] = st + 8 * (product[i] + 1) + ((1 << 20) if dissat[i] else 0) if present else 7
        adv[i] = -1.0 if st == 5 else 0.0
        n_present += present
    return n_present


def member_codes(
    *,
    n_used: int,
    stage: NDArray[np.int8],
    e: NDArray[np.float32],
    product: NDArray[np.int16],
    dissatisfied: NDArray[np.bool_],
    ec: NDArray[np.float32],
    code: NDArray[np.int32],
    advocate: NDArray[np.float32],
) -> int:
    """Fill ``ec``, ``code`` and ``advocate`` for slots ``< n_used`` (start of the week).

    ``ec`` is the engagement of present members, ``-1`` for everyone else; ``code = stage +
    8 (product + 1) + 2^20 dissatisfied`` for present members and 7 for everyone else (no
    stage is 7); ``advocate`` is ``-1`` for lapsed members and 0 for everyone else (the
    member pass fills in the fans and friends who stay). Returns the number of present
    members.
    """
    return int(_nb_codes(int(n_used), stage, e, product, dissatisfied, ec, code, advocate))


@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_ties(
    eu: Any,
    ev: Any,
    ew: Any,
    msg_in: Any,
    meet_in: Any,
    m0: int,
    msg_out: Any,
    meet_out: Any,
    ec: Any,
    code: Any,
    decay: float,
    mw: float,
    gw: float,
    coef: float,
    talk_on: bool,
    thr: float,
    complain_on: bool,
    talks: Any,
    hits: Any,
    strong: Any,
    wom_cnt: Any,
    wom_feat: Any,
    r: Any,
    gen: Any,
) -> int:
    # pass 1, streaming over the ties: decay, copy meetings, strong ties, and the talks.
    # p = base (1 + s) with s = 1 - exp(-x) and x - x^2 / 2 <= s <= min(x, 1): a uniform
    # below the lower bound is a talk, one above the upper bound is none, and only the rare
    # ones in between need the exponential.
    tl = np.empty(m0 if talk_on else 0, np.int64)
    n_talk = 0
    for j in range(m0):
        mt = meet_in[j]
        meet_out[j] = mt
        mj = msg_in[j] * decay
        u = eu[j]
        v = ev[j]
        xu = ec[u]  # engagement of a member present at the start of the week, -1 otherwise
        xv = ec[v]
        if mt >= thr and xu >= 0.0 and xv >= 0.0:
            strong[u] += 1
            strong[v] += 1
        if talk_on:
            base = coef * max(xu, 0.0) * max(xv, 0.0) * ew[j]
            x = mw * mj + gw * mt
            rj = r[j]
            talk = rj < base * (1.0 + max(x - 0.5 * x * x, 0.0))
            if rj < base * (1.0 + min(x, 1.0)) and not talk:
                talk = rj < base * (1.0 - math.expm1(-x))
            mj += talk
            tl[n_talk] = j
            n_talk += talk
        msg_out[j] = mj
    # pass 2, over the talks: counts, complaints, word of mouth. ``code`` packs a member's
    # state: stage + 8 (product + 1) + 2^20 dissatisfied, so one look-up serves all three.
    for q in range(n_talk):
        j = tl[q]
        u = eu[j]
        v = ev[j]
        talks[u] += 1
        talks[v] += 1
        cu = code[u]
        cv = code[v]
        if complain_on and (cu | cv) >> 20:  # a dissatisfied end (rare)
            hits[u] += cv >> 20
            hits[v] += cu >> 20
        su = cu & 7
        sv = cv & 7
        # word of mouth: a prospect hears of the product an adopted friend owns; the featured
        # product is one such talk chosen uniformly (reservoir sampling)
        if (su == 0) != (sv == 0):
            lis, cs = (u, cv) if su == 0 else (v, cu)
            f = ((cs >> 3) & 0x1FFFF) - 1
            if f >= 0:
                wom_cnt[lis] += 1
                if gen.random() * wom_cnt[lis] < 1.0:
                    wom_feat[lis] = f
    return n_talk


def tie_week(
    gen: np.random.Generator,
    *,
    eu: NDArray[np.int32],
    ev: NDArray[np.int32],
    ew: NDArray[np.float32],
    messages_in: NDArray[np.float32],
    meetings_in: NDArray[np.float32],
    m0: int,
    messages_out: NDArray[np.float32],
    meetings_out: NDArray[np.float32],
    ec: NDArray[np.float32],
    code: NDArray[np.int32],
    decay: float,
    message_weight: float,
    meeting_weight: float,
    coef: float,
    talk_on: bool,
    strong_after: float,
    complain_on: bool,
    talks: NDArray[np.int32],
    hits: NDArray[np.int32],
    strong: NDArray[np.int32],
    wom_cnt: NDArray[np.int32],
    wom_feat: NDArray[np.int16],
) -> int:
    """One pass over the ties in use: decay, peer talk, complaints, strong ties, word of mouth.

    ``ec`` is the engagement of members present at the start of the week and ``-1`` for
    everyone else; ``code`` is ``stage + 8 (product + 1) + 2^20 dissatisfied`` of the
    members present (see :func:`member_codes`). For each of the first ``m0`` ties: messages
    decay by ``decay``; meetings are copied to ``meetings_out``; a tie between present
    members counts as strong for both ends at ``strong_after`` meetings; when ``talk_on``, it
    carries a conversation with
    probability ``coef · e_u · e_v · (1 + strength) · w`` (one more message, a talk for each
    end, a complaint heard from a dissatisfied end when ``complain_on``, and a word-of-mouth
    contact for a prospect end from an adopted end). Returns the number of conversations.
    """
    r = gen.random(int(m0) if talk_on else 0, dtype=np.float32)
    return int(
        _nb_ties(
            eu,
            ev,
            ew,
            messages_in,
            meetings_in,
            int(m0),
            messages_out,
            meetings_out,
            ec,
            code,
            float(decay),
            float(message_weight),
            float(meeting_weight),
            float(coef),
            bool(talk_on),
            float(strong_after),
            bool(complain_on),
            talks,
            hits,
            strong,
            wom_cnt,
            wom_feat,
            r,
            gen,
        )
    )


# ----------------------------------------------------------------------------- 3. events
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_pow(x: float, a: float, a_int: int) -> float:
    if a_int >= 0:  # integral exponent: repeated multiplication (exact, no pow)
        out = 1.0
        for _ in range(a_int):
            out *= x
        return out
    return float(x**a)


@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
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
    event_ties: float,
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
    empty = np.empty(0, np.int64)
    if n_events == 0 or total == 0:
        return n_events, 0, 0, empty, empty
    who = np.empty(total, np.int64)
    key = np.empty(total, np.float64)
    pos = start[:G].copy()
    for i in range(n_used):
        g = group[i]
        if cust[i] and g >= 0 and per_group[g] > 0:
            # Efraimidis-Spirakis: the largest log(u) / weight win the seats
            wt = _nb_pow(max(float(e[i]), 1e-6), selectivity, sel_int) * (1.0 + habit * attended[i])
            who[pos[g]] = i
            key[pos[g]] = math.log(gen.random()) / wt
            pos[g] += 1
    blk = np.zeros(G + 1, np.int64)  # attendees of group g: alist[blk[g]:blk[g + 1]]
    alist = np.empty(total, np.int64)
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
            th = np.partition(key[s:t], t - s - room)[t - s - room]  # the room-th largest
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
                    t = off + r
                    old = meet[t]
                    meet[t] = old + 1.0
                    n_meet += 1
                    if old < thr and old + 1.0 >= thr:
                        strong[a] += 1
                        strong[b] += 1
        if n_extra:
            lo_key = a * cap + a + 1
            hi_key = (a + 1) * cap
            r = np.searchsorted(extra_keys, lo_key)
            while r < n_extra and extra_keys[r] < hi_key:
                b = extra_keys[r] - a * cap
                if att[b] and group[b] == g:
                    t = extra_pos[r]
                    old = meet[t]
                    meet[t] = old + 1.0
                    n_meet += 1
                    if old < thr and old + 1.0 >= thr:
                        strong[a] += 1
                        strong[b] += 1
                r += 1
    # acquaintances: Poisson(event_ties) partners per attendee, uniform among the group's
    # attendees (oneself drawn is no tie)
    if event_ties <= 0.0 or k < 2:
        return n_events, k, n_meet, empty, empty
    keep = math.exp(-event_ties)
    reps = np.empty(k, np.int64)
    tot = 0
    for q in range(k):
        reps[q] = _nb_poisson_keep(gen, event_ties, keep)
        tot += reps[q]
    pa = np.empty(tot, np.int64)
    pb = np.empty(tot, np.int64)
    c = 0
    for g in range(G):
        s, t = blk[g], blk[g + 1]
        span = t - s
        for q in range(s, t):
            for _ in range(reps[q]):
                b = alist[s + min(int(gen.random() * span), span - 1)]
                pa[c] = alist[q]
                pb[c] = b
                c += b != alist[q]
    return n_events, k, n_meet, pa[:c], pb[:c]


def events(
    gen: np.random.Generator,
    *,
    n_used: int,
    cust: NDArray[np.bool_],
    group: NDArray[np.int32],
    per_group: NDArray[np.int64],
    min_group: int,
    seats: int,
    e: NDArray[np.float32],
    attended: NDArray[np.float32],
    selectivity: float,
    habit: float,
    indptr: NDArray[np.int64],
    indices: NDArray[np.int32],
    n: int,
    upper_start: NDArray[np.int64],
    tie_start: NDArray[np.int64],
    extra_keys: NDArray[np.int64],
    extra_pos: NDArray[np.int64],
    capacity: int,
    meetings: NDArray[np.float32],
    strong_after: float,
    strong: NDArray[np.int32],
    event_ties: float,
    att: NDArray[np.bool_],
) -> tuple[int, int, int, NDArray[np.int64], NDArray[np.int64]]:
    """Offline events of one week; returns (events, attendees, meetings, new pairs a, b).

    ``per_group`` (events per group this week) is zeroed in place for groups with fewer than
    ``min_group`` present members. Seats (``seats`` per event) go by weighted sampling without
    replacement with weight ``max(e, 1e-6)^selectivity (1 + habit · attended)``; attendees are
    marked in ``att`` and their ``attended`` count (in place) rises by one. Each tie between
    attendees of the same group gains a meeting in ``meetings`` (in place; ``strong`` counts
    of both ends rise when it reaches ``strong_after``). Attendees meet Poisson(``event_ties``)
    others of their group: the candidate new ties.
    """
    sel = float(selectivity)
    sel_int = int(sel) if sel.is_integer() and sel <= 16 else -1
    ne, k, nm, pa, pb = _nb_events(
        int(n_used),
        cust,
        group,
        per_group,
        int(min_group),
        int(seats),
        e,
        attended,
        sel,
        sel_int,
        float(habit),
        indptr,
        indices,
        int(n),
        upper_start,
        tie_start,
        extra_keys,
        extra_pos,
        int(capacity),
        meetings,
        float(strong_after),
        strong,
        float(event_ties),
        att,
        gen,
    )
    return int(ne), int(k), int(nm), pa, pb


# ----------------------------------------------------------------------------- 4. leaders
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_lead(lv_ties: Any, eu: Any, ev: Any, ew: Any, act: Any, lead: Any) -> None:
    for q in range(lv_ties.shape[0]):
        t = lv_ties[q]
        a = eu[t]
        b = ev[t]
        lead[a] += act[b] * ew[t]
        lead[b] += act[a] * ew[t]


def lead_pass(
    *,
    lv_ties: NDArray[np.int64],
    eu: NDArray[np.int32],
    ev: NDArray[np.int32],
    ew: NDArray[np.float32],
    act: NDArray[np.float32],
    lead: NDArray[np.float32],
) -> None:
    """Add ``Σ_j w_ij act_j`` over the given ties to ``lead`` (in place)."""
    _nb_lead(lv_ties, eu, ev, ew, act, lead)


# ----------------------------------------------------------------------------- 5-7. members
class MemberRates(NamedTuple):
    """Scalar rates of the member pass (engagement, adoption and purchases, ladder and churn).

    Build it with :meth:`make`, which fixes every field's type (``float``, ``head`` an
    ``int``) so the kernel compiles once whatever number types the caller used.
    """

    g_content: float
    loss_content: float
    g_broadcast: float
    keep_talk: float
    g_event: float
    noise: float
    complaint_loss: float
    dependence: float
    leader_gain: float
    baseline: float
    relax: float
    p_triangle: float
    two_w2: float
    p_broadcast: float
    broadcast_conversion: float
    content_conversion: float
    p_wom: float
    wom_conversion: float
    product_quality: float
    price: float
    head: int
    strong_ladder: float
    ladder_down: float
    baseline_churn: float
    churn_engagement: float
    protect: float
    dissat_mult: float
    chat_hazard: float
    breach: float

    @classmethod
    def make(cls, **fields: Any) -> MemberRates:
        """The rates with ``head`` as ``int`` and every other field as ``float``."""
        typed: dict[str, Any] = {k: int(v) if k == "head" else float(v) for k, v in fields.items()}
        return cls(**typed)


@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_members(
    R: Any,
    n_used: int,
    n_after: int,
    cust: Any,
    stage: Any,
    group: Any,
    e: Any,
    e_out: Any,
    read: Any,
    b_open: Any,
    talks: Any,
    att: Any,
    hits: Any,
    lead: Any,
    strong: Any,
    wom_cnt: Any,
    wom_feat: Any,
    ip: Any,
    ind: Any,
    n: int,
    taste: Any,
    products: Any,
    pop_cdf: Any,
    repeat: Any,
    repeat_cdf: Any,
    pq_pow: Any,
    keep_talk_pow: Any,
    keep_wom_pow: Any,
    protect_pow: Any,
    ladder: Any,
    newc: Any,
    product: Any,
    channel: Any,
    units: Any,
    dissat: Any,
    purchases: Any,
    spend: Any,
    left: Any,
    adv: Any,
    tri_a: Any,
    tri_b: Any,
    U: Any,
    out_i: Any,
    out_f: Any,
    gen: Any,
) -> None:
    # out_i: 0-2 new by broadcast, content, wom; 3 first niche; 4 dissatisfied; 5 buyers;
    # 6 up; 7 down; 8 churned; 9 removed; 10/11 at risk/left with a strong tie; 12/13 without;
    # 14 friend-of-friend pairs; 15 talkers
    # out_f: 0 units; 1 niche units; 2 units of members reached by the community;
    # 3 + stage: revenue by stage
    D = R.dependence
    n_tab = keep_talk_pow.shape[0]
    # largest adoption probabilities per channel (fit <= 1)
    pb_max = R.p_broadcast if R.p_broadcast >= 0.0 else R.broadcast_conversion
    pc_max = R.content_conversion
    q_max = R.p_wom if R.p_wom >= 0.0 else R.wom_conversion
    n_talkers = 0
    n_tri = 0
    q = 0  # row of U: members present at the start of the week, in slot order
    for i in range(n_used):
        if not cust[i]:
            continue
        u1 = U[0, q]
        u2 = U[1, q]
        u3 = U[2, q]
        u4 = U[3, q]
        u5 = U[4, q]
        q += 1
        st0 = stage[i]
        ei = float(e[i])
        ti = talks[i]
        rd = read[i]
        bo = b_open[i]
        # ---- 5. engagement (from last week's engagement) and friends of friends
        n_talkers += ti > 0
        # a reader who talked meets a friend of a friend with p_triangle e (uniform u5); the
        # friend of a friend is looked up after the loop, where the look-ups overlap
        tri_a[n_tri] = i
        n_tri += (ti > 0) & rd & (i < n) & (u5 < R.p_triangle * ei)
        # powers from tables: a pow per member would dominate the loop
        keep_t = keep_talk_pow[ti] if ti < n_tab else R.keep_talk**ti
        gc = R.g_content if rd else 0.0
        lo = R.loss_content if rd else 0.0
        gb = R.g_broadcast if bo else 0.0
        ge = R.g_event if att[i] else 0.0
        gain = 1.0 - (1.0 - gc) * (1.0 - gb) * keep_t * (1.0 - ge)
        li = min(float(lead[i]), 1.0)
        gain = min(gain * ((1.0 - D) + D * R.leader_gain * li), 1.0)
        target = R.baseline * ((1.0 - D) + D * li)
        comp = min(1.0, hits[i] * R.complaint_loss)
        loss = 1.0 - (1.0 - lo) * (1.0 - R.noise) * (1.0 - comp)
        en = ei + (1.0 - ei) * gain - ei * loss
        en += R.relax * (target - en)
        en = min(max(en, 0.0), 1.0)
        e_out[i] = en
        # ---- 6. adoption of a prospect reached this week, or repeat purchases of an adopter;
        # both from uniform u1 (an adopter is no prospect)
        is_new = False
        c = wom_cnt[i]
        pw_max = 0.0
        if c > 0:
            pw_max = 1.0 - keep_wom_pow[c] if c < n_tab else 1.0 - (1.0 - q_max) ** c
        p_max = 1.0 - (1.0 - (pb_max if bo else 0.0)) * (1.0 - (pc_max if rd else 0.0)) * (
            1.0 - pw_max
        )
        if (st0 == 0) & (u1 < p_max):  # rare: only now draw the featured products
            pb = 0.0
            pc = 0.0
            pw = 0.0
            fb = -1
            fc = -1
            if bo:
                fb = _nb_zipf(gen, pop_cdf)
                pb = (
                    R.p_broadcast
                    if R.p_broadcast >= 0.0
                    else R.broadcast_conversion * _nb_fit(taste, i, products, fb, R.two_w2)
                )
            if rd:
                fc = _nb_zipf(gen, pop_cdf)
                pc = R.content_conversion * _nb_fit(taste, i, products, fc, R.two_w2)
            if c > 0:
                qq = (
                    R.p_wom
                    if R.p_wom >= 0.0
                    else R.wom_conversion * _nb_fit(taste, i, products, int(wom_feat[i]), R.two_w2)
                )
                pw = 1.0 - (1.0 - qq) ** c
            if u1 < 1.0 - (1.0 - pb) * (1.0 - pc) * (1.0 - pw):
                # the channel that won, in proportion to its probability
                r = gen.random() * (pb + pc + pw)
                if r < pb:
                    ch, f = 0, fb
                elif r < pb + pc:
                    ch, f = 1, fc
                else:
                    ch, f = 2, wom_feat[i]
                is_new = True
                newc[i] = True
                product[i] = f
                channel[i] = ch + 1
                out_i[ch] += 1
                out_i[3] += f >= R.head
        st1 = 1 if is_new else st0
        u = 0
        if is_new:
            u = 1
        elif u1 > repeat_cdf[st0, 0]:  # at least one unit: invert the Poisson CDF
            u = _nb_poisson_tab(repeat_cdf, st0, repeat[st0], u1)
        # ---- purchases: dissatisfaction (uniform u2), money
        d = False
        if u > 0:  # (buyers: a minority, and their branch is cheap to mispredict)
            pqu = pq_pow[u] if u < n_tab else R.product_quality**u
            d = u2 < 1.0 - pqu
            purchases[i] += u
            spend[i] += u * R.price
            out_i[4] += d
            out_i[5] += 1
            out_f[0] += u
            out_f[1] += u * (product[i] >= R.head)
            out_f[2] += u * ((ti > 0) | rd)
            out_f[3 + max(st1, 1)] += u * R.price
        dissat[i] = d
        units[i] = u
        # ---- 7. ladder moves (uniform u4) and churn or removal (uniform u3)
        s = strong[i]
        s3 = min(s, 3)
        up_ok = (st1 >= 1) & (st1 <= 3) & (not is_new) & ((st1 < 3) | (s > 0))
        p_up = ladder[st1] * en * (0.2 if d else 1.0) * (1.0 + R.strong_ladder * s3 / 3.0)
        p_up = p_up if up_ok else 0.0
        p_dn = R.ladder_down * (1.0 - en) if (st1 >= 2) & (st1 <= 4) else 0.0
        up = u4 < p_up
        dn = (not up) & (u4 < p_up + (1.0 - p_up) * p_dn)
        st2 = st1 + up - dn
        hz = R.baseline_churn * math.exp(-R.churn_engagement * en) * protect_pow[s3]
        hz = min(hz * (R.dissat_mult if d else 1.0) + R.chat_hazard * (1.0 - en), 1.0)
        churned = u3 < hz
        removed = (not churned) & (u3 < hz + (1.0 - hz) * R.breach * (1.0 - en))
        gone = churned | removed
        out_i[6] += up
        out_i[7] += dn
        out_i[8] += churned
        out_i[9] += removed
        has = s > 0
        out_i[10] += has
        out_i[11] += has & gone
        out_i[12] += not has
        out_i[13] += (not has) & gone
        stage[i] = 5 if gone else st2
        group[i] = -1 if gone else group[i]
        left[i] = gone
        adv[i] = en if ((not gone) & (st2 >= 3)) else 0.0
    k = 0
    for t in range(n_tri):  # a random friend j of i, then a random friend of j
        i = tri_a[t]
        d_i = ip[i + 1] - ip[i]
        if d_i > 0:
            j = ind[ip[i] + min(int(gen.random() * d_i), d_i - 1)]
            d_j = ip[j + 1] - ip[j]
            if d_j > 0:
                kk = ind[ip[j] + min(int(gen.random() * d_j), d_j - 1)]
                if cust[kk] and kk != i:
                    tri_a[k] = i
                    tri_b[k] = kk
                    k += 1
    out_i[14] = k
    out_i[15] = n_talkers
    for i in range(n_used, n_after):  # customers won from the market this week: one unit each
        d = gen.random() < 1.0 - R.product_quality
        dissat[i] = d
        units[i] = 1
        purchases[i] += 1
        spend[i] += R.price
        out_i[3] += product[i] >= R.head
        out_i[4] += d
        out_i[5] += 1
        out_f[0] += 1
        out_f[1] += product[i] >= R.head
        out_f[4] += R.price


def members_week(
    gen: np.random.Generator,
    rates: MemberRates,
    *,
    n_used: int,
    n_after: int,
    cust: NDArray[np.bool_],
    stage: NDArray[np.int8],
    group: NDArray[np.int32],
    e: NDArray[np.float32],
    e_out: NDArray[np.float32],
    read: NDArray[np.bool_],
    b_open: NDArray[np.bool_],
    talks: NDArray[np.int32],
    att: NDArray[np.bool_],
    hits: NDArray[np.int32],
    lead: NDArray[np.float32],
    strong: NDArray[np.int32],
    wom_cnt: NDArray[np.int32],
    wom_feat: NDArray[np.int16],
    indptr: NDArray[np.int64],
    indices: NDArray[np.int32],
    n: int,
    taste: NDArray[np.float64],
    products: NDArray[np.float64],
    pop_cdf: NDArray[np.float64],
    repeat: NDArray[np.float64],
    ladder: NDArray[np.float64],
    strong_protect: float,
    newc: NDArray[np.bool_],
    product: NDArray[np.int16],
    channel: NDArray[np.int8],
    units: NDArray[np.float32],
    dissat: NDArray[np.bool_],
    purchases: NDArray[np.float32],
    spend: NDArray[np.float64],
    left: NDArray[np.bool_],
    advocate: NDArray[np.float32],
    tri_a: NDArray[np.int64],
    tri_b: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """One pass over the members: engagement, adoption and purchases, ladder and churn.

    For each member present at the start of the week (slots ``< n_used``), in this order:

    * engagement ``e' = clip(e + (1 − e) gain − e loss + relax (target − ·), 0, 1)`` with
      ``gain = min(1, (1 − Π(1 − g_channel)) ((1 − D) + D · leader_gain · lead))``, ``target =
      baseline ((1 − D) + D · lead)`` (``lead`` capped at 1) and ``loss = 1 − (1 −
      overload)(1 − noise)(1 − min(1, complaints · complaint_loss))``; a reader who talked
      meets a random friend of a random friend with ``p_triangle · e`` (pairs to ``tri_a``,
      ``tri_b``);
    * a prospect reached by broadcast, content or word of mouth adopts with ``1 − (1 −
      p_b)(1 − p_c)(1 − p_w)`` (each channel's conversion times the fit of the product it
      features; the channel drawn in proportion to ``p_b : p_c : p_w``) and buys one unit; an
      adopter buys Poisson(``repeat[stage]``) units; a buyer of ``u`` units is dissatisfied
      with ``1 − product_quality^u``;
    * an up-move with ``ladder[stage] · e' · sat · (1 + strong_ladder · min(strong, 3) / 3)``
      (``sat`` 0.2 when dissatisfied; fan → friend needs a strong tie; not for new
      customers), else a down-move with ``ladder_down (1 − e')``; churn with ``min(1,
      baseline_churn · exp(−churn_engagement · e') · (1 − strong_protect)^min(strong, 3) ·
      (dissat_mult if dissatisfied) + chat_hazard (1 − e'))``, else removal with ``breach (1
      − e')``. Leavers become lapsed, leave their group and are marked in ``left``;
      ``advocate`` gets ``e'`` of the fans and friends who stay.

    Slots ``n_used..n_after`` (customers won from the market, ``newc`` preset) buy one unit.
    Arrays are updated in place. Returns the integer and float totals (see the source).
    """
    n_present = int(np.count_nonzero(cust[: int(n_used)]))
    U = gen.random((5, n_present), dtype=np.float32)
    rep = np.asarray(repeat, dtype=np.float64)
    k = np.arange(64, dtype=np.float64)
    q_wom = rates.p_wom if rates.p_wom >= 0.0 else rates.wom_conversion
    pq_pow = float(rates.product_quality) ** k
    protect_pow = (1.0 - float(strong_protect)) ** np.arange(4, dtype=np.float64)
    out_i = np.zeros(16, np.int64)
    out_f = np.zeros(8, np.float64)
    _nb_members(
        rates,
        int(n_used),
        int(n_after),
        cust,
        stage,
        group,
        e,
        e_out,
        read,
        b_open,
        talks,
        att,
        hits,
        lead,
        strong,
        wom_cnt,
        wom_feat,
        indptr,
        indices,
        int(n),
        taste,
        products,
        pop_cdf,
        rep,
        poisson_table(rep),
        pq_pow,
        float(rates.keep_talk) ** k,
        (1.0 - float(q_wom)) ** k,
        protect_pow,
        ladder,
        newc,
        product,
        channel,
        units,
        dissat,
        purchases,
        spend,
        left,
        advocate,
        tri_a,
        tri_b,
        U,
        out_i,
        out_f,
        gen,
    )
    return out_i, out_f


# ----------------------------------------------------------------------------- returns
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_pull(eu: Any, ev: Any, ew: Any, m0: int, val: Any, pull: Any) -> None:
    for j in range(m0):
        u = eu[j]
        v = ev[j]
        a = val[u]  # -1: lapsed; > 0: an advocate's engagement
        b = val[v]
        if a * b < 0.0:  # one end lapsed, the other an advocate
            if a < 0.0:
                pull[u] += b * ew[j]
            else:
                pull[v] += a * ew[j]


def return_pull(
    *,
    eu: NDArray[np.int32],
    ev: NDArray[np.int32],
    ew: NDArray[np.float32],
    m0: int,
    advocate: NDArray[np.float32],
    pull: NDArray[np.float32],
) -> None:
    """``pull_i += Σ_j w_ij advocate_j`` for lapsed ``i`` over the first ``m0`` ties.

    ``advocate`` holds ``-1`` for lapsed members, the engagement of advocates (fans and
    friends who stay; > 0) and 0 for everyone else.
    """
    _nb_pull(eu, ev, ew, int(m0), advocate, pull)


# ----------------------------------------------------------------------------- 8. final pass
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_final(
    n_after: int,
    stage: Any,
    group: Any,
    e: Any,
    lapsed: Any,
    pull: Any,
    log_keep: float,
    baseline: float,
    invite_on: bool,
    owner_only: bool,
    owner_ok: Any,
    invite_propensity: float,
    sizes: Any,
    read: Any,
    b_open: Any,
    talks: Any,
    att: Any,
    units: Any,
    active: Any,
    inviters: Any,
    u_inv: Any,
    gen: Any,
) -> Any:
    n_ret = 0
    n_inv = 0
    n_active = 0
    sum_e = 0.0
    for i in range(n_after):
        st = stage[i]
        if (lapsed[i] & (pull[i] > 0.0)) and gen.random() < -math.expm1(pull[i] * log_keep):
            st = 1
            stage[i] = 1
            e[i] = baseline
            n_ret += 1
        present = (st >= 0) & (st < 5)
        g = group[i]
        in_group = present & (g >= 0)
        if in_group:
            sizes[g] += 1
        if invite_on:
            ok = in_group & ((not owner_only) | owner_ok[i])
            inviters[n_inv] = i
            n_inv += ok & (u_inv[i] < invite_propensity * e[i])
        sum_e += e[i] if present & (st >= 3) else 0.0
        a = present & (read[i] | b_open[i] | (talks[i] > 0) | att[i] | (units[i] > 0))
        active[i] = a
        n_active += a
    return n_ret, n_inv, n_active, sum_e


def final_pass(
    gen: np.random.Generator,
    *,
    n_after: int,
    stage: NDArray[np.int8],
    group: NDArray[np.int32],
    e: NDArray[np.float32],
    lapsed: NDArray[np.bool_],
    pull: NDArray[np.float32],
    return_rate: float,
    baseline: float,
    invite_on: bool,
    owner_only: bool,
    owner_ok: NDArray[np.bool_],
    invite_propensity: float,
    sizes: NDArray[np.int64],
    read: NDArray[np.bool_],
    b_open: NDArray[np.bool_],
    talks: NDArray[np.int32],
    att: NDArray[np.bool_],
    units: NDArray[np.float32],
    active: NDArray[np.bool_],
    inviters: NDArray[np.int64],
) -> tuple[int, int, int, float]:
    """Returns of lapsed members, invitation draws, group sizes, activity, engagement of fans.

    A lapsed member returns (as a customer at ``baseline`` engagement) with probability
    ``1 − (1 − return_rate)^pull``. Each present member of a group counts in ``sizes`` and,
    when ``invite_on`` (and, under ``owner_only``, when ``owner_ok``: the owner of the group it
    is in), invites with ``invite_propensity · e`` (inviters go to ``inviters``). ``active``
    marks present members who read, opened, talked, attended or bought. Returns (returned,
    inviters, active, Σ engagement of present fans and friends).
    """
    rr = float(return_rate)
    log_keep = math.log1p(-rr) if rr < 1.0 else -math.inf
    u_inv = gen.random(int(n_after) if invite_on else 0, dtype=np.float32)
    r, k, a, s = _nb_final(
        int(n_after),
        stage,
        group,
        e,
        lapsed,
        pull,
        log_keep,
        float(baseline),
        bool(invite_on),
        bool(owner_only),
        owner_ok,
        float(invite_propensity),
        sizes,
        read,
        b_open,
        talks,
        att,
        units,
        active,
        inviters,
        u_inv,
        gen,
    )
    return int(r), int(k), int(a), float(s)


# ----------------------------------------------------------------------------- tie look-ups
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_exist(keys: Any, ip: Any, ind: Any, n: int, cap: int, extra_keys: Any, out: Any) -> None:
    n_extra = extra_keys.shape[0]
    for q in range(keys.shape[0]):
        k = keys[q]
        lo = k // cap
        hi = k - lo * cap
        found = False
        if hi < n:  # both ends week-0 members: look in the (sorted) CSR row of lo
            s = ip[lo]
            t = ip[lo + 1]
            r = s + np.searchsorted(ind[s:t], hi)
            found = r < t and ind[r] == hi
        if not found and n_extra:
            r = np.searchsorted(extra_keys, k)
            found = r < n_extra and extra_keys[r] == k
        out[q] = found


def ties_exist(
    keys: NDArray[np.int64],
    *,
    indptr: NDArray[np.int64],
    indices: NDArray[np.int32],
    n: int,
    capacity: int,
    extra_keys: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Whether each ``min · capacity + max`` key is a tie already (week-0 or formed since)."""
    out = np.zeros(keys.shape[0], dtype=np.bool_)
    _nb_exist(keys, indptr, indices, int(n), int(capacity), extra_keys, out)
    return out


# ----------------------------------------------------------------------------- observe
@numba.njit(cache=True)  # type: ignore[misc, unused-ignore]
def _nb_observe(
    stage: Any, n: int, active: Any, distance: Any, group: Any, e: Any, n_groups: int
) -> Any:
    counts = np.zeros(6, np.int64)
    reach = np.zeros(5, np.int64)
    seen = np.zeros(n_groups, np.bool_)
    members = 0
    retained = 0
    n_active = 0
    adopters = 0
    groups = 0
    sum_e = 0.0
    for i in range(stage.shape[0]):
        st = stage[i]
        if st < 0:
            continue
        counts[st] += 1
        if st >= 5:
            continue
        members += 1
        sum_e += e[i]
        if i < n:
            retained += 1
        if active[i]:
            n_active += 1
        if st >= 1:
            adopters += 1
            reach[distance[i]] += 1
        g = group[i]
        if g >= 0 and not seen[g]:
            seen[g] = True
            groups += 1
    return counts, reach, members, retained, n_active, adopters, groups, sum_e


def observe_pass(
    *,
    stage: NDArray[np.int8],
    n: int,
    active: NDArray[np.bool_],
    distance: NDArray[np.int8],
    group: NDArray[np.int32],
    e: NDArray[np.float32],
    n_groups: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], int, int, int, int, int, float]:
    """Stock counts of a state in one pass (see :func:`~shequn.simulation.observe`)."""
    c, r, m, ret, a, ad, g, s = _nb_observe(stage, int(n), active, distance, group, e, n_groups)
    return c, r, int(m), int(ret), int(a), int(ad), int(g), float(s)
