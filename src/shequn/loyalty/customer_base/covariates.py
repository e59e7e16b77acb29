"""Covariates in the BG/NBD and the Pareto/NBD, in CLVTools' parametrisation.

Time-invariant covariates act on the scale parameters of each process:

* Pareto/NBD: ``alpha_i = alpha·exp(−γ_trans·x_i)``, ``beta_i = beta·exp(−γ_life·z_i)``;
* BG/NBD: ``alpha_i = alpha·exp(−γ_trans·x_i)``, ``a_i = a·exp(γ_life·z_i)``,
  ``b_i = b·exp(γ_life·z_i)``.

So a positive transaction coefficient raises the mean purchase rate ``r/alpha_i`` by the
factor ``exp(γ_trans·x_i)``; a positive Pareto/NBD lifetime coefficient raises the drop-out
rate (``s/beta_i``), and the BG/NBD's lifetime covariates rescale a and b together (the mean
drop-out probability a/(a+b) stays, its spread across customers changes). Each process may
have its own covariates; names listed in ``constrain`` share one coefficient (``constr.x``)
between the processes; ``regularization`` adds CLVTools' L2 penalty on the coefficients.

Per customer the model is the no-covariate model at her own parameters, so every prediction
(P(alive), conditional expected transactions, expected transactions of a new customer,
P(X(t) = n), CLV, simulation) takes ``covariates=`` (a mapping or DataFrame holding the
covariates by name) and works customer by customer. :meth:`~_CovariateModel.for_customer`
returns the plain model of one customer profile, for matrices, tracking curves and plots.

Estimation (``BGNBD.fit(..., trans=..., life=...)``, ``ParetoNBD.fit(...)``): maximum
likelihood with analytic gradients (chain rule through the per-customer parameters), started
at the fit without covariates (kept as ``fit.null`` for the likelihood-ratio test); coefficient
columns are scaled by their root mean square inside the optimiser and the result is reported
on the user's scale. A covariate that is constant, or collinear with the others, is refused
(its coefficient would not be identified).

Time-varying covariates of the Pareto/NBD (Bachmann, Meierer & Näf 2021) live in
:mod:`~shequn.loyalty.customer_base.time_varying`; passing a
:class:`~shequn.loyalty.customer_base.time_varying.CovariatePanel` as ``covariates`` selects
them.

Examples
--------
>>> import numpy as np
>>> from shequn.loyalty.customer_base import ParetoNBD
>>> gen = np.random.default_rng(0)
>>> member = gen.integers(0, 2, 4000).astype(float)
>>> truth = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0).with_covariates(
...     trans={"member": 0.5}, life={"member": -0.8})
>>> x, tx, T = truth.sample(52.0, covariates={"member": member}, rng=1)
>>> fit = ParetoNBD.fit(x, tx, T, trans={"member": member}, life={"member": member})
>>> lo, hi = fit.conf_int()["trans.member"]
>>> bool(lo < 0.5 < hi)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, ClassVar, TypeAlias

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from shequn._typing import FloatArray, IntArray
from shequn._validation import check_array, check_nonnegative, fail
from shequn.exceptions import ConvergenceError
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    blocks,
    build_fit,
    check_rfm,
    check_weights,
    column,
    compress_rows,
    initial_theta,
    maximise,
    penalty_vector,
    register_model,
    summed,
)
from shequn.loyalty.customer_base._kernels import bg_block
from shequn.loyalty.customer_base.bgnbd import (
    BGNBD,
    ModifiedBGNBD,
    RowIndex,
    bg_conditional,
    bg_conditional_pmf,
    bg_expected,
    bg_log_likelihood,
    bg_p_alive,
    bg_pmf,
    bg_sample,
)
from shequn.loyalty.customer_base.pareto_nbd import (
    ParetoNBD,
    pn_conditional,
    pn_conditional_pmf,
    pn_expected,
    pn_log_likelihood,
    pn_p_alive,
    pn_pmf,
    pn_rows,
    pn_sample,
)
from shequn.rng import RNGLike, resolve_rng

__all__ = ["BGNBDCovariates", "CovariateData", "ParetoNBDCovariates", "coefficients", "objective"]

CovariateData: TypeAlias = Any
"""Covariates by name: a mapping ``{name: values}``, a pandas DataFrame, or a
:class:`~shequn.loyalty.customer_base.time_varying.CovariatePanel` (time-varying)."""


def _is_panel(obj: Any) -> bool:
    return type(obj).__name__ == "CovariatePanel"


def coefficients(
    trans: Mapping[str, float] | None,
    life: Mapping[str, float] | None,
    constrained: Sequence[str],
    *,
    owner: str,
) -> tuple[dict[str, float], dict[str, float], tuple[str, ...]]:
    """Validated coefficient mappings; constrained names end up in both with one value.

    Examples
    --------
    >>> coefficients({"m": 0.5}, None, ["m"], owner="f")
    ({'m': 0.5}, {'m': 0.5}, ('m',))
    """
    for field, given in (("trans", trans), ("life", life)):
        if given is not None and not isinstance(given, Mapping):
            raise fail(owner, field, "be a mapping of covariate names to coefficients", given)
    t = dict(trans or {})
    lf = dict(life or {})
    for field, d in (("trans", t), ("life", lf)):
        for k, v in d.items():
            if not isinstance(k, str) or not k:
                raise fail(owner, field, "use non-empty string names", k)
            if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                raise fail(owner, f"{field}[{k!r}]", "be a finite number", v)
            d[k] = float(v)
    if isinstance(constrained, str):
        raise fail(owner, "constrained", "be a list of names", constrained)
    cons = tuple(dict.fromkeys(constrained))
    for k in cons:
        if k not in t and k not in lf:
            raise fail(owner, "constrained", "name covariates given in trans or life", k)
        if k in t and k in lf and t[k] != lf[k]:
            raise fail(
                owner, f"life[{k!r}]", f"equal trans[{k!r}] for a constrained covariate", lf[k]
            )
        shared = t[k] if k in t else lf[k]
        t[k] = lf[k] = shared
    return t, lf, cons


def design(covariates: Any, names: Sequence[str], n: int, *, owner: str) -> FloatArray:
    """The (n, k) matrix of the named covariates (one row per customer).

    Examples
    --------
    >>> design({"a": [1, 2], "b": [0, 1]}, ["b", "a"], 2, owner="f").tolist()
    [[0.0, 1.0], [1.0, 2.0]]
    """
    out = np.empty((n, len(names)))
    for j, name in enumerate(names):
        if covariates is None:
            raise fail(owner, "covariates", f"hold the covariate {name!r}", None)
        try:
            col = covariates[name]
        except (KeyError, TypeError, IndexError) as exc:
            raise fail(
                owner, "covariates", f"hold the covariate {name!r}", type(covariates).__name__
            ) from exc
        v = check_array(np.asarray(col), owner=owner, field=f"covariates[{name!r}]")
        v = np.broadcast_to(v, (n,)) if v.ndim == 0 else v
        if v.shape != (n,):
            raise fail(
                owner, f"covariates[{name!r}]", f"have one value per customer ({n})", v.shape
            )
        out[:, j] = v
    return out


# -- the covariate models -----------------------------------------------------------------------


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


class _CovariateModel:
    """Shared behaviour of the covariate models (subclasses are frozen attrs classes)."""

    base: Any
    trans: dict[str, float]
    life: dict[str, float]
    constrained: tuple[str, ...]

    _trans_scaled: ClassVar[dict[str, float]]
    _life_scaled: ClassVar[dict[str, float]]

    @property
    def display_name(self) -> str:
        """Model name used in summaries."""
        return f"{type(self.base).__name__} with covariates"

    @property
    def coefficient_names(self) -> tuple[str, ...]:
        """Coefficient names as in ``params``: ``trans.x``, ``life.z``, ``constr.m``."""
        out = [f"trans.{k}" for k in self.trans if k not in self.constrained]
        out += [f"life.{k}" for k in self.life if k not in self.constrained]
        out += [f"constr.{k}" for k in self.constrained]
        return tuple(out)

    @property
    def covariate_names(self) -> tuple[str, ...]:
        """Every covariate the model reads."""
        return tuple(dict.fromkeys([*self.trans, *self.life]))

    @property
    def params(self) -> dict[str, float]:
        """Base parameters, then the coefficients."""
        out = dict(self.base.params)
        for k in self.coefficient_names:
            kind, name = k.split(".", 1)
            out[k] = self.life[name] if kind == "life" else self.trans[name]
        return out

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict."""
        return {
            "type": type(self).__name__,
            "base": self.base.to_dict(),
            "trans": dict(self.trans),
            "life": dict(self.life),
            "constrained": list(self.constrained),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Any:
        """Rebuild from :meth:`to_dict` output."""
        from shequn.loyalty.customer_base._common import model_from_dict

        return cls(  # type: ignore[call-arg]
            base=model_from_dict(d["base"]),
            trans={str(k): float(v) for k, v in d["trans"].items()},
            life={str(k): float(v) for k, v in d["life"].items()},
            constrained=tuple(d["constrained"]),
        )

    def _owner(self, method: str) -> str:
        return f"{type(self).__name__}.{method}"

    def customer_params(self, covariates: CovariateData, n: int | None = None) -> dict[str, Any]:
        """Each customer's parameters (arrays, one entry per customer) from her covariates.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD
        >>> m = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5).with_covariates(trans={"member": 0.7})
        >>> m.customer_params({"member": [0.0, 1.0]})["alpha"].round(3).tolist()
        [5.0, 2.483]
        """
        owner = self._owner("customer_params")
        if _is_panel(covariates):
            raise fail(
                owner,
                "covariates",
                "be static (a panel's parameters vary over time)",
                "CovariatePanel",
            )
        if n is None:
            cov_names = self.covariate_names
            if not cov_names:
                raise fail(owner, "n", "be given for a model without covariates", None)
            first = np.asarray(covariates[cov_names[0]]) if covariates is not None else None
            n = 1 if first is None or first.ndim == 0 else int(first.shape[0])
        out: dict[str, Any] = dict(self.base.params)
        for coefs, scaled in ((self.trans, self._trans_scaled), (self.life, self._life_scaled)):
            names = list(coefs)
            if not names:
                continue
            X = design(covariates, names, n, owner=owner)
            eta = X @ np.array([coefs[k] for k in names])
            for pname, sign in scaled.items():
                out[pname] = out[pname] * np.exp(sign * eta)
        for pname in self.base.params:
            if np.ndim(out[pname]) == 0:
                out[pname] = np.full(n, float(out[pname]))
        return out

    def for_customer(self, covariates: Mapping[str, float]) -> Any:
        """The plain model (no covariates) of one customer profile.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD
        >>> m = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5).with_covariates(trans={"member": 0.7})
        >>> round(m.for_customer({"member": 1}).alpha, 3)
        2.483
        """
        P = self.customer_params({k: [v] for k, v in dict(covariates).items()}, n=1)
        return type(self.base)(**{k: float(np.asarray(v).ravel()[0]) for k, v in P.items()})

    def _rfm_params(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, covariates: Any, method: str
    ) -> tuple[FloatArray, FloatArray, FloatArray, dict[str, Any]]:
        x, tx, t = check_rfm(frequency, recency, T, owner=self._owner(method))
        return x, tx, t, self.customer_params(covariates, n=x.size)

    # the model functions of the base model, by name
    _f: ClassVar[dict[str, Callable[..., Any]]]

    def log_likelihood(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        covariates: CovariateData,
    ) -> FloatArray:
        """Per-customer log-likelihood given each customer's covariates.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import ParetoNBD
        >>> base = ParetoNBD(r=0.55, alpha=10.6, s=0.61, beta=11.7)
        >>> m = base.with_covariates(trans={"member": 0.0})
        >>> bool(m.log_likelihood([2], [30.0], [39.0], covariates={"member": [1.0]})[0]
        ...      == base.log_likelihood([2], [30.0], [39.0])[0])
        True
        """
        if _is_panel(covariates):
            from shequn.loyalty.customer_base.time_varying import tv_log_likelihood

            return tv_log_likelihood(self, frequency, recency, T, covariates)
        x, tx, t, P = self._rfm_params(frequency, recency, T, covariates, "log_likelihood")
        return np.asarray(self._f["log_likelihood"](P, x, tx, t), dtype=np.float64)

    def p_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        covariates: CovariateData,
    ) -> FloatArray:
        """Probability that each customer is alive at ``T``, given her covariates.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD
        >>> m = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5).with_covariates(life={"member": 1.0})
        >>> p = m.p_alive([3, 3], [10.0, 10.0], [39.0, 39.0], covariates={"member": [0, 1]})
        >>> bool(p[0] != p[1])
        True
        """
        if _is_panel(covariates):
            from shequn.loyalty.customer_base.time_varying import tv_p_alive

            return tv_p_alive(self, frequency, recency, T, covariates)
        x, tx, t, P = self._rfm_params(frequency, recency, T, covariates, "p_alive")
        return np.asarray(self._f["p_alive"](P, x, tx, t), dtype=np.float64)

    def conditional_expected_transactions(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        covariates: CovariateData,
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T, covariates]: expected purchases in the next ``t``.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import ParetoNBD
        >>> m = ParetoNBD(r=0.55, alpha=10.6, s=0.61, beta=11.7).with_covariates(
        ...     trans={"member": 0.5})
        >>> y = m.conditional_expected_transactions(39, [2, 2], [30.0, 30.0], [39.0, 39.0],
        ...                                        covariates={"member": [0, 1]})
        >>> bool(y[1] > y[0])
        True
        """
        owner = self._owner("conditional_expected_transactions")
        if _is_panel(covariates):
            from shequn.loyalty.customer_base.time_varying import tv_conditional

            return tv_conditional(self, t, frequency, recency, T, covariates)
        x, tx, T_, P = self._rfm_params(
            frequency, recency, T, covariates, "conditional_expected_transactions"
        )
        tt = check_array(t, owner=owner, field="t", nonnegative=True)
        return np.asarray(self._f["conditional"](P, tt, x, tx, T_), dtype=np.float64)

    def expected_transactions(self, t: ArrayLike, *, covariates: CovariateData) -> FloatArray:
        """E[X(t)] for new customers with the given covariates (one value per customer).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD
        >>> m = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5).with_covariates(trans={"member": 0.7})
        >>> e = m.expected_transactions(39.0, covariates={"member": [0.0, 1.0]})
        >>> bool(e[1] > e[0])
        True
        """
        owner = self._owner("expected_transactions")
        tt = check_array(t, owner=owner, field="t", nonnegative=True)
        P = self.customer_params(covariates)
        return np.asarray(self._f["expected"](P, tt), dtype=np.float64)

    def prob_transactions(self, n: ArrayLike, t: float, *, covariates: CovariateData) -> FloatArray:
        """P(X(t) = n) for new customers: shape (customers, len(n)).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import ParetoNBD
        >>> m = ParetoNBD(r=0.55, alpha=10.6, s=0.61, beta=11.7).with_covariates(
        ...     trans={"member": 0.5})
        >>> p = m.prob_transactions(np.arange(300), 39.0, covariates={"member": [0, 1]})
        >>> p.shape, np.round(p.sum(axis=1), 6).tolist()
        ((2, 300), [1.0, 1.0])
        """
        owner = self._owner("prob_transactions")
        k = check_array(n, owner=owner, field="n", dtype=np.int64, nonnegative=True, ndim=1)
        tt = check_nonnegative(t, owner=owner, field="t")
        P = self.customer_params(covariates)
        return np.asarray(self._f["pmf"](P, k, tt), dtype=np.float64)

    def conditional_prob_transactions(
        self,
        n: ArrayLike,
        t: float,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        covariates: CovariateData,
    ) -> FloatArray:
        """P(Y(t) = n | x, t_x, T, covariates): shape (customers, len(n)).

        Examples
        --------
        >>> from shequn.loyalty.customer_base import ParetoNBD
        >>> m = ParetoNBD(r=0.55, alpha=10.6, s=0.61, beta=11.7).with_covariates(
        ...     trans={"member": 0.5})
        >>> p = m.conditional_prob_transactions(np.arange(200), 39.0, [2, 2], [30.0, 30.0],
        ...                                     [39.0, 39.0], covariates={"member": [0, 1]})
        >>> np.round(p.sum(axis=1), 9).tolist()
        [1.0, 1.0]
        """
        owner = self._owner("conditional_prob_transactions")
        x, tx, T_, P = self._rfm_params(
            frequency, recency, T, covariates, "conditional_prob_transactions"
        )
        k = check_array(n, owner=owner, field="n", dtype=np.int64, nonnegative=True, ndim=1)
        tt = check_nonnegative(t, owner=owner, field="t")
        return np.asarray(self._f["conditional_pmf"](P, k, tt, x, tx, T_), dtype=np.float64)

    def sample(
        self, T: ArrayLike, *, covariates: CovariateData, rng: RNGLike = None
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Simulate (frequency, recency, T), one customer per row of ``covariates``.

        Examples
        --------
        >>> from shequn.loyalty.customer_base import BGNBD
        >>> m = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5).with_covariates(trans={"member": 0.7})
        >>> x, tx, T = m.sample(39.0, covariates={"member": [0, 1, 1]}, rng=0)
        >>> x.shape
        (3,)
        """
        owner = self._owner("sample")
        P = self.customer_params(covariates)
        n = int(np.asarray(P["r"]).size)
        T_ = np.broadcast_to(check_array(T, owner=owner, field="T", nonnegative=True), (n,))
        gen = resolve_rng(rng, owner=owner)
        x, tx, t = self._f["sample"](P, T_.astype(np.float64), gen)
        return x, tx, t


