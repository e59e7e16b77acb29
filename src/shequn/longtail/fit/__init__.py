"""Power-law fitting by the Clauset-Shalizi-Newman (2009) method.

Clauset, A., Shalizi, C. R. & Newman, M. E. J. (2009). Power-law distributions in empirical
data. *SIAM Review* 51(4), 661-703 (arXiv:0706.1062); below "CSN". One module per step:

* :mod:`.scan` - the data as distinct values and counts, the maximum-likelihood exponent of
  every candidate xmin (CSN Eqs. 3.1, 3.5-3.7) and the xmin that minimises the
  Kolmogorov-Smirnov distance between the tail and its fit (CSN Section 3.3);
* :mod:`.powerlaw` - :func:`fit_powerlaw` and its frozen result :class:`PowerLawFit`;
* :mod:`.sampling` - :func:`sample_powerlaw` (the discrete tail exactly, by inverse CDF with
  Hurwitz-zeta tail sums, not the rounding approximation) and :func:`powerlaw_pmf`;
* :mod:`.bootstrap` - the semi-parametric bootstrap goodness-of-fit test
  :func:`bootstrap_pvalue` (CSN Section 4.1);
* :mod:`.alternatives` - :func:`compare`, the likelihood-ratio tests against the lognormal,
  exponential, stretched exponential and power law with exponential cutoff (CSN Section 5 and
  Appendix C), with one convergence rule for all of them.

Everything is importable from here (``from shequn.longtail.fit import PowerLawFit``) and from
:mod:`shequn.longtail`.

Examples
--------
>>> import numpy as np
>>> from shequn.longtail.fit import fit_powerlaw, sample_powerlaw
>>> x = sample_powerlaw(2000, alpha=2.5, xmin=1.0, rng=1)
>>> f = fit_powerlaw(x, xmin=1.0, compare_with=("exponential",))
>>> abs(f.alpha - 2.5) < 3 * f.alpha_se
True
"""

from shequn.longtail.fit.alternatives import ALTERNATIVES, Comparison, compare
from shequn.longtail.fit.bootstrap import BootstrapResult, bootstrap_pvalue
from shequn.longtail.fit.powerlaw import PowerLawFit, fit_powerlaw
from shequn.longtail.fit.sampling import powerlaw_pmf, sample_powerlaw

# the results' public home (pickles, reprs, the plot registry): where they always lived
for _cls in (BootstrapResult, Comparison, PowerLawFit):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "ALTERNATIVES",
    "BootstrapResult",
    "Comparison",
    "PowerLawFit",
    "bootstrap_pvalue",
    "compare",
    "fit_powerlaw",
    "powerlaw_pmf",
    "sample_powerlaw",
]
