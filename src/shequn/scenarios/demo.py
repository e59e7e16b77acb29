"""A compact demo: who to seed, and a brand community run well vs run as a member card.

Examples
--------
>>> from shequn.scenarios.demo import demo_report, seeding_report
>>> print(demo_report(rng=1, n=300, weeks=4).splitlines()[0])
shequn simulation demo: a brand community of 300 members, 4 weeks (seed 1)
>>> print(seeding_report(rng=1, n=300).splitlines()[0])
shequn seeding demo: a launch through 10 members of a brand community of 300 (seed 1)
"""

from __future__ import annotations

import math

from shequn._validation import check_int
from shequn.community.generators import generate_community
from shequn.community.metrics import k_hop_reach
from shequn.diffusion.cascades import independent_cascade
from shequn.diffusion.seeding import imm, select_seeds
from shequn.operating.model import OperatingModel
from shequn.rng import RNGLike, resolve_rng
from shequn.simulation.engine import simulate
from shequn.simulation.trajectory import Trajectory

__all__ = ["demo_report", "seeding_report"]


def _fmt(x: float) -> str:
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, float) and abs(x) < 10 and not x.is_integer():
        return f"{x:.3f}"
    return f"{x:,.0f}"


def demo_report(*, rng: RNGLike = None, n: int = 3000, weeks: int = 26) -> str:
    """Run a brand community under a good operating model and under broadcast only; compare.

    The good model is :class:`~shequn.operating.OperatingModel` defaults (group chat, 3 items of
    quality 0.7 a week, monthly events per group, open invitations, moderate rules). The member
    card model is :meth:`OperatingModel.broadcast_only` spending the same money on SMS.

    Returns
    -------
    str
        A text table, ready to print.

    Examples
    --------
    >>> "retention" in demo_report(rng=0, n=200, weeks=3)
    True
    """
    n = check_int(n, owner="demo_report", field="n", low=50)
    weeks = check_int(weeks, owner="demo_report", field="weeks", low=1)
    seed = rng if isinstance(rng, int) else None
    gen = resolve_rng(rng, owner="demo_report")
    c = generate_community("brand", n, rng=gen)
    sim_seed = int(gen.integers(2**63))
    good = simulate(c, OperatingModel(), weeks=weeks, rng=sim_seed)
    budget = float(good.marketing_costs[-1] / weeks)
    card = simulate(c, OperatingModel.broadcast_only(budget=budget), weeks=weeks, rng=sim_seed)

    def row(t: Trajectory) -> dict[str, float]:
        s = t.summary()
        v = t.value_layers
        return {
            "members at end": float(s["members"]),
            "retention of week-0 members": float(s["retention"]),
            "active share": float(s["active_share"]),
            "customers (adopters)": float(s["adopters"]),
            "fans + friends": float(s["stages"]["fan"] + s["stages"]["friend"]),
            "revenue": float(s["revenue"]),
            "marketing spend": float(t.marketing_costs[-1]),
            "profit": float(s["profit"]),
            "CAC": float(s["cac"]),
            "ROI": float(s["roi"]),
            "messages between members": v["channel_messages"],
            "feedback + ideas": v["platform_feedback"] + v["platform_ideas"],
            "ties formed": v["ecosystem_ties"],
        }

    a, b = row(good), row(card)
    head = f"shequn simulation demo: a brand community of {n} members, {weeks} weeks" + (
        f" (seed {seed})" if seed is not None else ""
    )
    w = max(len(k) for k in a)
    lines = [head, f"{'':{w}}  {'community (通法术器)':>20}  {'member card + SMS':>18}"]
    for k in a:
        lines.append(f"{k:{w}}  {_fmt(a[k]):>20}  {_fmt(b[k]):>18}")
    lines.append(
        f"(the member card was offered the community's weekly spend, {_fmt(budget)}, for SMS; "
        "it can send at most one message per member a week)"
    )
    return "\n".join(lines)


def seeding_report(
    *, rng: RNGLike = None, n: int = 3000, k: int = 10, p: float = 0.05, runs: int = 2000
) -> str:
    """Reach of a launch through ``k`` members chosen at random, by degree and by IMM.

    Word of mouth is an independent cascade with probability ``p`` per tie (reposts, seed 001);
    each seed set's reach is the mean final size over ``runs`` runs with its 95% interval,
    beside the members within 2 and 3 hops of the seeds (二三级人脉, seed 000).

    Returns
    -------
    str
        A text table, ready to print.

    Examples
    --------
    >>> "IMM" in seeding_report(rng=0, n=200, runs=100)
    True
    """
    owner = "seeding_report"
    n = check_int(n, owner=owner, field="n", low=50)
    k = check_int(k, owner=owner, field="k", low=1, high=n)
    runs = check_int(runs, owner=owner, field="runs", low=2)
    seed = rng if isinstance(rng, int) else None
    gen = resolve_rng(rng, owner=owner)
    c = generate_community("brand", n, rng=gen)
    choices = {
        "random members": select_seeds(c, k, method="random", rng=gen),
        "most ties (degree)": select_seeds(c, k, method="degree"),
        "central persons (IMM)": imm(c, k, p=p, epsilon=0.2, rng=gen),
    }
    sim_seed = int(gen.integers(2**63))
    head = f"shequn seeding demo: a launch through {k} members of a brand community of {n}" + (
        f" (seed {seed})" if seed is not None else ""
    )
    cols = ["reach (mean)", "95% CI", "within 2 hops", "within 3 hops"]
    w = max(len(name) for name in choices)
    lines = [head, f"{'':{w}}  " + "  ".join(f"{c_:>16}" for c_ in cols)]
    for name, chosen in choices.items():
        res = independent_cascade(c, chosen.seeds, p=p, runs=runs, rng=sim_seed)
        lo, hi = res.conf_int()["mean"]
        hops = k_hop_reach(c, chosen.seeds, k=3).cumsum()
        cells = [f"{res.mean:,.1f}", f"[{lo:,.1f}, {hi:,.1f}]", f"{hops[2]:,}", f"{hops[3]:,}"]
        lines.append(f"{name:{w}}  " + "  ".join(f"{x:>16}" for x in cells))
    lines.append(
        f"(independent cascade, p = {p} per tie, {runs} runs each on the same random streams; "
        "IMM: Tang et al. 2015 with ε = 0.2)"
    )
    return "\n".join(lines)
