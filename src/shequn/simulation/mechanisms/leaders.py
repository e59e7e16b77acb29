"""术 Leaders and volunteers: central persons carry the engagement of their community (seed 001).

Seed 001: 传输式社群建立在一个极具魅力的精神领袖之上 ("a leader-centred community is built on a
charismatic spiritual leader"); 设立一个独具魅力的人格载体 ("set up a charismatic persona");
选举志愿者……社群内的成员会自发行动起来 ("elect volunteers … members then act of themselves").

Leaders (``Structure.leaders`` or the community's ``Role.LEADER`` members) are active with
``Structure.leader_activity`` until ``Structure.leader_leaves_at``; volunteers (appointed by
degree or at random, or the community's ``Role.VOLUNTEER`` members) with
``Structure.volunteer_activity`` while they are present. A member's leader reach is
``lead_i = min(1, own activity + Σ_j w_ij activity_j)``. With ``D`` the profile's
``leader_dependence``, engagement gains are multiplied by ``(1 − D) + D · leader_gain · lead_i``
and the engagement a member relaxes toward is ``baseline · ((1 − D) + D · lead_i)``: in a
leader-centred community most engagement flows through the leader, so his departure removes it.

Examples
--------
>>> from shequn.simulation.mechanisms.leaders import LeaderParams
>>> LeaderParams().leader_gain
1.5
"""

from __future__ import annotations

from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import BoolArray, IntArray
from shequn._validation import nonnegative
from shequn.simulation._numba import inline
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "LeaderParams", "LeaderRates"]

NAME = "leaders"
PROFILE_FIELDS = ("leader_dependence",)

F32 = np.float32


@attrs.frozen(kw_only=True)
class LeaderParams:
    """Rates of the leader and volunteer mechanism.

    Attributes
    ----------
    leader_gain
        Multiplier of the leader-dependent share of gains for members tied to an active leader
        or volunteer.
    """

    leader_gain: float = param(
        1.5,
        nonnegative,
        unit="multiplier",
        source="001 设置中心人带动社群交流 (a central person drives the talk); size assumed",
    )


PARAMS = LeaderParams

FLOWS: tuple[Flow, ...] = ()


class LeaderRates(NamedTuple):
    """What the passes read (derived at compile time)."""

    dependence: float
    gain: float
    activity: float
    leaves_at: int
    volunteer_activity: float


def derive(params: LeaderParams, s: Setting) -> LeaderRates:
    """Activity and departure from 术 ``Structure``; dependence from the profile."""
    om = s.operating_model
    profile = s.profile
    st = om.structure
    return LeaderRates(
        dependence=float(profile.leader_dependence),
        gain=float(params.leader_gain),
        activity=float(st.leader_activity),
        leaves_at=-1 if st.leader_leaves_at is None else int(st.leader_leaves_at),
        volunteer_activity=float(st.volunteer_activity),
    )


def present(r: LeaderRates, week: int) -> bool:
    """Whether the leaders are still there in (1-based) ``week``."""
    return r.leaves_at < 0 or week < r.leaves_at


def reach(
    r: LeaderRates,
    week: int,
    *,
    capacity: int,
    leaders: IntArray,
    volunteers: IntArray,
    cust: BoolArray,
    lv_ties: IntArray,
    eu: Any,
    ev: Any,
    ew: Any,
) -> Any:
    """``lead_i = act_i + Σ_j w_ij act_j`` (capped at 1 where it is used) for every slot."""
    act = np.zeros(capacity, dtype=np.float32)
    if present(r, week) and leaders.size:
        act[leaders] = r.activity
    if volunteers.size:
        act[volunteers] = np.where(cust[volunteers], F32(r.volunteer_activity), F32(0.0))
    if not lv_ties.size:
        return act
    # lead[u] += act[v] w and lead[v] += act[u] w, tie after tie (np.add.at adds in order)
    u, v, w = eu[lv_ties], ev[lv_ties], ew[lv_ties]
    ends = np.empty(2 * lv_ties.size, dtype=np.int64)
    ends[0::2] = u
    ends[1::2] = v
    gain = np.empty(2 * lv_ties.size, dtype=np.float32)
    gain[0::2] = act[v] * w
    gain[1::2] = act[u] * w
    lead = act.copy()
    np.add.at(lead, ends, gain)
    return lead


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def capped(lead: float) -> float:
    """A member's leader reach, at most 1."""
    x = float(lead)
    return x if x < 1.0 else 1.0


@inline  # type: ignore[misc, unused-ignore]
def amplify(r: LeaderRates, gain: float, li: float) -> float:
    """Gains pass through the leader: ``min(1, gain · ((1 − D) + D · leader_gain · lead))``."""
    D = r.dependence
    g = gain * ((1.0 - D) + D * r.gain * li)
    return g if g < 1.0 else 1.0


@inline  # type: ignore[misc, unused-ignore]
def target(r: LeaderRates, baseline: float, li: float) -> float:
    """The engagement a member relaxes toward: ``baseline · ((1 − D) + D · lead)``."""
    D = r.dependence
    return baseline * ((1.0 - D) + D * li)
