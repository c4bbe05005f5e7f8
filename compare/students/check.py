"""``python -m compare check FILE.py[:FUNCTION] --arch NAME|SPEC``: is a student's backprop right?

Runs the student's function (docs/students.md gives its signature and the forms of
its return value) in a sandbox process on the cases of the architecture, compares its
loss and gradients with scratch, PyTorch and Keras in float64, and on a mismatch prints
hints that name the lecture equation and the first wrong quantity entry by entry.

Exit codes: 0 correct, 1 wrong (with hints), 2 bad usage or input, or student code that
crashes, exits or hangs (one line on stderr, with the student's file:line).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from compare.options import (
    EXIT_MISMATCH,
    EXIT_OK,
    ArgumentParser,
    format_option,
    frameworks_option,
    non_negative_float,
    positive_float,
    quiet_option,
    seed_arg,
)
from compare.output import MARK, check_json, console, report_to, versions, versions_line
from compare.students.conventions import CONVENTIONS
from compare.students.framework_check import DTYPES, STUDENT_FRAMEWORKS, TARGETS
from compare.students.l2 import FORMS
from core.errors import InputError

if TYPE_CHECKING:
    from compare.students.student import CaseCheck, CheckResult

PRINTED_LINES = 20  # lines of the student's own output shown in text mode (the JSON has all of it)


def build_parser(prog: str = "python -m compare check") -> ArgumentParser:
    """The ``check`` parser."""
    parser = ArgumentParser(
        prog=prog,
        parents=[frameworks_option(), format_option("json"), quiet_option()],
        description="Check your own backprop function against scratch, PyTorch and Keras; on a mismatch, "
        "get a hint naming the lecture equation. Your function: backprop(params, X, y) -> (loss, grads) "
        "(see docs/students.md). With --framework, check your own PyTorch or Keras code instead: "
        "build_model(), loss_fn, and optionally make_optimizer and train_step. This runs the code in FILE, in its own process.",
        epilog="Exit codes: 0 correct, 1 wrong (hints printed), 2 bad usage or input, or your code crashed, exited or hung.",
    )
    parser.add_argument(
        "target",
        metavar="FILE.py[:FUNCTION]",
        help="your file and function (default function: backprop); FILE.py:forward,cost,backward checks a chain",
    )
    parser.add_argument(
        "--arch",
        required=True,
        metavar="NAME|SPEC",
        help="a built-in case (e.g. worked-2-2-2) or a SPEC (e.g. 2-4-3:relu,softmax:cce: every built-in case with it, "
        "or your --data)",
    )
    parser.add_argument(
        "--framework",
        choices=tuple(STUDENT_FRAMEWORKS),
        help="check your own code in this framework (build_model, loss_fn, optionally make_optimizer, train_step) "
        "against the from-scratch net, instead of a NumPy backprop function",
    )
    parser.add_argument(
        "--dtype",
        choices=DTYPES,
        help="with --framework: the data's dtype, which your model must compute in, and the tolerances' "
        "(default: your model's own dtype: float32 if all its parameters are float32, else float64)",
    )
    parser.add_argument(
        "--targets",
        choices=TARGETS,
        help="with --framework, for a cce net: how y reaches your loss_fn: int64 class labels (m,) or one-hot rows (m, n_L) "
        "(default: labels)",
    )
    parser.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default="canonical",
        help="the layout your function uses: canonical (X (m, n0), W (n_l, n_l-1), b (n_l,)); "
        "columns (ED5340 L26: X (n0, m), b (n_l, 1), Y (n_L, m)); rows (Session-5 backprop: X (m, n0), W (in, out), b (1, out)). "
        "Default: canonical",
    )
    parser.add_argument(
        "--per-sample",
        action="store_true",
        help="call your function once per sample, with the convention's single-sample shapes (columns: x (n0, 1))",
    )
    parser.add_argument(
        "--reduction",
        choices=("mean", "sum"),
        default="mean",
        help="whether your loss and gradients are a mean or a sum over the samples (default: mean)",
    )
    parser.add_argument(
        "--l2", type=non_negative_float, metavar="LAMBDA", help="your loss has an L2 term with this lambda (biases excluded)"
    )
    parser.add_argument(
        "--l2-form",
        choices=tuple(FORMS),
        default="lectures",
        help="; ".join(f"{name}: {text}" for name, text in FORMS.items()) + " (default: lectures)",
    )
    parser.add_argument(
        "--names",
        metavar="MAP",
        default="",
        help="your names for the parameters: W1=w_hidden,b1=b_hidden,... or W=weights,b=biases (one list per kind)",
    )
    parser.add_argument("--weights", metavar="FILE", help="canonical W1,b1,... in .safetensors or .npz (default: the case's own)")
    parser.add_argument("--data", metavar="FILE", help="X and y in .npz or .safetensors, or a CSV whose header names the columns")
    parser.add_argument("--label", metavar="COLUMN", help="the CSV's label column(s), comma-separated (default: the last column)")
    parser.add_argument("--fd", action="store_true", help="also check your own loss by central finite differences")
    parser.add_argument(
        "--timeout",
        type=positive_float,
        metavar="SECONDS",
        help="how long your file's top-level code, and each call, may run (default: 5; with --framework 60)",
    )
    parser.add_argument("--seed", type=seed_arg, default=0, help="seed for weights of cases without published ones (default 0)")
    return parser


def _cell(check) -> str:
    if math.isinf(check.max_rel_err) and math.isinf(check.max_abs_err):
        return f"{MARK[False]} shape"
    return f"{MARK[check.passed]} {check.max_rel_err:.1e}"


def _printed(text: str) -> list[str]:
    lines = text.splitlines()
    shown = lines[:PRINTED_LINES]
    if len(lines) > PRINTED_LINES:
        shown.append(f"... ({len(lines) - PRINTED_LINES} more lines; --format json has them all)")
    return shown


def _case_table(case: CaseCheck) -> Any:
    from rich.table import Table

    table = Table()
    table.add_column("your value")
    frameworks = list(dict.fromkeys(c.framework for c in case.checks))
    for fw in frameworks:
        table.add_column(fw)
    for q in dict.fromkeys(c.quantity for c in case.checks):
        row = {c.framework: _cell(c) for c in case.checks if c.quantity == q}
        table.add_row(q, *(row[fw] for fw in frameworks))
    return table


def _result_line(result: CheckResult) -> str:
    if not result.passed:
        return "result: WRONG: see the hints above (docs/students.md explains each)"
    return f"result: correct: {'loss and gradients' if result.loss_judged else 'the gradients'} agree with every framework"


def render_text(result: CheckResult) -> None:
    """What the code printed, a table per case, how the return was read, the first wrong entries, the hints."""
    from rich.text import Text

    from compare.students.report import entry_table
    from compare.students.sandbox import shown

    out = console()
    options = result.options
    mode = f"{options.convention} layout" + (", once per sample" if options.per_sample else "") + f", {options.reduction}"
    l2 = options.l2_term
    mode += f", L2 {l2}" if l2 else ""
    out.print(Text(f"check {shown(result.target)} ({mode}), float64, tolerances of compare/parity/tolerances.py"))
    if result.printed:
        out.print(f"your code printed ({len(result.printed.splitlines())} lines):")
        for line in _printed(result.printed):
            out.print(Text(f"  | {line}"))
    out.print("your values against each framework: max relative error")
    for case in result.cases:
        out.print(Text(f"{case.case}  [{case.spec}]  m = {case.m}  {'✓ correct' if case.passed else '✗ wrong'}"))
        out.print(_case_table(case))
    out.print(Text(f"your return value was read as {result.how}"))
    if not result.loss_judged:
        out.print("your function returns no loss: only the gradients are judged")
    view = entry_table(result)
    if view is not None:
        out.print(Text(view[0]))
        out.print(view[1])
    if result.fd is not None:
        out.print(Text(result.fd.message))
    if result.hints:
        out.print("hints:")
        for hint in result.hints:
            out.print(Text(f"  - {hint.message}"), soft_wrap=True)
    out.print(_result_line(result))
    out.print(versions_line(), soft_wrap=True)


def to_json(result: CheckResult) -> dict[str, Any]:
    """The ``--format json`` object (shape in docs/students.md)."""
    from compare.students.report import entry_json

    options = result.options
    return {
        "target": result.target,
        "convention": result.convention,
        "per_sample": options.per_sample,
        "reduction": options.reduction,
        "l2": None if options.l2 is None else {"lambda": options.l2, "form": options.l2_form},
        "passed": result.passed,
        "returns": result.how,
        "loss_judged": result.loss_judged,
        "printed": result.printed,
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
        "first_wrong": entry_json(result),
        "fd": None
        if result.fd is None
        else {
            "case": result.fd.case,
            "loss_right": result.fd.loss_right,
            "disagree": list(result.fd.disagree),
            "message": result.fd.message,
        },
        "hints": [{"key": h.key, "params": list(h.params), "message": h.message} for h in result.hints],
        "versions": versions(),
    }


# the NumPy check's options, which --framework does not take (your model's layers give the layout, scratch the reference)
NUMPY_ONLY = ("convention", "per_sample", "reduction", "l2", "l2_form", "names", "fd", "frameworks")
FRAMEWORK_ONLY = ("dtype", "targets")


def _flags(names: Sequence[str]) -> str:
    return ", ".join("--" + name.replace("_", "-") for name in names)


def _check_framework(args: Any, parser: ArgumentParser) -> int:
    given = [name for name in NUMPY_ONLY if getattr(args, name) != parser.get_default(name)]
    if given:
        raise InputError(
            f"{_flags(given)}: for a NumPy backprop function, not with --framework (your model's layers give the layout)"
        )
    from compare.students.framework_check import TIMEOUT, check_framework_file
    from compare.students.framework_report import render_text, to_json

    result = check_framework_file(
        args.target,
        args.framework,
        args.arch,
        args.seed,
        dtype=args.dtype,
        targets=args.targets,
        timeout=args.timeout or TIMEOUT,
        weights=args.weights,
        data=args.data,
        label=args.label,
    )
    if args.format == "json":
        from compare.output import dumps

        print(dumps(to_json(result), indent=2))
    else:
        render_text(result)
    return EXIT_OK if result.passed else EXIT_MISMATCH


def main(argv: Sequence[str], prog: str = "python -m compare check") -> int:
    """Check the student's file; 0 correct, 1 wrong."""
    parser = build_parser(prog)
    args = parser.parse_args(list(argv))
    with report_to(args.output):
        return _check(args, parser, prog)


