"""Compiled helpers shared by the mechanisms (numba), and the one-time compile notice.

Two decorators: :data:`kernel` for a compiled loop called from Python (``@numba.njit(cache
=True)``: compiled once, on first use, and cached on disk), :data:`inline` for a small
function a loop calls (``inline="always"``: numba pastes it into the caller, which costs less
to compile than a separate function and nothing at run time).

The first time a simulation kernel compiles in a process (an empty numba cache: a fresh
install, or a new numba or Python version), one line on stderr says so, because the first
``simulate`` then takes a few seconds longer (``SHEQUN_QUIET=1`` silences it, as it does the
diffusion kernels' notice).

Examples
--------
>>> import numpy as np
>>> from shequn.simulation._numba import poisson_inverse, poisson_table
>>> poisson_inverse(np.random.default_rng(0), 0.0, 3).tolist()
[0, 0, 0]
>>> round(float(poisson_table(np.array([1.0]))[0, 0]), 6)
0.367879
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
from numba.core import event as _event

from shequn._typing import FloatArray, IntArray

__all__ = [
    "POISSON_TERMS",
    "inline",
    "ipow",
    "kernel",
    "poisson_inverse",
    "poisson_table",
    "shared",
]

KERNELS: list[Any] = []
"""Every compiled loop declared with :data:`kernel`, in import order (the two-core first
compile, :mod:`shequn.simulation._warm`, finds them here)."""

# ``kernel``: decorator of a compiled loop called from Python (cached on disk; listed in
# KERNELS). ``shared``: decorator of a small compiled function called from several compiled
# places (compiled once, cached). Wrappers nobody calls cost compile time (about 0.5 s of a
# first simulate): a kernel is called from Python, never through a C function pointer (no
# cfunc wrapper); a shared helper only from compiled code (no CPython wrapper either). numba's
# annotations do not list these two options, so the type checker sees the plain decorators.
if TYPE_CHECKING:
    kernel = numba.njit(cache=True)
    shared = numba.njit(cache=True)
else:
    _kernel = numba.njit(cache=True, no_cfunc_wrapper=True)
    shared = numba.njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True)

    def kernel(fn: Any) -> Any:
        dispatcher = _kernel(fn)
        KERNELS.append(dispatcher)
        return dispatcher


inline = numba.njit(inline="always")
"""Decorator of a small compiled function that one loop calls once (pasted into the caller)."""

POISSON_TERMS = 12
"""Terms of the tabulated Poisson CDF; rates whose tail beyond it exceeds 1e-9 invert fully."""

_NOTICE = (
    "shequn: compiling the simulation kernels (first use with this numba cache: about 4 s on "
    "two free cores, 8 s on one; cached on disk for later runs)"
)


class _CompileNotice(_event.Listener):
    """Prints :data:`_NOTICE` once, when the first simulation kernel starts compiling."""

    shown = False

    def on_start(self, ev: Any) -> None:
        if _CompileNotice.shown or os.environ.get("SHEQUN_QUIET"):
            return
        disp = ev.data.get("dispatcher") if isinstance(ev.data, dict) else None
        module = getattr(getattr(disp, "py_func", None), "__module__", "") or ""
        if module.startswith("shequn.simulation"):
            _CompileNotice.shown = True
            print(_NOTICE, file=sys.stderr, flush=True)

    def on_end(self, ev: Any) -> None:
        return None


_event.register("numba:compile", _CompileNotice())  # type: ignore[no-untyped-call]


def refresh_stale_caches(modules: Iterable[Any]) -> int:
    """Drop the disk cache of every kernel of ``modules`` compiled from other sources.

    numba keys a cached kernel on its own file only, but the weekly passes inline functions
    from the mechanism modules: after one of those changes (an edit, a merge) the cached pass
    would still run the old code. The kernels of ``modules`` are therefore keyed on a digest
    of all their sources; a kernel whose digest changed loses its cache index (numba compiles
    it again). Returns how many indexes were dropped.
    """
    mods = list(modules)
    digest = hashlib.sha256()
    for mod in sorted(mods, key=lambda m: m.__name__):
        digest.update(Path(mod.__file__).read_bytes())
    stamp = digest.hexdigest()
    dropped = 0
    for mod in mods:
        for obj in vars(mod).values():
            cache = getattr(obj, "_cache", None)
            index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
            if getattr(obj, "py_func", None) is None or index is None:
                continue
            marker = Path(index).with_suffix(".sources")
            try:
                if marker.exists() and marker.read_text() == stamp:
                    continue
                Path(index).unlink(missing_ok=True)
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(stamp)
                dropped += 1
            except OSError:  # pragma: no cover - a read-only cache: numba copes
                continue
    return dropped


# ----------------------------------------------------------------------------- Poisson
def poisson_inverse(gen: np.random.Generator, lam: float, size: int) -> IntArray:
    """``size`` Poisson(``lam``) variates by inversion, one uniform each (``lam <= 10``).

    Above 10 each variate is a sum of ``ceil(lam / 10)`` parts of Poisson(``lam / m``), each
    by inversion from its own uniform (drawn variate by variate): the same law. The cumulative
    probabilities are summed term by term as a sequential loop would, so the variate of a
    uniform is the one such a loop finds (at most 200).

    Examples
    --------
    >>> import numpy as np
    >>> x = poisson_inverse(np.random.default_rng(0), 0.3, 4000)
    >>> abs(float(x.mean()) - 0.3) < 4 * (0.3 / 4000) ** 0.5
    True
    """
    if lam <= 0.0 or size == 0:
        return np.zeros(size, dtype=np.int64)
    m = max(1, math.ceil(lam / 10.0))
    u = gen.random(size * m).reshape(size, m)
    out: IntArray = np.searchsorted(_poisson_cdf(lam / m), u, side="left").sum(axis=1)
    return out.astype(np.int64)


@functools.lru_cache(maxsize=64)
def _poisson_cdf(lam: float) -> FloatArray:
    """``P(X <= k)``, ``k < 200``, summed term by term as the sequential loop
    ``p *= lam / k; f += p`` does (cumprod and cumsum are sequential)."""
    terms = np.empty(200)
    terms[0] = math.exp(-lam)
    terms[1:] = lam / np.arange(1, 200)
    out: FloatArray = np.cumsum(np.cumprod(terms))
    out.setflags(write=False)
    return out


def poisson_table(rates: FloatArray) -> FloatArray:
    """CDF ``F[s, k] = P(Poisson(rates[s]) <= k)`` for ``k < POISSON_TERMS`` (one row per rate).

    A uniform ``u`` gives the Poisson variate ``#{k : F[s, k] < u}`` (inversion) whenever
    ``u <= F[s, -1]``; :func:`poisson_tab` continues the inversion beyond the table otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> F = poisson_table(np.array([0.0, 1.0]))
    >>> F[0].tolist() == [1.0] * POISSON_TERMS, round(float(F[1, 0]), 6)
    (True, 0.367879)
    """
    lam = np.asarray(rates, dtype=np.float64)[:, None]
    k = np.arange(POISSON_TERMS, dtype=np.float64)[None, :]
    log_pmf = k * np.log(np.where(lam > 0, lam, 1.0)) - lam - np.vectorize(math.lgamma)(k + 1)
    pmf = np.where(lam > 0, np.exp(log_pmf), (k == 0).astype(np.float64))
    out: FloatArray = np.minimum(np.cumsum(pmf, axis=1), 1.0)
    return out


@inline  # type: ignore[misc, unused-ignore]
def poisson_tab(F: Any, s: int, lam: float, u: float) -> int:
    """The Poisson(``lam``) variate of uniform ``u`` from row ``s`` of :func:`poisson_table`."""
    x = 0
    row = F[s]
    for k in range(row.shape[0]):
        x += row[k] < u
    if x == row.shape[0]:  # beyond the table (rare): continue the inversion
        p = math.exp(-lam)
        f = p
        x = 0
        while u > f and x < 10_000:
            x += 1
            p *= lam / x
            f += p
    return x


# ----------------------------------------------------------------------------- arithmetic
@shared  # type: ignore[misc, unused-ignore]
def ipow(a: float, b: Any) -> float:
    """``a ** b`` for an integer ``b >= 0``, by the square-and-multiply numba uses for
    ``float ** int`` (so the results are the same to the last bit)."""
    if b > 0x10000:
        return math.pow(a, float(b))
    r = 1.0
    x = a + 0.0
    n = b
    while n != 0:
        if n & 1:
            r *= x
        n >>= 1
        x *= x
    return r


# ----------------------------------------------------------------------------- sorted search
@inline  # type: ignore[misc, unused-ignore]
def search_left(a: Any, lo: int, hi: int, x: Any) -> int:
    """First index ``i`` in ``[lo, hi)`` with ``a[i] >= x`` (``hi`` if none): a sorted search."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@inline  # type: ignore[misc, unused-ignore]
def search_right(a: Any, lo: int, hi: int, x: Any) -> int:
    """First index ``i`` in ``[lo, hi)`` with ``a[i] > x`` (``hi`` if none)."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo
