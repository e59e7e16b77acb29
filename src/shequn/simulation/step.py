"""One simulated week over all members and ties, without a Python loop over either (engine.md).

The week runs nine mechanisms in order, each a block of :func:`step` whose loops over members
and ties are compiled (:mod:`shequn.simulation._kernels`, numba):

1. 法 content: the week's items go to followers (most interested first), who open with
   probability ``interest (0.5 + 0.5 e)`` (so the open rate falls as the audience grows) and repost
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
from shequn.simulation import _kernels as kern
from shequn.simulation.dynamics import Dynamics
from shequn.simulation.mechanisms import open_probability
from shequn.simulation.state import FAR, State

__all__ = ["step"]

F32 = np.float32
PROSPECT, CUSTOMER, USER, FAN, FRIEND, LAPSED = (int(s) for s in Stage)
HOTLINE_SHARE = 0.3
"""Share of dissatisfied members whose complaint reaches the company by a closed hotline."""


def _random_neighbour(
    d: Dynamics, nodes: NDArray[np.int64], gen: np.random.Generator
) -> NDArray[np.int64]:
    """One uniformly chosen week-0 neighbour per node (-1 when it has none)."""
    out = np.full(nodes.size, -1, dtype=np.int64)
    base = nodes < d.n
    nb = nodes[base]
    ip = d.indptr
    deg = ip[nb + 1] - ip[nb]
    has = deg > 0
    pick = ip[nb[has]] + (gen.random(int(has.sum())) * deg[has]).astype(np.int64)
    tmp = np.full(nb.size, -1, dtype=np.int64)
    tmp[has] = d.indices[pick]
    out[base] = tmp
    return out


def _add_ties(
    state_ties: dict[str, Any],
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    meetings: float,
) -> None:
    """Queue candidate new ties; they are deduplicated and appended once, at the week's end."""
    keep = (a >= 0) & (b >= 0) & (a != b)
    if keep.any():
        state_ties["pending"].append((a[keep], b[keep], meetings))


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
    ex = st["extra_keys"]  # sorted
    exists = kern.ties_exist(
        keys, indptr=d.indptr, indices=d.indices, n=d.n, capacity=d.capacity, extra_keys=ex
    )
    keys, meet = keys[~exists], meet[~exists]
    k = int(keys.size)
    if k == 0:
        return empty, empty
    m0 = st["m_used"]
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
    e = state.engagement
    group = state.group.copy()
    owners = state.owners
    cust = (stage >= 0) & (stage < LAPSED)  # present at the start of the week
    lapsed0 = stage == LAPSED
    leaders_on = d.leader_leaves_at is None or week < d.leader_leaves_at
    flows: dict[str, float] = {}

    # ---------------------------------------------------------------- 1. content and broadcast
    k_items = d.items_in_week(week - 1)
    read = np.zeros(cap, dtype=bool)
    hops = np.zeros(m.repost_hops + 1, dtype=np.int64)
    order = state.order[:N]
    if k_items > 0 and d.visibility > 0:
        n_f = round(d.visibility * int(np.count_nonzero(cust[:N])))
        po = None if m.open_rate is None else open_probability(m, n_f)
        hops = kern.content_spread(
            gen,
            order=order,
            rank=d.rank,
            n=d.n,
            n_used=N,
            cust=cust,
            interest=state.interest,
            e=e,
            n_followers=n_f,
            open_prob=po,
            indptr=d.indptr,
            indices=d.indices,
            p_share=prof.repost_propensity * d.quality,
            flow=d.flow,
            hops=m.repost_hops,
            read=read,
        )
    flows["content_items"] = k_items
    flows["content_direct"] = int(hops[0])
    for h in range(1, 4):
        flows[f"content_hop{h}"] = int(hops[h]) if h < hops.size else 0
    flows["content_reach"] = float(hops.sum())

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
                pb_open: Any = open_probability(m, sent)
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

    # ---------------------------------------------------------------- 2. peer talk (one tie pass)
    rule = m.tie_rule
    m0 = state.m_used
    room = state.messages.shape[0]
    messages_buf = np.empty(room, dtype=np.float32)
    meetings_buf = np.empty(room, dtype=np.float32)
    ties: dict[str, Any] = {
        "m_used": m0,
        "eu_buf": state.eu,
        "ev_buf": state.ev,
        "ew_buf": state.ew,
        "messages_buf": messages_buf,
        "meetings_buf": meetings_buf,
        "member_tie_buf": state.member_tie,
        "extra_keys": state.extra_keys,
        "extra_pos": state.extra_pos,
        "pending": [],
    }
    talks = np.zeros(cap, dtype=np.int32)
    hits = np.zeros(cap, dtype=np.int32)
    strong = np.zeros(cap, dtype=np.int32)
    wom_cnt = np.zeros(cap, dtype=np.int32)
    wom_feat = np.full(cap, -1, dtype=np.int16)
    talk_on = d.group_chat and prof.peer_talk > 0 and d.flow > 0
    ec = np.empty(cap, dtype=np.float32)
    code = np.empty(cap, dtype=np.int32)
    advocate = np.zeros(cap, dtype=np.float32)  # lapsed -1; fans and friends who stay: e
    kern.member_codes(
        n_used=N,
        stage=stage,
        e=e,
        product=state.product,
        dissatisfied=state.dissatisfied,
        ec=ec,
        code=code,
        advocate=advocate,
    )
    n_talk = kern.tie_week(
        gen,
        eu=state.eu,
        ev=state.ev,
        ew=state.ew,
        messages_in=state.messages,
        meetings_in=state.meetings,
        m0=m0,
        messages_out=messages_buf,
        meetings_out=meetings_buf,
        ec=ec,
        code=code,
        decay=0.5 ** (1.0 / rule.half_life_weeks),
        message_weight=rule.message_weight,
        meeting_weight=rule.meeting_weight,
        coef=prof.peer_talk * d.flow,
        talk_on=talk_on,
        strong_after=rule.strong_after_meetings,
        complain_on=d.feedback_open,
        talks=talks,
        hits=hits,
        strong=strong,
        wom_cnt=wom_cnt,
        wom_feat=wom_feat,
    )
    flows["messages"] = n_talk

    # ---------------------------------------------------------------- 3. offline events
    att = np.zeros(cap, dtype=bool)
    n_meet = attendees_total = n_events = 0
    attended = state.attended
    if d.event_frequency > 0 and owners.size:
        # each group meets offline on its own fixed schedule (phase spread by the golden ratio)
        phase = (np.arange(owners.size) * 0.6180339887498949) % 1.0
        per_group = (
            np.floor(d.event_frequency * week + phase + 1e-9)
            - np.floor(d.event_frequency * (week - 1) + phase + 1e-9)
        ).astype(np.int64)
        if per_group.any():
            attended = state.attended.copy()
            n_events, attendees_total, n_meet, ea, eb = kern.events(
                gen,
                n_used=N,
                cust=cust,
                group=group,
                per_group=per_group,
                min_group=m.event_min_group,
                seats=d.event_capacity,
                e=e,
                attended=attended,
                selectivity=m.event_selectivity,
                habit=m.event_habit,
                indptr=d.indptr,
                indices=d.indices,
                n=d.n,
                upper_start=d.upper_start,
                tie_start=d.tie_start,
                extra_keys=state.extra_keys,
                extra_pos=state.extra_pos,
                capacity=cap,
                meetings=meetings_buf,
                strong_after=rule.strong_after_meetings,
                strong=strong,
                event_ties=d.event_ties,
                att=att,
            )
            if ea.size:
                _add_ties(ties, ea, eb, 1.0)
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
    lead = act  # lead_i = act_i + Σ_j w_ij act_j (capped at 1 in the engagement pass)
    if state.lv_ties.size:
        lead = act.copy()
        kern.lead_pass(
            lv_ties=state.lv_ties, eu=state.eu, ev=state.ev, ew=state.ew, act=act, lead=lead
        )

    # ---------------------------------------------------------------- 5-7. one pass over members
    # engagement and rules; adoption and purchases; ladder and churn (see members_week)
    s = d.strictness
    resp = prof.engagement_response
    useful = min(k_items, m.attention)
    excess = k_items - useful
    tri_on = bool(n_talk and d.social_share > 0 and k_items > 0)
    rates = kern.MemberRates.make(
        g_content=1.0 - (1.0 - resp * d.quality) ** useful,
        loss_content=1.0 - (1.0 - m.overload * (1.0 - d.quality)) ** excess,
        g_broadcast=resp * d.broadcast_quality,
        keep_talk=1.0 - m.talk_gain,
        g_event=m.event_gain,
        noise=m.noise * (1.0 - s) if d.group_chat else 0.0,
        complaint_loss=m.complaint_loss,
        dependence=prof.leader_dependence,
        leader_gain=m.leader_gain,
        baseline=prof.baseline_engagement,
        relax=m.relax,
        p_triangle=m.triangle_rate * d.social_share * d.quality if tri_on else 0.0,
        two_w2=2.0 * m.fit_width**2,
        p_broadcast=-1.0 if m.broadcast_p is None else m.broadcast_p,
        broadcast_conversion=m.broadcast_conversion,
        content_conversion=m.content_conversion * d.quality,
        p_wom=-1.0 if m.wom_q is None else m.wom_q,
        wom_conversion=m.wom_conversion,
        product_quality=eco.product_quality,
        price=eco.price,
        head=m.head_products,
        strong_ladder=m.strong_ladder,
        ladder_down=m.ladder_down,
        baseline_churn=prof.baseline_churn,
        churn_engagement=m.churn_engagement,
        protect=m.strong_protect,
        dissat_mult=m.open_multiplier if d.feedback_open else m.closed_multiplier,
        chat_hazard=(m.disorder * (1.0 - s) + m.burden * s * s) if d.group_chat else 0.0,
        breach=m.breach * s if (d.group_chat and d.remove_breakers and s > 0) else 0.0,
    )
    e_new = e.copy()
    product = state.product.copy()
    channel = state.channel.copy()
    newc = np.zeros(cap, dtype=bool)
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
        e_new[idx] = F32(prof.baseline_engagement)
        group[idx] = -1
        product[idx] = f_o[:n_ads].astype(np.int16)
        channel[idx] = 1
        newc[idx] = True
    N_after_ads = N + n_ads
    units = np.zeros(cap, dtype=np.float32)
    dissat = np.zeros(cap, dtype=bool)
    purchases = state.purchases.copy()
    spend = state.spend.copy()
    left = np.zeros(cap, dtype=bool)
    tri_a = np.empty(N, dtype=np.int64)
    tri_b = np.empty_like(tri_a)
    out_i, out_f = kern.members_week(
        gen,
        rates,
        n_used=N,
        n_after=N_after_ads,
        cust=cust,
        stage=stage,
        group=group,
        e=e,
        e_out=e_new,
        read=read,
        b_open=b_open,
        talks=talks,
        att=att,
        hits=hits,
        lead=lead,
        strong=strong,
        wom_cnt=wom_cnt,
        wom_feat=wom_feat,
        indptr=d.indptr,
        indices=d.indices,
        n=d.n,
        taste=taste,
        products=d.products,
        pop_cdf=d.popularity_cdf,
        repeat=np.asarray((0.0, *m.repeat_rates)),
        ladder=np.asarray((0.0, *m.ladder_rates, 0.0, 0.0)),
        strong_protect=m.strong_protect,
        newc=newc,
        product=product,
        channel=channel,
        units=units,
        dissat=dissat,
        purchases=purchases,
        spend=spend,
        left=left,
        advocate=advocate,
        tri_a=tri_a,
        tri_b=tri_b,
    )
    e = e_new
    if out_i[14]:
        _add_ties(ties, tri_a[: out_i[14]], tri_b[: out_i[14]], 0.0)
    flows["active_talkers"] = int(out_i[15])
    new_b, new_c, new_w = int(out_i[0]) + n_ads, int(out_i[1]), int(out_i[2])
    flows["new_customers"] = new_b + new_c + new_w
    flows["new_broadcast"] = new_b
    flows["new_content"] = new_c
    flows["new_wom"] = new_w
    total_units = float(out_f[0])
    price = eco.price
    flows["units"] = total_units
    flows["niche_units"] = float(out_f[1])
    flows["first_units"] = float(new_b + new_c + new_w)
    flows["first_niche_units"] = float(out_i[3])
    flows["community_units"] = float(out_f[2])
    for st_ in (CUSTOMER, USER, FAN, FRIEND):
        flows[f"revenue_{Stage(st_).name.lower()}"] = float(out_f[3 + st_])
    n_dis = int(out_i[4])
    flows["dissatisfied"] = n_dis
    flows["feedback"] = float(n_dis) if d.feedback_open else HOTLINE_SHARE * n_dis
    flows["moved_up"] = int(out_i[6])
    flows["moved_down"] = int(out_i[7])
    flows["churned"] = int(out_i[8])
    flows["removed"] = int(out_i[9])
    flows["left"] = int(out_i[8] + out_i[9])
    flows["at_risk_strong"] = int(out_i[10])
    flows["left_strong"] = int(out_i[11])
    flows["at_risk_weak"] = int(out_i[12])
    flows["left_weak"] = int(out_i[13])

    pull = np.zeros(cap, dtype=np.float32)
    if lapsed0[:N].any() and m.return_rate > 0:
        kern.return_pull(
            eu=state.eu,
            ev=state.ev,
            ew=state.ew,
            m0=m0,
            advocate=advocate,
            pull=pull,
        )

    # ---------------------------------------------------------------- 8. invitations, fission
    N = N_after_ads
    invite_on = d.group_chat and prof.invite_propensity > 0 and cap > N
    owner_only = d.invite_policy is not InvitePolicy.OPEN
    owner_ok = np.zeros(cap, dtype=bool)
    if invite_on and owner_only:
        g_ids = np.flatnonzero(owners >= 0)
        own = owners[g_ids]
        owner_ok[own[group[own] == g_ids]] = True  # the owner is still in the group it owns
    sizes = np.zeros(owners.size, dtype=np.int64)
    active = np.zeros(cap, dtype=bool)
    inviters = np.empty(N if invite_on else 0, dtype=np.int64)
    n_ret, n_inv, n_active, fan_e = kern.final_pass(
        gen,
        n_after=N,
        stage=stage,
        group=group,
        e=e,
        lapsed=lapsed0,
        pull=pull,
        return_rate=m.return_rate,
        baseline=prof.baseline_engagement,
        invite_on=invite_on,
        owner_only=owner_only,
        owner_ok=owner_ok,
        invite_propensity=prof.invite_propensity,
        sizes=sizes,
        read=read,
        b_open=b_open,
        talks=talks,
        att=att,
        units=units,
        active=active,
        inviters=inviters,
    )
    flows["returned"] = n_ret

    n_new = 0
    new_owners = owners
    if n_inv:
        inviters = gen.permutation(inviters[:n_inv])[: cap - N]
        n_new = int(inviters.size)
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
        o = np.argsort(group[inviters], kind="stable")
        gi = group[inviters][o]
        first = np.searchsorted(gi, gi, side="left")
        rank = np.arange(n_new) - first
        room_g = gcap - sizes[gi]
        joins = rank < room_g
        newcomer = new[o]
        group[newcomer[joins]] = gi[joins]
        ov = ~joins
        if ov.any():
            block = (rank[ov] - room_g[ov]) // gcap
            key = gi[ov].astype(np.int64) * (n_new + 1) + block
            _, firsts, inv_idx = np.unique(key, return_index=True, return_inverse=True)
            gid = owners.size + inv_idx
            group[newcomer[ov]] = gid
            new_owners = np.concatenate([owners, newcomer[ov][firsts]])
        # ties to the inviter and some of the inviter's friends (present ones)
        fa = [inviters]
        fb = [new]
        for _ in range(m.newcomer_friends):
            fr = _random_neighbour(d, inviters, gen)
            ok = fr >= 0
            ok[ok] &= (stage[fr[ok]] >= 0) & (stage[fr[ok]] < LAPSED)
            fa.append(np.where(ok, fr, -1))
            fb.append(new)
        _add_ties(ties, np.concatenate(fa), np.concatenate(fb), 0.0)
    flows["newcomers"] = n_new
    flows["ad_customers"] = n_ads
    flows["joined"] = n_new + n_ads + n_ret
    flows["active"] = n_active

    lo_new, hi_new = _commit_ties(ties, d)
    flows["ties_formed"] = int(lo_new.size)
    ends = np.concatenate([lo_new, hi_new])
    flows["partner_ties"] = int(d.partner[ends[ends < d.n]].sum())

    # ---------------------------------------------------------------- 9. money and value
    # Σ of independent Poisson(idea_rate · e_i) over present fans and friends
    flows["ideas"] = int(gen.poisson(m.idea_rate * fan_e)) if fan_e > 0 else 0
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
