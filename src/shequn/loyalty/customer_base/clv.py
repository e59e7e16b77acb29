"""Customer lifetime value: discounted expected spend from a transaction model and a spend model.

For each customer, the expected purchases in each future period k = 1..K are the increments of
the conditional expectation E[Y(k·period)] of the transaction model; each is valued at the
customer's expected spend per transaction (gamma-gamma) and discounted at ``discount_rate``
per period, as in lifetimes' ``customer_lifetime_value`` and Fader, Hardie & Lee (2005):

    CLV = Σ_k  E[Z | x, z̄] · (E[Y(k·period)] − E[Y((k−1)·period)]) / (1 + d)^k.

Examples
--------
>>> from shequn.loyalty.customer_base import BGNBD, GammaGamma, customer_lifetime_value
>>> tm = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> sm = GammaGamma(p=6.25, q=3.74, gamma=15.44)
>>> v = customer_lifetime_value(tm, sm, [0, 2], [0.0, 30.43], [38.86, 38.86], [0.0, 22.35],
...                             periods=12, period_length=4.35, discount_rate=0.01)
>>> bool(0 < v[0] < v[1])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from shequn._typing import FloatArray
from shequn._validation import check_int, check_nonnegative, check_positive, fail
from shequn.loyalty.customer_base.gamma_gamma import GammaGamma

__all__ = ["customer_lifetime_value"]


def customer_lifetime_value(
    transaction_model: Any,
    spend_model: GammaGamma,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary: ArrayLike,
    *,
    periods: int = 12,
    period_length: float = 4.35,
    discount_rate: float = 0.01,
    covariates: Any = None,
) -> FloatArray:
    """Discounted expected spend over ``periods`` future periods for each customer.

    Parameters
    ----------
    transaction_model
        A fitted :class:`BGNBD` or :class:`ParetoNBD` (``fit.model``).
    spend_model
        A fitted :class:`GammaGamma`.
    frequency, recency, T, monetary
        The customers' RFM statistics, in the transaction model's time unit.
    periods
        Number of future periods (default 12).
    period_length
        Length of one period in the data's time unit (default 4.35 weeks, a month).
    discount_rate
        Discount rate per period, >= 0 (default 0.01, about 12.7% a year for months).
    covariates
        Each customer's covariates (a mapping or DataFrame, or a time-varying panel covering
        the horizon) when ``transaction_model`` is a covariate model.

    Examples
    --------
    >>> from shequn.loyalty.customer_base import ParetoNBD
    >>> tm = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    >>> sm = GammaGamma(p=6.25, q=3.74, gamma=15.44)
    >>> v0 = customer_lifetime_value(tm, sm, [3], [30.0], [39.0], [30.0], discount_rate=0.0)
    >>> v1 = customer_lifetime_value(tm, sm, [3], [30.0], [39.0], [30.0], discount_rate=0.05)
    >>> bool(v1[0] < v0[0])
    True
    """
    k = check_int(periods, owner="customer_lifetime_value", field="periods", low=1)
    step = check_positive(period_length, owner="customer_lifetime_value", field="period_length")
    d = check_nonnegative(discount_rate, owner="customer_lifetime_value", field="discount_rate")
    if not hasattr(transaction_model, "conditional_expected_transactions"):
        raise fail(
            "customer_lifetime_value",
            "transaction_model",
            "be a BG/NBD or Pareto/NBD model (fit.model)",
            type(transaction_model).__name__,
        )
    if not isinstance(spend_model, GammaGamma):
        raise fail(
            "customer_lifetime_value",
            "spend_model",
            "be a GammaGamma model (fit.model)",
            type(spend_model).__name__,
        )
    kw: dict[str, Any] = {} if covariates is None else {"covariates": covariates}
    spend = spend_model.conditional_expected_spend(frequency, monetary)
    total = np.zeros_like(spend)
    prev = np.zeros_like(spend)
    for i in range(1, k + 1):
        cum = transaction_model.conditional_expected_transactions(
            i * step, frequency, recency, T, **kw
        )
        total += spend * (cum - prev) * (1.0 + d) ** -float(i)  # underflows to 0, no overflow
        prev = cum
    return np.asarray(total, dtype=np.float64)
