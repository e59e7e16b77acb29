"""From a community's records to a decision: the worked example of docs/twin.md.

Run it (about five minutes at full size on two cores)::

    PYTHONPATH=src python docs/examples/twin_walkthrough.py [--n 3000] [--out twin-example]

The test suite runs it at a small size (tests/twin/test_walkthrough.py).
"""

from __future__ import annotations

import argparse
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import attrs

from shequn.community import generate_community
from shequn.exceptions import ShequnWarning
from shequn.operating import OperatingModel
from shequn.records import health, load_records
from shequn.simulation import profile_for
from shequn.twin import EngineSetup, calibrate, compare_strategies, emit_records


def main(
    n: int = 3000, weeks: int = 26, runs: int = 100, out: str = "twin-example", workers: int = 2
) -> str:
    """Run the example; returns the text report (the HTML report is written beside it)."""
    root = Path(out)
    # 1. A brand community runs for half a year under its operating model: monthly offline
    #    events in every group, three content items a week, no broadcast. Its behaviour is
    #    the truth we pretend not to know (churn and talk differ from the engine's defaults).
    now = OperatingModel()
    truth = EngineSetup.of(
        generate_community("brand", n, rng=2026),
        now,
        profile=attrs.evolve(profile_for("brand"), baseline_churn=0.03, peer_talk=0.35),
    )
    emit_records(truth, weeks=weeks, rng=7).to_csv(root / "records")

    # 2. Load the records the way an operator would: from CSV files, validated.
    records = load_records(root / "records")

    # 3. How healthy is the community, and what is it worth?
    report = health(records)

    # 4. Calibrate the engine to the weekly series: the operator knows the operating model
    #    they ran; the six behavioural parameters are fitted (the default free set).
    with ProcessPoolExecutor(workers) as pool, warnings.catch_warnings():
        warnings.simplefilter("ignore", ShequnWarning)
        twin = calibrate(records, kind="brand", operating_model=now, executor=pool, rng=1)

        # 5. Next quarter: more offline events, or more broadcast? Every arm runs on the same
        #    posterior draws and streams, so the contrasts carry both uncertainties.
        arms = {
            "as now": now,
            "more offline events": attrs.evolve(
                now, tools=attrs.evolve(now.tools, event_frequency=1.0)
            ),
            "more broadcast": attrs.evolve(
                now, tools=attrs.evolve(now.tools, broadcast_budget=100.0)
            ),
        }
        decision = compare_strategies(twin, arms, weeks=13, runs=runs, executor=pool, rng=2)

    # 6. The report: text here, HTML (with figures when matplotlib is installed) beside it.
    text = "\n\n".join(
        [
            str(records.report.summary()),
            str(report.summary()),
            str(twin.summary()),
            str(decision.summary()),
        ]
    )
    html = [report.to_html(), decision.to_html()]
    try:
        from shequn.plotting.records import health_section
        from shequn.plotting.twin import twin_section

        html = [health_section(report), twin_section(twin), decision.to_html()]
    except ImportError:  # no matplotlib: tables only
        pass
    (root / "report.html").write_text("<html><body>" + "".join(html) + "</body></html>")
    (root / "report.txt").write_text(text)
    return text


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--weeks", type=int, default=26)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--out", default="twin-example")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    print(main(n=a.n, weeks=a.weeks, runs=a.runs, out=a.out, workers=a.workers))
