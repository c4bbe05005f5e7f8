"""``python -m compare train``: train scratch, PyTorch and Keras from identical weights and batches; compare.

Each implementation trains the same case with the same optimizer maths
(docs/training.md), batch order and hyperparameters; the report shows the loss
every k steps, accuracy, and each framework's final parameters against scratch.

Exit codes: 0 every trajectory agrees, 1 something differs, 2 bad usage or input.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

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
    fraction,
    frameworks_option,
    limits_from,
    limits_option,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    quiet_option,
    threads_option,
)
from compare.output import MARK, check_json, console, report_to, threads_line
from compare.plot_target import METAVAR as PLOT_METAVAR
from compare.plot_target import file_name, plot_target
from compare.progress import Feedback, listing, plural
from compare.threads import apply as apply_threads
from compare.threads import choose as choose_threads
from compare.threads import cpus
from core.errors import InputError
from core.limits import using
from core.optimizers import OPTIMIZERS
from core.schedules import DEFAULT_GAMMA, SCHEDULES, STEP_PERIODS, UNITS

if TYPE_CHECKING:
    from compare.parity.harness import Check
    from compare.training.run import TrainingRun

DEFAULT_STEPS = 100
DEFAULT_VALIDATION = 0.2  # the validation fraction when --patience is given alone
DEFAULT_CASE = "spiral-2-4-3"
TABLE_ROWS = 10  # recorded steps shown in the table by default
PLOT_POINTS = 200  # recorded steps per curve by default with --plot


def build_parser(prog: str = "python -m compare train") -> ArgumentParser:
    """The ``train`` parser."""
    seed_help = "seed for the mini-batch order and for initial weights of cases without published ones (default 0)"
    parser = ArgumentParser(
        prog=prog,
        parents=[
            case_options(DEFAULT_CASE, seed_help),
            dtype_option("float64"),
            frameworks_option(loops=True),
            format_option("json", "html"),
            limits_option(*NET_LIMITS, *FILE_LIMITS, "steps", "history"),
            threads_option(),
            quiet_option(),
        ],
        description="Train the NumPy-from-scratch, PyTorch and Keras 3 MLPs from identical weights on identical batches "
        "with the same optimizer maths, and show that their trajectories agree (or, with --framework-defaults, how far "
        "each framework's own defaults take it). See docs/training.md.",
        epilog="Default learning rate: the case's eta for sgd, eta x (1 - 0.9) for momentum and nesterov, 0.01 for "
        "adagrad, rmsprop and adam. Exit codes: 0 all agree, 1 something differs, 2 bad usage or input.",
    )
    parser.add_argument("--optimizer", choices=(*OPTIMIZERS, "all"), default="sgd", help="default: sgd")
    parser.add_argument("--learning-rate", type=positive_float, metavar="ETA", help="eta (default: see below)")
    count = parser.add_mutually_exclusive_group()
    count.add_argument("--steps", type=positive_int, metavar="N", help=f"optimizer steps (default {DEFAULT_STEPS})")
    count.add_argument("--epochs", type=positive_int, metavar="E", help="passes over the data (ceil(m / B) steps each)")
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="B",
        help="mini-batch size; 1 is stochastic gradient descent (default: the full batch)",
    )
    parser.add_argument(
        "--l2",
        type=non_negative_float,
        default=0.0,
        metavar="LAMBDA",
        help="CS60050 backprop's penalty lambda / (2 n) sum W^2, biases excluded, n = samples in the data (default 0)",
    )
    parser.add_argument(
        "--freeze-biases", action="store_true", help="never update the biases (the worked example's source does not)"
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="train every framework that can in this process, one after another (default: frameworks move to worker "
        "processes of their own until as many processes train side by side as there are CPUs; the numbers are the same)",
    )
    parser.add_argument(
        "--framework-defaults",
        action="store_true",
        help="give the frameworks their own default hyperparameters for the optimizer (eta too, unless "
        "--learning-rate is given) and show how far they drift from scratch",
    )
    parser.add_argument(
        "--every",
        type=positive_int,
        metavar="K",
        help="record the loss and parameters every K steps, plus the first and last "
        f"(default: steps / {TABLE_ROWS}, or steps / {PLOT_POINTS} with --plot for smooth curves)",
    )
    schedule = parser.add_argument_group("learning-rate schedule (docs/training.md)")
    schedule.add_argument(
        "--schedule",
        type=str.lower,
        choices=SCHEDULES,
        default="constant",
        help="eta per step: step decay, exponential decay or cosine decay from the learning rate (default constant)",
    )
    schedule.add_argument(
        "--schedule-unit",
        type=str.lower,
        choices=UNITS,
        default="epoch",
        help="what the schedule counts: optimizer steps (Keras's way) or epochs (torch's scheduler.step() per epoch); "
        "default epoch",
    )
    schedule.add_argument(
        "--decay-rate",
        type=positive_float,
        metavar="GAMMA",
        help=f"gamma of step and exponential decay (default {DEFAULT_GAMMA['step']:g} for step, "
        f"{DEFAULT_GAMMA['exponential']:g} for exponential)",
    )
    schedule.add_argument(
        "--decay-steps",
        type=positive_int,
        metavar="S",
        help=f"step decay: multiply by gamma every S units (default units / {STEP_PERIODS}); cosine: its period T "
        "(default the run's units)",
    )
    schedule.add_argument(
        "--eta-min", type=non_negative_float, default=0.0, metavar="ETA", help="the floor of cosine decay (default 0)"
    )
    stopping = parser.add_argument_group("validation and early stopping (docs/training.md; needs --epochs)")
    stopping.add_argument(
        "--validation-split",
        type=fraction,
        metavar="F",
        help="hold out this fraction of the rows (seeded by --seed) and record their loss after each epoch "
        f"(default {DEFAULT_VALIDATION} with --patience)",
    )
    stopping.add_argument(
        "--patience",
        type=non_negative_int,
        metavar="N",
        help="early stopping: stop after N epochs without an improvement of the validation loss",
    )
    stopping.add_argument(
        "--min-delta",
        type=non_negative_float,
        default=0.0,
        metavar="D",
        help="early stopping: an improvement must be below the best by more than D (default 0)",
    )
    stopping.add_argument(
        "--no-restore-best",
        action="store_true",
        help="early stopping: keep the last weights instead of restoring the best epoch's",
    )
    parser.add_argument(
        "--plot",
        metavar=PLOT_METAVAR,
        help="write loss, divergence and (2-D data) decision-boundary PNGs of each run: into DIR, or as "
        "FILE-<run>-<plot>.png beside FILE.png",
    )
    return parser


def to_json(runs: Sequence[TrainingRun]) -> dict[str, Any]:
    """The ``--format json`` object (shape in docs/training.md)."""
    from compare.output import versions
    from compare.training.run import divergences
    from core.schedules import as_dict

    out = []
    for run in runs:
        out.append(
            {
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
                "schedule": as_dict(run.schedule) | {"description": run.schedule.describe()},
                "steps": run.steps,
                "l2_requested": run.l2_requested,
                "l2_used": run.l2_used,
                "freeze_biases": run.freeze_biases,
                "passed": run.passed,
                "results": {
                    fw: {
                        "loss_history": result.loss_history,  # NaN and inf become null (compare.output.dumps)
                        "loss_steps": result.steps,
                        "final_loss": result.final_loss,
                        "final_params": result.final_params,
                        "accuracy": result.accuracy,
                    }
                    | (
                        {"batch_norm": result.batch_norm, "running_variance": result.running_variance}
                        if result.batch_norm
                        else {}
                    )
                    | ({} if run.schedule.constant else {"learning_rates": result.learning_rates})
                    | ({"velocity": result.velocity} if result.velocity else {})
                    | (
                        {
                            "validation_losses": result.validation_losses,
                            "stopped_epoch": result.stopped_epoch,
                            "best_epoch": result.best_epoch,
                        }
                        if result.validation_losses
                        else {}
                    )
                    for fw, result in run.results.items()
                },
                "checks": [check_json(c) for c in run.checks],
                "learning_rate_first_difference": run.eta_differs_at,
                "validation": None
                if run.validation_rows is None
                else {
                    "rows": run.validation_rows.tolist(),
                    "early_stopping": None if run.early_stopping is None else dataclasses.asdict(run.early_stopping),
                },
                "velocity_against_lectures": run.velocity_drift,
                "divergence": {fw: values.tolist() for fw, values in divergences(run).items()},
            }
            | (
                {
                    "batch_norm_drift": [
                        {
                            "framework": d.framework,
                            "cause": d.cause,
                            "setting": d.setting,
                            "checks": [check_json(c) for c in d.checks],
                        }
                        for d in run.drift
                    ]
                }
                if run.drift
                else {}
            )
        )
    return {"passed": all(run.passed for run in runs), "versions": versions(), "runs": out}


def _table_rows(recorded: int) -> list[int]:
    """Indices of at most TABLE_ROWS evenly spaced recorded steps, always the first and the last.

    The stride spreads TABLE_ROWS - 1 gaps over the recorded steps, so that with the last one added
    there are never more than TABLE_ROWS rows.
    """
    stride = max(1, -(-(recorded - 1) // (TABLE_ROWS - 1)))
    rows = list(range(0, recorded, stride))
    return rows if rows[-1] == recorded - 1 else [*rows, recorded - 1]


def _l2_label(run: TrainingRun) -> str:
    """``, l2 0.1``, or ``, l2 0.1 (used 0.09999999892897904)`` when the harness moved lambda for Keras."""
    if not run.l2_requested:
        return ""
    used = "" if run.l2_used == run.l2_requested else f" (used {run.l2_used!r})"
    return f", l2 {run.l2_requested:g}{used}"


def _setting_text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_setting_text(v) for v in value) + ")"
    return f"{value:.10g}"  # 10 digits: enough to show Keras's float32 0.8999999762 next to torch's 0.9


def _settings_text(settings: dict[str, object]) -> str:
    """``lr 0.01, betas (0.9, 0.999), eps 1e-08``: the hyperparameters as the implementation holds them."""
    return ", ".join(f"{key} {_setting_text(value)}" for key, value in settings.items())


def _cell(check: Check) -> str:
    return f"{MARK[check.passed]} {check.max_rel_err:.1e}"


def _title(run: TrainingRun) -> str:
    hyper = (
        "framework defaults"
        if run.framework_defaults
        else ", ".join(f"{k} {v:g}" for k, v in run.hyper.used_by(run.optimizer).items())
    )
    m = len(run.case.X)
    batch = "full batch" if run.batch_size is None else f"batch {run.batch_size}"
    if run.batch_size is not None and run.batch_size >= m:  # one batch of every row, as DataLoader and fit make it
        batch = f"full batch (--batch-size {run.batch_size} >= the {m} rows)"
    return (
        f"{run.name} [{run.case.spec}] {run.optimizer} ({hyper}), {batch}, {plural(run.steps, 'step')}, {run.dtype}"
        + _l2_label(run)
        + (", biases frozen" if run.freeze_biases else "")
        + ("" if run.schedule.constant else f", {run.schedule.describe()}")
    )


def _loss_table(run: TrainingRun) -> Any:
    """The loss at about TABLE_ROWS recorded steps, the final loss and the accuracy, one column per implementation."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("step", justify="right")
    for fw in run.results:
        table.add_column(f"{fw} loss", justify="right")
    reference = run.results[registry.REFERENCE]
    for i in _table_rows(len(reference.steps)):
        table.add_row(str(reference.steps[i]), *(f"{result.loss_history[i]:.12g}" for result in run.results.values()))
    table.add_row("final", *(f"{result.final_loss:.12g}" for result in run.results.values()))
    if reference.accuracy is not None:
        table.add_row("accuracy", *(_accuracy_text(result) for result in run.results.values()))
    return table


