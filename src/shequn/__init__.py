"""shequn (社群): community economics.

Model how a company turns a customer list into a living community: community types and their
networks, the operating model 通/法/术/器, loyalty, diffusion and reach, the long tail, and
simulations of strategies over weeks.

Examples
--------
>>> import shequn
>>> c = shequn.generate_community("brand", 100, rng=0)
>>> c.kind
<CommunityType.BRAND: 'brand'>
"""

from shequn.community import (
    Community,
    CommunityType,
    InvitePolicy,
    Role,
    generate_community,
    k_hop_reach,
)
from shequn.exceptions import ConvergenceError, InvalidParameterError, ShequnError, ShequnWarning
from shequn.loyalty.stages import Stage

__version__ = "0.1.0"

__all__ = [
    "Community",
    "CommunityType",
    "ConvergenceError",
    "InvalidParameterError",
    "InvitePolicy",
    "Role",
    "ShequnError",
    "ShequnWarning",
    "Stage",
    "__version__",
    "generate_community",
    "k_hop_reach",
]
