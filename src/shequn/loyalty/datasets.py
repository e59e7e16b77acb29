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
"""

from __future__ import annotations

import os
from importlib import resources

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._validation import fail
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


@attrs.frozen(kw_only=True)
class TransactionLog:
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

    customer_id: NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    date: NDArray[np.datetime64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    quantity: NDArray[np.int64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))
    amount: NDArray[np.float64] = attrs.field(eq=attrs.cmp_using(eq=np.array_equal))

    @property
    def n_transactions(self) -> int:
        """Number of rows."""
        return int(self.customer_id.size)

    def summary(
        self,
        *,
        calibration_end: np.datetime64 = CALIBRATION_END,
        observation_end: np.datetime64 | None = OBSERVATION_END,
        time_unit: str = "weeks",
    ) -> RFMSummary:
        """RFM summary with the papers' 39-week calibration and holdout periods.

        Examples
        --------
        >>> s = load_cdnow_sample().summary()
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


def _dates(yyyymmdd: NDArray[np.int64]) -> NDArray[np.datetime64]:
    y = yyyymmdd // 10000
    m = yyyymmdd // 100 % 100
    d = yyyymmdd % 100
    months = (y - 1970) * 12 + (m - 1)
    out = months.astype("datetime64[M]").astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    return np.asarray(out, dtype="datetime64[D]")


def read_cdnow(path: str | os.PathLike[str]) -> TransactionLog:
    """Read a CDNOW file: the 5-column sample or the 4-column master file (header allowed).

    Examples
    --------
    >>> from importlib import resources
    >>> p = resources.files("shequn.loyalty") / "data" / "cdnow_sample.txt"
    >>> read_cdnow(str(p)).n_transactions
    6919
    """
    with open(path, encoding="ascii") as fh:
        first = fh.readline()
    skip = 0 if first.split() and first.split()[0].isdigit() else 1
    data = np.loadtxt(path, skiprows=skip, dtype=np.float64, ndmin=2)
    if data.shape[1] == 5:  # master id, sample id, date, quantity, amount
        cid, date, qty, amt = data[:, 1], data[:, 2], data[:, 3], data[:, 4]
    elif data.shape[1] == 4:  # id, date, quantity, amount
        cid, date, qty, amt = data[:, 0], data[:, 1], data[:, 2], data[:, 3]
    else:
        raise fail("read_cdnow", "path", "name a CDNOW file with 4 or 5 columns", str(path))
    return TransactionLog(
        customer_id=cid.astype(np.int64),
        date=_dates(date.astype(np.int64)),
        quantity=qty.astype(np.int64),
        amount=amt,
    )


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
