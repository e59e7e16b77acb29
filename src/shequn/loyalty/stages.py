"""The loyalty ladder's stages (seed 003): prospect → customer → user → fan → friend, and lapsed.

One definition shared by the ladder model, the tie and churn mechanics and the simulation
engine. Stage values are small integers so member states fit in an ``int8`` array.

==========  ======  =============================================================
stage       中文     meaning
==========  ======  =============================================================
PROSPECT    潜在客户  knows of the brand, has not bought
CUSTOMER    客户     bought once (a transaction)
USER        用户     uses the product repeatedly (a relationship with the product)
FAN         粉丝     identifies with the brand and speaks for it
FRIEND      朋友     a relationship with the people: co-creates, brings others
LAPSED      流失     has left (silent churn, seed 000)
==========  ======  =============================================================

Examples
--------
>>> from shequn.loyalty.stages import Stage
>>> Stage.FAN > Stage.USER, Stage.FAN.chinese
(True, '粉丝')
"""

from __future__ import annotations

import enum

__all__ = ["LADDER", "Stage"]


class Stage(enum.IntEnum):
    """A member's stage on the loyalty ladder."""

    PROSPECT = 0
    CUSTOMER = 1
    USER = 2
    FAN = 3
    FRIEND = 4
    LAPSED = 5

    @property
    def chinese(self) -> str:
        """The stage's Chinese name as used in the seeds."""
        return _CHINESE[self]


_CHINESE = {
    Stage.PROSPECT: "潜在客户",
    Stage.CUSTOMER: "客户",
    Stage.USER: "用户",
    Stage.FAN: "粉丝",
    Stage.FRIEND: "朋友",
    Stage.LAPSED: "流失",
}

LADDER: tuple[Stage, ...] = (Stage.CUSTOMER, Stage.USER, Stage.FAN, Stage.FRIEND)
"""The rungs a member climbs, in order."""
