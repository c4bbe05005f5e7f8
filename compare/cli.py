"""``python -m compare``: parity of scratch, torch and keras on the built-in cases or your own.

Subcommands (``python -m compare SUBCOMMAND --help``) live in their own modules
and are imported only when named, so ``--help`` and usage errors import no framework.

Exit codes: 0 everything agrees, 1 something differs, 2 bad usage or bad input
(one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from scratch.errors import InputError

FRAMEWORKS = ("scratch", "torch", "keras")
DTYPES = {"float32": ("float32",), "float64": ("float64",), "both": ("float64", "float32")}
# name -> module with main(argv) -> int
SUBCOMMANDS: dict[str, str] = {
    "check": "compare.check",
    "explain": "compare.explain",
    "bench": "compare.bench",
    "train": "compare.train",
}

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(EXIT_USAGE)


def name_list(choices: Sequence[str], what: str):
    """An argparse type: ``"a,b"`` -> ``("a", "b")``, each one of ``choices``, duplicates dropped."""
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
        unknown = [n for n in names if n not in choices]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(unknown) or '(none)'}; choose from {','.join(choices)}")
        return names

    return parse


# ``"scratch,torch"`` -> ``("scratch", "torch")``; scratch is always run (it is the reference).
frameworks_arg = name_list(FRAMEWORKS, "framework")


def build_parser() -> ArgumentParser:
    from compare.cases import CASES

    parser = ArgumentParser(
        prog="python -m compare",
        description="Load one set of weights into the NumPy-from-scratch, PyTorch and Keras 3 MLPs and show, "
        "number by number, that outputs, losses and gradients agree.",
        epilog=f"built-in cases: {', '.join(CASES)}. "
        + (f"subcommands: {', '.join(SUBCOMMANDS)} (python -m compare SUBCOMMAND --help). " if SUBCOMMANDS else "")
        + "Exit codes: 0 all agree, 1 something differs, 2 bad usage or input.",
    )
    parser.add_argument("--arch", action="append", metavar="NAME|SPEC",
                        help="a built-in case name or a SPEC like 2-4-3:relu,softmax:cce (repeatable; default: every built-in case)")
    parser.add_argument("--weights", metavar="FILE", help="canonical W1,b1,... in .safetensors or .npz (default: the case's own)")
    parser.add_argument("--data", metavar="FILE", help=".npz with X (m, n_0) and y (required with a SPEC)")
    parser.add_argument("--dtype", choices=tuple(DTYPES), default="both", help="default: both")
    parser.add_argument("--frameworks", type=frameworks_arg, default=FRAMEWORKS, metavar="LIST",
                        help="comma-separated subset of scratch,torch,keras (default: all)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--seed", type=int, default=0, help="seed for initial weights of cases without published ones (default 0)")
    parser.add_argument("--save-weights", metavar="DIR", help="write each case's initial weights to DIR/<case>.safetensors")
    return parser


def load_cases(args: argparse.Namespace) -> list:
    """The cases the arguments ask for, with --weights / --data applied."""
    from compare.cases import CASES, custom_case, get_case
    from compare.files import load_data, load_weights
    from scratch.spec import parse_spec

    weights = load_weights(args.weights) if args.weights else None
    data = load_data(args.data) if args.data else None
    cases = []
    for arch in args.arch or list(CASES):
        if arch in CASES:
            case = get_case(arch, args.seed)
            if weights is not None:
                case.params = weights
            if data is not None:
                case.X, case.y = data
        elif ":" in arch:
            parse_spec(arch)  # a malformed spec is the first thing to report
            if data is None:
                raise InputError(f"--arch {arch}: a SPEC needs --data FILE (an .npz with X and y)")
            case = custom_case(arch, data[0], data[1], weights, args.seed)
        else:
            raise InputError(f"--arch {arch!r} is neither a built-in case ({', '.join(CASES)}) nor a SPEC like 2-4-3:relu,softmax:cce")
        cases.append(case)
    return cases


def run_parity(args: argparse.Namespace) -> int:
    from compare.files import save_weights, writable_dir
    from compare.harness import run_case

    cases = load_cases(args)
    if args.save_weights:
        directory = writable_dir(args.save_weights, "--save-weights")
        for case in cases:
            save_weights(directory / f"{case.name.replace(':', '_').replace(',', '_')}.safetensors", case.params)
    results = [run_case(case, dtype, args.frameworks) for case in cases for dtype in DTYPES[args.dtype]]
    from compare import report

    if args.format == "json":
        print(report.dumps(results))
    else:
        report.render_table(results)
    return EXIT_OK if all(r.passed for r in results) else EXIT_MISMATCH


# Top-level imports of the project's dependencies: a missing one is an install problem.
DEPENDENCIES = frozenset({"numpy", "torch", "tensorflow", "keras", "safetensors", "sklearn", "rich", "matplotlib", "scipy",
                          "threadpoolctl"})


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    subcommand = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    prog = "python -m compare" + (f" {subcommand}" if subcommand else "")
    try:
        if subcommand:
            return importlib.import_module(SUBCOMMANDS[subcommand]).main(argv[1:])
        return run_parity(build_parser().parse_args(argv))
    except InputError as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in DEPENDENCIES:
            raise  # a bug in the project, not an install problem
        sys.stderr.write(f"{prog}: error: {exc.name} is not installed (pip install -c constraints.txt -e '.[test]')\n")
        return EXIT_USAGE
    except OSError as exc:  # the file system said no (disk full, permissions) after the up-front checks
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return EXIT_USAGE
