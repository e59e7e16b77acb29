"""Mechanism constants and calibration hooks of the weekly engine.

:class:`Mechanisms` holds every rate the engine uses that is neither an operating-model setting
(:mod:`shequn.operating`) nor a community-type assumption (:mod:`shequn.simulation.profiles`).
They are documented modelling assumptions with defaults chosen to give plausible weekly
magnitudes (a few percent churn, a few percent conversion); override any with
:func:`attrs.evolve`.

Five fields are *calibration hooks* for estimates made elsewhere in the library or on your own
data:

* ``open_rate``: a function ``audience -> open rate`` fitted on campaign data replaces the
  emergent open rate (by default the audience is ranked by interest and each member opens with
  probability equal to their interest, so the open rate falls with the audience);
* ``wom_q`` and ``broadcast_p``: Bass-model coefficients (``q`` per talking adopted neighbour,
  ``p`` per opened broadcast message) replace the taste-fit conversions;
* ``repeat_rates``: weekly purchase rates per stage, e.g. ``r/α`` of a BG/NBD fit per segment;
* ``ladder_rates``: weekly up-move rates customer→user, user→fan, fan→friend, e.g. fitted from
  observed stages by the ladder model.

Examples
--------
>>> import attrs
>>> from shequn.simulation.mechanisms import Mechanisms
>>> m = attrs.evolve(Mechanisms(), open_rate=lambda audience: 0.3)
>>> m.open_rate(1000)
0.3
>>> Mechanisms(attention=0)
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `Mechanisms.attention` must be > 0 and finite; got 0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from shequn._validation import check_probability, fail, integer, nonnegative, positive, probability
from shequn.loyalty.ties import TieRule

__all__ = ["MAX_PRODUCTS", "Mechanisms", "open_probability"]

MAX_PRODUCTS = 32_767
"""Largest catalogue: a member's product is stored as a 16-bit integer."""


