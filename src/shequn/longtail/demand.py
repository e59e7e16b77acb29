"""Catalog demand: popularity generators, tail share, concentration and rank-size elasticity.

A catalog is ``n_products`` items with expected popularity shares and realised sales. Long-tail
questions (Anderson's "the long tail", seed 000: communities serve the niches) are then
questions about the distribution of sales over ranks:

* :func:`tail_share` - the share of sales beyond rank ``k`` (the niche share);
* :func:`gini` and :func:`lorenz_curve` - concentration of sales;
* :func:`rank_size_elasticity` - the slope of log sales on log rank (Zipf's exponent), with the
  OLS standard error and the Gabaix-Ibragimov (2011) standard error :math:`|b| \\sqrt{2/n}` with
  the rank shifted by 1/2.

Closed forms used by the tests: for a Pareto population with shape :math:`a > 1` the Gini
coefficient is :math:`1 / (2a - 1)` and the top fraction :math:`p` holds
:math:`p^{1 - 1/a}` of the total, so the tail beyond the top fraction ``p`` holds
:math:`1 - p^{1 - 1/a}`.

Examples
--------
>>> from shequn.longtail.demand import generate_catalog, tail_share
>>> cat = generate_catalog(1000, kind="zipf", exponent=1.0, total_sales=100_000, rng=1)
>>> 0.0 < tail_share(cat.sales, k=100) < 1.0
True
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import (
    check_array,
    check_choice,
    check_in_range,
    check_int,
    check_level,
    check_memory,
    check_positive,
    fail,
)
from shequn.rng import RNGLike, resolve_rng

__all__ = [
    "Catalog",
    "RankSizeFit",
    "generate_catalog",
    "gini",
    "lorenz_curve",
    "rank_size_elasticity",
    "tail_share",
]


@attrs.frozen(kw_only=True)
class Catalog(ResultMixin):
    """A catalog: expected popularity shares and realised unit sales per product.

    Products are indexed by popularity rank of their expected share (0 = head).

    Attributes
    ----------
    popularity
        Expected share of sales of each product (sums to 1, non-increasing).
    sales
        Realised unit sales (multinomial draw of ``total_sales`` over ``popularity``).
    kind
        ``"zipf"``, ``"powerlaw"`` or ``"lognormal"``.
    params
        The generator parameters.
    """

    popularity: FloatArray = attrs.field(eq=array_eq)
    sales: IntArray = attrs.field(eq=array_eq)
    kind: str
    params: dict[str, float] = attrs.field(factory=dict)

    @property
    def n_products(self) -> int:
        """Number of products."""
        return int(self.popularity.size)

    def tail_share(self, k: int) -> float:
        """Share of realised sales beyond rank ``k`` (see :func:`tail_share`)."""
        return tail_share(self.sales, k=k)

    def summary(self) -> Summary:
        """Size, generator and concentration of the realised sales.

        Examples
        --------
        >>> c = generate_catalog(100, kind="zipf", total_sales=10_000, rng=0)
        >>> s = c.summary()
        >>> s["n_products"], s["total_sales"]
        (100, 10000)
        """
        total = int(self.sales.sum())
        head = max(1, round(0.2 * self.n_products))
        headline: dict[str, Any] = {
            "n_products": self.n_products,
            "kind": self.kind,
            **self.params,
            "total_sales": total,
        }
        if total:
            headline["tail_share_beyond_top_20%"] = tail_share(self.sales, k=head)
            headline["gini"] = gini(self.sales)
        return Summary(title=f"Catalog ({self.kind} popularity)", headline=headline)

    def to_frame(self) -> Any:
        """Products as a pandas DataFrame (rank, popularity, sales); needs pandas."""
        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame(
            {
                "rank": np.arange(1, self.n_products + 1),
                "popularity": self.popularity,
                "sales": self.sales,
            }
        )


def generate_catalog(
    n_products: int,
    *,
    kind: str = "zipf",
    total_sales: int = 100_000,
    rng: RNGLike = None,
    exponent: float = 1.0,
    alpha: float = 2.0,
    sigma: float = 1.5,
) -> Catalog:
    """Generate a catalog with Zipf, power-law or lognormal popularity.

    Parameters
    ----------
    n_products
        Number of products (>= 1).
    kind
        ``"zipf"``: share of rank r proportional to :math:`r^{-s}` with ``exponent`` s
        (deterministic); ``"powerlaw"``: popularity values drawn from a Pareto law with density
        exponent ``alpha`` (> 1); ``"lognormal"``: popularity values drawn from a lognormal with
        log-scale ``sigma``.
    total_sales
        Units sold in total, spread over products by a multinomial draw.
    rng
        Seed material.

    Returns
    -------
    Catalog

    Examples
    --------
    >>> c = generate_catalog(5, kind="zipf", exponent=1.0, total_sales=0, rng=0)
    >>> [round(float(p), 4) for p in c.popularity]
    [0.438, 0.219, 0.146, 0.1095, 0.0876]
    """
    owner = "generate_catalog"
    n_products = check_int(n_products, owner=owner, field="n_products", low=1)
    kind = check_choice(kind, ["zipf", "powerlaw", "lognormal"], owner=owner, field="kind")
    total_sales = check_int(total_sales, owner=owner, field="total_sales", low=0)
    # every parameter is checked, whichever kind uses it
    s = check_positive(exponent, owner=owner, field="exponent")
    a = check_in_range(
        alpha, owner=owner, field="alpha", low=1.0, high=np.inf, low_open=True, high_open=True
    )
    sg = check_positive(sigma, owner=owner, field="sigma")
    check_memory(40.0 * n_products, owner=owner, field="n_products", value=n_products)
    gen = resolve_rng(rng, owner=owner)
    with np.errstate(over="ignore"):
        if kind == "zipf":
            w = np.arange(1, n_products + 1, dtype=float) ** (-s)
            params = {"exponent": s}
        elif kind == "powerlaw":
            w = (1.0 - gen.random(n_products)) ** (-1.0 / (a - 1.0))
            params = {"alpha": a}
        else:
            w = np.exp(sg * gen.standard_normal(n_products))
            params = {"sigma": sg}
    if not np.isfinite(w).all() or not w.sum() > 0:
        bad = "alpha" if kind == "powerlaw" else ("sigma" if kind == "lognormal" else "exponent")
        raise fail(
            owner,
            bad,
            f"give finite popularity weights for {n_products} products (they overflow)",
            {"zipf": s, "powerlaw": a, "lognormal": sg}[kind],
        )
    w = np.sort(w)[::-1]
    pop = w / w.sum()
    sales = gen.multinomial(total_sales, pop).astype(np.int64)
    return Catalog(popularity=pop, sales=sales, kind=kind, params=params)


def _sorted_desc(values: ArrayLike, owner: str, field: str = "values") -> FloatArray:
    x = check_array(values, owner=owner, field=field, ndim=1, nonnegative=True, min_size=1)
    if not x.sum() > 0:
        raise fail(owner, field, "have a positive total", x)
    out: FloatArray = np.sort(x)[::-1]
    return out


def tail_share(values: ArrayLike, *, k: int) -> float:
    """Share of the total held by items beyond rank ``k`` (ranked by value, largest first).

    Examples
    --------
    >>> tail_share([50, 30, 10, 10], k=2)
    0.2
    """
    x = _sorted_desc(values, "tail_share")
    k = check_int(k, owner="tail_share", field="k", low=0, high=x.size)
    return float(x[k:].sum() / x.sum())


def gini(values: ArrayLike) -> float:
    """Gini coefficient of non-negative values (0 = equal, towards 1 = concentrated).

    Uses :math:`G = \\frac{2 \\sum_i i x_{(i)}}{n \\sum x} - \\frac{n + 1}{n}` with values sorted
    ascending.

    Examples
    --------
    >>> gini([1, 1, 1, 1])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    """
    x = _sorted_desc(values, "gini")[::-1]
    n = x.size
    i = np.arange(1, n + 1, dtype=float)
    return float(2.0 * np.sum(i * x) / (n * x.sum()) - (n + 1.0) / n)


def lorenz_curve(values: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Lorenz curve: cumulative population share and cumulative value share (from the smallest).

    Both arrays start at 0 and end at 1.

    Examples
    --------
    >>> p, l = lorenz_curve([1, 3])
    >>> p.tolist(), l.tolist()
    ([0.0, 0.5, 1.0], [0.0, 0.25, 1.0])
    """
    x = _sorted_desc(values, "lorenz_curve")[::-1]
    pop = np.arange(x.size + 1, dtype=float) / x.size
    share = np.concatenate([[0.0], np.cumsum(x) / x.sum()])
    return pop, share


