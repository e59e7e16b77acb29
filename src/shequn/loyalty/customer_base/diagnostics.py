"""What a fitted customer-base model says about a whole customer base, as result objects with
``summary()``, ``to_frame()`` and ``plot()`` (the figures are in
:mod:`shequn.plotting.customer_base`, extra ``plot``):

* :func:`tracking` — expected cumulative repeat transactions of a cohort whose members made
  their first purchase on different days (each customer contributes ``E[X(t − first_i)]``),
  against the actual ones, daily or weekly, cumulative and incremental, with the end of
  calibration marked (Fader, Hardie & Lee 2005, fig. 2–3; lifetimes'
  ``expected_cumulative_transactions``);
* :func:`alive_path` — one customer's P(alive) over time as her purchases come in (lifetimes'
  ``calculate_alive_path``);
* :func:`frequency_recency_matrix` — P(alive) or expected purchases over a frequency × recency
  grid (lifetimes' ``plot_frequency_recency_matrix`` and ``plot_probability_alive_matrix``);
* :func:`calibration_holdout` — mean holdout purchases by calibration frequency, actual against
  model (lifetimes' ``plot_calibration_purchases_vs_holdout_purchases``);
* :func:`period_transactions` — customers by number of repeat purchases in calibration, actual
  against the model's expected counts ``Σ_i P(X(T_i) = k)`` (exact, where lifetimes simulates).

Examples
--------
>>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
>>> from shequn.loyalty.customer_base.diagnostics import tracking
>>> log = load_cdnow_sample()
>>> fit = BGNBD.fit(data=log.rfm())
>>> tr = tracking(fit.model, log.customer_id, log.date, calibration_end="1997-09-30",
...               observation_end="1998-06-30")
>>> tr.summary()["actual at calibration end"], round(tr.summary()["expected at calibration end"])
(2457, 2494)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike

from shequn._optional import optional_import
from shequn._results import ResultMixin, Summary, Table
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import (
    check_array,
    check_choice,
    check_int,
    check_memory,
    check_positive,
    fail,
)
from shequn.loyalty.customer_base._common import check_rfm

__all__ = [
    "AlivePath",
    "CalibrationHoldout",
    "FrequencyRecencyMatrix",
    "PeriodTransactions",
    "Tracking",
    "alive_path",
    "calibration_holdout",
    "frequency_recency_matrix",
    "period_transactions",
    "tracking",
]

_UNIT = {"days": 1.0, "weeks": 7.0}


def _model(model: Any, owner: str) -> Any:
    inner = getattr(model, "model", model)  # a fit holds the model
    for name in ("p_alive", "conditional_expected_transactions", "expected_transactions"):
        if not hasattr(inner, name):
            raise fail(
                owner,
                "model",
                "be a BG/NBD, MBG/NBD or Pareto/NBD model (or its fit)",
                type(model).__name__,
            )
    if hasattr(inner, "customer_params"):
        raise fail(
            owner,
            "model",
            "be a model without covariates (use "
            "model.for_customer({...}) for one covariate profile)",
            type(model).__name__,
        )
    return inner


# -- tracking curves ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Tracking(ResultMixin):
    """Actual and expected cumulative repeat transactions of a cohort, period by period.

    Attributes
    ----------
    time
        End of each period, in days since the cohort's first purchase.
    actual, expected
        Cumulative repeat transactions by the end of each period.
    calibration_end
        End of calibration, in days since the cohort's first purchase.
    period
        ``"days"`` or ``"weeks"``.
    """

    time: FloatArray = attrs.field(eq=array_eq)
    actual: FloatArray = attrs.field(eq=array_eq)
    expected: FloatArray = attrs.field(eq=array_eq)
    calibration_end: float
    period: str

    @property
    def actual_incremental(self) -> FloatArray:
        """Repeat transactions in each period."""
        return np.diff(self.actual, prepend=0.0)

    @property
    def expected_incremental(self) -> FloatArray:
        """Expected repeat transactions in each period."""
        return np.diff(self.expected, prepend=0.0)

    def summary(self) -> Summary:
        """Totals at the end of calibration and of the observation, actual and expected."""
        i = int(np.searchsorted(self.time, self.calibration_end, side="right")) - 1
        i = max(i, 0)
        head: dict[str, Any] = {
            "periods": int(self.time.size),
            "actual at calibration end": round(float(self.actual[i])),
            "expected at calibration end": float(self.expected[i]),
            "actual at the end": round(float(self.actual[-1])),
            "expected at the end": float(self.expected[-1]),
        }
        hold = self.time > self.calibration_end
        if hold.any():
            a = float(self.actual[-1] - self.actual[i])
            e = float(self.expected[-1] - self.expected[i])
            head["holdout error"] = (e - a) / a if a else float("nan")
        return Summary(
            title=f"Tracking: cumulative repeat transactions by {self.period[:-1]}",
            headline=head,
            notes=("holdout error = (expected − actual) / actual after calibration.",),
        )

    def to_frame(self) -> Any:
        """Per period: time, actual and expected, cumulative and incremental (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            {
                "time": self.time,
                "actual": self.actual,
                "expected": self.expected,
                "actual_incremental": self.actual_incremental,
                "expected_incremental": self.expected_incremental,
            }
        )


