"""The member network the engine walks: the week-0 CSR, ties stored once, ties that grow.

Ties are stored once per undirected tie (``eu < ev``), not per CSR half-edge: every tie
mechanism is symmetric, so this halves the work and keeps both directions equal by
construction. The week-0 ties come first, in the community's CSR order; ties formed later
(friends of friends, event acquaintances, newcomers) are queued during the week
(:class:`TieBook`) and appended once at its end, after deduplication against the existing
ties (week-0 ties looked up in their sorted CSR rows, later ties in a sorted key array).

Examples
--------
>>> import numpy as np
>>> import scipy.sparse as sp
>>> from shequn.simulation._network import network_of
>>> A = sp.csr_array(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=float))
>>> net = network_of(A, capacity=4)
>>> net.eu.tolist(), net.ev.tolist(), net.tie_start.tolist()
([0, 0], [1, 2], [0, 2, 2, 2])
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from shequn._typing import FloatArray, IntArray

__all__ = [
    "FAR",
    "Network",
    "TieBook",
    "interest_of",
    "network_of",
    "random_neighbour",
    "ties_exist",
]

F32 = np.float32
FAR = 4
"""Distance code for members beyond the 3rd degree of the launch seeds (or unreachable)."""


class Network(NamedTuple):
    """Static arrays of the week-0 network (built once, at compile time).

    ``upper_start[u]`` is the CSR position of ``u``'s first neighbour ``v > u`` and
    ``tie_start[u]`` the index of its first tie ``(u, v)``: the tie of CSR entry ``k`` of row
    ``u`` (``k >= upper_start[u]``) is ``tie_start[u] + k − upper_start[u]``.
    """

    n: int
    capacity: int
    indptr: IntArray
    indices: Any  # int32
    upper_start: IntArray
    tie_start: IntArray
    eu: Any  # int32
    ev: Any  # int32
    ew: Any  # float32
    base_keys: IntArray


def network_of(A: Any, *, capacity: int) -> Network:
    """The engine's form of a canonical (sorted, duplicate-free) CSR adjacency."""
    n = int(A.shape[0])
    indptr = A.indptr.astype(np.int64)
    indices = A.indices.astype(np.int32)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    cols = indices.astype(np.int64)
    upper = rows < cols
    eu = rows[upper].astype(np.int32)
    ev = cols[upper].astype(np.int32)
    ew = A.data[upper].astype(np.float32)
    base_keys = eu.astype(np.int64) * capacity + ev  # row-major over sorted rows: sorted
    n_upper = np.bincount(rows[upper], minlength=n).astype(np.int64)
    upper_start = indptr[1:] - n_upper
    tie_start = np.concatenate([[0], np.cumsum(n_upper)]).astype(np.int64)
    return Network(
        n=n,
        capacity=int(capacity),
        indptr=indptr,
        indices=indices,
        upper_start=upper_start,
        tie_start=tie_start,
        eu=eu,
        ev=ev,
        ew=ew,
        base_keys=base_keys,
    )


def random_neighbour(net: Network, nodes: IntArray, gen: np.random.Generator) -> IntArray:
    """One uniformly chosen week-0 neighbour per node (-1 when it has none)."""
    out = np.full(nodes.size, -1, dtype=np.int64)
    base = nodes < net.n
    nb = nodes[base]
    ip = net.indptr
    deg = ip[nb + 1] - ip[nb]
    has = deg > 0
    pick = ip[nb[has]] + (gen.random(int(has.sum())) * deg[has]).astype(np.int64)
    tmp = np.full(nb.size, -1, dtype=np.int64)
    tmp[has] = net.indices[pick]
    out[base] = tmp
    return out


def _in_sorted(sorted_keys: IntArray, keys: IntArray) -> Any:
    pos = np.searchsorted(sorted_keys, keys)
    ok = pos < sorted_keys.shape[0]
    ok[ok] = sorted_keys[pos[ok]] == keys[ok]
    return ok


def ties_exist(keys: IntArray, net: Network, extra_keys: IntArray) -> Any:
    """Whether each ``min · capacity + max`` key is a tie already (week-0 or formed since)."""
    return _in_sorted(net.base_keys, keys) | _in_sorted(extra_keys, keys)


class TieBook:
    """The tie buffers of one week: ties in use, new ties queued, appended at the week's end.

    Writes go to slots beyond the previous state's ``m_used``, which that state never reads,
    so buffers are shared between consecutive states without copying.
    """

    NAMES = ("eu", "ev", "ew", "messages", "meetings", "member_tie")

    def __init__(self, state: Any) -> None:
        room = state.messages.shape[0]
        self.m_used: int = state.m_used
        self.eu = state.eu
        self.ev = state.ev
        self.ew = state.ew
        # zeros, not np.empty: the spare slots beyond m_used are part of the returned State
        # (and of states that later share these buffers), so they must not hold stale memory
        self.messages = np.zeros(room, dtype=np.float32)
        self.meetings = np.zeros(room, dtype=np.float32)
        self.member_tie = state.member_tie
        self.extra_keys: IntArray = state.extra_keys
        self.extra_pos: IntArray = state.extra_pos
        self.pending: list[tuple[IntArray, IntArray, float]] = []

    def add(self, a: IntArray, b: IntArray, meetings: float) -> None:
        """Queue candidate new ties ``(a[k], b[k])`` that start with ``meetings`` meetings."""
        keep = (a >= 0) & (b >= 0) & (a != b)
        if keep.any():
            self.pending.append((a[keep], b[keep], meetings))

    def commit(self, net: Network) -> tuple[IntArray, IntArray]:
        """Append the queued ties that do not exist yet (buffers grow by doubling); returns
        their ends ``(lo, hi)``."""
        empty = np.empty(0, np.int64)
        if not self.pending:
            return empty, empty
        a = np.concatenate([p[0] for p in self.pending])
        b = np.concatenate([p[1] for p in self.pending])
        meet = np.concatenate([np.full(p[0].size, p[2], F32) for p in self.pending])
        keys = np.minimum(a, b) * net.capacity + np.maximum(a, b)
        keys, first = np.unique(keys, return_index=True)
        meet = meet[first]
        ex = self.extra_keys  # sorted
        exists = ties_exist(keys, net, ex)
        keys, meet = keys[~exists], meet[~exists]
        k = int(keys.size)
        if k == 0:
            return empty, empty
        m0 = self.m_used
        if m0 + k > self.eu.shape[0]:
            room = max(m0 + k, 2 * self.eu.shape[0]) - self.eu.shape[0]
            for name in self.NAMES:
                buf = getattr(self, name)
                setattr(self, name, np.concatenate([buf, np.zeros(room, dtype=buf.dtype)]))
        lo, hi = keys // net.capacity, keys % net.capacity
        sl = slice(m0, m0 + k)
        self.eu[sl] = lo
        self.ev[sl] = hi
        self.ew[sl] = 1.0
        self.messages[sl] = 0.0
        self.meetings[sl] = meet
        self.member_tie[sl] = True
        ins = np.searchsorted(ex, keys)
        self.extra_keys = np.insert(ex, ins, keys)
        self.extra_pos = np.insert(self.extra_pos, ins, np.arange(m0, m0 + k, dtype=np.int64))
        self.m_used = m0 + k
        return lo, hi


def interest_of(taste: FloatArray) -> FloatArray:
    """Interest in the brand ``exp(−|t|² / 2)`` of each taste row."""
    out: FloatArray = np.exp(-0.5 * np.einsum("ij,ij->i", taste, taste))
    return out
