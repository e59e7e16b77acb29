"""Customer-base models fitted to transaction logs: BG/NBD, Pareto/NBD, gamma-gamma spend and
BG/BB, with CLV.

All models are fitted by maximum likelihood over log-parameters (scipy.optimize), report
standard errors from the Hessian (delta method), and predict P(alive), expected transactions
and P(X(t) = n) in log space so heavy buyers stay finite. See :mod:`._common` for the optional
``penalizer`` (an L2 penalty on the log-parameters).

Examples
--------
>>> from shequn.loyalty.customer_base import BGNBD, load_cdnow_sample
>>> fit = BGNBD.fit_summary(load_cdnow_sample().summary())
>>> round(fit.log_likelihood, 1)
-9582.4
"""

from shequn.loyalty.customer_base._common import CustomerBaseFit, compress_rows
from shequn.loyalty.customer_base.bgbb import BGBB
from shequn.loyalty.customer_base.bgnbd import BGNBD
from shequn.loyalty.customer_base.clv import customer_lifetime_value
from shequn.loyalty.customer_base.gamma_gamma import GammaGamma
from shequn.loyalty.customer_base.pareto_nbd import ParetoNBD, hyp2f1_one
from shequn.loyalty.datasets import load_cdnow_sample

__all__ = [
    "BGBB",
    "BGNBD",
    "CustomerBaseFit",
    "GammaGamma",
    "ParetoNBD",
    "compress_rows",
    "customer_lifetime_value",
    "hyp2f1_one",
    "load_cdnow_sample",
]