@register_model
@attrs.frozen(kw_only=True)
class BGNBDCovariates(_CovariateModel):
    """A BG/NBD with covariate coefficients (build with :meth:`BGNBD.with_covariates`).

    Attributes
    ----------
    base
        The BG/NBD of a customer whose covariates are all 0.
    trans
        Coefficients of the purchase process: ``alpha_i = alpha·exp(−Σ trans[k]·x_ik)``.
    life
        Coefficients of the drop-out process: ``a_i, b_i = (a, b)·exp(Σ life[k]·z_ik)``.
    constrained
        Names whose coefficient is shared by both processes.
    """

    base: BGNBD
    trans: dict[str, float] = attrs.field(factory=dict)
    life: dict[str, float] = attrs.field(factory=dict)
    constrained: tuple[str, ...] = attrs.field(default=(), converter=_names)

    _trans_scaled: ClassVar[dict[str, float]] = {"alpha": -1.0}
    _life_scaled: ClassVar[dict[str, float]] = {"a": 1.0, "b": 1.0}
    _f: ClassVar[dict[str, Callable[..., Any]]] = {
        "log_likelihood": lambda P, x, tx, T: bg_log_likelihood(P, x, tx, T, False),
        "p_alive": lambda P, x, tx, T: bg_p_alive(P, x, tx, T, False),
        "conditional": lambda P, t, x, tx, T: bg_conditional(P, t, x, tx, T, False),
        "expected": lambda P, t: bg_expected(P, t, False),
        "pmf": lambda P, k, t: bg_pmf(P, k, t, False),
        "conditional_pmf": lambda P, k, t, x, tx, T: bg_conditional_pmf(P, k, t, x, tx, T, False),
        "sample": lambda P, T, gen: bg_sample(P, T, gen, False),
    }


