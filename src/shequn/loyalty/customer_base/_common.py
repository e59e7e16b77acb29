"""Shared machinery of the customer-base models: input checks, row compression, MLE, fit results.

Every model is fitted by maximum likelihood over an unconstrained vector θ: the logarithms of
its positive parameters and, for covariate models, the covariate coefficients as they are.
Customers with identical sufficient statistics (and covariates) are merged into one weighted
row first (CDNOW's 23,570 customers become 8,685 rows), which makes each likelihood evaluation
proportionally cheaper without changing the likelihood; ``weights=`` (customers per row) feeds
the same mechanism, so grouped data need no expansion.

Standard errors come from the observed information: the Hessian of the total log-likelihood in
θ, computed by central differences of the analytic gradient (or of the likelihood), inverted,
and carried to the natural scale by the delta method (``se(θ) = θ · se(log θ)``) for the
log-scale parameters. Intervals are Wald intervals on the estimation scale (so positive
parameters keep positive bounds, and a parameter constrained above 1, gamma-gamma's q with
``q_constraint=True``, is estimated as log(q − 1)).

Two optional penalties, both on the *mean* negative log-likelihood, as in lifetimes and
CLVTools:

* ``penalizer`` adds ``penalizer · Σ_k (log θ_k)²`` over the model's positive parameters: an L2
  (ridge) penalty on the log-parameters that pulls every parameter toward 1 (lifetimes'
  ``penalizer_coef`` up to its use of the natural scale). Use a small value (0.001–0.1) when the
  unpenalised estimate runs away (a scale parameter drifting to infinity when there is little
  heterogeneity, or a fit that does not converge on a small data set).
* ``regularization={"trans": λ_t, "life": λ_l}`` adds ``λ_t Σ γ_trans² + λ_l Σ γ_life²`` over
  the covariate coefficients only (CLVTools' ``reg.lambdas``); a coefficient constrained to be
  equal in both processes carries ``λ_t + λ_l``.

Both bias the estimates: the reported log-likelihood is the unpenalised one at the penalised
estimate, the standard errors use the penalised Hessian, and the likelihood-ratio test is
refused for penalised fits.

Examples
--------
>>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
>>> fit = BGNBD.fit(data=load_cdnow_sample().rfm())
>>> s = fit.summary()
>>> s["log-likelihood"] < 0, fit.conf_int()["r"][0] < fit.params["r"]
(True, True)
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, Generic, Protocol, TypeVar

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table, format_value
from shequn._typing import FloatArray, array_eq
from shequn._validation import (
    check_array,
    check_in_range,
    check_instance,
    check_level,
    check_memory,
    check_nonnegative,
    check_path,
    fail,
)
from shequn.exceptions import ConvergenceError, InvalidParameterError, ShequnDeprecationWarning

__all__ = [
    "CHUNK_ROWS",
    "CustomerBaseFit",
    "LikelihoodRatioTest",
    "check_rfm",
    "check_weights",
    "column",
    "compress_rows",
    "load_fit",
]

CHUNK_ROWS = 65_536
"""Rows per block when a likelihood is summed in blocks (fixed, so that every executor adds
the same partial sums in the same order and results are identical)."""

_MAX_WHOLE = 2.0**53  # integers above this are not exactly representable as floats


def column(data: Any, value: Any, *, owner: str, field: str) -> Any:
    """``value`` itself, or the column ``data[value]`` when ``value`` is a string.

    ``data`` may be a pandas DataFrame, any mapping of names to arrays, or an object with the
    named attributes (such as an :class:`~shequn.loyalty.rfm.RFMSummary`).

    Examples
    --------
    >>> column({"x": [1, 2]}, "x", owner="f", field="frequency")
    [1, 2]
    >>> column(None, [3], owner="f", field="frequency")
    [3]
    """
    if not isinstance(value, str):
        return value
    if data is None:
        raise fail(owner, field, "be an array, or a column name together with data=", value)
    try:
        if isinstance(data, Mapping) or hasattr(data, "columns"):
            return data[value]
        return getattr(data, value)
    except (KeyError, AttributeError) as exc:
        raise fail(owner, field, "name a column of data", value) from exc


def check_rfm(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    owner: str,
    integer_recency: bool = False,
    frequency_le_recency: bool = False,
    age: str = "T",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate frequency, recency and age arrays of one customer base.

    Raises :class:`~shequn.exceptions.InvalidParameterError` for NaN or negative values,
    non-integer frequencies (or above 2**53, where floats stop being exact integers),
    mismatched lengths, empty input, recency > T, and a recency other than 0 for a customer
    without repeat purchases. A scalar ``T`` applies to every customer. The discrete-time BG/BB
    also needs whole-number recency and ``n`` and ``frequency <= recency`` (``x`` purchases
    fit in the first ``t_x`` opportunities); ``age`` is the name of the third argument in
    messages (``"n"`` for BG/BB).

    Examples
    --------
    >>> check_rfm([7], [6], [6], owner="BGBB.p_alive", integer_recency=True,
    ...           frequency_le_recency=True)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `BGBB.p_alive.frequency` must be <= recency \
(index 0, recency=6); got 7.0
    """
    x = check_array(frequency, owner=owner, field="frequency", nonnegative=True)
    tx = check_array(recency, owner=owner, field="recency", nonnegative=True)
    t = check_array(T, owner=owner, field=age, nonnegative=True)
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
        raise fail(owner, age, f"have the length of frequency ({x.size}) or be a scalar", t.shape)
    bad = np.flatnonzero((x != np.round(x)) | (x > _MAX_WHOLE))
    if bad.size:
        raise fail(owner, "frequency", f"hold whole numbers <= 2**53 (index {bad[0]})", x[bad[0]])
    if integer_recency:
        for name, arr in (("recency", tx), (age, t)):
            bad = np.flatnonzero((arr != np.round(arr)) | (arr > _MAX_WHOLE))
            if bad.size:
                raise fail(owner, name, f"hold whole numbers (index {bad[0]})", arr[bad[0]])
    bad = np.flatnonzero(tx > t)
    if bad.size:
        i = bad[0]
        raise fail(owner, "recency", f"be <= {age} (index {i}, {age}={t[i]:g})", tx[i])
    bad = np.flatnonzero((x == 0) & (tx > 0))
    if bad.size:
        i = bad[0]
        raise fail(owner, "recency", f"be 0 where frequency is 0 (index {i})", tx[i])
    if frequency_le_recency:
        bad = np.flatnonzero(x > tx)
        if bad.size:
            i = bad[0]
            raise fail(owner, "frequency", f"be <= recency (index {i}, recency={tx[i]:g})", x[i])
    return x, tx, t


