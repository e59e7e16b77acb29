"""The broadcast channel: audience, open rate, clicks, conversion, cost and ad waste.

Broadcast (SMS blasts, banners, a big follower base) reaches people whoever their friends are;
at market level it is the Bass ``p``. Seed 001 observes that *the larger the follower base, the
lower the open rate*, seed 000 a ¥30,000 banner week that brought no customer. This module:

* states the open-rate law as a parameterised, fittable curve (:class:`PowerOpenRate`,
  :class:`SaturatingOpenRate`, :func:`fit_open_rate` from ``(audience, opens)`` pairs);
* derives the same decline from a mechanism (:func:`open_rate_from_interest`): an account first
  gathers its most interested followers, so with heterogeneous interest every later follower
  opens less often and the *average* open rate falls as the audience grows;
* prices a campaign through its funnel (:class:`BroadcastCampaign`): impressions, opens,
  clicks, customers, cost per impression and per customer, and the ad waste (spend on
  impressions that reach no precise user);
* compares the same budget spent on broadcast and on community operation with Monte Carlo
  uncertainty (:func:`compare_budget`); the community side is any callable
  ``(budget, rng) -> customers``, by default :class:`CommunityChannel`, a vectorised network
  Bass process on the community's ties.

Examples
--------
>>> from shequn.diffusion.reach import BroadcastCampaign, PowerOpenRate
>>> law = PowerOpenRate(r0=0.25, beta=0.3, a0=1_000)
>>> round(float(law(100_000)), 4)  # a hundred times the audience, a quarter of the rate
0.0628
>>> sms = BroadcastCampaign(audience=100_000, open_rate=law, click_rate=0.05,
...                         conversion_rate=0.1, precise_share=0.2, cost_per_impression=0.05)
>>> f = sms.funnel()
>>> round(f.customers, 1), round(f.cost_per_customer)
(6.3, 796)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeAlias

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from shequn._optional import optional_import
from shequn._results import draw
from shequn._stats import mean_ci
from shequn._validation import (
    check_array,
    check_choice,
    check_in_range,
    check_int,
    check_level,
    check_nonnegative,
    check_positive,
    check_probability,
    fail,
    finite,
    nonnegative,
    positive,
    probability,
)
from shequn.community._graph import GraphLike, resolve_members
from shequn.diffusion._network import DiffusionNetwork, as_network
from shequn.diffusion.cascades import network_bass
from shequn.exceptions import ConvergenceError
from shequn.rng import RNGLike, map_runs, resolve_rng

__all__ = [
    "BroadcastCampaign",
    "BudgetComparison",
    "CommunityChannel",
    "Funnel",
    "OpenRateFit",
    "PowerOpenRate",
    "SaturatingOpenRate",
    "compare_budget",
    "fit_open_rate",
    "open_rate_from_interest",
]

FloatArray = NDArray[np.float64]
_arr_eq = attrs.cmp_using(eq=np.array_equal)


def _audience(audience: ArrayLike, owner: str) -> FloatArray:
    a = check_array(audience, owner=owner, field="audience", nonnegative=True)
    return np.asarray(a, dtype=np.float64)


# --- open-rate laws ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PowerOpenRate:
    """Open rate falling as a power of the audience: ``min(1, r0 (audience / a0)^(-beta))``.

    Attributes
    ----------
    r0
        Open rate at the reference audience ``a0``, in (0, 1].
    beta
        Elasticity of the open rate to audience size (``beta > 0``: bigger lists open less);
        doubling the audience multiplies the rate by ``2^(-beta)``.
    a0
        Reference audience (> 0) at which the rate is ``r0``.

    Examples
    --------
    >>> law = PowerOpenRate(r0=0.2, beta=0.5, a0=100)
    >>> law([100, 400]).tolist()
    [0.2, 0.1]
    >>> float(law(1))  # capped at 1 for tiny audiences
    1.0
    """

    r0: float = attrs.field(converter=float, validator=[positive, probability])
    beta: float = attrs.field(converter=float, validator=finite)
    a0: float = attrs.field(default=1000.0, converter=float, validator=positive)

    def __call__(self, audience: ArrayLike) -> FloatArray:
        """Open rate at each audience size."""
        a = _audience(audience, "PowerOpenRate")
        with np.errstate(divide="ignore"):
            r = self.r0 * np.power(a / self.a0, -self.beta)
        return np.asarray(np.minimum(r, 1.0), dtype=np.float64)


@attrs.frozen(kw_only=True)
class SaturatingOpenRate:
    """Open rate falling from ``r0`` to a floor: ``r_floor + (r0 - r_floor) / (1 + a / a_half)``.

    The rate of a tiny list is ``r0``; at ``a_half`` it is half-way to the floor ``r_floor``, the
    open rate of the indifferent mass audience.

    Examples
    --------
    >>> law = SaturatingOpenRate(r0=0.4, r_floor=0.04, a_half=5000)
    >>> law([0, 5000]).tolist()
    [0.4, 0.22]
    """

    r0: float = attrs.field(converter=float, validator=[positive, probability])
    r_floor: float = attrs.field(converter=float, validator=probability)
    a_half: float = attrs.field(converter=float, validator=positive)

    def __attrs_post_init__(self) -> None:
        if self.r_floor > self.r0:
            raise fail("SaturatingOpenRate", "r_floor", f"be <= r0 ({self.r0:g})", self.r_floor)

    def __call__(self, audience: ArrayLike) -> FloatArray:
        """Open rate at each audience size."""
        a = _audience(audience, "SaturatingOpenRate")
        return self.r_floor + (self.r0 - self.r_floor) / (1.0 + a / self.a_half)


OpenRateLaw: TypeAlias = PowerOpenRate | SaturatingOpenRate


def _law_and_grad(
    form: str, theta: FloatArray, a: FloatArray, a0: float
) -> tuple[FloatArray, FloatArray]:
    """Open rate and its gradient with respect to the natural parameters."""
    if form == "power":
        r0, beta = theta
        ratio = np.log(a / a0)
        r = r0 * np.exp(-beta * ratio)
        return r, np.column_stack([r / r0, -r * ratio])
    r0, rf, ah = theta
    s = 1.0 / (1.0 + a / ah)
    r = rf + (r0 - rf) * s
    return r, np.column_stack([s, 1.0 - s, (r0 - rf) * s * s * a / ah**2])


@attrs.frozen(kw_only=True)
class OpenRateFit:
    """A fitted open-rate law with standard errors (binomial likelihood of opens).

    Attributes
    ----------
    law
        The fitted :class:`PowerOpenRate` or :class:`SaturatingOpenRate`.
    names, params, cov
        Parameter names, estimates and covariance (Fisher information, scaled by the Pearson
        dispersion when ``dispersion > 1`` was estimated).
    dispersion
        Pearson chi-square over residual degrees of freedom (``1`` with
        ``dispersion="binomial"``); values well above 1 mean overdispersed campaign data.
    log_likelihood, aic, n_obs
        Binomial log-likelihood, Akaike's criterion and the number of pairs.
    """

    law: OpenRateLaw
    names: tuple[str, ...]
    params: FloatArray = attrs.field(eq=_arr_eq)
    cov: FloatArray = attrs.field(eq=_arr_eq, repr=False)
    dispersion: float
    log_likelihood: float
    aic: float
    n_obs: int
    level: float = 0.95

    @property
    def se(self) -> FloatArray:
        """Standard errors of :attr:`params`."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    def conf_int(self, level: float | None = None) -> FloatArray:
        """(k, 2) Wald intervals for the parameters.

        Examples
        --------
        >>> a = np.array([1e2, 1e3, 1e4, 1e5])
        >>> fit = fit_open_rate(a, np.round(PowerOpenRate(r0=0.2, beta=0.3, a0=1e3)(a) * a))
        >>> fit.conf_int().shape
        (2, 2)
        """
        lv = self.level if level is None else check_level(level, owner="OpenRateFit.conf_int")
        z = float(stats.norm.ppf(0.5 + lv / 2))
        return np.column_stack([self.params - z * self.se, self.params + z * self.se])

    def summary(self) -> str:
        """Plain-text table of the estimates.

        Examples
        --------
        >>> a = np.array([1e2, 1e3, 1e4, 1e5])
        >>> fit = fit_open_rate(a, np.round(PowerOpenRate(r0=0.2, beta=0.3, a0=1e3)(a) * a))
        >>> print(fit.summary().splitlines()[0])
        Open-rate law PowerOpenRate, 4 (audience, opens) pairs
        """
        ci = self.conf_int()
        lines = [f"Open-rate law {type(self.law).__name__}, {self.n_obs} (audience, opens) pairs"]
        for i, n in enumerate(self.names):
            lines.append(
                f"{n:<8}{self.params[i]:>12.6g}{self.se[i]:>12.4g}"
                f"{ci[i, 0]:>12.6g}{ci[i, 1]:>12.6g}"
            )
        lines.append(
            f"dispersion = {self.dispersion:.3g}; log-lik = {self.log_likelihood:.6g};"
            f" AIC = {self.aic:.6g}"
        )
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """Estimates as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> a = np.array([1e2, 1e3, 1e4, 1e5])
        >>> fit = fit_open_rate(a, np.round(PowerOpenRate(r0=0.2, beta=0.3, a0=1e3)(a) * a))
        >>> fit.to_frame().index.tolist()
        ['r0', 'beta']
        """
        pd = optional_import("pandas", extra="pandas")
        ci = self.conf_int()
        return pd.DataFrame(
            {"estimate": self.params, "se": self.se, "lower": ci[:, 0], "upper": ci[:, 1]},
            index=pd.Index(list(self.names), name="param"),
        )