def _accuracy_text(result: Any) -> str:
    """``0.9733``; ``n/a (loss not finite)`` for a training that diverged, whose argmax of NaN outputs means nothing."""
    import math

    return f"{result.accuracy:.4f}" if math.isfinite(result.final_loss) else "n/a (loss not finite)"


def _checks_table(run: TrainingRun, frameworks: Sequence[str]) -> Any:
    """One row per compared quantity, one column per framework: ✓/✗ and the max relative error against scratch."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("quantity")
    for fw in frameworks:
        table.add_column(fw)
    for quantity in dict.fromkeys(c.quantity for c in run.checks):
        row = {c.framework: _cell(c) for c in run.checks if c.quantity == quantity}
        table.add_row(quantity, *(row.get(fw, "") for fw in frameworks))
    return table


def _batch_norm_table(run: TrainingRun) -> Any:
    """What each implementation's batch norms hold, and how each framework's differ from its scratch run."""
    from rich import box
    from rich.table import Table

    from compare.training.run import BATCH_NORM_FIELDS, drift_causes

    title = "batch norm as each holds it (w: the new batch's weight in the running averages)"
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    for column in ("", "native layer", "w", "eps", "running var", "drift causes"):
        table.add_column(column, no_wrap=True)
    for fw, result in run.results.items():
        held = result.batch_norm
        causes = "" if fw == registry.REFERENCE else ", ".join(drift_causes(result, run.reference_for(fw))) or "none"
        table.add_row(fw, str(held["native"]), *(_setting_text(held[key]) for key, _ in BATCH_NORM_FIELDS), causes)
    return table


DRIFT_WORDS = {
    "momentum": "momentum only",
    "eps": "eps only",
    "variance": "variance only",
    "all": "all of them",
    "framework": "the framework",
    "rest": "unexplained",
}


def _drift_table(run: TrainingRun) -> Any:
    """The batch-norm drift cause by cause: scratch on each framework's masks with one of its settings at a time."""
    from rich import box
    from rich.table import Table

    title = (
        "batch-norm drift by cause: scratch on each framework's masks with its settings one at a time, then all, "
        "then the framework; unexplained: the framework against scratch with all (max relative difference)"
    )
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    quantities = [c.quantity for c in run.drift[0].checks]
    for column in ("", "cause", "setting", *quantities):
        table.add_column(column, no_wrap=True)
    for row in run.drift:
        table.add_row(row.framework, DRIFT_WORDS[row.cause], row.setting, *(f"{c.max_rel_err:.1e}" for c in row.checks))
    return table


