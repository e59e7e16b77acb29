"""Open-rate laws: the open rate falls as the audience grows (seed 001), as a fittable curve
(:class:`PowerOpenRate`, :class:`SaturatingOpenRate`, :func:`fit_open_rate`) and from a
mechanism (:func:`open_rate_from_interest`)."""

from __future__ import annotations

import math
from typing import Any, TypeAlias

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table
from shequn._typing import FloatArray, array_eq
from shequn._validation import (
    check_array,
    check_choice,
    check_in_range,
    check_int,
    check_level,
    check_memory,
    check_positive,
    fail,
    nonnegative,
    positive,
    probability,
)
from shequn.diffusion._compat import ArrayDict, as_floats
from shequn.exceptions import ConvergenceError

__all__ = [
    "OpenRateFit",
    "OpenRateLaw",
    "PowerOpenRate",
    "SaturatingOpenRate",
    "fit_open_rate",
    "open_rate_from_interest",
]


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
        Elasticity of the open rate to audience size, >= 0 (``beta > 0``: bigger lists open
        less; 0: a constant rate); doubling the audience multiplies the rate by ``2^(-beta)``.
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

    r0: float = attrs.field(validator=[positive, probability])
    beta: float = attrs.field(validator=nonnegative)
    a0: float = attrs.field(default=1000.0, validator=positive)

    def __attrs_post_init__(self) -> None:
        as_floats(self, "r0", "beta", "a0")

    @classmethod
    def fit(cls, audience: ArrayLike, opens: ArrayLike, **options: Any) -> OpenRateFit:
        """Fit this law to ``(audience, opens)`` pairs: :func:`fit_open_rate` with
        ``form="power"`` (``options``: ``a0``, ``dispersion``, ``level``).

        Examples
        --------
        >>> a = np.array([1e2, 1e3, 1e4, 1e5])
        >>> fit = PowerOpenRate.fit(a, np.round(PowerOpenRate(r0=0.2, beta=0.3, a0=1e3)(a) * a))
        >>> round(fit.params["beta"], 2)
        0.3
        """
        return fit_open_rate(audience, opens, form="power", **options)

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

    r0: float = attrs.field(validator=[positive, probability])
    r_floor: float = attrs.field(validator=probability)
    a_half: float = attrs.field(validator=positive)

    def __attrs_post_init__(self) -> None:
        as_floats(self, "r0", "r_floor", "a_half")
        if self.r_floor > self.r0:
            raise fail("SaturatingOpenRate", "r_floor", f"be <= r0 ({self.r0:g})", self.r_floor)

    @classmethod
    def fit(cls, audience: ArrayLike, opens: ArrayLike, **options: Any) -> OpenRateFit:
        """Fit this law to ``(audience, opens)`` pairs: :func:`fit_open_rate` with
        ``form="saturating"`` (``options``: ``a0``, ``dispersion``, ``level``).

        Examples
        --------
        >>> a = np.geomspace(100, 1e6, 12)
        >>> law = SaturatingOpenRate(r0=0.4, r_floor=0.04, a_half=5000)
        >>> fit = SaturatingOpenRate.fit(a, np.round(law(a) * a))
        >>> round(fit.params["a_half"], -2)
        5000.0
        """
        return fit_open_rate(audience, opens, form="saturating", **options)

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
class OpenRateFit(ResultMixin):
    """A fitted open-rate law with standard errors (binomial likelihood of opens).

    Attributes
    ----------
    law
        The fitted :class:`PowerOpenRate` or :class:`SaturatingOpenRate` (also :attr:`model`).
    names, estimates, cov
        Parameter names, estimates (an array; :attr:`params` names them) and covariance
        (Fisher information, scaled by the Pearson dispersion when ``dispersion > 1`` was
        estimated).
    dispersion
        Pearson chi-square over residual degrees of freedom (``1`` with
        ``dispersion="binomial"``); values well above 1 mean overdispersed campaign data.
    log_likelihood, aic, n_obs
        Binomial log-likelihood, Akaike's criterion and the number of pairs.
    level
        Confidence level of :meth:`conf_int` by default (0.95).
    """

    law: OpenRateLaw
    names: tuple[str, ...]
    estimates: FloatArray = attrs.field(eq=array_eq)
    cov: FloatArray = attrs.field(eq=array_eq, repr=False)
    dispersion: float
    log_likelihood: float
    aic: float
    n_obs: int
    level: float = 0.95

    @property
    def model(self) -> OpenRateLaw:
        """The fitted law (the vocabulary's name for :attr:`law`)."""
        return self.law

    @property
    def params(self) -> dict[str, float]:
        """The estimates by name (``{"r0": ..., "beta": ...}`` for the power law).

        Until the next release the mapping also answers the old array use with a
        :class:`DeprecationWarning`; use :attr:`estimates` for the array.
        """
        return ArrayDict(
            {k: float(v) for k, v in zip(self.names, self.estimates, strict=True)},
            old="OpenRateFit.params",
            new='OpenRateFit.params["beta"], or OpenRateFit.estimates for the array',
        )

    @property
    def se(self) -> FloatArray:
        """Standard errors of :attr:`estimates`, as an array."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors by name."""
        return {k: float(v) for k, v in zip(self.names, self.se, strict=True)}

    def _bounds(self, level: float | None) -> tuple[FloatArray, FloatArray]:
        lv = self.level if level is None else check_level(level, owner="OpenRateFit.conf_int")
        z = float(stats.norm.ppf(0.5 + lv / 2))
        return self.estimates - z * self.se, self.estimates + z * self.se

    def conf_int(self, level: float | None = None) -> Intervals:
        """Wald intervals ``{name: (lower, upper)}`` at ``level`` (default :attr:`level`).

        Until the next release the mapping also answers the old (k, 2) array use with a
        :class:`DeprecationWarning`.

        Examples
        --------
        >>> a = np.array([1e2, 1e3, 1e4, 1e5])
        >>> fit = fit_open_rate(a, np.round(PowerOpenRate(r0=0.2, beta=0.3, a0=1e3)(a) * a))
        >>> lo, hi = fit.conf_int()["beta"]
        >>> bool(lo < 0.3 < hi)
        True
        """
        lo, hi = self._bounds(level)
        return ArrayDict(
            {k: (float(a), float(b)) for k, a, b in zip(self.names, lo, hi, strict=True)},
            old="OpenRateFit.conf_int()",
            new='OpenRateFit.conf_int()["beta"] -> (lower, upper)',
        )

    def summary(self) -> Summary:
        """Estimates with standard errors and intervals, dispersion and fit statistics.

        Examples
        --------
        >>> a = np.array([1e2, 1e3, 1e4, 1e5])
        >>> fit = fit_open_rate(a, np.round(PowerOpenRate(r0=0.2, beta=0.3, a0=1e3)(a) * a))
        >>> s = fit.summary()
        >>> print(str(s).splitlines()[0])
        Open-rate law PowerOpenRate, 4 (audience, opens) pairs
        >>> round(s["beta"], 2)
        0.3
        """
        lo, hi = self._bounds(None)
        rows = {
            n: (float(self.estimates[i]), float(self.se[i]), float(lo[i]), float(hi[i]))
            for i, n in enumerate(self.names)
        }
        return Summary(
            title=f"Open-rate law {type(self.law).__name__}, {self.n_obs} (audience, opens) pairs",
            headline={
                **self.params,
                "dispersion": self.dispersion,
                "log_likelihood": self.log_likelihood,
                "aic": self.aic,
            },
            table=Table(columns=("estimate", "se", "lower", "upper"), rows=rows),
            notes=(f"lower and upper: {round(100 * self.level)}% Wald interval",),
        )

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
        lo, hi = self._bounds(None)
        return pd.DataFrame(
            {"estimate": self.estimates, "se": self.se, "lower": lo, "upper": hi},
            index=pd.Index(list(self.names), name="param"),
        )


