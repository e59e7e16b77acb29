"""Customer-base models fitted to transaction logs: BG/NBD, MBG/NBD, Pareto/NBD (with static
and time-varying covariates), gamma-gamma spend and BG/BB, with CLV and the diagnostics of
lifetimes (tracking curves, P(alive) paths, frequency × recency matrices).

All models are fitted by maximum likelihood (scipy.optimize, analytic gradients where they
exist), report standard errors from the observed information (delta method), and predict
P(alive), expected transactions and P(X(t) = n) in log space so heavy buyers and extreme
parameters stay finite. See :mod:`._common` for ``penalizer``, ``regularization``,
``weights`` and saving fits as JSON, and :mod:`.covariates` for covariates.

Examples
--------
>>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
>>> fit = BGNBD.fit(data=load_cdnow_sample().rfm())
>>> round(fit.log_likelihood, 1)
-9582.4
"""

from shequn.loyalty.customer_base._common import (
    CustomerBaseFit,
    LikelihoodRatioTest,
    compress_rows,
    load_fit,
)
from shequn.loyalty.customer_base.bgbb import BGBB
from shequn.loyalty.customer_base.bgnbd import BGNBD, ModifiedBGNBD
from shequn.loyalty.customer_base.clv import customer_lifetime_value
from shequn.loyalty.customer_base.covariates import BGNBDCovariates, ParetoNBDCovariates
from shequn.loyalty.customer_base.diagnostics import (
    AlivePath,
    CalibrationHoldout,
    FrequencyRecencyMatrix,
    PeriodTransactions,
    Tracking,
    alive_path,
    calibration_holdout,
    frequency_recency_matrix,
    period_transactions,
    tracking,
)
from shequn.loyalty.customer_base.gamma_gamma import GammaGamma
from shequn.loyalty.customer_base.membership import CommunityEffect, community_effect
from shequn.loyalty.customer_base.pareto_nbd import ParetoNBD, hyp2f1_one
from shequn.loyalty.customer_base.time_varying import CovariatePanel
from shequn.loyalty.datasets import load_cdnow_sample

__all__ = [
    "BGBB",
    "BGNBD",
    "AlivePath",
    "BGNBDCovariates",
    "CalibrationHoldout",
    "CommunityEffect",
    "CovariatePanel",
    "CustomerBaseFit",
    "FrequencyRecencyMatrix",
    "GammaGamma",
    "LikelihoodRatioTest",
    "ModifiedBGNBD",
    "ParetoNBD",
    "ParetoNBDCovariates",
    "PeriodTransactions",
    "Tracking",
    "alive_path",
    "calibration_holdout",
    "community_effect",
    "compress_rows",
    "customer_lifetime_value",
    "frequency_recency_matrix",
    "hyp2f1_one",
    "load_cdnow_sample",
    "load_fit",
    "period_transactions",
    "tracking",
]
