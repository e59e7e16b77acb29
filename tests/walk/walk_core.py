"""The API walk's machinery: bad values per parameter kind, entries, cases and their outcomes.

An :class:`Entry` is one public callable (a function, a class constructor, or a method of a
fixture object) with a valid call (``base``) and a *kind* per parameter. Every bad value of a
parameter's kind replaces the valid value in turn and makes one :class:`Case`; hand-written
cases (:func:`extra`) add what kinds cannot say (mismatched lengths, corrupt structures).

Each case expects one of:

* ``raise``: the input breaks a documented rule, so shequn must raise ``InvalidParameterError``
  naming the field (in the house form "`Owner.field` must ...");
* ``either``: the input is valid but extreme (isolated nodes, huge values, a directed graph):
  shequn may refuse it with its own error (InvalidParameterError, or ConvergenceError saying
  what to try) or return a result, which must then hold no NaN or inf;
* ``valid``: the baseline call, which must succeed and return finite values.

:func:`run_case` (called in a worker process, see walk_pool.py) classifies what happened:

=============  ====================================================================
``ours``       our error naming the field (a pass for ``raise`` and ``either``)
``ok``         a finite result (a pass for ``either`` and ``valid``)
``unnamed``    InvalidParameterError whose message does not name the field
``refused``    our error on the valid baseline call (the table or the code is wrong)
``accepted``   a ``raise`` case returned without error (bad input silently used)
``other``      another exception type (``other:KeyError``) or MemoryError
``nan``        the result holds NaN or inf, or breaks the entry's check (impossible value)
``crash``      the worker process died (segfault, abort); set by the pool
``hang``       no answer within the case's time limit; set by the pool
=============  ====================================================================
"""

from __future__ import annotations

import importlib
import math
import re
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

RAISE, EITHER, VALID = "raise", "either", "valid"
PASSES = {RAISE: {"ours"}, EITHER: {"ours", "ok"}, VALID: {"ok"}}
OUTCOMES = ("ours", "ok", "unnamed", "refused", "accepted", "other", "nan", "crash", "hang")


class L:
    """A value built in the worker when the case runs (graphs, fitted models, fresh objects)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def __call__(self) -> Any:
        return self.make()


def resolve(value: Any) -> Any:
    """Build lazy values (also inside lists, tuples and dicts one level deep)."""
    if isinstance(value, L):
        return value()
    if isinstance(value, list):
        return [resolve(v) for v in value]
    if isinstance(value, tuple):
        return tuple(resolve(v) for v in value)
    if isinstance(value, dict):
        return {k: resolve(v) for k, v in value.items()}
    return value


class D:
    """A bad value derived from the parameter's valid value (same length, one element bad)."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        self.make = make


def _flat(value: Any) -> list[Any]:
    return list(np.asarray(value).ravel().tolist())


def _last(value: Any, bad: Any) -> list[Any]:
    out: list[Any] = _flat(value)
    out[-1] = bad
    return out


# --- bad values per parameter kind ----------------------------------------------------------
NAN, INF = float("nan"), float("inf")

_FLOAT_TYPES = [
    ("nan", NAN, RAISE),
    ("inf", INF, RAISE),
    ("-inf", -INF, RAISE),
    ("str", "0.5", RAISE),
    ("bool", True, RAISE),
    ("list", [0.5], RAISE),
]
_NONE = [("none", None, RAISE)]
_INT_TYPES = [
    ("float", 1.5, RAISE),
    ("str", "3", RAISE),
    ("bool", True, RAISE),
    ("nan", NAN, RAISE),
]