def check_weights(weights: ArrayLike | None, n: int, *, owner: str) -> FloatArray:
    """Customers per row: whole numbers >= 0, one per row, not all zero (ones when ``None``).

    Examples
    --------
    >>> check_weights([2, 0, 1], 3, owner="BGNBD.fit").tolist()
    [2.0, 0.0, 1.0]
    """
    if weights is None:
        return np.ones(n)
    w = check_array(weights, owner=owner, field="weights", ndim=1, nonnegative=True)
    if w.size != n:
        raise fail(owner, "weights", f"have one entry per row ({n})", w.size)
    bad = np.flatnonzero((w != np.round(w)) | (w > _MAX_WHOLE))
    if bad.size:
        raise fail(owner, "weights", f"count customers: whole numbers (index {bad[0]})", w[bad[0]])
    if not np.any(w > 0):
        raise fail(owner, "weights", "include at least one customer (all zero)", 0)
    return w


def compress_rows(
    *columns: FloatArray, weights: FloatArray | None = None
) -> tuple[tuple[FloatArray, ...], FloatArray, NDArray[np.intp]]:
    """Merge identical rows: unique rows (in order of first appearance), their summed weights
    and the inverse index.

    Columns may be 1-D (one value per row) or 2-D (several values per row, such as a covariate
    matrix). Rows are grouped by a 64-bit hash of their bit patterns (one integer sort instead
    of a lexicographic sort over every column), and every group is then checked member by
    member, so a hash collision can never merge different rows (it falls back to a
    lexicographic sort). Rows of weight 0 are kept in the inverse index.

    Examples
    --------
    >>> (x, t), w, inv = compress_rows(np.array([2.0, 1.0, 2.0]), np.array([4.0, 3.0, 4.0]))
    >>> x.tolist(), w.tolist(), inv.tolist()
    ([2.0, 1.0], [2.0, 1.0], [0, 1, 0])
    """
    cols = [np.asarray(c, dtype=np.float64) for c in columns]
    n = cols[0].shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    flat: list[FloatArray] = []
    for c in cols:
        flat.extend([c] if c.ndim == 1 else [c[:, j] for j in range(c.shape[1])])
    h = np.full(n, 0xCBF29CE484222325, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in flat:
            h ^= np.ascontiguousarray(c + 0.0).view(np.uint64)  # + 0.0: -0.0 is 0.0
            h *= np.uint64(0x100000001B3)
            h ^= h >> np.uint64(29)
    order = np.argsort(h, kind="stable")
    hs = h[order]
    new = np.ones(n, dtype=bool)
    new[1:] = hs[1:] != hs[:-1]
    group_sorted = np.cumsum(new) - 1
    dup = np.flatnonzero(~new)  # sorted positions sharing the previous position's hash
    if dup.size:
        rep = order[np.flatnonzero(new)][group_sorted[dup]]  # the first row of their group
        same = all(np.array_equal(c[order[dup]], c[rep]) for c in flat)
    else:
        same = True
    if not same:
        order = np.lexsort(flat[::-1])  # a collision: exact grouping
        new[1:] = np.zeros(n - 1, dtype=bool) if n > 1 else new[1:]
        for c in flat:
            cs = c[order]
            new[1:] |= cs[1:] != cs[:-1]
        group_sorted = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    first = order[starts]  # earliest row of each group (stable sorts)
    rank = np.argsort(first, kind="stable")  # groups in order of first appearance
    relabel = np.empty(rank.size, dtype=np.intp)
    relabel[rank] = np.arange(rank.size)
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = relabel[group_sorted]
    counts = np.asarray(np.bincount(inverse, weights=w, minlength=rank.size), dtype=np.float64)
    if rank.size == n:  # nothing to merge: the rows themselves
        return tuple(np.ascontiguousarray(c) for c in cols), counts, inverse
    keep = first[rank]
    return tuple(np.ascontiguousarray(c[keep]) for c in cols), counts, inverse


# -- maximum likelihood ---------------------------------------------------------------------


Fused = Callable[[FloatArray], tuple[float, FloatArray]]
"""θ → (total negative log-likelihood, its gradient)."""

_ADVICE = (
    "try other starting values (initial=...), a small penalizer (e.g. penalizer=0.01), "
    "a different time unit (weeks instead of days) or check the data for outliers"
)


@attrs.frozen(kw_only=True)
class MLEResult:
    """Raw optimiser output (estimation scale θ)."""

    theta: FloatArray = attrs.field(eq=array_eq)
    log_likelihood: float
    covariance: FloatArray = attrs.field(eq=array_eq)
    iterations: int
    converged: bool
    message: str


def _hessian(
    grad: Callable[[FloatArray], FloatArray], theta: FloatArray, *, central: bool = True
) -> FloatArray:
    """Finite-difference Jacobian of ``grad`` at ``theta`` (symmetrised): central differences,
    or forward ones (half the gradient evaluations, relative error ~1e-5 instead of ~1e-8)."""
    k = theta.size
    h = np.empty((k, k))
    g0 = None if central else grad(theta)
    for i in range(k):
        step = (1e-4 if central else 1e-5) * max(1.0, abs(float(theta[i])))
        e = np.zeros(k)
        e[i] = step
        if g0 is None:
            h[i] = (grad(theta + e) - grad(theta - e)) / (2 * step)
        else:
            h[i] = (grad(theta + e) - g0) / step
    return np.asarray(0.5 * (h + h.T), dtype=np.float64)


def numerical_gradient(negll: Callable[[FloatArray], float]) -> Fused:
    """A fused (value, gradient) function from a likelihood alone, by central differences."""

    def fused(theta: FloatArray) -> tuple[float, FloatArray]:
        v = negll(theta)
        g = np.empty(theta.size)
        for i in range(theta.size):
            step = 1e-6 * max(1.0, abs(float(theta[i])))
            e = np.zeros(theta.size)
            e[i] = step
            g[i] = (negll(theta + e) - negll(theta - e)) / (2 * step)
        return v, g

    return fused


def maximise(
    fused: Fused,
    x0: FloatArray,
    *,
    owner: str,
    n: float,
    penalty: FloatArray,
    names: Sequence[str],
    max_se: float = 20.0,
    central: bool = True,
    hess_inv0: FloatArray | None = None,
) -> MLEResult:
    """Minimise the penalised mean negative log-likelihood over θ (BFGS).

    ``fused(theta)`` returns the *total* negative log-likelihood (weights applied) and its
    gradient. ``penalty[k]`` is the L2 weight of ``θ_k`` on the mean objective. Raises
    :class:`ConvergenceError` with advice when the optimiser fails, when a parameter runs off
    (|θ| > 30), when the observed information is singular, and when a parameter is not
    identified by the data (standard error above ``max_se`` on the estimation scale: a 95%
    interval wider than a factor e^78 for a log-parameter). ``central=False`` takes the
    observed information from forward differences (for large data, where each gradient is
    expensive). ``hess_inv0`` starts BFGS with that inverse Hessian of the mean objective
    (from a pilot fit), so a good start also converges in a few iterations.
    """
    pen = np.asarray(penalty, dtype=np.float64)

    def obj_grad(theta: FloatArray) -> tuple[float, FloatArray]:
        with np.errstate(all="ignore"):
            v, g = fused(theta)
            v = v / n + float(pen @ (theta * theta))
            g = g / n + 2 * pen * theta
        if not math.isfinite(v):
            return 1e300, np.zeros_like(theta)
        return v, np.where(np.isfinite(g), g, 0.0)

    opts: dict[str, Any] = {"gtol": 1e-7, "maxiter": 2000}
    if hess_inv0 is not None:
        opts["hess_inv0"] = hess_inv0
    res = optimize.minimize(obj_grad, x0, jac=True, method="BFGS", options=opts)
    theta = np.asarray(res.x, dtype=np.float64)
    with np.errstate(all="ignore"):
        value, _ = fused(theta)
    ll = -float(value)
    if not math.isfinite(ll) or not np.all(np.isfinite(theta)):
        raise ConvergenceError(
            f"{owner}: the likelihood is not finite at the optimiser's end point "
            f"({res.message}); {_ADVICE}"
        )
    if np.any(np.abs(theta) > 30):
        i = int(np.argmax(np.abs(theta)))
        raise ConvergenceError(
            f"{owner}: parameter {names[i]} ran off (estimation-scale value {theta[i]:.3g}; "
            f"the likelihood has no interior maximum for these data); {_ADVICE}"
        )
    gnorm = float(np.max(np.abs(obj_grad(theta)[1]))) if theta.size else 0.0
    converged = bool(res.success) or gnorm < 1e-4
    if not converged:
        raise ConvergenceError(
            f"{owner}: the optimiser stopped without converging ({res.message}; "
            f"gradient {gnorm:.2g}); {_ADVICE}"
        )

    def pen_grad(t: FloatArray) -> FloatArray:
        with np.errstate(all="ignore"):
            return fused(t)[1] + 2 * pen * n * t

    hess = _hessian(pen_grad, theta, central=central) if theta.size else np.zeros((0, 0))
    finite = bool(np.all(np.isfinite(hess)))
    eig = np.linalg.eigvalsh(hess) if finite and theta.size else np.array([1.0])
    if not finite or not np.all(eig > 1e-10 * max(1.0, float(np.max(np.abs(eig))))):
        weak = names[int(np.argmin(np.abs(np.diag(hess))))] if finite and theta.size else "?"
        raise ConvergenceError(
            f"{owner}: the optimiser stopped where the log-likelihood is flat or not at a "
            f"maximum (the observed information is singular; {weak} is least determined), so "
            f"the estimate is not identified by these data; {_ADVICE}"
        )
    cov = np.asarray(np.linalg.inv(hess), dtype=np.float64)
    se = np.sqrt(np.diag(cov))
    if np.any(se > max_se):
        i = int(np.argmax(se))
        raise ConvergenceError(
            f"{owner}: {names[i]} is not identified by these data (standard error {se[i]:.3g} "
            f"on the estimation scale: the data barely inform it, typically too few customers "
            f"or too few repeat purchases); {_ADVICE}"
        )
    return MLEResult(
        theta=theta,
        log_likelihood=ll,
        covariance=cov,
        iterations=int(res.nit),
        converged=converged,
        message=str(res.message),
    )


def blocks(n: int) -> list[slice]:
    """Fixed row blocks of :data:`CHUNK_ROWS` (the same whatever the executor)."""
    return [slice(i, min(i + CHUNK_ROWS, n)) for i in range(0, max(n, 1), CHUNK_ROWS)]


def summed(
    fn: Callable[[slice], tuple[float, FloatArray]], n: int, executor: Executor | None
) -> tuple[float, FloatArray]:
    """Sum ``fn(block)`` over the fixed row blocks, in order, serially or on ``executor``.

    The blocks and the order of addition do not depend on the executor, so the result is
    identical (bit for bit) whether it runs serially or in threads.
    """
    parts = blocks(n)
    if executor is None or len(parts) == 1:
        out = [fn(b) for b in parts]
    else:
        out = list(executor.map(fn, parts))
    value = 0.0
    grad = np.zeros_like(out[0][1])
    for v, g in out:
        value += v
        grad += g
    return value, grad


def to_theta(value: float, scale: str) -> float:
    """A parameter value on its estimation scale (``log``, ``log1`` = log(v − 1), ``linear``)."""
    if scale == "log":
        return math.log(value)
    if scale == "log1":
        return math.log(value - 1.0)
    return value


def from_theta(theta: float, scale: str) -> float:
    """The inverse of :func:`to_theta`."""
    if scale == "log":
        return math.exp(theta)
    if scale == "log1":
        return 1.0 + math.exp(theta)
    return theta


_RULE = {"log": ("be > 0 and finite", 0.0), "log1": ("be > 1 and finite", 1.0)}


def initial_theta(
    initial: Mapping[str, float] | None,
    default: Mapping[str, float],
    names: Sequence[str],
    scales: Sequence[str],
    owner: str,
) -> FloatArray:
    """Starting point θ from user values (validated) or defaults, in the order of ``names``."""
    start = dict(default)
    if initial is not None:
        if not isinstance(initial, Mapping):
            raise fail(owner, "initial", "be a mapping of parameter names to values", initial)
        for k, v in initial.items():
            if k not in names:
                raise fail(owner, "initial", f"use parameter names {list(names)}", k)
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            rule, low = _RULE.get(scales[list(names).index(k)], ("be finite", -math.inf))
            if not ok or v <= low:
                raise fail(owner, f"initial[{k!r}]", rule, v)
            start[k] = float(v)
    return np.array(
        [to_theta(start[k], sc) for k, sc in zip(names, scales, strict=True)], dtype=np.float64
    )


def penalty_vector(
    names: Sequence[str],
    scales: Sequence[str],
    penalizer: float,
    owner: str,
    regularization: Mapping[str, float] | None = None,
) -> FloatArray:
    """Per-θ L2 weights: ``penalizer`` on log-parameters, ``regularization`` on coefficients."""
    pen = check_nonnegative(penalizer, owner=owner, field="penalizer")
    reg = {"trans": 0.0, "life": 0.0}
    if regularization is not None:
        if not isinstance(regularization, Mapping):
            raise fail(
                owner,
                "regularization",
                "be a mapping like {'trans': 0.1, 'life': 0.1}",
                regularization,
            )
        for k, v in regularization.items():
            if k not in reg:
                raise fail(owner, "regularization", "use the keys 'trans' and 'life'", k)
            reg[k] = check_in_range(v, owner=owner, field=f"regularization[{k!r}]", low=0.0)
    out = []
    for name, sc in zip(names, scales, strict=True):
        if sc != "linear":
            out.append(pen)
        elif name.startswith("trans."):
            out.append(reg["trans"])
        elif name.startswith("life."):
            out.append(reg["life"])
        else:  # constr.
            out.append(reg["trans"] + reg["life"])
    return np.array(out, dtype=np.float64)


# -- results --------------------------------------------------------------------------------


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


class _Model(Protocol):
    @property
    def params(self) -> dict[str, float]: ...

    def to_dict(self) -> dict[str, Any]: ...


M = TypeVar("M", bound=_Model)

_REGISTRY: dict[str, Any] = {}


def register_model(cls: type[Any]) -> type[Any]:
    """Class decorator: make a model class loadable from JSON by its name."""
    _REGISTRY[cls.__name__] = cls
    return cls


def sample_ages(T: ArrayLike, n: int, *, owner: str) -> FloatArray:
    """The ages ``T`` of ``n`` customers to simulate (a scalar or one per customer), after
    checking that the simulation's arrays (about a dozen floats per customer) fit in memory.

    Examples
    --------
    >>> sample_ages(39.0, 3, owner="BGNBD.sample").tolist()
    [39.0, 39.0, 39.0]
    >>> sample_ages([[39.0]], 1, owner="BGNBD.sample")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `BGNBD.sample.T` must be a scalar or hold one age \
per customer (1); got (1, 1)
    """
    t = check_array(T, owner=owner, field="T", nonnegative=True)
    if t.ndim > 1 or (t.ndim == 1 and t.size not in (1, n)):
        raise fail(owner, "T", f"be a scalar or hold one age per customer ({n})", t.shape)
    check_memory(96.0 * n, owner=owner, field="n_customers", value=n)
    return np.broadcast_to(t, (n,)).astype(np.float64)


def summary_columns(summary: Any, names: Sequence[str], *, owner: str) -> list[Any]:
    """The columns ``names`` of an RFM summary (any object with those attributes), checked.

    Examples
    --------
    >>> summary_columns("abc", ["frequency", "recency", "T"], owner="BGNBD.fit_summary")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `BGNBD.fit_summary.summary` must have the \
attributes frequency, recency, T (an RFMSummary); got 'abc'
    """
    if not all(hasattr(summary, n) for n in names):
        raise fail(
            owner, "summary", f"have the attributes {', '.join(names)} (an RFMSummary)", summary
        )
    return [getattr(summary, n) for n in names]


def params_from_dict(d: Any, names: Sequence[str], *, owner: str) -> dict[str, Any]:
    """The ``params`` of a model's ``to_dict()`` output: a mapping with exactly ``names``.

    Examples
    --------
    >>> params_from_dict({"params": {"p": 1.0}}, ["p"], owner="GammaGamma.from_dict")
    {'p': 1.0}
    >>> params_from_dict({}, ["p"], owner="GammaGamma.from_dict")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `GammaGamma.from_dict.d` must be a mapping with a \
'params' mapping of ['p'] (to_dict() output); got {}
    """
    params = d.get("params") if isinstance(d, Mapping) else None
    if not isinstance(params, Mapping) or sorted(map(str, params)) != sorted(names):
        rule = f"be a mapping with a 'params' mapping of {list(names)} (to_dict() output)"
        raise fail(owner, "d", rule, d)
    return dict(params)


def model_from_dict(d: Mapping[str, Any]) -> Any:
    """Rebuild a model from :meth:`to_dict` output (registered classes only, never code)."""
    kind = d.get("type") if isinstance(d, Mapping) else None
    if kind not in _REGISTRY:
        raise fail("load_fit", "model.type", f"be one of {sorted(_REGISTRY)}", kind)
    return _REGISTRY[kind].from_dict(d)


@attrs.frozen(kw_only=True)
class LikelihoodRatioTest(ResultMixin):
    """A likelihood-ratio test of nested models.

    Attributes
    ----------
    statistic
        ``2 (ℓ_full − ℓ_restricted)``.
    df
        Number of restrictions (parameters dropped).
    p_value
        Upper tail of the χ²(df) distribution at ``statistic``.
    full, restricted
        Names of the two models.
    """

    statistic: float
    df: int
    p_value: float
    full: str
    restricted: str

    def summary(self) -> Summary:
        """Statistic, degrees of freedom and p-value.

        Examples
        --------
        >>> t = LikelihoodRatioTest(statistic=3.84, df=1, p_value=0.05, full="a", restricted="b")
        >>> t.summary()["df"]
        1
        """
        return Summary(
            title=f"Likelihood-ratio test: {self.full} against {self.restricted}",
            headline={"statistic": self.statistic, "df": self.df, "p-value": self.p_value},
            notes=("χ² reference distribution (regular nested models, unpenalised fits).",),
        )


@attrs.frozen(kw_only=True)
class CustomerBaseFit(ResultMixin, Generic[M]):
    """A fitted customer-base model with its uncertainty and diagnostics.

    Attributes
    ----------
    model
        The model at the maximum-likelihood estimate (use it for predictions).
    covariance
        Covariance of the estimation-scale parameters θ (inverse observed information): the
        logarithms of positive parameters and covariate coefficients as they are.
    scales
        For each parameter (in ``params`` order), its estimation scale: ``"log"`` (θ = log v),
        ``"log1"`` (θ = log(v − 1), for a parameter constrained above 1) or ``"linear"``.
    log_likelihood
        Maximised (unpenalised) log-likelihood, summed over customers.
    n_customers
        Number of customers the model was fitted to (the sum of the weights).
    n_rows
        Distinct rows after merging customers with identical statistics.
    penalizer
        The L2 penalty on the log-parameters (0 = plain maximum likelihood).
    regularization
        The L2 penalties on the covariate coefficients (``{"trans": λ, "life": λ}``).
    iterations, converged, message
        Optimiser diagnostics.
    null
        For a covariate model: the same model without covariates fitted to the same customers
        (the restricted model of :meth:`lr_test`).
    """

    model: M
    covariance: FloatArray = attrs.field(eq=array_eq)
    scales: tuple[str, ...] = attrs.field(converter=_names)
    log_likelihood: float
    n_customers: int
    n_rows: int
    penalizer: float = 0.0
    regularization: dict[str, float] = attrs.field(factory=dict)
    iterations: int = 0
    converged: bool = True
    message: str = ""
    null: CustomerBaseFit[Any] | None = None

    @property
    def params(self) -> dict[str, float]:
        """Parameter estimates by name (covariate coefficients as ``trans.x``, ``life.x``,
        ``constr.x``)."""
        return self.model.params

    @property
    def covariance_log(self) -> FloatArray:
        """Deprecated: use :attr:`covariance` (the same matrix)."""
        warnings.warn(
            "CustomerBaseFit.covariance_log is deprecated: use CustomerBaseFit.covariance",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        return self.covariance

    @property
    def standard_errors(self) -> dict[str, float]:
        """Standard errors on the natural scale (delta method for log-scale parameters).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
        >>> se = BGNBD.fit(data=load_cdnow_sample().rfm()).standard_errors
        >>> round(se["r"], 3)
        0.013
        """
        se = np.sqrt(np.diag(self.covariance))
        out = {}
        for (k, v), s, sc in zip(self.params.items(), se, self.scales, strict=True):
            out[k] = float(v * s if sc == "log" else (v - 1.0) * s if sc == "log1" else s)
        return out

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Wald intervals ``{name: (lower, upper)}`` on the estimation scale (positive
        parameters get intervals built on the log scale, so they stay positive).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
        >>> fit = BGNBD.fit(data=load_cdnow_sample().rfm())
        >>> lo, hi = fit.conf_int()["r"]
        >>> bool(lo < fit.params["r"] < hi)
        True
        """
        lvl = check_level(level, owner="CustomerBaseFit.conf_int")
        z = float(stats.norm.ppf(0.5 + lvl / 2))
        se = np.sqrt(np.diag(self.covariance))
        out: Intervals = {}
        for (k, v), s, sc in zip(self.params.items(), se, self.scales, strict=True):
            if sc == "log":
                out[k] = (float(v * math.exp(-z * s)), float(v * math.exp(z * s)))
            elif sc == "log1":
                d = v - 1.0
                out[k] = (float(1.0 + d * math.exp(-z * s)), float(1.0 + d * math.exp(z * s)))
            else:
                out[k] = (float(v - z * s), float(v + z * s))
        return out

    def confidence_intervals(self, level: float = 0.95) -> Intervals:
        """Deprecated: use :meth:`conf_int` (same result)."""
        warnings.warn(
            "CustomerBaseFit.confidence_intervals is deprecated: use CustomerBaseFit.conf_int",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        return self.conf_int(level)

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2k − 2ℓ``."""
        return 2 * len(self.params) - 2 * self.log_likelihood

    @property
    def bic(self) -> float:
        """Bayesian information criterion, ``k log n − 2ℓ`` (n = customers)."""
        return len(self.params) * math.log(max(self.n_customers, 1)) - 2 * self.log_likelihood

    def lr_test(self, restricted: CustomerBaseFit[Any] | None = None) -> LikelihoodRatioTest:
        """Likelihood-ratio test against a nested fit (default: the model without covariates).

        Refused (:class:`~shequn.exceptions.InvalidParameterError`) for penalised fits, whose
        log-likelihoods are not maximised ones, and for a ``restricted`` fit with as many
        parameters or a higher log-likelihood than this one.

        Examples
        --------
        >>> import numpy as np
        >>> from shequn.loyalty.customer_base import BGNBD
        >>> member = np.random.default_rng(0).integers(0, 2, 3000).astype(float)
        >>> truth = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5).with_covariates(trans={"member": 0.7})
        >>> x, tx, T = truth.sample(39.0, covariates={"member": member}, rng=1)
        >>> fit = BGNBD.fit(x, tx, T, trans={"member": member})
        >>> test = fit.lr_test()
        >>> test.df, bool(test.p_value < 1e-6)
        (1, True)
        """
        owner = "CustomerBaseFit.lr_test"
        if restricted is not None:
            check_instance(restricted, CustomerBaseFit, owner=owner, field="restricted")
        other = self.null if restricted is None else restricted
        if other is None:
            raise fail(
                owner,
                "restricted",
                "be given for a fit without covariates (or whose model without covariates did "
                "not converge on these data)",
                None,
            )
        if (
            self.penalizer
            or any(self.regularization.values())
            or other.penalizer
            or any(other.regularization.values())
        ):
            raise fail(
                owner, "self", "be unpenalised (penalizer=0, no regularization)", "penalised"
            )
        df = len(self.params) - len(other.params)
        if df <= 0:
            raise fail(
                owner, "restricted", "have fewer parameters than this fit", len(other.params)
            )
        if other.n_customers != self.n_customers:
            raise fail(
                owner,
                "restricted",
                f"be fitted to the same {self.n_customers} customers",
                other.n_customers,
            )
        stat = 2.0 * (self.log_likelihood - other.log_likelihood)
        if stat < -1e-6 * max(1.0, abs(self.log_likelihood)):
            raise fail(
                owner,
                "restricted",
                "be nested in this fit (its log-likelihood is higher)",
                other.log_likelihood,
            )
        stat = max(stat, 0.0)
        return LikelihoodRatioTest(
            statistic=float(stat),
            df=int(df),
            p_value=float(stats.chi2.sf(stat, df)),
            full=_name(self.model),
            restricted=_name(other.model),
        )

    def summary(self) -> Summary:
        """Headline values and a table of estimates, standard errors and 95% intervals.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
        >>> print(BGNBD.fit(data=load_cdnow_sample().rfm()).summary())  # doctest: +ELLIPSIS
        BGNBD fit: 2,357 customers (1,016 distinct rows)
          log-likelihood  -9,582
        ...
             estimate       se  lower 95%  upper 95%
          r    0.2426  0.01256     0.2192     0.2685
        ...
        """
        ci = self.conf_int()
        se = self.standard_errors
        rows = {k: (v, se[k], ci[k][0], ci[k][1]) for k, v in self.params.items()}
        head: dict[str, Any] = {
            "log-likelihood": self.log_likelihood,
            "AIC": self.aic,
            "BIC": self.bic,
            "customers": self.n_customers,
            "iterations": self.iterations,
            "converged": self.converged,
        }
        notes = ["Intervals: Wald, on the log scale for positive parameters."]
        if self.penalizer:
            head["penalizer"] = self.penalizer
        if any(self.regularization.values()):
            head["regularization"] = dict(self.regularization)
        if self.penalizer or any(self.regularization.values()):
            notes.append("Penalised fit: estimates and standard errors are biased toward 0.")
        if self.null is not None and not (self.penalizer or any(self.regularization.values())):
            t = self.lr_test()
            head["LR test vs no covariates"] = f"χ²({t.df}) = {format_value(t.statistic)}, " + (
                f"p = {format_value(t.p_value)}"
            )
        return Summary(
            title=f"{_name(self.model)} fit: {format_value(self.n_customers)} customers "
            f"({format_value(self.n_rows)} distinct rows)",
            headline=head,
            table=Table(columns=("estimate", "se", "lower 95%", "upper 95%"), rows=rows),
            notes=tuple(notes),
        )

    def to_frame(self) -> Any:
        """Estimates, standard errors and 95% intervals as a pandas DataFrame (needs pandas).

        Examples
        --------
        >>> _ = __import__("pytest").importorskip("pandas")
        >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
        >>> BGNBD.fit(data=load_cdnow_sample().rfm()).to_frame().columns.tolist()
        ['estimate', 'se', 'lower_95', 'upper_95']
        """
        pd = optional_import("pandas", extra="pandas")
        ci = self.conf_int()
        se = self.standard_errors
        return pd.DataFrame(
            {
                "estimate": self.params,
                "se": se,
                "lower_95": {k: v[0] for k, v in ci.items()},
                "upper_95": {k: v[1] for k, v in ci.items()},
            }
        )

    def __repr__(self) -> str:
        ps = ", ".join(f"{k}={format_value(v)}" for k, v in self.params.items())
        return (
            f"CustomerBaseFit({_name(self.model)}: {ps}; log_likelihood="
            f"{format_value(self.log_likelihood)}, n_customers={self.n_customers})"
        )

    # -- persistence (JSON, never pickle) ------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of everything in the fit."""
        return {
            "format": "shequn.CustomerBaseFit",
            "version": 1,
            "model": self.model.to_dict(),
            "covariance": self.covariance.tolist(),
            "scales": list(self.scales),
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
            "n_rows": self.n_rows,
            "penalizer": self.penalizer,
            "regularization": dict(self.regularization),
            "iterations": self.iterations,
            "converged": self.converged,
            "message": self.message,
            "null": None if self.null is None else self.null.to_dict(),
        }

    def to_json(self) -> str:
        """The fit as a JSON string (:func:`load_fit` reads it back).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
        >>> fit = BGNBD.fit(data=load_cdnow_sample().rfm())
        >>> CustomerBaseFit.from_json(fit.to_json()) == fit
        True
        """
        return json.dumps(self.to_dict(), allow_nan=False)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fit to ``path`` as JSON (never pickle: loading runs no code)."""
        path = check_path(path, owner="CustomerBaseFit.save")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CustomerBaseFit[Any]:
        """Rebuild a fit from :meth:`to_dict` output."""
        return cls._read(d, owner="CustomerBaseFit.from_dict", field="d", shown=type(d).__name__)

    @classmethod
    def _read(cls, d: Any, *, owner: str, field: str, shown: object) -> CustomerBaseFit[Any]:
        """Rebuild a fit from parsed ``d``; errors name ``owner.field`` (what the user passed)."""
        if not isinstance(d, Mapping) or d.get("format") != "shequn.CustomerBaseFit":
            raise fail(
                owner,
                field,
                "hold a fit written by CustomerBaseFit.to_dict (format 'shequn.CustomerBaseFit')",
                shown,
            )
        try:
            return cls(
                model=model_from_dict(d["model"]),
                covariance=np.asarray(d["covariance"], dtype=np.float64).reshape(
                    len(d["scales"]), len(d["scales"])
                ),
                scales=tuple(str(v) for v in d["scales"]),
                log_likelihood=float(d["log_likelihood"]),
                n_customers=int(d["n_customers"]),
                n_rows=int(d["n_rows"]),
                penalizer=float(d["penalizer"]),
                regularization={str(k): float(v) for k, v in d["regularization"].items()},
                iterations=int(d["iterations"]),
                converged=bool(d["converged"]),
                message=str(d["message"]),
                null=None
                if d.get("null") is None
                else cls._read(d["null"], owner=owner, field=field, shown=shown),
            )
        except InvalidParameterError as exc:
            raise fail(owner, field, f"hold a valid saved fit ({exc})", shown) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise fail(owner, field, f"hold every field of a saved fit ({exc!r})", shown) from exc

    @classmethod
    def from_json(cls, text: str) -> CustomerBaseFit[Any]:
        """Rebuild a fit from :meth:`to_json` output."""
        return cls._parse(text, owner="CustomerBaseFit.from_json", field="text", shown=text)

    @classmethod
    def _parse(cls, text: Any, *, owner: str, field: str, shown: object) -> CustomerBaseFit[Any]:
        if isinstance(shown, str) and len(shown) > 40:
            shown = shown[:40] + "..."
        try:
            d = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise fail(owner, field, "hold JSON written by CustomerBaseFit.to_json", shown) from exc
        return cls._read(d, owner=owner, field=field, shown=shown)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CustomerBaseFit[Any]:
        """Read a fit written by :meth:`save`."""
        return cls._load(path, owner="CustomerBaseFit.load")

    @classmethod
    def _load(cls, path: Any, *, owner: str) -> CustomerBaseFit[Any]:
        name = check_path(path, owner=owner, exists=True)
        try:
            with open(name, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(owner, "path", f"be a readable UTF-8 text file ({exc})", name) from exc
        return cls._parse(text, owner=owner, field="path", shown=name)


def load_fit(path: str | os.PathLike[str]) -> CustomerBaseFit[Any]:
    """Read a fitted model saved with :meth:`CustomerBaseFit.save` (JSON; runs no code).

    Examples
    --------
    >>> import os, tempfile
    >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
    >>> fit = BGNBD.fit(data=load_cdnow_sample().rfm())
    >>> path = os.path.join(tempfile.mkdtemp(), "bgnbd.json")
    >>> fit.save(path)
    >>> load_fit(path).params == fit.params
    True
    """
    return CustomerBaseFit._load(path, owner="load_fit")


def _name(model: Any) -> str:
    return str(getattr(model, "display_name", type(model).__name__))


def build_fit(
    model: M,
    res: MLEResult,
    *,
    scales: Iterable[str],
    n_customers: float,
    n_rows: int,
    penalizer: float,
    regularization: Mapping[str, float] | None = None,
    null: CustomerBaseFit[Any] | None = None,
) -> CustomerBaseFit[M]:
    """The :class:`CustomerBaseFit` of ``model`` at the optimum ``res``."""
    return CustomerBaseFit(
        model=model,
        covariance=res.covariance,
        scales=tuple(scales),
        log_likelihood=res.log_likelihood,
        n_customers=round(n_customers),
        n_rows=int(n_rows),
        penalizer=float(penalizer),
        regularization={k: float(v) for k, v in (regularization or {}).items()},
        iterations=res.iterations,
        converged=res.converged,
        message=res.message,
        null=null,
    )
