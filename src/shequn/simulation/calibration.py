"""Plug estimates made elsewhere into the engine's calibration hooks (:class:`Mechanisms`).

The hooks take rates in the engine's own units: per week, per opened broadcast message, per
conversation with an adopted friend, at full engagement. Estimates come in other units: a Bass
fit's ``p`` and ``q`` are hazards per period of the sales data, a BG/NBD fit's mean purchase
rate ``r / alpha`` is per time unit of the transaction log, a fitted ladder holds one-period
transition probabilities of members of every engagement. The helpers below convert, and say
what they assume; each returns plain numbers for :class:`Mechanisms`:

>>> from shequn.diffusion.bass import Bass
>>> from shequn.loyalty import BGNBD, default_ladder
>>> from shequn.simulation import Mechanisms
>>> m = Mechanisms(
...     **bass_hooks(Bass(p=0.01, q=0.3), talks_per_week=1.5),
...     repeat_rates=repeat_rates_from(BGNBD(r=0.24, alpha=4.4, a=0.79, b=2.43)),
...     ladder_rates=ladder_rates_from(default_ladder(), period_weeks=4.35, engagement=0.6),
... )
>>> round(m.wom_q, 3), round(m.repeat_rates[0], 4), [round(x, 4) for x in m.ladder_rates]
(0.2, 0.0545, [0.0833, 0.0316, 0.0195])

The fourth hook, ``Mechanisms.open_rate``, takes an open-rate law as it is, for instance a
:class:`~shequn.diffusion.reach.PowerOpenRate` fitted with
:func:`~shequn.diffusion.reach.fit_open_rate`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from shequn._validation import check_positive, fail
from shequn.loyalty.stages import Stage

__all__ = ["bass_hooks", "ladder_rates_from", "repeat_rates_from"]


def _attr(obj: Any, name: str, owner: str, field: str, what: str) -> float:
    value = getattr(obj, name, None)
    if value is None:
        raise fail(owner, field, f"be {what}", type(obj).__name__)
    return float(value)


def bass_hooks(
    model: Any,
    *,
    period_weeks: float = 1.0,
    talks_per_week: float = 1.0,
    opens_per_week: float = 1.0,
) -> dict[str, float]:
    """``broadcast_p`` and ``wom_q`` from a Bass model's innovation ``p`` and imitation ``q``.

    In the Bass model a prospect adopts with hazard ``p + q F`` per period, ``F`` the adopted
    share. In the engine a prospect who opened broadcast messages converts with ``broadcast_p``
    per opened message, and one who talked with ``m`` adopted friends with ``1 − (1 −
    wom_q)^m``. A prospect who opens ``o`` messages and has ``k`` conversations a week, a share
    ``F`` of them with adopters, so has hazard about ``o · broadcast_p + k F · wom_q``, which
    is the Bass hazard per week when ``broadcast_p = p_w / o`` and ``wom_q = q_w / k``
    (``p_w = p / period_weeks`` and ``q_w`` likewise). The match is to first order (small
    hazards) and holds for the ``o`` and ``k`` of the community being simulated: read them off
    a run, e.g. ``k = 2 · messages / members`` per week from a :class:`Trajectory`.

    Parameters
    ----------
    model
        Anything with ``p`` and ``q``: :class:`~shequn.diffusion.bass.Bass`,
        :class:`~shequn.diffusion.bass.BassFit`.
    period_weeks
        Length of the model's period in weeks (> 0): 1 for weekly data, about 4.35 for
        monthly.
    talks_per_week
        Conversations a prospect has per week (> 0).
    opens_per_week
        Broadcast messages a prospect opens per week (> 0).

    Returns
    -------
    dict
        ``{"broadcast_p": ..., "wom_q": ...}``, ready for ``Mechanisms(**...)``.

    Raises
    ------
    InvalidParameterError
        A model without ``p``/``q``, non-positive scales, or a per-message or per-talk
        probability above 1 (too few opens or talks for the fitted hazard).

    Examples
    --------
    >>> from shequn.diffusion.bass import Bass
    >>> bass_hooks(Bass(p=0.02, q=0.4), period_weeks=2.0, talks_per_week=0.5)
    {'broadcast_p': 0.01, 'wom_q': 0.4}
    >>> bass_hooks(Bass(p=0.02, q=0.4), talks_per_week=0.2)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `bass_hooks.wom_q` must be <= 1 (more \
talks_per_week); got 2.0
    """
    p = _attr(model, "p", "bass_hooks", "model", "a Bass model (with p and q)")
    q = _attr(model, "q", "bass_hooks", "model", "a Bass model (with p and q)")
    w = check_positive(period_weeks, owner="bass_hooks", field="period_weeks")
    k = check_positive(talks_per_week, owner="bass_hooks", field="talks_per_week")
    o = check_positive(opens_per_week, owner="bass_hooks", field="opens_per_week")
    out = {"broadcast_p": p / w / o, "wom_q": q / w / k}
    for name, more in (("broadcast_p", "opens_per_week"), ("wom_q", "talks_per_week")):
        if not 0.0 <= out[name] <= 1.0:
            raise fail("bass_hooks", name, f"be <= 1 (more {more})", out[name])
    return out


def _rate(model: Any) -> float:
    inner = getattr(model, "model", model)  # a CustomerBaseFit holds the model
    r = _attr(inner, "r", "repeat_rates_from", "models", "a BG/NBD or Pareto/NBD model")
    alpha = _attr(inner, "alpha", "repeat_rates_from", "models", "a BG/NBD or Pareto/NBD model")
    return r / alpha


def repeat_rates_from(models: Any, *, period_weeks: float = 1.0) -> tuple[float, ...]:
    """``repeat_rates`` (customer, user, fan, friend) from BG/NBD or Pareto/NBD fits.

    The engine buys Poisson(``repeat_rates[stage]``) units a week from every member present;
    leaving is the engine's churn, not the fit's dropout. So the rate to plug in is the fit's
    mean purchase rate *while alive*, ``r / alpha`` per time unit, over ``period_weeks``.

    Parameters
    ----------
    models
        One model for every stage, or four (customer, user, fan, friend): anything with ``r``
        and ``alpha`` (:class:`~shequn.loyalty.BGNBD`, :class:`~shequn.loyalty.ParetoNBD`) or
        a :class:`~shequn.loyalty.CustomerBaseFit` of one.
    period_weeks
        Time unit of the fit in weeks (> 0): 1 when the log was in weeks, 1/7 in days.

    Examples
    --------
    >>> from shequn.loyalty import BGNBD
    >>> bg = BGNBD(r=0.5, alpha=10.0, a=1.0, b=2.0)
    >>> repeat_rates_from(bg)
    (0.05, 0.05, 0.05, 0.05)
    >>> repeat_rates_from([bg, bg, bg], period_weeks=1.0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `repeat_rates_from.models` must be one model or \
four (customer, user, fan, friend); got 3
    """
    w = check_positive(period_weeks, owner="repeat_rates_from", field="period_weeks")
    if isinstance(models, Sequence):
        if len(models) != 4:
            raise fail(
                "repeat_rates_from",
                "models",
                "be one model or four (customer, user, fan, friend)",
                len(models),
            )
        rates: tuple[float, ...] = tuple(_rate(x) / w for x in models)
    else:
        rates = (_rate(models) / w,) * 4
    if not all(math.isfinite(r) for r in rates):  # a subnormal period overflows the division
        raise fail(
            "repeat_rates_from",
            "period_weeks",
            "give finite weekly rates (too small)",
            period_weeks,
        )
    return rates


def ladder_rates_from(
    ladder: Any, *, period_weeks: float = 1.0, engagement: float = 1.0
) -> tuple[float, float, float]:
    """``ladder_rates`` (customer→user, user→fan, fan→friend) from a fitted ladder.

    A fitted :class:`~shequn.loyalty.Ladder` gives the one-period probability ``P`` of each
    up-move, averaged over members as they were. The engine's rate is per week and for a fully
    engaged, satisfied member (its up-move probability is ``rate · e · satisfaction · (1 +
    strong-tie boost)``, and fan → friend also needs a strong tie). So the weekly probability
    ``1 − (1 − P)^(1 / period_weeks)`` (a constant hazard within the period) is divided by
    ``engagement``, the mean of ``e · satisfaction · boost`` of the members who climb; 1 takes
    the fitted rate as the full-engagement rate.

    Parameters
    ----------
    ladder
        A :class:`~shequn.loyalty.Ladder` or :class:`~shequn.loyalty.LadderFit`.
    period_weeks
        Length of the ladder's period in weeks (> 0); :func:`~shequn.loyalty.default_ladder`
        is monthly (about 4.35).
    engagement
        Mean engagement factor of the climbers, in (0, 1].

    Raises
    ------
    InvalidParameterError
        Not a ladder, bad scales, or a resulting rate above 1 (raise ``engagement``).

    Examples
    --------
    >>> from shequn.loyalty import default_ladder
    >>> [round(r, 4) for r in ladder_rates_from(default_ladder(), period_weeks=4.0)]
    [0.0543, 0.0206, 0.0127]
    """
    inner = getattr(ladder, "ladder", ladder)  # a LadderFit holds the ladder
    T = getattr(inner, "transition", None)
    if T is None:
        raise fail("ladder_rates_from", "ladder", "be a Ladder or LadderFit", type(ladder).__name__)
    w = check_positive(period_weeks, owner="ladder_rates_from", field="period_weeks")
    eng = check_positive(engagement, owner="ladder_rates_from", field="engagement")
    if eng > 1.0:
        raise fail("ladder_rates_from", "engagement", "be in (0, 1]", eng)
    moves = ((Stage.CUSTOMER, Stage.USER), (Stage.USER, Stage.FAN), (Stage.FAN, Stage.FRIEND))
    out = []
    for a, b in moves:
        weekly = 1.0 - math.pow(1.0 - float(T[int(a), int(b)]), 1.0 / w)
        rate = weekly / eng
        if rate > 1.0:
            raise fail(
                "ladder_rates_from",
                "engagement",
                f"leave the {a.name.lower()} → {b.name.lower()} rate <= 1",
                eng,
            )
        out.append(rate)
    return (out[0], out[1], out[2])