def _rates(value: Any, n: int, field: str) -> tuple[float, ...]:
    try:
        items = tuple(float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise fail("Mechanisms", field, f"be {n} numbers", value) from exc
    if len(items) != n:
        raise fail("Mechanisms", field, f"have {n} entries", value)
    return items


def _ladder_rates(value: Any) -> tuple[float, ...]:
    return _rates(value, 3, "ladder_rates")


def _repeat_rates(value: Any) -> tuple[float, ...]:
    return _rates(value, 4, "repeat_rates")


def _check_rates(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        for v in value:
            check_probability(v, owner="Mechanisms", field=attribute.name)


def _callable_or_none(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not callable(value):
        raise fail("Mechanisms", attribute.name, "be a callable or None", value)


@attrs.frozen(kw_only=True)
class Mechanisms:
    """Rates of the weekly mechanisms (all per week unless stated).

    Attributes
    ----------
    attention
        Items per week a member can absorb (> 0); items beyond it overload. Default 3.
    overload
        Engagement lost per excess item, times ``1 − quality``. Default 0.05.
    relax
        Share of the gap to the baseline engagement closed each week. Default 0.1.
    talk_gain
        Engagement gained per conversation with a neighbour. Default 0.03.
    noise
        Engagement lost per week to group-chat noise under no rules (times ``1 − strictness``).
        Default 0.05. Seed 002: 营造去除杂音的圈子.
    disorder
        Extra exit hazard of a disengaged member in a group without rules (times
        ``(1 − strictness)(1 − e)``): destructive behaviour drives people out. Default 0.01.
        Seed 002: 一旦某个群成员做出某种破坏性行为, 将对社群的成长造成无法弥补的伤害.
    burden
        Extra exit hazard of a disengaged member under the strictest rules (times
        ``strictness² (1 − e)``). Default 0.02. Seed 002: 群规太严, 没人愿意遵守.
    breach
        Weekly probability that a disengaged member breaks strict rules (times
        ``strictness (1 − e)``); removed when ``Tools.remove_rule_breakers``. Default 0.002.
    churn_engagement
        Churn hazard falls as ``exp(−churn_engagement · e)``. Default 3.
    strong_protect
        Hazard reduction per strong tie, up to three (seed 004). Default 0.3.
    closed_multiplier
        Churn hazard multiplier of a dissatisfied member under a closed feedback channel.
        Default 3. Seed 004: 反馈迟迟没有回应, 自然就失去再一次交流的兴趣.
    open_multiplier
        The same under an open channel (complaints are answered). Default 1.5.
    complaint_loss
        Engagement a talking neighbour of a dissatisfied member loses when complaints are
        public (open channel). Default 0.02.
    return_rate
        Probability per unit of advocate weight (engaged fan or friend neighbours) that a lapsed
        member returns. Default 0.01.
    wom_q, broadcast_p
        Bass-style hooks: when set, adoption per talking adopted neighbour is ``wom_q`` and per
        opened broadcast ``broadcast_p`` regardless of taste fit. Default ``None``.
    wom_conversion
        Conversion per talking adopted neighbour, times the listener's fit to the product the
        neighbour owns. Default 0.15.
    broadcast_conversion
        Conversion per opened broadcast message, times the fit to the advertised product.
        Default 0.02.
    content_conversion
        Conversion per week of content read, times quality and fit. Default 0.02.
    leader_gain
        Multiplier of the leader-dependent share of gains for members tied to an active leader
        or volunteer. Default 1.5.
    triangle_rate
        Probability that a reader of social content who talked this week meets a friend of a
        friend (times ``social_share · quality · e``). Default 0.2.
    event_gain
        Engagement gained by attending an offline event. Default 0.2.
    event_selectivity
        Attendance weight is ``engagement ** event_selectivity``: the engaged come again and
        again (the regulars among whom offline friendships form). Default 4.
    event_min_group
        Present members a group needs to hold offline events (integer >= 1). Default 10.
    event_habit
        Attendance weight grows by this factor per event attended before (habit). Default 2.
    ladder_rates
        Up-move rates (customer→user, user→fan, fan→friend) per week at full engagement and
        satisfaction. Default (0.10, 0.06, 0.04). Fan→friend also needs a strong tie (seed 003:
        粉丝变成了朋友). Calibration hook.
    strong_ladder
        Relative boost of up-moves per strong tie (up to three). Default 0.5.
    ladder_down
        Down-move rate of a disengaged user, fan or friend (times ``1 − e``). Default 0.02.
    repeat_rates
        Expected units bought per week by a customer, user, fan, friend. Default
        (0.05, 0.15, 0.25, 0.30). Calibration hook (BG/NBD).
    idea_rate
        Ideas per week contributed by a fully engaged fan or friend (platform value). Default 0.02.
    repost_hops
        Hops a content item travels by reposts in a week (二三级人脉: 3). Default 3.
    newcomer_friends
        Friends of the inviter a newcomer also ties to. Default 2.
    n_products
        Catalogue size (product 0 is the head product at the taste centre), 1 to 32,767 (a
        member's product is stored as a 16-bit integer). Default 20.
    head_products
        Products counted as the head when measuring the niche share. Default 2.
    zipf
        Popularity exponent of the catalogue: advertising features product ``j`` with weight
        ``(j + 1)^−zipf``. Default 1.
    fit_width
        Taste distance scale of product fit ``exp(−d² / (2 w²))``. Default 1.
    market_size
        People reachable by mass advertising (``Tools.broadcast_audience="market"``); members
        are this share of them. Default 1,000,000.
    market_spread
        Taste scale of the mass market relative to the community (tastes ``N(0, s² I)``): the
        expected open (click) rate of an ad is ``(1 + s²)^(−d/2)``, 1 % for ``s = 10`` in two
        dimensions, about 0.1 % for ``s = 30``: the order of display-ad click-through rates
        (roughly 0.05-0.5 %). Seed 000's banner week (¥30,000, zero customers) implies fewer
        than one customer per 10^5 impressions. Default 30. (With ``s = 10`` ads still cost about
        four times as much per customer as the default community, with ``s = 3`` (10 %
        clicks) they are cheaper: see docs/scenarios.md.)
    open_rate
        Optional calibration ``audience -> open rate`` replacing the emergent open rate, e.g. a
        fitted :class:`~shequn.diffusion.reach.PowerOpenRate`; it must return a probability
        (anything else raises when the week is simulated).
    tie_rule
        :class:`~shequn.loyalty.ties.TieRule` turning messages and meetings into strength.
    """

    attention: float = attrs.field(default=3.0, validator=positive)
    overload: float = attrs.field(default=0.05, validator=probability)
    relax: float = attrs.field(default=0.1, validator=probability)
    talk_gain: float = attrs.field(default=0.03, validator=probability)
    noise: float = attrs.field(default=0.05, validator=probability)
    disorder: float = attrs.field(default=0.01, validator=probability)
    burden: float = attrs.field(default=0.02, validator=probability)
    breach: float = attrs.field(default=0.002, validator=probability)
    churn_engagement: float = attrs.field(default=3.0, validator=nonnegative)
    strong_protect: float = attrs.field(default=0.3, validator=probability)
    closed_multiplier: float = attrs.field(default=3.0, validator=nonnegative)
    open_multiplier: float = attrs.field(default=1.5, validator=nonnegative)
    complaint_loss: float = attrs.field(default=0.02, validator=probability)
    return_rate: float = attrs.field(default=0.01, validator=probability)
    wom_q: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(probability)
    )
    broadcast_p: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(probability)
    )
    wom_conversion: float = attrs.field(default=0.15, validator=probability)
    broadcast_conversion: float = attrs.field(default=0.02, validator=probability)
    content_conversion: float = attrs.field(default=0.02, validator=probability)
    leader_gain: float = attrs.field(default=1.5, validator=nonnegative)
    triangle_rate: float = attrs.field(default=0.2, validator=probability)
    event_gain: float = attrs.field(default=0.2, validator=probability)
    event_selectivity: float = attrs.field(default=4.0, validator=nonnegative)
    event_habit: float = attrs.field(default=2.0, validator=nonnegative)
    event_min_group: int = attrs.field(default=10, validator=integer(low=1))
    ladder_rates: tuple[float, ...] = attrs.field(
        default=(0.10, 0.06, 0.04), converter=_ladder_rates, validator=_check_rates
    )
    strong_ladder: float = attrs.field(default=0.5, validator=nonnegative)
    ladder_down: float = attrs.field(default=0.02, validator=probability)
    repeat_rates: tuple[float, ...] = attrs.field(
        default=(0.05, 0.15, 0.25, 0.30), converter=_repeat_rates
    )
    idea_rate: float = attrs.field(default=0.02, validator=probability)
    repost_hops: int = attrs.field(default=3, validator=integer(low=0))
    newcomer_friends: int = attrs.field(default=2, validator=integer(low=0))
    n_products: int = attrs.field(default=20, validator=integer(low=1, high=MAX_PRODUCTS))
    head_products: int = attrs.field(default=2, validator=integer(low=1))
    zipf: float = attrs.field(default=1.0, validator=nonnegative)
    fit_width: float = attrs.field(default=1.0, validator=positive)
    market_size: float = attrs.field(default=1e6, validator=positive)
    market_spread: float = attrs.field(default=30.0, validator=nonnegative)
    open_rate: Callable[[int], float] | None = attrs.field(
        default=None, validator=_callable_or_none, eq=False
    )
    tie_rule: TieRule = attrs.field(factory=TieRule)

    @repeat_rates.validator
    def _check_repeat(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        for v in value:
            if not v >= 0 or v != v or v == float("inf"):
                raise fail("Mechanisms", "repeat_rates", "hold finite rates >= 0", value)


def open_probability(mechanisms: Mechanisms, audience: int) -> float:
    """The calibrated open rate ``mechanisms.open_rate(audience)``, checked to be in [0, 1].

    Raises
    ------
    InvalidParameterError
        When there is no ``open_rate`` hook or it returns anything but a probability (no
        silent clipping).

    Examples
    --------
    >>> open_probability(Mechanisms(open_rate=lambda a: 0.25), 1000)
    0.25
    >>> open_probability(Mechanisms(open_rate=lambda a: 1.2), 1000)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Mechanisms.open_rate` must return a probability \
in [0, 1] (audience 1000); got 1.2
    """
    if mechanisms.open_rate is None:
        raise fail("Mechanisms", "open_rate", "be set to give an open probability", None)
    raw = mechanisms.open_rate(int(audience))
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise fail(
            "Mechanisms", "open_rate", f"return a number (audience {int(audience)})", raw
        ) from exc
    if not 0.0 <= value <= 1.0:
        raise fail(
            "Mechanisms",
            "open_rate",
            f"return a probability in [0, 1] (audience {int(audience)})",
            value,
        )
    return value
