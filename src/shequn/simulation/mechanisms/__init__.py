"""The engine's mechanisms, one module each, and :class:`Mechanisms`, their parameters together.

Each module of this package holds one mechanism of the weekly engine: its parameters (a
frozen, validated attrs class whose every default names its source), what it derives at
compile time, the small compiled functions the weekly passes call, the flows it produces,
and its documentation (the module docstring: seed passage and equations). The registry, in the
order the week unfolds, is :data:`shequn.simulation.week.MECHANISMS`; docs/simulation.md has a
section per mechanism with its parameter table.

:class:`Mechanisms` is the user-facing bundle: one parameter object per mechanism, each
reachable by the mechanism's name (``m.content``) and every parameter by its own name
(``m.attention``; names are unique across mechanisms), so ``Mechanisms(attention=4.0)`` and
``attrs.evolve(m, open_rate=law)`` work as they always have.

Examples
--------
>>> import attrs
>>> from shequn.simulation.mechanisms import Mechanisms
>>> m = attrs.evolve(Mechanisms(), open_rate=lambda audience: 0.3)
>>> m.open_rate(1000)
0.3
>>> Mechanisms(attention=0)
Traceback (most recent call last):
...
shequn.exceptions.InvalidParameterError: `Mechanisms.attention` must be > 0 and finite; got 0
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from shequn._validation import fail
from shequn.exceptions import InvalidParameterError
from shequn.simulation.mechanisms.broadcast import open_probability
from shequn.simulation.mechanisms.purchases import MAX_PRODUCTS

__all__ = ["MAX_PRODUCTS", "Mechanisms", "open_probability"]


@functools.cache
def _registry() -> tuple[Any, ...]:
    """The mechanism modules with parameters, in registry order (imported when first needed:
    the registry lives with the weekly pass, which imports this package)."""
    from shequn.simulation.week import MECHANISMS

    return tuple(m for m in MECHANISMS if m.PARAMS is not None)


@functools.cache
def _field_owners() -> dict[str, str]:
    """Parameter name → the mechanism that owns it."""
    out: dict[str, str] = {}
    for m in _registry():
        for f in attrs.fields(m.PARAMS):
            out[f.name] = m.NAME
    return out


def _reowned(exc: InvalidParameterError, cls: type) -> InvalidParameterError:
    """The same error, naming ``Mechanisms`` (the class the user called) as the owner."""
    return InvalidParameterError(str(exc).replace(f"`{cls.__name__}.", "`Mechanisms.", 1))


@attrs.frozen(init=False, repr=False)
class Mechanisms:
    """The parameters of every mechanism of the weekly engine (see the package docstring).

    Parameters
    ----------
    parts
        Parameter objects of some mechanisms (e.g. a
        :class:`~shequn.simulation.mechanisms.content.ContentParams`); the others keep their
        defaults.
    **values
        A whole mechanism's parameter object by the mechanism's name (``content=...``), or a
        single parameter by its name (``attention=4.0``, ``wom_q=0.2``, ``tie_rule=...``):
        every parameter of every mechanism, documented in its module.

    Raises
    ------
    InvalidParameterError
        An unknown name, an object of the wrong class, or an invalid value (the message names
        ``Mechanisms.<parameter>``).

    Examples
    --------
    >>> m = Mechanisms(attention=4.0, wom_conversion=0.2)
    >>> m.attention, m.content.attention, m
    (4.0, 4.0, Mechanisms(attention=4.0, wom_conversion=0.2))
    >>> Mechanisms(atention=4.0)
    Traceback (most recent call last):
    ...
    shequn.exceptions.InvalidParameterError: `Mechanisms.atention` must be a mechanism or a \
