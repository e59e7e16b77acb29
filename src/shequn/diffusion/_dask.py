"""Diffusion work on a Dask cluster: the graph broadcast once, the work done where the data is.

Private. The public functions take ``executor=`` (docs/architecture.md, "Vocabulary"); when it
is a Dask ``Client`` or its ``client.get_executor()``, they come here instead of submitting
self-contained tasks, so that

* the graph (the kernels' arrays) goes to the cluster once per call, not pickled into every
  task (inside one task, so that it can be rebuilt when a worker dies);
* RR sets stay on the workers that drew them (:class:`DaskRRCollection`): the client only
  receives a few numbers per task, one coverage vector per greedy call (the workers' vectors
  summed on the workers) and the small decrements of greedy's rounds, and chooses the seeds;
* every task is deterministic in its inputs (a range, a count, a random stream state), so a
  worker that dies is replaced by Dask recomputing its tasks from their lineage, and the
  answer is identical to the single-machine run for the same ``rng``.

Examples
--------
>>> from shequn.diffusion._dask import dask_client
>>> dask_client(None) is None
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from shequn._typing import IntArray

__all__ = ["DaskRRCollection", "Traffic", "dask_client", "scatter"]


def dask_client(executor: Any) -> Any:
    """The ``distributed.Client`` behind ``executor`` (a Client or a ``client.get_executor()``),
    else ``None``. Never imports Dask for other executors."""
    if executor is None:
        return None
    module = type(executor).__module__ or ""
    if not module.startswith("distributed"):
        return None
    name = type(executor).__name__
    if name == "Client":
        return executor
    if name == "ClientExecutor":
        return executor._client
    return None


class Traffic:
    """Bytes sent to the workers and brought back to the client by one call."""

    __slots__ = ("to_client", "to_workers")

    def __init__(self) -> None:
        self.to_workers = 0
        self.to_client = 0

    def sent(self, nbytes: int) -> None:
        self.to_workers += int(nbytes)

    def got(self, obj: Any) -> Any:
        self.to_client += _nbytes(obj)
        return obj


def _nbytes(obj: Any) -> int:
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if isinstance(obj, tuple | list):
        return sum(_nbytes(x) for x in obj)
    return 8


def _identity(data: Any) -> Any:
    return data


def scatter(client: Any, data: Any, traffic: Traffic) -> Any:
    """``data`` for the workers, as a future that survives the loss of any worker.

    Not ``client.scatter``: scattered data a dead worker held is lost for good. The data
    travels inside a task instead, so the scheduler can rebuild it; the workers that need it
    fetch it from each other (counted here as one copy per worker).
    """
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    traffic.sent(_nbytes(data) * n_workers)
    return client.submit(_identity, data, pure=False)


# --- RR sets on the workers ---------------------------------------------------------------------


def _sample_part(kind: str, arrays: Any, task: Any) -> Any:
    from shequn.diffusion.seeding._rr import sample_task

    return sample_task(kind, arrays, task)


def _part_stats(part: Any) -> tuple[int, int]:
    nodes, ptr, _, _ = part
    return int(nodes.shape[0]), int(ptr.shape[0]) - 1


def _merge(n: int, *parts: Any) -> dict[str, Any]:
    """One worker's parts as a shard: flat sets, the sets of each node (an inverse index) and
    the singleton sets of its roots."""
    singles = np.zeros(n, dtype=np.int64)
    for part in parts:
        lo, hi = part[2]
        singles[lo:hi] += part[3]
    chunks = [(p[0], p[1]) for p in parts if p[1].shape[0] > 1]
    total = sum(c[0].shape[0] for c in chunks)
    nsets = sum(c[1].shape[0] - 1 for c in chunks)
    dtype = chunks[0][0].dtype if chunks else np.int32
    nodes = np.empty(total, dtype=dtype)
    ptr = np.zeros(nsets + 1, dtype=np.int64)
    top = s = 0
    for cn, cp in chunks:
        k = cp.shape[0] - 1
        nodes[top : top + cn.shape[0]] = cn
        ptr[s + 1 : s + k + 1] = cp[1:] + top
        top += cn.shape[0]
        s += k
    set_of = np.repeat(np.arange(nsets, dtype=np.int64), np.diff(ptr))
    order = np.argsort(nodes, kind="stable")
    iptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(nodes, minlength=n), out=iptr[1:])
    return {
        "nodes": nodes,
        "ptr": ptr,
        "iptr": iptr,
        "iset": set_of[order],
        "singles": singles,
    }


def _shard_coverage(shard: dict[str, Any]) -> IntArray:
    """Per node, the shard's sets that hold it (singletons included)."""
    out: IntArray = np.diff(shard["iptr"]) + shard["singles"]
    return out


def _add(a: IntArray, b: IntArray) -> IntArray:
    return a + b


