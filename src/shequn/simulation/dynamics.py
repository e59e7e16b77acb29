"""Compile a community and an operating model into mechanism parameters, once (pure).

:func:`compile` reads the human-facing settings (quality 0.8, cadence 3 a week, events monthly,
OPEN invitations ...) and produces a :class:`Dynamics`: the static graph arrays and the rates
the weekly :func:`~shequn.simulation.step` uses. Nothing random happens here; the launch seeds
and volunteer placement (which may be random) are drawn by :func:`~shequn.simulation.init_state`.

Ties are stored once per undirected edge (``u < v``) rather than per CSR half-edge: every
mechanism acting on a tie (a conversation, a meeting) is symmetric, so this halves the work
and keeps both directions equal by construction. :func:`half_edge_values` maps any per-tie
array back onto ``community.adjacency.data`` order.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import compile
>>> c = generate_community("brand", 200, rng=0)
>>> d = compile(c, OperatingModel())
>>> d.n, d.capacity, d.n_edges == c.n_edges
(200, 300, True)
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from shequn._validation import check_int, fail
from shequn.community.community import Community
from shequn.community.groups import Groups
from shequn.community.types import InvitePolicy, Role
from shequn.economics.money import Economics
from shequn.operating.model import FeedbackChannel, OperatingModel, Schedule
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.profiles import Profile, profile_for

__all__ = ["Dynamics", "compile", "half_edge_values"]

_eq = attrs.cmp_using(eq=np.array_equal)


@attrs.frozen(kw_only=True, eq=False)
class Dynamics:
    """Mechanism parameters and static arrays for the weekly step (built by :func:`compile`).

    Attributes
    ----------
    n, capacity
        Members at week 0 and member slots available (newcomers fill slots ``n..capacity-1``).
    adjacency
        The community's CSR adjacency (used to pick friends and to walk reposts), with sorted
        indices.
    indptr, indices
        Its ``indptr`` (int64) and ``indices`` (int32), the form the compiled loops take.
    upper_start, tie_start
        Per member ``u``: the CSR position of its first neighbour ``v > u`` and the index of
        its first tie ``(u, v)``: the tie of CSR entry ``k`` of row ``u`` (``k >=
        upper_start[u]``) is ``tie_start[u] + k − upper_start[u]``.
    eu, ev, ew
        Undirected ties (``eu < ev``, int32) and their weights (float32).
    base_keys
        Sorted ``eu · capacity + ev`` keys of the base ties (duplicate checks for new ties).
    operator
        Per member: the brand account or a leader (not a customer; never churns or buys).
    leaders
        Indices of the leaders (``Structure.leaders`` or the ``Role.LEADER`` members).
    community_volunteers
        ``Role.VOLUNTEER`` members (used when ``Structure.volunteers is None``).
    taste, interest, order, rank
        Taste vectors, interest in the brand ``exp(−|t|² / 2)`` in (0, 1] (uniform for 2-D
        standard-normal tastes), the members ranked by interest (most interested first:
        followers and broadcast lists fill in that order) and each member's position in that
        ranking.
    products, popularity, popularity_cdf
        Catalogue taste positions (product 0, the head, at the centre), the advertising weight
        of each product (Zipf) and its cumulative sum.
    partner
        Members with top-decile resources (partners for the ecosystem layer).
    groups
        Initial chat groups with the structure's cap and the tools' invitation policy.
    items_steady, burst_period, bursty
        Content schedule (items per week when steady; bursts of ``items_steady · burst_period``).
    quality, social_share, visibility, flow, feedback_open
        From 法 content and 通 connectivity.
    broadcast_messages, broadcast_quality, broadcast_market
        Messages per week the broadcast budget buys, their quality as content, and whether
        they go to the mass market (``True``) or down the member list.
    group_chat, invite_policy, event_frequency, event_capacity, event_ties, strictness,
    remove_breakers
        From 器 tools.
    leader_activity, leader_leaves_at, volunteers, volunteer_placement, volunteer_activity,
    seeding, seeds
        From 术 structure.
    profile, mechanisms, economics
        The behavioural profile, mechanism rates and money settings.
    """

    n: int
    capacity: int
    adjacency: sp.csr_array = attrs.field(repr=False)
    indptr: NDArray[np.int64] = attrs.field(repr=False)
    indices: NDArray[np.int32] = attrs.field(repr=False)
    upper_start: NDArray[np.int64] = attrs.field(repr=False)
    tie_start: NDArray[np.int64] = attrs.field(repr=False)
    eu: NDArray[np.int32] = attrs.field(repr=False)
    ev: NDArray[np.int32] = attrs.field(repr=False)
    ew: NDArray[np.float32] = attrs.field(repr=False)
    base_keys: NDArray[np.int64] = attrs.field(repr=False)
    operator: NDArray[np.bool_] = attrs.field(repr=False)
    leaders: NDArray[np.int64] = attrs.field(repr=False)
    community_volunteers: NDArray[np.int64] = attrs.field(repr=False)
    taste: NDArray[np.float64] = attrs.field(repr=False)
    interest: NDArray[np.float64] = attrs.field(repr=False)
    order: NDArray[np.int64] = attrs.field(repr=False)
    rank: NDArray[np.int64] = attrs.field(repr=False)
    products: NDArray[np.float64] = attrs.field(repr=False)
    popularity: NDArray[np.float64] = attrs.field(repr=False)
    popularity_cdf: NDArray[np.float64] = attrs.field(repr=False)
    partner: NDArray[np.bool_] = attrs.field(repr=False)
    groups: Groups = attrs.field(repr=False)
    items_steady: float
    burst_period: int
    bursty: bool
    quality: float
    social_share: float
    visibility: float
    flow: float
    feedback_open: bool
    broadcast_messages: float
    broadcast_quality: float
    broadcast_market: bool
    group_chat: bool
    invite_policy: InvitePolicy
    event_frequency: float
    event_capacity: int
    event_ties: float
    strictness: float
    remove_breakers: bool
    leader_activity: float
    leader_leaves_at: int | None
    volunteers: int | None
    volunteer_placement: str
    volunteer_activity: float
    seeding: str
    seeds: int
    profile: Profile
    mechanisms: Mechanisms
    economics: Economics

    @property
    def n_edges(self) -> int:
        """Number of ties at week 0."""
        return int(self.eu.shape[0])

    def items_in_week(self, week: int) -> float:
        """Content items delivered in (0-based) ``week``.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import Content, OperatingModel
        >>> om = OperatingModel(content=Content(cadence=1.0, schedule="bursty", burst_period=2))
        >>> d = compile(generate_community("brand", 50, rng=0), om)
        >>> [d.items_in_week(w) for w in range(3)]
        [2.0, 0.0, 2.0]
        """
        if not self.bursty:
            return self.items_steady
        return self.items_steady * self.burst_period if week % self.burst_period == 0 else 0.0

    def fit(
        self,
        members: NDArray[np.integer[Any]],
        products: NDArray[np.integer[Any]],
        taste: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """Fit in (0, 1] of each member to the paired product: ``exp(−d² / (2 w²))``.

        Examples
        --------
        >>> import numpy as np
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> d = compile(generate_community("brand", 50, rng=0), OperatingModel())
        >>> bool(0 < d.fit(np.array([1]), np.array([0]))[0] <= 1)
        True
        """
        t = self.taste if taste is None else taste
        diff = t[members] - self.products[products]
        d2 = np.einsum("ij,ij->i", diff, diff)
        out: NDArray[np.float64] = np.exp(-d2 / (2.0 * self.mechanisms.fit_width**2))
        return out


def _interest(taste: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = np.exp(-0.5 * np.einsum("ij,ij->i", taste, taste))
    return out


def compile(
    community: Community,
    operating_model: OperatingModel,
    profile: Profile | None = None,
    economics: Economics | None = None,
    *,
    mechanisms: Mechanisms | None = None,
    capacity: int | None = None,
) -> Dynamics:
    """Turn a community and an operating model into the engine's parameters (pure, no rng).

    Parameters
    ----------
    community
        The members and their ties (:class:`~shequn.community.Community`).
    operating_model
        The 通/法/术/器 settings (:class:`~shequn.operating.OperatingModel`).
    profile
        Behavioural profile; default the community type's entry in
        :data:`~shequn.simulation.profiles.PROFILES`.
    economics
        Prices and costs; default :class:`~shequn.economics.Economics()`.
    mechanisms
        Mechanism rates and calibration hooks; default :class:`Mechanisms()`.
    capacity
        Member slots, at least ``community.n``; default ``1.5 n`` (room to grow by half through
        invitations and ads; invitations stop when the slots are full).

    Raises
    ------
    InvalidParameterError
        Leaders that are not members, a capacity below the member count, wrong types.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel, Structure
    >>> c = generate_community("leader", 100, rng=0)
    >>> compile(c, OperatingModel()).leaders.tolist()
    [0]
    >>> compile(c, OperatingModel(structure=Structure(leaders=[100])))
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Structure.leaders` must be members of the \
community (indices 0..99); got 100
    """
    if not isinstance(community, Community):
        raise fail("compile", "community", "be a Community", type(community).__name__)
    if not isinstance(operating_model, OperatingModel):
        raise fail(
            "compile", "operating_model", "be an OperatingModel", type(operating_model).__name__
        )
    profile = profile_for(community.kind) if profile is None else profile
    if not isinstance(profile, Profile):
        raise fail("compile", "profile", "be a Profile", type(profile).__name__)
    economics = Economics() if economics is None else economics
    if not isinstance(economics, Economics):
        raise fail("compile", "economics", "be an Economics", type(economics).__name__)
    mech = Mechanisms() if mechanisms is None else mechanisms
    if not isinstance(mech, Mechanisms):
        raise fail("compile", "mechanisms", "be a Mechanisms", type(mech).__name__)
    n = community.n
    if capacity is None:
        cap = n + n // 2
    else:
        cap = check_int(capacity, owner="compile", field="capacity", low=n)
    om = operating_model
    st, tl, ct, cn = om.structure, om.tools, om.content, om.connectivity

    A = community.adjacency
    if not A.has_canonical_format:  # sorted, duplicate-free rows: ties are found by position
        A = A.copy()
        A.sum_duplicates()
    indptr = A.indptr.astype(np.int64)
    indices = A.indices.astype(np.int32)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    cols = indices.astype(np.int64)
    upper = rows < cols
    eu = rows[upper].astype(np.int32)
    ev = cols[upper].astype(np.int32)
    ew = A.data[upper].astype(np.float32)
    base_keys = eu.astype(np.int64) * cap + ev  # row-major over sorted rows: already sorted
    n_upper = np.bincount(rows[upper], minlength=n).astype(np.int64)
    upper_start = indptr[1:] - n_upper
    tie_start = np.concatenate([[0], np.cumsum(n_upper)]).astype(np.int64)

    roles = community.roles
    if st.leaders is None:
        leaders = np.flatnonzero(roles == int(Role.LEADER)).astype(np.int64)
    else:
        leaders = np.asarray(st.leaders, dtype=np.int64)
        bad = leaders[leaders >= n]
        if bad.size:
            raise fail(
                "Structure",
                "leaders",
                f"be members of the community (indices 0..{n - 1})",
                int(bad[0]),
            )
        if np.unique(leaders).size != leaders.size:
            raise fail("Structure", "leaders", "list each leader once", st.leaders)
    if st.leader_leaves_at is not None and leaders.size == 0:
        raise fail(
            "Structure",
            "leader_leaves_at",
            "be None when the community has no leader",
            st.leader_leaves_at,
        )
    operator = roles == int(Role.BRAND_ACCOUNT)
    operator[leaders] = True
    volunteers = np.flatnonzero((roles == int(Role.VOLUNTEER)) & ~operator).astype(np.int64)

    taste = np.asarray(community.taste, dtype=np.float64)
    interest = _interest(taste)
    order = np.argsort(-interest, kind="stable").astype(np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
    P = mech.n_products
    sorted_first = np.argsort(taste[:, 0], kind="stable")
    picks = sorted_first[((np.arange(1, P) + 0.5) * n / P).astype(np.int64).clip(0, n - 1)]
    products = (
        np.vstack([np.zeros((1, taste.shape[1])), taste[picks]])
        if P > 1
        else np.zeros((1, taste.shape[1]))
    )
    popularity = (np.arange(1, P + 1, dtype=np.float64)) ** (-mech.zipf)
    popularity /= popularity.sum()
    popularity_cdf = np.cumsum(popularity)
    res = np.asarray(community.resources, dtype=np.float64)
    partner = res >= np.quantile(res, 0.9) if n >= 10 else np.zeros(n, dtype=bool)

    if community.groups is not None and community.groups.cap == st.group_cap:
        groups = attrs.evolve(community.groups, policy=tl.invite_policy)
    else:
        from shequn.community.groups import form_groups

        groups = form_groups(A, cap=st.group_cap, policy=tl.invite_policy, rng=0)

    return Dynamics(
        n=n,
        capacity=cap,
        adjacency=A,
        indptr=indptr,
        indices=indices,
        upper_start=upper_start,
        tie_start=tie_start,
        eu=eu,
        ev=ev,
        ew=ew,
        base_keys=base_keys,
        operator=operator,
        leaders=leaders,
        community_volunteers=volunteers,
        taste=taste,
        interest=interest,
        order=order,
        rank=rank,
        products=products,
        popularity=popularity,
        popularity_cdf=popularity_cdf,
        partner=partner,
        groups=groups,
        items_steady=ct.cadence,
        burst_period=ct.burst_period,
        bursty=ct.schedule is Schedule.BURSTY,
        quality=ct.quality,
        social_share=ct.social_share,
        visibility=cn.product_visibility,
        flow=cn.person_person,
        feedback_open=cn.feedback is FeedbackChannel.OPEN,
        broadcast_messages=economics.messages_for(tl.broadcast_budget),
        broadcast_quality=tl.broadcast_quality,
        broadcast_market=tl.broadcast_audience == "market",
        group_chat=tl.group_chat,
        invite_policy=tl.invite_policy,
        event_frequency=tl.event_frequency,
        event_capacity=tl.event_capacity,
        event_ties=tl.event_ties,
        strictness=tl.rule_strictness,
        remove_breakers=tl.remove_rule_breakers,
        leader_activity=st.leader_activity,
        leader_leaves_at=st.leader_leaves_at,
        volunteers=st.volunteers,
        volunteer_placement=st.volunteer_placement,
        volunteer_activity=st.volunteer_activity,
        seeding=st.seeding,
        seeds=st.seeds,
        profile=profile,
        mechanisms=mech,
        economics=economics,
    )


def half_edge_values(dynamics: Dynamics, values: NDArray[Any]) -> NDArray[Any]:
    """Map per-tie values of the week-0 ties onto the CSR half-edge order of the adjacency.

    Parameters
    ----------
    dynamics
        The compiled dynamics.
    values
        One value per week-0 tie (the first ``dynamics.n_edges`` entries of a state's tie
        arrays, e.g. ``state.meetings[:dynamics.n_edges]``).

    Examples
    --------
    >>> import numpy as np
    >>> import networkx as nx
    >>> from shequn.community import Community
    >>> from shequn.operating import OperatingModel
    >>> d = compile(Community.from_graph(nx.path_graph(3)), OperatingModel())
    >>> half_edge_values(d, np.array([5.0, 7.0])).tolist()
    [5.0, 5.0, 7.0, 7.0]
    """
    A = dynamics.adjacency
    vals = np.asarray(values)
    if vals.shape[0] < dynamics.n_edges:
        raise fail(
            "half_edge_values", "values", f"have >= {dynamics.n_edges} entries", vals.shape[0]
        )
    n = A.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
    cols = A.indices.astype(np.int64)
    keys = np.minimum(rows, cols) * dynamics.capacity + np.maximum(rows, cols)
    pos = np.searchsorted(dynamics.base_keys, keys)
    # base ties are stored sorted by key (eu-major), so key rank = tie index
    out: NDArray[Any] = vals[: dynamics.n_edges][pos]
    return out
