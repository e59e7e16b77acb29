"""What every seeding method returns: :class:`SeedSet` (seeds, spread ± SE, IMM's guarantee)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import

__all__ = ["SeedSet"]


def _opt_array_eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.array_equal(a, b))


def _float_eq(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


_nan_eq = attrs.cmp_using(eq=_float_eq)


def _as_int64(x: Any) -> NDArray[np.int64]:
    return np.asarray(x, dtype=np.int64)


def _opt_float_array(x: Any) -> NDArray[np.float64] | None:
    return None if x is None else np.asarray(x, dtype=np.float64)


@attrs.frozen(kw_only=True)
class SeedSet:
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
    spread 7.5 ± 0.2 (SE)
    seeds: 3, 1
    """

    seeds: NDArray[np.int64] = attrs.field(
        converter=_as_int64, eq=attrs.cmp_using(eq=np.array_equal)
    )
    method: str
    spread: float = attrs.field(default=float("nan"), eq=_nan_eq)
    spread_se: float = attrs.field(default=float("nan"), eq=_nan_eq)
    labels: tuple[Hashable, ...] | None = None
    scores: NDArray[np.float64] | None = attrs.field(
        default=None, converter=_opt_float_array, eq=attrs.cmp_using(eq=_opt_array_eq)
    )
    model: str | None = None
    samples: int = 0
    rr_sets: int = 0
    lower_bound: float = attrs.field(default=float("nan"), eq=_nan_eq)
    epsilon: float = attrs.field(default=float("nan"), eq=_nan_eq)
    confidence: float = attrs.field(default=float("nan"), eq=_nan_eq)
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

    def summary(self) -> str:
        """Plain-text description: method, spread ± SE, guarantee (IMM) and the seeds.

        Examples
        --------
        >>> from shequn.diffusion.seeding import imm
        >>> import networkx as nx
        >>> print(imm(nx.star_graph(4), 1, p=1.0, rng=0).summary())
        SeedSet by imm (ic), k = 1
        spread 5 ± 0 (SE, ... fresh RR sets)
        IMM: θ = ... RR sets, LB(OPT) = ...; spread ≥ (1 - 1/e - 0.1) OPT = 0.532 OPT with
        probability ≥ 1 - n^-ℓ = 0.8
        seeds: 0
        """
        head = f"SeedSet by {self.method}" + (f" ({self.model})" if self.model else "")
        lines = [f"{head}, k = {self.k}"]
        if math.isfinite(self.spread):
            src = f"SE, {self.samples:,} fresh RR sets" if self.samples else "SE"
            lines.append(f"spread {self.spread:.6g} ± {self.spread_se:.3g} ({src})")
        if math.isfinite(self.epsilon):
            lines.append(
                f"IMM: θ = {self.rr_sets:,} RR sets, LB(OPT) = {self.lower_bound:.6g}; "
                f"spread ≥ (1 - 1/e - {self.epsilon:g}) OPT = {self.guarantee:.3g} OPT with\n"
                f"probability ≥ 1 - n^-ℓ = {self.confidence:.6g}"
            )
        shown = [str(x) for x in self.nodes[:10]]
        more = f", ... ({self.k - 10} more)" if self.k > 10 else ""
        lines.append("seeds: " + ", ".join(shown) + more)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = self.summary().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<pre>{body}</pre>"

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
