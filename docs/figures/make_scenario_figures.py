"""Draw the figure of each seed behaviour for docs/scenarios.md (needs the ``plot`` extra).

Run from the repository root::

    PYTHONPATH=src python docs/figures/make_scenario_figures.py

Each figure has two panels, from the same call the test suite makes
(``SCENARIOS[name](rng=20261123, keep_trajectories=True)``): left, the scenario's metric in
every Monte Carlo run (dots) with each arm's mean and 95 % confidence interval; right, a weekly
series of the same runs (mean over runs), showing how the difference builds up.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

SEED = 20261123
HERE = Path(__file__).resolve().parent


def _share_fans(t: Any) -> Any:
    c = t.stage_counts
    return (c[:, 3] + c[:, 4]) / c[:, :5].sum(axis=1).clip(min=1)


def _weekly_churn(kind: str) -> Any:
    def f(t: Any) -> Any:
        left = t.column(f"left_{kind}")
        risk = t.column(f"at_risk_{kind}").clip(min=1)
        return left / risk

    return f


# scenario -> (label of the weekly series, series of one trajectory, arms to draw)
SERIES: dict[str, tuple[str, Any]] = {
    "one_to_many_vs_mesh": ("retention of week-0 members", lambda t: t.retention),
    "open_rate_vs_audience": ("open rate", lambda t: t.column("open_rate")),
    "small_quality_vs_large_account": ("readers per week", lambda t: t.column("content_reach")),
    "offline_meetings_and_churn": ("weekly churn rate", _weekly_churn("weak")),
    "rule_strictness_inverted_u": ("retention of week-0 members", lambda t: t.retention),
    "leader_departure": ("member-member messages per week", lambda t: t.column("messages")),
    "broadcast_vs_wom_cac": ("marketing cost per customer won (cumulative)", lambda t: t.cac),
    "niche_share_wom_vs_broadcast": (
        "customers won (cumulative)",
        lambda t: t.column("new_customers").cumsum(),
    ),
    "open_vs_owner_invitations": ("members", lambda t: t.members),
    "steady_vs_bursty": ("retention of week-0 members", lambda t: t.retention),
    "ladder_climb": ("share of fans and friends", _share_fans),
}


def draw(name: str, fn: Any, plt: Any, np: Any) -> Path:
    from shequn._stats import mean_ci

    r = fn(rng=SEED, keep_trajectories=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    k = len(r.arms)
    for j in range(k):
        v = r.values[:, j]
        jitter = (np.arange(v.size) / max(v.size - 1, 1) - 0.5) * 0.25
        left.scatter(j + jitter, v, s=12, alpha=0.6)
        m, lo, hi = mean_ci(v)
        left.errorbar(j + 0.3, m, yerr=[[m - lo], [hi - m]], fmt="o", color="black", capsize=4)
    left.set_xticks(range(k), r.arms, fontsize=8)
    left.set_ylabel(r.metric)
    c = r.contrasts[0]
    left.set_title(f"{c.label}: {c.mean:+.3g} [{c.lo:.3g}, {c.hi:.3g}]", fontsize=9)
    label, series = SERIES[name]
    trajs = r.trajectories or ()
    if name == "ladder_climb":  # arms: start, good operation, silent (two runs per replication)
        arms = [(r.arms[1], 0), (r.arms[2], 1)]
    elif name == "offline_meetings_and_churn":
        arms = [("no strong tie", 0)]
    else:
        arms = [(a, j) for j, a in enumerate(r.arms)]
    for arm, j in arms:
        ys = np.array([series(run[j]) for run in trajs], dtype=float)
        ys[~np.isfinite(ys)] = np.nan
        with warnings.catch_warnings():  # weeks where no run has a value (CAC before any sale)
            warnings.simplefilter("ignore", RuntimeWarning)
            right.plot(np.nanmean(ys, axis=0), label=arm)
    if name == "offline_meetings_and_churn":
        ys = np.array([_weekly_churn("strong")(run[0]) for run in trajs], dtype=float)
        right.plot(np.nanmean(ys, axis=0), label="strong tie (>= 3 meetings)")
    if name == "broadcast_vs_wom_cac":
        right.set_yscale("log")
    right.set_xlabel("week")
    right.set_ylabel(label, fontsize=8)
    right.legend(fontsize=8)
    fig.suptitle(f"{name} (seed {r.seed}): {r.behaviour}", fontsize=9)
    fig.tight_layout()
    path = HERE / f"scenario_{name}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from shequn.scenarios import SCENARIOS

    for name, fn in SCENARIOS.items():
        print(draw(name, fn, plt, np))


if __name__ == "__main__":
    main()
