"""Compile a community and an operating model into the engine's parameters, once (pure).

:func:`compile_dynamics` reads the human-facing settings (quality 0.8, cadence 3 a week,
events monthly, OPEN invitations ...) and produces a :class:`Dynamics`: the static arrays of
the network and the members, and each mechanism's rates (``Dynamics.rates[name]``, derived by
the mechanism module itself). Nothing random happens here; the launch seeds and volunteer
placement (which may be random) are drawn by :func:`~shequn.simulation.init_state`.

Ties are stored once per undirected edge (``u < v``) rather than per CSR half-edge: every
mechanism acting on a tie (a conversation, a meeting) is symmetric, so this halves the work
and keeps both directions equal by construction. :func:`half_edge_values` maps any per-tie
array back onto ``community.adjacency.data`` order.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import compile_dynamics
>>> c = generate_community("brand", 200, rng=0)
>>> d = compile_dynamics(c, OperatingModel())
>>> d.n, d.capacity, d.n_edges == c.n_edges
(200, 300, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp

from shequn._typing import BoolArray, FloatArray, IntArray
from shequn._validation import (
    INT_MAX,
    check_array,
    check_count,
    check_indices,
    check_instance,
    check_int,
    check_memory,
    fail,
)
from shequn.community.community import Community
from shequn.community.groups import Groups
from shequn.community.types import Role
from shequn.economics.money import Economics
from shequn.exceptions import ShequnDeprecationWarning
from shequn.operating.model import OperatingModel
from shequn.simulation._network import Network, interest_of, network_of
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.mechanisms._spec import Setting
from shequn.simulation.mechanisms.purchases import _fit, check_fit_args
from shequn.simulation.profiles import Profile, profile_for

__all__ = ["Dynamics", "compile", "compile_dynamics", "half_edge_values"]


@attrs.frozen(kw_only=True, eq=False)
class Dynamics:
    """The engine's parameters and static arrays for one community (built by
    :func:`compile_dynamics`).

    Attributes
    ----------
    n, capacity
        Members at week 0 and member slots available (newcomers fill slots ``n..capacity-1``).
    adjacency
        The community's CSR adjacency with sorted indices (friends are picked and reposts
        walked on it).
    network
        The engine's form of it (:class:`~shequn.simulation._network.Network`): CSR arrays and
        the ties stored once (``eu < ev``).
    operator
        Per member: the brand account or a leader (not a customer; never churns or buys).
    leaders
        Indices of the leaders (``Structure.leaders`` or the ``Role.LEADER`` members).
    community_volunteers
        ``Role.VOLUNTEER`` members (used when ``Structure.volunteers is None``).
    taste, interest, order, rank
        Taste vectors, interest in the brand ``exp(−|t|² / 2)`` in (0, 1], the members ranked
        by interest (most interested first: followers and broadcast lists fill in that order)
        and each member's position in that ranking.
    partner
        Members with top-decile resources (partners for the ecosystem layer).
    groups
        Initial chat groups with the structure's cap and the tools' invitation policy.
    operating_model, profile, economics, mechanisms
        The settings it was compiled from.
    rates
        Each mechanism's rates by mechanism name (``rates["content"]``), derived by the
        mechanism module at compile time.
    """

    n: int
    capacity: int
    adjacency: sp.csr_array = attrs.field(repr=False)
    network: Network = attrs.field(repr=False)
    operator: BoolArray = attrs.field(repr=False)
    leaders: IntArray = attrs.field(repr=False)
    community_volunteers: IntArray = attrs.field(repr=False)
    taste: FloatArray = attrs.field(repr=False)
    interest: FloatArray = attrs.field(repr=False)
    order: IntArray = attrs.field(repr=False)
    rank: IntArray = attrs.field(repr=False)
    partner: BoolArray = attrs.field(repr=False)
    groups: Groups = attrs.field(repr=False)
    operating_model: OperatingModel = attrs.field(repr=False)
    profile: Profile = attrs.field(repr=False)
    economics: Economics = attrs.field(repr=False)
    mechanisms: Mechanisms = attrs.field(repr=False)
    rates: Mapping[str, Any] = attrs.field(repr=False)

    def __attrs_post_init__(self) -> None:
        check_dynamics(self)

    # ------------------------------------------------------------------ network views
    @property
    def n_edges(self) -> int:
        """Number of ties at week 0."""
        return int(self.network.eu.shape[0])

    @property
    def indptr(self) -> IntArray:
        """CSR row pointers (int64)."""
        return self.network.indptr

    @property
    def indices(self) -> Any:
        """CSR column indices (int32)."""
        return self.network.indices

    @property
    def eu(self) -> Any:
        """Lower end of each week-0 tie (int32)."""
        return self.network.eu

    @property
    def ev(self) -> Any:
        """Upper end of each week-0 tie (int32)."""
        return self.network.ev

    @property
    def ew(self) -> Any:
        """Weight of each week-0 tie (float32)."""
        return self.network.ew

    @property
    def products(self) -> FloatArray:
        """Catalogue taste positions (product 0, the head, at the centre)."""
        out: FloatArray = self.rates["purchases"].products
        return out

    @property
    def popularity(self) -> FloatArray:
        """Advertising weight of each product (Zipf, normalised)."""
        out: FloatArray = self.rates["purchases"].popularity
        return out

    def items_in_week(self, week: int) -> float:
        """Content items delivered in (0-based) ``week``.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import Content, OperatingModel
        >>> om = OperatingModel(content=Content(cadence=1.0, schedule="bursty", burst_period=2))
        >>> d = compile_dynamics(generate_community("brand", 50, rng=0), om)
        >>> [d.items_in_week(w) for w in range(3)]
        [2.0, 0.0, 2.0]
        """
        from shequn.simulation.mechanisms.content import items_in_week

        week = check_count(week, owner="Dynamics.items_in_week", field="week", low=0)
        return items_in_week(self.rates["content"], week)

    def product_fit(
        self,
        members: IntArray,
        products: IntArray,
        taste: FloatArray | None = None,
    ) -> FloatArray:
        """Fit in (0, 1] of each member to the paired product: ``exp(−d² / (2 w²))``.

        Examples
        --------
        >>> import numpy as np
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> d = compile_dynamics(generate_community("brand", 50, rng=0), OperatingModel())
        >>> bool(0 < d.product_fit(np.array([1]), np.array([0]))[0] <= 1)
        True
        """
        owner = "Dynamics.product_fit"
        t = self.taste if taste is None else check_array(taste, owner=owner, field="taste", ndim=2)
        m = check_indices(members, t.shape[0], owner=owner, field="members")
        pr = self.rates["purchases"]
        tm, p = check_fit_args(pr, t[m], products, owner=owner, rows="member")
        return _fit(pr, tm, p)

    def fit(self, *args: Any, **kwargs: Any) -> FloatArray:
        """Deprecated alias of :meth:`product_fit` (``fit`` means estimation in shequn)."""
        warnings.warn(
            "Dynamics.fit is deprecated; use Dynamics.product_fit",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        return self.product_fit(*args, **kwargs)

    def with_parameters(self, values: Mapping[str, Any]) -> Dynamics:
        """The same community and operating model with some engine parameters changed.

        ``values`` maps parameter names (see :func:`shequn.simulation.parameters`) to new
        values. The static arrays (network, tastes, groups) are shared, not copied; only the
        rates are derived again, so this is cheap enough to call once per run of a batch.

        Raises
        ------
        InvalidParameterError
            An unknown name or an invalid value.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> d = compile_dynamics(generate_community("brand", 50, rng=0), OperatingModel())
        >>> d2 = d.with_parameters({"wom_conversion": 0.3, "baseline_churn": 0.01})
        >>> d2.mechanisms.wom_conversion, d2.profile.baseline_churn, d2.network is d.network
        (0.3, 0.01, True)
        """
        from shequn.simulation.parameters import split_values

        mech, prof = split_values(values, self.mechanisms, self.profile, owner="with_parameters")
        rates = derive_rates(mech, self.operating_model, prof, self.economics, self.taste)
        return attrs.evolve(self, mechanisms=mech, profile=prof, rates=rates)


def _bad(field: str, rule: str, value: Any) -> Exception:
    return fail("Dynamics", field, rule, value)


def _int_array(a: Any, field: str, size: int | None, low: int, high: int) -> None:
    if not isinstance(a, np.ndarray) or a.ndim != 1 or a.dtype.kind not in "iu":
        raise _bad(field, "be a 1-d integer array", type(a).__name__)
    if size is not None and a.shape[0] != size:
        raise _bad(field, f"have {size} entries", a.shape[0])
    if a.size and not (int(a.min()) >= low and int(a.max()) <= high):
        raise _bad(field, f"hold indices in {low}..{high}", a[(a < low) | (a > high)][:3])


def check_dynamics(d: Dynamics) -> None:
    """Check a Dynamics before a compiled loop reads it: array types and sizes, every index in
    range, each mechanism's rates of the mechanism's own type (a model built by hand or by
    ``attrs.evolve`` cannot reach a kernel with a bad index).

    Examples
    --------
    >>> import attrs
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> d = compile_dynamics(generate_community("brand", 50, rng=0), OperatingModel())
    >>> attrs.evolve(d, capacity=10)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Dynamics.capacity` must be an integer >= n = 50; \
got 10
    """
    from shequn.simulation.week import MECHANISMS

    n = d.n
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise _bad("n", "be an integer >= 1", n)
    if n > INT_MAX:
        raise _bad("n", "be at most 2**63 - 1 (it is stored as int64)", n)
    if (
        not isinstance(d.capacity, int | np.integer)
        or isinstance(d.capacity, bool)
        or d.capacity < n
    ):
        raise _bad("capacity", f"be an integer >= n = {n}", d.capacity)
    if d.capacity > INT_MAX:
        raise _bad("capacity", "be at most 2**63 - 1 (it is stored as int64)", d.capacity)
    net = d.network
    if not isinstance(net, Network) or net.n != n or net.capacity != d.capacity:
        raise _bad("network", "be the Network of n members and this capacity", type(net).__name__)
    _int_array(net.indptr, "network.indptr", n + 1, 0, 2**62)
    m2 = int(net.indptr[-1])
    if net.indptr[0] != 0 or (np.diff(net.indptr) < 0).any():
        raise _bad("network.indptr", "start at 0 and never decrease", net.indptr[:3])
    _int_array(net.indices, "network.indices", m2, 0, n - 1)
    ne = int(np.asarray(net.eu).shape[0])
    _int_array(net.eu, "network.eu", ne, 0, n - 1)
    _int_array(net.ev, "network.ev", ne, 0, n - 1)
    if ne and not (net.eu < net.ev).all():
        raise _bad("network.eu", "be below network.ev for every tie", "eu >= ev")
    if not isinstance(net.ew, np.ndarray) or net.ew.shape != (ne,):
        raise _bad("network.ew", f"have {ne} weights", np.shape(net.ew))
    _int_array(net.upper_start, "network.upper_start", n, 0, m2)
    _int_array(net.tie_start, "network.tie_start", n + 1, 0, ne)
    upper = net.indptr[1:] - net.upper_start
    if (upper < 0).any() or not np.array_equal(np.diff(net.tie_start), upper):
        raise _bad("network.tie_start", "count each member's upper ties", net.tie_start[:3])
    _int_array(net.base_keys, "network.base_keys", ne, 0, 2**62)
    for name, dtype, shape in (
        ("operator", np.bool_, (n,)),
        ("partner", np.bool_, (n,)),
        ("interest", np.float64, (n,)),
    ):
        a = getattr(d, name)
        if not isinstance(a, np.ndarray) or a.dtype != dtype or a.shape != shape:
            raise _bad(name, f"be a {np.dtype(dtype)} array of shape {shape}", type(a).__name__)
    taste = d.taste
    if not isinstance(taste, np.ndarray) or taste.ndim != 2 or taste.shape[0] != n:
        raise _bad("taste", f"be an ({n}, dimensions) array", np.shape(taste))
    if not np.isfinite(taste).all():
        raise _bad("taste", "be finite", "nan or inf")
    _int_array(d.order, "order", n, 0, n - 1)
    _int_array(d.rank, "rank", n, 0, n - 1)
    _int_array(d.leaders, "leaders", None, 0, n - 1)
    _int_array(d.community_volunteers, "community_volunteers", None, 0, n - 1)
    g = d.groups
    if not isinstance(g, Groups) or g.membership.shape[0] != n:
        raise _bad("groups", f"be the Groups of the {n} members", type(g).__name__)
    names = [mod.NAME for mod in MECHANISMS]
    if not isinstance(d.rates, Mapping) or list(d.rates) != names:
        raise _bad("rates", f"hold the rates of {names}", list(getattr(d.rates, "keys", list)()))
    for mod in MECHANISMS:
        r = d.rates[mod.NAME]
        cls = _rates_class(mod)
        if cls is not None and type(r) is not cls:
            raise _bad(f"rates[{mod.NAME!r}]", f"be a {cls.__name__}", type(r).__name__)
    pr = d.rates["purchases"]
    dim = taste.shape[1]
    if pr.products.ndim != 2 or pr.products.shape[1] != dim or pr.products.shape[0] < 1:
        raise _bad("rates['purchases'].products", f"have {dim} columns", pr.products.shape)
    if pr.popularity_cdf.shape != (pr.products.shape[0],):
        raise _bad(
            "rates['purchases'].popularity_cdf",
            "have one entry per product",
            pr.popularity_cdf.shape,
        )


def _rates_class(mod: Any) -> type | None:
    """The NamedTuple class a mechanism's ``derive`` returns (by its annotation)."""
    ann = mod.derive.__annotations__.get("return")
    return getattr(mod, ann, None) if isinstance(ann, str) else ann


def derive_rates(
    mechanisms: Mechanisms,
    operating_model: OperatingModel,
    profile: Profile,
    economics: Economics,
    taste: FloatArray,
) -> dict[str, Any]:
    """Every mechanism's rates (its ``derive``), by mechanism name."""
    from shequn.simulation.week import MECHANISMS

    s = Setting(operating_model=operating_model, profile=profile, economics=economics, taste=taste)
    out = {}
    for m in MECHANISMS:
        params = None if m.PARAMS is None else mechanisms.part(m.NAME)
        out[m.NAME] = m.derive(params, s)
    return out


def _check_type(value: Any, cls: type, field: str) -> None:
    if not isinstance(value, cls):
        raise fail("compile_dynamics", field, f"be a {cls.__name__}", type(value).__name__)


def compile_dynamics(
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
        Leaders that are not members, more launch seeds than members, a capacity below the
        member count, wrong types.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel, Structure
    >>> c = generate_community("leader", 100, rng=0)
    >>> compile_dynamics(c, OperatingModel()).leaders.tolist()
    [0]
    >>> compile_dynamics(c, OperatingModel(structure=Structure(leaders=[100])))
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Structure.leaders` must be members of the \
community (indices 0..99); got 100
    """
    _check_type(community, Community, "community")
    _check_type(operating_model, OperatingModel, "operating_model")
    profile = profile_for(community.kind) if profile is None else profile
    _check_type(profile, Profile, "profile")
    economics = Economics() if economics is None else economics
    _check_type(economics, Economics, "economics")
    mech = Mechanisms() if mechanisms is None else mechanisms
    _check_type(mech, Mechanisms, "mechanisms")
    n = community.n
    if capacity is None:
        cap = n + n // 2
    else:
        cap = check_int(capacity, owner="compile_dynamics", field="capacity", low=n)
        # a slot's member arrays and taste vector in a State, about 100 bytes with the network's
        check_memory(
            (64.0 + 8.0 * community.taste.shape[1]) * cap + 16.0 * cap,
            owner="compile_dynamics",
            field="capacity",
            value=capacity,
        )
    om = operating_model
    st, tl = om.structure, om.tools

    A = community.adjacency
    if not A.has_canonical_format:  # sorted, duplicate-free rows: ties are found by position
        A = A.copy()
        A.sum_duplicates()
    net = network_of(A, capacity=cap)

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
    n_members = int(n - np.count_nonzero(operator))
    if st.seeds > n_members:
        raise fail(
            "Structure",
            "seeds",
            f"be at most the {n_members} members of the community (operators excluded)",
            st.seeds,
        )
    if st.volunteers is not None and st.volunteers > n_members:
        raise fail(
            "Structure",
            "volunteers",
            f"be at most the {n_members} members of the community (operators excluded)",
            st.volunteers,
        )
    volunteers = np.flatnonzero((roles == int(Role.VOLUNTEER)) & ~operator).astype(np.int64)

    taste = np.asarray(community.taste, dtype=np.float64)
    interest = interest_of(taste)
    order = np.argsort(-interest, kind="stable").astype(np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
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
        network=net,
        operator=operator,
        leaders=leaders,
        community_volunteers=volunteers,
        taste=taste,
        interest=interest,
        order=order,
        rank=rank,
        partner=partner,
        groups=groups,
        operating_model=om,
        profile=profile,
        economics=economics,
        mechanisms=mech,
        rates=derive_rates(mech, om, profile, economics, taste),
    )


def compile(
    community: Community,
    operating_model: OperatingModel,
    profile: Profile | None = None,
    economics: Economics | None = None,
    *,
    mechanisms: Mechanisms | None = None,
    capacity: int | None = None,
) -> Dynamics:
    """Deprecated alias of :func:`compile_dynamics` (``compile`` shadows a builtin)."""
    warnings.warn(
        "shequn.simulation.compile is deprecated; use shequn.simulation.compile_dynamics",
        ShequnDeprecationWarning,
        stacklevel=2,
    )
    return compile_dynamics(
        community, operating_model, profile, economics, mechanisms=mechanisms, capacity=capacity
    )


def half_edge_values(dynamics: Dynamics, values: Any) -> Any:
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
    >>> from shequn.operating import OperatingModel, Structure
    >>> om = OperatingModel(structure=Structure(seeds=1))
    >>> d = compile_dynamics(Community.from_graph(nx.path_graph(3)), om)
    >>> half_edge_values(d, np.array([5.0, 7.0])).tolist()
    [5.0, 5.0, 7.0, 7.0]
    """
    check_instance(dynamics, Dynamics, owner="half_edge_values", field="dynamics")
    A = dynamics.adjacency
    try:
        vals = np.asarray(values)
    except (TypeError, ValueError) as exc:  # ragged nesting and the like
        raise fail("half_edge_values", "values", "be array-like", values) from exc
    if vals.dtype.kind not in "biuf":
        raise fail("half_edge_values", "values", "be a numeric array", vals)
    if vals.dtype.kind == "f" and not np.isfinite(vals).all():
        bad = vals[~np.isfinite(vals)]
        raise fail("half_edge_values", "values", "be finite", bad[:3])
    if vals.ndim != 1 or vals.shape[0] < dynamics.n_edges:
        raise fail(
            "half_edge_values",
            "values",
            f"have >= {dynamics.n_edges} entries",
            vals.shape[0] if vals.ndim else vals,
        )
    n = A.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
    cols = A.indices.astype(np.int64)
    keys = np.minimum(rows, cols) * dynamics.capacity + np.maximum(rows, cols)
    pos = np.searchsorted(dynamics.network.base_keys, keys)
    # base ties are stored sorted by key (eu-major), so key rank = tie index
    return vals[: dynamics.n_edges][pos]
