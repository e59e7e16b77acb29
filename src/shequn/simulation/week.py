"""One simulated week: the mechanisms in the order they act, and the compiled passes (engine.md).

:data:`MECHANISMS` is the engine's registry: the mechanism modules of
:mod:`shequn.simulation.mechanisms`, in the order the week unfolds. Their flows make the
flow registry (:data:`FLOWS`, indexed by :data:`F`), their parameters the parameter vector
(:func:`shequn.simulation.parameters`) and the :class:`~shequn.simulation.Mechanisms` bundle.

:func:`step` runs the week as a sequence of calls, one per mechanism. The loops over all
members and all ties are compiled (numba) and fused where one pass serves several
mechanisms: a *tie pass* (tie strength, talk, complaints, word of mouth), a *member pass*
(engagement, adoption and purchases, ladder and churn) and a *final pass* (returns,
invitations, activity). Each pass is a loop whose body calls the mechanisms' small compiled
functions in order, and writes the week's totals into one array indexed by the registry
(``out[F.messages]``): no hand-numbered positions.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import compile_dynamics, init_state, step
>>> d = compile_dynamics(generate_community("brand", 200, rng=0), OperatingModel())
>>> s1 = step(init_state(d, rng=0), d, 1, rng=1)
>>> s1.week, s1.flows["revenue"] - s1.flows["costs"] == s1.flows["profit"]
(1, True)
"""

from __future__ import annotations

import enum
import math
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import FloatArray
from shequn._validation import check_int, fail
from shequn.rng import RNGLike, resolve_rng
from shequn.simulation._network import FAR, TieBook, interest_of
from shequn.simulation._numba import kernel, refresh_stale_caches
from shequn.simulation.mechanisms import (
    broadcast,
    content,
    crowdsourcing,
    engagement,
    events,
    feedback,
    invitations,
    ladder,
    leaders,
    money,
    purchases,
    referral,
    rules,
    tie_strength,
    word_of_mouth,
)
from shequn.simulation.mechanisms._spec import Flow

if TYPE_CHECKING:
    from shequn.simulation.dynamics import Dynamics
    from shequn.simulation.state import State

__all__ = ["ENGINE_FLOWS", "FLOWS", "MECHANISMS", "F", "step"]

MECHANISMS: tuple[Any, ...] = (
    content,
    tie_strength,
    word_of_mouth,
    feedback,
    events,
    broadcast,
    leaders,
    rules,
    engagement,
    purchases,
    ladder,
    invitations,
    referral,
    crowdsourcing,
    money,
)
"""The mechanisms, in the order the week unfolds (the engine's one registry): the channels
that reach members (content, talk, events, broadcast), then what members do. Broadcast messages
go out with the content, at the start of the week; costs are summed in this order."""

ENGINE_FLOWS = (
    Flow(
        name="joined",
        unit="members",
        meaning="members who joined (newcomers, ad customers, returns)",
        mechanism="membership",
    ),
    Flow(
        name="left",
        unit="members",
        meaning="members who left (churned or removed)",
        mechanism="membership",
    ),
    Flow(
        name="active",
        unit="members",
        meaning="present members who read, opened, talked, attended or bought this week",
        mechanism="membership",
    ),
)
"""Flows of the membership as a whole (no single mechanism's)."""

FLOWS: tuple[Flow, ...] = (
    tuple(attrs.evolve(f, mechanism=m.NAME) for m in MECHANISMS for f in m.FLOWS) + ENGINE_FLOWS
)
"""Every flow a week produces, in registry order (see :mod:`shequn.simulation.flows`)."""


def _flow_index(flows: tuple[Flow, ...]) -> Any:
    return enum.IntEnum("F", [f.name for f in flows], start=0)


F: Any = _flow_index(FLOWS)
"""Index of each flow in the week's totals array: ``out[F.messages]`` (numba folds it)."""

COSTS = tuple(int(F[f.name]) for f in FLOWS if f.cost and f.name != "cogs")
"""The cost flows added to the cost of goods, in registry order."""

