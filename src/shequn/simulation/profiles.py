"""Default behavioural profiles per community type: one readable table of assumptions.

Every value below is an *assumption*, not a constant of nature: a number chosen so the four
types differ the way seed 001 §4.1 describes them, with the passage it follows. Override any
value with :func:`attrs.evolve` (``attrs.evolve(PROFILES[CommunityType.BRAND],
baseline_churn=0.01)``) and pass the profile to :func:`shequn.simulation.simulate`.

=====================  =====  ======  =======  ======  ===================================
field (unit)           brand  leader  sharing  values  seed passage behind the difference
=====================  =====  ======  =======  ======  ===================================
baseline_churn (/wk)   0.020  0.020   0.015    0.010   001: 共享社群 binds by benefit,
                                                       价值观社群 by shared values
baseline_engagement    0.30   0.30    0.35     0.40    001: values and sharing bind members
                                                       to each other, brands to a product
peer_talk              0.50   0.30    0.70     0.60    001: 共享社群 用户之间共享资源;
                                                       传输式 members listen to the leader
leader_dependence      0.20   0.80    0.10     0.30    001: 传输式社群建立在一个极具魅力的
                                                       精神领袖之上
homophily              0.30   0.20    0.30     0.80    001: 价值观社群 通过某一种共同的
                                                       价值观进行链接
invite_propensity      0.020  0.030   0.020    0.015   004: 朋友可以拉来更多的朋友; leaders'
                                                       fans recruit most eagerly
engagement_response    0.15   0.15    0.15     0.15    002: 长期的质优的内容 (same for all)
repost_propensity      0.50   0.60    0.40     0.50    001: 文章的传播效果 ... 取决于转发量
initial_customers      0.30   0.20    0.20     0.20    001 品牌社群: a brand's customers
=====================  =====  ======  =======  ======  ===================================

Examples
--------
>>> import attrs
>>> from shequn.community import CommunityType
>>> from shequn.simulation.profiles import PROFILES, profile_for
>>> PROFILES[CommunityType.LEADER].leader_dependence
0.8
>>> attrs.evolve(profile_for("values"), baseline_churn=0.0).baseline_churn
0.0
"""

from __future__ import annotations

import attrs

from shequn.community.types import CommunityType
from shequn.simulation.mechanisms._spec import param

__all__ = ["PROFILES", "Profile", "profile_for"]


@attrs.frozen(kw_only=True)
class Profile:
    """How members of one community type behave, before the operating model acts.

    Attributes
    ----------
    baseline_churn
        Weekly probability in [0, 1] that a member with zero engagement and no strong tie leaves.
    baseline_engagement
        Engagement in [0, 1] members relax toward without content, talk or leaders.
    peer_talk
        Weekly probability in [0, 1] that two fully engaged, tied members talk (scaled by
        ``Connectivity.person_person`` and both engagements).
    leader_dependence
        Share in [0, 1] of engagement gains that flow only through a tie to an active leader or
        volunteer (0: leaders add nothing; 1: nothing reaches a member without one).
    homophily
        Taste correlation in [0, 1] between an inviter and the friend they bring in.
    invite_propensity
        Weekly probability in [0, 1] that a fully engaged member who may invite brings someone.
    engagement_response
        Engagement gained in [0, 1] per good content item read (times quality).
    repost_propensity
        Probability in [0, 1] that a reader of perfect content reposts it (times quality and
        ``Connectivity.person_person``).
    initial_customers
        Share in [0, 1] of members who have already bought at week 0.
    """

    baseline_churn: float = param(
        0.02,
        unit="probability / week",
        source="001 共享社群 binds by benefit, 价值观社群 by values; sizes assumed",
    )
    baseline_engagement: float = param(
        0.3,
        unit="engagement",
        source="001 values and sharing bind members to each other; sizes assumed",
    )
    peer_talk: float = param(
        0.5,
        unit="probability / week",
        source="001 共享社群 用户之间共享资源; 传输式 members listen to the leader",
    )
    leader_dependence: float = param(
        0.2, unit="share", source="001 传输式社群建立在一个极具魅力的精神领袖之上"
    )
    homophily: float = param(
        0.3, unit="taste correlation", source="001 价值观社群 通过某一种共同的价值观进行链接"
    )
    invite_propensity: float = param(
        0.02, unit="probability / week", source="004 朋友可以拉来更多的朋友"
    )
    engagement_response: float = param(
        0.15, unit="engagement / item", source="002 长期的质优的内容 (same for all types)"
    )
    repost_propensity: float = param(
        0.5, unit="probability / item", source="001 文章的传播效果……取决于转发量"
    )
    initial_customers: float = param(
        0.3, unit="share", source="001 品牌社群 is built on a brand's customers"
    )


PROFILES: dict[CommunityType, Profile] = {
    CommunityType.BRAND: Profile(),
    CommunityType.LEADER: Profile(
        baseline_churn=0.02,
        baseline_engagement=0.3,
        peer_talk=0.3,
        leader_dependence=0.8,
        homophily=0.2,
        invite_propensity=0.03,
        repost_propensity=0.6,
        initial_customers=0.2,
    ),
    CommunityType.SHARING: Profile(
        baseline_churn=0.015,
        baseline_engagement=0.35,
        peer_talk=0.7,
        leader_dependence=0.1,
        homophily=0.3,
        invite_propensity=0.02,
        repost_propensity=0.4,
        initial_customers=0.2,
    ),
    CommunityType.VALUES: Profile(
        baseline_churn=0.01,
        baseline_engagement=0.4,
        peer_talk=0.6,
        leader_dependence=0.3,
        homophily=0.8,
        invite_propensity=0.015,
        repost_propensity=0.5,
        initial_customers=0.2,
    ),
}
"""The default profile of each community type (see the module table)."""


def profile_for(kind: CommunityType | str | None) -> Profile:
    """The default profile of a community type (the brand profile for a user graph, ``None``).

    Examples
    --------
    >>> profile_for(None) == profile_for("brand")
    True
    """
    if kind is None:
        return PROFILES[CommunityType.BRAND]
    return PROFILES[CommunityType.parse(kind, owner="profile_for")]
