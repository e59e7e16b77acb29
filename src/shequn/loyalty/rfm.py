"""Recency-frequency-monetary summaries of transaction logs, the input of customer-base models.

For each customer, over a calibration period ending at ``calibration_end``:

* ``frequency`` x — number of *repeat* purchase days (the first purchase day is not counted);
* ``recency`` t_x — time from the first to the last purchase day (0 when x = 0);
* ``T`` — time from the first purchase day to the end of calibration;
* ``monetary`` — mean spend of the repeat purchase days (0 when x = 0). The first purchase is
  left out, as in Fader, Hardie & Lee (2005, "RFM and CLV") and the gamma-gamma note, because
  its value is often atypical.

Purchases on the same calendar day are merged into one (amounts added), as the literature
does: the models count purchase occasions, not order lines. Rows may come in any order and
identical rows are legitimate (CDNOW holds 215 pairs of same-day orders of equal value); they
are merged like any same-day purchases. Customers whose first purchase falls after
``calibration_end`` are not in the summary. With ``observation_end`` the holdout period
``(calibration_end, observation_end]`` adds each customer's holdout purchase count and spend.

Times are whole days internally (a timestamp's time of day is dropped); ``time_unit`` chooses
days or weeks (days / 7) for the output. Timestamps are ``datetime64`` values, numbers of days,
or strings: ISO 8601 dates (``"2024-01-31"``, optionally followed by a time) are read as such,
and any other spelling needs an explicit ``date_format=`` (``"%Y%m%d"`` for ``"20240131"``):
strings are never guessed at, because a guess that reads ``"20150201"`` as the year 20150201 or
``3`` as the year 3 gives a summary that looks fine and is wrong. A log that mixes numbers and
strings is refused. Everything is vectorised numpy: one sort of an int64
key, then ``bincount``/``reduceat`` (10 million rows in a few seconds).

Examples
--------
>>> import numpy as np
>>> from shequn.loyalty.rfm import rfm_summary
>>> ids = [1, 1, 1, 2]
>>> days = np.array(["2024-01-01", "2024-01-08", "2024-01-08", "2024-01-03"], dtype="datetime64[D]")
>>> s = rfm_summary(ids, days, [10.0, 5.0, 5.0, 7.0], calibration_end="2024-01-15",
...                 time_unit="days")
>>> s.frequency.tolist(), s.recency.tolist(), s.T.tolist(), s.monetary.tolist()
([1, 0], [7.0, 0.0], [14.0, 12.0], [10.0, 0.0])
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from shequn._optional import optional_import
from shequn._results import ResultMixin, Summary
from shequn._typing import FloatArray, IntArray, array_eq, optional_array_eq
from shequn._validation import check_array, check_choice, fail

__all__ = ["RFMSummary", "rfm_summary"]

_UNIT = {"days": 1.0, "weeks": 7.0}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$")


@attrs.frozen(kw_only=True, repr=False)
class RFMSummary(ResultMixin):
    """Per-customer RFM statistics (see the module docstring for definitions).

    Attributes
    ----------
    customer_ids
        Customer identifiers, sorted.
    frequency, recency, T, monetary
        Calibration-period statistics, in ``time_unit``.
    first_purchase
        Day number of each customer's first purchase (days since 1970-01-01 for dates).
    holdout_frequency, holdout_monetary
        Purchase days and total spend in the holdout period (``None`` without one).
    holdout_length
        Length of the holdout period in ``time_unit`` (``None`` without one).
    time_unit
        ``"days"`` or ``"weeks"``.
    """

    customer_ids: NDArray[Any] = attrs.field(eq=array_eq)
    frequency: IntArray = attrs.field(eq=array_eq)
    recency: FloatArray = attrs.field(eq=array_eq)
    T: FloatArray = attrs.field(eq=array_eq)
    monetary: FloatArray = attrs.field(eq=array_eq)
    first_purchase: IntArray = attrs.field(eq=array_eq)
    holdout_frequency: IntArray | None = attrs.field(default=None, eq=optional_array_eq)
    holdout_monetary: FloatArray | None = attrs.field(default=None, eq=optional_array_eq)
    holdout_length: float | None = None
    time_unit: str = "weeks"

    def __attrs_post_init__(self) -> None:
        from shequn.loyalty.customer_base._common import check_rfm

        check_rfm(self.frequency, self.recency, self.T, owner="RFMSummary")
        n = self.frequency.size
        ids = np.asarray(self.customer_ids)
        if ids.shape != (n,):
            raise fail(
                "RFMSummary", "customer_ids", f"have one entry per customer ({n})", ids.shape
            )
        srt = np.sort(ids, kind="stable")
        dup = np.flatnonzero(srt[1:] == srt[:-1])
        if dup.size:
            raise fail("RFMSummary", "customer_ids", "be unique (duplicate rows)", srt[dup[0]])
        check_array(self.monetary, owner="RFMSummary", field="monetary", nonnegative=True)
        check_choice(self.time_unit, list(_UNIT), owner="RFMSummary", field="time_unit")

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.frequency.size)

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        hold = "" if self.holdout_length is None else f", holdout {self.holdout_length:g}"
        return (
            f"RFMSummary({self.n:,} customers, {int((self.frequency > 0).sum()):,} with repeat "
            f"purchases, time unit {self.time_unit}{hold})"
        )

    def summary(self) -> Summary:
        """Sizes and averages of the summary (what its notebook display shows).

        Examples
        --------
        >>> s = rfm_summary([1, 1, 2], [0.0, 14.0, 3.0], calibration_end=21.0)
        >>> s.summary()["customers"], s
        (2, RFMSummary(2 customers, 1 with repeat purchases, time unit weeks))
        """
        head: dict[str, Any] = {
            "customers": self.n,
            "with repeat purchases": int((self.frequency > 0).sum()),
            "repeat purchases": int(self.frequency.sum()),
            "mean frequency": float(self.frequency.mean()),
            "mean recency": float(self.recency.mean()),
            "mean T": float(self.T.mean()),
            "time unit": self.time_unit,
        }
        if self.holdout_frequency is not None:
            head["holdout length"] = self.holdout_length
            head["holdout purchases"] = int(self.holdout_frequency.sum())
        return Summary(title=f"RFM summary: {self.n:,} customers", headline=head)

    def to_frame(self) -> Any:
        """The summary as a pandas DataFrame indexed by customer id (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        cols: dict[str, Any] = {
            "frequency": self.frequency,
            "recency": self.recency,
            "T": self.T,
            "monetary": self.monetary,
        }
        if self.holdout_frequency is not None:
            cols["holdout_frequency"] = self.holdout_frequency
            cols["holdout_monetary"] = self.holdout_monetary
        return pd.DataFrame(cols, index=pd.Index(self.customer_ids, name="customer_id"))


def _parse_strings(values: NDArray[Any], date_format: str | None, field: str) -> IntArray:
    """Day numbers of date strings: ISO 8601, or exactly ``date_format`` (never guessed)."""
    uniq, inv = np.unique(values.astype(str), return_inverse=True)
    days = np.empty(uniq.size, dtype=np.int64)
    for i, v in enumerate(uniq.tolist()):
        if date_format is None:
            if not _ISO.match(v):
                raise fail(
                    "rfm_summary",
                    field,
                    "be ISO dates (YYYY-MM-DD) or come with date_format= (e.g. '%Y%m%d'); "
                    "other spellings are never guessed",
                    v,
                )
            try:
                days[i] = int(np.datetime64(v[:10], "D").astype(np.int64))
            except ValueError as exc:
                raise fail("rfm_summary", field, "be valid dates", v) from exc
        else:
            try:
                d = _dt.datetime.strptime(v, date_format).date()
            except ValueError as exc:
                raise fail("rfm_summary", field, f"match date_format {date_format!r}", v) from exc
            days[i] = d.toordinal() - _EPOCH
    return np.asarray(days[inv.ravel()], dtype=np.int64)


_EPOCH = _dt.date(1970, 1, 1).toordinal()


def _to_days(values: ArrayLike, *, field: str, date_format: str | None = None) -> IntArray:
    """Whole day numbers from datetime64 / date strings / numbers (days)."""
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise fail("rfm_summary", field, "be a 1-dimensional array", values) from exc
    if arr.ndim != 1:
        raise fail("rfm_summary", field, f"be 1-dimensional (shape {arr.shape})", arr)
    if np.issubdtype(arr.dtype, np.datetime64):
        if np.isnat(arr).any():
            i = int(np.flatnonzero(np.isnat(arr))[0])
            raise fail("rfm_summary", field, f"not be NaT (index {i})", arr[i])
        return arr.astype("datetime64[D]").astype(np.int64)
    if arr.dtype.kind == "O":
        kinds = {
            "str"
            if isinstance(v, str)
            else "date"
            if isinstance(v, _dt.date | np.datetime64)
            else "number"
            if isinstance(v, int | float | np.number) and not isinstance(v, bool)
            else type(v).__name__
            for v in arr.tolist()
        }
        if len(kinds) > 1 or not kinds <= {"str", "date", "number"}:
            raise fail(
                "rfm_summary",
                field,
                "hold values of one kind (all dates, all date strings or all day numbers)",
                sorted(kinds),
            )
        if kinds == {"date"}:
            return _to_days(np.array(arr.tolist(), dtype="datetime64[D]"), field=field)
        arr = np.array(arr.tolist())
    if arr.dtype.kind in "US":
        return _parse_strings(arr, date_format, field)
    if date_format is not None:
        raise fail("rfm_summary", "date_format", "be given only for string timestamps", date_format)
    num = check_array(arr, owner="rfm_summary", field=field)
    return np.asarray(np.floor(num), dtype=np.int64)


def _to_day(value: Any, *, field: str, date_format: str | None = None) -> int:
    if isinstance(value, str):
        return int(_parse_strings(np.array([value]), date_format, field)[0])
    if isinstance(value, np.datetime64) or hasattr(value, "isoformat"):
        try:
            day = np.datetime64(value, "D")
        except (TypeError, ValueError) as exc:
            raise fail("rfm_summary", field, "be a date or a day number", value) from exc
        if np.isnat(day):
            raise fail("rfm_summary", field, "be a date (not NaT)", value)
        return int(day.astype(np.int64))
    arr = check_array(value, owner="rfm_summary", field=field)
    if arr.ndim != 0:
        raise fail("rfm_summary", field, "be a single date or day number", value)
    if not abs(float(arr)) <= 2.0**53:  # day arithmetic stays exact in int64
        raise fail("rfm_summary", field, "be a day number of magnitude at most 2**53", value)
    return int(np.floor(float(arr)))


def _sort_key(key: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """Stable argsort of a non-negative int64 key, and the sorted key.

    When key and row index fit together in 63 bits, they are packed into one int64 and sorted
    by value (numpy's vectorised sort), which is several times faster than an argsort.
    """
    n = key.size
    idx_bits = max(int(n - 1).bit_length(), 1)
    key_bits = max(int(key.max()).bit_length(), 1) if n else 1
    if idx_bits + key_bits <= 63:
        packed = key << idx_bits
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()
        order = (packed & ((1 << idx_bits) - 1)).astype(np.intp)
        packed >>= idx_bits  # in place: the sorted key
        return order, packed
    order = np.argsort(key, kind="stable")
    return order, key[order]


def check_customer_ids(
    customer_ids: ArrayLike, *, owner: str, field: str = "customer_ids"
) -> NDArray[Any]:
    """Customer ids of a transaction log: a non-empty 1-D array, no NaN, inf or None.

    Examples
    --------
    >>> check_customer_ids([3, 1, 3], owner="rfm_summary").tolist()
    [3, 1, 3]
    >>> check_customer_ids([1.0, float("nan")], owner="tracking")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `tracking.customer_ids` must be finite (index 1); \
got nan
    """
    ids = np.asarray(customer_ids)
    if ids.ndim != 1:
        raise fail(owner, field, f"be 1-dimensional (shape {ids.shape})", ids)
    if ids.size == 0:
        raise fail(owner, field, "hold at least one transaction (empty log)", 0)
    if ids.dtype.kind in "fc" and not np.isfinite(ids).all():
        i = int(np.flatnonzero(~np.isfinite(ids))[0])
        raise fail(owner, field, f"be finite (index {i})", ids[i])
    if ids.dtype == object and any(v is None for v in ids.tolist()):
        raise fail(owner, field, "not contain None", ids)
    return ids


def rfm_summary(
    customer_ids: ArrayLike,
    timestamps: ArrayLike,
    amounts: ArrayLike | None = None,
    *,
    calibration_end: Any = None,
    observation_end: Any = None,
    time_unit: str = "weeks",
    date_format: str | None = None,
) -> RFMSummary:
    """Summarise a transaction log into per-customer frequency, recency, T and mean spend.

    Parameters
    ----------
    customer_ids
        One identifier per transaction (integers or strings).
    timestamps
        Transaction times: ``datetime64`` values, ISO date strings, or numbers of days.
    amounts
        Transaction values (>= 0); zeros when omitted.
    calibration_end
        Last day of the calibration period (inclusive); the last transaction day by default.
    observation_end
        Last day of an optional holdout period (inclusive), after ``calibration_end``.
    time_unit
        ``"weeks"`` (default, as in the literature) or ``"days"``.
    date_format
        :func:`datetime.datetime.strptime` format of string timestamps (and of string
        ``calibration_end``/``observation_end``) that are not ISO dates, e.g. ``"%Y%m%d"``.

    Returns
    -------
    RFMSummary

    Examples
    --------
    >>> s = rfm_summary([7, 7, 9], [0.0, 14.0, 3.0], [2.0, 4.0, 1.0], calibration_end=21.0)
    >>> s.frequency.tolist(), s.recency.tolist(), s.T.tolist()
    ([1, 0], [2.0, 0.0], [3.0, 2.571428571428571])
    >>> s = rfm_summary([1, 1, 2], ["20150201", "20150206", "20150101"],
    ...                 calibration_end="20150207", time_unit="days", date_format="%Y%m%d")
    >>> s.recency.tolist(), s.T.tolist()
    ([5.0, 0.0], [6.0, 37.0])
    >>> rfm_summary([1, 1], ["20150201", "20150206"])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `rfm_summary.timestamps` must be ISO dates \
(YYYY-MM-DD) or come with date_format= (e.g. '%Y%m%d'); other spellings are never guessed; \
got '20150201'
    """
    unit = _UNIT[check_choice(time_unit, list(_UNIT), owner="rfm_summary", field="time_unit")]
    ids = check_customer_ids(customer_ids, owner="rfm_summary")
    if date_format is not None and not isinstance(date_format, str):
        raise fail("rfm_summary", "date_format", "be a strptime format string", date_format)
    days = _to_days(timestamps, field="timestamps", date_format=date_format)
    if days.size != ids.size:
        raise fail(
            "rfm_summary", "timestamps", f"have one entry per transaction ({ids.size})", days.size
        )
    if amounts is None:
        amt = np.zeros(ids.size)
    else:
        amt = check_array(amounts, owner="rfm_summary", field="amounts", ndim=1, nonnegative=True)
        if amt.size != ids.size:
            raise fail(
                "rfm_summary", "amounts", f"have one entry per transaction ({ids.size})", amt.size
            )
    cal = (
        int(days.max())
        if calibration_end is None
        else _to_day(calibration_end, field="calibration_end", date_format=date_format)
    )
    obs: int | None = None
    if observation_end is not None:
        obs = _to_day(observation_end, field="observation_end", date_format=date_format)
        if obs <= cal:
            raise fail(
                "rfm_summary",
                "observation_end",
                f"be after `rfm_summary.calibration_end` (day {cal})",
                observation_end,
            )
        keep = days <= obs
        if not keep.any():
            raise fail(
                "rfm_summary",
                "calibration_end",
                "leave at least one customer's first purchase in the calibration period "
                f"(every transaction is after observation_end, day {obs})",
                calibration_end,
            )
        if not keep.all():
            ids, days, amt = ids[keep], days[keep], amt[keep]

    # integer customer codes (np.unique sorts the ids)
    if ids.dtype.kind in "iu" and ids.size and int(ids.max()) - int(ids.min()) < 4 * ids.size + 16:
        lo_id = int(ids.min())
        present = np.zeros(int(ids.max()) - lo_id + 1, dtype=bool)
        present[ids - lo_id] = True
        uid = np.flatnonzero(present) + lo_id
        remap = np.cumsum(present) - 1
        codes = remap[ids - lo_id]
    else:
        uid, codes = np.unique(ids, return_inverse=True)
        codes = codes.ravel()
    dmin = int(days.min())
    span = int(days.max()) - dmin + 1
    key = codes.astype(np.int64)
    del codes
    key *= span
    key += days
    key -= dmin
    del days
    order, key_s = _sort_key(key)
    del key
    starts = np.flatnonzero(np.r_[True, key_s[1:] != key_s[:-1]])
    ukey = key_s[starts]
    day_amt = np.add.reduceat(amt[order], starts) if amt.size else amt
    ucode = ukey // span
    uday = ukey % span + dmin

    first_idx = np.flatnonzero(np.r_[True, ucode[1:] != ucode[:-1]])
    cust_code = ucode[first_idx]
    first_day = uday[first_idx]
    in_cal_cust = first_day <= cal
    # per purchase-day: its customer's position and whether it is in calibration
    pos = np.repeat(np.arange(first_idx.size), np.diff(np.r_[first_idx, ucode.size]))
    is_first = np.zeros(ucode.size, dtype=bool)
    is_first[first_idx] = True
    in_cal = uday <= cal
    n_c = first_idx.size
    cal_days = np.bincount(pos, weights=in_cal, minlength=n_c)
    x = (cal_days - 1).astype(np.int64)
    # days are sorted within a customer, so her calibration days come first
    last_cal = uday[first_idx + np.maximum(cal_days.astype(np.int64) - 1, 0)]
    rep = in_cal & ~is_first
    rep_spend = np.bincount(pos[rep], weights=day_amt[rep], minlength=n_c)

    sel = in_cal_cust
    if not sel.any():
        raise fail(
            "rfm_summary",
            "calibration_end",
            "leave at least one customer's first purchase in the calibration period",
            calibration_end,
        )
    x = x[sel]
    recency = ((last_cal[sel] - first_day[sel]) / unit).astype(np.float64)
    T = ((cal - first_day[sel]) / unit).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(x > 0, rep_spend[sel] / np.maximum(x, 1), 0.0)
    hold_f: IntArray | None = None
    hold_m: FloatArray | None = None
    hold_len: float | None = None
    if obs is not None:
        ho = ~in_cal
        hold_f = np.bincount(pos[ho], minlength=n_c).astype(np.int64)[sel]
        hold_m = np.asarray(
            np.bincount(pos[ho], weights=day_amt[ho], minlength=n_c)[sel], dtype=np.float64
        )
        hold_len = (obs - cal) / unit
    return RFMSummary(
        customer_ids=uid[cust_code[sel]],
        frequency=x,
        recency=recency,
        T=T,
        monetary=np.asarray(monetary, dtype=np.float64),
        first_purchase=first_day[sel].astype(np.int64),
        holdout_frequency=hold_f,
        holdout_monetary=hold_m,
        holdout_length=hold_len,
        time_unit=time_unit,
    )
