"""Calibrate the engine to a community's records: a :class:`Twin` with a posterior.

:func:`calibrate` fits the engine's free parameters (the user chooses which; the rest are
fixed, or set from the records' measurements through the engine's calibration hooks) to the
observed weekly series by simulation-based inference, and returns a :class:`Twin`: the
estimate with its covariance, a posterior sample, the fit's distance, and posterior
predictive bands for every observed series.

The default method is the method of simulated moments with common random numbers
(:mod:`shequn.twin._msm`; the choice against pyabc's ABC-SMC and elfi's BOLFI is measured in
``docs/twin.md``); ``method="abc"`` runs pyabc's ABC-SMC instead (the ``twin-abc`` extra).

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.twin import EngineSetup, calibrate, emit_records
>>> truth = EngineSetup.of(generate_community("brand", 200, rng=0))
>>> records = emit_records(truth, weeks=8, rng=1)
>>> twin = calibrate(records, free=("baseline_churn",), setup=truth, design=24,
...                  replications=2, pilot=8, draws=50, predictive=20, rng=0)
>>> twin.free, twin.weeks, len(twin.draws)
(('baseline_churn',), 8, 50)
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import attrs
import numpy as np

from shequn._optional import optional_import
from shequn._results import Intervals, ResultMixin, Summary, Table
from shequn._typing import FloatArray
from shequn._validation import (
    check_choice,
    check_executor,
    check_instance,
    check_int,
    check_level,
    check_memory,
    fail,
)
from shequn.community.groups import WECHAT_GROUP_CAP
from shequn.community.types import CommunityType
from shequn.diffusion.reach import fit_open_rate
from shequn.economics.money import Economics
from shequn.exceptions import ConvergenceError, ShequnWarning
from shequn.operating.model import OperatingModel
from shequn.records.derive import week_of
from shequn.records.records import Records
from shequn.rng import SEED_BYTES, RNGLike, spawn_seeds
from shequn.simulation.flows import DERIVED, FLOWS, STOCKS
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.profiles import Profile, profile_for
from shequn.twin._engine import (
    OBSERVED,
    EngineSetup,
    ParameterSpec,
    build,
    check_model_parts,
    current,
    parameters,
)
from shequn.twin._problem import Problem, from_z, start_z, to_z

__all__ = [
    "DEFAULT_FREE",
    "DEFAULT_SERIES",
    "Predictive",
    "Twin",
    "calibrate",
    "twin_setup",
]

DEFAULT_FREE = (
    "baseline_churn",
    "invite_propensity",
    "peer_talk",
    "baseline_engagement",
    "repeat_scale",
    "wom_conversion",
)
"""Parameters calibrated unless the user chooses (what the default series inform)."""

DEFAULT_SERIES = (
    "joins",
    "leaves",
    "members",
    "active",
    "messages",
    "member_buyers",
    "member_revenue",
)
"""The weekly series compared unless the user chooses (events and attendances are set by the
operating model's schedule and carry little information about behaviour)."""

HOOKS = ("open_rate", "repeat_rates")
"""Measurements :func:`twin_setup` can plug into the engine's calibration hooks."""


def twin_setup(
    records: Records,
    *,
    kind: CommunityType | str | None = None,
    operating_model: OperatingModel | None = None,
    economics: Economics | None = None,
    profile: Profile | None = None,
    mechanisms: Mechanisms | None = None,
    hooks: Sequence[str] = ("open_rate",),
    rng: RNGLike = 0,
) -> EngineSetup:
    """The engine setup the records imply, before calibration.

    * the community: members present at week 0 and the ties formed by then
      (:meth:`~shequn.records.Records.community` ``at=0``), with groups and roles;
    * the profile of ``kind`` with ``initial_customers`` measured: the share of week-0 members
      who bought at time 0 or before;
    * economics with ``price`` measured (unless given): the median weekly spend of a buying
      member (one engine purchase is one unit at the price);
    * the operating model given, or the default one with the tools the records show: offline
      events per group and week, seats (the largest attendance), and the weekly broadcast
      budget (mean weekly audience × ``cost_per_message``);
    * the calibration hooks named in ``hooks``: ``"open_rate"`` (the open-rate law fitted to the
      broadcast logs, when there are at least three audience sizes) and ``"repeat_rates"``
      (the BG/NBD purchase rate of the members, :func:`~shequn.simulation.repeat_rates_from`).

    Examples
    --------
    >>> from shequn.records import load_records
    >>> r = load_records(members={"member": [1, 2, 3, 4], "joined": [0, 0, 0, 2]},
    ...                  ties={"a": [1, 2], "b": [2, 3]},
    ...                  transactions={"customer": [1, 1, 2], "time": [0, 1.5, 2.5],
    ...                                "amount": [80.0, 80.0, 80.0]})
    >>> s = twin_setup(r)
    >>> s.community.n, round(s.profile.initial_customers, 3), s.economics.price
    (3, 0.333, 80.0)
    """
    owner = "twin_setup"
    check_instance(records, Records, owner=owner, field="records")
    check_model_parts(
        owner,
        operating_model=operating_model,
        profile=profile,
        mechanisms=mechanisms,
        economics=economics,
    )
    for h in hooks:
        check_choice(h, list(HOOKS), owner="twin_setup", field="hooks")
    community = records.community(at=0.0, weight="unit", kind=kind, rng=rng)
    ordinary0 = records.present(0.0) & ~records.operators
    tx = records.transactions
    prof = profile_for(community.kind) if profile is None else profile
    if tx is not None and ordinary0.any():
        early = tx["member"][(tx["time"] <= 0) & (tx["member"] >= 0)]
        share = float(np.isin(np.flatnonzero(ordinary0), early).mean())
        prof = attrs.evolve(prof, initial_customers=share)
    eco = Economics() if economics is None else economics
    if economics is None and tx is not None:
        later = (tx["time"] > 0) & (tx["member"] >= 0)
        if later.any():
            key = tx["member"][later] * (records.weeks + 2) + week_of(tx["time"][later])
            _, inv = np.unique(key, return_inverse=True)
            weekly = np.bincount(np.asarray(inv).ravel(), weights=tx["amount"][later])
            eco = attrs.evolve(eco, price=float(np.median(weekly)))
    om = operating_model if operating_model is not None else _measured_tools(records, eco)
    mech = Mechanisms() if mechanisms is None else mechanisms
    changes: dict[str, Any] = {}
    if "open_rate" in hooks and records.broadcasts is not None:
        b = records.broadcasts
        sent = b["audience"] > 0
        if np.unique(b["audience"][sent]).size >= 3:
            changes["open_rate"] = fit_open_rate(b["audience"][sent], b["opens"][sent]).law
    if "repeat_rates" in hooks and tx is not None:
        from shequn.loyalty.customer_base import BGNBD
        from shequn.simulation.calibration import repeat_rates_from

        rfm = records.rfm(members_only=True)
        changes["repeat_rates"] = repeat_rates_from(BGNBD.fit_summary(rfm))
    if changes:
        mech = attrs.evolve(mech, **changes)
    return EngineSetup.of(community, om, profile=prof, mechanisms=mech, economics=eco)


def _measured_tools(records: Records, eco: Economics) -> OperatingModel:
    om = OperatingModel()
    tools: dict[str, Any] = {}
    groups = records.groups_at(0.0)
    e = records.events
    if e is not None and e["event"].size and groups is not None and groups.n_groups:
        n_events = np.unique(e["event"]).size
        tools["event_frequency"] = n_events / records.weeks / groups.n_groups
        tools["event_capacity"] = int(np.bincount(e["event"]).max())
    elif e is None or e["event"].size == 0:
        tools["event_frequency"] = 0.0
    b = records.broadcasts
    if b is not None and b["audience"].size and eco.cost_per_message > 0:
        tools["broadcast_budget"] = (
            float(b["audience"].sum() / records.weeks) * eco.cost_per_message
        )
    structure = om.structure
    if groups is not None and groups.cap != WECHAT_GROUP_CAP:
        structure = attrs.evolve(structure, group_cap=groups.cap)
    return attrs.evolve(om, tools=attrs.evolve(om.tools, **tools), structure=structure)


@attrs.frozen(kw_only=True, eq=False)
class Predictive(ResultMixin):
    """Posterior predictive bands of the weekly series (weeks 1..``weeks``).

    Attributes
    ----------
    weeks
        Weeks predicted.
    level
        Probability inside each band.
    bands
        Series name → (3, weeks) lower, median and upper bound.
    observed
        Series name → the observed values of the weeks observed (may be shorter).
    """

    weeks: int
    level: float
    bands: dict[str, FloatArray] = attrs.field(repr=False)
    observed: dict[str, FloatArray] = attrs.field(factory=dict, repr=False)

    def inside(self, weeks: slice | None = None) -> dict[str, float]:
        """Share of observed points inside the bands, per series (over ``weeks``, 0-based).

        Examples
        --------
        >>> p = Predictive(weeks=2, level=0.9, bands={"x": np.array([[0, 0], [1, 1], [2, 2]])},
        ...                observed={"x": np.array([1.0, 3.0])})
        >>> p.inside()
        {'x': 0.5}
        """
        out = {}
        for k, obs in self.observed.items():
            lo, _, hi = self.bands[k][:, : obs.size]
            sel = slice(None) if weeks is None else weeks
            o, a, b = obs[sel], lo[sel], hi[sel]
            out[k] = float(np.mean((o >= a) & (o <= b))) if o.size else math.nan
        return out

    def summary(self) -> Summary:
        """Share of observed points inside the bands per series.

        Examples
        --------
        >>> p = Predictive(weeks=1, level=0.9, bands={"x": np.array([[0], [1], [2]])},
        ...                observed={"x": np.array([1.0])})
        >>> p.summary()["x"]
        1.0
        """
        return Summary(
            title=f"Posterior predictive {self.level:.0%} bands, {self.weeks} weeks",
            headline=self.inside(),
            notes=("share of the observed weeks inside the bands",),
        )

    def to_frame(self) -> Any:
        """Long table: series, week, lower, median, upper, observed (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        rows = []
        for k, b in self.bands.items():
            obs = self.observed.get(k, np.empty(0))
            for w in range(self.weeks):
                o = float(obs[w]) if w < obs.size else math.nan
                rows.append((k, w + 1, b[0, w], b[1, w], b[2, w], o))
        return pd.DataFrame(
            rows, columns=["series", "week", "lower", "median", "upper", "observed"]
        )


@attrs.frozen(kw_only=True, eq=False)
class Twin(ResultMixin):
    """The engine calibrated to a community's records (see :func:`calibrate`).

    Attributes
    ----------
    setup
        The engine setup with the fixed parameters (free ones at their start values).
    specs
        The free parameters (name, owner, unit, bounds).
    estimate
        The point estimate by name (natural scale).
    z, cov
        The estimate and the covariance of the posterior sample on the unbounded ``z`` scale
        (see :mod:`shequn.twin._problem`; ``None`` for ABC).
    draws
        (n, p) posterior sample, natural scale.
    series
        The series compared.
    weeks
        Weeks compared (1..weeks).
    observed
        (series, weeks) observed values.
    predictive
        Posterior predictive bands of every engine series over the compared weeks.
    distance
        The fit's distance: the sum of squared scaled residuals at the estimate (each point
        scaled by one simulation's standard deviation).
    method
        ``"msm"`` or ``"abc"``.
    level
        Probability of the intervals and bands.
    diagnostics
        Simulations, seconds, iterations, convergence, the executor's workers.
    """

    setup: EngineSetup = attrs.field(repr=False)
    specs: tuple[ParameterSpec, ...] = attrs.field(repr=False)
    estimate: dict[str, float]
    z: FloatArray = attrs.field(repr=False)
    cov: FloatArray | None = attrs.field(repr=False)
    draws: FloatArray = attrs.field(repr=False)
    series: tuple[str, ...]
    weeks: int
    observed: FloatArray = attrs.field(repr=False)
    predictive: Predictive = attrs.field(repr=False)
    distance: float
    method: str
    level: float
    diagnostics: dict[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def free(self) -> tuple[str, ...]:
        """Names of the calibrated parameters."""
        return tuple(s.name for s in self.specs)

    def conf_int(self, level: float | None = None) -> Intervals:
        """Posterior intervals of the free parameters (quantiles of the posterior sample: the
        bootstrap draws of MSM, the particles of ABC).

        Examples
        --------
        >>> t = Twin(setup=None, specs=(), estimate={}, z=np.zeros(0), cov=None,
        ...          draws=np.zeros((10, 0)), series=(), weeks=1, observed=np.zeros((0, 1)),
        ...          predictive=Predictive(weeks=1, level=0.9, bands={}), distance=0.0,
        ...          method="msm", level=0.9)
        >>> t.conf_int()
        {}
        """
        lv = self.level if level is None else check_level(level, owner="Twin.conf_int")
        lo = np.quantile(self.draws, 0.5 - lv / 2, axis=0)
        hi = np.quantile(self.draws, 0.5 + lv / 2, axis=0)
        return {s.name: (float(a), float(b)) for s, a, b in zip(self.specs, lo, hi, strict=True)}

    def parameters(self) -> dict[str, float]:
        """Every calibratable parameter's value in the twin (free ones at the estimate)."""
        s = build(self.setup, self.estimate)
        return {name: current(s, name) for name in parameters()}

    def setup_at(self, values: Mapping[str, float] | None = None) -> EngineSetup:
        """The engine setup at the estimate, or at ``values`` of the free parameters."""
        return build(self.setup, self.estimate if values is None else values)

    def predict(
        self,
        weeks: int,
        *,
        runs: int = 200,
        observed: Records | None = None,
        executor: Executor | None = None,
        rng: RNGLike = None,
    ) -> Predictive:
        """Posterior predictive bands over ``weeks`` weeks (from week 0), e.g. beyond the
        calibrated ones; ``observed`` records (the same community, more weeks) are put beside.

        Each run draws parameters from the posterior sample and simulates on its own stream,
        so the bands hold parameter uncertainty and the noise of one community's run.
        """
        owner = "Twin.predict"
        weeks = check_int(weeks, owner=owner, field="weeks", low=1)
        runs = check_int(runs, owner=owner, field="runs", low=2)
        check_instance(observed, Records, owner=owner, field="observed", optional=True)
        check_executor(executor, owner=owner)
        members = self.setup.community.n if isinstance(self.setup, EngineSetup) else 0
        _check_simulations(runs, weeks, members, owner=owner, field="runs")
        obs = observed.weekly() if observed is not None else None
        return _predictive(
            self.setup,
            self.specs,
            self.draws,
            weeks=weeks,
            runs=runs,
            level=self.level,
            observed=obs,
            executor=executor,
            rng=rng,
        )

    def summary(self) -> Summary:
        """Estimates with their intervals, the distance and the predictive check.

        Examples
        --------
        >>> t = Twin(setup=None, specs=(), estimate={}, z=np.zeros(0), cov=None,
        ...          draws=np.zeros((10, 0)), series=("members",), weeks=3,
        ...          observed=np.zeros((1, 3)),
        ...          predictive=Predictive(weeks=3, level=0.9, bands={}), distance=1.5,
        ...          method="msm", level=0.9, diagnostics={"simulations": 10, "seconds": 1.0})
        >>> t.summary()["distance"]
        1.5
        """
        ci = self.conf_int()
        rows = {
            s.name: (self.estimate[s.name], ci[s.name][0], ci[s.name][1], s.unit, s.owner)
            for s in self.specs
        }
        inside = self.predictive.inside()
        head: dict[str, Any] = {
            "method": self.method,
            "weeks": self.weeks,
            "series": ", ".join(self.series),
            "distance": self.distance,
            "distance_per_point": self.distance / max(self.observed.size, 1),
            "inside_bands": float(np.mean(list(inside.values()))) if inside else math.nan,
            "simulations": self.diagnostics.get("simulations", 0),
            "seconds": self.diagnostics.get("seconds", math.nan),
        }
        return Summary(
            title=f"Twin: {len(self.specs)} parameters calibrated to {self.weeks} weeks",
            headline=head,
            table=Table(
                columns=("estimate", f"{self.level:.0%} lower", "upper", "unit", "owner"),
                rows=rows,
            ),
            notes=tuple(self.diagnostics.get("notes", ())),
        )

    def to_frame(self, kind: str = "parameters") -> Any:
        """``"parameters"`` (estimates and intervals), ``"draws"`` (the posterior sample) or
        ``"bands"`` (the predictive bands) as a pandas DataFrame (needs pandas)."""
        check_choice(kind, ["parameters", "draws", "bands"], owner="Twin", field="kind")
        pd = optional_import("pandas", extra="pandas")
        if kind == "draws":
            return pd.DataFrame(self.draws, columns=list(self.free))
        if kind == "bands":
            return self.predictive.to_frame()
        t = self.summary().table
        assert t is not None
        return t.to_frame()


_WIDTH = len(FLOWS) + sum(s.width for s in STOCKS) + len(DERIVED)
"""Columns of a trajectory (each held as 16 bytes a week while a run is in flight)."""


def _check_simulations(runs: int, weeks: int, members: int, *, owner: str, field: str) -> None:
    """Refuse ``runs`` twin simulations of ``weeks`` weeks that cannot fit in memory.

    Each run keeps its weekly series (``len(OBSERVED)`` values a week) and its seed; one run
    at a time holds its trajectory and its records (about 40 bytes per member slot and week,
    1.5 slots per member). ``weeks`` is checked for the smallest request (two runs), then
    ``field`` for all of them; the error gives the estimate.
    """
    in_flight = (16.0 * _WIDTH + 40.0 * 1.5 * members) * (weeks + 1)
    kept = 8.0 * len(OBSERVED) * (weeks + 1) + SEED_BYTES
    check_memory(in_flight + 2 * kept, owner=owner, field="weeks", value=weeks)
    check_memory(in_flight + runs * kept, owner=owner, field=field, value=runs)


def _check_budget(
    records: Records,
    weeks: int,
    p: int,
    method: str,
    replications: int,
    pilot: Any,
    design: Any,
    draws: int,
    predictive: int,
) -> None:
    """:func:`calibrate`'s sizes checked before any work: each batch of simulations (an
    evaluation's ``replications``, the ``pilot``, the ``design``, the ``predictive`` runs) and
    the posterior sample (``draws`` × ``p``) must fit in memory."""
    n = records.n_members
    _check_simulations(replications, weeks, n, owner="calibrate", field="replications")
    pilot = check_int(pilot, owner="calibrate", field="pilot", low=3)
    _check_simulations(pilot, weeks, n, owner="calibrate", field="pilot")
    if design is not None:
        low = p + 3 if method == "msm" else 20
        design = check_int(design, owner="calibrate", field="design", low=low)
        _check_simulations(design, weeks, n, owner="calibrate", field="design")
    check_memory(16.0 * draws * max(p, 1), owner="calibrate", field="draws", value=draws)
    _check_simulations(predictive, weeks, n, owner="calibrate", field="predictive")


def _predictive(
    setup: EngineSetup,
    specs: tuple[ParameterSpec, ...],
    draws: FloatArray,
    *,
    weeks: int,
    runs: int,
    level: float,
    observed: Any,
    executor: Executor | None,
    rng: RNGLike,
) -> Predictive:
    seeds = spawn_seeds(rng, runs + 1, owner="Twin.predict")
    pick = np.random.default_rng(seeds[0]).integers(0, draws.shape[0], size=runs)
    prob = Problem(
        setup=setup,
        specs=specs,
        series=OBSERVED,
        weeks=weeks,
        observed=np.zeros((len(OBSERVED), weeks)),
        executor=executor,
    )
    z = to_z(specs, draws[pick]) if specs else np.zeros((runs, 0))
    sims = prob.simulate(z, seeds[1:]).reshape(runs, len(OBSERVED), weeks)
    q = np.quantile(sims, [0.5 - level / 2, 0.5, 0.5 + level / 2], axis=0)  # (3, K, W)
    bands = {k: q[:, i, :] for i, k in enumerate(OBSERVED)}
    obs: dict[str, FloatArray] = {}
    if observed is not None:
        for k in OBSERVED:
            v = observed[k][1:]
            obs[k] = v[: min(weeks, v.size)]
    return Predictive(weeks=weeks, level=level, bands=bands, observed=obs)


def calibrate(
    records: Records,
    *,
    free: Sequence[str] = DEFAULT_FREE,
    fixed: Mapping[str, float] | None = None,
    series: Sequence[str] = DEFAULT_SERIES,
    weeks: int | None = None,
    setup: EngineSetup | None = None,
    kind: CommunityType | str | None = None,
    operating_model: OperatingModel | None = None,
    economics: Economics | None = None,
    hooks: Sequence[str] = ("open_rate",),
    method: str = "msm",
    replications: int = 8,
    pilot: int = 24,
    design: int | None = None,
    draws: int = 400,
    predictive: int = 100,
    level: float = 0.9,
    executor: Executor | None = None,
    rng: RNGLike = 0,
) -> Twin:
    """Fit the engine's free parameters to the records' weekly series.

    Parameters
    ----------
    records
        The community's records (loaded, or emitted by the engine).
    free
        The parameters to calibrate (names of :func:`shequn.twin.parameters`; up to about 8).
    fixed
        Values for other parameters, held fixed.
    series
        Weekly series compared (names of :data:`shequn.twin._engine.OBSERVED`).
    weeks
        Compare weeks 1..``weeks`` (default: all observed weeks); later weeks are left out,
        e.g. to check predictions on them (:meth:`Twin.predict`).
    setup
        The engine setup to start from (default: :func:`twin_setup` of the records with
        ``kind``, ``operating_model``, ``economics`` and ``hooks``).
    kind, operating_model, economics, hooks
        See :func:`twin_setup` (ignored when ``setup`` is given).
    method
        ``"msm"`` (default: simulated moments with common random numbers) or ``"abc"``
        (pyabc's ABC-SMC, the ``twin-abc`` extra).
    replications
        MSM: simulations averaged per evaluation on common streams.
    pilot
        MSM: simulations at the start that scale each point of the series.
    design
        MSM: simulations of the local design that gives the Jacobian and the noise
        covariance (default ``max(16 p, 64)``); ABC: the population size.
    draws
        Size of the posterior sample kept.
    predictive
        Simulations for the posterior predictive bands.
    level
        Probability of the intervals and bands (default 0.9).
    executor
        Where simulations run (``None``: serially here; a ``ProcessPoolExecutor`` or a Dask
        client's executor for all cores).
    rng
        Seed material.

    Returns
    -------
    Twin

    Raises
    ------
    InvalidParameterError
        Unknown parameter or series names, a parameter both free and fixed, too many weeks.
    ConvergenceError
        When the series do not identify a free parameter (its interval spans nearly all of its
        range): fix it or observe a series it moves. A weakly identified parameter (its
        interval spans more than half its range) gives a :class:`ShequnWarning`.
    """
    t0 = time.perf_counter()
    check_instance(records, Records, owner="calibrate", field="records")
    check_instance(setup, EngineSetup, owner="calibrate", field="setup", optional=True)
    check_executor(executor, owner="calibrate")
    known = parameters()
    free = tuple(free)
    if not free:
        raise fail("calibrate", "free", "name at least one parameter", free)
    for name in free:
        if name not in known:
            raise fail("calibrate", "free", f"name engine parameters {sorted(known)}", name)
    if len(set(free)) != len(free):
        raise fail("calibrate", "free", "name each parameter once", free)
    fixed = dict(fixed or {})
    both = sorted(set(free) & set(fixed))
    if both:
        raise fail("calibrate", "fixed", "not hold a free parameter", both[0])
    series = tuple(series)
    for s in series:
        check_choice(s, list(OBSERVED), owner="calibrate", field="series")
    check_choice(method, ["msm", "abc"], owner="calibrate", field="method")
    level = check_level(level, owner="calibrate")
    W = (
        records.weeks
        if weeks is None
        else check_int(weeks, owner="calibrate", field="weeks", low=2, high=records.weeks)
    )
    replications = check_int(replications, owner="calibrate", field="replications", low=1)
    draws = check_int(draws, owner="calibrate", field="draws", low=10)
    predictive = check_int(predictive, owner="calibrate", field="predictive", low=2)
    _check_budget(records, W, len(free), method, replications, pilot, design, draws, predictive)
    base = (
        setup
        if setup is not None
        else twin_setup(
            records, kind=kind, operating_model=operating_model, economics=economics, hooks=hooks
        )
    )
    base = build(base, fixed) if fixed else base
    specs = tuple(known[n] for n in free)
    p = len(specs)
    obs = records.weekly().select(list(series), W)
    seeds = spawn_seeds(rng, 4, owner="calibrate")
    prob = Problem(setup=base, specs=specs, series=series, weeks=W, observed=obs, executor=executor)
    z0 = start_z(specs, {n: current(base, n) for n in free})
    notes: list[str] = []
    cov: FloatArray | None
    if method == "msm":
        from shequn.twin._msm import fit_msm

        n_design = (
            max(16 * p, 64)
            if design is None
            else check_int(design, owner="calibrate", field="design", low=p + 3)
        )
        pilot = check_int(pilot, owner="calibrate", field="pilot", low=3)
        fit = fit_msm(
            prob,
            z0,
            replications=replications,
            pilot=pilot,
            design=n_design,
            draws=draws,
            rng=seeds[0],
        )
        z, cov, distance = fit.z, fit.cov, fit.distance
        weak = [
            f"`{spec.name}` (t = {t:.2f})"
            for spec, t in zip(specs, fit.signal.tolist(), strict=True)
            if t < MIN_SIGNAL
        ]
        if weak:
            raise ConvergenceError(
                f"calibrate: the series do not identify {', '.join(weak)}: across the local "
                "design around the estimate they change no more than the simulation noise "
                f"(t under {MIN_SIGNAL:g}); fix it (fixed={{name: value}}) or compare a series "
                "it moves"
            )
        sample_z = fit.draws
        post = from_z(specs, sample_z)
        diag = {
            "iterations": fit.iterations,
            "rounds": fit.rounds,
            "converged": fit.converged,
            "message": fit.message,
            "signal": dict(zip(free, fit.signal.tolist(), strict=True)),
        }
    else:
        from shequn.twin._abc import fit_abc

        pop = (
            200 if design is None else check_int(design, owner="calibrate", field="design", low=20)
        )
        res = fit_abc(prob, z0, population=pop, executor=executor, rng=seeds[0])
        gen = np.random.default_rng(seeds[1])
        pick = gen.choice(res.z.shape[0], size=draws, p=res.weights)
        sample_z = res.z[pick]
        z = np.average(res.z, axis=0, weights=res.weights)
        cov = None
        post = from_z(specs, sample_z)
        distance = res.distance
        diag = {"generations": res.generations, "epsilon": res.epsilon}
    _identification(specs, sample_z, level)
    trade = _trade_off(specs, sample_z)
    if trade is not None:
        notes.append(trade)
        warnings.warn(f"calibrate: {trade}", ShequnWarning, stacklevel=2)
    estimate = {s.name: float(v) for s, v in zip(specs, from_z(specs, z), strict=True)}
    pred = _predictive(
        base,
        specs,
        post,
        weeks=W,
        runs=predictive,
        level=level,
        observed=records.weekly(),
        executor=executor,
        rng=seeds[2],
    )
    diag.update(
        simulations=prob.simulations + predictive,
        seconds=time.perf_counter() - t0,
        notes=notes,
    )
    return Twin(
        setup=base,
        specs=specs,
        estimate=estimate,
        z=z,
        cov=cov,
        draws=post,
        series=series,
        weeks=W,
        observed=obs,
        predictive=pred,
        distance=distance,
        method=method,
        level=level,
        diagnostics=diag,
    )


MIN_SIGNAL = 3.0
"""Below this largest t-statistic (:func:`shequn.twin._msm._signal`) the local design shows no
effect of a parameter on any series (a parameter with no effect stays below it in about 95 % of
designs)."""
TRADE_OFF = 0.2
"""Below this smallest eigenvalue of the posterior's correlation matrix some combination of
the free parameters is determined more than ``1 / sqrt(0.2) ≈ 2.2`` times less well than the
parameters alone: they trade off, and the linear emulator's intervals are too narrow (at 5,000
members with 8 free parameters the eigenvalue was under 0.1 in every replication and the 90 %
intervals covered the truth about half the time; with 4 free parameters at 1,000 members it was
0.6-0.7 and they covered 87 %: docs/twin.md, "Honesty checks")."""
UNIDENTIFIED = 0.9
"""A parameter whose interval spans more than this share of its range is not identified."""
WEAK = 0.5
"""A parameter whose interval spans more than this share of its range is weakly identified."""


def _trade_off(specs: tuple[ParameterSpec, ...], sample_z: FloatArray) -> str | None:
    """A note naming the parameters that trade off, or ``None``.

    The posterior's correlation matrix (on the ``z`` scale) has a smallest eigenvalue below
    :data:`TRADE_OFF`; the parameters named are those with a loading of at least 0.3 on its
    eigenvector (the combination the series hardly determine).

    Examples
    --------
    >>> from shequn.twin._engine import parameters
    >>> s = (parameters()["peer_talk"], parameters()["baseline_engagement"])
    >>> gen = np.random.default_rng(0)
    >>> a = gen.normal(size=2000)
    >>> _trade_off(s, np.column_stack([a, gen.normal(size=2000)])) is None  # independent
    True
    >>> ridge = np.column_stack([a, -a + 0.1 * gen.normal(size=2000)])  # correlation -0.995
    >>> print(_trade_off(s, ridge)[:60])
    `peer_talk` and `baseline_engagement` trade off: the series
    """
    if sample_z.shape[1] < 2:
        return None
    sd = sample_z.std(axis=0)
    if np.any(sd <= 0):
        return None
    lam, vec = np.linalg.eigh(np.corrcoef(sample_z, rowvar=False))
    if lam[0] >= TRADE_OFF:
        return None
    load = np.abs(vec[:, 0])
    names = [f"`{s.name}`" for s, v in zip(specs, load, strict=True) if v >= min(0.3, load.max())]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return (
        f"{listed} trade off: the series determine a combination of them "
        f"{1 / math.sqrt(max(lam[0], 1e-12)):.1f} times less well than each alone (smallest "
        f"eigenvalue of the posterior correlation {lam[0]:.2f} < {TRADE_OFF:g}), and the "
        "intervals of the linear emulator can then be too narrow; fix one of them "
        "(fixed={name: value}) for honest intervals"
    )


def _identification(specs: tuple[ParameterSpec, ...], sample_z: FloatArray, level: float) -> None:
    """Raise or warn when the posterior of a parameter spans (most of) its whole range."""
    u = 1.0 / (1.0 + np.exp(-sample_z))  # position within the bounds (on the spec's scale)
    lo = np.quantile(u, 0.5 - level / 2, axis=0)
    hi = np.quantile(u, 0.5 + level / 2, axis=0)
    span = hi - lo
    for s, w in zip(specs, span.tolist(), strict=True):
        if w > UNIDENTIFIED:
            raise ConvergenceError(
                f"calibrate: the series do not identify `{s.name}` together with the other "
                f"free parameters (they move the series alike): its {level:.0%} interval "
                f"spans {w:.0%} of its range [{s.low:g}, {s.high:g}]; fix it or one of "
                f"the parameters it trades off with (fixed={{'{s.name}': ...}}), or compare "
                "a series it moves"
            )
        if w > WEAK:
            warnings.warn(
                f"calibrate: `{s.name}` is weakly identified: its {level:.0%} interval spans "
                f"{w:.0%} of its range [{s.low:g}, {s.high:g}]",
                ShequnWarning,
                stacklevel=3,
            )
