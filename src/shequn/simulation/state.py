"""The engine's state: member arrays over preallocated slots and tie arrays that can grow.

Members live in ``capacity`` slots (``Dynamics.capacity``); the first ``n_used`` are taken.
Invitations fill the next free slots, so member arrays never reallocate. Ties are kept once per
undirected edge; the week-0 ties come first (in the community's CSR order, see
:func:`~shequn.simulation.half_edge_values`), ties formed later (friends of friends, event
acquaintances, newcomers) are appended (see :mod:`shequn.simulation._network`).

A state is checked against its dynamics before a compiled loop reads it
(:func:`check_state`): the states :func:`init_state` and :func:`~shequn.simulation.step`
return are known good for the dynamics they were made with; a state built by hand or changed
with ``attrs.evolve`` is checked in full once.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import compile_dynamics, init_state
>>> d = compile_dynamics(generate_community("brand", 100, rng=0), OperatingModel())
>>> s = init_state(d, rng=1)
>>> s.n_used, int((s.stage >= 0).sum())  # the brand account is an operator, not a customer
(100, 99)
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from shequn._typing import BoolArray, FloatArray, IntArray
from shequn._validation import count, fail
from shequn.diffusion.seeding import select_seeds
from shequn.loyalty.stages import Stage
from shequn.rng import RNGLike, resolve_rng
from shequn.simulation._network import FAR
from shequn.simulation.dynamics import Dynamics
from shequn.simulation.mechanisms._spec import Flow

__all__ = ["FAR", "STOCKS", "State", "check_state", "init_state", "observe"]

STOCKS = (
    Flow(
        name="stage_counts",
        unit="members",
        meaning="members by ladder stage (prospect, customer, user, fan, friend, lapsed)",
        kind="stock",
        width=6,
        mechanism="ladder",
    ),
    Flow(name="members", unit="members", meaning="members present", kind="stock"),
    Flow(
        name="retained",
        unit="members",
        meaning="week-0 members still present",
        kind="stock",
    ),
    Flow(name="adopters", unit="members", meaning="present members who have bought", kind="stock"),
    Flow(
        name="reach",
        unit="members",
        meaning="adopters at distance 0, 1, 2, 3, beyond from the launch seeds",
        kind="stock",
        width=5,
    ),
    Flow(name="ties", unit="ties", meaning="ties (week-0 and formed since)", kind="stock"),
    Flow(
        name="strong_ties",
        unit="ties",
        meaning="ties with TieRule.strong_after_meetings meetings or more",
        kind="stock",
        mechanism="tie_strength",
    ),
    Flow(name="groups", unit="groups", meaning="chat groups with a present member", kind="stock"),
    Flow(
        name="mean_engagement",
        unit="engagement",
        meaning="mean engagement of present members",
        kind="stock",
        mechanism="engagement",
    ),
)
"""What :func:`observe` measures at the end of each week (columns of the Trajectory)."""


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
    totals
        What happened in the last simulated week, one value per flow of the registry
        (:data:`shequn.simulation.flows.FLOWS`); :attr:`flows` gives them by name.
    """

    week: int = attrs.field(validator=count(0))
    n_used: int = attrs.field(validator=count(0))
    stage: Any = attrs.field(repr=False)
    engagement: Any = attrs.field(repr=False)
    group: Any = attrs.field(repr=False)
    owners: IntArray = attrs.field(repr=False)
    purchases: Any = attrs.field(repr=False)
    spend: FloatArray = attrs.field(repr=False)
    product: Any = attrs.field(repr=False)
    channel: Any = attrs.field(repr=False)
    dissatisfied: BoolArray = attrs.field(repr=False)
    attended: Any = attrs.field(repr=False)
    active: BoolArray = attrs.field(repr=False)
    taste: FloatArray = attrs.field(repr=False)
    interest: FloatArray = attrs.field(repr=False)
    order: IntArray = attrs.field(repr=False)
    operator: BoolArray = attrs.field(repr=False)
    distance: Any = attrs.field(repr=False)
    m_used: int
    eu: Any = attrs.field(repr=False)
    ev: Any = attrs.field(repr=False)
    ew: Any = attrs.field(repr=False)
    messages: Any = attrs.field(repr=False)
    meetings: Any = attrs.field(repr=False)
    member_tie: BoolArray = attrs.field(repr=False)
    extra_keys: IntArray = attrs.field(repr=False)
    extra_pos: IntArray = attrs.field(repr=False)
    seeds: IntArray = attrs.field(repr=False)
    volunteers: IntArray = attrs.field(repr=False)
    lv_ties: IntArray = attrs.field(repr=False)
    totals: FloatArray | None = attrs.field(default=None, repr=False)
    _checked: Any = attrs.field(init=False, default=None, repr=False)

    @property
    def flows(self) -> dict[str, float]:
        """What happened in the last simulated week, by flow name (empty at week 0)."""
        if self.totals is None:
            return {}
        from shequn.simulation.week import flow_values

        return flow_values(self.totals)

    @property
    def present(self) -> BoolArray:
        """Members in the community now (prospect to friend, not lapsed, not operators)."""
        out: BoolArray = (self.stage >= 0) & (self.stage < int(Stage.LAPSED))
        return out

    @property
    def n_ties(self) -> int:
        """Ties now (week-0 plus formed since)."""
        return self.m_used

    def _trust(self, dynamics: Dynamics) -> None:
        """Mark this state as made by the engine for ``dynamics`` (no check needed)."""
        object.__setattr__(self, "_checked", dynamics)


