"""IMM (Tang, Shi & Xiao 2015) with Chen's (2018) fresh selection sample, and the RR estimate
of a given seed set's spread (:func:`rr_spread`)."""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Iterable
from concurrent.futures import Executor
from typing import Any

import numpy as np

from shequn._progress import Progress, ProgressLike
from shequn._validation import (
    check_bool,
    check_choice,
    check_in_range,
    check_int,
    check_memory,
    check_positive,
    fail,
)
from shequn.community._graph import GraphLike, resolve_members
from shequn.diffusion._dask import DaskRRCollection, Traffic, dask_client, scatter
from shequn.diffusion._network import (
    DiffusionNetwork,
    EdgeProbability,
    ThresholdWeights,
    as_network,
)
from shequn.diffusion._parallel import executor_from_threads
from shequn.diffusion.seeding._common import (
    _DEFAULT_P,
    _EVAL_RSE,
    _labels,
)
from shequn.diffusion.seeding._rr import RRCollection, RRModel, check_rr_samples, estimate_spread
from shequn.diffusion.seeding.result import SeedSet
from shequn.rng import RNGLike, resolve_rng

__all__ = ["imm", "imm_parameters", "rr_spread"]

# --- IMM --------------------------------------------------------------------------------------


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


#: Trials of the sampling phase per halving of x: x = n/2, n/2^1.5, n/4, ... (the paper
#: halves x; see :func:`imm_parameters`).
GRID = 2


def imm_parameters(
    n: int, k: int, epsilon: float, ell: float, *, grid: int = GRID
) -> dict[str, float]:
    """IMM's constants for ``n`` nodes (Tang, Shi & Xiao 2015, eqs. 9 and 6, Algorithm 2).

    ``ell`` is first raised to ``ℓ (1 + log 2 / log n)`` so that both phases together fail
    with probability at most ``n^-ℓ``; then ``ε' = √2 ε``,

        λ' = (2 + 2ε'/3) (log C(n, k) + ℓ log n + log(g log₂ n)) n / ε'²,
        λ* = 2n ((1 - 1/e) α + β)² / ε²,  α = √(ℓ log n + log 2),
        β = √((1 - 1/e)(log C(n, k) + ℓ log n + log 2)).

    ``g`` (``grid``) is the number of sampling-phase trials per halving of x. The paper halves
    x (g = 1, at most log₂ n trials, each failing with probability at most n^-ℓ / log₂ n);
    shequn tries x on a grid of ratio √2 (g = 2): the sampling phase then stops within a
    factor √2 of the smallest x the data allow, instead of 2, which saves up to 29% of its RR
    sets, and the union bound over the g log₂ n trials costs only the log g inside λ' (about
    0.2% more sets), so the lower bound and the guarantee hold with the same probability.

    Examples
    --------
    >>> c = imm_parameters(100_000, 50, 0.1, 1.0)
    >>> round(c["ell"], 4), f"{c['lambda_star']:.3e}"
    (1.0602, '7.181e+09')
    >>> imm_parameters(100_000, 50, float("nan"), 1.0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `imm_parameters.epsilon` must be in (0, 1); got nan
    """
    owner = "imm_parameters"
    n = check_int(n, owner=owner, field="n", low=2)
    k = check_int(k, owner=owner, field="k", low=1, high=n)
    epsilon = check_in_range(
        epsilon, owner=owner, field="epsilon", low=0, high=1, low_open=True, high_open=True
    )
    ell = check_positive(ell, owner=owner, field="ell")
    grid = check_int(grid, owner=owner, field="grid", low=1)
    log_n = math.log(n)
    ell_adj = ell * (1.0 + math.log(2.0) / log_n)
    eps_p = math.sqrt(2.0) * epsilon
    lc = _log_comb(n, k)
    # in numpy floats: an overflow (ell = 1e300, epsilon = 1e-300) is inf, refused below
    with np.errstate(all="ignore"):
        e = np.float64(epsilon)
        lam_prime = float(
            (2.0 + 2.0 * eps_p / 3.0)
            * (lc + ell_adj * log_n + math.log(grid * math.log2(n)))
            * n
            / e
            / e
            / 2.0
        )
        alpha = math.sqrt(ell_adj * log_n + math.log(2.0))
        beta = math.sqrt((1.0 - 1.0 / math.e) * (lc + ell_adj * log_n + math.log(2.0)))
        lam_star = float(2.0 * n * ((1.0 - 1.0 / math.e) * alpha + beta) ** 2 / e / e)
    if not (math.isfinite(lam_prime) and math.isfinite(lam_star)):
        field, value = ("ell", ell) if ell > 1.0 else ("epsilon", epsilon)
        raise fail(owner, field, "leave IMM's sample sizes finite", value)
    return {"ell": ell_adj, "eps_prime": eps_p, "lambda_prime": lam_prime, "lambda_star": lam_star}


