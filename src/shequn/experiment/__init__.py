"""Experiments at scale: Monte Carlo replications and parameter sweeps on any executor.

* :func:`replicate` runs ``fn(rng=generator)`` many times, :func:`sweep` runs
  ``fn(**params, rng=generator)`` at every point of a grid; each run gets its own child stream
  from :meth:`numpy.random.SeedSequence.spawn`, and its record keeps the parameters and the seed
  (entropy and spawn key) so it can be replayed exactly (:func:`replay`).
* Executors: serial by default, or any :class:`concurrent.futures.Executor` (threads,
  processes, loky, a Dask ``client.get_executor(pure=False)``); runs are batched; failing runs
  are retried and then reported in ``result.failures`` (or raised with ``on_error="raise"``).
* ``store=``: finished points go to a JSON Lines file or a Parquet directory as they complete;
  the same sweep run again resumes where it stopped; a different sweep is refused
  (:class:`StoreMismatchError`).
* Results (:class:`ExperimentResult`) are frozen: ``to_numpy()`` (plain numpy), ``to_frame()``
  (pandas), ``aggregate()`` (means and confidence intervals per grid point).

This is the shell layer: it imports the core, never the other way round.

Examples
--------
>>> from shequn.experiment import sweep
>>> def f(*, x, rng):
...     return x + float(rng.normal(scale=0.1))
>>> res = sweep(f, {"x": [0.0, 1.0]}, runs=10, rng=0)
>>> [round(float(m), 1) for m in res.aggregate()["value_mean"]]
[0.0, 1.0]
"""

from shequn.experiment._api import RunError, load, replicate, sweep
from shequn.experiment._grid import grid_hash, grid_points, point_id
from shequn.experiment._records import ExperimentResult, RunFailure, RunRecord, Table, replay
from shequn.experiment._store import (
    JsonLinesStore,
    ParquetStore,
    StoreMismatchError,
    SweepStore,
    open_store,
)

__all__ = [
    "ExperimentResult",
    "JsonLinesStore",
    "ParquetStore",
    "RunError",
    "RunFailure",
    "RunRecord",
    "StoreMismatchError",
    "SweepStore",
    "Table",
    "grid_hash",
    "grid_points",
    "load",
    "open_store",
    "point_id",
    "replay",
    "replicate",
    "sweep",
]
