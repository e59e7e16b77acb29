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

import html
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._stats import mean_ci

__all__ = ["Contrast", "ScenarioResult"]

_eq = attrs.cmp_using(eq=lambda a, b: np.array_equal(a, b, equal_nan=True))


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
    values: NDArray[np.float64] = attrs.field(eq=_eq, repr=False)
    mean: float
    lo: float
    hi: float

    @classmethod
    def of(cls, label: str, values: NDArray[np.float64]) -> Contrast:
        """Build a contrast from per-run differences.

        Examples
        --------
        >>> Contrast.of("x", np.array([1.0, 1.0])).lo
        1.0
        """
        v = np.asarray(values, dtype=float)
        m, lo, hi = mean_ci(v)
        return cls(label=label, values=v, mean=m, lo=lo, hi=hi)

    @property
    def holds(self) -> bool:
        """Whether the whole 95 % interval is above zero."""
        return bool(self.lo > 0)


@attrs.frozen(kw_only=True)
class ScenarioResult:
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
    values: NDArray[np.float64] = attrs.field(eq=_eq, repr=False)
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

    @property
    def ci(self) -> tuple[float, float]:
        """95 % confidence interval of the headline contrast."""
        return self.contrasts[0].lo, self.contrasts[0].hi

    @property
    def holds(self) -> bool:
        """Whether every contrast is positive at 95 % confidence."""
        return all(c.holds for c in self.contrasts)

    def summary(self) -> str:
        """A short text report.

        Examples
        --------
        >>> r = ScenarioResult(name="d", behaviour="b", seed="s", metric="m", arms=("A", "B"),
        ...                    values=np.ones((2, 2)),
        ...                    contrasts=(Contrast.of("A - B", np.array([1.0, 2.0])),))
        >>> print(r.summary().splitlines()[0])
        d: b (seed s)
        """
        lines = [
            f"{self.name}: {self.behaviour} (seed {self.seed})",
            f"  metric: {self.metric}, {self.runs} runs",
        ]
        for a, v in self.means.items():
            lines.append(f"  {a:>28}: {v:,.4g}")
        for c in self.contrasts:
            lines.append(
                f"  {c.label:>28}: {c.mean:,.4g}  95% CI [{c.lo:,.4g}, {c.hi:,.4g}]"
                f"  {'holds' if c.holds else 'NOT shown'}"
            )
        return "\n".join(lines)

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

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th>{html.escape(a)}</th><td>{v:,.4g}</td></tr>" for a, v in self.means.items()
        )
        rows += "".join(
            f"<tr><th>{html.escape(c.label)}</th><td>{c.mean:,.4g} "
            f"[{c.lo:,.4g}, {c.hi:,.4g}]</td></tr>"
            for c in self.contrasts
        )
        return (
            f"<table><caption>{html.escape(self.name)}: {html.escape(self.behaviour)}"
            f"</caption>{rows}</table>"
        )
