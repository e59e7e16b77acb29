"""器 Broadcast and open rates: SMS down the member list, or mass advertising (seeds 000, 001).

Seed 001: 并非粉丝越多,打开率就越高,反而粉丝基数越大,打开率越低 ("the larger the follower base,
the lower the open rate"); seed 000: 海量广告的投放很多时候是盲目的 ("mass advertising is often
blind"): a week of banner ads cost ¥30,000 and won no customer.

* **Members list** (``Tools.broadcast_audience="members"``): the budget buys
  ``budget / cost_per_message`` messages, sent down the interest ranking; each is opened with
  probability equal to the member's interest ``exp(−|taste|²/2)``, so **the open rate falls as
  the audience grows** without a formula for it. An opened message lifts engagement like an
  item of quality ``Tools.broadcast_quality`` and converts a prospect with
  ``broadcast_conversion × fit`` (the advertised product, by popularity).
* **Mass market** (``"market"``): ``market_size`` people, the members a share of them; the
  others' tastes are ``N(0, market_spread² I)``, so an ad is opened with probability
  ``(1 + s²)^(−d/2)`` and fits worse. Customers won outside the community take free member
  slots (no ties, no group).
* **Hooks.** ``open_rate`` (an audience → open-rate law, e.g. a fitted
  :class:`~shequn.diffusion.reach.PowerOpenRate`) replaces the emergent open rate of the list
  and of the content's followers; ``broadcast_p`` (Bass ``p`` per opened message) replaces the
  taste-fit conversion.

Examples
--------
>>> from shequn.simulation.mechanisms.broadcast import BroadcastParams, open_probability
>>> open_probability(BroadcastParams(open_rate=lambda a: 0.25), 1000)
0.25
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import BoolArray, FloatArray, IntArray
from shequn._validation import (
    check_count,
    check_instance,
    fail,
    nonnegative,
    positive,
    probability,
)
from shequn.simulation._numba import inline
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = [
    "FLOWS",
    "NAME",
    "PROFILE_FIELDS",
    "BroadcastParams",
    "BroadcastRates",
    "Sent",
    "open_probability",
]

NAME = "broadcast"
PROFILE_FIELDS: tuple[str, ...] = ()


def _callable_or_none(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not callable(value):
        raise fail(type(instance).__name__, attribute.name, "be a callable or None", value)


@attrs.frozen(kw_only=True)
class BroadcastParams:
    """Rates of broadcast messages and mass advertising.

    Attributes
    ----------
    broadcast_conversion
        Conversion per opened broadcast message, times the fit to the advertised product.
    broadcast_p
        Bass-style hook: when set, conversion per opened message regardless of taste fit.
    market_size
        People reachable by mass advertising; members are this share of them.
    market_spread
        Taste scale of the mass market relative to the community (tastes ``N(0, s² I)``): the
        expected open (click) rate of an ad is ``(1 + s²)^(−d/2)``, about 0.1 % for ``s = 30``
        in two dimensions, the order of display-ad click-through rates (roughly 0.05-0.5 %).
    open_rate
        Optional calibration ``audience -> open rate`` replacing the emergent open rate; it
        must return a probability (anything else raises when the week is simulated).
    """

    broadcast_conversion: float = param(
        0.02, unit="probability / opened message", source="assumed: a few percent"
    )
    broadcast_p: float | None = param(
        None,
        attrs.validators.optional(probability),
        unit="probability / opened message",
        source="calibration hook (Bass p, see bass_hooks); off by default",
        calibrate=False,
    )
    market_size: float = param(
        1e6, positive, unit="people", source="assumed: a city-sized market", calibrate=False
    )
    market_spread: float = param(
        30.0,
        nonnegative,
        unit="taste standard deviations",
        source="display-ad click-through 0.05-0.5 %; seed 000: ¥30,000 of banners, no customer",
    )
    open_rate: Callable[[int], float] | None = param(  # noqa: RUF009
        None,
        _callable_or_none,
        unit="audience -> probability",
        source="calibration hook (e.g. fit_open_rate); off by default",
        calibrate=False,
        eq=False,
    )


PARAMS = BroadcastParams

FLOWS = (
    Flow(name="broadcast_sent", unit="messages", meaning="broadcast messages sent this week"),
    Flow(name="broadcast_opened", unit="messages", meaning="broadcast messages opened"),
    Flow(
        name="open_rate",
        unit="share",
        meaning="opened / sent (nan when nothing was sent)",
        start=math.nan,
    ),
    Flow(
        name="precise_share",
        unit="share",
        meaning="share of the audience with interest >= 1/2 (precise users; nan: none sent)",
        start=math.nan,
    ),
    Flow(name="ad_customers", unit="members", meaning="customers won from the mass market"),
    Flow(
        name="cost_broadcast",
        unit="money",
        meaning="messages sent × Economics.cost_per_message",
        cost=True,
        marketing=True,
    ),
)


class BroadcastRates(NamedTuple):
    """What the broadcast mechanism needs each week (derived at compile time)."""

    messages: float
    market: bool
    gain: float
    conversion: float
    p_hook: float
    market_size: float
    market_spread: float
    cost_per_message: float


def derive(params: BroadcastParams, s: Setting) -> BroadcastRates:
    """Compile-time rates from 器 ``Tools`` (budget, quality, audience) and the economics."""
    om = s.operating_model
    profile = s.profile
    economics = s.economics
    tl = om.tools
    return BroadcastRates(
        messages=float(economics.messages_for(tl.broadcast_budget)),
        market=tl.broadcast_audience == "market",
        gain=float(profile.engagement_response * tl.broadcast_quality),
        conversion=float(params.broadcast_conversion),
        p_hook=-1.0 if params.broadcast_p is None else float(params.broadcast_p),
        market_size=float(params.market_size),
        market_spread=float(params.market_spread),
        cost_per_message=float(economics.cost_per_message),
    )


def open_probability(params: Any, audience: int) -> float:
    """The calibrated open rate ``params.open_rate(audience)``, checked to be in [0, 1].

    ``params`` is a :class:`BroadcastParams` or a :class:`~shequn.simulation.Mechanisms`.

    Raises
    ------
    InvalidParameterError
        When there is no ``open_rate`` hook or it returns anything but a probability (no
        silent clipping).

    Examples
    --------
    >>> open_probability(BroadcastParams(open_rate=lambda a: 1.2), 1000)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Mechanisms.open_rate` must return a probability \
in [0, 1] (audience 1000); got 1.2
    """
    from shequn.simulation.mechanisms import Mechanisms

    check_instance(params, (BroadcastParams, Mechanisms), owner="open_probability", field="params")
    audience = check_count(audience, owner="open_probability", field="audience", low=0)
    if params.open_rate is None:
        raise fail("Mechanisms", "open_rate", "be set to give an open probability", None)
    raw = params.open_rate(audience)
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


class Sent(NamedTuple):
    """This week's broadcast: counts, and the customers won outside the community."""

    sent: int
    opened: int
    precise: float
    outsider_taste: FloatArray | None
    outsider_product: IntArray | None


def send(
    gen: np.random.Generator,
    r: BroadcastRates,
    params: BroadcastParams,
    *,
    order: IntArray,
    stage: Any,
    cust: BoolArray,
    interest: FloatArray,
    dim: int,
    b_open: BoolArray,
    pick_products: Callable[[int], IntArray],
    fit: Callable[[FloatArray, IntArray], FloatArray],
) -> Sent:
    """Send this week's messages; marks present members who opened one in ``b_open``.

    ``order`` ranks the member slots in use by interest; ``pick_products(k)`` draws ``k``
    advertised products by popularity and ``fit(taste, products)`` is the purchase mechanism's
    fit, used for customers won outside the community.
    """
    sent = 0
    opened_n = 0
    precise = math.nan
    if r.messages <= 0:
        return Sent(0, 0, precise, None, None)
    listed = order[stage[order] >= 0]
    if not r.market:
        aud = listed[: int(min(r.messages, listed.size))]
        sent = int(aud.size)
        if sent:
            pb_open: Any
            if params.open_rate is not None:
                pb_open = open_probability(params, sent)
            else:
                pb_open = interest[aud]
            opened = aud[gen.random(sent) < pb_open]
            opened_n = int(opened.size)
            b_open[opened[cust[opened]]] = True
            precise = float(np.mean(interest[aud] >= 0.5))
        return Sent(sent, opened_n, precise, None, None)
    M = int(min(r.messages, r.market_size))
    k_mem = int(gen.binomial(M, min(1.0, listed.size / r.market_size)))
    k_mem = min(k_mem, listed.size)
    aud = gen.choice(listed, size=k_mem, replace=False) if k_mem else listed[:0]
    opened = aud[gen.random(k_mem) < interest[aud]]
    b_open[opened[cust[opened]]] = True
    # outsiders: taste N(0, s^2 I); P(open) = E[exp(-|t|^2/2)] = (1+s^2)^(-d/2); openers'
    # tastes are then N(0, s^2/(1+s^2) I) (product of Gaussians), drawn only for openers
    s2 = r.market_spread**2
    k_out = M - k_mem
    n_open_out = int(gen.binomial(k_out, (1.0 + s2) ** (-dim / 2.0))) if k_out else 0
    t_out = gen.normal(scale=math.sqrt(s2 / (1.0 + s2)), size=(n_open_out, dim))
    feat = pick_products(n_open_out)
    fit_o = fit(t_out, feat)
    p_o = np.full(n_open_out, r.p_hook) if r.p_hook >= 0.0 else (r.conversion * fit_o)
    won_o = gen.random(n_open_out) < p_o
    opened_n = int(opened.size) + n_open_out
    interest_mem = interest[aud]
    # precise users: interest >= 1/2 (|t|^2 <= 2 ln 2); for outsiders P = 1 - (1/2)^(1/s^2)
    p_prec_out = 1.0 - 0.5 ** (1.0 / s2) if s2 > 0 else 1.0
    precise = float((np.sum(interest_mem >= 0.5) + k_out * p_prec_out) / M) if M else math.nan
    return Sent(M, opened_n, precise, t_out[won_o], feat[won_o])


def cost(r: BroadcastRates, sent: int) -> float:
    """Money spent on the messages sent."""
    return sent * r.cost_per_message


# ----------------------------------------------------------------------------- compiled
@inline  # type: ignore[misc, unused-ignore]
def read_gain(r: BroadcastRates, opened: bool) -> float:
    """Engagement gain of a member who opened a message this week (0 otherwise)."""
    return r.gain if opened else 0.0


@inline  # type: ignore[misc, unused-ignore]
def max_conversion(r: BroadcastRates) -> float:
    """The largest conversion an opened message can give (fit <= 1)."""
    return r.p_hook if r.p_hook >= 0.0 else r.conversion


@inline  # type: ignore[misc, unused-ignore]
def conversion(r: BroadcastRates, fit: float) -> float:
    """Conversion of a prospect who opened a message for a product of the given fit."""
    return r.p_hook if r.p_hook >= 0.0 else r.conversion * fit
