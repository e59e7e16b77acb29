"""Small example models for experiments, docs, benchmarks and tests.

They live in the package (not in a script) so that worker processes and Dask workers can import
them by name: a function sent to another process must be importable there.

Examples
--------
>>> from shequn.experiment import sweep
>>> from shequn.experiment.examples import coin_flips
>>> res = sweep(coin_flips, {"p": [0.5]}, runs=4, rng=0)
>>> sorted(res.outputs[0])
['heads', 'share']
"""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray

from shequn._validation import check_int, check_nonnegative, check_probability

__all__ = ["busy", "coin_flips", "random_walk", "sleepy", "tiny", "traced"]


def coin_flips(*, p: float, n: int = 100, rng: np.random.Generator) -> dict[str, float]:
    """Flip ``n`` coins with heads probability ``p``; return the count and the share of heads.

    Examples
    --------
    >>> coin_flips(p=1.0, n=10, rng=np.random.default_rng(0))
    {'heads': 10, 'share': 1.0}
    """
    p = check_probability(p, owner="coin_flips", field="p")
    n = check_int(n, owner="coin_flips", field="n", low=1)
    heads = int(rng.binomial(n, p))
    return {"heads": heads, "share": heads / n}


def random_walk(*, steps: int = 10, rng: np.random.Generator) -> NDArray[np.float64]:
    """A Gaussian random walk of ``steps`` steps starting at 0 (an array-valued output).

    Examples
    --------
    >>> random_walk(steps=3, rng=np.random.default_rng(1)).shape
    (3,)
    """
    steps = check_int(steps, owner="random_walk", field="steps", low=1)
    return np.cumsum(rng.normal(size=steps))


def tiny(*, rng: np.random.Generator) -> float:
    """One uniform draw: a task with almost no work, to measure per-task overhead.

    Examples
    --------
    >>> 0.0 <= tiny(rng=np.random.default_rng(2)) < 1.0
    True
    """
    return float(rng.random())


def busy(*, work: int = 30_000, rng: np.random.Generator) -> float:
    """CPU-bound work: ``work`` rounds of a small (24 x 24) matrix product on random data.

    About 3 microseconds per round on one core (single-threaded: too small for BLAS threads),
    so the default ``work=30_000`` is roughly 100 ms.

    Examples
    --------
    >>> isinstance(busy(work=2, rng=np.random.default_rng(3)), float)
    True
    """
    work = check_int(work, owner="busy", field="work", low=1)
    a = rng.random((24, 24))
    acc = 0.0
    for _ in range(work):
        a = np.tanh(a @ a)
        acc += float(a[0, 0])
    return acc


def sleepy(*, seconds: float = 0.05, rng: np.random.Generator) -> float:
    """Wait ``seconds`` (a stand-in for I/O-bound or long work), then return one draw.

    Examples
    --------
    >>> 0.0 <= sleepy(seconds=0.0, rng=np.random.default_rng(4)) < 1.0
    True
    """
    seconds = check_nonnegative(seconds, owner="sleepy", field="seconds")
    time.sleep(seconds)
    return float(rng.random())


def traced(*, x: float, log: str, seconds: float = 0.0, rng: np.random.Generator) -> float:
    """Return ``x`` plus one uniform draw, appending ``x`` to the text file ``log`` first.

    The log shows which runs really ran (and how often), for instance after a sweep resumed
    from its store; ``seconds`` adds a wait to stand in for real work.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "calls.txt"
    >>> _ = traced(x=2.0, log=str(log), rng=np.random.default_rng(0))
    >>> log.read_text()
    '2.0\\n'
    """
    seconds = check_nonnegative(seconds, owner="traced", field="seconds")
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{x!r}\n")
    time.sleep(seconds)
    return float(x) + float(rng.random())
