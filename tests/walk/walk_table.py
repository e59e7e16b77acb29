"""The API walk's table: a valid call and a parameter kind for every public callable.

Every name in every ``__all__`` of the shequn packages and modules, and every public method of
their classes, has an entry here or a reason in :data:`EXEMPT` (constants, exceptions, enums,
type aliases); ``test_api_walk.py`` fails when a new public name has neither. To add an entry:
``E("shequn.pkg.name", param=(valid_value, "kind"), ...)`` with a kind from
``walk_core.KINDS`` or :data:`GRAPH_KINDS` (``"kind?"`` when ``None`` is allowed, kind ``None``
for a parameter kept at its valid value); methods take ``on=`` a fixture building the object.
Values that must be built in the worker (graphs, fitted models) are wrapped in ``L(...)``.
Hand-written cases go through :func:`X`.
"""

from __future__ import annotations

import functools
import os
import tempfile
import zlib
from collections.abc import Callable
from typing import Any

import attrs
import networkx as nx
import numpy as np
import scipy.sparse as sp
from walk_core import EITHER, INF, KINDS, NAN, OMIT, RAISE, Case, Entry, L, lookup, resolve

# --- fixtures (built once per worker, when a case first needs them) -------------------------
cache = functools.cache


@cache
def tmpdir() -> str:
    return tempfile.mkdtemp(prefix="shequn-walk-")


def karate() -> nx.Graph:
    return nx.karate_club_graph()


@cache
def community() -> Any:
    from shequn.community import generate_community

    return generate_community("brand", 60, rng=0)


@cache
def small_community() -> Any:
    from shequn.community import generate_community

    return generate_community("leader", 40, rng=1)


@cache
def om() -> Any:
    from shequn.operating import OperatingModel

    return OperatingModel()


@cache
def dynamics() -> Any:
    from shequn.simulation import compile

    return compile(community(), om())


def state() -> Any:
    """A fresh state per case (step works on the state's arrays)."""
    from shequn.simulation import init_state

    return init_state(dynamics(), rng=0)


@cache
def trajectory() -> Any:
    from shequn.simulation import simulate

    return simulate(community(), om(), weeks=3, rng=0)


@cache
def bgnbd() -> Any:
    from shequn.loyalty import BGNBD

    return BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)


@cache
def pnbd() -> Any:
    from shequn.loyalty import ParetoNBD

    return ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)


@cache
def gg() -> Any:
    from shequn.loyalty import GammaGamma

    return GammaGamma(p=6.25, q=3.74, gamma=15.44)


@cache
def bgbb() -> Any:
    from shequn.loyalty import BGBB

    return BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.78)


@cache
def bgnbd_fit() -> Any:
    from shequn.loyalty import BGNBD

    f, r, t = bgnbd().sample(300, np.full(300, 39.0), rng=0)
    return BGNBD.fit(f, r, t)


@cache
def ladder() -> Any:
    from shequn.loyalty import default_ladder

    return default_ladder()


@cache
def ladder_fit() -> Any:
    from shequn.loyalty import Ladder

    return Ladder.estimate([[0, 1, 2, 3, 3], [0, 1, 1, 5], [0, 1, 2, 2, 4]])


@cache
def rfm() -> Any:
    from shequn.loyalty import rfm_summary

    return rfm_summary(
        [1, 1, 2, 2, 2],
        [0.0, 7.0, 1.0, 3.0, 9.0],
        [5.0, 6.0, 1.0, 2.0, 3.0],
        calibration_end=14.0,
        time_unit="days",
    )


@cache
def cdnow() -> Any:
    from shequn.loyalty import load_cdnow_sample

    return load_cdnow_sample()


@cache
def cdnow_rfm() -> Any:
    return cdnow().summary()


@cache
def bass() -> Any:
    from shequn.diffusion.bass import Bass

    return Bass(p=0.03, q=0.38, m=1000.0)


@cache
def bass_fit() -> Any:
    from shequn.diffusion.bass import fit_bass

    return fit_bass(bass().adoptions(15) + (-1.0) ** np.arange(15))


@cache
def gbass() -> Any:
    from shequn.diffusion.bass import GeneralizedBass

    return GeneralizedBass(p=0.03, q=0.38, m=1000.0, effort=[1.0, 1.2, 0.8, 1.0])


@cache
def diffusion_result() -> Any:
    from shequn.diffusion import independent_cascade

    return independent_cascade(karate(), [0], p=0.1, runs=30, rng=0)


@cache
def seed_set() -> Any:
    from shequn.diffusion import select_seeds

    return select_seeds(karate(), 3, method="degree", model="ic", p=0.1, samples=500, rng=0)


@cache
def network() -> Any:
    from shequn.diffusion import as_network

    return as_network(karate())


@cache
def campaign() -> Any:
    from shequn.diffusion.reach import BroadcastCampaign

    return BroadcastCampaign(
        audience=10_000,
        open_rate=0.2,
        click_rate=0.01,
        precise_share=0.1,
        conversion_rate=0.05,
        cost_per_impression=0.01,
    )


@cache
def channel() -> Any:
    from shequn.diffusion.reach import CommunityChannel

    return CommunityChannel(graph=karate(), p=0.01, q=0.2, cost_per_week=100.0, seeds=[0])


@cache
def budget_cmp() -> Any:
    from shequn.diffusion.reach import compare_budget

    return compare_budget(1000.0, broadcast=campaign(), community=channel(), runs=20, rng=0)


@cache
def open_rate_fit() -> Any:
    from shequn.diffusion.reach import fit_open_rate

    a = np.geomspace(100, 1e5, 12).round()
    return fit_open_rate(a, np.round(a * 0.2 * (a / 1000) ** -0.3), a0=1000.0)


@cache
def pl_data() -> Any:
    from shequn.longtail import sample_powerlaw

    return sample_powerlaw(400, alpha=2.5, xmin=1.0, rng=0)


@cache
def pl_fit() -> Any:
    from shequn.longtail import fit_powerlaw

    return fit_powerlaw(pl_data(), compare_with=("exponential",))


@cache
def pl_boot() -> Any:
    from shequn.longtail import bootstrap_pvalue

    return bootstrap_pvalue(pl_fit(), runs=10, rng=0)


@cache
def catalog() -> Any:
    from shequn.longtail import generate_catalog

    return generate_catalog(50, kind="zipf", total_sales=1000, rng=0)


@cache
def niche_market() -> Any:
    from shequn.longtail import NicheMarket

    return NicheMarket(n_products=6, steps=3)


@cache
def niche_run() -> Any:
    from shequn.longtail import simulate_niche

    return simulate_niche(community(), market=niche_market(), rng=0)


@cache
def niche_cmp() -> Any:
    from shequn.longtail import compare_channels

    return compare_channels(community(), market=niche_market(), runs=3, rng=0)


@cache
def rank_fit() -> Any:
    from shequn.longtail import rank_size_elasticity

    return rank_size_elasticity(np.arange(100.0, 0.0, -1.0))


@cache
def true_fans() -> Any:
    from shequn.longtail import TrueFans

    return TrueFans(spend=100.0, retention=0.8, margin=0.5, costs=1000.0)


@cache
def scenario() -> Any:
    from shequn.scenarios import small_quality_vs_large_account

    return small_quality_vs_large_account(runs=2, n=60, weeks=2, rng=0)


@cache
def crowd_curve() -> Any:
    from shequn.simulation import crowd_size_curve

    return crowd_size_curve(sizes=[40, 80], runs=3, rng=0)


@cache
def crowd_outcome() -> Any:
    from shequn.simulation import crowdsource

    return crowdsource(community(), rng=0)


@cache
def experiment() -> Any:
    from shequn.experiment import sweep
    from shequn.experiment.examples import coin_flips

    return sweep(coin_flips, {"p": [0.2, 0.6]}, runs=3, rng=0)


_COUNTER = iter(range(10**9))


def store_path(suffix: str) -> L:
    """A fresh path in the worker's temporary directory."""
    return L(lambda: os.path.join(tmpdir(), f"s{os.getpid()}-{next(_COUNTER)}{suffix}"))


def jsonl_store() -> Any:
    """A store holding a finished sweep (a fresh copy per case)."""
    from shequn.experiment import JsonLinesStore

    return JsonLinesStore(_stored_sweep(".jsonl"))


def parquet_store() -> Any:
    """A store holding a finished sweep (a fresh copy per case)."""
    from shequn.experiment import ParquetStore

    return ParquetStore(_stored_sweep(".parquet"))


# --- graph kinds ----------------------------------------------------------------------------
def _directed() -> nx.DiGraph:
    return nx.DiGraph(karate())


def _selfloop() -> nx.Graph:
    g = karate()
    g.add_edge(3, 3)
    return g


def _strlabels() -> nx.Graph:
    return nx.relabel_nodes(karate(), {i: f"m{i}" for i in range(34)})


def _isolated() -> nx.Graph:
    g = karate()
    g.add_node(34)
    return g


def _weird_weights(w: Any) -> Callable[[], nx.Graph]:
    def make() -> nx.Graph:
        g = karate()
        for _, _, d in g.edges(data=True):
            d["weight"] = w
        return g

    return make


KINDS["graph"] = [
    ("directed", L(_directed), EITHER),
    ("selfloop", L(_selfloop), EITHER),
    ("strlabels", L(_strlabels), EITHER),
    ("isolated", L(_isolated), EITHER),
    ("empty", L(nx.Graph), EITHER),
    ("edgeless", L(lambda: nx.empty_graph(5)), EITHER),
    ("one_node", L(lambda: nx.empty_graph(1)), EITHER),
    ("multi", L(lambda: nx.MultiGraph(karate())), EITHER),
    ("nan_weight", L(_weird_weights(NAN)), RAISE),
    ("neg_weight", L(_weird_weights(-1.0)), RAISE),
    ("str_weight", L(_weird_weights("heavy")), RAISE),
    ("str", "abc", RAISE),
    ("int", 42, RAISE),
]
# members of the karate club (0..33)
KINDS["seeds"] = [
    ("missing", [999], RAISE),
    ("dup", [0, 0], RAISE),
    ("neg", [-1], RAISE),
    ("float", [0.5], RAISE),
    ("nan", [NAN], RAISE),
    ("strnode", ["zz"], RAISE),
    ("str", "abc", RAISE),
    ("empty", [], EITHER),
]
KINDS["member"] = [
    ("missing", 999, RAISE),
    ("neg", -1, RAISE),
    ("strnode", "zz", RAISE),
    ("float", 0.5, RAISE),
]


def _csr(dense: Any) -> sp.csr_array:
    return sp.csr_array(np.asarray(dense, dtype=float))


def _bad_csr_oob() -> sp.csr_array:
    a = _csr(nx.to_numpy_array(nx.path_graph(30)))
    a.indices[0] = 999
    return a


KINDS["adjacency"] = [
    ("oob_index", L(_bad_csr_oob), RAISE),
    ("asymmetric", L(lambda: _csr(np.triu(nx.to_numpy_array(nx.path_graph(30))))), RAISE),
    ("nan_weight", L(lambda: _csr(nx.to_numpy_array(nx.path_graph(30)) * NAN)), RAISE),
    ("neg_weight", L(lambda: _csr(-nx.to_numpy_array(nx.path_graph(30)))), RAISE),
    ("selfloop", L(lambda: _csr(nx.to_numpy_array(nx.path_graph(30)) + np.eye(30))), RAISE),
    ("nonsquare", L(lambda: _csr(np.ones((30, 29)))), RAISE),
    ("dense", L(lambda: nx.to_numpy_array(nx.path_graph(30))), RAISE),
]

# --- the table ------------------------------------------------------------------------------
ENTRIES: dict[str, Entry] = {}


def E(
    path: str,
    /,
    *,
    on: Callable[[], Any] | None = None,
    args: tuple[Any, ...] = (),
    check: Callable[[Any], str | None] | None = None,
    nan_ok: tuple[str, ...] = (),
    needs: tuple[str, ...] = (),
    walk: bool = True,
    expect: str = "valid",
    **params: Any,
) -> Entry:
    """Add an entry: ``param=(valid, kind)`` or ``param=valid`` (kept as is).

    ``walk=False`` keeps only the valid call: records, exceptions and results that hold what
    they are given (no kernel or estimator reads them back).
    """
    spec = {
        k: (
            v
            if isinstance(v, tuple)
            and len(v) == 2
            and (v[1] is None or (isinstance(v[1], str) and v[1].rstrip("?") in KINDS))
            else (v, None)
        )
        for k, v in params.items()
    }
    if not walk:
        spec = {k: (v, None) for k, (v, _) in spec.items()}
    entry = Entry(
        path,
        spec,
        on=on,
        args=args,
        check=check,
        nan_ok=frozenset(nan_ok),
        needs=needs,
        base_expect=expect,
    )
    assert path not in ENTRIES, path
    ENTRIES[path] = entry
    return entry


def X(
    entry: Entry,
    label: str,
    /,
    expect: str = RAISE,
    fields: tuple[str, ...] = (),
    timeout: float | None = None,
    **overrides: Any,
) -> None:
    """A hand-written case on ``entry``: its valid call with ``overrides``."""
    kwargs = {**entry.base(), **overrides}
    entry.extras.append(
        Case(f"{entry.short}[{label}]", entry, kwargs, expect, fields or tuple(overrides), timeout)
    )


def mismatched(entry: Entry, names: tuple[str, ...]) -> None:
    """One case per array parameter given one element fewer than the others."""
    for n in names:
        value = entry.params[n][0]
        X(
            entry,
            f"{n}=short",
            fields=names,
            **{n: L(lambda v=value: list(np.asarray(resolve(v)).ravel())[:-1])},
        )


def result_entry(
    path: str, fixture: Callable[[], Any], kinds: dict[str, str] | None = None, **kw: Any
) -> Entry:
    """A result class built from a real result's fields, a few of them given bad values."""
    try:
        cls = lookup(path)
    except (ImportError, AttributeError):  # a name this version lacks: its valid call fails
        return E(path, walk=False, **kw)
    params: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if not f.init:  # a private cache (State._checked, EngineSetup._compiled): no keyword
            continue
        name = f.alias or f.name  # the __init__ keyword (Records.stages_table is `stages=`)
        params[name] = (L(lambda n=f.name: getattr(fixture(), n)), (kinds or {}).get(f.name))
    return E(path, **params, walk=kinds is not None, **kw)


def in_unit(result: Any) -> str | None:
    """Check: every value is a probability."""
    a = np.asarray(result, dtype=float)
    if a.size and ((a < 0) | (a > 1)).any():
        return f"values outside [0, 1]: {a[(a < 0) | (a > 1)][:3]}"
    return None


def _close_figures(result: Any) -> str | None:
    """Check for plots: nothing to check in the figure, but close it (workers are reused)."""
    import matplotlib.pyplot as plt

    plt.close("all")
    return None


def nonpositive(result: Any) -> str | None:
    """Check: log-probabilities of discrete data are <= 0."""
    a = np.asarray(result, dtype=float)
    if a.size and (a > 1e-12).any():
        return f"log-probability above 0: {a[a > 1e-12][:3]}"
    return None


def nonnegative(result: Any) -> str | None:
    """Check: counts, spends and values are >= 0."""
    a = np.asarray(result, dtype=float)
    if a.size and (a < 0).any():
        return f"negative values: {a[a < 0][:3]}"
    return None


# ============================================================================ top level & core
E("shequn.rng.resolve_rng", rng=(1, "rng"), owner=("f", None))
E("shequn.rng.check_rng", rng=(1, "rng"), owner=("f", None))
E("shequn.rng.spawn_seeds", rng=(1, "rng"), n=(3, "runs0"))
E("shequn.rng.seed_entropy", seed=(L(lambda: np.random.SeedSequence(1)), "obj"))
_tiny = L(lambda: lookup("shequn.experiment.examples.tiny"))
E(
    "shequn.rng.map_runs",
    fn=(_tiny, "callable"),
    runs=(3, "runs"),
    rng=(1, "rng"),
    executor=(
        L(lambda: __import__("concurrent.futures").futures.ThreadPoolExecutor(1)),
        "executor?",
    ),
    batch_size=(OMIT, "batch?"),
    progress=(False, "progress?"),
    owner=("map_runs", None),
)
E(
    "shequn.rng.replicate",
    fn=(L(lambda: lambda gen: float(gen.random())), "callable"),
    runs=(3, "runs"),
    rng=(1, "rng"),
    executor=(None, "executor?"),
    batch_size=(None, "batch?"),
)

# ============================================================================ community
E(
    "shequn.community.generate_community",
    kind=("brand", "choice"),
    n=(40, "runs"),
    rng=(0, "rng"),
    volunteers=(0.05, "prob"),
    group_cap=(500, "int1"),
    invite_policy=(L(lambda: lookup("shequn.community.InvitePolicy").OPEN), "obj"),
)
E(
    "shequn.community.Community",
    adjacency=(L(lambda: _csr(nx.to_numpy_array(nx.path_graph(30)))), "adjacency"),
    roles=(L(lambda: np.zeros(30, np.int8)), "carr"),
    taste=(L(lambda: np.zeros((30, 2))), "farr"),
    resources=(L(lambda: np.ones(30)), "nnarr"),
    groups=(None, "obj?"),
    kind=(None, "obj?"),
    labels=(None, "obj?"),
)
E(
    "shequn.community.Community.from_graph",
    graph=(L(karate), "graph"),
    roles=(None, "carr?"),
    taste=(None, "farr?"),
    resources=(None, "nnarr?"),
    weight=("weight", "str?"),
    groups=(None, "obj?"),
    kind=(None, "choice?"),
)
_c = community
_e = E(
    "shequn.community.Community.members_with_role",
    on=_c,
    # Role is an IntEnum: 0 is Role.MEMBER, a valid role; the other "obj" cases by hand
    role=(L(lambda: lookup("shequn.community.Role").MEMBER), None),
)
for _label, _value in (("str", "abc"), ("dict", {}), ("none", None), ("int99", 99)):
    X(_e, f"role={_label}", role=_value)
E("shequn.community.Community.index_of", on=_c, members=([0, 1], "seeds"), field=("members", "str"))
E("shequn.community.Community.neighbors", on=_c, member=(0, "member"))
E("shequn.community.Community.to_networkx", on=_c)
E(
    "shequn.community.Community.with_adjacency",
    on=small_community,
    adjacency=(L(lambda: small_community().adjacency.copy()), "adjacency"),
)
E("shequn.community.Community.summary", on=_c)
E(  # a helper for callers: they name their own parameter (owner=, field=)
    "shequn.community.CommunityType.parse",
    value=("brand", "choice"),
    owner=("f", None),
    field=("value", None),
)
_e = E(
    "shequn.community.Groups",
    # -1 is documented (a member in no group): the "carr" cases but neg_elem, by hand
    membership=([0, 0, 1, 1], None),
    owners=([0, 2], "carr"),
    cap=(500, "int1"),
    policy=(L(lambda: lookup("shequn.community.InvitePolicy").OPEN), "obj"),
)
for _label, _value in (
    ("nan_elem", [0, 0, 1, NAN]),
    ("below_-1", [0, 0, 1, -2]),
    ("frac_elem", [0, 0, 1, 1.5]),
    ("str_elem", ["a"] * 4),
    ("huge_elem", [0, 0, 1, 1e300]),
    ("str", "abc"),
):
    X(_e, f"membership={_label}", membership=_value)