_NEW_BY = (int(F.new_broadcast), int(F.new_content), int(F.new_wom))
_REVENUE_BY = (
    int(F.revenue_customer),
    int(F.revenue_customer),
    int(F.revenue_user),
    int(F.revenue_fan),
    int(F.revenue_friend),
)
PROSPECT, CUSTOMER, LAPSED = 0, 1, 5
F32 = np.float32


class Exposure(NamedTuple):
    """What reached each member slot this week (written by the earlier mechanisms)."""

    read: Any
    opened: Any
    talks: Any
    attended: Any
    complaints: Any
    lead: Any
    strong: Any
    wom_count: Any
    wom_product: Any


class Slots(NamedTuple):
    """Member slot arrays the member pass reads and writes."""

    stage: Any
    group: Any
    e: Any
    e_out: Any
    product: Any
    channel: Any
    purchases: Any
    spend: Any
    dissatisfied: Any
    units: Any
    left: Any
    advocate: Any
    newcomer: Any
    taste: Any


class TieArrays(NamedTuple):
    """Tie arrays of the tie pass (inputs from last week, outputs of this week)."""

    eu: Any
    ev: Any
    ew: Any
    messages_in: Any
    meetings_in: Any
    messages: Any
    meetings: Any


# ----------------------------------------------------------------------------- compiled passes
@kernel  # type: ignore[misc, unused-ignore]
def _tie_pass(
    n_used: int, stage: Any, e: Any, product: Any, dissat: Any, ec: Any, code: Any, adv: Any,
    T: Any, m0: int, H: Any, tr: Any, wr: Any, fr: Any, r: Any, gen: Any,
) -> Any:  # fmt: skip
    # first the members: ``ec`` the engagement of present members, -1 for everyone else;
    # ``code = stage + 8 (product + 1) + 2^20 dissatisfied`` for present members, 7 (no
    # stage) for everyone else, so that one look-up per tie end serves the ties below;
    # ``adv``: -1 lapsed, else 0 (the member pass fills in the advocates)
    for i in range(n_used):
        st = stage[i]
        present = (st >= 0) & (st < 5)
        ec[i] = e[i] if present else -1.0
        code[i] = int(st) + 8 * (int(product[i]) + 1) + (1 << 20) * dissat[i] if present else 7
        adv[i] = -1.0 if st == 5 else 0.0
    # then streaming over the ties: messages decay, meetings carry over, strong ties are
    # counted, and each tie between present members may carry a conversation (the ties that
    # did are listed in ``tl``)
    tl = np.empty(m0 if wr.talk_on else 0, np.int64)
    n_talk = 0
    for j in range(m0):
        mt = T.meetings_in[j]
        T.meetings[j] = mt
        mj = T.messages_in[j] * tr.decay
        u = T.eu[j]
        v = T.ev[j]
        xu = ec[u]  # engagement of a member present at the start of the week, -1 otherwise
        xv = ec[v]
        if tie_strength.is_strong(tr, mt) and xu >= 0.0 and xv >= 0.0:
            H.strong[u] += 1
            H.strong[v] += 1
        if wr.talk_on:
            load = tie_strength.load(tr, mj, mt)
            talk = word_of_mouth.talks(wr, xu, xv, T.ew[j], load, r[j])
            mj += talk
            tl[n_talk] = j
            n_talk += talk
        T.messages[j] = mj
    # over the conversations: both ends talked; complaints; word of mouth from an adopted
    # end to a prospect end, of the product the adopter owns
    for q in range(n_talk):
        j = tl[q]
        u = T.eu[j]
        v = T.ev[j]
        H.talks[u] += 1
        H.talks[v] += 1
        cu = code[u]
        cv = code[v]
        feedback.hear(fr, H.complaints, u, v, cu >> 20, cv >> 20)
        su = cu & 7
        sv = cv & 7
        if (su == 0) != (sv == 0):
            lis, cs = (u, cv) if su == 0 else (v, cu)
            f = ((cs >> 3) & 0x1FFFF) - 1
            if f >= 0:
                word_of_mouth.hear(H.wom_count, H.wom_product, lis, f, gen)
    return n_talk, tl


