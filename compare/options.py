"""The CLI's shared vocabulary: exit codes, the one-line-error parser, argument types and the common options.

Every subcommand builds its parser from :class:`ArgumentParser` with the parents
made here, so ``--arch``, ``--weights``, ``--data``, ``--seed``, ``--dtype`` and
``--frameworks`` read and check the same way everywhere.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from compare import registry
from compare.registry import NAMES, REFERENCE
from core.errors import InputError

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2
DTYPES = {"float32": ("float32",), "float64": ("float64",), "both": ("float64", "float32")}


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` and exit 2."""
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(EXIT_USAGE)


def name_list(choices: Sequence[str], what: str) -> Callable[[str], tuple[str, ...]]:
    """An argparse type: ``"a,b"`` -> ``("a", "b")``, each one of ``choices``, duplicates dropped."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
        unknown = [n for n in names if n not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(unknown) or '(none)'}; choose from {','.join(choices)}")
        return names

    return parse


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def number_at_least(minimum: float, inclusive: bool) -> Callable[[str], float]:
    """An argparse type for a finite number > minimum (or >= minimum when ``inclusive``)."""
    relation = ">=" if inclusive else ">"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number {relation} {minimum:g}, got {text!r}") from None
        if not (value >= minimum if inclusive else value > minimum) or value == float("inf"):
            raise argparse.ArgumentTypeError(f"expected a finite number {relation} {minimum:g}, got {text}")
        return value

    return parse


positive_float = number_at_least(0.0, inclusive=False)
non_negative_float = number_at_least(0.0, inclusive=True)
_known_frameworks = name_list(NAMES, "framework")


def frameworks_arg(text: str) -> tuple[str, ...]:
    """An argparse type: ``"scratch,torch"`` -> ``("scratch", "torch")``, each registered and installed."""
    names = _known_frameworks(text)
    try:
        return registry.check_installed(names)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def case_options(
    arch_default: str, seed_help: str = "seed for initial weights of cases without published ones (default 0)"
) -> ArgumentParser:
    """``--arch`` (repeatable), ``--weights``, ``--data``, ``--seed``: which networks, weights and data to run."""
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--arch",
        action="append",
        metavar="NAME|SPEC",
        help=f"a built-in case name or a SPEC like 2-4-3:relu,softmax:cce (repeatable; default: {arch_default})",
    )
    parent.add_argument("--weights", metavar="FILE", help="canonical W1,b1,... in .safetensors or .npz (default: the case's own)")
    parent.add_argument("--data", metavar="FILE", help=".npz with X (m, n_0) and y (required with a SPEC)")
    parent.add_argument("--seed", type=int, default=0, help=seed_help)
    return parent


def frameworks_option() -> ArgumentParser:
    """``--frameworks``: a comma-separated subset of the registry; scratch always runs."""
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--frameworks",
        type=frameworks_arg,
        default=registry.available(),
        metavar="LIST",
        help=f"comma-separated subset of {','.join(NAMES)} (default: every one installed; {REFERENCE} always runs)",
    )
    return parent


def threads_option() -> ArgumentParser:
    """``--threads N``: compute threads per framework (default: compare.threads' rule, 1 for small nets)."""
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "--threads",
        type=positive_int,
        metavar="N",
        help="compute threads for each framework (default: 1 for nets this small, else every CPU)",
    )
    return parent


def dtype_option(default: str) -> ArgumentParser:
    """``--dtype float32|float64|both``."""
    parent = ArgumentParser(add_help=False)
    parent.add_argument("--dtype", choices=tuple(DTYPES), default=default, help=f"default: {default}")
    return parent
