"""Cascade models against exact answers: live-edge enumeration, Markov-chain recursions,
closed forms and a naive second implementation.

Stochastic checks use a fixed seed and a tolerance of 4 standard errors computed from the
*exact* variance where the oracle gives it (false-alarm rate about 6e-5 per comparison).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

from shequn.diffusion._network import as_network, edge_probabilities, threshold_weights
from shequn.diffusion.bass import Bass
from shequn.diffusion.cascades import (
    RandomSeeds,
    independent_cascade,
    linear_threshold,
    network_bass,
    rumour,
    watts_threshold,
)

# --- exact independent cascade: enumerate every live-edge subgraph ------------------------------


def _live_distances(n: int, live: Sequence[tuple[int, int]], seeds: Sequence[int]) -> list[int]:
    """BFS distance from the seeds over the live edges (-1: unreachable)."""
    adj: list[list[int]] = [[] for _ in range(n)]
    for u, v in live:
        adj[u].append(v)
    dist = [-1] * n
    queue = deque(seeds)
    for s in seeds:
        dist[s] = 0
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if dist[v] < 0:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


def exact_ic(
    n: int, edges: Sequence[tuple[int, int]], prob: Sequence[float], seeds: Sequence[int]
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Exact mean and variance of the final size, per-node adoption probabilities and the mean
    curve (adopters within t steps = nodes within live distance t), by enumerating 2^m subsets.
    """
    m = len(edges)
    assert m <= 16
    mean = second = 0.0
    node_p = np.zeros(n)
    curve = np.zeros(n + 1)
    for mask in range(1 << m):
        w = 1.0
        live = []
        for i in range(m):
            if mask >> i & 1:
                w *= prob[i]
                live.append(edges[i])
            else:
                w *= 1.0 - prob[i]
        if w == 0.0:
            continue
        dist = np.array(_live_distances(n, live, seeds))
        size = int((dist >= 0).sum())
        mean += w * size
        second += w * size * size
        node_p += w * (dist >= 0)
        for t in range(n + 1):
            curve[t] += w * int(((dist >= 0) & (dist <= t)).sum())
    return mean, second - mean * mean, node_p, curve


def _directed_edges(net_graph: nx.Graph | nx.DiGraph) -> tuple[int, list[tuple[int, int]]]:
    net = as_network(net_graph)
    return net.n, list(zip(net.sources.tolist(), net.indices.tolist(), strict=True))


RUNS = 20_000


def _check_ic(G: nx.Graph | nx.DiGraph, p: object, seeds: list[int]) -> None:
    net = as_network(G)
    n, edges = _directed_edges(G)
    prob = edge_probabilities(net, p).tolist()  # type: ignore[arg-type]
    mean, var, node_p, curve = exact_ic(n, edges, prob, seeds)
    res = independent_cascade(G, seeds, p=p, runs=RUNS, rng=12345)  # type: ignore[arg-type]
    se = np.sqrt(var / RUNS)
    assert abs(res.mean - mean) < 4 * se, (res.mean, mean, se)
    node_se = np.sqrt(np.clip(node_p * (1 - node_p), 0, None) / RUNS)
    assert np.all(np.abs(res.node_frequency - node_p) <= 4 * node_se + 1e-9)
    # the mean adoption curve, step by step (variance of a count <= its range^2 / 4)
    m_curve, _, _ = res.mean_curve()
    steps = min(len(m_curve), n + 1)
    curve_se = n / 2 / np.sqrt(RUNS)
    assert np.all(np.abs(m_curve[:steps] - curve[:steps]) < 4 * curve_se)


def test_ic_uniform_p_matches_live_edge_enumeration() -> None:
    # a 5-cycle with one chord: 6 ties = 12 directed edges, geometric-skipping path
    G = nx.cycle_graph(5)
    G.add_edge(0, 2)
    _check_ic(G, 0.35, [0])


def test_ic_per_edge_p_matches_live_edge_enumeration() -> None:
    # a directed graph with 15 edges and distinct per-edge probabilities (per-edge path)
    rng = np.random.default_rng(5)
    G = nx.gnm_random_graph(8, 15, seed=3, directed=True)
    for u, v in G.edges():
        G[u][v]["weight"] = float(rng.uniform(0.05, 0.95))
    _check_ic(G, "weight", [0, 5])


def test_ic_weighted_cascade_matches_enumeration() -> None:
    G = nx.DiGraph([(0, 1), (0, 2), (1, 2), (2, 3), (1, 3), (3, 4), (2, 4), (4, 0), (3, 1)])
    _check_ic(G, "weighted", [0])


