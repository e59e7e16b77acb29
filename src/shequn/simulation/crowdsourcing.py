"""Crowdsourcing (seed 004, Haier): members propose solutions, the crowd votes, the best go on.

Seed 004 describes Haier's washing-machine campaign: 活动通过pc端与移动端平台在全球进行创客招募,
旨在解决困扰洗衣机30年的"二次污染"问题 ... 经过网友评选, 有四套方案最终被选至线下 ("makers were
recruited online to solve the 30-year 'secondary pollution' problem ... after the netizens'
vote, four proposals went on to the offline stage").

The model: a share of members propose one idea each, with a true quality drawn
``N(idea_mean, idea_sd²)``. Every other member looks at ``ideas_seen`` ideas at random and
votes for the one that *seems* best: true quality plus perception noise plus a bias
``tie_bias × w`` toward ideas of people they are tied to with weight ``w``. A vote counts with
the voter's engagement. The ``top`` ideas by votes are compared with the ``top`` ideas by true
quality. A larger crowd finds better ideas (the maximum of more draws) but also spreads votes
thinner, so how much of that gain the vote captures is the question the model answers.

Examples
--------
>>> from shequn.community import generate_community
>>> from shequn.simulation.crowdsourcing import crowdsource
>>> c = generate_community("brand", 300, rng=0)
>>> out = crowdsource(c, rng=1)
>>> out.best_by_vote <= out.best_true
True
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import ArrayLike

from shequn._results import ResultMixin, Summary, Table
from shequn._stats import mean_ci
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import (
    check_array,
    check_count,
    check_finite,
    check_instance,
    check_int,
    check_nonnegative,
    check_positive,
    check_probability,
    fail,
)
from shequn.community.community import Community
from shequn.community.generators import generate_community
from shequn.rng import RNGLike, map_runs, resolve_rng

__all__ = ["CrowdCurve", "CrowdOutcome", "crowd_size_curve", "crowdsource"]


@attrs.frozen(kw_only=True)
class CrowdOutcome(ResultMixin):
    """One crowdsourcing round.

    Attributes
    ----------
    proposers
        Member indices of the proposers (one idea each, in this order).
    quality
        True quality of each idea.
    votes
        Engagement-weighted votes each idea received.
    chosen
        Indices (into ``proposers``) of the ``top`` ideas by votes, best first.
    best_true, best_by_vote
        True quality of the best idea, and of the idea with the most votes.
    top_true_mean, top_vote_mean
        Mean true quality of the ``top`` best ideas and of the ``top`` most-voted ideas.
    overlap
        Share of the ``top`` most-voted ideas that are among the ``top`` truly best.
    """

    proposers: IntArray = attrs.field(eq=array_eq, repr=False)
    quality: FloatArray = attrs.field(eq=array_eq, repr=False)
    votes: FloatArray = attrs.field(eq=array_eq, repr=False)
    chosen: IntArray = attrs.field(eq=array_eq, repr=False)
    best_true: float
    best_by_vote: float
    top_true_mean: float
    top_vote_mean: float
    overlap: float

    def summary(self) -> Summary:
        """The round in numbers.

        Examples
        --------
        >>> from shequn.community import generate_community
        >>> o = crowdsource(generate_community("brand", 200, rng=0), rng=1)
        >>> o.summary()["ideas"], o.summary()["chosen"]
        (20, 4)
        """
        return Summary(
            title="Crowdsourcing round (seed 004)",
            headline={
                "ideas": int(self.proposers.size),
                "chosen": int(self.chosen.size),
                "best_true": self.best_true,
                "best_by_vote": self.best_by_vote,
                "top_true_mean": self.top_true_mean,
                "top_vote_mean": self.top_vote_mean,
                "overlap": self.overlap,
            },
            notes=("Quality is in standard deviations of the ideas' true quality.",),
        )


def crowdsource(
    community: Community,
    *,
    rng: RNGLike = None,
    proposer_share: float = 0.1,
    idea_mean: float = 0.0,
    idea_sd: float = 1.0,
    vote_noise: float = 1.0,
    tie_bias: float = 0.5,
    ideas_seen: int = 5,
    top: int = 4,
    engagement: ArrayLike | None = None,
) -> CrowdOutcome:
    """Run one round of proposals and votes on ``community``.

    Parameters
    ----------
    community
        The crowd.
    rng
        Seed material.
    proposer_share
        Share in (0, 1] of members who propose (at least ``top`` proposers are needed).
    idea_mean, idea_sd
        Distribution of true idea quality (``idea_sd > 0``).
    vote_noise
        Standard deviation (>= 0) of a voter's error in judging an idea.
    tie_bias
        Perceived bonus (>= 0) per unit tie weight for ideas of a voter's friends.
    ideas_seen
        Ideas each voter looks at (integer >= 1).
    top
        Ideas chosen (default 4, as in seed 004).
    engagement
        Vote weight per member in [0, 1]; default 1 for everybody.

    Examples
    --------
    >>> from shequn.community import generate_community
    >>> c = generate_community("values", 200, rng=0)
    >>> perfect = crowdsource(c, rng=0, vote_noise=0.0, tie_bias=0.0, ideas_seen=10_000)
    >>> perfect.best_by_vote == perfect.best_true
    True
    """
    owner = "crowdsource"
    check_instance(community, Community, owner=owner, field="community")
    gen = resolve_rng(rng, owner=owner)
    n = community.n
    share = check_probability(proposer_share, owner=owner, field="proposer_share")
    if share == 0:
        raise fail(owner, "proposer_share", "be > 0", share)
    mu = check_finite(idea_mean, owner=owner, field="idea_mean")
    sd = check_positive(idea_sd, owner=owner, field="idea_sd")
    noise = check_nonnegative(vote_noise, owner=owner, field="vote_noise")
    bias = check_nonnegative(tie_bias, owner=owner, field="tie_bias")
    k = check_count(ideas_seen, owner=owner, field="ideas_seen", low=1)
    top = check_int(top, owner=owner, field="top", low=1, high=max(n - 1, 1))
    n_prop = max(1, round(share * n))
    if n_prop < top or n_prop >= n:
        raise fail(
            owner, "proposer_share", f"give between top={top} and n-1={n - 1} proposers", share
        )
    if engagement is None:
        weight = np.ones(n)
    else:
        weight = check_array(engagement, owner=owner, field="engagement", ndim=1, probability=True)
        if weight.shape[0] != n:
            raise fail(owner, "engagement", f"have one entry per member ({n})", weight.shape[0])
    perm = gen.permutation(n)
    proposers = np.sort(perm[:n_prop]).astype(np.int64)
    voters = np.sort(perm[n_prop:]).astype(np.int64)
    quality = gen.normal(mu, sd, size=n_prop)
    kk = min(k, n_prop)
    if kk == n_prop:
        seen = np.broadcast_to(np.arange(n_prop), (voters.size, n_prop))
    else:  # kk distinct ideas per voter: ranks of random keys
        seen = np.argsort(gen.random((voters.size, n_prop)), axis=1)[:, :kk]
    perceived = quality[seen] + noise * gen.normal(size=seen.shape)
    if bias > 0:
        A = community.adjacency
        rows = np.repeat(voters, seen.shape[1])
        cols = proposers[seen.ravel()]
        w = np.asarray(A[rows, cols]).reshape(seen.shape)
        perceived = perceived + bias * w
    pick = seen[np.arange(voters.size), np.argmax(perceived, axis=1)]
    votes = np.bincount(pick, weights=weight[voters], minlength=n_prop).astype(np.float64)
    order_votes = np.lexsort((-quality, -votes))  # ties broken toward the better idea
    chosen = order_votes[:top].astype(np.int64)
    best_true_sorted = np.sort(quality)[::-1]
    truly_top = set(np.argsort(-quality)[:top].tolist())
    return CrowdOutcome(
        proposers=proposers,
        quality=quality,
        votes=votes,
        chosen=chosen,
        best_true=float(best_true_sorted[0]),
        best_by_vote=float(quality[chosen[0]]),
        top_true_mean=float(best_true_sorted[:top].mean()),
        top_vote_mean=float(quality[chosen].mean()),
        overlap=len(truly_top.intersection(chosen.tolist())) / top,
    )


@attrs.frozen(kw_only=True)
class CrowdCurve(ResultMixin):
    """Best idea by vote vs by true quality as the crowd grows, with 95 % CIs.

    Attributes
    ----------
    sizes
        Community sizes.
    best_true, best_by_vote, overlap
        (len(sizes), 3) arrays: mean and 95 % CI bounds over runs of the best true quality,
        the true quality of the most-voted idea, and the top-``top`` overlap.
    """

    sizes: IntArray = attrs.field(eq=array_eq, repr=False)
    best_true: FloatArray = attrs.field(eq=array_eq, repr=False)
    best_by_vote: FloatArray = attrs.field(eq=array_eq, repr=False)
    overlap: FloatArray = attrs.field(eq=array_eq, repr=False)

    def summary(self) -> Summary:
        """Per community size: best true quality, true quality of the most-voted idea, and the
        overlap of the top ideas by vote and by quality (means over runs).

        Examples
        --------
        >>> c = crowd_size_curve(sizes=[100, 200], runs=3, rng=0)
        >>> print(c.summary().table.lines()[0].split())
        ['best', 'true', 'best', 'by', 'vote', 'top', 'overlap']
        """
        rows = {
            f"{int(n):,} members": (
                float(self.best_true[i, 0]),
                float(self.best_by_vote[i, 0]),
                float(self.overlap[i, 0]),
            )
            for i, n in enumerate(self.sizes)
        }
        return Summary(
            title=f"Crowd size curve ({self.sizes.size} sizes)",
            headline={"sizes": [int(n) for n in self.sizes]},
            table=Table(columns=("best true", "best by vote", "top overlap"), rows=rows),
            notes=("95 % intervals are in best_true, best_by_vote and overlap[:, 1:].",),
        )

    def __repr__(self) -> str:
        return f"CrowdCurve(sizes={[int(n) for n in self.sizes]})"


def _curve_run(
    *, rng: np.random.Generator, kind: str, sizes: tuple[int, ...], params: dict[str, Any]
) -> list[tuple[float, float, float]]:
    out = []
    for n in sizes:
        c = generate_community(kind, n, rng=rng)
        o = crowdsource(c, rng=rng, **params)
        out.append((o.best_true, o.best_by_vote, o.overlap))
    return out


def crowd_size_curve(
    *,
    kind: str = "brand",
    sizes: ArrayLike = (100, 300, 1000, 3000),
    runs: int = 20,
    rng: RNGLike = None,
    **params: Any,
) -> CrowdCurve:
    """How the best idea by vote and by true quality change as the crowd grows.

    Each run draws a community of every size (type ``kind``) and one crowdsourcing round
    (:func:`crowdsource` with ``params``), through :func:`shequn.rng.map_runs`.

    Examples
    --------
    >>> c = crowd_size_curve(sizes=[100, 400], runs=4, rng=1)
    >>> bool(c.best_true[1, 0] > c.best_true[0, 0])
    True
    """
    sz = check_array(sizes, owner="crowd_size_curve", field="sizes", dtype=np.int64, ndim=1)
    if sz.size == 0 or sz.min() < 20:
        raise fail("crowd_size_curve", "sizes", "be community sizes >= 20", sz)
    runs = check_int(runs, owner="crowd_size_curve", field="runs", low=2)
    import functools

    res = np.array(
        map_runs(
            functools.partial(
                _curve_run, kind=kind, sizes=tuple(int(s) for s in sz), params=params
            ),
            runs=runs,
            rng=rng,
        )
    )  # (runs, sizes, 3)

    def ci(col: int) -> FloatArray:
        return np.array([mean_ci(res[:, i, col]) for i in range(sz.size)])

    return CrowdCurve(sizes=sz, best_true=ci(0), best_by_vote=ci(1), overlap=ci(2))