def imm(
    graph: GraphLike,
    k: int,
    *,
    model: str = "ic",
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    epsilon: float = 0.1,
    ell: float = 1.0,
    samples: int | None = None,
    reuse_samples: bool = False,
    rng: RNGLike = None,
    executor: Executor | None = None,
    progress: ProgressLike = None,
    threads: int | None = None,
) -> SeedSet:
    """Influence maximisation by martingales (IMM; Tang, Shi & Xiao 2015).

    IMM draws reverse-reachable (RR) sets (the members who would have reached a random member
    in one random live-edge graph) and picks ``k`` seeds covering as many as possible by
    greedy maximum coverage. With θ ≥ λ*/OPT sets this is a (1 - 1/e - ε)-approximation with
    probability at least 1 - n^-ℓ. Since OPT is unknown, the *sampling phase* looks for a
    lower bound LB by trying x = n/2, n/2^1.5, n/4, ... (a √2 grid where the paper halves x;
    the union bound pays for it, see :func:`imm_parameters`): with θ_i = λ'/x sets, if
    greedy's estimate n F_R(S_i) ≥ (1 + ε') x then LB = n F_R(S_i) / (1 + ε'); the *selection
    phase* then picks the seeds on θ = λ*/LB sets (constants in :func:`imm_parameters`).

    The selection phase draws θ *fresh* RR sets (``reuse_samples=False``, the default): the
    original algorithm reuses the sampling phase's sets, which Chen (2018, "An issue in the
    martingale analysis of the influence maximization algorithm IMM") showed breaks the
    independence the proof needs; fresh sets restore the guarantee at the price of at most
    twice the sets. The reported spread and its SE come from ``samples`` further independent
    RR sets (:func:`rr_spread`), not from the sets the seeds were chosen on, whose coverage
    is biased upward by the selection.

    Parameters
    ----------
    graph, k
        As for :func:`top_degree`.
    model
        ``"ic"`` (independent cascade; RR sets by reverse BFS with a coin per in-edge) or
        ``"lt"`` (linear threshold; RR sets by a reverse walk taking at most one in-edge per
        node, with probability its weight).
    p
        IC edge probabilities (number, per-edge array, ``"weighted"`` = 1/in-degree of the
        target, ``"weight"``, or a function of the weights). Default 0.1.
    weights
        LT in-weights, summing to at most 1 at each node (``"uniform"`` = 1/in-degree).
    epsilon
        Approximation slack ε in (0, 1). Default 0.1.
    ell
        Confidence exponent ℓ > 0: the guarantee holds with probability at least 1 - n^-ℓ.
    samples
        RR sets for the spread estimate. Default: enough for a relative standard error of
        about 0.5%, judged from the selection sample (``(1 - f) / (f 0.005²)`` sets for a
        covered share ``f``), at least 10,000 and at most θ.
    reuse_samples
        Reuse the sampling phase's RR sets in the selection phase, as the paper does (faster,
        but see above).
    rng
        Randomness; the same ``rng`` gives the same seeds.
    executor
        A :class:`concurrent.futures.Executor` to draw RR sets on (a ``ThreadPoolExecutor``
        uses every core: the kernels release the GIL); ``None`` draws them in this thread.
        Results do not depend on it: roots are cut into fixed blocks, each with its own
        random stream.
    progress
        ``None`` (a bar when tqdm is installed and the output is interactive), ``True``,
        ``False`` or a callable ``(done, total)``: RR sets drawn, one bar per round of the
        sampling phase, then the selection sample and the estimate. Ctrl-C stops the call
        between rounds of sets.
    threads
        Deprecated: pass ``executor=ThreadPoolExecutor(threads)``.

    Raises
    ------
    InvalidParameterError
        Also when the RR sets the guarantee needs (``epsilon``, ``ell``) would not fit in this
        machine's memory: the estimate, from the first round's sets, is in the message.

    Returns
    -------
    SeedSet
        With ``rr_sets`` = θ, ``lower_bound`` = LB, ``epsilon``, ``confidence`` = 1 - n^-ℓ
        and ``scores`` the marginal spread of each seed on the selection sample.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> s = imm(G, 2, p=0.1, rng=7)
    >>> sorted(s.seeds.tolist()), s.k <= s.spread <= G.number_of_nodes()   # the two leaders
    ([0, 33], True)
    """
    owner = "imm"
    t0 = time.perf_counter()
    net = as_network(graph, owner=owner)
    n = net.n
    k = check_int(k, owner=owner, field="k", low=1, high=n)
    model = check_choice(model, ["ic", "lt"], owner=owner, field="model")
    epsilon = check_in_range(
        epsilon, owner=owner, field="epsilon", low=0, high=1, low_open=True, high_open=True
    )
    ell = check_positive(ell, owner=owner, field="ell")
    if samples is not None:
        samples = check_rr_samples(samples, owner=owner)
    reuse_samples = check_bool(reuse_samples, owner=owner, field="reuse_samples")
    executor, owned = executor_from_threads(threads, executor, owner)
    m = RRModel.build(net, model=model, p=p, weights=weights, owner=owner)
    gen = resolve_rng(rng, owner=owner)
    try:
        return _run_imm(
            net,
            m,
            k,
            epsilon=epsilon,
            ell=ell,
            samples=samples,
            reuse_samples=reuse_samples,
            gen=gen,
            executor=executor,
            t0=t0,
            progress=progress,
        )
    finally:
        if owned is not None:
            owned.shutdown()


