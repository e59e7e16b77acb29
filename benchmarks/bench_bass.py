"""Benchmark: Bass fitting and the community channel against plain baselines and a peer.

Run: ``PYTHONPATH=src python benchmarks/bench_bass.py [--quick]``

1. Bass NLS: :func:`shequn.diffusion.bass.fit_bass` (grid start, analytic Jacobian, bounded
   trust region, standard errors, identification check) against a plain
   ``scipy.optimize.curve_fit`` of the same per-period curve from the usual textbook start
   ``(p, q, m) = (0.03, 0.38, 2 * total)``. Both fit the same noisy series in the same process;
   we report time per fit, the ratio, and how often each lands within 5% of the true ``q``.
2. The other estimators (OLS, MLE) and the open-rate law fit, time per fit.
3. Community side: one week of :class:`shequn.diffusion.reach.CommunityChannel` (network Bass,
   ``p = 0``) against the peer ``ndlib`` SI model (the same process: each adopted neighbour
   converts with probability ``q`` per step) on the same Watts-Strogatz graph.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.optimize import curve_fit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import print_context
from shequn.diffusion.bass import Bass, fit_bass
from shequn.diffusion.reach import CommunityChannel, PowerOpenRate, fit_open_rate
from shequn.exceptions import ShequnError
from shequn.rng import spawn_seeds


def _timeit(fn: Callable[[], Any], repeat: int) -> float:
    """Seconds per call: best of 3 rounds of ``repeat`` calls (the calls are sub-millisecond)."""
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - t0) / repeat)
    return float(best)


def _curve(k: np.ndarray, p: float, q: float, m: float) -> np.ndarray:
    def F(t: np.ndarray) -> np.ndarray:
        e = np.exp(-(p + q) * t)
        return (1 - e) / (1 + (q / p) * e)

    return m * (F(k) - F(k - 1))


def bench_fit(n_series: int, truth: Bass, T: int, sd: float, others: bool) -> None:
    k = np.arange(1, T + 1, dtype=float)
    series = [
        truth.adoptions(T) + np.random.default_rng(s).normal(0, 15, T)
        for s in spawn_seeds(1, n_series)
    ]

    def shequn_all() -> list[float]:
        out = []
        for y in series:
            try:
                out.append(fit_bass(y).q)
            except ShequnError:
                out.append(np.nan)
        return out

    def scipy_all() -> list[float]:
        out = []
        for y in series:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    popt, _ = curve_fit(_curve, k, y, p0=[0.03, 0.38, 2 * y.sum()], maxfev=5000)
                out.append(float(popt[1]))
            except RuntimeError:
                out.append(np.nan)
        return out

    t_sh = _timeit(shequn_all, 1) / n_series
    t_sc = _timeit(scipy_all, 1) / n_series
    ok_sh = np.mean(np.abs(np.array(shequn_all()) / truth.q - 1) < 0.05)
    ok_sc = np.mean(np.abs(np.array(scipy_all()) / truth.q - 1) < 0.05)
    print(f"\nBass NLS fit, {n_series} noisy series of {T} periods, truth {truth}")
    print(f"{'method':<34}{'ms/fit':>10}{'q within 5%':>14}")
    print(f"{'shequn fit_bass(method=nls)':<34}{1e3 * t_sh:>10.2f}{ok_sh:>14.1%}")
    print(f"{'scipy curve_fit (textbook start)':<34}{1e3 * t_sc:>10.2f}{ok_sc:>14.1%}")
    print(f"ratio shequn / curve_fit: {t_sh / t_sc:.2f}")
    if not others:
        return

    y = series[0]
    counts = (
        np.random.default_rng(0)
        .multinomial(
            10_000,
            np.append(
                np.diff(truth.cdf(np.arange(T + 1.0))), truth.cdf(0.0) + 1 - truth.cdf(float(T))
            ),
        )[:-1]
        .astype(float)
    )
    rows = [
        ("fit_bass(method=ols)", lambda: fit_bass(y, method="ols")),
        ("fit_bass(method=mle)", lambda: fit_bass(counts, method="mle")),
        ("fit_bass(method=mle, m fixed)", lambda: fit_bass(counts, method="mle", m=10_000)),
    ]
    aud = np.geomspace(200, 2e6, 25).round()
    opens = np.random.default_rng(3).binomial(
        aud.astype(np.int64), PowerOpenRate(r0=0.2, beta=0.3, a0=1e4)(aud)
    )
    rows.append(("fit_open_rate(power, 25 pairs)", lambda: fit_open_rate(aud, opens)))
    rows.append(("fit_open_rate(saturating)", lambda: fit_open_rate(aud, opens, form="saturating")))
    print(f"\n{'other estimators':<34}{'ms/fit':>10}")
    for name, fn in rows:
        print(f"{name:<34}{1e3 * _timeit(fn, 20):>10.2f}")


def bench_channel(n: int, weeks: int) -> None:
    G = nx.watts_strogatz_graph(n, 10, 0.1, seed=1)
    q = 0.05
    seeds = list(range(0, n, 100))
    ch = CommunityChannel(graph=G, p=0.0, q=q, cost_per_week=1.0, seeds=seeds)
    t0 = time.perf_counter()
    traj = ch.trajectory(weeks, rng=0)
    t_sh = (time.perf_counter() - t0) / weeks

    try:
        import ndlib.models.epidemics as ep
        from ndlib.models import ModelConfig
    except ImportError:
        print("\nndlib not installed: community-channel peer comparison skipped")
        return
    model = ep.SIModel(G, seed=0)
    cfg = ModelConfig.Configuration()
    cfg.add_model_parameter("beta", q)
    cfg.add_model_initial_configuration("Infected", seeds)
    model.set_initial_status(cfg)
    t0 = time.perf_counter()
    # ndlib's first iteration only reports the initial state: weeks + 1 iterations = weeks steps
    its = model.iteration_bunch(weeks + 1, node_status=False, progress_bar=False)
    t_nd = (time.perf_counter() - t0) / weeks
    nd_final = its[-1]["node_count"][1]
    print(f"\nOne week of network Bass / SI on Watts-Strogatz n={n}, k=10 ({weeks} weeks)")
    print(f"{'library':<34}{'ms/week':>10}{'adopters':>12}")
    print(f"{'shequn CommunityChannel':<34}{1e3 * t_sh:>10.2f}{int(traj[-1]):>12}")
    print(f"{'ndlib SIModel':<34}{1e3 * t_nd:>10.2f}{int(nd_final):>12}")
    print(f"ratio shequn / ndlib: {t_sh / t_nd:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short run")
    args = parser.parse_args()
    n = 50 if args.quick else 300
    print_context()
    bench_fit(n, Bass(p=0.02, q=0.4, m=10_000.0), 18, 15.0, True)
    # a fast-imitation product in a big market: far from the textbook start
    bench_fit(n, Bass(p=0.001, q=1.2, m=1_000_000.0), 12, 2000.0, False)
    bench_channel(5_000 if args.quick else 20_000, 10 if args.quick else 20)
    print_context()


if __name__ == "__main__":
    main()
