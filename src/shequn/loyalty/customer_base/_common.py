"""Shared machinery of the customer-base models: input checks, row compression, MLE, fit results.

Every model is fitted by maximum likelihood over the logarithms of its (positive) parameters,
so the optimiser is unconstrained. Customers with identical sufficient statistics are merged
into one weighted row first (CDNOW's 23,570 customers become 8,685 rows), which makes each
likelihood evaluation proportionally cheaper without changing the likelihood.

Standard errors come from the observed information: the Hessian of the total log-likelihood
in log-parameter space, computed by central finite differences, inverted, and carried to the
natural scale by the delta method (``se(θ) = θ · se(log θ)``).

The optional ``penalizer`` adds ``penalizer · Σ_k (log θ_k)²`` to the *mean* negative
log-likelihood: an L2 (ridge) penalty on the log-parameters that pulls every parameter toward 1.
It is what lifetimes' ``penalizer_coef`` does, up to its use of the natural scale. Use a small
value (0.001–0.1) when the unpenalised estimate runs away (a scale parameter drifting to
infinity when there is little heterogeneity, or a fit that does not converge on a small data
set). It biases the estimates: the reported log-likelihood is the unpenalised one at the
penalised estimate, and the standard errors use the penalised Hessian.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from shequn._optional import optional_import
from shequn._validation import check_array, check_in_range, check_level, fail
from shequn.exceptions import ConvergenceError

__all__ = ["CustomerBaseFit", "check_rfm", "compress_rows", "fit_result"]

F64 = NDArray[np.float64]


def check_rfm(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    owner: str,
    integer_recency: bool = False,
) -> tuple[F64, F64, F64]:
    """Validate frequency, recency and age arrays of one customer base.

    Raises :class:`~shequn.exceptions.InvalidParameterError` for NaN or negative values,
    non-integer frequencies, mismatched lengths, empty input, recency > T, and a recency other
    than 0 for a customer without repeat purchases. A scalar ``T`` applies to every customer.
    """
    x = check_array(frequency, owner=owner, field="frequency", nonnegative=True)
    tx = check_array(recency, owner=owner, field="recency", nonnegative=True)
    t = check_array(T, owner=owner, field="T", nonnegative=True)
    x, tx = np.atleast_1d(x), np.atleast_1d(tx)
    for name, arr in (("frequency", x), ("recency", tx)):
        if arr.ndim != 1:
            raise fail(owner, name, f"be 1-dimensional (shape {arr.shape})", arr)
    if x.size == 0:
        raise fail(owner, "frequency", "hold at least one customer (empty input)", x.size)
    if t.ndim == 0:
        t = np.full(x.shape, float(t))
    if tx.shape != x.shape:
        raise fail(owner, "recency", f"have the length of frequency ({x.size})", tx.size)
    if t.shape != x.shape:
        raise fail(owner, "T", f"have the length of frequency ({x.size}) or be a scalar", t.shape)
    bad = np.flatnonzero(x != np.round(x))
    if bad.size:
        raise fail(owner, "frequency", f"hold whole numbers (index {bad[0]})", x[bad[0]])
    if integer_recency:
        for name, arr in (("recency", tx), ("T", t)):
            bad = np.flatnonzero(arr != np.round(arr))
            if bad.size:
                raise fail(owner, name, f"hold whole numbers (index {bad[0]})", arr[bad[0]])
    bad = np.flatnonzero(tx > t)
    if bad.size:
        i = bad[0]
        raise fail(owner, "recency", f"be <= T (index {i}, T={t[i]:g})", tx[i])
    bad = np.flatnonzero((x == 0) & (tx > 0))
    if bad.size:
        i = bad[0]
        raise fail(owner, "recency", f"be 0 where frequency is 0 (index {i})", tx[i])
    return x, tx, t


def compress_rows(*columns: F64) -> tuple[tuple[F64, ...], F64, NDArray[np.intp]]:
    """Merge identical rows: unique columns, their counts (weights) and the inverse index.

    Examples
    --------
    >>> (x, t), w, inv = compress_rows(np.array([1.0, 1.0, 2.0]), np.array([3.0, 3.0, 4.0]))
    >>> x.tolist(), w.tolist(), inv.tolist()
    ([1.0, 2.0], [2.0, 1.0], [0, 0, 1])
    """
    cols = [np.asarray(c, dtype=np.float64) for c in columns]
    order = np.lexsort(cols[::-1])
    srt = [c[order] for c in cols]
    new = np.ones(order.size, dtype=bool)
    if order.size > 1:
        diff = np.zeros(order.size - 1, dtype=bool)
        for c in srt:
            diff |= c[1:] != c[:-1]
        new[1:] = diff
    starts = np.flatnonzero(new)
    counts = np.diff(np.r_[starts, order.size]).astype(np.float64)
    group = np.cumsum(new) - 1
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = group
    return tuple(np.ascontiguousarray(c[starts]) for c in srt), counts, inverse


class _Model(Protocol):
    param_names: ClassVar[tuple[str, ...]]

    @property
    def params(self) -> dict[str, float]: ...


M = TypeVar("M", bound=_Model)


def _numerical_hessian(
    f: Callable[[F64], float],
    grad: Callable[[F64], F64] | None,
    theta: F64,
    step: float = 1e-4,
) -> F64:
    """Central finite-difference Hessian of ``f`` at ``theta`` (of ``grad`` if given)."""
    k = theta.size
    h = np.empty((k, k))
    if grad is not None:
        for i in range(k):
            e = np.zeros(k)
            e[i] = step
            h[i] = (grad(theta + e) - grad(theta - e)) / (2 * step)
        return 0.5 * (h + h.T)
    f0 = f(theta)
    for i in range(k):
        for j in range(i, k):
            ei = np.zeros(k)
            ej = np.zeros(k)
            ei[i] = step
            ej[j] = step
            if i == j:
                v = (f(theta + ei) - 2 * f0 + f(theta - ei)) / step**2
            else:
                v = (
                    f(theta + ei + ej)
                    - f(theta + ei - ej)
                    - f(theta - ei + ej)
                    + f(theta - ei - ej)
                ) / (4 * step**2)
            h[i, j] = h[j, i] = v
    return h


@attrs.frozen(kw_only=True)
class MLEResult:
    """Raw optimiser output (log-parameter space)."""

    log_params: F64
    log_likelihood: float
    covariance_log: F64
    iterations: int
    converged: bool
    message: str


def maximise(
    negll: Callable[[F64], float],
    x0: F64,
    *,
    owner: str,
    n: float,
    penalizer: float,
    grad: Callable[[F64], F64] | None = None,
    fused: Callable[[F64], tuple[float, F64]] | None = None,
    names: tuple[str, ...],
) -> MLEResult:
    """Minimise the penalised mean negative log-likelihood over log-parameters.

    ``negll(theta)`` returns the *total* negative log-likelihood (weights applied) and ``grad``
    its gradient; ``fused`` (optional) returns both at once, which the optimiser then uses.
    Raises :class:`ConvergenceError` with advice when the optimiser fails.
    """
    pen = check_in_range(penalizer, owner=owner, field="penalizer", low=0.0)

    def objective(theta: F64) -> float:
        with np.errstate(all="ignore"):
            v = negll(theta) / n + pen * float(theta @ theta)
        return v if math.isfinite(v) else 1e300

    jac: Callable[[F64], F64] | None = None
    if grad is not None:
        g_fun = grad

        def jac_fun(theta: F64) -> F64:
            with np.errstate(all="ignore"):
                g = g_fun(theta) / n + 2 * pen * theta
            return np.where(np.isfinite(g), g, 0.0)

        jac = jac_fun
    opts = {"gtol": 1e-7, "maxiter": 2000}
    if fused is not None:
        fz = fused

        def obj_grad(theta: F64) -> tuple[float, F64]:
            with np.errstate(all="ignore"):
                v, g = fz(theta)
                v = v / n + pen * float(theta @ theta)
                g = g / n + 2 * pen * theta
            if not math.isfinite(v):
                return 1e300, np.zeros_like(theta)
            return v, np.where(np.isfinite(g), g, 0.0)

        res = optimize.minimize(obj_grad, x0, jac=True, method="BFGS", options=opts)
    else:
        res = optimize.minimize(objective, x0, jac=jac, method="BFGS", options=opts)
    theta = np.asarray(res.x, dtype=np.float64)
    ll = -negll(theta)
    advice = (
        "try other starting values (initial=...), a small penalizer (e.g. penalizer=0.01), "
        "a different time unit (weeks instead of days) or check the data for outliers"
    )
    if not math.isfinite(ll) or not np.all(np.isfinite(theta)):
        raise ConvergenceError(
            f"{owner}: the likelihood is not finite at the optimiser's end point "
            f"({res.message}); {advice}"
        )
    if np.any(np.abs(theta) > 30):
        big = names[int(np.argmax(np.abs(theta)))]
        raise ConvergenceError(
            f"{owner}: parameter {big} ran off to {math.exp(theta[np.argmax(np.abs(theta))]):.3g}"
            f" (the likelihood has no interior maximum for these data); {advice}"
        )
    if jac is not None:
        gnorm = float(np.max(np.abs(jac(theta))))
    else:  # central differences of the mean objective
        eye = np.eye(theta.size) * 1e-5
        gnorm = max(abs(objective(theta + e) - objective(theta - e)) / 2e-5 for e in eye)
    converged = bool(res.success) or gnorm < 1e-4
    if not converged:
        raise ConvergenceError(
            f"{owner}: the optimiser stopped without converging ({res.message}; "
            f"gradient {gnorm:.2g}); {advice}"
        )

    def pen_total(t: F64) -> float:
        return negll(t) + pen * n * float(t @ t)

    pen_grad: Callable[[F64], F64] | None = None
    if grad is not None:
        g_fun2 = grad

        def pen_grad_fun(t: F64) -> F64:
            return g_fun2(t) + 2 * pen * n * t

        pen_grad = pen_grad_fun
    with np.errstate(all="ignore"):
        hess = _numerical_hessian(pen_total, pen_grad, theta)
    eig = np.linalg.eigvalsh(hess) if np.all(np.isfinite(hess)) else np.array([np.nan])
    if not np.all(eig > 1e-10 * max(1.0, float(np.nanmax(np.abs(eig))))):
        weak = names[int(np.argmin(np.abs(np.diag(hess))))] if np.all(np.isfinite(hess)) else "?"
        raise ConvergenceError(
            f"{owner}: the optimiser stopped where the log-likelihood is flat or not at a "
            f"maximum (the observed information is singular; {weak} is least determined), so "
            f"the estimate is not identified by these data; {advice}"
        )
    cov = np.asarray(np.linalg.inv(hess), dtype=np.float64)
    return MLEResult(
        log_params=theta,
        log_likelihood=float(ll),
        covariance_log=cov,
        iterations=int(res.nit),
        converged=converged,
        message=str(res.message),
    )


def _fmt_num(v: float) -> str:
    return f"{v:.4g}" if math.isfinite(v) else "nan"


@attrs.frozen(kw_only=True)
class CustomerBaseFit(Generic[M]):
    """A fitted customer-base model with its uncertainty and diagnostics.

    Attributes
    ----------
    model
        The model at the maximum-likelihood estimate (use it for predictions).
    covariance_log
        Covariance of the log-parameters (inverse observed information).
    log_likelihood
        Maximised (unpenalised) log-likelihood, summed over customers.
    n_customers
        Number of customers the model was fitted to.
    n_rows
        Distinct rows after merging customers with identical statistics.
    penalizer
        The L2 penalty on the log-parameters (0 = plain maximum likelihood).
    iterations, converged, message
        Optimiser diagnostics.
    """

    model: M
    covariance_log: F64 = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    log_likelihood: float
    n_customers: int
    n_rows: int
    penalizer: float
    iterations: int
    converged: bool
    message: str

    @property
    def params(self) -> dict[str, float]:
        """Parameter estimates by name."""
        return self.model.params

    @property
    def standard_errors(self) -> dict[str, float]:
        """Delta-method standard errors on the natural scale."""
        se_log = np.sqrt(np.diag(self.covariance_log))
        return {k: float(v * s) for (k, v), s in zip(self.params.items(), se_log, strict=True)}

    def confidence_intervals(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Wald intervals built on the log scale (so they stay positive).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
        >>> fit = BGNBD.fit_summary(load_cdnow_sample().summary())
        >>> lo, hi = fit.confidence_intervals()["r"]
        >>> bool(lo < fit.params["r"] < hi)
        True
        """
        lvl = check_level(level, owner="CustomerBaseFit")
        z = float(stats.norm.ppf(0.5 + lvl / 2))
        se_log = np.sqrt(np.diag(self.covariance_log))
        return {
            k: (float(v * math.exp(-z * s)), float(v * math.exp(z * s)))
            for (k, v), s in zip(self.params.items(), se_log, strict=True)
        }

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2k − 2ℓ``."""
        return 2 * len(self.params) - 2 * self.log_likelihood

    def summary(self) -> str:
        """A plain-text table of estimates, standard errors and 95% intervals."""
        name = type(self.model).__name__
        lines = [
            f"{name} fit: {self.n_customers} customers ({self.n_rows} distinct rows)",
            f"log-likelihood {self.log_likelihood:.4f}, AIC {self.aic:.2f}, "
            f"penalizer {self.penalizer:g}, iterations {self.iterations}",
            f"{'param':>8} {'estimate':>12} {'se':>10} {'lower 95%':>12} {'upper 95%':>12}",
        ]
        ci = self.confidence_intervals()
        se = self.standard_errors
        for k, v in self.params.items():
            lo, hi = ci[k]
            lines.append(
                f"{k:>8} {_fmt_num(v):>12} {_fmt_num(se[k]):>10} {_fmt_num(lo):>12} "
                f"{_fmt_num(hi):>12}"
            )
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """Estimates, standard errors and intervals as a pandas DataFrame (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        ci = self.confidence_intervals()
        se = self.standard_errors
        return pd.DataFrame(
            {
                "estimate": self.params,
                "se": se,
                "lower_95": {k: v[0] for k, v in ci.items()},
                "upper_95": {k: v[1] for k, v in ci.items()},
            }
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{k}</td><td>{_fmt_num(v)}</td><td>{_fmt_num(self.standard_errors[k])}"
            "</td></tr>"
            for k, v in self.params.items()
        )
        return (
            f"<p><b>{type(self.model).__name__}</b>: {self.n_customers} customers, "
            f"log-likelihood {self.log_likelihood:.2f}</p><table><tr><th>param</th>"
            f"<th>estimate</th><th>se</th></tr>{rows}</table>"
        )


def fit_result(
    cls: type[M], res: MLEResult, *, n_customers: float, n_rows: int, penalizer: float
) -> CustomerBaseFit[M]:
    """The :class:`CustomerBaseFit` of model class ``cls`` at the optimum ``res``.

    The model is built from ``exp(res.log_params)`` in the order of ``cls.param_names``.
    """
    values = (float(v) for v in np.exp(res.log_params))
    model = cls(**dict(zip(cls.param_names, values, strict=True)))
    return CustomerBaseFit(
        model=model,
        covariance_log=res.covariance_log,
        log_likelihood=res.log_likelihood,
        n_customers=int(n_customers),
        n_rows=int(n_rows),
        penalizer=float(penalizer),
        iterations=res.iterations,
        converged=res.converged,
        message=res.message,
    )


def initial_log(
    initial: Mapping[str, float] | None,
    default: Mapping[str, float],
    names: tuple[str, ...],
    owner: str,
) -> F64:
    """Starting point in log space from user values (validated) or defaults."""
    start = dict(default)
    if initial is not None:
        for k, v in initial.items():
            if k not in names:
                raise fail(owner, "initial", f"use parameter names {list(names)}", k)
            if not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
                raise fail(owner, f"initial[{k!r}]", "be > 0 and finite", v)
            start[k] = float(v)
    return np.log(np.array([start[k] for k in names], dtype=np.float64))