KINDS: dict[str, list[tuple[str, Any, str]]] = {
    # a finite real number, any sign
    "float": [*_FLOAT_TYPES, ("huge", 1e300, EITHER), ("-huge", -1e300, EITHER)],
    # finite and > 0
    "pos": [
        *_FLOAT_TYPES,
        ("zero", 0.0, RAISE),
        ("neg", -1.0, RAISE),
        ("huge", 1e300, EITHER),
        ("tiny", 1e-300, EITHER),
    ],
    # finite and >= 0
    "nonneg": [*_FLOAT_TYPES, ("neg", -1.0, RAISE), ("huge", 1e300, EITHER)],
    # a probability in [0, 1]
    "prob": [*_FLOAT_TYPES, ("neg", -0.1, RAISE), ("gt1", 1.5, RAISE)],
    # strictly inside (0, 1): confidence levels, shares that must not be 0 or 1
    "unit": [*_FLOAT_TYPES, ("zero", 0.0, RAISE), ("one", 1.0, RAISE), ("gt1", 1.5, RAISE)],
    # an integer >= 1 (a size or count); huge values are either refused or computed
    "int1": [*_INT_TYPES, ("zero", 0, RAISE), ("neg", -1, RAISE)],
    # an integer >= 0
    "int0": [*_INT_TYPES, ("neg", -1, RAISE)],
    # runs, weeks, samples, bootstrap replicates, members: 10**12 must be refused (memory or
    # time estimate), never started
    "runs": [*_INT_TYPES, ("zero", 0, RAISE), ("neg", -1, RAISE), ("1e12", 10**12, RAISE)],
    "runs0": [*_INT_TYPES, ("neg", -1, RAISE), ("1e12", 10**12, RAISE)],
    # an array of finite floats (any sign); element cases keep the valid call's length
    "farr": [
        ("nan_elem", D(lambda a: _last(a, NAN)), RAISE),
        ("inf_elem", D(lambda a: _last(a, INF)), RAISE),
        ("str_elem", D(lambda a: ["a"] * len(_flat(a))), RAISE),
        ("2d", D(lambda a: [_flat(a)]), EITHER),
        ("str", "abc", RAISE),
        ("dict", {"a": 1}, RAISE),
    ],
    # an array of finite floats >= 0
    "nnarr": [
        ("nan_elem", D(lambda a: _last(a, NAN)), RAISE),
        ("inf_elem", D(lambda a: _last(a, INF)), RAISE),
        ("neg_elem", D(lambda a: _last(a, -1.0)), RAISE),
        ("str_elem", D(lambda a: ["a"] * len(_flat(a))), RAISE),
        ("2d", D(lambda a: [_flat(a)]), EITHER),
        ("str", "abc", RAISE),
        ("huge_elem", D(lambda a: _last(a, 1e300)), EITHER),
    ],
    # an array of counts (integers >= 0)
    "carr": [
        ("nan_elem", D(lambda a: _last(a, NAN)), RAISE),
        ("neg_elem", D(lambda a: _last(a, -1)), RAISE),
        ("frac_elem", D(lambda a: _last(a, _flat(a)[-1] + 0.5)), RAISE),
        ("str_elem", D(lambda a: ["a"] * len(_flat(a))), RAISE),
        ("huge_elem", D(lambda a: _last(a, 1e300)), RAISE),
        ("2d", D(lambda a: [_flat(a)]), EITHER),
        ("str", "abc", RAISE),
    ],
    # an rng value
    "rng": [
        ("neg", -1, RAISE),
        ("str", "abc", RAISE),
        ("float", 1.5, RAISE),
        ("bool", True, RAISE),
        ("list", [1, 2], RAISE),
    ],
    # an executor
    "executor": [("str", "abc", RAISE), ("obj", L(object), RAISE), ("int", 2, RAISE)],
    # batch_size (None allowed)
    "batch": [
        ("zero", 0, RAISE),
        ("neg", -1, RAISE),
        ("nan", NAN, RAISE),
        ("float", 1.5, RAISE),
        ("str", "2", RAISE),
        ("bool", True, RAISE),
    ],
    # one of a fixed set of strings
    "choice": [("bad", "no-such-option", RAISE), ("int", 1, RAISE), ("list", ["a"], RAISE)],
    # progress=
    "progress": [("str", "yes", RAISE), ("int", 2, RAISE)],
    # a callable argument
    "callable": [("str", "abc", RAISE), ("int", 1, RAISE)],
    # an object of a given type (a model, a rule, a fit)
    "obj": [("str", "abc", RAISE), ("int", 1, RAISE), ("dict", {}, RAISE)],
    # a flag ("no" is truthy: a string silently read as True)
    "bool": [("str", "no", RAISE)],
    # free text
    "str": [("int", 1, RAISE), ("list", ["a"], RAISE)],
    # a file or store path that must exist
    "path": [("missing", L(lambda: _missing_path()), RAISE), ("int", 5, RAISE)],
    # a path to be written (a new file or store)
    "wpath": [("int", 5, RAISE), ("list", ["a"], RAISE)],
}
# more values per kind for the long run (benchmarks/bench_walk.py), not in CI
_MORE_FLOAT = [
    ("np_nan32", np.float32("nan"), RAISE),
    ("nan_str", "nan", RAISE),
    ("complex", 1 + 0j, RAISE),
    ("np_bool", np.bool_(True), RAISE),
    ("subnormal", 5e-324, EITHER),
    ("0d_array", L(lambda: np.array(0.5)), EITHER),
]
_MORE_INT = [
    ("float_int", 3.0, RAISE),
    ("2**64", 2**64, RAISE),
    ("np_int", np.int64(3), EITHER),
    ("int_str", "3", RAISE),
]
_MORE_ARRAY = [
    ("empty", [], EITHER),
    ("object", L(lambda: np.array([1, None], dtype=object)), RAISE),
    ("nested_ragged", [[1.0], [1.0, 2.0]], RAISE),
    ("set", {1.0, 2.0}, RAISE),
    ("generator", L(lambda: (x for x in (1.0, 2.0))), EITHER),
]
MORE: dict[str, list[tuple[str, Any, str]]] = {
    **{k: _MORE_FLOAT for k in ("float", "pos", "nonneg", "prob", "unit")},
    **{k: _MORE_INT for k in ("int1", "int0", "runs", "runs0")},
    **{k: _MORE_ARRAY for k in ("farr", "nnarr", "carr")},
    "rng": [
        ("np_int", np.int64(3), EITHER),
        ("seedseq", L(lambda: np.random.SeedSequence(1)), EITHER),
        ("bitgen", L(lambda: np.random.PCG64(1)), EITHER),
        ("2**64", 2**64, EITHER),
    ],
    "choice": [("upper", "BRAND", RAISE), ("padded", " brand ", RAISE), ("empty", "", RAISE)],
}
# kinds never given None automatically (None is their default meaning)
NONE_OK = {"rng", "executor", "batch", "progress", "bool"}
# kinds whose errors may name the value's own parts (a graph's edge weights, a matrix)
ALSO_NAMED = {"graph": ("weight", "adjacency"), "adjacency": ("graph",)}