_g = L(lambda: lookup("shequn.community.Groups").single(5))
_gr = cache(lambda: lookup("shequn.community.Groups").single(5))
E(
    "shequn.community.Groups.single",
    n=(5, "runs"),
    cap=(500, "int1"),
    policy=(L(lambda: lookup("shequn.community.InvitePolicy").OPEN), "obj"),
)
E("shequn.community.Groups.sizes", on=_gr)
E("shequn.community.Groups.can_invite", on=_gr)
E(
    "shequn.community.Groups.join",
    on=cache(lambda: lookup("shequn.community.Groups")(membership=[0, 0, -1], owners=[0])),
    new_member=(3, "member"),
    via=(0, "member"),
)
E(
    "shequn.community.form_groups",
    graph=(L(karate), "graph"),
    cap=(10, "int1"),
    policy=(L(lambda: lookup("shequn.community.InvitePolicy").OPEN), "obj"),
    owners=(None, "carr?"),
    rng=(0, "rng"),
)
for _name in ("average_clustering", "degree_centralization", "triangles"):
    E(f"shequn.community.{_name}", graph=(L(karate), "graph"))
# NaN documented: a graph without ties (edgeless, one node) has no modularity (0/0)
E("shequn.community.modularity", graph=(L(karate), "graph"), rng=(0, "rng"), nan_ok=("result",))
# NaN documented: no tastes, too few members, too many ties for modularity
E(
    "shequn.community.structure_summary",
    graph=(L(karate), "graph"),
    rng=(0, "rng"),
    nan_ok=("taste_assortativity", "modularity", "degree_centralization"),
)
E("shequn.community.k_hop_reach", graph=(L(karate), "graph"), members=([0], "seeds"), k=(2, "int0"))
E(
    "shequn.community.distance_rings",
    graph=(L(karate), "graph"),
    member=(0, "member"),
    max_distance=(None, "int0?"),
)
E(
    "shequn.community.social_capital",
    graph=(L(karate), "graph"),
    members=(None, "seeds?"),
    resources=(None, "nnarr?"),
    chunk=(16, "int1"),
)
E(
    "shequn.community.taste_assortativity",
    graph=(L(karate), "graph"),
    taste=(L(lambda: np.arange(34.0)), "farr?"),
)
for _name in ("metcalfe_value", "odlyzko_value", "reed_log_value", "sarnoff_value"):
    _e = E(f"shequn.community.{_name}", n=(100, "int0"))
    X(_e, "n=1e12", EITHER, n=10**12)

# ============================================================================ operating
E(
    "shequn.operating.Connectivity",
    person_person=(0.6, "prob"),
    product_visibility=(0.5, "prob"),
    feedback=(L(lambda: lookup("shequn.operating.FeedbackChannel").OPEN), "obj"),
)
E(
    "shequn.operating.Content",
    cadence=(3.0, "nonneg"),
    quality=(0.7, "prob"),
    social_share=(0.4, "prob"),
    schedule=(L(lambda: lookup("shequn.operating.Schedule").STEADY), "obj"),
    burst_period=(4, "int1"),
)
E(
    "shequn.operating.Content.items_in_week",
    on=cache(lambda: lookup("shequn.operating.Content")()),
    week=(3, "int0"),
)
E(
    "shequn.operating.Structure",
    group_cap=(500, "int1"),
    leaders=(None, "carr?"),
    leader_activity=(1.0, "nonneg"),
    leader_leaves_at=(None, "int0?"),
    volunteers=(None, "int0?"),
    volunteer_placement=("degree", "choice"),
    volunteer_activity=(0.5, "prob"),
    seeding=("degree", "choice"),
    seeds=(10, "int0"),
)
E(
    "shequn.operating.Tools",
    broadcast_budget=(0.0, "nonneg"),
    broadcast_quality=(0.2, "prob"),
    broadcast_audience=("members", "choice"),
    group_chat=(True, "bool"),
    invite_policy=(L(lambda: lookup("shequn.community.InvitePolicy").OPEN), "obj"),
    event_frequency=(0.25, "nonneg"),
    event_capacity=(30, "int1"),
    event_ties=(1.0, "nonneg"),
    rule_strictness=(0.5, "prob"),
    remove_rule_breakers=(True, "bool"),
)
E(
    "shequn.operating.OperatingModel",
    connectivity=(L(lambda: lookup("shequn.operating.Connectivity")()), "obj"),
    content=(L(lambda: lookup("shequn.operating.Content")()), "obj"),
    structure=(L(lambda: lookup("shequn.operating.Structure")()), "obj"),
    tools=(L(lambda: lookup("shequn.operating.Tools")()), "obj"),
)
E(
    "shequn.operating.OperatingModel.broadcast_only",
    budget=(500.0, "nonneg"),
    audience=("members", "choice"),
)
E("shequn.operating.OperatingModel.silent")
E(
    "shequn.economics.Economics",
    price=(100.0, "nonneg"),
    margin=(0.4, "prob"),
    cost_per_content=(200.0, "nonneg"),
    cost_per_event=(1500.0, "nonneg"),
    cost_per_message=(0.05, "nonneg"),
    staff_per_week=(0.0, "nonneg"),
    product_quality=(0.85, "prob"),
)
E(
    "shequn.economics.Economics.messages_for",
    on=cache(lambda: lookup("shequn.economics.Economics")()),
    budget=(100.0, "nonneg"),
)
E("shequn.economics.cac", acquisition_cost=(1000.0, "nonneg"), customers=(4.0, "nonneg"))
E(
    "shequn.economics.excess_spend",
    spend=(1000.0, "nonneg"),
    customers=(5.0, "nonneg"),
    target_cac=(100.0, "nonneg"),
)
E(
    "shequn.economics.ltv",
    margin_per_week=(10.0, "float"),
    churn_per_week=(0.1, "prob"),
    discount_per_week=(0.0, "nonneg"),
)
E("shequn.economics.roi", gross_margin=(300.0, "float"), cost=(100.0, "nonneg"))

# ============================================================================ loyalty
_ladder_matrix = L(lambda: ladder().transition.copy())
E("shequn.loyalty.Ladder", transition=(_ladder_matrix, "nnarr"))
_st = L(lambda: lookup("shequn.loyalty.Stage").FAN)


def _stage_cases(entry: Entry, *names: str) -> None:
    """Bad Stage arguments: the "obj" cases without int (an IntEnum value is a valid Stage)."""
    for name in names:
        for label, value in (("str", "abc"), ("dict", {}), ("none", None), ("int7", 7)):
            X(entry, f"{name}={label}", **{name: value})


E(
    "shequn.loyalty.Ladder.fundamental_matrix",
    on=ladder,
    absorbing=(
        L(lambda: [lookup("shequn.loyalty.Stage").FAN, lookup("shequn.loyalty.Stage").LAPSED]),
        "seeds",
    ),
)
_e = E(
    "shequn.loyalty.Ladder.reach",
    on=ladder,
    target=(_st, None),  # Stage is an IntEnum: 1 is Stage.CUSTOMER, valid (_stage_cases)
    start=(L(lambda: lookup("shequn.loyalty.Stage").CUSTOMER), None),
    lapse_is_final=(False, "bool"),
    check=lambda r: in_unit(r[0]),
)
_stage_cases(_e, "target", "start")
_e = E("shequn.loyalty.Ladder.probability_of_reaching", on=ladder, stage=(_st, None), check=in_unit)
_stage_cases(_e, "stage")
_e = E(
    "shequn.loyalty.Ladder.p_lapse_before",
    on=ladder,
    target=(_st, None),
    start=(L(lambda: lookup("shequn.loyalty.Stage").CUSTOMER), None),
    check=in_unit,
)
_stage_cases(_e, "target", "start")
E("shequn.loyalty.Ladder.stationary", on=ladder, check=in_unit)
E(
    "shequn.loyalty.Ladder.project",
    on=ladder,
    initial=([1.0, 0, 0, 0, 0, 0], "nnarr"),
    steps=(3, "runs0"),
)
E(
    "shequn.loyalty.Ladder.simulate",
    on=ladder,
    start=([0, 1, 1], "carr"),
    steps=(3, "runs0"),
    rng=(0, "rng"),
)
# NaN bounds are documented for stages never left in the data
E(
    "shequn.loyalty.Ladder.estimate",
    sequences=([[0, 1, 2, 3, 3], [0, 1, 1, 5]], "obj"),
    level=(0.95, "unit"),
    nan_ok=("lower", "upper"),
)
E(
    "shequn.loyalty.Ladder.estimate_log",
    members=([1, 1, 1, 2, 2], None),  # fit_log's alias: any ids (_id_cases)
    periods=([0, 1, 2, 0, 1], "carr"),
    stages=([0, 1, 2, 0, 1], "carr"),
    level=(0.95, "unit"),
    nan_ok=("lower", "upper"),
)
mismatched(ENTRIES["shequn.loyalty.Ladder.estimate_log"], ("members", "periods", "stages"))
E("shequn.loyalty.default_ladder")
E("shequn.loyalty.LadderFit.summary", on=ladder_fit)
E("shequn.loyalty.LadderFit.to_frame", on=ladder_fit, needs=("pandas",))
result_entry("shequn.loyalty.LadderFit", ladder_fit, None, nan_ok=("lower", "upper"))
E(
    "shequn.loyalty.TieRule",
    strong_after_meetings=(3, "int1"),
    meeting_weight=(1.0, "nonneg"),
    message_weight=(0.05, "nonneg"),
    half_life_weeks=(26.0, "pos"),
)
_rule = L(lambda: lookup("shequn.loyalty.TieRule")())
E(
    "shequn.loyalty.tie_strength",
    messages=([0.0, 20.0], "nnarr"),
    meetings=([0.0, 1.0], "nnarr"),
    rule=(_rule, "obj"),
)
mismatched(ENTRIES["shequn.loyalty.tie_strength"], ("messages", "meetings"))
E("shequn.loyalty.is_strong", meetings=([0, 5], "nnarr"), rule=(_rule, "obj"))
E(
    "shequn.loyalty.decay_counts",
    counts=([4.0], "nnarr"),
    weeks=(26.0, "nonneg"),
    rule=(_rule, "obj"),
)
E(
    "shequn.loyalty.strong_tie_counts",
    adjacency=(L(lambda: _csr(nx.to_numpy_array(nx.path_graph(3)))), None),
    meetings=([3, 3, 0, 0], "nnarr"),
    rule=(_rule, "obj"),
)
X(
    ENTRIES["shequn.loyalty.strong_tie_counts"],
    "meetings=short",
    fields=("meetings", "adjacency"),
    meetings=[3],
)


def _id_cases(entry: Entry, name: str = "customer_ids") -> None:
    """Bad ids: the "farr" cases but str_elem (string ids are ids, as in any CRM)."""
    n = len(entry.base()[name])
    for label, value in (
        ("nan_elem", [1.0] * (n - 1) + [NAN]),
        ("inf_elem", [1.0] * (n - 1) + [INF]),
        ("none_elem", [1] * (n - 1) + [None]),
        ("2d", [[1.0] * n]),
    ):
        X(entry, f"{name}={label}", **{name: value})


_id_cases(ENTRIES["shequn.loyalty.Ladder.estimate_log"], "members")
_e = E(
    "shequn.loyalty.rfm_summary",
    customer_ids=([7, 7, 9], None),  # any ids: _id_cases
    timestamps=([0.0, 14.0, 3.0], "farr"),
    amounts=([2.0, 4.0, 1.0], "nnarr?"),
    calibration_end=(21.0, "float?"),
    observation_end=(None, "float?"),
    time_unit=("weeks", "choice"),
)
_id_cases(_e)
_rfm = ENTRIES["shequn.loyalty.rfm_summary"]
mismatched(_rfm, ("customer_ids", "timestamps", "amounts"))
X(_rfm, "timestamps=mixed_types", timestamps=["2020-01-01", 3, "2020-01-03"])
X(
    _rfm,
    "timestamps=yyyymmdd_str",
    timestamps=["20150201", "20150206", "20150101"],
    calibration_end="20150207",
)
X(
    _rfm,
    "observation_end=before_data",
    calibration_end=-5.0,
    observation_end=-2.0,
    fields=("calibration_end", "observation_end"),
)
X(_rfm, "calibration_end=before_data", calibration_end=-5.0)
E("shequn.loyalty.RFMSummary.to_frame", on=rfm, needs=("pandas",))
result_entry(
    "shequn.loyalty.RFMSummary",
    rfm,
    {"frequency": "carr", "recency": "nnarr", "T": "nnarr", "monetary": "nnarr"},
)
mismatched(ENTRIES["shequn.loyalty.RFMSummary"], ("frequency", "recency", "T"))
E(
    "shequn.loyalty.TransactionLog",
    customer_id=([1, 1, 2], "carr"),
    date=(
        L(lambda: np.array(["1997-01-01", "1997-01-05", "1997-01-02"], dtype="datetime64[D]")),
        "obj",
    ),
    quantity=([1, 2, 1], "carr"),
    amount=([10.0, 5.0, 3.0], "nnarr"),
)
mismatched(ENTRIES["shequn.loyalty.TransactionLog"], ("customer_id", "quantity", "amount"))
E(
    "shequn.loyalty.TransactionLog.summary",
    on=cdnow,
    calibration_end=(L(lambda: np.datetime64("1997-09-30")), "obj"),
    observation_end=(L(lambda: np.datetime64("1998-06-30")), "obj?"),
    time_unit=("weeks", "choice"),
)
E(
    "shequn.loyalty.read_cdnow",
    path=(
        L(
            lambda: str(
                __import__("importlib.resources").resources.files("shequn.loyalty")
                / "data"
                / "cdnow_sample.txt"
            )
        ),
        "path",
    ),
)


def _cdnow_file(lines: str) -> L:
    def make() -> str:
        p = os.path.join(tmpdir(), f"cdnow-{abs(hash(lines))}.txt")
        with open(p, "w") as fh:
            fh.write(lines)
        return p

    return L(make)


_rc = ENTRIES["shequn.loyalty.read_cdnow"]
X(_rc, "path=bad_month", path=_cdnow_file("1 19971399 1 10.0\n2 19970101 1 5.0\n"))
X(_rc, "path=bad_day", path=_cdnow_file("1 19970231 1 10.0\n2 19970101 1 5.0\n"))
X(_rc, "path=nan_amount", path=_cdnow_file("1 19970101 1 nan\n2 19970101 1 5.0\n"))
X(_rc, "path=neg_amount", path=_cdnow_file("1 19970101 1 -3.0\n2 19970101 1 5.0\n"))
X(_rc, "path=garbage", path=_cdnow_file("hello world\n"))
E("shequn.loyalty.load_cdnow_sample")

# customer-base models: constructors, methods, fits
for _cls, _pars in (
    ("BGNBD", {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}),
    ("ParetoNBD", {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}),
    ("GammaGamma", {"p": 6.25, "q": 3.74, "gamma": 15.44}),
    ("BGBB", {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.78}),
):
    E(f"shequn.loyalty.{_cls}", **{k: (v, "pos") for k, v in _pars.items()})

_FRT = {
    "frequency": ([0, 2, 5], "carr"),
    "recency": ([0.0, 20.0, 30.0], "nnarr"),
    "T": ([38.0, 38.0, 39.0], "nnarr"),
}
for _cls, _fx in (("BGNBD", bgnbd), ("ParetoNBD", pnbd)):
    _p = f"shequn.loyalty.{_cls}"
    _e = E(f"{_p}.log_likelihood", on=_fx, **_FRT, check=nonpositive)
    mismatched(_e, ("frequency", "recency", "T"))
    X(_e, "recency>T", fields=("recency", "T"), recency=[0.0, 20.0, 40.0])
    X(_e, "huge_frequency", frequency=[1e300, 2, 5])
    # the likelihood kernel's t_x -> 0 limit, which frequency_recency_matrix shows: refused
    # or computed (finite, <= 0 by the check)
    X(
        _e,
        "frequency>0_recency=0",
        EITHER,
        fields=("frequency", "recency"),
        recency=[0.0, 0.0, 30.0],
    )
    _e = E(f"{_p}.p_alive", on=_fx, **_FRT, check=in_unit)
    mismatched(_e, ("frequency", "recency", "T"))
    X(_e, "recency>T", fields=("recency", "T"), recency=[0.0, 20.0, 40.0])
    E(f"{_p}.expected_transactions", on=_fx, t=([1.0, 10.0], "nnarr"), check=nonnegative)
    _e = E(
        f"{_p}.conditional_expected_transactions",
        on=_fx,
        t=([10.0], "nnarr"),
        **_FRT,
        check=nonnegative,
    )
    mismatched(_e, ("frequency", "recency", "T"))
    E(f"{_p}.prob_transactions", on=_fx, n=([0, 1, 2], "carr"), t=(10.0, "nonneg"), check=in_unit)
    E(f"{_p}.sample", on=_fx, n_customers=(5, "runs"), T=([10.0], "nnarr"), rng=(0, "rng"))
    _e = E(
        f"{_p}.fit",
        **{
            k: (
                L(
                    lambda k=k, f=_fx: f().sample(200, np.full(200, 39.0), rng=1)[
                        ("frequency", "recency", "T").index(k)
                    ]
                )
                if _cls == "BGNBD"
                # 200 draws leave Pareto/NBD's beta undetermined: fit the CDNOW sample
                else L(lambda k=k: getattr(cdnow_rfm(), k)),
                v[1],
            )
            for k, v in _FRT.items()
        },
        penalizer=(0.0, "nonneg"),
        initial=(None, None),  # {} is a valid initial (no overrides): bad ones are X cases
    )
    X(_e, "single_zero_customer", EITHER, frequency=[0], recency=[0.0], T=[30.0])
    X(_e, "initial=bad_name", initial={"nope": 1.0})
    X(_e, "initial=str", initial="abc")
    E(f"{_p}.fit_summary", summary=(L(cdnow_rfm), "obj"))
_e = E(
    "shequn.loyalty.GammaGamma.log_likelihood",
    on=gg,
    frequency=([1, 2, 5], "carr"),
    monetary=([10.0, 20.0, 30.0], "nnarr"),
)
mismatched(_e, ("frequency", "monetary"))
_e = E(
    "shequn.loyalty.GammaGamma.conditional_expected_spend",
    on=gg,
    frequency=([1, 2, 5], "carr"),
    monetary=([10.0, 20.0, 30.0], "nnarr"),
    check=nonnegative,
)
mismatched(_e, ("frequency", "monetary"))
E("shequn.loyalty.GammaGamma.sample", on=gg, frequency=([1, 2, 5], "carr"), rng=(0, "rng"))
_e = E(
    "shequn.loyalty.GammaGamma.fit",
    frequency=(L(lambda: cdnow_rfm().frequency), "carr"),
    monetary=(L(lambda: cdnow_rfm().monetary), "nnarr"),
    penalizer=(0.0, "nonneg"),
    initial=(None, None),  # {} is a valid initial (no overrides): bad ones are X cases
)
X(_e, "initial=bad_name", initial={"nope": 1.0})
X(_e, "initial=str", initial="abc")
E("shequn.loyalty.GammaGamma.fit_summary", summary=(L(cdnow_rfm), "obj"))

