"""The weekly community engine: compile → step → Trajectory (engine.md).

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import simulate
>>> t = simulate(generate_community("values", 200, rng=0), OperatingModel(), weeks=8, rng=1)
>>> t.weeks, int(t.members[0])
(8, 200)
"""

from shequn.simulation.calibration import bass_hooks, ladder_rates_from, repeat_rates_from
from shequn.simulation.crowdsourcing import (
    CrowdCurve,
    CrowdOutcome,
    crowd_size_curve,
    crowdsource,
)
from shequn.simulation.dynamics import Dynamics, compile, half_edge_values
from shequn.simulation.engine import run, simulate
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.profiles import PROFILES, Profile, profile_for
from shequn.simulation.state import State, init_state, observe
from shequn.simulation.step import step
from shequn.simulation.trajectory import Trajectory

__all__ = [
    "PROFILES",
    "CrowdCurve",
    "CrowdOutcome",
    "Dynamics",
    "Mechanisms",
    "Profile",
    "State",
    "Trajectory",
    "bass_hooks",
    "compile",
    "crowd_size_curve",
    "crowdsource",
    "half_edge_values",
    "init_state",
    "ladder_rates_from",
    "observe",
    "profile_for",
    "repeat_rates_from",
    "run",
    "simulate",
    "step",
]
