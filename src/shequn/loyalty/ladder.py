"""The loyalty ladder as a Markov chain over :class:`~shequn.loyalty.stages.Stage` (seed 003).

Members climb prospect → customer 客户 → user 用户 → fan 粉丝 → friend 朋友 and may lapse 流失
at any rung. A :class:`Ladder` holds a 6 × 6 row-stochastic transition matrix (rows and
columns in :class:`Stage` order, one step = one period, e.g. a month) and answers:

* :meth:`Ladder.reach` — probability of ever reaching a stage and the expected number of
  steps to get there given that it is reached (absorbing-chain algebra);
* :meth:`Ladder.p_lapse_before` — probability of lapsing before becoming a fan, from the
  fundamental matrix N = (I − Q)⁻¹ of the chain with fan and lapsed made absorbing;
* :meth:`Ladder.stationary` — the long-run stage mix (needs lapsed members to be able to
  return, otherwise everyone ends lapsed);
* :meth:`Ladder.project` — expected stage counts of a cohort over time;
* :meth:`Ladder.simulate` — member-level paths drawn with an ``rng``;
* :meth:`Ladder.fit` — maximum-likelihood transition probabilities (row-normalised
  transition counts) from observed stage sequences, with Wilson confidence intervals
  (:meth:`Ladder.fit_log` from a long-format log; ``estimate`` and ``estimate_log`` are the
  deprecated old names).

:func:`default_ladder` is a documented, illustrative monthly ladder (assumptions, not
estimates) for simulations when no data are at hand.

Examples
--------
>>> from shequn.loyalty.ladder import default_ladder
>>> from shequn.loyalty.stages import Stage
>>> lad = default_ladder()
>>> round(lad.p_lapse_before(Stage.FAN, start=Stage.CUSTOMER), 3)
0.789
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.sparse import csgraph, csr_array

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import (
    check_array,
    check_instance,
    check_int,
    check_level,
    check_memory,
    fail,
)
from shequn.exceptions import ShequnDeprecationWarning
from shequn.loyalty.stages import Stage
from shequn.rng import RNGLike, resolve_rng

__all__ = ["Ladder", "LadderFit", "default_ladder"]

K = len(Stage)
_TOL = 1e-9

# interval bounds are NaN for rows never left: equal when NaN in the same places
_nan_eq = attrs.cmp_using(eq=lambda a, b: bool(np.array_equal(a, b, equal_nan=True)))


def _as_transition(value: Any) -> FloatArray:
    p = check_array(value, owner="Ladder", field="transition", ndim=2, probability=True)
    if p.shape != (K, K):
        raise fail("Ladder", "transition", f"be {K}×{K} (one row and column per Stage)", p.shape)
    sums = p.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > _TOL)
    if bad.size:
        i = int(bad[0])
        raise fail(
            "Ladder", "transition", f"have rows summing to 1 (row {Stage(i).name})", float(sums[i])
        )
    p = p.copy()
    p.setflags(write=False)
    return p


def _stage(value: Any, field: str, owner: str) -> int:
    if isinstance(value, bool):  # an IntEnum takes True for CUSTOMER: refuse it
        raise fail(owner, field, "be a Stage", value)
    try:
        return int(Stage(value))
    except (ValueError, TypeError) as exc:
        raise fail(owner, field, "be a Stage", value) from exc


@attrs.frozen(kw_only=True)
class Ladder:
    """A Markov model of the loyalty ladder.

    Attributes
    ----------
    transition
        6 × 6 row-stochastic matrix; ``transition[i, j]`` is the probability of moving from
        ``Stage(i)`` to ``Stage(j)`` in one period.
    """

    transition: FloatArray = attrs.field(converter=_as_transition, eq=array_eq)

    # -- absorbing-chain analysis -------------------------------------------------------------

    def fundamental_matrix(self, absorbing: Sequence[Stage]) -> tuple[FloatArray, list[int]]:
        """N = (I − Q)⁻¹ over the transient stages when ``absorbing`` stages are made absorbing.

        Returns N and the list of transient stage indices (N's row/column order). N[i, j] is
        the expected number of periods spent in stage j starting from i before absorption.

        Examples
        --------
        >>> N, idx = default_ladder().fundamental_matrix([Stage.FAN, Stage.LAPSED])
        >>> [Stage(i).name for i in idx]
        ['PROSPECT', 'CUSTOMER', 'USER', 'FRIEND']
        >>> default_ladder().fundamental_matrix([])
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `Ladder.fundamental_matrix.absorbing` must \
make every other stage able to reach an absorbing one (no closed class among PROSPECT, \
CUSTOMER, USER, FAN, FRIEND, LAPSED); got []
        """
        owner = "Ladder.fundamental_matrix"
        if isinstance(absorbing, str | bytes) or not isinstance(absorbing, Iterable):
            raise fail(owner, "absorbing", "be a sequence of Stage values", absorbing)
        ab = sorted({_stage(s, "absorbing", owner) for s in absorbing})
        tr = [i for i in range(K) if i not in ab]
        # N exists iff every transient stage can reach an absorbing one (else I − Q is singular
        # and an inverse computed in floating point is garbage, not an error)
        can = np.zeros(K, dtype=bool)
        if ab:
            g = csr_array((self.transition > 0).astype(np.float64).T)
            for a in ab:
                can[csgraph.breadth_first_order(g, a, return_predecessors=False)] = True
        stuck = [Stage(i).name for i in tr if not can[i]]
        if stuck:
            raise fail(
                owner,
                "absorbing",
                "make every other stage able to reach an absorbing one (no closed class among "
                + ", ".join(stuck)
                + ")",
                [Stage(a).name for a in ab],
            )
        Q = self.transition[np.ix_(tr, tr)]
        N = np.asarray(np.linalg.inv(np.eye(len(tr)) - Q), dtype=np.float64)
        return N, tr

    def reach(
        self, target: Stage, *, start: Stage = Stage.CUSTOMER, lapse_is_final: bool = False
    ) -> tuple[float, float]:
        """Probability of ever reaching ``target`` from ``start``, and the expected number of
        periods to reach it *given* that it is reached (NaN if it never is).

        With ``lapse_is_final=True`` a lapsed member counts as lost for good (LAPSED is made
        absorbing), so the answer is about reaching the target in one unbroken relationship.

        Examples
        --------
        >>> lad = default_ladder()
        >>> p, t = lad.reach(Stage.FAN)  # win-backs make reaching fan certain, eventually
        >>> round(p, 3), round(t, 1)
        (1.0, 100.0)
        >>> p, t = lad.reach(Stage.FAN, lapse_is_final=True)
        >>> round(p, 3), round(t, 1)
        (0.211, 7.9)
        """
        tgt = _stage(target, "target", "Ladder.reach")
        st = _stage(start, "start", "Ladder.reach")
        check_instance(lapse_is_final, bool, owner="Ladder.reach", field="lapse_is_final")
        if tgt == st:
            return 1.0, 0.0
        P = self.transition.copy()
        if lapse_is_final:
            P[Stage.LAPSED] = 0.0
            P[Stage.LAPSED, Stage.LAPSED] = 1.0
        P[tgt] = 0.0
        P[tgt, tgt] = 1.0
        # states that cannot reach the target are absorbing (never hit)
        g = csr_array((P > 0).astype(np.float64))
        reach = csgraph.breadth_first_order(csr_array(g.T), tgt, return_predecessors=False)
        can = np.zeros(K, dtype=bool)
        can[reach] = True
        if not can[st]:
            return 0.0, math.nan
        tr = [i for i in range(K) if can[i] and i != tgt]
        Q = P[np.ix_(tr, tr)]
        N = np.linalg.inv(np.eye(len(tr)) - Q)
        h = N @ P[tr, tgt]
        gt = N @ h
        i = tr.index(st)
        prob = float(h[i])
        return prob, float(gt[i] / prob) if prob > 0 else math.nan

    def probability_of_reaching(self, stage: Stage) -> float:
        """Probability that a new customer reaches ``stage`` before lapsing.

        ``reach(stage, start=CUSTOMER, lapse_is_final=True)[0]``: the conversion a
        :class:`~shequn.longtail.truefans.TrueFans` calculation needs, so a fitted ladder plugs
        straight into "how many customers for 1,000 true fans".

        Examples
        --------
        >>> lad = default_ladder()
        >>> lad.probability_of_reaching(Stage.FAN) == lad.reach(Stage.FAN, lapse_is_final=True)[0]
        True
        """
        _stage(stage, "stage", "Ladder.probability_of_reaching")
        return self.reach(stage, start=Stage.CUSTOMER, lapse_is_final=True)[0]

    def p_lapse_before(self, target: Stage = Stage.FAN, *, start: Stage = Stage.CUSTOMER) -> float:
        """Probability of lapsing before reaching ``target`` (default: before becoming a fan).

        Uses the absorption probabilities B = N R with ``target`` and LAPSED absorbing.

        Examples
        --------
        >>> round(default_ladder().p_lapse_before(Stage.FRIEND, start=Stage.FAN), 3)
        0.454
        """
        tgt = _stage(target, "target", "Ladder.p_lapse_before")
        st = _stage(start, "start", "Ladder.p_lapse_before")
        if tgt == int(Stage.LAPSED):
            raise fail("Ladder.p_lapse_before", "target", "not be LAPSED", target)
        if st in (tgt, int(Stage.LAPSED)):
            return 0.0 if st == tgt else 1.0
        N, tr = self.fundamental_matrix([Stage(tgt), Stage.LAPSED])
        B = N @ self.transition[tr, int(Stage.LAPSED)]
        return float(B[tr.index(st)])

    def stationary(self) -> FloatArray:
        """Long-run share of members in each stage (the unique stationary distribution).

        Raises :class:`~shequn.exceptions.InvalidParameterError` when the chain has more than
        one closed class (then the long run depends on the start).

        Examples
        --------
        >>> pi = default_ladder().stationary()
        >>> round(float(pi.sum()), 12), bool(pi[Stage.LAPSED] > 0.3)
        (1.0, True)
        """
        P = self.transition
        n_comp, lab = csgraph.connected_components(
            csr_array((P > 0).astype(np.float64)), directed=True, connection="strong"
        )
        closed = 0
        for c in range(n_comp):
            members = lab == c
            if P[np.ix_(members, ~members)].sum() <= _TOL:
                closed += 1
        if closed != 1:
            raise fail(
                "Ladder.stationary",
                "transition",
                "have exactly one closed class (e.g. let lapsed members return)",
                f"{closed} closed classes",
            )
        A = np.vstack([P.T - np.eye(K), np.ones(K)])
        rhs = np.r_[np.zeros(K), 1.0]
        pi = np.linalg.lstsq(A, rhs, rcond=None)[0]
        pi = np.where(np.abs(pi) < 1e-14, 0.0, pi)
        return np.asarray(pi / pi.sum(), dtype=np.float64)

    def project(self, initial: ArrayLike, steps: int) -> FloatArray:
        """Expected stage counts (or shares) of a cohort for ``steps`` periods.

        Returns an array of shape (steps + 1, 6); row 0 is ``initial``.

        Examples
        --------
        >>> out = default_ladder().project([0, 1000, 0, 0, 0, 0], 12)
        >>> out.shape, round(float(out[-1].sum()), 6)
        ((13, 6), 1000.0)
        """
        x0 = check_array(initial, owner="Ladder.project", field="initial", ndim=1, nonnegative=True)
        if x0.size != K:
            raise fail("Ladder.project", "initial", f"have {K} entries (one per Stage)", x0.size)
        n = check_int(steps, owner="Ladder.project", field="steps", low=0)
        check_memory(8.0 * K * (n + 1), owner="Ladder.project", field="steps", value=steps)
        out = np.empty((n + 1, K))
        out[0] = x0
        for t in range(n):
            out[t + 1] = out[t] @ self.transition
        return out

    def simulate(self, start: ArrayLike, steps: int, *, rng: RNGLike = None) -> NDArray[np.int8]:
        """Member-level stage paths, shape (members, steps + 1), ``int8`` Stage values.

        Examples
        --------
        >>> paths = default_ladder().simulate([Stage.CUSTOMER] * 3, 5, rng=0)
        >>> paths.shape, paths[:, 0].tolist()
        ((3, 6), [1, 1, 1])
        """
        s0 = check_array(start, owner="Ladder.simulate", field="start", ndim=1, dtype=np.int64)
        bad = np.flatnonzero((s0 < 0) | (s0 >= K))
        if bad.size:
            raise fail(
                "Ladder.simulate", "start", f"hold Stage values (index {bad[0]})", s0[bad[0]]
            )
        n = check_int(steps, owner="Ladder.simulate", field="steps", low=0)
        check_memory(  # the int8 paths, plus a step's draws
            (s0.size + 1.0) * (n + 1) + 24.0 * s0.size * K,
            owner="Ladder.simulate",
            field="steps",
            value=steps,
        )
        gen = resolve_rng(rng, owner="Ladder.simulate")
        cum = np.cumsum(self.transition, axis=1)
        cum[:, -1] = 1.0
        out = np.empty((s0.size, n + 1), dtype=np.int8)
        out[:, 0] = s0
        cur = s0
        for t in range(n):
            u = gen.random(s0.size)
            cur = (cum[cur] < u[:, None]).sum(axis=1)
            out[:, t + 1] = cur
        return out

    # -- estimation ---------------------------------------------------------------------------

    @classmethod
    def fit(cls, sequences: Sequence[ArrayLike], *, level: float = 0.95) -> LadderFit:
        """Maximum-likelihood transition matrix from per-member stage sequences.

        Each sequence lists one member's stages in consecutive periods. The estimate of
        ``P[i, j]`` is n_ij / n_i (transition counts over visits); rows never left from keep
        P[i, i] = 1 and are listed in ``LadderFit.unobserved`` (and in ``summary()``).

        Examples
        --------
        >>> fit = Ladder.fit([[1, 2, 3, 3], [1, 5, 5]])
        >>> float(fit.model.transition[Stage.CUSTOMER, Stage.USER])
        0.5
        """
        counts = np.zeros((K, K), dtype=np.int64)
        if isinstance(sequences, str | bytes) or not isinstance(sequences, Sequence | np.ndarray):
            raise fail("Ladder.fit", "sequences", "be a list of stage sequences", sequences)
        for m, seq in enumerate(sequences):
            s = check_array(
                seq, owner="Ladder.fit", field=f"sequences[{m}]", ndim=1, dtype=np.int64
            )
            bad = np.flatnonzero((s < 0) | (s >= K))
            if bad.size:
                raise fail(
                    "Ladder.fit",
                    f"sequences[{m}]",
                    f"hold Stage values 0..{K - 1} (index {bad[0]})",
                    s[bad[0]],
                )
            if s.size > 1:
                np.add.at(counts, (s[:-1], s[1:]), 1)
        return _fit_from_counts(cls, counts, level)

    @classmethod
    def estimate(cls, sequences: Sequence[ArrayLike], *, level: float = 0.95) -> LadderFit:
        """Deprecated: use :meth:`fit` (same arguments and result)."""
        warnings.warn(
            "Ladder.estimate is deprecated: use Ladder.fit", ShequnDeprecationWarning, stacklevel=2
        )
        return cls.fit(sequences, level=level)

    @classmethod
    def estimate_log(
        cls, members: ArrayLike, periods: ArrayLike, stages: ArrayLike, *, level: float = 0.95
    ) -> LadderFit:
        """Deprecated: use :meth:`fit_log` (same arguments and result)."""
        warnings.warn(
            "Ladder.estimate_log is deprecated: use Ladder.fit_log",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        return cls.fit_log(members, periods, stages, level=level)

    @classmethod
    def fit_log(
        cls, members: ArrayLike, periods: ArrayLike, stages: ArrayLike, *, level: float = 0.95
    ) -> LadderFit:
        """Fit from a long-format stage log: one row per (member, period, stage).

        Rows must be sorted by member, then period, without duplicate (member, period) pairs;
        transitions are counted between consecutive periods only (a gap breaks the chain).

        Examples
        --------
        >>> fit = Ladder.fit_log([7, 7, 7, 8, 8], [0, 1, 2, 0, 1], [1, 2, 2, 1, 5])
        >>> int(fit.counts.sum())
        3
        """
        owner = "Ladder.fit_log"
        from shequn.loyalty.rfm import check_customer_ids

        mem = check_customer_ids(members, owner=owner, field="members")
        per = check_array(periods, owner=owner, field="periods", ndim=1, dtype=np.int64)
        stg = check_array(stages, owner=owner, field="stages", ndim=1, dtype=np.int64)
        if mem.ndim != 1 or mem.size == 0:
            raise fail(owner, "members", "be a non-empty 1-dimensional array", mem.size)
        if not (mem.size == per.size == stg.size):
            raise fail(owner, "periods", f"have one entry per row ({mem.size})", per.size)
        bad = np.flatnonzero((stg < 0) | (stg >= K))
        if bad.size:
            raise fail(owner, "stages", f"hold Stage values (row {bad[0]})", stg[bad[0]])
        same = mem[1:] == mem[:-1]
        if mem.size > 1:
            _, first_pos = np.unique(mem, return_index=True)
            runs = np.count_nonzero(np.r_[True, ~same])
            if runs != first_pos.size:
                i = int(np.flatnonzero(~same)[0]) + 1
                raise fail(owner, "members", f"be sorted (grouped) by member (row {i})", mem[i])
            d = np.diff(per)
            dup = np.flatnonzero(same & (d == 0))
            if dup.size:
                i = int(dup[0]) + 1
                raise fail(
                    owner, "periods", f"not repeat a (member, period) pair (row {i})", per[i]
                )
            uns = np.flatnonzero(same & (d < 0))
            if uns.size:
                i = int(uns[0]) + 1
                raise fail(owner, "periods", f"be sorted within each member (row {i})", per[i])
            step = same & (d == 1)
        else:
            step = np.zeros(0, dtype=bool)
        counts = np.zeros((K, K), dtype=np.int64)
        np.add.at(counts, (stg[:-1][step], stg[1:][step]), 1)
        return _fit_from_counts(cls, counts, level)


def _wilson(k: FloatArray, n: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    z = float(stats.norm.ppf(0.5 + level / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        den = 1 + z**2 / n
        mid = (p + z**2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    lo = np.where(k == 0, 0.0, np.clip(mid - half, 0.0, 1.0))
    hi = np.where(k == n, 1.0, np.clip(mid + half, 0.0, 1.0))
    return lo, hi


def _fit_from_counts(cls: type[Ladder], counts: IntArray, level: float) -> LadderFit:
    lvl = check_level(level, owner="Ladder.fit")
    total = counts.sum()
    if total == 0:
        raise fail("Ladder.fit", "sequences", "contain at least one transition", 0)
    rows = counts.sum(axis=1).astype(np.float64)
    unobserved = [Stage(i) for i in range(K) if rows[i] == 0]
    P = np.where(rows[:, None] > 0, counts / np.maximum(rows, 1)[:, None], np.eye(K))
    lo, hi = _wilson(counts.astype(np.float64), np.broadcast_to(rows[:, None], (K, K)), lvl)
    lo = np.where(rows[:, None] > 0, lo, np.nan)
    hi = np.where(rows[:, None] > 0, hi, np.nan)
    return LadderFit(
        ladder=cls(transition=P),
        counts=counts,
        lower=lo,
        upper=hi,
        level=lvl,
        unobserved=tuple(unobserved),
    )


@attrs.frozen(kw_only=True)
class LadderFit(ResultMixin):
    """An estimated ladder with transition counts and per-entry Wilson intervals.

    Attributes
    ----------
    ladder
        The maximum-likelihood :class:`Ladder` (also :attr:`model`).
    counts
        Observed transition counts (6 × 6).
    lower, upper
        Confidence bounds of each transition probability (NaN for unobserved rows).
    level
        Confidence level of the bounds.
    unobserved
        Stages never left in the data.
    """

    ladder: Ladder
    counts: IntArray = attrs.field(eq=array_eq)
    lower: FloatArray = attrs.field(eq=_nan_eq)
    upper: FloatArray = attrs.field(eq=_nan_eq)
    level: float
    unobserved: tuple[Stage, ...] = ()

    @property
    def model(self) -> Ladder:
        """The fitted :class:`Ladder` (the vocabulary's name for ``ladder``)."""
        return self.ladder

    def _observed(self) -> list[tuple[int, int]]:
        return [
            (i, j)
            for i in range(K)
            for j in range(K)
            if self.counts[i].sum() > 0 and (self.counts[i, j] > 0)
        ]

    @property
    def params(self) -> dict[str, float]:
        """Estimated probability of every observed transition, ``"CUSTOMER->USER"`` → P.

        Examples
        --------
        >>> Ladder.fit([[1, 2, 2]]).params
        {'CUSTOMER->USER': 1.0, 'USER->USER': 1.0}
        """
        P = self.ladder.transition
        return {f"{Stage(i).name}->{Stage(j).name}": float(P[i, j]) for i, j in self._observed()}

    @property
    def standard_errors(self) -> dict[str, float]:
        """Binomial standard errors ``sqrt(P(1−P)/n_i)`` of the observed transitions."""
        P = self.ladder.transition
        rows = self.counts.sum(axis=1)
        return {
            f"{Stage(i).name}->{Stage(j).name}": float(math.sqrt(P[i, j] * (1 - P[i, j]) / rows[i]))
            for i, j in self._observed()
        }

    @property
    def log_likelihood(self) -> float:
        """Σ n_ij log P_ij at the estimate (multinomial, per row)."""
        P = self.ladder.transition
        ok = self.counts > 0
        return float(np.sum(self.counts[ok] * np.log(P[ok])))

    def conf_int(self, level: float | None = None) -> Intervals:
        """Wilson intervals ``{transition: (lower, upper)}`` (default: the fit's level).

        Examples
        --------
        >>> fit = Ladder.fit([[1, 2, 2, 5], [1, 1, 2]])
        >>> lo, hi = fit.conf_int(0.9)["CUSTOMER->USER"]
        >>> bool(0 < lo < 2 / 3 < hi <= 1)
        True
        """
        lvl = self.level if level is None else check_level(level, owner="LadderFit.conf_int")
        rows = self.counts.sum(axis=1).astype(np.float64)
        lo, hi = _wilson(
            self.counts.astype(np.float64), np.broadcast_to(rows[:, None], (K, K)), lvl
        )
        return {
            f"{Stage(i).name}->{Stage(j).name}": (float(lo[i, j]), float(hi[i, j]))
            for i, j in self._observed()
        }

    def summary(self) -> Summary:
        """Transition estimates with their intervals, one row per observed transition.

        Examples
        --------
        >>> print(Ladder.fit([[1, 2, 2]]).summary().title)
        Ladder fit: 2 transitions (95% Wilson intervals)
        """
        P = self.ladder.transition
        rows: dict[str, tuple[Any, ...]] = {}
        for i, j in self._observed():
            rows[f"{Stage(i).name} -> {Stage(j).name}"] = (
                float(P[i, j]),
                float(self.lower[i, j]),
                float(self.upper[i, j]),
                int(self.counts[i, j]),
            )
        notes = []
        if self.unobserved:
            notes.append(
                "never left (rows set to stay put): " + ", ".join(s.name for s in self.unobserved)
            )
        return Summary(
            title=f"Ladder fit: {int(self.counts.sum())} transitions "
            f"({self.level:.0%} Wilson intervals)",
            headline={
                "transitions": int(self.counts.sum()),
                "log-likelihood": self.log_likelihood,
            },
            table=Table(columns=("estimate", "lower", "upper", "count"), rows=rows),
            notes=tuple(notes),
        )

    def to_frame(self) -> Any:
        """Long table of from, to, estimate, lower, upper, count (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        i, j = np.meshgrid(np.arange(K), np.arange(K), indexing="ij")
        return pd.DataFrame(
            {
                "from": [Stage(int(v)).name for v in i.ravel()],
                "to": [Stage(int(v)).name for v in j.ravel()],
                "estimate": self.ladder.transition.ravel(),
                "lower": self.lower.ravel(),
                "upper": self.upper.ravel(),
                "count": self.counts.ravel(),
            }
        )


def default_ladder() -> Ladder:
    """An illustrative monthly ladder (documented assumptions, not estimates).

    ==========  =========================================================================
    from        per month
    ==========  =========================================================================
    PROSPECT    stays 0.90, buys (→ CUSTOMER) 0.08, drops out 0.02
    CUSTOMER    stays 0.60, → USER 0.20, lapses 0.20 (one-off buyers leave fast, seed 000)
    USER        stays 0.80, → FAN 0.08, back to CUSTOMER 0.02, lapses 0.10
    FAN         stays 0.90, → FRIEND 0.05, back to USER 0.02, lapses 0.03
    FRIEND      stays 0.97, back to FAN 0.02, lapses 0.01 (strong ties keep friends, seed 004)
    LAPSED      stays 0.95, won back as CUSTOMER 0.05
    ==========  =========================================================================

    Examples
    --------
    >>> float(default_ladder().transition[Stage.FAN, Stage.FRIEND])
    0.05
    """
    P = np.zeros((K, K))
    S = Stage
    P[S.PROSPECT, [S.PROSPECT, S.CUSTOMER, S.LAPSED]] = [0.90, 0.08, 0.02]
    P[S.CUSTOMER, [S.CUSTOMER, S.USER, S.LAPSED]] = [0.60, 0.20, 0.20]
    P[S.USER, [S.CUSTOMER, S.USER, S.FAN, S.LAPSED]] = [0.02, 0.80, 0.08, 0.10]
    P[S.FAN, [S.USER, S.FAN, S.FRIEND, S.LAPSED]] = [0.02, 0.90, 0.05, 0.03]
    P[S.FRIEND, [S.FAN, S.FRIEND, S.LAPSED]] = [0.02, 0.97, 0.01]
    P[S.LAPSED, [S.CUSTOMER, S.LAPSED]] = [0.05, 0.95]
    return Ladder(transition=P)
