"""The Bass family: p is your broadcast, q is your community.

Bass (1969) splits the adoption hazard of a new product into an *external* part ``p``
(advertising, SMS blasts, banners: anything that reaches people whoever their friends are) and an
*internal* part ``q F(t)`` (word of mouth: it grows with the share ``F`` who already adopted)::

    f(t) / (1 - F(t)) = p + q F(t)

    F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))

With a market potential ``m`` the cumulative number of adopters is ``m F(t)``, the adoptions in
period ``t`` (the interval ``(t - 1, t]``) are ``m (F(t) - F(t - 1))`` and the adoption rate
peaks at ``t* = ln(q / p) / (p + q)`` (when ``q > p``) with height ``m (p + q)^2 / (4 q)``.

The *generalised* Bass model of Bass, Krishnan & Jain (1994) multiplies the hazard by a current
marketing effort ``x(t)`` (price and advertising changes, :func:`bkj_effort`)::

    f(t) / (1 - F(t)) = (p + q F(t)) x(t)

whose solution is the Bass curve in the *effective time* ``X(t) = integral of x`` up to ``t``;
with ``x = 1`` it is exactly the Bass model.

:func:`fit_bass` estimates ``p``, ``q`` and ``m`` from adoptions per period by non-linear least
squares on the adoption curve (Srinivasan & Mason 1986), by the discrete OLS regression of
Bass (1969), or by maximum likelihood on interval-censored adoption times (Schmittlein &
Mahajan 1982), and returns a frozen :class:`BassFit`.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables. *Management Science*
15(5), 215-227.
Srinivasan, V. & Mason, C. H. (1986). Nonlinear least squares estimation of new product
diffusion models. *Marketing Science* 5(2), 169-178.
Schmittlein, D. C. & Mahajan, V. (1982). Maximum likelihood estimation for an innovation
diffusion model of new product acceptance. *Marketing Science* 1(1), 57-78.
Bass, F. M., Krishnan, T. V. & Jain, D. C. (1994). Why the Bass model fits without decision
variables. *Marketing Science* 13(3), 203-223.

Examples
--------
>>> from shequn.diffusion.bass import Bass, fit_bass
>>> model = Bass(p=0.03, q=0.38, m=1000.0)
>>> round(model.peak_time, 3)
6.193
>>> fit = fit_bass(model.adoptions(20))
>>> fit.params.round(4).tolist()
[0.03, 0.38, 1000.0]
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

from shequn._optional import optional_import
from shequn._results import draw
from shequn._validation import (
    check_array,
    check_choice,
    check_in_range,
    check_int,
    check_level,
    check_positive,
    fail,
    positive,
)
from shequn.exceptions import ConvergenceError, ShequnWarning

__all__ = [
    "Bass",
    "BassFit",
    "BassForecast",
    "GeneralizedBass",
    "bass_cdf",
    "bass_pdf",
    "bkj_effort",
    "fit_bass",
]

FloatArray = NDArray[np.float64]

_arr_eq = attrs.cmp_using(eq=np.array_equal)
_PARAMS = ("p", "q", "m")


# --- closed forms -------------------------------------------------------------------------------


def _cdf(x: FloatArray | float, p: float, q: float) -> FloatArray:
    e = np.exp(-(p + q) * np.asarray(x, dtype=np.float64))
    return np.asarray((1.0 - e) / (1.0 + (q / p) * e), dtype=np.float64)


def _pdf(x: FloatArray | float, p: float, q: float) -> FloatArray:
    e = np.exp(-(p + q) * np.asarray(x, dtype=np.float64))
    return np.asarray(((p + q) ** 2 / p) * e / (1.0 + (q / p) * e) ** 2, dtype=np.float64)


def _cdf_grad(x: FloatArray, p: float, q: float) -> tuple[FloatArray, FloatArray]:
    """dF/dp and dF/dq at effective times ``x``."""
    c = q / p
    e = np.exp(-(p + q) * x)
    den = (1.0 + c * e) ** 2
    dfde = -(1.0 + c) / den
    dfdc = -(1.0 - e) * e / den
    de = -x * e  # dE/dp == dE/dq
    return dfde * de + dfdc * (-q / p**2), dfde * de + dfdc * (1.0 / p)


def _times(t: ArrayLike, owner: str) -> FloatArray:
    arr = check_array(t, owner=owner, field="t", nonnegative=True)
    return np.asarray(arr, dtype=np.float64)


def bass_cdf(t: ArrayLike, p: float, q: float) -> FloatArray:
    """Share of the market that has adopted by time ``t``: the Bass ``F(t)``.

    Parameters
    ----------
    t
        Times since launch (>= 0), any shape.
    p, q
        Coefficients of innovation (external influence) and imitation (internal influence), > 0.

    Examples
    --------
    >>> bass_cdf([0.0, 1.0], 0.03, 0.38).round(5).tolist()
    [0.0, 0.03576]
    """
    p = check_positive(p, owner="bass_cdf", field="p")
    q = check_positive(q, owner="bass_cdf", field="q")
    return _cdf(_times(t, "bass_cdf"), p, q)


def bass_pdf(t: ArrayLike, p: float, q: float) -> FloatArray:
    """Adoption density ``f(t) = dF/dt`` of the Bass model.

    Examples
    --------
    >>> float(bass_pdf(0.0, 0.03, 0.38))  # at launch only innovators adopt: f(0) = p
    0.03
    """
    p = check_positive(p, owner="bass_pdf", field="p")
    q = check_positive(q, owner="bass_pdf", field="q")
    return _pdf(_times(t, "bass_pdf"), p, q)


def _periods_arg(periods: int | ArrayLike, owner: str) -> NDArray[np.int64]:
    if isinstance(periods, int | np.integer) and not isinstance(periods, bool):
        n = check_int(periods, owner=owner, field="periods", low=1)
        return np.arange(1, n + 1, dtype=np.int64)
    arr = check_array(periods, owner=owner, field="periods", dtype=np.int64, ndim=1, min_size=1)
    if (arr < 1).any():
        raise fail(owner, "periods", "hold period numbers >= 1", arr)
    return np.asarray(arr, dtype=np.int64)


@attrs.frozen(kw_only=True)
class Bass:
    """The Bass diffusion model with innovation ``p``, imitation ``q`` and market potential ``m``.

    Time is measured in periods since launch; period ``k`` is the interval ``(k - 1, k]``.

    Attributes
    ----------
    p
        Coefficient of innovation: the external (broadcast) hazard, > 0.
    q
        Coefficient of imitation: the internal (word-of-mouth) hazard at full adoption, > 0.
    m
        Market potential (number of eventual adopters), > 0; ``1`` gives shares.

    Examples
    --------
    >>> b = Bass(p=0.01, q=0.5, m=100.0)
    >>> round(b.peak_time, 4), round(b.peak_rate, 4)
    (7.6706, 13.005)
    >>> Bass(p=0.0, q=0.5)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Bass.p` must be > 0 and finite; got 0.0
    """

    p: float = attrs.field(converter=float, validator=positive)
    q: float = attrs.field(converter=float, validator=positive)
    m: float = attrs.field(default=1.0, converter=float, validator=positive)

    def cdf(self, t: ArrayLike) -> FloatArray:
        """Share adopted by time ``t``: ``F(t)``.

        Examples
        --------
        >>> Bass(p=0.03, q=0.38).cdf([0, 100]).round(6).tolist()
        [0.0, 1.0]
        """
        return _cdf(_times(t, "Bass.cdf"), self.p, self.q)

    def pdf(self, t: ArrayLike) -> FloatArray:
        """Adoption density ``f(t)``.

        Examples
        --------
        >>> float(Bass(p=0.03, q=0.38).pdf(0))
        0.03
        """
        return _pdf(_times(t, "Bass.pdf"), self.p, self.q)

    def rate(self, t: ArrayLike) -> FloatArray:
        """Adoptions per unit time at ``t``: ``m f(t)``.

        Examples
        --------
        >>> float(Bass(p=0.03, q=0.38, m=1000).rate(0))
        30.0
        """
        return self.m * self.pdf(t)

    def cumulative(self, t: ArrayLike) -> FloatArray:
        """Cumulative adopters by time ``t``: ``m F(t)``.

        Examples
        --------
        >>> float(Bass(p=0.03, q=0.38, m=1000).cumulative(1000))
        1000.0
        """
        return self.m * self.cdf(t)

    def adoptions(self, periods: int | ArrayLike) -> FloatArray:
        """Expected adoptions in each period ``k``: ``m (F(k) - F(k - 1))``.

        ``periods`` is a count (periods ``1..n``) or an array of period numbers >= 1.

        Examples
        --------
        >>> Bass(p=0.03, q=0.38, m=1000).adoptions(3).round(2).tolist()
        [35.76, 49.3, 65.44]
        """
        k = _periods_arg(periods, "Bass.adoptions").astype(np.float64)
        return self.m * (_cdf(k, self.p, self.q) - _cdf(k - 1.0, self.p, self.q))

    @property
    def peak_time(self) -> float:
        """Time of the adoption peak, ``ln(q/p) / (p + q)``; ``0`` when ``q <= p``.

        Examples
        --------
        >>> Bass(p=0.5, q=0.1).peak_time
        0.0
        """
        if self.q <= self.p:
            return 0.0
        return math.log(self.q / self.p) / (self.p + self.q)

    @property
    def peak_rate(self) -> float:
        """Height of the peak adoption rate ``m f(t*)``: ``m (p+q)^2 / (4q)``, or ``m p``.

        Examples
        --------
        >>> Bass(p=0.5, q=0.1, m=10).peak_rate
        5.0
        """
        if self.q <= self.p:
            return self.m * self.p
        return self.m * (self.p + self.q) ** 2 / (4.0 * self.q)

    @property
    def peak_share(self) -> float:
        """Share adopted at the peak, ``F(t*) = (q - p) / (2q)`` (``0`` when ``q <= p``).

        Examples
        --------
        >>> Bass(p=0.1, q=0.5).peak_share
        0.4
        """
        return max(0.0, (self.q - self.p) / (2.0 * self.q))

    def innovators(self, t: ArrayLike) -> FloatArray:
        """Cumulative adopters by ``t`` who adopted through the external channel ``p``.

        The innovator rate is ``m p (1 - F)``; integrated in closed form it is
        ``m (p / q) ln((1 + q/p) / (1 + (q/p) exp(-(p+q) t)))``.

        Examples
        --------
        >>> b = Bass(p=0.03, q=0.38, m=1000)
        >>> round(float(b.innovators(1e6)), 2)  # m (p/q) ln(1 + q/p) of all adopters
        206.44
        """
        x = _times(t, "Bass.innovators")
        c = self.q / self.p
        val = np.log1p(c) - np.log1p(c * np.exp(-(self.p + self.q) * x))
        return np.asarray(self.m * (self.p / self.q) * val, dtype=np.float64)

    def imitators(self, t: ArrayLike) -> FloatArray:
        """Cumulative adopters by ``t`` who adopted by word of mouth (``q``).

        Examples
        --------
        >>> b = Bass(p=0.03, q=0.38, m=1000)
        >>> round(float(b.imitators(1e6)), 2)
        793.56
        """
        return self.cumulative(t) - self.innovators(t)

    def split(self, periods: int | ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Adoptions per period split into (innovators, imitators); they sum to :meth:`adoptions`.

        Examples
        --------
        >>> inn, imi = Bass(p=0.03, q=0.38, m=1000).split(2)
        >>> (inn + imi).round(2).tolist()
        [35.76, 49.3]
        """
        k = _periods_arg(periods, "Bass.split").astype(np.float64)
        inn = self.innovators(k) - self.innovators(k - 1.0)
        return inn, self.adoptions(k.astype(np.int64)) - inn


# --- generalised Bass ---------------------------------------------------------------------------


def _effort_array(effort: ArrayLike, owner: str) -> FloatArray:
    x = check_array(effort, owner=owner, field="effort", ndim=1, min_size=1)
    bad = np.flatnonzero(x <= 0)
    if bad.size:
        raise fail(owner, "effort", f"be > 0 (index {bad[0]})", x[bad[0]])
    return np.asarray(x, dtype=np.float64)


def _effective_time(t: FloatArray, effort: FloatArray, owner: str) -> FloatArray:
    """X(t) for effort constant within each period (k - 1, k]."""
    n = effort.shape[0]
    if t.size and float(t.max()) > n:
        raise fail(owner, "effort", f"cover time {float(t.max()):g} (it has {n} periods)", n)
    cum = np.concatenate([[0.0], np.cumsum(effort)])
    k = np.clip(np.ceil(t).astype(np.int64), 1, n)
    return np.asarray(cum[k - 1] + effort[k - 1] * (t - (k - 1)), dtype=np.float64)


def bkj_effort(
    *,
    price: ArrayLike | None = None,
    advertising: ArrayLike | None = None,
    beta_price: float = 0.0,
    beta_advertising: float = 0.0,
) -> FloatArray:
    """Marketing effort ``x(t)`` of Bass, Krishnan & Jain (1994) from price and advertising.

    ``x_t = 1 + beta_price (P_t - P_{t-1}) / P_{t-1} + beta_advertising max(0, (A_t - A_{t-1})
    / A_{t-1})`` with ``x_1 = 1``. A price cut (``beta_price < 0``) or an advertising rise
    speeds adoption up. Series of the same length; at least one is required.

    Examples
    --------
    >>> bkj_effort(price=[100, 100, 80], beta_price=-1.0).tolist()
    [1.0, 1.0, 1.2]
    """
    owner = "bkj_effort"
    if price is None and advertising is None:
        raise fail(owner, "price", "be given (or advertising)", None)
    bp = check_in_range(beta_price, owner=owner, field="beta_price")
    ba = check_in_range(beta_advertising, owner=owner, field="beta_advertising")
    n: int | None = None
    x: FloatArray | None = None
    for name, series, beta, pos_only in (
        ("price", price, bp, False),
        ("advertising", advertising, ba, True),
    ):
        if series is None:
            continue
        s = check_array(series, owner=owner, field=name, ndim=1, min_size=1)
        if (s <= 0).any():
            bad = int(np.flatnonzero(s <= 0)[0])
            raise fail(owner, name, f"be > 0 (index {bad})", s[bad])
        if n is not None and s.shape[0] != n:
            raise fail(owner, name, f"have the same length as the other series ({n})", s.shape[0])
        n = s.shape[0]
        change = np.concatenate([[0.0], np.diff(s) / s[:-1]])
        if pos_only:
            change = np.maximum(change, 0.0)
        x = (np.ones(n) if x is None else x) + beta * change
    assert x is not None
    return _effort_array(x, owner)


def _gb_effort(value: ArrayLike) -> FloatArray:
    return _effort_array(value, "GeneralizedBass")


@attrs.frozen(kw_only=True)
class GeneralizedBass:
    """Generalised Bass model (Bass, Krishnan & Jain 1994) with effort ``x_k`` in period ``k``.

    The hazard is ``(p + q F) x(t)``, so ``F`` is the Bass curve at the effective time
    ``X(t) = x_1 + ... + x_{k-1} + x_k (t - k + 1)`` for ``t`` in period ``k``. With all
    ``x_k = 1`` it is exactly :class:`Bass`.

    Examples
    --------
    >>> g = GeneralizedBass(p=0.03, q=0.38, m=1000, effort=[1, 1, 1])
    >>> bool(np.allclose(g.adoptions(), Bass(p=0.03, q=0.38, m=1000).adoptions(3)))
    True
    >>> GeneralizedBass(p=0.03, q=0.38, effort=[1, -1])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `GeneralizedBass.effort` must be > 0 (index 1); ...
    """

    p: float = attrs.field(converter=float, validator=positive)
    q: float = attrs.field(converter=float, validator=positive)
    m: float = attrs.field(default=1.0, converter=float, validator=positive)
    effort: FloatArray = attrs.field(converter=_gb_effort, eq=_arr_eq)

    def effective_time(self, t: ArrayLike) -> FloatArray:
        """Effective time ``X(t)`` (the integral of the effort up to ``t``).

        Examples
        --------
        >>> GeneralizedBass(p=0.1, q=0.2, effort=[1, 2]).effective_time([0.5, 2]).tolist()
        [0.5, 3.0]
        """
        return _effective_time(_times(t, "GeneralizedBass"), self.effort, "GeneralizedBass")

    def cdf(self, t: ArrayLike) -> FloatArray:
        """Share adopted by ``t``.

        Examples
        --------
        >>> g = GeneralizedBass(p=0.1, q=0.2, effort=[2.0])
        >>> bool(np.isclose(g.cdf(1.0), Bass(p=0.1, q=0.2).cdf(2.0)))
        True
        """
        return _cdf(self.effective_time(t), self.p, self.q)

    def cumulative(self, t: ArrayLike) -> FloatArray:
        """Cumulative adopters ``m F(t)``.

        Examples
        --------
        >>> float(GeneralizedBass(p=0.1, q=0.2, m=10, effort=[1.0]).cumulative(0))
        0.0
        """
        return self.m * self.cdf(t)

    def adoptions(self) -> FloatArray:
        """Expected adoptions in each period covered by ``effort``.

        Examples
        --------
        >>> GeneralizedBass(p=0.1, q=0.2, m=10, effort=[1.0, 0.5]).adoptions().round(3).tolist()
        [1.044, 0.548]
        """
        x = np.concatenate([[0.0], np.cumsum(self.effort)])
        return np.asarray(self.m * np.diff(_cdf(x, self.p, self.q)), dtype=np.float64)


# --- fitting -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BassForecast:
    """Point forecasts with prediction intervals for adoptions per period and cumulative.

    ``lower``/``upper`` bound a new observation (parameter uncertainty by the delta method plus
    the fitted noise); cumulative bounds add the noise of every period summed.

    Examples
    --------
    >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(15) + (-1.0) ** np.arange(15))
    >>> fc = fit.predict([16, 17])
    >>> bool((fc.lower < fc.adoptions).all() and (fc.adoptions < fc.upper).all())
    True
    """

    periods: NDArray[np.int64] = attrs.field(eq=_arr_eq)
    adoptions: FloatArray = attrs.field(eq=_arr_eq)
    lower: FloatArray = attrs.field(eq=_arr_eq)
    upper: FloatArray = attrs.field(eq=_arr_eq)
    cumulative: FloatArray = attrs.field(eq=_arr_eq)
    cumulative_lower: FloatArray = attrs.field(eq=_arr_eq)
    cumulative_upper: FloatArray = attrs.field(eq=_arr_eq)
    level: float

    def to_frame(self) -> Any:
        """The forecast as a :class:`pandas.DataFrame` indexed by period (needs pandas).

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(15) + (-1.0) ** np.arange(15))
        >>> list(fit.predict(3).to_frame().columns)[:3]
        ['adoptions', 'lower', 'upper']
        """
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            {
                "adoptions": self.adoptions,
                "lower": self.lower,
                "upper": self.upper,
                "cumulative": self.cumulative,
                "cumulative_lower": self.cumulative_lower,
                "cumulative_upper": self.cumulative_upper,
            },
            index=pd.Index(self.periods, name="period"),
        )


@attrs.frozen(kw_only=True)
class BassFit:
    """A fitted Bass model: estimates, standard errors, diagnostics and forecasts.

    Attributes
    ----------
    method
        ``"nls"``, ``"ols"`` or ``"mle"``.
    params
        Estimates of ``(p, q, m)``.
    cov
        Their (3, 3) covariance matrix (rows and columns of a fixed ``m`` are zero).
    m_fixed
        Whether ``m`` was given rather than estimated.
    adoptions
        The observed adoptions per period.
    effort
        The effort series of a generalised Bass fit, or ``None``.
    fitted, residuals
        ``m (F(k) - F(k-1))`` at the estimates and ``adoptions - fitted``.
    sigma2
        Noise variance per period (least squares methods; ``nan`` for ``"mle"``).
    dof
        Residual degrees of freedom (observations minus free parameters).
    log_likelihood, aic, r2
        Gaussian (least squares) or multinomial (``"mle"``) log-likelihood, Akaike's
        criterion and the share of variance in adoptions per period explained.
    level
        Confidence level of :meth:`conf_int` and :meth:`summary` by default.
    """

    method: str
    params: FloatArray = attrs.field(eq=_arr_eq)
    cov: FloatArray = attrs.field(eq=_arr_eq, repr=False)
    m_fixed: bool
    adoptions: FloatArray = attrs.field(eq=_arr_eq, repr=False)
    effort: FloatArray | None = attrs.field(eq=_arr_eq, repr=False)
    fitted: FloatArray = attrs.field(eq=_arr_eq, repr=False)
    residuals: FloatArray = attrs.field(eq=_arr_eq, repr=False)
    sigma2: float
    dof: int
    log_likelihood: float
    aic: float
    r2: float
    level: float = 0.95

    @property
    def p(self) -> float:
        """Coefficient of innovation (broadcast)."""
        return float(self.params[0])

    @property
    def q(self) -> float:
        """Coefficient of imitation (word of mouth)."""
        return float(self.params[1])

    @property
    def m(self) -> float:
        """Market potential."""
        return float(self.params[2])

    @property
    def se(self) -> FloatArray:
        """Standard errors of ``(p, q, m)``."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def n_obs(self) -> int:
        """Number of periods observed."""
        return int(self.adoptions.shape[0])

    @property
    def model(self) -> Bass:
        """The fitted :class:`Bass` model (ignores effort).

        Examples
        --------
        >>> fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(20)).model.peak_time > 6
        True
        """
        return Bass(p=self.p, q=self.q, m=self.m)

    def _quantile(self, level: float) -> float:
        if self.method == "mle" or self.dof < 1:
            return float(stats.norm.ppf(0.5 + level / 2))
        return float(stats.t.ppf(0.5 + level / 2, df=self.dof))

    def conf_int(self, level: float | None = None) -> FloatArray:
        """(3, 2) confidence intervals for ``(p, q, m)`` (Student t for least squares).

        Examples
        --------
        >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(15) + (-1.0) ** np.arange(15))
        >>> ci = fit.conf_int()
        >>> bool(ci[0, 0] < 0.03 < ci[0, 1])
        True
        """
        lv = self.level if level is None else check_level(level, owner="BassFit.conf_int")
        z = self._quantile(lv)
        return np.column_stack([self.params - z * self.se, self.params + z * self.se])

    def _effort_for(self, n: int, effort: ArrayLike | None) -> FloatArray | None:
        if effort is not None:
            x = _effort_array(effort, "BassFit.predict")
        elif self.effort is not None:
            x = self.effort
        else:
            return None
        if x.shape[0] < n:
            raise fail("BassFit.predict", "effort", f"cover period {n}", x.shape[0])
        return x

    def predict(
        self,
        periods: int | ArrayLike,
        *,
        level: float | None = None,
        effort: ArrayLike | None = None,
    ) -> BassForecast:
        """Forecast adoptions per period (and cumulative) with prediction intervals.

        Parameters
        ----------
        periods
            A count ``n`` (periods ``1..n``) or period numbers >= 1 (may go past the data).
        level
            Prediction level, by default :attr:`level`.
        effort
            For a generalised fit, the effort series covering the periods (defaults to the
            fitted one, which must then be long enough).

        Examples
        --------
        >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(15) + (-1.0) ** np.arange(15))
        >>> fc = fit.predict(30)
        >>> bool(abs(fc.cumulative[-1] - 1000) < 5)
        True
        """
        lv = self.level if level is None else check_level(level, owner="BassFit.predict")
        k = _periods_arg(periods, "BassFit.predict")
        n = int(k.max())
        x = self._effort_for(n, effort)
        grid = np.arange(0, n + 1, dtype=np.float64)
        X = grid if x is None else np.concatenate([[0.0], np.cumsum(x[:n])])
        y_all, J_all = _curve_and_jac(X, self.p, self.q, self.m)
        cum_all = np.cumsum(y_all)
        Jc_all = np.cumsum(J_all, axis=0)
        idx = k - 1
        y, J, cum, Jc = y_all[idx], J_all[idx], cum_all[idx], Jc_all[idx]
        var_par = np.einsum("ij,jk,ik->i", J, self.cov, J)
        var_cpar = np.einsum("ij,jk,ik->i", Jc, self.cov, Jc)
        if self.method == "mle":
            share = y_all / self.m
            noise_all = self.m * share * (1.0 - share)
            noise = noise_all[idx]
            noise_c = np.cumsum(noise_all)[idx]
        else:
            noise = np.full(idx.shape, self.sigma2)
            noise_c = self.sigma2 * k.astype(np.float64)
        z = self._quantile(lv)
        half = z * np.sqrt(var_par + noise)
        half_c = z * np.sqrt(var_cpar + noise_c)
        return BassForecast(
            periods=k,
            adoptions=y,
            lower=y - half,
            upper=y + half,
            cumulative=cum,
            cumulative_lower=cum - half_c,
            cumulative_upper=cum + half_c,
            level=lv,
        )

    def summary(self) -> str:
        """A plain-text table of estimates, standard errors and intervals plus fit statistics.

        Examples
        --------
        >>> print(fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(20)).summary())
        ... # doctest: +ELLIPSIS
        Bass fit (nls), 20 periods
        ...
        """
        ci = self.conf_int()
        pct = round(100 * self.level)
        lines = [
            f"Bass fit ({self.method}), {self.n_obs} periods"
            + (" with effort" if self.effort is not None else ""),
            f"{'param':<6}{'estimate':>14}{'se':>14}{f'{pct}% lower':>14}{f'{pct}% upper':>14}",
        ]
        for i, name in enumerate(_PARAMS):
            fixed = name == "m" and self.m_fixed
            lines.append(
                f"{name:<6}{self.params[i]:>14.6g}"
                + (f"{'(fixed)':>14}" if fixed else f"{self.se[i]:>14.4g}")
                + ("" if fixed else f"{ci[i, 0]:>14.6g}{ci[i, 1]:>14.6g}")
            )
        model = self.model
        lines.append(
            f"peak at t = {model.peak_time:.3g} ({model.peak_rate:.4g} per period); "
            f"R2 = {self.r2:.4f}; log-lik = {self.log_likelihood:.4g}; AIC = {self.aic:.4g}"
        )
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """Estimates as a :class:`pandas.DataFrame` (index p, q, m; needs pandas).

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(20)).to_frame().index.tolist()
        ['p', 'q', 'm']
        """
        pd = optional_import("pandas", extra="pandas")
        ci = self.conf_int()
        return pd.DataFrame(
            {"estimate": self.params, "se": self.se, "lower": ci[:, 0], "upper": ci[:, 1]},
            index=pd.Index(list(_PARAMS), name="param"),
        )

    def plot(
        self,
        *,
        periods: int | None = None,
        level: float | None = None,
        split: bool = True,
        ax: Any = None,
    ) -> Any:
        """The forecast plot (needs the ``plot`` extra): data, fit, prediction band, p/q split.

        A shortcut for :func:`shequn.plotting.bass.plot_bass_forecast`; draws on ``ax`` (a new
        figure when ``None``) and returns the Axes.

        Examples
        --------
        >>> matplotlib = __import__("pytest").importorskip("matplotlib")
        >>> matplotlib.use("Agg")
        >>> ax = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(12)).plot(periods=25)
        >>> ax.get_ylabel()
        'adoptions per period'
        """
        return draw(self, ax=ax, periods=periods, level=level, split=split)

    def _repr_html_(self) -> str:
        ci = self.conf_int()
        rows = "".join(
            f"<tr><td>{n}</td><td>{self.params[i]:.6g}</td><td>{self.se[i]:.4g}</td>"
            f"<td>{ci[i, 0]:.6g}</td><td>{ci[i, 1]:.6g}</td></tr>"
            for i, n in enumerate(_PARAMS)
        )
        return (
            f"<p>Bass fit ({self.method}), {self.n_obs} periods, R&sup2; = {self.r2:.4f}</p>"
            "<table><tr><th>param</th><th>estimate</th><th>se</th><th>lower</th>"
            f"<th>upper</th></tr>{rows}</table>"
        )


def _curve_and_jac(X: FloatArray, p: float, q: float, m: float) -> tuple[FloatArray, FloatArray]:
    """Per-period adoptions m dF between consecutive effective times ``X`` and d/d(p, q, m)."""
    F = _cdf(X, p, q)
    dFp, dFq = _cdf_grad(X, p, q)
    dF = np.diff(F)
    J = np.column_stack([m * np.diff(dFp), m * np.diff(dFq), dF])
    return m * dF, J


_P_BOUNDS = (1e-9, 1.0)
_Q_BOUNDS = (1e-9, 50.0)
_M_MAX_FACTOR = 1e4


def _grid_start(
    y: FloatArray, X: FloatArray, m_fixed: float | None, m_lo: float, m_hi: float
) -> tuple[float, float, float]:
    """Best (p, q, m) on a log grid; m profiled out in closed form by least squares."""
    ps = np.geomspace(1e-4, 0.5, 16)
    qs = np.geomspace(1e-2, 5.0, 16)
    P, Q = np.meshgrid(ps, qs, indexing="ij")
    P, Q = P.ravel()[:, None], Q.ravel()[:, None]
    e = np.exp(-(P + Q) * X[None, :])
    F = (1.0 - e) / (1.0 + (Q / P) * e)
    dF = np.diff(F, axis=1)
    if m_fixed is None:
        m = (dF @ y) / np.maximum((dF * dF).sum(axis=1), 1e-300)
        m = np.clip(m, m_lo, m_hi)
    else:
        m = np.full(dF.shape[0], m_fixed)
    rss = ((y[None, :] - m[:, None] * dF) ** 2).sum(axis=1)
    best = int(np.argmin(rss))
    return float(P[best, 0]), float(Q[best, 0]), float(m[best])


def _unidentified(owner: str, detail: str) -> ConvergenceError:
    return ConvergenceError(
        f"{owner}: the market potential m is not identified by these data ({detail}). The "
        "adoption series has probably not passed its inflection (peak) yet, so a small m with "
        "fast imitation and a huge m with slow imitation fit equally well. Try: fix m "
        "(m=<market size>, e.g. the size of your community or target market), give a plausible "
        "range (m_bounds=(low, high)), or wait for data past the peak."
    )


def _check_identified(
    owner: str,
    theta: FloatArray,
    cov: FloatArray,
    m_free: bool,
    m_hi: float,
    bounded: bool,
    n_obs: int,
    effort: FloatArray | None,
) -> None:
    if not m_free:
        return
    m = float(theta[2])
    se_m = math.sqrt(cov[2, 2]) if math.isfinite(cov[2, 2]) and cov[2, 2] >= 0 else math.inf
    at_upper = m >= m_hi * (1 - 1e-6)
    if bounded:
        if at_upper:
            warnings.warn(
                f"{owner}: m sits at the upper end of m_bounds ({m_hi:g}); the estimate is set "
                "by the range you gave, not by the data.",
                ShequnWarning,
                stacklevel=3,
            )
        return
    if at_upper:
        raise _unidentified(owner, f"m ran to the search limit {m_hi:.4g}")
    if not math.isfinite(se_m) or se_m > m:
        raise _unidentified(owner, f"m = {m:.4g} with standard error {se_m:.4g}")
    peak = Bass(p=float(theta[0]), q=float(theta[1])).peak_time
    horizon = float(n_obs if effort is None else effort.sum())
    if peak > horizon:
        warnings.warn(
            f"{owner}: the fitted peak (effective time {peak:.3g}) lies after the data "
            f"({horizon:g}); m = {m:.4g} is an extrapolation. Consider fixing m or giving "
            "m_bounds.",
            ShequnWarning,
            stacklevel=3,
        )


def _gauss_loglik(rss: float, n: int) -> float:
    if rss <= 0:
        return math.inf
    return -0.5 * n * (math.log(2 * math.pi * rss / n) + 1.0)


def _fit_nls(
    y: FloatArray, X: FloatArray, m_fixed: float | None, m_lo: float, m_hi: float
) -> tuple[FloatArray, FloatArray, float]:
    p0, q0, m0 = _grid_start(y, X, m_fixed, m_lo, m_hi)
    free_m = m_fixed is None
    lo = [math.log(_P_BOUNDS[0]), math.log(_Q_BOUNDS[0])]
    hi = [math.log(_P_BOUNDS[1]), math.log(_Q_BOUNDS[1])]
    start = [math.log(p0), math.log(q0)]
    if free_m:
        lo.append(math.log(m_lo))
        hi.append(math.log(m_hi))
        start.append(math.log(min(max(m0, m_lo * (1 + 1e-9)), m_hi * (1 - 1e-9))))
    start_arr = np.clip(np.asarray(start), np.asarray(lo) + 1e-12, np.asarray(hi) - 1e-12)

    def unpack(u: FloatArray) -> tuple[float, float, float]:
        e = np.exp(u)
        return float(e[0]), float(e[1]), float(e[2]) if free_m else float(m_fixed)  # type: ignore[arg-type]

    def resid(u: FloatArray) -> FloatArray:
        p, q, m = unpack(u)
        fitted, _ = _curve_and_jac(X, p, q, m)
        return fitted - y

    def jac(u: FloatArray) -> FloatArray:
        p, q, m = unpack(u)
        _, J = _curve_and_jac(X, p, q, m)
        J = J if free_m else J[:, :2]
        return J * np.exp(u)[None, :]

    lo_a, hi_a = np.asarray(lo), np.asarray(hi)
    res = None
    if len(y) >= start_arr.shape[0]:
        # unconstrained Levenberg-Marquardt in log space (MINPACK, fast); keep it only if it
        # stays inside the box, otherwise redo with the bounded trust-region method
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                lm = optimize.least_squares(
                    resid,
                    start_arr,
                    jac=jac,
                    method="lm",
                    xtol=1e-12,
                    ftol=1e-12,
                    gtol=1e-12,
                    max_nfev=2000,
                )
            except (ValueError, FloatingPointError):  # pragma: no cover - defensive
                lm = None
        if (
            lm is not None
            and lm.status > 0
            and np.all(np.isfinite(lm.x))
            and np.all(lm.x >= lo_a)
            and np.all(lm.x <= hi_a)
        ):
            res = lm
    if res is None:
        res = optimize.least_squares(
            resid,
            start_arr,
            jac=jac,
            bounds=(lo, hi),
            method="trf",
            x_scale=1.0,
            xtol=1e-12,
            ftol=1e-12,
            gtol=1e-12,
            max_nfev=2000,
        )
    if res.status <= 0:
        raise ConvergenceError(
            f"fit_bass: least squares did not converge ({res.message}); try method='mle', fix "
            "m or give m_bounds"
        )
    p, q, m = unpack(res.x)
    fitted, J = _curve_and_jac(X, p, q, m)
    rss = float(((y - fitted) ** 2).sum())
    k = 3 if free_m else 2
    dof = y.shape[0] - k
    sigma2 = rss / dof if dof > 0 else math.nan
    Jf = J if free_m else J[:, :2]
    cov = np.zeros((3, 3))
    try:
        cov_f = sigma2 * np.linalg.inv(Jf.T @ Jf)
    except np.linalg.LinAlgError:
        cov_f = np.full((k, k), math.inf)
    cov[:k, :k] = cov_f
    return np.array([p, q, m]), cov, sigma2


def _fit_ols(
    y: FloatArray, X: FloatArray, x: FloatArray, m_fixed: float | None
) -> tuple[FloatArray, FloatArray, float]:
    """Bass (1969): n_t = x_t (a + b N_{t-1} + c N_{t-1}^2), solved for p, q, m."""
    N = np.concatenate([[0.0], np.cumsum(y)[:-1]])
    if m_fixed is None:
        D = np.column_stack([np.ones_like(N), N, N * N]) * x[:, None]
    else:
        D = np.column_stack([m_fixed - N, N * (m_fixed - N) / m_fixed]) * x[:, None]
    scale = np.abs(D).max(axis=0)
    scale[scale == 0] = 1.0
    Ds = D / scale
    coef_s, *_ = np.linalg.lstsq(Ds, y, rcond=None)
    coef = coef_s / scale
    r = y - D @ coef
    k = D.shape[1]
    dof = y.shape[0] - k
    sigma2 = float(r @ r) / dof if dof > 0 else math.nan
    try:
        cov_c = sigma2 * np.linalg.inv(Ds.T @ Ds) / np.outer(scale, scale)
    except np.linalg.LinAlgError:
        cov_c = np.full((k, k), math.inf)
    advice = (
        "fit_bass(method='ols'): the regression n_t = a + b N_(t-1) + c N_(t-1)^2 gave "
        "coefficients with no valid Bass solution ({}); use method='nls' or 'mle', or fix m"
    )
    if m_fixed is not None:
        p, q = float(coef[0]), float(coef[1])
        if p <= 0 or q <= 0:
            raise ConvergenceError(advice.format(f"p = {p:.4g}, q = {q:.4g}"))
        cov = np.zeros((3, 3))
        cov[:2, :2] = cov_c
        return np.array([p, q, m_fixed]), cov, sigma2

    def solve(abc: FloatArray) -> FloatArray:
        a, b, c = abc
        disc = b * b - 4 * a * c
        m = (-b - math.sqrt(disc)) / (2 * c)
        return np.array([a / m, -c * m, m])

    a, b, c = (float(v) for v in coef)
    if c >= 0 or b * b - 4 * a * c < 0 or a <= 0:
        raise ConvergenceError(advice.format(f"a = {a:.4g}, b = {b:.4g}, c = {c:.4g}"))
    theta = solve(coef)
    if (theta <= 0).any():
        raise ConvergenceError(advice.format(f"p, q, m = {theta.tolist()}"))
    # delta method: numerical gradient of (p, q, m) with respect to (a, b, c)
    G = np.empty((3, 3))
    for j in range(3):
        h = 1e-6 * max(abs(coef[j]), 1e-12)
        up, dn = coef.copy(), coef.copy()
        up[j] += h
        dn[j] -= h
        G[:, j] = (solve(up) - solve(dn)) / (2 * h)
    return theta, G @ cov_c @ G.T, sigma2


def _mle_nll_grad(
    theta: FloatArray, y: FloatArray, X: FloatArray, free_m: bool
) -> tuple[float, FloatArray]:
    p, q, m = (float(v) for v in theta)
    NT = float(y.sum())
    F = _cdf(X, p, q)
    dFp, dFq = _cdf_grad(X, p, q)
    dF = np.diff(F)
    if (dF <= 0).any() or m < NT:
        return math.inf, np.zeros(3)
    S = 1.0 - F[-1]
    R = m - NT
    pos = y > 0
    ll = float((y[pos] * np.log(dF[pos])).sum())
    g = np.zeros(3)
    g[0] = float((y * np.diff(dFp) / dF).sum())
    g[1] = float((y * np.diff(dFq) / dF).sum())
    if R > 0:
        if S <= 0:
            return math.inf, np.zeros(3)
        ll += R * math.log(S)
        g[0] -= R * dFp[-1] / S
        g[1] -= R * dFq[-1] / S
    if free_m:
        ll += float(special.gammaln(m + 1) - special.gammaln(R + 1))
        g[2] = float(special.digamma(m + 1) - special.digamma(R + 1)) + (
            math.log(S) if S > 0 else -math.inf
        )
    return -ll, -g


def _fit_mle(
    y: FloatArray, X: FloatArray, m_fixed: float | None, m_lo: float, m_hi: float
) -> tuple[FloatArray, FloatArray, float]:
    NT = float(y.sum())
    free_m = m_fixed is None
    try:  # least squares is consistent for counts too and a close start for the likelihood
        start, _, _ = _fit_nls(y, X, m_fixed, m_lo, m_hi)
        p0, q0, m0 = (float(v) for v in start)
    except ConvergenceError:  # pragma: no cover - fall back to the grid
        p0, q0, m0 = _grid_start(y, X, m_fixed, m_lo, m_hi)
    consts = -float(special.gammaln(y + 1).sum())
    if free_m:
        # m = NT + R with log R free, bounded so that m stays inside [m_lo, m_hi]
        r_lo = math.log(max(m_lo - NT, 1e-6))
        r_hi = math.log(m_hi - NT)

        def to_theta(u: FloatArray) -> FloatArray:
            return np.array([math.exp(u[0]), math.exp(u[1]), NT + math.exp(u[2])])

        u0 = np.array(
            [math.log(p0), math.log(q0), min(max(math.log(max(m0 - NT, 0.05 * NT)), r_lo), r_hi)]
        )
        bounds = [
            (math.log(_P_BOUNDS[0]), math.log(_P_BOUNDS[1])),
            (math.log(_Q_BOUNDS[0]), math.log(_Q_BOUNDS[1])),
            (r_lo, r_hi),
        ]
    else:
        assert m_fixed is not None
        mf = m_fixed

        def to_theta(u: FloatArray) -> FloatArray:
            return np.array([math.exp(u[0]), math.exp(u[1]), mf])

        u0 = np.array([math.log(p0), math.log(q0)])
        bounds = [
            (math.log(_P_BOUNDS[0]), math.log(_P_BOUNDS[1])),
            (math.log(_Q_BOUNDS[0]), math.log(_Q_BOUNDS[1])),
        ]

    def fun(u: FloatArray) -> tuple[float, FloatArray]:
        theta = to_theta(u)
        f, g = _mle_nll_grad(theta, y, X, free_m)
        if not math.isfinite(f):
            return 1e300, np.zeros_like(u)
        chain = theta.copy()
        if free_m:
            chain[2] = theta[2] - NT
        return f, (g * chain)[: u.shape[0]]

    lo_b = np.array([b[0] for b in bounds])
    hi_b = np.array([b[1] for b in bounds])

    def fun_bounded(u: FloatArray) -> tuple[float, FloatArray]:
        if (u < lo_b).any() or (u > hi_b).any():
            return 1e300, np.zeros_like(u)
        return fun(u)

    res = optimize.minimize(
        fun_bounded, u0, jac=True, method="BFGS", options={"maxiter": 2000, "gtol": 1e-8}
    )
    theta = to_theta(np.clip(res.x, lo_b, hi_b))
    nll, _ = _mle_nll_grad(theta, y, X, free_m)
    if not math.isfinite(nll):
        raise ConvergenceError("fit_bass(method='mle') did not converge; try method='nls' or fix m")
    k = 3 if free_m else 2
    H = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * theta[j]
        up, dn = theta.copy(), theta.copy()
        up[j] += h
        dn[j] -= h
        H[:, j] = (
            _mle_nll_grad(up, y, X, free_m)[1][:k] - _mle_nll_grad(dn, y, X, free_m)[1][:k]
        ) / (2 * h)
    H = 0.5 * (H + H.T)
    cov = np.zeros((3, 3))
    try:
        cov[:k, :k] = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        cov[:k, :k] = math.inf
    return theta, cov, -nll + consts


def fit_bass(
    adoptions: ArrayLike,
    *,
    method: str = "nls",
    m: float | None = None,
    m_bounds: tuple[float, float] | None = None,
    effort: ArrayLike | None = None,
    level: float = 0.95,
) -> BassFit:
    """Fit the Bass (or generalised Bass) model to adoptions per period.

    Parameters
    ----------
    adoptions
        Non-negative adoption counts (or volumes) for consecutive periods ``1..T`` starting at
        launch; at least as many periods as free parameters (3, or 2 with ``m`` fixed).
    method
        ``"nls"``: least squares on ``m (F(k) - F(k-1))`` (Srinivasan & Mason 1986), standard
        errors from the Jacobian. ``"ols"``: the regression ``n_k = a + b N_{k-1} +
        c N_{k-1}^2`` of Bass (1969), standard errors by the delta method; a discrete
        approximation, biased by about one period's worth of ``(p + q)``. ``"mle"``:
        multinomial likelihood of adoption times censored into periods, with ``m - N_T``
        non-adopters censored at ``T`` (Schmittlein & Mahajan 1982), standard errors from the
        observed information; for counts of people.
    m
        Fix the market potential (e.g. the size of the community); must be >= the total
        adoptions.
    m_bounds
        A plausible range ``(low, high)`` for ``m`` when it is estimated; ``low`` must be >= the
        total adoptions. Without it ``m`` is searched up to ``10^4`` times the total.
    effort
        Marketing effort per period (generalised Bass, :func:`bkj_effort`), same length as
        ``adoptions``, all > 0; ``None`` means constant effort 1 (plain Bass).
    level
        Confidence level for intervals.

    Returns
    -------
    BassFit

    Raises
    ------
    InvalidParameterError
        For bad input: negative or non-finite adoptions, too few periods, ``m`` below the total
        adoptions, an effort series of the wrong length.
    ConvergenceError
        When ``m`` cannot be identified (the series has not turned yet) or a method fails; the
        message says what to try.

    Examples
    --------
    >>> truth = Bass(p=0.03, q=0.38, m=1000)
    >>> y = truth.adoptions(20)
    >>> fit_bass(y, method="nls").params[:2].round(4).tolist()
    [0.03, 0.38]
    >>> fit_bass(y, method="mle", m=1000).m_fixed
    True
    >>> fit_bass([10, -1, 5])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `fit_bass.adoptions` must be >= 0 (index 1); got -1.0
    """
    owner = "fit_bass"
    y = np.asarray(
        check_array(adoptions, owner=owner, field="adoptions", ndim=1, nonnegative=True),
        dtype=np.float64,
    )
    method = check_choice(method, ["nls", "ols", "mle"], owner=owner, field="method")
    lv = check_level(level, owner=owner)
    k = 2 if m is not None else 3
    if y.shape[0] < k:
        raise fail(
            owner, "adoptions", f"have at least {k} periods (one per free parameter)", y.shape[0]
        )
    NT = float(y.sum())
    if NT <= 0:
        raise fail(owner, "adoptions", "contain some adoptions (the total is 0)", NT)
    if m is not None and m_bounds is not None:
        raise fail(owner, "m_bounds", "be None when m is fixed", m_bounds)
    m_fixed: float | None = None
    if m is not None:
        m_fixed = check_positive(m, owner=owner, field="m")
        if m_fixed < NT:
            raise fail(owner, "m", f"be >= the total adoptions observed ({NT:g})", m)
    if m_bounds is not None:
        if not isinstance(m_bounds, tuple | list) or len(m_bounds) != 2:
            raise fail(owner, "m_bounds", "be a pair (low, high)", m_bounds)
        m_lo = check_positive(m_bounds[0], owner=owner, field="m_bounds")
        m_hi = check_positive(m_bounds[1], owner=owner, field="m_bounds")
        if m_lo < NT:
            raise fail(
                owner, "m_bounds", f"start at or above the total adoptions ({NT:g})", m_bounds
            )
        if m_hi <= m_lo:
            raise fail(owner, "m_bounds", "be an increasing pair (low < high)", m_bounds)
    else:
        m_lo, m_hi = NT, NT * _M_MAX_FACTOR
    x: FloatArray | None = None
    if effort is not None:
        x = _effort_array(effort, owner)
        if x.shape[0] != y.shape[0]:
            raise fail(owner, "effort", f"have one value per period ({y.shape[0]})", x.shape[0])
    X = (
        np.arange(0, y.shape[0] + 1, dtype=np.float64)
        if x is None
        else np.concatenate([[0.0], np.cumsum(x)])
    )

    ll: float
    if method == "nls":
        theta, cov, sigma2 = _fit_nls(y, X, m_fixed, m_lo, m_hi)
    elif method == "ols":
        theta, cov, sigma2 = _fit_ols(y, X, np.ones_like(y) if x is None else x, m_fixed)
    else:
        theta, cov, ll = _fit_mle(y, X, m_fixed, m_lo, m_hi)
        sigma2 = math.nan
    _check_identified(owner, theta, cov, m_fixed is None, m_hi, m_bounds is not None, y.shape[0], x)
    fitted, _ = _curve_and_jac(X, float(theta[0]), float(theta[1]), float(theta[2]))
    resid = y - fitted
    rss = float(resid @ resid)
    tss = float(((y - y.mean()) ** 2).sum())
    n_par = k + (0 if method == "mle" else 1)  # least squares also estimates the noise
    if method != "mle":
        ll = _gauss_loglik(rss, y.shape[0])
    return BassFit(
        method=method,
        params=theta,
        cov=cov,
        m_fixed=m_fixed is not None,
        adoptions=y,
        effort=x,
        fitted=fitted,
        residuals=resid,
        sigma2=sigma2,
        dof=y.shape[0] - k,
        log_likelihood=ll,
        aic=2 * n_par - 2 * ll,
        r2=1.0 - rss / tss if tss > 0 else math.nan,
        level=lv,
    )