@attrs.frozen(kw_only=True)
class RankSizeFit(ResultMixin):
    """Rank-size regression :math:`\\log s = c + b \\log(r - \\text{shift})`.

    Attributes
    ----------
    slope
        The elasticity b (Zipf's law: about -1).
    intercept
        The constant c.
    se_ols
        Ordinary least-squares standard error of the slope (understates the uncertainty,
        because ranks are not independent).
    se_gabaix
        Gabaix & Ibragimov (2011) standard error :math:`|b| \\sqrt{2 / n}`.
    r_squared
        Coefficient of determination.
    n
        Number of products used (positive sales, rank <= max_rank).
    shift
        Rank shift (1/2 in Gabaix & Ibragimov, 0 for the plain regression).
    """

    slope: float
    intercept: float
    se_ols: float
    se_gabaix: float
    r_squared: float
    n: int
    shift: float

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Interval of the elasticity with the Gabaix-Ibragimov standard error (normal).

        The OLS error understates the uncertainty (ranks are not independent), so the
        interval uses ``se_gabaix``: :math:`b \\pm z |b| \\sqrt{2/n}`.

        Examples
        --------
        >>> r = np.arange(1, 201)
        >>> lo, hi = rank_size_elasticity(1000.0 * r ** -1.2, shift=0.0).conf_int()["slope"]
        >>> round(lo, 3), round(hi, 3)
        (-1.435, -0.965)
        """
        level = check_level(level, owner="RankSizeFit.conf_int")
        z = float(stats.norm.ppf(0.5 + level / 2.0))
        return {"slope": (self.slope - z * self.se_gabaix, self.slope + z * self.se_gabaix)}

    def summary(self) -> Summary:
        """The regression's numbers as headline values.

        Examples
        --------
        >>> r = np.arange(1, 201)
        >>> rank_size_elasticity(1000.0 * r ** -1.2, shift=0.0).summary()["slope"]
        -1.2...
        """
        return Summary(
            title=f"Rank-size regression log s = c + b log(r - {self.shift:g})",
            headline=attrs.asdict(self),
            notes=("se_gabaix (Gabaix-Ibragimov 2011) is the one to use for intervals.",),
        )


def rank_size_elasticity(
    sales: ArrayLike, *, max_rank: int | None = None, shift: float = 0.5
) -> RankSizeFit:
    """Regress log sales on log rank: the rank-size elasticity with standard errors.

    Products with zero sales are dropped (their log is undefined); ``max_rank`` keeps only the
    head. ``shift=0.5`` is the Gabaix-Ibragimov bias correction (log(rank - 1/2)).

    Examples
    --------
    >>> r = np.arange(1, 201)
    >>> fit = rank_size_elasticity(1000.0 * r ** -1.2, shift=0.0)
    >>> round(fit.slope, 6)
    -1.2
    """
    owner = "rank_size_elasticity"
    x = _sorted_desc(sales, owner, "sales")
    if not (isinstance(shift, int | float) and not isinstance(shift, bool) and 0 <= shift < 1):
        raise fail(owner, "shift", "be a number in [0, 1)", shift)
    if max_rank is not None:
        max_rank = check_int(max_rank, owner=owner, field="max_rank", low=3)
        x = x[:max_rank]
    x = x[x > 0]
    n = x.size
    if n < 3:
        raise fail(owner, "sales", "have at least 3 positive values", n)
    lr = np.log(np.arange(1, n + 1, dtype=float) - float(shift))
    ls = np.log(x)
    mx, my = lr.mean(), ls.mean()
    sxx = float(np.sum((lr - mx) ** 2))
    b = float(np.sum((lr - mx) * (ls - my)) / sxx)
    c = float(my - b * mx)
    resid = ls - (c + b * lr)
    sse = float(np.sum(resid**2))
    sst = float(np.sum((ls - my) ** 2))
    se = math.sqrt(sse / (n - 2) / sxx)
    return RankSizeFit(
        slope=b,
        intercept=c,
        se_ols=se,
        se_gabaix=abs(b) * math.sqrt(2.0 / n),
        r_squared=1.0 - sse / sst if sst > 0 else 1.0,
        n=int(n),
        shift=float(shift),
    )
