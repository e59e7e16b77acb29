"""The Bass model and its generalisation: closed forms, peak, innovators and imitators.

See :mod:`shequn.diffusion.bass` for the model and its references.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from shequn._typing import FloatArray, array_eq
from shequn._validation import (
    check_array,
    check_finite,
    check_int,
    check_memory,
    check_positive,
    fail,
    positive,
)
from shequn.diffusion._compat import as_floats

if TYPE_CHECKING:
    from shequn.diffusion.bass.results import BassFit

__all__ = ["Bass", "GeneralizedBass", "bass_cdf", "bass_pdf", "bkj_effort"]


# --- closed forms -------------------------------------------------------------------------------


def _cdf(x: FloatArray | float, p: float, q: float) -> FloatArray:
    e = np.exp(-(p + q) * np.asarray(x, dtype=np.float64))
    return np.asarray((1.0 - e) / (1.0 + (q / p) * e), dtype=np.float64)


def _pdf(x: FloatArray | float, p: float, q: float) -> FloatArray:
    # f = (p+q)²/p · e/(1 + (q/p)e)² written as p·e·r² with r = (p+q)/(p + q·e) in [1, (p+q)/p]:
    # the same value without squaring p + q (which overflowed for p or q near 1e300)
    e = np.exp(-(p + q) * np.asarray(x, dtype=np.float64))
    r = (p + q) / (p + q * e)
    return np.asarray(p * e * r * r, dtype=np.float64)


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
        check_memory(64.0 * n, owner=owner, field="periods", value=periods)  # a few curves
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

    p: float = attrs.field(validator=positive)
    q: float = attrs.field(validator=positive)
    m: float = attrs.field(default=1.0, validator=positive)

    def __attrs_post_init__(self) -> None:
        as_floats(self, "p", "q", "m")

    @classmethod
    def fit(cls, adoptions: ArrayLike, **options: Any) -> BassFit:
        """Fit the model to adoptions per period: the same estimator as :func:`fit_bass`.

        ``options`` are those of :func:`~shequn.diffusion.bass.fit_bass` (``method``, ``m``,
        ``m_bounds``, ``effort``, ``level``).

        Examples
        --------
        >>> fit = Bass.fit(Bass(p=0.03, q=0.38, m=1000.0).adoptions(20), method="nls")
        >>> round(fit.model.q, 4), type(fit).__name__
        (0.38, 'BassFit')
        """
        from shequn.diffusion.bass.estimators import fit_bass

        return fit_bass(adoptions, **options)

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
    bp = check_finite(beta_price, owner=owner, field="beta_price")
    ba = check_finite(beta_advertising, owner=owner, field="beta_advertising")
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

    p: float = attrs.field(validator=positive)
    q: float = attrs.field(validator=positive)
    m: float = attrs.field(default=1.0, validator=positive)
    effort: FloatArray = attrs.field(converter=_gb_effort, eq=array_eq)

    def __attrs_post_init__(self) -> None:
        as_floats(self, "p", "q", "m")

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


def _curve_and_jac(X: FloatArray, p: float, q: float, m: float) -> tuple[FloatArray, FloatArray]:
    """Per-period adoptions m dF between consecutive effective times ``X`` and d/d(p, q, m)."""
    F = _cdf(X, p, q)
    dFp, dFq = _cdf_grad(X, p, q)
    dF = np.diff(F)
    J = np.column_stack([m * np.diff(dFp), m * np.diff(dFq), dF])
    return m * dF, J
