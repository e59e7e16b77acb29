"""How healthy is a community, and what is it worth? :func:`health` measures it from records.

Five parts, each with the library's own estimator:

* **structure** (:mod:`shequn.community.metrics`): size, the members within 1, 2 and 3 steps
  of the ten best-connected members (二三级人脉), Freeman centralisation, the rings around the
  hub (差序格局), clustering, strong ties (seed 004), and **leader dependence**: the share of
  messages the operators (leaders, brand accounts; the best-connected member when there are
  none) send or receive, and the share of members cut off from the largest circle if they
  left;
* **ladder**: the weekly :class:`~shequn.loyalty.Ladder` fitted to the members' weekly stages
  with Wilson intervals (:meth:`shequn.records.StageHistory.ladder`);
* **customer base**: a BG/NBD (or Pareto/NBD) fitted to every customer's RFM summary with
  membership as a covariate of both processes, answering the membership question of seed
  000 — *do members buy more and stay longer?* — with the purchase-rate and drop-out ratios,
  their intervals, and the likelihood-ratio test of no effect (2 degrees of freedom)
  (:func:`membership_effect`, built on
  :func:`~shequn.loyalty.customer_base.membership.community_effect`);
* **open rate**: the open-rate law (:func:`~shequn.diffusion.reach.fit_open_rate`) when
  broadcast logs exist (seed 001: the open rate falls as the audience grows);
* **worth**: each customer's lifetime value (:func:`~shequn.loyalty.customer_lifetime_value`,
  gamma-gamma spend) over ``months`` months, members against other customers.

A part that the data cannot support (no transactions, too few repeat buyers, a fit that does
not converge) is left out with a note saying why; nothing is filled in.

Examples
--------
>>> from shequn.records import health, load_records
>>> r = load_records(members={"member": list(range(6)), "joined": [0] * 6},
...                  ties={"a": [0, 0, 0, 1, 2], "b": [1, 2, 3, 4, 5]})
>>> h = health(r)
>>> h.structure["members"], h.structure["ties"], h.structure["hub"]
(6, 5, [0])
>>> round(h.structure["cut_off_share"], 3)    # without member 0, 3 of 6 lose the largest circle
0.5
"""

from __future__ import annotations

import html
import math
from typing import Any

import attrs
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from shequn._optional import optional_import
from shequn._results import ResultMixin, Summary, Table
from shequn._stats import mean_ci
from shequn._typing import IntArray
from shequn._validation import (
    check_choice,
    check_in_range,
    check_instance,
    check_int,
    check_level,
    fail,
)
from shequn.community.metrics import (
    average_clustering,
    degree_centralization,
    distance_rings,
    k_hop_reach,
)
from shequn.diffusion.reach import OpenRateFit, fit_open_rate
from shequn.exceptions import ConvergenceError, InvalidParameterError
from shequn.loyalty.customer_base import (
    BGNBD,
    GammaGamma,
    ParetoNBD,
    community_effect,
    customer_lifetime_value,
)
from shequn.loyalty.ladder import LadderFit
from shequn.loyalty.rfm import RFMSummary
from shequn.loyalty.stages import Stage
from shequn.records.derive import StageHistory, StageRule, WeeklySeries
from shequn.records.records import Records

__all__ = ["HealthReport", "health", "membership_effect"]

_MODELS: dict[str, Any] = {"bgnbd": BGNBD, "pareto_nbd": ParetoNBD}
_COVARIATE_MODEL = {"bgnbd": "bgnbd", "pareto_nbd": "pareto"}


def _hub(records: Records, degree: IntArray) -> IntArray:
    ops = np.flatnonzero(records.operators)
    if ops.size:
        return ops.astype(np.int64)
    ordinary = np.flatnonzero(~records.operators)
    return ordinary[[int(np.argmax(degree[ordinary]))]].astype(np.int64)