def _days(values: Any, field: str, date_format: str | None) -> IntArray:
    from shequn.loyalty.rfm import _to_days

    return _to_days(values, field=field, date_format=date_format)


def _day(value: Any, field: str, date_format: str | None) -> int:
    from shequn.loyalty.rfm import _to_day

    return _to_day(value, field=field, date_format=date_format)


def expected_cumulative(model: Any, first: FloatArray, times: FloatArray) -> FloatArray:
    """Σ_i E[X(t − first_i)] over customers with first_i < t, for each t (model time units).

    Customers are grouped by first-purchase time, so the cost grows with the number of
    distinct first days, not of customers.

    Examples
    --------
    >>> from shequn.loyalty.customer_base import BGNBD
    >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> expected_cumulative(m, np.zeros(10), np.array([39.0])).round(2).tolist()  # 10 × E[X(39)]
    [11.97]
    """
    vf, counts = np.unique(first, return_counts=True)
    lags = times[:, None] - vf[None, :]
    pos = lags > 0
    out = np.zeros(lags.shape)
    if pos.any():
        vals, inv = np.unique(lags[pos], return_inverse=True)
        out[pos] = model.expected_transactions(vals)[inv.ravel()]
    return np.asarray(out @ counts, dtype=np.float64)


def tracking(
    model: Any,
    customer_ids: ArrayLike,
    timestamps: ArrayLike,
    *,
    calibration_end: Any,
    observation_end: Any = None,
    period: str = "weeks",
    time_unit: str = "weeks",
    date_format: str | None = None,
) -> Tracking:
    """Actual and expected cumulative repeat transactions of a cohort (tracking curves).

    Parameters
    ----------
    model
        A BG/NBD, MBG/NBD or Pareto/NBD (or its fit) in ``time_unit``.
    customer_ids, timestamps
        The transaction log (dates, date strings or day numbers, as for
        :func:`~shequn.loyalty.rfm.rfm_summary`; same-day purchases are one purchase).
    calibration_end
        End of calibration (marked on the plot); customers who first buy later are left out.
    observation_end
        End of the curves (default: the last transaction).
    period
        ``"days"`` or ``"weeks"``: the curves' resolution.
    time_unit
        The model's time unit.
    date_format
        As for :func:`~shequn.loyalty.rfm.rfm_summary`.

    Examples
    --------
    >>> from shequn.loyalty.customer_base import BGNBD
    >>> m = BGNBD(r=0.5, alpha=5.0, a=0.8, b=2.5)
    >>> tr = tracking(m, [1, 1, 2], [0, 14, 7], calibration_end=21, observation_end=28,
    ...               period="days")
    >>> float(tr.actual[-1]), tr.time.size  # days 0 to 28
    (1.0, 29)
    """
    owner = "tracking"
    mdl = _model(model, owner)
    unit = _UNIT[check_choice(time_unit, list(_UNIT), owner=owner, field="time_unit")]
    step = _UNIT[check_choice(period, list(_UNIT), owner=owner, field="period")]
    from shequn.loyalty.rfm import check_customer_ids  # rfm imports this package

    ids = check_customer_ids(customer_ids, owner=owner)
    days = _days(timestamps, "timestamps", date_format)
    if ids.ndim != 1 or ids.size != days.size or ids.size == 0:
        raise fail(
            owner, "customer_ids", f"have one entry per transaction ({days.size})", ids.shape
        )
    cal = _day(calibration_end, "calibration_end", date_format)
    end = (
        int(days.max())
        if observation_end is None
        else _day(observation_end, "observation_end", date_format)
    )
    if end < cal:
        raise fail(owner, "observation_end", "not be before calibration_end", observation_end)
    _, code = np.unique(ids, return_inverse=True)
    code = code.ravel()
    order = np.lexsort((days, code))
    code, days = code[order], days[order]
    new = np.r_[True, (code[1:] != code[:-1]) | (days[1:] != days[:-1])]
    code, days = code[new], days[new]
    first_of = np.r_[True, code[1:] != code[:-1]]
    first_day = days[first_of][np.cumsum(first_of) - 1]
    in_cohort = first_day <= cal
    if not in_cohort.any():
        raise fail(owner, "calibration_end", "come after some first purchase", calibration_end)
    firsts = days[first_of & in_cohort]
    repeat_days = days[~first_of & in_cohort & (days <= end)]
    d0 = int(firsts.min())
    n_per = max(1, int(np.ceil((end - d0 + 1) / step)))
    t = np.arange(1, n_per + 1) * step  # period ends, days since d0
    edges = d0 + t - 1  # last day of each period (inclusive)
    actual = np.searchsorted(np.sort(repeat_days), edges, side="right").astype(np.float64)
    # a customer who first bought on day f has age e − f at the end of day e, as in
    # rfm_summary (T = calibration_end − first purchase day)
    expected = expected_cumulative(
        mdl,
        np.asarray((firsts - d0) / unit, dtype=np.float64),
        np.asarray((edges - d0) / unit, dtype=np.float64),
    )
    return Tracking(
        time=t.astype(np.float64),
        actual=actual,
        expected=expected,
        calibration_end=float(cal - d0 + 1),
        period=period,
    )