@register_model
@attrs.frozen(kw_only=True)
class ParetoNBDCovariates(_CovariateModel):
    """A Pareto/NBD with covariate coefficients (build with :meth:`ParetoNBD.with_covariates`).

    Attributes
    ----------
    base
        The Pareto/NBD of a customer whose covariates are all 0.
    trans
        Coefficients of the purchase process: ``alpha_i = alpha·exp(−Σ trans[k]·x_ik)``.
    life
        Coefficients of the lifetime process: ``beta_i = beta·exp(−Σ life[k]·z_ik)``.
    constrained
        Names whose coefficient is shared by both processes.
    """

    base: ParetoNBD
    trans: dict[str, float] = attrs.field(factory=dict)
    life: dict[str, float] = attrs.field(factory=dict)
    constrained: tuple[str, ...] = attrs.field(default=(), converter=_names)

    _trans_scaled: ClassVar[dict[str, float]] = {"alpha": -1.0}
    _life_scaled: ClassVar[dict[str, float]] = {"beta": -1.0}
    _f: ClassVar[dict[str, Callable[..., Any]]] = {
        "log_likelihood": pn_log_likelihood,
        "p_alive": pn_p_alive,
        "conditional": pn_conditional,
        "expected": pn_expected,
        "pmf": pn_pmf,
        "conditional_pmf": pn_conditional_pmf,
        "sample": pn_sample,
    }

    def sample_panel(self, panel: Any, *, rng: RNGLike = None) -> Any:
        """Simulate purchases under time-varying covariates: a panel with the RFM filled in.

        See :func:`shequn.loyalty.customer_base.time_varying.sample_panel`.
        """
        from shequn.loyalty.customer_base.time_varying import sample_panel

        return sample_panel(self, panel, rng=rng)


