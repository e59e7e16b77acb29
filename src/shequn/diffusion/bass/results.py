"""What a Bass fit returns: :class:`BassFit` and its forecasts (:class:`BassForecast`)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from shequn._optional import optional_import
from shequn._results import draw
from shequn._typing import FloatArray, array_eq
from shequn._validation import (
    check_level,
    fail,
)
from shequn.diffusion.bass.model import Bass, _curve_and_jac, _effort_array, _periods_arg

__all__ = ["BassFit", "BassForecast"]

_arr_eq = array_eq
_PARAMS = ("p", "q", "m")


@attrs.frozen(kw_only=True)
class BassForecast:
    """Point forecasts with prediction intervals for adoptions per period and cumulative.

    ``lower``/``upper`` bound a new observation (parameter uncertainty by the delta method plus
    the fitted noise); cumulative bounds add the noise of every period summed.

    Examples
    --------
    >>> from shequn.diffusion.bass import fit_bass
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
        >>> from shequn.diffusion.bass import fit_bass
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
        >>> from shequn.diffusion.bass import fit_bass
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
        >>> from shequn.diffusion.bass import fit_bass
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
        >>> from shequn.diffusion.bass import fit_bass
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
        >>> from shequn.diffusion.bass import fit_bass
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
        >>> from shequn.diffusion.bass import fit_bass
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
        >>> from shequn.diffusion.bass import fit_bass
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