def _missing_path() -> str:
    import os
    import tempfile

    return os.path.join(tempfile.gettempdir(), "shequn-walk-no-such-dir", "missing.txt")


@dataclass(frozen=True)
class Case:
    """One call of one entry with one argument replaced (or the baseline call)."""

    id: str
    entry: Entry
    kwargs: dict[str, Any]
    expect: str
    fields: tuple[str, ...]
    timeout: float | None = None


@dataclass
class Entry:
    """A public callable, its valid call and the kind of each parameter."""

    path: str
    params: dict[str, tuple[Any, str | None]]
    on: Callable[[], Any] | None = None
    args: tuple[Any, ...] = ()
    check: Callable[[Any], str | None] | None = None
    nan_ok: frozenset[str] = frozenset()
    needs: tuple[str, ...] = ()
    extras: list[Case] = field(default_factory=list)
    # what the baseline call must do: VALID, or EITHER for a valid-but-extreme fixture that
    # may be refused with our error (a GammaGamma with q <= 1 has no mean spend)
    base_expect: str = VALID

    @property
    def short(self) -> str:
        return self.path.removeprefix("shequn.")

    @property
    def public(self) -> str:
        """The public name walked (a label after ``@`` marks a second fixture of it)."""
        return self.path.split("@")[0]

    @property
    def package(self) -> str:
        parts = self.short.split(".")
        return parts[0] if parts[0][:1].islower() else "shequn"

    def base(self) -> dict[str, Any]:
        return {k: v for k, (v, _) in self.params.items() if not isinstance(v, _Omit)}

    def cases(self, full: bool = False) -> list[Case]:
        out = [Case(f"{self.short}[valid]", self, self.base(), self.base_expect, ())]
        for name, (valid, kind) in self.params.items():
            if kind is None:
                continue
            base_kind = kind.rstrip("?")
            values = list(KINDS[base_kind])
            if not kind.endswith("?") and base_kind not in NONE_OK:
                values += _NONE
            if full:
                values += MORE.get(base_kind, [])
            for label, value, expect in values:
                if isinstance(value, D):
                    if valid is None:  # an optional array left out: nothing to derive from
                        continue
                    value = L(lambda d=value, v=valid: d.make(resolve(v)))
                kwargs = {**self.base(), name: value}
                fields = (name, *ALSO_NAMED.get(base_kind, ()))
                out.append(Case(f"{self.short}[{name}={label}]", self, kwargs, expect, fields))
        return out + self.extras

    def target(self) -> Callable[..., Any]:
        if self.on is not None:
            return getattr(self.on(), self.public.rsplit(".", 1)[1])  # type: ignore[no-any-return]
        return lookup(self.public)


