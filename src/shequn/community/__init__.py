"""Describe a community: types, member networks, roles, groups and structure metrics.

Examples
--------
>>> from shequn.community import generate_community, k_hop_reach
>>> c = generate_community("values", 300, rng=0)
>>> int(k_hop_reach(c, [0], k=2).sum()) > 1
True
"""

from shequn.community.community import Community
from shequn.community.generators import generate_community
from shequn.community.groups import WECHAT_GROUP_CAP, Groups, form_groups
from shequn.community.metrics import (
    average_clustering,
    degree_centralization,
    distance_rings,
    k_hop_reach,
    metcalfe_value,
    modularity,
    odlyzko_value,
    reed_log_value,
    sarnoff_value,
    social_capital,
    structure_summary,
    taste_assortativity,
    triangles,
)
from shequn.community.types import CommunityType, InvitePolicy, Role

__all__ = [
    "WECHAT_GROUP_CAP",
    "Community",
    "CommunityType",
    "Groups",
    "InvitePolicy",
    "Role",
    "average_clustering",
    "degree_centralization",
    "distance_rings",
    "form_groups",
    "generate_community",
    "k_hop_reach",
    "metcalfe_value",
    "modularity",
    "odlyzko_value",
    "reed_log_value",
    "sarnoff_value",
    "social_capital",
    "structure_summary",
    "taste_assortativity",
    "triangles",
]