def test_ic_max_steps_stops_at_live_distance() -> None:
    G = nx.path_graph(6)
    n, edges = _directed_edges(G)
    prob = [0.8] * len(edges)
    _, _, _, curve = exact_ic(n, edges, prob, [0])
    res = independent_cascade(G, [0], p=0.8, runs=RUNS, rng=9, max_steps=2)
    var_bound = 9 / 4  # sizes lie in [1, 3]
    assert res.steps <= 2
    assert abs(res.mean - curve[2]) < 4 * np.sqrt(var_bound / RUNS)
    assert int(res.final_sizes.max()) <= 3


# --- exact linear threshold: each node keeps at most one in-edge --------------------------------


def exact_lt(
    n: int,
    edges: Sequence[tuple[int, int]],
    weight: Sequence[float],
    seeds: Sequence[int],
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Exact LT spread through the live-edge equivalence (Kempe, Kleinberg & Tardos 2003,
    Theorem 2.5): node v keeps in-edge (u, v) with probability w_uv and none with
    probability 1 - sum_u w_uv; active nodes (also per step) are those reachable from the seeds.
    """
    choices: list[list[tuple[int | None, float]]] = []
    for v in range(n):
        ins = [(i, weight[i]) for i, (_, b) in enumerate(edges) if b == v]
        opts: list[tuple[int | None, float]] = [(i, w) for i, w in ins]
        opts.append((None, 1.0 - sum(w for _, w in ins)))
        choices.append(opts)
    mean = second = 0.0
    node_p = np.zeros(n)
    curve = np.zeros(n + 1)
    for combo in itertools.product(*choices):
        w = 1.0
        live = []
        for edge_i, pr in combo:
            w *= pr
            if edge_i is not None:
                live.append(edges[edge_i])
        if w <= 0.0:
            continue
        dist = np.array(_live_distances(n, live, seeds))
        size = int((dist >= 0).sum())
        mean += w * size
        second += w * size * size
        node_p += w * (dist >= 0)
        for t in range(n + 1):
            curve[t] += w * int(((dist >= 0) & (dist <= t)).sum())
    return mean, second - mean * mean, node_p, curve


@pytest.mark.parametrize("weights", ["uniform", "custom"])
def test_lt_matches_live_edge_equivalence(weights: str) -> None:
    G = nx.DiGraph(
        [(0, 1), (0, 2), (1, 2), (2, 3), (1, 3), (3, 4), (2, 4), (4, 1), (3, 5), (5, 4), (0, 5)]
    )
    net = as_network(G)
    n, edges = _directed_edges(G)
    if weights == "uniform":
        w = threshold_weights(net, "uniform")
    else:  # in-weights summing to less than 1: some nodes keep no in-edge
        w = np.random.default_rng(2).uniform(0.1, 0.45, net.n_edges)
    mean, var, node_p, curve = exact_lt(n, edges, w.tolist(), [0])
    given = w if weights == "custom" else "uniform"
    res = linear_threshold(G, [0], weights=given, runs=RUNS, rng=4)
    se = np.sqrt(var / RUNS)
    assert abs(res.mean - mean) < 4 * se, (res.mean, mean, se)
    node_se = np.sqrt(np.clip(node_p * (1 - node_p), 0, None) / RUNS)
    assert np.all(np.abs(res.node_frequency - node_p) <= 4 * node_se + 1e-9)
    m_curve, _, _ = res.mean_curve()
    steps = min(len(m_curve), n + 1)
    assert np.all(np.abs(m_curve[:steps] - curve[:steps]) < 4 * (n / 2) / np.sqrt(RUNS))


def test_lt_undirected_graph_uses_both_directions() -> None:
    G = nx.cycle_graph(4)
    G.add_edge(0, 2)
    net = as_network(G)
    n, edges = _directed_edges(G)
    w = threshold_weights(net, "uniform")
    mean, var, _, _ = exact_lt(n, edges, w.tolist(), [1])
    res = linear_threshold(G, [1], runs=RUNS, rng=8)
    assert abs(res.mean - mean) < 4 * np.sqrt(var / RUNS)


def test_lt_fixed_thresholds_are_deterministic_and_exact() -> None:
    # node 3 listens to 0, 1, 2 with weight 1/3 each; threshold 2/3 needs exactly two of them
    G = nx.DiGraph([(0, 3), (1, 3), (2, 3)])
    res = linear_threshold(G, [0, 1], thresholds=2 / 3, runs=5)
    assert res.final_sizes.tolist() == [3] * 5
    assert linear_threshold(G, [0], thresholds=2 / 3, runs=1).final_sizes.tolist() == [1]


# --- rumour: exact expected reach of the Maki-Thompson / Daley-Kendall chain on K_n -------------


def exact_rumour_reach(n: int, spread: float, stifle: float, forget: float, dk: bool) -> float:
    """Expected number ever informed on the complete graph K_n from one spreader.

    On K_n the counts (i ignorant, s spreaders) form a Markov chain whose every transition is
    one spreader's action (contact a uniform other member, then perhaps forget); which
    spreader acts, and in what order within a step, does not change the chain, so the
    absorption law is that of the embedded jump chain. Self-loops do not change it either.
    V(i, s) = expected final number of ignorants; solved exactly in increasing (i, s).
    """
    V = np.zeros((n + 1, n + 2))
    for i in range(n + 1):
        V[i, 0] = i
        for s in range(1, n - i + 1):
            a = i / (n - 1)  # contact is ignorant
            b = (s - 1) / (n - 1)  # contact is another spreader
            c = 1.0 - a - b  # contact is a stifler
            out: dict[tuple[int, int], float] = {}

            def add(key: tuple[int, int], pr: float, out: dict[tuple[int, int], float] = out):
                if pr > 0:
                    out[key] = out.get(key, 0.0) + pr

            # ignorant told: it becomes a spreader with prob spread; then the teller may forget
            add((i - 1, s + 1), a * spread * (1 - forget))
            add((i - 1, s), a * spread * forget)
            add((i, s - 1), a * (1 - spread) * forget)
            if dk:
                add((i, s - 2), b * stifle)
                add((i, s - 1), b * (1 - stifle) * forget + c * stifle + c * (1 - stifle) * forget)
            else:
                add((i, s - 1), (b + c) * stifle + (b + c) * (1 - stifle) * forget)
            total = sum(out.values())
            if total == 0:  # cannot happen with stifle or forget > 0
                V[i, s] = i
                continue
            V[i, s] = sum(pr * V[key] for key, pr in out.items()) / total
    return n - V[n - 1, 1]


@pytest.mark.parametrize(
    ("spread", "stifle", "forget", "variant"),
    [
        (1.0, 1.0, 0.0, "maki-thompson"),
        (0.7, 0.5, 0.1, "maki-thompson"),
        (1.0, 1.0, 0.0, "daley-kendall"),
        (0.8, 0.6, 0.2, "daley-kendall"),
    ],
)
def test_rumour_matches_exact_chain_on_complete_graph(
    spread: float, stifle: float, forget: float, variant: str
) -> None:
    n, runs = 60, 6000
    exact = exact_rumour_reach(n, spread, stifle, forget, variant == "daley-kendall")
    res = rumour(
        nx.complete_graph(n),
        [0],
        spread=spread,
        stifle=stifle,
        forget=forget,
        variant=variant,  # type: ignore[arg-type]
        runs=runs,
        rng=21,
    )
    # the sample SE stands in for the exact one (the chain's variance is not computed here)
    assert abs(res.mean - exact) < 4 * res.se, (res.mean, exact, res.se)
    assert res.active is not None and int(res.active[:, -1].max()) == 0


def test_rumour_classic_maki_thompson_limit() -> None:
    # Sudbury (1985): the share never informed tends to theta with theta = exp(-2 (1 - theta)),
    # about 0.2032; the exact chain at n = 300 is within 0.005 of it
    n = 300
    exact = exact_rumour_reach(n, 1.0, 1.0, 0.0, False)
    theta = 0.2032
    assert abs((n - exact) / n - theta) < 0.005


# --- network Bass: the exact count chain on K_n and the Bass mean field -------------------------


def _complete(n: int) -> sp.csr_array:
    return sp.csr_array(np.ones((n, n)) - np.eye(n))


def exact_bass_chain(n: int, p: float, q: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact mean and variance of the adopters of network Bass on K_n without seeds.

    On K_n everyone sees the same N adopters, so N is a Markov chain:
    N' = N + Binomial(n - N, 1 - (1 - p)(1 - q)^N); its law is propagated exactly.
    """
    N = np.arange(n + 1)
    hazard = 1.0 - (1.0 - p) * (1.0 - q) ** N
    M = stats.binom.pmf(N[None, :] - N[:, None], (n - N)[:, None], hazard[:, None])
    dist = np.zeros(n + 1)
    dist[0] = 1.0
    mean, var = [0.0], [0.0]
    for _ in range(steps):
        dist = dist @ M
        m = float(dist @ N)
        mean.append(m)
        var.append(float(dist @ N**2) - m * m)
    return np.array(mean), np.array(var)


def test_network_bass_matches_exact_chain_and_tracks_bass_closed_form() -> None:
    # time step dt: per-step p = P dt, per-contact q = Q dt / n, so the hazard of a
    # non-adopter is 1 - (1 - P dt) (1 - Q dt / n)^N ~ (P + Q N / n) dt: Bass in small steps
    n, P, Q, dt, runs = 1000, 0.03, 0.38, 0.05, 150
    steps = int(16 / dt)
    p, q = P * dt, Q * dt / n
    res = network_bass(_complete(n), p=p, q=q, steps=steps, runs=runs, rng=3)
    assert res.curves.shape == (runs, steps + 1)
    sim = res.curves.mean(axis=0)
    mean, var = exact_bass_chain(n, p, q, steps)
    # 1) exact: the simulated mean is within 4 exact standard errors at every step
    assert np.all(np.abs(sim - mean) <= 4 * np.sqrt(var / runs) + 1e-9)
    # 2) mean field: the share tracks the discrete-time Bass curve
    #    F(t+1) = F(t) + (P dt + Q dt F(t)) (1 - F(t)) and the closed form F(t dt) of
    #    shequn.diffusion.bass. Tolerance: 4 SE of the simulated share plus 0.01, which covers
    #    three deterministic gaps quantified by the exact chain above (0.004 to the discrete
    #    curve, 0.007 to the closed form): the hazard's O(p q + q^2 N^2) terms, the O(dt)
    #    time discretisation and the O(1/n) effect of fluctuations.
    F = [0.0]
    for _ in range(steps):
        F.append(F[-1] + (P * dt + Q * dt * F[-1]) * (1 - F[-1]))
    closed = Bass(p=P, q=Q).cdf(np.arange(steps + 1) * dt)
    se = res.curves.std(axis=0, ddof=1) / np.sqrt(runs) / n
    for curve in (np.array(F), closed):
        assert np.abs(mean / n - curve).max() < 0.01
        assert np.all(np.abs(sim / n - curve) <= 4 * se + 0.01)


def test_network_bass_one_step_exact() -> None:
    # broadcast only: after t steps a share 1 - (1 - p)^t has adopted (binomial, exact)
    n, p, runs = 2000, 0.07, 300
    res = network_bass(nx.empty_graph(n), p=p, q=0.9, steps=3, runs=runs, rng=1)
    for t in range(1, 4):
        share = 1 - (1 - p) ** t
        se = np.sqrt(n * share * (1 - share) / runs)
        assert abs(res.curves[:, t].mean() - n * share) < 4 * se
    # word of mouth only, tie-weighted: a leaf tied to the adopted hub with strength 2 adopts
    # with 1 - (1 - q)^2 in the first step
    star = nx.star_graph(500)
    nx.set_edge_attributes(star, 2.0, "weight")
    q = 0.2
    res = network_bass(star, p=0.0, q=q, steps=1, seeds=[0], runs=runs, rng=2)
    pr = 1 - (1 - q) ** 2
    got = res.curves[:, 1].mean() - 1
    assert abs(got - 500 * pr) < 4 * np.sqrt(500 * pr * (1 - pr) / runs)
    res = network_bass(star, p=0.0, q=q, steps=1, seeds=[0], weighted=False, runs=runs, rng=2)
    got = res.curves[:, 1].mean() - 1
    assert abs(got - 500 * q) < 4 * np.sqrt(500 * q * (1 - q) / runs)


# --- Watts (2002): global cascades inside the analytic window only --------------------------------


def watts_condition(z: float, phi: float) -> float:
    """Left side of the cascade condition on an Erdős-Rényi graph of mean degree z with a
    uniform threshold phi: sum_k k (k - 1) rho_k p_k / z, rho_k = 1 for the vulnerable
    degrees 1 <= k <= floor(1 / phi). Global cascades are possible when it exceeds 1.
    """
    k = np.arange(0, int(np.floor(1 / phi)) + 1)
    return float((k * (k - 1) * stats.poisson.pmf(k, z)).sum() / z)


def test_watts_cascade_window_on_erdos_renyi() -> None:
    # n = 10_000, phi = 0.18: the analytic window is about 1.05 < z < 5.8. A run is a global
    # cascade when it reaches 10% of the network; sizes are bimodal (inside the window the
    # small ones stay below 50 nodes, the global ones above 5_000). Inside (z = 3, condition
    # 1.94) the observed frequency is about 0.9 over 200 random single seeds on two graphs;
    # requiring >= 0.5 fails with probability < 1e-20 if the model is right. Well outside
    # (z = 0.5: no giant component; z = 8 and 10: condition 0.34 and 0.10) a global cascade
    # needs a vulnerable cluster of order n, which does not exist: we require none.
    n, phi = 10_000, 0.18
    assert watts_condition(3.0, phi) > 1.5
    for z in (0.5, 8.0, 10.0):
        assert watts_condition(z, phi) < 0.5

    def frequency(z: float) -> float:
        sizes = []
        for g in range(2):
            G = nx.fast_gnp_random_graph(n, z / (n - 1), seed=100 + g)
            res = watts_threshold(G, RandomSeeds(count=1), phi=phi, runs=100, rng=g)
            sizes.append(res.final_sizes)
        return float((np.concatenate(sizes) >= 0.1 * n).mean())

    assert frequency(3.0) >= 0.5
    for z in (0.5, 8.0, 10.0):
        assert frequency(z) == 0.0
