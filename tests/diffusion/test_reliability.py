"""Issue 14 in diffusion/: no crash, no unbounded work, our error naming the field.

Every public type a compiled kernel reads is checked when built: a hand-built
DiffusionNetwork with an out-of-range index (which used to segfault the kernels) is refused.
Requests whose memory would exceed the machine are refused with the estimate; long feasible
work reports progress and stops between chunks.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from shequn.diffusion import (
    Bass,
    BroadcastCampaign,
    DiffusionNetwork,
    PowerOpenRate,
    as_network,
    imm,
    independent_cascade,
    network_bass,
    rr_spread,
    rumour,
    top_degree,
)
from shequn.exceptions import ConvergenceError, InvalidParameterError

PATH = as_network(nx.path_graph(3))


def _net(**kw: Any) -> DiffusionNetwork:
    base: dict[str, Any] = {"indptr": [0, 1, 2], "indices": [1, 0], "weight": [1.0, 1.0]}
    base.update(kw)
    return DiffusionNetwork(**base)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"indices": [10**9, 0]}, "`DiffusionNetwork.indices` must be node indices in [0, 2)"),
        ({"indices": [-5, 0]}, "`DiffusionNetwork.indices` must be node indices in [0, 2)"),
        ({"indptr": [0, 10**7, 2]}, "`DiffusionNetwork.indptr` must be non-decreasing"),
        ({"indptr": [0, 1, 3]}, "`DiffusionNetwork.indptr` must start at 0 and end at"),
        ({"indptr": [1, 1, 2]}, "`DiffusionNetwork.indptr` must start at 0 and end at"),
        ({"indptr": [0, 2]}, "`DiffusionNetwork.indices` must be node indices in [0, 1)"),
        ({"indptr": [[0, 1, 2]]}, "`DiffusionNetwork.indptr` must be a 1-d array of n + 1"),
        ({"indptr": [0]}, "`DiffusionNetwork.indptr` must be a 1-d array of n + 1 >= 2"),
        ({"indices": [1.5, 0]}, "`DiffusionNetwork.indices` must be an array of integers"),
        ({"indices": ["1", "0"]}, "`DiffusionNetwork.indices` must be an array of integers"),
        ({"weight": [np.nan, 1.0]}, "`DiffusionNetwork.weight` must be finite and > 0"),
        ({"weight": [-1.0, 1.0]}, "`DiffusionNetwork.weight` must be finite and > 0"),
        ({"weight": [0.0, 0.0]}, "`DiffusionNetwork.weight` must be finite and > 0"),
        ({"weight": ["a", "b"]}, "`DiffusionNetwork.weight` must be a one-dimensional array"),
        ({"weight": [1.0]}, "`DiffusionNetwork.weight` must have one weight per entry (2)"),
        ({"weight": [1.0, 2.0]}, "`DiffusionNetwork.graph` must be symmetric"),
        ({"indices": [0, 1]}, "`DiffusionNetwork.graph` must have no self-loops; got (0, 0)"),
        ({"labels": ("a",)}, "`DiffusionNetwork.labels` must have one label per node (2)"),
        ({"labels": ("a", "a")}, "`DiffusionNetwork.labels` must be distinct"),
        ({"directed": "yes"}, "`DiffusionNetwork.directed` must be True or False"),
    ],
)
def test_hand_built_network_is_checked(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        _net(**fields)


def test_row_order_and_repeats_are_checked() -> None:
    with pytest.raises(InvalidParameterError, match="must be sorted within each row"):
        DiffusionNetwork(indptr=[0, 2, 2, 2], indices=[2, 1], weight=[1, 1], directed=True)
    with pytest.raises(InvalidParameterError, match=re.escape("must not repeat a tie; got (0, 1)")):
        DiffusionNetwork(indptr=[0, 2, 2], indices=[1, 1], weight=[1, 1], directed=True)


def test_valid_hand_built_network_matches_the_conversion() -> None:
    G = nx.Graph([(0, 1, {"weight": 0.5}), (1, 2, {"weight": 2.0})])
    net = DiffusionNetwork(
        indptr=np.array([0, 1, 3, 4]), indices=[1, 0, 2, 1], weight=[0.5, 0.5, 2.0, 2.0]
    )
    assert net == as_network(G)
    assert net.indices.dtype == np.int32


_ISSUE_CASES = """
import numpy as np, networkx as nx
from shequn.diffusion import (DiffusionNetwork, independent_cascade, linear_threshold,
    network_bass, rumour, imm, rr_spread)