# -- one customer's P(alive) history --------------------------------------------------------


@attrs.frozen(kw_only=True)
class AlivePath(ResultMixin):
    """P(alive) of one customer over time, given her purchases up to each moment.

    Attributes
    ----------
    time
        Times since her first purchase (model time unit).
    p_alive
        P(alive) at each time.
    purchases
        Times of her repeat purchases.
    """

    time: FloatArray = attrs.field(eq=array_eq)
    p_alive: FloatArray = attrs.field(eq=array_eq)
    purchases: FloatArray = attrs.field(eq=array_eq)

    def summary(self) -> Summary:
        """Repeat purchases, the last P(alive) and the lowest one."""
        return Summary(
            title="P(alive) history of one customer",
            headline={
                "repeat purchases": int(self.purchases.size),
                "observed for": float(self.time[-1]),
                "P(alive) at the end": float(self.p_alive[-1]),
                "lowest P(alive)": float(self.p_alive.min()),
            },
        )

    def to_frame(self) -> Any:
        """Time and P(alive) (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame({"time": self.time, "p_alive": self.p_alive})


def alive_path(
    model: Any,
    purchase_times: ArrayLike,
    *,
    end: float | None = None,
    step: float = 1.0,
) -> AlivePath:
    """P(alive) of one customer from her first purchase to ``end``, on a grid of ``step``.

    ``purchase_times`` are her purchases in the model's time unit, the first one included
    (times are shifted so that it is 0). At each grid time u the model sees the purchases up
    to u: ``p_alive(x(u), t_x(u), u)``; the purchase times themselves are added to the grid, so
    the curve shows the jump at each purchase.

    Examples
    --------
    >>> from shequn.loyalty.customer_base import BGNBD
    >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> path = alive_path(m, [0.0, 2.0, 5.0], end=30.0)
    >>> float(path.p_alive[0]), bool(path.p_alive[-1] < 0.6)
    (1.0, True)
    """
    owner = "alive_path"
    mdl = _model(model, owner)
    tm = np.sort(check_array(purchase_times, owner=owner, field="purchase_times", ndim=1))
    if tm.size == 0:
        raise fail(owner, "purchase_times", "hold at least the first purchase", 0)
    tm = np.unique(tm - tm[0])
    last = float(tm[-1])
    stop = last if end is None else check_positive(end, owner=owner, field="end")
    if stop < last:
        raise fail(owner, "end", f"not be before the last purchase ({last:g})", end)
    h = check_positive(step, owner=owner, field="step")
    check_memory(  # the grid and a few arrays over it
        48.0 * (stop / h + tm.size + 2.0),
        owner=owner,
        field="step" if h < 1.0 else "end",
        value=step if h < 1.0 else end,
    )
    grid = np.unique(np.r_[np.arange(0.0, stop, h), stop, tm])
    rep = tm[1:]
    x = np.searchsorted(rep, grid, side="right").astype(np.float64)
    tx = np.where(x > 0, rep[np.maximum(x.astype(np.int64) - 1, 0)] if rep.size else 0.0, 0.0)
    return AlivePath(time=grid, p_alive=mdl.p_alive(x, tx, grid), purchases=rep.copy())


# -- frequency × recency matrices -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class FrequencyRecencyMatrix(ResultMixin):
    """A quantity over a grid of frequency (rows) and recency (columns) at a fixed age T.

    Attributes
    ----------
    frequency, recency
        The grid.
    values
        ``values[i, j]`` at (frequency[i], recency[j]); NaN where the pair is impossible
        (frequency 0 with recency > 0).
    T
        Customers' age.
    kind
        ``"p_alive"`` or ``"expected"`` (expected purchases in the next ``t``).
    t
        The forecast horizon for ``kind="expected"``.
    """

    frequency: FloatArray = attrs.field(eq=array_eq)
    recency: FloatArray = attrs.field(eq=array_eq)
    values: FloatArray = attrs.field(eq=array_eq)
    T: float
    kind: str
    t: float

    def summary(self) -> Summary:
        """Grid size and the range of values."""
        what = "P(alive)" if self.kind == "p_alive" else f"expected purchases in {self.t:g}"
        return Summary(
            title=f"{what} by frequency and recency (T = {self.T:g})",
            headline={
                "frequencies": int(self.frequency.size),
                "recencies": int(self.recency.size),
                "lowest": float(np.nanmin(self.values)),
                "highest": float(np.nanmax(self.values)),
            },
        )

    def to_frame(self) -> Any:
        """The matrix with frequency as index and recency as columns (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            self.values,
            index=pd.Index(self.frequency, name="frequency"),
            columns=pd.Index(self.recency, name="recency"),
        )


