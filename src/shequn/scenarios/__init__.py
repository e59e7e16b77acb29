"""The seed behaviours (concepts.md §7) as Monte Carlo scenarios, and a demo report.

Examples
--------
>>> from shequn.scenarios import SCENARIOS
>>> len(SCENARIOS)
11
"""

from shequn.scenarios.behaviours import (
    SCENARIOS,
    broadcast_vs_wom_cac,
    ladder_climb,
    leader_departure,
    niche_share_wom_vs_broadcast,
    offline_meetings_and_churn,
    one_to_many_vs_mesh,
    open_rate_vs_audience,
    open_vs_owner_invitations,
    rule_strictness_inverted_u,
    small_quality_vs_large_account,
    steady_vs_bursty,
)
from shequn.scenarios.demo import demo_report, seeding_report
from shequn.scenarios.result import Contrast, ScenarioResult

__all__ = [
    "SCENARIOS",
    "Contrast",
    "ScenarioResult",
    "broadcast_vs_wom_cac",
    "demo_report",
    "ladder_climb",
    "leader_departure",
    "niche_share_wom_vs_broadcast",
    "offline_meetings_and_churn",
    "one_to_many_vs_mesh",
    "open_rate_vs_audience",
    "open_vs_owner_invitations",
    "rule_strictness_inverted_u",
    "seeding_report",
    "small_quality_vs_large_account",
    "steady_vs_bursty",
]
