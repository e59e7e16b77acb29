"""``simulate``: compile once, fold the weekly step over the horizon, record a Trajectory.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.operating import OperatingModel
>>> from shequn.simulation import simulate
>>> c = generate_community("brand", 200, rng=0)
>>> a = simulate(c, OperatingModel(), weeks=5, rng=42)
>>> b = simulate(c, OperatingModel(), weeks=5, rng=42)
>>> a == b
True
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from shequn._progress import Progress, ProgressLike
from shequn._validation import check_bool, check_executor, check_int, check_memory, fail
from shequn.community.community import Community
from shequn.community.metrics import k_hop_reach
from shequn.economics.money import Economics
from shequn.operating.model import OperatingModel
from shequn.rng import RNGLike, seed_entropy, spawn_seeds
from shequn.simulation import _warm
from shequn.simulation.dynamics import Dynamics, compile_dynamics
from shequn.simulation.flows import DERIVED, FLOWS, STOCKS
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.profiles import Profile
from shequn.simulation.records import Recorder
from shequn.simulation.state import FAR, init_state, observe
from shequn.simulation.trajectory import Trajectory
from shequn.simulation.week import _advance

__all__ = ["run", "run_batch", "simulate"]

_STARTS = np.array([f.start for f in FLOWS], dtype=np.float64)
_PROGRESS_MIN = 2_000_000
"""Member-weeks from which ``progress=None`` shows a bar (smaller runs take under a second)."""


def _check_weeks(dynamics: Dynamics, value: Any, owner: str) -> int:
    weeks = check_int(value, owner=owner, field="weeks", low=1)
    # the record holds one row of every column a week
    width = len(FLOWS) + sum(s.width for s in STOCKS) + len(DERIVED)
    check_memory(16.0 * (weeks + 1) * width, owner=owner, field="weeks", value=weeks)
    st = dynamics.operating_model.structure
    if st.leader_leaves_at is not None and not 1 <= st.leader_leaves_at <= weeks:
        raise fail(
            "Structure",
            "leader_leaves_at",
            f"be a week within the horizon 1..{weeks}",
            st.leader_leaves_at,
        )
    return weeks


def run(
    dynamics: Dynamics,
    *,
    weeks: int,
    rng: RNGLike = None,
    progress: ProgressLike = None,
    records: bool = False,
    rings: bool = True,
) -> Trajectory:
    """Simulate compiled ``dynamics`` for ``weeks`` weeks (see :func:`simulate`).

    ``rings=False`` skips the launch seeds' 2nd/3rd-degree rings in the week-0 network (a
    breadth-first search over the adjacency, :func:`~shequn.community.metrics.k_hop_reach`):
    ``Trajectory.ring_sizes`` is then empty and everything else is unchanged (the rings are
    reported, never used by the dynamics). Callers that run thousands of simulations and read
    only the weekly series (a calibration) use it.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile_dynamics
    >>> d = compile_dynamics(generate_community("sharing", 100, rng=0), OperatingModel())
    >>> run(d, weeks=2, rng=0).weeks
    2
    >>> import attrs
    >>> a, b = run(d, weeks=2, rng=0), run(d, weeks=2, rng=0, rings=False)
    >>> b.ring_sizes, b == attrs.evolve(a, ring_sizes=())  # the same run without its rings
    ((), True)
    """
    if not isinstance(dynamics, Dynamics):
        raise fail("run", "dynamics", "be a Dynamics", type(dynamics).__name__)
    weeks = _check_weeks(dynamics, weeks, "simulate")
    records = check_bool(records, owner="simulate", field="records")
    rings = check_bool(rings, owner="run", field="rings")
    if records:  # a stage row per member and week, and about as many message and event rows
        check_memory(
            40.0 * dynamics.capacity * (weeks + 1), owner="simulate", field="weeks", value=weeks
        )
    _warm.prepare()  # the first compile, on two cores when it helps
    streams = spawn_seeds(rng, weeks + 1, owner="simulate")
    entropy = _entropy(rng)
    state = init_state(dynamics, rng=np.random.default_rng(streams[0]))
    ring_sizes: list[int] = []
    if rings:
        hops = np.zeros(FAR, dtype=np.int64)
        if state.seeds.size:
            hops = k_hop_reach(dynamics.adjacency, state.seeds.tolist(), k=3)
        ring_sizes = [int(hops[i]) for i in range(FAR)]
    totals = np.empty((weeks + 1, len(FLOWS)), dtype=np.float64)
    totals[0] = _STARTS
    stocks: dict[str, list[Any]] = {s.name: [] for s in STOCKS}
    adopter_weeks = np.zeros(weeks + 1)
    member_weeks = np.zeros(weeks + 1)
    if progress is None and dynamics.capacity * weeks < _PROGRESS_MIN:
        progress = False  # a short run: no bar
    bar = Progress(progress, total=weeks, owner="simulate", desc="weeks")

    def record(o: dict[str, Any]) -> None:
        for k in stocks:
            stocks[k].append(o[k])

    prev = observe(state, dynamics)
    record(prev)
    rec = Recorder(dynamics, state) if records else None
    try:
        for w in range(1, weeks + 1):
            state = _advance(state, dynamics, w, np.random.default_rng(streams[w]), rec)
            assert state.totals is not None
            totals[w] = state.totals
            adopter_weeks[w] = prev["adopters"]
            member_weeks[w] = prev["members"]
            prev = observe(state, dynamics)
            record(prev)
            bar.update(1)
    finally:
        bar.close()
    cols: dict[str, Any] = {"week": np.arange(weeks + 1)}
    for i, f in enumerate(FLOWS):
        cols[f.name] = totals[:, i]
    for k, v in stocks.items():
        cols[k] = np.asarray(v)
    cols["adopter_weeks"] = adopter_weeks
    cols["member_weeks"] = member_weeks
    return Trajectory(
        columns=cols,
        ring_sizes=ring_sizes,
        entropy=entropy,
        records=None if rec is None else rec.records(state),
    )


def _entropy(rng: RNGLike) -> dict[str, Any] | None:
    if isinstance(rng, np.random.SeedSequence):
        return seed_entropy(rng)
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        return seed_entropy(np.random.SeedSequence(int(rng)))
    return None


def simulate(
    community: Community,
    operating_model: OperatingModel,
    *,
    weeks: int,
    rng: RNGLike = None,
    economics: Economics | None = None,
    profile: Profile | None = None,
    mechanisms: Mechanisms | None = None,
    capacity: int | None = None,
    progress: ProgressLike = None,
    records: bool = False,
) -> Trajectory:
    """Run a community under an operating model for ``weeks`` weeks.

    Compiles once (:func:`~shequn.simulation.compile_dynamics`), draws the week-0 state
    (:func:`~shequn.simulation.init_state`) and applies :func:`~shequn.simulation.step` week
    after week, each week on its own child stream of ``rng`` (so the same ``rng`` replays the
    same trajectory).

    Parameters
    ----------
    community
        The community (:func:`~shequn.community.generate_community` or your own graph).
    operating_model
        通/法/术/器 settings.
    weeks
        Horizon in weeks, at least 1.
    rng
        Seed material.
    economics, profile, mechanisms, capacity
        See :func:`~shequn.simulation.compile_dynamics`.
    progress
        ``None`` (a bar for long runs when tqdm is installed and the output is a terminal),
        ``True``, ``False`` or a callable ``(done, total)`` called after each week.
    records
        Also keep the individual-level records of the run (members, ties, groups, messages,
        events, transactions, broadcasts, stages: :class:`~shequn.simulation.records.RecordTables`,
        the schema of docs/records.md) in ``Trajectory.records``. Off by default: a run
        without them keeps nothing per member.

    Returns
    -------
    Trajectory

    Raises
    ------
    InvalidParameterError
        ``weeks < 1`` or more weeks than memory holds, a leader leaving outside
        ``1..weeks``, or any invalid setting.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> t = simulate(generate_community("brand", 100, rng=0), OperatingModel(), weeks=0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `simulate.weeks` must be an integer >= 1; got 0
    """
    check_int(weeks, owner="simulate", field="weeks", low=1)
    d = compile_dynamics(
        community, operating_model, profile, economics, mechanisms=mechanisms, capacity=capacity
    )
    return run(d, weeks=weeks, rng=rng, progress=progress, records=records)


def _batch_run(
    job: tuple[int, Mapping[str, Any], np.random.SeedSequence],
    *,
    dynamics: Dynamics,
    weeks: int,
    records: bool = False,
    rings: bool = True,
) -> Trajectory:
    _, values, seed = job
    d = dynamics.with_parameters(values) if values else dynamics
    return run(d, weeks=weeks, rng=seed, progress=False, records=records, rings=rings)


def run_batch(
    dynamics: Dynamics,
    values: Sequence[Mapping[str, Any]],
    *,
    weeks: int,
    rng: RNGLike = None,
    common_random_numbers: bool = False,
    executor: Executor | None = None,
    progress: ProgressLike = None,
    records: bool = False,
    rings: bool = True,
) -> list[Trajectory]:
    """Run one compiled model under many parameter sets: one run per mapping in ``values``.

    Every run shares the community's arrays and the compiled kernels (only the rates are
    derived again, :meth:`Dynamics.with_parameters`), so this is the cheap way to run the
    thousands of parameter sets a calibration tries.

    Parameters
    ----------
    dynamics
        The compiled model (:func:`~shequn.simulation.compile_dynamics`).
    values
        One ``{parameter name: value}`` mapping per run (names as in
        :func:`~shequn.simulation.parameters`; ``{}`` runs the model as it is).
    weeks
        Horizon of every run.
    rng
        Seed material. Each run gets its own child stream, or, with
        ``common_random_numbers=True``, every run the same stream (so differences between
        runs come from the parameters alone: a smooth objective for a calibration).
    executor
        Any :class:`concurrent.futures.Executor` (a process pool uses both cores); serial when
        ``None``. The results are identical whatever the executor.
    progress
        ``None`` (a bar for long batches when tqdm is installed and the output is a terminal),
        ``True``, ``False`` or a callable ``(done, total)``.
    records
        Also keep every run's individual-level records (as :func:`run` does with
        ``records=True``).
    rings
        Compute every run's ``ring_sizes`` (as :func:`run`; ``False`` skips them, e.g. in a
        calibration that reads only the weekly series).

    Returns
    -------
    list of Trajectory
        In the order of ``values``.

    Raises
    ------
    InvalidParameterError
        An unknown parameter name or an invalid value (before anything runs), ``weeks < 1``, or
        a batch whose trajectories would not fit in memory.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> d = compile_dynamics(generate_community("brand", 200, rng=0), OperatingModel())
    >>> ts = run_batch(d, [{"baseline_churn": 0.0}, {"baseline_churn": 0.2}], weeks=4, rng=1,
    ...                common_random_numbers=True)
    >>> int(ts[0].column("churned").sum()) < int(ts[1].column("churned").sum())
    True
    """
    if not isinstance(dynamics, Dynamics):
        raise fail("run_batch", "dynamics", "be a Dynamics", type(dynamics).__name__)
    if isinstance(values, Mapping) or not isinstance(values, Sequence):
        raise fail("run_batch", "values", "be a sequence of {name: value} mappings", values)
    check_executor(executor, owner="run_batch")
    weeks = _check_weeks(dynamics, weeks, "run_batch")
    width = len(FLOWS) + sum(s.width for s in STOCKS) + len(DERIVED)
    check_memory(
        16.0 * len(values) * (weeks + 1) * width,
        owner="run_batch",
        field="values",
        value=len(values),
    )
    for v in values:  # every parameter set checked before anything runs
        dynamics.with_parameters(v)
    common_random_numbers = check_bool(
        common_random_numbers, owner="run_batch", field="common_random_numbers"
    )
    if common_random_numbers:  # the same stream for every run (a fresh copy each: spawning
        seed = spawn_seeds(rng, 1, owner="run_batch")[0]  # from a SeedSequence changes it)
        seeds = [np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key) for _ in values]
    else:
        seeds = spawn_seeds(rng, len(values), owner="run_batch")
    jobs = [(i, v, s) for i, (v, s) in enumerate(zip(values, seeds, strict=True))]
    records = check_bool(records, owner="run_batch", field="records")
    rings = check_bool(rings, owner="run_batch", field="rings")
    fn = functools.partial(_batch_run, dynamics=dynamics, weeks=weeks, records=records, rings=rings)
    bar = Progress(progress, total=len(jobs), owner="run_batch")
    out: list[Trajectory] = []
    try:
        results = map(fn, jobs) if executor is None else executor.map(fn, jobs)
        for t in results:
            out.append(t)
            bar.update(1)
    finally:
        bar.close()
    return out