# ----------------------------------------------------------------------------- checks
_MEMBER_DTYPES = {
    "stage": np.int8,
    "engagement": np.float32,
    "group": np.int32,
    "purchases": np.float32,
    "spend": np.float64,
    "product": np.int16,
    "channel": np.int8,
    "dissatisfied": np.bool_,
    "attended": np.float32,
    "active": np.bool_,
    "interest": np.float64,
    "order": np.int64,
    "operator": np.bool_,
    "distance": np.int8,
}
_TIE_DTYPES = {
    "eu": np.int32,
    "ev": np.int32,
    "ew": np.float32,
    "messages": np.float32,
    "meetings": np.float32,
    "member_tie": np.bool_,
}
_INDEX_DTYPES = ("owners", "extra_keys", "extra_pos", "seeds", "volunteers", "lv_ties")


def _arr(state: State, name: str, dtype: Any, size: int | None, owner: str) -> Any:
    a = getattr(state, name)
    if not isinstance(a, np.ndarray) or a.dtype != np.dtype(dtype) or a.ndim != 1:
        raise fail(owner, f"state.{name}", f"be a 1-d {np.dtype(dtype)} array", type(a).__name__)
    if not a.flags.c_contiguous:
        raise fail(owner, f"state.{name}", "be contiguous", name)
    if size is not None and a.shape[0] != size:
        raise fail(owner, f"state.{name}", f"have {size} entries", a.shape[0])
    return a


def _within(a: Any, low: float, high: float, owner: str, name: str) -> None:
    if a.size and not (a.min() >= low and a.max() <= high):
        bad = a[(a < low) | (a > high) | (a != a)]
        raise fail(owner, f"state.{name}", f"hold values in [{low:g}, {high:g}]", bad[:3])


