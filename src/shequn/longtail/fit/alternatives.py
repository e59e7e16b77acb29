"""Likelihood-ratio tests of a fitted power law against alternative heavy tails.

Clauset, Shalizi & Newman (2009), Section 5 and Appendix C ("CSN"): lognormal, exponential,
stretched exponential (Weibull) and the power law with exponential cutoff, fitted by maximum
likelihood on the same tail. Non-nested alternatives use Vuong's normalised ratio and two-sided
p-value; the nested cutoff model refers 2|R| to chi-square with one degree of freedom. Discrete
alternatives are the continuous ones discretised by rounding,
:math:`P(x) = [S(x - 1/2) - S(x + 1/2)] / S(x_{min} - 1/2)`; the discrete cutoff model is
normalised by direct summation. Whether an alternative's fit converged is decided by one rule
for all of them (:func:`_fit_alternative`).

Examples
--------
>>> from shequn.longtail import fit_powerlaw, sample_powerlaw
>>> f = fit_powerlaw(sample_powerlaw(2000, alpha=2.0, xmin=1.0, rng=8), xmin=1.0, compare_with=())
>>> compare(f, "exponential").favours()
'power_law'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from scipy import optimize, special, stats

from shequn._results import ResultMixin, Summary
from shequn._typing import FloatArray, IntArray
from shequn._validation import check_choice, check_level, fail
from shequn.longtail._special import log_upper_gamma
from shequn.longtail.fit.scan import pl_logpdf

if TYPE_CHECKING:
    from shequn.longtail.fit.powerlaw import PowerLawFit

__all__ = ["ALTERNATIVES", "Comparison", "compare"]

ALTERNATIVES: tuple[str, ...] = (
    "lognormal",
    "exponential",
    "stretched_exponential",
    "truncated_power_law",
)


@attrs.frozen(kw_only=True)
class Comparison(ResultMixin):
    """Likelihood-ratio test of the power law against one alternative (CSN Section 5).

    Attributes
    ----------
    alternative
        Name of the alternative distribution.
    loglik_ratio
        :math:`\\mathcal{R} = \\ell_{PL} - \\ell_{alt}` summed over the tail (positive favours the
        power law).
    statistic
        Vuong's normalised ratio :math:`\\mathcal{R} / (\\sigma \\sqrt{n})` (non-nested), or
        :math:`2|\\mathcal{R}|` compared with chi-square(1) (nested).
    p_value
        Two-sided Vuong p-value (non-nested) or chi-square(1) p-value (nested): small means the
        sign of ``loglik_ratio`` is trustworthy.
    nested
        Whether the power law is a special case of the alternative (the cutoff model).
    params
        Fitted parameters of the alternative.
    converged
        Whether the alternative's likelihood has a maximum where it stopped (one rule for
        every alternative: see :func:`compare`). False typically means the likelihood keeps
        rising towards a limit where the alternative becomes the power law itself (a
        lognormal with mu -> -inf and sigma -> inf, a stretched exponential with beta -> 0);
        the ratio then tends to 0 and the comparison is inconclusive.
    """

    alternative: str
    loglik_ratio: float
    statistic: float
    p_value: float
    nested: bool
    params: dict[str, float] = attrs.field(factory=dict)
    converged: bool = True

    def favours(self, level: float = 0.1) -> str:
        """Which model the test supports at significance ``level``, or ``"inconclusive"``.

        Always ``"inconclusive"`` when the alternative did not converge: at the power-law
        limit the pointwise ratios are rounding noise, whatever their sum and statistic.

        Examples
        --------
        >>> Comparison(alternative="exponential", loglik_ratio=12.0, statistic=3.1,
        ...            p_value=0.002, nested=False).favours()
        'power_law'
        """
        level = check_level(level, owner="Comparison.favours")
        if not self.converged or not self.p_value < level:
            return "inconclusive"
        if self.nested:
            return self.alternative if self.loglik_ratio < 0 else "power_law"
        return "power_law" if self.loglik_ratio > 0 else self.alternative

    def summary(self) -> Summary:
        """The test as headline values (ratio, statistic, p-value, verdict, convergence).

        Examples
        --------
        >>> c = Comparison(alternative="exponential", loglik_ratio=12.0, statistic=3.1,
        ...                p_value=0.002, nested=False, params={"lambda": 0.5})
        >>> print(c.summary())
        Power law vs exponential (Vuong's test)
          loglik_ratio  12
          statistic     3.1
          p_value       0.002
          favours       power_law
          converged     True
          lambda        0.5
        """
        test = "likelihood-ratio test, nested" if self.nested else "Vuong's test"
        notes = (
            ()
            if self.converged
            else (
                f"The {self.alternative} fit did not converge: its likelihood has no maximum here "
                "(it tends to the power law); the test is inconclusive.",
            )
        )
        return Summary(
            title=f"Power law vs {self.alternative} ({test})",
            headline={
                "loglik_ratio": self.loglik_ratio,
                "statistic": self.statistic,
                "p_value": self.p_value,
                "favours": self.favours(),
                "converged": self.converged,
                **self.params,
            },
            notes=notes,
        )


def _log_diff_exp(a: FloatArray, b: FloatArray) -> FloatArray:
    """log(exp(a) - exp(b)) for a >= b."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = a + np.log1p(-np.exp(b - a))
    return out


def _alt_logpdf(
    name: str, theta: FloatArray, x: FloatArray, xmin: float, discrete: bool
) -> FloatArray:
    """Pointwise log density / pmf of an alternative on the tail, in units of x."""
    if name == "truncated_power_law":
        alpha, lam = float(theta[0]), math.exp(float(theta[1]))
        if discrete:
            return -alpha * np.log(x) - lam * x - _log_cutoff_norm_discrete(alpha, lam, xmin)
        lz = _log_cutoff_norm_continuous(alpha, lam * xmin)
        y = x / xmin
        out: FloatArray = -alpha * np.log(y) - lam * xmin * y - lz - math.log(xmin)
        return out

    # continuous log-survival and log-density in y = x / xmin
    def logsf(y: FloatArray) -> FloatArray:
        if name == "exponential":
            lam = math.exp(float(theta[0]))
            r: FloatArray = -lam * y
            return r
        if name == "lognormal":
            mu, sig = float(theta[0]), math.exp(float(theta[1]))
            with np.errstate(divide="ignore"):
                r = special.log_ndtr(-(np.log(y) - mu) / sig)
            return r
        lam, beta = math.exp(float(theta[0])), math.exp(float(theta[1]))
        r = -lam * y**beta
        return r

    def logpdf(y: FloatArray) -> FloatArray:
        if name == "exponential":
            lam = math.exp(float(theta[0]))
            r: FloatArray = math.log(lam) - lam * y
            return r
        if name == "lognormal":
            mu, sig = float(theta[0]), math.exp(float(theta[1]))
            z = (np.log(y) - mu) / sig
            r = -np.log(y) - math.log(sig) - 0.5 * math.log(2 * math.pi) - 0.5 * z * z
            return r
        lam, beta = math.exp(float(theta[0])), math.exp(float(theta[1]))
        r = math.log(beta * lam) + (beta - 1.0) * np.log(y) - lam * y**beta
        return r

    if discrete:
        lo = logsf((x - 0.5) / xmin)
        hi = logsf((x + 0.5) / xmin)
        norm = float(logsf(np.array([(xmin - 0.5) / xmin]))[0])
        return _log_diff_exp(lo, hi) - norm
    norm = float(logsf(np.array([1.0]))[0])
    out = logpdf(x / xmin) - norm - math.log(xmin)
    return out


def _log_cutoff_norm_continuous(alpha: float, lam1: float) -> float:
    """log of the integral over y >= 1 of y^-alpha exp(-lam1 y).

    It equals lam1^(alpha-1) Gamma(1-alpha, lam1).
    """
    lg = log_upper_gamma(1.0 - alpha, lam1)
    return (alpha - 1.0) * math.log(lam1) + lg


def _log_cutoff_norm_discrete(alpha: float, lam: float, xmin: float, terms: int = 4000) -> float:
    """log of sum_{x >= xmin} x^-alpha exp(-lam x): explicit sum plus a midpoint-rule integral."""
    xs = xmin + np.arange(terms, dtype=float)
    logt = -alpha * np.log(xs) - lam * xs
    top = float(logt.max())
    head = top + math.log(float(np.sum(np.exp(logt - top))))
    a = xmin + terms - 0.5
    # integral_a^inf t^-alpha e^{-lam t} dt = a^(1-alpha) * (lam a)^(alpha-1) Gamma(1-alpha, lam a)
    lt = (
        (1.0 - alpha) * math.log(a)
        + (alpha - 1.0) * math.log(lam * a)
        + log_upper_gamma(1.0 - alpha, lam * a)
    )
    if not math.isfinite(lt):
        return head
    return float(np.logaddexp(head, lt))


def _alt_init(
    name: str, x: FloatArray, c: IntArray, xmin: float, pl_alpha: float
) -> list[FloatArray]:
    w = c / c.sum()
    y = x / xmin
    ly = np.log(y)
    if name == "exponential":
        lam = 1.0 / max(float(np.sum(w * (y - 1.0))), 1e-12)
        return [np.array([math.log(lam)])]
    if name == "lognormal":
        m = float(np.sum(w * ly))
        sd = math.sqrt(max(float(np.sum(w * (ly - m) ** 2)), 1e-6))
        return [
            np.array([m, math.log(sd)]),
            np.array([0.0, math.log(max(sd, 1.0) * 2.0)]),
            np.array([-2.0 * sd, math.log(2.0 * sd)]),
        ]
    if name == "stretched_exponential":
        return [
            np.array([math.log(1.0), math.log(0.5)]),
            np.array([math.log(0.1), math.log(0.2)]),
            np.array([math.log(1.0 / max(float(np.sum(w * y)), 1.0)), 0.0]),
        ]
    lam = 1.0 / max(float(np.sum(w * x)), 1e-12)
    return [
        np.array([pl_alpha, math.log(1e-3 * lam)]),
        np.array([pl_alpha, math.log(lam)]),
        np.array([max(pl_alpha - 0.5, 0.5), math.log(0.1 * lam)]),
    ]


LIMIT_NATS = 0.01
"""An alternative whose log-density is within this of the power law's at every observed value
has become the power law itself (its family's power-law limit): see :func:`_fit_alternative`."""


def _fit_alternative(
    name: str, x: FloatArray, c: IntArray, xmin: float, discrete: bool, pl_alpha: float
) -> tuple[FloatArray, FloatArray, bool]:
    """MLE of an alternative; returns (theta, pointwise log-likelihoods, converged).

    One rule for every alternative, decided on the fitted densities (so it does not depend on
    how each family is parametrised): ``converged`` is False when the optimiser stopped at its
    iteration limit, or when the fitted alternative is the power law itself over the data, its
    log-density within :data:`LIMIT_NATS` of the fitted power law's (up to a constant) at every
    observed value. Each alternative contains the power law as a limit (the lognormal as
    mu -> -inf and sigma -> inf, the stretched exponential as beta -> 0 with lambda beta fixed,
    the cutoff as lambda -> 0); on power-law data its likelihood keeps rising towards that limit
    without attaining it, so there is no maximum to converge to, wherever the optimiser happens
    to stop. The test is then inconclusive (its ratio tends to 0).
    """
    cw = c.astype(float)

    def nll(theta: FloatArray) -> float:
        with np.errstate(all="ignore"):
            lp = _alt_logpdf(name, theta, x, xmin, discrete)
        v = -float(np.sum(cw * lp))
        return v if math.isfinite(v) else 1e300

    success = True
    if name == "exponential" and not discrete:
        theta = _alt_init(name, x, c, xmin, pl_alpha)[0]
    else:
        best: Any = None
        for start in _alt_init(name, x, c, xmin, pl_alpha):
            res = optimize.minimize(
                nll,
                start,
                method="Nelder-Mead",
                options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 1500},
            )
            if best is None or res.fun < best.fun:
                best = res
        theta = np.asarray(best.x, dtype=float)
        success = bool(best.success)
    ll = _alt_logpdf(name, theta, x, xmin, discrete)
    d = pl_logpdf(x, pl_alpha, xmin, discrete) - ll
    at_limit = bool(np.all(np.isfinite(d))) and float(np.ptp(d)) < 2.0 * LIMIT_NATS
    return theta, ll, success and not at_limit