class _Omit:
    """Marks a parameter left out of the baseline call (its default is used)."""


OMIT = _Omit()


def lookup(path: str) -> Any:
    """The object at ``a.b.c.Name[.attr]``: attributes first, submodules when there is none.

    (``shequn.simulation.step`` is the function the package exports, not the module.)
    """
    parts = path.split(".")
    obj: Any = importlib.import_module(parts[0])
    for i, p in enumerate(parts[1:], start=2):
        try:
            obj = getattr(obj, p)
        except AttributeError:
            try:  # a module its package shadows with a function of the same name
                # (shequn.records.health.membership_effect: records.health is the function)
                obj = getattr(importlib.import_module(".".join(parts[: i - 1])), p)
            except (ImportError, AttributeError):
                obj = importlib.import_module(".".join(parts[:i]))
    return obj


# --- what a result may hold -----------------------------------------------------------------
# fields that mean "not computed" when NaN (documented sentinels), never a silent failure
NAN_OK = frozenset(
    {
        "p_value",
        "p_value_se",
        "spread",
        "spread_se",
        "lower_bound",
        "epsilon",
        "confidence",
        "seconds",
        "bootstrap",
    }
)


def nonfinite(
    value: Any, path: str = "result", nan_ok: frozenset[str] = NAN_OK, depth: int = 0
) -> str | None:
    """The path of the first NaN or inf inside ``value`` (attrs fields, mappings, sequences).

    ``"result"`` in ``nan_ok`` allows a NaN scalar result (a documented "undefined").
    """
    import attrs

    if depth > 5 or (depth == 0 and path in nan_ok):
        return None
    if isinstance(value, bool | np.bool_ | str | bytes):
        return None
    if isinstance(value, float | np.floating):
        return None if math.isfinite(float(value)) else f"{path} = {value}"
    if isinstance(value, complex):
        return None if math.isfinite(abs(value)) else f"{path} = {value}"
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and value.size:
            bad = ~np.isfinite(value)
            if bad.any():
                return f"{path}: {int(bad.sum())} of {value.size} values not finite"
        if value.dtype == object:
            for i, v in enumerate(value.ravel()[:200]):
                r = nonfinite(v, f"{path}[{i}]", nan_ok, depth + 1)
                if r:
                    return r
        return None
    if attrs.has(type(value)):
        for f in attrs.fields(type(value)):
            if f.name in nan_ok:
                continue
            r = nonfinite(getattr(value, f.name), f"{path}.{f.name}", nan_ok, depth + 1)
            if r:
                return r
        return None
    if isinstance(value, Mapping):
        for k, v in list(value.items())[:1000]:
            if k in nan_ok:
                continue
            r = nonfinite(v, f"{path}[{k!r}]", nan_ok, depth + 1)
            if r:
                return r
        return None
    if isinstance(value, list | tuple):
        for i, v in enumerate(value[:1000]):
            r = nonfinite(v, f"{path}[{i}]", nan_ok, depth + 1)
            if r:
                return r
    return None


