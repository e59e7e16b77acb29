"""Draw the customer-base diagnostics figure of docs/customer-base.md from the CDNOW sample.

Run from the repository root: ``PYTHONPATH=src python docs/figures/make_customer_base_figures.py``
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from shequn.loyalty.customer_base import (
    BGNBD,
    alive_path,
    calibration_holdout,
    frequency_recency_matrix,
    load_cdnow_sample,
    period_transactions,
    tracking,
)


def main() -> None:
    log = load_cdnow_sample()
    s = log.rfm()
    m = BGNBD.fit(data=s).model
    fig, axs = plt.subplots(2, 3, figsize=(15, 8))
    tr = tracking(
        m, log.customer_id, log.date, calibration_end="1997-09-30", observation_end="1998-06-30"
    )
    tr.plot(ax=axs[0, 0])
    tr.plot(ax=axs[0, 1], kind="incremental")
    frequency_recency_matrix(m, T=39.0, kind="p_alive").plot(ax=axs[0, 2])
    calibration_holdout(m, s).plot(ax=axs[1, 0])
    period_transactions(m, s.frequency, s.T).plot(ax=axs[1, 1])
    cid = int(s.customer_ids[np.argmax(s.frequency)])
    days = log.date[log.customer_id == cid]
    alive_path(m, (days - days.min()).astype(np.int64) / 7.0, end=78.0, step=0.25).plot(
        ax=axs[1, 2]
    )
    fig.suptitle("BG/NBD on the CDNOW sample: tracking, P(alive), holdout, period counts")
    fig.tight_layout()
    out = Path(__file__).resolve().parent / "customer_base_diagnostics.png"
    fig.savefig(out, dpi=80)
    print(out)


if __name__ == "__main__":
    main()
