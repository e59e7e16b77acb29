"""The semi-parametric bootstrap goodness-of-fit test of a fitted power law (CSN Section 4.1).

Each replicate draws ``n`` observations: with probability ``n_tail / n`` from the fitted power
law above ``xmin`` (the exact sampler of :mod:`.sampling`), otherwise uniformly from the
observed values below ``xmin``; it is refitted the way the data were (the same xmin scan, a
fixed xmin kept fixed) and its KS distance recorded. The p-value is the share of replicates at
least as far from their fit as the data are from theirs.

Replicates run through :func:`shequn.rng.map_runs`: ``executor=`` (threads, processes, Dask)
gives identical results for the same ``rng``, ``progress=`` shows a bar or calls back, and
Ctrl-C stops a long bootstrap (batches not yet started are cancelled). A request whose
results alone would not fit in memory is refused with the estimate.

Examples
--------
>>> from shequn.longtail import bootstrap_pvalue, fit_powerlaw, sample_powerlaw
>>> f = fit_powerlaw(sample_powerlaw(200, alpha=2.5, xmin=1.0, rng=5), compare_with=())
>>> res = bootstrap_pvalue(f, runs=20, rng=6)
>>> 0.0 <= res.p_value <= 1.0 and res.runs == 20
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from scipy import stats

from shequn._results import Intervals, ResultMixin, Summary
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import check_int, check_level, check_memory, fail
from shequn.exceptions import InvalidParameterError
from shequn.longtail.fit.sampling import _sample_discrete, check_draws_fit
from shequn.longtail.fit.scan import best_distance, fit_tail
from shequn.rng import SEED_BYTES, RNGLike, map_runs

if TYPE_CHECKING:
    from shequn.longtail.fit.powerlaw import PowerLawFit

__all__ = ["BootstrapResult", "bootstrap_pvalue"]

REPLICATE_BYTES = 64 + SEED_BYTES
"""Memory per replicate: its seed (spawned up front), its distance as a Python float and in
the result array."""


@attrs.frozen(kw_only=True)
class BootstrapResult(ResultMixin):
    """Semi-parametric bootstrap goodness-of-fit test (CSN Section 4.1).

    Attributes
    ----------
    p_value
        Share of synthetic KS distances at least as large as the observed one.
    p_value_se
        Monte Carlo standard error of ``p_value``.
    observed
        The observed KS distance.
    distances
        The synthetic KS distances, one per replicate.
    """

    p_value: float
    p_value_se: float
    observed: float
    distances: FloatArray = attrs.field(eq=array_eq)

    @property
    def runs(self) -> int:
        """Number of bootstrap replicates."""
        return int(self.distances.size)

    def conf_int(self, level: float = 0.95) -> Intervals:
        """Exact (Clopper-Pearson) interval of the p-value over the Monte Carlo replicates.

        Examples
        --------
        >>> r = BootstrapResult(p_value=0.1, p_value_se=0.03, observed=0.05,
        ...                     distances=np.r_[np.full(10, 0.1), np.full(90, 0.01)])
        >>> lo, hi = r.conf_int()["p_value"]
        >>> round(lo, 4), round(hi, 4)
        (0.049, 0.1762)
        """
        level = check_level(level, owner="BootstrapResult.conf_int")
        k = int(np.sum(self.distances >= self.observed))
        ci = stats.binomtest(k, self.runs).proportion_ci(confidence_level=level, method="exact")
        return {"p_value": (float(ci.low), float(ci.high))}

    def summary(self) -> Summary:
        """p-value, its Monte Carlo error and interval, the observed distance, the runs.

        Examples
        --------
        >>> r = BootstrapResult(p_value=0.1, p_value_se=0.03, observed=0.05,
        ...                     distances=np.r_[np.full(10, 0.1), np.full(90, 0.01)])
        >>> r.summary()["p_value"], r.summary()["runs"]
        (0.1, 100)
        """
        lo, hi = self.conf_int()["p_value"]
        return Summary(
            title="Bootstrap goodness of fit of the power law (CSN 4.1)",
            headline={
                "p_value": self.p_value,
                "p_value_se": self.p_value_se,
                "p_value_95%": (lo, hi),
                "observed_ks": self.observed,
                "runs": self.runs,
            },
            notes=("A small p-value (CSN: below 0.1) rules the power law out for these data.",),
        )


def _bootstrap_once(
    *,
    rng: np.random.Generator,
    below_u: FloatArray,
    below_c: IntArray,
    n: int,
    n_tail: int,
    alpha: float,
    xmin: float,
    discrete: bool,
    min_tail: int,
    convention: str,
    xmin_fixed: bool = False,
    xmin_range: tuple[float, float] | None = None,
    search: str = "auto",
) -> float:
    nt = int(rng.binomial(n, n_tail / n))
    nb = n - nt
    if below_u.size and nb > 0:
        cb = rng.multinomial(nb, below_c / below_c.sum()).astype(np.int64)
        keep = cb > 0
        bu, bc = below_u[keep], cb[keep]
    else:
        nt = n
        bu, bc = np.empty(0), np.empty(0, dtype=np.int64)
    if discrete:
        tail = _sample_discrete(nt, alpha, xmin, rng)
    else:
        tail = xmin * (1.0 - rng.random(nt)) ** (-1.0 / (alpha - 1.0))
    tu, tc = np.unique(tail, return_counts=True)
    u = np.concatenate([bu, tu])
    c = np.concatenate([bc, tc.astype(np.int64)])
    if xmin_fixed:
        try:
            refit = fit_tail(
                u,
                c,
                discrete=discrete,
                xmin=xmin,
                xmin_range=None,
                min_tail=min_tail,
                convention=convention,
                search="full",
                owner="bootstrap_pvalue",
            )
        except InvalidParameterError:  # too few tail draws: count as a worse fit
            return math.inf
        return refit.ks_distance
    return best_distance(
        u,
        c,
        discrete=discrete,
        min_tail=min_tail,
        convention=convention,
        xmin_range=xmin_range,
        search=search,
    )


def bootstrap_pvalue(
    fit: PowerLawFit,
    *,
    runs: int = 1000,
    rng: RNGLike = None,
    executor: Executor | None = None,
    batch_size: int | None = None,
    progress: Any = None,
) -> BootstrapResult:
    """Semi-parametric bootstrap p-value of the power-law hypothesis (CSN Section 4.1).

    Each replicate draws ``n`` observations: with probability ``n_tail / n`` from the fitted power
    law above ``xmin`` (exact sampler), otherwise uniformly from the observed values below
    ``xmin``; it is then refitted with the same xmin scan and its KS distance recorded. Runs use
    :func:`shequn.rng.map_runs`, so ``executor=`` (threads, processes, Dask) gives identical
    results for the same ``rng``.

    Parameters
    ----------
    fit
        The :class:`~shequn.longtail.fit.PowerLawFit` to test.
    runs
        Replicates (CSN: 2500 for a p-value accurate to about 0.01). A number whose results
        would not fit in memory is refused with the estimate.
    rng, executor, batch_size
        As in :func:`shequn.rng.map_runs`.
    progress
        ``None`` (a bar when tqdm is installed and the output is a terminal or notebook),
        ``True``, ``False`` or a callable ``(done, total)``. Ctrl-C stops the bootstrap.

    Examples
    --------
    >>> from shequn.longtail import fit_powerlaw, sample_powerlaw
    >>> f = fit_powerlaw(sample_powerlaw(200, alpha=2.5, xmin=1.0, rng=5), compare_with=())
    >>> res = bootstrap_pvalue(f, runs=20, rng=6)
    >>> 0.0 <= res.p_value <= 1.0 and res.runs == 20
    True
    """
    from shequn.longtail.fit.powerlaw import PowerLawFit

    owner = "bootstrap_pvalue"
    if not isinstance(fit, PowerLawFit):
        raise fail(owner, "fit", "be a PowerLawFit (from fit_powerlaw)", fit)
    runs = check_int(runs, owner=owner, field="runs", low=1)
    check_memory(REPLICATE_BYTES * runs, owner=owner, field="runs", value=runs)
    check_draws_fit(fit.n, fit.alpha, fit.xmin, owner=owner, field="fit.alpha")
    below = fit.values < fit.xmin
    fn: Callable[..., float] = functools.partial(
        _bootstrap_once,
        below_u=fit.values[below],
        below_c=fit.counts[below],
        n=fit.n,
        n_tail=fit.n_tail,
        alpha=fit.alpha,
        xmin=fit.xmin,
        discrete=fit.discrete,
        min_tail=fit.min_tail,
        convention=fit.ks_convention,
        xmin_fixed=fit.xmin_fixed,
        xmin_range=fit.xmin_range,
        search=fit.search,
    )
    d = np.asarray(
        map_runs(
            fn,
            runs=runs,
            rng=rng,
            executor=executor,
            batch_size=batch_size,
            progress=progress,
            owner=owner,
        )
    )
    p = float(np.mean(d >= fit.ks_distance))
    return BootstrapResult(
        p_value=p,
        p_value_se=math.sqrt(p * (1.0 - p) / runs),
        observed=fit.ks_distance,
        distances=d,
    )


# the class's __module__ is its public home, shequn.longtail.fit (see the package): doctest
# finds its examples here through __test__
__test__ = {"BootstrapResult": BootstrapResult}
