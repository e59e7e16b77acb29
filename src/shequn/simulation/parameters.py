"""The engine's parameters as one named vector: list them, change them, run batches of them.

Every calibratable parameter of the weekly engine is a field of one mechanism's parameter
class (:mod:`shequn.simulation.mechanisms`) or of the community type's
:class:`~shequn.simulation.Profile`. :func:`parameters` lists them with unit, default,
bounds, owning mechanism and the source of the default; :meth:`Dynamics.with_parameters
<shequn.simulation.Dynamics.with_parameters>` rebuilds a compiled model from a name → value
mapping (sharing the community's arrays and the compiled kernels), and
:func:`shequn.simulation.run_batch` runs many parameter sets on one compiled model.

Tuple-valued parameters are listed element by element (``ladder_rates[0]`` is the customer →
user rate); the :class:`~shequn.loyalty.ties.TieRule` fields by their own names.

Examples
--------
>>> from shequn.simulation import parameters
>>> p = parameters("brand")
>>> p["baseline_churn"].default, p["baseline_churn"].mechanism, p["baseline_churn"].bounds
(0.02, 'ladder', (0.0, 1.0))
>>> "ladder_rates[0]" in p.names, len(p.names) == len(p.defaults)
(True, True)
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import numpy as np

from shequn._results import ResultMixin, Summary, Table
from shequn._typing import FloatArray
from shequn._validation import check_array, check_bool, check_choice, check_instance, fail
from shequn.community.types import CommunityType
from shequn.simulation.mechanisms import Mechanisms
from shequn.simulation.mechanisms._spec import ParamSpec, spec_of
from shequn.simulation.profiles import Profile, profile_for

__all__ = ["Parameter", "Parameters", "parameter_table", "parameters", "split_values"]

_ELEMENT = re.compile(r"^(\w+)\[(\d+)\]$")


@attrs.frozen(kw_only=True)
class Parameter:
    """One engine parameter.

    Attributes
    ----------
    name
        Its name in :func:`parameters`, :meth:`Dynamics.with_parameters` and
        :class:`~shequn.simulation.Mechanisms` (``ladder_rates[0]`` for a tuple element).
    mechanism
        The mechanism that owns it.
    unit
        Its unit.
    default
        The default value (the community type's, for profile parameters).
    bounds
        The valid range ``(low, high)`` (``inf`` when unbounded).
    source
        Where the default comes from: a seed passage, a published figure, or "assumed".
    where
        ``"mechanisms"`` (a :class:`Mechanisms` field), ``"profile"`` (a :class:`Profile`
        field) or ``"tie_rule"`` (a :class:`~shequn.loyalty.ties.TieRule` field).
    low_open
        The low bound itself is not allowed (the parameter must be > 0).
    """

    name: str
    mechanism: str
    unit: str
    default: float
    bounds: tuple[float, float]
    source: str
    where: str
    low_open: bool = False


def _check_items(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple) or not all(isinstance(p, Parameter) for p in value):
        raise fail("Parameters", "items", "be a tuple of Parameter", type(value).__name__)


@attrs.frozen(kw_only=True)
class Parameters(ResultMixin):
    """The engine's calibratable parameters, in registry order (see :func:`parameters`).

    Attributes
    ----------
    items
        One :class:`Parameter` each.
    """

    items: tuple[Parameter, ...] = attrs.field(validator=_check_items)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, name: str) -> Parameter:
        for p in self.items:
            if p.name == name:
                return p
        raise fail("Parameters", "name", f"be one of {list(self.names)}", name)

    def __repr__(self) -> str:
        return f"Parameters({len(self.items)} parameters)"

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in order."""
        return tuple(p.name for p in self.items)

    @property
    def defaults(self) -> FloatArray:
        """Default values as a vector."""
        return np.array([p.default for p in self.items], dtype=np.float64)

    @property
    def bounds(self) -> FloatArray:
        """(n, 2) valid ranges (``inf`` when unbounded)."""
        return np.array([p.bounds for p in self.items], dtype=np.float64).reshape(-1, 2)

    def values(self, vector: Any) -> dict[str, float]:
        """A vector in this order as the ``{name: value}`` mapping ``with_parameters`` takes.

        Examples
        --------
        >>> p = parameters()
        >>> p.values(p.defaults)["relax"]
        0.1
        """
        v = check_array(vector, owner="Parameters.values", field="vector").ravel()
        if v.shape[0] != len(self.items):
            raise fail("Parameters.values", "vector", f"have {len(self.items)} entries", v.shape[0])
        return {p.name: float(x) for p, x in zip(self.items, v, strict=True)}

    def summary(self) -> Summary:
        """The parameters as a table (mechanism, unit, default, bounds).

        Examples
        --------
        >>> print(parameters().summary().table.lines()[1].split()[:2])
        ['attention', 'content']
        """
        rows = {
            p.name: (p.mechanism, p.unit, p.default, f"[{p.bounds[0]:g}, {p.bounds[1]:g}]")
            for p in self.items
        }
        return Summary(
            title=f"Engine parameters ({len(self.items)})",
            headline={"parameters": len(self.items)},
            table=Table(columns=("mechanism", "unit", "default", "bounds"), rows=rows),
        )

    def to_frame(self) -> Any:
        """One row per parameter (pandas is optional)."""
        from shequn._optional import optional_import

        pd = optional_import("pandas", extra="pandas")
        return pd.DataFrame([attrs.asdict(p) for p in self.items]).set_index("name")


def _registry() -> tuple[Any, ...]:
    from shequn.simulation.week import MECHANISMS

    return MECHANISMS


def _profile_spec(name: str) -> ParamSpec:
    spec = spec_of(attrs.fields_dict(Profile)[name])
    assert spec is not None, name
    return spec


def _entries(value: Any, name: str) -> list[tuple[str, float]]:
    if isinstance(value, tuple):
        return [(f"{name}[{i}]", float(v)) for i, v in enumerate(value)]
    return [(name, float(value))]


def parameters(
    kind: CommunityType | str | None = None,
    *,
    profile: Profile | None = None,
    mechanisms: Mechanisms | None = None,
    calibratable: bool = True,
) -> Parameters:
    """The engine's parameters with unit, default, bounds and owning mechanism.

    Parameters
    ----------
    kind
        Community type whose profile gives the defaults of the profile parameters (default
        brand); ignored when ``profile`` is given.
    profile, mechanisms
        Take the defaults from these instead (e.g. a model being calibrated).
    calibratable
        Only the parameters a calibration may move (default): not the integers, switches and
        calibration hooks (catalogue size, hop counts, ``open_rate``, ``wom_q``...).

    Examples
    --------
    >>> p = parameters("values", mechanisms=Mechanisms(relax=0.2))
    >>> p["relax"].default, p["homophily"].default
    (0.2, 0.8)
    """
    prof = profile_for(kind) if profile is None else profile
    mech = Mechanisms() if mechanisms is None else mechanisms
    if not isinstance(prof, Profile):
        raise fail("parameters", "profile", "be a Profile", type(prof).__name__)
    if not isinstance(mech, Mechanisms):
        raise fail("parameters", "mechanisms", "be a Mechanisms", type(mech).__name__)
    calibratable = check_bool(calibratable, owner="parameters", field="calibratable")
    out: list[Parameter] = []

    def add(name: str, value: Any, spec: ParamSpec, owner: str, where: str) -> None:
        if calibratable and not spec.calibrate:
            return
        if value is None or callable(value):
            return
        for n, v in _entries(value, name):
            out.append(
                Parameter(
                    name=n,
                    mechanism=owner,
                    unit=spec.unit,
                    default=v,
                    bounds=spec.bounds,
                    source=spec.source,
                    where=where,
                    low_open=spec.low_open,
                )
            )

    for m in _registry():
        if m.PARAMS is not None:
            obj = mech.part(m.NAME)
            nested = getattr(m, "NESTED", {})
            for f in attrs.fields(m.PARAMS):
                value = getattr(obj, f.name)
                if f.name in nested:
                    for sub, spec in nested[f.name].items():
                        add(sub, getattr(value, sub), spec, m.NAME, f.name)
                    continue
                spec = spec_of(f)
                if spec is not None:
                    add(f.name, value, spec, m.NAME, "mechanisms")
        for name in m.PROFILE_FIELDS:
            add(name, getattr(prof, name), _profile_spec(name), m.NAME, "profile")
    owned = {p.name for p in out} | {n for m in _registry() for n in m.PROFILE_FIELDS}
    for f in attrs.fields(Profile):  # profile fields no mechanism owns (initial conditions)
        if f.name not in owned:
            add(f.name, getattr(prof, f.name), _profile_spec(f.name), "initial", "profile")
    return Parameters(items=tuple(out))


def _fmt_default(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(f"{v:g}" for v in value) + ")"
    if value is None or callable(value):
        return "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_table(mechanism: str) -> str:
    """The parameters one mechanism owns as a Markdown table (the tables of
    docs/simulation.md are these; a test keeps them in step).

    Profile parameters show the brand default and are marked *per type*.

    Examples
    --------
    >>> print(parameter_table("engagement"))
    | parameter | unit | default | source |
    |---|---|---|---|
    | `relax` | share / week | 0.1 | assumed: a few months' memory |
    | `baseline_engagement` | engagement | 0.3 *per type* | 001 values and sharing bind \
members to each other; sizes assumed |
    """
    mods = {m.NAME: m for m in _registry()}
    check_choice(mechanism, list(mods), owner="parameter_table", field="mechanism")
    m = mods[mechanism]
    lines = ["| parameter | unit | default | source |", "|---|---|---|---|"]
    if m.PARAMS is not None:
        nested = getattr(m, "NESTED", {})
        obj = m.PARAMS()
        for f in attrs.fields(m.PARAMS):
            if f.name in nested:
                rule = getattr(obj, f.name)
                for sub, spec in nested[f.name].items():
                    value = _fmt_default(getattr(rule, sub))
                    lines.append(f"| `{f.name}.{sub}` | {spec.unit} | {value} | {spec.source} |")
                continue
            spec = spec_of(f)
            if spec is not None:
                value = _fmt_default(getattr(obj, f.name))
                lines.append(f"| `{f.name}` | {spec.unit} | {value} | {spec.source} |")
    brand = profile_for("brand")
    for name in m.PROFILE_FIELDS:
        spec = _profile_spec(name)
        value = _fmt_default(getattr(brand, name))
        lines.append(f"| `{name}` | {spec.unit} | {value} *per type* | {spec.source} |")
    return "\n".join(lines)


def _real(value: Any, owner: str, name: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if not (isinstance(value, tuple) or value is None or callable(value)):
            raise fail(owner, f"values[{name!r}]", "be a real number", value)
    elif not math.isfinite(float(value)):
        raise fail(owner, f"values[{name!r}]", "be finite", value)
    return value


def split_values(
    values: Mapping[str, Any], mechanisms: Mechanisms, profile: Profile, *, owner: str
) -> tuple[Mechanisms, Profile]:
    """Apply ``{name: value}`` (names as in :func:`parameters`, any of them) to the mechanisms
    and the profile; returns the new pair.

    Raises
    ------
    InvalidParameterError
        An unknown name, or a value that is not a number in the parameter's range.

    Examples
    --------
    >>> m, p = split_values({"ladder_rates[2]": 0.1, "homophily": 0.5}, Mechanisms(),
    ...                     profile_for("brand"), owner="with_parameters")
    >>> m.ladder_rates, p.homophily
    ((0.1, 0.06, 0.1), 0.5)
    >>> split_values({"nope": 1.0}, Mechanisms(), profile_for("brand"), owner="with_parameters")
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `with_parameters.values` must name engine \
parameters (see shequn.simulation.parameters()); got 'nope'
    """
    if not isinstance(values, Mapping):
        raise fail(owner, "values", "be a mapping of parameter names to values", values)
    check_instance(mechanisms, Mechanisms, owner=owner, field="mechanisms")
    check_instance(profile, Profile, owner=owner, field="profile")
    flat = mechanisms.values()
    prof_fields = attrs.fields_dict(Profile)
    nested: dict[str, str] = {}
    for m in _registry():
        for field, subs in getattr(m, "NESTED", {}).items():
            for sub in subs:
                nested[sub] = field
    mech_changes: dict[str, Any] = {}
    prof_changes: dict[str, Any] = {}
    nested_changes: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if not isinstance(name, str):
            raise fail(owner, "values", "have parameter names as keys", name)
        el = _ELEMENT.match(name)
        if el is not None and isinstance(flat.get(el.group(1)), tuple):
            base, idx = el.group(1), int(el.group(2))
            current = list(mech_changes.get(base, flat[base]))
            if idx >= len(current):
                raise fail(owner, "values", f"index {base} within 0..{len(current) - 1}", name)
            current[idx] = _real(value, owner, name)
            mech_changes[base] = tuple(current)
        elif name in prof_fields:
            prof_changes[name] = _real(value, owner, name)
        elif name in nested:
            nested_changes.setdefault(nested[name], {})[name] = _real(value, owner, name)
        elif name in flat:
            mech_changes[name] = _real(value, owner, name)
        else:
            raise fail(
                owner, "values", "name engine parameters (see shequn.simulation.parameters())", name
            )
    for field, subs in nested_changes.items():
        mech_changes[field] = attrs.evolve(mech_changes.get(field, flat[field]), **subs)
    new_mech = mechanisms.replace(mech_changes) if mech_changes else mechanisms
    new_prof = attrs.evolve(profile, **prof_changes) if prof_changes else profile
    return new_mech, new_prof