def fit_open_rate(
    audience: ArrayLike,
    opens: ArrayLike,
    *,
    form: str = "power",
    a0: float | None = None,
    dispersion: str = "pearson",
    level: float = 0.95,
) -> OpenRateFit:
    """Fit an open-rate law to ``(audience, opens)`` pairs by binomial maximum likelihood.

    Parameters
    ----------
    audience
        Audience (or delivered messages) of each send, > 0.
    opens
        Opens of each send, integers in ``[0, audience]``.
    form
        ``"power"`` (:class:`PowerOpenRate`, parameters ``r0, beta``) or ``"saturating"``
        (:class:`SaturatingOpenRate`, parameters ``r0, r_floor, a_half``).
    a0
        Reference audience of the power law; by default the geometric mean of the audiences
        (which makes ``r0`` and ``beta`` nearly uncorrelated).
    dispersion
        ``"pearson"`` scales the covariance by the Pearson dispersion (quasi-binomial, robust
        to the overdispersion of real campaigns); ``"binomial"`` uses the Fisher information.
    level
        Confidence level of :meth:`OpenRateFit.conf_int`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = np.geomspace(100, 1e6, 30).round()
    >>> opens = rng.binomial(a.astype(int), PowerOpenRate(r0=0.2, beta=0.3, a0=1e4)(a))
    >>> fit = fit_open_rate(a, opens, a0=1e4)
    >>> bool(abs(fit.params[1] - 0.3) < 3 * fit.se[1])
    True
    """
    owner = "fit_open_rate"
    form = check_choice(form, ["power", "saturating"], owner=owner, field="form")
    dispersion = check_choice(dispersion, ["pearson", "binomial"], owner=owner, field="dispersion")
    lv = check_level(level, owner=owner)
    a = np.asarray(check_array(audience, owner=owner, field="audience", ndim=1), dtype=float)
    o = np.asarray(
        check_array(opens, owner=owner, field="opens", ndim=1, nonnegative=True), dtype=float
    )
    if (a <= 0).any():
        bad = int(np.flatnonzero(a <= 0)[0])
        raise fail(owner, "audience", f"be > 0 (index {bad})", a[bad])
    if o.shape != a.shape:
        raise fail(owner, "opens", f"have one value per audience ({a.shape[0]})", o.shape[0])
    if (o > a).any():
        bad = int(np.flatnonzero(o > a)[0])
        raise fail(owner, "opens", f"be <= audience (index {bad})", o[bad])
    if (o != np.round(o)).any():
        bad = int(np.flatnonzero(o != np.round(o))[0])
        raise fail(owner, "opens", f"hold whole numbers (index {bad})", o[bad])
    k = 2 if form == "power" else 3
    if a.shape[0] < k:
        raise fail(owner, "audience", f"have at least {k} pairs (one per parameter)", a.shape[0])
    ref = (
        float(np.exp(np.log(a).mean()))
        if a0 is None
        else check_positive(a0, owner=owner, field="a0")
    )
    rate = o / a
    if form == "power":
        if len(np.unique(a)) < 2:
            raise fail(owner, "audience", "hold at least 2 distinct sizes", a)
        pos = o > 0
        if pos.sum() >= 2:
            slope, icpt = np.polyfit(np.log(a[pos] / ref), np.log(rate[pos]), 1)
        else:
            slope, icpt = 0.0, math.log(max(rate.mean(), 1e-6))
        u0 = np.array([special.logit(min(max(math.exp(icpt), 1e-6), 0.99)), -slope])

        def to_theta(u: FloatArray) -> FloatArray:
            return np.array([special.expit(u[0]), u[1]])
    else:
        if len(np.unique(a)) < 3:
            raise fail(owner, "audience", "hold at least 3 distinct sizes", a)
        order = np.argsort(a)
        hi_r = min(max(float(rate[order[:2]].mean()), 1e-4), 0.99)
        lo_r = min(max(float(rate[order[-2:]].mean()), 1e-5), hi_r * 0.9)
        u0 = np.array(
            [special.logit(hi_r), special.logit(lo_r / hi_r), math.log(float(np.median(a)))]
        )

        def to_theta(u: FloatArray) -> FloatArray:
            r0 = special.expit(u[0])
            return np.array([r0, r0 * special.expit(u[1]), math.exp(u[2])])

    def nll(u: FloatArray) -> float:
        theta = to_theta(u)
        r, _ = _law_and_grad(form, theta, a, ref)
        if not np.all((r > 0) & (r < 1)):
            return 1e300
        return -float((o * np.log(r) + (a - o) * np.log1p(-r)).sum())

    def loglik(theta: FloatArray) -> float:
        if form == "saturating" and not (
            0 < theta[0] <= 1 and 0 <= theta[1] <= theta[0] and theta[2] > 0
        ):
            return -math.inf
        if form == "power" and not 0 < theta[0] <= 1:
            return -math.inf
        r, _ = _law_and_grad(form, theta, a, ref)
        if not np.all((r > 0) & (r < 1)):
            return -math.inf
        return float((o * np.log(r) + (a - o) * np.log1p(-r)).sum())

    def scoring(theta: FloatArray) -> tuple[FloatArray, bool]:
        """Fisher scoring with step halving; returns the estimate and whether it converged."""
        cur = loglik(theta)
        for _ in range(200):
            r, G = _law_and_grad(form, theta, a, ref)
            w = a / (r * (1 - r))
            score = G.T @ ((o - a * r) / (r * (1 - r)))
            try:
                step = np.linalg.solve((G * w[:, None]).T @ G, score)
            except np.linalg.LinAlgError:
                return theta, False
            if float(score @ step) < 1e-9:  # Newton decrement: log-lik within 1e-9 of its max
                return theta, True
            t = 1.0
            while t > 1e-10:
                cand = theta + t * step
                new = loglik(cand)
                if new >= cur - 1e-12 * abs(cur):
                    break
                t *= 0.5
            else:
                return theta, False
            theta, done = cand, bool(np.all(np.abs(t * step) <= 1e-10 * (1 + np.abs(theta))))
            cur = new
            if done:
                return theta, True
        return theta, False

    theta, ok = scoring(to_theta(u0))
    if not ok:  # a derivative-free start, then scoring again
        res = optimize.minimize(
            nll,
            u0,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
        )
        theta, ok = scoring(to_theta(res.x))
    r, G = _law_and_grad(form, theta, a, ref)
    if not ok or not np.all((r > 0) & (r < 1)):
        raise ConvergenceError(
            "fit_open_rate did not converge; check the data or try the other form"
        )
    w = a / (r * (1 - r))
    info = (G * w[:, None]).T @ G
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError(
            "fit_open_rate: the parameters are not identified (singular "
            "information); use more distinct audience sizes"
        ) from exc
    phi = 1.0
    if dispersion == "pearson" and a.shape[0] > k:
        phi = float(((o - a * r) ** 2 / (a * r * (1 - r))).sum() / (a.shape[0] - k))
        cov = cov * phi
    ll = float(
        (
            special.gammaln(a + 1)
            - special.gammaln(o + 1)
            - special.gammaln(a - o + 1)
            + o * np.log(r)
            + (a - o) * np.log1p(-r)
        ).sum()
    )
    law: OpenRateLaw
    if form == "power":
        law = PowerOpenRate(r0=float(theta[0]), beta=float(theta[1]), a0=ref)
        names: tuple[str, ...] = ("r0", "beta")
    else:
        law = SaturatingOpenRate(
            r0=float(theta[0]), r_floor=float(theta[1]), a_half=float(theta[2])
        )
        names = ("r0", "r_floor", "a_half")
    return OpenRateFit(
        law=law,
        names=names,
        params=np.asarray(theta, dtype=float),
        cov=np.asarray(cov, dtype=np.float64),
        dispersion=phi,
        log_likelihood=ll,
        aic=2 * k - 2 * ll,
        n_obs=int(a.shape[0]),
        level=lv,
    )