parameter of one (e.g. 'attention'); got 4.0
    """

    parts: tuple[Any, ...]

    def __init__(self, parts: Iterable[Any] = (), **values: Any) -> None:
        registry = _registry()
        objs: dict[str, Any] = {}
        by_class = {m.PARAMS: m.NAME for m in registry}
        for p in parts:
            name = by_class.get(type(p))
            if name is None:
                raise fail("Mechanisms", "parts", "hold mechanism parameter objects", p)
            objs[name] = p
        changes: dict[str, dict[str, Any]] = {}
        owners = dict(_field_owners())
        names = {m.NAME: m for m in registry}
        for key, value in values.items():
            if key in names:
                cls = names[key].PARAMS
                if not isinstance(value, cls):
                    raise fail("Mechanisms", key, f"be a {cls.__name__}", value)
                objs[key] = value
            elif key in owners:
                changes.setdefault(owners[key], {})[key] = value
            else:
                raise fail(
                    "Mechanisms",
                    key,
                    "be a mechanism or a parameter of one (e.g. 'attention')",
                    value,
                )
        out = []
        for m in registry:
            obj = objs.get(m.NAME)
            try:
                if obj is None:
                    obj = m.PARAMS(**changes.get(m.NAME, {}))
                elif m.NAME in changes:
                    obj = attrs.evolve(obj, **changes[m.NAME])
            except InvalidParameterError as exc:
                raise _reowned(exc, m.PARAMS) from None
            out.append(obj)
        object.__setattr__(self, "parts", tuple(out))

    @staticmethod
    def fields() -> tuple[attrs.Attribute[Any], ...]:
        """Every parameter's attrs field, mechanism by mechanism in registry order: the keys of
        the flat view (:meth:`values`, scenario files' ``[mechanisms]`` table).

        Examples
        --------
        >>> [f.name for f in Mechanisms.fields()][:2]
        ['attention', 'overload']
        """
        return tuple(f for m in _registry() for f in attrs.fields(m.PARAMS))

    @staticmethod
    def types() -> dict[str, Any]:
        """Every parameter's declared type, by name (the type hints of its mechanism's class).

        Examples
        --------
        >>> Mechanisms.types()["repost_hops"]
        <class 'int'>
        """
        out: dict[str, Any] = {}
        for m in _registry():
            out.update(typing.get_type_hints(m.PARAMS))
        return out

    def part(self, mechanism: str) -> Any:
        """The parameter object of one mechanism, by name.

        Examples
        --------
        >>> Mechanisms().part("ladder").ladder_rates
        (0.1, 0.06, 0.04)
        """
        for m, p in zip(_registry(), self.parts, strict=True):
            if mechanism == m.NAME:
                return p
        names = [m.NAME for m in _registry()]
        raise fail("Mechanisms.part", "mechanism", f"be one of {names}", mechanism)

    def values(self) -> dict[str, Any]:
        """Every parameter by name (the flat view ``Mechanisms(**m.values())`` rebuilds).

        Examples
        --------
        >>> Mechanisms().values()["relax"]
        0.1
        """
        out: dict[str, Any] = {}
        for p in self.parts:
            for f in attrs.fields(type(p)):
                out[f.name] = getattr(p, f.name)
        return out

    def replace(self, values: Mapping[str, Any]) -> Mechanisms:
        """A copy with the given parameters changed (names as in :meth:`values`).

        Examples
        --------
        >>> Mechanisms().replace({"relax": 0.2}).relax
        0.2
        """
        return Mechanisms(self.parts, **dict(values))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "parts":
            raise AttributeError(name)
        registry = _registry()
        for m, p in zip(registry, self.parts, strict=True):
            if name == m.NAME:
                return p
        owner = _field_owners().get(name)
        if owner is None:
            raise AttributeError(f"'Mechanisms' object has no attribute {name!r}")
        return getattr(self.part(owner), name)

    def __repr__(self) -> str:
        default = Mechanisms().values()
        changed = [f"{k}={v!r}" for k, v in self.values().items() if not _same(v, default[k])]
        return f"Mechanisms({', '.join(changed)})"


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover - exotic values
        return a is b
