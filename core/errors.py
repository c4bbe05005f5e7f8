"""The one exception type every public entry point raises for bad input, and the one name lookup that raises it.

``InputError`` subclasses ``ValueError``, so ``except ValueError`` still works.
Messages are one line and name what was wrong: the parameter, the expected
value or shape and the received one. The CLI prints the message and exits 2.
"""

from __future__ import annotations

from collections.abc import Mapping
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
        raise InputError(f"unknown {what} {name!r}; choose from {', '.join(table)}")
    return table[name]