# -- the fit driver -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Spec:
    names: tuple[str, ...]
    rows: Callable[..., tuple[FloatArray, dict[str, FloatArray]]] | None
    trans_scaled: dict[str, float]
    life_scaled: dict[str, float]
    covariate_cls: Any
    modified: bool | None = None  # the (M)BG/NBD run in the compiled kernel
    warm_rows: int = 200_000  # fits to more rows start from a pilot fit to half as many


def _spec(cls: type[Any]) -> _Spec:
    if cls is ModifiedBGNBD:
        return _Spec(
            names=("r", "alpha", "a", "b"),
            rows=None,
            trans_scaled={},
            life_scaled={},
            covariate_cls=None,
            modified=True,
        )
    if issubclass(cls, BGNBD):
        return _Spec(
            names=("r", "alpha", "a", "b"),
            rows=None,
            trans_scaled=BGNBDCovariates._trans_scaled,
            life_scaled=BGNBDCovariates._life_scaled,
            covariate_cls=BGNBDCovariates,
            modified=False,
        )
    return _Spec(
        names=("r", "alpha", "s", "beta"),
        rows=pn_rows,
        trans_scaled=ParetoNBDCovariates._trans_scaled,
        life_scaled=ParetoNBDCovariates._life_scaled,
        covariate_cls=ParetoNBDCovariates,
        warm_rows=20_000,  # each row costs a quadrature: warm-start earlier
    )


