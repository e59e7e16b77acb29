"""Loyalty: the ladder, tie strength and customer-base models.

* :mod:`~shequn.loyalty.ladder` — the customer → user → fan → friend ladder as a Markov chain;
* :mod:`~shequn.loyalty.ties` — tie strength from messages and offline meetings;
* :mod:`~shequn.loyalty.rfm` — RFM summaries of transaction logs;
* :mod:`~shequn.loyalty.customer_base` — BG/NBD, Pareto/NBD, gamma-gamma, BG/BB and CLV;
* :mod:`~shequn.loyalty.datasets` — the CDNOW sample.
"""

from shequn.loyalty.customer_base import (
    BGBB,
    BGNBD,
    CustomerBaseFit,
    GammaGamma,
    ParetoNBD,
    customer_lifetime_value,
)
from shequn.loyalty.datasets import TransactionLog, load_cdnow_sample, read_cdnow
from shequn.loyalty.rfm import RFMSummary, rfm_summary
from shequn.loyalty.stages import LADDER, Stage

__all__ = [
    "BGBB",
    "BGNBD",
    "LADDER",
    "CustomerBaseFit",
    "GammaGamma",
    "ParetoNBD",
    "RFMSummary",
    "Stage",
    "TransactionLog",
    "customer_lifetime_value",
    "load_cdnow_sample",
    "read_cdnow",
    "rfm_summary",
]