def _run_imm(
    net: DiffusionNetwork,
    m: RRModel,
    k: int,
    *,
    epsilon: float,
    ell: float,
    samples: int | None,
    reuse_samples: bool,
    gen: np.random.Generator,
    executor: Executor | None,
    t0: float,
    progress: ProgressLike,
) -> SeedSet:
    """IMM's two phases, the selection and the fresh estimate (arguments validated)."""
    n = net.n
    model = m.model
    client = dask_client(executor)
    traffic = Traffic()
    arrays = scatter(client, m.arrays, traffic) if client is not None else None

    def collection() -> Any:
        # RR sets kept on the workers of a Dask cluster, else here
        if client is None:
            return RRCollection(m, executor=executor)
        return DaskRRCollection(m, client, traffic, arrays)

    if k == n:  # everyone is a seed: nothing to choose or estimate
        seeds = np.arange(n, dtype=np.int64)
        return SeedSet(
            seeds=seeds,
            method="imm",
            spread=float(n),
            spread_se=0.0,
            labels=_labels(net, seeds),
            model=model,
            lower_bound=float(n),
            epsilon=epsilon,
            confidence=1.0 - n ** (-ell),
        )

    c = imm_parameters(n, k, epsilon, ell)
    if not all(math.isfinite(v) and v < 2.0**62 for v in c.values()):
        raise fail("imm", "ell", "leave IMM's sample sizes finite (with this epsilon)", ell)
    eps_p = c["eps_prime"]

    def guard(nbytes: float) -> None:
        check_memory(nbytes, owner="imm", field="epsilon", value=epsilon)

    R = collection()
    lb = 1.0
    halvings = max(1, math.floor(math.log2(n)))
    for j in range(GRID, GRID * (halvings - 1) + 1):  # x = n/2 down to n / 2^(halvings - 1)
        x = n / 2.0 ** (j / GRID)
        target = math.ceil(c["lambda_prime"] / x)
        desc = f"RR sets, x = n/2^{j / GRID:g}"
        with Progress(progress, total=target, owner="imm", desc=desc) as bar:
            bar.update(R.size)
            R.extend(target, gen, bar=bar, guard=guard)
        _, gains = R.greedy(k)
        est = n * float(gains.sum()) / R.size
        if est >= (1.0 + eps_p) * x:
            lb = est / (1.0 + eps_p)
            break
    lb = max(lb, float(k))  # OPT >= k surely: the seeds themselves are reached
    theta = max(1, math.ceil(c["lambda_star"] / lb))
    sampled = R.size
    t1 = time.perf_counter()
    per_set = R.bytes_per_set()
    guard(2.0 * per_set * theta)
    if not reuse_samples:
        R = collection()
    with Progress(progress, total=theta, owner="imm", desc="RR sets, selection") as bar:
        bar.update(min(R.size, theta))
        R.extend(theta, gen, bar=bar, guard=guard)
    seeds, gains = R.greedy(k)
    t2 = time.perf_counter()
    if samples is None:
        # enough fresh sets for a relative SE of about _EVAL_RSE, judged from the selection
        # sample's coverage (the binomial variance), at least 10,000 and at most θ
        f = (n * float(gains.sum()) / R.size - k) / (n - k)
        need = (1.0 - f) / (f * _EVAL_RSE**2) if f > 0 else math.inf
        n_eval = math.ceil(min(R.size, max(10_000, need)))  # need is inf when f = 0
    else:
        n_eval = samples
    with Progress(progress, total=n_eval, owner="imm", desc="RR sets, estimate") as bar:
        spread, se = estimate_spread(
            m,
            seeds,
            samples=n_eval,
            gen=gen,
            executor=executor,
            bar=bar,
            traffic=traffic,
            arrays=arrays,
        )
    t3 = time.perf_counter()
    return SeedSet(
        seeds=seeds,
        method="imm",
        spread=spread,
        spread_se=se,
        labels=_labels(net, seeds),
        scores=n * gains.astype(np.float64) / R.size,
        model=model,
        samples=n_eval,
        rr_sets=R.size,
        lower_bound=lb,
        epsilon=epsilon,
        confidence=1.0 - n ** (-ell),
        timings={
            "sampling": t1 - t0,
            "selection": t2 - t1,
            "estimate": t3 - t2,
            "sampling_rr_sets": float(sampled),
            **(
                {
                    "bytes_to_workers": float(traffic.to_workers),
                    "bytes_to_client": float(traffic.to_client),
                }
                if client is not None
                else {}
            ),
        },
    )