from shequn.exceptions import InvalidParameterError
cases = [dict(indptr=np.array([0, 1, 2]), indices=np.array([10**9, 0]), weight=np.ones(2)),
         dict(indptr=np.array([0, 10**7, 2]), indices=np.array([1, 0]), weight=np.ones(2)),
         dict(indptr=np.array([0, 1, 2]), indices=np.array([-5, 0]), weight=np.ones(2))]
calls = [lambda g: independent_cascade(g, [0], p=1.0, runs=3, rng=0),
         lambda g: linear_threshold(g, [0], runs=3, rng=0),
         lambda g: network_bass(g, p=0.1, q=0.5, steps=3, runs=3, rng=0),
         lambda g: rumour(g, [0], runs=3, rng=0),
         lambda g: imm(g, 1, rng=0), lambda g: rr_spread(g, [0], rng=0)]
for case in cases:
    for call in calls:
        try:
            call(DiffusionNetwork(**case))
        except InvalidParameterError:
            pass
        else:
            raise SystemExit("accepted a bad network")
print("ok")
"""


def test_the_issue_cases_do_not_crash_the_process() -> None:
    """The exact inputs that segfaulted (issue 14), in a separate process: our error, no crash."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_ISSUE_CASES)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid undirected network's arrays with exactly one rule broken."""
    n = draw(st.integers(2, 12))
    G = nx.gnp_random_graph(n, 0.5, seed=draw(st.integers(0, 10**6)))
    if G.number_of_edges() == 0:
        G.add_edge(0, 1)
    net = as_network(G)
    ip = net.indptr.astype(np.int64)
    ix = net.indices.astype(np.int64)
    w = net.weight.copy()
    e = draw(st.integers(0, ix.size - 1))
    kind = draw(st.sampled_from(["index", "negative", "pointer", "weight", "loop", "asymmetric"]))
    if kind == "index":
        ix[e] = n + draw(st.integers(0, 10**12))
    elif kind == "negative":
        ix[e] = -draw(st.integers(1, 10**12))
    elif kind == "pointer":
        r = draw(st.integers(1, n - 1))
        ip[r] = ip[-1] + draw(st.integers(1, 10**9))
    elif kind == "weight":
        w[e] = draw(st.sampled_from([0.0, -1.0, np.nan, np.inf]))
    elif kind == "loop":
        row = int(np.searchsorted(ip, e, side="right") - 1)
        ix[e] = row
    else:
        w[e] = 2.0
    return {"indptr": ip, "indices": ix, "weight": w}, kind