def _batch_norm_note(run: TrainingRun) -> str:
    if run.framework_defaults:
        return "each framework against scratch with the matched settings and the textbook (unbiased) running variance"
    return "each framework against scratch with the matched settings and that framework's own running-variance convention"


def _dropout_line(run: TrainingRun) -> list[str]:
    if not run.case.spec.has_dropout:
        return []
    return [
        "dropout: each draws its own masks per step and layer (scratch's column: its own); "
        "each framework is checked against scratch on that framework's masks"
    ]


def _print_layers(run: TrainingRun, out: Any) -> None:
    """What the batch norms hold and their drift by cause, and the dropout line (nothing for a plain net)."""
    if any(run.case.spec.batch_norm):
        out.print(_batch_norm_table(run))
        out.print(_batch_norm_note(run), markup=False, highlight=False)
    if run.drift:
        out.print(_drift_table(run))
    for line in _dropout_line(run):
        out.print(line, markup=False, highlight=False)


def render_table(runs: Sequence[TrainingRun], out: Any = None, threads: Mapping[str, Any] | None = None) -> None:
    """Per run: the loss every k steps for each implementation, then each framework's checks against scratch."""
    from compare.output import versions_line

    out = out or console(132)  # tables fold at 132 columns; the lines of text are never broken (soft_wrap)
    for run in runs:
        out.print(_title(run), markup=False, soft_wrap=True)  # a line, not a Table title: a title is only as wide as its table
        out.print(_loss_table(run))
        if not run.finite:
            out.print(f"{MARK[False]} not finite: a loss or a parameter is NaN or inf (an overflow), which proves nothing")
        _print_layers(run, out)
        if run.framework_defaults:  # why the trajectories drift: the hyperparameters each one holds
            for fw, result in run.results.items():
                out.print(f"{fw} holds: {_settings_text(result.settings)}", markup=False, soft_wrap=True)
        frameworks = [fw for fw in run.results if fw != registry.REFERENCE]
        if frameworks:
            out.print(_checks_table(run, frameworks))
            out.print("against scratch: ✓/✗ and max relative error")
        for line in schedule_lines(run) + stopping_lines(run):
            out.print(line, markup=False, highlight=False, soft_wrap=True)
    out.print(versions_line(), highlight=False, soft_wrap=True)
    if threads:
        out.print(threads_line(threads), highlight=False, markup=False, soft_wrap=True)
    failed = [run for run in runs if not run.passed]
    out.print(f"{len(runs) - len(failed)} of {len(runs)} training runs agree" + ("" if not failed else "; see ✗ rows"))


