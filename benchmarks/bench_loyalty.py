"""Benchmark: customer-base model fits vs lifetimes, RFM summaries vs a pandas groupby.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_loyalty.py [--quick]

1. BG/NBD and Pareto/NBD fitted to the full CDNOW master file (23,570 customers, 39-week
   calibration ending 1997-09-30, weeks) by shequn and by lifetimes in the same process. The
   log-likelihoods of both estimates are evaluated with the same (shequn) function and
   compared (relative difference), so the speed-up is for an equally good optimum.
2. RFM summary of synthetic transaction logs (10 million rows; 1 million with ``--quick``):
   shequn's ``rfm_summary`` against an equivalent pandas groupby pipeline (same-day merge,
   then per-customer first/last/count/spend), with wall time and peak traced memory
   (tracemalloc, which sees numpy and pandas buffers).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_traced, print_context, timed
from shequn.loyalty.customer_base import BGNBD, ParetoNBD
from shequn.loyalty.datasets import CALIBRATION_END, read_cdnow
from shequn.loyalty.rfm import rfm_summary

MASTER = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cdnow" / ("CDNOW_master.txt")
)


def peak_memory(fn: Any) -> float:
    """Peak traced memory of one call, in MiB."""
    return peak_traced(fn)[1] / 2**20


def bench_fits(repeats: int) -> None:
    if not MASTER.exists():
        print(f"CDNOW master file not found at {MASTER}; skipping the fit benchmark")
        return
    log = read_cdnow(MASTER)
    s = rfm_summary(log.customer_id, log.date, log.amount, calibration_end=CALIBRATION_END)
    x, tx, T = s.frequency.astype(float), s.recency, s.T
    print(f"CDNOW master: {log.n_transactions} transactions, {s.n} customers")
    try:
        import lifetimes
    except ImportError:
        lifetimes = None
        print("lifetimes is not importable: only shequn timings are shown")
    print(
        f"{'model':<11} {'shequn s':>9} {'lifetimes s':>12} {'ratio':>7} "
        f"{'LL shequn':>13} {'LL lifetimes':>13} {'rel diff':>9}"
    )
    for name, cls, lt_name in (
        ("BG/NBD", BGNBD, "BetaGeoFitter"),
        ("Pareto/NBD", ParetoNBD, "ParetoNBDFitter"),
    ):
        t_s, fit = timed(lambda cls=cls: cls.fit(x, tx, T), repeat=repeats)
        ll_s = fit.log_likelihood
        if lifetimes is None:
            print(f"{name:<11} {t_s:>9.3f} {'-':>12} {'-':>7} {ll_s:>13.4f}")
            continue
        fitter = getattr(lifetimes, lt_name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_l, lt = timed(lambda fitter=fitter: fitter().fit(x, tx, T), repeat=repeats)
        lt_model = cls(**{k: float(v) for k, v in lt.params_.items()})
        ll_l = float(lt_model.log_likelihood(x, tx, T).sum())
        rel = abs(ll_s - ll_l) / abs(ll_l)
        verdict = "met" if t_l / t_s >= 5 and rel <= 1e-6 else "MISSED"
        print(
            f"{name:<11} {t_s:>9.3f} {t_l:>12.3f} {t_l / t_s:>6.1f}x {ll_s:>13.4f} "
            f"{ll_l:>13.4f} {rel:>9.1e}   target >= 5x at 1e-6: {verdict}"
        )


def synthetic_log(n_rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gen = np.random.default_rng(seed)
    n_cust = max(n_rows // 10, 1)
    ids = gen.integers(0, n_cust, n_rows)
    days = np.datetime64("2022-01-01") + gen.integers(0, 730, n_rows).astype("timedelta64[D]")
    amounts = np.round(gen.gamma(2.0, 20.0, n_rows), 2)
    return ids, days, amounts


def pandas_rfm(ids: np.ndarray, days: np.ndarray, amounts: np.ndarray, cal: np.datetime64) -> Any:
    import pandas as pd

    df = pd.DataFrame({"id": ids, "day": days, "amt": amounts})
    df = df[df["day"] <= cal]
    daily = df.groupby(["id", "day"], sort=True, as_index=False)["amt"].sum()
    g = daily.groupby("id", sort=True)
    out = g.agg(
        first=("day", "min"),
        last=("day", "max"),
        n=("day", "size"),
        total=("amt", "sum"),
        first_amt=("amt", "first"),
    )
    week = np.timedelta64(7, "D")
    out["frequency"] = out["n"] - 1
    out["recency"] = (out["last"] - out["first"]) / week
    out["T"] = (cal - out["first"]) / week
    out["monetary"] = np.where(
        out["frequency"] > 0,
        (out["total"] - out["first_amt"]) / out["frequency"].clip(lower=1),
        0.0,
    )
    return out


def bench_rfm(n_rows: int, repeats: int) -> None:
    ids, days, amounts = synthetic_log(n_rows)
    cal = np.datetime64("2023-06-30")
    t_s, ours = timed(lambda: rfm_summary(ids, days, amounts, calibration_end=cal), repeat=repeats)
    try:
        import pandas  # noqa: F401
    except ImportError:
        print(f"RFM summary of {n_rows:,} rows: shequn {t_s:.2f} s (pandas not installed)")
        return
    t_p, ref = timed(lambda: pandas_rfm(ids, days, amounts, cal), repeat=repeats)
    assert np.array_equal(ours.frequency, ref["frequency"].to_numpy())
    assert np.allclose(ours.recency, ref["recency"].to_numpy())
    assert np.allclose(ours.monetary, ref["monetary"].to_numpy())
    m_s = peak_memory(lambda: rfm_summary(ids, days, amounts, calibration_end=cal))
    m_p = peak_memory(lambda: pandas_rfm(ids, days, amounts, cal))
    print(f"RFM summary of {n_rows:,} transactions ({ours.n:,} customers), results equal")
    print(f"{'method':<16} {'time s':>8} {'peak MiB':>9}")
    print(f"{'shequn':<16} {t_s:>8.2f} {m_s:>9.0f}")
    print(f"{'pandas groupby':<16} {t_p:>8.2f} {m_p:>9.0f}")
    print(f"ratio (pandas/shequn): time {t_p / t_s:.1f}x, memory {m_p / m_s:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (1M-row RFM, 1 repeat)")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    print_context()
    bench_fits(repeats)
    print()
    bench_rfm(1_000_000 if args.quick else 10_000_000, 1 if args.quick else 2)
    print_context()


if __name__ == "__main__":
    main()
