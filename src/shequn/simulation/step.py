"""Kept import path: :func:`step` lives in :mod:`shequn.simulation.week` (the week, in order).

Examples
--------
>>> from shequn.simulation.step import step
>>> step.__module__
'shequn.simulation.week'
"""

from shequn.simulation.week import step

__all__ = ["step"]
