"""Purchases and repeat buying: adoption through three channels, repeat purchases by stage.

Seed 003: 社群先有产品后有用户 ("first the product, then the users"); seed 002: 过硬的产品品质
("solid product quality"); seed 000: word of mouth carries what fits, advertising what sells.

* **Catalogue.** ``n_products`` products in taste space (product 0, the head, at the taste
  centre; the others spread along the members' tastes); advertising and content feature
  product ``j`` with weight ``(j + 1)^−zipf``; the first ``head_products`` are the head. A
  member's *fit* to a product is ``exp(−d² / (2 fit_width²))``, ``d`` the taste distance.
* **Adoption.** A prospect reached this week adopts with ``1 − (1 − p_b)(1 − p_c)(1 − p_w)``,
  one term per channel (broadcast, content, word of mouth: each channel's conversion times
  the fit of the product it features); the channel that won is drawn in proportion to
  ``p_b : p_c : p_w`` and the new customer buys one unit of its product.
* **Repeat buying.** An adopter buys Poisson(``repeat_rates[stage]``) units a week
  (calibration hook: BG/NBD ``r/α`` per stage, see :func:`~shequn.simulation.
  repeat_rates_from`).
* **Satisfaction.** A buyer of ``u`` units is dissatisfied with ``1 − product_quality^u``
  (``Economics.product_quality``); revenue is ``price × units``.

Examples
--------
>>> from shequn.simulation.mechanisms.purchases import PurchaseParams
>>> PurchaseParams().repeat_rates
(0.05, 0.15, 0.25, 0.3)
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import attrs
import numpy as np

from shequn._typing import FloatArray, IntArray
from shequn._validation import (
    check_array,
    check_indices,
    check_instance,
    check_probability,
    fail,
    in_range,
    nonnegative,
)
from shequn.simulation._numba import (
    inline,
    ipow,
    poisson_tab,
    poisson_table,
    search_right,
    shared,
)
from shequn.simulation.mechanisms import broadcast, content, word_of_mouth
from shequn.simulation.mechanisms._spec import Flow, Setting, int_param, param

__all__ = [
    "FLOWS",
    "MAX_PRODUCTS",
    "NAME",
    "PROFILE_FIELDS",
    "PurchaseParams",
    "PurchaseRates",
    "fit",
]

NAME = "purchases"
PROFILE_FIELDS: tuple[str, ...] = ()
MAX_PRODUCTS = 32_767
"""Largest catalogue: a member's product is stored as a 16-bit integer."""
POWERS = 64


