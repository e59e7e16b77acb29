"""The result of a scenario: per-run metric values for each arm and contrasts with 95 % CIs.

Examples
--------
>>> import numpy as np
>>> from shequn.scenarios.result import Contrast, ScenarioResult
>>> r = ScenarioResult(name="demo", behaviour="A beats B", seed="000", metric="members",
...                    arms=("A", "B"), values=np.array([[3.0, 1.0], [4.0, 1.0], [5.0, 2.0]]),
...                    contrasts=(Contrast.of("A - B", np.array([2.0, 3.0, 3.0])),))
>>> r.holds, round(r.difference, 3)
(True, 2.667)
"""

from __future__ import annotations

import warnings
from typing import Any

import attrs
import numpy as np

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table
from shequn._stats import mean_ci
from shequn._typing import FloatArray, nan_array_eq
from shequn._validation import check_array, fail
from shequn.exceptions import ShequnDeprecationWarning

__all__ = ["Contrast", "ScenarioResult"]


@attrs.frozen(kw_only=True)
class Contrast:
    """A per-run difference that the behaviour predicts to be positive, with its 95 % CI.

    Attributes
    ----------
    label
        What is compared, e.g. ``"mesh − star"``.
    values
        The difference in each run.
    mean, lo, hi
        Mean and Student-t 95 % confidence bounds.
    """

    label: str
    values: FloatArray = attrs.field(eq=nan_array_eq, repr=False)
    mean: float
    lo: float
    hi: float

    @classmethod
    def of(cls, label: str, values: FloatArray) -> Contrast:
        """Build a contrast from per-run differences.

        ``label`` must be a string and ``values`` a one-dimensional array of finite numbers;
        anything else raises :class:`~shequn.exceptions.InvalidParameterError`. With a single
        value the interval is undefined (``lo`` and ``hi`` are NaN), with none the mean too:
        such a contrast does not hold (callers that drop undefined runs pass what is left).

        Examples
        --------
        >>> Contrast.of("x", np.array([1.0, 1.0])).lo
        1.0
        >>> Contrast.of("x", [1.0, float("nan")])
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `Contrast.of.values` must be finite (index 1); \
got nan
        """
        if not isinstance(label, str):
            raise fail("Contrast.of", "label", "be a string", label)
        v = check_array(values, owner="Contrast.of", field="values", ndim=1)
        m, lo, hi = mean_ci(v)
        return cls(label=label, values=v, mean=m, lo=lo, hi=hi)

    @property
    def holds(self) -> bool:
        """Whether the whole 95 % interval is above zero."""
        return bool(self.lo > 0)


@attrs.frozen(kw_only=True, repr=False)
class ScenarioResult(ResultMixin):
    """Monte Carlo comparison of operating choices for one seed behaviour.

    Attributes
    ----------
    name
        The scenario function's name.
    behaviour
        The stylised fact (concepts.md §7) in words.
    seed
        The seed essay it comes from.
    metric
        What ``values`` measures.
    arms
        Labels of the compared arms.
    values
        (runs, arms) metric per run and arm.
    contrasts
        The differences the behaviour predicts to be positive; the first is the headline.
    trajectories
        Per run, one :class:`~shequn.simulation.Trajectory` per simulation (when kept).
    """

    name: str
    behaviour: str
    seed: str
    metric: str
    arms: tuple[str, ...]
    values: FloatArray = attrs.field(eq=nan_array_eq, repr=False)
    contrasts: tuple[Contrast, ...]
    trajectories: tuple[tuple[Any, ...], ...] | None = attrs.field(
        default=None, eq=False, repr=False
    )

    @property
    def runs(self) -> int:
        """Number of Monte Carlo runs."""
        return int(self.values.shape[0])

    @property
    def means(self) -> dict[str, float]:
        """Mean metric per arm."""
        return {a: float(np.mean(self.values[:, i])) for i, a in enumerate(self.arms)}

    @property
    def difference(self) -> float:
        """Mean of the headline contrast."""
        return self.contrasts[0].mean

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Student-t confidence interval of every contrast's mean: ``{label: (lo, hi)}``.

        Examples
        --------
        >>> r = ScenarioResult(name="d", behaviour="b", seed="s", metric="m", arms=("A",),
        ...                    values=np.ones((3, 1)),
        ...                    contrasts=(Contrast.of("A - 1", np.array([1.0, 2.0, 3.0])),))
        >>> {k: tuple(round(x, 3) for x in v) for k, v in r.conf_int(0.9).items()}
        {'A - 1': (0.314, 3.686)}
        """
        out: Intervals = {}
        for c in self.contrasts:
            _, lo, hi = mean_ci(c.values, level=level)
            out[c.label] = (lo, hi)
        return out

    @property
    def ci(self) -> tuple[float, float]:
        """Deprecated: ``conf_int()[headline label]``, the 95 % interval of the headline."""
        warnings.warn(
            "ScenarioResult.ci is deprecated; use ScenarioResult.conf_int(level)",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        return self.contrasts[0].lo, self.contrasts[0].hi

    @property
    def holds(self) -> bool:
        """Whether every contrast is positive at 95 % confidence."""
        return all(c.holds for c in self.contrasts)

    def summary(self) -> Summary:
        """Arm means, and each contrast with its 95 % interval and whether it holds.

        Examples
        --------
        >>> r = ScenarioResult(name="d", behaviour="b", seed="s", metric="m", arms=("A", "B"),
        ...                    values=np.ones((2, 2)),
        ...                    contrasts=(Contrast.of("A - B", np.array([1.0, 2.0])),))
        >>> print(r.summary().title)
        d: b (seed s)
        >>> r.summary()["runs"], r.summary().table.rows["A - B"][-1]
        (2, 'NOT shown')
        """
        head: dict[str, Any] = {"metric": self.metric, "runs": self.runs}
        head.update(self.means)
        rows = {
            c.label: (c.mean, c.lo, c.hi, "holds" if c.holds else "NOT shown")
            for c in self.contrasts
        }
        return Summary(
            title=f"{self.name}: {self.behaviour} (seed {self.seed})",
            headline=head,
            table=Table(columns=("mean", "95% lower", "95% upper", ""), rows=rows),
        )

    def __repr__(self) -> str:
        return f"ScenarioResult(name={self.name!r}, runs={self.runs}, arms={self.arms!r})"

    def to_frame(self) -> Any:
        """Per-run values (one column per arm and contrast) as a pandas DataFrame.

        Examples
        --------
        >>> r = ScenarioResult(name="d", behaviour="b", seed="s", metric="m", arms=("A",),
        ...                    values=np.ones((2, 1)), contrasts=())
        >>> r.to_frame().shape  # doctest: +SKIP
        (2, 1)
        """
        pd = optional_import("pandas", extra="pandas")
        data = {a: self.values[:, i] for i, a in enumerate(self.arms)}
        for c in self.contrasts:
            data[c.label] = c.values
        return pd.DataFrame(data)
