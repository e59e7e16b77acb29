"""What every seeding method returns: :class:`SeedSet` (seeds, spread ± SE, IMM's guarantee)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import attrs
import numpy as np
from scipy import stats

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, format_value
from shequn._typing import FloatArray, IntArray, array_eq, optional_array_eq
from shequn._validation import check_level
from shequn.diffusion._compat import nan_eq

__all__ = ["SeedSet"]


def _as_int64(x: Any) -> IntArray:
    return np.asarray(x, dtype=np.int64)


def _opt_float_array(x: Any) -> FloatArray | None:
    return None if x is None else np.asarray(x, dtype=np.float64)


@attrs.frozen(kw_only=True)
class SeedSet(ResultMixin):
    """Chosen seeds with, where estimated, their expected spread and its standard error.

    Attributes
    ----------
    seeds
        Node indices of the seeds, in the order they were chosen.
    method
        Name of the method that chose them (a :data:`METHODS` name, or ``"given"``).
    spread, spread_se
        Estimated expected number of members reached (seeds included) and its standard error,
        from an independent RR sample (or the :func:`celf` estimator); NaN when not estimated.
    labels
        The seeds' labels when the graph has its own node labels, else ``None``.
    scores
        The score each seed was chosen by, when the method has one: degree, PageRank, core
        number, discounted degree, or the estimated marginal spread (CELF, IMM).
    model
        ``"ic"`` or ``"lt"``: the cascade model of the spread estimate (and the selection, for
        CELF and IMM); ``None`` when no model was used.
    samples
        RR sets behind the spread estimate (0 when none).
    rr_sets
        RR sets the seeds were selected on (IMM's θ, CELF's default estimator), else 0.
    lower_bound
        IMM's lower bound LB of the optimal spread OPT from its sampling phase, else NaN.
    epsilon
        IMM's ε, else NaN; the guarantee is spread ≥ (1 - 1/e - ε) OPT (:attr:`guarantee`).
    confidence
        Probability at least 1 - n^-ℓ with which IMM's guarantee holds, else NaN.
    timings
        Seconds spent per phase (not compared by ``==``).

    Examples
    --------
    >>> s = SeedSet(seeds=[3, 1], method="degree", spread=7.5, spread_se=0.2)
    >>> s.k, s.nodes
    (2, [3, 1])
    >>> print(s.summary())
    SeedSet by degree, k = 2
      spread     7.5
      spread_se  0.2
      seeds      [3, 1]
    """

    seeds: IntArray = attrs.field(converter=_as_int64, eq=array_eq)
    method: str
    spread: float = attrs.field(default=float("nan"), eq=nan_eq)
    spread_se: float = attrs.field(default=float("nan"), eq=nan_eq)
    labels: tuple[Hashable, ...] | None = None
    scores: FloatArray | None = attrs.field(
        default=None, converter=_opt_float_array, eq=optional_array_eq
    )
    model: str | None = None
    samples: int = 0
    rr_sets: int = 0
    lower_bound: float = attrs.field(default=float("nan"), eq=nan_eq)
    epsilon: float = attrs.field(default=float("nan"), eq=nan_eq)
    confidence: float = attrs.field(default=float("nan"), eq=nan_eq)
    timings: dict[str, float] = attrs.field(factory=dict, eq=False)

    @property
    def k(self) -> int:
        """Number of seeds."""
        return int(self.seeds.shape[0])

    @property
    def nodes(self) -> list[Hashable]:
        """The seeds as the graph names them: labels when it has them, else indices."""
        if self.labels is not None:
            return list(self.labels)
        return [int(s) for s in self.seeds]

    @property
    def guarantee(self) -> float:
        """IMM's approximation ratio 1 - 1/e - ε (NaN for other methods).

        Examples
        --------
        >>> from shequn.diffusion.seeding import imm
        >>> round(SeedSet(seeds=[0], method="imm", epsilon=0.1).guarantee, 4)
        0.5321
        """
        return 1.0 - 1.0 / math.e - self.epsilon

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Normal-approximation interval ``{"spread": (lower, upper)}`` of the expected spread
        (NaN bounds when the spread was not estimated).

        Examples
        --------
        >>> SeedSet(seeds=[0], method="degree", spread=10.0, spread_se=1.0).conf_int()
        {'spread': (8.04..., 11.95...)}
        """
        lv = check_level(level, owner="SeedSet.conf_int")
        half = float(stats.norm.ppf(0.5 + lv / 2)) * self.spread_se
        return {"spread": (self.spread - half, self.spread + half)}

    def summary(self) -> Summary:
        """Method, spread ± SE, IMM's guarantee and the seeds (the first ten).

        Examples
        --------
        >>> import networkx as nx
        >>> from shequn.diffusion.seeding import imm
        >>> s = imm(nx.star_graph(4), 1, p=1.0, rng=0).summary()
        >>> print(s)
        SeedSet by imm (ic), k = 1
          spread       5
          spread_se    0
          samples      ...
          rr_sets      ...
          lower_bound  ...
          guarantee    0.5321
          confidence   0.8
          seeds        [0]
          spread ≥ (1 - 1/e - ε) OPT = 0.5321 OPT with probability ≥ 1 - n^-ℓ = 0.8 (IMM, ...
        >>> s["spread"]
        5.0
        """
        head = f"SeedSet by {self.method}" + (f" ({self.model})" if self.model else "")
        values: dict[str, Any] = {}
        notes: list[str] = []
        if math.isfinite(self.spread):
            values["spread"] = self.spread
            values["spread_se"] = self.spread_se
            if self.samples:
                values["samples"] = self.samples
        if math.isfinite(self.epsilon):
            values["rr_sets"] = self.rr_sets
            values["lower_bound"] = self.lower_bound
            values["guarantee"] = self.guarantee
            values["confidence"] = self.confidence
            notes.append(
                f"spread ≥ (1 - 1/e - ε) OPT = {format_value(self.guarantee)} OPT with "
                f"probability ≥ 1 - n^-ℓ = {format_value(self.confidence)} (IMM, ε = "
                f"{format_value(self.epsilon)})"
                + ("; spread and spread_se from samples fresh RR sets" if self.samples else "")
            )
        shown = [x if isinstance(x, int | str) else str(x) for x in self.nodes[:10]]
        values["seeds"] = shown + ([f"... ({self.k - 10} more)"] if self.k > 10 else [])
        return Summary(title=f"{head}, k = {self.k}", headline=values, notes=tuple(notes))

    def to_frame(self) -> Any:
        """One row per seed in the order chosen (needs pandas).

        Columns ``node`` (index), ``label`` (when the graph has labels) and ``score`` (when
        the method has scores); the spread and its SE are in ``DataFrame.attrs``.

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> df = SeedSet(seeds=[3, 1], method="degree", scores=[4.0, 2.0]).to_frame()
        >>> df.columns.tolist(), df.index.name
        (['node', 'score'], 'rank')
        """
        pd = optional_import("pandas", extra="pandas")
        data: dict[str, Any] = {"node": self.seeds}
        if self.labels is not None:
            data["label"] = list(self.labels)
        if self.scores is not None:
            data["score"] = self.scores
        df = pd.DataFrame(data, index=pd.Index(np.arange(1, self.k + 1), name="rank"))
        df.attrs.update({"method": self.method, "spread": self.spread, "spread_se": self.spread_se})
        return df
