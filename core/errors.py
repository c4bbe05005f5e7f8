"""The one exception type every public entry point raises for bad input, and the one name lookup that raises it.

``InputError`` subclasses ``ValueError``, so ``except ValueError`` still works.
Messages are one line and name what was wrong: the parameter, the expected
value or shape and the received one. The CLI prints the message and exits 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")


class InputError(ValueError):
    """Bad input: a malformed spec, weights file, data file or argument."""


def lookup(table: Mapping[str, T], name: str, what: str) -> T:
    """``table[name]``; every dispatch on a name goes through here, so none falls through to a default.

    Raises:
        InputError: ``name`` is not in ``table`` (the message names ``what`` and lists the choices).
    """
    if name not in table:
        raise InputError(f"unknown {what} {name!r}{did_you_mean(name, table)}; choose from {', '.join(table)}")
    return table[name]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the choice closest to ``name`` (difflib's ratio >= 0.6, case ignored), else ``""``."""
    names = list(choices)
    by_lower = {choice.lower(): choice for choice in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""
