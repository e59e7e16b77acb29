"""Benchmark: customer-base model fits vs lifetimes, covariate fits at scale, interval coverage,
RFM summaries vs a pandas groupby.

Run from the repository root::

    PYTHONPATH=src python benchmarks/bench_loyalty.py [--quick] [--only fits covariates ...]

1. ``fits`` — BG/NBD, MBG/NBD and Pareto/NBD fitted to the full CDNOW master file (23,570
   customers, 39-week calibration ending 1997-09-30, weeks) by shequn and by lifetimes in the
   same process. The log-likelihoods of both estimates are evaluated with the same (shequn)
   function and compared (relative difference), so the speed-up is for an equally good optimum.
2. ``covariates`` — issue 13's speed targets: a BG/NBD with 2 covariates on both processes (a
   binary membership flag and a normal score: 4 coefficients) fitted to 1,000,000 simulated
   customers (target ≤ 10 s on 2 cores), and a Pareto/NBD with the same covariates on 100,000
   (target ≤ 30 s); serially and with ``executor=ThreadPoolExecutor(2)`` (identical results).
   lifetimes has no covariates: it fits the model *without* covariates to the same customers,
   beside shequn's fit without covariates (the ratio), in the same run.
3. ``coverage`` — parameter recovery at full size: the share of 95% intervals that contain the
   true value over replications of simulated data (BG/NBD with covariates on 20,000
   customers, Pareto/NBD on 10,000, time-varying Pareto/NBD on 2,000 customers × 60 weekly
   periods), with the binomial standard error of each share and the mean estimate.
4. ``rfm`` — RFM summary of synthetic transaction logs (10 million rows; 1 million with
   ``--quick``): shequn's ``rfm_summary`` against an equivalent pandas groupby pipeline
   (same-day merge, then per-customer first/last/count/spend), with wall time and peak traced
   memory (tracemalloc, which sees numpy and pandas buffers).

``--quick`` shrinks every part (fewer customers and replications) for a smoke run.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_average, peak_traced, print_context, print_table, timed
from shequn.loyalty.customer_base import (
    BGNBD,
    CovariatePanel,
    ModifiedBGNBD,
    ParetoNBD,
)
from shequn.loyalty.datasets import CALIBRATION_END, read_cdnow
from shequn.loyalty.rfm import rfm_summary
from shequn.rng import map_runs

MASTER = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "cdnow" / ("CDNOW_master.txt")
)


def _lifetimes() -> Any:
    try:
        import lifetimes
    except ImportError:
        print("lifetimes is not importable: only shequn timings are shown")
        return None
    return lifetimes


def peak_memory(fn: Any) -> float:
    """Peak traced memory of one call, in MiB."""
    return peak_traced(fn)[1] / 2**20


# -- 1. CDNOW master fits -------------------------------------------------------------------


def bench_fits(repeats: int) -> None:
    if not MASTER.exists():
        print(f"CDNOW master file not found at {MASTER}; skipping the fit benchmark")
        return
    log = read_cdnow(MASTER)
    s = rfm_summary(log.customer_id, log.date, log.amount, calibration_end=CALIBRATION_END)
    x, tx, T = s.frequency.astype(float), s.recency, s.T
    print(f"CDNOW master: {log.n_transactions} transactions, {s.n} customers")
    lifetimes = _lifetimes()
    print(
        f"{'model':<11} {'shequn s':>9} {'lifetimes s':>12} {'ratio':>7} "
        f"{'LL shequn':>13} {'LL lifetimes':>13} {'rel diff':>9}  (load {load_average()})"
    )
    for name, cls, lt_name in (
        ("BG/NBD", BGNBD, "BetaGeoFitter"),
        ("MBG/NBD", ModifiedBGNBD, "ModifiedBetaGeoFitter"),
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
        verdict = "met" if t_l / t_s >= 5 and (rel <= 1e-6 or ll_s > ll_l) else "MISSED"
        print(
            f"{name:<11} {t_s:>9.3f} {t_l:>12.3f} {t_l / t_s:>6.1f}x {ll_s:>13.4f} "
            f"{ll_l:>13.4f} {rel:>9.1e}   target >= 5x at 1e-6: {verdict}"
        )


# -- 2. covariate fits at scale -------------------------------------------------------------


def _simulate(cls: Any, n: int, seed: int) -> tuple[Any, ...]:
    gen = np.random.default_rng(seed)
    member = (gen.random(n) < 0.4).astype(float)
    z = gen.normal(size=n)
    T = np.round(gen.uniform(26.0, 52.0, n) * 7) / 7  # ages in whole days, in weeks
    if cls is BGNBD:
        truth = BGNBD(r=0.5, alpha=6.0, a=0.8, b=2.5).with_covariates(
            trans={"member": 0.6, "z": -0.3}, life={"member": 0.5, "z": 0.2}
        )
    else:
        truth = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0).with_covariates(
            trans={"member": 0.5, "z": 0.3}, life={"member": -0.8, "z": 0.2}
        )
    x, tx, T = truth.sample(T, covariates={"member": member, "z": z}, rng=gen)
    return x, tx, T, {"member": member, "z": z}, truth


def bench_covariates(quick: bool) -> None:
    lifetimes = _lifetimes()
    rows = []
    for cls, n, target in ((BGNBD, 1_000_000, 10.0), (ParetoNBD, 100_000, 30.0)):
        if quick:
            n //= 10
        x, tx, T, cov, truth = _simulate(cls, n, 0)
        data = (x, tx, T)
        kw = {"trans": cov, "life": cov}
        t_serial, f1 = timed(lambda cls=cls, kw=kw, d=data: cls.fit(*d, **kw))
        load_serial = load_average()
        with ThreadPoolExecutor(2) as ex:
            t_thr, f2 = timed(lambda cls=cls, kw=kw, ex=ex, d=data: cls.fit(*d, executor=ex, **kw))
        load_thr = load_average()
        assert f1.params == f2.params, "threads must give the serial result"
        err = max(abs(f1.params[k] - v) / f1.standard_errors[k] for k, v in truth.params.items())
        verdict = "met" if min(t_serial, t_thr) <= target else "MISSED"
        rows.append(
            (
                f"{cls.__name__} + 2 covariates",
                f"{n:,}",
                f"{t_serial:.2f}",
                load_serial,
                f"{t_thr:.2f}",
                load_thr,
                f"{err:.2f}",
                f"<= {target:g} s: {verdict}",
            )
        )
        # the same customers without covariates: shequn against lifetimes (whose Pareto/NBD
        # takes minutes per 10,000 customers: it gets the first 10,000 only)
        m = n if cls is BGNBD else min(n, 10_000)
        sub = (x[:m], tx[:m], T[:m])
        t_plain, plain = timed(lambda cls=cls, d=sub: cls.fit(*d))
        line = [f"{cls.__name__}, no covariates", f"{m:,}", f"{t_plain:.2f}", load_average()]
        if lifetimes is not None:
            fitter = lifetimes.BetaGeoFitter if cls is BGNBD else lifetimes.ParetoNBDFitter
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_lt, lt = timed(lambda fitter=fitter, d=sub: fitter().fit(*d))
            ll_lt = float(
                cls(**{k: float(v) for k, v in lt.params_.items()}).log_likelihood(*sub).sum()
            )
            line += [
                f"lifetimes {t_lt:.2f}",
                load_average(),
                f"ratio {t_lt / t_plain:.1f}x",
                f"LL diff {plain.log_likelihood - ll_lt:.3g}",
            ]
        else:
            line += ["-", "-", "-", "-"]
        rows.append(tuple(line))
    print_table(
        "Covariate fits (time in s; max |estimate − truth| in standard errors)",
        ["fit", "customers", "serial s", "load", "2 threads s", "load", "max |z|", "target"],
        rows,
    )


# -- 3. coverage of 95% intervals -----------------------------------------------------------


def _rep_static(cls: Any, n: int, rng: np.random.Generator) -> tuple[dict[str, float], Any]:
    x, tx, T, cov, truth = _simulate(cls, n, int(rng.integers(2**31)))
    fit = cls.fit(x, tx, T, trans=cov, life=cov)
    return truth.params, (fit.params, fit.conf_int())


def _rep_tv(n: int, rng: np.random.Generator) -> tuple[dict[str, float], Any]:
    K = 60
    member = (rng.random(n) < 0.4).astype(float)
    start = rng.uniform(0.0, 8.0, n)
    promo = np.zeros(K)
    promo[20:30] = 1.0
    panel = CovariatePanel(
        values={"member": member[:, None] * np.ones((1, K)), "promo": promo},
        start=start,
        T=52.0 - start,
    )
    truth = ParetoNBD(r=0.6, alpha=8.0, s=0.7, beta=10.0).with_covariates(
        trans={"member": 0.5, "promo": 0.8}, life={"member": -0.8}
    )
    sim = truth.sample_panel(panel, rng=rng)
    fit = ParetoNBD.fit(data=sim, trans=["member", "promo"], life=["member"])
    return truth.params, (fit.params, fit.conf_int())


def _run_static_bg(rng: np.random.Generator, n: int) -> Any:
    return _rep_static(BGNBD, n, rng)


def bench_coverage(quick: bool) -> None:
    import functools

    plans = [
        (
            "BG/NBD + covariates",
            functools.partial(_run_static_bg, n=2000 if quick else 20_000),
            10 if quick else 100,
        ),
        (
            "Pareto/NBD + covariates",
            functools.partial(
                lambda rng, n: _rep_static(ParetoNBD, n, rng), n=1000 if quick else 10_000
            ),
            10 if quick else 100,
        ),
        (
            "Pareto/NBD time-varying",
            functools.partial(lambda rng, n: _rep_tv(n, rng), n=500 if quick else 2000),
            5 if quick else 50,
        ),
    ]
    rows = []
    for name, fn, runs in plans:
        t, out = timed(
            lambda fn=fn, runs=runs: map_runs(lambda rng, fn=fn: _safe(fn, rng), runs=runs, rng=13)
        )
        ok = [o for o in out if o is not None]
        truth = ok[0][0]
        for k, v in truth.items():
            est = np.array([o[1][0][k] for o in ok])
            hit = np.array([o[1][1][k][0] <= v <= o[1][1][k][1] for o in ok])
            share = hit.mean()
            rows.append(
                (
                    name,
                    k,
                    v,
                    float(est.mean()),
                    f"{share:.3f}",
                    f"{math.sqrt(0.95 * 0.05 / len(ok)):.3f}",
                    f"{len(ok)}/{runs}",
                    f"{t:.0f}",
                    load_average(),
                )
            )
    print_table(
        "Coverage of 95% intervals over replications (binomial SE of a 0.95 share beside it)",
        [
            "model",
            "parameter",
            "truth",
            "mean estimate",
            "coverage",
            "SE",
            "fits",
            "time s",
            "load",
        ],
        rows,
    )


def _safe(fn: Any, rng: np.random.Generator) -> Any:
    from shequn.exceptions import ConvergenceError

    try:
        return fn(rng)
    except ConvergenceError:  # counted: the fits column says how many converged
        return None


# -- 4. RFM summaries -----------------------------------------------------------------------


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
    print(f"{'method':<16} {'time s':>8} {'peak MiB':>9}  (load {load_average()})")
    print(f"{'shequn':<16} {t_s:>8.2f} {m_s:>9.0f}")
    print(f"{'pandas groupby':<16} {t_p:>8.2f} {m_p:>9.0f}")
    print(f"ratio (pandas/shequn): time {t_p / t_s:.1f}x, memory {m_p / m_s:.1f}x")


PARTS = ("fits", "covariates", "coverage", "rfm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    print_context()
    if "fits" in args.only:
        bench_fits(repeats)
        print()
    if "covariates" in args.only:
        bench_covariates(args.quick)
        print()
    if "coverage" in args.only:
        bench_coverage(args.quick)
        print()
    if "rfm" in args.only:
        bench_rfm(1_000_000 if args.quick else 10_000_000, 1 if args.quick else 2)
    print_context()


if __name__ == "__main__":
    main()
