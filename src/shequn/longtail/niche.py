"""Niche diffusion: how products reach buyers through broadcast ads and community word of mouth.

Seed 000 claims that communities serve the long tail: niche products find their fans through
homophilous word of mouth, whereas broadcast advertising favours the head. This module lets the
claim be tested in simulation (concepts.md, behaviour 8).

Model (one run, discrete weeks ``t = 1..steps``)
----------------------------------------------
* ``K`` products sit at positions :math:`z_k` in the members' taste space (a random member's
  taste plus noise, so every product has some natural audience). Each has an advertising budget
  :math:`b_k \\propto k^{-s}` (Zipf over an ex-ante ranking that is independent of position):
  the "head" is the top ``head_share`` of products by budget, the rest is the niche tail.
* Member *i* buys product *k* at most once. Fit :math:`f_{ik} = a \\exp(-\\lVert t_i - z_k
  \\rVert^2 / 2w^2)` is the probability of buying once exposed (``adopt`` = a, ``taste_width``
  = w).
* Every product starts with ``seeds`` early adopters, drawn with probability proportional to
  fit (its first true fans); the seeds are the same in every scenario of a run and are not
  counted as sales (sales are what the channel generated).
* Exposure hazard per week: broadcast :math:`\\lambda_k = r\\, b_k / \\sum_j b_j` (``ad_reach``
  = r ad impressions per member-week shared in proportion to budget); word of mouth
  :math:`\\omega \\sum_j A_{ij} y_{jk}` (``wom`` = ω per unit tie weight to a neighbour
  who owns the product). The exposure probability is :math:`1 - e^{-h}` and adoption happens
  with probability exposure x fit. All members and products are updated at once with a sparse
  product ``A @ Y``.

Nothing in the rule mentions the tail: broadcast exposure follows budget, word of mouth
follows ties, and on a homophilous ("values") community ties join members of similar taste, so
a niche product's owners mostly talk to people who also like it. Whether this raises the tail
share is an outcome; :func:`compare_channels` estimates the tail share under broadcast only,
word of mouth only and both, over Monte Carlo runs with paired differences and confidence
intervals.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.longtail.niche import NicheMarket, compare_channels
>>> com = generate_community("values", 300, rng=1)
>>> res = compare_channels(com, market=NicheMarket(n_products=20, steps=10), runs=4, rng=2)
>>> sorted(res.summary().table.rows)
['both', 'broadcast', 'community']
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import attrs
import networkx as nx
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table
from shequn._stats import mean_ci
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import (
    check_array,
    check_choice,
    check_int,
    check_level,
    fail,
    in_range,
    integer,
    nonnegative,
    positive,
    probability,
)
from shequn.community import Community
from shequn.exceptions import ShequnDeprecationWarning
from shequn.rng import RNGLike, map_runs, resolve_rng

__all__ = [
    "CHANNELS",
    "NicheComparison",
    "NicheMarket",
    "NicheRun",
    "compare_channels",
    "simulate_niche",
]

CHANNELS: tuple[str, ...] = ("broadcast", "community", "both")


@attrs.frozen(kw_only=True)
class NicheMarket:
    """Parameters of the niche-diffusion market (see the module docstring for the model).

    Attributes
    ----------
    n_products
        Number of products K (>= 2).
    steps
        Number of weeks simulated.
    head_share
        Share of products (by ad budget) that form the head; the rest is the tail.
    budget_exponent
        Zipf exponent s of the ad budgets over the ex-ante ranking.
    ad_reach
        Expected ad impressions per member per week (broadcast).
    wom
        Word-of-mouth exposure hazard per unit tie weight to an owning neighbour.
    taste_width
        Width w of the taste-fit kernel.
    adopt
        Probability of buying when exposed to a perfectly fitting product.
    seeds
        Early adopters per product (drawn in proportion to fit).
    product_spread
        Standard deviation of product positions around the taste of a random member.
    """

    n_products: int = attrs.field(default=40, validator=integer(2))
    steps: int = attrs.field(default=20, validator=integer(1))
    head_share: float = attrs.field(
        default=0.2, validator=in_range(0, 1, low_open=True, high_open=True)
    )
    budget_exponent: float = attrs.field(default=1.0, validator=nonnegative)
    ad_reach: float = attrs.field(default=0.5, validator=nonnegative)
    wom: float = attrs.field(default=0.4, validator=nonnegative)
    taste_width: float = attrs.field(default=0.5, validator=positive)
    adopt: float = attrs.field(default=0.5, validator=probability)
    seeds: int = attrs.field(default=2, validator=integer(0))
    product_spread: float = attrs.field(default=0.2, validator=nonnegative)

    @property
    def n_head(self) -> int:
        """Number of head products (at least 1)."""
        return max(1, round(self.head_share * self.n_products))


@attrs.frozen(kw_only=True)
class NicheRun(ResultMixin):
    """Outcome of one niche-diffusion run under one channel.

    Attributes
    ----------
    channel
        ``"broadcast"``, ``"community"`` or ``"both"``.
    sales
        Units sold during the run per product (index = ex-ante budget rank, 0 = largest
        budget), seed adopters excluded.
    budget
        Ad budget share of each product.
    n_head
        Number of head products (the first ``n_head`` by budget).
    """

    channel: str
    sales: IntArray = attrs.field(eq=array_eq)
    budget: FloatArray = attrs.field(eq=array_eq)
    n_head: int

    @property
    def total(self) -> int:
        """Total units sold."""
        return int(self.sales.sum())

    @property
    def tail_share(self) -> float:
        """Share of sales made by the niche products (outside the budget head)."""
        tot = self.sales.sum()
        return float(self.sales[self.n_head :].sum() / tot) if tot else float("nan")

    @property
    def tail_share_by_rank(self) -> float:
        """Share of sales beyond sales rank ``n_head`` (realised ranking)."""
        tot = self.sales.sum()
        if not tot:
            return float("nan")
        s = np.sort(self.sales)[::-1]
        return float(s[self.n_head :].sum() / tot)

    def summary(self) -> Summary:
        """Units sold and the niche share of this run.

        Examples
        --------
        >>> run = NicheRun(channel="both", sales=np.array([3, 1, 0]), budget=np.array(
        ...     [0.6, 0.3, 0.1]), n_head=1)
        >>> run.summary()["tail_share"]
        0.25
        """
        headline: dict[str, Any] = {
            "channel": self.channel,
            "products": int(self.sales.size),
            "head_products": self.n_head,
            "units": self.total,
        }
        notes: tuple[str, ...] = ()
        if self.total:
            headline["tail_share"] = self.tail_share
            headline["tail_share_by_rank"] = self.tail_share_by_rank
        else:
            notes = ("Nothing was sold, so there is no tail share.",)
        return Summary(
            title=f"Niche diffusion run ({self.channel})", headline=headline, notes=notes
        )


_GRAPH_TYPES = (Community, nx.Graph, sp.sparray, sp.spmatrix)


def _taste_and_adjacency(
    community: Community | Any, taste: Any, owner: str
) -> tuple[sp.csr_array, FloatArray]:
    from shequn.community._graph import as_csr

    if not isinstance(community, _GRAPH_TYPES):
        raise fail(
            owner,
            "community",
            "be a Community, a networkx graph or a scipy sparse matrix",
            type(community).__name__,
        )
    adj, _ = as_csr(community, owner=owner)
    w = adj.data
    if w.size and (not np.isfinite(w).all() or (w < 0).any()):
        bad = w[~(np.isfinite(w) & (w >= 0))][0]
        raise fail(owner, "community", "have finite tie weights >= 0", float(bad))
    if taste is None:
        if not isinstance(community, Community):
            raise fail(owner, "taste", "be given when the graph is not a Community", None)
        t = np.asarray(community.taste, dtype=float)
    else:
        t = check_array(taste, owner=owner, field="taste")
        if t.ndim == 1:
            t = t[:, None]
        if t.ndim != 2 or t.shape[0] != adj.shape[0]:
            raise fail(owner, "taste", f"be a finite (n={adj.shape[0]}, d) array", t.shape)
    return adj, t


def _setup(
    taste: FloatArray, market: NicheMarket, gen: np.random.Generator
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Product fit matrix (n, K), budget shares (K,) and the seed adopters (n, K)."""
    n, _ = taste.shape
    k = market.n_products
    anchor = gen.integers(0, n, size=k)
    pos = taste[anchor] + market.product_spread * gen.standard_normal((k, taste.shape[1]))
    d2 = ((taste[:, None, :] - pos[None, :, :]) ** 2).sum(axis=2)
    fit = market.adopt * np.exp(-d2 / (2.0 * market.taste_width**2))
    budget = np.arange(1, k + 1, dtype=float) ** (-market.budget_exponent)
    budget /= budget.sum()
    adopted = np.zeros((n, k), dtype=bool)
    s = min(market.seeds, n)
    if s:
        # weighted sampling without replacement per product (Gumbel top-k), in proportion to fit
        with np.errstate(divide="ignore"):
            keys = np.log(np.maximum(fit, 1e-300)) + gen.gumbel(size=fit.shape)
        top = np.argpartition(-keys, s - 1, axis=0)[:s]
        adopted[top, np.arange(k)[None, :]] = True
    return fit, budget, adopted