def _structure(records: Records, seeds: int) -> tuple[dict[str, Any], IntArray, IntArray]:
    c = records.community(weight="messages")
    A = c.adjacency
    n = c.n
    deg = np.diff(A.indptr).astype(np.int64)
    ordinary = ~records.operators
    hub = _hub(records, deg)
    present_end = records.present(records.end) & ordinary
    out: dict[str, Any] = {
        "members": int(ordinary.sum()),
        "members_at_end": int(present_end.sum()),
        "operators": int((~ordinary).sum()),
        "ties": c.n_edges,
        "mean_degree": float(deg.mean()),
        "hub": records.member_ids[hub].tolist(),
    }
    # reach of a launch through the best-connected ordinary members (二三级人脉)
    cand = np.flatnonzero(ordinary)
    top = cand[np.argsort(-deg[cand], kind="stable")[: min(seeds, cand.size)]]
    reach = k_hop_reach(A, top.tolist(), k=3) if top.size else np.zeros(4, np.int64)
    out["launch_seeds"] = int(top.size)
    for d in (1, 2, 3):
        out[f"reach_{d}"] = float(reach[: d + 1].sum() / n)
    out["centralization"] = degree_centralization(A) if n >= 3 else math.nan
    out["clustering"] = average_clustering(A)
    rings = distance_rings(A, int(hub[0]), max_distance=4)
    # leader dependence: messages through the operators, members cut off without them
    m = records.messages
    if m is not None and m["count"].sum() > 0:
        hub_mask = np.zeros(records.n_members, dtype=bool)
        hub_mask[hub] = True
        touch = hub_mask[m["sender"]] | (
            (m["recipient"] >= 0) & hub_mask[np.maximum(m["recipient"], 0)]
        )
        out["hub_message_share"] = float(m["count"][touch].sum() / m["count"].sum())
    else:
        out["hub_message_share"] = math.nan
    keep = np.ones(n, dtype=bool)
    keep[hub] = False
    sub = A[keep][:, keep] if keep.sum() else sp.csr_array((0, 0))
    rest = int(ordinary[keep].sum())
    if sub.shape[0]:
        ncomp, lab = connected_components(sub, directed=False)
        sizes = np.bincount(lab[ordinary[keep]], minlength=ncomp)
        largest = int(sizes.max()) if sizes.size else 0
        out["cut_off_share"] = float((rest - largest) / max(int(ordinary.sum()), 1))
    else:
        out["cut_off_share"] = 1.0
    strong = records.strong_ties()
    out["strong_ties"] = int(strong.shape[0])
    with_strong = np.zeros(records.n_members, dtype=bool)
    with_strong[strong.ravel()] = True
    out["strong_tie_members"] = float((with_strong & ordinary).sum() / max(int(ordinary.sum()), 1))
    return out, reach, rings


PENALIZER = 0.01
"""The ridge penalty a customer-base fit is retried with when the plain fit is not identified."""


def _fit(cls: Any, *data: Any) -> tuple[Any, bool]:
    """Maximum likelihood, or (when it is not identified) the small-penalty fit, flagged.

    A numerical error of the optimiser (a parameter running off to infinity) is a failure to
    converge too, and is reported as one.
    """
    for penalizer in (0.0, PENALIZER):
        try:
            return cls.fit(*data, penalizer=penalizer), penalizer > 0
        except InvalidParameterError:
            raise
        except (ConvergenceError, ValueError, FloatingPointError, OverflowError) as exc:
            last = exc
    raise ConvergenceError(
        f"{cls.__name__}.fit did not converge, even with a ridge penalty {PENALIZER}: {last}"
    ) from last


