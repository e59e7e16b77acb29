"""Time-varying covariates in the Pareto/NBD (Bachmann, Meierer & Näf 2021, "The role of
time-varying contextual factors in latent attrition models for customer base analysis",
Marketing Science 40(4)).

Covariates are piecewise constant over calendar periods (weeks, say): promotions, seasons,
a customer's membership switching on. While alive, customer i buys with intensity
``λ_i·exp(γ_trans·x_i(t))`` and drops out with hazard ``μ_i·exp(γ_life·z_i(t))``, with
λ_i ~ Gamma(r, α) and μ_i ~ Gamma(s, β) as in the Pareto/NBD. With ``A(u) = ∫_0^u
exp(γ_trans·x(v)) dv`` and ``B(u) = ∫_0^u exp(γ_life·z(v)) dv`` in customer time (u = 0 at the
first purchase), integrating λ and μ out gives

    L = exp(γ_trans·S) · Γ(r+x) α^r β^s / Γ(r) · [ (α+A(T))^−(r+x) (β+B(T))^−s
          + s ∫_{t_x}^{T} exp(γ_life·z(u)) (α+A(u))^−(r+x) (β+B(u))^−(s+1) du ],

where S is the sum, over the customer's repeat purchases, of the transaction covariates in
force at each purchase. A and B are piecewise linear, so the integral splits at the period
boundaries into pieces of the static form, each computed by the compiled log-space quadrature
of :mod:`~shequn.loyalty.customer_base._kernels`. With covariates constant in time this is
exactly the static-covariate likelihood (``alpha_i = alpha·exp(−γ_trans·x_i)``, ...), which the
tests check. The fit's gradient is numerical (central differences), so it is slower than the
static fit.

Conditional expectations follow from the posterior given survival, λ ~ Gamma(r+x, α+A(T)):

    E[Y(T, T+t] | data] = P(alive) · (r+x)/(α+A(T)) · ∫_T^{T+t} e_trans(u) ((β+B(T))/(β+B(u)))^s du,

which needs the panel to cover the forecast horizon.

Examples
--------
>>> import numpy as np
>>> from shequn.loyalty.customer_base import ParetoNBD
>>> from shequn.loyalty.customer_base.time_varying import CovariatePanel
>>> promo = np.zeros((1, 60)); promo[0, 20:30] = 1.0          # a 10-week promotion, for all
>>> panel = CovariatePanel(values={"promo": np.repeat(promo, 3, axis=0)},
...                        start=np.array([0.0, 5.0, 10.0]), T=np.array([52.0, 47.0, 42.0]))
>>> m = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0).with_covariates(trans={"promo": 0.8})
>>> sim = m.sample_panel(panel, rng=0)
>>> sim.frequency.shape, bool(np.all(sim.recency <= sim.T))
((3,), True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from shequn._typing import FloatArray, optional_array_eq
from shequn._validation import check_array, check_instance, check_positive, fail
from shequn.exceptions import ConvergenceError
from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    build_fit,
    check_rfm,
    initial_theta,
    maximise,
    penalty_vector,
    summed,
)
from shequn.loyalty.customer_base._kernels import tv_future, tv_grad_rows, tv_rows
from shequn.rng import RNGLike, resolve_rng

__all__ = ["CovariatePanel", "fit_time_varying", "sample_panel"]


def _freeze_values(value: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    if not isinstance(value, Mapping):
        raise fail(
            "CovariatePanel",
            "values",
            "be a mapping of names to (customers, periods) arrays",
            value,
        )
    out = {}
    for k, v in value.items():
        arr = check_array(v, owner="CovariatePanel", field=f"values[{k!r}]")
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise fail(
                "CovariatePanel",
                f"values[{k!r}]",
                "be (customers, periods) or (periods,) for a covariate shared by all",
                arr.shape,
            )
        out[str(k)] = np.ascontiguousarray(arr)
    return out


def _opt(v: Any) -> FloatArray | None:
    return None if v is None else np.asarray(v, dtype=np.float64)


def _opt_dict(v: Any) -> dict[str, FloatArray] | None:
    return None if v is None else {str(k): np.asarray(a, dtype=np.float64) for k, a in v.items()}


def _dict_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a))


_dict_eq = attrs.cmp_using(eq=_dict_equal)


@attrs.frozen(kw_only=True, repr=False)
class CovariatePanel:
    """Time-varying covariates: one value per customer and calendar period.

    Attributes
    ----------
    values
        ``{name: array}`` of shape (customers, periods), or (periods,) for a covariate that is
        the same for every customer (seasons, campaigns).
    start
        Each customer's first purchase, in the model's time unit from the start of period 0.
    T
        Each customer's age at the end of calibration (``start + T`` must lie in the panel).
    period_length
        Length of a period in the model's time unit (1 for weekly panels and weekly data).
    frequency, recency
        The customers' repeat purchases and last-purchase times (needed to fit; built by
        :meth:`from_transactions` or :func:`sample_panel`).
    at_purchases
        ``{name: array}``: per customer, the sum over her repeat purchases of the covariate's
        value in the period of each purchase (needed for transaction covariates).
    """

    values: dict[str, FloatArray] = attrs.field(converter=_freeze_values, eq=_dict_eq)
    start: FloatArray = attrs.field(converter=_opt, eq=optional_array_eq)
    T: FloatArray = attrs.field(converter=_opt, eq=optional_array_eq)
    period_length: float = 1.0
    frequency: FloatArray | None = attrs.field(default=None, converter=_opt, eq=optional_array_eq)
    recency: FloatArray | None = attrs.field(default=None, converter=_opt, eq=optional_array_eq)
    at_purchases: dict[str, FloatArray] | None = attrs.field(
        default=None, converter=_opt_dict, eq=_dict_eq
    )

    def __attrs_post_init__(self) -> None:
        owner = "CovariatePanel"
        check_positive(self.period_length, owner=owner, field="period_length")
        st = check_array(self.start, owner=owner, field="start", ndim=1, nonnegative=True)
        t = check_array(self.T, owner=owner, field="T", ndim=1, nonnegative=True)
        n = st.size
        if n == 0:
            raise fail(owner, "start", "hold at least one customer", 0)
        if t.size != n:
            raise fail(owner, "T", f"have one entry per customer ({n})", t.size)
        if not self.values:
            raise fail(owner, "values", "hold at least one covariate", {})
        k = {v.shape[1] for v in self.values.values()}
        if len(k) != 1:
            raise fail(
                owner, "values", "have the same number of periods for every covariate", sorted(k)
            )
        for name, v in self.values.items():
            if v.shape[0] not in (1, n):
                raise fail(owner, f"values[{name!r}]", f"have 1 or {n} rows", v.shape[0])
        end = st + t
        cover = self.n_periods * self.period_length
        bad = np.flatnonzero(end > cover * (1 + 1e-12))
        if bad.size:
            i = int(bad[0])
            raise fail(
                owner,
                "values",
                f"cover every customer's calibration (customer {i} "
                f"reaches {end[i]:g}, the panel ends at {cover:g})",
                self.n_periods,
            )
        if (self.frequency is None) != (self.recency is None):
            raise fail(owner, "recency", "be given together with frequency", self.recency)
        if self.frequency is not None:
            assert self.recency is not None
            check_rfm(self.frequency, self.recency, t, owner=owner)
        if self.at_purchases is not None:
            for name, v in self.at_purchases.items():
                check_array(v, owner=owner, field=f"at_purchases[{name!r}]", ndim=1)
                if v.size != n:
                    raise fail(owner, f"at_purchases[{name!r}]", f"have {n} entries", v.size)

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.start.size)

    @property
    def n_periods(self) -> int:
        """Number of periods."""
        return int(next(iter(self.values.values())).shape[1])

    def __getitem__(self, name: str) -> FloatArray:
        return self.values[name]

    def __repr__(self) -> str:
        return (
            f"CovariatePanel({self.n_customers:,} customers, {self.n_periods} periods of "
            f"{self.period_length:g}, covariates {list(self.values)})"
        )

    @classmethod
    def from_transactions(
        cls,
        customer_ids: ArrayLike,
        times: ArrayLike,
        values: Mapping[str, ArrayLike],
        *,
        calibration_end: float,
        period_length: float = 1.0,
    ) -> CovariatePanel:
        """Build a panel (with frequency, recency, T and purchase sums) from a transaction log.

        Parameters
        ----------
        customer_ids
            Customer of each transaction.
        times
            Time of each transaction in the model's unit, from the start of period 0
            (transactions at the same time are one purchase).
        values
            ``{name: (customers, periods) or (periods,)}``, rows in the order of the sorted
            unique customer ids.
        calibration_end
            End of calibration (customers whose first purchase is later are dropped).
        period_length
            Length of a period in the time unit.

        Examples
        --------
        >>> p = CovariatePanel.from_transactions([1, 1, 2], [0.5, 3.5, 1.0],
        ...     {"promo": [0, 0, 1, 1, 0]}, calibration_end=5.0)
        >>> p.frequency.tolist(), p.recency.tolist(), p.T.tolist(), p.at_purchases["promo"].tolist()
        ([1.0, 0.0], [3.0, 0.0], [4.5, 4.0], [1.0, 0.0])
        """
        from shequn.loyalty.rfm import check_customer_ids  # rfm imports this package

        owner = "CovariatePanel.from_transactions"
        ids = check_customer_ids(customer_ids, owner=owner)
        tm = check_array(times, owner=owner, field="times", ndim=1, nonnegative=True)
        if ids.ndim != 1 or ids.size != tm.size or ids.size == 0:
            raise fail(
                owner, "customer_ids", f"have one entry per transaction ({tm.size})", ids.shape
            )
        L = check_positive(period_length, owner=owner, field="period_length")
        end = check_positive(calibration_end, owner=owner, field="calibration_end")
        uid, code = np.unique(ids, return_inverse=True)
        code = code.ravel()
        order = np.lexsort((tm, code))
        code, tm = code[order], tm[order]
        new = np.r_[True, (code[1:] != code[:-1]) | (tm[1:] != tm[:-1])]
        code, tm = code[new], tm[new]  # distinct purchase times per customer
        nc = uid.size
        first = np.full(nc, np.inf)
        np.minimum.at(first, code, tm)
        cal = tm <= end
        last = np.zeros(nc)
        np.maximum.at(last, code[cal], tm[cal])
        count = np.bincount(code[cal], minlength=nc)
        keep = first <= end
        if not keep.any():
            raise fail(owner, "calibration_end", "come after some first purchase", end)
        vals = _freeze_values(values)
        for name, v in vals.items():
            if v.shape[0] not in (1, nc):
                raise fail(
                    owner,
                    f"values[{name!r}]",
                    f"have 1 or {nc} rows (one per customer)",
                    v.shape[0],
                )
        n_per = next(iter(vals.values())).shape[1]
        rep = cal & (tm > first[code])
        k = np.minimum(tm[rep] // L, n_per - 1).astype(np.int64)  # clip before the cast
        sums = {}
        for name, v in vals.items():
            rows = code[rep] if v.shape[0] > 1 else np.zeros(int(rep.sum()), dtype=np.int64)
            sums[name] = np.bincount(code[rep], weights=v[rows, k], minlength=nc)[keep]
        return cls(
            values={name: v[keep] if v.shape[0] > 1 else v for name, v in vals.items()},
            start=first[keep],
            T=end - first[keep],
            period_length=L,
            frequency=(count - 1).astype(np.float64)[keep],
            recency=(last - first)[keep],
            at_purchases=sums,
        )


def _panel_check(panel: Any, owner: str, field: str = "covariates") -> CovariatePanel:
    if not isinstance(panel, CovariatePanel):
        raise fail(owner, field, "be a CovariatePanel", type(panel).__name__)
    return panel


def _exp_eta(panel: CovariatePanel, coefs: Mapping[str, float], owner: str) -> FloatArray:
    """exp(Σ γ_k·values_k) per customer (or one row) and period."""
    eta: Any = 0.0
    for name, g in coefs.items():
        if name not in panel.values:
            raise fail(owner, "covariates", f"hold the covariate {name!r}", list(panel.values))
        eta = eta + g * panel.values[name]
    if np.ndim(eta) == 0:
        return np.ones((1, panel.n_periods))
    return np.asarray(np.exp(eta), dtype=np.float64)


def _purchase_term(
    panel: CovariatePanel, coefs: Mapping[str, float], x: FloatArray, owner: str
) -> FloatArray:
    if not coefs:
        return np.zeros(x.size)
    if panel.at_purchases is None:
        raise fail(
            owner,
            "covariates",
            "carry at_purchases (build it with CovariatePanel.from_transactions)",
            None,
        )
    out = np.zeros(x.size)
    for name, g in coefs.items():
        if name not in panel.at_purchases:
            raise fail(
                owner, "covariates", f"carry at_purchases[{name!r}]", list(panel.at_purchases)
            )
        out += g * panel.at_purchases[name]
    return out


def _align(panel: CovariatePanel, x: FloatArray, T: FloatArray, owner: str) -> None:
    if x.size != panel.n_customers:
        raise fail(owner, "covariates", f"have one customer per row ({x.size})", panel.n_customers)
    if not np.allclose(T, panel.T, rtol=1e-12, atol=1e-12):
        raise fail(owner, "T", "equal the panel's T (the panel places each customer in time)", T)


def _tv_parts(
    model: Any, x: FloatArray, tx: FloatArray, T: FloatArray, panel: CovariatePanel, owner: str
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(prefactor incl. purchase term, log alive, log dead, A(T), B(T))."""
    r, al, s, be = (model.base.params[k] for k in ("r", "alpha", "s", "beta"))
    et = _exp_eta(panel, model.trans, owner)
    el = _exp_eta(panel, model.life, owner)
    k = tv_rows(x, tx, T, panel.start, panel.period_length, et, el, r, al, s, be)
    pre = (
        _purchase_term(panel, model.trans, x, owner)
        + special.gammaln(r + x)
        - special.gammaln(r)
        + r * math.log(al)
        + s * math.log(be)
    )
    la = -(r + x) * np.log(al + k[1]) - s * np.log(be + k[2])
    return pre, la, k[0], k[1], k[2]


