"""``python -m compare train``: train scratch, PyTorch and Keras from identical weights and batches; compare.

Each implementation trains the same case with the same optimizer maths
(docs/training.md), batch order and hyperparameters; the report shows the loss
every k steps, accuracy, and each framework's final parameters against scratch.

Exit codes: 0 every trajectory agrees, 1 something differs, 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from compare.cli import DTYPES, EXIT_MISMATCH, EXIT_OK, FRAMEWORKS, ArgumentParser, frameworks_arg, load_cases
from compare.report import MARK, json_number
from scratch.optimizers import OPTIMIZERS

DEFAULT_STEPS = 100
TABLE_ROWS = 10  # recorded steps shown in the table by default
PLOT_POINTS = 200  # recorded steps per curve by default with --plot


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def number_at_least(minimum: float, inclusive: bool):
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


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="python -m compare train",
        description="Train the NumPy-from-scratch, PyTorch and Keras 3 MLPs from identical weights on identical batches "
        "with the same optimizer maths, and show that their trajectories agree (or, with --framework-defaults, how far "
        "each framework's own defaults take it). See docs/training.md.",
        epilog="Default learning rate: the case's eta for sgd, eta x (1 - 0.9) for momentum and nesterov, 0.01 for "
        "adagrad, rmsprop and adam. Exit codes: 0 all agree, 1 something differs, 2 bad usage or input.",
    )
    parser.add_argument("--arch", action="append", metavar="NAME|SPEC", default=None,
                        help="a built-in case name or a SPEC like 2-4-3:relu,softmax:cce (repeatable; default: spiral-2-4-3)")
    parser.add_argument("--weights", metavar="FILE", help="initial canonical W1,b1,... in .safetensors or .npz (default: the case's own)")
    parser.add_argument("--data", metavar="FILE", help=".npz with X (m, n_0) and y (required with a SPEC)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS + ("all",), default="sgd", help="default: sgd")
    parser.add_argument("--learning-rate", type=positive_float, metavar="ETA", help="eta (default: see below)")
    count = parser.add_mutually_exclusive_group()
    count.add_argument("--steps", type=positive_int, metavar="N", help=f"optimizer steps (default {DEFAULT_STEPS})")
    count.add_argument("--epochs", type=positive_int, metavar="E", help="passes over the data (ceil(m / B) steps each)")
    parser.add_argument("--batch-size", type=positive_int, metavar="B",
                        help="mini-batch size; 1 is stochastic gradient descent (default: the full batch)")
    parser.add_argument("--l2", type=non_negative_float, default=0.0, metavar="LAMBDA",
                        help="seed 004's penalty lambda / (2 n) sum W^2, biases excluded, n = samples in the data (default 0)")
    parser.add_argument("--freeze-biases", action="store_true", help="never update the biases (the worked example's source does not)")
    parser.add_argument("--framework-defaults", action="store_true",
                        help="give torch and keras their own default hyperparameters for the optimizer (eta too, unless "
                        "--learning-rate is given) and show how far they drift from scratch")
    parser.add_argument("--dtype", choices=tuple(DTYPES), default="float64", help="default: float64")
    parser.add_argument("--frameworks", type=frameworks_arg, default=FRAMEWORKS, metavar="LIST",
                        help="comma-separated subset of scratch,torch,keras (default: all)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the mini-batch order and for initial weights of cases without published ones (default 0)")
    parser.add_argument("--every", type=positive_int, metavar="K",
                        help="record the loss and parameters every K steps, plus the first and last "
                        f"(default: steps / {TABLE_ROWS}, or steps / {PLOT_POINTS} with --plot for smooth curves)")
    parser.add_argument("--plot", metavar="DIR", help="write loss, divergence and (2-D data) decision-boundary PNGs to DIR")
    return parser


def to_json(runs: Sequence) -> dict:
    """The ``--format json`` object (shape in docs/training.md)."""
    from compare.versions import versions

    out = []
    for run in runs:
        out.append({
            "name": run.name,
            "spec": str(run.case.spec),
            "dtype": run.dtype,
            "optimizer": {
                "name": run.optimizer,
                "hyperparameters": run.hyper.used_by(run.optimizer),
                "framework_defaults": run.framework_defaults,
                "settings": {fw: result.settings for fw, result in run.results.items()},
            },
            "batch_size": run.batch_size,
            "steps": run.steps,
            "l2_requested": run.l2_requested,
            "l2_used": run.l2_used,
            "freeze_biases": run.freeze_biases,
            "passed": run.passed,
            "results": {
                fw: {"loss_history": [json_number(v) for v in result.loss_history],
                     "loss_steps": result.steps,
                     "final_loss": json_number(result.final_loss),
                     "final_params": {k: v.tolist() for k, v in result.final_params.items()},
                     "accuracy": result.accuracy}
                for fw, result in run.results.items()
            },
            "checks": [
                {"framework": c.framework, "quantity": c.quantity, "max_abs_err": json_number(c.max_abs_err),
                 "max_rel_err": json_number(c.max_rel_err), "atol": c.atol, "rtol": c.rtol, "passed": c.passed}
                for c in run.checks
            ],
        })
    return {"passed": all(run.passed for run in runs), "versions": versions(), "runs": out}


def _table_rows(recorded: int) -> list[int]:
    """Indices of about TABLE_ROWS evenly spaced recorded steps, always the first and the last."""
    stride = max(1, -(-recorded // TABLE_ROWS))
    rows = list(range(0, recorded, stride))
    return rows if rows[-1] == recorded - 1 else rows + [recorded - 1]


def _l2_label(run) -> str:
    """``, l2 0.1``, or ``, l2 0.1 (used 0.09999999892897904)`` when the harness moved lambda for Keras."""
    if not run.l2_requested:
        return ""
    used = "" if run.l2_used == run.l2_requested else f" (used {run.l2_used!r})"
    return f", l2 {run.l2_requested:g}{used}"


def _setting_text(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_setting_text(v) for v in value) + ")"
    return f"{value:.10g}"  # 10 digits: enough to show Keras's float32 0.8999999762 next to torch's 0.9


def _settings_text(settings: dict) -> str:
    """``lr 0.01, betas (0.9, 0.999), eps 1e-08``: the hyperparameters as the implementation holds them."""
    return ", ".join(f"{key} {_setting_text(value)}" for key, value in settings.items())


def _cell(check) -> str:
    return f"{MARK[check.passed]} {check.max_rel_err:.1e}"


def render_table(runs: Sequence, console=None) -> None:
    """Per run: the loss every k steps for each implementation, then each framework's checks against scratch."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from compare.harness import REFERENCE

    console = console or Console(width=None if sys.stdout.isatty() else 132)
    for run in runs:
        hyper = "framework defaults" if run.framework_defaults else ", ".join(
            f"{k} {v:g}" for k, v in run.hyper.used_by(run.optimizer).items())
        batch = "full batch" if run.batch_size is None else f"batch {run.batch_size}"
        title = (f"{run.name} [{run.case.spec}] {run.optimizer} ({hyper}), {batch}, {run.steps} steps, {run.dtype}"
                 + _l2_label(run) + (", biases frozen" if run.freeze_biases else ""))
        console.print(title, markup=False)  # a line, not a Table title: a title is only as wide as its table and wraps mid-phrase
        losses = Table(box=box.SIMPLE_HEAD)
        losses.add_column("step", justify="right")
        for fw in run.results:
            losses.add_column(f"{fw} loss", justify="right")
        reference = run.results[REFERENCE]
        for i in _table_rows(len(reference.steps)):
            losses.add_row(str(reference.steps[i]), *(f"{result.loss_history[i]:.12g}" for result in run.results.values()))
        losses.add_row("final", *(f"{result.final_loss:.12g}" for result in run.results.values()))
        if reference.accuracy is not None:
            losses.add_row("accuracy", *(f"{result.accuracy:.4f}" for result in run.results.values()))
        console.print(losses)
        if run.framework_defaults:  # why the trajectories drift: the hyperparameters each one holds
            for fw, result in run.results.items():
                console.print(f"{fw} holds: {_settings_text(result.settings)}", markup=False)
        frameworks = [fw for fw in run.results if fw != REFERENCE]
        if not frameworks:
            continue
        checks = Table(box=box.SIMPLE_HEAD)
        checks.add_column("quantity")
        for fw in frameworks:
            checks.add_column(fw)
        for quantity in dict.fromkeys(c.quantity for c in run.checks):
            row = {c.framework: _cell(c) for c in run.checks if c.quantity == quantity}
            checks.add_row(quantity, *(row.get(fw, "") for fw in frameworks))
        console.print(checks)
        console.print("against scratch: ✓/✗ and max relative error")
    from compare.versions import versions_line

    console.print(versions_line(), highlight=False)
    failed = [run for run in runs if not run.passed]
    console.print(f"{len(runs) - len(failed)} of {len(runs)} training runs agree" + ("" if not failed else "; see ✗ rows"))


