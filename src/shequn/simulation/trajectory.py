"""The record of a simulation: one row per week (row 0 is the starting state).

Its columns are the engine's registry (:mod:`shequn.simulation.flows`): every flow the
mechanisms produce, the stocks measured at the end of each week and a few derived columns.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import simulate
>>> t = simulate(generate_community("brand", 150, rng=0), OperatingModel(), weeks=4, rng=0)
>>> t.weeks, len(t.members)
(4, 5)
>>> bool((t.revenue - t.costs == t.profit).all())
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from shequn._optional import optional_import
from shequn._results import ResultMixin, Summary
from shequn._typing import FloatArray, IntArray
from shequn._validation import check_choice, fail
from shequn.loyalty.stages import Stage
from shequn.simulation.records import RecordTables

__all__ = ["Trajectory"]


def _freeze(cols: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(cols, Mapping) or "week" not in cols:
        raise fail(
            "Trajectory",
            "columns",
            "be a mapping of column name to array with a 'week' column",
            cols if isinstance(cols, Mapping) else type(cols).__name__,
        )
    out = {}
    for k, v in cols.items():
        a = np.array(v)
        a.setflags(write=False)
        out[k] = a
    rows = out["week"].shape[0] if out["week"].ndim else 0
    for k, a in out.items():
        if a.ndim == 0 or a.shape[0] != rows or rows == 0:
            raise fail("Trajectory", f"columns[{k!r}]", f"have {rows} rows (weeks + 1)", a.shape)
    return out


def _int_tuple(values: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def _cols_eq(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f") for k in a
    )


def _marketing() -> tuple[str, ...]:
    from shequn.simulation.flows import marketing_flows

    return marketing_flows()


@attrs.frozen(kw_only=True)
class Trajectory(ResultMixin):
    """Weekly record of a simulated community (row ``t`` is the state after week ``t``).

    Flows (money, messages, joins) in row ``t`` happened during week ``t``; row 0 holds
    their starting values (0, or ``nan`` for rates). Stocks (members by stage, adopters,
    reach) are measured at the end of the week. Use the named properties or :meth:`column`;
    :meth:`to_frame` gives everything as a pandas DataFrame; :data:`shequn.simulation.flows.
    COLUMNS` says what each column is.

    Attributes
    ----------
    columns
        Name → array of length ``weeks + 1`` (``stage_counts``: (weeks + 1, 6); ``reach``:
        (weeks + 1, 5), adopters at distance 0, 1, 2, 3 and beyond from the launch seeds).
    ring_sizes
        Members at distance 0..3 from the launch seeds in the week-0 network
        (:func:`shequn.community.metrics.k_hop_reach`).
    entropy
        ``entropy`` and ``spawn_key`` of the run's seed when it was an int or a SeedSequence
        (rebuild with ``numpy.random.SeedSequence(**entropy)`` to replay), else ``None``.
    records
        The run's individual-level records (:class:`~shequn.simulation.records.RecordTables`) when
        it was simulated with ``records=True``, else ``None``.
    """

    columns: dict[str, Any] = attrs.field(
        converter=_freeze, eq=attrs.cmp_using(eq=_cols_eq), repr=False
    )
    ring_sizes: tuple[int, ...] = attrs.field(converter=_int_tuple, repr=False)
    entropy: dict[str, Any] | None = attrs.field(default=None, eq=False, repr=False)
    records: RecordTables | None = attrs.field(default=None, eq=False, repr=False)

    def __repr__(self) -> str:
        return f"Trajectory(weeks={self.weeks}, columns={len(self.columns)})"

    # ------------------------------------------------------------------ access
    @property
    def weeks(self) -> int:
        """Number of simulated weeks."""
        return int(self.columns["week"].shape[0] - 1)

    def column(self, name: str) -> Any:
        """One column by name (see :attr:`names`).

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> from shequn.simulation import simulate
        >>> t = simulate(generate_community("brand", 100, rng=0), OperatingModel(), weeks=2,
        ...              rng=0)
        >>> t.column("week").tolist()
        [0, 1, 2]
        """
        check_choice(name, sorted(self.columns), owner="Trajectory.column", field="name")
        return self.columns[name]

    @property
    def names(self) -> list[str]:
        """Column names."""
        return sorted(self.columns)

    @property
    def stage_counts(self) -> IntArray:
        """(weeks + 1, 6) members by :class:`~shequn.loyalty.stages.Stage` (lapsed included)."""
        out: IntArray = self.columns["stage_counts"]
        return out

    @property
    def members(self) -> IntArray:
        """Members present (prospect to friend) at the end of each week."""
        out: IntArray = self.columns["members"]
        return out

    @property
    def retention(self) -> FloatArray:
        """Share of the week-0 members still present (the original cohort's retention curve)."""
        r = self.columns["retained"].astype(float)
        return r / r[0] if r[0] > 0 else np.zeros_like(r)

    @property
    def active_share(self) -> FloatArray:
        """Share of present members who did something in the week (talked, read, opened a
        message, attended an event or bought); 0 at week 0."""
        m = self.columns["members"].astype(float)
        out: FloatArray = np.divide(self.columns["active"], m, out=np.zeros_like(m), where=m > 0)
        return out

    @property
    def adopters(self) -> IntArray:
        """Present members who have bought (customer to friend)."""
        out: IntArray = self.columns["adopters"]
        return out

    @property
    def reach(self) -> IntArray:
        """(weeks + 1, 5) adopters at distance 0, 1, 2, 3, beyond from the launch seeds."""
        out: IntArray = self.columns["reach"]
        return out

    @property
    def revenue(self) -> FloatArray:
        """Revenue per week."""
        out: FloatArray = self.columns["revenue"]
        return out

    @property
    def costs(self) -> FloatArray:
        """Costs per week: goods, content, events, broadcast, staff and any cost a mechanism
        adds (the registry's cost flows)."""
        out: FloatArray = self.columns["costs"]
        return out

    @property
    def profit(self) -> FloatArray:
        """Revenue minus costs per week."""
        out: FloatArray = self.columns["profit"]
        return out

    def _cum(self, name: str) -> FloatArray:
        out: FloatArray = np.cumsum(self.columns[name].astype(float))
        return out

    @property
    def marketing_costs(self) -> FloatArray:
        """Cumulative marketing costs: every cost but the goods (content, broadcast, events,
        staff, rewards ...: the registry's marketing flows)."""
        names = _marketing()
        total = self._cum(names[0])
        for name in names[1:]:
            total = total + self._cum(name)
        return total

    @property
    def cac(self) -> FloatArray:
        """Cumulative customer acquisition cost: marketing costs / new customers so far."""
        won = self._cum("new_customers")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(won > 0, self.marketing_costs / np.maximum(won, 1), np.inf)

    @property
    def cac_broadcast(self) -> FloatArray:
        """Cumulative broadcast cost per customer won by broadcast."""
        won = self._cum("new_broadcast")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(won > 0, self._cum("cost_broadcast") / np.maximum(won, 1), np.inf)

    @property
    def cac_community(self) -> FloatArray:
        """Cumulative content, event and staff cost per customer won by content or word of mouth."""
        won = self._cum("new_content") + self._cum("new_wom")
        cost = self._cum("cost_content") + self._cum("cost_events") + self._cum("cost_staff")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(won > 0, cost / np.maximum(won, 1), np.inf)

    @property
    def ltv(self) -> FloatArray:
        """Lifetime value so far: weekly gross margin per adopter / weekly churn rate.

        From the cumulative gross margin, adopter-weeks and leavers (see
        :func:`shequn.economics.ltv` with no discounting).
        """
        gm = self._cum("gross_margin")
        cw = self._cum("adopter_weeks")
        left = self._cum("left")
        mw = self._cum("member_weeks")
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(cw > 0, gm / np.maximum(cw, 1), 0.0)
            churn = np.where(mw > 0, left / np.maximum(mw, 1), 0.0)
            return np.where(churn > 0, margin / np.maximum(churn, 1e-300), np.inf)

    @property
    def roi(self) -> FloatArray:
        """Cumulative return on marketing: (gross margin − marketing costs) / marketing costs."""
        mc = self.marketing_costs
        gm = self._cum("gross_margin")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(mc > 0, (gm - mc) / np.maximum(mc, 1e-300), np.nan)

    @property
    def niche_share(self) -> float:
        """Share of first purchases (customers won) that went to niche products over the run
        (``nan`` when nobody was won)."""
        first = float(self.columns["first_units"].sum())
        return float(self.columns["first_niche_units"].sum()) / first if first else math.nan

    @property
    def value_layers(self) -> dict[str, float]:
        """The three layers of community value of seed 003, summed over the run.

        ``channel``: messages carried and units sold to members reached by the community this
        week; ``platform``: product feedback and ideas; ``ecosystem``: ties formed between
        members and ties formed with partners (top-decile resources).
        """
        c = self.columns
        return {
            "channel_messages": float(c["messages"].sum() + c["content_reach"].sum()),
            "channel_sales": float(c["community_units"].sum()),
            "platform_feedback": float(c["feedback"].sum()),
            "platform_ideas": float(c["ideas"].sum()),
            "ecosystem_ties": float(c["ties_formed"].sum()),
            "ecosystem_partner_ties": float(c["partner_ties"].sum()),
        }

    # ------------------------------------------------------------------ reports
    def summary(self) -> Summary:
        """Headline figures at the end of the run.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> from shequn.simulation import simulate
        >>> t = simulate(generate_community("values", 120, rng=1), OperatingModel(), weeks=3,
        ...              rng=2)
        >>> s = t.summary()
        >>> s["weeks"], sorted(s)[:3]
        (3, ['active_share', 'adopters', 'cac'])
        """
        T = self.weeks
        counts = self.stage_counts[T]
        head: dict[str, Any] = {
            "weeks": T,
            "members": int(self.members[T]),
            "members_start": int(self.members[0]),
            "retention": float(self.retention[T]),
            "active_share": float(self.active_share[T]),
            "adopters": int(self.adopters[T]),
            "stages": {Stage(i).name.lower(): int(counts[i]) for i in range(6)},
            "revenue": float(self.revenue.sum()),
            "costs": float(self.costs.sum()),
            "profit": float(self.profit.sum()),
            "cac": float(self.cac[T]),
            "ltv": float(self.ltv[T]),
            "roi": float(self.roi[T]),
            "reach_by_degree": [int(x) for x in self.reach[T][:4]],
            "niche_share": self.niche_share,
        }
        head.update(self.value_layers)
        return Summary(
            title=f"Trajectory: {T} weeks, {int(self.members[0]):,} members at the start",
            headline=head,
            notes=("Money is summed over the run; cac, ltv and roi are cumulative at the end.",),
        )

    def to_frame(self) -> Any:
        """All weekly columns as a pandas DataFrame indexed by week (pandas is optional).

        Matrix columns are spread: ``stage_counts`` as ``n_prospect`` … ``n_lapsed``, ``reach``
        as ``reach_0`` … ``reach_4``; the derived ratios ``active_share``, ``cac``, ``ltv`` and
        ``roi`` are added.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> from shequn.simulation import simulate
        >>> t = simulate(generate_community("brand", 100, rng=0), OperatingModel(), weeks=2,
        ...              rng=0)
        >>> df = t.to_frame()  # doctest: +SKIP
        """
        from shequn.simulation.flows import COLUMNS

        pd = optional_import("pandas", extra="pandas")
        data: dict[str, Any] = {}
        for c in COLUMNS:
            if c.name == "week" or c.name not in self.columns:
                continue
            v = self.columns[c.name]
            if v.ndim == 1:
                data[c.name] = v
            elif c.name == "stage_counts":
                for i in range(v.shape[1]):
                    data[f"n_{Stage(i).name.lower()}"] = v[:, i]
            else:
                for i in range(v.shape[1]):
                    data[f"{c.name}_{i}"] = v[:, i]
        data["active_share"] = self.active_share
        data["cac"] = self.cac
        data["ltv"] = self.ltv
        data["roi"] = self.roi
        return pd.DataFrame(data, index=pd.Index(self.columns["week"], name="week"))
