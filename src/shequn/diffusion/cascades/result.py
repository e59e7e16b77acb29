"""What every cascade model returns: :class:`DiffusionResult` (final sizes, curves, who adopted)."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Hashable
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary
from shequn._stats import mean_ci, mean_ci_columns
from shequn._typing import FloatArray, IntArray, array_eq, optional_array_eq
from shequn._validation import check_choice, check_int
from shequn.exceptions import ShequnDeprecationWarning

__all__ = ["DiffusionResult"]


def _counts(adopted: tuple[int, NDArray[Any], IntArray]) -> IntArray:
    n, listed, folded = adopted
    out: IntArray = np.bincount(listed, minlength=n).astype(np.int64)
    if folded.size:
        out += folded
    return out


def _same_counts(
    a: tuple[int, NDArray[Any], IntArray], b: tuple[int, NDArray[Any], IntArray]
) -> bool:
    return a[0] == b[0] and bool(np.array_equal(_counts(a), _counts(b)))


@attrs.frozen(kw_only=True)
class DiffusionResult(ResultMixin):
    """Monte Carlo outcome of a diffusion model: final sizes, adoption curves, who adopted.

    Attributes
    ----------
    model
        Name of the function that produced it, e.g. ``"independent_cascade"``.
    n
        Number of nodes of the network.
    seeds
        (k,) node indices of the fixed seeds (empty with :class:`RandomSeeds`).
    random_seeds
        Number of seeds drawn per run with :class:`RandomSeeds`, else 0.
    final_sizes
        (runs,) adopters at the end of each run, seeds included (for :func:`rumour`: members
        who ever heard the message, i.e. spreaders plus stiflers).
    curves
        (runs, steps + 1) cumulative adopters after each step (column 0: the seeds), each row
        padded with its final value after the run stopped.
    adopted
        Who adopted, as ``(n, listed, folded)``: the adopters of runs listed one after the
        other and an (n,) count array for runs already folded (empty when none): what
        :attr:`node_counts` adds up when first read (kernels do not spend a pass over the
        network on it per call). Compared by the counts it stands for.
    active
        (runs, steps + 1) spreaders after each step for :func:`rumour` (0 once it died out);
        ``None`` for the other models.
    params
        The model's parameters as ``(name, value)`` pairs, for the summary.
    labels
        Node labels by index, or ``None`` when the nodes are ``0..n-1``.
    level
        Confidence level of the reported intervals.

    Examples
    --------
    >>> from shequn.diffusion.cascades import independent_cascade
    >>> import networkx as nx
    >>> res = independent_cascade(nx.path_graph(4), [0], p=1.0, runs=3, rng=0)
    >>> res.final_sizes.tolist(), res.curves[0].tolist()
    ([4, 4, 4], [1, 2, 3, 4])
    >>> res.node_frequency.tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    model: str
    n: int
    seeds: IntArray = attrs.field(eq=array_eq, repr=False)
    random_seeds: int = 0
    final_sizes: IntArray = attrs.field(eq=array_eq, repr=False)
    curves: IntArray = attrs.field(eq=array_eq, repr=False)
    adopted: tuple[int, NDArray[Any], IntArray] = attrs.field(
        eq=attrs.cmp_using(eq=_same_counts), repr=False
    )
    active: IntArray | None = attrs.field(default=None, eq=optional_array_eq, repr=False)
    params: tuple[tuple[str, Any], ...] = attrs.field(default=(), repr=False)
    labels: tuple[Hashable, ...] | None = attrs.field(default=None, repr=False)
    level: float = 0.95

    @property
    def runs(self) -> int:
        """Number of Monte Carlo runs."""
        return int(self.final_sizes.shape[0])

    @property
    def steps(self) -> int:
        """Number of steps recorded in :attr:`curves` (its width minus one)."""
        return int(self.curves.shape[1] - 1)

    @property
    def mean(self) -> float:
        """Mean final size over the runs (the expected spread)."""
        return float(self.final_sizes.mean())

    @property
    def se(self) -> float:
        """Standard error of :attr:`mean` (NaN with one run)."""
        if self.runs < 2:
            return float("nan")
        return float(self.final_sizes.std(ddof=1) / math.sqrt(self.runs))

    @property
    def mean_share(self) -> float:
        """Mean final size as a share of the network."""
        return self.mean / self.n

    @functools.cached_property
    def node_counts(self) -> IntArray:
        """(n,) number of runs in which each node adopted (seeds included)."""
        return _counts(self.adopted)

    @property
    def node_frequency(self) -> FloatArray:
        """(n,) share of runs in which each node adopted: its adoption probability."""
        out: FloatArray = self.node_counts / float(self.runs)
        return out

    @property
    def durations(self) -> IntArray:
        """(runs,) step of each run's last adoption (for :func:`rumour`: steps until no spreader
        is left).

        Examples
        --------
        >>> from shequn.diffusion.cascades import independent_cascade
        >>> import networkx as nx
        >>> independent_cascade(nx.path_graph(4), [0], p=1.0, runs=2, rng=0).durations.tolist()
        [3, 3]
        """
        if self.active is not None:
            # spreaders stay positive until the rumour dies, then 0 for good
            alive: IntArray = np.minimum((self.active > 0).sum(axis=1), self.steps)
            return alive.astype(np.int64)
        grew = np.diff(self.curves, axis=1) > 0
        if grew.shape[1] == 0:
            return np.zeros(self.runs, dtype=np.int64)
        last = grew.shape[1] - np.argmax(grew[:, ::-1], axis=1)
        out = np.where(grew.any(axis=1), last, 0).astype(np.int64)
        return out

    def conf_int(self, level: float | None = None) -> Intervals:
        """Student-t confidence intervals ``{"mean": (lo, hi), "mean_share": (lo, hi)}`` of the
        expected spread and of its share of the network, at ``level`` (default :attr:`level`).

        Examples
        --------
        >>> import networkx as nx
        >>> from shequn.diffusion.cascades import independent_cascade
        >>> res = independent_cascade(nx.star_graph(5), [0], p=0.5, runs=400, rng=1)
        >>> lo, hi = res.conf_int()["mean"]
        >>> bool(lo < 3.5 < hi)    # exact: 1 + 5 * 0.5
        True
        """
        lvl = self.level if level is None else level
        _, lo, hi = mean_ci(self.final_sizes, level=lvl)
        return {"mean": (lo, hi), "mean_share": (lo / self.n, hi / self.n)}

    def ci(self, level: float | None = None) -> tuple[float, float]:
        """Deprecated: use ``conf_int(level)["mean"]``.

        Examples
        --------
        >>> import warnings
        >>> import networkx as nx
        >>> from shequn.diffusion.cascades import independent_cascade
        >>> res = independent_cascade(nx.path_graph(3), [0], p=1.0, runs=2)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     res.ci() == res.conf_int()["mean"]
        True
        """
        warnings.warn(
            "DiffusionResult.ci() is deprecated: use DiffusionResult.conf_int(level)['mean'] "
            "(one shape for every confidence interval, docs/architecture.md)",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        return self.conf_int(level)["mean"]

    def mean_curve(self, level: float | None = None) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Mean cumulative adopters per step with its confidence band ``(mean, lower, upper)``.

        Examples
        --------
        >>> from shequn.diffusion.cascades import independent_cascade
        >>> import networkx as nx
        >>> m, lo, hi = independent_cascade(nx.path_graph(3), [0], p=1.0, runs=2).mean_curve()
        >>> m.tolist()
        [1.0, 2.0, 3.0]
        """
        lvl = self.level if level is None else level
        return mean_ci_columns(self.curves, level=lvl)

    def prob_reach(self, size: int) -> float:
        """Share of runs whose final size is at least ``size`` (e.g. a "global" cascade).

        Examples
        --------
        >>> from shequn.diffusion.cascades import independent_cascade
        >>> import networkx as nx
        >>> independent_cascade(nx.path_graph(3), [0], p=1.0, runs=4).prob_reach(3)
        1.0
        """
        k = check_int(size, owner="DiffusionResult.prob_reach", field="size", low=0)
        return float((self.final_sizes >= k).mean())

    def _param_text(self) -> str:
        return ", ".join(f"{k}={_short(v)}" for k, v in self.params)

    def _seed_text(self) -> str:
        if self.random_seeds:
            return f"{self.random_seeds} random seed{'s' if self.random_seeds > 1 else ''} per run"
        k = self.seeds.shape[0]
        return f"{k} seed{'s' if k != 1 else ''}"

    def summary(self) -> Summary:
        """Expected spread with its interval, its spread over runs, share and duration.

        Examples
        --------
        >>> import networkx as nx
        >>> from shequn.diffusion.cascades import independent_cascade
        >>> res = independent_cascade(nx.path_graph(5), [0], p=1.0, runs=10, rng=0)
        >>> s = res.summary()
        >>> print(str(s).splitlines()[0])
        independent_cascade on 5 nodes, 1 seed, 10 runs (p=1)
        >>> s["mean"], s["share"], s["max_steps"]
        (5.0, 1.0, 4)
        """
        pct = round(100 * self.level)
        lo, hi = self.conf_int()["mean"]
        what = "informed" if self.model == "rumour" else "adopters"
        dur = self.durations
        title = f"{self.model} on {self.n} nodes, {self._seed_text()}, {self.runs} runs" + (
            f" ({self._param_text()})" if self.params else ""
        )
        return Summary(
            title=title,
            headline={
                "mean": self.mean,
                "se": self.se,
                "lower": lo,
                "upper": hi,
                "sd": float(self.final_sizes.std(ddof=1)) if self.runs > 1 else 0.0,
                "min": int(self.final_sizes.min()),
                "max": int(self.final_sizes.max()),
                "share": self.mean_share,
                "mean_steps": float(dur.mean()),
                "max_steps": int(dur.max()),
            },
            notes=(
                f"final {what} per run, seeds included; lower and upper: {pct}% Student-t "
                "interval of the mean",
            ),
        )

    def to_frame(self, kind: Literal["runs", "curve", "nodes"] = "runs") -> Any:
        """The result as a :class:`pandas.DataFrame` (needs pandas).

        Parameters
        ----------
        kind
            ``"runs"``: one row per run (final size, duration); ``"curve"``: one row per step
            (mean cumulative adopters with its confidence band, and mean spreaders for the
            rumour); ``"nodes"``: one row per node (adoption frequency), indexed by label.

        Examples
        --------
        >>> from shequn.diffusion.cascades import independent_cascade
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> import networkx as nx
        >>> res = independent_cascade(nx.path_graph(3), [0], p=1.0, runs=2)
        >>> res.to_frame().columns.tolist(), res.to_frame("curve").shape
        (['final_size', 'duration'], (3, 3))
        """
        kind = check_choice(
            kind, ["runs", "curve", "nodes"], owner="DiffusionResult.to_frame", field="kind"
        )
        pd = optional_import("pandas", extra="pandas")
        if kind == "runs":
            return pd.DataFrame(
                {"final_size": self.final_sizes, "duration": self.durations},
                index=pd.RangeIndex(self.runs, name="run"),
            )
        if kind == "curve":
            m, lo, hi = self.mean_curve()
            data = {"mean": m, "lower": lo, "upper": hi}
            if self.active is not None:
                data["spreaders"] = self.active.mean(axis=0)
            return pd.DataFrame(data, index=pd.RangeIndex(self.steps + 1, name="step"))
        index = pd.Index(
            list(self.labels) if self.labels is not None else list(range(self.n)), name="node"
        )
        return pd.DataFrame(
            {"frequency": self.node_frequency, "runs_adopted": self.node_counts}, index=index
        )


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
