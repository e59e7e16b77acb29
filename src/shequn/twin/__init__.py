"""The community's digital twin: the engine calibrated to its records, and decisions on it.

* :func:`twin_setup` — the engine setup a community's records imply (community at week 0,
  measured initial customers, price, tools and calibration hooks);
* :func:`calibrate` — fit the engine's free parameters to the records' weekly series by
  simulated moments with common random numbers (or pyabc's ABC-SMC): a :class:`Twin` with a
  posterior sample, the fit's distance and posterior predictive bands;
* :func:`compare_strategies` — operating strategies run on the twin's posterior draws, paired,
  with expected values, contrasts and the probability that each is best;
* :func:`emit_records`, :func:`parameters`, :class:`EngineSetup` — the engine adapter: the
  engine's calibratable parameters (:func:`shequn.simulation.parameters`) as search ranges,
  and one run's records in the records schema (the engine's own, ``run(..., records=True)``).

Examples
--------
>>> from shequn.twin import parameters
>>> p = parameters()["peer_talk"]
>>> p.owner, (p.low, p.high)
('word_of_mouth', (0.0, 1.0))
"""

from shequn.twin._engine import (
    ENGINE_PARAMETERS,
    OBSERVED,
    EngineSetup,
    ParameterSpec,
    build,
    emit_records,
    observe_run,
    parameters,
)
from shequn.twin.calibration import (
    DEFAULT_FREE,
    DEFAULT_SERIES,
    Predictive,
    Twin,
    calibrate,
    twin_setup,
)
from shequn.twin.compare import METRICS, StrategyComparison, compare_strategies

__all__ = [
    "DEFAULT_FREE",
    "DEFAULT_SERIES",
    "ENGINE_PARAMETERS",
    "METRICS",
    "OBSERVED",
    "EngineSetup",
    "ParameterSpec",
    "Predictive",
    "StrategyComparison",
    "Twin",
    "build",
    "calibrate",
    "compare_strategies",
    "emit_records",
    "observe_run",
    "parameters",
    "twin_setup",
]