VELOCITY_NOTE = (
    "{fw}: its momentum keeps eta outside the velocity (b <- mu b + g; theta -= eta b; torch.optim.SGD docs' note), "
    "the lectures' keeps it inside (v <- mu v - eta g; theta += v): the same method while eta is constant, another one "
    "once the schedule changes eta; {fw} ends {drift:.2g} (normwise) from the lectures' form and is checked against "
    "scratch in its own form"
)


def schedule_lines(run: TrainingRun) -> list[str]:
    """Where the learning rates part (the first step and both etas), and each framework's momentum convention."""
    lines = []
    for fw, k in run.eta_differs_at.items():
        mine, theirs = run.results[fw].learning_rates, run.reference_for(fw).learning_rates
        got = f"{mine[k - 1]:.10g}" if k <= len(mine) else "none"
        lines.append(
            f"{MARK[False]} {fw}: eta first differs at step {k}: {got} against scratch's {theirs[k - 1]:.10g} "
            "(a scheduler stepped before the first update shifts every eta by one unit)"
        )
    for fw, drift in run.velocity_drift.items():
        lines.append(VELOCITY_NOTE.format(fw=fw, drift=drift))
    for fw, result in run.results.items():
        if result.steps_per_epoch:
            lines.append(
                f"{fw}: model.fit's own defaults chose the batches: batch_size 32, shuffle=True, "
                f"{result.steps_per_epoch} steps per epoch, {len(result.learning_rates)} steps in all, where scratch took "
                f"{len(run.results[registry.REFERENCE].learning_rates)} "
                + (
                    "full-batch steps (the lectures' gradient descent)"
                    if run.batch_size is None
                    else f"batches of {run.batch_size}"
                )
                + "; --plot draws the loss curves against epochs"
            )
    return lines


