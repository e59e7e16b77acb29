"""A cached kernel that inlines a function from another module is compiled again when that
module changes (numba alone keys a kernel's cache on the kernel's own file)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUN = """
import sys
sys.path.insert(0, {path!r})
import helper, kernels
from shequn.simulation._numba import refresh_stale_caches
refresh_stale_caches([helper, kernels])
print(kernels.k(1))
"""


@pytest.mark.slow
def test_kernel_cache_follows_the_inlined_module(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text(
        "import numba\n@numba.njit(inline='always')\ndef f(x):\n    return x + 1\n"
    )
    (tmp_path / "kernels.py").write_text(
        "import numba, helper\n@numba.njit(cache=True)\ndef k(x):\n    return helper.f(x)\n"
    )

    def run() -> str:
        out = subprocess.run(
            [sys.executable, "-c", RUN.format(path=str(tmp_path))],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    assert run() == "2"
    assert run() == "2"  # from the cache
    (tmp_path / "helper.py").write_text(
        "import numba\n@numba.njit(inline='always')\ndef f(x):\n    return x + 100\n"
    )
    assert run() == "101"  # numba alone would still answer 2 (a stale cache)
