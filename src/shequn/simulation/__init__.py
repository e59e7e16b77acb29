"""The weekly community engine: compile → step → Trajectory (engine.md).

The engine is a set of mechanisms (:mod:`shequn.simulation.mechanisms`, one module each,
run in the order of :data:`shequn.simulation.week.MECHANISMS`); :func:`compile_dynamics`
derives their rates once, :func:`step` runs one week, :func:`simulate` a horizon, and the
:class:`Trajectory` holds one column per registered flow (:mod:`shequn.simulation.flows`).
:func:`parameters` lists the engine's calibratable parameters as one named vector.

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
from shequn.simulation.dynamics import Dynamics, compile, compile_dynamics, half_edge_values
from shequn.simulation.engine import run, run_batch, simulate
from shequn.simulation.flows import COLUMNS, FLOWS, Flow
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.parameters import Parameter, Parameters, parameters
from shequn.simulation.profiles import PROFILES, Profile, profile_for
from shequn.simulation.records import RecordTables
from shequn.simulation.state import State, check_state, init_state, observe
from shequn.simulation.step import step  # the module first, then the name: no shadowing
from shequn.simulation.trajectory import Trajectory
from shequn.simulation.week import MECHANISMS

__all__ = [
    "COLUMNS",
    "FLOWS",
    "MECHANISMS",
    "PROFILES",
    "CrowdCurve",
    "CrowdOutcome",
    "Dynamics",
    "Flow",
    "Mechanisms",
    "Parameter",
    "Parameters",
    "Profile",
    "RecordTables",
    "State",
    "Trajectory",
    "bass_hooks",
    "check_state",
    "compile",
    "compile_dynamics",
    "crowd_size_curve",
    "crowdsource",
    "half_edge_values",
    "init_state",
    "ladder_rates_from",
    "observe",
    "parameters",
    "profile_for",
    "repeat_rates_from",
    "run",
    "run_batch",
    "simulate",
    "step",
]