def tv_log_likelihood(
    model: Any, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, panel: Any
) -> FloatArray:
    """Per-customer log-likelihood under time-varying covariates."""
    owner = f"{type(model).__name__}.log_likelihood"
    pn = _panel_check(panel, owner)
    x, tx, t = check_rfm(frequency, recency, T, owner=owner)
    _align(pn, x, t, owner)
    pre, la, ld, _, _ = _tv_parts(model, x, tx, t, pn, owner)
    return np.asarray(pre + np.logaddexp(la, ld), dtype=np.float64)


def tv_p_alive(
    model: Any, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, panel: Any
) -> FloatArray:
    """P(alive at T) under time-varying covariates."""
    owner = f"{type(model).__name__}.p_alive"
    pn = _panel_check(panel, owner)
    x, tx, t = check_rfm(frequency, recency, T, owner=owner)
    _align(pn, x, t, owner)
    _, la, ld, _, _ = _tv_parts(model, x, tx, t, pn, owner)
    return np.asarray(special.expit(la - ld), dtype=np.float64)


def tv_conditional(
    model: Any, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, panel: Any
) -> FloatArray:
    """E[Y(T, T+t] | data] under time-varying covariates (the panel must cover T + t)."""
    owner = f"{type(model).__name__}.conditional_expected_transactions"
    pn = _panel_check(panel, owner)
    x, tx, T_ = check_rfm(frequency, recency, T, owner=owner)
    _align(pn, x, T_, owner)
    tt = np.broadcast_to(check_array(t, owner=owner, field="t", nonnegative=True), x.shape)
    cover = pn.n_periods * pn.period_length
    bad = np.flatnonzero(pn.start + T_ + tt > cover * (1 + 1e-12))
    if bad.size:
        i = int(bad[0])
        raise fail(
            owner,
            "t",
            f"stay within the panel (customer {i} would reach "
            f"{pn.start[i] + T_[i] + tt[i]:g}, the panel ends at {cover:g})",
            float(tt[i]),
        )
    _, la, ld, A, B = _tv_parts(model, x, tx, T_, pn, owner)
    pa = special.expit(la - ld)
    r, al, s, be = (model.base.params[k] for k in ("r", "alpha", "s", "beta"))
    et = _exp_eta(pn, model.trans, owner)
    el = _exp_eta(pn, model.life, owner)
    w = tv_future(
        T_, np.ascontiguousarray(tt, dtype=np.float64), pn.start, pn.period_length, et, el, s, be, B
    )
    return np.asarray(pa * (r + x) / (al + A) * w, dtype=np.float64)