_CENTRAL_ROWS = 200_000
"""Fits to more rows take the observed information from forward differences."""


def _default_start(
    names: tuple[str, ...], x: FloatArray, T: FloatArray, w: FloatArray
) -> dict[str, float]:
    scale = max(float(np.average(T, weights=w)), 1e-3) / 4
    out = {"r": 1.0, "alpha": scale, "a": 1.0, "b": 1.0, "s": 1.0, "beta": scale}
    return {k: out[k] for k in names}


def _names_and_values(
    arg: Mapping[str, ArrayLike] | Sequence[str] | None,
    source: Any,
    field: str,
    owner: str,
    n: int,
) -> tuple[list[str], FloatArray]:
    if arg is None:
        return [], np.empty((n, 0))
    if isinstance(arg, str):
        raise fail(owner, field, "be a list of names or a mapping of names to values", arg)
    if isinstance(arg, Mapping):
        names = [str(k) for k in arg]
        return names, design(arg, names, n, owner=owner)
    names = [str(k) for k in arg]
    if len(set(names)) != len(names):
        raise fail(owner, field, "not repeat a name", names)
    if source is None:
        raise fail(
            owner, "covariates", f"hold the {field} covariates {names} (or pass data=)", None
        )
    return names, design(source, names, n, owner=owner)


def fit_static(
    cls: type[Any],
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    weights: Any = None,
    data: Any = None,
    trans: Mapping[str, ArrayLike] | Sequence[str] | None = None,
    life: Mapping[str, ArrayLike] | Sequence[str] | None = None,
    covariates: CovariateData | None = None,
    constrain: Sequence[str] = (),
    regularization: Mapping[str, float] | None = None,
    penalizer: float = 0.0,
    initial: Mapping[str, float] | None = None,
    executor: Executor | None = None,
) -> CustomerBaseFit[Any]:
    """The fit behind ``BGNBD.fit``, ``ModifiedBGNBD.fit`` and ``ParetoNBD.fit``."""
    owner = f"{cls.__name__}.fit"
    x, tx, t = check_rfm(
        column(data, frequency, owner=owner, field="frequency"),
        column(data, recency, owner=owner, field="recency"),
        column(data, T, owner=owner, field="T"),
        owner=owner,
    )
    n = x.size
    w = check_weights(
        None if weights is None else column(data, weights, owner=owner, field="weights"),
        n,
        owner=owner,
    )
    source = covariates if covariates is not None else data
    spec = _spec(cls)
    has_cov = trans is not None or life is not None
    if has_cov and spec.covariate_cls is None:
        raise fail(owner, "trans", "be None: this model has no covariate version", trans)
    if _is_panel(source) and has_cov:
        if cls is not ParetoNBD:
            raise fail(
                owner,
                "covariates",
                "be static: time-varying covariates need ParetoNBD",
                "CovariatePanel",
            )
        from shequn.loyalty.customer_base.time_varying import fit_time_varying

        return fit_time_varying(
            x,
            tx,
            t,
            w,
            source,
            trans=trans,
            life=life,
            constrain=constrain,
            regularization=regularization,
            penalizer=penalizer,
            initial=initial,
            executor=executor,
            owner=owner,
        )
    t_names, Xt = _names_and_values(trans, source, "trans", owner, n)
    l_names, Xl = _names_and_values(life, source, "life", owner, n)
    if isinstance(constrain, str):
        raise fail(owner, "constrain", "be a list of names", constrain)
    cons = list(dict.fromkeys(constrain))
    for k in cons:
        if k not in t_names or k not in l_names:
            raise fail(owner, "constrain", "name covariates listed in both trans and life", k)
        jt, jl = t_names.index(k), l_names.index(k)
        if not np.array_equal(Xt[:, jt], Xl[:, jl]):
            raise fail(
                owner,
                f"life[{k!r}]",
                "hold the same values as trans for a constrained covariate",
                k,
            )
    if isinstance(trans, Mapping) and isinstance(life, Mapping):
        for k in set(t_names) & set(l_names):
            if not np.array_equal(Xt[:, t_names.index(k)], Xl[:, l_names.index(k)]):
                raise fail(
                    owner, f"life[{k!r}]", "hold the values of trans (one name, one column)", k
                )
    null = None
    base_start: Mapping[str, float] | None = initial
    coef_names = (
        [f"trans.{k}" for k in t_names if k not in cons]
        + [f"life.{k}" for k in l_names if k not in cons]
        + [f"constr.{k}" for k in cons]
    )
    if initial is not None:
        if not isinstance(initial, Mapping):
            raise fail(owner, "initial", "be a mapping of parameter names to values", initial)
        for k in initial:
            if k not in (*spec.names, *coef_names):
                raise fail(owner, "initial", f"use parameter names {[*spec.names, *coef_names]}", k)
    if has_cov:
        coef_names, Dt, Dl = _coef_design(t_names, Xt, l_names, Xl, cons, n)
        kc = len(coef_names)
        if kc == 0:  # no covariates after all: exactly the fit without covariates
            plain = _fit_core(
                cls,
                spec,
                x,
                tx,
                t,
                w,
                np.zeros((n, 0)),
                np.zeros((n, 0)),
                [],
                penalizer=penalizer,
                regularization=None,
                initial=initial,
                executor=executor,
                owner=owner,
                null=None,
            )
            return attrs.evolve(plain, model=spec.covariate_cls(base=plain.model))
        _check_identified(Dt, Dl, coef_names, w, owner)
        null_initial = (
            {k: v for k, v in initial.items() if k in spec.names} if initial is not None else None
        )
        try:
            null = _fit_core(
                cls,
                spec,
                x,
                tx,
                t,
                w,
                np.zeros((n, 0)),
                np.zeros((n, 0)),
                [],
                penalizer=penalizer,
                regularization=None,
                initial=null_initial,
                executor=executor,
                owner=owner,
                null=None,
            )
        except ConvergenceError:
            # the model without covariates is not identified on these data (say, a pooled
            # drop-out rate with no heterogeneity): start the covariate fit from the defaults;
            # lr_test() then needs the restricted fit passed explicitly
            null = None

        def attempt(start: Mapping[str, float] | None) -> CustomerBaseFit[Any]:
            return _fit_core(
                cls,
                spec,
                x,
                tx,
                t,
                w,
                Dt,
                Dl,
                coef_names,
                penalizer=penalizer,
                regularization=regularization,
                initial=start,
                executor=executor,
                owner=owner,
                null=null,
                t_names=t_names,
                l_names=l_names,
                cons=cons,
            )

        starts: list[Mapping[str, float] | None] = []
        if null is not None:
            starts.append({**null.params, **(initial or {})})
        if initial is None or null is None:
            starts.append(initial)  # the defaults (or the user's values)
        return best_of(attempt, starts, spec.names)
    if regularization is not None and any(regularization.values()):
        raise fail(
            owner,
            "regularization",
            "be used with covariates (it penalises their coefficients)",
            regularization,
        )
    return _fit_core(
        cls,
        spec,
        x,
        tx,
        t,
        w,
        np.zeros((n, 0)),
        np.zeros((n, 0)),
        [],
        penalizer=penalizer,
        regularization=None,
        initial=base_start,
        executor=executor,
        owner=owner,
        null=None,
    )


