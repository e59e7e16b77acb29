"""One simulated week, vectorised over members and ties (engine.md).

The week runs nine mechanisms in order; each is a small function below:

1. 法 content: the week's items go to followers (most interested first), who open with
   probability equal to their interest (so the open rate falls as the audience grows) and repost
   with probability rising in quality; reposts travel up to ``repost_hops`` hops (二三级人脉).
   Broadcast messages go down the same interest ranking. Items read up to the attention limit
   raise engagement with quality; items beyond it overload, worse for low quality.
2. Peer talk (通, 器 group chat): tied members talk with probability rising in both
   engagements and the tie's strength; talking strengthens the tie and lifts engagement; social
   content lets talkers meet friends of friends (triangle closing).
3. 器 offline events: capacity-limited attendance within one group, drawn by engagement; tied
   attendees add a meeting (strong after ``TieRule.strong_after_meetings``); attendees make new
   acquaintances.
4. 术 leaders and volunteers multiply the leader-dependent share of gains of members tied to
   them; the relaxation target also depends on them, so a leader leaving removes the flow.
5. 器 rules: strictness cuts group-chat noise (which erodes engagement) but burdens disengaged
   members (extra exits) and gets rule breakers removed.
6. Adoption: ``1 − (1 − p_b)(1 − p_c)(1 − q)^m`` with broadcast, content and word of mouth
   (``m`` talking adopted neighbours), each times the fit of the featured product; repeat
   purchases by stage; dissatisfaction from product quality.
7. Ladder moves (engagement, satisfaction, strong ties) and churn (hazard falling with
   engagement and strong ties, raised for the dissatisfied, more so under a closed channel);
   lapsed members return through engaged fans and friends.
8. Invitations: engaged members allowed by the policy bring a friend, tied to them and to some
   of their friends; full groups split (fission).
9. Money: revenue, cost of goods and channel costs.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import compile, init_state, step
>>> d = compile(generate_community("brand", 200, rng=0), OperatingModel())
>>> s1 = step(init_state(d, rng=0), d, 1, rng=1)
>>> s1.week, s1.flows["revenue"] - s1.flows["costs"] == s1.flows["profit"]
(1, True)
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._validation import check_int, fail
from shequn.community.types import InvitePolicy
from shequn.loyalty.stages import Stage
from shequn.rng import RNGLike, resolve_rng
from shequn.simulation.dynamics import Dynamics
from shequn.simulation.state import FAR, State

__all__ = ["step"]

F32 = np.float32
PROSPECT, CUSTOMER, USER, FAN, FRIEND, LAPSED = (int(s) for s in Stage)
HOTLINE_SHARE = 0.3
"""Share of dissatisfied members whose complaint reaches the company by a closed hotline."""


def _gather_rows(
    indptr: NDArray[Any], indices: NDArray[Any], rows: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """All (row, neighbour) pairs of the given CSR rows, without a Python loop."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    offs = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    return np.repeat(rows, lengths), indices[offs].astype(np.int64)


def _random_neighbour(
    d: Dynamics, nodes: NDArray[np.int64], gen: np.random.Generator
) -> NDArray[np.int64]:
    """One uniformly chosen week-0 neighbour per node (-1 when it has none)."""
    out = np.full(nodes.size, -1, dtype=np.int64)
    base = nodes < d.n
    nb = nodes[base]
    ip = d.adjacency.indptr
    deg = ip[nb + 1] - ip[nb]
    has = deg > 0
    pick = ip[nb[has]] + (gen.random(int(has.sum())) * deg[has]).astype(np.int64)
    tmp = np.full(nb.size, -1, dtype=np.int64)
    tmp[has] = d.adjacency.indices[pick]
    out[base] = tmp
    return out


def _add_ties(
    state_ties: dict[str, Any],
    d: Dynamics,
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    meetings: float,
) -> None:
    """Queue candidate new ties; they are deduplicated and appended once, at the week's end."""
    keep = (a >= 0) & (b >= 0) & (a != b)
    if keep.any():
        state_ties["pending"].append((a[keep], b[keep], meetings))