def _param_dict(name: str, theta: FloatArray, xmin: float) -> dict[str, float]:
    if name == "exponential":
        return {"lambda": math.exp(float(theta[0])) / xmin}
    if name == "lognormal":
        return {"mu": float(theta[0]) + math.log(xmin), "sigma": math.exp(float(theta[1]))}
    if name == "stretched_exponential":
        lam1, beta = math.exp(float(theta[0])), math.exp(float(theta[1]))
        return {"lambda": lam1 * xmin ** (-beta), "beta": beta}
    return {"alpha": float(theta[0]), "lambda": math.exp(float(theta[1]))}


def compare(fit: PowerLawFit, alternative: str) -> Comparison:
    """Likelihood-ratio test of the fitted power law against ``alternative`` on the same tail.

    Non-nested alternatives (lognormal, exponential, stretched exponential) use Vuong's test:
    :math:`\\mathcal{R} = \\sum (\\ell^{PL}_i - \\ell^{alt}_i)`, normalised by
    :math:`\\sigma \\sqrt{n}` (CSN Eq. C.5) with two-sided p-value
    :math:`\\operatorname{erfc}(|\\mathcal{R}| / \\sqrt{2 n \\sigma^2})` (Eq. 5.4). The power
    law with exponential cutoff nests the power law (cutoff 0), so :math:`2|\\mathcal{R}|` is
    referred to chi-square with one degree of freedom (CSN Section 5.1 and Appendix C).

    Examples
    --------
    >>> from shequn.longtail import fit_powerlaw, sample_powerlaw
    >>> f = fit_powerlaw(sample_powerlaw(2000, alpha=2.0, xmin=1.0, rng=8), xmin=1.0,
    ...                  compare_with=())
    >>> compare(f, "exponential").favours()
    'power_law'
    """
    from shequn.longtail.fit.powerlaw import PowerLawFit

    if not isinstance(fit, PowerLawFit):
        raise fail("compare", "fit", "be a PowerLawFit (from fit_powerlaw)", fit)
    check_choice(alternative, ALTERNATIVES, owner="compare", field="alternative")
    x, c = fit.tail_values()
    ll_pl = pl_logpdf(x, fit.alpha, fit.xmin, fit.discrete)
    theta, ll_alt, conv = _fit_alternative(alternative, x, c, fit.xmin, fit.discrete, fit.alpha)
    cw = c.astype(float)
    n = float(cw.sum())
    if alternative == "truncated_power_law":
        # nested: the cutoff model can do no worse than the power law (cutoff -> 0)
        r = float(np.sum(cw * (ll_pl - ll_alt)))
        r = min(r, 0.0)
        stat = -2.0 * r
        p = float(stats.chi2.sf(stat, df=1))
        return Comparison(
            alternative=alternative,
            loglik_ratio=r,
            statistic=stat,
            p_value=p,
            nested=True,
            params=_param_dict(alternative, theta, fit.xmin),
            converged=conv,
        )
    d = ll_pl - ll_alt
    r = float(np.sum(cw * d))
    mean = r / n
    var = float(np.sum(cw * (d - mean) ** 2)) / n
    if var <= 0:
        stat, p = 0.0, 1.0
    else:
        stat = r / math.sqrt(n * var)
        p = float(special.erfc(abs(stat) / math.sqrt(2.0)))
    return Comparison(
        alternative=alternative,
        loglik_ratio=r,
        statistic=stat,
        p_value=p,
        nested=False,
        params=_param_dict(alternative, theta, fit.xmin),
        converged=conv,
    )


# the class's __module__ is its public home, shequn.longtail.fit (see the package): doctest
# finds its examples here through __test__
__test__ = {"Comparison": Comparison}
