"""The CDNOW data set, shipped as package data for examples and tests.

CDNOW was an online music retailer. The sample holds every purchase from January 1997 to June
1998 of 2,357 customers (a 1/10 random sample of the cohort that first bought in the first
quarter of 1997): 6,919 rows of customer, date, number of CDs and dollar value. It is the data
of Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", *Marketing Science* 24(2), 275–284, and of Fader, Hardie & Lee (2005),
"RFM and CLV: using iso-value curves for customer base analysis", *Journal of Marketing
Research* 42(4), 415–430; Bruce Hardie distributes it at brucehardie.com. This copy is the
``CDNOW_sample.txt`` file distributed with the lifetimes package (MIT licence, © 2015 Cameron
Davidson-Pilon; see ``data/LICENSE_cdnow.txt``), as BTYD does for R.

Examples
--------
>>> from shequn.loyalty.datasets import load_cdnow_sample
>>> log = load_cdnow_sample()
>>> log.n_transactions, int(np.unique(log.customer_id).size)
(6919, 2357)
>>> log
TransactionLog(6,919 transactions, 2,357 customers, 1997-01-01 to 1998-06-30)
"""

from __future__ import annotations

import os
import warnings
from importlib import resources
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._results import ResultMixin, Summary
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import check_array, check_path, fail
from shequn.exceptions import ShequnDeprecationWarning
from shequn.loyalty.rfm import RFMSummary, rfm_summary

__all__ = [
    "CALIBRATION_END",
    "OBSERVATION_END",
    "TransactionLog",
    "load_cdnow_sample",
    "read_cdnow",
]

CALIBRATION_END = np.datetime64("1997-09-30", "D")
"""Last day of the 39-week calibration period used in the CDNOW papers."""
OBSERVATION_END = np.datetime64("1998-06-30", "D")
"""Last day of the 39-week holdout period."""


@attrs.frozen(kw_only=True, repr=False)
class TransactionLog(ResultMixin):
    """A transaction log: one row per order.

    Attributes
    ----------
    customer_id
        Customer of each order (int64).
    date
        Order date (``datetime64[D]``).
    quantity
        Items (CDs) in the order.
    amount
        Order value in dollars.
    """

    customer_id: IntArray = attrs.field(eq=array_eq)
    date: NDArray[np.datetime64] = attrs.field(eq=array_eq)
    quantity: IntArray = attrs.field(eq=array_eq)
    amount: FloatArray = attrs.field(eq=array_eq)

    def __attrs_post_init__(self) -> None:
        # checked and stored as arrays: counts are whole numbers >= 0, amounts finite >= 0,
        # dates datetime64 without NaT, one entry per order in every column
        owner = "TransactionLog"
        cols = {
            name: check_array(
                getattr(self, name), owner=owner, field=name, dtype=dt, ndim=1, nonnegative=True
            )
            for name, dt in (
                ("customer_id", np.int64),
                ("quantity", np.int64),
                ("amount", np.float64),
            )
        }
        cols["date"] = _check_dates(self.date)
        n = cols["customer_id"].size
        for name in ("date", "quantity", "amount"):
            if cols[name].size != n:
                raise fail(
                    owner,
                    name,
                    f"have one entry per order ({n}, as `{owner}.customer_id`)",
                    cols[name].size,
                )
        for name, value in cols.items():
            object.__setattr__(self, name, value)

    @property
    def n_transactions(self) -> int:
        """Number of rows."""
        return int(self.customer_id.size)

    def __repr__(self) -> str:
        span = f", {self.date.min()} to {self.date.max()}" if self.n_transactions else ""
        return (
            f"TransactionLog({self.n_transactions:,} transactions, "
            f"{int(np.unique(self.customer_id).size):,} customers{span})"
        )

    def rfm(
        self,
        *,
        calibration_end: np.datetime64 = CALIBRATION_END,
        observation_end: np.datetime64 | None = OBSERVATION_END,
        time_unit: str = "weeks",
    ) -> RFMSummary:
        """RFM summary with the papers' 39-week calibration and holdout periods.

        Examples
        --------
        >>> s = load_cdnow_sample().rfm()
        >>> s.n, int(s.frequency.sum()), round(float(s.T.max()), 2)
        (2357, 2457, 38.86)
        """
        return rfm_summary(
            self.customer_id,
            self.date,
            self.amount,
            calibration_end=calibration_end,
            observation_end=observation_end,
            time_unit=time_unit,
        )

    def summary(self, **kwargs: Any) -> Summary:
        """Sizes, dates and spend of the log (its notebook display).

        Until the next release the result also answers the RFM summary's attributes
        (``log.summary().frequency``) with a :class:`DeprecationWarning`: use :meth:`rfm`.

        Examples
        --------
        >>> load_cdnow_sample().summary()["customers"]
        2357
        """
        head: dict[str, Any] = {
            "transactions": self.n_transactions,
            "customers": int(np.unique(self.customer_id).size),
            "first date": str(self.date.min()) if self.n_transactions else "-",
            "last date": str(self.date.max()) if self.n_transactions else "-",
            "total amount": float(self.amount.sum()),
            "items": int(self.quantity.sum()),
        }
        if kwargs:  # the RFM options are checked now, not at the first deprecated attribute read
            self.rfm(**kwargs)
        return _LogSummary(title="Transaction log", headline=head, log=self, rfm_kwargs=kwargs)