def _find_ties(d: Dynamics, st: dict[str, Any], keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """Tie indices of the given ``min · capacity + max`` keys that exist (others dropped)."""
    keys = np.sort(keys)  # sorted queries make the binary searches cache-friendly
    out = []
    if d.base_keys.size and keys.size:
        pos = np.searchsorted(d.base_keys, keys).clip(0, d.base_keys.size - 1)
        out.append(pos[d.base_keys[pos] == keys])  # week-0 ties are stored in key order
    ex = st["extra_keys"]
    if ex.size and keys.size:
        pos = np.searchsorted(ex, keys).clip(0, ex.size - 1)
        out.append(st["extra_pos"][pos[ex[pos] == keys]])
    return np.concatenate(out).astype(np.int64) if out else np.empty(0, np.int64)


def _commit_ties(st: dict[str, Any], d: Dynamics) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Append the queued ties that do not exist yet into the tie buffers (grown by doubling).

    Writes go to slots beyond the previous state's ``m_used``, which that state never reads,
    so buffers are shared between consecutive states without copying.
    """
    empty = np.empty(0, np.int64)
    if not st["pending"]:
        return empty, empty
    a = np.concatenate([p[0] for p in st["pending"]])
    b = np.concatenate([p[1] for p in st["pending"]])
    meet = np.concatenate([np.full(p[0].size, p[2], F32) for p in st["pending"]])
    keys = np.minimum(a, b) * d.capacity + np.maximum(a, b)
    keys, first = np.unique(keys, return_index=True)
    meet = meet[first]
    exists = np.zeros(keys.size, dtype=bool)
    if d.base_keys.size:
        pos = np.searchsorted(d.base_keys, keys).clip(0, d.base_keys.size - 1)
        exists |= d.base_keys[pos] == keys
    ex = st["extra_keys"]  # sorted
    if ex.size:
        pos = np.searchsorted(ex, keys).clip(0, ex.size - 1)
        exists |= ex[pos] == keys
    keys, meet = keys[~exists], meet[~exists]
    k = int(keys.size)
    if k == 0:
        return empty, empty
    m0 = st["m0"]
    names = ("eu_buf", "ev_buf", "ew_buf", "messages_buf", "meetings_buf", "member_tie_buf")
    if m0 + k > st["eu_buf"].shape[0]:
        room = max(m0 + k, 2 * st["eu_buf"].shape[0]) - st["eu_buf"].shape[0]
        for name in names:
            buf = st[name]
            st[name] = np.concatenate([buf, np.zeros(room, dtype=buf.dtype)])
    lo, hi = keys // d.capacity, keys % d.capacity
    sl = slice(m0, m0 + k)
    st["eu_buf"][sl] = lo
    st["ev_buf"][sl] = hi
    st["ew_buf"][sl] = 1.0
    st["messages_buf"][sl] = 0.0
    st["meetings_buf"][sl] = meet
    st["member_tie_buf"][sl] = True
    ins = np.searchsorted(ex, keys)
    st["extra_keys"] = np.insert(ex, ins, keys)
    st["extra_pos"] = np.insert(st["extra_pos"], ins, np.arange(m0, m0 + k, dtype=np.int64))
    st["m_used"] = m0 + k
    return lo, hi


def _zipf_products(d: Dynamics, size: int, gen: np.random.Generator) -> NDArray[np.int64]:
    return gen.choice(d.popularity.size, size=size, p=d.popularity).astype(np.int64)


def step(state: State, dynamics: Dynamics, week: int, rng: RNGLike = None) -> State:
    """Simulate ``week`` (1-based) from ``state``; returns the new state with its ``flows``.

    The input state is not modified (member arrays are copied; slot attributes beyond
    ``state.n_used`` are scratch space that newcomers fill).

    Parameters
    ----------
    state
        The state after ``week − 1`` weeks.
    dynamics
        Compiled parameters (:func:`~shequn.simulation.compile`).
    week
        The week to simulate, ``state.week + 1``.
    rng
        Random generator or seed material.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile, init_state
    >>> d = compile(generate_community("values", 100, rng=0), OperatingModel())
    >>> s = init_state(d, rng=0)
    >>> step(s, d, 2, rng=0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `step.week` must be state.week + 1 = 1; got 2
    """
    week = check_int(week, owner="step", field="week", low=1)
    if week != state.week + 1:
        raise fail("step", "week", f"be state.week + 1 = {state.week + 1}", week)
    d, m, prof, eco = dynamics, dynamics.mechanisms, dynamics.profile, dynamics.economics
    gen = resolve_rng(rng, owner="step")
    cap, N = d.capacity, state.n_used
    stage = state.stage.copy()
    e = state.engagement.copy()
    group = state.group.copy()
    owners = state.owners
    cust = (stage >= 0) & (stage < LAPSED)
    leaders_on = d.leader_leaves_at is None or week < d.leader_leaves_at
    node_on = cust | state.operator
    if not leaders_on and d.leaders.size:
        node_on[d.leaders] = False
    flows: dict[str, float] = {}

    # ---------------------------------------------------------------- 1. content and broadcast
    k_items = d.items_in_week(week - 1)
    read = np.zeros(cap, dtype=bool)
    hops = [0] * (m.repost_hops + 1)
    order = state.order[:N]
    if k_items > 0 and d.visibility > 0:
        in_order = order[cust[order]]
        n_f = round(d.visibility * in_order.size)
        followers = in_order[:n_f]
        if m.open_rate is not None:
            po: Any = float(np.clip(m.open_rate(n_f), 0.0, 1.0))
        else:
            po = state.interest[followers] * (0.5 + 0.5 * e[followers])
        frontier = followers[gen.random(n_f) < po]
        read[frontier] = True
        hops[0] = int(frontier.size)
        ip, ind = d.adjacency.indptr, d.adjacency.indices
        for h in range(1, m.repost_hops + 1):
            if frontier.size == 0:
                break
            p_share = prof.repost_propensity * d.quality
            sharers = frontier[(gen.random(frontier.size) < p_share) & (frontier < d.n)]
            _, nb = _gather_rows(ip, ind, sharers)
            nb = nb[gen.random(nb.size, dtype=np.float32) < d.flow]
            nb = nb[cust[nb] & ~read[nb]]
            fresh = np.zeros(cap, dtype=bool)
            fresh[nb] = True  # duplicates collapse in the mask (no sort)
            frontier = np.flatnonzero(fresh)
            read |= fresh
            hops[h] = int(frontier.size)
    flows["content_items"] = k_items
    flows["content_direct"] = hops[0]
    for h in range(1, 4):
        flows[f"content_hop{h}"] = hops[h] if h < len(hops) else 0
    flows["content_reach"] = float(sum(hops))

    b_open = np.zeros(cap, dtype=bool)
    sent = 0
    opened_n = 0
    precise = math.nan
    outsiders: tuple[NDArray[np.float64], NDArray[np.int64]] | None = None
    if d.broadcast_messages > 0 and not d.broadcast_market:
        listed = order[stage[order] >= 0]
        aud = listed[: int(min(d.broadcast_messages, listed.size))]
        sent = int(aud.size)
        if sent:
            if m.open_rate is not None:
                pb_open: Any = float(np.clip(m.open_rate(sent), 0.0, 1.0))
            else:
                pb_open = state.interest[aud]
            opened = aud[gen.random(sent) < pb_open]
            opened_n = int(opened.size)
            b_open[opened[cust[opened]]] = True
            precise = float(np.mean(state.interest[aud] >= 0.5))
    elif d.broadcast_messages > 0:
        listed = order[stage[order] >= 0]
        M = int(min(d.broadcast_messages, m.market_size))
        k_mem = int(gen.binomial(M, min(1.0, listed.size / m.market_size)))
        k_mem = min(k_mem, listed.size)
        aud = gen.choice(listed, size=k_mem, replace=False) if k_mem else listed[:0]
        opened = aud[gen.random(k_mem) < state.interest[aud]]
        b_open[opened[cust[opened]]] = True
        # outsiders: taste N(0, s^2 I); P(open) = E[exp(-|t|^2/2)] = (1+s^2)^(-d/2); openers'
        # tastes are then N(0, s^2/(1+s^2) I) (product of Gaussians), drawn only for openers
        dim = state.taste.shape[1]
        s2 = m.market_spread**2
        k_out = M - k_mem
        n_open_out = int(gen.binomial(k_out, (1.0 + s2) ** (-dim / 2.0))) if k_out else 0
        t_out = gen.normal(scale=math.sqrt(s2 / (1.0 + s2)), size=(n_open_out, dim))
        feat = _zipf_products(d, n_open_out, gen)
        diff = t_out - d.products[feat]
        fit_o = np.exp(-np.einsum("ij,ij->i", diff, diff) / (2.0 * m.fit_width**2))
        p_o = (
            np.full(n_open_out, m.broadcast_p)
            if m.broadcast_p is not None
            else (m.broadcast_conversion * fit_o)
        )
        won_o = gen.random(n_open_out) < p_o
        outsiders = (t_out[won_o], feat[won_o])
        sent = M
        opened_n = int(opened.size) + n_open_out
        interest_mem = state.interest[aud]
        # precise users: interest >= 1/2 (|t|^2 <= 2 ln 2); for outsiders P = 1 - (1/2)^(1/s^2)
        p_prec_out = 1.0 - 0.5 ** (1.0 / s2) if s2 > 0 else 1.0
        precise = float((np.sum(interest_mem >= 0.5) + k_out * p_prec_out) / M) if M else math.nan
    flows["broadcast_sent"] = sent
    flows["broadcast_opened"] = opened_n
    flows["open_rate"] = opened_n / sent if sent else math.nan
    flows["precise_share"] = precise

    readers = np.flatnonzero(read)
    useful = F32(min(k_items, m.attention))
    excess = F32(k_items) - useful
    resp = prof.engagement_response
    # only readers are touched: items read up to the attention limit, overload beyond it
    g_content = np.zeros(cap, dtype=F32)
    g_content[readers] = 1.0 - F32(1.0 - resp * d.quality) ** useful
    g_b = np.where(b_open, F32(resp * d.broadcast_quality), F32(0.0))
    loss_over = np.zeros(cap, dtype=F32)
    loss_over[readers] = 1.0 - F32(1.0 - m.overload * (1.0 - d.quality)) ** excess

    # ---------------------------------------------------------------- 2. peer talk
    rule = m.tie_rule
    m0 = state.m_used
    messages_buf = np.empty_like(state.messages)
    messages_buf[:m0] = state.messages[:m0] * F32(0.5 ** (1.0 / rule.half_life_weeks))
    messages = messages_buf[:m0]
    ties: dict[str, Any] = {
        "m0": m0,
        "m_used": m0,
        "eu_buf": state.eu,
        "ev_buf": state.ev,
        "ew_buf": state.ew,
        "messages_buf": messages_buf,
        "meetings_buf": state.meetings,
        "member_tie_buf": state.member_tie,
        "eu": state.eu[:m0],
        "ev": state.ev[:m0],
        "ew": state.ew[:m0],
        "meetings": state.meetings[:m0],
        "extra_keys": state.extra_keys,
        "extra_pos": state.extra_pos,
        "pending": [],
    }
    talks = np.zeros(cap, dtype=np.float32)
    t_u = t_v = np.empty(0, dtype=np.int64)
    n_talk = 0
    if d.group_chat and prof.peer_talk > 0 and d.flow > 0:
        eu, ev = ties["eu"], ties["ev"]
        # present, ordinary members only (operators and the lapsed have weight 0)
        ec = np.where(cust & ~state.operator, e, F32(0.0))
        strength = -np.expm1(
            -(F32(rule.message_weight) * messages + F32(rule.meeting_weight) * ties["meetings"])
        )
        p = F32(prof.peer_talk * d.flow) * ec[eu] * ec[ev] * (1 + strength) * ties["ew"]
        talk = gen.random(p.size, dtype=np.float32) < p
        tl = np.flatnonzero(talk)
        messages[tl] += 1
        t_u, t_v = eu[tl].astype(np.int64), ev[tl].astype(np.int64)
        talks = (np.bincount(t_u, minlength=cap) + np.bincount(t_v, minlength=cap)).astype(F32)
        n_talk = int(tl.size)
    g_peer = 1.0 - np.power(F32(1.0 - m.talk_gain), talks)
    flows["messages"] = n_talk

    # complaints spread along conversations when the channel is open
    complaint = np.zeros(cap, dtype=np.float32)
    if d.feedback_open and n_talk and state.dissatisfied.any():
        dis = state.dissatisfied
        hit = np.concatenate([t_u[dis[t_v]], t_v[dis[t_u]]])
        complaint = np.minimum(1.0, np.bincount(hit, minlength=cap) * m.complaint_loss).astype(F32)

    # social content closes triangles
    if n_talk and d.social_share > 0 and k_items > 0:
        talkers = np.flatnonzero(read & (talks > 0))
        pt = m.triangle_rate * d.social_share * d.quality * e[talkers]
        closers = talkers[gen.random(talkers.size) < pt]
        j = _random_neighbour(d, closers, gen)
        ok = j >= 0
        kk = np.full(closers.size, -1, dtype=np.int64)
        kk[ok] = _random_neighbour(d, j[ok], gen)
        ok = kk >= 0
        kk[ok & ~cust[kk.clip(0)]] = -1
        _add_ties(ties, d, closers, kk, 0.0)

    # ---------------------------------------------------------------- 3. offline events
    g_event = np.zeros(cap, dtype=np.float32)
    n_meet = 0
    attendees_total = 0
    n_events = 0
    attended = state.attended
    if d.event_frequency > 0 and owners.size:
        # each group meets offline on its own fixed schedule (phase spread by the golden ratio)
        phase = (np.arange(owners.size) * 0.6180339887498949) % 1.0
        per_group = (
            np.floor(d.event_frequency * week + phase + 1e-9)
            - np.floor(d.event_frequency * (week - 1) + phase + 1e-9)
        ).astype(np.int64)
        gsize = np.bincount(group[cust & (group >= 0)], minlength=owners.size)
        per_group[gsize < m.event_min_group] = 0  # too small a group to hold an event
        n_events = int(per_group.sum())
    if n_events > 0:
        cand = np.flatnonzero(cust & (group >= 0))
        cand = cand[per_group[group[cand]] > 0]
        attend = np.full(cap, -1, dtype=np.int64)
        if cand.size:
            wt = np.maximum(e[cand].astype(np.float64), 1e-6) ** m.event_selectivity * (
                1.0 + m.event_habit * state.attended[cand]
            )
            keys = np.log(gen.random(cand.size)) / wt  # Efraimidis-Spirakis weighted sampling
            # sort by group, then by key descending: one float sort of group + (1 - e^key)
            o = np.argsort(group[cand] + (1.0 - np.exp(keys)))
            cs, gs = cand[o], group[cand][o]
            first = np.searchsorted(gs, gs, side="left")
            seat = np.arange(cs.size) - first
            ok = seat < d.event_capacity * per_group[gs]
            att = cs[ok]
            attend[att] = group[att]
            attendees_total = int(att.size)
            g_event[att] = m.event_gain
            attended = state.attended.copy()
            attended[att] += 1
            # every pair of attendees of the same event that is tied adds a meeting; attendees
            # are already sorted by event (group), so pairs are enumerated block by block
            srt, evs = att, gs[ok]
            lo_b = np.searchsorted(evs, evs, side="left")
            hi_b = np.searchsorted(evs, evs, side="right")
            pos_in = np.arange(srt.size)
            after = hi_b - pos_in - 1
            total = int(after.sum())
            i_idx = np.repeat(pos_in, after)
            j_idx = i_idx + 1 + (np.arange(total) - np.repeat(np.cumsum(after) - after, after))
            pa, pb_ = srt[i_idx], srt[j_idx]
            pkeys = np.minimum(pa, pb_) * cap + np.maximum(pa, pb_)
            met_idx = _find_ties(d, ties, pkeys)
            n_meet = int(met_idx.size)
            if n_meet:
                meet_new = ties["meetings_buf"].copy()
                meet_new[met_idx] += 1
                ties["meetings_buf"] = meet_new
                ties["meetings"] = meet_new[: ties["m0"]]
            if d.event_ties > 0 and att.size > 1:
                reps = gen.poisson(d.event_ties, size=srt.size)
                who = np.repeat(np.arange(srt.size), reps)
                span = (hi_b - lo_b)[who]
                partner = lo_b[who] + (gen.random(who.size) * span).astype(np.int64)
                _add_ties(ties, d, srt[who], srt[partner], 1.0)
    flows["events"] = n_events
    flows["attendees"] = attendees_total
    flows["meetings"] = n_meet

    # ---------------------------------------------------------------- 4. leaders, volunteers
    act = np.zeros(cap, dtype=np.float32)
    if leaders_on and d.leaders.size:
        act[d.leaders] = d.leader_activity
    vols = state.volunteers
    if vols.size:
        act[vols] = np.where(cust[vols], F32(d.volunteer_activity), F32(0.0))
    lead = act.copy()
    if state.lv_ties.size:
        li = state.lv_ties
        a, b = ties["eu"][li], ties["ev"][li]
        w = ties["ew"][li]
        lead += np.bincount(a, weights=act[b] * w, minlength=cap).astype(F32)
        lead += np.bincount(b, weights=act[a] * w, minlength=cap).astype(F32)
    lead = np.minimum(lead, F32(1.0))
    D = prof.leader_dependence
    mult = F32(1.0 - D) + F32(D * m.leader_gain) * lead
    target = F32(prof.baseline_engagement) * (F32(1.0 - D) + F32(D) * lead)

    # ---------------------------------------------------------------- 5. engagement and rules
    s = d.strictness
    noise = m.noise * (1.0 - s) if d.group_chat else 0.0
    gain = 1.0 - (1.0 - g_content) * (1.0 - g_b) * (1.0 - g_peer) * (1.0 - g_event)
    gain = np.minimum(gain * mult, F32(1.0))
    loss = 1.0 - (1.0 - loss_over) * F32(1.0 - noise) * (1.0 - complaint)
    e_new = e + (1.0 - e) * gain - e * loss
    e_new += F32(m.relax) * (target - e_new)
    e = np.where(cust, np.clip(e_new, 0.0, 1.0), e).astype(F32)
    flows["active_talkers"] = int((talks > 0).sum())

    # ---------------------------------------------------------------- 6. adoption, purchases
    adopted = cust & (stage >= CUSTOMER)
    prospect = cust & (stage == PROSPECT)
    pb = np.zeros(cap, dtype=F32)  # adoption probability per channel (prospects only)
    pc = np.zeros(cap, dtype=F32)
    pw = np.zeros(cap, dtype=F32)
    feat_b = np.full(cap, -1, dtype=np.int16)
    feat_c = np.full(cap, -1, dtype=np.int16)
    feat_w = np.full(cap, -1, dtype=np.int16)
    ib = np.flatnonzero(b_open & prospect)
    if ib.size:
        feat_b[ib] = _zipf_products(d, ib.size, gen)
        pb[ib] = (
            m.broadcast_p
            if m.broadcast_p is not None
            else m.broadcast_conversion * d.fit(ib, feat_b[ib], state.taste)
        )
    ic = np.flatnonzero(read & prospect)
    if ic.size:
        feat_c[ic] = _zipf_products(d, ic.size, gen)
        pc[ic] = m.content_conversion * d.quality * d.fit(ic, feat_c[ic], state.taste)
    if n_talk:
        lis = np.concatenate([t_u, t_v])
        spk = np.concatenate([t_v, t_u])
        keep = prospect[lis] & adopted[spk] & (state.product[spk] >= 0)
        lis, spk = lis[keep], spk[keep]
        if lis.size:
            cnt = np.bincount(lis, minlength=cap)
            o = np.lexsort((gen.random(lis.size), lis))
            lis_s, spk_s = lis[o], spk[o]
            uniq, first = np.unique(lis_s, return_index=True)
            feat_w[uniq] = state.product[spk_s[first]]
            q = (
                np.full(uniq.size, m.wom_q)
                if m.wom_q is not None
                else m.wom_conversion * d.fit(uniq, feat_w[uniq], state.taste)
            )
            pw[uniq] = 1.0 - (1.0 - q) ** cnt[uniq]
    tmask = np.zeros(cap, dtype=bool)
    tmask[ib] = True
    tmask[ic] = True
    if n_talk and lis.size:
        tmask[uniq] = True
    touched = np.flatnonzero(tmask)
    P = 1.0 - (1.0 - pb[touched]) * (1.0 - pc[touched]) * (1.0 - pw[touched])
    new_c = np.empty(0, dtype=np.int64)
    chan = np.empty(0, dtype=np.int64)
    if touched.size:
        win = touched[gen.random(touched.size) < P]
        if win.size:
            wts = np.stack([pb[win], pc[win], pw[win]], axis=1)
            cum = np.cumsum(wts, axis=1)
            r = gen.random(win.size) * cum[:, -1]
            chan = (r[:, None] >= cum).sum(axis=1).clip(0, 2)
            new_c = win
    product = state.product.copy()
    channel = state.channel.copy()
    if new_c.size:
        feats = np.stack([feat_b[new_c], feat_c[new_c], feat_w[new_c]], axis=1)
        product[new_c] = feats[np.arange(new_c.size), chan].astype(np.int16)
        channel[new_c] = (chan + 1).astype(np.int8)
        stage[new_c] = CUSTOMER
    # customers won from the mass market take free slots (no ties, no chat group)
    taste, interest, order_all = state.taste, state.interest, state.order
    distance = state.distance
    n_ads = 0
    if outsiders is not None and outsiders[0].shape[0] and cap > N:
        t_o, f_o = outsiders
        n_ads = min(t_o.shape[0], cap - N)
        idx = np.arange(N, N + n_ads, dtype=np.int64)
        taste[idx] = t_o[:n_ads]
        interest[idx] = np.exp(-0.5 * np.einsum("ij,ij->i", taste[idx], taste[idx]))
        order_all[idx] = idx
        distance[idx] = FAR
        stage[idx] = CUSTOMER
        e[idx] = F32(prof.baseline_engagement)
        group[idx] = -1
        product[idx] = f_o[:n_ads].astype(np.int16)
        channel[idx] = 1
        new_c = np.concatenate([new_c, idx])
        chan = np.concatenate([chan, np.zeros(n_ads, dtype=np.int64)])
    N_after_ads = N + n_ads
    flows["new_customers"] = int(new_c.size)
    flows["new_broadcast"] = int((chan == 0).sum())
    flows["new_content"] = int((chan == 1).sum())
    flows["new_wom"] = int((chan == 2).sum())

    units = np.zeros(cap, dtype=np.float32)
    rep = np.flatnonzero(adopted)
    rates = np.asarray((0.0, *m.repeat_rates))
    if rep.size:
        st_rep = stage[rep]
        for k_st in (CUSTOMER, USER, FAN, FRIEND):
            sel = rep[st_rep == k_st]
            if sel.size and rates[k_st] > 0:
                # iid Poisson(r) per member == Poisson(r * count) units spread uniformly at
                # random over the members (same joint law, far fewer draws)
                total = int(gen.poisson(rates[k_st] * sel.size))
                units[sel] = np.bincount(
                    gen.integers(0, sel.size, size=total), minlength=sel.size
                ).astype(F32)
    units[new_c] += 1.0
    buyers = np.flatnonzero(units > 0)
    bu = units[buyers]
    dissat = np.zeros(cap, dtype=bool)
    if buyers.size:
        p_dis = 1.0 - eco.product_quality ** bu.astype(np.float64)
        dissat[buyers[gen.random(buyers.size) < p_dis]] = True
    price = eco.price
    purchases = state.purchases + units
    spend = state.spend + units.astype(np.float64) * price
    buyer_stage = np.maximum(stage[buyers], CUSTOMER)
    rev_stage = np.bincount(buyer_stage, weights=bu * price, minlength=5)
    total_units = float(bu.sum())
    niche = float(bu[product[buyers] >= m.head_products].sum())
    community_buyers = (talks[buyers] > 0) | read[buyers]
    flows["units"] = total_units
    flows["niche_units"] = niche
    flows["first_units"] = float(new_c.size)
    flows["first_niche_units"] = float((product[new_c] >= m.head_products).sum())
    flows["community_units"] = float(bu[community_buyers].sum())
    for st_ in (CUSTOMER, USER, FAN, FRIEND):
        flows[f"revenue_{Stage(st_).name.lower()}"] = float(rev_stage[st_])
    n_dis = int(dissat.sum())
    flows["dissatisfied"] = n_dis
    flows["feedback"] = float(n_dis) if d.feedback_open else HOTLINE_SHARE * n_dis

    # ---------------------------------------------------------------- 7. ladder, churn, return
    meet = ties["meetings"]
    strong_t = np.flatnonzero(meet >= rule.strong_after_meetings)
    strong = np.zeros(cap, dtype=np.int64)
    if strong_t.size:
        a, b = ties["eu"][strong_t].astype(np.int64), ties["ev"][strong_t].astype(np.int64)
        both = cust[a] & cust[b]
        strong = np.bincount(a[both], minlength=cap) + np.bincount(b[both], minlength=cap)
    s3 = np.minimum(strong, 3).astype(np.float32)
    sat = np.where(dissat, F32(0.2), F32(1.0))
    ladder = np.asarray((0.0, *m.ladder_rates, 0.0, 0.0))
    climb = cust & (stage >= CUSTOMER) & (stage <= FAN)
    climb[new_c] = False
    ci = np.flatnonzero(climb)
    p_up = ladder[stage[ci]] * e[ci] * sat[ci] * (1.0 + m.strong_ladder * s3[ci] / 3.0)
    p_up = np.where(stage[ci] == FAN, p_up * (strong[ci] > 0), p_up)
    u_draw = gen.random(ci.size)
    up = ci[u_draw < p_up]
    fall = cust & (stage >= USER) & (stage <= FRIEND)
    fi = np.flatnonzero(fall)
    down = fi[gen.random(fi.size) < m.ladder_down * (1.0 - e[fi])]
    moved = np.zeros(cap, dtype=bool)
    moved[up] = True
    down = down[~moved[down]]
    stage[up] += 1
    stage[down] -= 1
    flows["moved_up"] = int(up.size)
    flows["moved_down"] = int(down.size)

    protect = (F32(1.0 - m.strong_protect) ** np.arange(4, dtype=F32)).astype(F32)
    ii = np.flatnonzero(cust)
    mult_d = np.where(
        dissat[ii], m.open_multiplier if d.feedback_open else m.closed_multiplier, 1.0
    )
    hz = (
        prof.baseline_churn
        * np.exp(F32(-m.churn_engagement) * e[ii])
        * protect[np.minimum(strong[ii], 3)]
        * mult_d
    )
    if d.group_chat:  # rules: disorder when loose, burden when strict (seed 002)
        hz = hz + (m.disorder * (1.0 - s) + m.burden * s * s) * (1.0 - e[ii])
    hz = np.minimum(hz, 1.0)
    churn = ii[gen.random(ii.size) < hz]
    removed = np.empty(0, dtype=np.int64)
    if d.group_chat and d.remove_breakers and s > 0:
        gone = np.zeros(cap, dtype=bool)
        gone[churn] = True
        rest = ii[~gone[ii]]
        removed = rest[gen.random(rest.size) < m.breach * s * (1.0 - e[rest])]
    has_strong = strong[ii] > 0
    churned_mask = np.zeros(cap, dtype=bool)
    churned_mask[churn] = True
    churned_mask[removed] = True
    flows["at_risk_strong"] = int(has_strong.sum())
    flows["left_strong"] = int((churned_mask[ii] & has_strong).sum())
    flows["at_risk_weak"] = int((~has_strong).sum())
    flows["left_weak"] = int((churned_mask[ii] & ~has_strong).sum())
    leavers = np.flatnonzero(churned_mask)
    stage[leavers] = LAPSED
    group[leavers] = -1
    flows["churned"] = int(churn.size)
    flows["removed"] = int(removed.size)
    flows["left"] = int(leavers.size)

    returned = np.empty(0, dtype=np.int64)
    lapsed = stage == LAPSED
    lapsed[leavers] = False  # no same-week return
    if lapsed.any():
        adv = np.where(cust & (stage >= FAN) & ~churned_mask, e, F32(0.0))
        eu_all, ev_all, ew_all = ties["eu"], ties["ev"], ties["ew"]
        sel = np.flatnonzero(lapsed[eu_all] | lapsed[ev_all])
        if sel.size:
            a, b, w = eu_all[sel], ev_all[sel], ew_all[sel]
            pull = np.bincount(a, weights=adv[b] * w, minlength=cap) + np.bincount(
                b, weights=adv[a] * w, minlength=cap
            )
            li = np.flatnonzero(lapsed & (pull > 0))
            p_ret = 1.0 - (1.0 - m.return_rate) ** pull[li]
            returned = li[gen.random(li.size) < p_ret]
            stage[returned] = CUSTOMER
            e[returned] = F32(prof.baseline_engagement)
    flows["returned"] = int(returned.size)

    # ---------------------------------------------------------------- 8. invitations, fission
    n_new = 0
    new_owners = owners
    cust_now = (stage >= 0) & (stage < LAPSED)
    N = N_after_ads
    if d.group_chat and prof.invite_propensity > 0 and cap > N:
        if d.invite_policy is InvitePolicy.OPEN:
            can = cust_now & (group >= 0)
        else:
            can = np.zeros(cap, dtype=bool)
            valid_owner = owners[(owners >= 0)]
            can[valid_owner] = True
            can &= cust_now & (group >= 0)
            can[valid_owner] &= group[valid_owner] == np.flatnonzero(owners >= 0)
        ci2 = np.flatnonzero(can)
        inviters = ci2[gen.random(ci2.size) < prof.invite_propensity * e[ci2]]
        inviters = gen.permutation(inviters)[: cap - N]
        n_new = int(inviters.size)
        if n_new:
            new = np.arange(N, N + n_new, dtype=np.int64)
            hmp = prof.homophily
            taste[new] = hmp * taste[inviters] + math.sqrt(1.0 - hmp * hmp) * gen.normal(
                size=(n_new, taste.shape[1])
            )
            interest[new] = np.exp(-0.5 * np.einsum("ij,ij->i", taste[new], taste[new]))
            order_all[new] = new
            distance[new] = np.minimum(distance[inviters].astype(np.int64) + 1, FAR).astype(np.int8)
            stage[new] = PROSPECT
            e[new] = F32(prof.baseline_engagement)
            # groups: join the inviter's group while it has room, else found new groups
            gcap = d.groups.cap
            sizes = np.bincount(group[cust_now & (group >= 0)], minlength=owners.size)
            o = np.argsort(group[inviters], kind="stable")
            gi = group[inviters][o]
            first = np.searchsorted(gi, gi, side="left")
            rank = np.arange(n_new) - first
            room = gcap - sizes[gi]
            joins = rank < room
            newcomer = new[o]
            group[newcomer[joins]] = gi[joins]
            ov = ~joins
            if ov.any():
                block = (rank[ov] - room[ov]) // gcap
                key = gi[ov] * (n_new + 1) + block
                _, firsts, inv_idx = np.unique(key, return_index=True, return_inverse=True)
                gid = owners.size + inv_idx
                group[newcomer[ov]] = gid
                new_owners = np.concatenate([owners, newcomer[ov][firsts]])
            # ties to the inviter and some of the inviter's friends
            fa = [inviters]
            fb = [new]
            for _ in range(m.newcomer_friends):
                fr = _random_neighbour(d, inviters, gen)
                ok = fr >= 0
                ok[ok] &= cust_now[fr[ok]]
                fa.append(np.where(ok, fr, -1))
                fb.append(new)
            cust_now[new] = True
            _add_ties(ties, d, np.concatenate(fa), np.concatenate(fb), 0.0)
    flows["newcomers"] = n_new
    flows["ad_customers"] = n_ads
    flows["joined"] = n_new + n_ads + int(returned.size)

    # active this week: talked, read content, opened a message, attended an event or bought
    active = read | b_open | (talks > 0) | (g_event > 0) | (units > 0)
    active &= (stage >= 0) & (stage < LAPSED)
    flows["active"] = int(active.sum())

    lo_new, hi_new = _commit_ties(ties, d)
    flows["ties_formed"] = int(lo_new.size)
    partner = np.zeros(cap, dtype=bool)
    partner[: d.n] = d.partner
    flows["partner_ties"] = int(partner[lo_new].sum() + partner[hi_new].sum())

    # ---------------------------------------------------------------- 9. money and value
    fan_friend = np.flatnonzero(cust_now & (stage >= FAN))
    ideas = int(gen.poisson(m.idea_rate * e[fan_friend]).sum()) if fan_friend.size else 0
    flows["ideas"] = ideas
    cost_content = k_items * eco.cost_per_content
    cost_events = n_events * eco.cost_per_event
    cost_broadcast = sent * eco.cost_per_message
    cost_staff = eco.staff_per_week
    cogs = total_units * price * (1.0 - eco.margin)
    revenue = total_units * price
    costs = cogs + cost_content + cost_events + cost_broadcast + cost_staff
    flows.update(
        revenue=revenue,
        cogs=cogs,
        cost_content=cost_content,
        cost_events=cost_events,
        cost_broadcast=cost_broadcast,
        cost_staff=cost_staff,
        costs=costs,
        profit=revenue - costs,
        gross_margin=revenue - cogs,
    )
    return attrs.evolve(
        state,
        week=week,
        n_used=N + n_new,
        stage=stage,
        engagement=e,
        group=group,
        owners=new_owners,
        purchases=purchases,
        spend=spend,
        product=product,
        channel=channel,
        dissatisfied=dissat,
        attended=attended,
        active=active,
        m_used=ties["m_used"],
        eu=ties["eu_buf"],
        ev=ties["ev_buf"],
        ew=ties["ew_buf"],
        messages=ties["messages_buf"],
        meetings=ties["meetings_buf"],
        member_tie=ties["member_tie_buf"],
        extra_pos=ties["extra_pos"],
        extra_keys=ties["extra_keys"],
        flows=flows,
    )
