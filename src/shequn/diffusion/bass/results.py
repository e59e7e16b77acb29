"""What a Bass fit returns: :class:`BassFit` and its forecasts (:class:`BassForecast`)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table, draw
from shequn._typing import FloatArray, IntArray, array_eq, optional_array_eq
from shequn._validation import check_level, fail
from shequn.diffusion._compat import ArrayDict, nan_eq
from shequn.diffusion.bass.model import Bass, _curve_and_jac, _effort_array, _periods_arg

__all__ = ["BassFit", "BassForecast"]

_PARAMS = ("p", "q", "m")


@attrs.frozen(kw_only=True)
class BassForecast(ResultMixin):
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

    periods: IntArray = attrs.field(eq=array_eq)
    adoptions: FloatArray = attrs.field(eq=array_eq)
    lower: FloatArray = attrs.field(eq=array_eq)
    upper: FloatArray = attrs.field(eq=array_eq)
    cumulative: FloatArray = attrs.field(eq=array_eq)
    cumulative_lower: FloatArray = attrs.field(eq=array_eq)
    cumulative_upper: FloatArray = attrs.field(eq=array_eq)
    level: float

    def summary(self) -> Summary:
        """The forecast per period with its prediction bounds, and the last cumulative figure.

        Examples
        --------
        >>> from shequn.diffusion.bass import fit_bass
        >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(15) + (-1.0) ** np.arange(15))
        >>> s = fit.predict(30).summary()
        >>> s["last_period"], bool(abs(s["cumulative"] - 1000) < 5)
        (30, True)
        """
        pct = round(100 * self.level)
        rows = {
            str(int(k)): (float(a), float(lo), float(hi), float(c))
            for k, a, lo, hi, c in zip(
                self.periods, self.adoptions, self.lower, self.upper, self.cumulative, strict=True
            )
        }
        return Summary(
            title=f"Bass forecast, {self.periods.shape[0]} periods, {pct}% prediction intervals",
            headline={
                "last_period": int(self.periods[-1]),
                "adoptions": float(self.adoptions[-1]),
                "cumulative": float(self.cumulative[-1]),
                "cumulative_lower": float(self.cumulative_lower[-1]),
                "cumulative_upper": float(self.cumulative_upper[-1]),
            },
            table=Table(columns=("adoptions", "lower", "upper", "cumulative"), rows=rows),
        )

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
class BassFit(ResultMixin):
    """A fitted Bass model: estimates, standard errors, diagnostics and forecasts.

    Attributes
    ----------
    method
        ``"nls"``, ``"ols"`` or ``"mle"``.
    estimates
        The estimates of ``(p, q, m)`` as an array (:attr:`params` names them).
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
        Confidence level of :meth:`conf_int` and :meth:`summary` by default (0.95).
    """

    method: str
    estimates: FloatArray = attrs.field(eq=array_eq)
    cov: FloatArray = attrs.field(eq=array_eq, repr=False)
    m_fixed: bool
    adoptions: FloatArray = attrs.field(eq=array_eq, repr=False)
    effort: FloatArray | None = attrs.field(eq=optional_array_eq, repr=False)
    fitted: FloatArray = attrs.field(eq=array_eq, repr=False)
    residuals: FloatArray = attrs.field(eq=array_eq, repr=False)
    sigma2: float = attrs.field(eq=nan_eq)
    dof: int
    log_likelihood: float = attrs.field(eq=nan_eq)
    aic: float = attrs.field(eq=nan_eq)
    r2: float = attrs.field(eq=nan_eq)
    level: float = 0.95

    @property
    def params(self) -> dict[str, float]:
        """The estimates by name, ``{"p": ..., "q": ..., "m": ...}``.

        Until the next release the mapping also answers the old array use
        (``fit.params[1]``) with a :class:`DeprecationWarning`; use :attr:`estimates` for the
        array.

        Examples
        --------
        >>> from shequn.diffusion.bass import fit_bass
        >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(20))
        >>> {k: round(v, 4) for k, v in fit.params.items()}
        {'p': 0.03, 'q': 0.38, 'm': 1000.0}
        """
        return ArrayDict(
            {k: float(v) for k, v in zip(_PARAMS, self.estimates, strict=True)},
            old="BassFit.params",
            new='BassFit.params["q"], or BassFit.estimates for the array',
        )

    @property
    def p(self) -> float:
        """Coefficient of innovation (broadcast)."""
        return float(self.estimates[0])

    @property
    def q(self) -> float:
        """Coefficient of imitation (word of mouth)."""
        return float(self.estimates[1])

    @property
    def m(self) -> float:
        """Market potential."""
        return float(self.estimates[2])

    @property
    def se(self) -> FloatArray:
        """Standard errors of ``(p, q, m)`` as an array (0 for a fixed ``m``)."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors by name (0 for a fixed ``m``).

        Examples
        --------
        >>> from shequn.diffusion.bass import fit_bass
        >>> fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(20), m=1000).standard_errors["m"]
        0.0
        """
        return {k: float(v) for k, v in zip(_PARAMS, self.se, strict=True)}

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

    def _bounds(self, level: float | None, owner: str) -> tuple[FloatArray, FloatArray]:
        lv = self.level if level is None else check_level(level, owner=owner)
        z = self._quantile(lv)
        return self.estimates - z * self.se, self.estimates + z * self.se

    def conf_int(self, level: float | None = None) -> Intervals:
        """Confidence intervals ``{"p": (lower, upper), "q": ..., "m": ...}``.

        Student t with the residual degrees of freedom for least squares, normal for maximum
        likelihood; ``level`` defaults to the fit's :attr:`level` (0.95). A fixed ``m`` has
        the interval ``(m, m)``. Until the next release the mapping also answers the old
        (3, 2) array use (``ci[0, 1]``) with a :class:`DeprecationWarning`.

        Examples
        --------
        >>> from shequn.diffusion.bass import fit_bass
        >>> fit = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(15) + (-1.0) ** np.arange(15))
        >>> lo, hi = fit.conf_int()["p"]
        >>> bool(lo < 0.03 < hi)
        True
        """
        lo, hi = self._bounds(level, "BassFit.conf_int")
        return ArrayDict(
            {k: (float(a), float(b)) for k, a, b in zip(_PARAMS, lo, hi, strict=True)},
            old="BassFit.conf_int()",
            new='BassFit.conf_int()["q"] -> (lower, upper)',
        )

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

    def summary(self) -> Summary:
        """Estimates with standard errors and intervals, the peak and the fit statistics.

        Examples
        --------
        >>> from shequn.diffusion.bass import fit_bass
        >>> s = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(20)).summary()
        >>> round(s["q"], 4), round(s["peak_time"], 2)
        (0.38, 6.19)
        >>> print(s)
        Bass fit (nls), 20 periods
        ...
             estimate  se  lower  upper
          p      0.03 ...
        """
        lo, hi = self._bounds(None, "BassFit.summary")
        pct = round(100 * self.level)
        rows: dict[str, tuple[object, ...]] = {}
        for i, name in enumerate(_PARAMS):
            if name == "m" and self.m_fixed:
                rows[name] = (float(self.estimates[i]), "(fixed)", "", "")
            else:
                rows[name] = (
                    float(self.estimates[i]),
                    float(self.se[i]),
                    float(lo[i]),
                    float(hi[i]),
                )
        model = self.model
        return Summary(
            title=f"Bass fit ({self.method}), {self.n_obs} periods"
            + (" with effort" if self.effort is not None else ""),
            headline={
                **self.params,
                "peak_time": model.peak_time,
                "peak_rate": model.peak_rate,
                "r2": self.r2,
                "log_likelihood": self.log_likelihood,
                "aic": self.aic,
            },
            table=Table(columns=("estimate", "se", "lower", "upper"), rows=rows),
            notes=(f"lower and upper: {pct}% confidence interval",),
        )

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
        lo, hi = self._bounds(None, "BassFit.to_frame")
        return pd.DataFrame(
            {"estimate": self.estimates, "se": self.se, "lower": lo, "upper": hi},
            index=pd.Index(list(_PARAMS), name="param"),
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The forecast plot (needs the ``plot`` extra): data, fit, prediction band, p/q split.

        Drawn by :func:`shequn.plotting.bass.plot_bass_forecast` on ``ax`` (a new figure when
        ``None``); keyword arguments ``periods`` (horizon), ``level`` and ``split`` (show the
        innovator/imitator split) are passed on. Returns the Axes.

        Examples
        --------
        >>> from shequn.diffusion.bass import fit_bass
        >>> matplotlib = __import__("pytest").importorskip("matplotlib")
        >>> matplotlib.use("Agg")
        >>> ax = fit_bass(Bass(p=0.03, q=0.38, m=1000).adoptions(12)).plot(periods=25)
        >>> ax.get_ylabel()
        'adoptions per period'
        """
        return draw(self, ax=ax, **kwargs)