@kernel  # type: ignore[misc, unused-ignore]
def _member_pass(
    n_used: int, n_after: int, n: int, cust: Any, S: Any, H: Any, U: Any,
    cw: Any, br: Any, wr: Any, er_: Any, lr: Any, rr: Any, fr: Any, gr: Any, pr: Any, lar: Any,
    tri_a: Any, out: Any, gen: Any,
) -> int:  # fmt: skip
    # one pass over the members present at the start of the week, in slot order; five
    # uniforms each (U rows): adoption or repeat buying, satisfaction, churn, ladder, triangle
    n_tri = 0
    q = 0
    for i in range(n_used):
        if not cust[i]:
            continue
        u1 = U[0, q]
        u2 = U[1, q]
        u3 = U[2, q]
        u4 = U[3, q]
        u5 = U[4, q]
        q += 1
        st0 = S.stage[i]
        ei = float(S.e[i])
        ti = H.talks[i]
        rd = H.read[i]
        bo = H.opened[i]
        # ---- engagement (from last week's), and friends of friends met through talk
        out[F.active_talkers] += ti > 0
        tri_a[n_tri] = i
        n_tri += (ti > 0) & rd & (i < n) & content.meets_friend_of_friend(cw, u5, ei)
        g_content, overload = content.read_effect(cw, rd)
        gain = engagement.gains(
            g_content,
            broadcast.read_gain(br, bo),
            word_of_mouth.keep(wr, ti),
            events.gain(er_, H.attended[i]),
        )
        li = leaders.capped(H.lead[i])
        gain = leaders.amplify(lr, gain, li)
        target = leaders.target(lr, gr.baseline, li)
        loss = engagement.losses(overload, rr.noise, feedback.engagement_loss(fr, H.complaints[i]))
        en = engagement.update(gr, ei, gain, loss, target)
        S.e_out[i] = en
        # ---- adoption of a prospect reached this week, or repeat buying (uniform u1)
        is_new = False
        if st0 == PROSPECT and u1 < purchases.max_adoption(br, cw, wr, bo, rd, H.wom_count[i]):
            ch, f = purchases.adopt(
                pr, br, cw, wr, S.taste, i, u1, bo, rd, H.wom_count[i], H.wom_product[i], gen
            )
            if ch >= 0:
                is_new = True
                S.newcomer[i] = True
                S.product[i] = f
                S.channel[i] = ch + 1
                out[_NEW_BY[ch]] += 1
                out[F.first_niche_units] += f >= pr.head
        st1 = CUSTOMER if is_new else st0
        u = 1 if is_new else purchases.repeat_units(pr, st0, u1)
        # ---- satisfaction (uniform u2) and money
        d = False
        if u > 0:  # (buyers: a minority, and their branch is cheap to mispredict)
            d = purchases.disappoints(pr, u, u2)
            S.purchases[i] += u
            S.spend[i] += u * pr.price
            out[F.dissatisfied] += d
            out[F.buyers] += 1
            out[F.units] += u
            out[F.niche_units] += u * (S.product[i] >= pr.head)
            out[F.community_units] += u * ((ti > 0) | rd)
            out[_REVENUE_BY[st1 if st1 > 1 else 1]] += u * pr.price
        S.dissatisfied[i] = d
        S.units[i] = u
        # ---- ladder moves (uniform u4), churn or removal (uniform u3)
        s = H.strong[i]
        up, dn = ladder.move(lar, st1, en, d, s, is_new, u4)
        st2 = st1 + up - dn
        hz = ladder.churn_hazard(lar, fr, rr, en, s, d)
        churned = u3 < hz
        removed = (not churned) & (u3 < rules.removal_threshold(rr, hz, en))
        gone = churned | removed
        out[F.moved_up] += up
        out[F.moved_down] += dn
        out[F.churned] += churned
        out[F.removed] += removed
        has = s > 0
        out[F.at_risk_strong] += has
        out[F.left_strong] += has & gone
        out[F.at_risk_weak] += not has
        out[F.left_weak] += (not has) & gone
        S.stage[i] = LAPSED if gone else st2
        S.group[i] = -1 if gone else S.group[i]
        S.left[i] = gone
        S.advocate[i] = en if ((not gone) & (st2 >= 3)) else 0.0
    return n_tri


