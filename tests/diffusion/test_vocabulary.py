"""The library's one vocabulary in diffusion/ and community/ (issue 12, docs/architecture.md):
``summary()`` is a Summary, ``conf_int(level)`` is ``{name: (lo, hi)}``, ``fit`` is a
classmethod giving the same ...Fit as the function, ``executor=`` is the parallelism keyword,
and every changed shape keeps a deprecated path that warns and names the replacement."""

from __future__ import annotations

import re
import warnings

import networkx as nx
import numpy as np
import pytest

from shequn._results import ResultMixin, Summary
from shequn.community import Community, generate_community, structure_summary
from shequn.diffusion import (
    Bass,
    BassFit,
    BassForecast,
    BroadcastCampaign,
    BudgetComparison,
    DiffusionResult,
    OpenRateFit,
    PowerOpenRate,
    SaturatingOpenRate,
    SeedSet,
    compare_budget,
    fit_bass,
    fit_open_rate,
    independent_cascade,
    rr_spread,
)
from shequn.exceptions import InvalidParameterError

Y = Bass(p=0.03, q=0.38, m=1000.0).adoptions(15) + (-1.0) ** np.arange(15)


def _results() -> list[object]:
    fit = fit_bass(Y)
    a = np.geomspace(100, 1e6, 12)
    opens = np.round(PowerOpenRate(r0=0.2, beta=0.3, a0=1e3)(a) * a)
    campaign = BroadcastCampaign(audience=1, open_rate=1.0, cost_per_impression=1.0)
    return [
        fit,
        fit.predict(20),
        fit_open_rate(a, opens),
        compare_budget(100, broadcast=campaign, community=lambda b, g: 3, runs=5, rng=0),
        independent_cascade(nx.path_graph(4), [0], p=0.5, runs=10, rng=0),
        rr_spread(nx.path_graph(4), [0], p=0.5, samples=100, rng=0),
    ]


def test_every_result_is_a_result_mixin_with_a_summary() -> None:
    kinds = {type(r) for r in _results()}
    assert kinds == {BassFit, BassForecast, OpenRateFit, BudgetComparison, DiffusionResult, SeedSet}
    for r in _results():
        assert isinstance(r, ResultMixin)
        s = r.summary()  # type: ignore[attr-defined]
        assert isinstance(s, Summary) and len(s) > 0
        assert s._repr_html_() == r._repr_html_()  # type: ignore[attr-defined]


def test_conf_int_is_a_mapping_of_pairs_at_the_level_asked() -> None:
    for r in _results():
        if not hasattr(r, "conf_int"):
            continue
        wide = dict(r.conf_int(0.99))
        narrow = dict(r.conf_int(0.5))
        assert wide.keys() == narrow.keys() and wide
        for name, (lo, hi) in wide.items():
            nlo, nhi = narrow[name]
            assert lo <= nlo <= nhi <= hi, (type(r).__name__, name)


def test_bass_fit_params_and_intervals_by_name() -> None:
    fit = fit_bass(Y)
    assert list(fit.params) == ["p", "q", "m"]
    assert fit.params["q"] == fit.q == float(fit.estimates[1])
    assert fit.standard_errors == dict(zip("pqm", fit.se.tolist(), strict=True))
    lo, hi = fit.conf_int()["q"]
    assert lo < fit.q < hi
    assert fit.summary()["q"] == fit.q


def test_old_array_uses_warn_and_still_answer() -> None:
    fit = fit_bass(Y)
    ci = fit.conf_int()
    with pytest.warns(DeprecationWarning, match=re.escape('BassFit.params["q"]')):
        assert fit.params[1] == fit.q
    with pytest.warns(DeprecationWarning):
        np.testing.assert_array_equal(np.asarray(fit.params), fit.estimates)
    with pytest.warns(DeprecationWarning, match=re.escape('conf_int()["q"]')):
        assert ci[1, 0] == ci["q"][0] and ci.shape == (3, 2)
    law = fit_open_rate([100, 1000, 10000], [30, 150, 600])
    with pytest.warns(DeprecationWarning, match="OpenRateFit.params"):
        assert law.params[:2].tolist() == law.estimates.tolist()


def test_fit_classmethods_are_the_function_estimators() -> None:
    assert Bass.fit(Y, method="mle") == fit_bass(Y, method="mle")
    a = np.geomspace(100, 1e6, 12)
    opens = np.round(SaturatingOpenRate(r0=0.4, r_floor=0.04, a_half=5000)(a) * a)
    assert SaturatingOpenRate.fit(a, opens) == fit_open_rate(a, opens, form="saturating")
    assert PowerOpenRate.fit(a, opens, a0=1e3) == fit_open_rate(a, opens, a0=1e3)


def test_executor_is_checked() -> None:
    with pytest.raises(InvalidParameterError, match=r"`independent_cascade.executor` must be"):
        independent_cascade(nx.path_graph(3), [0], runs=10, executor="threads")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"`rr_spread.executor` must be"):
        rr_spread(nx.path_graph(3), [0], executor=2)  # type: ignore[arg-type]


def test_threads_keyword_is_a_deprecated_alias() -> None:
    G = nx.barabasi_albert_graph(200, 2, seed=1)
    plain = rr_spread(G, [0, 1], p=0.1, samples=2000, rng=3)
    with pytest.warns(DeprecationWarning, match=r"rr_spread\(threads=...\) is deprecated"):
        old = rr_spread(G, [0, 1], p=0.1, samples=2000, rng=3, threads=2)
    assert old == plain
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(InvalidParameterError, match=r"`rr_spread.threads` must be an integer"):
            rr_spread(G, [0], threads=0)


def test_community_repr_summary_and_html() -> None:
    c = generate_community("brand", 300, rng=1)
    text = repr(c)
    assert text == f"Community(kind='brand', n=300, ties={c.n_edges:,}, groups={c.groups.n_groups})"
    s = c.summary()
    assert isinstance(s, Summary) and s["n"] == 300 and s["ties"] == c.n_edges
    assert str(s).startswith(f"brand community: 300 members, {c.n_edges:,} ties")
    html = c._repr_html_()
    assert "<table>" in html and "brand community" in html and "members" in html
    plain = structure_summary(nx.path_graph(4))
    assert isinstance(plain, Summary) and dict(plain)["ties"] == 3
    assert repr(Community.from_graph(nx.path_graph(3))).startswith("Community(kind=None, n=3")
