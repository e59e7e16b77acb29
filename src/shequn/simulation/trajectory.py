"""The record of a simulation: one row per week (row 0 is the starting state).

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

import html
import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn.loyalty.stages import Stage

__all__ = ["Trajectory"]

FArr = NDArray[np.float64]


def _freeze(cols: Mapping[str, Any]) -> dict[str, NDArray[Any]]:
    out = {}
    for k, v in cols.items():
        a = np.array(v)
        a.setflags(write=False)
        out[k] = a
    return out


def _int_tuple(values: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in values)


def _cols_eq(a: Mapping[str, NDArray[Any]], b: Mapping[str, NDArray[Any]]) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[k], b[k], equal_nan=a[k].dtype.kind == "f") for k in a
    )


@attrs.frozen(kw_only=True)
class Trajectory:
    """Weekly record of a simulated community (row ``t`` is the state after week ``t``).

    Flows (money, messages, joins) in row ``t`` happened during week ``t``; row 0 holds zeros.
    Stocks (members by stage, active members, adopters, reach) are measured at the end of the
    week. Use the named properties or :meth:`column`; :meth:`to_frame` gives everything as a
    pandas DataFrame.

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
    """

    columns: dict[str, NDArray[Any]] = attrs.field(
        converter=_freeze, eq=attrs.cmp_using(eq=_cols_eq), repr=False
    )
    ring_sizes: tuple[int, ...] = attrs.field(converter=_int_tuple)
    entropy: dict[str, Any] | None = attrs.field(default=None, eq=False)

    # ------------------------------------------------------------------ access
    @property
    def weeks(self) -> int:
        """Number of simulated weeks."""
        return int(self.columns["week"].shape[0] - 1)

    def column(self, name: str) -> NDArray[Any]:
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
        if name not in self.columns:
            from shequn._validation import fail

            raise fail("Trajectory", "column", f"be one of {sorted(self.columns)}", name)
        return self.columns[name]

    @property
    def names(self) -> list[str]:
        """Column names."""
        return sorted(self.columns)

    @property
    def stage_counts(self) -> NDArray[np.int64]:
        """(weeks + 1, 6) members by :class:`~shequn.loyalty.stages.Stage` (lapsed included)."""
        return self.columns["stage_counts"]

    @property
    def members(self) -> NDArray[np.int64]:
        """Members present (prospect to friend) at the end of each week."""
        return self.columns["members"]

    @property
    def retention(self) -> FArr:
        """Share of the week-0 members still present (the original cohort's retention curve)."""
        r = self.columns["retained"].astype(float)
        return r / r[0] if r[0] > 0 else np.zeros_like(r)

    @property
    def active_share(self) -> FArr:
        """Share of present members who did something in the week (talked, read, opened a
        message, attended an event or bought); 0 at week 0."""
        m = self.columns["members"].astype(float)
        out: FArr = np.divide(self.columns["active"], m, out=np.zeros_like(m), where=m > 0)
        return out

    @property
    def adopters(self) -> NDArray[np.int64]:
        """Present members who have bought (customer to friend)."""
        return self.columns["adopters"]

    @property
    def reach(self) -> NDArray[np.int64]:
        """(weeks + 1, 5) adopters at distance 0, 1, 2, 3, beyond from the launch seeds."""
        return self.columns["reach"]

    @property
    def revenue(self) -> FArr:
        """Revenue per week."""
        return self.columns["revenue"]

    @property
    def costs(self) -> FArr:
        """Costs per week: goods, content, events, broadcast and staff."""
        return self.columns["costs"]

    @property
    def profit(self) -> FArr:
        """Revenue minus costs per week."""
        return self.columns["profit"]

    def _cum(self, name: str) -> FArr:
        out: FArr = np.cumsum(self.columns[name].astype(float))
        return out

    @property
    def marketing_costs(self) -> FArr:
        """Cumulative content, event, broadcast and staff costs."""
        return (
            self._cum("cost_content")
            + self._cum("cost_events")
            + self._cum("cost_broadcast")
            + self._cum("cost_staff")
        )

    @property
    def cac(self) -> FArr:
        """Cumulative customer acquisition cost: marketing costs / new customers so far."""
        won = self._cum("new_customers")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(won > 0, self.marketing_costs / np.maximum(won, 1), np.inf)

    @property
    def cac_broadcast(self) -> FArr:
        """Cumulative broadcast cost per customer won by broadcast."""
        won = self._cum("new_broadcast")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(won > 0, self._cum("cost_broadcast") / np.maximum(won, 1), np.inf)

    @property
    def cac_community(self) -> FArr:
        """Cumulative content, event and staff cost per customer won by content or word of mouth."""
        won = self._cum("new_content") + self._cum("new_wom")
        cost = self._cum("cost_content") + self._cum("cost_events") + self._cum("cost_staff")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(won > 0, cost / np.maximum(won, 1), np.inf)

    @property
    def ltv(self) -> FArr:
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
    def roi(self) -> FArr:
        """Cumulative return on marketing: (gross margin − marketing costs) / marketing costs."""
        mc = self.marketing_costs
        gm = self._cum("gross_margin")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(mc > 0, (gm - mc) / np.maximum(mc, 1e-300), np.nan)

    @property
    def niche_share(self) -> float:
        """Share of first purchases (customers won) that went to niche products over the run."""
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
    def summary(self) -> dict[str, Any]:
        """Headline figures at the end of the run.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> from shequn.simulation import simulate
        >>> t = simulate(generate_community("values", 120, rng=1), OperatingModel(), weeks=3,
        ...              rng=2)
        >>> sorted(t.summary())[:3]
        ['active_share', 'adopters', 'cac']
        """
        T = self.weeks
        counts = self.stage_counts[T]
        out: dict[str, Any] = {
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
        out.update(self.value_layers)
        return out

    def to_frame(self) -> Any:
        """All weekly columns as a pandas DataFrame indexed by week (pandas is optional).

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> from shequn.operating import OperatingModel
        >>> from shequn.simulation import simulate
        >>> t = simulate(generate_community("brand", 100, rng=0), OperatingModel(), weeks=2,
        ...              rng=0)
        >>> df = t.to_frame()  # doctest: +SKIP
        """
        pd = optional_import("pandas", extra="pandas")
        data: dict[str, Any] = {}
        for k, v in self.columns.items():
            if k == "week":
                continue
            if v.ndim == 1:
                data[k] = v
            elif k == "stage_counts":
                for i in range(v.shape[1]):
                    data[f"n_{Stage(i).name.lower()}"] = v[:, i]
            else:
                for i in range(v.shape[1]):
                    data[f"{k}_{i}"] = v[:, i]
        data["active_share"] = self.active_share
        data["cac"] = self.cac
        data["ltv"] = self.ltv
        data["roi"] = self.roi
        return pd.DataFrame(data, index=pd.Index(self.columns["week"], name="week"))

    def _repr_html_(self) -> str:
        s = self.summary()
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in s.items()
        )
        return f"<table><caption>Trajectory ({self.weeks} weeks)</caption>{rows}</table>"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3g}" if math.isfinite(v) else str(v)
    return str(v)
