"""The ``shequn`` command (also ``python -m shequn``); docs/cli.md documents it.

=================================  ==========================================================
command                            what it does
=================================  ==========================================================
``shequn demo``                    three short, self-explaining sections: the four community
                                   types, whom to seed, a community vs a member card
``shequn run FILE``                run a scenario file (TOML): per-run tables (CSV, Parquet),
                                   contrasts with 95 % CIs, figures, an HTML report and a
                                   Markdown summary
``shequn validate FILE``           check a scenario file without running it
``shequn scenarios list``          the eleven built-in seed behaviours
``shequn scenarios run NAME``      run one of them (``--out DIR`` writes tables and a report)
``shequn --version``               the installed version
=================================  ==========================================================

Exit codes: 0 success, 1 the run failed, 2 bad input (a bad option or scenario file; one line
on stderr naming what is wrong).

Examples
--------
>>> from shequn.cli import main
>>> main(["demo", "--n", "100", "--seed", "1", "--weeks", "2"])  # doctest: +ELLIPSIS
[1/3] The four community types of seed 001, 100 members each (seed 1)
...
[2/3] Whom to seed: a launch through 10 members of a brand community of 100 (seed 1)
...
[3/3] Two ways to run the same 100 customers for 2 weeks (seed 1)
...
0
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import math
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "main"]

EXIT_OK = 0
"""Everything went well."""
EXIT_FAILED = 1
"""The run started but failed (a worker crashed, a numerical error)."""
EXIT_BAD_INPUT = 2
"""Bad input: an option, a scenario file or a value the library refused."""

MAX_DEMO_N = 200_000
MAX_WEEKS = 520


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shequn")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


# ------------------------------------------------------------------------------ arguments
class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``shequn demo: --n must be ...`` and exit code 2."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("argument "):
            message = message[len("argument ") :].replace(": must", " must", 1)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer; got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be an integer in [{low:,}, {high:,}]; got {value:,}"
            )
        return value

    return parse


_SEED = _int_in(0, 2**63 - 1)


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="shequn",
        description="Community economics models (社群经济). Exit codes: 0 ok, 1 run failed, "
        "2 bad input.",
    )
    parser.add_argument("--version", action="version", version=f"shequn {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="three short sections that explain themselves")
    demo.add_argument(
        "--n",
        type=_int_in(50, MAX_DEMO_N),
        default=2000,
        help="members of every community in the demo (default 2000)",
    )
    demo.add_argument("--seed", type=_SEED, default=2026, help="random seed (default 2026)")
    demo.add_argument(
        "--weeks",
        type=_int_in(1, MAX_WEEKS),
        default=52,
        help="weeks simulated in the strategy comparison, the one part that runs over time "
        "(default 52)",
    )

    run = sub.add_parser("run", help="run a scenario file (TOML)")
    run.add_argument("file", help="the scenario file")
    _run_options(run, scenario=False)

    val = sub.add_parser("validate", help="check a scenario file without running it")
    val.add_argument("file", help="the scenario file")

    sc = sub.add_parser("scenarios", help="the eleven built-in seed behaviours")
    sc_sub = sc.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sc_sub.add_parser("list", help="list them")
    sc_run = sc_sub.add_parser("run", help="run one of them")
    sc_run.add_argument("name", help="a name from `shequn scenarios list`")
    _run_options(sc_run, scenario=True)
    return parser


def _run_options(p: argparse.ArgumentParser, *, scenario: bool) -> None:
    p.add_argument("--runs", type=_int_in(2, 100_000), help="Monte Carlo runs")
    p.add_argument("--workers", type=_int_in(1, 1024), help="worker processes (default 1)")
    p.add_argument("--out", type=Path, help="output folder")
    if scenario:
        p.add_argument("--n", type=_int_in(50, 1_000_000), help="members per community")
        p.add_argument("--weeks", type=_int_in(1, MAX_WEEKS), help="weeks simulated")
        p.add_argument("--seed", type=_SEED, help="random seed (default: a fresh one)")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when tqdm is installed and stderr is a terminal)",
    )


# ------------------------------------------------------------------------------ notices
def _say(text: str = "") -> None:
    print(text, flush=True)


@contextlib.contextmanager
def _compile_notice(text: str) -> Iterator[None]:
    """Print ``text`` once if numba starts compiling a kernel inside the block."""
    try:
        from numba.core import event
    except ImportError:  # pragma: no cover - numba is a core dependency
        yield
        return

    class Notice(event.Listener):
        shown = False

        def on_start(self, ev: Any) -> None:
            if not self.shown:
                self.shown = True
                _say(f"  ({text})")

        def on_end(self, ev: Any) -> None:
            pass

    with event.install_listener("numba:compile", Notice()):
        yield


def _kernels_cached(module: str) -> bool:
    """Whether every numba kernel of ``module`` is in the on-disk cache (best effort).

    Reads numba's cache index through its dispatcher objects; any surprise (another numba
    version, caching off) counts as cached, which only skips the background warm-up.
    """
    try:
        from numba.core.dispatcher import Dispatcher

        mod = importlib.import_module(module)
        for obj in vars(mod).values():
            cache = getattr(obj, "_cache", None) if isinstance(obj, Dispatcher) else None
            if cache is not None and not cache._cache_file._load_index():
                return False
    except Exception:
        return True
    return True


def _warm_engine() -> None:
    """Compile the weekly engine's kernels into numba's cache (run in a helper process)."""
    from shequn.community.generators import generate_community
    from shequn.operating.model import OperatingModel
    from shequn.simulation.engine import simulate

    # large enough for volunteers and events (every kernel of the demo's two arms runs)
    c = generate_community("brand", 400, rng=0)
    simulate(c, OperatingModel(), weeks=6, rng=0)
    simulate(c, OperatingModel.broadcast_only(budget=10.0), weeks=2, rng=0)


def _start_warmer() -> Any:
    """Compile the engine in a second process while the first sections run (first run only)."""
    if _kernels_cached("shequn.simulation._kernels"):
        return None
    import multiprocessing

    try:
        proc = multiprocessing.get_context("spawn").Process(target=_warm_engine, daemon=True)
        proc.start()
    except Exception:  # pragma: no cover - no processes allowed here
        return None
    return proc


# ------------------------------------------------------------------------------ demo
def _demo(n: int, seed: int, weeks: int) -> int:
    from shequn.scenarios.demo import sections

    warmer = _start_warmer()
    parts = sections(n=n, weeks=weeks, rng=seed)
    notices = {
        "seeding": "first run: compiling the seeding kernels, cached for later runs",
        "strategies": "first run: compiling the engine's kernels, cached for later runs",
    }
    for i, (name, make) in enumerate(parts, start=1):
        if i > 1:
            _say()
        gen = make()
        if name == "strategies" and warmer is not None:
            title = next(gen)
            _say(f"[{i}/{len(parts)}] {title}")
            if warmer.is_alive():
                _say("  (first run: the engine's kernels are compiling in a helper process ...)")
            warmer.join()
            lines: Iterator[str] = gen
        else:
            lines = gen
            title = next(lines)
            _say(f"[{i}/{len(parts)}] {title}")
        with _compile_notice(notices.get(name, "compiling kernels")):
            for line in lines:
                _say(line)
    return EXIT_OK


# ------------------------------------------------------------------------------ outputs
def _fig_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt = importlib.import_module("matplotlib.pyplot")
    plt.close(fig)
    return buf.getvalue()


def _have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _plan_outputs(formats: Sequence[str] | None, figures: bool | None) -> tuple[list[str], bool]:
    """Formats and figures to write: what was asked for, or what the installed extras allow."""
    from shequn.io.scenario import FORMATS, ScenarioError

    if formats is None:
        chosen = [f for f in FORMATS if f != "parquet" or _have("pyarrow")]
    else:
        chosen = list(formats)
        if "parquet" in chosen and not _have("pyarrow"):
            raise ScenarioError(
                ("outputs", "formats"),
                "asks for parquet, which needs pyarrow: `pip install shequn[parquet]`",
            )
    if figures is None:
        draw = _have("matplotlib")
    else:
        draw = figures
        if draw and not _have("matplotlib"):
            raise ScenarioError(
                ("outputs", "figures"),
                "asks for figures, which need matplotlib: `pip install shequn[plot]`",
            )
    return chosen, draw


def _executor(workers: int) -> Any:
    if workers <= 1:
        return contextlib.nullcontext(None)
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers)


def _replicate(
    fn: Callable[..., Any], *, runs: int, rng: int, workers: int, progress: Any
) -> list[Any]:
    from shequn.experiment import replicate

    with _executor(workers) as pool:
        result = replicate(
            fn, runs=runs, rng=rng, executor=pool, progress=progress, on_error="raise"
        )
    return [rec.output for rec in result.records]


def _write_scenario_run(
    run: Any, out: Path, formats: list[str], figures: bool, source_name: str, source: str
) -> list[Path]:
    from shequn._results import format_value
    from shequn.io.report import Figure, Report, ReportTable, write_csv, write_parquet, write_report
    from shequn.io.scenario import METRICS, SERIES

    scenario = run.scenario
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    arms = run.arms
    per_run_cols = ["run", "arm", *METRICS]
    per_run = [
        [r, a, *(float(run.values[m][r, j]) for m in METRICS)]
        for r in range(run.runs)
        for j, a in enumerate(arms)
    ]
    con_cols = ["metric", "arm", "baseline", "mean", "lower_95", "upper_95", "runs"]
    con_rows = [
        [m, c.label.split(" − ")[0], scenario.baseline, c.mean, c.lo, c.hi, int(c.values.size)]
        for m in METRICS
        for c in run.contrasts[m]
    ]
    weekly_cols = ["arm", "week", *(f"{s}_mean" for s in SERIES)]
    weekly = []
    for a in arms:
        means = {s: run.weekly[a][s].mean(axis=0) for s in SERIES}
        for w in range(scenario.weeks + 1):
            weekly.append([a, w, *(float(means[s][w]) for s in SERIES)])
    tables = {
        "runs": (per_run_cols, per_run),
        "contrasts": (con_cols, con_rows),
        "weekly": (weekly_cols, weekly),
    }
    for name, (cols, rows) in tables.items():
        if "csv" in formats:
            written.append(write_csv(out / f"{name}.csv", cols, rows))
        if "parquet" in formats:
            written.append(write_parquet(out / f"{name}.parquet", cols, rows))
    pinned = out / "scenario.toml"
    from shequn.io.files import write_atomic

    write_atomic(pinned, source.encode("utf-8"))
    written.append(pinned)

    def cell(m: str, x: float) -> str:
        if not math.isfinite(x):
            return "n/a"
        from shequn.scenarios.demo import money

        return money(x) if METRICS[m].money else format_value(x)

    from shequn.io.scenario import _ci_text

    mean_rows = []
    for m in scenario.outputs.metrics:
        means = run.means(m)
        mean_rows.append(
            (
                METRICS[m].label,
                *(cell(m, means[a]) for a in arms),
                run.clear_winner(m) or "no clear difference",
            )
        )
    con_table = [
        (METRICS[m].label, c.label, _ci_text(c, METRICS[m].money), _verdict(c))
        for m in scenario.outputs.metrics
        for c in run.contrasts[m]
    ]
    figs: list[Figure] = []
    if figures:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from shequn.plotting.scenarios import plot_scenario_run

        for m in scenario.outputs.metrics:
            fig, ax = plt.subplots(figsize=(6, 3.6))
            plot_scenario_run(run, metric=m, ax=ax)
            fig.tight_layout()
            figs.append(Figure(name=f"{m}.png", caption=METRICS[m].label, png=_fig_png(fig)))
        for s in ("members", "fans_friends_share", "profit"):
            fig, ax = plt.subplots(figsize=(6, 3.6))
            plot_scenario_run(run, what="weekly", series=s, ax=ax)
            fig.tight_layout()
            figs.append(
                Figure(
                    name=f"weekly_{s}.png",
                    caption=f"{SERIES[s][0]}, mean over runs",
                    png=_fig_png(fig),
                )
            )
    rerun = f"shequn run {pinned}"
    report = Report(
        title=f"{scenario.name}: {len(arms)} arms, {run.runs} runs of {scenario.weeks} weeks",
        facts={
            "shequn": _version(),
            "rng (seed)": str(run.seed),
            "community": scenario.community.describe(),
            "baseline arm": scenario.baseline,
            "rerun exactly": rerun,
        },
        paragraphs=tuple(p for p in (scenario.description,) if p),
        tables=(
            ReportTable(
                title="Mean per arm",
                columns=("metric", *arms, "better"),
                rows=mean_rows,
                note="Each metric's mean over the runs; 'better' names the arm with the best mean "
                "when its lead is clear at 95 % (higher is better except for spend and CAC).",
            ),
            ReportTable(
                title="Contrasts with 95% confidence intervals",
                columns=("metric", "contrast", "mean [95% CI]", "verdict"),
                rows=con_table,
                note="Arm minus baseline in each run (the arms of a run share its community and "
                "seed), with a Student-t interval over the runs.",
            ),
        ),
        figures=tuple(figs),
        embedded={source_name: source},
    )
    written += write_report(report, out, formats=[f for f in formats if f in ("html", "markdown")])
    return written


def _verdict(c: Any) -> str:
    if not (math.isfinite(c.lo) and math.isfinite(c.hi)):
        return "n/a"
    if c.lo > 0:
        return "higher (CI above 0)"
    if c.hi < 0:
        return "lower (CI below 0)"
    return "no clear difference"


# ------------------------------------------------------------------------------ commands
def _cmd_validate(file: str) -> int:
    from shequn.io.scenario import load_scenario

    s = load_scenario(file)
    arms = ", ".join(a.name for a in s.arms)
    _say(
        f"{Path(file).name}: ok - {len(s.arms)} arms ({arms}), {s.runs} runs of {s.weeks} weeks, "
        f"{s.community.describe()}"
    )
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from shequn.io.scenario import load_scenario, pin_scenario_text, summarise_runs

    s = load_scenario(args.file)
    formats, figures = _plan_outputs(s.outputs.formats, s.outputs.figures)
    runs = args.runs if args.runs is not None else s.runs
    workers = args.workers if args.workers is not None else s.workers
    seed = s.rng if s.rng is not None else secrets.randbelow(2**63)
    path = Path(args.file)
    if args.out is not None:
        out = args.out
    elif s.outputs.dir is not None:
        out = path.parent / s.outputs.dir
    else:
        out = path.parent / f"{path.stem}-results"
    pins = {"rng": seed, "runs": runs, "workers": workers}
    source = pin_scenario_text(s.source, **pins)
    _say(
        f"{s.name}: {len(s.arms)} arms x {runs} runs of {s.weeks} weeks on "
        f"{s.community.describe()} (rng {seed}, {workers} worker{'s' if workers > 1 else ''})"
    )
    t0 = time.perf_counter()
    with _compile_notice("first run: compiling the engine's kernels, cached for later runs"):
        outputs = _replicate(
            s.run_once, runs=runs, rng=seed, workers=workers, progress=args.progress
        )
    run = summarise_runs(s, outputs, seed=seed)
    _say(str(run.summary()))
    written = _write_scenario_run(run, out, formats, figures, path.name, source)
    _say(f"wrote {len(written)} files to {out} in {time.perf_counter() - t0:,.1f} s:")
    for p in written:
        _say(f"  {p}")
    return EXIT_OK


def _scenario_list() -> int:
    from shequn.scenarios import SCENARIOS

    width = max(len(k) for k in SCENARIOS)
    for i, (name, fn) in enumerate(SCENARIOS.items(), start=1):
        doc = (fn.__doc__ or "").strip().splitlines()[0]
        doc = doc.split(". ", 1)[1] if doc[:1].isdigit() and ". " in doc else doc
        _say(f"{i:>2}  {name.ljust(width)}  {doc}")
    _say("\nRun one: shequn scenarios run NAME [--runs N --n N --weeks N --seed N --out DIR]")
    return EXIT_OK


def _scenario_run(args: argparse.Namespace) -> int:
    import inspect

    from shequn.scenarios import SCENARIOS

    if args.name not in SCENARIOS:
        raise _BadInputError(
            f"shequn scenarios run: NAME must be one of the built-in scenarios "
            f"({', '.join(SCENARIOS)}); got {args.name!r}"
        )
    fn = SCENARIOS[args.name]
    params = inspect.signature(fn).parameters
    kwargs: dict[str, Any] = {}
    for key, value in (("runs", args.runs), ("n", args.n), ("weeks", args.weeks)):
        if value is not None:
            kwargs[key] = value
    seed = args.seed if args.seed is not None else secrets.randbelow(2**63)
    kwargs["rng"] = seed
    if args.out is not None:
        kwargs["keep_trajectories"] = True
    if "progress" in params:
        kwargs["progress"] = args.progress
    workers = args.workers or 1
    _say(f"{args.name} (rng {seed}): running ...")
    with (
        _executor(workers) as pool,
        _compile_notice("first run: compiling the engine's kernels, cached for later runs"),
    ):
        if pool is not None:
            kwargs["executor"] = pool
        result = fn(**kwargs)
    _say(str(result.summary()))
    if args.out is not None:
        for p in _write_builtin(result, args.out, args, seed):
            _say(f"  wrote {p}")
    return EXIT_OK


def _write_builtin(result: Any, out: Path, args: argparse.Namespace, seed: int) -> list[Path]:
    from shequn._results import format_value
    from shequn.io.report import Figure, Report, ReportTable, write_csv, write_parquet, write_report

    formats, figures = _plan_outputs(None, None)
    out.mkdir(parents=True, exist_ok=True)
    cols = ["run", *result.arms, *(c.label for c in result.contrasts)]
    rows = [
        [r, *(float(v) for v in result.values[r]), *(float(c.values[r]) for c in result.contrasts)]
        for r in range(result.runs)
    ]
    written = [write_csv(out / "runs.csv", cols, rows)]
    if "parquet" in formats:
        written.append(write_parquet(out / "runs.parquet", cols, rows))
    figs = []
    if figures:
        import matplotlib

        matplotlib.use("Agg")
        from shequn.plotting.scenarios import scenario_figure

        figs.append(
            Figure(
                name=f"{result.name}.png",
                caption=result.behaviour,
                png=_fig_png(scenario_figure(result)),
            )
        )
    opts = " ".join(
        f"--{k} {v}"
        for k, v in (("runs", args.runs), ("n", args.n), ("weeks", args.weeks))
        if v is not None
    )
    report = Report(
        title=f"{result.name}: {result.behaviour}",
        facts={
            "shequn": _version(),
            "rng (seed)": str(seed),
            "seed essay": result.seed,
            "rerun exactly": f"shequn scenarios run {result.name} {opts} --seed {seed}".replace(
                "  ", " "
            ),
        },
        tables=(
            ReportTable(
                title=f"Mean {result.metric} per arm",
                columns=("arm", "mean"),
                rows=[(a, format_value(m)) for a, m in result.means.items()],
            ),
            ReportTable(
                title="Contrasts with 95% confidence intervals",
                columns=("contrast", "mean", "95% CI", "verdict"),
                rows=[
                    (
                        c.label,
                        format_value(c.mean),
                        f"[{format_value(c.lo)}, {format_value(c.hi)}]",
                        _verdict(c),
                    )
                    for c in result.contrasts
                ],
                note="The behaviour holds when every interval lies above 0.",
            ),
        ),
        figures=tuple(figs),
    )
    written += write_report(report, out, formats=[f for f in formats if f in ("html", "markdown")])
    return written


class _BadInputError(Exception):
    """A one-line message for exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``shequn`` command; returns the exit status (see the module docstring)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    from shequn.exceptions import InvalidParameterError

    try:
        if args.command == "demo":
            return _demo(args.n, args.seed, args.weeks)
        if args.command == "validate":
            return _cmd_validate(args.file)
        if args.command == "run":
            return _cmd_run(args)
        if args.action == "list":
            return _scenario_list()
        return _scenario_run(args)
    except _BadInputError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except InvalidParameterError as exc:
        print(f"shequn {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader went away (`shequn demo | head`): stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"shequn {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        print(
            f"shequn {args.command}: the run failed: {type(exc).__name__}: {exc}", file=sys.stderr
        )
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
