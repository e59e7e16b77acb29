"""法 Content: the weekly items, who reads them, reposts, and what reading does (seeds 001, 002).

Seed 002: 长期的质优的内容稳定的输出 ("long-term, steady output of quality content"); seed 001:
文章的传播效果……取决于文章的转发量 ("an article's reach depends on its reposts") and 二三级人脉
(second- and third-degree contacts, seed 000).

* **Followers.** The week's items (``Content.cadence``, steady or in bursts) go to the
  ``Connectivity.product_visibility`` share of present members, most interested first
  (followers gather most interested first; newcomers queue at the end). A follower opens with
  probability ``interest × (0.5 + 0.5 e)`` (or the calibrated ``open_rate`` hook of the
  broadcast mechanism).
* **Reposts.** A reader reposts with ``repost_propensity × quality``; each present, unreached
  friend of a reposter reads with probability ``person_person``: a branching process over
  ``repost_hops`` hops.
* **Reading.** A reader gains ``1 − (1 − engagement_response · quality)^min(items, attention)``
  and loses ``1 − (1 − overload (1 − quality))^(items − attention)`` beyond the attention limit;
  a reader converts with ``content_conversion × quality × fit`` (the featured product).
* **Friendship content** (``Content.social_share``): a reader who talked this week meets a
  friend of a friend with ``triangle_rate · social_share · quality · e`` (triangle closing).

Examples
--------
>>> from shequn.simulation.mechanisms.content import ContentParams
>>> ContentParams().attention
3.0
"""

from __future__ import annotations

from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import BoolArray, IntArray
from shequn._validation import positive
from shequn.operating.model import Schedule
from shequn.simulation._numba import inline, kernel
from shequn.simulation.mechanisms._spec import Flow, Setting, int_param, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "ContentParams", "ContentRates", "ContentWeek"]

NAME = "content"
PROFILE_FIELDS = ("engagement_response", "repost_propensity")


@attrs.frozen(kw_only=True)
class ContentParams:
    """Rates of the content mechanism (per week).

    Attributes
    ----------
    attention
        Items per week a member can absorb (> 0); items beyond it overload.
    overload
        Engagement lost per excess item, times ``1 − quality``.
    content_conversion
        Conversion per week of content read, times quality and fit.
    triangle_rate
        Probability that a reader of social content who talked this week meets a friend of a
        friend (times ``social_share · quality · e``).
    repost_hops
        Hops a content item travels by reposts in a week.
    """

    attention: float = param(
        3.0, positive, unit="items / week", source="assumed: a few items a week are read"
    )
    overload: float = param(
        0.05,
        unit="engagement / excess item",
        source="assumed: attention is limited (002 稳定度: steady output beats bursts)",
    )
    content_conversion: float = param(
        0.02, unit="probability / week read", source="assumed: a few percent a week"
    )
    triangle_rate: float = param(
        0.2,
        unit="probability / week",
        source="001 交友内容 (friendship content); size assumed",
    )
    repost_hops: int = int_param(3, low=0, unit="hops", source="000 二三级人脉 (2nd, 3rd degree)")


PARAMS = ContentParams

FLOWS = (
    Flow(name="content_items", unit="items", meaning="content items published this week"),
    Flow(name="content_direct", unit="members", meaning="followers who opened this week's items"),
    Flow(name="content_hop1", unit="members", meaning="readers reached by one repost hop"),
    Flow(name="content_hop2", unit="members", meaning="readers reached at the second hop"),
    Flow(name="content_hop3", unit="members", meaning="readers reached at the third hop"),
    Flow(name="content_reach", unit="members", meaning="readers this week, all hops"),
    Flow(
        name="cost_content",
        unit="money",
        meaning="cost of the items published (Economics.cost_per_content each)",
        cost=True,
        marketing=True,
    ),
)


class ContentRates(NamedTuple):
    """What the content mechanism needs each week (derived once, at compile time)."""

    items_steady: float
    burst_period: int
    bursty: bool
    quality: float
    social_share: float
    visibility: float
    flow: float
    response: float
    p_share: float
    attention: float
    overload: float
    conversion: float
    triangle_rate: float
    hops: int
    cost_per_item: float


class ContentWeek(NamedTuple):
    """This week's reading effects, read by the member pass."""

    gain: float
    loss: float
    p_triangle: float
    conversion: float


def derive(params: ContentParams, s: Setting) -> ContentRates:
    """Compile-time rates from 法 ``Content``, 通 ``Connectivity`` and the profile."""
    om = s.operating_model
    profile = s.profile
    economics = s.economics
    ct, cn = om.content, om.connectivity
    return ContentRates(
        items_steady=float(ct.cadence),
        burst_period=int(ct.burst_period),
        bursty=ct.schedule is Schedule.BURSTY,
        quality=float(ct.quality),
        social_share=float(ct.social_share),
        visibility=float(cn.product_visibility),
        flow=float(cn.person_person),
        response=float(profile.engagement_response),
        p_share=float(profile.repost_propensity * ct.quality),
        attention=float(params.attention),
        overload=float(params.overload),
        conversion=float(params.content_conversion * ct.quality),
        triangle_rate=float(params.triangle_rate),
        hops=int(params.repost_hops),
        cost_per_item=float(economics.cost_per_content),
    )


