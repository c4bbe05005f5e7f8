"""``python -m compare explain CASE``: the forward and backward passes, number by number, as the slides do them.

compare.students.steps builds the steps (symbol, formula, numbers, each implementation's
value, the slide's printed number); this module renders them as text or Markdown.

Exit codes: 0 every implementation agrees with scratch, 1 one differs, 2 bad usage or input.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from compare import registry
from compare.data.cases import Case
from compare.options import EXIT_MISMATCH, EXIT_OK, ArgumentParser, format_option, frameworks_option, quiet_option, seed_arg
from compare.output import MARK, report_to, versions_line
from compare.plot_target import METAVAR as PLOT_METAVAR
from compare.plot_target import file_name, plot_target
from compare.progress import Feedback, listing
from compare.registry import REFERENCE
from compare.students.slides import SLIDE_NUMBERS, SLIDE_SYMBOLS
from compare.students.steps import Step, explain_case, fmt, short

__all__ = ["build_parser", "explain_case", "main", "render_markdown", "render_text"]


def header_lines(case: Case, frameworks: Sequence[str]) -> list[str]:
    """The lines above the steps: the case, what the columns hold, the symbols, the versions."""
    title = f"{case.spec}" if case.name == str(case.spec) else f"{case.name}: {case.spec}"  # a SPEC is its own name
    lines = [
        f"{title}, m = {np.asarray(case.X).shape[0]}, eta = {short(case.learning_rate)}"
        + (f" -- {case.source}" if case.source and case.source != "user" else "")
    ]
    others = [fw for fw in frameworks if fw != REFERENCE]
    lines.append(
        "values: scratch"
        + (f", then {' and '.join(others)} (✓ agrees with scratch in float64, ✗ differs)" if others else "")
        + (
            "; slide: the slide's printed number (✓ within its rounding, ✗ differs beyond it)"
            if case.name in SLIDE_NUMBERS
            else ""
        )
    )
    if case.name in SLIDE_SYMBOLS:
        lines.append(f"symbols: {SLIDE_SYMBOLS[case.name]}")
    if case.spec.has_dropout and others:
        lines.append(
            "dropout: each implementation draws its own masks; a framework's ✓ compares it with scratch repeated on "
            "that framework's masks (scratch's column is its own draw)"
        )
    lines.append(versions_line())
    return lines


def render_text(case: Case, steps: list[Step], frameworks: Sequence[str]) -> str:
    """The steps as indented text, one section per pass, each framework's value and the slide's beside scratch's."""
    lines = header_lines(case, frameworks)
    section = None
    for step in steps:
        if step.section != section:
            section = step.section
            lines += ["", section]
        equation = f"  {step.symbol} = {step.formula}"
        if step.numbers:
            equation += f" = {step.numbers}"
        lines.append(f"{equation} = {fmt(step.values[REFERENCE])}")
        extra = [f"{fw} {fmt(v)} {MARK[step.agrees[fw]]}" for fw, v in step.values.items() if fw != REFERENCE]
        if step.slide is not None:
            extra.append(f"slide {step.slide} {MARK[bool(step.slide_agrees)]}" + (f" -- {step.note}" if step.note else ""))
        if extra:
            lines.append("      " + "   ".join(extra))
    return "\n".join(lines) + "\n"


