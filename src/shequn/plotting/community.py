"""Figures of a community's structure (matplotlib, the ``plot`` extra).

:func:`plot_community` draws a :class:`~shequn.community.Community` three ways:

* ``what="degree"``: the degree distribution as the share of members with at least ``k`` ties
  on log-log axes (a heavy tail means hubs);
* ``what="rings"``: the 差序格局 ring sizes (seed 003) around one member: how many people at
  distance 1, 2, 3, ...;
* ``what="network"``: a drawing of a small community (at most 2,000 members), coloured by
  role or by loyalty stage.

It draws on ``ax`` (a new figure's Axes when ``None``) and returns the Axes.

Examples
--------
>>> matplotlib = __import__("pytest").importorskip("matplotlib")
>>> matplotlib.use("Agg")
>>> import networkx as nx
>>> from shequn.community import Community
>>> c = Community.from_graph(nx.karate_club_graph(), weight=None)
>>> plot_community(c, what="rings", member=0).get_xlabel()
'distance from member 0'
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from shequn._validation import check_array, check_choice, check_instance, check_int, fail
from shequn.community.community import Community
from shequn.community.metrics import distance_rings
from shequn.community.types import Role
from shequn.loyalty.stages import Stage
from shequn.plotting._common import STAGE_COLOURS, axes

__all__ = ["MAX_DRAWN", "plot_community"]

MAX_DRAWN = 2000
"""Largest community :func:`plot_community` draws as a network."""

_ROLE_COLOURS = {
    Role.MEMBER: "#9ecae1",
    Role.VOLUNTEER: "#31a354",
    Role.LEADER: "#d94801",
    Role.BRAND_ACCOUNT: "#756bb1",
}


def plot_community(
    community: Community,
    *,
    what: str = "degree",
    member: Hashable | None = None,
    stages: Any = None,
    layout_seed: int = 0,
    ax: Any = None,
) -> Any:
    """Draw a community's degree distribution, its distance rings, or the network itself.

    Parameters
    ----------
    community
        A :class:`~shequn.community.Community`.
    what
        ``"degree"``, ``"rings"`` or ``"network"`` (see the module docstring).
    member
        Centre of the rings (a label or index; default the best-connected member).
    stages
        For ``"network"``: a :class:`~shequn.loyalty.Stage` per member to colour by stage
        instead of by role (e.g. a simulation's final stages).
    layout_seed
        Seed of the spring layout (the same seed, the same picture).
    ax
        Matplotlib Axes to draw on.

    Examples
    --------
    >>> _ = __import__("pytest").importorskip("matplotlib")
    >>> from shequn.community import generate_community
    >>> c = generate_community("leader", 300, rng=0)
    >>> plot_community(c).get_xscale()
    'log'
    """
    check_instance(community, Community, owner="plot_community", field="community")
    what = check_choice(what, ["degree", "rings", "network"], owner="plot_community", field="what")
    ax = axes(ax)
    deg = np.asarray(community.degree)
    if what == "degree":
        values, counts = np.unique(deg[deg > 0], return_counts=True)
        at_least = np.cumsum(counts[::-1])[::-1] / community.n
        ax.plot(values, at_least, "o", ms=3, color="C0")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("ties per member (k)")
        ax.set_ylabel("share of members with at least k ties")
    elif what == "rings":
        if member is None:
            centre: Hashable = int(np.argmax(deg))
            name = f"member {centre} (the best connected)"
        else:
            centre = member
            name = f"member {member}"
        rings = distance_rings(community, centre)
        d = np.arange(rings.shape[0])
        ax.bar(d[1:], rings[1:], color="C0")
        for x, y in zip(d[1:], rings[1:], strict=True):
            ax.annotate(f"{int(y):,}", (x, y), ha="center", va="bottom", fontsize=8)
        ax.set_xlabel(f"distance from {name}")
        ax.set_ylabel("members at that distance")
        ax.set_xticks(d[1:])
        ax.set_title("rings of relationships (chaxu geju)", fontsize=9)
    else:
        _draw_network(community, stages, layout_seed, ax)
    return ax


def _draw_network(community: Community, stages: Any, layout_seed: int, ax: Any) -> None:
    import networkx as nx

    from shequn._optional import optional_import

    if community.n > MAX_DRAWN:
        raise fail(
            "plot_community",
            "community",
            f"have at most {MAX_DRAWN:,} members to be drawn as a network "
            "(use what='degree' or 'rings')",
            community.n,
        )
    layout_seed = check_int(layout_seed, owner="plot_community", field="layout_seed", low=0)
    lines = optional_import("matplotlib.lines", extra="plot")
    G = nx.from_scipy_sparse_array(community.adjacency)
    pos = nx.spring_layout(G, seed=layout_seed)
    xy = np.array([pos[i] for i in range(community.n)])
    coo = community.adjacency.tocoo()
    keep = coo.row < coo.col
    collections = optional_import("matplotlib.collections", extra="plot")
    segs = np.stack([xy[coo.row[keep]], xy[coo.col[keep]]], axis=1)
    ax.add_collection(collections.LineCollection(segs, colors="0.75", linewidths=0.4, zorder=1))
    if stages is None:
        kinds = [Role(int(r)) for r in community.roles]
        colours = [_ROLE_COLOURS[k] for k in kinds]
        legend = [(k.name.lower().replace("_", " "), _ROLE_COLOURS[k]) for k in Role if k in kinds]
    else:
        st = check_array(stages, owner="plot_community", field="stages", ndim=1, dtype=np.int64)
        if st.shape[0] != community.n or st.min() < 0 or st.max() >= len(Stage):
            raise fail("plot_community", "stages", f"hold one Stage per member ({community.n})", st)
        colours = [STAGE_COLOURS[int(s)] for s in st]
        legend = [(s.name.lower(), STAGE_COLOURS[s]) for s in Stage if (st == s).any()]
    deg = np.asarray(community.degree)
    size = np.clip(8 + 60 * deg / max(int(deg.max()), 1), 8, 80)
    ax.scatter(xy[:, 0], xy[:, 1], s=size, c=colours, edgecolors="white", linewidths=0.3, zorder=2)
    handles = [lines.Line2D([], [], marker="o", ls="", color=c, label=label) for label, c in legend]
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="best")
    ax.set_xlabel("spring layout (ties pull members together)")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{community.n:,} members, {community.n_edges:,} ties", fontsize=9)