_FRN = {"frequency": ([0, 2, 5], "carr"), "recency": ([0, 3, 6], "carr"), "n": ([6, 6, 6], "carr")}
_e = E("shequn.loyalty.BGBB.log_likelihood", on=bgbb, **_FRN, check=nonpositive)
mismatched(_e, ("frequency", "recency", "n"))
X(_e, "frequency>n", fields=("frequency", "recency", "n"), frequency=[7, 2, 5], recency=[6, 3, 6])
_e = E("shequn.loyalty.BGBB.p_alive", on=bgbb, **_FRN, check=in_unit)
X(_e, "frequency>n", fields=("frequency", "recency", "n"), frequency=[7, 2, 5], recency=[6, 3, 6])
E("shequn.loyalty.BGBB.expected_transactions", on=bgbb, n=([1, 6], "carr"), check=nonnegative)
E(
    "shequn.loyalty.BGBB.conditional_expected_transactions",
    on=bgbb,
    n_star=([5], "carr"),
    **_FRN,
    check=nonnegative,
)
_e = E(
    "shequn.loyalty.BGBB.prob_transactions",
    on=bgbb,
    x=([0, 1, 2], "carr"),
    n=(6, "int0"),
    check=in_unit,
)
X(_e, "n=2000", EITHER, x=L(lambda: np.arange(2001)), n=2000)
E("shequn.loyalty.BGBB.sample", on=bgbb, n_customers=(5, "runs"), n=(6, "runs0"), rng=(0, "rng"))
_e = E(
    "shequn.loyalty.BGBB.fit",
    frequency=(L(lambda: bgbb().sample(200, 6, rng=1)[0]), "carr"),
    recency=(L(lambda: bgbb().sample(200, 6, rng=1)[1]), "carr"),
    n=(L(lambda: bgbb().sample(200, 6, rng=1)[2]), "carr"),
    penalizer=(0.0, "nonneg"),
    initial=(None, None),  # {} is a valid initial (no overrides): bad ones are X cases
)
X(_e, "initial=bad_name", initial={"nope": 1.0})
X(_e, "initial=str", initial="abc")
X(
    _e,
    "frequency>n",
    fields=("frequency", "recency", "n"),
    frequency=[7, 1],
    recency=[6, 1],
    n=[6, 6],
)
E(
    "shequn.loyalty.BGBB.fit_summary",
    summary=(
        L(
            lambda: __import__("types").SimpleNamespace(
                **dict(
                    zip(("frequency", "recency", "n"), bgbb().sample(200, 6, rng=1), strict=True)
                )
            )
        ),
        "obj",
    ),
)

E(
    "shequn.loyalty.customer_base.hyp2f1_one",
    b=([1.0], "farr"),
    c=([2.0], "farr"),
    w=([-3.0], "farr"),
)
# extreme but valid parameters (issue 14): finite answers or our error, never NaN
E(
    "shequn.loyalty.BGNBD.conditional_expected_transactions@extreme1",
    on=lambda: lookup("shequn.loyalty.BGNBD")(r=1e-3, alpha=1e3, a=1e-3, b=1e3),
    t=(1e4, None),
    frequency=(L(lambda: np.repeat([0, 1, 10, 100, 1000, 5000], 19)[:114]), None),
    recency=(
        L(
            lambda: np.where(
                np.repeat([0, 1, 10, 100, 1000, 5000], 19)[:114] > 0,
                np.tile(np.geomspace(1e-6, 1e4, 19), 6),
                0.0,
            )
        ),
        None,
    ),
    T=(L(lambda: np.full(114, 1e4)), None),
    check=nonnegative,
)
E(
    "shequn.loyalty.BGNBD.conditional_expected_transactions@extreme2",
    on=lambda: lookup("shequn.loyalty.BGNBD")(r=100, alpha=0.01, a=50, b=0.01),
    t=(1.0, None),
    frequency=([100], None),
    recency=([1e-6], None),
    T=([1e-6], None),
    check=nonnegative,
)
E(
    "shequn.loyalty.ParetoNBD.p_alive@extreme",
    on=lambda: lookup("shequn.loyalty.ParetoNBD")(r=2, alpha=1e-3, s=2, beta=1e4),
    frequency=([1000], None),
    recency=([0.0], None),
    T=([1e-6], None),
    check=in_unit,
)
E(
    "shequn.loyalty.GammaGamma.conditional_expected_spend@q_below_1",
    expect=EITHER,  # no mean spend for q <= 1: our error or a finite value
    on=lambda: lookup("shequn.loyalty.GammaGamma")(p=6.25, q=0.5, gamma=15.44),
    frequency=([0], None),
    monetary=([0.0], None),
    check=nonnegative,
)
E(
    "shequn.loyalty.GammaGamma.conditional_expected_spend@q_1",
    expect=EITHER,  # no mean spend for q <= 1: our error or a finite value
    on=lambda: lookup("shequn.loyalty.GammaGamma")(p=6.25, q=1.0, gamma=15.44),
    frequency=([0], None),
    monetary=([0.0], None),
    check=nonnegative,
)
E(
    "shequn.loyalty.customer_base.compress_rows",
    args=(L(lambda: np.array([1.0, 1.0, 2.0])), L(lambda: np.array([3.0, 3.0, 4.0]))),
)
E("shequn.loyalty.CustomerBaseFit.confidence_intervals", on=bgnbd_fit, level=(0.95, "unit"))
E("shequn.loyalty.CustomerBaseFit.summary", on=bgnbd_fit)
E("shequn.loyalty.CustomerBaseFit.to_frame", on=bgnbd_fit, needs=("pandas",))
result_entry("shequn.loyalty.CustomerBaseFit", bgnbd_fit, None)
E(
    "shequn.loyalty.customer_lifetime_value",
    transaction_model=(L(pnbd), "obj"),
    spend_model=(L(gg), "obj"),
    frequency=([3], "carr"),
    recency=([30.0], "nnarr"),
    T=([39.0], "nnarr"),
    monetary=([30.0], "nnarr"),
    periods=(12, "int1"),
    period_length=(4.35, "pos"),
    discount_rate=(0.01, "nonneg"),
    check=nonnegative,
)
mismatched(
    ENTRIES["shequn.loyalty.customer_lifetime_value"], ("frequency", "recency", "T", "monetary")
)

# ============================================================================ diffusion
E("shequn.diffusion.bass.Bass", p=(0.03, "pos"), q=(0.38, "nonneg"), m=(1000.0, "pos"))
for _m in ("cdf", "pdf", "rate", "cumulative", "innovators", "imitators"):
    E(f"shequn.diffusion.bass.Bass.{_m}", on=bass, t=([0.0, 1.0, 5.0], "nnarr"))
E("shequn.diffusion.bass.Bass.adoptions", on=bass, periods=(10, "runs0"))
E("shequn.diffusion.bass.Bass.split", on=bass, periods=(10, "runs0"))
E(
    "shequn.diffusion.bass.GeneralizedBass",
    p=(0.03, "pos"),
    q=(0.38, "nonneg"),
    m=(1000.0, "pos"),
    effort=([1.0, 1.2], "nnarr"),
)
for _m in ("effective_time", "cdf", "cumulative"):
    E(f"shequn.diffusion.bass.GeneralizedBass.{_m}", on=gbass, t=([0.0, 1.0, 3.0], "nnarr"))
E("shequn.diffusion.bass.GeneralizedBass.adoptions", on=gbass)
E("shequn.diffusion.bass.bass_cdf", t=([0.0, 1.0], "nnarr"), p=(0.03, "pos"), q=(0.38, "nonneg"))
E("shequn.diffusion.bass.bass_pdf", t=([0.0, 1.0], "nnarr"), p=(0.03, "pos"), q=(0.38, "nonneg"))
E(
    "shequn.diffusion.bass.bkj_effort",
    price=([100.0, 100.0, 80.0], "nnarr?"),
    advertising=(None, "nnarr?"),
    beta_price=(-1.0, "float"),
    beta_advertising=(0.0, "float"),
)
_e = E(
    "shequn.diffusion.bass.fit_bass",
    adoptions=(L(lambda: bass().adoptions(15)), "nnarr"),
    method=("nls", "choice"),
    m=(None, "pos?"),
    m_bounds=(None, "obj?"),
    effort=(None, "nnarr?"),
    level=(0.95, "unit"),
)
X(_e, "adoptions=zeros", EITHER, adoptions=[0.0] * 10)
X(_e, "adoptions=one", adoptions=[5.0])
E("shequn.diffusion.bass.BassFit.conf_int", on=bass_fit, level=(0.95, "unit?"))
E(
    "shequn.diffusion.bass.BassFit.predict",
    on=bass_fit,
    periods=(5, "runs0"),
    level=(None, "unit?"),
    effort=(None, "nnarr?"),
)
E("shequn.diffusion.bass.BassFit.summary", on=bass_fit)
E("shequn.diffusion.bass.BassFit.to_frame", on=bass_fit, needs=("pandas",))
E(
    "shequn.diffusion.bass.BassFit.plot",
    on=bass_fit,
    periods=(None, "runs0?"),
    level=(None, "unit?"),
    split=(True, "bool"),
    ax=None,
    needs=("matplotlib",),
)
result_entry("shequn.diffusion.bass.BassFit", bass_fit, None)
E(
    "shequn.diffusion.bass.BassForecast.to_frame",
    on=lambda: bass_fit().predict(3),
    needs=("pandas",),
)
result_entry("shequn.diffusion.bass.BassForecast", lambda: bass_fit().predict(3), None)