def naive_stop(losses: Sequence[float], patience: int) -> int | None:
    """Where the obvious loop stops on ``losses``: any decrease counts (no min_delta); None within them."""
    best, wait = float("inf"), 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch
    return None


def _naive_line(run: TrainingRun) -> list[str]:
    """With min_delta > 0: where a loop that counts any decrease would stop on scratch's curve, when that differs."""
    settings, reference = run.early_stopping, run.results[registry.REFERENCE]
    if settings is None or not settings.min_delta:
        return []
    naive = naive_stop(reference.validation_losses, settings.patience)
    if naive == reference.stopped_epoch:
        return []
    where = f"after epoch {naive}" if naive else f"not within the {len(reference.validation_losses)} epochs run"
    return [
        f"  a loop that counts any decrease as an improvement (no min_delta) would stop {where} on scratch's curve; "
        f"Keras's rule needs a loss below best - {settings.min_delta:g}, and only that moves the best"
    ]


def stopping_lines(run: TrainingRun) -> list[str]:
    """With a validation split: each implementation's best and stopping epochs and its best validation loss."""
    if run.validation_rows is None:
        return []
    lines = [f"validation: {run.validation_rows.size} rows held out (JSON validation.rows); the loss on them after each epoch"]
    if run.early_stopping is None:
        return lines
    settings = run.early_stopping
    lines.append(
        f"early stopping: patience {settings.patience}, min_delta {settings.min_delta:g}, "
        + ("restoring the best epoch's weights" if settings.restore_best else "keeping the last weights")
        + " (the rule of keras.callbacks.EarlyStopping, docs/training.md)"
    )
    lines += _naive_line(run)
    for fw, result in run.results.items():
        stopped = f"stopped after epoch {result.stopped_epoch}" if result.stopped_epoch else "ran every epoch"
        best = result.validation_losses[(result.best_epoch or 1) - 1] if result.validation_losses else float("nan")
        lines.append(f"  {fw}: {stopped}; best epoch {result.best_epoch}, validation loss {best:.12g}")
    return lines


def _progress() -> Any:
    """A rich progress bar on a terminal, else None (no bar in pipes, files or tests)."""
    if not sys.stdout.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True)


def _advance(progress: Any, task: Any, k: int) -> None:
    """The ``on_step`` callback: one step done."""
    progress.advance(task)


