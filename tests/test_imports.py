"""The core never imports optional extras, and the public API is what __all__ says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import shequn

EXTRAS = ("pandas", "matplotlib", "tqdm", "dask", "distributed", "pyarrow")


def test_core_import_loads_no_extra() -> None:
    src = str(Path(shequn.__file__).resolve().parents[1])
    code = (
        "import sys, shequn, shequn.community, shequn.loyalty, shequn.diffusion, "
        "shequn.longtail, shequn.operating, shequn.simulation, shequn.scenarios\n"
        f"print([m for m in {EXTRAS!r} if m in sys.modules])"
    )
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout


def test_public_names_resolve() -> None:
    for name in shequn.__all__:
        assert getattr(shequn, name) is not None