@attrs.frozen(kw_only=True)
class _LogSummary(Summary):
    """``TransactionLog.summary()``: a :class:`Summary` that still answers RFM attributes,
    with a deprecation warning (``TransactionLog.summary()`` used to return the RFM summary)."""

    log: TransactionLog = attrs.field(repr=False, eq=False)
    rfm_kwargs: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(RFMSummary, name):
            raise AttributeError(name)
        warnings.warn(
            "TransactionLog.summary() now returns a Summary; the RFM summary is "
            "TransactionLog.rfm() (reading RFM attributes from summary() is deprecated)",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        return getattr(self.log.rfm(**self.rfm_kwargs), name)


def _dates(yyyymmdd: IntArray) -> NDArray[np.datetime64]:
    """Dates from YYYYMMDD integers; impossible dates (month 13, 31 February) are refused."""
    y = yyyymmdd // 10000
    m = yyyymmdd // 100 % 100
    d = yyyymmdd % 100
    months = (y - 1970) * 12 + (m - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    out = first + (d - 1).astype("timedelta64[D]")
    back = out.astype("datetime64[M]")
    bad = np.flatnonzero((m < 1) | (m > 12) | (d < 1) | (back != first.astype("datetime64[M]")))
    if bad.size:
        i = int(bad[0])
        raise fail(
            "read_cdnow",
            "path",
            f"hold real dates written YYYYMMDD (row {i + 1})",
            int(yyyymmdd[i]),
        )
    return np.asarray(out, dtype="datetime64[D]")


def read_cdnow(path: str | os.PathLike[str]) -> TransactionLog:
    """Read a CDNOW file: the 5-column sample or the 4-column master file (header allowed).

    Every date must be a real calendar date written YYYYMMDD (19971399 or 19970231 are
    refused, not rolled over), quantities whole numbers >= 0 and amounts finite and >= 0.

    Examples
    --------
    >>> from importlib import resources
    >>> p = resources.files("shequn.loyalty") / "data" / "cdnow_sample.txt"
    >>> read_cdnow(str(p)).n_transactions
    6919
    """
    path = check_path(path, owner="read_cdnow", exists=True)
    try:
        with open(path, encoding="ascii") as fh:
            first = fh.readline()
        skip = 0 if first.split() and first.split()[0].isdigit() else 1
        data = np.loadtxt(path, skiprows=skip, dtype=np.float64, ndmin=2)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise fail("read_cdnow", "path", f"name a readable CDNOW text file ({exc})", path) from exc
    if data.shape[1] == 5:  # master id, sample id, date, quantity, amount
        cid, date, qty, amt = data[:, 1], data[:, 2], data[:, 3], data[:, 4]
    elif data.shape[1] == 4:  # id, date, quantity, amount
        cid, date, qty, amt = data[:, 0], data[:, 1], data[:, 2], data[:, 3]
    else:
        raise fail("read_cdnow", "path", "name a CDNOW file with 4 or 5 columns", str(path))
    for name, col in (("customer id", cid), ("date", date), ("quantity", qty), ("amount", amt)):
        bad = np.flatnonzero(~np.isfinite(col) | (col < 0))
        if bad.size:
            i = int(bad[0])
            raise fail("read_cdnow", "path", f"hold finite {name}s >= 0 (row {i + 1})", col[i])
    for name, col in (("customer id", cid), ("date", date), ("quantity", qty)):
        bad = np.flatnonzero(col != np.round(col))
        if bad.size:
            i = int(bad[0])
            raise fail("read_cdnow", "path", f"hold whole-number {name}s (row {i + 1})", col[i])
    return TransactionLog(
        customer_id=cid.astype(np.int64),
        date=_dates(date.astype(np.int64)),
        quantity=qty.astype(np.int64),
        amount=amt,
    )


def _check_dates(value: Any) -> NDArray[np.datetime64]:
    """``TransactionLog.date`` as a 1-d ``datetime64[D]`` array without NaT."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise fail("TransactionLog", "date", "be an array of datetime64 dates", value) from exc
    if arr.dtype.kind != "M" or arr.ndim != 1:
        raise fail("TransactionLog", "date", "be a 1-d array of datetime64 dates", value)
    arr = arr.astype("datetime64[D]")
    nat = np.flatnonzero(np.isnat(arr))
    if nat.size:
        raise fail("TransactionLog", "date", f"hold dates, not NaT (index {nat[0]})", arr[nat[0]])
    return arr


def load_cdnow_sample() -> TransactionLog:
    """The CDNOW 2,357-customer transaction log shipped with shequn (see the module docstring
    for its source and licence).

    Examples
    --------
    >>> log = load_cdnow_sample()
    >>> str(log.date.min()), str(log.date.max())
    ('1997-01-01', '1998-06-30')
    """
    ref = resources.files("shequn.loyalty") / "data" / "cdnow_sample.txt"
    with resources.as_file(ref) as p:
        return read_cdnow(p)
