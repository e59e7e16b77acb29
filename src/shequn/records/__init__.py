"""A community's own records: load, validate, derive, measure.

* :func:`load_records` reads members, ties, groups, messages, events, transactions, broadcasts
  and stages from CSV or Parquet files, DataFrames or mappings (``docs/records.md`` is the
  schema) and reports every unusable row by name (:class:`LoadReport`);
* :class:`Records` derives the :class:`~shequn.community.Community`, groups, strong ties,
  weekly ladder stages (:class:`StageHistory`, :class:`StageRule`), the RFM summary and the
  weekly observed series (:class:`WeeklySeries`, :data:`SERIES`);
* :func:`health` measures the community (:class:`HealthReport`).

The engine's emitted records use the same schema, so anything loaded can be compared with
anything simulated.

Examples
--------
>>> from shequn.records import load_records
>>> r = load_records(members={"member": [1, 2], "joined": [0, 0]}, ties={"a": [1], "b": [2]})
>>> r.community().n_edges
1
"""

from shequn.records.derive import SERIES, StageHistory, StageRule, WeeklySeries, week_of
from shequn.records.health import HealthReport, health, membership_effect
from shequn.records.load import load_records
from shequn.records.records import Records
from shequn.records.report import PROBLEM_KINDS, LoadReport, Problem
from shequn.records.schema import SCHEMA, TABLES, Column

__all__ = [
    "PROBLEM_KINDS",
    "SCHEMA",
    "SERIES",
    "TABLES",
    "Column",
    "HealthReport",
    "LoadReport",
    "Problem",
    "Records",
    "StageHistory",
    "StageRule",
    "WeeklySeries",
    "health",
    "load_records",
    "membership_effect",
    "week_of",
]