def sample_panel(model: Any, panel: CovariatePanel, *, rng: RNGLike = None) -> CovariatePanel:
    """Simulate the model's story under the panel's covariates: the panel with RFM filled in.

    Each customer draws λ and μ, a death time from the time-varying hazard, and purchases
    from the time-varying Poisson intensity until death or ``T``; the result carries
    frequency, recency and the purchase sums the fit needs.
    """
    from shequn.loyalty.customer_base.covariates import ParetoNBDCovariates

    check_instance(model, ParetoNBDCovariates, owner="sample_panel", field="model")
    owner = f"{type(model).__name__}.sample_panel"
    pn = _panel_check(panel, owner, field="panel")
    gen = resolve_rng(rng, owner=owner)
    r, al, s, be = (model.base.params[k] for k in ("r", "alpha", "s", "beta"))
    et = _exp_eta(pn, model.trans, owner)
    el = _exp_eta(pn, model.life, owner)
    n, L = pn.n_customers, pn.period_length
    lam = gen.gamma(r, 1.0 / al, size=n)
    mu = gen.gamma(s, 1.0 / be, size=n)
    e_death = gen.exponential(1.0, size=n)
    x = np.zeros(n)
    tx = np.zeros(n)
    sums = {name: np.zeros(n) for name in pn.values}
    for i in range(n):
        rt = et[i if et.shape[0] > 1 else 0]
        rl = el[i if el.shape[0] > 1 else 0]
        k0 = math.floor(pn.start[i] / L)
        # period boundaries in customer time, up to T
        bounds = [0.0]
        ks = []
        k = k0
        while bounds[-1] < pn.T[i]:
            end = min((k + 1) * L - pn.start[i], pn.T[i])
            if end > bounds[-1]:
                bounds.append(end)
                ks.append(k)
            k += 1
        b = np.array(bounds)
        kk = np.array(ks, dtype=np.int64)
        dA = rt[kk] * np.diff(b)
        dB = rl[kk] * np.diff(b)
        A = np.r_[0.0, np.cumsum(dA)]
        B = np.r_[0.0, np.cumsum(dB)]
        target = e_death[i] / mu[i]  # die when B(τ) reaches it
        if target >= B[-1]:
            w_end, a_end = pn.T[i], A[-1]
        else:
            j = int(np.searchsorted(B, target, side="right")) - 1
            w_end = b[j] + (target - B[j]) / rl[kk[j]]
            a_end = A[j] + rt[kk[j]] * (w_end - b[j])
        m = gen.poisson(lam[i] * a_end)
        if m == 0:
            continue
        av = gen.uniform(0.0, a_end, size=m)
        j = np.searchsorted(A, av, side="right") - 1
        j = np.minimum(j, kk.size - 1)
        times = b[j] + (av - A[j]) / rt[kk[j]]
        x[i] = m
        tx[i] = float(times.max())
        for name, v in pn.values.items():
            row = v[i] if v.shape[0] > 1 else v[0]
            sums[name][i] = float(row[kk[j]].sum())
    return attrs.evolve(pn, frequency=x, recency=tx, at_purchases=sums)


