"""The engine's state: member arrays over preallocated slots and tie arrays that can grow.

Members live in ``capacity`` slots (``Dynamics.capacity``); the first ``n_used`` are taken.
Invitations fill the next free slots, so member arrays never reallocate. Ties are kept once per
undirected edge; the week-0 ties come first (in the community's CSR order, see
:func:`~shequn.simulation.dynamics.half_edge_values`), ties formed later (friends of friends,
event acquaintances, newcomers) are appended. This is the "side structure" for growth: appending
is amortised by numpy concatenation of the new ties only.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import compile, init_state
>>> d = compile(generate_community("brand", 100, rng=0), OperatingModel())
>>> s = init_state(d, rng=1)
>>> s.n_used, int((s.stage >= 0).sum())  # the brand account is an operator, not a customer
(100, 99)
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn.diffusion.seeding import select_seeds
from shequn.loyalty.stages import Stage
from shequn.rng import RNGLike, resolve_rng
from shequn.simulation import _kernels as kern
from shequn.simulation.dynamics import Dynamics

__all__ = ["State", "init_state", "observe"]

FAR = 4
"""Distance code for members beyond the 3rd degree of the seeds (or unreachable)."""


@attrs.frozen(kw_only=True, eq=False)
class State:
    """Member and tie arrays after ``week`` weeks.

    Attributes
    ----------
    week
        Weeks simulated so far.
    n_used
        Member slots taken (initial members, then newcomers in order of arrival).
    stage
        int8 :class:`~shequn.loyalty.stages.Stage` per slot; ``-1`` for free slots and for
        operators (brand account, leaders).
    engagement
        float32 engagement in [0, 1].
    group, owners
        Chat group per slot (``-1``: none) and the owner of each group.
    purchases, spend
        Units bought and money spent per member so far.
    product
        The product a member bought first (``-1``: none yet).
    channel
        How a member was won: ``-1`` not yet, 0 already a customer at week 0 or seeded,
        1 broadcast, 2 content, 3 word of mouth.
    dissatisfied
        Bought this week and was not satisfied.
    attended
        Offline events attended so far (a member's offline meetings).
    active
        Did something this week: talked, read content, opened a message, attended or bought.
    taste, interest, order, operator, distance
        Per-slot attributes fixed when a slot is filled (taste vector, interest in the brand,
        the follower ranking, operator flag, distance 0..3 from the launch seeds, 4 beyond).
    m_used
        Ties in use: the tie arrays are buffers with spare room; only ``[:m_used]`` is valid.
    eu, ev, ew, messages, meetings, member_tie
        Ties (``eu < ev``), weights, decayed online message counts, offline meeting counts,
        and whether both ends are ordinary members (operators do not chat); slice
        ``[:m_used]``.
    extra_keys, extra_pos
        Sorted keys ``min · capacity + max`` of ties formed after week 0 and their tie indices.
    seeds, volunteers, lv_ties
        Launch seeds, volunteers, and indices of week-0 ties touching a leader or volunteer.
    flows
        What happened in the last simulated week (see :func:`~shequn.simulation.step`).
    """

    week: int
    n_used: int
    stage: NDArray[np.int8] = attrs.field(repr=False)
    engagement: NDArray[np.float32] = attrs.field(repr=False)
    group: NDArray[np.int32] = attrs.field(repr=False)
    owners: NDArray[np.int64] = attrs.field(repr=False)
    purchases: NDArray[np.float32] = attrs.field(repr=False)
    spend: NDArray[np.float64] = attrs.field(repr=False)
    product: NDArray[np.int16] = attrs.field(repr=False)
    channel: NDArray[np.int8] = attrs.field(repr=False)
    dissatisfied: NDArray[np.bool_] = attrs.field(repr=False)
    attended: NDArray[np.float32] = attrs.field(repr=False)
    active: NDArray[np.bool_] = attrs.field(repr=False)
    taste: NDArray[np.float64] = attrs.field(repr=False)
    interest: NDArray[np.float64] = attrs.field(repr=False)
    order: NDArray[np.int64] = attrs.field(repr=False)
    operator: NDArray[np.bool_] = attrs.field(repr=False)
    distance: NDArray[np.int8] = attrs.field(repr=False)
    m_used: int
    eu: NDArray[np.int32] = attrs.field(repr=False)
    ev: NDArray[np.int32] = attrs.field(repr=False)
    ew: NDArray[np.float32] = attrs.field(repr=False)
    messages: NDArray[np.float32] = attrs.field(repr=False)
    meetings: NDArray[np.float32] = attrs.field(repr=False)
    member_tie: NDArray[np.bool_] = attrs.field(repr=False)
    extra_keys: NDArray[np.int64] = attrs.field(repr=False)
    extra_pos: NDArray[np.int64] = attrs.field(repr=False)
    seeds: NDArray[np.int64] = attrs.field(repr=False)
    volunteers: NDArray[np.int64] = attrs.field(repr=False)
    lv_ties: NDArray[np.int64] = attrs.field(repr=False)
    flows: dict[str, float] = attrs.field(factory=dict, repr=False)

    @property
    def present(self) -> NDArray[np.bool_]:
        """Members in the community now (prospect to friend, not lapsed, not operators)."""
        return (self.stage >= 0) & (self.stage < int(Stage.LAPSED))

    @property
    def n_ties(self) -> int:
        """Ties now (week-0 plus formed since)."""
        return self.m_used


def _bfs_distance(d: Dynamics, seeds: NDArray[np.int64]) -> NDArray[np.int8]:
    A = d.adjacency
    dist = np.full(d.capacity, FAR, dtype=np.int8)
    if seeds.size == 0:
        return dist
    dist[seeds] = 0
    frontier = np.unique(seeds)
    for hop in range(1, FAR):
        starts = A.indptr[frontier]
        lengths = A.indptr[frontier + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            break
        offs = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        nb = np.unique(A.indices[offs])
        nb = nb[dist[nb] == FAR]
        # operators (hubs) do not pass a campaign on
        dist[nb] = hop
        frontier = nb[~d.operator[nb]].astype(np.int64)
        if frontier.size == 0:
            break
    return dist


def init_state(dynamics: Dynamics, *, rng: RNGLike = None) -> State:
    """The week-0 state: stages, engagement, launch seeds, volunteers and tie arrays.

    A share ``profile.initial_customers`` of members (random) have bought already, their first
    product being the catalogue item that fits their taste best; the ``Structure.seeds`` launch
    seeds chosen by ``Structure.seeding`` (operators excluded) start as engaged users. Everybody
    else is a prospect at the profile's baseline engagement.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile
    >>> d = compile(generate_community("values", 300, rng=0), OperatingModel())
    >>> s = init_state(d, rng=0)
    >>> s.seeds.size, int(s.distance[s.seeds].max())
    (10, 0)
    """
    d = dynamics
    gen = resolve_rng(rng, owner="init_state")
    n, cap = d.n, d.capacity
    prof = d.profile
    stage = np.full(cap, -1, dtype=np.int8)
    members = ~d.operator
    stage[:n][members] = int(Stage.PROSPECT)
    buyers = members & (gen.random(n) < prof.initial_customers)
    stage[:n][buyers] = int(Stage.CUSTOMER)
    e = np.zeros(cap, dtype=np.float32)
    e[:n] = np.float32(prof.baseline_engagement)
    e[:n][d.operator] = 1.0

    # launch seeds: the seeding method on the member network, operators skipped
    seeds = np.empty(0, dtype=np.int64)
    k = min(d.seeds, int(members.sum()))
    if k > 0:
        n_ops = int(d.operator.sum())
        ss = select_seeds(d.adjacency, min(n, k + n_ops), method=d.seeding, rng=gen)
        seeds = ss.seeds[~d.operator[ss.seeds]][:k].astype(np.int64)
        stage[seeds] = int(Stage.USER)
        e[seeds] = 0.8
    # volunteers
    if d.volunteers is None:
        vols = d.community_volunteers
    else:
        cand = np.flatnonzero(members).astype(np.int64)
        kv = min(d.volunteers, cand.size)
        if d.volunteer_placement == "degree":
            deg = np.diff(d.adjacency.indptr)[cand]
            vols = cand[np.argsort(-deg, kind="stable")[:kv]]
        else:
            vols = gen.choice(cand, size=kv, replace=False) if kv else cand[:0]
    vols = np.sort(np.asarray(vols, dtype=np.int64))

    product = np.full(cap, -1, dtype=np.int16)
    channel = np.full(cap, -1, dtype=np.int8)
    won = np.flatnonzero((stage[:n] >= int(Stage.CUSTOMER)) & (stage[:n] <= int(Stage.FRIEND)))
    if won.size:
        P = d.products.shape[0]
        best = np.zeros(won.size, dtype=np.int64)
        best_fit = np.full(won.size, -1.0)
        for j in range(P):  # loop over the small catalogue, vectorised over members
            f = d.fit(won, np.full(won.size, j, dtype=np.int64))
            better = f > best_fit
            best[better] = j
            best_fit[better] = f[better]
        product[won] = best.astype(np.int16)
        channel[won] = 0
    purchases = np.zeros(cap, dtype=np.float32)
    purchases[won] = 1.0

    taste = np.zeros((cap, d.taste.shape[1]))
    taste[:n] = d.taste
    interest = np.zeros(cap)
    interest[:n] = d.interest
    order = np.full(cap, -1, dtype=np.int64)
    order[:n] = d.order
    operator = np.zeros(cap, dtype=bool)
    operator[:n] = d.operator
    group = np.full(cap, -1, dtype=np.int32)
    group[:n] = d.groups.membership
    lv = np.zeros(cap, dtype=bool)
    lv[d.leaders] = True
    lv[vols] = True
    lv_ties = np.flatnonzero(lv[d.eu] | lv[d.ev]).astype(np.int64)
    m = d.eu.shape[0]
    room = m + max(1024, m // 2)  # tie buffers with spare room for ties formed later

    def buf(values: NDArray[Any], dtype: Any) -> NDArray[Any]:
        out = np.zeros(room, dtype=dtype)
        out[:m] = values
        return out

    member_tie = ~(operator[d.eu] | operator[d.ev])
    return State(
        week=0,
        n_used=n,
        stage=stage,
        engagement=e,
        group=group,
        owners=d.groups.owners.copy(),
        purchases=purchases,
        spend=np.zeros(cap),
        product=product,
        channel=channel,
        dissatisfied=np.zeros(cap, dtype=bool),
        attended=np.zeros(cap, dtype=np.float32),
        active=np.zeros(cap, dtype=bool),
        taste=taste,
        interest=interest,
        order=order,
        operator=operator,
        distance=_bfs_distance(d, seeds),
        m_used=m,
        eu=buf(d.eu, np.int32),
        ev=buf(d.ev, np.int32),
        ew=buf(d.ew, np.float32),
        messages=np.zeros(room, dtype=np.float32),
        meetings=np.zeros(room, dtype=np.float32),
        member_tie=buf(member_tie, bool),
        extra_keys=np.empty(0, dtype=np.int64),
        extra_pos=np.empty(0, dtype=np.int64),
        seeds=seeds,
        volunteers=vols,
        lv_ties=lv_ties,
    )


def observe(state: State, dynamics: Dynamics) -> dict[str, Any]:
    """Stock figures of a state: members by stage, active members, adopters, reach by degree.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile
    >>> d = compile(generate_community("brand", 100, rng=0), OperatingModel())
    >>> o = observe(init_state(d, rng=0), d)
    >>> int(o["stage_counts"].sum()), o["members"]
    (99, 99)
    """
    counts, reach, members, retained, active, adopters, groups, sum_e = kern.observe_pass(
        stage=state.stage,
        n=dynamics.n,
        active=state.active,
        distance=state.distance,
        group=state.group,
        e=state.engagement,
        n_groups=int(state.owners.size),
    )
    thr = dynamics.mechanisms.tie_rule.strong_after_meetings
    return {
        "stage_counts": counts,
        "members": members,
        "retained": retained,
        "active": active,
        "adopters": adopters,
        "reach": reach,
        "ties": state.n_ties,
        "strong_ties": int(np.count_nonzero(state.meetings[: state.m_used] >= thr)),
        "groups": groups,
        "mean_engagement": sum_e / members if members else 0.0,
    }
