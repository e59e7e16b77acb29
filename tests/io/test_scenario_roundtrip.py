"""Every operating-model, economics and mechanism value round-trips through a dict and TOML.

The classes are found, not listed: every attrs class exported by ``shequn.operating``,
``shequn.economics``, ``shequn.simulation.mechanisms`` and ``shequn.simulation.profiles``, and
every attrs class their fields hold (``Mechanisms.tie_rule``), so a class the engine adds is
covered without touching this file. Instances are drawn at random from the field types (and
kept only when the class accepts them), then written and read back; equality is the classes'
own ``==``.
"""

from __future__ import annotations

import enum
import tomllib
import types
import typing
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import shequn.economics
import shequn.operating
import shequn.simulation.mechanisms
import shequn.simulation.profiles
from shequn.exceptions import InvalidParameterError
from shequn.io.scenario import ScenarioError, structure, unstructure

MODULES = (
    shequn.operating,
    shequn.economics,
    shequn.simulation.mechanisms,
    shequn.simulation.profiles,
)


def _value_classes() -> list[type]:
    found: list[type] = []
    todo = [
        obj for m in MODULES for obj in vars(m).values() if isinstance(obj, type) and attrs.has(obj)
    ]
    while todo:
        cls = todo.pop()
        if cls in found:
            continue
        found.append(cls)
        for tp in typing.get_type_hints(cls).values():
            for arg in (tp, *typing.get_args(tp)):
                if isinstance(arg, type) and attrs.has(arg):
                    todo.append(arg)
    return sorted(found, key=lambda c: c.__qualname__)


CLASSES = _value_classes()
_WORDS = ["degree", "random", "imm", "pagerank", "members", "market", "open", "x"]


def _strategy(tp: Any, default: Any) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _strategy(options[0], default) if len(options) == 1 else st.nothing()
        return st.one_of(st.none(), inner)
    if isinstance(tp, type) and attrs.has(tp):
        return _instances(tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if origin is tuple:
        item = typing.get_args(tp)[0]
        n = len(default) if isinstance(default, tuple) else 3
        return st.lists(_strategy(item, None), min_size=n, max_size=n).map(tuple)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=0, max_value=60)
    if tp is float:
        return st.one_of(st.floats(min_value=0.0, max_value=1.0), st.floats(0.0, 1e4))
    if tp is str:
        return st.sampled_from(_WORDS)
    return st.none()  # functions (calibration hooks) stay None: a file cannot hold them


def _instances(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields = {}
    for f in attrs.fields(cls):
        default = f.default.factory() if isinstance(f.default, attrs.Factory) else f.default
        fields[f.name] = _strategy(hints[f.name], default)

    def build(kwargs: dict[str, Any]) -> Any:
        try:
            return cls(**kwargs)
        except (InvalidParameterError, ValueError, TypeError):
            return None

    return st.fixed_dictionaries({}, optional=fields).map(build).filter(lambda x: x is not None)


def test_the_classes_are_found() -> None:
    names = {c.__name__ for c in CLASSES}
    assert {"Connectivity", "Content", "Structure", "Tools", "OperatingModel", "Economics"} <= names
    assert {"Mechanisms", "Profile", "TieRule"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_defaults_round_trip(cls: type) -> None:
    value = cls()
    assert structure(cls, unstructure(value)) == value
    assert structure(cls, {}) == value  # a missing key means the default


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=40)
@given(data=st.data())
def test_random_values_round_trip_through_dict_and_toml(cls: type, data: st.DataObject) -> None:
    tomli_w = pytest.importorskip("tomli_w")
    value = data.draw(_instances(cls))
    plain = unstructure(value)
    assert structure(cls, plain) == value
    assert structure(cls, tomllib.loads(tomli_w.dumps(plain))) == value


def test_enums_are_written_by_value_and_tuples_as_lists() -> None:
    from shequn.operating import OperatingModel
    from shequn.simulation import Mechanisms

    plain = unstructure(OperatingModel.broadcast_only(budget=5.0))
    assert plain["tools"]["invite_policy"] == "open"
    assert plain["connectivity"]["feedback"] == "open"
    assert unstructure(Mechanisms())["ladder_rates"] == [0.10, 0.06, 0.04]
    assert "wom_q" not in unstructure(Mechanisms())  # None is left out (TOML has no null)


def test_a_function_cannot_be_written() -> None:
    from shequn.simulation import Mechanisms

    with pytest.raises(InvalidParameterError, match=r"`Mechanisms\.open_rate` must be None"):
        unstructure(Mechanisms(open_rate=lambda audience: 0.2))
    with pytest.raises(ScenarioError, match=r"mechanisms\.open_rate must be set in Python"):
        structure(Mechanisms, {"open_rate": "0.2"}, path=("mechanisms",))
