"""The eleven seed behaviours of concepts.md §7 as named Monte Carlo comparisons.

Each function builds its comparison from library defaults (a generated community of the stated
type, :class:`~shequn.operating.OperatingModel` defaults, the type's profile), runs ``runs``
replications through :func:`shequn.rng.map_runs` (each replication draws its own community
and runs every arm on it with common random numbers), and returns a
:class:`~shequn.scenarios.result.ScenarioResult` with per-arm metrics and the contrasts the
behaviour predicts to be positive, each with a 95 % confidence interval.

Nothing here tells the engine which scenario is running: every arm is an ordinary
``simulate`` call with a different operating model.

Examples
--------
>>> from shequn.scenarios import open_rate_vs_audience
>>> r = open_rate_vs_audience(runs=3, n=300, rng=0)
>>> r.holds, r.arms
(True, ('small list', 'large list'))
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._progress import Progress, ProgressLike
from shequn._validation import check_bool, check_int, check_memory, check_nonnegative
from shequn.community.generators import generate_community
from shequn.community.types import InvitePolicy
from shequn.economics.money import Economics
from shequn.exceptions import ConvergenceError, ShequnWarning
from shequn.loyalty.stages import Stage
from shequn.operating.model import Connectivity, Content, OperatingModel, Structure, Tools
from shequn.rng import RNGLike, map_runs, spawn_seeds
from shequn.scenarios.result import Contrast, ScenarioResult
from shequn.simulation.engine import simulate
from shequn.simulation.trajectory import Trajectory

__all__ = [
    "SCENARIOS",
    "broadcast_vs_wom_cac",
    "ladder_climb",
    "leader_departure",
    "niche_share_wom_vs_broadcast",
    "offline_meetings_and_churn",
    "one_to_many_vs_mesh",
    "open_rate_vs_audience",
    "open_vs_owner_invitations",
    "referral_rewards_cac",
    "rule_strictness_inverted_u",
    "small_quality_vs_large_account",
    "steady_vs_bursty",
]

RunOut = tuple[tuple[float, ...], tuple[Trajectory, ...]]


def _weekly_marketing(t: Trajectory) -> float:
    return float(t.marketing_costs[-1] / t.weeks)


def _sim(
    kind: str,
    n: int,
    weeks: int,
    oms: Sequence[OperatingModel],
    *,
    rng: np.random.Generator,
) -> tuple[Trajectory, ...]:
    c = generate_community(kind, n, rng=rng)
    seed = int(rng.integers(2**63))
    return tuple(simulate(c, om, weeks=weeks, rng=seed) for om in oms)


def _finish(
    name: str,
    behaviour: str,
    seed: str,
    metric: str,
    arms: tuple[str, ...],
    outs: list[RunOut],
    contrasts: Sequence[tuple[str, Callable[[NDArray[Any]], NDArray[Any]]]],
    keep: bool,
) -> ScenarioResult:
    values = np.array([o[0] for o in outs], dtype=float)
    undefined = int(np.count_nonzero(~np.isfinite(values).all(axis=1)))
    if undefined:
        warnings.warn(
            f"{name}: the metric ({metric}) is undefined in {undefined} of {len(outs)} runs "
            "(e.g. no customer won: no niche share); the contrasts use the runs where it is "
            "defined; use more members or weeks",
            ShequnWarning,
            stacklevel=3,
        )
    cons = []
    for label, fn in contrasts:
        defined = _finite(fn(values))
        if defined.size < 2:
            raise ConvergenceError(
                f"{name}: the contrast {label!r} is defined in {defined.size} of {len(outs)} "
                f"runs (the metric, {metric}, is undefined in the others) and needs at least 2 "
                "for a confidence interval; use more members, weeks or runs"
            )
        cons.append(Contrast.of(label, defined))
    trajs = tuple(o[1] for o in outs) if keep else None
    return ScenarioResult(
        name=name,
        behaviour=behaviour,
        seed=seed,
        metric=metric,
        arms=arms,
        values=values,
        contrasts=tuple(cons),
        trajectories=trajs,
    )


def _finite(values: NDArray[Any]) -> NDArray[Any]:
    v: NDArray[Any] = np.asarray(values, dtype=float)
    out: NDArray[Any] = v[np.isfinite(v)]
    return out


def _replicate(
    fn: Callable[..., RunOut],
    runs: int,
    rng: RNGLike,
    executor: Executor | None,
    owner: str,
    *,
    progress: ProgressLike = None,
    keep: bool = False,
) -> list[RunOut]:
    runs = check_int(runs, owner=owner, field="runs", low=2)
    _check_keep(keep, owner=owner)
    # what the result holds at once: each run's metrics, and its trajectories when kept
    per_run = 64.0 + (_TRAJECTORY_BYTES * _weeks_of(fn) * 3 if keep else 0.0)
    check_memory(per_run * runs, owner=owner, field="runs", value=runs)
    bar = Progress(progress, total=runs, owner=owner)
    if not bar.active:
        return map_runs(fn, runs=runs, rng=rng, executor=executor, owner=owner)
    # the same streams as map_runs (one spawned child per run), reported as runs finish
    seeds = spawn_seeds(rng, runs, owner=owner)
    out: list[RunOut] = []
    try:
        if executor is None:
            for s in seeds:
                out.append(fn(rng=np.random.default_rng(s)))
                bar.update(1)
        else:
            futures = [executor.submit(_one_run, fn, s) for s in seeds]
            for fut in futures:
                out.append(fut.result())
                bar.update(1)
    finally:
        bar.close()
    return out


def _check_keep(keep: Any, *, owner: str) -> bool:
    """Refuse a ``keep_trajectories`` that is not ``True`` or ``False`` (a string is truthy)."""
    return check_bool(keep, owner=owner, field="keep_trajectories")


def _one_run(fn: Callable[..., RunOut], seed: np.random.SeedSequence) -> RunOut:
    return fn(rng=np.random.default_rng(seed))


def _weeks_of(fn: Any) -> float:
    return float(getattr(fn, "keywords", {}).get("weeks", 52)) + 1.0


_TRAJECTORY_BYTES = 16.0 * 100
"""Bytes a trajectory keeps per week (about 100 columns)."""


def _check_size(owner: str, n: int, weeks: int) -> tuple[int, int]:
    n = check_int(n, owner=owner, field="n", low=50)
    weeks = check_int(weeks, owner=owner, field="weeks", low=1)
    # a run holds a community and its state (about 600 bytes a member with its ties) and
    # each arm's trajectory
    check_memory(600.0 * n, owner=owner, field="n", value=n)
    check_memory(_TRAJECTORY_BYTES * (weeks + 1) * 3, owner=owner, field="weeks", value=weeks)
    return n, weeks


# ---------------------------------------------------------------------------------- 1
def _one_to_many_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    c = generate_community("brand", n, rng=rng)
    seed = int(rng.integers(2**63))
    mesh = simulate(c, OperatingModel(), weeks=weeks, rng=seed)
    budget = _weekly_marketing(mesh)
    star = simulate(c, OperatingModel.broadcast_only(budget=budget), weeks=weeks, rng=seed)
    return (float(mesh.retention[-1]), float(star.retention[-1])), (mesh, star)


def one_to_many_vs_mesh(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """1. A one-to-many member card with SMS keeps fewer members than a mesh (seed 000).

    Arms: the default operating model (group chat, content, events) and
    :meth:`OperatingModel.broadcast_only` with the mesh's own weekly spend as SMS budget, on
    the same brand community. Metric: share of week-0 members still present after ``weeks``.

    Examples
    --------
    >>> r = one_to_many_vs_mesh(runs=2, n=200, weeks=8, rng=1)
    >>> r.arms
    ('mesh', 'star (SMS)')
    """
    n, weeks = _check_size("one_to_many_vs_mesh", n, weeks)
    outs = _replicate(
        functools.partial(_one_to_many_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "one_to_many_vs_mesh",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "one_to_many_vs_mesh",
        "one-to-many (member card + SMS) keeps fewer members than a many-to-many mesh "
        "on the same budget",
        "000",
        f"retention after {weeks} weeks",
        ("mesh", "star (SMS)"),
        outs,
        [("mesh − star", lambda v: v[:, 0] - v[:, 1])],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 2
def _open_rate_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    small = OperatingModel.broadcast_only(budget=0.1 * n * 0.05)
    large = OperatingModel.broadcast_only(budget=0.8 * n * 0.05)
    a, b = _sim("brand", n, weeks, (small, large), rng=rng)
    return (
        float(np.nanmean(a.column("open_rate")[1:])),
        float(np.nanmean(b.column("open_rate")[1:])),
    ), (a, b)


def open_rate_vs_audience(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 4,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """2. The larger the follower base, the lower the open rate (seed 001).

    Arms: SMS to 10 % vs 80 % of the member list (budget / ¥0.05 per message). The list is
    ranked by interest, the order in which followers gather; each opens with probability equal
    to their interest. Metric: mean weekly open rate.

    Examples
    --------
    >>> open_rate_vs_audience(runs=2, n=200, rng=0).contrasts[0].label
    'small − large'
    """
    n, weeks = _check_size("open_rate_vs_audience", n, weeks)
    outs = _replicate(
        functools.partial(_open_rate_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "open_rate_vs_audience",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "open_rate_vs_audience",
        "larger follower base, lower open rate",
        "001",
        "open rate",
        ("small list", "large list"),
        outs,
        [("small − large", lambda v: v[:, 0] - v[:, 1])],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 3
def _small_large_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    base = OperatingModel()
    small = attrs.evolve(
        base, connectivity=Connectivity(product_visibility=0.1), content=Content(quality=0.95)
    )
    large = attrs.evolve(
        base, connectivity=Connectivity(product_visibility=0.3), content=Content(quality=0.3)
    )
    a, b = _sim("brand", n, weeks, (small, large), rng=rng)
    return (
        float(a.column("content_reach")[1:].mean()),
        float(b.column("content_reach")[1:].mean()),
    ), (a, b)


def small_quality_vs_large_account(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 12,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """3. A small account with excellent content out-reaches a large one (seed 001).

    Arms: followers 10 % of members with quality 0.95 vs 30 % with quality 0.3. Reposts form
    a branching process whose offspring rises with quality. Metric: readers per week (direct
    opens plus three hops of reposts).

    Examples
    --------
    >>> small_quality_vs_large_account(runs=2, n=200, weeks=2, rng=0).metric
    'readers per week'
    """
    n, weeks = _check_size("small_quality_vs_large_account", n, weeks)
    outs = _replicate(
        functools.partial(_small_large_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "small_quality_vs_large_account",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "small_quality_vs_large_account",
        "a small account with high-quality content out-reaches a large account",
        "001",
        "readers per week",
        ("small, quality 0.95", "large, quality 0.3"),
        outs,
        [("small − large", lambda v: v[:, 0] - v[:, 1])],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 4
def _meetings_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    (t,) = _sim("brand", n, weeks, (OperatingModel(),), rng=rng)
    c = t.columns
    weak = float(c["left_weak"].sum() / max(c["at_risk_weak"].sum(), 1))
    strong = float(c["left_strong"].sum() / max(c["at_risk_strong"].sum(), 1))
    return (weak, strong), (t,)


def offline_meetings_and_churn(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """4. Members with three or more offline meetings with someone churn less (seed 004).

    One arm (default operating model, monthly events per group): weekly churn rate of members
    without any strong tie vs members with one (a tie with >= 3 meetings), pooled over weeks.

    Examples
    --------
    >>> offline_meetings_and_churn(runs=2, n=300, weeks=4, rng=0).arms
    ('no strong tie', 'strong tie (>= 3 meetings)')
    """
    n, weeks = _check_size("offline_meetings_and_churn", n, weeks)
    outs = _replicate(
        functools.partial(_meetings_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "offline_meetings_and_churn",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "offline_meetings_and_churn",
        "members with three or more offline meetings churn less",
        "004",
        "weekly churn rate",
        ("no strong tie", "strong tie (>= 3 meetings)"),
        outs,
        [("weak − strong", lambda v: v[:, 0] - v[:, 1])],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 5
def _strictness_run(
    *, rng: np.random.Generator, n: int, weeks: int, levels: tuple[float, ...]
) -> RunOut:
    oms = [attrs.evolve(OperatingModel(), tools=Tools(rule_strictness=s)) for s in levels]
    ts = _sim("brand", n, weeks, oms, rng=rng)
    return tuple(float(t.retention[-1]) for t in ts), ts


def rule_strictness_inverted_u(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """5. Retention is an inverted U in rule strictness (seed 002).

    Arms: strictness 0, 0.5, 1. Loose rules let disorder drive disengaged members out and noise
    erode engagement; strict rules burden them and get breakers removed. Metric: retention.
    Contrasts: middle − loose and middle − strict.

    Examples
    --------
    >>> len(rule_strictness_inverted_u(runs=2, n=200, weeks=4, rng=0).contrasts)
    2
    """
    n, weeks = _check_size("rule_strictness_inverted_u", n, weeks)
    levels = (0.0, 0.5, 1.0)
    outs = _replicate(
        functools.partial(_strictness_run, n=n, weeks=weeks, levels=levels),
        runs,
        rng,
        executor,
        "rule_strictness_inverted_u",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "rule_strictness_inverted_u",
        "retention is an inverted U in rule strictness",
        "002",
        f"retention after {weeks} weeks",
        ("strictness 0", "strictness 0.5", "strictness 1"),
        outs,
        [
            ("middle − loose", lambda v: v[:, 1] - v[:, 0]),
            ("middle − strict", lambda v: v[:, 1] - v[:, 2]),
        ],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 6
def _leader_run(*, rng: np.random.Generator, n: int, weeks: int, leave: int) -> RunOut:
    stay = OperatingModel()
    gone = attrs.evolve(stay, structure=Structure(leader_leaves_at=leave))
    a, b = _sim("leader", n, weeks, (stay, gone), rng=rng)
    tail = max(1, weeks // 4)
    return (
        float(a.column("messages")[-tail:].mean()),
        float(b.column("messages")[-tail:].mean()),
    ), (a, b)


def leader_departure(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """6. A leader-centred community loses most of its activity when the leader leaves (seed 001).

    Arms: a leader-centred community whose leader stays vs leaves at week ``weeks // 4``.
    Metric: member-member messages per week over the last quarter. Contrast: the share of
    activity lost minus one half (positive: "most" is lost).

    Examples
    --------
    >>> leader_departure(runs=2, n=200, weeks=8, rng=0).contrasts[0].label
    'share lost − 0.5'
    """
    n, weeks = _check_size("leader_departure", n, weeks)
    outs = _replicate(
        functools.partial(_leader_run, n=n, weeks=weeks, leave=max(1, weeks // 4)),
        runs,
        rng,
        executor,
        "leader_departure",
        progress=progress,
        keep=keep_trajectories,
    )

    def lost(v: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(1.0 - v[:, 1] / np.maximum(v[:, 0], 1e-12) - 0.5)

    return _finish(
        "leader_departure",
        "a leader-centred community loses most of its activity when the leader leaves",
        "001",
        "messages per week (last quarter)",
        ("leader stays", "leader leaves"),
        outs,
        [("share lost − 0.5", lost)],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 7
def _cac(t: Trajectory) -> float:
    won = float(t.column("new_customers").sum())
    return float(t.marketing_costs[-1] / max(won, 1.0))


def _cac_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    c = generate_community("brand", n, rng=rng)
    seed = int(rng.integers(2**63))
    mesh = simulate(c, OperatingModel(), weeks=weeks, rng=seed)
    ads = simulate(
        c,
        OperatingModel.broadcast_only(budget=_weekly_marketing(mesh), audience="market"),
        weeks=weeks,
        rng=seed,
    )
    return (_cac(ads), _cac(mesh)), (ads, mesh)


def broadcast_vs_wom_cac(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """7. Per customer acquired, broadcast ads cost far more than community word of mouth (000).

    Arms: mass advertising to the market (``broadcast_audience="market"``) vs the default
    community, each spending the community's weekly budget. Metric: marketing cost per customer
    won (with zero customers the cost is divided by one: a lower bound). Contrast: log ratio
    ads / community (positive: ads cost more).

    Examples
    --------
    >>> broadcast_vs_wom_cac(runs=2, n=200, weeks=4, rng=0).arms
    ('mass ads', 'community')
    """
    n, weeks = _check_size("broadcast_vs_wom_cac", n, weeks)
    outs = _replicate(
        functools.partial(_cac_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "broadcast_vs_wom_cac",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "broadcast_vs_wom_cac",
        "per customer acquired, broadcast ads cost far more than community word of mouth",
        "000",
        "marketing cost per customer won",
        ("mass ads", "community"),
        outs,
        [("log(ads / community)", lambda v: np.log(v[:, 0] / v[:, 1]))],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 8
def _niche_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    c = generate_community("brand", n, rng=rng)
    seed = int(rng.integers(2**63))
    mesh = simulate(c, OperatingModel(), weeks=weeks, rng=seed)
    bc = simulate(
        c, OperatingModel.broadcast_only(budget=_weekly_marketing(mesh)), weeks=weeks, rng=seed
    )
    return (_niche_share(mesh), _niche_share(bc)), (mesh, bc)


def _niche_share(t: Trajectory) -> float:
    """Niche share of first purchases, 0 when nobody was won (no niche adoption)."""
    first = float(t.columns["first_units"].sum())
    return float(t.columns["first_niche_units"].sum()) / first if first else 0.0


def _nobody_won(outs: list[RunOut], arms: tuple[str, ...]) -> str:
    counts = [
        sum(1 for o in outs if not float(o[1][i].columns["first_units"].sum()))
        for i in range(len(arms))
    ]
    return ", ".join(
        f"{a} in {k} of {len(outs)} runs" for a, k in zip(arms, counts, strict=True) if k
    )


def niche_share_wom_vs_broadcast(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """8. Community word of mouth raises the niche share of sales vs broadcast (seed 000).

    Arms: the default community vs broadcast only (same weekly budget). Broadcast features
    products by popularity (Zipf); word of mouth carries the product the talking friend owns,
    which fits that friend's taste. Metric: share of customers won whose product is outside the
    head (the two most popular products). A run in which an arm wins no customer counts as no
    niche adoption (share 0, not the undefined 0/0), with a :class:`ShequnWarning` saying how
    often: so a run where neither arm wins anyone adds a zero difference, and one where only
    broadcast wins nobody adds the community's share; the defaults (1,000 members, 52 weeks)
    win customers in every run.

    Examples
    --------
    >>> niche_share_wom_vs_broadcast(runs=2, n=300, weeks=8, rng=0).metric
    'niche share of first purchases'
    """
    n, weeks = _check_size("niche_share_wom_vs_broadcast", n, weeks)
    outs = _replicate(
        functools.partial(_niche_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "niche_share_wom_vs_broadcast",
        progress=progress,
        keep=keep_trajectories,
    )
    arms = ("community", "broadcast")
    nobody = _nobody_won(outs, arms)
    if nobody:
        warnings.warn(
            f"niche_share_wom_vs_broadcast: no customer won ({nobody}); such an arm's niche "
            "share counts as 0 (no niche adoption); use more members or weeks",
            ShequnWarning,
            stacklevel=2,
        )
    return _finish(
        "niche_share_wom_vs_broadcast",
        "community word of mouth raises the niche share of sales compared with broadcast",
        "000",
        "niche share of first purchases",
        arms,
        outs,
        [("community − broadcast", lambda v: v[:, 0] - v[:, 1])],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 9
def _invite_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    open_ = OperatingModel()
    owner = attrs.evolve(open_, tools=Tools(invite_policy=InvitePolicy.OWNER_ONLY))
    a, b = _sim("brand", n, weeks, (open_, owner), rng=rng)
    return (float(a.members[-1] / a.members[0]), float(b.members[-1] / b.members[0])), (a, b)


def open_vs_owner_invitations(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 26,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """9. Open invitations grow a community faster than owner-only invitations (seed 004).

    Arms: ``InvitePolicy.OPEN`` (WeChat) vs ``OWNER_ONLY`` (QQ). Metric: members at the end
    over members at week 0.

    Examples
    --------
    >>> open_vs_owner_invitations(runs=2, n=200, weeks=4, rng=0).arms
    ('open', 'owner only')
    """
    n, weeks = _check_size("open_vs_owner_invitations", n, weeks)
    outs = _replicate(
        functools.partial(_invite_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "open_vs_owner_invitations",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "open_vs_owner_invitations",
        "open invitations grow a community faster than owner-only invitations",
        "004",
        "growth factor of members",
        ("open", "owner only"),
        outs,
        [("open − owner only", lambda v: v[:, 0] - v[:, 1])],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 10
def _steady_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    steady = OperatingModel()
    bursty = attrs.evolve(steady, content=Content(schedule="bursty"))
    a, b = _sim("brand", n, weeks, (steady, bursty), rng=rng)
    return (float(a.retention[-1]), float(b.retention[-1])), (a, b)


def steady_vs_bursty(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """10. Steady content beats bursty content of the same volume (seed 002).

    Arms: 3 items every week vs 12 items every fourth week. Members absorb only a few items a
    week (attention); the rest overload. Metric: retention.

    Examples
    --------
    >>> steady_vs_bursty(runs=2, n=200, weeks=4, rng=0).arms
    ('steady', 'bursty')
    """
    n, weeks = _check_size("steady_vs_bursty", n, weeks)
    outs = _replicate(
        functools.partial(_steady_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "steady_vs_bursty",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "steady_vs_bursty",
        "steady content cadence beats bursty content of the same volume",
        "002",
        f"retention after {weeks} weeks",
        ("steady", "bursty"),
        outs,
        [("steady − bursty", lambda v: v[:, 0] - v[:, 1])],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- 11
def _upper_share(t: Trajectory, week: int) -> float:
    c = t.stage_counts[week]
    present = c[: int(Stage.LAPSED)].sum()
    return float((c[int(Stage.FAN)] + c[int(Stage.FRIEND)]) / max(present, 1))


def _ladder_run(*, rng: np.random.Generator, n: int, weeks: int) -> RunOut:
    a, b = _sim("brand", n, weeks, (OperatingModel(), OperatingModel.silent()), rng=rng)
    return (_upper_share(a, 0), _upper_share(a, weeks), _upper_share(b, weeks)), (a, b)


def ladder_climb(
    *,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 52,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """11. Members move up the ladder customer → user → fan → friend under good operation (003).

    Arms: share of fans and friends among present members at week 0 and at the end under the
    default operating model, and at the end with every channel off. Contrasts: end − start
    (good operation) and good − silent at the end.

    Examples
    --------
    >>> ladder_climb(runs=2, n=200, weeks=4, rng=0).arms
    ('start', 'good operation', 'silent')
    """
    n, weeks = _check_size("ladder_climb", n, weeks)
    outs = _replicate(
        functools.partial(_ladder_run, n=n, weeks=weeks),
        runs,
        rng,
        executor,
        "ladder_climb",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "ladder_climb",
        "members move up the ladder customer → user → fan → friend under good operation",
        "003",
        "share of fans and friends",
        ("start", "good operation", "silent"),
        outs,
        [
            ("good end − start", lambda v: v[:, 1] - v[:, 0]),
            ("good − silent", lambda v: v[:, 1] - v[:, 2]),
        ],
        keep_trajectories,
    )


# ---------------------------------------------------------------------------------- referral
def _referral_run(
    *, rng: np.random.Generator, n: int, weeks: int, reward: float, budget: float | None
) -> RunOut:
    c = generate_community("brand", n, rng=rng)
    seed = int(rng.integers(2**63))
    without = simulate(c, OperatingModel(), weeks=weeks, rng=seed)
    eco = Economics(referral_reward=reward, referral_budget=budget)
    with_ = simulate(c, OperatingModel(), weeks=weeks, rng=seed, economics=eco)
    won = (float(with_.column("new_customers").sum()), float(without.column("new_customers").sum()))
    return (_cac(without), _cac(with_), *won), (without, with_)


def referral_rewards_cac(
    *,
    reward: float = 20.0,
    budget: float | None = 400.0,
    runs: int = 12,
    n: int = 1000,
    weeks: int = 26,
    rng: RNGLike = None,
    executor: Executor | None = None,
    keep_trajectories: bool = False,
    progress: ProgressLike = None,
) -> ScenarioResult:
    """Referral rewards (老带新): their effect on the cost of acquiring a customer.

    Arms: the default brand community without a referral programme, and with ``reward`` per
    friend brought in (``Economics.referral_reward``) and a weekly ``budget``
    (``Economics.referral_budget``; see :mod:`shequn.simulation.mechanisms.referral`), on the
    same community and streams. Metric: marketing cost per customer won, rewards included
    (columns 3 and 4 of ``values``: customers won with and without). Contrasts: log(CAC
    without / CAC with) (positive: the rewards lower CAC) and the customers won with − without.

    Examples
    --------
    >>> r = referral_rewards_cac(runs=2, n=200, weeks=4, rng=0)
    >>> r.arms
    ('no reward', 'reward', 'customers won (reward)', 'customers won (no reward)')
    """
    n, weeks = _check_size("referral_rewards_cac", n, weeks)
    reward = check_nonnegative(reward, owner="referral_rewards_cac", field="reward")
    if budget is not None:
        budget = check_nonnegative(budget, owner="referral_rewards_cac", field="budget")
    eco = Economics(referral_reward=reward, referral_budget=budget)
    outs = _replicate(
        functools.partial(
            _referral_run,
            n=n,
            weeks=weeks,
            reward=eco.referral_reward,
            budget=eco.referral_budget,
        ),
        runs,
        rng,
        executor,
        "referral_rewards_cac",
        progress=progress,
        keep=keep_trajectories,
    )
    return _finish(
        "referral_rewards_cac",
        "referral rewards (老带新) change the cost of acquiring a customer",
        "004",
        "marketing cost per customer won (rewards included)",
        ("no reward", "reward", "customers won (reward)", "customers won (no reward)"),
        outs,
        [
            ("log(CAC without / with)", lambda v: np.log(v[:, 0] / v[:, 1])),
            ("customers won: with − without", lambda v: v[:, 2] - v[:, 3]),
        ],
        keep_trajectories,
    )


SCENARIOS: dict[str, Callable[..., ScenarioResult]] = {
    "one_to_many_vs_mesh": one_to_many_vs_mesh,
    "open_rate_vs_audience": open_rate_vs_audience,
    "small_quality_vs_large_account": small_quality_vs_large_account,
    "offline_meetings_and_churn": offline_meetings_and_churn,
    "rule_strictness_inverted_u": rule_strictness_inverted_u,
    "leader_departure": leader_departure,
    "broadcast_vs_wom_cac": broadcast_vs_wom_cac,
    "niche_share_wom_vs_broadcast": niche_share_wom_vs_broadcast,
    "open_vs_owner_invitations": open_vs_owner_invitations,
    "steady_vs_bursty": steady_vs_bursty,
    "ladder_climb": ladder_climb,
}
"""The eleven behaviours of concepts.md §7, in order."""