def best_of(
    attempt: Callable[[Any], CustomerBaseFit[Any]], starts: Sequence[Any], names: Sequence[str]
) -> CustomerBaseFit[Any]:
    """Fit from the first start (usually the fit without covariates); when that fails or ends
    near a boundary (a base parameter beyond e^±9, as when the pooled fit has no drop-out
    heterogeneity), fit from the next start too and keep the higher likelihood."""
    fits: list[CustomerBaseFit[Any]] = []
    error: ConvergenceError | None = None
    for start in starts:
        try:
            fit = attempt(start)
        except ConvergenceError as exc:
            error = exc
            continue
        fits.append(fit)
        if all(abs(math.log(fit.params[k])) <= 9.0 for k in names):
            break
    if not fits:
        assert error is not None
        raise error
    return max(fits, key=lambda f: f.log_likelihood)


def _check_identified(
    Dt: FloatArray, Dl: FloatArray, names: Sequence[str], w: FloatArray, owner: str
) -> None:
    """Refuse constant covariates and collinear ones (their coefficients are not identified)."""
    keep = w > 0
    for kind, D in (("trans", Dt), ("life", Dl)):
        used = [j for j, nm in enumerate(names) if nm.split(".")[0] in (kind, "constr")]
        if not used:
            continue
        M = D[keep][:, used]
        sd = M.std(axis=0)
        for j, v in zip(used, sd, strict=True):
            if v == 0:
                raise fail(
                    owner,
                    "covariates",
                    f"vary across customers (covariate {names[j]} "
                    "is constant, so its effect cannot be told from alpha or beta)",
                    names[j],
                )
        if len(used) > 1:
            corr = np.corrcoef(M, rowvar=False)
            if np.min(np.linalg.eigvalsh(corr)) < 1e-10:
                raise fail(
                    owner,
                    kind,
                    "hold covariates that are not collinear (with each other or with a constant)",
                    [names[j] for j in used],
                )


@attrs.frozen
class _Objective:
    """The compressed data of a fit and its objective in the optimiser's scale."""

    fused: Callable[[FloatArray], tuple[float, FloatArray]]
    rms: FloatArray
    n_rows: int
    n_customers: float
    names: list[str]
    scales: list[str]
    ux: FloatArray
    ut: FloatArray
    uw: FloatArray