def check_campaigns(
    audience: ArrayLike, opens: ArrayLike, *, owner: str, min_size: int = 0
) -> tuple[FloatArray, FloatArray]:
    """Return the ``(audience, opens)`` of broadcast campaigns as float arrays, checked.

    One audience > 0 per campaign and as many opens, whole numbers in ``[0, audience]``
    (the data of :func:`fit_open_rate` and of its figure).

    Examples
    --------
    >>> check_campaigns([100, 1000], [12, 90], owner="f")[1].tolist()
    [12.0, 90.0]
    >>> check_campaigns([100, 1000], [12, 9000], owner="f")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.opens` must be <= audience (index 1); got 9000.0
    """
    a = np.asarray(
        check_array(audience, owner=owner, field="audience", ndim=1, min_size=min_size),
        dtype=np.float64,
    )
    o = np.asarray(
        check_array(opens, owner=owner, field="opens", ndim=1, nonnegative=True, integer=True),
        dtype=np.float64,
    )
    if (a <= 0).any():
        bad = int(np.flatnonzero(a <= 0)[0])
        raise fail(owner, "audience", f"be > 0 (index {bad})", a[bad])
    if o.shape != a.shape:
        raise fail(owner, "opens", f"have one value per audience ({a.shape[0]})", o.shape[0])
    if (o > a).any():
        bad = int(np.flatnonzero(o > a)[0])
        raise fail(owner, "opens", f"be <= audience (index {bad})", o[bad])
    return a, o


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
    >>> bool(abs(fit.params["beta"] - 0.3) < 3 * fit.standard_errors["beta"])
    True
    """
    owner = "fit_open_rate"
    form = check_choice(form, ["power", "saturating"], owner=owner, field="form")
    dispersion = check_choice(dispersion, ["pearson", "binomial"], owner=owner, field="dispersion")
    lv = check_level(level, owner=owner)
    a, o = check_campaigns(audience, opens, owner=owner)
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
        estimates=np.asarray(theta, dtype=float),
        cov=np.asarray(cov, dtype=np.float64),
        dispersion=phi,
        log_likelihood=ll,
        aic=2 * k - 2 * ll,
        n_obs=int(a.shape[0]),
        level=lv,
    )


# --- the mechanism: interest heterogeneity ---------------------------------------------------


def _beta_quantiles(q: FloatArray, al: float, be: float) -> FloatArray:
    """Quantiles ``q`` of Beta(al, be), also where scipy's inverse fails (NaN).

    scipy's ``beta.ppf`` returns NaN once a shape parameter passes about 1e200. There the
    Beta is its gamma limit: (al + be)(1 − u) → Gamma(be) as al → ∞, and (al + be) u →
    Gamma(al) as be → ∞, with a relative error O(1/max(al, be)), below double precision.
    """
    with np.errstate(all="ignore"):
        u = np.asarray(stats.beta.ppf(q, al, be), dtype=np.float64)
        bad = ~np.isfinite(u)
        if bad.any():
            if al >= be:
                u[bad] = 1.0 - stats.gamma.ppf(1.0 - q[bad], be) / (al + be)
            else:
                u[bad] = stats.gamma.ppf(q[bad], al) / (al + be)
    if not np.isfinite(u).all():
        raise ConvergenceError(
            f"open_rate_from_interest: the quantiles of Beta({al:g}, {be:g}) could not be "
            "computed; try interest_alpha and interest_beta below 1e200"
        )
    return u


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
    check_memory(128.0 * g, owner=owner, field="grid", value=grid)  # a dozen arrays of cells
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
    u = _beta_quantiles(0.5 * (edges[:-1] + edges[1:]), al, be)
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
        # a weighted mean never exceeds its largest value; rounding did (1 + 1e-14 when every
        # u is 1, an "open rate" above 1), so bound it by max(u), which is exact
        out = np.minimum((pi @ u) / pi.sum(axis=1), u.max())
    out = np.where(frac >= 1.0, mean_u, out)  # everyone follows: the population mean
    return np.asarray(out.reshape(a.shape), dtype=np.float64)
