"""``python -m compare [parity]``: forward, loss and gradients of every implementation against scratch.

Exit codes: 0 everything agrees, 1 something differs, 2 bad usage or input.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from compare import registry
from compare.options import (
    DTYPES,
    EXIT_MISMATCH,
    EXIT_OK,
    FILE_LIMITS,
    NET_LIMITS,
    ArgumentParser,
    case_options,
    dtype_option,
    format_option,
    frameworks_option,
    limits_from,
    limits_option,
    quiet_option,
    threads_option,
)
from compare.progress import Feedback, listing, plural
from compare.threads import apply_here
from compare.threads import choose as choose_threads
from compare.threads import export as export_threads
from core.limits import using


def build_parser(prog: str = "python -m compare") -> ArgumentParser:
    """The parity parser (also the bare ``python -m compare``)."""
    from compare.cli import SUBCOMMANDS
    from compare.data.cases import CASES

    parser = ArgumentParser(
        prog=prog,
        parents=[
            case_options("every built-in case"),
            dtype_option("both"),
            frameworks_option(),
            format_option("json", "html"),
            limits_option(*NET_LIMITS, *FILE_LIMITS),
            threads_option(),
            quiet_option(),
        ],
        description="Load one set of weights into the NumPy-from-scratch, PyTorch and Keras 3 MLPs and show, "
        "number by number, that outputs, losses and gradients agree.",
        epilog=f"built-in cases: {', '.join(CASES)}. "
        f"subcommands: {', '.join(SUBCOMMANDS)} (python -m compare SUBCOMMAND --help; parity is the default). "
        "Exit codes: 0 all agree, 1 something differs, 2 bad usage or input.",
    )
    parser.add_argument("--save-weights", metavar="DIR", help="write each case's initial weights to DIR/<case>.safetensors")
    return parser


def main(argv: Sequence[str], prog: str = "python -m compare") -> int:
    """Run the parity report; 0 all agree, 1 something differs."""
    args = build_parser(prog).parse_args(list(argv))
    args.prog = prog  # the progress lines start with it, as the error line does
    from compare.output import report_to

    with using(limits_from(args)), report_to(args.output):
        return _run(args)


def _run(args: Any) -> int:
    """Check every input (files, cases, each dtype), then run and report."""
    from compare.data.cases import load_cases
    from compare.data.files import save_weights, writable_dir
    from compare.parity.harness import modes_of, run_cases
    from core.validate import prepare

    directory = writable_dir(args.save_weights, "--save-weights") if args.save_weights else None
    cases = load_cases(args.arch, args.weights, args.data, args.seed)
    for case in cases:
        for dtype in DTYPES[args.dtype]:
            prepare(case.spec, case.params, case.X, case.y, dtype)  # every input error before any framework runs
    count = choose_threads([(c.spec, len(c.X)) for c in cases], args.threads)
    export_threads(args.frameworks, count)  # the workers start importing now
    feedback = Feedback(args.quiet, args.prog)
    frameworks = registry.with_reference(args.frameworks)
    elsewhere = [fw for fw in frameworks if not registry.get(fw).runs_here()]
    runs = [(case, dtype, mode) for case in cases for dtype in DTYPES[args.dtype] for mode in modes_of(case.spec)]
    modal = sum(1 for case in cases if case.spec.mode_dependent)  # batch norm or dropout: train and inference mode
    modes = f", {plural(modal, 'case')} in both modes" if modal else ""
    feedback.say(
        f"comparing {plural(len(runs), 'run')} ({plural(len(cases), 'case')} x {' and '.join(DTYPES[args.dtype])}{modes}) "
        f"through {listing(frameworks)}"
        + (f"; {listing(elsewhere)} in processes of their own" if elsewhere else "")
        + "; loading the frameworks"
    )
    if directory is not None:
        for case in cases:
            saved = directory / f"{case.name.replace(':', '_').replace(',', '_')}.safetensors"
            save_weights(saved, case.params)
            sys.stderr.write(f"wrote {saved}\n")  # every file written is announced (README), as --output and --plot do
    threads: dict[str, Any] = {}
    # this process imports its own frameworks only once the workers have all their requests
    feedback.start("runs", len(runs))
    results = run_cases(
        runs,
        args.frameworks,
        after_submit=lambda: threads.update(apply_here(args.frameworks, count)),
        on_result=lambda result: feedback.advance(f"{result.name} {result.dtype}"),
    )
    feedback.done()
    from compare.parity import report

    if args.format == "json":
        print(report.dumps(results, threads))
    elif args.format == "html":
        from compare.parity import html

        sys.stdout.write(html.render(results, threads))
    else:
        report.render_table(results, threads=threads)
    return EXIT_OK if all(r.passed for r in results) else EXIT_MISMATCH
