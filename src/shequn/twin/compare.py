"""Decide: run operating strategies on the twin's posterior draws, paired, and compare.

:func:`compare_strategies` runs every arm (an operating model) on the same posterior draws and
the same random streams: run ``i`` draws one parameter vector from the twin's posterior sample
and one stream, and every arm is simulated with both. So each run's contrast between two arms
holds the parameter uncertainty and the Monte Carlo noise of the future, and nothing else;
the means over runs are expected values under the posterior predictive distribution.

Examples
--------
>>> import numpy as np
>>> from shequn.scenarios.result import ScenarioResult
>>> r = StrategyComparison(arms=("a", "b"), metrics=("profit",), weeks=4,
...     values={"profit": np.array([[1.0, 3.0], [2.0, 2.5], [1.5, 4.0]])},
...     weekly_profit=np.zeros((3, 2, 4)), higher_is_better={"profit": True})
>>> r.p_best("profit")
{'a': 0.0, 'b': 1.0}
>>> round(r.expected("profit")["b"][0], 3)
3.167
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from concurrent.futures import Executor
from typing import Any

import attrs
import numpy as np

from shequn._optional import optional_import
from shequn._results import ResultMixin, Summary, Table
from shequn._stats import mean_ci
from shequn._typing import FloatArray
from shequn._validation import (
    check_choice,
    check_instance,
    check_int,
    check_level,
    check_memory,
    fail,
)
from shequn.operating.model import OperatingModel
from shequn.rng import SEED_BYTES, RNGLike, map_runs
from shequn.scenarios.result import Contrast, ScenarioResult
from shequn.simulation.engine import simulate
from shequn.simulation.trajectory import Trajectory
from shequn.twin._engine import EngineSetup, build
from shequn.twin.calibration import _WIDTH, Twin

__all__ = ["METRICS", "StrategyComparison", "compare_strategies"]

METRICS: dict[str, tuple[str, bool]] = {
    "members_kept": ("week-0 members still present at the end", True),
    "members": ("members at the end", True),
    "active_members": ("members active per week, on average", True),
    "revenue": ("revenue over the horizon", True),
    "profit": ("profit over the horizon", True),
    "cac": ("customer acquisition cost at the end", False),
    "roi": ("return on marketing at the end", True),
}
"""Metric → (meaning, whether higher is better)."""


def _metrics(t: Trajectory) -> tuple[float, ...]:
    T = t.weeks
    return (
        float(t.columns["retained"][T]),
        float(t.members[T]),
        float(np.mean(np.asarray(t.columns["active"], float)[1:])),
        float(t.revenue.sum()),
        float(t.profit.sum()),
        float(t.cac[T]),
        float(t.roi[T]),
    )


def _one_run(
    setup: EngineSetup,
    names: tuple[str, ...],
    draws: FloatArray,
    arms: tuple[OperatingModel, ...],
    weeks: int,
    *,
    rng: np.random.Generator,
) -> tuple[int, FloatArray, FloatArray]:
    """One posterior draw and one stream, every arm: (draw, (arms, metrics), (arms, weeks))."""
    i = int(rng.integers(draws.shape[0]))
    s = build(setup, dict(zip(names, draws[i].tolist(), strict=True)))
    seed = int(rng.integers(2**63))
    vals = np.empty((len(arms), len(METRICS)))
    weekly = np.empty((len(arms), weeks))
    for a, om in enumerate(arms):
        t = simulate(
            s.community,
            om,
            weeks=weeks,
            rng=seed,
            economics=s.economics,
            profile=s.profile,
            mechanisms=s.mechanisms,
            capacity=s.capacity,
        )
        vals[a] = _metrics(t)
        weekly[a] = t.profit[1:]
    return i, vals, weekly


@attrs.frozen(kw_only=True, eq=False)
class StrategyComparison(ResultMixin):
    """Arms run on the twin's posterior draws, paired (see :func:`compare_strategies`).

    Attributes
    ----------
    arms
        Arm names (the first is the baseline of the contrasts).
    metrics
        Metric names (:data:`METRICS`).
    weeks
        Horizon.
    values
        Metric → (runs, arms) values.
    weekly_profit
        (runs, arms, weeks) profit per week.
    higher_is_better
        Metric → whether higher is better.
    draws
        Posterior draw used by each run.
    level
        Confidence level of the intervals.
    """

    arms: tuple[str, ...]
    metrics: tuple[str, ...]
    weeks: int
    values: dict[str, FloatArray] = attrs.field(repr=False)
    weekly_profit: FloatArray = attrs.field(repr=False)
    higher_is_better: dict[str, bool] = attrs.field(repr=False)
    draws: FloatArray | None = attrs.field(default=None, repr=False)
    level: float = 0.95

    @property
    def runs(self) -> int:
        """Runs (posterior draws × streams)."""
        return int(next(iter(self.values.values())).shape[0])

    def _finite(self, metric: str, owner: str) -> FloatArray:
        check_choice(
            metric, list(self.metrics), owner=f"StrategyComparison.{owner}", field="metric"
        )
        v = self.values[metric]
        return v[np.isfinite(v).all(axis=1)]

    def expected(self, metric: str) -> dict[str, tuple[float, float, float]]:
        """Expected value of each arm with its confidence interval: (mean, lower, upper).

        Runs where any arm's value is not finite (a CAC with no customer) are left out.
        """
        v = self._finite(metric, "expected")
        return {a: mean_ci(v[:, j], level=self.level) for j, a in enumerate(self.arms)}

    def p_best(self, metric: str) -> dict[str, float]:
        """Probability that each arm is best on ``metric`` (share of paired runs it wins; ties
        split)."""
        v = self._finite(metric, "p_best")
        if v.shape[0] == 0:
            return {a: math.nan for a in self.arms}
        s = v if self.higher_is_better[metric] else -v
        best = s == s.max(axis=1, keepdims=True)
        share = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)
        return {a: float(x) for a, x in zip(self.arms, share, strict=True)}

    def contrasts(self, metric: str) -> tuple[Contrast, ...]:
        """Each arm minus the baseline (the first arm), per paired run, with its CI."""
        v = self._finite(metric, "contrasts")
        base = self.arms[0]
        return tuple(
            Contrast.of(f"{a} − {base}", v[:, j] - v[:, 0])
            for j, a in enumerate(self.arms)
            if j > 0
        )

    def result(self, metric: str) -> ScenarioResult:
        """One metric in the scenario results' shape (values per run and arm, contrasts)."""
        check_choice(metric, list(self.metrics), owner="StrategyComparison.result", field="metric")
        return ScenarioResult(
            name="compare_strategies",
            behaviour=f"{METRICS[metric][0]}, arms against {self.arms[0]}",
            seed="twin",
            metric=metric,
            arms=self.arms,
            values=self.values[metric],
            contrasts=self.contrasts(metric),
        )

    def summary(self) -> Summary:
        """Expected value per arm and metric, the probability of being best, the contrasts.

        Examples
        --------
        >>> r = StrategyComparison(arms=("a", "b"), metrics=("profit",), weeks=4,
        ...     values={"profit": np.array([[1.0, 3.0], [2.0, 2.5], [1.5, 4.0]])},
        ...     weekly_profit=np.zeros((3, 2, 4)), higher_is_better={"profit": True})
        >>> r.summary()["best_profit"]
        'b'
        """
        rows: dict[str, tuple[Any, ...]] = {}
        head: dict[str, Any] = {"runs": self.runs, "weeks": self.weeks}
        for m in self.metrics:
            e = self.expected(m)
            pb = self.p_best(m)
            for a in self.arms:
                rows[f"{m} {a}"] = (e[a][0], e[a][1], e[a][2], pb[a])
            for c in self.contrasts(m):
                rows[f"{m} {c.label}"] = (c.mean, c.lo, c.hi, math.nan)
            head[f"best_{m}"] = max(pb, key=lambda k: pb[k])
        return Summary(
            title=f"Strategies on the twin: {len(self.arms)} arms, {self.runs} paired runs, "
            f"{self.weeks} weeks",
            headline=head,
            table=Table(
                columns=("expected", f"{self.level:.0%} lower", "upper", "P(best)"), rows=rows
            ),
            notes=(
                "each run: one posterior draw and one stream, shared by every arm; "
                "contrasts are arm minus the first arm",
            ),
        )

    def to_html(self) -> str:
        """An HTML ``<section>`` with the comparison table."""
        return (
            "<section class='shequn-strategies'><h2>Strategies on the twin</h2>"
            f"{self.summary()._repr_html_()}</section>"
        )

    def to_frame(self) -> Any:
        """Per run and arm: every metric (long table; needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        rows = []
        for i in range(self.runs):
            for j, a in enumerate(self.arms):
                rows.append({"run": i, "arm": a, **{m: self.values[m][i, j] for m in self.metrics}})
        return pd.DataFrame(rows)


def compare_strategies(
    twin: Twin,
    arms: Mapping[str, OperatingModel],
    *,
    weeks: int,
    runs: int = 100,
    level: float = 0.95,
    executor: Executor | None = None,
    rng: RNGLike = None,
) -> StrategyComparison:
    """Run operating strategies on the twin's posterior draws and compare them, paired.

    Parameters
    ----------
    twin
        A calibrated :class:`~shequn.twin.Twin`.
    arms
        Arm name → the operating model it runs (at least two; the first is the baseline).
    weeks
        Horizon in weeks (from the community's week-0 state).
    runs
        Paired runs: each draws one parameter vector from the posterior sample and one stream,
        and runs every arm with both.
    level
        Confidence level of the expected values and contrasts.
    executor
        Where runs go (``None``: serially here).
    rng
        Seed material.

    Returns
    -------
    StrategyComparison
        Expected value of each arm per metric (members kept, members, active members,
        revenue, profit, CAC, ROI), the probability that each arm is best, and the contrasts
        against the first arm in the scenario results' shape (:meth:`~StrategyComparison.result`).
    """
    check_instance(twin, Twin, owner="compare_strategies", field="twin")
    if not isinstance(arms, Mapping):
        raise fail("compare_strategies", "arms", "be a mapping of name to OperatingModel", arms)
    if len(arms) < 2:
        raise fail("compare_strategies", "arms", "hold at least two strategies", len(arms))
    for name, om in arms.items():
        if not isinstance(om, OperatingModel):
            raise fail("compare_strategies", f"arms[{name!r}]", "be an OperatingModel", om)
    weeks = check_int(weeks, owner="compare_strategies", field="weeks", low=1)
    runs = check_int(runs, owner="compare_strategies", field="runs", low=2)
    level = check_level(level, owner="compare_strategies")
    # each run keeps (arms, weeks) weekly profits and its metrics; one trajectory is in flight
    in_flight = 16.0 * _WIDTH * (weeks + 1)
    kept = 8.0 * len(arms) * (weeks + len(METRICS)) + SEED_BYTES
    check_memory(in_flight + kept, owner="compare_strategies", field="weeks", value=weeks)
    check_memory(in_flight + runs * kept, owner="compare_strategies", field="runs", value=runs)
    fn = functools.partial(_one_run, twin.setup, twin.free, twin.draws, tuple(arms.values()), weeks)
    out = map_runs(fn, runs=runs, rng=rng, executor=executor, owner="compare_strategies")
    vals = np.stack([o[1] for o in out])  # (runs, arms, metrics)
    names = tuple(METRICS)
    return StrategyComparison(
        arms=tuple(arms),
        metrics=names,
        weeks=weeks,
        values={m: vals[:, :, k] for k, m in enumerate(names)},
        weekly_profit=np.stack([o[2] for o in out]),
        higher_is_better={m: METRICS[m][1] for m in names},
        draws=twin.draws[[o[0] for o in out]],
        level=level,
    )
