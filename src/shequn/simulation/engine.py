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

from typing import Any

import numpy as np

from shequn._validation import check_int, fail
from shequn.community.community import Community
from shequn.community.metrics import k_hop_reach
from shequn.economics.money import Economics
from shequn.operating.model import OperatingModel
from shequn.rng import RNGLike, seed_entropy, spawn_seeds
from shequn.simulation.dynamics import Dynamics, compile
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.profiles import Profile
from shequn.simulation.state import FAR, State, init_state, observe
from shequn.simulation.step import step
from shequn.simulation.trajectory import Trajectory

__all__ = ["run", "simulate"]

_FLOW_KEYS = (
    "joined",
    "newcomers",
    "ad_customers",
    "returned",
    "left",
    "churned",
    "removed",
    "messages",
    "meetings",
    "events",
    "attendees",
    "ties_formed",
    "partner_ties",
    "new_customers",
    "new_broadcast",
    "new_content",
    "new_wom",
    "units",
    "niche_units",
    "first_units",
    "first_niche_units",
    "community_units",
    "revenue",
    "cogs",
    "cost_content",
    "cost_events",
    "cost_broadcast",
    "cost_staff",
    "costs",
    "profit",
    "gross_margin",
    "feedback",
    "ideas",
    "dissatisfied",
    "broadcast_sent",
    "broadcast_opened",
    "open_rate",
    "precise_share",
    "content_items",
    "content_direct",
    "content_hop1",
    "content_hop2",
    "content_hop3",
    "content_reach",
    "moved_up",
    "moved_down",
    "at_risk_strong",
    "left_strong",
    "at_risk_weak",
    "left_weak",
    "revenue_customer",
    "revenue_user",
    "revenue_fan",
    "revenue_friend",
)


def run(dynamics: Dynamics, *, weeks: int, rng: RNGLike = None) -> Trajectory:
    """Simulate compiled ``dynamics`` for ``weeks`` weeks (see :func:`simulate`).

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> from shequn.simulation import compile
    >>> d = compile(generate_community("sharing", 100, rng=0), OperatingModel())
    >>> run(d, weeks=2, rng=0).weeks
    2
    """
    weeks = check_int(weeks, owner="simulate", field="weeks", low=1)
    if dynamics.leader_leaves_at is not None and not 1 <= dynamics.leader_leaves_at <= weeks:
        raise fail(
            "Structure",
            "leader_leaves_at",
            f"be a week within the horizon 1..{weeks}",
            dynamics.leader_leaves_at,
        )
    streams = spawn_seeds(rng, weeks + 1, owner="simulate")
    entropy = _entropy(rng)
    state = init_state(dynamics, rng=np.random.default_rng(streams[0]))
    rings = np.zeros(4, dtype=np.int64)
    if state.seeds.size:
        rings = k_hop_reach(dynamics.adjacency, state.seeds.tolist(), k=3)
    rows: dict[str, list[Any]] = {k: [0.0] for k in _FLOW_KEYS}
    for k in ("open_rate", "precise_share"):
        rows[k] = [np.nan]
    obs_rows: dict[str, list[Any]] = {}
    adopter_weeks: list[float] = [0.0]
    member_weeks: list[float] = [0.0]

    def record_obs(s: State) -> dict[str, Any]:
        o = observe(s, dynamics)
        for k, v in o.items():
            obs_rows.setdefault(k, []).append(v)
        return o

    prev = record_obs(state)
    for w in range(1, weeks + 1):
        state = step(state, dynamics, w, rng=np.random.default_rng(streams[w]))
        for k in _FLOW_KEYS:
            rows[k].append(state.flows.get(k, 0.0))
        adopter_weeks.append(float(prev["adopters"]))
        member_weeks.append(float(prev["members"]))
        prev = record_obs(state)
    cols: dict[str, Any] = {"week": np.arange(weeks + 1)}
    for k, v in rows.items():
        cols[k] = np.asarray(v, dtype=float)
    for k, v in obs_rows.items():
        cols[k] = np.asarray(v)
    cols["adopter_weeks"] = np.asarray(adopter_weeks)
    cols["member_weeks"] = np.asarray(member_weeks)
    return Trajectory(columns=cols, ring_sizes=[int(rings[i]) for i in range(FAR)], entropy=entropy)


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
) -> Trajectory:
    """Run a community under an operating model for ``weeks`` weeks.

    Compiles once (:func:`~shequn.simulation.compile`), draws the week-0 state
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
        See :func:`~shequn.simulation.compile`.

    Returns
    -------
    Trajectory

    Raises
    ------
    InvalidParameterError
        ``weeks < 1``, a leader leaving outside ``1..weeks``, or any invalid setting.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> from shequn.operating import OperatingModel
    >>> t = simulate(generate_community("brand", 100, rng=0), OperatingModel(), weeks=0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `simulate.weeks` must be an integer >= 1; got 0
    """
    weeks = check_int(weeks, owner="simulate", field="weeks", low=1)
    d = compile(
        community, operating_model, profile, economics, mechanisms=mechanisms, capacity=capacity
    )
    return run(d, weeks=weeks, rng=rng)
