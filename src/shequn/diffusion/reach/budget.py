"""The same budget spent on broadcast and on community operation (:func:`compare_budget`),
the community side as network Bass on the members' ties (:class:`CommunityChannel`)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table, draw, format_value
from shequn._stats import mean_ci
from shequn._typing import array_eq
from shequn._validation import (
    check_choice,
    check_int,
    check_level,
    check_memory,
    check_nonnegative,
    fail,
    positive,
    probability,
)
from shequn.community._graph import GraphLike, resolve_members
from shequn.diffusion._compat import as_floats
from shequn.diffusion._network import DiffusionNetwork, as_network
from shequn.diffusion.cascades import network_bass
from shequn.diffusion.reach.broadcast import BroadcastCampaign, _ratio
from shequn.rng import RNGLike, map_runs, resolve_rng

__all__ = ["BudgetComparison", "CommunityChannel", "CommunityCustomers", "compare_budget"]


# --- community side: network Bass ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CommunityChannel:
    """Community operation as an acquisition channel: network Bass on the members' ties.

    The budget pays for ``floor(budget / cost_per_week)`` weeks of operation (content, events,
    staff). Each week a member who has not bought yet buys with probability
    ``1 - (1 - p)(1 - q)^k``: ``p`` from the community's own announcements, ``q`` per
    tie-weighted neighbour who already bought. ``seeds`` (e.g. the owner and leaders) are
    customers at the start and are not counted as acquired. Calling the channel with
    ``(budget, rng)`` returns the customers acquired, the contract :func:`compare_budget`
    expects; the simulation engine can replace it with any callable of that shape.

    Examples
    --------
    >>> import networkx as nx
    >>> ch = CommunityChannel(graph=nx.star_graph(10), p=0.0, q=1.0, cost_per_week=100,
    ...                       seeds=[0])
    >>> ch(100, np.random.default_rng(0))  # one week: every leaf hears from the hub
    10
    """

    graph: GraphLike = attrs.field(repr=False)
    p: float = attrs.field(validator=probability)
    q: float = attrs.field(validator=probability)
    cost_per_week: float = attrs.field(validator=positive)
    seeds: Any = attrs.field(default=None, repr=False)
    _net: DiffusionNetwork = attrs.field(init=False, repr=False, eq=False)
    _seed_labels: tuple[Any, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        as_floats(self, "p", "q", "cost_per_week")
        net = as_network(self.graph, owner="CommunityChannel")
        idx = (
            np.zeros(0, dtype=np.int64)
            if self.seeds is None
            else resolve_members(
                self.seeds, net.n, net.labels, owner="CommunityChannel", field="seeds"
            )
        )
        labels = (
            tuple(int(i) for i in idx) if net.labels is None else tuple(net.labels[i] for i in idx)
        )
        object.__setattr__(self, "_net", net)
        object.__setattr__(self, "_seed_labels", labels)

    @property
    def n(self) -> int:
        """Number of members."""
        return self._net.n

    def weeks(self, budget: float) -> int:
        """Weeks of operation the budget pays for.

        Examples
        --------
        >>> import networkx as nx
        >>> CommunityChannel(graph=nx.path_graph(3), p=0.1, q=0.1, cost_per_week=300).weeks(1000)
        3
        """
        b = check_nonnegative(budget, owner="CommunityChannel", field="budget")
        return math.floor(b / self.cost_per_week + 1e-9)

    def trajectory(self, budget: float, rng: RNGLike = None) -> NDArray[np.int64]:
        """Cumulative customers (seeds included) at the start and after each paid week.

        Examples
        --------
        >>> import networkx as nx
        >>> ch = CommunityChannel(graph=nx.path_graph(5), p=0.0, q=1.0, cost_per_week=1,
        ...                       seeds=[0])
        >>> ch.trajectory(3, rng=0).tolist()
        [1, 2, 3, 4]
        """
        gen = resolve_rng(rng, owner="CommunityChannel")
        steps = self.weeks(budget)
        # the weekly curve and the kernel's per-step buffers
        check_memory(32.0 * (steps + 1), owner="CommunityChannel", field="budget", value=budget)
        if steps == 0:
            return np.array([len(self._seed_labels)], dtype=np.int64)
        res = network_bass(
            self._net, p=self.p, q=self.q, steps=steps, seeds=self._seed_labels, runs=1, rng=gen
        )
        return np.asarray(res.curves[0], dtype=np.int64)

    def __call__(self, budget: float, rng: np.random.Generator) -> int:
        """Customers acquired with ``budget`` (the :func:`compare_budget` contract)."""
        traj = self.trajectory(budget, rng)
        return int(traj[-1] - traj[0])


# --- the comparison ------------------------------------------------------------------------------


CommunityCustomers: TypeAlias = Callable[[float, np.random.Generator], int]


def _one_run(
    broadcast: BroadcastCampaign,
    community: CommunityCustomers,
    budget: float,
    *,
    rng: np.random.Generator,
) -> tuple[int, int]:
    b = int(rng.binomial(broadcast.audience, broadcast.conversion_probability))
    c = community(budget, rng)
    if isinstance(c, bool) or not isinstance(c, int | np.integer) or int(c) < 0:
        raise fail("compare_budget", "community", "return a non-negative integer count", c)
    return b, int(c)


@attrs.frozen(kw_only=True)
class BudgetComparison(ResultMixin):
    """Customers acquired by the same budget through broadcast and through community operation.

    Attributes
    ----------
    budget
        The budget spent on each channel.
    broadcast, community
        Customers acquired in each Monte Carlo run (one array per channel, same runs).
    campaign
        The broadcast campaign scaled to the budget.
    level
        Confidence level of the reported intervals.
    """

    budget: float
    broadcast: NDArray[np.int64] = attrs.field(eq=array_eq)
    community: NDArray[np.int64] = attrs.field(eq=array_eq)
    campaign: BroadcastCampaign
    level: float = 0.95

    def customers(self, channel: str) -> tuple[float, float, float]:
        """Mean customers of ``channel`` with its confidence interval ``(mean, lo, hi)``.

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.customers("community")[0]
        5.0
        """
        ch = check_choice(
            channel, ["broadcast", "community"], owner="BudgetComparison", field="channel"
        )
        return mean_ci(getattr(self, ch), level=self.level)

    def cost_per_customer(self, channel: str) -> tuple[float, float, float]:
        """Budget over mean customers, with the interval from the mean's interval (inverted).

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.cost_per_customer("community")[0]
        200.0
        """
        m, lo, hi = self.customers(channel)
        inv = [_ratio(self.budget, v) if math.isfinite(v) else math.nan for v in (m, hi, lo)]
        return inv[0], inv[1], inv[2]

    @property
    def prob_community_wins(self) -> float:
        """Share of runs in which community operation acquired more customers (ties count half).

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.prob_community_wins  # the broadcast here converts everyone it reaches
        0.0
        """
        wins = (self.community > self.broadcast).mean()
        ties = (self.community == self.broadcast).mean()
        return float(wins + 0.5 * ties)

    def conf_int(self, level: float | None = None) -> Intervals:
        """Student-t intervals of the mean customers per channel: ``{"broadcast": (lo, hi),
        "community": (lo, hi)}`` at ``level`` (default :attr:`level`).

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.conf_int()["community"]
        (5.0, 5.0)
        """
        lv = self.level if level is None else check_level(level, owner="BudgetComparison")
        out: Intervals = {}
        for ch in ("broadcast", "community"):
            _, lo, hi = mean_ci(getattr(self, ch), level=lv)
            out[ch] = (lo, hi)
        return out

    def summary(self) -> Summary:
        """Customers and cost per customer of both channels, and who wins how often.

        Examples
        --------
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> s = cmp.summary()
        >>> print(str(s).splitlines()[0])
        Budget 1,000 over 20 runs
        >>> s["community_customers"]
        5.0
        """
        pct = round(100 * self.level)
        rows = {}
        head: dict[str, Any] = {}
        for ch in ("broadcast", "community"):
            m, lo, hi = self.customers(ch)
            cpc = self.cost_per_customer(ch)[0]
            rows[ch] = (m, lo, hi, cpc)
            head[f"{ch}_customers"] = m
            head[f"{ch}_cost_per_customer"] = cpc
        head["prob_community_wins"] = self.prob_community_wins
        return Summary(
            title=f"Budget {format_value(self.budget)} over {self.broadcast.shape[0]} runs",
            headline=head,
            table=Table(columns=("customers", "lower", "upper", "cost/customer"), rows=rows),
            notes=(
                f"lower and upper: {pct}% confidence interval of the mean customers; "
                "prob_community_wins counts ties as half",
            ),
        )

    def to_frame(self) -> Any:
        """Customers per run and channel as a :class:`pandas.DataFrame` (needs pandas).

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.to_frame().shape
        (20, 2)
        """
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            {"broadcast": self.broadcast, "community": self.community},
            index=pd.RangeIndex(self.broadcast.shape[0], name="run"),
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Histograms of customers per run for both channels (needs the ``plot`` extra).

        A shortcut for :func:`shequn.plotting.bass.plot_budget_comparison`; returns the Axes.

        Examples
        --------
        >>> matplotlib = __import__("pytest").importorskip("matplotlib")
        >>> matplotlib.use("Agg")
        >>> cmp = compare_budget(1000, broadcast=BroadcastCampaign(audience=1, open_rate=1.0,
        ...     cost_per_impression=1.0), community=lambda b, g: 5, runs=20, rng=0)
        >>> cmp.plot().get_xlabel()
        'customers acquired'
        """
        return draw(self, ax=ax, **kwargs)


