"""One network generator per community type (seed 001 §4.1), vectorised for millions of members.

Every generator returns a :class:`~shequn.community.Community` whose structure follows the
documented assumptions below. The assumptions are modelling choices, stated so they can be
argued with and overridden through the keyword parameters, not constants of nature.

========  ============================================================  ===========================
type      structure (assumption)                                         seed passage
========  ============================================================  ===========================
brand     member 0 is the brand account, followed by a share            001 §4.1 品牌社群; 004 the
          ``follow`` of members; members also know each other in        Xiaomi forum (members talk
          local clusters (a Watts-Strogatz ring, ``k`` ties each,       to each other, not only to
          rewired with probability ``rewire``)                          the brand)
leader    member 0 is the charismatic leader followed by ``follow`` of  001 §4.1 传输式社群
          members; peer ties are thin and heavy-tailed (Chung-Lu with   (罗辑思维's 罗振宇): the
          expected degrees ~ Pareto(``tail``), mean ``peer_degree``)    leader is the hub
sharing   members sit in small circles of ``circle`` people who share   001 §4.1 共享社群: mutual
          resources (each pair tied with ``p_in``), with a share        benefit, reciprocal ties,
          ``bridge`` of members tied to another circle                  dense local clusters
values    members hold value vectors around ``camps`` value centres;    001 §4.1 价值观社群: shared
          each ties to ``k`` of its nearest neighbours in value space   values; homophily
          (homophily) plus a share ``random_tie`` of random ties
========  ============================================================  ===========================

All types draw ``resources`` from a lognormal (median 1, σ = 1) and mark a share ``volunteers``
of the best-connected ordinary members as volunteers. Tastes are ``dim``-dimensional; only the
values type makes them cluster and predict ties.

Examples
--------
>>> from shequn.community import generate_community
>>> c = generate_community("leader", 500, rng=1)
>>> c.kind.value, c.n, int(c.degree.argmax())
('leader', 500, 0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from shequn._validation import (
    check_in_range,
    check_int,
    check_memory,
    check_positive,
    check_probability,
    fail,
)
from shequn.community._graph import edges_to_csr, trusted_csr
from shequn.community.community import Community
from shequn.community.groups import WECHAT_GROUP_CAP, _form_groups
from shequn.community.types import CommunityType, InvitePolicy, Role
from shequn.rng import RNGLike, resolve_rng

__all__ = ["generate_community"]

IntArr = NDArray[np.int64]


def _watts_strogatz_edges(
    nodes: IntArr, k: int, rewire: float, gen: np.random.Generator
) -> tuple[IntArr, IntArr]:
    m = nodes.shape[0]
    half = max(1, k // 2)
    if m < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    offsets = np.arange(1, min(half, m - 1) + 1)
    src = np.repeat(np.arange(m), offsets.size)
    dst = (src + np.tile(offsets, m)) % m
    flip = gen.random(src.size) < rewire
    dst[flip] = gen.integers(0, m, size=int(flip.sum()))
    return nodes[src], nodes[dst]


def _finish(
    kind: CommunityType,
    n: int,
    u: IntArr,
    v: IntArr,
    gen: np.random.Generator,
    *,
    taste: NDArray[np.float64],
    special: dict[int, Role],
    volunteers: float,
    group_cap: int,
    policy: InvitePolicy,
) -> Community:
    A = edges_to_csr(n, u, v)
    roles = np.zeros(n, dtype=np.int8)
    for i, r in special.items():
        roles[i] = int(r)
    n_vol = round(volunteers * n)
    if n_vol:
        deg = np.diff(A.indptr).astype(np.float64)
        deg[list(special)] = -1.0
        roles[np.argsort(-deg, kind="stable")[:n_vol]] = int(Role.VOLUNTEER)
    resources = gen.lognormal(0.0, 1.0, size=n)
    owners = np.array(sorted(special), dtype=np.int64)
    # A comes from edges_to_csr (symmetric by construction): no need to check it again
    groups = _form_groups(A, cap=group_cap, policy=policy, owners=owners, gen=gen)
    with trusted_csr():  # edges_to_csr builds a canonical symmetric matrix
        return Community(
            adjacency=A, roles=roles, taste=taste, resources=resources, groups=groups, kind=kind
        )


def _brand(
    n: int, gen: np.random.Generator, p: dict[str, Any]
) -> tuple[IntArr, IntArr, NDArray[np.float64], dict[int, Role]]:
    follow = check_probability(p.pop("follow", 0.3), owner="generate_community", field="follow")
    k = check_int(p.pop("k", 6), owner="generate_community", field="k", low=2)
    rewire = check_probability(p.pop("rewire", 0.1), owner="generate_community", field="rewire")
    dim = check_int(p.pop("dim", 2), owner="generate_community", field="dim", low=1)
    members = np.arange(1, n, dtype=np.int64)
    u1, v1 = _watts_strogatz_edges(gen.permutation(members), k, rewire, gen)
    fans = members[gen.random(members.size) < follow]
    u = np.concatenate([u1, np.zeros(fans.size, np.int64)])
    v = np.concatenate([v1, fans])
    taste = gen.normal(size=(n, dim))
    return u, v, taste, {0: Role.BRAND_ACCOUNT}


def _leader(
    n: int, gen: np.random.Generator, p: dict[str, Any]
) -> tuple[IntArr, IntArr, NDArray[np.float64], dict[int, Role]]:
    follow = check_probability(p.pop("follow", 0.9), owner="generate_community", field="follow")
    peer_degree = check_in_range(
        p.pop("peer_degree", 2.0), owner="generate_community", field="peer_degree", low=0.0
    )
    tail = check_in_range(
        p.pop("tail", 2.5), owner="generate_community", field="tail", low=2.0, low_open=True
    )
    dim = check_int(p.pop("dim", 2), owner="generate_community", field="dim", low=1)
    members = np.arange(1, n, dtype=np.int64)
    followers = members[gen.random(members.size) < follow]
    m = round(peer_degree * members.size / 2)
    if members.size >= 2 and m > 0:
        w = gen.pareto(tail - 1.0, size=members.size) + 1.0
        cdf = np.cumsum(w)
        cdf /= cdf[-1]
        ends = np.searchsorted(cdf, gen.random(2 * m), side="right")
        ends = np.minimum(ends, members.size - 1)
        u1, v1 = members[ends[:m]], members[ends[m:]]
    else:
        u1 = v1 = np.empty(0, np.int64)
    u = np.concatenate([np.zeros(followers.size, np.int64), u1])
    v = np.concatenate([followers, v1])
    taste = gen.normal(size=(n, dim))
    return u, v, taste, {0: Role.LEADER}


def _sharing(
    n: int, gen: np.random.Generator, p: dict[str, Any]
) -> tuple[IntArr, IntArr, NDArray[np.float64], dict[int, Role]]:
    circle = check_int(p.pop("circle", 10), owner="generate_community", field="circle", low=2)
    p_in = check_probability(p.pop("p_in", 0.7), owner="generate_community", field="p_in")
    bridge = check_probability(p.pop("bridge", 0.3), owner="generate_community", field="bridge")
    dim = check_int(p.pop("dim", 2), owner="generate_community", field="dim", low=1)
    order = gen.permutation(n).astype(np.int64)
    n_full = n // circle
    iu, ju = np.triu_indices(circle, k=1)
    base = (np.arange(n_full) * circle)[:, None]
    a = (base + iu[None, :]).ravel()
    b = (base + ju[None, :]).ravel()
    rest = n - n_full * circle
    if rest >= 2:
        ir, jr = np.triu_indices(rest, k=1)
        a = np.concatenate([a, n_full * circle + ir])
        b = np.concatenate([b, n_full * circle + jr])
    keep = gen.random(a.size) < p_in
    u1, v1 = order[a[keep]], order[b[keep]]
    # guarantee nobody is isolated inside a circle: tie each member to the next in its circle
    pos = np.arange(n)
    nxt = np.where((pos % circle == circle - 1) | (pos == n - 1), pos - pos % circle, pos + 1)
    u2, v2 = order[pos], order[nxt]
    bridgers = np.flatnonzero(gen.random(n) < bridge)
    u3 = bridgers.astype(np.int64)
    v3 = gen.integers(0, n, size=bridgers.size)
    u = np.concatenate([u1, u2, u3])
    v = np.concatenate([v1, v2, v3])
    taste = gen.normal(size=(n, dim))
    return u, v, taste, {}


def _values(
    n: int, gen: np.random.Generator, p: dict[str, Any]
) -> tuple[IntArr, IntArr, NDArray[np.float64], dict[int, Role]]:
    camps = check_int(p.pop("camps", 5), owner="generate_community", field="camps", low=1)
    k = check_int(p.pop("k", 6), owner="generate_community", field="k", low=1)
    spread = check_positive(p.pop("spread", 0.35), owner="generate_community", field="spread")
    random_tie = check_probability(
        p.pop("random_tie", 0.05), owner="generate_community", field="random_tie"
    )
    dim = check_int(p.pop("dim", 2), owner="generate_community", field="dim", low=1)
    centres = gen.normal(size=(camps, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    camp = gen.integers(0, camps, size=n)
    taste = centres[camp] + spread * gen.normal(size=(n, dim))
    kk = min(k, n - 1)
    if kk >= 1:
        _, nn = cKDTree(taste).query(taste, k=kk + 1)
        nn = np.asarray(nn).reshape(n, kk + 1)[:, 1:]
        u1 = np.repeat(np.arange(n, dtype=np.int64), kk)
        v1 = nn.ravel().astype(np.int64)
    else:
        u1 = v1 = np.empty(0, np.int64)
    r = np.flatnonzero(gen.random(n) < random_tie).astype(np.int64)
    u = np.concatenate([u1, r])
    v = np.concatenate([v1, gen.integers(0, n, size=r.size)])
    return u, v, taste, {}


_GENERATORS: dict[
    CommunityType,
    Callable[
        [int, np.random.Generator, dict[str, Any]],
        tuple[IntArr, IntArr, NDArray[np.float64], dict[int, Role]],
    ],
] = {
    CommunityType.BRAND: _brand,
    CommunityType.LEADER: _leader,
    CommunityType.SHARING: _sharing,
    CommunityType.VALUES: _values,
}


def generate_community(
    kind: CommunityType | str,
    n: int,
    *,
    rng: RNGLike = None,
    volunteers: float = 0.005,
    group_cap: int = WECHAT_GROUP_CAP,
    invite_policy: InvitePolicy = InvitePolicy.OPEN,
    **params: Any,
) -> Community:
    """Generate a community of ``n`` members of the given type.

    Parameters
    ----------
    kind
        ``"brand"``, ``"leader"``, ``"sharing"``, ``"values"`` (or a :class:`CommunityType`,
        or the Chinese name).
    n
        Number of members (including the brand account or leader), at least 2.
    rng
        Seed material; the same value gives an identical community.
    volunteers
        Share of members marked as volunteers (the best-connected ordinary members).
    group_cap, invite_policy
        Chat groups: size cap (default 500, WeChat) and who may invite.
    **params
        Type-specific structure parameters, see the module table: brand ``follow=0.3, k=6,
        rewire=0.1``; leader ``follow=0.9, peer_degree=2.0, tail=2.5``; sharing ``circle=10,
        p_in=0.7, bridge=0.3``; values ``camps=5, k=6, spread=0.35, random_tie=0.05``; all
        ``dim=2``. Unknown names are refused.

    Returns
    -------
    Community

    Examples
    --------
    >>> c = generate_community("sharing", 200, rng=3, circle=8)
    >>> c.n, c.kind.chinese
    (200, '共享社群')
    >>> generate_community("brand", 0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `generate_community.n` must be an integer >= 2; got 0
    """
    ctype = CommunityType.parse(kind, owner="generate_community", field="kind")
    n = check_int(n, owner="generate_community", field="n", low=2)
    # taste, roles, resources, groups and a few dozen ties per member: well under 1 KiB each
    check_memory(1024.0 * n, owner="generate_community", field="n", value=n)
    volunteers = check_probability(volunteers, owner="generate_community", field="volunteers")
    group_cap = check_int(group_cap, owner="generate_community", field="group_cap", low=1)
    if not isinstance(invite_policy, InvitePolicy):
        raise fail("generate_community", "invite_policy", "be an InvitePolicy", invite_policy)
    gen = resolve_rng(rng, owner="generate_community")
    p = dict(params)
    u, v, taste, special = _GENERATORS[ctype](n, gen, p)
    if p:
        raise fail(
            "generate_community",
            next(iter(p)),
            f"be a known parameter of the {ctype.value} generator",
            p[next(iter(p))],
        )
    return _finish(
        ctype,
        n,
        u,
        v,
        gen,
        taste=taste,
        special=special,
        volunteers=volunteers,
        group_cap=group_cap,
        policy=invite_policy,
    )