def _dynamics(
    adj: sp.csr_array,
    fit: FloatArray,
    budget: FloatArray,
    adopted0: NDArray[np.bool_],
    market: NicheMarket,
    channel: str,
    gen: np.random.Generator,
) -> NDArray[np.int64]:
    adopted = adopted0.copy()
    broadcast = market.ad_reach * budget[None, :] if channel in ("broadcast", "both") else None
    use_wom = channel in ("community", "both") and market.wom > 0
    for _ in range(market.steps):
        h = np.zeros(fit.shape) if broadcast is None else np.broadcast_to(broadcast, fit.shape)
        if use_wom:
            h = h + market.wom * (adj @ adopted.astype(np.float64))
        p = -np.expm1(-h) * fit
        new = ~adopted & (gen.random(fit.shape) < p)
        adopted |= new
    # sales made during the run (the seed adopters are the same in every scenario and are not
    # counted, so that a channel that spreads nothing sells nothing)
    out: NDArray[np.int64] = (adopted & ~adopted0).sum(axis=0).astype(np.int64)
    return out


def simulate_niche(
    community: Community | Any,
    *,
    market: NicheMarket | None = None,
    channel: str = "both",
    taste: Any = None,
    rng: RNGLike = None,
) -> NicheRun:
    """Simulate one niche-diffusion run under ``channel`` on ``community``.

    Parameters
    ----------
    community
        A :class:`~shequn.community.Community` (its ``taste`` is used), or any graph accepted by
        ``as_csr`` together with ``taste``.
    market
        The market parameters (default :class:`NicheMarket`).
    channel
        ``"broadcast"`` (ads only), ``"community"`` (word of mouth only) or ``"both"``.
    taste
        (n, d) taste vectors when ``community`` is a plain graph.
    rng
        Seed material.

    Returns
    -------
    NicheRun

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> com = generate_community("values", 200, rng=3)
    >>> run = simulate_niche(com, market=NicheMarket(n_products=10, steps=5), rng=4)
    >>> run.sales.shape, 0.0 <= run.tail_share <= 1.0
    ((10,), True)
    """
    owner = "simulate_niche"
    market = NicheMarket() if market is None else market
    if not isinstance(market, NicheMarket):
        raise fail(owner, "market", "be a NicheMarket", market)
    channel = check_choice(channel, CHANNELS, owner=owner, field="channel")
    adj, t = _taste_and_adjacency(community, taste, owner)
    gen = resolve_rng(rng, owner=owner)
    fit, budget, seeds = _setup(t, market, gen)
    sales = _dynamics(adj, fit, budget, seeds, market, channel, gen)
    return NicheRun(channel=channel, sales=sales, budget=budget, n_head=market.n_head)


