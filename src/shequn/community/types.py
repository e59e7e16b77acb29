"""Community types and member roles.

The four types follow seed 001 §4.1 (社群的类型): brand communities 品牌社群, leader-centred
("transmission") communities 传输式社群, sharing communities 共享社群 and values communities
价值观社群. Each type is a network generator (:mod:`shequn.community.generators`) plus a default
behavioural profile used by the simulation engine.

Examples
--------
>>> from shequn.community.types import CommunityType
>>> CommunityType.parse("leader") is CommunityType.LEADER
True
>>> CommunityType.LEADER.chinese
'传输式社群'
"""

from __future__ import annotations

import enum

from shequn._validation import fail

__all__ = ["CommunityType", "InvitePolicy", "Role"]


class CommunityType(enum.Enum):
    """The four community types of seed 001 §4.1."""

    BRAND = "brand"
    LEADER = "leader"
    SHARING = "sharing"
    VALUES = "values"

    @property
    def chinese(self) -> str:
        """The Chinese name used in the seeds."""
        return _CHINESE[self]

    @classmethod
    def parse(
        cls, value: CommunityType | str, *, owner: str = "CommunityType", field: str = "kind"
    ) -> CommunityType:
        """Accept a member or its (case-insensitive) name, English or Chinese.

        ``owner`` and ``field`` name the caller's parameter in the error message.

        Examples
        --------
        >>> CommunityType.parse("价值观社群")
        <CommunityType.VALUES: 'values'>
        >>> CommunityType.parse("tribe")
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `CommunityType.kind` must be one of \
['brand', 'leader', 'sharing', 'values'] (or their Chinese names); got 'tribe'
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            for member in cls:
                if key in (member.value, member.name.lower(), member.chinese, member.chinese[:-2]):
                    return member
        raise fail(
            owner, field, f"be one of {[m.value for m in cls]} (or their Chinese names)", value
        )


_CHINESE = {
    CommunityType.BRAND: "品牌社群",
    CommunityType.LEADER: "传输式社群",
    CommunityType.SHARING: "共享社群",
    CommunityType.VALUES: "价值观社群",
}


class Role(enum.IntEnum):
    """A member's role in the community (stored as small integers in ``Community.roles``)."""

    MEMBER = 0
    VOLUNTEER = 1
    LEADER = 2
    BRAND_ACCOUNT = 3


class InvitePolicy(enum.Enum):
    """Who may add people to a chat group (seed 004: WeChat groups vs QQ groups).

    ``OPEN``: any member invites friends (WeChat); ``OWNER_ONLY``: only the owner adds (QQ).
    """

    OPEN = "open"
    OWNER_ONLY = "owner_only"
