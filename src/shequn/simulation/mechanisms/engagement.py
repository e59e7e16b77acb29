"""Engagement: what the week's channels add and take away, and the pull back to a baseline.

A member's engagement ``e ∈ [0, 1]`` drives talk, attendance, adoption, ladder moves and
churn. Each week the channels that reached the member combine: the gains (content read,
a broadcast message opened, conversations, an event) as independent chances
``gain = 1 − (1 − g_content)(1 − g_broadcast)(1 − talk_gain)^talks (1 − g_event)`` (passed
through the leaders, see the leader mechanism), the losses (overload, group-chat noise,
complaints heard) likewise ``loss = 1 − (1 − overload)(1 − noise)(1 − complaints)``; then

``e ← e + (1 − e) · gain − e · loss``, and ``e ← e + relax · (target − e)``, clipped to
[0, 1], where ``target`` is the profile's ``baseline_engagement`` (through the leaders).

Examples
--------
>>> from shequn.simulation.mechanisms.engagement import EngagementParams
>>> EngagementParams().relax
0.1
"""

from __future__ import annotations

from typing import NamedTuple

import attrs

from shequn.simulation._numba import inline
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "EngagementParams", "EngagementRates"]

NAME = "engagement"
PROFILE_FIELDS = ("baseline_engagement",)


@attrs.frozen(kw_only=True)
class EngagementParams:
    """Rates of the engagement update.

    Attributes
    ----------
    relax
        Share of the gap to the baseline engagement closed each week.
    """

    relax: float = param(0.1, unit="share / week", source="assumed: a few months' memory")


PARAMS = EngagementParams

FLOWS: tuple[Flow, ...] = ()


class EngagementRates(NamedTuple):
    """What the member pass reads (derived at compile time)."""

    baseline: float
    relax: float


def derive(params: EngagementParams, s: Setting) -> EngagementRates:
    """The baseline from the profile and the relaxation rate."""
    profile = s.profile
    return EngagementRates(baseline=float(profile.baseline_engagement), relax=float(params.relax))


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def gains(g_content: float, g_broadcast: float, keep_talk: float, g_event: float) -> float:
    """The week's gains as independent chances (``keep_talk``: ``(1 − talk_gain)^talks``)."""
    return 1.0 - (1.0 - g_content) * (1.0 - g_broadcast) * keep_talk * (1.0 - g_event)


@inline  # type: ignore[misc, unused-ignore]
def losses(overload: float, noise: float, complaints: float) -> float:
    """The week's losses as independent chances."""
    return 1.0 - (1.0 - overload) * (1.0 - noise) * (1.0 - complaints)


@inline  # type: ignore[misc, unused-ignore]
def update(r: EngagementRates, e: float, gain: float, loss: float, target: float) -> float:
    """``e + (1 − e) gain − e loss``, then a ``relax`` step toward ``target``, in [0, 1]."""
    en = e + (1.0 - e) * gain - e * loss
    en += r.relax * (target - en)
    en = en if en > 0.0 else 0.0
    return en if en < 1.0 else 1.0