def _repeat_rates(value: Any) -> tuple[float, ...]:
    try:
        items = tuple(float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise fail("PurchaseParams", "repeat_rates", "be 4 numbers", value) from exc
    if len(items) != 4:
        raise fail("PurchaseParams", "repeat_rates", "have 4 entries", value)
    return items


def _check_rates(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    for v in value:
        if not v >= 0 or v != v or v == float("inf"):
            raise fail(type(instance).__name__, attribute.name, "hold finite rates >= 0", value)


@attrs.frozen(kw_only=True)
class PurchaseParams:
    """Catalogue and buying rates.

    Attributes
    ----------
    repeat_rates
        Expected units bought per week by a customer, user, fan, friend. Calibration hook
        (BG/NBD).
    n_products
        Catalogue size (product 0 is the head product at the taste centre), 1 to 32,767.
    head_products
        Products counted as the head when measuring the niche share.
    zipf
        Popularity exponent of the catalogue: advertising features product ``j`` with weight
        ``(j + 1)^−zipf``.
    fit_width
        Taste distance scale of product fit ``exp(−d² / (2 w²))``.
    """

    repeat_rates: tuple[float, ...] = param(
        (0.05, 0.15, 0.25, 0.30),
        _check_rates,
        unit="units / week (customer, user, fan, friend)",
        source="assumed: rising with loyalty (003 用户 → 粉丝 → 朋友); calibrate with BG/NBD",
        bounds=(0.0, np.inf),
        converter=_repeat_rates,
    )
    n_products: int = int_param(
        20, low=1, high=MAX_PRODUCTS, unit="products", source="assumed: a small catalogue"
    )
    head_products: int = int_param(
        2, low=1, unit="products", source="assumed: the two best sellers are the head"
    )
    zipf: float = param(
        1.0,
        nonnegative,
        unit="exponent",
        source="Zipf's law of sales ranks (exponent about 1)",
        calibrate=False,
    )
    fit_width: float = param(
        1.0,
        in_range(1e-3, 1e3),
        unit="taste standard deviations",
        source="assumed: one taste unit",
        bounds=(1e-3, 1e3),
    )

    def __attrs_post_init__(self) -> None:
        if self.head_products > self.n_products:
            raise fail(
                "PurchaseParams",
                "head_products",
                f"be at most n_products ({self.n_products})",
                self.head_products,
            )


PARAMS = PurchaseParams

FLOWS = (
    Flow(name="new_customers", unit="members", meaning="prospects who bought for the first time"),
    Flow(name="new_broadcast", unit="members", meaning="new customers won by broadcast or ads"),
    Flow(name="new_content", unit="members", meaning="new customers won by content"),
    Flow(name="new_wom", unit="members", meaning="new customers won by word of mouth"),
    Flow(name="buyers", unit="members", meaning="members who bought this week"),
    Flow(name="units", unit="units", meaning="units sold"),
    Flow(name="niche_units", unit="units", meaning="units of products outside the head"),
    Flow(name="first_units", unit="units", meaning="first purchases (one per new customer)"),
    Flow(name="first_niche_units", unit="units", meaning="first purchases of niche products"),
    Flow(
        name="community_units",
        unit="units",
        meaning="units bought by members the community reached this week (read or talked)",
    ),
    Flow(name="dissatisfied", unit="members", meaning="buyers left dissatisfied"),
    Flow(name="revenue_customer", unit="money", meaning="revenue from customers"),
    Flow(name="revenue_user", unit="money", meaning="revenue from users"),
    Flow(name="revenue_fan", unit="money", meaning="revenue from fans"),
    Flow(name="revenue_friend", unit="money", meaning="revenue from friends"),
)


class PurchaseRates(NamedTuple):
    """What the member pass reads (derived at compile time)."""

    products: FloatArray
    popularity: FloatArray
    popularity_cdf: FloatArray
    two_w2: float
    head: int
    price: float
    product_quality: float
    quality_pow: FloatArray
    repeat: FloatArray
    repeat_cdf: FloatArray


def catalogue(params: PurchaseParams, taste: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Product positions (product 0 at the centre, the others along the members' tastes) and
    their popularity ``(j + 1)^−zipf`` (normalised)."""
    n = taste.shape[0]
    P = params.n_products
    sorted_first = np.argsort(taste[:, 0], kind="stable")
    picks = sorted_first[((np.arange(1, P) + 0.5) * n / P).astype(np.int64).clip(0, n - 1)]
    products = (
        np.vstack([np.zeros((1, taste.shape[1])), taste[picks]])
        if P > 1
        else np.zeros((1, taste.shape[1]))
    )
    popularity = (np.arange(1, P + 1, dtype=np.float64)) ** (-params.zipf)
    popularity /= popularity.sum()
    return products, popularity


def derive(params: PurchaseParams, s: Setting) -> PurchaseRates:
    """The catalogue from the community's tastes; prices and quality from the economics."""
    eco = s.economics
    products, popularity = catalogue(params, s.taste)
    k = np.arange(POWERS, dtype=np.float64)
    repeat = np.asarray((0.0, *params.repeat_rates))
    check_probability(eco.product_quality, owner="Economics", field="product_quality")
    return PurchaseRates(
        products=products,
        popularity=popularity,
        popularity_cdf=np.cumsum(popularity),
        two_w2=float(2.0 * params.fit_width**2),
        head=int(params.head_products),
        price=float(eco.price),
        product_quality=float(eco.product_quality),
        quality_pow=float(eco.product_quality) ** k,
        repeat=repeat,
        repeat_cdf=poisson_table(repeat),
    )


def fit(r: PurchaseRates, taste: FloatArray, products: IntArray) -> FloatArray:
    """Fit in (0, 1] of each taste row to the paired product: ``exp(−d² / (2 w²))``.

    ``taste`` is an (m, dimensions) array and ``products`` m product indices.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile_dynamics
    >>> r = compile_dynamics(generate_community("brand", 50, rng=0), OperatingModel()).rates
    >>> fit(r["purchases"], np.zeros((1, 2)), [0]).tolist()
    [1.0]
    >>> fit(r["purchases"], np.zeros((1, 2)), [-1])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `purchases.fit.products` must hold indices in \
0..19 (index 0); got -1
    """
    owner = "purchases.fit"
    check_instance(r, PurchaseRates, owner=owner, field="r")
    t, p = check_fit_args(r, taste, products, owner=owner)
    return _fit(r, t, p)


def check_fit_args(
    r: PurchaseRates, taste: Any, products: Any, *, owner: str, rows: str = "taste row"
) -> tuple[FloatArray, IntArray]:
    """``taste`` as an (m, dimensions) float array and ``products`` as m product indices of
    ``r``'s catalogue, or :class:`~shequn.exceptions.InvalidParameterError` naming the field."""
    dim = r.products.shape[1]
    t = check_array(taste, owner=owner, field="taste", ndim=2)
    if t.shape[1] != dim:
        raise fail(owner, "taste", f"have {dim} columns (taste dimensions)", t.shape)
    p = check_indices(products, r.products.shape[0], owner=owner, field="products")
    if p.shape[0] != t.shape[0]:
        raise fail(owner, "products", f"have one entry per {rows} ({t.shape[0]})", p.shape[0])
    return t, p


def _fit(r: PurchaseRates, taste: FloatArray, products: IntArray) -> FloatArray:
    diff = taste - r.products[products]
    out: FloatArray = np.exp(-np.einsum("ij,ij->i", diff, diff) / r.two_w2)
    return out


class Arrivals(NamedTuple):
    """What the week's arrivals (customers won from the market, referred friends) bought."""

    units: int
    niche: int
    dissatisfied: int
    price: float

    def revenue(self, before: float) -> float:
        """``before`` plus the price once per unit, added one by one (as a running total)."""
        total = float(before)
        for _ in range(self.units):
            total += self.price
        return total


def arrivals_buy(
    gen: np.random.Generator, r: PurchaseRates, *, first: int, last: int, S: Any
) -> Arrivals:
    """Slots ``first..last-1`` (this week's arrivals, their product set) buy one unit each;
    each is dissatisfied with ``1 − product_quality`` (one uniform each, in slot order)."""
    k = last - first
    if k <= 0:
        return Arrivals(0, 0, 0, r.price)
    s = slice(first, last)
    d = gen.random(k) < 1.0 - r.quality_pow[1]
    S.dissatisfied[s] = d
    S.units[s] = 1
    S.purchases[s] += 1
    S.spend[s] += r.price
    niche = int(np.count_nonzero(S.product[s] >= r.head))
    return Arrivals(k, niche, int(np.count_nonzero(d)), r.price)


def pick_products(r: PurchaseRates, size: int, gen: np.random.Generator) -> IntArray:
    """``size`` products featured by popularity (as advertising picks them)."""
    out: IntArray = gen.choice(r.popularity.size, size=size, p=r.popularity).astype(np.int64)
    return out


# ----------------------------------------------------------------------------- compiled
@shared  # type: ignore[misc, unused-ignore]
def fit_one(r: PurchaseRates, taste: Any, i: int, f: Any) -> float:
    """Fit of slot ``i`` to product ``f``."""
    d2 = 0.0
    for k in range(taste.shape[1]):
        x = taste[i, k] - r.products[f, k]
        d2 += x * x
    return math.exp(-d2 / r.two_w2)


@shared  # type: ignore[misc, unused-ignore]
def featured(r: PurchaseRates, gen: Any) -> int:
    """A product featured by popularity (Zipf), from one uniform."""
    cdf = r.popularity_cdf
    j = search_right(cdf, 0, cdf.shape[0], gen.random())
    last = cdf.shape[0] - 1
    return j if j < last else last


@inline  # type: ignore[misc, unused-ignore]
def max_adoption(br: Any, cw: Any, wr: Any, opened: bool, read: bool, talks: int) -> float:
    """The largest adoption probability the channels that reached a prospect could give (each
    product's fit <= 1): below it, :func:`adopt` draws the featured products; above, nothing."""
    return 1.0 - (1.0 - (broadcast.max_conversion(br) if opened else 0.0)) * (
        1.0 - (cw.conversion if read else 0.0)
    ) * (1.0 - word_of_mouth.max_adoption(wr, talks))


@shared  # type: ignore[misc, unused-ignore]
def adopt(
    r: Any,
    br: Any,
    cw: Any,
    wr: Any,
    taste: Any,
    i: int,
    u: float,
    opened: bool,
    read: bool,
    talks: int,
    wom_product: int,
    gen: Any,
) -> tuple[int, int]:
    """Whether prospect ``i`` (below :func:`max_adoption`) adopts this week, from uniform
    ``u``: ``(channel, product)``, channel ``-1`` (no), 0 broadcast, 1 content, 2 word of mouth.

    The featured products are drawn only for prospects whose uniform is below the largest
    probability the channels could give (the uniform is independent of the features, so the
    law is unchanged); called from the member pass for those rare prospects only.
    """
    pb = 0.0
    pc = 0.0
    pw = 0.0
    fb = -1
    fc = -1
    if opened:
        fb = featured(r, gen)
        pb = broadcast.conversion(br, fit_one(r, taste, i, fb))
    if read:
        fc = featured(r, gen)
        pc = content.conversion(cw, fit_one(r, taste, i, fc))
    if talks > 0:
        pw = word_of_mouth.adoption(wr, talks, fit_one(r, taste, i, np.int64(wom_product)))
    if not u < 1.0 - (1.0 - pb) * (1.0 - pc) * (1.0 - pw):
        return -1, -1
    # the channel that won, in proportion to its probability
    x = gen.random() * (pb + pc + pw)
    if x < pb:
        return 0, fb
    if x < pb + pc:
        return 1, fc
    return 2, wom_product


@inline  # type: ignore[misc, unused-ignore]
def repeat_units(r: PurchaseRates, stage: int, u: float) -> int:
    """Units an adopter of ``stage`` buys this week, from uniform ``u`` (Poisson inversion)."""
    if u > r.repeat_cdf[stage, 0]:  # at least one unit
        return poisson_tab(r.repeat_cdf, stage, r.repeat[stage], u)
    return 0


@inline  # type: ignore[misc, unused-ignore]
def disappoints(r: PurchaseRates, units: int, u: float) -> bool:
    """A buyer of ``units`` is dissatisfied with ``1 − product_quality^units``."""
    pq = (
        r.quality_pow[units]
        if units < r.quality_pow.shape[0]
        else ipow(r.product_quality, np.int64(units))
    )
    return u < 1.0 - pq
