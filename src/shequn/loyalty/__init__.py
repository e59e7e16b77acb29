"""Loyalty: the ladder, tie strength and customer-base models.

* :mod:`~shequn.loyalty.ladder` — the customer → user → fan → friend ladder as a Markov chain;
* :mod:`~shequn.loyalty.ties` — tie strength from messages and offline meetings;
* :mod:`~shequn.loyalty.rfm` — RFM summaries of transaction logs;
* :mod:`~shequn.loyalty.customer_base` — BG/NBD, MBG/NBD, Pareto/NBD (with covariates),
  gamma-gamma, BG/BB, CLV and the lifetimes diagnostics;
* :mod:`~shequn.loyalty.datasets` — the CDNOW sample.
"""

from shequn.loyalty.customer_base import (
    BGBB,
    BGNBD,
    CovariatePanel,
    CustomerBaseFit,
    GammaGamma,
    ModifiedBGNBD,
    ParetoNBD,
    community_effect,
    customer_lifetime_value,
    load_fit,
)
from shequn.loyalty.datasets import TransactionLog, load_cdnow_sample, read_cdnow
from shequn.loyalty.ladder import Ladder, LadderFit, default_ladder
from shequn.loyalty.rfm import RFMSummary, rfm_summary
from shequn.loyalty.stages import LADDER, Stage
from shequn.loyalty.ties import (
    TieRule,
    decay_counts,
    is_strong,
    strong_tie_counts,
    tie_strength,
)

__all__ = [
    "BGBB",
    "BGNBD",
    "LADDER",
    "CovariatePanel",
    "CustomerBaseFit",
    "GammaGamma",
    "Ladder",
    "LadderFit",
    "ModifiedBGNBD",
    "ParetoNBD",
    "RFMSummary",
    "Stage",
    "TieRule",
    "TransactionLog",
    "community_effect",
    "customer_lifetime_value",
    "decay_counts",
    "default_ladder",
    "is_strong",
    "load_cdnow_sample",
    "load_fit",
    "read_cdnow",
    "rfm_summary",
    "strong_tie_counts",
    "tie_strength",
]