# --- the mechanism: interest heterogeneity ---------------------------------------------------


def open_rate_from_interest(
    audience: ArrayLike,
    *,
    population: int,
    interest_alpha: float = 1.0,
    interest_beta: float = 4.0,
    selectivity: float = math.inf,
    grid: int = 4000,
) -> FloatArray:
    """Average open rate of an account that gathered ``audience`` followers, from a mechanism.

    Each of ``population`` potential followers has an interest ``u ~ Beta(interest_alpha,
    interest_beta)`` and opens a message with probability ``u``. The account gathers followers
    one at a time, each next follower drawn among those not yet following with weight
    ``u^selectivity``: the most interested come first. With ``selectivity = inf`` followers
    join in exact order of interest and the average open rate of ``a`` followers is the mean
    of the top ``a / population`` of the interest distribution; with ``selectivity = 0``
    followers are a random sample and the open rate does not depend on the audience. In
    between, the inclusion probability of a person with interest ``u`` is
    ``1 - exp(-lambda u^selectivity)`` with ``lambda`` set so that the expected audience is
    ``a`` (the large-population limit of successive sampling, Rosén 1972).

    So the open rate falls with audience because later followers are less interested, not by
    decree; fit a :class:`PowerOpenRate` to this curve to see which ``beta`` a given interest
    spread implies.

    Parameters
    ----------
    audience
        Follower counts, integers in ``[1, population]``.
    population
        Size of the reachable population (> 0).
    interest_alpha, interest_beta
        Beta distribution of interest (> 0); mean ``alpha / (alpha + beta)``.
    selectivity
        ``>= 0``; how strongly interest drives the order of joining (``inf``: strict order).
    grid
        Quantile cells used for the integrals (accuracy about ``1 / grid``).

    Examples
    --------
    >>> r = open_rate_from_interest([100, 1000, 10000], population=10000)
    >>> bool(r[0] > r[1] > r[2]), round(float(r[2]), 3)  # all followers: the mean interest 0.2
    (True, 0.2)
    """
    owner = "open_rate_from_interest"
    n = check_int(population, owner=owner, field="population", low=1)
    al = check_positive(interest_alpha, owner=owner, field="interest_alpha")
    be = check_positive(interest_beta, owner=owner, field="interest_beta")
    kappa = check_in_range(selectivity, owner=owner, field="selectivity", low=0.0)
    g = check_int(grid, owner=owner, field="grid", low=10)
    a = np.asarray(
        check_array(audience, owner=owner, field="audience", dtype=np.int64), dtype=np.float64
    )
    if a.size and (a.min() < 1 or a.max() > n):
        bad = a[(a < 1) | (a > n)][0]
        raise fail(owner, "audience", f"be in [1, population={n}]", int(bad))
    frac = (a / n).ravel()
    # quantile cells: g equal cells, refined geometrically towards both tails
    tail = np.geomspace(1e-12, 1.0 / g, 80)
    edges = np.unique(np.concatenate([np.linspace(0.0, 1.0, g + 1), tail, 1.0 - tail]))
    mass = np.diff(edges)
    u = np.asarray(stats.beta.ppf(0.5 * (edges[:-1] + edges[1:]), al, be), dtype=np.float64)
    mean_u = float(mass @ u)
    if math.isinf(kappa):
        m_top = np.concatenate([[0.0], np.cumsum(mass[::-1])])  # mass of the top cells
        i_top = np.concatenate([[0.0], np.cumsum((mass * u)[::-1])])
        k = np.clip(np.searchsorted(m_top, frac, side="right") - 1, 0, mass.shape[0] - 1)
        part = np.clip(frac - m_top[k], 0.0, None)
        out = (i_top[k] + part * u[::-1][k]) / frac
    elif kappa == 0.0:
        out = np.full(frac.shape, mean_u)
    else:
        w = u**kappa
        w = w / w.max()
        lo = np.full(frac.shape, -30.0)
        hi = np.full(frac.shape, 80.0)
        for _ in range(110):  # bisection on log(lambda), all audiences at once
            mid = 0.5 * (lo + hi)
            incl = -np.expm1(-np.exp(mid)[:, None] * w[None, :]) @ mass
            big = incl > frac
            hi = np.where(big, mid, hi)
            lo = np.where(big, lo, mid)
        pi = -np.expm1(-np.exp(0.5 * (lo + hi))[:, None] * w[None, :]) * mass[None, :]
        out = (pi @ u) / pi.sum(axis=1)
    out = np.where(frac >= 1.0, mean_u, out)  # everyone follows: the population mean
    return np.asarray(out.reshape(a.shape), dtype=np.float64)