def names_field(message: str, fields: tuple[str, ...]) -> bool:
    """Whether ``message`` names one of ``fields`` inside a backticked ``Owner.field``."""
    return any(re.search(r"`[^`]*\b" + re.escape(f) + r"\b[^`]*`", message) for f in fields)


def _short(text: str, n: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def run_case(case: Case) -> dict[str, str]:
    """Run one case in this process and classify the outcome (see the module docstring)."""
    from shequn.exceptions import ConvergenceError, InvalidParameterError

    entry = case.entry
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn = entry.target()
            args = tuple(resolve(a) for a in entry.args)
            kwargs = {k: resolve(v) for k, v in case.kwargs.items()}
            result = fn(*args, **kwargs)
            bad = nonfinite(result, nan_ok=NAN_OK | entry.nan_ok)
            if bad is None and entry.check is not None:
                bad = entry.check(result)
    except InvalidParameterError as exc:
        msg = str(exc)
        if case.expect == VALID:
            return {"outcome": "refused", "detail": _short(msg)}
        named = names_field(msg, case.fields)
        if case.expect == EITHER:  # a valid-but-extreme input may be refused for any field
            named = named or re.search(r"`[^`]+` must", msg) is not None
        if not named and hasattr(exc, "key") and hasattr(exc, "file"):
            # a ScenarioError names the file and the key path inside it (io.scenario's form)
            key = tuple(getattr(exc, "key", ()))
            named = bool({"text", "path", "data"} & set(case.fields)) or any(
                f in key for f in case.fields
            )
        if named:
            return {"outcome": "ours", "detail": _short(msg)}
        return {"outcome": "unnamed", "detail": _short(msg)}
    except ConvergenceError as exc:
        if case.expect == EITHER:
            return {"outcome": "ours", "detail": _short(str(exc))}
        return {"outcome": "other:ConvergenceError", "detail": _short(str(exc))}
    except SystemExit as exc:  # argparse: exit 2 is the CLI's documented "bad input"
        if entry.public == "shequn.cli.main" and exc.code == 2 and case.expect != VALID:
            return {"outcome": "ours", "detail": "exit 2"}
        return {"outcome": "other:SystemExit", "detail": f"exit {exc.code}"}
    except MemoryError as exc:
        return {"outcome": "other:MemoryError", "detail": _short(str(exc))}
    except (Exception, RecursionError) as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {tb[-1].filename.rsplit('/', 2)[-1]}:{tb[-1].lineno}" if tb else ""
        return {"outcome": f"other:{type(exc).__name__}", "detail": _short(f"{exc}{where}")}
    if bad is not None:
        return {"outcome": "nan", "detail": _short(bad)}
    if case.expect == RAISE:
        return {"outcome": "accepted", "detail": _short(f"returned {type(result).__name__}")}
    return {"outcome": "ok", "detail": ""}


def passed(case: Case, outcome: str) -> bool:
    """Whether ``outcome`` is what ``case`` expects."""
    return outcome in PASSES[case.expect]
