"""通 Word of mouth: tied members talk, and prospects hear of what their friends bought.

Seed 000: 从单点对多点的会员系统向多点对多点的网状系统升级 ("from a one-to-many member system to
a many-to-many mesh"); seed 004: 朋友可以拉来更多的朋友 and the recommendation of friends
(形成极有效率的推荐机制).

* **Talk.** A tie between present ordinary members carries a conversation in a week with
  probability ``peer_talk · person_person · e_u · e_v · (1 + strength) · weight`` when the
  community has a group chat (``Tools.group_chat``). A conversation adds a message to the tie
  and lifts both ends' engagement: a member with ``k`` conversations keeps ``(1 −
  talk_gain)^k`` of the distance to full engagement.
* **Word of mouth.** A prospect who talks with ``m`` adopted friends hears of the product the
  friend owns (one such talk chosen uniformly is the featured product) and adopts with ``1 −
  (1 − wom_conversion · fit)^m``; the Bass hook ``wom_q`` replaces ``wom_conversion · fit``.

Examples
--------
>>> from shequn.simulation.mechanisms.word_of_mouth import WordOfMouthParams
>>> WordOfMouthParams().wom_conversion
0.15
"""

from __future__ import annotations

from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import FloatArray
from shequn._validation import probability
from shequn.simulation._numba import inline, ipow
from shequn.simulation.mechanisms import tie_strength
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "WomRates", "WordOfMouthParams"]

NAME = "word_of_mouth"
PROFILE_FIELDS = ("peer_talk",)
POWERS = 64
"""Powers tabulated for the per-member products (a pow per member would dominate the loop)."""


@attrs.frozen(kw_only=True)
class WordOfMouthParams:
    """Rates of conversations and word of mouth.

    Attributes
    ----------
    talk_gain
        Engagement gained per conversation with a neighbour.
    wom_conversion
        Conversion per talking adopted neighbour, times the listener's fit to the product the
        neighbour owns.
    wom_q
        Bass-style hook: when set, conversion per talking adopted neighbour regardless of fit.
    """

    talk_gain: float = param(
        0.03, unit="engagement / conversation", source="assumed: small per talk"
    )
    wom_conversion: float = param(
        0.15,
        unit="probability / conversation",
        source="assumed: a friend's word converts several times better than an ad (seed 000)",
    )
    wom_q: float | None = param(
        None,
        attrs.validators.optional(probability),
        unit="probability / conversation",
        source="calibration hook (Bass q, see bass_hooks); off by default",
        calibrate=False,
    )


PARAMS = WordOfMouthParams

FLOWS = (
    Flow(name="messages", unit="messages", meaning="member-member conversations (one per tie)"),
    Flow(name="active_talkers", unit="members", meaning="members who talked this week"),
)


class WomRates(NamedTuple):
    """What the tie and member passes read (derived at compile time)."""

    talk_on: bool
    coef: float
    keep_talk: float
    keep_talk_pow: FloatArray
    conversion: float
    p_hook: float
    q_max: float
    keep_wom_pow: FloatArray


def derive(params: WordOfMouthParams, s: Setting) -> WomRates:
    """Talk on when there is a group chat, ``peer_talk > 0`` and ``person_person > 0``."""
    om = s.operating_model
    profile = s.profile
    flow = float(om.connectivity.person_person)
    k = np.arange(POWERS, dtype=np.float64)
    keep_talk = float(1.0 - params.talk_gain)
    q_max = float(params.wom_q if params.wom_q is not None else params.wom_conversion)
    return WomRates(
        talk_on=bool(om.tools.group_chat and profile.peer_talk > 0 and flow > 0),
        coef=float(profile.peer_talk * flow),
        keep_talk=keep_talk,
        keep_talk_pow=keep_talk**k,
        conversion=float(params.wom_conversion),
        p_hook=-1.0 if params.wom_q is None else float(params.wom_q),
        q_max=q_max,
        keep_wom_pow=(1.0 - q_max) ** k,
    )


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def talks(r: WomRates, xu: float, xv: float, weight: float, x: float, u: float) -> bool:
    """Whether a tie of load ``x`` between ends of engagement ``xu``, ``xv`` carries a
    conversation, from uniform ``u``: ``u < coef · e_u · e_v · w · (1 + strength)``.

    The exponential of the strength is computed only for the rare uniforms between its bounds.
    """
    base = r.coef * (xu if xu > 0.0 else 0.0) * (xv if xv > 0.0 else 0.0) * weight
    lo, hi = tie_strength.boost_bounds(x)
    talk = u < base * lo
    if u < base * hi and not talk:
        talk = u < base * tie_strength.boost(x)
    return talk


@inline  # type: ignore[misc, unused-ignore]
def hear(cnt: Any, feat: Any, listener: int, product: int, gen: Any) -> None:
    """A prospect hears of ``product`` from an adopted friend; the featured product is one
    such talk chosen uniformly (reservoir sampling)."""
    cnt[listener] += 1
    if gen.random() * cnt[listener] < 1.0:
        feat[listener] = product


@inline  # type: ignore[misc, unused-ignore]
def keep(r: WomRates, k: int) -> float:
    """Share of the gap to full engagement left after ``k`` conversations: ``(1 − gain)^k``."""
    return r.keep_talk_pow[k] if k < r.keep_talk_pow.shape[0] else ipow(r.keep_talk, np.int64(k))


@inline  # type: ignore[misc, unused-ignore]
def max_adoption(r: WomRates, c: int) -> float:
    """The largest adoption probability ``c`` talks with adopted friends can give (fit <= 1)."""
    if c <= 0:
        return 0.0
    if c < r.keep_wom_pow.shape[0]:
        return 1.0 - float(r.keep_wom_pow[c])
    return 1.0 - ipow(1.0 - r.q_max, np.int64(c))


@inline  # type: ignore[misc, unused-ignore]
def adoption(r: WomRates, c: int, fit: float) -> float:
    """Adoption probability after ``c`` talks with adopted friends of the featured ``fit``."""
    qq = r.p_hook if r.p_hook >= 0.0 else r.conversion * fit
    return 1.0 - ipow(1.0 - qq, np.int64(c))
