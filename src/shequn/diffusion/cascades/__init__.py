"""Word of mouth on community networks: cascades, thresholds, network Bass and rumours.

Seed 000 describes a community as a way to reach "the second- and third-degree contacts"
(二三级人脉) of loyal fans through their reposts; seed 001 says an article's reach "depends on
its reposts, not on the platform's subscribers" and that a community needs a central person
(中心人) to drive it. These are network diffusion processes, and this module simulates the
standard ones by Monte Carlo on the community's ties:

=========================  ==================================================================
:func:`independent_cascade` each new adopter gets one chance to convert each contact, with an
                            edge probability (uniform, per edge, from tie strength...)
:func:`linear_threshold`    a member adopts once the weight of adopted contacts reaches a
                            private random (or given) threshold (Kempe, Kleinberg & Tardos 2003)
:func:`watts_threshold`     adopt when the adopted *share* of contacts is at least ``phi``
                            (Watts 2002): global cascades only inside a window of density
:func:`complex_contagion`   adopt after ``k`` distinct adopted contacts (Centola & Macy 2007)
:func:`network_bass`        every step a non-adopter adopts with ``1 - (1-p)(1-q)^a``: ``p``
                            broadcast, ``q`` per (tie-weighted) adopted contact ``a``
:func:`rumour`              ignorant → spreader → stifler with forgetting (Maki & Thompson 1973,
                            Daley & Kendall 1965): messages die out
=========================  ==================================================================

All take the graph first (a :class:`~shequn.community.Community`, a networkx graph, a square
sparse matrix, or a :class:`~shequn.diffusion._network.DiffusionNetwork` built once with
:func:`~shequn.diffusion._network.as_network` to skip the conversion in repeated calls), then
the seeds (node labels, or :class:`RandomSeeds` for fresh uniform seeds in every run), then
keyword-only options, ``runs``, ``rng`` and ``executor``, and return a frozen
:class:`DiffusionResult`. Time is discrete: step ``t`` turns the adopters of step ``t - 1``
into new adopters (synchronous generations); ``curves[:, 0]`` counts the seeds.

Runs are simulated by compiled kernels (:mod:`shequn.diffusion.cascades._kernels`) in blocks of
:data:`BLOCK` runs, each block on its own child stream of ``rng``
(:func:`shequn.rng.spawn_seeds`); the split does not depend on the executor, so the same
``rng`` gives identical results serially, on threads (the kernels release the GIL) or on
processes, and a larger ``runs`` extends the same first runs.

Examples
--------
>>> import networkx as nx
>>> from shequn.diffusion.cascades import independent_cascade
>>> G = nx.path_graph(3)                # a fan (0) reposts to a friend (1), who reposts on (2)
>>> res = independent_cascade(G, [0], p=0.5, runs=20_000, rng=7)
>>> bool(abs(res.mean - 1.75) < 4 * res.se)   # exact: 1 + 0.5 + 0.5 * 0.5 = 1.75
True
>>> import numpy as np                  # reach of the second- and third-degree contacts
>>> bool(np.allclose(res.node_frequency, [1.0, 0.5, 0.25], atol=0.02))
True
>>> res == independent_cascade(G, [0], p=0.5, runs=20_000, rng=7)   # same rng, same result
True

References
----------
Kempe, D., Kleinberg, J. & Tardos, É. (2003). Maximizing the spread of influence through a
social network. *KDD '03*, 137-146.
Watts, D. J. (2002). A simple model of global cascades on random networks. *PNAS* 99(9),
5766-5771.
Centola, D. & Macy, M. (2007). Complex contagions and the weakness of long ties. *American
Journal of Sociology* 113(3), 702-734.
Bass, F. M. (1969). A new product growth for model consumer durables. *Management Science*
15(5), 215-227.
Daley, D. J. & Kendall, D. G. (1965). Stochastic rumours. *IMA J. Applied Mathematics* 1(1),
42-55. Maki, D. P. & Thompson, M. (1973). *Mathematical Models and Applications*.
Prentice-Hall. Zhao, L. et al. (2011). Rumor spreading model with consideration of forgetting
mechanism. *Physica A* 390(13), 2619-2625.
"""

from shequn.diffusion.cascades._run import BLOCK
from shequn.diffusion.cascades.models import (
    RandomSeeds,
    complex_contagion,
    independent_cascade,
    linear_threshold,
    network_bass,
    rumour,
    watts_threshold,
)
from shequn.diffusion.cascades.result import DiffusionResult

__all__ = [
    "BLOCK",
    "DiffusionResult",
    "RandomSeeds",
    "complex_contagion",
    "independent_cascade",
    "linear_threshold",
    "network_bass",
    "rumour",
    "watts_threshold",
]