def _check(args: Any, parser: Any, prog: str) -> int:
    """The check itself, its arguments parsed: the student's backprop function, or with --framework their model."""
    from compare.progress import Feedback

    what = f"your {args.framework} code" if args.framework else "your backprop function"
    Feedback(args.quiet, prog).say(f"checking {what} in {args.target} (run in a process of its own)", terminal_only=True)
    if args.framework:
        return _check_framework(args, parser)
    given = [name for name in FRAMEWORK_ONLY if getattr(args, name) is not None]
    if given:
        raise InputError(f"{_flags(given)}: only with --framework torch|keras (a NumPy backprop function is checked in float64)")
    from compare.students.sandbox import DEFAULT_TIMEOUT
    from compare.students.student import check_file

    result = check_file(
        args.target,
        args.arch,
        args.convention,
        args.frameworks,
        args.seed,
        timeout=args.timeout or DEFAULT_TIMEOUT,
        weights=args.weights,
        data=args.data,
        label=args.label,
        per_sample=args.per_sample,
        reduction=args.reduction,
        l2=args.l2,
        l2_form=args.l2_form,
        names=args.names,
        fd=args.fd,
    )
    if args.format == "json":
        from compare.output import dumps

        print(dumps(to_json(result), indent=2))
    else:
        render_text(result)
    return EXIT_OK if result.passed else EXIT_MISMATCH