# --- spread of a given set --------------------------------------------------------------------


def rr_spread(
    graph: GraphLike,
    seeds: Iterable[Hashable],
    *,
    model: str = "ic",
    p: EdgeProbability = _DEFAULT_P,
    weights: ThresholdWeights = "uniform",
    samples: int = 10_000,
    rng: RNGLike = None,
    executor: Executor | None = None,
    progress: ProgressLike = None,
    threads: int | None = None,
) -> SeedSet:
    """Expected spread of ``seeds`` and its standard error from ``samples`` RR sets.

    The seeds count exactly; each RR set is rooted at a uniformly random non-seed member, so
    with ``h`` of ``R`` sets meeting a seed

        σ̂(S) = k + (n - k) h / R,    SE = (n - k) √(f (1 - f) / R),  f = h / R,

    unbiased (P(an RR set of v meets S) is the probability that S activates v), never below
    ``k`` nor above ``n``. Each search stops at the first seed it meets, so large spreads are
    cheap to estimate. The plug-in SE is 0 when no set or every set met a seed.

    Parameters
    ----------
    graph
        As for :func:`top_degree`.
    seeds
        The seed members (labels when the graph has labels, else indices), distinct.
    model, p, weights
        Cascade model and its parameters (see :func:`imm`).
    samples
        Number of RR sets, at least 1.
    rng
        Randomness of the estimate.
    executor
        A :class:`concurrent.futures.Executor` to draw RR sets on; the result does not depend
        on it.
    progress
        ``None``, ``True``, ``False`` or a callable ``(done, total)`` (RR sets drawn); Ctrl-C
        stops the call between rounds of sets.
    threads
        Deprecated: pass ``executor=ThreadPoolExecutor(threads)``.

    Examples
    --------
    >>> import networkx as nx
    >>> s = rr_spread(nx.star_graph(4), [0], p=0.5, samples=40_000, rng=0)
    >>> round(s.spread, 1), s.spread_se < 0.02     # exactly 1 + 4 * 0.5 = 3
    (3.0, True)
    >>> rr_spread(nx.star_graph(4), [0, 0])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `rr_spread.seeds` must not repeat a member; got 0
    """
    owner = "rr_spread"
    t0 = time.perf_counter()
    net = as_network(graph, owner=owner)
    idx = resolve_members(seeds, net.n, net.labels, owner=owner, field="seeds")
    model = check_choice(model, ["ic", "lt"], owner=owner, field="model")
    samples = check_rr_samples(samples, owner=owner)
    m = RRModel.build(net, model=model, p=p, weights=weights, owner=owner)
    gen = resolve_rng(rng, owner=owner)
    executor, owned = executor_from_threads(threads, executor, owner)
    try:
        with Progress(progress, total=samples, owner=owner, desc="RR sets") as bar:
            spread, se = estimate_spread(
                m, idx, samples=samples, gen=gen, executor=executor, bar=bar
            )
    finally:
        if owned is not None:
            owned.shutdown()
    return SeedSet(
        seeds=idx,
        method="given",
        spread=spread,
        spread_se=se,
        labels=_labels(net, idx),
        model=model,
        samples=samples,
        timings={"estimate": time.perf_counter() - t0},
    )