def membership_effect(
    rfm: RFMSummary, is_member: Any, *, model: str = "bgnbd", horizon: float = 52.0
) -> dict[str, Any]:
    """Do members buy more and stay longer? One customer-base fit with membership as covariate.

    Fits ``model`` with a membership indicator on both processes
    (:func:`~shequn.loyalty.customer_base.membership.community_effect`: ``alpha_i = alpha
    exp(-g_trans m_i)`` and the drop-out analogue) and tests "no membership effect" by the
    likelihood ratio against the same model without it (2 degrees of freedom). Per group it
    reports the mean purchase rate while alive (``r / alpha_i``), the expected purchases of a
    new customer over ``horizon`` weeks, and the mean probability of being alive now, all from
    the one fit; ``all`` is the fit without membership.

    Parameters
    ----------
    rfm
        The customers' RFM summary (weeks).
    is_member
        Per customer (in ``rfm`` order): a member of the community.
    model
        ``"bgnbd"`` or ``"pareto_nbd"``. Only the Pareto/NBD's drop-out coefficient says
        whether members *stay longer* (a drop-out rate ratio); the BG/NBD's rescales its a
        and b together, which keeps the mean drop-out probability.
    horizon
        Weeks for the expected purchases of a new customer, in (0, 1e6].

    Returns
    -------
    dict
        ``effect`` (the :class:`~shequn.loyalty.customer_base.membership.CommunityEffect`:
        ratios with Wald intervals, or ``None``), ``fit`` (the covariate fit, or ``None``),
        ``all``, ``members``, ``others`` (each with ``customers``, ``rate``, ``expected``,
        ``p_alive``; ``None`` for a group too small to fit), ``lr``, ``df``, ``p_value`` (NaN
        without both groups) and ``comparison`` (why they were not compared, or ``None``).

    Without both groups, or when the covariate fit does not converge, the plain model is
    fitted to all customers (retried with the small ridge penalty :data:`PENALIZER` when its
    maximum is not identified, and listed under ``penalized``) and ``comparison`` says why.

    Raises
    ------
    ConvergenceError
        When there are fewer than two customers or two repeat buyers in all, or a penalised
        fit fails too.

    Examples
    --------
    >>> import numpy as np
    >>> from shequn.loyalty import BGNBD, RFMSummary
    >>> x1, t1, T1 = BGNBD(r=0.5, alpha=4.0, a=0.5, b=4.0).sample(600, 26.0, rng=1)
    >>> x2, t2, T2 = BGNBD(r=0.5, alpha=12.0, a=0.5, b=1.5).sample(600, 26.0, rng=2)
    >>> s = RFMSummary(customer_ids=np.arange(1200), frequency=np.r_[x1, x2],
    ...                recency=np.r_[t1, t2], T=np.r_[T1, T2], monetary=np.zeros(1200),
    ...                first_purchase=np.zeros(1200, dtype=np.int64))
    >>> e = membership_effect(s, np.arange(1200) < 600)
    >>> e["members"]["rate"] > e["others"]["rate"], e["p_value"] < 0.01, e["df"]
    (True, True, 2)
    """
    check_instance(rfm, RFMSummary, owner="membership_effect", field="rfm")
    check_choice(model, list(_MODELS), owner="membership_effect", field="model")
    h = check_in_range(
        horizon, owner="membership_effect", field="horizon", low=0.0, high=1e6, low_open=True
    )
    cls = _MODELS[model]
    raw = np.asarray(is_member)
    if raw.shape != rfm.frequency.shape:
        raise fail(
            "membership_effect",
            "is_member",
            f"hold one flag per customer ({rfm.frequency.size})",
            f"shape {raw.shape}",
        )
    mem = raw.astype(bool)
    x, tx, T = rfm.frequency, rfm.recency, rfm.T
    out: dict[str, Any] = {"model": model, "comparison": None, "effect": None, "fit": None}
    out["lr"] = out["p_value"] = math.nan
    out["df"] = 2
    for name, sel in (("all", np.ones(mem.size, bool)), ("members", mem), ("others", ~mem)):
        if sel.sum() < 2 or (x[sel] > 0).sum() < 2:
            why = (
                f"the {name} group has {int(sel.sum())} customers and "
                f"{int((x[sel] > 0).sum())} repeat buyers; a fit needs at least two of each"
            )
            if name == "all":
                raise ConvergenceError(f"membership_effect: {why}")
            out["comparison"] = f"members and others not compared: {why}"
            break
    if out["comparison"] is None:
        try:
            eff = community_effect(
                x, tx, T, member=mem.astype(float), model=_COVARIATE_MODEL[model], horizon=h
            )
        except (ConvergenceError, ValueError, FloatingPointError, OverflowError) as exc:
            out["comparison"] = f"members and others not compared: the covariate fit failed: {exc}"
        else:
            fit = eff.fit
            null = fit.null
            assert null is not None  # a covariate fit keeps the fit without covariates
            out.update(effect=eff, fit=fit, lr=float(max(eff.lr_test.statistic, 0.0)))
            out.update(df=int(eff.lr_test.df), p_value=float(eff.lr_test.p_value))
            p = fit.params
            m = mem.astype(float)
            alive = np.asarray(fit.model.p_alive(x, tx, T, covariates={"member": m}))
            for name, sel, flag, expected in (
                ("members", mem, 1.0, eff.expected_member),
                ("others", ~mem, 0.0, eff.expected_non_member),
            ):
                out[name] = {
                    "customers": int(sel.sum()),
                    "rate": float(p["r"] / p["alpha"] * math.exp(p["trans.member"] * flag)),
                    "expected": float(expected),
                    "p_alive": float(np.mean(alive[sel])),
                }
            out["all"] = _group(null, x, tx, T, h, mem.size)
            return out
    fit_all, penalized = _fit(cls, x, tx, T)
    if penalized:
        out["penalized"] = ["all"]
    out["fit"] = fit_all
    out["all"] = _group(fit_all, x, tx, T, h, mem.size)
    out["members"] = out["others"] = None
    return out