def frequency_recency_matrix(
    model: Any,
    *,
    T: float,
    max_frequency: int = 20,
    recency: ArrayLike | None = None,
    kind: str = "expected",
    t: float = 1.0,
) -> FrequencyRecencyMatrix:
    """P(alive) or expected purchases in the next ``t`` for every (frequency, recency) at age T.

    Parameters
    ----------
    model
        A BG/NBD, MBG/NBD or Pareto/NBD (or its fit).
    T
        Age of the customers (recency runs from 0 to T).
    max_frequency
        Largest frequency on the grid.
    recency
        Recency values (default: 0, 1, ..., floor(T), and T).
    kind
        ``"expected"`` or ``"p_alive"``.
    t
        Horizon of the expected purchases.

    Examples
    --------
    >>> from shequn.loyalty.customer_base import BGNBD
    >>> m = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> fr = frequency_recency_matrix(m, T=39.0, max_frequency=5, kind="p_alive")
    >>> fr.values.shape, float(fr.values[0, 0]), bool(np.isnan(fr.values[0, 1]))
    ((6, 40), 1.0, True)
    """
    owner = "frequency_recency_matrix"
    mdl = _model(model, owner)
    age = check_positive(T, owner=owner, field="T")
    fmax = check_int(max_frequency, owner=owner, field="max_frequency", low=1)
    which = check_choice(kind, ["expected", "p_alive"], owner=owner, field="kind")
    h = check_positive(t, owner=owner, field="t")
    if recency is None:  # one column per whole time unit up to T: bounded by memory
        check_memory(64.0 * (math.floor(age) + 2.0), owner=owner, field="T", value=T)
        rec = np.unique(np.r_[np.arange(0.0, np.floor(age) + 1.0), age])
    else:
        rec = np.unique(
            check_array(recency, owner=owner, field="recency", ndim=1, nonnegative=True)
        )
    check_memory(  # a handful of float arrays over the grid
        64.0 * (fmax + 1.0) * rec.size, owner=owner, field="max_frequency", value=max_frequency
    )
    if rec.size == 0 or rec[-1] > age:
        raise fail(owner, "recency", f"lie in [0, T={age:g}]", rec)
    f = np.arange(fmax + 1, dtype=np.float64)
    F, R = np.meshgrid(f, rec, indexing="ij")
    ok = ~((F == 0) & (R > 0))
    out = np.full(F.shape, np.nan)
    xs, rs = F[ok], R[ok]
    Ts = np.full(xs.shape, age)
    if which == "p_alive":
        out[ok] = mdl.p_alive(xs, rs, Ts)
    else:
        out[ok] = mdl.conditional_expected_transactions(h, xs, rs, Ts)
    return FrequencyRecencyMatrix(frequency=f, recency=rec, values=out, T=age, kind=which, t=h)