def check_state(state: State, dynamics: Dynamics, *, owner: str = "step") -> None:
    """Check that ``state`` belongs to ``dynamics`` before a compiled loop reads it.

    States made by :func:`init_state` or :func:`~shequn.simulation.step` for ``dynamics``
    pass at once; any other state (built by hand, changed with ``attrs.evolve``, made for
    another community) is checked in full: array types and sizes, the week-0 ties, and every
    index the loops follow (members, groups, ties, products).

    Raises
    ------
    InvalidParameterError
        Naming the first array or value that does not fit.

    Examples
    --------
    >>> import attrs
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile_dynamics
    >>> d = compile_dynamics(generate_community("brand", 100, rng=0), OperatingModel())
    >>> s = attrs.evolve(init_state(d, rng=0), n_used=10**6)
    >>> check_state(s, d)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `step.state.n_used` must be an integer in \
100..150 (the dynamics' members and capacity); got 1000000
    """
    if not isinstance(state, State):
        raise fail(owner, "state", "be a State", type(state).__name__)
    if not isinstance(dynamics, Dynamics):
        raise fail(owner, "dynamics", "be a Dynamics", type(dynamics).__name__)
    if state._checked is dynamics:
        return
    d = dynamics
    cap, n = d.capacity, d.n
    n_used = state.n_used
    if not isinstance(n_used, int | np.integer) or not n <= n_used <= cap:
        raise fail(
            owner,
            "state.n_used",
            f"be an integer in {n}..{cap} (the dynamics' members and capacity)",
            n_used,
        )
    if not isinstance(state.week, int | np.integer) or state.week < 0:
        raise fail(owner, "state.week", "be an integer >= 0", state.week)
    for name, dt in _MEMBER_DTYPES.items():
        _arr(state, name, dt, cap, owner)
    taste = state.taste
    dim = d.taste.shape[1]
    if not isinstance(taste, np.ndarray) or taste.shape != (cap, dim) or taste.dtype != np.float64:
        raise fail(owner, "state.taste", f"be a ({cap}, {dim}) float64 array", taste)
    if not taste.flags.c_contiguous:
        raise fail(owner, "state.taste", "be contiguous", "taste")
    u = slice(0, n_used)
    _within(state.stage[u], -1, int(Stage.LAPSED), owner, "stage")
    _within(state.engagement[u], 0.0, 1.0, owner, "engagement")
    for name in _INDEX_DTYPES:
        _arr(state, name, np.int64, None, owner)
    n_groups = state.owners.shape[0]
    _within(state.owners, 0, n_used - 1, owner, "owners")
    _within(state.group[u], -1, n_groups - 1, owner, "group")
    n_products = d.rates["purchases"].products.shape[0]
    _within(state.product[u], -1, n_products - 1, owner, "product")
    _within(state.channel[u], -1, 3, owner, "channel")
    _within(state.distance[u], 0, FAR, owner, "distance")
    _within(state.order[u], 0, n_used - 1, owner, "order")
    _within(state.purchases[u], 0.0, np.inf, owner, "purchases")
    _within(state.attended[u], 0.0, np.inf, owner, "attended")
    if not np.isfinite(taste[u]).all() or not np.isfinite(state.spend[u]).all():
        raise fail(owner, "state.taste", "be finite", "nan or inf")
    # ties: buffers of one size, the week-0 ties of this dynamics first, ends in range
    room = state.eu.shape[0] if isinstance(state.eu, np.ndarray) else -1
    for name, dt in _TIE_DTYPES.items():
        _arr(state, name, dt, room, owner)
    m = state.m_used
    ne = d.n_edges
    if not isinstance(m, int | np.integer) or not ne <= m <= room:
        raise fail(owner, "state.m_used", f"be an integer in {ne}..{room}", m)
    if not (np.array_equal(state.eu[:ne], d.eu) and np.array_equal(state.ev[:ne], d.ev)):
        raise fail(
            owner,
            "state",
            "belong to the dynamics (its week-0 ties differ: a state of another community?)",
            f"{ne} ties",
        )
    t = slice(0, m)
    _within(state.eu[t], 0, n_used - 1, owner, "eu")
    _within(state.ev[t], 0, n_used - 1, owner, "ev")
    if m and not (state.eu[t] < state.ev[t]).all():
        raise fail(owner, "state.eu", "be below ev for every tie", "eu >= ev")
    _within(state.messages[t], 0.0, np.inf, owner, "messages")
    _within(state.meetings[t], 0.0, np.inf, owner, "meetings")
    _within(state.ew[t], 0.0, np.inf, owner, "ew")
    keys, pos = state.extra_keys, state.extra_pos
    if keys.shape != pos.shape or keys.shape[0] != m - ne:
        raise fail(
            owner, "state.extra_keys", f"hold the {m - ne} ties formed after week 0", keys.shape
        )
    if keys.size:
        if not (np.diff(keys) > 0).all():
            raise fail(owner, "state.extra_keys", "be sorted and unique", keys[:3])
        _within(pos, ne, m - 1, owner, "extra_pos")
        lo = state.eu[pos].astype(np.int64)
        hi = state.ev[pos].astype(np.int64)
        if not np.array_equal(lo * cap + hi, keys):
            raise fail(owner, "state.extra_keys", "match the ties at extra_pos", keys[:3])
    _within(state.seeds, 0, n - 1, owner, "seeds")
    _within(state.volunteers, 0, n_used - 1, owner, "volunteers")
    _within(state.lv_ties, 0, ne - 1, owner, "lv_ties")
    state._trust(d)