def _group(fit: Any, x: Any, tx: Any, T: Any, horizon: float, n: int) -> dict[str, Any]:
    """Rate, expected purchases and mean P(alive) of one plain (no covariate) fit."""
    p = fit.params
    return {
        "customers": n,
        "rate": float(p["r"] / p["alpha"]),
        "expected": float(np.ravel(fit.model.expected_transactions(horizon))[0]),
        "p_alive": float(np.mean(fit.model.p_alive(x, tx, T))),
    }


@attrs.frozen(kw_only=True, eq=False)
class HealthReport(ResultMixin):
    """The health of a community measured from its records (see :func:`health`).

    Attributes
    ----------
    structure
        Structure figures by name (see :func:`health`).
    reach
        Members at distance 0..3 from the launch seeds (the best-connected members).
    rings
        Members at distance 0..4 from the hub.
    stages
        The members' weekly stages.
    ladder
        The weekly ladder fitted to them (``None`` with fewer than one move).
    customer_base
        The membership comparison (:func:`membership_effect`: one covariate fit), or ``None``.
    open_rate
        The fitted open-rate law, or ``None`` without broadcast logs.
    worth
        CLV figures: per group mean with CI, total of the members, months, discount.
    clv
        Per customer: ``customer``, ``member`` (bool), ``clv``; or ``None``.
    series
        The weekly observed series.
    broadcast_log
        ``audience`` and ``opens`` of the broadcasts the open-rate law was fitted to.
    level
        Confidence level of the intervals.
    notes
        What could not be measured, and why.
    """

    structure: dict[str, Any]
    reach: IntArray = attrs.field(repr=False)
    rings: IntArray = attrs.field(repr=False)
    stages: StageHistory = attrs.field(repr=False)
    ladder: LadderFit | None = attrs.field(repr=False)
    customer_base: dict[str, Any] | None = attrs.field(repr=False)
    open_rate: OpenRateFit | None = attrs.field(repr=False)
    worth: dict[str, Any] | None = attrs.field(repr=False)
    clv: dict[str, Any] | None = attrs.field(repr=False)
    series: WeeklySeries = attrs.field(repr=False)
    broadcast_log: dict[str, Any] | None = attrs.field(default=None, repr=False)
    level: float = 0.95
    notes: tuple[str, ...] = ()

    def ladder_moves(self) -> Table | None:
        """Weekly up-moves and lapses with their intervals (customer → user → fan → friend)."""
        if self.ladder is None:
            return None
        P, lo, hi, n = (
            self.ladder.ladder.transition,
            self.ladder.lower,
            self.ladder.upper,
            self.ladder.counts,
        )
        rows = {}
        S = Stage
        for a, b in (
            (S.PROSPECT, S.CUSTOMER),
            (S.CUSTOMER, S.USER),
            (S.USER, S.FAN),
            (S.FAN, S.FRIEND),
            (S.CUSTOMER, S.LAPSED),
            (S.USER, S.LAPSED),
            (S.FAN, S.LAPSED),
            (S.FRIEND, S.LAPSED),
            (S.LAPSED, S.CUSTOMER),
        ):
            if n[a].sum() == 0:
                continue
            rows[f"{a.name.lower()} → {b.name.lower()}"] = (
                float(P[a, b]),
                float(lo[a, b]),
                float(hi[a, b]),
                int(n[a, b]),
            )
        return Table(columns=("per week", "lower", "upper", "moves"), rows=rows)

    def members_vs_others(self) -> Table | None:
        """Members against other customers: purchase rate, expected purchases, alive, CLV."""
        cb = self.customer_base
        if cb is None and self.worth is None:
            return None
        rows: dict[str, tuple[Any, ...]] = {}
        for g in ("all", "members", "others"):
            vals: list[Any] = []
            if cb is not None and cb.get(g) is not None:
                vals += [cb[g]["customers"], cb[g]["rate"], cb[g]["expected"], cb[g]["p_alive"]]
            elif g == "all" and cb is None:
                continue
            else:
                vals += [math.nan] * 4
            vals += [self.worth[g][0] if self.worth is not None else math.nan]
            rows[g] = tuple(vals)
        return Table(columns=("customers", "rate/wk", "purchases/yr", "P(alive)", "CLV"), rows=rows)

    def summary(self) -> Summary:
        """Headline figures and the members-vs-others table.

        Examples
        --------
        >>> from shequn.records import load_records
        >>> r = load_records(members={"member": [1, 2, 3], "joined": [0, 0, 0]},
        ...                  ties={"a": [1, 1], "b": [2, 3]})
        >>> s = health(r).summary()
        >>> s["members"], s["ties"]
        (3, 2)
        """
        st = self.structure
        head: dict[str, Any] = {
            "members": st["members"],
            "members_at_end": st["members_at_end"],
            "ties": st["ties"],
            "reach_2nd_3rd": st["reach_3"] - st["reach_1"],
            "centralization": st["centralization"],
            "hub_message_share": st["hub_message_share"],
            "cut_off_share": st["cut_off_share"],
            "strong_tie_members": st["strong_tie_members"],
        }
        notes = list(self.notes)
        if self.ladder is not None:
            P = self.ladder.ladder.transition
            head["customer_to_user"] = float(P[Stage.CUSTOMER, Stage.USER])
        cb = self.customer_base
        if cb is not None and cb["comparison"] is None:
            eff = cb["effect"]
            ratios, ci = eff.params, eff.conf_int(self.level)
            head["member_rate_ratio"] = ratios["purchase rate ratio"]
            head["member_rate_ratio_ci"] = ci["purchase rate ratio"]
            second = list(ratios)[1]
            head[f"member_{second.replace(' ', '_').replace(',', '')}"] = ratios[second]
            head["membership_p_value"] = cb["p_value"]
        elif cb is not None:
            notes.append(f"customer base: {cb['comparison']}")
        if self.open_rate is not None:
            head["open_rate_beta"] = float(self.open_rate.params["beta"])
        if cb is not None and cb.get("penalized"):
            notes.append(
                f"customer base: {', '.join(cb['penalized'])} fitted with a small ridge penalty "
                f"({PENALIZER}) because the plain maximum was not identified (estimates pulled "
                "toward 1 on the log scale)"
            )
        if self.worth is not None and self.worth["spend_penalized"]:
            notes.append(
                f"worth: the gamma-gamma spend model was fitted with a ridge penalty "
                f"({PENALIZER}): spends vary too little to identify it"
            )
        if self.worth is not None:
            head["member_clv"] = self.worth["members"][0]
            head["other_clv"] = self.worth["others"][0]
            head["community_worth"] = self.worth["total_members"]
            notes.append(
                f"CLV: {self.worth['months']} months, {self.worth['discount_rate']:.2%} a month"
            )
        return Summary(
            title=(
                f"Community health: {st['members']:,} members, {self.series.weeks} weeks observed"
            ),
            headline=head,
            table=self.members_vs_others(),
            notes=tuple(notes),
        )

    def to_html(self) -> str:
        """An HTML ``<section>`` with the report's tables (figures: the shell's
        :func:`shequn.plotting.records.health_section`)."""
        parts = [
            "<section class='shequn-health'>",
            f"<h2>{html.escape(self.summary().title)}</h2>",
            self.summary()._repr_html_(),
        ]
        moves = self.ladder_moves()
        if moves is not None:
            parts += ["<h3>Ladder (weekly moves)</h3>", moves.html()]
        parts.append("</section>")
        return "".join(parts)

    def to_frame(self, kind: str = "structure") -> Any:
        """``kind="structure"`` (name → value), ``"ladder"``, ``"members"`` or ``"clv"`` as a
        pandas DataFrame (needs pandas)."""
        pd = optional_import("pandas", extra="pandas")
        check_choice(
            kind, ["structure", "ladder", "members", "clv"], owner="HealthReport", field="kind"
        )
        if kind == "structure":
            return pd.DataFrame({"value": {k: str(v) for k, v in self.structure.items()}})
        if kind == "clv":
            if self.clv is None:
                return pd.DataFrame(columns=["customer", "member", "clv"])
            return pd.DataFrame(self.clv)
        t = self.ladder_moves() if kind == "ladder" else self.members_vs_others()
        return t.to_frame() if t is not None else pd.DataFrame()