@kernel  # type: ignore[misc, unused-ignore]
def _final_pass(
    n_after: int, stage: Any, group: Any, e: Any, lapsed: Any, pull: Any, H: Any, units: Any,
    lar: Any, ir: Any, invite_on: bool, owner_ok: Any, u_inv: Any, sizes: Any, active: Any,
    inviters: Any, out: Any, gen: Any,
) -> Any:  # fmt: skip
    # returns of lapsed members, group sizes, invitations, activity, engagement of fans
    n_inv = 0
    sum_e = 0.0
    for i in range(n_after):
        st = stage[i]
        if (lapsed[i] & (pull[i] > 0.0)) and ladder.returns(lar, pull[i], gen):
            st = CUSTOMER
            stage[i] = CUSTOMER
            e[i] = ir.baseline
            out[F.returned] += 1
        present = (st >= 0) & (st < 5)
        g = group[i]
        in_group = present & (g >= 0)
        if in_group:
            sizes[g] += 1
        if invite_on:
            inviters[n_inv] = i
            n_inv += invitations.invites(ir, in_group, owner_ok[i], e[i], u_inv[i])
        sum_e += e[i] if present & (st >= 3) else 0.0
        a = present & (H.read[i] | H.opened[i] | (H.talks[i] > 0) | H.attended[i] | (units[i] > 0))
        active[i] = a
        out[F.active] += a
    return n_inv, sum_e


# ----------------------------------------------------------------------------- the week
def step(state: State, dynamics: Dynamics, week: int, rng: RNGLike = None) -> State:
    """Simulate ``week`` (1-based) from ``state``; returns the new state with its ``flows``.

    The input state is not modified (member arrays are copied; slot attributes beyond
    ``state.n_used`` are scratch space that newcomers fill).

    Parameters
    ----------
    state
        The state after ``week − 1`` weeks (from :func:`~shequn.simulation.init_state` or
        :func:`step` on the same ``dynamics``; a state built or changed by hand is checked
        first).
    dynamics
        Compiled parameters (:func:`~shequn.simulation.compile_dynamics`).
    week
        The week to simulate, ``state.week + 1``.
    rng
        Random generator or seed material.

    Raises
    ------
    InvalidParameterError
        A week other than ``state.week + 1``, or a state that does not belong to
        ``dynamics`` (another community or capacity, indices out of range).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile_dynamics, init_state
    >>> d = compile_dynamics(generate_community("values", 100, rng=0), OperatingModel())
    >>> s = init_state(d, rng=0)
    >>> step(s, d, 2, rng=0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `step.week` must be state.week + 1 = 1; got 2
    """
    from shequn.simulation.state import check_state

    check_state(state, dynamics, owner="step")
    week = check_int(week, owner="step", field="week", low=1)
    if week != state.week + 1:
        raise fail("step", "week", f"be state.week + 1 = {state.week + 1}", week)
    gen = resolve_rng(rng, owner="step")
    from shequn.simulation import _warm

    _warm.prepare()  # the first compile, on two cores when it helps
    return _advance(state, dynamics, week, gen, None)


