"""The one adapter between the twin and the engine (everything engine-specific lives here).

Until the engine publishes its parameter vector (``shequn.simulation.parameters()``), batched
runs and record emission (issue 12), this module provides them on top of the current engine:

* :data:`ENGINE_PARAMETERS` and :func:`parameters` — the calibratable scalars of
  :class:`~shequn.simulation.Profile` and :class:`~shequn.simulation.Mechanisms`, with unit,
  bounds and owner; :func:`build` rebuilds a setup from a name → value mapping by
  :func:`attrs.evolve`;
* :func:`observe_run` — one run's weekly observed series, computed from consecutive states the
  way :meth:`shequn.records.Records.weekly` computes them from records (a test checks that
  both agree on the same run);
* :func:`emit_records` — one run's individual records in the records schema.

The runs replay :func:`shequn.simulation.simulate` exactly (same streams: week ``w`` on child
``w`` of ``rng``), stepping :func:`~shequn.simulation.step` directly to see each week's
states. When the engine's own API lands, :func:`parameters`, :func:`build`,
:func:`observe_run` and :func:`emit_records` become thin calls to it; nothing else in
:mod:`shequn.twin` touches the engine.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from shequn._typing import FloatArray
from shequn._validation import fail
from shequn.community.community import Community
from shequn.economics.money import Economics
from shequn.loyalty.stages import Stage
from shequn.operating.model import OperatingModel
from shequn.records.load import load_records
from shequn.records.records import Records
from shequn.rng import RNGLike, spawn_seeds
from shequn.simulation.dynamics import Dynamics, compile
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.profiles import Profile, profile_for
from shequn.simulation.state import State, init_state
from shequn.simulation.step import step

__all__ = [
    "ENGINE_PARAMETERS",
    "OBSERVED",
    "EngineSetup",
    "ParameterSpec",
    "build",
    "emit_records",
    "observe_run",
    "parameters",
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


def _p(name: str, owner: str, unit: str, low: float, high: float, meaning: str) -> ParameterSpec:
    return ParameterSpec(
        name=name, owner=owner, unit=unit, low=low, high=high, scale="logit", meaning=meaning
    )


def _r(name: str, owner: str, unit: str, low: float, high: float, meaning: str) -> ParameterSpec:
    return ParameterSpec(
        name=name, owner=owner, unit=unit, low=low, high=high, scale="log", meaning=meaning
    )


ENGINE_PARAMETERS: tuple[ParameterSpec, ...] = (
    _p("baseline_churn", "profile", "per week", 0.001, 0.2, "exit hazard of a member"),
    _p("baseline_engagement", "profile", "share", 0.05, 0.9, "engagement members relax toward"),
    _p("peer_talk", "profile", "probability", 0.02, 1.0, "talk propensity along a tie"),
    _p("leader_dependence", "profile", "share", 0.0, 1.0, "engagement flowing via leaders"),
    _p("invite_propensity", "profile", "per week", 0.001, 0.2, "invitations by engaged members"),
    _p("engagement_response", "profile", "per item", 0.01, 0.8, "engagement gained per item"),
    _p("repost_propensity", "profile", "probability", 0.01, 1.0, "reposts of perfect content"),
    _p("initial_customers", "profile", "share", 0.0, 1.0, "members who bought before week 0"),
    _p("talk_gain", "mechanisms", "per talk", 0.001, 0.3, "engagement gained per conversation"),
    _p("relax", "mechanisms", "per week", 0.01, 0.9, "pull toward the baseline engagement"),
    _p("return_rate", "mechanisms", "per advocate", 0.0005, 0.2, "lapsed members won back"),
    _p("wom_conversion", "mechanisms", "per talk", 0.005, 0.9, "word-of-mouth conversion"),
    _p("content_conversion", "mechanisms", "per week", 0.001, 0.5, "content conversion"),
    _p("broadcast_conversion", "mechanisms", "per open", 0.001, 0.5, "broadcast conversion"),
    _p("event_gain", "mechanisms", "per event", 0.01, 0.9, "engagement gained at an event"),
    _p("strong_protect", "mechanisms", "per strong tie", 0.0, 0.9, "churn cut per strong tie"),
    _p("ladder_down", "mechanisms", "per week", 0.001, 0.5, "down-moves of the disengaged"),
    _r("churn_engagement", "mechanisms", "per unit engagement", 0.1, 10.0, "churn fall"),
    _r("repeat_scale", "mechanisms", "× default", 0.1, 10.0, "all repeat_rates, scaled"),
    _r("ladder_scale", "mechanisms", "× default", 0.1, 10.0, "all ladder_rates, scaled"),
)
"""Every engine scalar the twin can calibrate (the current engine's fields)."""

_VECTOR = {"repeat_scale": "repeat_rates", "ladder_scale": "ladder_rates"}


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

    community: Community
    operating_model: OperatingModel
    profile: Profile
    mechanisms: Mechanisms
    economics: Economics
    base_repeat: tuple[float, ...] = (0.05, 0.15, 0.25, 0.30)
    base_ladder: tuple[float, ...] = (0.10, 0.06, 0.04)
    capacity: int | None = None

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
        """A setup with the engine's defaults for whatever is not given."""
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
        """The engine's compiled dynamics of this setup."""
        return compile(
            self.community,
            self.operating_model,
            self.profile,
            self.economics,
            mechanisms=self.mechanisms,
            capacity=self.capacity,
        )


def parameters(setup: EngineSetup | None = None) -> dict[str, ParameterSpec]:
    """The calibratable parameters by name (the seam for ``shequn.simulation.parameters()``).

    Examples
    --------
    >>> p = parameters()
    >>> p["baseline_churn"].owner, p["baseline_churn"].unit
    ('profile', 'per week')
    """
    return {p.name: p for p in ENGINE_PARAMETERS}


def current(setup: EngineSetup, name: str) -> float:
    """The value of parameter ``name`` in ``setup``."""
    spec = parameters()[name]
    if name in _VECTOR:
        base = setup.base_repeat if name == "repeat_scale" else setup.base_ladder
        now = getattr(setup.mechanisms, _VECTOR[name])
        ratios = [a / b for a, b in zip(now, base, strict=True) if b > 0]
        return float(ratios[0]) if ratios else 1.0
    obj = setup.profile if spec.owner == "profile" else setup.mechanisms
    return float(getattr(obj, name))


def build(setup: EngineSetup, values: Mapping[str, float]) -> EngineSetup:
    """``setup`` with parameters set from a name → value mapping (the engine validates them).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> s = build(EngineSetup.of(generate_community("brand", 50, rng=0)),
    ...           {"baseline_churn": 0.05, "repeat_scale": 2.0})
    >>> s.profile.baseline_churn, s.mechanisms.repeat_rates[0]
    (0.05, 0.1)
    """
    known = parameters()
    prof: dict[str, Any] = {}
    mech: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise fail("build", "values", f"name engine parameters {sorted(known)}", name)
        v = float(value)
        if name == "repeat_scale":
            mech["repeat_rates"] = tuple(v * r for r in setup.base_repeat)
        elif name == "ladder_scale":
            mech["ladder_rates"] = tuple(min(1.0, v * r) for r in setup.base_ladder)
        elif known[name].owner == "profile":
            prof[name] = v
        else:
            mech[name] = v
    return attrs.evolve(
        setup,
        profile=attrs.evolve(setup.profile, **prof) if prof else setup.profile,
        mechanisms=attrs.evolve(setup.mechanisms, **mech) if mech else setup.mechanisms,
    )


def _states(d: Dynamics, weeks: int, rng: RNGLike) -> Iterator[State]:
    """The week-0 state and the state after each week, on :func:`simulate`'s streams."""
    streams = spawn_seeds(rng, weeks + 1, owner="simulate")
    state = init_state(d, rng=np.random.default_rng(streams[0]))
    yield state
    for w in range(1, weeks + 1):
        state = step(state, d, w, rng=np.random.default_rng(streams[w]))
        yield state


def _present(stage: NDArray[np.int8]) -> NDArray[np.bool_]:
    out: NDArray[np.bool_] = (stage >= 0) & (stage < LAPSED)
    return out


def _week_changes(
    prev: State, cur: State, decay: float
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_], FloatArray]:
    """Ties that talked (indices), members who attended, members who bought, money spent."""
    m0 = prev.m_used
    quiet = (prev.messages[:m0].astype(np.float64) * decay).astype(np.float32)
    talked = np.flatnonzero(cur.messages[:m0] - quiet > 0.5)
    n = cur.n_used
    att = np.zeros(n, dtype=bool)
    if cur.attended is not prev.attended:
        att = cur.attended[:n] > prev.attended[:n]
    bought = cur.purchases[:n] > prev.purchases[:n]
    spent = cur.spend[:n] - prev.spend[:n]
    return talked.astype(np.int64), att, bought, spent