def health(
    records: Records,
    *,
    model: str = "bgnbd",
    months: int = 12,
    discount_rate: float = 0.01,
    launch_seeds: int = 10,
    membership: str = "records",
    stage_rule: StageRule | None = None,
    level: float = 0.95,
) -> HealthReport:
    """Measure a community from its records: structure, ladder, customer base, open rate, worth.

    Parameters
    ----------
    records
        Loaded (or emitted) records.
    model
        Customer-base model: ``"bgnbd"`` (default) or ``"pareto_nbd"``.
    months
        Horizon of the lifetime values in months of 4.35 weeks, 1 to 1,200 (a century).
    discount_rate
        Discount rate per month, in (-1, 1].
    launch_seeds
        Best-connected members whose 1st-3rd degree reach is reported.
    membership
        Who counts as a member in the customer-base comparison: ``"records"`` (customers
        listed in members, operators excepted) or ``"groups"`` (customers in a chat group:
        those who take part, against card holders and customers won by advertising).
    stage_rule
        How stages are read from records without a stages table (default
        :class:`~shequn.records.StageRule`).
    level
        Confidence level of the intervals.

    Returns
    -------
    HealthReport

    Examples
    --------
    >>> from shequn.records import load_records
    >>> r = load_records(members={"member": [1, 2], "joined": [0, 0]})
    >>> health(r).notes[0]
    'customer base: no transactions'
    """
    check_instance(records, Records, owner="health", field="records")
    if stage_rule is not None:
        check_instance(stage_rule, StageRule, owner="health", field="stage_rule")
    check_choice(model, list(_MODELS), owner="health", field="model")
    check_choice(membership, ["records", "groups"], owner="health", field="membership")
    months = check_int(months, owner="health", field="months", low=1, high=1200)
    discount_rate = check_in_range(
        discount_rate, owner="health", field="discount_rate", low=-1.0, high=1.0, low_open=True
    )
    launch_seeds = check_int(launch_seeds, owner="health", field="launch_seeds", low=1)
    level = check_level(level, owner="health")
    notes: list[str] = []
    structure, reach, rings = _structure(records, launch_seeds)
    stages = records.stages(stage_rule)
    ladder: LadderFit | None = None
    try:
        ladder = stages.ladder(level=level)
    except InvalidParameterError:
        notes.append("ladder: no stage moves to fit")
    cb: dict[str, Any] | None = None
    worth: dict[str, Any] | None = None
    clv_rows: dict[str, Any] | None = None
    tx = records.transactions
    if tx is None or tx["time"].size == 0:
        notes.append("customer base: no transactions")
    else:
        rfm = records.rfm()
        inside = ~records.operators
        if membership == "groups":
            inside = inside & _in_groups(records)
        member_ids = set(records.member_ids.astype(str)[inside].tolist())
        is_member = np.asarray([c in member_ids for c in rfm.customer_ids.tolist()])
        try:
            cb = membership_effect(rfm, is_member, model=model)
        except ConvergenceError as exc:
            notes.append(f"customer base: {exc}")
        try:
            worth, clv_rows = _worth(rfm, is_member, cb, model, months, discount_rate, level)
        except ConvergenceError as exc:
            notes.append(f"worth: {exc}")
    open_fit: OpenRateFit | None = None
    log: dict[str, Any] | None = None
    b = records.broadcasts
    if b is not None and np.unique(b["audience"][b["audience"] > 0]).size >= 3:
        try:
            sent = b["audience"] > 0
            log = {"audience": b["audience"][sent], "opens": b["opens"][sent]}
            open_fit = fit_open_rate(log["audience"], log["opens"], level=level)
        except (ConvergenceError, InvalidParameterError) as exc:
            notes.append(f"open rate: {exc}")
    elif b is not None:
        notes.append("open rate: fewer than 3 distinct audience sizes in the broadcast logs")
    return HealthReport(
        structure=structure,
        reach=reach,
        rings=rings,
        stages=stages,
        ladder=ladder,
        customer_base=cb,
        open_rate=open_fit,
        worth=worth,
        clv=clv_rows,
        series=records.weekly(),
        broadcast_log=log,
        level=level,
        notes=tuple(notes),
    )


