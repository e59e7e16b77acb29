"""The long tail: heavy-tail fitting, catalog demand, niche diffusion and true-fans economics.

* :mod:`shequn.longtail.fit` - Clauset-Shalizi-Newman power-law fitting (continuous and
  discrete), bootstrap goodness of fit and likelihood-ratio tests.
* :mod:`shequn.longtail.demand` - catalog generator, tail share, Gini, Lorenz curve, rank-size
  elasticity.
* :mod:`shequn.longtail.truefans` - Kelly's "1000 true fans" economics, linked to the ladder.
* :mod:`shequn.longtail.niche` - niche diffusion under broadcast and community word of mouth.

Examples
--------
>>> from shequn.longtail import TrueFans
>>> TrueFans(spend=100.0).fans_needed(100_000)
1000
"""

from shequn.longtail.demand import (
    Catalog,
    RankSizeFit,
    generate_catalog,
    gini,
    lorenz_curve,
    rank_size_elasticity,
    tail_share,
)
from shequn.longtail.fit import (
    ALTERNATIVES,
    BootstrapResult,
    Comparison,
    PowerLawFit,
    bootstrap_pvalue,
    compare,
    fit_powerlaw,
    powerlaw_pmf,
    sample_powerlaw,
)
from shequn.longtail.niche import (
    CHANNELS,
    NicheComparison,
    NicheMarket,
    NicheRun,
    compare_channels,
    simulate_niche,
)
from shequn.longtail.truefans import FanConversion, TrueFans, fan_probability

__all__ = [
    "ALTERNATIVES",
    "CHANNELS",
    "BootstrapResult",
    "Catalog",
    "Comparison",
    "FanConversion",
    "NicheComparison",
    "NicheMarket",
    "NicheRun",
    "PowerLawFit",
    "RankSizeFit",
    "TrueFans",
    "bootstrap_pvalue",
    "compare",
    "compare_channels",
    "fan_probability",
    "fit_powerlaw",
    "generate_catalog",
    "gini",
    "lorenz_curve",
    "powerlaw_pmf",
    "rank_size_elasticity",
    "sample_powerlaw",
    "simulate_niche",
    "tail_share",
]