# --- the funnel -------------------------------------------------------------------------------


def _open_rate_field(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, PowerOpenRate | SaturatingOpenRate):
        return
    check_probability(value, owner=type(instance).__name__, field=attribute.name)


@attrs.frozen(kw_only=True)
class Funnel:
    """Expected outcome of a broadcast campaign, stage by stage, with its costs.

    ``ad_waste`` is the spend on impressions that reach no precise user (people who could
    never buy); ``prob_no_customer`` the chance the whole campaign brings nobody.
    """

    impressions: float
    opens: float
    clicks: float
    customers: float
    spend: float
    cost_per_impression: float
    cost_per_click: float
    cost_per_customer: float
    ad_waste: float
    prob_no_customer: float


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else math.inf


@attrs.frozen(kw_only=True)
class BroadcastCampaign:
    """A broadcast campaign: who it is sent to, how many open, click and buy, what it costs.

    Attributes
    ----------
    audience
        People targeted (list size, followers, page visitors), integer >= 0.
    open_rate
        Probability that a delivered message is opened (or a banner noticed): a number or an
        open-rate law evaluated at ``audience`` (:class:`PowerOpenRate`, ...).
    delivery_rate
        Share of the audience actually reached (delivered SMS, rendered banner).
    click_rate
        Probability of a click (reply, visit) given an open.
    precise_share
        Share of the audience who are precise users, the only ones who can become customers.
    conversion_rate
        Probability that a precise user who clicked buys.
    cost_per_impression
        Price of one delivered impression (>= 0).
    fixed_cost
        Flat cost of the campaign (a banner slot, creative work), >= 0.

    Examples
    --------
    Seed 000: a wedding-photo studio buys a portal's front-page banner for a week, ¥30,000 for
    about 200,000 visitors, of whom one in a thousand is planning a wedding in town.

    >>> banner = BroadcastCampaign(audience=200_000, open_rate=0.3, click_rate=0.002,
    ...                            precise_share=0.001, conversion_rate=0.05, fixed_cost=30_000)
    >>> f = banner.funnel()
    >>> round(f.customers, 3), round(f.prob_no_customer, 3), round(f.ad_waste)
    (0.006, 0.994, 29970)
    """

    audience: int = attrs.field(
        validator=lambda i, a, v: check_int(v, owner=type(i).__name__, field=a.name, low=0)
    )
    open_rate: float | OpenRateLaw = attrs.field(validator=_open_rate_field)
    delivery_rate: float = attrs.field(default=1.0, converter=float, validator=probability)
    click_rate: float = attrs.field(default=1.0, converter=float, validator=probability)
    precise_share: float = attrs.field(default=1.0, converter=float, validator=probability)
    conversion_rate: float = attrs.field(default=1.0, converter=float, validator=probability)
    cost_per_impression: float = attrs.field(default=0.0, converter=float, validator=nonnegative)
    fixed_cost: float = attrs.field(default=0.0, converter=float, validator=nonnegative)

    @property
    def effective_open_rate(self) -> float:
        """The open rate at this audience size.

        Examples
        --------
        >>> BroadcastCampaign(audience=400, open_rate=PowerOpenRate(r0=0.2, beta=0.5, a0=100)
        ...                   ).effective_open_rate
        0.1
        """
        if isinstance(self.open_rate, PowerOpenRate | SaturatingOpenRate):
            return float(self.open_rate(float(max(self.audience, 1))))
        return float(self.open_rate)

    @property
    def conversion_probability(self) -> float:
        """Probability that one targeted person becomes a customer (product of all stages).

        Examples
        --------
        >>> BroadcastCampaign(audience=10, open_rate=0.5, click_rate=0.2).conversion_probability
        0.1
        """
        return (
            self.delivery_rate
            * self.effective_open_rate
            * self.click_rate
            * self.precise_share
            * self.conversion_rate
        )

    @property
    def spend(self) -> float:
        """Total cost: fixed cost plus delivered impressions times their price.

        Examples
        --------
        >>> BroadcastCampaign(audience=1000, open_rate=0.1, cost_per_impression=0.05,
        ...                   fixed_cost=100).spend
        150.0
        """
        return self.fixed_cost + self.cost_per_impression * self.audience * self.delivery_rate

    def funnel(self) -> Funnel:
        """Expected impressions, opens, clicks and customers with unit costs and ad waste.

        Examples
        --------
        >>> f = BroadcastCampaign(audience=1000, open_rate=0.2, click_rate=0.1,
        ...                       cost_per_impression=0.1).funnel()
        >>> f.clicks, f.cost_per_click
        (20.0, 5.0)
        """
        imp = self.audience * self.delivery_rate
        opens = imp * self.effective_open_rate
        clicks = opens * self.click_rate
        pi = self.conversion_probability
        customers = self.audience * pi
        spend = self.spend
        return Funnel(
            impressions=imp,
            opens=opens,
            clicks=clicks,
            customers=customers,
            spend=spend,
            cost_per_impression=_ratio(spend, imp),
            cost_per_click=_ratio(spend, clicks),
            cost_per_customer=_ratio(spend, customers),
            ad_waste=spend * (1.0 - self.precise_share),
            prob_no_customer=float(math.exp(self.audience * math.log1p(-pi)))
            if pi < 1
            else (0.0 if self.audience else 1.0),
        )

    def simulate(self, *, runs: int = 1, rng: RNGLike = None) -> NDArray[np.int64]:
        """Customers acquired in ``runs`` independent realisations of the campaign.

        Each targeted person passes delivery, open, click, precise and conversion independently,
        so the count is ``Binomial(audience, conversion_probability)`` exactly.

        Examples
        --------
        >>> c = BroadcastCampaign(audience=1000, open_rate=0.5, click_rate=0.2)
        >>> c.simulate(runs=3, rng=1).shape
        (3,)
        """
        runs = check_int(runs, owner="BroadcastCampaign.simulate", field="runs", low=1)
        gen = resolve_rng(rng, owner="BroadcastCampaign.simulate")
        return np.asarray(
            gen.binomial(self.audience, self.conversion_probability, size=runs), dtype=np.int64
        )

    def at_budget(self, budget: float) -> BroadcastCampaign:
        """The same campaign scaled to spend ``budget``: as large an audience as it buys.

        The open rate, when a law, is re-evaluated at the new audience (bigger blasts open less).

        Examples
        --------
        >>> c = BroadcastCampaign(audience=1, open_rate=0.1, cost_per_impression=0.05,
        ...                       fixed_cost=100)
        >>> c.at_budget(600).audience
        10000
        """
        owner = "BroadcastCampaign.at_budget"
        b = check_nonnegative(budget, owner=owner, field="budget")
        if b < self.fixed_cost:
            raise fail(owner, "budget", f"cover the fixed cost ({self.fixed_cost:g})", budget)
        per_person = self.cost_per_impression * self.delivery_rate
        if per_person <= 0:
            raise fail(
                owner,
                "cost_per_impression",
                "be > 0 (with delivery_rate > 0) to scale a campaign to a budget",
                self.cost_per_impression,
            )
        return attrs.evolve(self, audience=math.floor((b - self.fixed_cost) / per_person + 1e-9))


