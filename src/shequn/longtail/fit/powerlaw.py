"""The fitted power law: :func:`fit_powerlaw` and its result :class:`PowerLawFit`.

Clauset, Shalizi & Newman (2009) ("CSN"): the maximum-likelihood exponent for every candidate
xmin, the xmin whose tail is closest to its fit in Kolmogorov-Smirnov distance (:mod:`.scan`),
likelihood-ratio tests against alternatives (:mod:`.alternatives`) and, on request, the
bootstrap goodness-of-fit p-value (:mod:`.bootstrap`).

Examples
--------
>>> from shequn.longtail import fit_powerlaw, sample_powerlaw
>>> f = fit_powerlaw(sample_powerlaw(2000, alpha=2.5, xmin=1.0, rng=1), xmin=1.0,
...                  compare_with=("exponential",))
>>> lo, hi = f.conf_int()["alpha"]
>>> bool(lo < 2.5 < hi)
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from shequn._optional import optional_import
from shequn._progress import check_progress
from shequn._results import Intervals, ResultMixin, Summary, Table
from shequn._typing import FloatArray, IntArray, array_eq
from shequn._validation import (
    check_array,
    check_bool,
    check_choice,
    check_executor,
    check_int,
    check_level,
    check_memory,
    fail,
)
from shequn.longtail._special import hurwitz_zeta
from shequn.longtail.fit.alternatives import ALTERNATIVES, Comparison, compare
from shequn.longtail.fit.bootstrap import REPLICATE_BYTES, BootstrapResult, bootstrap_pvalue
from shequn.longtail.fit.sampling import check_exponent, check_xmin
from shequn.longtail.fit.scan import as_table, fit_tail
from shequn.rng import RNGLike, check_rng

__all__ = ["PowerLawFit", "fit_powerlaw"]


def _check_fit(fit: PowerLawFit) -> None:
    """The fields the sampler, the bootstrap and the comparisons read must make sense."""
    owner = "PowerLawFit"
    check_bool(fit.discrete, owner=owner, field="discrete")
    check_exponent(fit.alpha, owner=owner)
    check_xmin(fit.xmin, owner=owner, discrete=bool(fit.discrete))
    n = check_int(fit.n, owner=owner, field="n", low=1)
    check_int(fit.n_tail, owner=owner, field="n_tail", low=1, high=n)
    check_int(fit.min_tail, owner=owner, field="min_tail", low=1)
    values = check_array(fit.values, owner=owner, field="values", ndim=1, min_size=1)
    counts = check_array(
        fit.counts, owner=owner, field="counts", ndim=1, dtype=np.int64, nonnegative=True
    )
    if (values <= 0).any() or (np.diff(values) <= 0).any():
        raise fail(owner, "values", "be distinct positive values in increasing order", values)
    if counts.shape != values.shape:
        raise fail(owner, "counts", f"have one count per value ({values.size})", counts.size)
    if int(counts.sum()) != n:
        raise fail(owner, "n", f"equal the sum of counts ({int(counts.sum())})", n)
    check_choice(fit.ks_convention, ["exact", "csn"], owner=owner, field="ks_convention")
    check_choice(fit.search, ["auto", "full", "grid"], owner=owner, field="search")
    object.__setattr__(fit, "values", values)
    object.__setattr__(fit, "counts", counts)


@attrs.frozen(kw_only=True)
class PowerLawFit(ResultMixin):
    """A fitted power-law tail (frozen; see :func:`fit_powerlaw`).

    Attributes
    ----------
    alpha, alpha_se
        Exponent and its standard error (CSN Eq. 3.2; discrete: Eq. 3.6, observed information).
    xmin
        Lower bound of the power-law behaviour.
    n, n_tail
        Number of observations, and of observations >= ``xmin``.
    ks_distance
        Kolmogorov-Smirnov distance between the tail and the fit.
    loglik
        Log-likelihood of the tail under the fit.
    discrete
        Whether the discrete (zeta) power law was fitted.
    p_value
        Bootstrap goodness-of-fit p-value (NaN unless computed).
    bootstrap
        The full :class:`BootstrapResult`, or None.
    comparisons
        Likelihood-ratio tests against the alternatives.
    values, counts
        The data as distinct sorted values and their counts.
    scan_xmin, scan_alpha, scan_ks
        The xmin scan: candidates visited, their alpha and KS distance.
    ks_convention
        ``"exact"`` (supremum over the whole tail) or ``"csn"`` (distance just below each value,
        as in the CSN reference code and the ``powerlaw`` package).
    min_tail, xmin_fixed, xmin_range, search
        The fitting options, reused by the bootstrap so that each replicate is fitted the same
        way (a fixed xmin stays fixed, a restricted scan stays restricted).

    The fields that later calls read (alpha, xmin, n, n_tail, the data table and the options)
    are checked when a fit is built by hand or changed with ``attrs.evolve``.
    """

    alpha: float
    alpha_se: float
    xmin: float
    n: int
    n_tail: int
    ks_distance: float
    loglik: float
    discrete: bool
    p_value: float = math.nan
    bootstrap: BootstrapResult | None = None
    comparisons: tuple[Comparison, ...] = ()
    values: FloatArray = attrs.field(eq=array_eq, repr=False)
    counts: IntArray = attrs.field(eq=array_eq, repr=False)
    scan_xmin: FloatArray = attrs.field(eq=array_eq, repr=False)
    scan_alpha: FloatArray = attrs.field(eq=array_eq, repr=False)
    scan_ks: FloatArray = attrs.field(eq=array_eq, repr=False)
    ks_convention: str = "exact"
    min_tail: int = 10
    xmin_fixed: bool = False
    xmin_range: tuple[float, float] | None = None
    search: str = "auto"

    def __attrs_post_init__(self) -> None:
        _check_fit(self)

    # -- distribution functions ---------------------------------------------------------------
    def ccdf(self, x: ArrayLike) -> FloatArray:
        """Fitted :math:`P(X \\ge x)` for ``x >= xmin`` (1 below ``xmin``).

        Discrete: :math:`\\zeta(\\alpha, \\lceil x \\rceil) / \\zeta(\\alpha, x_{min})`, both
        by the same Hurwitz zeta (so the ratio is 1 at ``xmin`` and never above it).

        Examples
        --------
        >>> from shequn.longtail import sample_powerlaw
        >>> f = fit_powerlaw(sample_powerlaw(500, alpha=2.0, xmin=1.0, rng=2), xmin=1.0,
        ...                  compare_with=())
        >>> float(f.ccdf(1.0))
        1.0
        """
        xa = check_array(x, owner="PowerLawFit.ccdf", field="x")
        xa = np.maximum(xa, self.xmin)
        if self.discrete:
            xa = np.ceil(xa)
            z0 = float(hurwitz_zeta(self.alpha, self.xmin))
            out: FloatArray = np.minimum(hurwitz_zeta(self.alpha, xa) / z0, 1.0)  # rounding
            return out
        with np.errstate(under="ignore"):
            out = np.exp((1.0 - self.alpha) * np.log(xa / self.xmin))
        return out

    def tail_values(self) -> tuple[FloatArray, IntArray]:
        """Distinct values >= ``xmin`` and their counts."""
        keep = self.values >= self.xmin
        return self.values[keep], self.counts[keep]

    # -- reporting -----------------------------------------------------------------------------
    def conf_int(self, level: float = 0.95) -> Intervals:
        """Intervals of the exponent (normal, from its standard error) and of the p-value.

        ``alpha``: :math:`\\hat\\alpha \\pm z \\, \\mathrm{se}` (CSN Eq. 3.2, asymptotically
        normal); ``p_value`` (only after a bootstrap): the exact interval over the replicates.

        Examples
        --------
        >>> from shequn.longtail import sample_powerlaw
        >>> f = fit_powerlaw(sample_powerlaw(500, alpha=2.0, xmin=1.0, rng=2), xmin=1.0,
        ...                  compare_with=())
        >>> lo, hi = f.conf_int(0.9)["alpha"]
        >>> bool(lo < f.alpha < hi), "p_value" in f.conf_int()
        (True, False)
        """
        level = check_level(level, owner="PowerLawFit.conf_int")
        z = float(stats.norm.ppf(0.5 + level / 2.0))
        out: Intervals = {"alpha": (self.alpha - z * self.alpha_se, self.alpha + z * self.alpha_se)}
        if self.bootstrap is not None:
            out.update(self.bootstrap.conf_int(level))
        return out

    def summary(self) -> Summary:
        """The fit, the goodness of fit and the comparisons (one row per alternative).

        Examples
        --------
        >>> from shequn.longtail import sample_powerlaw
        >>> f = fit_powerlaw(sample_powerlaw(300, alpha=2.2, xmin=1.0, rng=3), xmin=1.0,
        ...                  compare_with=())
        >>> s = f.summary()
        >>> str(s).splitlines()[0], s["n_tail"]
        ('Power-law fit (continuous)', 300)
        """
        headline: dict[str, Any] = {
            "alpha": self.alpha,
            "alpha_se": self.alpha_se,
            "xmin": self.xmin,
            "n_tail": self.n_tail,
            "n": self.n,
            "ks_distance": self.ks_distance,
        }
        notes = []
        if self.bootstrap is not None:
            headline["p_value"] = self.p_value
            headline["bootstrap_runs"] = self.bootstrap.runs
        else:
            notes.append("p-value not computed (fit_powerlaw(..., bootstrap=runs)).")
        table = None
        if self.comparisons:
            table = Table(
                columns=("R", "statistic", "p", "favours", "converged"),
                rows={
                    c.alternative: (
                        c.loglik_ratio,
                        c.statistic,
                        c.p_value,
                        c.favours(),
                        c.converged,
                    )
                    for c in self.comparisons
                },
            )
            notes.append("R > 0 favours the power law; p < 0.1 makes the sign trustworthy.")
            if not all(c.converged for c in self.comparisons):
                notes.append(
                    "An alternative that did not converge tends to the power law itself: its "
                    "test is inconclusive."
                )
        kind = "discrete" if self.discrete else "continuous"
        return Summary(title=f"Power-law fit ({kind})", headline=headline, table=table, notes=notes)

    def to_frame(self) -> Any:
        """The comparisons as a pandas DataFrame, one row per alternative (needs pandas).

        Examples
        --------
        >>> pd = __import__("pytest").importorskip("pandas")
        >>> from shequn.longtail import sample_powerlaw
        >>> f = fit_powerlaw(sample_powerlaw(300, alpha=2.2, xmin=1.0, rng=3), xmin=1.0,
        ...                  compare_with=("exponential",))
        >>> frame = f.to_frame()
        >>> frame.shape[0], list(frame.columns)[:3], frame.loc[0, "alternative"]
        (1, ['alpha', 'alpha_se', 'xmin'], 'exponential')
        """
        pd = optional_import("pandas", extra="pandas")
        base: dict[str, object] = {
            "alpha": self.alpha,
            "alpha_se": self.alpha_se,
            "xmin": self.xmin,
            "n_tail": self.n_tail,
            "n": self.n,
            "ks_distance": self.ks_distance,
            "p_value": self.p_value,
            "discrete": self.discrete,
        }
        rows = [
            {
                **base,
                "alternative": c.alternative,
                "loglik_ratio": c.loglik_ratio,
                "statistic": c.statistic,
                "cmp_p_value": c.p_value,
                "nested": c.nested,
                "favours": c.favours(),
                "converged": c.converged,
            }
            for c in self.comparisons
        ] or [base]
        return pd.DataFrame(rows)


def _check_xmin_range(value: Any, owner: str) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lo, hi = (float(v) for v in value)
        ok = all(
            isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
            for v in value
        )
    except (TypeError, ValueError):
        ok = False
    if not (ok and math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
        raise fail(owner, "xmin_range", "be a finite (low, high) pair with low <= high", value)
    return (lo, hi)


def fit_powerlaw(
    data: ArrayLike,
    *,
    counts: ArrayLike | None = None,
    discrete: bool = False,
    xmin: float | None = None,
    xmin_range: tuple[float, float] | None = None,
    min_tail: int = 10,
    ks: Literal["exact", "csn"] = "exact",
    search: Literal["auto", "full", "grid"] = "auto",
    compare_with: Sequence[str] = ALTERNATIVES,
    bootstrap: int = 0,
    rng: RNGLike = None,
    executor: Executor | None = None,
    progress: Any = None,
) -> PowerLawFit:
    """Fit a power-law tail by maximum likelihood with xmin chosen by minimum KS distance.

    Parameters
    ----------
    data
        Positive observations, or the distinct values of a frequency table (with ``counts``).
    counts
        Frequencies of ``data`` (a histogram); the table is never expanded.
    discrete
        Fit the discrete power law (integers; Hurwitz-zeta normalisation).
    xmin
        Fix xmin instead of scanning: a known lower bound, > 0 and at most the largest value
        (it need not be a data value; a discrete xmin must be an integer).
    xmin_range
        Only scan candidates in this closed interval.
    min_tail
        Minimum number of observations in the tail (at least 10).
    ks
        ``"exact"`` KS supremum, or ``"csn"``: the distance just below each distinct value, as
        in the CSN reference implementation and the ``powerlaw`` package (gives their xmin).
    search
        ``"full"`` scans every distinct value; ``"grid"`` a grid refined around its best points;
        ``"auto"`` uses the full scan unless it exceeds about 5e8 (candidate, value) pairs.
    compare_with
        Alternatives for likelihood-ratio tests (a subset of :data:`ALTERNATIVES`).
    bootstrap
        Number of bootstrap replicates for the goodness-of-fit p-value (0 skips it).
    rng, executor, progress
        Seed material, an optional :class:`concurrent.futures.Executor` and the progress
        display for the bootstrap (see :func:`bootstrap_pvalue`); checked even without one.

    Returns
    -------
    PowerLawFit

    Raises
    ------
    InvalidParameterError
        Non-positive or non-finite data, non-integers in a discrete fit, xmin outside the data,
        or fewer than ``min_tail`` observations in the tail.

    Examples
    --------
    >>> import numpy as np
    >>> from shequn.longtail import sample_powerlaw
    >>> x = sample_powerlaw(3000, alpha=2.0, xmin=5, discrete=True, rng=4)
    >>> f = fit_powerlaw(x, discrete=True, compare_with=())
    >>> bool(abs(f.alpha - 2.0) < 3 * f.alpha_se)
    True
    >>> fit_powerlaw([1.0, -2.0, 3.0])
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `fit_powerlaw.data` must hold only values > 0 ...
    """
    owner = "fit_powerlaw"
    discrete = check_bool(discrete, owner=owner, field="discrete")
    min_tail = check_int(min_tail, owner=owner, field="min_tail", low=10)
    ks = check_choice(ks, ["exact", "csn"], owner=owner, field="ks")
    search = check_choice(search, ["auto", "full", "grid"], owner=owner, field="search")
    if isinstance(compare_with, str | bytes) or not isinstance(compare_with, Sequence):
        raise fail(
            owner, "compare_with", f"be a sequence of names from {ALTERNATIVES}", compare_with
        )
    for name in compare_with:
        check_choice(name, ALTERNATIVES, owner=owner, field="compare_with")
    bootstrap = check_int(bootstrap, owner=owner, field="bootstrap", low=0)
    check_memory(REPLICATE_BYTES * bootstrap, owner=owner, field="bootstrap", value=bootstrap)
    check_rng(rng, owner=owner)
    check_executor(executor, owner=owner)
    check_progress(progress, owner=owner)
    xmin_range = _check_xmin_range(xmin_range, owner)
    u, c = as_table(data, counts, discrete=discrete, owner=owner)
    tail = fit_tail(
        u,
        c,
        discrete=discrete,
        xmin=xmin,
        xmin_range=xmin_range,
        min_tail=min_tail,
        convention=ks,
        search=search,
        owner=owner,
    )
    fit = PowerLawFit(
        alpha=tail.alpha,
        alpha_se=tail.alpha_se,
        xmin=tail.xmin,
        n=tail.n,
        n_tail=tail.n_tail,
        ks_distance=tail.ks_distance,
        loglik=tail.loglik,
        discrete=discrete,
        values=u,
        counts=c,
        scan_xmin=tail.scan_xmin,
        scan_alpha=tail.scan_alpha,
        scan_ks=tail.scan_ks,
        ks_convention=ks,
        min_tail=min_tail,
        xmin_fixed=xmin is not None,
        xmin_range=xmin_range,
        search=search,
    )
    if compare_with:
        fit = attrs.evolve(fit, comparisons=tuple(compare(fit, a) for a in compare_with))
    if bootstrap:
        res = bootstrap_pvalue(fit, runs=bootstrap, rng=rng, executor=executor, progress=progress)
        fit = attrs.evolve(fit, p_value=res.p_value, bootstrap=res)
    return fit


# the class's __module__ is its public home, shequn.longtail.fit (see the package): doctest
# finds its examples here through __test__
__test__ = {"PowerLawFit": PowerLawFit}
