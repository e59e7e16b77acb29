"""Draw the figure of each seed behaviour for docs/scenarios.md (needs the ``plot`` extra).

Run from the repository root::

    PYTHONPATH=src python docs/figures/make_scenario_figures.py

Each figure is :func:`shequn.plotting.scenario_figure` of the call the test suite makes
(``SCENARIOS[name](rng=20261123, keep_trajectories=True)``): left, the scenario's metric in
every Monte Carlo run (dots) with each arm's mean and 95 % confidence interval; right, a weekly
series of the same runs (mean over runs), showing how the difference builds up.
"""

from __future__ import annotations

from pathlib import Path

SEED = 20261123
HERE = Path(__file__).resolve().parent


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shequn.plotting import scenario_figure
    from shequn.scenarios import SCENARIOS

    for name, fn in SCENARIOS.items():
        fig = scenario_figure(fn(rng=SEED, keep_trajectories=True))
        path = HERE / f"scenario_{name}.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        print(path)


if __name__ == "__main__":
    main()