def _one_comparison(
    *, rng: np.random.Generator, adj: sp.csr_array, taste: FloatArray, market: NicheMarket
) -> NDArray[np.int64]:
    """One Monte Carlo run: same products and seeds, common random numbers across channels."""
    fit, budget, seeds = _setup(taste, market, rng)
    state = rng.bit_generator.state
    out = np.empty((len(CHANNELS), market.n_products), dtype=np.int64)
    for c, ch in enumerate(CHANNELS):
        g = np.random.Generator(type(rng.bit_generator)())
        g.bit_generator.state = state
        out[c] = _dynamics(adj, fit, budget, seeds, market, ch, g)
    return out


@attrs.frozen(kw_only=True)
class NicheComparison(ResultMixin):
    """Monte Carlo comparison of channels (see :func:`compare_channels`).

    Attributes
    ----------
    sales
        Units per product, shape (runs, 3, K), channels in :data:`CHANNELS` order.
    n_head
        Number of head products.
    market
        The market parameters.
    """

    sales: IntArray = attrs.field(eq=array_eq)
    n_head: int
    market: NicheMarket

    @property
    def runs(self) -> int:
        """Number of Monte Carlo runs."""
        return int(self.sales.shape[0])

    @property
    def tail_share(self) -> FloatArray:
        """Tail (niche) share of sales per run and channel, shape (runs, 3)."""
        tot = self.sales.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = self.sales[:, :, self.n_head :].sum(axis=2) / tot
        return out

    @property
    def total(self) -> NDArray[np.int64]:
        """Total units per run and channel, shape (runs, 3)."""
        out: NDArray[np.int64] = self.sales.sum(axis=2)
        return out

    def _shares(self, name: str) -> FloatArray:
        """Per-run tail share of a channel, or the paired difference ``"a - b"``."""
        ts = self.tail_share
        if " - " in name:
            a, b = name.split(" - ")
            out: FloatArray = ts[:, CHANNELS.index(a)] - ts[:, CHANNELS.index(b)]
            return out
        return ts[:, CHANNELS.index(name)]

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Student-t intervals of the mean tail share per channel and of the paired differences.

        Keys: ``"broadcast"``, ``"community"``, ``"both"`` (the tail share under each channel)
        and ``"community - broadcast"``, ``"both - broadcast"``, ``"both - community"`` (paired
        differences over the same products, seeds and random numbers).

        Examples
        --------
        >>> s = np.array([[[5, 1], [2, 4], [4, 2]], [[4, 2], [2, 4], [3, 3]]])
        >>> res = NicheComparison(sales=s, n_head=1, market=NicheMarket())
        >>> lo, hi = res.conf_int()["community - broadcast"]
        >>> bool(lo < 0.5 < hi), sorted(res.conf_int())[:3]
        (True, ['both', 'both - broadcast', 'both - community'])
        """
        level = check_level(level, owner="NicheComparison.conf_int")
        names = [*CHANNELS, "community - broadcast", "both - broadcast", "both - community"]
        out: Intervals = {}
        for name in names:
            _, lo, hi = mean_ci(self._shares(name), level=level)
            out[name] = (lo, hi)
        return out

    def difference(self, channel: str, baseline: str = "broadcast") -> tuple[float, float, float]:
        """Deprecated: the paired mean difference in tail share and its 95% CI, as a tuple.

        Use ``conf_int()["community - broadcast"]`` for the interval and ``summary()`` for the
        mean (the library's one shape for intervals).

        Examples
        --------
        >>> import warnings
        >>> s = np.array([[[5, 1], [2, 4], [4, 2]]] * 3)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     NicheComparison(sales=s, n_head=1, market=NicheMarket()).difference("community")[0]
        0.5
        """
        warnings.warn(
            "NicheComparison.difference(channel) is deprecated: use "
            "conf_int()['<channel> - <baseline>'] for the interval and summary() for the mean",
            ShequnDeprecationWarning,
            stacklevel=2,
        )
        a = check_choice(channel, CHANNELS, owner="NicheComparison.difference", field="channel")
        b = check_choice(baseline, CHANNELS, owner="NicheComparison.difference", field="baseline")
        ts = self.tail_share
        return mean_ci(ts[:, CHANNELS.index(a)] - ts[:, CHANNELS.index(b)])

    def summary(self) -> Summary:
        """Mean tail share and units per channel (with 95% intervals) and paired differences.

        Examples
        --------
        >>> s = np.array([[[5, 1], [2, 4], [4, 2]], [[4, 2], [2, 4], [3, 3]]])
        >>> summ = NicheComparison(sales=s, n_head=1, market=NicheMarket()).summary()
        >>> summ["community - broadcast"], summ.table.rows["community"][0]
        (0.5, 0.6666666666666666)
        """
        ci = self.conf_int()
        rows = {}
        for i, ch in enumerate(CHANNELS):
            share = float(np.mean(self._shares(ch)))
            rows[ch] = (share, *ci[ch], float(np.mean(self.total[:, i])))
        headline: dict[str, Any] = {"runs": self.runs}
        for diff in ("community - broadcast", "both - broadcast"):
            headline[diff] = float(np.mean(self._shares(diff)))
            headline[f"{diff} 95%"] = ci[diff]
        return Summary(
            title=f"Niche share of sales by channel ({self.runs} paired runs)",
            headline=headline,
            table=Table(columns=("tail_share", "lo", "hi", "units"), rows=rows),
            notes=(
                "Tail share: the share of units sold by the products outside the head of the "
                "ad budgets; differences are paired (same products, seeds and random numbers).",
            ),
        )

    def to_frame(self) -> Any:
        """Per-run tail shares and totals as a long pandas DataFrame (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        ts, tot = self.tail_share, self.total
        rows = [
            {"run": r, "channel": ch, "tail_share": float(ts[r, i]), "total": int(tot[r, i])}
            for r in range(self.runs)
            for i, ch in enumerate(CHANNELS)
        ]
        return pd.DataFrame(rows)


def compare_channels(
    community: Community | Any,
    *,
    market: NicheMarket | None = None,
    runs: int = 30,
    taste: Any = None,
    rng: RNGLike = None,
    executor: Executor | None = None,
) -> NicheComparison:
    """Tail share of sales under broadcast only, word of mouth only and both (Monte Carlo).

    Each run draws new product positions and seed adopters, then runs the three channels with
    the same products, seeds and random numbers (a paired design), so differences between
    channels have small Monte Carlo error. Runs go through :func:`shequn.rng.map_runs`
    (``executor=`` for parallel runs, same results for the same ``rng``).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> com = generate_community("values", 200, rng=5)
    >>> res = compare_channels(com, market=NicheMarket(n_products=10, steps=8), runs=3, rng=6)
    >>> res.sales.shape
    (3, 3, 10)
    """
    owner = "compare_channels"
    market = NicheMarket() if market is None else market
    if not isinstance(market, NicheMarket):
        raise fail(owner, "market", "be a NicheMarket", market)
    runs = check_int(runs, owner=owner, field="runs", low=1)
    adj, t = _taste_and_adjacency(community, taste, owner)
    fn: Callable[[np.random.Generator], NDArray[np.int64]] = functools.partial(
        _one_comparison, adj=adj, taste=t, market=market
    )
    out = map_runs(fn, runs=runs, rng=rng, executor=executor, owner=owner)
    return NicheComparison(sales=np.stack(out), n_head=market.n_head, market=market)
