"""通 Feedback: an open forum or a closed hotline for the dissatisfied (seed 004).

Seed 004: 千万不要阻断和客户交流的通路 ("never cut the channel to your customers"); 反馈迟迟没有
回应, 自然就失去再一次交流的兴趣 ("when feedback goes unanswered, people lose interest in
talking again"); 有些公司一直是通过400电话获得客户的需求、抱怨 ("some firms only take
complaints by a 400 hotline").

A purchase that disappoints (see the purchase mechanism) leaves a *dissatisfied* member.

* **Open channel** (``Connectivity.feedback="open"``): complaints are answered, so a
  dissatisfied member's churn hazard is multiplied by ``open_multiplier`` only, but they are
  public: each friend who talks with a dissatisfied member loses ``complaint_loss`` engagement.
  Every complaint reaches the company (platform value).
* **Closed channel** (a hotline): complaints stay private; churn of the dissatisfied is
  multiplied by ``closed_multiplier`` and only ``hotline_share`` of complaints reach the firm.

Examples
--------
>>> from shequn.simulation.mechanisms.feedback import FeedbackParams
>>> FeedbackParams().closed_multiplier
3.0
"""

from __future__ import annotations

from typing import Any, NamedTuple

import attrs

from shequn._validation import nonnegative
from shequn.operating.model import FeedbackChannel
from shequn.simulation._numba import inline
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "FeedbackParams", "FeedbackRates"]

NAME = "feedback"
PROFILE_FIELDS: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class FeedbackParams:
    """Rates of the feedback channel.

    Attributes
    ----------
    complaint_loss
        Engagement a talking neighbour of a dissatisfied member loses when complaints are
        public (open channel).
    open_multiplier
        Churn hazard multiplier of a dissatisfied member under an open channel.
    closed_multiplier
        The same under a closed channel (complaints unanswered).
    hotline_share
        Share of dissatisfied members whose complaint reaches the company by a closed hotline.
    """

    complaint_loss: float = param(
        0.02, unit="engagement / complaint heard", source="assumed: small per complaint"
    )
    open_multiplier: float = param(
        1.5, nonnegative, unit="hazard ratio", source="assumed: answered complaints half-heal"
    )
    closed_multiplier: float = param(
        3.0,
        nonnegative,
        unit="hazard ratio",
        source="004 反馈迟迟没有回应, 自然就失去再一次交流的兴趣; size assumed",
    )
    hotline_share: float = param(
        0.3,
        unit="share",
        source="004 400电话 (a hotline reaches few); size assumed",
    )


PARAMS = FeedbackParams

FLOWS = (
    Flow(
        name="feedback",
        unit="complaints",
        meaning="complaints that reached the company (all when open, a share by hotline)",
    ),
)


class FeedbackRates(NamedTuple):
    """What the passes read (derived at compile time)."""

    public: bool
    complaint_loss: float
    churn_multiplier: float
    reach: float


def derive(params: FeedbackParams, s: Setting) -> FeedbackRates:
    """Open or closed channel from 通 ``Connectivity.feedback``."""
    om = s.operating_model
    is_open = om.connectivity.feedback is FeedbackChannel.OPEN
    return FeedbackRates(
        public=bool(is_open),
        complaint_loss=float(params.complaint_loss),
        churn_multiplier=float(params.open_multiplier if is_open else params.closed_multiplier),
        reach=1.0 if is_open else float(params.hotline_share),
    )


def complaints_received(r: FeedbackRates, dissatisfied: int) -> float:
    """Complaints that reach the company from this week's dissatisfied members."""
    return float(dissatisfied) if r.public else r.reach * dissatisfied


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def hear(r: FeedbackRates, hits: Any, u: int, v: int, dis_u: int, dis_v: int) -> None:
    """Both ends of a conversation hear the other's complaint (open channel only)."""
    if r.public and (dis_u | dis_v):  # a dissatisfied end (rare)
        hits[u] += dis_v
        hits[v] += dis_u


@inline  # type: ignore[misc, unused-ignore]
def engagement_loss(r: FeedbackRates, heard: int) -> float:
    """Engagement lost to the complaints heard this week: ``min(1, heard · complaint_loss)``."""
    x = heard * r.complaint_loss
    return x if x < 1.0 else 1.0


@inline  # type: ignore[misc, unused-ignore]
def churn_multiplier(r: FeedbackRates, dissatisfied: bool) -> float:
    """Churn hazard multiplier of a member (dissatisfied or not)."""
    return r.churn_multiplier if dissatisfied else 1.0
