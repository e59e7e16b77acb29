"""xoshiro256** inside compiled kernels: the random stream of every cascade and RR-set kernel.

Private. A stream is four 64-bit words of state; each block of Monte Carlo runs or RR sets has
its own, drawn by the caller from a spawned :class:`numpy.random.SeedSequence` child
(:func:`block_states`), so the kernels never touch global random state and the same ``rng``
gives the same numbers whatever the executor (Blackman & Vigna 2018; period 2^256 - 1). One
draw is a handful of shifts and xors kept in registers, about 1 ns, half of a
``numpy.random.Generator`` passed into numba.

The helpers are ``inline="always"``: numba copies them into each kernel, so a kernel's disk
cache does not notice an edit of this file (numba checks only the kernel's own file). After
changing it, delete the ``__pycache__`` folders of ``diffusion/cascades`` and
``diffusion/seeding`` (or the ``NUMBA_CACHE_DIR``).

Examples
--------
>>> import numpy as np
>>> from shequn.diffusion._xoshiro import block_states
>>> s = block_states(7, 3, owner="doc")
>>> s.shape, s.dtype.name, bool((s == block_states(7, 3, owner="doc")).all())
((3, 4), 'uint64', True)
"""

from __future__ import annotations

import functools
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from shequn.rng import RNGLike, spawn_seeds

__all__ = ["block_states", "next_state", "u01", "u01_open"]

_TWO_M53 = 1.0 / 9007199254740992.0  # 2^-53


def block_states(rng: RNGLike, n_blocks: int, *, owner: str) -> NDArray[np.uint64]:
    """(n_blocks, 4) xoshiro states: block ``b`` from child ``b`` of ``rng``'s seed sequence.

    The states of an integer seed are remembered (a few microseconds saved per call, which
    is most of a small call's cost); a Generator or SeedSequence spawns fresh children, as
    :func:`shequn.rng.spawn_seeds` does.
    """
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and int(rng) >= 0:
        return _int_states(int(rng), n_blocks).copy()
    return _states(spawn_seeds(rng, n_blocks, owner=owner))


@functools.lru_cache(maxsize=256)
def _int_states(seed: int, n_blocks: int) -> NDArray[np.uint64]:
    return _states(np.random.SeedSequence(seed).spawn(n_blocks))


def _states(children: list[np.random.SeedSequence]) -> NDArray[np.uint64]:
    states = np.empty((len(children), 4), dtype=np.uint64)
    for b, child in enumerate(children):
        states[b] = child.generate_state(4, np.uint64)
    # xoshiro's one forbidden state, all zeros (probability 2^-256)
    states[~states.any(axis=1), 0] = np.uint64(1)
    return states


@numba.njit(inline="always")
def _rotl(x: Any, k: int) -> Any:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@numba.njit(inline="always")
def next_state(s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[Any, Any, Any, Any, Any]:
    """One xoshiro256** output and the advanced state."""
    out = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return out, s0, s1, s2, s3


@numba.njit(inline="always")
def u01(x: Any) -> float:
    """Uniform on [0, 1) from a 64-bit output."""
    return float(x >> np.uint64(11)) * _TWO_M53


@numba.njit(inline="always")
def u01_open(x: Any) -> float:
    """Uniform on (0, 1] from a 64-bit output (safe to take the logarithm of)."""
    return float((x >> np.uint64(11)) + np.uint64(1)) * _TWO_M53
