"""``python -m compare [SUBCOMMAND]``: parity, training, the student check, explain and the bench.

Subcommands live in their own subpackages and are imported only when named, so
``--help`` and usage errors import no framework. ``python -m compare`` with no
subcommand is ``python -m compare parity``.

Exit codes: 0 everything agrees, 1 something differs, 2 bad usage or bad input
(one line on stderr, no traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from collections.abc import Sequence

from compare.options import EXIT_OK, EXIT_USAGE, error_line
from compare.registry import imported_modules
from core.errors import InputError, did_you_mean

# name -> module with main(argv) -> int
SUBCOMMANDS: dict[str, str] = {
    "parity": "compare.parity.command",
    "train": "compare.training.command",
    "check": "compare.students.check",
    "explain": "compare.students.explain",
    "bench": "compare.bench.command",
}
DEFAULT_SUBCOMMAND = "parity"
EXIT_INTERRUPTED = 130
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what the shell reports for any command whose reader went away

# Top-level imports of the project's dependencies: a missing one is an install problem.
DEPENDENCIES = imported_modules() | {"numpy", "safetensors", "sklearn", "rich", "matplotlib", "scipy", "threadpoolctl"}


def version() -> str:
    """``backprop-parity X.Y.Z`` (the installed distribution's version, else pyproject.toml's)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return f"backprop-parity {installed('backprop-parity')}"
    except PackageNotFoundError:
        import tomllib
        from pathlib import Path

        with open(Path(__file__).resolve().parents[1] / "pyproject.toml", "rb") as f:
            return f"backprop-parity {tomllib.load(f)['project']['version']}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the subcommand ``argv[0]`` names (default: parity) and return its exit code.

    ``--version`` prints the project's version (``python -m compare bench`` prints the frameworks'). Ctrl-C ends
    any run with one line and exit code 130 (128 + SIGINT, the shell's convention).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--version"]:
        print(version())
        return EXIT_OK
    named = bool(args) and args[0] in SUBCOMMANDS
    subcommand = args[0] if named else DEFAULT_SUBCOMMAND
    prog = "python -m compare" + (f" {subcommand}" if named else "")
    if args and not named and not args[0].startswith("-"):  # parity takes no positional argument
        hint = did_you_mean(args[0], SUBCOMMANDS)
        sys.stderr.write(error_line(prog, f"unknown subcommand {args[0]!r}{hint}; choose from {', '.join(SUBCOMMANDS)}"))
        return EXIT_USAGE
    try:
        return _run(subcommand, args[1:] if named else args, prog)
    except KeyboardInterrupt:
        sys.stderr.write(error_line(prog, "interrupted (Ctrl-C); nothing more was written"))
        return EXIT_INTERRUPTED


def _run(subcommand: str, args: list[str], prog: str) -> int:
    try:
        with warnings.catch_warnings():
            # NumPy's overflow warnings: the reports say which numbers are not finite, on stdout; stderr stays one line
            warnings.simplefilter("ignore", RuntimeWarning)
            return int(importlib.import_module(SUBCOMMANDS[subcommand]).main(args, prog=prog))
    except InputError as exc:
        sys.stderr.write(error_line(prog, str(exc)))
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in DEPENDENCIES:
            raise  # a bug in the project, not an install problem
        sys.stderr.write(error_line(prog, f"{exc.name} is not installed (pip install -c constraints.txt -e '.[test]')"))
        return EXIT_USAGE
    except BrokenPipeError:
        from compare.output import stdout_closed

        if not stdout_closed():
            raise  # another pipe (a worker's): a bug, not the reader going away
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush at exit must not fail again
        return EXIT_PIPE_CLOSED  # the reader (| head) has what it wanted; no verdict, no line on stderr
    except OSError as exc:  # the file system said no (disk full, permissions) after the up-front checks
        sys.stderr.write(error_line(prog, str(exc)))
        return EXIT_USAGE