def observe_run(setup: EngineSetup | Dynamics, *, weeks: int, rng: RNGLike) -> FloatArray:
    """(len(OBSERVED), weeks + 1) weekly observed series of one run (row 0: the start).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> y = observe_run(EngineSetup.of(generate_community("brand", 80, rng=0)), weeks=3, rng=1)
    >>> y.shape, float(y[OBSERVED.index("members"), 0])
    ((10, 4), 79.0)
    """
    d = setup.compile() if isinstance(setup, EngineSetup) else setup
    decay = 0.5 ** (1.0 / d.mechanisms.tie_rule.half_life_weeks)
    out = np.zeros((len(OBSERVED), weeks + 1))
    row = {k: i for i, k in enumerate(OBSERVED)}
    prev: State | None = None
    for w, cur in enumerate(_states(d, weeks, rng)):
        out[row["members"], w] = np.count_nonzero(_present(cur.stage[: cur.n_used]))
        if prev is not None:
            f = cur.flows
            talked, att, bought, _ = _week_changes(prev, cur, decay)
            act = att | bought
            act[cur.eu[talked]] = True
            act[cur.ev[talked]] = True
            out[row["joins"], w] = f["joined"]
            out[row["leaves"], w] = f["left"]
            out[row["active"], w] = np.count_nonzero(act)
            out[row["messages"], w] = f["messages"]
            out[row["events"], w] = f["events"]
            out[row["attendances"], w] = f["attendees"]
            out[row["member_purchases"], w] = np.count_nonzero(bought)
            out[row["member_buyers"], w] = np.count_nonzero(bought)
            out[row["member_revenue"], w] = f["revenue"]
        prev = cur
    return out