def _advance(state: State, d: Dynamics, week: int, gen: np.random.Generator, rec: Any) -> State:
    """The week, as a sequence of mechanism calls (``rec``: an optional records collector)."""
    R = d.rates
    cap, N = d.capacity, state.n_used
    net = d.network
    out = np.zeros(len(FLOWS), dtype=np.float64)
    stage = state.stage.copy()
    e = state.engagement
    group = state.group.copy()
    owners = state.owners
    cust = (stage >= 0) & (stage < LAPSED)  # present at the start of the week
    lapsed0 = stage == LAPSED
    order = state.order[:N]
    H = Exposure(
        read=np.zeros(cap, dtype=bool),
        opened=np.zeros(cap, dtype=bool),
        talks=np.zeros(cap, dtype=np.int32),
        attended=np.zeros(cap, dtype=bool),
        complaints=np.zeros(cap, dtype=np.int32),
        lead=np.empty(0, dtype=np.float32),  # filled in by the leaders, below
        strong=np.zeros(cap, dtype=np.int32),
        wom_count=np.zeros(cap, dtype=np.int32),
        wom_product=np.full(cap, -1, dtype=np.int16),
    )

    # ---------------------------------------------------------------- 法 content
    cr = R["content"]
    items = content.items_in_week(cr, week - 1)
    hops = np.zeros(cr.hops + 1, dtype=np.int64)
    if items > 0 and cr.visibility > 0:
        n_f = round(cr.visibility * int(np.count_nonzero(cust[:N])))
        bp = d.mechanisms.broadcast
        po = None if bp.open_rate is None else broadcast.open_probability(bp, n_f)
        hops = content.spread(
            gen,
            cr,
            order=order,
            rank=d.rank,
            n=d.n,
            n_used=N,
            cust=cust,
            interest=state.interest,
            e=e,
            n_followers=n_f,
            open_prob=po,
            indptr=net.indptr,
            indices=net.indices,
            read=H.read,
        )
    out[F.content_items] = items
    out[F.content_direct] = hops[0]
    for h, name in ((1, F.content_hop1), (2, F.content_hop2), (3, F.content_hop3)):
        out[name] = hops[h] if h < hops.size else 0
    out[F.content_reach] = float(hops.sum())
    out[F.cost_content] = items * cr.cost_per_item

    # ---------------------------------------------------------------- 器 broadcast
    brr, pr = R["broadcast"], R["purchases"]
    sent = broadcast.send(
        gen,
        brr,
        d.mechanisms.broadcast,
        order=order,
        stage=stage,
        cust=cust,
        interest=state.interest,
        dim=state.taste.shape[1],
        b_open=H.opened,
        pick_products=lambda k: purchases.pick_products(pr, k, gen),
        fit=lambda t, f: purchases.fit(pr, t, f),
    )
    out[F.broadcast_sent] = sent.sent
    out[F.broadcast_opened] = sent.opened
    out[F.open_rate] = sent.opened / sent.sent if sent.sent else math.nan
    out[F.precise_share] = sent.precise
    out[F.cost_broadcast] = broadcast.cost(brr, sent.sent)

    # ---------------------------------------------------------------- tie strength, talk,
    # complaints, word of mouth: one pass over the ties
    tr, wr, fr = R["tie_strength"], R["word_of_mouth"], R["feedback"]
    ties = TieBook(state)
    m0 = state.m_used
    ec = np.empty(cap, dtype=np.float32)
    code = np.empty(cap, dtype=np.int32)
    advocate = np.zeros(cap, dtype=np.float32)  # lapsed -1; fans and friends who stay: e
    r_talk = gen.random(m0 if wr.talk_on else 0, dtype=np.float32)
    T = TieArrays(
        state.eu, state.ev, state.ew, state.messages, state.meetings, ties.messages, ties.meetings
    )
    n_talk, talked = _tie_pass(
        N, stage, e, state.product, state.dissatisfied, ec, code, advocate,
        T, m0, H, tr, wr, fr, r_talk, gen,
    )  # fmt: skip
    n_talk = int(n_talk)
    del ec, code, r_talk  # (the week's large scratch arrays go as soon as they are used)
    out[F.messages] = n_talk
    if rec is not None:
        rec.messages(week, state.eu, state.ev, talked[:n_talk])

    # ---------------------------------------------------------------- 器 offline events
    evr = R["events"]
    attended = state.attended
    if evr.frequency > 0 and owners.size:
        per_group = events.schedule(evr, owners.size, week)
        if per_group.any():
            attended = state.attended.copy()
            held = events.hold(
                gen,
                evr,
                per_group=per_group,
                n_used=N,
                cust=cust,
                group=group,
                e=e,
                attended=attended,
                net=net,
                n=d.n,
                capacity=cap,
                extra_keys=state.extra_keys,
                extra_pos=state.extra_pos,
                meetings=ties.meetings,
                strong_after=tr.strong_after,
                strong=H.strong,
                att=H.attended,
            )
            if held.new_a.size:
                ties.add(held.new_a, held.new_b, 1.0)
            out[F.events] = held.events
            out[F.attendees] = held.attendees
            out[F.meetings] = held.meetings
            if rec is not None:
                rec.events(week, held.who, held.block, group)
    out[F.cost_events] = events.cost(evr, int(out[F.events]))

    # ---------------------------------------------------------------- 术 leaders, volunteers
    H = H._replace(
        lead=leaders.reach(
            R["leaders"],
            week,
            capacity=cap,
            leaders=d.leaders,
            volunteers=state.volunteers,
            cust=cust,
            lv_ties=state.lv_ties,
            eu=state.eu,
            ev=state.ev,
            ew=state.ew,
        )
    )

    # ---------------------------------------------------------------- customers won from the
    # mass market take free slots (no ties, no chat group)
    e_new = e.copy()
    product = state.product.copy()
    channel = state.channel.copy()
    newc = np.zeros(cap, dtype=bool)
    n_ads = 0
    if sent.outsider_taste is not None and sent.outsider_taste.shape[0] and cap > N:
        assert sent.outsider_product is not None
        n_ads = min(sent.outsider_taste.shape[0], cap - N)
        idx = np.arange(N, N + n_ads, dtype=np.int64)
        state.taste[idx] = sent.outsider_taste[:n_ads]
        state.interest[idx] = interest_of(state.taste[idx])
        state.order[idx] = idx
        state.distance[idx] = FAR
        stage[idx] = CUSTOMER
        e_new[idx] = F32(R["engagement"].baseline)
        group[idx] = -1
        product[idx] = sent.outsider_product[:n_ads].astype(np.int16)
        channel[idx] = 1
        newc[idx] = True
    N_after = N + n_ads
    # ---------------------------------------------------------------- referral rewards (老带新):
    # members bring friends in as customers
    N_after, owners = referral.bring_friends(
        gen, R["referral"], R["invitations"], first=N_after, room=cap - N_after, slots=state,
        stage=stage, e=e, e_new=e_new, group=group, owners=owners, product=product,
        channel=channel, group_cap=d.groups.cap, net=net, ties=ties, out=out, F=F,
    )  # fmt: skip

    # ---------------------------------------------------------------- engagement, rules,
    # adoption and purchases, ladder and churn: one pass over the members
    cw = content.week_effects(cr, items, talked=bool(n_talk))
    S = Slots(
        stage=stage,
        group=group,
        e=e,
        e_out=e_new,
        product=product,
        channel=channel,
        purchases=state.purchases.copy(),
        spend=state.spend.copy(),
        dissatisfied=np.zeros(cap, dtype=bool),
        units=np.zeros(cap, dtype=np.float32),
        left=np.zeros(cap, dtype=bool),
        advocate=advocate,
        newcomer=newc,
        taste=state.taste,
    )
    n_present = int(np.count_nonzero(cust[:N]))
    U = gen.random((5, n_present), dtype=np.float32)
    readers = np.empty(N, dtype=np.int32)  # slot numbers fit in 32 bits
    lar, rr = R["ladder"], R["rules"]
    n_readers = _member_pass(
        N, N_after, d.n, cust, S, H, U, cw, brr, wr, evr, R["leaders"], rr, fr,
        R["engagement"], pr, lar, readers, out, gen,
    )  # fmt: skip
    e = e_new
    del U
    # friends of friends met through friendship content (法), then the arrivals' purchases
    fa, fb = content.friends_of_friends(gen, readers[:n_readers], net.indptr, net.indices, cust)
    del readers
    ties.add(fa, fb, 0.0)
    sold = purchases.arrivals_buy(gen, pr, first=N, last=N_after, S=S)
    out[F.first_niche_units] += sold.niche
    out[F.niche_units] += sold.niche
    out[F.dissatisfied] += sold.dissatisfied
    out[F.buyers] += sold.units
    out[F.units] += sold.units
    out[F.revenue_customer] = sold.revenue(out[F.revenue_customer])
    out[F.new_broadcast] += n_ads
    won = out[F.new_broadcast] + out[F.new_content] + out[F.new_wom]
    out[F.new_customers] = won
    out[F.first_units] = won
    out[F.feedback] = feedback.complaints_received(fr, int(out[F.dissatisfied]))
    out[F.left] = out[F.churned] + out[F.removed]

    # ---------------------------------------------------------------- returns of the lapsed,
    # invitations, activity
    pull = np.zeros(cap, dtype=np.float32)
    if lapsed0[:N].any() and lar.return_rate > 0:
        ladder.advocate_pull(state.eu, state.ev, state.ew, m0, advocate, pull)
    ir = R["invitations"]
    invite_on = ir.on and cap > N_after
    owner_ok = (
        invitations.owners_present(cap, owners, group)
        if invite_on and ir.owner_only
        else np.zeros(cap, dtype=bool)
    )
    sizes = np.zeros(owners.size, dtype=np.int64)
    active = np.zeros(cap, dtype=bool)
    inviters = np.empty(N_after if invite_on else 0, dtype=np.int64)
    u_inv = gen.random(N_after if invite_on else 0, dtype=np.float32)
    n_inv, fan_e = _final_pass(
        N_after, stage, group, e, lapsed0, pull, H, S.units, lar, ir, invite_on, owner_ok,
        u_inv, sizes, active, inviters, out, gen,
    )  # fmt: skip
    chosen = gen.permutation(inviters[:n_inv])[: cap - N_after] if n_inv else inviters[:0]
    del pull, u_inv, owner_ok, inviters, H  # (what reached the members is no longer needed)
    n_new = int(chosen.size)
    new_owners = owners
    if n_new:
        new_owners = invitations.bring_in(
            gen,
            ir,
            chosen,
            first=N_after,
            slots=state,
            stage=stage,
            e=e,
            group=group,
            owners=owners,
            sizes=sizes,
            group_cap=d.groups.cap,
            net=net,
            ties=ties,
        )
    out[F.newcomers] += n_new  # (+=: a mechanism may have brought some in earlier this week)
    out[F.ad_customers] = n_ads
    out[F.joined] += n_new + n_ads + out[F.returned]

    # ---------------------------------------------------------------- new ties
    lo_new, hi_new = ties.commit(net)
    out[F.ties_formed] = int(lo_new.size)
    ends = np.concatenate([lo_new, hi_new])
    out[F.partner_ties] = int(d.partner[ends[ends < d.n]].sum())

    # ---------------------------------------------------------------- ideas; money
    out[F.ideas] = crowdsourcing.ideas(R["crowdsourcing"], float(fan_e), gen)
    mr = R["money"]
    units = out[F.units]
    out[F.cost_staff] = mr.staff
    out[F.cogs] = units * mr.price * (1.0 - mr.margin)
    out[F.revenue] = units * mr.price
    costs = out[F.cogs]
    for k in COSTS:
        costs = costs + out[k]
    out[F.costs] = costs
    out[F.profit] = out[F.revenue] - costs
    out[F.gross_margin] = out[F.revenue] - out[F.cogs]

    new = attrs.evolve(
        state,
        week=week,
        n_used=N_after + n_new,
        stage=stage,
        engagement=e,
        group=group,
        owners=new_owners,
        purchases=S.purchases,
        spend=S.spend,
        product=product,
        channel=channel,
        dissatisfied=S.dissatisfied,
        attended=attended,
        active=active,
        m_used=ties.m_used,
        eu=ties.eu,
        ev=ties.ev,
        ew=ties.ew,
        messages=ties.messages,
        meetings=ties.meetings,
        member_tie=ties.member_tie,
        extra_pos=ties.extra_pos,
        extra_keys=ties.extra_keys,
        totals=out,
    )
    new._trust(d)
    if rec is not None:
        rec.week(week, state, new, S.units, out[F.broadcast_sent], out[F.broadcast_opened])
    return new


def _modules() -> list[Any]:
    from shequn.simulation import _numba

    return [_numba, sys.modules[__name__], *MECHANISMS]


refresh_stale_caches(_modules())  # kernels inline the mechanisms' functions: key on all


def flow_values(out: FloatArray) -> dict[str, float]:
    """The week's totals by flow name."""
    return {f.name: float(out[i]) for i, f in enumerate(FLOWS)}