def _in_groups(records: Records) -> NDArray[np.bool_]:
    out = np.zeros(records.n_members, dtype=bool)
    if records.groups is not None:
        out[records.groups["member"]] = True
    return out


def _worth(
    rfm: RFMSummary,
    is_member: Any,
    cb: dict[str, Any] | None,
    model: str,
    months: int,
    discount_rate: float,
    level: float,
) -> tuple[dict[str, Any], dict[str, Any]]:
    x, tx, T, z = rfm.frequency, rfm.recency, rfm.T, rfm.monetary
    if (x > 0).sum() < 10:
        raise ConvergenceError(
            f"{int((x > 0).sum())} repeat buyers: the gamma-gamma spend model needs at least 10"
        )
    spend_fit, penalized = _fit(GammaGamma, x, z)
    spend = spend_fit.model
    mem = np.asarray(is_member, dtype=bool)
    if cb is not None and cb["effect"] is not None:
        tm, cov = cb["fit"].model, {"member": mem.astype(float)}
    elif cb is not None:
        tm, cov = cb["fit"].model, None
    else:
        tm, cov = _fit(_MODELS[model], x, tx, T)[0].model, None
    clv = customer_lifetime_value(
        tm,
        spend,
        x,
        tx,
        T,
        z,
        periods=months,
        period_length=4.35,
        discount_rate=discount_rate,
        covariates=cov,
    )
    out: dict[str, Any] = {
        "months": months,
        "discount_rate": discount_rate,
        "spend_penalized": penalized,
    }
    for g, sel in (("members", mem), ("others", ~mem)):
        out[g] = mean_ci(clv[sel], level=level) if sel.any() else (math.nan,) * 3
    out["all"] = mean_ci(clv, level=level)
    out["total_members"] = float(clv[mem].sum())
    rows = {"customer": rfm.customer_ids.tolist(), "member": mem.tolist(), "clv": clv.tolist()}
    return out, rows
