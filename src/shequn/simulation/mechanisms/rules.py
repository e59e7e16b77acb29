"""器 Rules and moderation: strictness cuts noise but burdens members (seed 002).

Seed 002: 营造去除杂音的圈子 ("build a circle free of noise"); 群规太严, 没人愿意遵守。群规太松,
起不到应有的效果 ("rules too strict: nobody keeps them; too loose: they do nothing"); 一旦某个
群成员做出某种破坏性行为, 将对社群的成长造成无法弥补的伤害 ("one member's destructive act does
harm beyond repair"); 目前基于微信群的社群只能踢人 ("a WeChat group can only kick").

With strictness ``s`` (``Tools.rule_strictness``) in a group chat:

* noise erodes everyone's engagement by ``noise · (1 − s)`` a week;
* a disengaged member (engagement ``e``) has an extra exit hazard ``(1 − e) · (disorder ·
  (1 − s) + burden · s²)``: disorder drives people out of loose groups, the burden of strict
  rules out of strict ones;
* when ``Tools.remove_rule_breakers``, a disengaged member breaks strict rules and is removed
  with probability ``breach · s · (1 − e)``.

The two pull in opposite directions, so retention is an inverted U in strictness.

Examples
--------
>>> from shequn.simulation.mechanisms.rules import RuleParams
>>> RuleParams().burden
0.02
"""

from __future__ import annotations

from typing import NamedTuple

import attrs

from shequn.simulation._numba import inline
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "RuleParams", "RuleRates"]

NAME = "rules"
PROFILE_FIELDS: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class RuleParams:
    """Rates of rules and moderation.

    Attributes
    ----------
    noise
        Engagement lost per week to group-chat noise under no rules (times ``1 − strictness``).
    disorder
        Extra exit hazard of a disengaged member in a group without rules (times
        ``(1 − strictness)(1 − e)``).
    burden
        Extra exit hazard of a disengaged member under the strictest rules (times
        ``strictness² (1 − e)``).
    breach
        Weekly probability that a disengaged member breaks strict rules (times
        ``strictness (1 − e)``); removed when ``Tools.remove_rule_breakers``.
    """

    noise: float = param(
        0.05, unit="engagement / week", source="002 营造去除杂音的圈子; size assumed"
    )
    disorder: float = param(
        0.01, unit="hazard / week", source="002 破坏性行为……无法弥补的伤害; size assumed"
    )
    burden: float = param(
        0.02, unit="hazard / week", source="002 群规太严, 没人愿意遵守; size assumed"
    )
    breach: float = param(
        0.002, unit="probability / week", source="002 只能踢人 (only kicking); size assumed"
    )


PARAMS = RuleParams

FLOWS = (Flow(name="removed", unit="members", meaning="members removed for breaking the rules"),)


class RuleRates(NamedTuple):
    """What the member pass reads (derived at compile time)."""

    noise: float
    chat_hazard: float
    breach: float


def derive(params: RuleParams, s: Setting) -> RuleRates:
    """Effective rates under ``Tools.rule_strictness`` (all zero without a group chat)."""
    om = s.operating_model
    tl = om.tools
    st = tl.rule_strictness
    chat = tl.group_chat
    return RuleRates(
        noise=float(params.noise * (1.0 - st) if chat else 0.0),
        chat_hazard=float(
            (params.disorder * (1.0 - st) + params.burden * st * st) if chat else 0.0
        ),
        breach=float(params.breach * st if (chat and tl.remove_rule_breakers and st > 0) else 0.0),
    )


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def exit_hazard(r: RuleRates, en: float) -> float:
    """Extra exit hazard of a member of engagement ``en`` from disorder and rule burden."""
    return r.chat_hazard * (1.0 - en)


@inline  # type: ignore[misc, unused-ignore]
def removal_threshold(r: RuleRates, hz: float, en: float) -> float:
    """Churn takes uniforms below ``hz``; removal those in ``[hz, hz + (1 − hz) · p)``, with
    ``p = breach · s · (1 − e)`` (the probability of removal given no churn)."""
    return hz + (1.0 - hz) * r.breach * (1.0 - en)
