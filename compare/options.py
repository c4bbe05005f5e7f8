"""The CLI's shared vocabulary: exit codes, the one-line-error parser, argument types and the common options.

Every subcommand builds its parser from :class:`ArgumentParser` with the parents
made here, so ``--arch``, ``--weights``, ``--data``, ``--seed``, ``--dtype`` and
``--frameworks`` read and check the same way everywhere.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from compare import registry
from compare.registry import LOOPS, NAMES, REFERENCE
from core import limits
from core.errors import InputError
from core.validate import MAX_SEED

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2
DTYPES = {"float32": ("float32",), "float64": ("float64",), "both": ("float64", "float32")}


def one_line(message: str) -> str:
    """``message`` on one line: line breaks and other control characters written as Python escapes (a newline as two characters).

    An error names the value it received, and a value (a path, an argument) may hold a newline.
    """
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in message)


def error_line(prog: str, message: str) -> str:
    """The one line every error prints: ``prog: error: message``."""
    return one_line(f"{prog}: error: {message}") + "\n"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` on one line and exit 2."""
        sys.stderr.write(error_line(self.prog, message))
        sys.exit(EXIT_USAGE)


def name_list(choices: Sequence[str], what: str) -> Callable[[str], tuple[str, ...]]:
    """An argparse type: ``"a,b"`` -> ``("a", "b")``, each one of ``choices``, duplicates dropped."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
        unknown = [n for n in names if n not in choices]
        if not names:
            raise argparse.ArgumentTypeError(f"expected at least one {what}, got an empty list; choose from {','.join(choices)}")
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(unknown)}; choose from {','.join(choices)}")
        return names

    return parse


def int_in(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type for an integer in ``[low, high]`` (no upper bound when ``high`` is None)."""
    expected = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
        return value

    return parse


positive_int = int_in(1)  # an integer >= 1
non_negative_int = int_in(0)  # an integer >= 0
seed_arg = int_in(0, MAX_SEED)  # what NumPy's RandomState takes


def positive_int_list(text: str) -> tuple[int, ...]:
    """An argparse type: ``"4,16"`` -> ``(4, 16)``, each an integer >= 1."""
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, got {text!r}")
    return values


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


def fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1 (a share of the rows)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1), got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1), got {text}")
    return value


positive_float = number_at_least(0.0, inclusive=False)
non_negative_float = number_at_least(0.0, inclusive=True)
_known_frameworks = name_list(NAMES, "framework")
_known_trainers = name_list((*NAMES, *LOOPS), "framework")


def frameworks_arg(text: str) -> tuple[str, ...]:
    """An argparse type: ``"scratch,torch"`` -> ``("scratch", "torch")``, each registered and installed."""
    return _installed(_known_frameworks(text))


def trainers_arg(text: str) -> tuple[str, ...]:
    """As :func:`frameworks_arg`, the training loops of their own (registry.LOOPS) accepted too."""
    return _installed(_known_trainers(text))


def _installed(names: tuple[str, ...]) -> tuple[str, ...]:
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
    parent.add_argument("--seed", type=seed_arg, default=0, help=seed_help)
    return parent


def frameworks_option(loops: bool = False) -> ArgumentParser:
    """``--frameworks``: a comma-separated subset of the registry; scratch always runs.

    ``loops``: the training loops of their own (registry.LOOPS, ``model.fit``, a ``DataLoader``
    loop) may be named too; they run only when named.
    """
    parent = ArgumentParser(add_help=False)
    names = (*NAMES, *LOOPS) if loops else NAMES
    also = f"; {', '.join(LOOPS)} only when named" if loops else ""
    parent.add_argument(
        "--frameworks",
        type=trainers_arg if loops else frameworks_arg,
        default=registry.available(),
        metavar="LIST",
        help=f"comma-separated subset of {','.join(names)} (default: every one installed{also}; {REFERENCE} always runs)",
    )
    return parent


def quiet_option() -> ArgumentParser:
    """``--quiet``: no progress lines on stderr (compare.progress); the report and errors are unchanged."""
    parent = ArgumentParser(add_help=False)
    parent.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress lines on stderr (what is loading, n/N done and the time left); errors still show",
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


NET_LIMITS = ("params", "activations", "layers", "batch")
FILE_LIMITS = ("file_bytes", "members", "compression_ratio")


FORMAT_ALIASES = {"table": "text"}  # the name parity, train and bench used for text before


def format_option(*formats: str) -> ArgumentParser:
    """``--format text|FORMATS...`` (default text) and ``--output FILE``, the same words in every subcommand.

    ``text`` is the human-readable form everywhere; ``--output`` is read by compare.output.report_to.
    ``table`` is still accepted and means ``text``.
    """

    def parse(value: str) -> str:
        return FORMAT_ALIASES.get(value, value)

    parent = ArgumentParser(add_help=False)
    choices = ("text", *formats)
    parent.add_argument("--format", type=parse, choices=choices, default="text", help=f"{' | '.join(choices)} (default: text)")
    parent.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of stdout, once it is complete (announced on stderr; "
        "nothing is written when the run stops with an error)",
    )
    return parent


def limits_option(*names: str) -> ArgumentParser:
    """``--max-params N`` ... for the limits ``names`` (core.limits): each raises one limit deliberately."""
    parent = ArgumentParser(add_help=False)
    group = parent.add_argument_group("limits (docs/limits.md); refused before anything is allocated")
    for name in names:
        default = getattr(limits.DEFAULT, name)
        group.add_argument(
            limits.flag(name),
            type=positive_int,
            default=default,
            metavar="N",
            help=f"largest {limits.DESCRIPTIONS[name]} (default {default:,})",
        )
    return parent


def limits_from(args: argparse.Namespace) -> limits.Limits:
    """The limits the parsed ``--max-*`` flags set; the others keep their defaults."""
    given = {name: getattr(args, f"max_{name}") for name in limits.NAMES if hasattr(args, f"max_{name}")}
    return dataclasses.replace(limits.DEFAULT, **given)


def given_options(parser: argparse.ArgumentParser, argv: Sequence[str], args: argparse.Namespace) -> set[str]:
    """The destinations (``block_ms``) of the options ``argv`` gives, abbreviated or not (``args``: its parse).

    argparse fills in a default only where the namespace lacks the attribute, so parsing again
    into a namespace that holds None for each leaves None on those not given (an ``append`` or
    ``count`` action starts from None too; no option here parses to None).
    """
    probe = parser.parse_args(argv, namespace=argparse.Namespace(**dict.fromkeys(vars(args))))
    return {dest for dest, value in vars(probe).items() if value is not None}