def compare_budget(
    budget: float,
    *,
    broadcast: BroadcastCampaign,
    community: CommunityCustomers,
    runs: int = 200,
    rng: RNGLike = None,
    executor: Any = None,
    level: float = 0.95,
) -> BudgetComparison:
    """Spend the same budget on broadcast and on community operation; count customers.

    Parameters
    ----------
    budget
        Money for each channel (>= the campaign's fixed cost).
    broadcast
        A :class:`BroadcastCampaign` priced per impression; it is scaled to the budget with
        :meth:`BroadcastCampaign.at_budget` (an open-rate law is re-evaluated at the larger
        audience).
    community
        Any callable ``community(budget, rng) -> int`` returning customers acquired, e.g. a
        :class:`CommunityChannel` or, later, a wrapper around the simulation engine.
    runs
        Monte Carlo runs; each run gets its own spawned stream (:func:`shequn.rng.map_runs`).
    rng, executor
        Seed material and an optional :class:`concurrent.futures.Executor` (the callable must
        then be picklable).
    level
        Confidence level of the reported intervals.

    Examples
    --------
    >>> from shequn.diffusion.reach import PowerOpenRate
    >>> import networkx as nx
    >>> G = nx.watts_strogatz_graph(500, 6, 0.1, seed=1)
    >>> ch = CommunityChannel(graph=G, p=0.002, q=0.1, cost_per_week=500, seeds=[0, 1, 2])
    >>> sms = BroadcastCampaign(audience=1, open_rate=PowerOpenRate(r0=0.2, beta=0.3, a0=1e3),
    ...                         click_rate=0.05, precise_share=0.05, conversion_rate=0.2,
    ...                         cost_per_impression=0.05)
    >>> cmp = compare_budget(10_000, broadcast=sms, community=ch, runs=50, rng=3)
    >>> cmp.prob_community_wins > 0.5
    True
    """
    owner = "compare_budget"
    b = check_nonnegative(budget, owner=owner, field="budget")
    if not isinstance(broadcast, BroadcastCampaign):
        raise fail(owner, "broadcast", "be a BroadcastCampaign", broadcast)
    if not callable(community):
        raise fail(owner, "community", "be a callable (budget, rng) -> int", community)
    runs = check_int(runs, owner=owner, field="runs", low=2)
    lv = check_level(level, owner=owner)
    campaign = broadcast.at_budget(b)
    out = map_runs(
        functools.partial(_one_run, campaign, community, b),
        runs=runs,
        rng=rng,
        executor=executor,
        owner=owner,
    )
    arr = np.asarray(out, dtype=np.int64).reshape(runs, 2)
    return BudgetComparison(
        budget=b,
        broadcast=arr[:, 0].copy(),
        community=arr[:, 1].copy(),
        campaign=campaign,
        level=lv,
    )