def _progress(total: int):
    """A rich progress bar on a terminal, else None (no bar in pipes, files or tests)."""
    if not sys.stdout.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "_" for c in text)


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    if args.plot:
        from compare.files import writable_dir

        writable_dir(args.plot, "--plot")  # raises InputError now, not after all the training
    if args.arch is None:
        args.arch = ["spiral-2-4-3"]
    cases = load_cases(args)  # raises InputError for bad files or names, before any framework import
    from compare.batches import steps_per_epoch
    from compare.training import run_training

    optimizers = OPTIMIZERS if args.optimizer == "all" else (args.optimizer,)
    frameworks = ("scratch",) + tuple(f for f in args.frameworks if f != "scratch")
    runs = []
    progress = _progress(0)
    if progress is not None:
        progress.start()
    try:
        for case in cases:
            n_steps = args.steps or (args.epochs * steps_per_epoch(len(case.X), args.batch_size) if args.epochs else DEFAULT_STEPS)
            every = args.every or max(1, n_steps // (PLOT_POINTS if args.plot else TABLE_ROWS))
            for optimizer in optimizers:
                for dtype in DTYPES[args.dtype]:
                    on_step = None
                    if progress is not None:
                        task = progress.add_task(f"{case.name} {optimizer} {dtype}", total=n_steps * len(frameworks))
                        on_step = lambda k, task=task: progress.advance(task)  # noqa: E731
                    runs.append(run_training(
                        case, optimizer=optimizer, dtype=dtype, frameworks=frameworks,
                        learning_rate=args.learning_rate, batch_size=args.batch_size,
                        steps=None if args.epochs else n_steps, epochs=args.epochs, l2=args.l2,
                        freeze_biases=args.freeze_biases, framework_defaults=args.framework_defaults,
                        seed=args.seed, every=every, on_step=on_step))
                    if progress is not None:
                        progress.remove_task(task)
    finally:
        if progress is not None:
            progress.stop()
    if args.plot:
        from compare.plots import write_plots

        for run in runs:
            write_plots(run, args.plot, _slug(f"{run.name}-{run.optimizer}-{run.dtype}"))
    if args.format == "json":
        print(json.dumps(to_json(runs), indent=1))
    else:
        render_table(runs)
    return EXIT_OK if all(run.passed for run in runs) else EXIT_MISMATCH