# --- community side: network Bass ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CommunityChannel:
    """Community operation as an acquisition channel: network Bass on the members' ties.

    The budget pays for ``floor(budget / cost_per_week)`` weeks of operation (content, events,
    staff). Each week a member who has not bought yet buys with probability
    ``1 - (1 - p)(1 - q)^k``: ``p`` from the community's own announcements, ``q`` per
    tie-weighted neighbour who already bought. ``seeds`` (e.g. the owner and leaders) are
    customers at the start and are not counted as acquired. Calling the channel with
    ``(budget, rng)`` returns the customers acquired, the contract :func:`compare_budget`
    expects; the simulation engine can replace it with any callable of that shape.

    Examples
    --------
    >>> import networkx as nx
    >>> ch = CommunityChannel(graph=nx.star_graph(10), p=0.0, q=1.0, cost_per_week=100,
    ...                       seeds=[0])
    >>> ch(100, np.random.default_rng(0))  # one week: every leaf hears from the hub
    10
    """

    graph: GraphLike = attrs.field(repr=False)
    p: float = attrs.field(converter=float, validator=probability)
    q: float = attrs.field(converter=float, validator=probability)
    cost_per_week: float = attrs.field(converter=float, validator=positive)
    seeds: Any = attrs.field(default=None, repr=False)
    _net: DiffusionNetwork = attrs.field(init=False, repr=False, eq=False)
    _seed_labels: tuple[Any, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        net = as_network(self.graph, owner="CommunityChannel")
        idx = (
            np.zeros(0, dtype=np.int64)
            if self.seeds is None
            else resolve_members(
                self.seeds, net.n, net.labels, owner="CommunityChannel", field="seeds"
            )
        )
        labels = (
            tuple(int(i) for i in idx) if net.labels is None else tuple(net.labels[i] for i in idx)
        )
        object.__setattr__(self, "_net", net)
        object.__setattr__(self, "_seed_labels", labels)

    @property
    def n(self) -> int:
        """Number of members."""
        return self._net.n

    def weeks(self, budget: float) -> int:
        """Weeks of operation the budget pays for.

        Examples
        --------
        >>> import networkx as nx
        >>> CommunityChannel(graph=nx.path_graph(3), p=0.1, q=0.1, cost_per_week=300).weeks(1000)
        3
        """
        b = check_nonnegative(budget, owner="CommunityChannel", field="budget")
        return math.floor(b / self.cost_per_week + 1e-9)

    def trajectory(self, budget: float, rng: RNGLike = None) -> NDArray[np.int64]:
        """Cumulative customers (seeds included) at the start and after each paid week.

        Examples
        --------
        >>> import networkx as nx
        >>> ch = CommunityChannel(graph=nx.path_graph(5), p=0.0, q=1.0, cost_per_week=1,
        ...                       seeds=[0])
        >>> ch.trajectory(3, rng=0).tolist()
        [1, 2, 3, 4]
        """
        gen = resolve_rng(rng, owner="CommunityChannel")
        steps = self.weeks(budget)
        if steps == 0:
            return np.array([len(self._seed_labels)], dtype=np.int64)
        res = network_bass(
            self._net, p=self.p, q=self.q, steps=steps, seeds=self._seed_labels, runs=1, rng=gen
        )
        return np.asarray(res.curves[0], dtype=np.int64)

    def __call__(self, budget: float, rng: np.random.Generator) -> int:
        """Customers acquired with ``budget`` (the :func:`compare_budget` contract)."""
        traj = self.trajectory(budget, rng)
        return int(traj[-1] - traj[0])


# --- the comparison ------------------------------------------------------------------------------


CommunityCustomers: TypeAlias = Callable[[float, np.random.Generator], int]


def _one_run(
    broadcast: BroadcastCampaign,
    community: CommunityCustomers,
    budget: float,
    *,
    rng: np.random.Generator,
) -> tuple[int, int]:
    b = int(rng.binomial(broadcast.audience, broadcast.conversion_probability))
    c = community(budget, rng)
    if isinstance(c, bool) or not isinstance(c, int | np.integer) or int(c) < 0:
        raise fail("compare_budget", "community", "return a non-negative integer count", c)
    return b, int(c)


@attrs.frozen(kw_only=True)
class BudgetComparison:
    """Customers acquired by the same budget through broadcast and through community operation.

    Attributes
    ----------
    budget
        The budget spent on each channel.
    broadcast, community
        Customers acquired in each Monte Carlo run (one array per channel, same runs).
    campaign
        The broadcast campaign scaled to the budget.
    level
        Confidence level of the reported intervals.
    """

    budget: float
    broadcast: NDArray[np.int64] = attrs.field(eq=_arr_eq)
    community: NDArray[np.int64] = attrs.field(eq=_arr_eq)
    campaign: BroadcastCampaign
    level: float = 0.95

    def customers(self, channel: str) -> tuple[float, float, float]:
        """Mean customers of ``channel`` with its confidence interval ``(mean, lo, hi)``.

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.customers("community")[0]
        5.0
        """
        ch = check_choice(
            channel, ["broadcast", "community"], owner="BudgetComparison", field="channel"
        )
        return mean_ci(getattr(self, ch), level=self.level)

    def cost_per_customer(self, channel: str) -> tuple[float, float, float]:
        """Budget over mean customers, with the interval from the mean's interval (inverted).

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.cost_per_customer("community")[0]
        200.0
        """
        m, lo, hi = self.customers(channel)
        inv = [_ratio(self.budget, v) if math.isfinite(v) else math.nan for v in (m, hi, lo)]
        return inv[0], inv[1], inv[2]

    @property
    def prob_community_wins(self) -> float:
        """Share of runs in which community operation acquired more customers (ties count half).

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.prob_community_wins  # the broadcast here converts everyone it reaches
        0.0
        """
        wins = (self.community > self.broadcast).mean()
        ties = (self.community == self.broadcast).mean()
        return float(wins + 0.5 * ties)

    def summary(self) -> str:
        """Plain-text comparison of the two channels.

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> print(cmp.summary().splitlines()[0])
        Budget 1000 over 20 runs
        """
        pct = round(100 * self.level)
        lines = [
            f"Budget {self.budget:g} over {self.broadcast.shape[0]} runs",
            f"{'channel':<11}{'customers':>11}{f'{pct}% CI':>22}{'cost/customer':>15}",
        ]
        for ch in ("broadcast", "community"):
            m, lo, hi = self.customers(ch)
            cpc = self.cost_per_customer(ch)[0]
            lines.append(f"{ch:<11}{m:>11.4g}{f'[{lo:.4g}, {hi:.4g}]':>22}{cpc:>15.4g}")
        lines.append(f"P(community acquires more) = {self.prob_community_wins:.3f}")
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """Customers per run and channel as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.to_frame().shape
        (20, 2)
        """
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            {"broadcast": self.broadcast, "community": self.community},
            index=pd.RangeIndex(self.broadcast.shape[0], name="run"),
        )

    def plot(self, *, ax: Any = None) -> Any:
        """Histograms of customers per run for both channels (needs the ``plot`` extra).

        A shortcut for :func:`shequn.plotting.bass.plot_budget_comparison`; returns the Axes.

        Examples
        --------
        >>> matplotlib = __import__("pytest").importorskip("matplotlib")
        >>> matplotlib.use("Agg")
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.plot().get_xlabel()
        'customers acquired'
        """
        return draw(self, ax=ax)