def _run_all(args: Any, cases: Sequence[Any], progress: Any, feedback: Feedback | None = None) -> list[TrainingRun]:
    """Every case x optimizer x dtype the arguments ask for, each through start_training and finish_training.

    Every job is started before the first is finished, so the workers (the other Keras backends)
    work through their queue of trainings while this process trains scratch and its own frameworks.
    """
    from compare.training.run import finish_training, start_training

    optimizers = tuple(OPTIMIZERS) if args.optimizer == "all" else (args.optimizer,)
    frameworks = registry.with_reference(args.frameworks)
    jobs = []
    for case in cases:
        n_steps, every = _schedule(args, case)
        for optimizer in optimizers:
            for dtype in DTYPES[args.dtype]:
                on_step = None
                if progress is not None:
                    task = progress.add_task(f"{case.name} {optimizer} {dtype}", total=n_steps * len(frameworks))
                    on_step = partial(_advance, progress, task)
                jobs.append(
                    start_training(
                        case,
                        optimizer=optimizer,
                        dtype=dtype,
                        frameworks=frameworks,
                        learning_rate=args.learning_rate,
                        batch_size=args.batch_size,
                        steps=None if args.epochs else n_steps,
                        epochs=args.epochs,
                        l2=args.l2,
                        freeze_biases=args.freeze_biases,
                        framework_defaults=args.framework_defaults,
                        seed=args.seed,
                        every=every,
                        on_step=on_step,
                        schedule=args.schedule,
                        schedule_options=_schedule_options(args),
                        **_stopping_options(args),
                    )
                )
    if feedback is not None:
        feedback.start("trainings", len(jobs))
    try:
        runs = []
        for job in jobs:
            runs.append(finish_training(job))
            if feedback is not None:
                feedback.advance(f"{job.run.name} {job.run.optimizer} {job.run.dtype}")
        return runs
    finally:
        for job in jobs:
            job.cancel()  # after an error or Ctrl-C: the queued worker requests that have not begun


def main(argv: Sequence[str], prog: str = "python -m compare train") -> int:
    """Run the training comparison; 0 every trajectory agrees, 1 something differs."""
    from compare.options import given_options

    parser = build_parser(prog)
    args = parser.parse_args(list(argv))
    args.prog = prog  # the progress lines start with it, as the error line does
    refuse_unused(args, given_options(parser, list(argv), args))
    with using(limits_from(args)), report_to(args.output):
        return _run(args)


# options that act only with another one: (the setting that must hold, in words, whether it holds)
NEEDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "min_delta": ("--patience (early stopping)", lambda args: args.patience is not None),
    "no_restore_best": ("--patience (early stopping)", lambda args: args.patience is not None),
    "schedule_unit": ("a --schedule other than constant", lambda args: args.schedule != "constant"),
    "decay_rate": ("--schedule step or exponential", lambda args: args.schedule in ("step", "exponential")),
    "decay_steps": ("--schedule step or cosine", lambda args: args.schedule in ("step", "cosine")),
    "eta_min": ("--schedule cosine", lambda args: args.schedule == "cosine"),
}


def refuse_unused(args: Any, given: set[str]) -> None:
    """Refuse an option that would change nothing in this run (``given``: compare.options.given_options).

    Raises:
        InputError: e.g. ``--eta-min`` without ``--schedule cosine``, ``--min-delta`` without ``--patience``.
    """
    for dest in sorted(given):
        if dest in NEEDS and not NEEDS[dest][1](args):
            option = f"--{dest.replace('_', '-')}"
            got = f"--schedule {args.schedule}" if "schedule" in NEEDS[dest][0] else "no --patience"
            raise InputError(f"{option}: acts only with {NEEDS[dest][0]}, got {got}")


