"""The one exception type every public entry point raises for bad input.

``InputError`` subclasses ``ValueError``, so ``except ValueError`` still works.
Messages are one line and name what was wrong: the parameter, the expected
value or shape and the received one. The CLI prints the message and exits 2.
"""


class InputError(ValueError):
    """Bad input: a malformed spec, weights file, data file or argument."""
