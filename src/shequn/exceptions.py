"""Exceptions and warnings raised by shequn.

Every error shequn raises on purpose derives from :class:`ShequnError`, so a caller can catch
the library's errors in one place while ordinary Python errors keep their usual types:

* :class:`InvalidParameterError` (also a :class:`ValueError`) for bad input. Its message names
  the class or function, the field, the rule and the offending value, for example
  ``"`Content.quality` must be in [0, 1]; got 1.2"``.
* :class:`ConvergenceError` (also a :class:`RuntimeError`) when a numerical method fails; the
  message says what to try.
* :class:`ShequnWarning` for results that are computed but deserve attention.

Examples
--------
>>> from shequn.exceptions import InvalidParameterError, ShequnError
>>> issubclass(InvalidParameterError, ValueError) and issubclass(InvalidParameterError, ShequnError)
True
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "InvalidParameterError",
    "ShequnDeprecationWarning",
    "ShequnError",
    "ShequnWarning",
]


class ShequnError(Exception):
    """Base class of every error shequn raises deliberately."""


class InvalidParameterError(ShequnError, ValueError):
    """An argument or field violates a documented rule.

    The message names the owner (class or function), the field, the rule and the value.
    """


class ConvergenceError(ShequnError, RuntimeError):
    """A numerical method did not converge; the message says what to try."""


class ShequnWarning(UserWarning):
    """A result was produced but deserves the user's attention."""


class ShequnDeprecationWarning(DeprecationWarning):
    """A public name or form that still works but will go; the message names the replacement.

    A subclass of :class:`DeprecationWarning`, so the usual filters apply; shequn's own test
    suite turns it into an error, so no internal caller uses a deprecated path.
    """
