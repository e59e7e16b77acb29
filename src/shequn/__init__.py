"""shequn (社群): community economics.

Model how a company turns a customer list into a living community: community types and their
networks, the operating model 通/法/术/器, loyalty, diffusion and reach, the long tail, and
simulations of strategies over weeks.

The names below are the short public API; everything else is importable from its subpackage
(``shequn.community``, ``shequn.operating``, ``shequn.loyalty``, ``shequn.diffusion``,
``shequn.longtail``, ``shequn.economics``, ``shequn.simulation``, ``shequn.scenarios``, and the
shell packages ``shequn.experiment``, ``shequn.io``, ``shequn.plotting``).

Examples
--------
>>> import shequn
>>> c = shequn.generate_community("brand", 300, rng=0)
>>> c.kind
<CommunityType.BRAND: 'brand'>
>>> t = shequn.simulate(c, shequn.OperatingModel(), weeks=4, rng=0)
>>> t.weeks
4
"""

from __future__ import annotations

from typing import Any

from shequn.community import (
    Community,
    CommunityType,
    InvitePolicy,
    Role,
    generate_community,
    k_hop_reach,
)
from shequn.diffusion.bass import Bass, fit_bass
from shequn.diffusion.cascades import independent_cascade, linear_threshold, network_bass
from shequn.diffusion.reach import BroadcastCampaign, compare_budget
from shequn.diffusion.seeding import imm, select_seeds
from shequn.economics import Economics
from shequn.exceptions import ConvergenceError, InvalidParameterError, ShequnError, ShequnWarning
from shequn.longtail import TrueFans, compare_channels, fit_powerlaw
from shequn.loyalty import (
    BGBB,
    BGNBD,
    GammaGamma,
    Ladder,
    ParetoNBD,
    Stage,
    default_ladder,
    load_cdnow_sample,
    rfm_summary,
)
from shequn.operating import Connectivity, Content, OperatingModel, Structure, Tools
from shequn.simulation import Trajectory, simulate

__version__ = "0.1.0"

__all__ = [
    "BGBB",
    "BGNBD",
    "Bass",
    "BroadcastCampaign",
    "Community",
    "CommunityType",
    "Connectivity",
    "Content",
    "ConvergenceError",
    "Economics",
    "GammaGamma",
    "InvalidParameterError",
    "InvitePolicy",
    "Ladder",
    "OperatingModel",
    "ParetoNBD",
    "Role",
    "ShequnError",
    "ShequnWarning",
    "Stage",
    "Structure",
    "Tools",
    "Trajectory",
    "TrueFans",
    "__version__",
    "compare_budget",
    "compare_channels",
    "default_ladder",
    "fit_bass",
    "fit_powerlaw",
    "generate_community",
    "imm",
    "independent_cascade",
    "k_hop_reach",
    "linear_threshold",
    "load_cdnow_sample",
    "network_bass",
    "rfm_summary",
    "select_seeds",
    "simulate",
    "sweep",
]


def __getattr__(name: str) -> Any:
    # the experiment layer is shell code (executors, stores): loaded only when asked for
    if name == "sweep":
        from shequn.experiment import sweep

        return sweep
    raise AttributeError(f"module 'shequn' has no attribute {name!r}")
