"""Crowdsourcing hook: engaged fans and friends contribute ideas (platform value, seeds 003, 004).

Seed 003: 社群具有三层价值 (three layers of value), the platform layer being what members give
back: feedback and ideas; seed 004: Haier's makers (see :func:`shequn.simulation.crowdsource`,
which runs one round of proposals and votes on a community). In the weekly engine every
present fan and friend contributes Poisson(``idea_rate · e``) ideas a week; their sum is the
week's ``ideas``, the supply a crowdsourcing round draws on.

Examples
--------
>>> from shequn.simulation.mechanisms.crowdsourcing import IdeaParams
>>> IdeaParams().idea_rate
0.02
"""

from __future__ import annotations

from typing import NamedTuple

import attrs
import numpy as np

from shequn._validation import check_nonnegative, fail
from shequn.simulation.mechanisms._spec import Flow, Setting, param

__all__ = ["FLOWS", "NAME", "PROFILE_FIELDS", "IdeaParams", "IdeaRates", "ideas"]

NAME = "crowdsourcing"
PROFILE_FIELDS: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class IdeaParams:
    """Rate of ideas.

    Attributes
    ----------
    idea_rate
        Ideas per week contributed by a fully engaged fan or friend.
    """

    idea_rate: float = param(
        0.02, unit="ideas / week", source="004 海尔创客 (Haier's makers); size assumed"
    )


PARAMS = IdeaParams

FLOWS = (Flow(name="ideas", unit="ideas", meaning="ideas contributed by fans and friends"),)


class IdeaRates(NamedTuple):
    """The idea rate (derived at compile time)."""

    rate: float


def derive(params: IdeaParams, s: Setting) -> IdeaRates:
    """The idea rate as it is."""
    return IdeaRates(rate=float(params.idea_rate))


def ideas(r: IdeaRates, fan_engagement: float, gen: np.random.Generator) -> int:
    """Ideas this week: Σ of independent Poisson(``idea_rate · e_i``) over present fans and
    friends, i.e. Poisson(``idea_rate · Σ e_i``).

    ``fan_engagement`` (the sum ``Σ e_i``) must be finite and >= 0, and the mean
    ``idea_rate · Σ e_i`` at most ``MAX_MEAN`` (beyond it numpy cannot draw a Poisson count).

    Examples
    --------
    >>> ideas(IdeaRates(rate=0.5), 0.0, np.random.default_rng(0))
    0
    >>> ideas(IdeaRates(rate=0.5), -1.0, np.random.default_rng(0))
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `crowdsourcing.ideas.fan_engagement` must be >= 0 \
and finite; got -1.0
    """
    owner = "crowdsourcing.ideas"
    e = check_nonnegative(fan_engagement, owner=owner, field="fan_engagement")
    mean = r.rate * e
    if mean > MAX_MEAN:
        raise fail(
            owner, "fan_engagement", f"give a mean idea_rate · fan_engagement <= {MAX_MEAN:g}", e
        )
    return int(gen.poisson(mean)) if e > 0 else 0


MAX_MEAN = 1e15
"""The largest Poisson mean :func:`ideas` draws from (numpy refuses means near 2^63)."""