def _objective(
    spec: _Spec,
    x: FloatArray,
    tx: FloatArray,
    t: FloatArray,
    w: FloatArray,
    Dt: FloatArray,
    Dl: FloatArray,
    coef_names: list[str],
    executor: Executor | None,
) -> _Objective:
    """Total negative log-likelihood and gradient over θ = (log parameters, scaled coefficients)."""
    kc = len(coef_names)
    keep = w > 0
    cols: list[FloatArray] = [x[keep], tx[keep], t[keep]]
    if kc:
        cols += [Dt[keep], Dl[keep]]
    uniq, uw, _ = compress_rows(*cols, weights=w[keep])
    ux, utx, uT = uniq[0], uniq[1], uniq[2]
    uDt = uniq[3] if kc else np.zeros((ux.size, 0))
    uDl = uniq[4] if kc else np.zeros((ux.size, 0))
    n_rows = ux.size
    n_cust = float(uw.sum())
    # coefficient columns scaled to unit root mean square inside the optimiser
    rms = np.ones(kc)
    for j in range(kc):
        col = uDl[:, j] if coef_names[j].startswith("life.") else uDt[:, j]
        rms[j] = math.sqrt(float(np.average(col * col, weights=uw))) or 1.0
    sDt = uDt / rms
    sDl = uDl / rms
    names = list(spec.names) + coef_names
    scales = ["log"] * len(spec.names) + ["linear"] * kc
    k0 = len(spec.names)
    parts = blocks(n_rows)
    cache = {
        b.start: (ux[b], utx[b], uT[b], uw[b], sDt[b], sDl[b], RowIndex.of(ux[b], utx[b], uT[b]))
        for b in parts
    }
    trans_on = bool(kc) and bool(np.any(sDt))
    life_on = bool(kc) and bool(np.any(sDl))

    def block_fn(theta: FloatArray) -> Callable[[slice], tuple[float, FloatArray]]:
        base = np.exp(theta[:k0])
        gam = theta[k0:]

        def fn(b: slice) -> tuple[float, FloatArray]:
            bx, btx, bT, bw, bDt, bDl, bu = cache[b.start]
            if spec.modified is not None:  # (M)BG/NBD: one compiled pass per block
                r, al, a, b_ = (float(v) for v in base)
                lgr = special.gammaln(r + bu.vx) - special.gammaln(r)
                dgr = special.digamma(r + bu.vx) - special.digamma(r)
                tab = None
                if not life_on:  # the beta terms depend on x only
                    xs = bu.vx + (1.0 if spec.modified else 0.0)
                    dab = special.digamma(a + b_)
                    dabx = special.digamma(a + b_ + xs)
                    tab = np.column_stack(
                        [
                            special.betaln(a, b_ + xs) - special.betaln(a, b_),
                            dab - dabx,
                            dab + special.digamma(b_ + xs) - special.digamma(b_) - dabx,
                        ]
                    )
                v, g = bg_block(
                    bx,
                    btx,
                    bT,
                    bw,
                    bDt,
                    bDl,
                    bu.ix,
                    lgr,
                    dgr,
                    r,
                    al,
                    a,
                    b_,
                    gam,
                    spec.modified,
                    tab,
                )
                return -v, -g
            assert spec.rows is not None
            P: dict[str, Any] = dict(zip(spec.names, (float(v) for v in base), strict=True))
            et = np.exp(bDt @ gam) if trans_on else None
            el = np.exp(bDl @ gam) if life_on else None
            for pname, sign in spec.trans_scaled.items():
                if et is not None:
                    P[pname] = P[pname] * (et if sign > 0 else 1.0 / et)
            for pname, sign in spec.life_scaled.items():
                if el is not None:
                    P[pname] = P[pname] * (el if sign > 0 else 1.0 / el)
            ll, d = spec.rows(P, bx, btx, bT, bu)
            g = np.empty(theta.size)
            for j, pname in enumerate(spec.names):
                g[j] = -float(bw @ (d[pname] * P[pname]))
            if kc:
                gt = np.zeros(bx.size)
                gl = np.zeros(bx.size)
                for pname, sign in spec.trans_scaled.items():
                    gt += sign * d[pname] * P[pname]
                for pname, sign in spec.life_scaled.items():
                    gl += sign * d[pname] * P[pname]
                g[k0:] = -(bDt.T @ (bw * gt) + bDl.T @ (bw * gl))
            return -float(bw @ ll), g

        return fn

    def fused(theta: FloatArray) -> tuple[float, FloatArray]:
        if not np.all(np.abs(theta) < 700):  # a trial point past what floats hold
            return math.inf, np.zeros_like(theta)
        return summed(block_fn(theta), n_rows, executor)

    return _Objective(fused, rms, n_rows, n_cust, names, scales, ux, uT, uw)


def objective(
    cls: type[Any],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    *,
    trans: Mapping[str, ArrayLike] | None = None,
    life: Mapping[str, ArrayLike] | None = None,
    constrain: Sequence[str] = (),
    weights: ArrayLike | None = None,
) -> tuple[Callable[[FloatArray], tuple[float, FloatArray]], list[str]]:
    """The fit's objective on the user's scale: θ ↦ (−log-likelihood, gradient).

    θ holds the logarithms of the base parameters, then the coefficients in ``params`` order
    (the names are returned). For checking gradients and likelihoods, not needed to fit.

    Examples
    --------
    >>> f, names = objective(BGNBD, [2, 0], [5.0, 0.0], [10.0, 10.0], trans={"m": [1.0, 0.0]})
    >>> names
    ['r', 'alpha', 'a', 'b', 'trans.m']
    """
    owner = f"{cls.__name__}.objective"
    x, tx, t = check_rfm(frequency, recency, T, owner=owner)
    n = x.size
    w = check_weights(weights, n, owner=owner)
    spec = _spec(cls)
    t_names, Xt = _names_and_values(trans, None, "trans", owner, n)
    l_names, Xl = _names_and_values(life, None, "life", owner, n)
    cons = list(constrain)
    coef_names, Dt, Dl = _coef_design(t_names, Xt, l_names, Xl, cons, n)
    ob = _objective(spec, x, tx, t, w, Dt, Dl, coef_names, None)
    k0 = len(spec.names)

    def fused(theta: FloatArray) -> tuple[float, FloatArray]:
        th = np.asarray(theta, dtype=np.float64).copy()
        th[k0:] *= ob.rms
        v, g = ob.fused(th)
        g = g.copy()
        g[k0:] *= ob.rms
        return v, g

    return fused, ob.names


