"""``python -m compare check FILE.py[:FUNCTION] --arch NAME|SPEC``: is a student's backprop right?

Runs the student's function (docs/students.md gives its signature) on the built-in
cases of the architecture, compares its loss and gradients with scratch, PyTorch and
Keras in float64, and on a mismatch prints hints that name the lecture equation.

Exit codes: 0 correct, 1 wrong (with hints), 2 bad usage or input (one line on stderr).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from compare.options import EXIT_MISMATCH, EXIT_OK, ArgumentParser, frameworks_option, seed_arg
from compare.output import MARK, check_json, versions, versions_line
from compare.students.conventions import CONVENTIONS

if TYPE_CHECKING:
    from compare.students.student import CheckResult


def build_parser(prog: str = "python -m compare check") -> ArgumentParser:
    """The ``check`` parser."""
    parser = ArgumentParser(
        prog=prog,
        parents=[frameworks_option()],
        description="Check your own backprop function against scratch, PyTorch and Keras; on a mismatch, "
        "get a hint naming the lecture equation. Your function: backprop(params, X, y) -> (loss, grads) "
        "(see docs/students.md). This runs the code in FILE.",
        epilog="Exit codes: 0 correct, 1 wrong (hints printed), 2 bad usage or input.",
    )
    parser.add_argument("target", metavar="FILE.py[:FUNCTION]", help="your file and function (default function: backprop)")
    parser.add_argument(
        "--arch",
        required=True,
        metavar="NAME|SPEC",
        help="a built-in case (e.g. worked-2-2-2) or a SPEC (e.g. 2-4-3:relu,softmax:cce: every built-in case with it)",
    )
    parser.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default="canonical",
        help="the layout your function uses: canonical (X (m, n0), W (n_l, n_l-1), b (n_l,)); "
        "columns (ED5340 L26: X (n0, m), b (n_l, 1), Y (n_L, m)); rows (Session-5 backprop: X (m, n0), W (in, out), b (1, out)). "
        "Default: canonical",
    )
    parser.add_argument("--seed", type=seed_arg, default=0, help="seed for weights of cases without published ones (default 0)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _cell(check) -> str:
    if math.isinf(check.max_rel_err) and math.isinf(check.max_abs_err):
        return f"{MARK[False]} shape"
    return f"{MARK[check.passed]} {check.max_rel_err:.1e}"


def render_text(result) -> None:
    """Per case, a table of the student's loss and gradients against each framework; then the hints."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(f"check {result.target} ({result.convention} layout), float64, tolerances of compare/tolerances.py")
    for case in result.cases:
        table = Table(
            title=f"{case.case}  [{case.spec}]  m = {case.m}  {'✓ correct' if case.passed else '✗ wrong'}",
            title_justify="left",
            caption="your value against each framework: max relative error",
            caption_justify="left",
        )
        table.add_column("your value")
        frameworks = list(dict.fromkeys(c.framework for c in case.checks))
        for fw in frameworks:
            table.add_column(fw)
        quantities = list(dict.fromkeys(c.quantity for c in case.checks))
        for q in quantities:
            row = {c.framework: _cell(c) for c in case.checks if c.quantity == q}
            table.add_row(q, *(row[fw] for fw in frameworks))
        console.print(table)
    hints = result.hints
    if hints:
        console.print("hints:")
        for hint in hints:
            console.print(f"  - {hint.message}", soft_wrap=True)
    console.print(
        "result: "
        + (
            "correct: loss and gradients agree with every framework"
            if result.passed
            else "WRONG: see the hints above (docs/students.md explains each)"
        )
    )
    console.print(versions_line(), soft_wrap=True)


def to_json(result: CheckResult) -> dict[str, Any]:
    """The ``--format json`` object (shape in docs/students.md)."""
    return {
        "target": result.target,
        "convention": result.convention,
        "passed": result.passed,
        "cases": [
            {
                "name": case.case,
                "spec": str(case.spec),
                "m": case.m,
                "passed": case.passed,
                "checks": [check_json(c) for c in case.checks],
            }
            for case in result.cases
        ],
        "hints": [{"key": h.key, "params": list(h.params), "message": h.message} for h in result.hints],
        "versions": versions(),
    }


def main(argv: Sequence[str], prog: str = "python -m compare check") -> int:
    """Check the student's file; 0 correct, 1 wrong."""
    args = build_parser(prog).parse_args(list(argv))
    from compare.students.student import check_file

    result = check_file(args.target, args.arch, args.convention, args.frameworks, args.seed)
    if args.format == "json":
        from compare.output import dumps

        print(dumps(to_json(result), indent=2))
    else:
        render_text(result)
    return EXIT_OK if result.passed else EXIT_MISMATCH