# -- calibration vs holdout ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CalibrationHoldout(ResultMixin):
    """Mean holdout purchases by calibration frequency: actual and model.

    Attributes
    ----------
    frequency
        Calibration frequency of each bin (the last bin holds ``max_frequency`` and more).
    customers
        Customers per bin.
    actual, expected
        Mean holdout purchases per customer in each bin.
    holdout_length
        Length of the holdout period (model time unit).
    """

    frequency: IntArray = attrs.field(eq=array_eq)
    customers: IntArray = attrs.field(eq=array_eq)
    actual: FloatArray = attrs.field(eq=array_eq)
    expected: FloatArray = attrs.field(eq=array_eq)
    holdout_length: float

    def summary(self) -> Summary:
        """Per-bin table and the overall totals."""
        rows = {
            (f"{int(f)}+" if i == self.frequency.size - 1 else str(int(f))): (
                int(c),
                float(a),
                float(e),
            )
            for i, (f, c, a, e) in enumerate(
                zip(self.frequency, self.customers, self.actual, self.expected, strict=True)
            )
        }
        tot = float(self.customers @ self.actual)
        exp = float(self.customers @ self.expected)
        return Summary(
            title=f"Calibration vs holdout purchases ({self.holdout_length:g} time units)",
            headline={"actual holdout purchases": tot, "expected holdout purchases": exp},
            table=Table(columns=("customers", "actual", "expected"), rows=rows),
        )

    def to_frame(self) -> Any:
        """One row per frequency bin (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            {
                "frequency": self.frequency,
                "customers": self.customers,
                "actual": self.actual,
                "expected": self.expected,
            }
        )


def calibration_holdout(
    model: Any,
    summary: Any,
    *,
    max_frequency: int = 7,
    covariates: Mapping[str, ArrayLike] | Any = None,
) -> CalibrationHoldout:
    """Mean holdout purchases by calibration frequency, actual against model.

    ``summary`` is an :class:`~shequn.loyalty.rfm.RFMSummary` built with ``observation_end``
    (so it has holdout counts), or any object with ``frequency``, ``recency``, ``T``,
    ``holdout_frequency`` and ``holdout_length``. A covariate model needs ``covariates``.

    Examples
    --------
    >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
    >>> s = load_cdnow_sample().rfm()
    >>> ch = calibration_holdout(BGNBD.fit(data=s).model, s)
    >>> int(ch.customers[0]), round(float(ch.actual[0]), 2), round(float(ch.expected[0]), 2)
    (1411, 0.24, 0.23)
    """
    owner = "calibration_holdout"
    inner = getattr(model, "model", model)
    if not callable(getattr(inner, "conditional_expected_transactions", None)):
        raise fail(owner, "model", "be a customer-base model or fit (BGNBD, ParetoNBD, ...)", model)
    if getattr(summary, "holdout_frequency", None) is None:
        raise fail(
            owner,
            "summary",
            "have a holdout (rfm_summary(..., observation_end=...))",
            type(summary).__name__,
        )
    fmax = check_int(max_frequency, owner=owner, field="max_frequency", low=1)
    x, tx, T = check_rfm(summary.frequency, summary.recency, summary.T, owner=owner)
    hold = np.asarray(summary.holdout_frequency, dtype=np.float64)
    length = check_positive(summary.holdout_length, owner=owner, field="summary.holdout_length")
    kw = {} if covariates is None else {"covariates": covariates}
    exp = inner.conditional_expected_transactions(length, x, tx, T, **kw)
    b = np.minimum(x, fmax).astype(np.int64)
    counts = np.bincount(b, minlength=fmax + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        act = np.bincount(b, weights=hold, minlength=fmax + 1) / counts
        ex = np.bincount(b, weights=exp, minlength=fmax + 1) / counts
    keep = counts > 0
    return CalibrationHoldout(
        frequency=np.arange(fmax + 1)[keep],
        customers=counts[keep],
        actual=act[keep],
        expected=ex[keep],
        holdout_length=length,
    )


# -- period transactions --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PeriodTransactions(ResultMixin):
    """Customers by number of repeat purchases in calibration: actual and expected counts.

    Attributes
    ----------
    frequency
        0, 1, ..., ``max_frequency`` (the last bin holds ``max_frequency`` and more).
    actual, expected
        Number of customers in each bin.
    """

    frequency: IntArray = attrs.field(eq=array_eq)
    actual: FloatArray = attrs.field(eq=array_eq)
    expected: FloatArray = attrs.field(eq=array_eq)

    @property
    def chi_square(self) -> float:
        """Pearson's Σ (actual − expected)² / expected over the bins."""
        return float(np.sum((self.actual - self.expected) ** 2 / self.expected))

    def summary(self) -> Summary:
        """The bins and Pearson's statistic."""
        last = self.frequency.size - 1
        rows = {
            (f"{int(f)}+" if i == last else str(int(f))): (float(a), float(e))
            for i, (f, a, e) in enumerate(
                zip(self.frequency, self.actual, self.expected, strict=True)
            )
        }
        return Summary(
            title="Customers by repeat purchases in calibration",
            headline={"customers": float(self.actual.sum()), "chi-square": self.chi_square},
            table=Table(columns=("actual", "expected"), rows=rows),
        )

    def to_frame(self) -> Any:
        """One row per bin (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            {"frequency": self.frequency, "actual": self.actual, "expected": self.expected}
        )


def period_transactions(
    model: Any, frequency: ArrayLike, T: ArrayLike, *, max_frequency: int = 7
) -> PeriodTransactions:
    """Actual and expected numbers of customers with 0, 1, ... repeat purchases in calibration.

    The expected count of bin k is ``Σ_i P(X(T_i) = k)`` (customers grouped by T), and the
    last bin is ``Σ_i P(X(T_i) >= max_frequency)``.

    Examples
    --------
    >>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
    >>> s = load_cdnow_sample().rfm()
    >>> pt = period_transactions(BGNBD.fit(data=s).model, s.frequency, s.T)
    >>> int(pt.actual[0]), round(float(pt.expected[0]))
    (1411, 1408)
    """
    owner = "period_transactions"
    mdl = _model(model, owner)
    x = check_array(
        frequency, owner=owner, field="frequency", ndim=1, nonnegative=True, integer=True
    )
    t = check_array(T, owner=owner, field="T", ndim=1, nonnegative=True)
    if x.size != t.size or x.size == 0:
        raise fail(owner, "T", f"have one entry per customer ({x.size})", t.size)
    fmax = check_int(max_frequency, owner=owner, field="max_frequency", low=1)
    actual = np.bincount(np.minimum(x, fmax).astype(np.int64), minlength=fmax + 1).astype(float)
    vt, counts = np.unique(t, return_counts=True)
    k = np.arange(fmax)
    expected = np.zeros(fmax + 1)
    for tv, c in zip(vt, counts, strict=True):
        p = mdl.prob_transactions(k, float(tv))
        expected[:fmax] += c * p
        expected[fmax] += c * max(0.0, 1.0 - float(p.sum()))
    return PeriodTransactions(frequency=np.arange(fmax + 1), actual=actual, expected=expected)