# ----------------------------------------------------------------------------- week 0
def _bfs_distance(d: Dynamics, seeds: IntArray) -> Any:
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
    >>> from shequn.simulation import compile_dynamics
    >>> d = compile_dynamics(generate_community("values", 300, rng=0), OperatingModel())
    >>> s = init_state(d, rng=0)
    >>> s.seeds.size, int(s.distance[s.seeds].max())
    (10, 0)
    """
    d = dynamics
    if not isinstance(d, Dynamics):
        raise fail("init_state", "dynamics", "be a Dynamics", type(d).__name__)
    gen = resolve_rng(rng, owner="init_state")
    n, cap = d.n, d.capacity
    prof = d.profile
    st = d.operating_model.structure
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
    k = min(st.seeds, int(members.sum()))
    if k > 0:
        n_ops = int(d.operator.sum())
        ss = select_seeds(d.adjacency, min(n, k + n_ops), method=st.seeding, rng=gen)
        seeds = ss.seeds[~d.operator[ss.seeds]][:k].astype(np.int64)
        stage[seeds] = int(Stage.USER)
        e[seeds] = 0.8
    # volunteers
    if st.volunteers is None:
        vols = d.community_volunteers
    else:
        cand = np.flatnonzero(members).astype(np.int64)
        kv = min(st.volunteers, cand.size)
        if st.volunteer_placement == "degree":
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
            f = d.product_fit(won, np.full(won.size, j, dtype=np.int64))
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
    m = d.n_edges
    room = m + max(1024, m // 2)  # tie buffers with spare room for ties formed later

    def buf(values: Any, dtype: Any) -> Any:
        out = np.zeros(room, dtype=dtype)
        out[:m] = values
        return out

    member_tie = ~(operator[d.eu] | operator[d.ev])
    s = State(
        week=0,
        n_used=n,
        stage=stage,
        engagement=e,
        group=group,
        owners=d.groups.owners.astype(np.int64),
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
    s._trust(d)
    return s


# ----------------------------------------------------------------------------- observe
def observe(state: State, dynamics: Dynamics) -> dict[str, Any]:
    """Stock figures of a state: members by stage, active members, adopters, reach by degree.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile_dynamics
    >>> d = compile_dynamics(generate_community("brand", 100, rng=0), OperatingModel())
    >>> o = observe(init_state(d, rng=0), d)
    >>> int(o["stage_counts"].sum()), o["members"]
    (99, 99)
    """
    check_state(state, dynamics, owner="observe")
    stage = state.stage[: state.n_used]
    present = (stage >= 0) & (stage < int(Stage.LAPSED))
    members = int(np.count_nonzero(present))
    adopted = present & (stage >= int(Stage.CUSTOMER))
    group = state.group[: state.n_used]
    in_group = group[present & (group >= 0)]
    # the engagement of present members summed in slot order (a running sum)
    e = state.engagement[: state.n_used][present]
    sum_e = float(np.cumsum(e, dtype=np.float64)[-1]) if members else 0.0
    thr = dynamics.rates["tie_strength"].strong_after
    return {
        "stage_counts": np.bincount(stage[stage >= 0], minlength=6).astype(np.int64),
        "members": members,
        "retained": int(np.count_nonzero(present[: dynamics.n])),
        "active": int(np.count_nonzero(state.active[: state.n_used] & present)),
        "adopters": int(np.count_nonzero(adopted)),
        "reach": np.bincount(state.distance[: state.n_used][adopted], minlength=FAR + 1).astype(
            np.int64
        ),
        "ties": state.n_ties,
        "strong_ties": int(np.count_nonzero(state.meetings[: state.m_used] >= thr)),
        "groups": int(np.count_nonzero(np.bincount(in_group, minlength=1))),
        "mean_engagement": sum_e / members if members else 0.0,
    }