def fit_time_varying(
    x: FloatArray,
    tx: FloatArray,
    t: FloatArray,
    w: FloatArray,
    panel: CovariatePanel,
    *,
    trans: Mapping[str, ArrayLike] | Sequence[str] | None,
    life: Mapping[str, ArrayLike] | Sequence[str] | None,
    constrain: Sequence[str],
    regularization: Mapping[str, float] | None,
    penalizer: float,
    initial: Mapping[str, float] | None,
    executor: Executor | None,
    owner: str,
) -> CustomerBaseFit[Any]:
    """The time-varying Pareto/NBD fit behind ``ParetoNBD.fit(..., covariates=panel)``."""
    from shequn.loyalty.customer_base.covariates import ParetoNBDCovariates, best_of
    from shequn.loyalty.customer_base.pareto_nbd import ParetoNBD

    _align(panel, x, t, owner)
    for field, arg in (("trans", trans), ("life", life)):
        if isinstance(arg, (Mapping, str)):
            raise fail(
                owner,
                field,
                "list covariate names of the panel (time-varying "
                "covariates come from covariates=panel)",
                type(arg).__name__,
            )
    t_names = [str(k) for k in (trans or [])]
    l_names = [str(k) for k in (life or [])]
    for name in [*t_names, *l_names]:
        if name not in panel.values:
            raise fail(owner, "covariates", f"hold the covariate {name!r}", list(panel.values))
    cons = list(dict.fromkeys(constrain))
    for k in cons:
        if k not in t_names or k not in l_names:
            raise fail(owner, "constrain", "name covariates listed in both trans and life", k)
    if t_names and panel.at_purchases is None:
        raise fail(
            owner,
            "covariates",
            "carry at_purchases (build the panel with CovariatePanel.from_transactions)",
            None,
        )
    coef_names = (
        [f"trans.{k}" for k in t_names if k not in cons]
        + [f"life.{k}" for k in l_names if k not in cons]
        + [f"constr.{k}" for k in cons]
    )
    null: CustomerBaseFit[Any] | None
    try:
        null = ParetoNBD.fit(
            x,
            tx,
            t,
            weights=w,
            penalizer=penalizer,
            initial={k: v for k, v in (initial or {}).items() if k in ParetoNBD.param_names}
            or None,
            executor=executor,
        )
    except ConvergenceError:  # not identified without covariates: start from the defaults
        null = None
    base_names = list(ParetoNBD.param_names)
    names = base_names + coef_names
    scales = ["log"] * 4 + ["linear"] * len(coef_names)
    keep = w > 0
    n_rows = int(keep.sum())
    n_cust = float(w[keep].sum())
    sub = _subset(panel, keep)
    xs, txs, ts, ws = x[keep], tx[keep], t[keep], w[keep]

    def model_at(theta: FloatArray) -> ParetoNBDCovariates:
        base = ParetoNBD(
            **dict(zip(base_names, (float(v) for v in np.exp(theta[:4])), strict=True))
        )
        coefs = dict(zip(coef_names, (float(v) for v in theta[4:]), strict=True))
        tr = {k: coefs[f"constr.{k}"] if k in cons else coefs[f"trans.{k}"] for k in t_names}
        lf = {k: coefs[f"constr.{k}"] if k in cons else coefs[f"life.{k}"] for k in l_names}
        return ParetoNBDCovariates(base=base, trans=tr, life=lf, constrained=tuple(cons))

    Xt = _stack(sub, t_names)
    Xl = _stack(sub, l_names)
    S = (
        np.column_stack([sub.at_purchases[k] for k in t_names])
        if t_names and sub.at_purchases is not None
        else np.zeros((n_rows, 0))
    )
    kt, kl = len(t_names), len(l_names)
    # coefficient k of θ → its columns in (γ_trans, γ_life)
    cols_t = [
        t_names.index(c.split(".", 1)[1]) if c.split(".")[0] in ("trans", "constr") else -1
        for c in coef_names
    ]
    cols_l = [
        l_names.index(c.split(".", 1)[1]) if c.split(".")[0] in ("life", "constr") else -1
        for c in coef_names
    ]

    def fused(theta: FloatArray) -> tuple[float, FloatArray]:
        if not np.all(np.abs(theta) < 700):  # a trial point past what floats hold
            return math.inf, np.zeros_like(theta)
        r, al, s_, be = (float(v) for v in np.exp(theta[:4]))
        coefs = theta[4:]
        gt = np.zeros(kt)
        gl = np.zeros(kl)
        for j in range(coefs.size):
            if cols_t[j] >= 0:
                gt[cols_t[j]] = coefs[j]
            if cols_l[j] >= 0:
                gl[cols_l[j]] = coefs[j]

        def one(b: slice) -> tuple[float, FloatArray]:
            xt = Xt if Xt.shape[0] == 1 else Xt[b]
            xl = Xl if Xl.shape[0] == 1 else Xl[b]
            la, ld, g_la, g_ld = tv_grad_rows(
                xs[b],
                txs[b],
                ts[b],
                sub.start[b],
                sub.period_length,
                xt,
                xl,
                gt,
                gl,
                r,
                al,
                s_,
                be,
            )
            xb = xs[b]
            m = np.logaddexp(la, ld)
            pa = np.exp(la - m)[:, None]
            pd_ = np.exp(ld - m)[:, None]
            g = pa * g_la + pd_ * g_ld  # (rows, 4 + kt + kl) over (α, β, r, s, γt, γl)
            pre = (
                S[b] @ gt
                + special.gammaln(r + xb)
                - special.gammaln(r)
                + r * math.log(al)
                + s_ * math.log(be)
            )
            g[:, 0] += r / al
            g[:, 1] += s_ / be
            g[:, 2] += special.digamma(r + xb) - special.digamma(r) + math.log(al)
            g[:, 3] += math.log(be)
            g[:, 4 : 4 + kt] += S[b]
            wb = ws[b]
            tot = wb @ g
            out = np.empty(theta.size)
            out[0] = tot[2] * r
            out[1] = tot[0] * al
            out[2] = tot[3] * s_
            out[3] = tot[1] * be
            for j in range(coefs.size):
                v = 0.0
                if cols_t[j] >= 0:
                    v += tot[4 + cols_t[j]]
                if cols_l[j] >= 0:
                    v += tot[4 + kt + cols_l[j]]
                out[4 + j] = v
            return -float(wb @ (pre + m)), -out

        with np.errstate(all="ignore"):
            return summed(one, n_rows, executor)

    scale = max(float(np.average(t, weights=w)), 1e-3) / 4
    defaults = {"r": 1.0, "alpha": scale, "s": 1.0, "beta": scale}
    pen = penalty_vector(names, scales, penalizer, owner, regularization)
    user = {k: v for k, v in (initial or {}).items() if k in names} or None

    def attempt(start: Mapping[str, float]) -> CustomerBaseFit[Any]:
        x0 = initial_theta(user, {**start, **{k: 0.0 for k in coef_names}}, names, scales, owner)
        res = maximise(fused, x0, owner=owner, n=n_cust, penalty=pen, names=names)
        return build_fit(
            model_at(res.theta),
            res,
            scales=scales,
            n_customers=n_cust,
            n_rows=n_rows,
            penalizer=penalizer,
            regularization=regularization,
            null=null,
        )

    starts = ([null.params] if null is not None else []) + [defaults]
    return best_of(attempt, starts, base_names)


def _stack(panel: CovariatePanel, names: Sequence[str]) -> FloatArray:
    """(customers or 1, periods, len(names)) array of the named covariates."""
    if not names:
        return np.zeros((1, panel.n_periods, 0))
    vals = [panel.values[k] for k in names]
    rows = max(v.shape[0] for v in vals)
    return np.ascontiguousarray(
        np.stack([np.broadcast_to(v, (rows, panel.n_periods)) for v in vals], axis=-1)
    )


def _subset(panel: CovariatePanel, idx: Any) -> CovariatePanel:
    """The panel of the customers ``idx`` (a boolean mask or indices)."""

    def pick(v: FloatArray) -> FloatArray:
        return v[idx] if v.shape[0] > 1 else v

    return CovariatePanel(
        values={k: pick(v) for k, v in panel.values.items()},
        start=panel.start[idx],
        T=panel.T[idx],
        period_length=panel.period_length,
        frequency=None if panel.frequency is None else panel.frequency[idx],
        recency=None if panel.recency is None else panel.recency[idx],
        at_purchases=None
        if panel.at_purchases is None
        else {k: v[idx] for k, v in panel.at_purchases.items()},
    )
