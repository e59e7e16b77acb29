"""Tests of catalog demand: tail share, Gini, Lorenz curve, rank-size elasticity."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequn.exceptions import InvalidParameterError
from shequn.longtail.demand import (
    generate_catalog,
    gini,
    lorenz_curve,
    rank_size_elasticity,
    tail_share,
)


def _pareto(a: float, n: int, seed: int) -> np.ndarray:
    # Pareto with shape a and scale 1: x = U^(-1/a)
    return (1.0 - np.random.default_rng(seed).random(n)) ** (-1.0 / a)


@pytest.mark.parametrize("a", [2.5, 4.0])
def test_gini_of_pareto_matches_closed_form(a: float) -> None:
    # G = 1 / (2a - 1). Sampling sd of the Gini for n = 400k and a >= 2.5 is below 0.004
    # (checked over seeds); tolerance 0.01.
    g = gini(_pareto(a, 400_000, seed=int(a * 10)))
    assert g == pytest.approx(1.0 / (2 * a - 1), abs=0.01)


@pytest.mark.parametrize("a", [2.5, 4.0])
@pytest.mark.parametrize("p", [0.01, 0.2])
def test_tail_share_of_pareto_matches_closed_form(a: float, p: float) -> None:
    # top fraction p holds p^(1 - 1/a) of the total, so the tail beyond it holds the rest
    n = 400_000
    x = _pareto(a, n, seed=int(a * 100 + p * 1000))
    share = tail_share(x, k=int(p * n))
    assert share == pytest.approx(1.0 - p ** (1.0 - 1.0 / a), abs=0.01)


def test_zipf_catalog_shares_and_slope() -> None:
    c = generate_catalog(500, kind="zipf", exponent=0.8, total_sales=0, rng=0)
    h = np.sum(np.arange(1, 501) ** -0.8)
    assert np.allclose(c.popularity, np.arange(1, 501) ** -0.8 / h)
    fit = rank_size_elasticity(c.popularity, shift=0.0)
    assert fit.slope == pytest.approx(-0.8, abs=1e-12)
    assert fit.r_squared == pytest.approx(1.0)
    assert fit.se_gabaix == pytest.approx(0.8 * math.sqrt(2 / 500))


def test_rank_size_recovers_pareto_exponent() -> None:
    # sizes from a Pareto with shape a follow rank ~ size^-a, so the slope is about -1/a;
    # Gabaix-Ibragimov SE |b| sqrt(2/n) with n = 2000; tolerance 3 SE.
    x = _pareto(1.25, 2000, seed=5)
    fit = rank_size_elasticity(x, shift=0.5)
    assert abs(fit.slope + 1 / 1.25) < 3 * fit.se_gabaix


def test_catalog_generators() -> None:
    for kind in ("zipf", "powerlaw", "lognormal"):
        c = generate_catalog(300, kind=kind, total_sales=5000, rng=1)
        assert c.sales.sum() == 5000 and c.popularity.sum() == pytest.approx(1.0)
        assert np.all(np.diff(c.popularity) <= 0)
        assert c.n_products == 300 and 0 <= c.tail_share(30) <= 1
    a = generate_catalog(50, kind="lognormal", rng=7)
    b = generate_catalog(50, kind="lognormal", rng=7)
    assert a == b


def test_lorenz_curve_closed_form() -> None:
    pop, share = lorenz_curve([1, 2, 3, 4])
    assert pop.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert share.tolist() == [0.0, 0.1, 0.3, 0.6, 1.0]
    # Gini = 1 - 2 * area under the Lorenz curve (trapezoid rule exact for piecewise linear)
    area = np.trapezoid(share, pop)
    assert gini([1, 2, 3, 4]) == pytest.approx(1 - 2 * area)


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=60))
def test_concentration_invariants(values: list[float]) -> None:
    x = np.asarray(values)
    if not x.sum() > 0:
        with pytest.raises(InvalidParameterError, match="values"):
            gini(x)
        return
    g = gini(x)
    assert -1e-12 <= g < 1.0
    shares = [tail_share(x, k=k) for k in range(x.size + 1)]
    assert shares[0] == pytest.approx(1.0) and shares[-1] == 0.0
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(shares))
    pop, lor = lorenz_curve(x)
    assert np.all(np.diff(lor) >= -1e-12) and np.all(lor <= pop + 1e-12)
    assert gini(x * 3.0) == pytest.approx(g, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: tail_share([1, 2, 3], k=4), "tail_share.k"),
        (lambda: tail_share([1, -2, 3], k=1), "tail_share.values"),
        (lambda: gini([1.0, float("nan")]), "gini.values"),
        (lambda: generate_catalog(0), "generate_catalog.n_products"),
        (lambda: generate_catalog(10, kind="pareto"), "generate_catalog.kind"),
        (lambda: generate_catalog(10, kind="powerlaw", alpha=1.0), "generate_catalog.alpha"),
        (lambda: generate_catalog(10, kind="zipf", exponent=-1.0), "generate_catalog.exponent"),
        (lambda: rank_size_elasticity([1.0, 2.0]), "rank_size_elasticity.sales"),
        (lambda: rank_size_elasticity([1.0, 2.0, 3.0], shift=1.5), "rank_size_elasticity.shift"),
    ],
)
def test_bad_input(call: object, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        call()  # type: ignore[operator]