def items_in_week(r: ContentRates, week: int) -> float:
    """Items delivered in (0-based) ``week``: steady, or all of a period's items at once."""
    if not r.bursty:
        return r.items_steady
    return r.items_steady * r.burst_period if week % r.burst_period == 0 else 0.0


def week_effects(r: ContentRates, items: float, talked: bool) -> ContentWeek:
    """This week's gain and overload of a reader, and the triangle-closing probability.

    ``talked``: whether anyone talked this week (friends of friends meet through talk).
    """
    useful = min(items, r.attention)
    excess = items - useful
    tri_on = bool(talked and r.social_share > 0 and items > 0)
    return ContentWeek(
        gain=float(1.0 - (1.0 - r.response * r.quality) ** useful),
        loss=float(1.0 - (1.0 - r.overload * (1.0 - r.quality)) ** excess),
        p_triangle=float(r.triangle_rate * r.social_share * r.quality if tri_on else 0.0),
        conversion=float(r.conversion),
    )


# ----------------------------------------------------------------------------- compiled
@kernel  # type: ignore[misc, unused-ignore]
def _nb_spread(
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
    frontier = np.empty(max(n_used, 1), np.int64)
    nxt = np.empty(max(n_used, 1), np.int64)
    flag = np.empty(max(n_used, 1), np.uint8)  # 1: present, 2: read (one look-up for both)
    # followers: the first n_f present members of ``order``, i.e. present members whose rank
    # (position in ``order``) is below ``top``
    f = 0
    top = 0
    while f < n_f and top < n_used:
        f += cust[order[top]]
        top += 1
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


def spread(
    gen: np.random.Generator,
    r: ContentRates,
    *,
    order: IntArray,
    rank: IntArray,
    n: int,
    n_used: int,
    cust: BoolArray,
    interest: Any,
    e: Any,
    n_followers: int,
    open_prob: float | None,
    indptr: IntArray,
    indices: Any,
    read: BoolArray,
) -> IntArray:
    """Followers open (most interested first), then reposts spread ``repost_hops`` hops.

    Marks readers in ``read`` (in place) and returns readers per hop (direct opens first).
    The followers are the first ``n_followers`` present members of ``order`` (``rank`` is
    each week-0 member's position in it; later slots follow in arrival order); each opens
    with ``open_prob`` (the calibration hook) or ``interest (0.5 + 0.5 e)``; each reader
    shares with ``p_share`` (week-0 members only: they have CSR rows) and each present,
    unreached neighbour of a sharer reads with probability ``person_person``.
    """
    u_open = gen.random(max(int(n_used), 1), dtype=np.float32)
    counts: IntArray = _nb_spread(
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
        r.p_share,
        r.flow,
        r.hops,
        read,
        gen,
    )
    return counts


@inline  # type: ignore[misc, unused-ignore]
def read_effect(w: ContentWeek, read: bool) -> tuple[float, float]:
    """Engagement gain and overload loss of a member who read this week (0, 0 otherwise)."""
    return (w.gain, w.loss) if read else (0.0, 0.0)


@inline  # type: ignore[misc, unused-ignore]
def conversion(w: ContentWeek, fit: float) -> float:
    """Conversion of a prospect who read content featuring a product of the given fit."""
    return w.conversion * fit


@inline  # type: ignore[misc, unused-ignore]
def meets_friend_of_friend(w: ContentWeek, u: float, e: float) -> bool:
    """A reader who talked meets a friend of a friend with ``p_triangle · e``."""
    return u < w.p_triangle * e


def friends_of_friends(
    gen: np.random.Generator, readers: Any, ip: IntArray, ind: Any, cust: BoolArray
) -> tuple[IntArray, IntArray]:
    """Pair each reader with a random friend of a random friend (week-0 network).

    Readers with friends draw two uniforms each, in order: a friend ``j``, then one of ``j``'s
    friends; pairs whose friend of a friend is a present member other than the reader are kept
    (the candidate new ties of friendship content).
    """
    d_i = ip[readers + 1] - ip[readers]
    r = readers[d_i > 0]
    di = d_i[d_i > 0]
    if r.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    u = gen.random(2 * r.size).reshape(-1, 2)  # (a friend of a reader is never friendless
    j = ind[ip[r] + np.minimum((u[:, 0] * di).astype(np.int64), di - 1)]  # in a symmetric
    dj = ip[j + 1] - ip[j]  # network, so every reader with friends draws two uniforms)
    if not (dj > 0).all():  # pragma: no cover - an asymmetric network: the draws one by one
        raise AssertionError("the member network must be symmetric")
    kk = ind[ip[j] + np.minimum((u[:, 1] * dj).astype(np.int64), dj - 1)].astype(np.int64)
    ok = cust[kk] & (kk != r)
    return r[ok].astype(np.int64), kk[ok]