def compare_budget(
    budget: float,
    *,
    broadcast: BroadcastCampaign,
    community: CommunityCustomers,
    runs: int = 200,
    rng: RNGLike = None,
    executor: Any = None,
    level: float = 0.95,
) -> BudgetComparison:
    """Spend the same budget on broadcast and on community operation; count customers.

    Parameters
    ----------
    budget
        Money for each channel (>= the campaign's fixed cost).
    broadcast
        A :class:`BroadcastCampaign` priced per impression; it is scaled to the budget with
        :meth:`BroadcastCampaign.at_budget` (an open-rate law is re-evaluated at the larger
        audience).
    community
        Any callable ``community(budget, rng) -> int`` returning customers acquired, e.g. a
        :class:`CommunityChannel` or, later, a wrapper around the simulation engine.
    runs
        Monte Carlo runs; each run gets its own spawned stream (:func:`shequn.rng.map_runs`).
    rng, executor
        Seed material and an optional :class:`concurrent.futures.Executor` (the callable must
        then be picklable).
    level
        Confidence level of the reported intervals.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.watts_strogatz_graph(500, 6, 0.1, seed=1)
    >>> ch = CommunityChannel(graph=G, p=0.002, q=0.1, cost_per_week=500, seeds=[0, 1, 2])
    >>> sms = BroadcastCampaign(audience=1, open_rate=PowerOpenRate(r0=0.2, beta=0.3, a0=1e3),
    ...                         click_rate=0.05, precise_share=0.05, conversion_rate=0.2,
    ...                         cost_per_impression=0.05)
    >>> cmp = compare_budget(10_000, broadcast=sms, community=ch, runs=50, rng=3)
    >>> cmp.prob_community_wins > 0.5
    True
    """
    owner = "compare_budget"
    b = check_nonnegative(budget, owner=owner, field="budget")
    if not isinstance(broadcast, BroadcastCampaign):
        raise fail(owner, "broadcast", "be a BroadcastCampaign", broadcast)
    if not callable(community):
        raise fail(owner, "community", "be a callable (budget, rng) -> int", community)
    runs = check_int(runs, owner=owner, field="runs", low=2)
    lv = check_level(level, owner=owner)
    campaign = broadcast.at_budget(b)
    out = map_runs(
        functools.partial(_one_run, campaign, community, b),
        runs=runs,
        rng=rng,
        executor=executor,
        owner=owner,
    )
    arr = np.asarray(out, dtype=np.int64).reshape(runs, 2)
    return BudgetComparison(
        budget=b,
        broadcast=arr[:, 0].copy(),
        community=arr[:, 1].copy(),
        campaign=campaign,
        level=lv,
    )
