"""The one adapter between the twin and the engine (everything engine-specific lives here).

The twin sees the engine through four functions, each a thin call to the engine's own API
(issue 12):

* :func:`parameters` — the engine's calibratable parameters
  (:func:`shequn.simulation.parameters`, ``ladder_rates[0]`` for a tuple element) as search
  ranges: the engine's bounds where finite (logit scale), ``[default / 10, default × 10]``
  where the engine's range is unbounded (log scale); plus the twin's two reparametrisations
  ``repeat_scale`` and ``ladder_scale`` (one factor on every ``repeat_rates[i]`` /
  ``ladder_rates[i]``);
* :func:`build` — :meth:`Dynamics.with_parameters <shequn.simulation.Dynamics.with_parameters>`
  on the setup's compiled model (the network and the kernels shared, the rates derived again);
* :func:`observe_run` — one run's weekly observed series, read from the
  :class:`~shequn.simulation.Trajectory` of :func:`shequn.simulation.run` (flows and stocks)
  and from its records (who was active, who bought), the way
  :meth:`shequn.records.Records.weekly` reads them from records (a test checks that both
  agree on the same run); :func:`weekly_batch` does the same for a batch of parameter sets on
  common random numbers through :func:`shequn.simulation.run_batch`;
* :func:`emit_records` — ``run(..., records=True).records`` loaded through
  :func:`shequn.records.load_records`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from shequn._typing import FloatArray
from shequn._validation import check_bool, check_finite, check_instance, count, fail, instance_of
from shequn.community.community import Community
from shequn.economics.money import Economics
from shequn.loyalty.stages import Stage
from shequn.operating.model import OperatingModel
from shequn.records.load import load_records
from shequn.records.records import Records
from shequn.rng import RNGLike
from shequn.simulation.dynamics import Dynamics, compile_dynamics
from shequn.simulation.engine import run, run_batch
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.parameters import Parameter
from shequn.simulation.parameters import parameters as engine_parameters
from shequn.simulation.profiles import Profile, profile_for
from shequn.simulation.records import STAGE_NAMES
from shequn.simulation.trajectory import Trajectory

__all__ = [
    "ENGINE_PARAMETERS",
    "OBSERVED",
    "EngineSetup",
    "ParameterSpec",
    "build",
    "current",
    "emit_records",
    "engine_values",
    "observe_run",
    "parameters",
    "weekly_batch",
]

LAPSED = int(Stage.LAPSED)

OBSERVED = (
    "joins",
    "leaves",
    "members",
    "active",
    "messages",
    "events",
    "attendances",
    "member_purchases",
    "member_buyers",
    "member_revenue",
)
"""The weekly series a run yields (the members' series of :data:`shequn.records.SERIES`)."""


@attrs.frozen(kw_only=True)
class ParameterSpec:
    """One calibratable engine parameter.

    Attributes
    ----------
    name
        The parameter's name (the engine field; ``*_scale`` multiplies a vector field).
    owner
        Where it lives: ``"profile"`` (:class:`~shequn.simulation.Profile`) or
        ``"mechanisms"`` (:class:`~shequn.simulation.Mechanisms`).
    unit
        Its unit.
    low, high
        Bounds of the search (inside the field's valid range).
    scale
        ``"logit"`` for probabilities (bounded in (0, 1)), ``"log"`` for positive rates: the
        transform the samplers and optimisers work on.
    meaning
        What it governs, in one line.
    """

    name: str
    owner: str
    unit: str
    low: float
    high: float
    scale: str
    meaning: str


_SCALES: dict[str, tuple[str, str]] = {
    "repeat_scale": ("repeat_rates", "all repeat_rates, scaled"),
    "ladder_scale": ("ladder_rates", "all ladder_rates, scaled"),
}
"""The twin's two reparametrisations: one factor on every element of an engine vector."""


def _spec(p: Parameter, reference: float) -> ParameterSpec:
    """The search range of engine parameter ``p``: its bounds where finite (logit scale),
    else ``[reference / 10, reference × 10]`` clipped to them (log scale)."""
    lo, hi = (float(b) for b in p.bounds)
    if math.isfinite(lo) and math.isfinite(hi):
        if p.low_open:  # the low bound itself is not allowed: nudge it inside
            lo = lo + 1e-6 * (hi - lo)
        scale = "logit"
    else:
        ref = reference if reference > 0 else 1.0
        lo, hi = max(lo, ref / 10.0), min(hi, ref * 10.0)
        scale = "log"
    return ParameterSpec(
        name=p.name,
        owner=p.mechanism,
        unit=p.unit,
        low=lo,
        high=hi,
        scale=scale,
        meaning=_MEANING.get(p.name, f"{p.mechanism}: `{p.name}` ({p.unit})"),
    )


_MEANING = {
    "baseline_churn": "exit hazard of a member",
    "baseline_engagement": "engagement members relax toward",
    "peer_talk": "talk propensity along a tie",
    "leader_dependence": "engagement flowing via leaders",
    "invite_propensity": "invitations by engaged members",
    "engagement_response": "engagement gained per item",
    "repost_propensity": "reposts of perfect content",
    "initial_customers": "members who bought before week 0",
    "talk_gain": "engagement gained per conversation",
    "relax": "pull toward the baseline engagement",
    "return_rate": "lapsed members won back",
    "wom_conversion": "word-of-mouth conversion",
    "content_conversion": "content conversion",
    "broadcast_conversion": "broadcast conversion",
    "event_gain": "engagement gained at an event",
    "strong_protect": "churn cut per strong tie",
    "ladder_down": "down-moves of the disengaged",
    "churn_engagement": "churn fall per unit engagement",
}


@functools.cache
def _default_specs() -> tuple[ParameterSpec, ...]:
    # ranges of the unbounded parameters from the engine's defaults (not a setup's values), so
    # a parameter's search range is the same for every setup
    ref = {p.name: p.default for p in engine_parameters("brand", mechanisms=Mechanisms())}
    out = [_spec(p, ref[p.name]) for p in engine_parameters("brand")]
    for name, (vector, meaning) in _SCALES.items():
        out.append(
            ParameterSpec(
                name=name,
                owner=engine_parameters("brand")[f"{vector}[0]"].mechanism,
                unit="× default",
                low=0.1,
                high=10.0,
                scale="log",
                meaning=meaning,
            )
        )
    return tuple(out)


ENGINE_PARAMETERS: tuple[ParameterSpec, ...] = _default_specs()
"""Every engine parameter the twin can calibrate (:func:`shequn.simulation.parameters`), and
the twin's ``repeat_scale`` and ``ladder_scale``."""


def check_model_parts(
    owner: str, *, operating_model: Any, profile: Any, mechanisms: Any, economics: Any
) -> None:
    """Check the optional parts of an engine set-up (each ``None`` or of its class).

    Examples
    --------
    >>> check_model_parts("f", operating_model=None, profile=None, mechanisms=None,
    ...                   economics="cheap")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `f.economics` must be an Economics or None; \
got 'cheap'
    """
    for field, value, cls in (
        ("operating_model", operating_model, OperatingModel),
        ("profile", profile, Profile),
        ("mechanisms", mechanisms, Mechanisms),
        ("economics", economics, Economics),
    ):
        check_instance(value, cls, owner=owner, field=field, optional=True)


@attrs.frozen(kw_only=True, eq=False)
class EngineSetup:
    """Everything a run needs besides the parameters being calibrated.

    Attributes
    ----------
    community
        The community at week 0.
    operating_model
        The 通/法/术/器 settings in force.
    profile, mechanisms, economics
        The engine's settings (the calibrated parameters are written into them by
        :func:`build`).
    base_repeat, base_ladder
        The vector rates that ``repeat_scale`` and ``ladder_scale`` multiply.
    capacity
        Member slots (default ``1.5 n``).
    """

    community: Community = attrs.field(validator=instance_of(Community))
    operating_model: OperatingModel = attrs.field(validator=instance_of(OperatingModel))
    profile: Profile = attrs.field(validator=instance_of(Profile))
    mechanisms: Mechanisms = attrs.field(validator=instance_of(Mechanisms))
    economics: Economics = attrs.field(validator=instance_of(Economics))
    base_repeat: tuple[float, ...] = (0.05, 0.15, 0.25, 0.30)
    base_ladder: tuple[float, ...] = (0.10, 0.06, 0.04)
    capacity: int | None = attrs.field(default=None, validator=attrs.validators.optional(count(1)))
    _compiled: list[Dynamics] = attrs.field(init=False, factory=list, repr=False)

    @classmethod
    def of(
        cls,
        community: Community,
        operating_model: OperatingModel | None = None,
        *,
        profile: Profile | None = None,
        mechanisms: Mechanisms | None = None,
        economics: Economics | None = None,
        capacity: int | None = None,
    ) -> EngineSetup:
        """A setup with the engine's defaults for whatever is not given.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> EngineSetup.of(generate_community("brand", 50, rng=0)).community.n
        50
        >>> EngineSetup.of("brand")
        Traceback (most recent call last):
        ...
        shequn.exceptions.InvalidParameterError: `EngineSetup.of.community` must be a \
Community; got 'brand'
        """
        owner = "EngineSetup.of"
        check_instance(community, Community, owner=owner, field="community")
        check_model_parts(
            owner,
            operating_model=operating_model,
            profile=profile,
            mechanisms=mechanisms,
            economics=economics,
        )
        mech = Mechanisms() if mechanisms is None else mechanisms
        return cls(
            community=community,
            operating_model=OperatingModel() if operating_model is None else operating_model,
            profile=profile_for(community.kind) if profile is None else profile,
            mechanisms=mech,
            economics=Economics() if economics is None else economics,
            base_repeat=mech.repeat_rates,
            base_ladder=mech.ladder_rates,
            capacity=capacity,
        )

    def compile(self) -> Dynamics:
        """The engine's compiled dynamics of this setup (compiled once, then kept).

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> s = EngineSetup.of(generate_community("brand", 50, rng=0))
        >>> s.compile() is s.compile()
        True
        """
        if not self._compiled:
            self._compiled.append(
                compile_dynamics(
                    self.community,
                    self.operating_model,
                    self.profile,
                    self.economics,
                    mechanisms=self.mechanisms,
                    capacity=self.capacity,
                )
            )
        return self._compiled[0]


def parameters(setup: EngineSetup | None = None) -> dict[str, ParameterSpec]:
    """The calibratable parameters by name: the engine's (:func:`shequn.simulation.parameters`)
    with their search ranges, and ``repeat_scale`` / ``ladder_scale``.

    A parameter's range does not depend on ``setup`` (the unbounded ones span a factor of ten
    either side of the engine's default).

    Examples
    --------
    >>> p = parameters()
    >>> p["baseline_churn"].owner, p["baseline_churn"].unit, p["baseline_churn"].scale
    ('ladder', 'probability / week', 'logit')
    >>> p["repeat_rates[0]"].low, p["repeat_rates[0]"].high, p["repeat_rates[0]"].scale
    (0.005, 0.5, 'log')
    """
    check_instance(setup, EngineSetup, owner="parameters", field="setup", optional=True)
    return {p.name: p for p in ENGINE_PARAMETERS}


def current(setup: EngineSetup, name: str) -> float:
    """The value of parameter ``name`` in ``setup``."""
    if name in _SCALES:
        base = setup.base_repeat if name == "repeat_scale" else setup.base_ladder
        now = getattr(setup.mechanisms, _SCALES[name][0])
        ratios = [a / b for a, b in zip(now, base, strict=True) if b > 0]
        return float(ratios[0]) if ratios else 1.0
    known = parameters()
    if name not in known:
        raise fail("current", "name", "name an engine parameter", name)
    return float(
        engine_parameters(profile=setup.profile, mechanisms=setup.mechanisms)[name].default
    )


def engine_values(setup: EngineSetup, values: Mapping[str, float]) -> dict[str, float]:
    """A twin mapping as the engine's: ``repeat_scale`` / ``ladder_scale`` become element names.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> s = EngineSetup.of(generate_community("brand", 50, rng=0))
    >>> engine_values(s, {"ladder_scale": 2.0, "peer_talk": 0.4})
    {'ladder_rates[0]': 0.2, 'ladder_rates[1]': 0.12, 'ladder_rates[2]': 0.08, 'peer_talk': 0.4}
    """
    if not isinstance(values, Mapping):
        raise fail("build", "values", "be a mapping of parameter names to values", values)
    known = parameters()
    out: dict[str, float] = {}
    for name, value in values.items():
        if name not in known:
            raise fail(
                "build", "values", "name engine parameters (see shequn.twin.parameters())", name
            )
        v = check_finite(value, owner="build", field=f"values[{name!r}]")
        if name == "repeat_scale":
            out.update({f"repeat_rates[{i}]": v * r for i, r in enumerate(setup.base_repeat)})
        elif name == "ladder_scale":
            out.update(
                {f"ladder_rates[{i}]": min(1.0, v * r) for i, r in enumerate(setup.base_ladder)}
            )
        else:
            out[name] = v
    return out


def build(setup: EngineSetup, values: Mapping[str, float]) -> EngineSetup:
    """``setup`` with parameters set from a name → value mapping (the engine validates them).

    The new setup's compiled model is ``setup.compile().with_parameters(values)``: the network
    and the kernels are shared, only the rates are derived again.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> s = build(EngineSetup.of(generate_community("brand", 50, rng=0)),
    ...           {"baseline_churn": 0.05, "repeat_scale": 2.0})
    >>> s.profile.baseline_churn, s.mechanisms.repeat_rates[0], s.compile().profile is s.profile
    (0.05, 0.1, True)
    """
    check_instance(setup, EngineSetup, owner="build", field="setup")
    vals = engine_values(setup, values)
    d = setup.compile().with_parameters(vals)
    out = attrs.evolve(setup, profile=d.profile, mechanisms=d.mechanisms)
    out._compiled.append(d)
    return out


def _operators(tables: Mapping[str, Mapping[str, Any]]) -> FloatArray:
    """Ids of the operators (leaders and brand accounts) of a run's record tables."""
    m = tables["members"]
    op = np.isin(m["role"], ("leader", "brand_account"))
    return np.unique(np.asarray(m["member"])[op]).astype(np.float64)


def _distinct(week: Any, who: Any, n: int) -> FloatArray:
    """Per week ``0..n-1``, the number of distinct ``who`` among the rows of that week.

    A (week, member) mark table when it is small (a run's weeks × its slots: linear in the
    rows, where sorting or hashing a million message rows cost a fifth of a 5,000-member
    simulation), else the distinct keys.

    Examples
    --------
    >>> _distinct(np.array([0, 0, 1, 1, 1, 5]), np.array([3, 3, 3, 4, 4, 1]), 3).tolist()
    [1.0, 2.0, 0.0]
    """
    keep = (week >= 0) & (week < n) & (who >= 0)
    if not keep.any():
        return np.zeros(n)
    wk = week[keep].astype(np.int64)
    member = who[keep].astype(np.int64)
    k = int(member.max()) + 1
    if n * k <= 50_000_000:
        mark = np.zeros((n, k), dtype=bool)
        mark[wk, member] = True
        counts: FloatArray = np.count_nonzero(mark, axis=1).astype(np.float64)
        return counts
    key = np.unique(wk * k + member)
    out: FloatArray = np.bincount(key // k, minlength=n).astype(np.float64)[:n]
    return out


def _series(t: Trajectory, weeks: int) -> FloatArray:
    """(len(OBSERVED), weeks + 1) weekly series of one run with records (row 0: the start).

    The flows and stocks come from the trajectory; who was active and who bought from its
    records, counted as :func:`shequn.records.derive.weekly_series` counts them (ordinary
    members only; a member is active in a week with a message sent or received, an event
    attended or a purchase).
    """
    r = t.records
    assert r is not None
    W = weeks + 1
    out = np.zeros((len(OBSERVED), W))
    row = {k: i for i, k in enumerate(OBSERVED)}
    cols = t.columns
    for mine, theirs in (
        ("joins", "joined"),
        ("leaves", "left"),
        ("messages", "messages"),
        ("events", "events"),
        ("attendances", "attendees"),
        ("member_revenue", "revenue"),
    ):
        out[row[mine], 1:] = np.asarray(cols[theirs], dtype=np.float64)[1:W]
    out[row["members"]] = np.asarray(t.members, dtype=np.float64)[:W]
    ops = _operators(r.tables)
    msg, ev, tx = r["messages"], r["events"], r["transactions"]
    mw = msg["time"].astype(np.int64)
    tw = tx["time"].astype(np.int64)
    buy = ~np.isin(tx["customer"], ops)
    wk = np.concatenate([mw, mw, ev["time"].astype(np.int64), tw[buy]])
    who = np.concatenate([msg["sender"], msg["recipient"], ev["member"], tx["customer"][buy]])
    ordinary = ~np.isin(who, ops)
    out[row["active"]] = _distinct(wk[ordinary], who[ordinary], W)
    out[row["member_purchases"]] = np.bincount(tw[buy], minlength=W)[:W]
    out[row["member_buyers"]] = _distinct(tw[buy], tx["customer"][buy], W)
    out[row["active"], 0] = 0.0
    out[row["member_purchases"], 0] = 0.0
    out[row["member_buyers"], 0] = 0.0
    return out


def observe_run(setup: EngineSetup | Dynamics, *, weeks: int, rng: RNGLike) -> FloatArray:
    """(len(OBSERVED), weeks + 1) weekly observed series of one run (row 0: the start).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> y = observe_run(EngineSetup.of(generate_community("brand", 80, rng=0)), weeks=3, rng=1)
    >>> y.shape, float(y[OBSERVED.index("members"), 0])
    ((10, 4), 79.0)
    """
    check_instance(setup, (EngineSetup, Dynamics), owner="observe_run", field="setup")
    d = setup.compile() if isinstance(setup, EngineSetup) else setup
    return _series(run(d, weeks=weeks, rng=rng, records=True, rings=False), weeks)


def weekly_batch(
    d: Dynamics, values: Sequence[Mapping[str, float]], *, weeks: int, rng: np.random.SeedSequence
) -> list[FloatArray]:
    """The weekly series (as :func:`observe_run`) of one run per engine mapping in ``values``,
    all on the same stream of ``rng`` (common random numbers): one
    :func:`~shequn.simulation.run_batch` on the compiled ``d``.

    Examples
    --------
    >>> import numpy as np
    >>> from shequn.community import generate_community
    >>> d = EngineSetup.of(generate_community("brand", 80, rng=0)).compile()
    >>> a, b = weekly_batch(d, [{}, {}], weeks=3, rng=np.random.SeedSequence(1))
    >>> bool((a == b).all())
    True
    """
    ts = run_batch(
        d,
        list(values),
        weeks=weeks,
        rng=rng,
        common_random_numbers=True,
        records=True,
        rings=False,  # the calibration reads the weekly series only
        progress=False,
    )
    return [_series(t, weeks) for t in ts]


def emit_records(setup: EngineSetup, *, weeks: int, rng: RNGLike, tastes: bool = False) -> Records:
    """One run's individual records in the records schema (member ids are slot numbers).

    The engine's own records (:func:`shequn.simulation.run` with ``records=True``; the tables of
    :class:`~shequn.simulation.RecordTables`) loaded through
    :func:`~shequn.records.load_records`, with two additions: members who had bought before
    the start get one purchase at time 0 at the list price (so the records say who the initial
    customers were), and, with ``tastes``, ``taste_*`` columns on the founding members' spells
    (the engine does not record newcomers' tastes; theirs are left blank).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> r = emit_records(EngineSetup.of(generate_community("brand", 60, rng=0)), weeks=4,
    ...                  rng=2)
    >>> r.weeks, r.n_members >= 60, r.report.set_aside
    (4, True, 0)
    """
    check_instance(setup, EngineSetup, owner="emit_records", field="setup")
    check_bool(tastes, owner="emit_records", field="tastes")
    d = setup.compile()
    t = run(d, weeks=weeks, rng=rng, records=True)
    assert t.records is not None
    tables: dict[str, dict[str, Any]] = {k: dict(v) for k, v in t.records.tables.items()}
    st = tables["stages"]
    first = st["week"] == 0
    code = st["stage"][first].astype(np.int64)
    won = st["member"][first][(code >= int(Stage.CUSTOMER)) & (code < int(Stage.LAPSED))]
    tx = tables["transactions"]
    tables["transactions"] = {
        "customer": np.concatenate([won, tx["customer"]]),
        "time": np.concatenate([np.zeros(won.size), tx["time"]]),
        "amount": np.concatenate([np.full(won.size, float(d.economics.price)), tx["amount"]]),
    }
    st["stage"] = np.asarray(STAGE_NAMES, dtype=object)[st["stage"].astype(np.int64)]
    if not tables["broadcasts"]["time"].size:
        del tables["broadcasts"]
    if tastes:
        mem = tables["members"]["member"]
        founding = mem < d.n
        for k in range(d.taste.shape[1]):
            col = np.full(mem.size, math.nan)
            col[founding] = d.taste[mem[founding], k]
            tables["members"][f"taste_{k}"] = col
    return load_records(tables, end=float(weeks))