def render_markdown(case: Case, steps: list[Step], frameworks: Sequence[str]) -> str:
    """The steps as a Markdown page: one table per pass."""
    others = [fw for fw in frameworks if fw != REFERENCE]
    has_slide = case.name in SLIDE_NUMBERS
    lines = [f"# explain {case.name}", ""] + [f"{line}  " for line in header_lines(case, frameworks)]
    section = None
    for step in steps:
        if step.section != section:
            section = step.section
            head = ["step", "formula", REFERENCE, *others] + (["slide", "note"] if has_slide else [])
            lines += ["", f"## {section}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        formula = step.formula + (f" = {step.numbers}" if step.numbers else "")
        cells = [f"`{step.symbol}`", f"`{formula}`".replace("|", "\\|"), fmt(step.values[REFERENCE])]
        cells += [f"{fmt(step.values[fw])} {MARK[step.agrees[fw]]}" if fw in step.values else "·" for fw in others]
        if has_slide:
            slide = "" if step.slide is None else f"{step.slide} {MARK[bool(step.slide_agrees)]}"
            cells += [slide, step.note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def build_parser(prog: str = "python -m compare explain") -> ArgumentParser:
    """The ``explain`` parser."""
    from compare.data.cases import CASES

    parser = ArgumentParser(
        prog=prog,
        parents=[frameworks_option(), format_option("markdown", "html"), quiet_option()],
        description="Print a case's forward and backward pass step by step, as the slides do: "
        "the lecture's symbol, the formula with the numbers put in, scratch's value and each framework's beside it, "
        "and the slide's printed number where the slide gives one (the built-in cases with their own weights and data).",
        epilog="Exit codes: 0 every implementation agrees with scratch, 1 one differs, 2 bad usage or input.",
    )
    parser.add_argument(
        "case",
        metavar="CASE|SPEC",
        help=f"a built-in case ({', '.join(CASES)}) or a SPEC like 2-4-3:relu,softmax:cce with --data",
    )
    parser.add_argument("--weights", metavar="FILE", help="canonical W1,b1,... in .safetensors or .npz (default: the case's own)")
    parser.add_argument("--data", metavar="FILE", help=".npz with X (m, n_0) and y (required with a SPEC)")
    parser.add_argument(
        "--plot",
        metavar=PLOT_METAVAR,
        help="also draw the network (z, a, weights; delta, gradients) for the sample: to FILE.png, or as DIR/<case>-network.png",
    )
    parser.add_argument("--sample", type=int, default=1, help="which sample's z, a and delta to show (1-based, default 1)")
    parser.add_argument("--seed", type=seed_arg, default=0, help="seed for weights of cases without published ones (default 0)")
    parser.add_argument(
        "--mode",
        choices=("train", "inference"),
        default="train",
        help="batch norm and dropout: training mode (batch statistics, dropout on) or inference (default train)",
    )
    return parser


def _load(args: Any) -> Case:
    """The case to explain: a built-in one, or a SPEC with ``--data``; ``--weights`` / ``--data`` files applied.

    A built-in case given other weights or data is renamed after them: its slides' numbers no longer apply.

    Raises:
        InputError: an unknown name, a malformed SPEC, a SPEC without ``--data``, or an unreadable file.
    """
    import dataclasses

    from compare.data.cases import load_cases

    (case,) = load_cases([args.case], args.weights, args.data, args.seed, what="CASE")
    files = [f"{flag} {name}" for flag, name in (("--weights", args.weights), ("--data", args.data)) if name]
    if files and case.source != "user":  # a built-in case with other numbers: not the slide's example any more
        case = dataclasses.replace(case, name=f"{case.name} with {' '.join(files)}", source="")
    return case


def main(argv: Sequence[str], prog: str = "python -m compare explain") -> int:
    """Explain one case; 0 every implementation agrees with scratch, 1 one differs."""
    args = build_parser(prog).parse_args(list(argv))
    with report_to(args.output):
        return _explain(args, prog)


def _explain(args: Any, prog: str) -> int:
    """The steps of one case, its arguments parsed; the report on stdout."""
    target = plot_target(args.plot) if args.plot else None
    frameworks = registry.with_reference(args.frameworks)
    case = _load(args)
    line = f"explaining {case.name} through {listing(frameworks)}; loading the frameworks"
    Feedback(args.quiet, prog).say(line, terminal_only=True)  # a bad --sample is still the only line in a pipe
    case, steps = explain_case(case, frameworks, args.seed, args.sample - 1, args.mode)
    if args.format == "html":
        from compare.students.explain_html import render_html

        text = render_html(case, steps, frameworks, args.sample - 1)
    else:
        text = (render_markdown if args.format == "markdown" else render_text)(case, steps, frameworks)
    sys.stdout.write(text)
    if target is not None:
        from compare.students.network_plot import plot_network

        picture = target.file(f"{file_name(case.name)}-network")
        trace = registry.get(REFERENCE).evaluate(case.spec, case.params, case.X, case.y, "float64")
        plot_network(trace, case.name, args.sample - 1, case.params).savefig(picture, dpi=100)
        sys.stderr.write(f"wrote {picture}\n")
    agree = all(all(step.agrees.values()) for step in steps)
    return EXIT_OK if agree else EXIT_MISMATCH