def _schedule(args: Any, case: Any) -> tuple[int, int]:
    """(steps, every) for one case: --steps, or --epochs x ceil(m / B), or the default; every K recorded steps."""
    from compare.training.batches import steps_per_epoch

    n_steps = args.steps or (args.epochs * steps_per_epoch(len(case.X), args.batch_size) if args.epochs else DEFAULT_STEPS)
    every = args.every or max(1, n_steps // (PLOT_POINTS if args.plot else TABLE_ROWS))
    return n_steps, every


def _stopping_options(args: Any) -> dict[str, Any]:
    """``validation_split`` and ``early_stopping`` for run_training, from the flags ({} without them)."""
    from core.early_stopping import EarlyStopping

    fraction = args.validation_split
    if args.patience is None:
        return {} if fraction is None else {"validation_split": fraction}
    settings = EarlyStopping(args.patience, args.min_delta, not args.no_restore_best)
    return {"validation_split": fraction or DEFAULT_VALIDATION, "early_stopping": settings}


def _schedule_options(args: Any) -> dict[str, Any]:
    """The ``--schedule-unit``, ``--decay-rate``, ``--decay-steps`` and ``--eta-min`` values, for run_training."""
    return {"unit": args.schedule_unit, "gamma": args.decay_rate, "decay_steps": args.decay_steps, "eta_min": args.eta_min}


def _check_all(args: Any, cases: Sequence[Any]) -> None:
    """Every input error before any training: each case in each dtype, its batch size, step count, history and l2."""
    from compare.training.run import representable_l2
    from core.limits import check_batch, check_history, check_steps, param_count
    from core.training import recorded_count
    from core.validate import prepare

    if args.batch_size is not None:
        check_batch(args.batch_size, "--batch-size")
    stopping = _stopping_options(args)
    if stopping and not args.epochs:
        raise InputError("--validation-split / --patience: expected --epochs (early stopping decides after whole epochs)")
    for case in cases:
        if stopping:
            from core.early_stopping import validation_split

            try:
                validation_split(len(case.X), stopping["validation_split"], args.seed)
            except InputError as exc:
                given = args.validation_split is not None
                raise InputError(f"{exc}{'' if given else f' ({DEFAULT_VALIDATION:g} is its default with --patience)'}") from None
        for dtype in DTYPES[args.dtype]:
            prepare(case.spec, case.params, case.X, case.y, dtype)
        n_steps, every = _schedule(args, case)
        check_steps(n_steps, "--steps" if args.steps or not args.epochs else f"--epochs {args.epochs:,}")
        check_history(recorded_count(n_steps, every), param_count(case.spec), every)
        if args.l2:
            representable_l2(args.l2, len(case.X), registry.with_reference(args.frameworks))
        if args.schedule != "constant":
            from compare.training.batches import steps_per_epoch
            from compare.training.run import default_learning_rate
            from core.schedules import make_schedule

            optimizers = tuple(OPTIMIZERS) if args.optimizer == "all" else (args.optimizer,)
            for optimizer in optimizers:
                eta = args.learning_rate or default_learning_rate(optimizer, case.learning_rate)
                make_schedule(
                    args.schedule,
                    steps=n_steps,
                    steps_per_epoch=steps_per_epoch(len(case.X), args.batch_size),
                    learning_rate=eta,
                    **_schedule_options(args),
                )


def _run(args: Any) -> int:
    """Check every input, train, report."""
    target = plot_target(args.plot) if args.plot else None  # raises InputError now, not after all the training
    from compare.data.cases import load_cases

    # raises InputError for bad files or names, before any framework import
    cases = load_cases(args.arch or [DEFAULT_CASE], args.weights, args.data, args.seed)
    _check_all(args, cases)
    nets = [(case.spec, min(args.batch_size or len(case.X), len(case.X))) for case in cases]
    feedback = Feedback(args.quiet, args.prog)
    optimizers = len(OPTIMIZERS) if args.optimizer == "all" else 1
    trainings = len(cases) * optimizers * len(DTYPES[args.dtype])
    frameworks = registry.with_reference(args.frameworks)
    feedback.say(
        f"{plural(trainings, 'training')} ({listing(c.name for c in cases)}) through {listing(frameworks)}; "
        "loading the frameworks"
    )
    with registry.in_workers(() if args.in_process else registry.side_by_side(args.frameworks, cpus())):
        threads = apply_threads(args.frameworks, choose_threads(nets, args.threads))
        progress = _progress()
        if progress is not None:
            progress.start()
        try:
            runs = _run_all(args, cases, progress, None if progress is not None else feedback)  # a bar, or count lines
        finally:
            if progress is not None:
                progress.stop()
            feedback.done()
    if target is not None:
        from compare.training.plots import write_plots

        for run in runs:
            write_plots(run, target.folder, target.prefix(file_name(f"{run.name}-{run.optimizer}-{run.dtype}")))
    if args.format == "json":
        from compare.output import dumps

        print(dumps(to_json(runs) | {"threads": threads}))
    elif args.format == "html":
        from compare.training import html

        sys.stdout.write(html.render(runs, threads))
    else:
        render_table(runs, threads=threads)
    return EXIT_OK if all(run.passed for run in runs) else EXIT_MISMATCH