@given(corrupted())
def test_any_single_corruption_is_refused(case: tuple[dict[str, Any], str]) -> None:
    """Property: one broken rule anywhere in the arrays gives our error, never a crash."""
    fields, _ = case
    with pytest.raises(InvalidParameterError):
        DiffusionNetwork(**fields)


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        (nx.Graph([(0, 1, {"weight": "strong"})]), "`as_network.weight` must be a number"),
        (nx.Graph([(0, 1, {"weight": None})]), "`as_network.weight` must be a number"),
        (nx.Graph([(0, 1, {"weight": True})]), "`as_network.weight` must be a number"),
        (nx.Graph([(0, 1, {"weight": -2.0})]), "`as_network.weight` must be finite and >= 0"),
        (nx.Graph([(0, 0)]), "`as_network.graph` must have no self-loops; got (0, 0)"),
        (nx.empty_graph(0), "`as_network.graph` must have at least one node"),
        (sp.csr_array(np.eye(2)), "`as_network.graph` must have no self-loops (non-zero"),
        (sp.csr_array(np.ones((2, 3))), "`as_network.graph` must be a square matrix"),
        (np.array([[0, 1], [0, 1]]), "`as_network.graph` must not repeat a tie; got (0, 1)"),
        (np.array([[0, 0]]), "`as_network.graph` must have no self-loops; got (0, 0)"),
        (np.array([[0, -1]]), "`as_network.graph` must hold node indices"),
        (np.array([[0.5, 1]]), "`as_network.graph` must hold integer node indices"),
        (np.array([0, 1]), "`as_network.graph` must be an (m, 2) edge array"),
        ([(0, 1)], "`as_network.graph` must be a Community, a networkx graph"),
    ],
)
def test_bad_graphs_name_the_field(graph: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        as_network(graph)


def test_string_weights_name_the_calling_function() -> None:
    G = nx.Graph([(0, 1, {"weight": "0.5"})])
    for call, owner in (
        (lambda: independent_cascade(G, [0], runs=2, rng=0), "independent_cascade"),
        (lambda: imm(G, 1, rng=0), "imm"),
        (lambda: top_degree(G, 1), "top_degree"),
    ):
        with pytest.raises(InvalidParameterError, match=f"`{owner}.weight` must be a number"):
            call()


def test_directed_graphs_labels_isolated_nodes_have_documented_answers() -> None:
    D = nx.DiGraph([("a", "b"), ("b", "c")])
    D.add_node("lonely")
    res = independent_cascade(D, ["a"], p=1.0, runs=2, rng=0)
    assert res.final_sizes.tolist() == [3, 3]  # a → b → c, never back, never "lonely"
    assert independent_cascade(D, ["lonely"], p=1.0, runs=2).final_sizes.tolist() == [1, 1]
    assert imm(D, 1, p=1.0, rng=0).nodes == ["a"]
    with pytest.raises(InvalidParameterError, match=r"`independent_cascade.seeds` must be nodes"):
        independent_cascade(D, ["zz"], runs=2)
    with pytest.raises(InvalidParameterError, match=r"`rr_spread.seeds` must not repeat a member"):
        rr_spread(D, ["a", "a"])
    with pytest.raises(InvalidParameterError, match=r"`imm.k` must be an integer >= 1 and <= 4"):
        imm(D, 5)


def test_rumour_that_cannot_stop_needs_max_steps() -> None:
    """spread = 0 with no forgetting: the seed talks forever (it used to allocate until memory
    ran out); with max_steps it stops there, with forgetting it stops by itself."""
    G = nx.path_graph(3)
    with pytest.raises(InvalidParameterError, match=r"`rumour.max_steps` must be given"):
        rumour(G, [0], spread=0.0, runs=1, rng=0)
    res = rumour(G, [0], spread=0.0, runs=2, rng=0, max_steps=50)
    assert res.final_sizes.tolist() == [1, 1] and res.steps == 50
    assert res.active[:, -1].tolist() == [1, 1]  # still talking when stopped
    done = rumour(G, [0], spread=0.0, forget=0.5, runs=50, rng=0)
    assert done.active[:, -1].max() == 0


def test_rumour_dying_too_slowly_says_what_to_do() -> None:
    """A spread of 1e-9 needs about 10^9 steps to inform anyone: beyond the default cap of 10
    steps per member + 1,000, so it raises instead of running for hours."""
    with pytest.raises(ConvergenceError, match="pass max_steps"):
        rumour(nx.path_graph(3), [0], spread=1e-9, runs=1, rng=0)


def test_requests_beyond_memory_are_refused_with_the_estimate() -> None:
    bytes_needed = r"about [0-9.e+]+ bytes needed"
    with pytest.raises(InvalidParameterError, match=r"`independent_cascade.runs` must need"):
        independent_cascade(PATH, [0], runs=10**12, rng=0)
    with pytest.raises(InvalidParameterError, match=bytes_needed):
        independent_cascade(PATH, [0], runs=10**12, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`network_bass.steps` must need"):
        network_bass(PATH, p=0.1, q=0.1, steps=10**12, runs=10, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`rumour.runs` must need"):
        rumour(PATH, [0], runs=10**12, rng=0)
    karate = as_network(nx.karate_club_graph())
    with pytest.raises(InvalidParameterError, match=r"`imm.epsilon` must need .*" + bytes_needed):
        imm(karate, 2, p=0.1, epsilon=1e-6, rng=0)
    with pytest.raises(InvalidParameterError, match=r"`imm.ell` must leave IMM's sample sizes"):
        imm(karate, 2, p=0.1, ell=1e300, rng=0)


def test_progress_reports_and_stops_between_chunks() -> None:
    G = as_network(nx.barabasi_albert_graph(300, 2, seed=1))
    seen: list[tuple[int, int]] = []
    independent_cascade(G, [0], p=0.1, runs=5000, rng=0, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5000, 5000) and all(a < b for (a, _), (b, _) in itertools.pairwise(seen))

    class StopError(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise StopError

    # a user's Ctrl-C arrives like this: between chunks, the call ends at once
    with pytest.raises(StopError):
        independent_cascade(G, [0], p=0.1, runs=50_000, rng=0, progress=stop)
    with pytest.raises(StopError):
        imm(G, 2, p=0.1, rng=0, progress=stop)
    with pytest.raises(StopError):
        rr_spread(G, [0], samples=100_000, rng=0, progress=stop)
    with pytest.raises(InvalidParameterError, match=r"`rr_spread.progress` must be None, True"):
        rr_spread(G, [0], progress="yes")
    calls: list[int] = []
    imm(G, 2, p=0.1, rng=0, progress=lambda d, t: calls.append(d))
    assert calls  # every phase reports


def test_results_do_not_depend_on_chunking_or_executor() -> None:
    G = as_network(nx.barabasi_albert_graph(300, 2, seed=1))
    a = independent_cascade(G, [0], p=0.1, runs=5000, rng=3)
    b = independent_cascade(G, [0], p=0.1, runs=5000, rng=3, progress=lambda d, t: None)
    with ThreadPoolExecutor(2) as pool:
        c = independent_cascade(G, [0], p=0.1, runs=5000, rng=3, executor=pool)
    assert a == b == c


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Bass(p="0.03", q=0.38), "`Bass.p` must be > 0 and finite; got '0.03'"),
        (lambda: Bass(p=True, q=0.38), "`Bass.p` must be > 0 and finite; got True"),
        (lambda: PowerOpenRate(r0=0.2, beta="x"), "`PowerOpenRate.beta` must be >= 0 and finite"),
        (
            lambda: BroadcastCampaign(audience=10, open_rate=0.5, click_rate="0.1"),
            "`BroadcastCampaign.click_rate` must be in [0, 1]; got '0.1'",
        ),
        (
            lambda: BroadcastCampaign(audience=True, open_rate=0.5),
            "`BroadcastCampaign.audience` must be an integer",
        ),
    ],
)
def test_strings_and_bools_are_not_numbers(make: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        make()


def test_compile_notice_is_printed_once_for_diffusion_kernels(capsys: Any) -> None:
    """The first compilation of a diffusion kernel prints one line (and only the first); a
    kernel of another package says nothing."""
    import types

    import numba
    from numba.core import event

    from shequn.diffusion import _compile

    def source(x: int) -> int:
        return x + 1

    def fake(module: str) -> Any:
        fn = types.FunctionType(source.__code__, {"__name__": module}, "kernel")
        return numba.njit(fn)

    listener = _compile._Notice()
    installed = _compile._LISTENER  # the process's own listener: set aside for the test
    if installed is not None:
        event.unregister("numba:compile", installed)
    event.register("numba:compile", listener)
    try:
        fake("someone.else")(1)
        assert capsys.readouterr().err == ""
        fake("shequn.diffusion.fake")(1)
        fake("shequn.diffusion.fake2")(2)
    finally:
        event.unregister("numba:compile", listener)
        if installed is not None:
            event.register("numba:compile", installed)
    err = capsys.readouterr().err
    assert err.count("shequn: compiling the diffusion kernels") == 1


# --- issue 14: silent NaN and inf in reach and IMM's constants ------------------------------


def test_open_rate_from_interest_with_a_huge_interest_shape_is_finite_and_right() -> None:
    """scipy's Beta inverse is NaN past a shape of ~1e200: the gamma limit takes over.

    References: Beta(1e300, 4) interest is 1 - O(1e-300), so every open rate is 1; for
    Beta(2, 1e300), (alpha + beta) u is Gamma(2) and the strict-order mean of the top fraction
    f is the closed form 2 * P(G3 > q) / f / 1e300 with q the (1 - f) quantile of Gamma(2).
    """
    from scipy import stats

    from shequn.diffusion.reach import open_rate_from_interest

    r = open_rate_from_interest([100, 1000], population=10_000, interest_alpha=1e300)
    assert r.tolist() == [1.0, 1.0]
    r = open_rate_from_interest(
        [100, 1000], population=10_000, interest_alpha=1e300, selectivity=2.0
    )
    assert r.tolist() == [1.0, 1.0]
    f = 0.1
    q = stats.gamma.isf(f, 2.0)
    exact = 2.0 * stats.gamma.sf(q, 3.0) / f
    r = open_rate_from_interest([1000], population=10_000, interest_alpha=2.0, interest_beta=1e300)
    assert float(r[0]) * 1e300 == pytest.approx(exact, rel=1e-4)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n", float("nan")),
        ("n", 1),
        ("k", float("nan")),
        ("k", 0),
        ("k", 2000),
        ("epsilon", float("nan")),
        ("epsilon", float("inf")),
        ("epsilon", -float("inf")),
        ("epsilon", 1.0),
        ("epsilon", 1e-300),  # the sample sizes overflow
        ("ell", float("nan")),
        ("ell", float("inf")),
        ("ell", 0.0),
        ("grid", 0),
    ],
)
def test_imm_parameters_refuses_what_would_give_nan_or_inf(field: str, value: Any) -> None:
    from shequn.diffusion.seeding import imm_parameters

    kw: dict[str, Any] = {"n": 1000, "k": 5, "epsilon": 0.1, "ell": 1.0, "grid": 2}
    kw[field] = value
    with pytest.raises(InvalidParameterError, match=rf"`imm_parameters\.{field}`"):
        imm_parameters(**kw)


def test_imm_parameters_closed_form_at_a_small_case() -> None:
    """λ* = 2n((1 − 1/e)α + β)²/ε² by hand for n = 4, k = 1, ε = 0.5, ℓ = 1 (eqs. 6 and 9)."""
    import math

    from shequn.diffusion.seeding import imm_parameters

    ell = 1.0 * (1 + math.log(2) / math.log(4))  # 1.5
    a = math.sqrt(ell * math.log(4) + math.log(2))
    b = math.sqrt((1 - 1 / math.e) * (math.log(4) + ell * math.log(4) + math.log(2)))
    c = imm_parameters(4, 1, 0.5, 1.0)
    assert c["ell"] == pytest.approx(1.5, rel=1e-15)
    assert c["lambda_star"] == pytest.approx(2 * 4 * ((1 - 1 / math.e) * a + b) ** 2 / 0.25)
    eps_p = math.sqrt(2) * 0.5
    lam_p = (2 + 2 * eps_p / 3) * (math.log(4) + ell * math.log(4) + math.log(2 * 2)) * 4 / 0.5
    assert c["lambda_prime"] == pytest.approx(lam_p)