def _shard_step(shard: dict[str, Any], before: list[int], v: int) -> IntArray:
    """The nodes of the sets that hold ``v`` and none of the seeds chosen ``before`` (each
    node once per set): the coverage decrements of choosing ``v``.

    The covered sets are recomputed from the seeds each round, so a round depends only on the
    shard and the seeds (no chain of states a lost worker would break)."""
    iptr, iset, ptr, nodes = shard["iptr"], shard["iset"], shard["ptr"], shard["nodes"]
    covered = np.zeros(ptr.shape[0] - 1, dtype=np.bool_)
    for u in before:
        covered[iset[iptr[u] : iptr[u + 1]]] = True
    sets = iset[iptr[v] : iptr[v + 1]]
    new = sets[~covered[sets]]
    if not new.size:
        return np.zeros(0, dtype=nodes.dtype)
    lengths = ptr[new + 1] - ptr[new]
    starts = np.repeat(ptr[new] - np.cumsum(lengths) + lengths, lengths)
    # in the shard's own width (int32 below 2**31 members): half the bytes of int64 to travel
    out: IntArray = nodes[starts + np.arange(int(lengths.sum()))]
    return out


class DaskRRCollection:
    """RR sets kept on the workers of a Dask cluster; greedy coverage chosen on the client.

    Same interface as :class:`~shequn.diffusion.seeding._rr.RRCollection` for what IMM uses
    (``extend``, ``greedy``, ``size``, ``bytes_per_set``), and the same sets for the same
    generator: rounds are planned by the same :func:`~shequn.diffusion.seeding._rr.round_plan`.
    """

    def __init__(self, model: Any, client: Any, traffic: Traffic, arrays: Any = None) -> None:
        self.model = model
        self.client = client
        self.traffic = traffic
        self.arrays = scatter(client, model.arrays, traffic) if arrays is None else arrays
        self.size = 0
        self._parts: list[Any] = []
        self._stored = 0
        self._nsets = 0

    def bytes_per_set(self) -> float:
        if self.size == 0:
            return 0.0
        width = int(self.model.in_src.dtype.itemsize)
        return (width * self._stored + 8.0 * self._nsets) / self.size

    @property
    def stored_nodes(self) -> int:
        return self._stored

    def extend(
        self, total: int, gen: np.random.Generator, *, bar: Any = None, guard: Any = None
    ) -> None:
        from shequn.diffusion.seeding._rr import BATCH, PILOT, round_plan

        m, client = self.model, self.client
        while self.size < total:
            if guard is not None and self.size:
                guard(2.0 * self.bytes_per_set() * total)
            b = min(BATCH, total - self.size, max(PILOT, self.size))
            tasks = round_plan(m.n, b, gen)
            self.traffic.sent(sum(_nbytes(t) + 16 for t in tasks))
            parts = [
                client.submit(_sample_part, m.kernel, self.arrays, task, pure=False)
                for task in tasks
            ]
            stats = client.gather([client.submit(_part_stats, p, pure=False) for p in parts])
            for stored, nsets in self.traffic.got(stats):
                self._stored += stored
                self._nsets += nsets
            self._parts.extend(parts)
            self.size += b
            if bar is not None:
                bar.update(b)

    def _shards(self) -> list[Any]:
        """One shard per worker holding parts, merged there: the parts are grouped by the
        worker that holds them now, and Dask runs each merge where its inputs are (no hard
        placement: a worker that died in between is replaced by recomputing its parts)."""
        client = self.client
        where = client.who_has(self._parts)
        by_worker: dict[str, list[Any]] = {}
        for part in self._parts:
            holders = where.get(part.key) or ("",)
            by_worker.setdefault(sorted(holders)[0], []).append(part)
        return [
            client.submit(_merge, self.model.n, *parts, pure=False)
            for _, parts in sorted(by_worker.items())
        ]

    def greedy(self, k: int) -> tuple[IntArray, IntArray]:
        """Greedy maximum coverage with the coverage summed on the client: the same choices,
        ties to the lowest index, as the single-machine greedy on the same sets."""
        client = self.client
        shards = self._shards()
        # the shards' coverage vectors summed pairwise on the workers: one comes back
        covs = [client.submit(_shard_coverage, s, pure=False) for s in shards]
        while len(covs) > 1:
            pairs = [covs[i : i + 2] for i in range(0, len(covs), 2)]
            covs = [client.submit(_add, *pr, pure=False) if len(pr) == 2 else pr[0] for pr in pairs]
        cov = np.array(self.traffic.got(covs[0].result()), dtype=np.int64)
        m = self._stored
        seeds = np.empty(k, dtype=np.int64)
        gains = np.empty(k, dtype=np.int64)
        for it in range(k):
            v = int(np.argmax(cov))
            seeds[it] = v
            gains[it] = cov[v]
            before = seeds[:it].tolist()
            self.traffic.sent(8 * (it + 1) * len(shards))
            hits = client.gather(
                [client.submit(_shard_step, s, before, v, pure=False) for s in shards]
            )
            for hit in self.traffic.got(hits):
                if hit.size:
                    np.subtract.at(cov, hit, 1)
            cov[v] = -(m + 1)  # below every node still in play
        return seeds, gains


def _hits_part(kind: str, arrays: Any, is_seed: NDArray[np.bool_], task: Any) -> int:
    from shequn.diffusion.seeding._rr import hits_task

    return hits_task(kind, arrays, is_seed, task)


def dask_hits(
    model: Any, client: Any, tasks: list[Any], is_seed: Any, traffic: Traffic, arrays: Any
) -> int:
    """How many RR sets of the round's ranges meet a seed, counted on the workers."""
    traffic.sent(sum(_nbytes(t) + 16 for t in tasks))
    futures = [
        client.submit(_hits_part, model.kernel, arrays, is_seed, t, pure=False) for t in tasks
    ]
    return int(sum(traffic.got(client.gather(futures))))