def emit_records(setup: EngineSetup, *, weeks: int, rng: RNGLike, tastes: bool = False) -> Records:
    """One run's individual records in the records schema (member ids are slot numbers).

    Tables: ``members`` (one row per membership spell; role; ``taste_*`` columns when
    ``tastes``), ``ties`` (week-0 ties, and ties formed later with the week), ``groups`` (at
    the end of the run; owners marked), ``messages`` (one row per tie that talked in a week:
    ``sender`` the tie's lower end, ``recipient`` the other), ``events`` (one row per attendee;
    the event is its group's event of that week), ``transactions`` (one row per member and
    week with purchases, ``amount`` the money spent; members who had bought before the start
    get one purchase at time 0 at the list price), ``broadcasts`` (one row per week with
    messages sent) and ``stages`` (every member's stage at the end of every week).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> r = emit_records(EngineSetup.of(generate_community("brand", 60, rng=0)), weeks=4,
    ...                  rng=2)
    >>> r.weeks, r.n_members >= 60, r.report.set_aside
    (4, True, 0)
    """
    d = setup.compile()
    decay = 0.5 ** (1.0 / d.mechanisms.tie_rule.half_life_weeks)
    price = d.economics.price
    roles = setup.community.roles
    role_name = {0: "member", 1: "volunteer", 2: "leader", 3: "brand_account"}
    sp_member: list[int] = []
    sp_joined: list[float] = []
    sp_left: list[float | None] = []
    open_spell: dict[int, int] = {}
    msg_t: list[NDArray[Any]] = []
    msg_a: list[NDArray[Any]] = []
    msg_b: list[NDArray[Any]] = []
    ev_id: list[NDArray[Any]] = []
    ev_m: list[NDArray[Any]] = []
    ev_t: list[NDArray[Any]] = []
    tx_c: list[NDArray[Any]] = []
    tx_t: list[NDArray[Any]] = []
    tx_a: list[NDArray[Any]] = []
    st_m: list[NDArray[Any]] = []
    st_w: list[NDArray[Any]] = []
    st_s: list[NDArray[Any]] = []
    tie_a: list[NDArray[Any]] = [d.eu.astype(np.int64)]
    tie_b: list[NDArray[Any]] = [d.ev.astype(np.int64)]
    tie_f: list[NDArray[Any]] = [np.full(d.eu.size, np.nan)]
    bc: list[tuple[float, int, int]] = []
    prev: State | None = None
    for w, cur in enumerate(_states(d, weeks, rng)):
        n = cur.n_used
        stage = cur.stage[:n]
        present = _present(stage)
        if prev is None:
            for i in range(n):
                if present[i] or cur.operator[i]:
                    open_spell[i] = len(sp_member)
                    sp_member.append(i)
                    sp_joined.append(0.0)
                    sp_left.append(None)
            won = np.flatnonzero(present & (stage >= int(Stage.CUSTOMER)))
            tx_c.append(won)
            tx_t.append(np.zeros(won.size))
            tx_a.append(np.full(won.size, price))
        else:
            was = np.zeros(n, dtype=bool)
            was[: prev.n_used] = _present(prev.stage[: prev.n_used])
            for i in np.flatnonzero(present & ~was).tolist():
                open_spell[i] = len(sp_member)
                sp_member.append(i)
                sp_joined.append(float(w))
                sp_left.append(None)
            for i in np.flatnonzero(was & ~present).tolist():
                sp_left[open_spell.pop(i)] = float(w)
            talked, att, bought, spent = _week_changes(prev, cur, decay)
            msg_t.append(np.full(talked.size, float(w)))
            msg_a.append(cur.eu[talked].astype(np.int64))
            msg_b.append(cur.ev[talked].astype(np.int64))
            who = np.flatnonzero(att)
            ev_id.append(np.asarray([f"{w}-{g}" for g in prev.group[who].tolist()], dtype=object))
            ev_m.append(who)
            ev_t.append(np.full(who.size, float(w)))
            b = np.flatnonzero(bought)
            tx_c.append(b)
            tx_t.append(np.full(b.size, float(w)))
            tx_a.append(spent[b])
            if cur.m_used > prev.m_used:
                tie_a.append(cur.eu[prev.m_used : cur.m_used].astype(np.int64))
                tie_b.append(cur.ev[prev.m_used : cur.m_used].astype(np.int64))
                tie_f.append(np.full(cur.m_used - prev.m_used, float(w)))
            sent = int(cur.flows.get("broadcast_sent", 0))
            if sent:
                bc.append((float(w), sent, int(cur.flows.get("broadcast_opened", 0))))
        has = np.flatnonzero(stage >= 0)
        st_m.append(has)
        st_w.append(np.full(has.size, w))
        st_s.append(stage[has].astype(np.int64))
        prev = cur
    assert prev is not None
    final = prev
    n_all = final.n_used
    role = [role_name[int(roles[i])] if i < setup.community.n else "member" for i in sp_member]
    members: dict[str, Any] = {
        "member": np.asarray(sp_member),
        "joined": np.asarray(sp_joined),
        "left": np.asarray([math.nan if x is None else x for x in sp_left]),
        "role": np.asarray(role, dtype=object),
    }
    if tastes:
        for k in range(final.taste.shape[1]):
            members[f"taste_{k}"] = final.taste[np.asarray(sp_member, dtype=np.int64), k]
    g_mem = np.flatnonzero(final.group[:n_all] >= 0)
    owners = final.owners
    is_owner = np.zeros(n_all, dtype=bool)
    is_owner[owners[owners < n_all]] = True
    groups = {
        "group": final.group[g_mem].astype(np.int64),
        "member": g_mem,
        "role": np.where(is_owner[g_mem], "owner", "member").astype(object),
        "invitation": np.full(
            g_mem.size, setup.operating_model.tools.invite_policy.value, dtype=object
        ),
    }
    stage_names = np.asarray([s.name.lower() for s in Stage], dtype=object)
    tables: dict[str, Any] = {
        "members": members,
        "ties": {
            "a": np.concatenate(tie_a),
            "b": np.concatenate(tie_b),
            "formed": np.concatenate(tie_f),
        },
        "groups": groups,
        "messages": {
            "time": np.concatenate(msg_t) if msg_t else np.empty(0),
            "sender": np.concatenate(msg_a) if msg_a else np.empty(0, np.int64),
            "recipient": np.concatenate(msg_b) if msg_b else np.empty(0, np.int64),
        },
        "events": {
            "event": np.concatenate(ev_id) if ev_id else np.empty(0, object),
            "member": np.concatenate(ev_m) if ev_m else np.empty(0, np.int64),
            "time": np.concatenate(ev_t) if ev_t else np.empty(0),
        },
        "transactions": {
            "customer": np.concatenate(tx_c),
            "time": np.concatenate(tx_t),
            "amount": np.concatenate(tx_a),
        },
        "stages": {
            "member": np.concatenate(st_m),
            "week": np.concatenate(st_w),
            "stage": stage_names[np.concatenate(st_s)],
        },
    }
    if bc:
        tables["broadcasts"] = {
            "time": np.asarray([x[0] for x in bc]),
            "audience": np.asarray([x[1] for x in bc]),
            "opens": np.asarray([x[2] for x in bc]),
        }
    return load_records(tables, end=float(weeks))