_POR = lambda: lookup("shequn.diffusion.reach.PowerOpenRate")(r0=0.2, beta=0.3, a0=1000.0)  # noqa: E731
E(
    "shequn.diffusion.reach.PowerOpenRate",
    r0=(0.2, "prob"),
    beta=(0.3, "nonneg"),
    a0=(1000.0, "pos"),
)
E(
    "shequn.diffusion.reach.SaturatingOpenRate",
    r0=(0.4, "prob"),
    r_floor=(0.04, "prob"),
    a_half=(5000.0, "pos"),
)
E(
    "shequn.diffusion.reach.BroadcastCampaign",
    audience=(10_000, "int0"),
    open_rate=(0.2, "prob"),
    delivery_rate=(1.0, "prob"),
    click_rate=(0.01, "prob"),
    precise_share=(0.1, "prob"),
    conversion_rate=(0.05, "prob"),
    cost_per_impression=(0.01, "nonneg"),
    fixed_cost=(0.0, "nonneg"),
)
E("shequn.diffusion.reach.BroadcastCampaign.funnel", on=campaign)
E(
    "shequn.diffusion.reach.BroadcastCampaign.simulate",
    on=campaign,
    runs=(3, "runs"),
    rng=(0, "rng"),
)
E("shequn.diffusion.reach.BroadcastCampaign.at_budget", on=campaign, budget=(500.0, "nonneg"))
E(
    "shequn.diffusion.reach.CommunityChannel",
    graph=(L(karate), "graph"),
    p=(0.01, "prob"),
    q=(0.2, "prob"),
    cost_per_week=(100.0, "pos"),
    seeds=([0], "seeds?"),  # None is the documented default (no seeds)
)
E("shequn.diffusion.reach.CommunityChannel.weeks", on=channel, budget=(500.0, "nonneg"))
E(
    "shequn.diffusion.reach.CommunityChannel.trajectory",
    on=channel,
    budget=(500.0, "nonneg"),
    rng=(0, "rng"),
)
_e = E(
    "shequn.diffusion.reach.compare_budget",
    budget=(1000.0, "nonneg"),
    broadcast=(L(campaign), "obj"),
    community=(L(channel), "obj"),
    runs=(10, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    level=(0.95, "unit"),
)
E(
    "shequn.diffusion.reach.BudgetComparison.customers",
    on=budget_cmp,
    channel=("broadcast", "choice"),
)
E(
    "shequn.diffusion.reach.BudgetComparison.cost_per_customer",
    on=budget_cmp,
    channel=("community", "choice"),
)
E("shequn.diffusion.reach.BudgetComparison.summary", on=budget_cmp)
E("shequn.diffusion.reach.BudgetComparison.to_frame", on=budget_cmp, needs=("pandas",))
E("shequn.diffusion.reach.BudgetComparison.plot", on=budget_cmp, ax=None, needs=("matplotlib",))
result_entry("shequn.diffusion.reach.BudgetComparison", budget_cmp, None)
_a = L(lambda: np.geomspace(100, 1e5, 12).round())
_e = E(
    "shequn.diffusion.reach.fit_open_rate",
    audience=(_a, "nnarr"),
    opens=(L(lambda: np.round(np.geomspace(100, 1e5, 12).round() * 0.1)), "carr"),
    form=("power", "choice"),
    a0=(None, "pos?"),
    dispersion=("pearson", "choice"),
    level=(0.95, "unit"),
)
mismatched(_e, ("audience", "opens"))
X(
    _e,
    "opens>audience",
    fields=("opens", "audience"),
    opens=L(lambda: np.geomspace(100, 1e5, 12).round() * 2),
)
E("shequn.diffusion.reach.OpenRateFit.conf_int", on=open_rate_fit, level=(None, "unit?"))
E("shequn.diffusion.reach.OpenRateFit.summary", on=open_rate_fit)
E("shequn.diffusion.reach.OpenRateFit.to_frame", on=open_rate_fit, needs=("pandas",))
result_entry("shequn.diffusion.reach.OpenRateFit", open_rate_fit, None)
E(
    "shequn.diffusion.reach.open_rate_from_interest",
    audience=([100, 1000], "nnarr"),
    population=(10_000, "int1"),  # a number in the formula, nothing allocated: 10**12 is valid
    interest_alpha=(1.0, "pos"),
    interest_beta=(4.0, "pos"),
    selectivity=(INF, None),
    grid=(400, "runs"),
    check=in_unit,
)
X(
    ENTRIES["shequn.diffusion.reach.open_rate_from_interest"],
    "audience>population",
    fields=("audience", "population"),
    audience=[100, 20_000],
)
result_entry("shequn.diffusion.reach.Funnel", lambda: campaign().funnel(), None)

_G = (L(karate), "graph")
E(
    "shequn.diffusion.DiffusionNetwork",
    indptr=(L(lambda: network().indptr.copy()), "carr"),
    indices=(L(lambda: network().indices.copy()), "carr"),
    weight=(L(lambda: network().weight.copy()), "nnarr"),
    directed=(False, "bool"),
    labels=(None, "obj?"),
)
_dn = ENTRIES["shequn.diffusion.DiffusionNetwork"]
X(_dn, "indices=1e9", indptr=np.array([0, 1, 2]), indices=np.array([10**9, 0]), weight=np.ones(2))
X(_dn, "indices=-5", indptr=np.array([0, 1, 2]), indices=np.array([-5, 0]), weight=np.ones(2))
X(_dn, "indptr=1e7", indptr=np.array([0, 10**7, 2]), indices=np.array([1, 0]), weight=np.ones(2))
X(_dn, "indptr=decreasing", indptr=np.array([0, 2, 1]), indices=np.array([1, 0]), weight=np.ones(2))
X(
    _dn,
    "weight=short",
    fields=("weight", "indices"),
    indptr=np.array([0, 1, 2]),
    indices=np.array([1, 0]),
    weight=np.ones(1),
)
E("shequn.diffusion.DiffusionNetwork.to_csr", on=network)
E("shequn.diffusion.DiffusionNetwork.transpose", on=network)
E("shequn.diffusion.as_network", graph=_G, owner=("f", None), weight=("weight", "str?"))
_BAD_NET = {
    "net=oob": L(
        lambda: lookup("shequn.diffusion.DiffusionNetwork")(
            indptr=np.array([0, 1, 2]), indices=np.array([10**9, 0]), weight=np.ones(2)
        )
    ),
    "net=neg_index": L(
        lambda: lookup("shequn.diffusion.DiffusionNetwork")(
            indptr=np.array([0, 1, 2]), indices=np.array([-5, 0]), weight=np.ones(2)
        )
    ),
    "net=indptr_oob": L(
        lambda: lookup("shequn.diffusion.DiffusionNetwork")(
            indptr=np.array([0, 10**7, 2]), indices=np.array([1, 0]), weight=np.ones(2)
        )
    ),
}


def _net_cases(e: Entry, graph_field: str = "graph", seeds: Any = None) -> None:
    for label, net in _BAD_NET.items():
        over: dict[str, Any] = {graph_field: net}
        if seeds is not None:
            over["seeds"] = seeds
        X(e, label, fields=(graph_field, "indptr", "indices"), **over)


_e = E(
    "shequn.diffusion.independent_cascade",
    graph=_G,
    seeds=([0], "seeds"),
    p=(0.1, "prob"),
    runs=(20, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    max_steps=(None, "int0?"),
)
_net_cases(_e, seeds=[0])
X(_e, "p=per_edge_short", p=[0.1, 0.2])
X(_e, "p=per_edge_nan", p=L(lambda: np.r_[NAN, np.full(155, 0.1)]))
X(_e, "seeds=random_too_many", seeds=L(lambda: lookup("shequn.diffusion.RandomSeeds")(count=99)))
_e = E(
    "shequn.diffusion.linear_threshold",
    graph=_G,
    seeds=([0], "seeds"),
    weights=("uniform", "choice"),
    thresholds=(None, "prob?"),
    runs=(20, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    max_steps=(None, "int0?"),
)
_net_cases(_e, seeds=[0])
_e = E(
    "shequn.diffusion.network_bass",
    graph=_G,
    p=(0.01, "prob"),
    q=(0.3, "prob"),
    steps=(5, "runs"),
    seeds=([0], "seeds"),
    weighted=(True, "bool"),
    runs=(20, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
)
_net_cases(_e, seeds=[0])
_e = E(
    "shequn.diffusion.rumour",
    graph=_G,
    seeds=([0], "seeds"),
    spread=(1.0, "prob"),
    stifle=(1.0, "prob"),
    forget=(0.0, "prob"),
    variant=("maki-thompson", "choice"),
    runs=(20, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    max_steps=(None, "int0?"),
)
_net_cases(_e, seeds=[0])
X(_e, "spread=0", EITHER, graph=L(lambda: nx.path_graph(3)), spread=0.0, runs=1)
_e = E(
    "shequn.diffusion.complex_contagion",
    graph=_G,
    seeds=([0, 1], "seeds"),
    k=(2, "int1"),
    runs=(5, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    max_steps=(None, "int0?"),
)
_net_cases(_e, seeds=[0])
_e = E(
    "shequn.diffusion.watts_threshold",
    graph=_G,
    seeds=([0], "seeds"),
    phi=(0.2, "prob"),
    weighted=(False, "bool"),
    runs=(5, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    max_steps=(None, "int0?"),
)
_net_cases(_e, seeds=[0])
E("shequn.diffusion.RandomSeeds", count=(2, "int1"))
E("shequn.diffusion.DiffusionResult.ci", on=diffusion_result, level=(None, "unit?"))
E("shequn.diffusion.DiffusionResult.mean_curve", on=diffusion_result, level=(None, "unit?"))
E(
    "shequn.diffusion.DiffusionResult.prob_reach",
    on=diffusion_result,
    size=(3, "int0"),
    check=in_unit,
)
E("shequn.diffusion.DiffusionResult.summary", on=diffusion_result)
E(
    "shequn.diffusion.DiffusionResult.to_frame",
    on=diffusion_result,
    kind=("runs", "choice"),
    needs=("pandas",),
)
result_entry("shequn.diffusion.DiffusionResult", diffusion_result, None)
_k = (2, "int1")
_e = E(
    "shequn.diffusion.imm",
    graph=_G,
    k=_k,
    model=("ic", "choice"),
    p=(0.1, "prob"),
    weights=("uniform", None),
    epsilon=(0.5, "unit"),
    ell=(1.0, "pos"),
    samples=(None, "runs?"),
    reuse_samples=(False, "bool"),
    threads=(None, "int1?"),
    rng=(0, "rng"),
)
_net_cases(_e)
X(_e, "k=too_many", k=99)
X(_e, "epsilon=1e-6", epsilon=1e-6)
X(_e, "ell=1e300", ell=1e300)
_e = E(
    "shequn.diffusion.rr_spread",
    graph=_G,
    seeds=([0], "seeds"),
    model=("ic", "choice"),
    p=(0.1, "prob"),
    weights=("uniform", None),
    samples=(500, "runs"),
    threads=(None, "int1?"),
    rng=(0, "rng"),
)
_net_cases(_e, seeds=[0])
_e = E(
    "shequn.diffusion.celf",
    graph=_G,
    k=_k,
    spread=(None, "callable?"),
    estimator=("mc", "choice"),
    model=("ic", "choice"),
    p=(0.1, "prob"),
    weights=("uniform", None),
    runs=(20, "runs?"),
    candidates=([0, 1, 2, 33], "seeds?"),
    rng=(0, "rng"),
)
_e = E(
    "shequn.diffusion.degree_discount",
    graph=_G,
    k=_k,
    p=(0.1, "prob"),
    model=("ic", "choice?"),
    weights=("uniform", None),
    samples=(100, "runs"),
    rng=(0, "rng"),
)
X(_e, "k=too_many", k=99)
for _name in ("kcore_seeds", "random_seeds", "top_degree"):
    _e = E(
        f"shequn.diffusion.seeding.{_name}",
        graph=_G,
        k=_k,
        model=("ic", "choice?"),
        p=(0.1, "prob"),
        weights=("uniform", None),
        samples=(100, "runs"),
        rng=(0, "rng"),
    )
    X(_e, "k=too_many", k=99)
E(
    "shequn.diffusion.seeding.pagerank_seeds",
    graph=_G,
    k=_k,
    alpha=(0.85, "unit"),
    max_iter=(100, "int1"),
    tol=(1e-6, "pos"),
    model=("ic", "choice?"),
    p=(0.1, "prob"),
    weights=("uniform", None),
    samples=(100, "runs"),
    rng=(0, "rng"),
)
E("shequn.diffusion.select_seeds", graph=_G, k=_k, method=("degree", "choice"), rng=(0, "rng"))
E(
    "shequn.diffusion.seeding.imm_parameters",
    n=(1000, "int1"),
    k=(5, "int1"),
    epsilon=(0.1, "unit"),
    ell=(1.0, "pos"),
)
E(
    "shequn.diffusion.SeedSet",
    walk=False,
    seeds=([3, 1], "carr"),
    method=("degree", "str"),
    spread=(7.5, "nonneg"),
    spread_se=(0.2, "nonneg"),
    labels=(None, "obj?"),
    scores=(None, "farr?"),
    model=(None, "choice?"),
    samples=(0, "int0"),
    rr_sets=(0, "int0"),
)
E("shequn.diffusion.SeedSet.summary", on=seed_set)
E("shequn.diffusion.SeedSet.to_frame", on=seed_set, needs=("pandas",))

# ============================================================================ long tail
_e = E(
    "shequn.longtail.fit_powerlaw",
    data=(L(pl_data), "nnarr"),
    counts=(None, "carr?"),
    discrete=(False, "bool"),
    xmin=(None, "pos?"),
    xmin_range=(None, "obj?"),
    min_tail=(10, "int1"),
    ks=("exact", "choice"),
    search=("auto", "choice"),
    compare_with=(("exponential",), "obj"),
    bootstrap=(0, "runs0"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    progress=(None, "progress?"),
)
X(_e, "counts=short", fields=("counts", "data"), counts=[1, 2])
X(_e, "data=constant", EITHER, data=[3.0] * 50)
X(_e, "data=two_values", EITHER, data=[1.0] * 30 + [2.0] * 30)
X(_e, "xmin=above_data", xmin=1e9)
X(_e, "compare_with=unknown", compare_with=("gamma",))
E(
    "shequn.longtail.sample_powerlaw",
    n=(5, "runs0"),
    alpha=(2.5, "pos"),
    xmin=(1.0, "pos"),
    discrete=(False, "bool"),
    rng=(0, "rng"),
)
_sp = ENTRIES["shequn.longtail.sample_powerlaw"]
X(_sp, "alpha=1+1e-7", EITHER, alpha=1.0000001)
X(_sp, "alpha=1", alpha=1.0)
X(_sp, "alpha=0.5", alpha=0.5)
X(_sp, "discrete_alpha=1+1e-7", EITHER, alpha=1.0000001, discrete=True, xmin=1.0)
X(_sp, "discrete_xmin=0.5", xmin=0.5, discrete=True)
_e = E(
    "shequn.longtail.powerlaw_pmf",
    x=([1, 2, 3], None),  # whole numbers of any sign (0 below xmin)
    alpha=(2.5, "pos"),
    xmin=(1, "int1"),
    check=in_unit,
)
X(_e, "x=nan", x=[1, NAN])
X(_e, "x=inf", x=[1, INF])
X(_e, "x=str", x=["1", "2"])
X(_e, "x=negative", EITHER, x=[-3, 1])
X(_e, "x=huge", EITHER, x=[1, 1e300])
X(_e, "alpha=1", alpha=1.0)
X(_e, "alpha=0.5", alpha=0.5)
X(_e, "x=1.5", x=[1.5])
X(_e, "x=below_xmin", EITHER, x=[1, 2], xmin=2)
E(
    "shequn.longtail.bootstrap_pvalue",
    fit=(L(pl_fit), "obj"),
    runs=(5, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    batch_size=(None, "batch?"),
    progress=(False, "progress?"),
)
_e = E("shequn.longtail.compare", fit=(L(pl_fit), "obj"), alternative=("exponential", "choice"))
E("shequn.longtail.Comparison.favours", on=lambda: pl_fit().comparisons[0], level=(0.1, "unit"))
E("shequn.longtail.Comparison.summary", on=lambda: pl_fit().comparisons[0])
result_entry("shequn.longtail.Comparison", lambda: pl_fit().comparisons[0], None)
result_entry("shequn.longtail.BootstrapResult", pl_boot, None)
E("shequn.longtail.BootstrapResult.conf_int", on=pl_boot, level=(0.95, "unit"))
E("shequn.longtail.BootstrapResult.summary", on=pl_boot)
E("shequn.longtail.PowerLawFit.conf_int", on=pl_fit, level=(0.95, "unit"))


def tail_fit() -> Any:
    from shequn.longtail.fit.scan import as_table, fit_tail

    u, c = as_table(pl_data(), None, discrete=False, owner="walk")
    return fit_tail(
        u,
        c,
        discrete=False,
        xmin=None,
        xmin_range=None,
        min_tail=10,
        convention="exact",
        search="auto",
        owner="walk",
    )


result_entry("shequn.longtail.fit.scan.TailFit", tail_fit, None)
E(
    "shequn.longtail.fit.scan.as_table",
    data=(L(pl_data), "nnarr"),
    counts=(None, "carr?"),
    discrete=(False, None),
    owner=("walk", None),
)
E(
    "shequn.longtail.fit.scan.fit_tail",
    u=(L(lambda: np.unique(pl_data())), None),
    c=(L(lambda: np.ones(np.unique(pl_data()).size, dtype=np.int64)), None),
    discrete=(False, None),
    xmin=(None, "pos?"),
    xmin_range=(None, None),
    min_tail=(10, None),
    convention=("exact", None),
    search=("auto", None),
    owner=("walk", None),
)
result_entry(
    "shequn.longtail.PowerLawFit",
    pl_fit,
    {"alpha": "pos", "xmin": "pos", "n": "int1", "values": "nnarr", "counts": "carr"},
    nan_ok=("p_value",),
)
E("shequn.longtail.PowerLawFit.ccdf", on=pl_fit, x=([1.0, 2.0, 10.0], "farr"), check=in_unit)
E("shequn.longtail.PowerLawFit.tail_values", on=pl_fit)
E("shequn.longtail.PowerLawFit.summary", on=pl_fit)
E("shequn.longtail.PowerLawFit.to_frame", on=pl_fit, needs=("pandas",))
E(
    "shequn.longtail.PowerLawFit.plot",
    on=pl_fit,
    ax=None,
    show_fit=(True, "bool"),
    needs=("matplotlib",),
)
E(
    "shequn.longtail.generate_catalog",
    n_products=(20, "runs"),
    kind=("zipf", "choice"),
    total_sales=(1000, "int0"),
    rng=(0, "rng"),
    exponent=(1.0, "pos"),
    alpha=(2.0, "pos"),
    sigma=(1.5, "pos"),
)
E("shequn.longtail.Catalog.tail_share", on=catalog, k=(5, "int0"), check=in_unit)
E("shequn.longtail.Catalog.to_frame", on=catalog, needs=("pandas",))
E("shequn.longtail.Catalog.summary", on=catalog)
result_entry("shequn.longtail.Catalog", catalog, None)
E("shequn.longtail.tail_share", values=([50, 30, 10, 10], "nnarr"), k=(2, "int0"), check=in_unit)
X(ENTRIES["shequn.longtail.tail_share"], "values=zeros", EITHER, values=[0.0, 0.0])
E("shequn.longtail.gini", values=([1.0, 2.0, 5.0], "nnarr"), check=in_unit)
X(ENTRIES["shequn.longtail.gini"], "values=zeros", EITHER, values=[0.0, 0.0])
X(ENTRIES["shequn.longtail.gini"], "values=empty", values=[])
E("shequn.longtail.lorenz_curve", values=([1.0, 3.0], "nnarr"))
X(ENTRIES["shequn.longtail.lorenz_curve"], "values=zeros", EITHER, values=[0.0, 0.0])
E(
    "shequn.longtail.rank_size_elasticity",
    sales=(L(lambda: np.arange(100.0, 0.0, -1.0)), "nnarr"),
    max_rank=(None, "int1?"),
    shift=(0.5, "nonneg"),
)
X(ENTRIES["shequn.longtail.rank_size_elasticity"], "sales=constant", EITHER, sales=[5.0] * 10)
E("shequn.longtail.RankSizeFit.summary", on=rank_fit)
E("shequn.longtail.RankSizeFit.conf_int", on=rank_fit, level=(0.95, "unit"))
result_entry("shequn.longtail.RankSizeFit", rank_fit, None)
E(
    "shequn.longtail.TrueFans",
    spend=(100.0, "nonneg"),
    retention=(0.8, "prob"),
    margin=(0.5, "prob"),
    costs=(1000.0, "nonneg"),
)
E("shequn.longtail.TrueFans.income", on=true_fans, fans=(100.0, "nonneg"))
E("shequn.longtail.TrueFans.fans_needed", on=true_fans, target_income=(30_000.0, "nonneg"))
X(
    ENTRIES["shequn.longtail.TrueFans.fans_needed"],
    "target_income=1e300",
    EITHER,
    target_income=1e300,
)
E(
    "shequn.longtail.TrueFans.customers_needed",
    on=true_fans,
    fans=(100, "int0"),
    conversion=(0.05, "prob"),
    level=(None, "unit?"),
)
X(ENTRIES["shequn.longtail.TrueFans.customers_needed"], "conversion=0", conversion=0.0)
E(
    "shequn.longtail.TrueFans.plan",
    on=true_fans,
    target_income=(30_000.0, "nonneg"),
    conversion=(0.05, "prob"),
    level=(None, "unit?"),
)
E("shequn.longtail.fan_probability", conversion=(0.05, "prob"), owner=("f", None))
E(
    "shequn.longtail.NicheMarket",
    n_products=(10, "int1"),
    steps=(5, "int1"),
    head_share=(0.2, "unit"),
    budget_exponent=(1.0, "nonneg"),
    ad_reach=(0.5, "nonneg"),
    wom=(0.4, "nonneg"),
    taste_width=(0.5, "pos"),
    adopt=(0.5, "prob"),
    seeds=(2, "int0"),
    product_spread=(0.2, "nonneg"),
)
_e = E(
    "shequn.longtail.simulate_niche",
    community=(L(community), "obj"),
    market=(L(niche_market), "obj?"),
    channel=("both", "choice"),
    taste=(None, "farr?"),
    rng=(0, "rng"),
)
X(
    _e,
    "community=nan_adjacency",
    community=L(
        lambda: lookup("shequn.community.Community")(
            adjacency=_csr(nx.to_numpy_array(nx.path_graph(30)) * NAN),
            roles=np.zeros(30, np.int8),
            taste=np.zeros((30, 1)),
            resources=np.ones(30),
        )
    ),
    fields=("community", "adjacency", "graph"),  # refused when the Community is built
)
X(_e, "taste=short", taste=[[0.0]])
_e = E(
    "shequn.longtail.compare_channels",
    community=(L(community), "obj"),
    market=(L(niche_market), "obj?"),
    runs=(3, "runs"),
    taste=(None, "farr?"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
)
E(
    "shequn.longtail.NicheRun",
    walk=False,
    channel=("both", "choice"),
    sales=([3, 1, 0], "carr"),
    budget=([0.6, 0.3, 0.1], "nnarr"),
    n_head=(1, "int0"),
)
E(
    "shequn.longtail.NicheComparison.difference",
    on=niche_cmp,
    channel=("community", "choice"),
    baseline=("broadcast", "choice"),
)
E("shequn.longtail.NicheComparison.summary", on=niche_cmp)
E("shequn.longtail.NicheComparison.conf_int", on=niche_cmp, level=(0.95, "unit"))
E("shequn.longtail.NicheRun.summary", on=niche_run)
E("shequn.longtail.NicheComparison.to_frame", on=niche_cmp, needs=("pandas",))
result_entry("shequn.longtail.NicheComparison", niche_cmp, None)

# ============================================================================ simulation
# week 0 has no open rate or precise share (nothing was broadcast yet): NaN by design
_TRAJ_NAN = ("open_rate", "precise_share")
# the referral rates' cap is inf without a referral budget (documented in referral.derive and
# docs/operating.md: `referral_budget` None means no cap); a Dynamics holds it, and so does a
# State (its _checked Dynamics) and a twin's setup (its compiled Dynamics)
_RATES_INF = ("referral",)
E(
    "shequn.simulation.simulate",
    community=(L(community), "obj"),
    operating_model=(L(om), "obj"),
    weeks=(3, "runs0"),
    rng=(0, "rng"),
    economics=(None, "obj?"),
    profile=(None, "obj?"),
    mechanisms=(None, "obj?"),
    capacity=(None, "int1?"),
    nan_ok=_TRAJ_NAN,
)
_sim = ENTRIES["shequn.simulation.simulate"]
X(
    _sim,
    "community=oob_csr",
    fields=("community", "adjacency"),
    community=L(
        lambda: lookup("shequn.community.Community")(
            adjacency=_bad_csr_oob(),
            roles=np.zeros(30, np.int8),
            taste=np.zeros((30, 1)),
            resources=np.ones(30),
        )
    ),
)
X(
    _sim,
    "structure_seeds=10000",
    fields=("seeds",),
    operating_model=L(
        lambda: lookup("shequn.operating.OperatingModel")(
            structure=lookup("shequn.operating.Structure")(seeds=10_000)
        )
    ),
)
E(
    "shequn.simulation.compile",
    community=(L(community), "obj"),
    operating_model=(L(om), "obj"),
    profile=(None, "obj?"),
    economics=(None, "obj?"),
    mechanisms=(None, "obj?"),
    capacity=(None, "int1?"),
    nan_ok=_RATES_INF,
)
E("shequn.simulation.init_state", dynamics=(L(dynamics), "obj"), rng=(0, "rng"), nan_ok=_RATES_INF)
E(
    "shequn.simulation.run",
    dynamics=(L(dynamics), "obj"),
    weeks=(2, "runs0"),
    rng=(0, "rng"),
    nan_ok=_TRAJ_NAN,
)


def _totals_finite_but_rates(result: Any) -> str | None:
    """Check: a State's week totals are finite but the rates, NaN when nothing was sent."""
    from shequn.simulation.week import F

    t = np.asarray(result.totals, dtype=float)
    bad = ~np.isfinite(t)
    bad[[int(F[name]) for name in _TRAJ_NAN]] = False
    return f"totals not finite at {np.flatnonzero(bad)[:3]}" if bad.any() else None


_e = E(
    "shequn.simulation.step",
    state=(L(state), "obj"),
    dynamics=(L(dynamics), "obj"),
    week=(1, "int0"),
    rng=(0, "rng"),
    # totals is one array; its open_rate and precise_share are documented NaN (none sent)
    nan_ok=(*_TRAJ_NAN, *_RATES_INF, "totals"),
    check=_totals_finite_but_rates,
)


def _other_dynamics() -> Any:
    from shequn.simulation import compile

    return compile(small_community(), om())


X(_e, "state=other_community", fields=("state", "dynamics"), dynamics=L(_other_dynamics))
X(
    _e,
    "state=eu_out_of_range",
    fields=("state", "eu", "dynamics"),
    state=L(lambda: attrs.evolve(state(), eu=state().eu + 10**6)),
)
X(
    _e,
    "state=n_used_huge",
    fields=("state", "n_used", "dynamics"),
    state=L(lambda: attrs.evolve(state(), n_used=10**6)),
)
_e = E("shequn.simulation.observe", state=(L(state), "obj"), dynamics=(L(dynamics), "obj"))
X(_e, "state=other_community", fields=("state", "dynamics"), dynamics=L(_other_dynamics))
E(
    "shequn.simulation.half_edge_values",
    dynamics=(L(dynamics), "obj"),
    values=(L(lambda: np.ones(dynamics().n_edges)), "farr"),
)
X(ENTRIES["shequn.simulation.half_edge_values"], "values=short", values=[1.0])
E("shequn.simulation.profile_for", kind=("brand", "choice?"))
E(
    "shequn.simulation.Profile",
    baseline_churn=(0.02, "prob"),
    baseline_engagement=(0.3, "prob"),
    peer_talk=(0.5, "prob"),
    leader_dependence=(0.2, "prob"),
    homophily=(0.3, "prob"),
    invite_propensity=(0.02, "prob"),
    engagement_response=(0.15, "prob"),
    repost_propensity=(0.5, "prob"),
    initial_customers=(0.3, "prob"),
)
E(
    "shequn.simulation.Mechanisms",
    attention=(3.0, "pos"),
    overload=(0.05, "nonneg"),
    relax=(0.1, "prob"),
    talk_gain=(0.03, "nonneg"),
    noise=(0.05, "nonneg"),
    breach=(0.002, "prob"),
    churn_engagement=(3.0, "nonneg"),
    wom_q=(None, "nonneg?"),
    broadcast_p=(None, "prob?"),
    wom_conversion=(0.15, "prob"),
    event_min_group=(10, "int1"),
    ladder_rates=((0.1, 0.06, 0.04), "nnarr"),
    repeat_rates=((0.05, 0.15, 0.25, 0.3), "nnarr"),
    repost_hops=(3, "int0"),
    n_products=(20, "int1"),
    zipf=(1.0, "nonneg"),
    market_size=(1e6, "pos"),
    open_rate=(None, "callable?"),
    tie_rule=(L(lambda: lookup("shequn.loyalty.TieRule")()), "obj"),
)
_e = E(
    "shequn.simulation.mechanisms.open_probability",
    # its first parameter is `params` (a BroadcastParams or a Mechanisms) since the mechanisms
    # refactor; the table still said `mechanisms`, so even the valid call failed
    params=(L(lambda: lookup("shequn.simulation.Mechanisms")(open_rate=lambda a: 0.25)), "obj"),
    audience=(1000, "int0"),
    check=in_unit,
)
X(
    _e,
    "open_rate=1.2",
    fields=("open_rate",),
    params=L(lambda: lookup("shequn.simulation.Mechanisms")(open_rate=lambda a: 1.2)),
)
X(
    _e,
    "open_rate=nan",
    fields=("open_rate",),
    params=L(lambda: lookup("shequn.simulation.Mechanisms")(open_rate=lambda a: NAN)),
)
E("shequn.simulation.Dynamics.items_in_week", on=dynamics, week=(2, "int0"))
E(
    "shequn.simulation.Dynamics.fit",
    on=dynamics,
    members=([0, 1], "carr"),
    products=([0, 1], "carr"),
    taste=(None, "farr?"),
)
result_entry(
    "shequn.simulation.Dynamics",
    dynamics,
    {"n": "int1", "capacity": "int1"},
    nan_ok=_RATES_INF,
)
result_entry(
    "shequn.simulation.State",
    state,
    {"week": "int0", "n_used": "int0"},
    nan_ok=(*_TRAJ_NAN, *_RATES_INF),
)
E("shequn.simulation.Trajectory.column", on=trajectory, name=("members", "choice"))
E("shequn.simulation.Trajectory.summary", on=trajectory)
E("shequn.simulation.Trajectory.to_frame", on=trajectory, needs=("pandas",))
result_entry("shequn.simulation.Trajectory", trajectory, {"columns": "obj"}, nan_ok=_TRAJ_NAN)
E(
    "shequn.simulation.bass_hooks",
    model=(L(bass), "obj"),
    period_weeks=(1.0, "pos"),
    talks_per_week=(1.0, "pos"),
    opens_per_week=(1.0, "pos"),
)
E(
    "shequn.simulation.ladder_rates_from",
    ladder=(L(ladder), "obj"),
    period_weeks=(1.0, "pos"),
    engagement=(1.0, "pos"),
)
E("shequn.simulation.repeat_rates_from", models=(L(bgnbd), "obj"), period_weeks=(1.0, "pos"))
E(
    "shequn.simulation.crowdsource",
    community=(L(community), "obj"),
    rng=(0, "rng"),
    proposer_share=(0.1, "prob"),
    idea_mean=(0.0, "float"),
    idea_sd=(1.0, "nonneg"),
    vote_noise=(1.0, "nonneg"),
    tie_bias=(0.5, "nonneg"),
    ideas_seen=(5, "int1"),
    top=(4, "int1"),
    engagement=(None, "nnarr?"),
)
E(
    "shequn.simulation.crowd_size_curve",
    kind=("brand", "choice"),
    sizes=([40, 80], "carr"),
    runs=(2, "runs"),
    rng=(0, "rng"),
)
E("shequn.simulation.CrowdCurve.summary", on=crowd_curve)
result_entry("shequn.simulation.CrowdCurve", crowd_curve, None)
result_entry("shequn.simulation.CrowdOutcome", crowd_outcome, None)

# ============================================================================ scenarios
_SCN = (
    "broadcast_vs_wom_cac",
    "ladder_climb",
    "leader_departure",
    "niche_share_wom_vs_broadcast",
    "offline_meetings_and_churn",
    "one_to_many_vs_mesh",
    "open_rate_vs_audience",
    "open_vs_owner_invitations",
    "rule_strictness_inverted_u",
    "small_quality_vs_large_account",
    "steady_vs_bursty",
)
for _name in _SCN:
    E(
        f"shequn.scenarios.{_name}",
        runs=(2, "runs"),
        n=(60, "runs"),
        weeks=(2, "runs"),
        rng=(0, "rng"),
        executor=(None, "executor?"),
        keep_trajectories=(False, "bool"),
        nan_ok=_TRAJ_NAN,
    )
E("shequn.scenarios.demo_report", rng=(0, "rng"), n=(60, "runs"), weeks=(2, "runs"))
E(
    "shequn.scenarios.seeding_report",
    rng=(0, "rng"),
    n=(60, "runs"),
    k=(2, "int1"),
    p=(0.05, "prob"),
    samples=(200, "runs"),
)
E("shequn.scenarios.Contrast.of", label=("x", "str"), values=([1.0, 2.0, 3.0], "farr"))
E(
    "shequn.scenarios.Contrast",
    walk=False,
    label=("x", "str"),
    values=([1.0, 2.0], "farr"),
    mean=(1.5, "float"),
    lo=(1.0, "float"),
    hi=(2.0, "float"),
)
E("shequn.scenarios.ScenarioResult.summary", on=scenario)
E("shequn.scenarios.ScenarioResult.to_frame", on=scenario, needs=("pandas",))
result_entry("shequn.scenarios.ScenarioResult", scenario, None, nan_ok=_TRAJ_NAN)

# ============================================================================ experiment & io
_coin = L(lambda: lookup("shequn.experiment.examples.coin_flips"))
_e = E(
    "shequn.experiment.sweep",
    fn=(_coin, "callable"),
    grid=({"p": [0.2, 0.5]}, "obj"),
    runs=(2, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    progress=(False, "progress?"),
    store=(None, "wpath?"),
    retries=(0, "int0"),
    version=(None, "str?"),
    batch_size=(None, "batch?"),
    on_error=("warn", "choice"),
)
X(_e, "executor=no_submit", executor=L(lambda: type("Pool", (), {"map": lambda self, *a: None})()))
X(_e, "grid=nan_value", EITHER, grid={"p": [NAN]})
X(_e, "grid=object_value", grid={"p": [object()]})
X(_e, "grid=empty_list", grid={"p": []})
_e = E(
    "shequn.experiment.replicate",
    fn=(_tiny, "callable"),
    runs=(3, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor?"),
    progress=(False, "progress?"),
    retries=(0, "int0"),
    batch_size=(None, "batch?"),
    on_error=("warn", "choice"),
)
X(
    _e,
    "executor+batch=0",
    fields=("batch_size",),
    batch_size=0,
    executor=L(lambda: __import__("concurrent.futures").futures.ThreadPoolExecutor(1)),
)
X(
    _e,
    "executor+batch=nan",
    fields=("batch_size",),
    batch_size=NAN,
    executor=L(lambda: __import__("concurrent.futures").futures.ThreadPoolExecutor(1)),
)
E(
    "shequn.experiment.replay",
    record=(L(lambda: experiment().records[0]), "obj"),
    fn=(_coin, "callable"),
)
_e = E("shequn.experiment.point_id", params=({"a": 1, "b": "x"}, None))
for _label, _bad in (("str", "abc"), ("int", 1), ("none", None), ("nested", {"a": [1]})):
    X(_e, f"params={_label}", params=_bad)
E("shequn.experiment.grid_hash", points=([{"a": 1}, {"a": 2}], "obj"))
E("shequn.experiment.grid_points", grid=({"n": [1, 2]}, "obj"), owner=("sweep", None))
E("shequn.experiment.load", store=(L(lambda: _stored_sweep(".jsonl")), "path"))
E("shequn.experiment.open_store", store=(store_path(".jsonl"), "wpath"), owner=("sweep", None))


def _stored_sweep(suffix: str) -> str:
    from shequn.experiment import sweep
    from shequn.experiment.examples import coin_flips

    path = store_path(suffix)()
    sweep(coin_flips, {"p": [0.2, 0.6]}, runs=2, rng=0, store=path)
    return path


E("shequn.experiment.ExperimentResult.to_numpy", on=experiment)
E("shequn.experiment.ExperimentResult.table", on=experiment)
E("shequn.experiment.ExperimentResult.to_frame", on=experiment, needs=("pandas",))
E("shequn.experiment.ExperimentResult.aggregate", on=experiment, level=(0.95, "unit"))
_e = E("shequn.experiment.ExperimentResult.replay", on=experiment, i=(0, None))
X(_e, "i=1e6", i=10**6)
X(_e, "i=str", i="0")
X(_e, "i=float", i=1.5)
X(_e, "i=-1", EITHER, i=-1)  # Python indexing from the end
E("shequn.experiment.ExperimentResult.summary", on=experiment)
E("shequn.experiment.ExperimentResult.conf_int", on=experiment, level=(0.95, "unit"))
E("shequn.experiment.RunRecord.summary", on=lambda: experiment().records[0])
result_entry("shequn.experiment.ExperimentResult", experiment, None, nan_ok=("seconds",))
E(
    "shequn.experiment.RunRecord",
    walk=False,
    point=(0, "int0"),
    point_id=("x", "str"),
    run=(0, "int0"),
    params=({"mu": 1.0}, "obj"),
    entropy=(7, "int0"),
    spawn_key=((0, 0), "obj"),
    output=0.0,
    attempts=(1, "int1"),
)
E("shequn.experiment.RunRecord.replay", on=lambda: experiment().records[0], fn=(_coin, "callable"))
E(
    "shequn.experiment.RunFailure",
    walk=False,
    point=(0, "int0"),
    point_id=("x", "str"),
    run=(1, "int0"),
    params=({}, "obj"),
    entropy=(1, "int0"),
    spawn_key=((1,), "obj"),
    error_type=("ValueError", "str"),
    message=("bad", "str"),
    traceback=("", "str"),
    attempts=(2, "int1"),
)
E(
    "shequn.experiment.RunError",
    walk=False,
    message=("m", "str"),
    failure=(
        L(
            lambda: lookup("shequn.experiment.RunFailure")(
                point=0,
                point_id="x",
                run=1,
                params={},
                entropy=1,
                spawn_key=(1,),
                error_type="E",
                message="m",
                traceback="",
                attempts=1,
            )
        ),
        "obj",
    ),
)
E(
    "shequn.experiment.StoreMismatchError",
    walk=False,
    message=("m", "str"),
    path=(L(lambda: __import__("pathlib").Path("s.jsonl")), "path"),
    mismatches=({"runs": (1, 2)}, "obj"),
)
E("shequn.experiment.Table", walk=False, columns=(L(lambda: {"a": np.arange(3)}), "obj"))
E("shequn.experiment.Table.to_numpy", on=lambda: experiment().table())
E("shequn.experiment.Table.to_frame", on=lambda: experiment().table(), needs=("pandas",))
for _cls, _fx, _suffix, _needs in (
    ("JsonLinesStore", jsonl_store, ".jsonl", ()),
    ("ParquetStore", parquet_store, ".parquet", ("pyarrow",)),
    ("SweepStore", None, ".jsonl", ()),
):
    E(f"shequn.experiment.{_cls}", path=(store_path(_suffix), "wpath"), needs=_needs)
    if _fx is None:
        continue
    E(f"shequn.experiment.{_cls}.exists", on=_fx, needs=_needs)
    E(
        f"shequn.experiment.{_cls}.create",
        on=lambda s=_suffix: lookup("shequn.experiment.open_store")(store_path(s)(), owner="walk"),
        manifest=(L(lambda: jsonl_store().manifest()), "obj"),
        needs=_needs,
    )
    E(f"shequn.experiment.{_cls}.read", on=_fx, needs=_needs)
    E(f"shequn.experiment.{_cls}.append", on=_fx, points=([], "obj"), needs=_needs)
    E(f"shequn.experiment.{_cls}.inspect", on=_fx, needs=_needs)
    E(f"shequn.experiment.{_cls}.manifest", on=_fx, needs=_needs)
    E(f"shequn.experiment.{_cls}.lock", on=_fx, owner=("walk", None), needs=_needs)
    E(f"shequn.experiment.{_cls}.repair", on=_fx, needs=_needs)
E("shequn.io.to_jsonable", obj=({"x": 0.5}, None))
E("shequn.io.from_jsonable", obj=({"x": 0.5}, None))
E("shequn.io.append_jsonl", path=(store_path(".jsonl"), "wpath"), values=([1, [2, 3]], "obj"))
X(ENTRIES["shequn.io.append_jsonl"], "values=nan", EITHER, values=[NAN])
E("shequn.io.read_jsonl", path=(L(lambda: _stored_sweep(".jsonl")), "path"), repair=(False, "bool"))
E("shequn.io.write_atomic", path=(store_path(".json"), "wpath"), data=(b"{}", "str"))
E("shequn.io.files.fsync_dir", path=(L(tmpdir), "path"))
E("shequn.io.remove_temp_files", folder=(L(tmpdir), "wpath"), max_age=(86_400.0, None))
# a lock reports bad paths under its caller's owner and field (here walk.store)
_e = E(
    "shequn.io.FileLock",
    path=(store_path(".lock"), None),
    owner=("walk", None),
    field=("store", None),
)
for _label, _bad in (("int", 5), ("none", None), ("list", ["a"])):
    X(_e, f"path={_label}", fields=("store",), path=_bad)
E(
    "shequn.io.FileLock.acquire",
    on=lambda: lookup("shequn.io.FileLock")(store_path(".lock")(), owner="walk", field="store"),
)
E(
    "shequn.io.FileLock.release",
    on=lambda: lookup("shequn.io.FileLock")(store_path(".lock")(), owner="walk", field="store"),
)
E("shequn.io.parquet_part_files", folder=(L(tmpdir), "path"))
E(
    "shequn.io.read_parquet_part",
    path=(
        L(
            lambda: str(
                next(
                    iter(
                        sorted(__import__("pathlib").Path(_stored_sweep(".parquet")).glob("part-*"))
                    )
                )
            )
        ),
        "path",
    ),
    needs=("pyarrow",),
)
E(
    "shequn.io.write_parquet_part",
    folder=(L(tmpdir), "wpath"),
    rows=([{"x": 1}], "obj"),
    needs=("pyarrow",),
)
E("shequn.io.read_parquet_parts", folder=(L(tmpdir), "path"), needs=("pyarrow",))
E(
    "shequn.io.JsonLines",
    walk=False,
    path=(L(lambda: __import__("pathlib").Path("x.jsonl")), "path"),
    values=([], "obj"),
    torn_bytes=(0, "int0"),
)
for _name, _kw in (
    ("busy", {"work": (10, "int0")}),
    ("coin_flips", {"p": (0.5, "prob"), "n": (10, "int1")}),
    ("random_walk", {"steps": (3, "int0")}),
    ("sleepy", {"seconds": (0.0, "nonneg")}),
    ("tiny", {}),
    (
        "traced",
        {
            "x": (2.0, "float"),
            "log": (L(lambda: os.path.join(tmpdir(), "log.txt")), "str"),
            "seconds": (0.0, "nonneg"),
        },
    ),
):
    E(
        f"shequn.experiment.examples.{_name}",
        **_kw,
        rng=(L(lambda: np.random.default_rng(0)), None),
        walk=False,
    )

# ============================================================================ plotting & cli
E("shequn.plotting.plot", result=(L(pl_fit), "obj"), ax=None, needs=("matplotlib",))
E(
    "shequn.plotting.bass.plot_bass_forecast",
    fit=(L(bass_fit), "obj"),
    periods=(None, "runs0?"),
    level=(None, "unit?"),
    split=(True, "bool"),
    ax=None,
    needs=("matplotlib",),
)
E(
    "shequn.plotting.bass.plot_budget_comparison",
    comparison=(L(budget_cmp), "obj"),
    ax=None,
    needs=("matplotlib",),
)
E(
    "shequn.plotting.bass.plot_open_rate",
    fit=(L(open_rate_fit), "obj"),
    audience=(L(lambda: np.geomspace(100, 1e5, 12).round()), "nnarr"),
    opens=(L(lambda: np.round(np.geomspace(100, 1e5, 12).round() * 0.1)), "carr"),
    ax=None,
    needs=("matplotlib",),
)
E("shequn.plotting.longtail.empirical_ccdf", fit=(L(pl_fit), "obj"))
E(
    "shequn.plotting.longtail.plot_ccdf",
    fit=(L(pl_fit), "obj"),
    ax=None,
    show_fit=(True, "bool"),
    needs=("matplotlib",),
)
_e = E("shequn.cli.main", argv=(["demo", "--n", "60", "--weeks", "1"], None))
for _label, _argv in (
    ("seed=-1", ["demo", "--seed", "-1"]),
    ("n=abc", ["demo", "--n", "abc"]),
    ("unknown", ["nope"]),
):
    X(_e, _label, EITHER, argv=_argv)

# ======================================================== names main added (merge of 2026-12-07)
_SCN = '[community]\ntype = "brand"\nsize = 60\n[arms.a]\n[arms.b]\npreset = "silent"\n'


@cache
def scenario_spec() -> Any:
    from shequn.io.scenario import loads_scenario

    return loads_scenario("weeks = 2\nruns = 2\nrng = 0\n" + _SCN)


@cache
def scenario_run() -> Any:
    from shequn.io.scenario import summarise_runs
    from shequn.rng import map_runs

    s = scenario_spec()
    return summarise_runs(s, map_runs(s.run_once, runs=2, rng=0), seed=0)


def _scenario_file(text: str) -> L:
    def make() -> str:
        path = os.path.join(tmpdir(), f"scn{os.getpid()}-{next(_COUNTER)}.toml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    return L(make)


_e = E("shequn.io.scenario.loads_scenario", text=(_SCN, "str"), name=("x.toml", "str"))
for _label, _text in (
    ("weeks=0", "weeks = 0\n" + _SCN),
    ("runs=1e12", "runs = 1000000000000\n" + _SCN),
    ("weeks=nan", "weeks = nan\n" + _SCN),
    ("quality=1.4", _SCN + "[arms.a.content]\nquality = 1.4\n"),
    ("quality=nan", _SCN + "[arms.a.content]\nquality = nan\n"),
    ("quality=str", _SCN + '[arms.a.content]\nquality = "0.5"\n'),
    ("size=-1", _SCN.replace("size = 60", "size = -1")),
    ("type=bad", _SCN.replace('"brand"', '"nope"')),
    ("no_arms", '[community]\ntype = "brand"\nsize = 60\n'),
    ("unknown_key", "colour = 3\n" + _SCN),
    ("garbage", "weeks = = 3"),
):
    X(_e, f"text={_label}", fields=("text",), text=_text)
_e = E("shequn.io.scenario.load_scenario", path=(_scenario_file(_SCN), "path"))
X(_e, "path=garbage", fields=("path",), path=_scenario_file("weeks = = 3"))
X(_e, "path=dir", fields=("path",), path=L(tmpdir))
E("shequn.io.scenario.pin_scenario_text", text=(_SCN, "str"), runs=(3, "runs"), rng=(7, "int0"))
E("shequn.io.scenario.dumps_toml", value=(L(om), None), needs=("tomli_w",))
E("shequn.io.scenario.unstructure", value=(L(om), None))
_e = E(
    "shequn.io.scenario.structure",
    cls=(L(lambda: lookup("shequn.operating.Tools")), None),
    data=({"group_chat": False}, None),
)
X(_e, "data=bad_bool", fields=("data", "group_chat"), data={"group_chat": "yes"})
X(_e, "data=unknown", fields=("data", "colour"), data={"colour": 1})
# documented sentinels: CAC is infinite when an arm wins no customer, ROI NaN when it spends
# nothing (economics.roi); ScenarioRun.means and the contrasts leave them out
_CAC = ("cac", "roi")
E(
    "shequn.io.scenario.Scenario.run_once",
    nan_ok=_CAC,
    on=scenario_spec,
    rng=(L(lambda: np.random.default_rng(0)), None),
)
_e = E(
    "shequn.io.scenario.summarise_runs",
    scenario=(L(scenario_spec), None),
    outputs=(
        L(lambda: [scenario_spec().run_once(rng=np.random.default_rng(i)) for i in range(2)]),
        None,
    ),
    seed=(0, "int0"),
    nan_ok=_CAC,
)
X(_e, "outputs=empty", fields=("outputs",), outputs=[])
for _m in ("means", "winner", "clear_winner"):
    E(f"shequn.io.scenario.ScenarioRun.{_m}", on=scenario_run, metric=("members", "choice"))
E("shequn.io.scenario.ScenarioRun.summary", on=scenario_run)
result_entry("shequn.io.scenario.ScenarioRun", scenario_run, None, nan_ok=_CAC)
result_entry("shequn.io.scenario.Scenario", scenario_spec, None)
result_entry("shequn.io.scenario.Outputs", lambda: scenario_spec().outputs, None)
result_entry("shequn.io.scenario.Arm", lambda: scenario_spec().arms[0], None)
result_entry("shequn.io.scenario.CommunitySpec", lambda: scenario_spec().community, None)
E(
    "shequn.io.scenario.CommunitySpec.build",
    on=lambda: scenario_spec().community,
    rng=(L(lambda: np.random.default_rng(0)), None),
)
E("shequn.io.scenario.CommunitySpec.describe", on=lambda: scenario_spec().community)
E(
    "shequn.io.scenario.ScenarioError.located",
    on=lambda: lookup("shequn.io.scenario.ScenarioError")(("weeks",), "must be >= 1; got 0"),
    file=("a.toml", None),
    text=("weeks = 0\n", None),
)
E(
    "shequn.io.report.write_csv",
    path=(store_path(".csv"), "wpath"),
    columns=(["a", "b"], None),
    rows=([[1, 2.5]], None),
)
E(
    "shequn.io.report.write_parquet",
    path=(store_path(".parquet"), "wpath"),
    columns=(["a", "b"], None),
    rows=([[1, 2.5]], None),
    needs=("pyarrow",),
)
E("shequn.io.report.ReportTable", title=("t", "str"), columns=(["a"], None), rows=([[1]], None))
E(
    "shequn.io.report.Figure",
    name=("f", "str"),
    caption=("c", "str"),
    png=(b"\x89PNG", None),
    walk=False,
)
E("shequn.io.report.Report", title=("t", "str"))
E(
    "shequn.io.report.write_report",
    report=(L(lambda: lookup("shequn.io.report.Report")(title="t")), "obj"),
    out_dir=(L(lambda: tempfile.mkdtemp(dir=tmpdir())), "wpath"),
)

# customer base: covariates, serialisation, diagnostics, ModifiedBGNBD
E(
    "shequn.loyalty.ModifiedBGNBD",
    r=(0.243, "pos"),
    alpha=(4.414, "pos"),
    a=(0.793, "pos"),
    b=(2.426, "pos"),
)
_e = E(
    "shequn.loyalty.ModifiedBGNBD.fit",
    frequency=(L(lambda: cdnow_rfm().frequency), "carr"),
    recency=(L(lambda: cdnow_rfm().recency), "nnarr"),
    T=(L(lambda: cdnow_rfm().T), "nnarr"),
    penalizer=(0.0, "nonneg"),
)
X(_e, "single_zero_customer", EITHER, frequency=[0], recency=[0.0], T=[30.0])
_MEMBER = L(lambda: np.random.default_rng(0).integers(0, 2, 400).astype(float))


@cache
def covariate_data() -> Any:
    truth = bgnbd().with_covariates(trans={"member": 0.7})
    member = np.random.default_rng(0).integers(0, 2, 400).astype(float)
    return (*truth.sample(39.0, covariates={"member": member}, rng=1), member)


@cache
def covariate_fit() -> Any:
    from shequn.loyalty import BGNBD

    x, tx, T, member = covariate_data()
    return BGNBD.fit(x, tx, T, trans={"member": member})


for _cls, _fx in (("BGNBD", bgnbd), ("ParetoNBD", pnbd)):
    _e = E(f"shequn.loyalty.{_cls}.with_covariates", on=_fx, trans=({"member": 0.7}, None))
    X(_e, "trans=nan", fields=("trans", "member"), trans={"member": NAN})
    X(_e, "trans=str", fields=("trans",), trans="abc")
    X(_e, "life=str_value", fields=("life", "member"), life={"member": "0.5"})
    _e = E(
        f"shequn.loyalty.{_cls}.fit@covariates",
        frequency=(L(lambda: covariate_data()[0]), None),
        recency=(L(lambda: covariate_data()[1]), None),
        T=(L(lambda: covariate_data()[2]), None),
        trans=(L(lambda: {"member": covariate_data()[3]}), None),
    )
    X(
        _e,
        "trans=nan",
        fields=("trans", "member"),
        trans=L(lambda: {"member": np.r_[covariate_data()[3][:-1], NAN]}),
    )
    X(
        _e,
        "trans=short",
        fields=("trans", "member", "frequency"),
        trans=L(lambda: {"member": covariate_data()[3][:-1]}),
    )
    X(_e, "trans=constant", EITHER, trans=L(lambda: {"member": np.ones(400)}))
for _cls, _fx in (("BGBB", bgbb), ("GammaGamma", gg), ("ParetoNBD", pnbd)):
    E(f"shequn.loyalty.{_cls}.to_dict", on=_fx)
    _e = E(f"shequn.loyalty.{_cls}.from_dict", d=(L(lambda f=_fx: f().to_dict()), None))
    X(
        _e,
        "d=nan",
        fields=("d", "r", "p", "alpha"),
        d=L(lambda f=_fx: {k: NAN for k in f().to_dict()}),
    )
    X(_e, "d=str", fields=("d",), d="abc")
    X(_e, "d=empty", fields=("d", "r", "p", "alpha"), d={})
_e = E(
    "shequn.loyalty.ParetoNBD.conditional_prob_transactions",
    on=pnbd,
    n=([0, 1, 2], "carr"),
    t=(10.0, "nonneg"),
    **_FRT,
    check=in_unit,
)
mismatched(_e, ("frequency", "recency", "T"))
_LADDER_NAN = ("lower", "upper")  # documented: NaN bounds for rows never left
_e = E(
    "shequn.loyalty.Ladder.fit",
    sequences=([[0, 1, 2, 3, 3], [0, 1, 1, 5]], None),
    level=(0.95, "unit"),
    nan_ok=_LADDER_NAN,
)
X(_e, "sequences=bad_stage", fields=("sequences",), sequences=[[0, 1, 9]])
X(_e, "sequences=nan", fields=("sequences",), sequences=[[0, NAN, 2]])
_e = E(
    "shequn.loyalty.Ladder.fit_log",
    members=([7, 7, 7, 8, 8], None),  # any ids (_id_cases)
    periods=([0, 1, 2, 0, 1], "carr"),
    stages=([1, 2, 2, 1, 5], "carr"),
    level=(0.95, "unit"),
    nan_ok=_LADDER_NAN,
)
mismatched(_e, ("members", "periods", "stages"))
_id_cases(_e, "members")
E("shequn.loyalty.LadderFit.conf_int", on=ladder_fit, level=(0.9, "unit?"))
E("shequn.loyalty.CustomerBaseFit.conf_int", on=bgnbd_fit, level=(0.95, "unit"))
E("shequn.loyalty.CustomerBaseFit.lr_test", on=covariate_fit, restricted=(None, "obj?"))
E("shequn.loyalty.CustomerBaseFit.to_dict", on=bgnbd_fit)
E("shequn.loyalty.CustomerBaseFit.to_json", on=bgnbd_fit)
E("shequn.loyalty.CustomerBaseFit.save", on=bgnbd_fit, path=(store_path(".json"), "wpath"))


def _saved_fit() -> str:
    path = os.path.join(tmpdir(), f"fit{os.getpid()}-{next(_COUNTER)}.json")
    bgnbd_fit().save(path)
    return path


_e = E("shequn.loyalty.CustomerBaseFit.load", path=(L(_saved_fit), "path"))
X(_e, "path=garbage", fields=("path",), path=_cdnow_file("not json"))
_e = E("shequn.loyalty.customer_base.load_fit", path=(L(_saved_fit), "path"))
X(_e, "path=garbage", fields=("path",), path=_cdnow_file("{}"))
_e = E("shequn.loyalty.CustomerBaseFit.from_json", text=(L(lambda: bgnbd_fit().to_json()), "str"))
X(_e, "text=garbage", fields=("text",), text="{not json")
X(
    _e,
    "text=nan_param",
    fields=("text", "r", "params"),
    text=L(lambda: bgnbd_fit().to_json().replace('"r": 0.', '"r": NaN, "x": 0.', 1)),
)
E("shequn.loyalty.CustomerBaseFit.from_dict", d=(L(lambda: bgnbd_fit().to_dict()), None))
E("shequn.loyalty.TransactionLog.rfm", on=cdnow)
E("shequn.loyalty.RFMSummary.summary", on=rfm)
_e = E(
    "shequn.loyalty.CovariatePanel.from_transactions",
    customer_ids=([1, 1, 2], None),  # any ids: _id_cases
    times=([0.5, 3.5, 1.0], "nnarr"),
    values=({"promo": [0, 0, 1, 1, 0]}, None),
    calibration_end=(5.0, "pos"),
    period_length=(1.0, "pos"),
)
_id_cases(_e)
mismatched(_e, ("customer_ids", "times"))
X(_e, "values=nan", fields=("values", "promo"), values={"promo": [0, 0, NAN, 1, 0]})
X(_e, "values=short", fields=("values", "promo"), values={"promo": [0, 0]})
result_entry(
    "shequn.loyalty.CovariatePanel",
    lambda: lookup("shequn.loyalty.CovariatePanel").from_transactions(
        [1, 1, 2], [0.5, 3.5, 1.0], {"promo": [0, 0, 1, 1, 0]}, calibration_end=5.0
    ),
    {"period_length": "pos"},
)


@cache
def effect() -> Any:
    from shequn.loyalty import community_effect

    f, r, t = pnbd().sample(400, np.full(400, 39.0), rng=3)
    member = np.random.default_rng(4).integers(0, 2, 400).astype(float)
    return community_effect(f, r, t, member=member, model="bgnbd")


_e = E(
    "shequn.loyalty.community_effect",
    frequency=(L(lambda: pnbd().sample(400, np.full(400, 39.0), rng=3)[0]), "carr"),
    recency=(L(lambda: pnbd().sample(400, np.full(400, 39.0), rng=3)[1]), "nnarr"),
    T=(L(lambda: np.full(400, 39.0)), "nnarr"),
    member=(L(lambda: np.random.default_rng(4).integers(0, 2, 400).astype(float)), "farr"),
    model=("bgnbd", "choice"),
    horizon=(52.0, "pos"),
)
X(_e, "member=constant", EITHER, member=L(lambda: np.ones(400)))


@cache
def alive() -> Any:
    from shequn.loyalty.customer_base import alive_path

    return alive_path(bgnbd(), [0.0, 2.0, 5.0], end=30.0)


@cache
def holdout() -> Any:
    from shequn.loyalty.customer_base import calibration_holdout

    return calibration_holdout(bgnbd(), cdnow().rfm())


@cache
def period_tx() -> Any:
    from shequn.loyalty.customer_base.diagnostics import period_transactions

    s = cdnow_rfm()
    return period_transactions(bgnbd(), s.frequency, s.T)


@cache
def fr_matrix() -> Any:
    from shequn.loyalty.customer_base.diagnostics import frequency_recency_matrix

    return frequency_recency_matrix(bgnbd(), T=39.0, max_frequency=5)


@cache
def track() -> Any:
    from shequn.loyalty.customer_base.diagnostics import tracking

    return tracking(
        bgnbd(), [1, 1, 2], [0, 14, 7], calibration_end=21, observation_end=28, period="days"
    )


_e = E(
    "shequn.loyalty.customer_base.alive_path",
    model=(L(bgnbd), "obj"),
    purchase_times=([0.0, 2.0, 5.0], "farr"),  # any origin: shifted so the first is 0 (docs)
    end=(30.0, "pos?"),
    step=(1.0, "pos"),
    check=lambda r: in_unit(r.p_alive),
)
X(_e, "end=1e12", fields=("end", "step"), end=1e12)
X(_e, "purchase_times=unsorted", EITHER, purchase_times=[5.0, 0.0, 2.0])
E(
    "shequn.loyalty.customer_base.calibration_holdout",
    model=(L(bgnbd), "obj"),
    summary=(L(lambda: cdnow().rfm()), "obj"),
    max_frequency=(7, "int1"),
)
E(
    "shequn.loyalty.customer_base.diagnostics.period_transactions",
    model=(L(bgnbd), "obj"),
    frequency=(L(lambda: cdnow_rfm().frequency), "carr"),
    T=(L(lambda: cdnow_rfm().T), "nnarr"),
    max_frequency=(7, "int1"),
)
_e = E(
    "shequn.loyalty.customer_base.diagnostics.frequency_recency_matrix",
    model=(L(bgnbd), "obj"),
    T=(39.0, "pos"),
    max_frequency=(5, "int1"),
    kind=("expected", "choice"),
    t=(1.0, "pos"),
    nan_ok=("values",),  # documented: NaN where a (frequency, recency) pair is impossible
)
X(_e, "max_frequency=1e12", fields=("max_frequency",), max_frequency=10**12)
_e = E(
    "shequn.loyalty.customer_base.diagnostics.tracking",
    model=(L(bgnbd), "obj"),
    customer_ids=([1, 1, 2], None),  # any ids: _id_cases
    timestamps=([0, 14, 7], "farr"),  # day numbers of any sign, as rfm_summary's
    calibration_end=(21, None),
    observation_end=(28, None),
    period=("days", "choice"),
)
_id_cases(_e)
for _name, _fx in (
    ("AlivePath", alive),
    ("CalibrationHoldout", holdout),
    ("CommunityEffect", effect),
    ("FrequencyRecencyMatrix", fr_matrix),
    ("PeriodTransactions", period_tx),
    ("Tracking", track),
):
    # documented NaN: impossible (frequency, recency) cells; no holdout purchases to compare
    _ok = {"FrequencyRecencyMatrix": ("values",), "Tracking": ("holdout error",)}.get(_name, ())
    result_entry(f"shequn.loyalty.customer_base.{_name}", _fx, None, nan_ok=_ok)
    E(f"shequn.loyalty.customer_base.{_name}.summary", on=_fx, nan_ok=_ok)
    if hasattr(lookup(f"shequn.loyalty.customer_base.{_name}"), "to_frame"):
        E(f"shequn.loyalty.customer_base.{_name}.to_frame", on=_fx, needs=("pandas",))
E("shequn.loyalty.customer_base.CommunityEffect.conf_int", on=effect, level=(0.95, "unit"))
result_entry(
    "shequn.loyalty.customer_base.LikelihoodRatioTest", lambda: covariate_fit().lr_test(), None
)
E("shequn.loyalty.customer_base.LikelihoodRatioTest.summary", on=lambda: covariate_fit().lr_test())
result_entry(
    "shequn.loyalty.customer_base.BGNBDCovariates",
    lambda: bgnbd().with_covariates(trans={"member": 0.7}),
    None,
)
result_entry(
    "shequn.loyalty.customer_base.ParetoNBDCovariates",
    lambda: pnbd().with_covariates(trans={"member": 0.7}),
    None,
)


@cache
def tv_panel() -> Any:
    from shequn.loyalty import CovariatePanel

    rng = np.random.default_rng(5)
    return CovariatePanel(
        values={"promo": rng.integers(0, 2, (60, 40)).astype(float)},
        start=np.zeros(60),
        T=np.full(60, 39.0),
    )


_e = E(
    "shequn.loyalty.customer_base.ParetoNBDCovariates.sample_panel",
    on=lambda: pnbd().with_covariates(life={"promo": 0.3}),
    panel=(L(tv_panel), "obj"),
    rng=(0, "rng"),
)
E(
    "shequn.loyalty.customer_base.time_varying.sample_panel",
    model=(L(lambda: pnbd().with_covariates(life={"promo": 0.3})), "obj"),
    panel=(L(tv_panel), "obj"),
    rng=(0, "rng"),
)

# plotting (matplotlib): one valid call each and a few bad choices
for _path, _kw in (
    (
        "shequn.plotting.community.plot_community",
        {"community": (L(community), "obj"), "what": ("degree", "choice")},
    ),
    ("shequn.plotting.customer_base.plot_alive_path", {"result": (L(alive), "obj")}),
    ("shequn.plotting.customer_base.plot_calibration_holdout", {"result": (L(holdout), "obj")}),
    ("shequn.plotting.customer_base.plot_frequency_recency", {"result": (L(fr_matrix), "obj")}),
    ("shequn.plotting.customer_base.plot_period_transactions", {"result": (L(period_tx), "obj")}),
    (
        "shequn.plotting.customer_base.plot_tracking",
        {"result": (L(track), "obj"), "kind": ("cumulative", "choice")},
    ),
    (
        "shequn.plotting.diffusion.plot_diffusion",
        {"result": (L(diffusion_result), "obj"), "what": ("curve", "choice")},
    ),
    ("shequn.plotting.diffusion.plot_seed_set", {"seed_set": (L(seed_set), "obj")}),
    ("shequn.plotting.plot_ladder", {"ladder": (L(ladder), "obj"), "steps": (6, "int1")}),
    ("shequn.plotting.plot_scenario", {"result": (L(scenario), "obj"), "what": ("runs", "choice")}),
    (
        "shequn.plotting.plot_scenario_run",
        {"run": (L(scenario_run), "obj"), "series": ("members", "choice")},
    ),
    (
        "shequn.plotting.plot_trajectory",
        {"trajectory": (L(trajectory), "obj"), "what": ("stages", "choice")},
    ),
    ("shequn.plotting.scenario_figure", {"result": (L(scenario), "obj")}),
):
    E(_path, **_kw, needs=("matplotlib",), check=_close_figures)

# money prints an undefined amount (NaN, ±inf: a cost per customer when nobody was won) as
# "n/a" (documented); what is not a real number is refused
_e = E("shequn.scenarios.demo.money", x=(1234.5, None))
for _label, _bad in (("bool", True), ("str", "0.5"), ("none", None), ("list", [1.0])):
    X(_e, f"x={_label}", x=_bad)
for _label, _bad in (
    ("nan", NAN),
    ("inf", INF),
    ("-inf", -INF),
    ("huge", 1e300),
    ("-huge", -1e300),
):
    X(_e, f"x={_label}", EITHER, x=_bad)
E("shequn.scenarios.demo.community_types_report", n=(60, "runs"), rng=(0, "rng"))
E("shequn.scenarios.demo.sections", n=(60, "runs"), weeks=(1, "runs"), rng=(0, "rng"))

# ======================================================== names feat-diffusion added (main, 12-07)
E("shequn.Bass.fit", adoptions=(L(lambda: bass().adoptions(20)), "nnarr"))
E("shequn.diffusion.BassForecast.summary", on=lambda: bass_fit().predict(30))
E("shequn.diffusion.BudgetComparison.conf_int", on=budget_cmp, level=(0.9, "unit?"))
E("shequn.diffusion.DiffusionResult.conf_int", on=diffusion_result, level=(0.9, "unit?"))
E("shequn.diffusion.SeedSet.conf_int", on=seed_set, level=(0.95, "unit"))
_A = np.array([1e2, 1e3, 1e4, 1e5])
E(
    "shequn.diffusion.PowerOpenRate.fit",
    audience=(_A, "nnarr"),
    opens=(L(lambda: np.round(0.2 * (_A / 1e3) ** -0.3 * _A)), "carr"),
)
_A2 = np.geomspace(100, 1e6, 12)
E(
    "shequn.diffusion.SaturatingOpenRate.fit",
    audience=(_A2, "nnarr"),
    opens=(L(lambda: np.round((0.04 + 0.36 / (1 + _A2 / 5000)) * _A2)), "carr"),
)
_e = E(
    "shequn.diffusion.edge_probabilities",
    net=(L(network), None),
    p=(0.2, "prob"),
    check=in_unit,
)
X(_e, "p=callable_gt1", fields=("p",), p=lambda s: 2.0 + 0 * s)
X(_e, "p=callable_nan", fields=("p",), p=lambda s: np.nan + 0 * s)
_e = E(
    "shequn.diffusion.threshold_weights",
    net=(L(network), None),
    weights=("uniform", "choice"),
    check=nonnegative,
)

# ---------------------------------------------------------------------------- no cases needed
EXEMPT: dict[str, str] = {
    "shequn.__version__": "a constant",
    "shequn.community.WECHAT_GROUP_CAP": "a constant",
    "shequn.community.CommunityType": "an enum (CommunityType.parse is walked)",
    "shequn.community.Role": "an IntEnum",
    "shequn.community.InvitePolicy": "an enum",
    "shequn.operating.FeedbackChannel": "an enum",
    "shequn.operating.Schedule": "an enum",
    "shequn.loyalty.Stage": "an IntEnum",
    "shequn.loyalty.LADDER": "a constant",
    "shequn.loyalty.datasets.CALIBRATION_END": "a constant",
    "shequn.loyalty.datasets.OBSERVATION_END": "a constant",
    "shequn.longtail.ALTERNATIVES": "a constant",
    "shequn.longtail.CHANNELS": "a constant",
    "shequn.longtail.FanConversion": "a typing Protocol",
    "shequn.longtail.FanConversion.probability_of_reaching": "a Protocol method",
    "shequn.diffusion.cascades.BLOCK": "a constant",
    "shequn.diffusion.seeding.METHODS": "a constant",
    "shequn.diffusion.seeding.SpreadFunction": "a type alias",
    "shequn.simulation.PROFILES": "a constant",
    "shequn.simulation.mechanisms.MAX_PRODUCTS": "a constant",
    "shequn.scenarios.SCENARIOS": "a constant",
    "shequn.plotting.PLOTTERS": "a constant",
    "shequn.rng.RNGLike": "a type alias",
    "shequn.exceptions.ShequnError": "an exception class",
    "shequn.exceptions.InvalidParameterError": "an exception class",
    "shequn.exceptions.ConvergenceError": "an exception class",
    "shequn.exceptions.ShequnWarning": "a warning class",
    "shequn.exceptions.ShequnDeprecationWarning": "a warning class",
    "shequn.sweep": "the lazily loaded shequn.experiment.sweep (walked there)",
    "shequn.diffusion.EdgeProbability": "a type alias (edge_probabilities is walked)",
    "shequn.diffusion.ThresholdWeights": "a type alias (threshold_weights is walked)",
    "shequn.diffusion.reach.budget.CommunityCustomers": "a type alias (a callable's signature)",
    "shequn.diffusion.reach.open_rate.OpenRateLaw": "a type alias (the two open-rate laws)",
    "shequn.cli.EXIT_OK": "a constant (the CLI is walked through cli.main)",
    "shequn.cli.EXIT_BAD_INPUT": "a constant",
    "shequn.cli.EXIT_FAILED": "a constant",
    "shequn.io.scenario.METRICS": "a constant",
    "shequn.io.scenario.SERIES": "a constant",
    "shequn.io.scenario.PRESETS": "a constant",
    "shequn.io.scenario.Metric": "a record of the fixed METRICS table (no user input)",
    "shequn.io.scenario.ScenarioError": "an exception class (ScenarioError.located is walked)",
    "shequn.plotting.community.MAX_DRAWN": "a constant",
    "shequn.plotting.scenarios.WEEKLY": "a constant",
    "shequn.loyalty.customer_base.covariates.CovariateData": (
        "the covariate fits' internal data record, built and checked by BGNBD/ParetoNBD.fit "
        "(walked there with covariates)"
    ),
    "shequn.loyalty.customer_base.covariates.coefficients": (
        "the coefficient check of with_covariates (walked there)"
    ),
    "shequn.loyalty.customer_base.covariates.objective": (
        "the likelihood of BGNBD/ParetoNBD.fit with covariates (walked there)"
    ),
    "shequn.loyalty.customer_base.time_varying.fit_time_varying": (
        "the time-varying branch of ParetoNBD.fit(panel=...), which validates its input first"
    ),
    **{
        f"shequn.experiment.SweepStore.{m}": "abstract (walked on JsonLinesStore, ParquetStore)"
        for m in ("append", "create", "exists", "inspect", "lock", "manifest", "read", "repair")
    },
}


# The suite runs a bounded sample (issue 14: the walk test must fit the CI time): the valid call
# of every entry, every hand-written case (the defects the issue names), and one in SAMPLE_STRIDE
# of the cases made from the table of bad values per kind, chosen by a hash of the case id (the
# same cases every run). SHEQUN_WALK_STRIDE=1 runs every case; benchmarks/bench_walk.py runs them
# all plus the long run's extra values.
SAMPLE_STRIDE = int(os.environ.get("SHEQUN_WALK_STRIDE", "10"))


def in_sample(case: Case, stride: int = SAMPLE_STRIDE) -> bool:
    """Whether the suite's bounded walk runs ``case`` (see :data:`SAMPLE_STRIDE`)."""
    if case.expect == "valid" or case in case.entry.extras or stride <= 1:
        return True
    return zlib.crc32(case.id.encode()) % stride == 0


def all_cases(full: bool | None = None) -> dict[str, Case]:
    """Every case of every entry, by id (``full``: the long run's extra values per kind).

    ``full=None`` reads ``SHEQUN_WALK_FULL`` (how the long run tells its workers).
    """
    if full is None:
        full = os.environ.get("SHEQUN_WALK_FULL", "") == "1"
    out: dict[str, Case] = {}
    for entry in ENTRIES.values():
        for case in entry.cases(full):
            if case.id in out and full and case in entry.extras:
                continue  # a hand-written case the long run's extra values also make
            assert case.id not in out, case.id
            out[case.id] = case
    return out


# ================================= names the engine-as-mechanisms and records/twin merges added
# fixtures: a small engine setup, the records it emits, what health() and the twin make of them
@cache
def dyn2() -> Any:
    from shequn.simulation import compile_dynamics

    return compile_dynamics(community(), om())


@cache
def sim_parameters() -> Any:
    from shequn.simulation import parameters

    return parameters("brand")


@cache
def record_tables() -> Any:
    from shequn.simulation import RecordTables
    from shequn.simulation.records import TABLES

    return RecordTables(tables={name: {} for name in TABLES})


@cache
def engine_setup() -> Any:
    from shequn.twin import EngineSetup

    return EngineSetup.of(community())


@cache
def records() -> Any:
    from shequn.twin import emit_records

    return emit_records(engine_setup(), weeks=6, rng=1)


@cache
def health_report() -> Any:
    from shequn.records import health

    return health(records())


@cache
def stage_history() -> Any:
    return records().stages()


@cache
def weekly() -> Any:
    return records().weekly()


@cache
def twin_truth() -> Any:
    # as the calibration doctest: 60 members over 6 weeks do not identify baseline_churn
    from shequn.community import generate_community
    from shequn.twin import EngineSetup

    return EngineSetup.of(generate_community("brand", 200, rng=0))


@cache
def twin_records() -> Any:
    from shequn.twin import emit_records

    return emit_records(twin_truth(), weeks=8, rng=1)


@cache
def twin() -> Any:
    from shequn.twin import calibrate

    return calibrate(
        twin_records(),
        free=("baseline_churn",),
        setup=twin_truth(),
        design=24,
        replications=2,
        pilot=8,
        draws=20,
        predictive=10,
        rng=0,
    )


def _silent() -> Any:
    from shequn.io.scenario import PRESETS

    return PRESETS["silent"]()


@cache
def strategies() -> Any:
    from shequn.twin import compare_strategies

    arms = {"a": om(), "b": _silent()}
    return compare_strategies(twin(), arms, weeks=2, runs=4, rng=0)


def _bad_values(e: Entry, field: str, good: dict[str, Any]) -> None:
    """Hand-written cases for a ``{name: value}`` mapping: an unknown name, bad values."""
    name, value = next(iter(good.items()))
    X(e, f"{field}=unknown_name", fields=(field, "nope"), **{field: {"nope": value}})
    for label, bad in (("nan", NAN), ("str", "0.5"), ("neg", -1.0), ("huge", 1e300)):
        X(e, f"{field}={label}", fields=(field, name), **{field: {name: bad}})


# --- simulation: parameters, flows, the compiled engine
E(
    "shequn.simulation.compile_dynamics",
    community=(L(community), "obj"),
    operating_model=(L(om), "obj"),
    profile=(None, "obj?"),
    economics=(None, "obj?"),
    mechanisms=(None, "obj?"),
    capacity=(None, "int1?"),
    nan_ok=_RATES_INF,
)
E("shequn.simulation.check_state", state=(L(state), "obj"), dynamics=(L(dynamics), "obj"))
X(
    ENTRIES["shequn.simulation.check_state"],
    "state=n_used_huge",
    fields=("state", "n_used"),
    state=L(lambda: attrs.evolve(state(), n_used=10**6)),
)
_e = E(
    "shequn.simulation.engine.run_batch",
    dynamics=(L(dyn2), "obj"),
    values=([{"baseline_churn": 0.0}, {"baseline_churn": 0.2}], None),
    weeks=(2, "runs"),
    rng=(1, "rng"),
    common_random_numbers=(True, "bool"),
    executor=(None, "executor"),
    progress=(None, "progress"),
    nan_ok=_TRAJ_NAN,
)
X(_e, "values=unknown_name", fields=("values", "nope"), values=[{"nope": 0.1}])
X(_e, "values=nan", fields=("values", "baseline_churn"), values=[{"baseline_churn": NAN}])
X(_e, "values=gt1", fields=("values", "baseline_churn"), values=[{"baseline_churn": 1.5}])
X(_e, "values=str", fields=("values",), values="abc")
_e = E(
    "shequn.simulation.Dynamics.with_parameters",
    on=dyn2,
    values=({"wom_conversion": 0.3, "baseline_churn": 0.01}, None),
    nan_ok=_RATES_INF,
)
_bad_values(_e, "values", {"wom_conversion": 0.3})
_e = E(
    "shequn.simulation.Dynamics.product_fit",
    on=dyn2,
    members=([1, 2], "carr"),
    products=([0, 1], "carr"),
    taste=(None, "farr?"),
    check=in_unit,
)
mismatched(_e, ("members", "products"))
X(_e, "members=out_of_range", fields=("members",), members=[10**6, 1])
X(_e, "products=out_of_range", fields=("products",), products=[0, 10**6])
E(
    "shequn.simulation.parameters",
    kind=("brand", "choice?"),
    profile=(None, "obj?"),
    mechanisms=(None, "obj?"),
    calibratable=(True, "bool"),
    nan_ok=("bounds",),  # an upper bound of inf: unbounded above
)
E("shequn.simulation.parameters.parameter_table", mechanism=("engagement", "choice"))
_e = E(
    "shequn.simulation.parameters.split_values",
    values=({"ladder_rates[2]": 0.1, "homophily": 0.5}, None),
    mechanisms=(L(lambda: lookup("shequn.simulation.Mechanisms")()), "obj"),
    profile=(L(lambda: lookup("shequn.simulation.profile_for")("brand")), "obj"),
    owner="with_parameters",
)
_bad_values(_e, "values", {"homophily": 0.5})
X(
    _e,
    "values=index_out_of_range",
    fields=("values", "ladder_rates"),
    values={"ladder_rates[9]": 0.1},
)
_e = E(
    "shequn.simulation.Parameters.values",
    on=sim_parameters,
    vector=(L(lambda: sim_parameters().defaults), "farr"),
)
X(_e, "vector=short", fields=("vector",), vector=[0.1])
E("shequn.simulation.Parameters.summary", on=sim_parameters)
E("shequn.simulation.Parameters.to_frame", on=sim_parameters, needs=("pandas",))
E(
    "shequn.simulation.Parameters",
    items=(L(lambda: sim_parameters().items), "obj"),
    nan_ok=("bounds",),
)
E(
    "shequn.simulation.Parameter",
    walk=False,  # a row of the table parameters() builds from the validated fields' specs
    name="relax",
    mechanism="engagement",
    unit="share / week",
    default=(0.1, "float"),
    bounds=((0.0, 1.0), None),
    source="assumed",
    where="Mechanisms",
)
_e = E(
    "shequn.simulation.Flow",
    name=("toys", "str"),
    unit=("items", "str"),
    meaning=("toys made this week", "str"),
    kind=("flow", "choice"),
    cost=(False, "bool"),
    marketing=(False, "bool"),
    start=(0.0, None),  # a float kind but for NaN, walked below
    width=(1, "int1"),
    mechanism=("", "str"),
    nan_ok=("start",),  # documented: a rate's row 0 is NaN (no value in week 0)
)
X(_e, "marketing_not_cost", fields=("marketing",), marketing=True)
X(_e, "start=nan", expect=EITHER, fields=("start",), start=NAN)
for _label, _bad in (("inf", INF), ("-inf", -INF), ("str", "0.5"), ("bool", True), ("none", None)):
    X(_e, f"start={_label}", fields=("start",), start=_bad)
X(_e, "start=list", fields=("start",), start=[0.5])
E("shequn.simulation.flows.column_table")
E("shequn.simulation.flows.cost_flows")
E("shequn.simulation.flows.marketing_flows")
_e = E("shequn.simulation.RecordTables", tables=(L(lambda: record_tables().tables), "obj"))
X(_e, "tables=missing_table", fields=("tables",), tables={"members": {}})
E("shequn.simulation.RecordTables.rows", on=record_tables, name=("members", "choice"))
E("shequn.simulation.RecordTables.summary", on=record_tables)
E("shequn.simulation.RecordTables.to_frames", on=record_tables, needs=("pandas",))
E("shequn.simulation.CrowdOutcome.summary", on=crowd_outcome)
_M = lambda: lookup("shequn.simulation.Mechanisms")()  # noqa: E731
E("shequn.simulation.Mechanisms.fields")
E("shequn.simulation.Mechanisms.types")
E("shequn.simulation.Mechanisms.values", on=_M)
E("shequn.simulation.Mechanisms.part", on=_M, mechanism=("ladder", "choice"))
_e = E("shequn.simulation.Mechanisms.replace", on=_M, values=({"relax": 0.2}, None))
_bad_values(_e, "values", {"relax": 0.2})
E("shequn.scenarios.ScenarioResult.conf_int", on=scenario, level=(0.95, "unit"))
E(
    "shequn.scenarios.behaviours.referral_rewards_cac",
    reward=(20.0, "nonneg"),
    budget=(400.0, "nonneg?"),
    runs=(2, "runs"),
    n=(200, "runs"),
    weeks=(4, "runs"),
    rng=(0, "rng"),
    executor=(None, "executor"),
    keep_trajectories=(False, "bool"),
    progress=(None, "progress"),
    nan_ok=_CAC,
)

# --- simulation.mechanisms: each mechanism's parameters (validated), its compiled rates and
# kernel records (NamedTuples the compiler builds from validated parameters: a valid call only)
_MECH = "shequn.simulation.mechanisms"
_KIND_OVERRIDE = {
    "broadcast_p": "prob?",
    "wom_q": "nonneg?",
    "open_rate": "callable?",
    "tie_rule": "obj",
    "fit_width": "pos",
}


def _param_kind(field: attrs.Attribute[Any]) -> str | None:
    """The walk kind of a mechanism parameter, read from its ParamSpec (bounds, low_open)."""
    from shequn.simulation.mechanisms._spec import spec_of

    if field.name in _KIND_OVERRIDE:
        return _KIND_OVERRIDE[field.name]
    spec = spec_of(field)
    if spec is None:
        return "obj"
    low, high = spec.bounds
    if isinstance(field.default, tuple):
        return "nnarr"
    if isinstance(field.default, int) and not isinstance(field.default, bool):
        return "int1" if low >= 1 else "int0"
    if (low, high) == (0.0, 1.0):
        return "prob"
    return "pos" if spec.low_open or low > 0 else "nonneg"


for _mod, _cls in (
    ("broadcast", "BroadcastParams"),
    ("content", "ContentParams"),
    ("crowdsourcing", "IdeaParams"),
    ("engagement", "EngagementParams"),
    ("events", "EventParams"),
    ("feedback", "FeedbackParams"),
    ("invitations", "InvitationParams"),
    ("ladder", "LadderParams"),
    ("leaders", "LeaderParams"),
    ("purchases", "PurchaseParams"),
    ("referral", "ReferralParams"),
    ("rules", "RuleParams"),
    ("tie_strength", "TieStrengthParams"),
    ("word_of_mouth", "WordOfMouthParams"),
):
    _path = f"{_MECH}.{_mod}.{_cls}"
    _fields = attrs.fields(lookup(_path))
    E(
        _path,
        **{
            f.name: (
                L(f.default.factory) if isinstance(f.default, attrs.Factory) else f.default,  # type: ignore[arg-type]
                _param_kind(f),
            )
            for f in _fields
        },
    )
X(
    ENTRIES[f"{_MECH}.ladder.LadderParams"],
    "ladder_rates=long",
    fields=("ladder_rates",),
    ladder_rates=[0.1] * 5,
)
X(
    ENTRIES[f"{_MECH}.purchases.PurchaseParams"],
    "repeat_rates=short",
    fields=("repeat_rates",),
    repeat_rates=[0.1],
)
X(
    ENTRIES[f"{_MECH}.referral.ReferralParams"],
    "referral_rate=short",
    fields=("referral_rate",),
    referral_rate=[0.1],
)
X(
    ENTRIES[f"{_MECH}.purchases.PurchaseParams"],
    "head_products>n_products",
    fields=("head_products", "n_products"),
    head_products=30,
)

for _mod, _cls in (
    ("broadcast", "BroadcastRates"),
    ("content", "ContentRates"),
    ("crowdsourcing", "IdeaRates"),
    ("engagement", "EngagementRates"),
    ("events", "EventRates"),
    ("feedback", "FeedbackRates"),
    ("invitations", "InvitationRates"),
    ("ladder", "LadderRates"),
    ("leaders", "LeaderRates"),
    ("money", "MoneyRates"),
    ("purchases", "PurchaseRates"),
    ("referral", "ReferralRates"),
    ("rules", "RuleRates"),
    ("tie_strength", "TieRates"),
    ("word_of_mouth", "WomRates"),
):
    _name = lookup(f"{_MECH}.{_mod}.NAME")
    _e = E(f"{_MECH}.{_mod}.{_cls}", walk=False)
    for _k in lookup(f"{_MECH}.{_mod}.{_cls}")._fields:  # (a field may be named `on`)
        _e.params[_k] = (L(lambda n=_name, k=_k: getattr(dyn2().rates[n], k)), None)
    if _name == "referral":  # a finite cap (the compiled one is inf without a budget)
        _e.params["cap"] = (20.0, None)
E(
    f"{_MECH}.broadcast.Sent",
    walk=False,
    sent=10,
    opened=3,
    precise=0.5,
    outsider_taste=None,
    outsider_product=None,
)
E(f"{_MECH}.content.ContentWeek", walk=False, gain=0.1, loss=0.05, p_triangle=0.2, conversion=0.02)
E(
    f"{_MECH}.events.Held",
    walk=False,
    events=1,
    attendees=2,
    meetings=1,
    new_a=np.array([0]),
    new_b=np.array([1]),
    who=np.array([0, 1]),
    block=np.array([0, 0]),
)
_e = E(
    f"{_MECH}.crowdsourcing.ideas",
    r=(L(lambda: dyn2().rates["crowdsourcing"]), None),
    fan_engagement=(3.0, "nonneg"),
    gen=(L(lambda: np.random.default_rng(0)), None),
    check=nonnegative,
)
_e = E(
    f"{_MECH}.purchases.fit",
    r=(L(lambda: dyn2().rates["purchases"]), None),
    taste=(L(lambda: dyn2().taste[:2]), None),
    products=([0, 1], "carr"),
    check=in_unit,
)
X(_e, "products=out_of_range", fields=("products",), products=[0, 10**6])
E(
    f"{_MECH}.referral.response",
    params=(L(lambda: lookup(f"{_MECH}.referral.ReferralParams")()), "obj"),
    reward=(10.0, "nonneg"),
    check=in_unit,
)

# --- records
# documented NaN: a spell's end while the member is still there, a tie formed before the start
_LEFT = ("left", "formed")
# documented NaN: ladder intervals of a stage never left; a group too small to fit or value
_HEALTH_NAN = ("lower", "upper", "rows", "worth", "other_clv", "member_clv", "p_value", "lr")
_RMEMBERS = {"member": [1, 2, 3], "joined": [0, 0, 1.5], "left": [None, 2.2, None]}
_RTX = {"customer": [1, 1, 3], "time": [0.5, 2.0, 2.5], "amount": [10.0, 20.0, 5.0]}
_e = E(
    "shequn.records.load.load_records",
    source=(None, None),
    members=(_RMEMBERS, "obj"),
    ties=({"a": [1], "b": [2]}, "obj?"),
    transactions=(_RTX, "obj?"),
    on_error=("raise", "choice"),
    nan_ok=_LEFT,
)
X(_e, "members=nan_joined", fields=("joined",), members={"member": [1, 2], "joined": [0, NAN]})
X(  # a repeated id is a second spell: overlapping spells are refused
    _e,
    "members=overlapping_spells",
    fields=("joined",),
    members={"member": [1, 1], "joined": [0, 0]},
)
X(_e, "ties=unknown_member", fields=("ties", "b", "unknown"), ties={"a": [1], "b": [99]})
X(_e, "ties=self", fields=("ties", "a", "b"), ties={"a": [1], "b": [1]})
X(
    _e,
    "transactions=inf_amount",
    fields=("amount",),
    transactions={"customer": [1], "time": [0.5], "amount": [INF]},
)
X(
    _e,
    "transactions=neg_time",
    EITHER,
    transactions={"customer": [1], "time": [-5.0], "amount": [1.0]},
)
X(
    _e,
    "source=missing_dir",
    fields=("source",),
    source=L(lambda: os.path.join(tmpdir(), "no-such-dir")),
    members=None,
)
E("shequn.records.derive.week_of", times=([-1.0, 0.0, 0.2, 1.0, 1.5], "farr"), check=None)
E(
    "shequn.records.health",
    records=(L(records), "obj"),
    model=("bgnbd", "choice"),
    months=(12, "runs"),
    discount_rate=(0.01, "nonneg"),
    launch_seeds=(10, "int1"),
    membership=("records", "choice"),
    stage_rule=(None, "obj?"),
    level=(0.95, "unit"),
    nan_ok=_HEALTH_NAN,
)


@cache
def effect_rfm() -> Any:
    from shequn.loyalty import BGNBD, RFMSummary

    x1, t1, T1 = BGNBD(r=0.5, alpha=4.0, a=0.5, b=4.0).sample(300, 26.0, rng=1)
    x2, t2, T2 = BGNBD(r=0.5, alpha=12.0, a=0.5, b=1.5).sample(300, 26.0, rng=2)
    return RFMSummary(
        customer_ids=np.arange(600),
        frequency=np.r_[x1, x2],
        recency=np.r_[t1, t2],
        T=np.r_[T1, T2],
        monetary=np.zeros(600),
        first_purchase=np.zeros(600, dtype=np.int64),
    )


_e = E(
    "shequn.records.health.membership_effect",
    rfm=(L(effect_rfm), "obj"),
    is_member=(L(lambda: np.arange(600) < 300), None),
    model=("bgnbd", "choice"),
    horizon=(52.0, "pos"),
    nan_ok=_HEALTH_NAN,
)
X(_e, "is_member=short", fields=("is_member",), is_member=L(lambda: np.arange(10) < 5))
X(_e, "is_member=all", EITHER, is_member=L(lambda: np.ones(600, bool)))
E(
    "shequn.records.Column",
    walk=False,
    name="member",
    kind="id",
    required=True,
    meaning="a member's id",
)
E(
    "shequn.records.Problem",
    walk=False,
    kind="bad_value",
    table="members",
    origin="members.csv",
    row=2,
    column="joined",
    value="x",
    rule="a time",
)
result_entry("shequn.records.LoadReport", lambda: records().report, None)
E("shequn.records.LoadReport.of_kind", on=lambda: records().report, kind=("bad_value", "choice"))
E("shequn.records.LoadReport.summary", on=lambda: records().report)
result_entry("shequn.records.Records", records, None, nan_ok=_LEFT)
E(
    "shequn.records.Records.community",
    on=records,
    at=(None, "nonneg?"),
    weight=("unit", "choice"),
    kind=(None, "choice?"),
    rng=(0, "rng"),
)
E("shequn.records.Records.groups_at", on=records, at=(None, "nonneg?"))
_e = E(
    "shequn.records.Records.index_of", on=records, ids=(L(lambda: records().member_ids[:3]), None)
)
X(_e, "ids=unknown", fields=("ids",), ids=[-12345])
E("shequn.records.Records.present", on=records, at=(2.0, "nonneg"))
E(
    "shequn.records.Records.rfm",
    on=records,
    calibration_end=(None, "pos?"),
    members_only=(False, "bool"),
)
E("shequn.records.Records.stages", on=records, rule=(None, "obj?"))
E("shequn.records.Records.strong_ties", on=records, rule=(None, "obj?"))
E("shequn.records.Records.summary", on=records)
E("shequn.records.Records.to_csv", on=records, directory=(L(lambda: store_path("-csv")()), "wpath"))
E("shequn.records.Records.to_tables", on=records)
E("shequn.records.Records.weekly", on=records)
E(
    "shequn.records.StageRule",
    repeat_weeks=(2, "int1"),
    fan_window=(4, "int1"),
    fan_active_weeks=(2, "int1"),
    tie_rule=(L(lambda: lookup("shequn.loyalty.TieRule")()), "obj"),
)
X(
    ENTRIES["shequn.records.StageRule"],
    "fan_active_weeks>fan_window",
    fields=("fan_active_weeks", "fan_window"),
    fan_active_weeks=5,
)
_e = E(
    "shequn.records.StageHistory",
    stages=(L(lambda: np.array([[1, 2, 2], [1, 1, 5]], dtype=np.int8)), None),
    source=("rule", "choice"),
)
X(_e, "stages=out_of_range", fields=("stages",), stages=L(lambda: np.array([[1, 9]], np.int8)))
X(_e, "stages=1d", fields=("stages",), stages=L(lambda: np.array([1, 2], np.int8)))
E("shequn.records.StageHistory.counts", on=stage_history, check=nonnegative)
E("shequn.records.StageHistory.ladder", on=stage_history, level=(0.95, "unit"), nan_ok=_HEALTH_NAN)
E("shequn.records.StageHistory.names", on=stage_history, week=(1, "int0"))
X(ENTRIES["shequn.records.StageHistory.names"], "week=past_end", fields=("week",), week=10**6)
E("shequn.records.StageHistory.summary", on=stage_history)
E("shequn.records.StageHistory.to_frame", on=stage_history, needs=("pandas",))
_e = E("shequn.records.WeeklySeries", columns=({"members": [3, 4, 4], "joins": [0, 1, 0]}, "obj"))
X(_e, "columns=ragged", fields=("columns",), columns={"members": [3, 4], "joins": [0]})
X(_e, "columns=nan", fields=("columns", "members"), columns={"members": [3, NAN]})
_e = E(
    "shequn.records.WeeklySeries.select",
    on=weekly,
    names=(["members"], "obj"),
    weeks=(None, "int1?"),
)
X(_e, "names=unknown", fields=("names", "name"), names=["nope"])
_e = E(
    "shequn.records.WeeklySeries.check_names",
    on=weekly,
    names=(["members"], "obj"),
    owner=("plot_weekly", None),
)
X(_e, "names=unknown", fields=("names",), names=["nope"])
E("shequn.records.WeeklySeries.summary", on=weekly)
E("shequn.records.WeeklySeries.to_frame", on=weekly, needs=("pandas",))
result_entry("shequn.records.HealthReport", health_report, None, nan_ok=_HEALTH_NAN)
E("shequn.records.HealthReport.ladder_moves", on=health_report)
E(
    "shequn.records.HealthReport.members_vs_others",
    on=health_report,
    nan_ok=_HEALTH_NAN,
)
E("shequn.records.HealthReport.summary", on=health_report, nan_ok=_HEALTH_NAN)
E(
    "shequn.records.HealthReport.to_frame",
    on=health_report,
    kind=("structure", "choice"),
    needs=("pandas",),
)
E("shequn.records.HealthReport.to_html", on=health_report)

# --- twin
E("shequn.twin.parameters", setup=(None, "obj?"))
E(
    "shequn.twin.ParameterSpec",
    walk=False,
    name="peer_talk",
    owner="profile",
    unit="per week",
    low=0.0,
    high=1.0,
    scale="linear",
    meaning="talk",
)
result_entry("shequn.twin.EngineSetup", engine_setup, None)
E("shequn.twin.EngineSetup.compile", on=engine_setup, nan_ok=_RATES_INF)
E(
    "shequn.twin.EngineSetup.of",
    community=(L(community), "obj"),
    operating_model=(None, "obj?"),
    profile=(None, "obj?"),
    mechanisms=(None, "obj?"),
    economics=(None, "obj?"),
    capacity=(None, "int1?"),
)
_e = E(
    "shequn.twin.build",
    setup=(L(engine_setup), "obj"),
    values=({"baseline_churn": 0.05}, None),
    nan_ok=_RATES_INF,  # the setup keeps its compiled Dynamics
)
_bad_values(_e, "values", {"baseline_churn": 0.05})
E(
    "shequn.twin.observe_run",
    setup=(L(engine_setup), "obj"),
    weeks=(3, "runs"),
    rng=(1, "rng"),
)
E(
    "shequn.twin.emit_records",
    setup=(L(engine_setup), "obj"),
    weeks=(4, "runs"),
    rng=(1, "rng"),
    tastes=(False, "bool"),
    nan_ok=_LEFT,
)
E(
    "shequn.twin.calibration.twin_setup",
    records=(L(records), "obj"),
    kind=(None, "choice?"),
    operating_model=(None, "obj?"),
    economics=(None, "obj?"),
    profile=(None, "obj?"),
    mechanisms=(None, "obj?"),
    hooks=(("open_rate",), None),
    rng=(0, "rng"),
)
_e = E(
    "shequn.twin.calibrate",
    records=(L(twin_records), "obj"),
    free=(("baseline_churn",), None),
    setup=(L(twin_truth), "obj?"),
    method=("msm", "choice"),
    replications=(2, "runs"),
    pilot=(8, "runs"),
    design=(24, "runs?"),  # None: the default design size
    draws=(20, "runs"),
    predictive=(10, "runs"),
    level=(0.9, "unit"),
    executor=(None, "executor"),
    rng=(0, "rng"),
)
X(_e, "free=unknown", fields=("free", "nope"), free=("nope",))
X(_e, "free=empty", fields=("free",), free=())
X(_e, "fixed=outside_range", fields=("fixed", "peer_talk"), fixed={"peer_talk": 5.0})
X(_e, "series=unknown", fields=("series", "nope"), series=("nope",))
X(_e, "weeks=beyond_records", fields=("weeks",), weeks=100)
result_entry("shequn.twin.Twin", twin, None)
E("shequn.twin.Twin.conf_int", on=twin, level=(None, "unit?"))
E("shequn.twin.Twin.parameters", on=twin)
E(
    "shequn.twin.Twin.predict",
    on=twin,
    weeks=(3, "runs"),
    runs=(5, "runs"),
    observed=(None, "obj?"),
    executor=(None, "executor"),
    rng=(0, "rng"),
)
_e = E("shequn.twin.Twin.setup_at", on=twin, values=(None, None), nan_ok=_RATES_INF)
_bad_values(_e, "values", {"baseline_churn": 0.05})
E("shequn.twin.Twin.summary", on=twin)
E("shequn.twin.Twin.to_frame", on=twin, kind=("parameters", "choice"), needs=("pandas",))
result_entry("shequn.twin.Predictive", lambda: twin().predictive, None)
E("shequn.twin.Predictive.inside", on=lambda: twin().predictive, weeks=(None, None))
E("shequn.twin.Predictive.summary", on=lambda: twin().predictive)
E("shequn.twin.Predictive.to_frame", on=lambda: twin().predictive, needs=("pandas",))
_e = E(
    "shequn.twin.compare.compare_strategies",
    twin=(L(twin), "obj"),
    arms=(L(lambda: {"a": om(), "b": _silent()}), None),
    weeks=(2, "runs"),
    runs=(4, "runs"),
    level=(0.95, "unit"),
    executor=(None, "executor"),
    rng=(0, "rng"),
    nan_ok=_CAC,
)
X(_e, "arms=empty", fields=("arms",), arms={})
X(_e, "arms=not_a_model", fields=("arms", "a"), arms={"a": "abc"})
result_entry("shequn.twin.StrategyComparison", strategies, None, nan_ok=_CAC)
for _m in ("contrasts", "expected", "p_best", "result"):
    E(f"shequn.twin.StrategyComparison.{_m}", on=strategies, metric=("profit", "choice"))
# the contrast rows have no P(best): NaN by design
E("shequn.twin.StrategyComparison.summary", on=strategies, nan_ok=(*_CAC, "rows"))
E("shequn.twin.StrategyComparison.to_frame", on=strategies, needs=("pandas",))
E("shequn.twin.StrategyComparison.to_html", on=strategies)

# --- plotting of records and the twin
for _path, _kw in (
    ("shequn.plotting.records.health_figures", {"report": (L(health_report), "obj")}),
    ("shequn.plotting.records.health_section", {"report": (L(health_report), "obj")}),
    (
        "shequn.plotting.records.plot_health",
        {"report": (L(health_report), "obj"), "kind": ("series", "choice")},
    ),
    ("shequn.plotting.records.plot_stages", {"history": (L(stage_history), "obj")}),
    ("shequn.plotting.records.plot_weekly", {"series": (L(weekly), "obj")}),
    (
        "shequn.plotting.twin.plot_bands",
        {"pred": (L(lambda: twin().predictive), "obj"), "series": ("members", "choice")},
    ),
    (
        "shequn.plotting.twin.plot_posterior",
        {"twin": (L(twin), "obj"), "parameter": (None, "choice?")},
    ),
    ("shequn.plotting.twin.plot_strategies", {"result": (L(strategies), "obj")}),
    ("shequn.plotting.twin.plot_twin", {"twin": (L(twin), "obj"), "series": (None, "choice?")}),
    ("shequn.plotting.twin.twin_section", {"twin": (L(twin), "obj")}),
):
    E(_path, **_kw, needs=("matplotlib",), check=_close_figures)

_MECH_CONSTANTS = {
    "broadcast": ("FLOWS", "NAME", "PROFILE_FIELDS"),
    "content": ("FLOWS", "NAME", "PROFILE_FIELDS"),
    "crowdsourcing": ("FLOWS", "NAME"),
    "engagement": ("NAME", "PROFILE_FIELDS"),
    "events": ("FLOWS", "NAME"),
    "feedback": ("FLOWS", "NAME"),
    "invitations": ("FLOWS", "NAME", "PROFILE_FIELDS"),
    "ladder": ("FLOWS", "NAME", "PROFILE_FIELDS"),
    "leaders": ("NAME", "PROFILE_FIELDS"),
    "money": ("FLOWS", "NAME"),
    "purchases": ("FLOWS", "NAME"),
    "referral": ("FLOWS", "NAME"),
    "rules": ("FLOWS", "NAME"),
    "tie_strength": ("FLOWS", "NAME", "NESTED"),
    "word_of_mouth": ("FLOWS", "NAME", "PROFILE_FIELDS"),
}
EXEMPT.update(
    {
        **{
            f"{_MECH}.{m}.{c}": "a constant (a mechanism's name, flows or profile fields)"
            for m, cs in _MECH_CONSTANTS.items()
            for c in cs
        },
        "shequn.simulation.FLOWS": "a constant (the engine's flow table)",
        "shequn.simulation.COLUMNS": "a constant (the trajectory's columns)",
        "shequn.simulation.MECHANISMS": "a registry (the mechanism modules, in order)",
        "shequn.simulation.flows.DERIVED": "a constant",
        "shequn.simulation.flows.ENGINE_FLOWS": "a constant",
        "shequn.simulation.flows.STOCKS": "a constant",
        "shequn.simulation.flows.F": "an enum (the flow columns' indices)",
        "shequn.simulation.records.STAGE_NAMES": "a constant",
        "shequn.simulation.records.TABLES": "a constant",
        "shequn.simulation.state.FAR": "a constant",
        "shequn.records.PROBLEM_KINDS": "a constant",
        "shequn.records.SCHEMA": "a constant (the records' columns)",
        "shequn.records.SERIES": "a constant",
        "shequn.records.TABLES": "a constant",
        "shequn.records.schema.GROUP_ROLES": "a constant",
        "shequn.records.schema.INVITATIONS": "a constant",
        "shequn.records.schema.MEMBER_ROLES": "a constant",
        "shequn.twin.DEFAULT_FREE": "a constant",
        "shequn.twin.DEFAULT_SERIES": "a constant",
        "shequn.twin.ENGINE_PARAMETERS": "a constant (the calibratable parameters' table)",
        "shequn.twin.METRICS": "a constant",
        "shequn.twin.OBSERVED": "a constant",
    }
)
