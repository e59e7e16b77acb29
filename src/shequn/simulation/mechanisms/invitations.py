"""器 Invitations and fission: members bring friends, full groups split (seeds 003, 004).

Seed 004: 微信群, 朋友可以拉来更多的朋友, qq群却是封闭的, 只有群主才能加入朋友 ("in a WeChat group
friends bring more friends; a QQ group is closed, only the owner adds people"); seed 003:
多中心的裂变 (multi-centre fission).

Engaged members allowed by the policy (``Tools.invite_policy``: ``OPEN``, anyone in a group;
``OWNER_ONLY``, the owners of the groups they are in) bring a friend with probability
``invite_propensity · e`` a week (profile). Invitations stop when the member slots are full
(at random among the week's inviters). The newcomer's taste is ``h · inviter + √(1 − h²) ·
noise`` (``h`` the profile's ``homophily``); they tie to the inviter and to up to
``newcomer_friends`` of the inviter's present friends, and join the inviter's group while it
has room (``Structure.group_cap``), otherwise found new groups (fission).

Examples
--------
>>> from shequn.simulation.mechanisms.invitations import InvitationParams
>>> InvitationParams().newcomer_friends
2
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import IntArray
from shequn.community.types import InvitePolicy
from shequn.loyalty.stages import Stage
from shequn.simulation._network import FAR, Network, TieBook, interest_of, random_neighbour
from shequn.simulation._numba import inline
from shequn.simulation.mechanisms._spec import Flow, Setting, int_param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "InvitationParams", "InvitationRates"]

NAME = "invitations"
PROFILE_FIELDS = ("invite_propensity", "homophily")
F32 = np.float32


@attrs.frozen(kw_only=True)
class InvitationParams:
    """Rates of invitations.

    Attributes
    ----------
    newcomer_friends
        Friends of the inviter a newcomer also ties to.
    """

    newcomer_friends: int = int_param(
        2, low=0, unit="ties", source="004 朋友可以拉来更多的朋友; size assumed"
    )


PARAMS = InvitationParams

FLOWS = (Flow(name="newcomers", unit="members", meaning="friends brought in by members"),)


class InvitationRates(NamedTuple):
    """What the final pass and the newcomers read (derived at compile time)."""

    on: bool
    owner_only: bool
    propensity: float
    homophily: float
    friends: int
    baseline: float


def derive(params: InvitationParams, s: Setting) -> InvitationRates:
    """Invitations need a group chat and a propensity above zero."""
    tl, prof = s.operating_model.tools, s.profile
    return InvitationRates(
        on=bool(tl.group_chat and prof.invite_propensity > 0),
        owner_only=tl.invite_policy is not InvitePolicy.OPEN,
        propensity=float(prof.invite_propensity),
        homophily=float(prof.homophily),
        friends=int(params.newcomer_friends),
        baseline=float(prof.baseline_engagement),
    )


def owners_present(capacity: int, owners: IntArray, group: Any) -> Any:
    """Per slot: the owner of a group it still is in (who may invite under ``OWNER_ONLY``)."""
    owner_ok = np.zeros(capacity, dtype=bool)
    g_ids = np.flatnonzero(owners >= 0)
    own = owners[g_ids]
    owner_ok[own[group[own] == g_ids]] = True
    return owner_ok


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def invites(r: InvitationRates, in_group: bool, owner: bool, e: float, u: float) -> bool:
    """A member in a group (an owner, under ``OWNER_ONLY``) invites with ``propensity · e``."""
    ok = in_group & ((not r.owner_only) | owner)
    return ok & (u < r.propensity * e)


# ----------------------------------------------------------------------------- newcomers
def bring_in(
    gen: np.random.Generator,
    r: InvitationRates,
    inviters: IntArray,
    *,
    first: int,
    slots: Any,
    stage: Any,
    e: Any,
    group: Any,
    owners: IntArray,
    sizes: IntArray,
    group_cap: int,
    net: Network,
    ties: TieBook,
) -> IntArray:
    """Newcomers for ``inviters`` (one each) in slots ``first, first + 1, ...``; returns the
    group owners (new groups appended when full groups split).

    ``slots`` holds the per-slot attributes fixed on arrival (``taste``, ``interest``,
    ``order``, ``distance``), written in place.
    """
    n_new = int(inviters.size)
    new = np.arange(first, first + n_new, dtype=np.int64)
    taste = slots.taste
    hmp = r.homophily
    taste[new] = hmp * taste[inviters] + math.sqrt(1.0 - hmp * hmp) * gen.normal(
        size=(n_new, taste.shape[1])
    )
    slots.interest[new] = interest_of(taste[new])
    slots.order[new] = new
    slots.distance[new] = np.minimum(slots.distance[inviters].astype(np.int64) + 1, FAR).astype(
        np.int8
    )
    stage[new] = int(Stage.PROSPECT)
    e[new] = F32(r.baseline)
    # groups: join the inviter's group while it has room, else found new groups
    o = np.argsort(group[inviters], kind="stable")
    gi = group[inviters][o]
    first_of = np.searchsorted(gi, gi, side="left")
    rank = np.arange(n_new) - first_of
    room_g = group_cap - sizes[gi]
    joins = rank < room_g
    newcomer = new[o]
    group[newcomer[joins]] = gi[joins]
    ov = ~joins
    new_owners = owners
    if ov.any():
        block = (rank[ov] - room_g[ov]) // group_cap
        key = gi[ov].astype(np.int64) * (n_new + 1) + block
        _, firsts, inv_idx = np.unique(key, return_index=True, return_inverse=True)
        group[newcomer[ov]] = owners.size + inv_idx
        new_owners = np.concatenate([owners, newcomer[ov][firsts]])
    # ties to the inviter and some of the inviter's friends (present ones)
    fa = [inviters]
    fb = [new]
    for _ in range(r.friends):
        fr = random_neighbour(net, inviters, gen)
        ok = fr >= 0
        ok[ok] &= (stage[fr[ok]] >= 0) & (stage[fr[ok]] < int(Stage.LAPSED))
        fa.append(np.where(ok, fr, -1))
        fb.append(new)
    ties.add(np.concatenate(fa), np.concatenate(fb), 0.0)
    return new_owners
