"""The Bass family: p is your broadcast, q is your community.

Bass (1969) splits the adoption hazard of a new product into an *external* part ``p``
(advertising, SMS blasts, banners: anything that reaches people whoever their friends are) and an
*internal* part ``q F(t)`` (word of mouth: it grows with the share ``F`` who already adopted)::

    f(t) / (1 - F(t)) = p + q F(t)

    F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))

With a market potential ``m`` the cumulative number of adopters is ``m F(t)``, the adoptions in
period ``t`` (the interval ``(t - 1, t]``) are ``m (F(t) - F(t - 1))`` and the adoption rate
peaks at ``t* = ln(q / p) / (p + q)`` (when ``q > p``) with height ``m (p + q)^2 / (4 q)``.

The *generalised* Bass model of Bass, Krishnan & Jain (1994) multiplies the hazard by a current
marketing effort ``x(t)`` (price and advertising changes, :func:`bkj_effort`)::

    f(t) / (1 - F(t)) = (p + q F(t)) x(t)

whose solution is the Bass curve in the *effective time* ``X(t) = integral of x`` up to ``t``;
with ``x = 1`` it is exactly the Bass model.

:func:`fit_bass` estimates ``p``, ``q`` and ``m`` from adoptions per period by non-linear least
squares on the adoption curve (Srinivasan & Mason 1986), by the discrete OLS regression of
Bass (1969), or by maximum likelihood on interval-censored adoption times (Schmittlein &
Mahajan 1982), and returns a frozen :class:`BassFit`.

References
----------
Bass, F. M. (1969). A new product growth for model consumer durables. *Management Science*
15(5), 215-227.
Srinivasan, V. & Mason, C. H. (1986). Nonlinear least squares estimation of new product
diffusion models. *Marketing Science* 5(2), 169-178.
Schmittlein, D. C. & Mahajan, V. (1982). Maximum likelihood estimation for an innovation
diffusion model of new product acceptance. *Marketing Science* 1(1), 57-78.
Bass, F. M., Krishnan, T. V. & Jain, D. C. (1994). Why the Bass model fits without decision
variables. *Marketing Science* 13(3), 203-223.

Examples
--------
>>> from shequn.diffusion.bass import Bass, fit_bass
>>> model = Bass(p=0.03, q=0.38, m=1000.0)
>>> round(model.peak_time, 3)
6.193
>>> fit = fit_bass(model.adoptions(20))
>>> fit.estimates.round(4).tolist()
[0.03, 0.38, 1000.0]
"""

from shequn.diffusion.bass.estimators import fit_bass
from shequn.diffusion.bass.model import Bass, GeneralizedBass, bass_cdf, bass_pdf, bkj_effort
from shequn.diffusion.bass.results import BassFit, BassForecast

__all__ = [
    "Bass",
    "BassFit",
    "BassForecast",
    "GeneralizedBass",
    "bass_cdf",
    "bass_pdf",
    "bkj_effort",
    "fit_bass",
]
