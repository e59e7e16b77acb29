"""The operating model 通 / 法 / 术 / 器 (seed 001 §4.2): four frozen, validated value types.

Seed 001 names four elements of running a community (社群运营四要素)::

    通是指信息对称, 即人与人之间信息对称、人与信息之间对称、人与商品之间对称。
    法是指内容: 分为学习内容即有价值的信息, 交友内容 ..., 以及关系链。
    术是指社群运营的基本要素: 注重结构和设置中心人带动社群交流。
    器是指主要借助工具和辅助工具。

("Connectivity means information symmetry between people, between people and information, and
between people and products. Content means learning content, friendship content and
relationship chains. Structure means the basic elements of running a community: attention to
structure and a central person who drives conversation. Tools are the main and auxiliary
tools.")

Each pillar is a frozen ``attrs`` class whose fields carry a unit, a range and a default. The
simulation engine (:func:`shequn.simulation.compile`) turns them into mechanism parameters.
Change a field with :func:`attrs.evolve`. Every out-of-range value raises
:class:`~shequn.exceptions.InvalidParameterError` naming the class, the field, the rule and the
value.

Examples
--------
>>> import attrs
>>> from shequn.operating import Content, OperatingModel
>>> om = OperatingModel()
>>> om.content.cadence, om.tools.invite_policy.value
(3.0, 'open')
>>> bursty = attrs.evolve(om, content=attrs.evolve(om.content, schedule="bursty"))
>>> bursty.content.schedule
<Schedule.BURSTY: 'bursty'>
>>> Content(quality=1.2)
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `Content.quality` must be in [0, 1]; got 1.2
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from shequn._validation import (
    as_float,
    check_choice,
    check_count,
    check_nonnegative,
    count,
    fail,
    in_range,
    nonnegative,
    probability,
)
from shequn.community.groups import WECHAT_GROUP_CAP
from shequn.community.types import InvitePolicy

__all__ = [
    "Connectivity",
    "Content",
    "FeedbackChannel",
    "OperatingModel",
    "Schedule",
    "Structure",
    "Tools",
]


class FeedbackChannel(enum.Enum):
    """How customers reach the company (seed 004).

    ``OPEN``: a forum where complaints are public and answered (Xiaomi's forum); ``CLOSED``: a
    hotline only (the "400 number"), complaints stay private and often unanswered.
    """

    OPEN = "open"
    CLOSED = "closed"


class Schedule(enum.Enum):
    """How content is spread over time at the same volume (seed 002: 稳定度, steadiness).

    ``STEADY``: ``cadence`` items every week; ``BURSTY``: ``cadence × burst_period`` items in
    one week out of every ``burst_period``.
    """

    STEADY = "steady"
    BURSTY = "bursty"


def _parse_enum(cls: type[enum.Enum], value: Any, owner: str, field: str) -> Any:
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        key = value.strip().lower()
        for m in cls:
            if key in (m.value, m.name.lower()):
                return m
    raise fail(owner, field, f"be one of {[m.value for m in cls]}", value)


def _to_feedback(value: Any) -> FeedbackChannel:
    out: FeedbackChannel = _parse_enum(FeedbackChannel, value, "Connectivity", "feedback")
    return out


def _to_schedule(value: Any) -> Schedule:
    out: Schedule = _parse_enum(Schedule, value, "Content", "schedule")
    return out


def _leaders_converter(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        items = tuple(value)
    except TypeError:
        items = (value,)
    return tuple(check_count(v, owner="Structure", field="leaders", low=0) for v in items)


def _optional_week(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        check_count(value, owner=type(instance).__name__, field=attribute.name, low=1)


def _is_bool(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise fail(type(instance).__name__, attribute.name, "be True or False", value)


@attrs.frozen(kw_only=True)
class Connectivity:
    """通 information symmetry: how freely information flows (seed 001 §4.2; seed 004).

    Attributes
    ----------
    person_person
        Probability in [0, 1] that information offered along a tie is passed on (a message is
        answered, a repost is seen); scales peer talk and reposts. Default 0.6. Seed 001:
        人与人之间信息对称.
    product_visibility
        Share in [0, 1] of present members who follow the community account and so receive the
        weekly content bundle (person-information, person-product symmetry). Followers are the
        most interested members first. Default 0.5. Seed 001: 人与信息之间对称、人与商品之间对称.
    feedback
        :class:`FeedbackChannel` ``OPEN`` (a forum: complaints are answered and build trust, but
        spread to friends) or ``CLOSED`` (a hotline only: dissatisfied members quietly churn
        more). Default ``OPEN``. Seed 004: 千万不要阻断和客户交流的通路.
    """

    person_person: float = attrs.field(default=0.6, validator=probability)
    product_visibility: float = attrs.field(default=0.5, validator=probability)
    feedback: FeedbackChannel = attrs.field(default=FeedbackChannel.OPEN, converter=_to_feedback)


@attrs.frozen(kw_only=True)
class Content:
    """法 content: what the community is fed, how good it is and how regularly (seeds 001, 002).

    Attributes
    ----------
    cadence
        Items per week, >= 0 (mean over the schedule). Default 3.
        Seed 002: 长期的质优的内容稳定的输出.
    quality
        Quality in [0, 1]: how much an item read raises engagement and how readily readers
        repost it; low quality overloads. Default 0.7. Seed 002: 能洞悉人性的内容才是好内容.
    social_share
        Share in [0, 1] of friendship content (member-member exchange) vs learning content; social
        content closes triangles (friends of friends meet). Default 0.4. Seed 001: 交友内容.
    schedule
        :class:`Schedule` ``STEADY`` or ``BURSTY`` (same volume). Default ``STEADY``. Seed 002:
        稳定度.
    burst_period
        Weeks between bursts when bursty, integer >= 1. Default 4.
    """

    cadence: float = attrs.field(default=3.0, converter=as_float, validator=nonnegative)
    quality: float = attrs.field(default=0.7, validator=probability)
    social_share: float = attrs.field(default=0.4, validator=probability)
    schedule: Schedule = attrs.field(default=Schedule.STEADY, converter=_to_schedule)
    burst_period: int = attrs.field(default=4, validator=count(1))

    def items_in_week(self, week: int) -> float:
        """Content items delivered in ``week`` (0-based) under the schedule.

        Examples
        --------
        >>> c = Content(cadence=2.0, schedule="bursty", burst_period=3)
        >>> [c.items_in_week(w) for w in range(4)]
        [6.0, 0.0, 0.0, 6.0]
        """
        week = check_count(week, owner="Content", field="week", low=0)
        if self.schedule is Schedule.STEADY:
            return self.cadence
        return self.cadence * self.burst_period if week % self.burst_period == 0 else 0.0


@attrs.frozen(kw_only=True)
class Structure:
    """术 structure: groups, central persons and who is seeded first (seed 001 §4.2, rules).

    Attributes
    ----------
    group_cap
        Maximum members per chat group, integer >= 1. Default 500 (the WeChat cap). Seed 001:
        每个微信群不超过一定的人数.
    leaders
        Member indices of the spiritual leaders (精神领袖), or ``None`` for the community's
        ``Role.LEADER`` members. Must be members of the community (checked by ``compile``).
    leader_activity
        Share in [0, 1] of the leader's full effort. Default 1.0.
        Seed 001: 设立一个独具魅力的人格载体.
    leader_leaves_at
        Week (>= 1, within the horizon) from which the leaders are gone, or ``None`` (stay).
    volunteers
        Number of volunteers to appoint (integer >= 0), or ``None`` for the community's
        ``Role.VOLUNTEER`` members. Seed 001: 选举志愿者.
    volunteer_placement
        Where appointed volunteers sit: ``"degree"`` (best-connected members) or ``"random"``.
        Default ``"degree"``. Used only when ``volunteers`` is a number.
    volunteer_activity
        Effort in [0, 1] of a volunteer relative to a leader. Default 0.5. Seed 001:
        把具体的活动规则传递给志愿者, 社群内的成员会自发行动起来.
    seeding
        Seeding method name for the launch, passed to
        :func:`shequn.diffusion.seeding.select_seeds`: one of ``"degree"``, ``"random"``,
        ``"pagerank"``, ``"kcore"``, ``"degree_discount"``, ``"celf"``, ``"imm"`` (the keys of
        :data:`shequn.diffusion.seeding.METHODS`), run with each method's defaults
        (``"celf"`` is Monte Carlo greedy, slow on large communities: about 20 s at 3,000
        members; ``"imm"`` has the same approximation guarantee in a fraction of a second).
        Default ``"degree"``. Seed 001: 设置中心人.
    seeds
        Number of launch seeds (first adopters, integer >= 0). Default 10.
    """

    group_cap: int = attrs.field(default=WECHAT_GROUP_CAP, validator=count(1))
    leaders: tuple[int, ...] | None = attrs.field(default=None, converter=_leaders_converter)
    leader_activity: float = attrs.field(default=1.0, validator=probability)
    leader_leaves_at: int | None = attrs.field(default=None, validator=_optional_week)
    volunteers: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(count(0))
    )
    volunteer_placement: str = attrs.field(default="degree")
    volunteer_activity: float = attrs.field(default=0.5, validator=probability)
    seeding: str = attrs.field(default="degree")
    seeds: int = attrs.field(default=10, validator=count(0))

    @volunteer_placement.validator
    def _check_placement(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in ("degree", "random"):
            raise fail("Structure", "volunteer_placement", "be one of ['degree', 'random']", value)

    @seeding.validator
    def _check_seeding(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        from shequn.diffusion.seeding import METHODS  # the one list of method names

        if not isinstance(value, str) or value not in METHODS:
            raise fail("Structure", "seeding", f"be one of {list(METHODS)}", value)


@attrs.frozen(kw_only=True)
class Tools:
    """器 tools: the channels and their settings (seeds 001, 002, 004).

    Attributes
    ----------
    broadcast_budget
        Money per week spent on broadcast messages (SMS, ads), >= 0; the number of messages is
        ``budget / Economics.cost_per_message``. Default 0. Seed 000: 短信群发系统.
    broadcast_quality
        Quality in [0, 1] of a broadcast message as content. Default 0.2 (a holiday SMS).
    broadcast_audience
        ``"members"``: messages go down the member list, most interested first (SMS to card
        holders, posts to followers); ``"market"``: mass advertising to the wider market, whose
        tastes are spread far wider than the community's (seed 000: 海量广告的投放很多时候是盲目的).
        Default ``"members"``.
    group_chat
        Whether members have a group chat to talk in (the many-to-many channel). Default True.
        Seed 000: 从单点对多点的会员系统向多点对多点的网状系统升级.
    invite_policy
        :class:`~shequn.community.InvitePolicy` ``OPEN`` (any engaged member invites, WeChat) or
        ``OWNER_ONLY`` (only group owners add people, QQ). Default ``OPEN``. Seed 004:
        微信群, 朋友可以拉来更多的朋友, qq群却是封闭的, 只有群主才能加入朋友.
    event_frequency
        Offline events per chat group per week, >= 0 (each group meets on its own fixed
        schedule). Default 0.25 (monthly). Seed 001: 每个微信群 ... 固定的时间组织一次社群线下活动.
    event_capacity
        Seats per event, integer >= 1 (the most engaged members of the group come first).
        Default 30.
    event_ties
        New ties formed per attendee per event, >= 0. Default 1.0. Seed 002: 办的活动多了 ...
        不成恋人起码也会成为朋友.
    rule_strictness
        Group rule strictness in [0, 1]: strict rules cut noise but burden members. Default 0.5.
        Seed 002: 群规太严, 没人愿意遵守。群规太松, 起不到应有的效果.
    remove_rule_breakers
        Whether members who break the rules are removed (the only sanction WeChat offers: "kick").
        Default True. Seed 002: 目前基于微信群的社群只能踢人.
    """

    broadcast_budget: float = attrs.field(default=0.0, converter=as_float, validator=nonnegative)
    broadcast_quality: float = attrs.field(default=0.2, validator=probability)
    broadcast_audience: str = attrs.field(default="members")
    group_chat: bool = attrs.field(default=True, validator=_is_bool)
    invite_policy: InvitePolicy = attrs.field(default=InvitePolicy.OPEN)
    event_frequency: float = attrs.field(default=0.25, converter=as_float, validator=nonnegative)
    event_capacity: int = attrs.field(default=30, validator=count(1))
    event_ties: float = attrs.field(default=1.0, converter=as_float, validator=nonnegative)
    rule_strictness: float = attrs.field(default=0.5, validator=in_range(0.0, 1.0))
    remove_rule_breakers: bool = attrs.field(default=True, validator=_is_bool)

    @broadcast_audience.validator
    def _check_audience(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in ("members", "market"):
            raise fail("Tools", "broadcast_audience", "be one of ['members', 'market']", value)

    @invite_policy.validator
    def _check_policy(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, InvitePolicy):
            raise fail("Tools", "invite_policy", "be an InvitePolicy", value)


def _check_instance(cls: type) -> Any:
    def _validate(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, cls):
            raise fail("OperatingModel", attribute.name, f"be a {cls.__name__}", value)

    return _validate


@attrs.frozen(kw_only=True)
class OperatingModel:
    """The four pillars together: 通 connectivity, 法 content, 术 structure, 器 tools.

    Examples
    --------
    >>> om = OperatingModel.broadcast_only(budget=500.0)
    >>> om.tools.group_chat, om.content.cadence, om.tools.broadcast_budget
    (False, 0.0, 500.0)
    """

    connectivity: Connectivity = attrs.field(
        factory=Connectivity, validator=_check_instance(Connectivity)
    )
    content: Content = attrs.field(factory=Content, validator=_check_instance(Content))
    structure: Structure = attrs.field(factory=Structure, validator=_check_instance(Structure))
    tools: Tools = attrs.field(factory=Tools, validator=_check_instance(Tools))

    @classmethod
    def broadcast_only(cls, *, budget: float, audience: str = "members") -> OperatingModel:
        """The member-card model (seed 000): no group chat, content or events, only broadcast.

        ``audience="market"`` gives mass advertising instead of SMS to the member list.

        Examples
        --------
        >>> OperatingModel.broadcast_only(budget=0.0).tools.event_frequency
        0.0
        """
        owner = "OperatingModel.broadcast_only"
        budget = check_nonnegative(budget, owner=owner, field="budget")
        audience = check_choice(audience, ["members", "market"], owner=owner, field="audience")
        return cls(
            content=Content(cadence=0.0),
            structure=Structure(volunteers=0, seeds=0),
            tools=Tools(
                broadcast_budget=budget,
                broadcast_audience=audience,
                group_chat=False,
                event_frequency=0.0,
            ),
        )

    @classmethod
    def silent(cls) -> OperatingModel:
        """Every channel off: no content, broadcast, events, group chat or volunteers.

        Examples
        --------
        >>> OperatingModel.silent().tools.group_chat
        False
        """
        return cls(
            content=Content(cadence=0.0),
            structure=Structure(volunteers=0, seeds=0, leader_activity=0.0),
            tools=Tools(
                group_chat=False,
                event_frequency=0.0,
                remove_rule_breakers=False,
                rule_strictness=0.0,
            ),
        )
