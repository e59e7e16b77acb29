"""The seed behaviours (concepts.md §7) as Monte Carlo scenarios, and a demo report.

Examples
--------
>>> from shequn.scenarios import SCENARIOS
>>> len(SCENARIOS)
11
"""

from shequn.scenarios import behaviours as _behaviours
from shequn.scenarios.behaviours import *  # noqa: F403  (every scenario, listed in its __all__)
from shequn.scenarios.demo import demo_report, seeding_report
from shequn.scenarios.result import Contrast, ScenarioResult

__all__ = [
    *_behaviours.__all__,
    "Contrast",
    "ScenarioResult",
    "demo_report",
    "seeding_report",
]