def _coef_design(
    t_names: list[str],
    Xt: FloatArray,
    l_names: list[str],
    Xl: FloatArray,
    cons: list[str],
    n: int,
) -> tuple[list[str], FloatArray, FloatArray]:
    coef_names = (
        [f"trans.{k}" for k in t_names if k not in cons]
        + [f"life.{k}" for k in l_names if k not in cons]
        + [f"constr.{k}" for k in cons]
    )
    kc = len(coef_names)
    Dt = np.zeros((n, kc))
    Dl = np.zeros((n, kc))
    for j, cn in enumerate(coef_names):
        kind, name = cn.split(".", 1)
        if kind in ("trans", "constr"):
            Dt[:, j] = Xt[:, t_names.index(name)]
        if kind in ("life", "constr"):
            Dl[:, j] = Xl[:, l_names.index(name)]
    return coef_names, Dt, Dl


def _fit_core(
    cls: type[Any],
    spec: _Spec,
    x: FloatArray,
    tx: FloatArray,
    t: FloatArray,
    w: FloatArray,
    Dt: FloatArray,
    Dl: FloatArray,
    coef_names: list[str],
    *,
    penalizer: float,
    regularization: Mapping[str, float] | None,
    initial: Mapping[str, float] | None,
    executor: Executor | None,
    owner: str,
    null: CustomerBaseFit[Any] | None,
    t_names: Sequence[str] = (),
    l_names: Sequence[str] = (),
    cons: Sequence[str] = (),
    _warm: bool = False,
) -> CustomerBaseFit[Any]:
    pilot = None
    if x.size > spec.warm_rows and not _warm:
        # start from a fit to an evenly spaced subsample: the full data then need only the
        # last few iterations (the same subsample whatever the executor)
        sub = np.arange(0, x.size, x.size // (spec.warm_rows // 2))
        scale = float(w.sum() / w[sub].sum())
        pilot = None
        try:
            pilot = _fit_core(
                cls,
                spec,
                x[sub],
                tx[sub],
                t[sub],
                w[sub] * scale,
                Dt[sub],
                Dl[sub],
                coef_names,
                penalizer=penalizer,
                regularization=regularization,
                initial=initial,
                executor=executor,
                owner=owner,
                null=None,
                t_names=t_names,
                l_names=l_names,
                cons=cons,
                _warm=True,
            )
            initial = dict(pilot.params)
        except ConvergenceError:
            pass
    ob = _objective(spec, x, tx, t, w, Dt, Dl, coef_names, executor)
    fused, rms, names, scales = ob.fused, ob.rms, ob.names, ob.scales
    n_rows, n_cust, ux, uT, uw = ob.n_rows, ob.n_customers, ob.ux, ob.ut, ob.uw
    kc = len(coef_names)
    k0 = len(spec.names)
    default = _default_start(spec.names, ux, uT, uw)
    default.update({k: 0.0 for k in coef_names})
    x0 = initial_theta(initial, default, names, scales, owner)
    x0[k0:] *= rms
    pen = penalty_vector(names, scales, penalizer, owner, regularization)
    pen[k0:] /= rms**2
    h0 = None
    if pilot is not None:  # the pilot's information, in the optimiser's (scaled) coordinates
        S = np.concatenate([np.ones(k0), rms])
        h0 = n_cust * pilot.covariance * S[:, None] * S[None, :]
        h0 = 0.5 * (h0 + h0.T)
    res = maximise(
        fused,
        x0,
        owner=owner,
        n=n_cust,
        penalty=pen,
        names=names,
        central=n_rows <= _CENTRAL_ROWS,
        hess_inv0=h0,
    )
    theta = res.theta.copy()
    theta[k0:] /= rms
    S = np.concatenate([np.ones(k0), 1.0 / rms])
    cov = res.covariance * S[:, None] * S[None, :]
    base_model = cls(**{k: float(np.exp(v)) for k, v in zip(spec.names, theta[:k0], strict=True)})
    model: Any = base_model
    if kc:
        coefs = dict(zip(coef_names, (float(v) for v in theta[k0:]), strict=True))
        tr = {k: coefs[f"trans.{k}"] if k not in cons else coefs[f"constr.{k}"] for k in t_names}
        lf = {k: coefs[f"life.{k}"] if k not in cons else coefs[f"constr.{k}"] for k in l_names}
        model = spec.covariate_cls(base=base_model, trans=tr, life=lf, constrained=tuple(cons))
    res = attrs.evolve(res, theta=theta, covariance=cov)
    return build_fit(
        model,
        res,
        scales=scales,
        n_customers=n_cust,
        n_rows=n_rows,
        penalizer=penalizer,
        regularization=regularization,
        null=null,
    )
