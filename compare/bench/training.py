"""``python -m compare bench --train``: whole trainings per framework against the sum of their compiled steps.

For each framework, the six optimizers' trainings of ``train --optimizer all`` (the spiral,
full batch, float64, every optimizer's default eta, the CLI's recording every steps / 10),
one ``<implementation>.train.train`` call each, timed as one block: the first block (it pays
the one-time costs: torch's first optimizer imports ``torch._dynamo``, Keras traces and compiles
each step) and the median of the others. The floor is what the steps alone cost: for each
optimizer, ``steps`` x the median time of that framework's compiled bench step
(:mod:`compare.bench.steps`, the first of its registry entry's bench steps) with that
optimizer, summed. The ratio (median block / floor) is what the training loop adds: model
building, recording, batch handling, the final evaluation.

The two parts of that are then told apart: the same six trainings of one step each, timed
``runs`` times once the framework is warm, are the **one-time** cost of six trainings (building
each model and optimizer, tracing or compiling each step, the final evaluation; one step each).
What the longer block costs beyond them, over its other ``steps - 1`` steps per training, is the
**per-step** cost of the training loop, set against the bench step (the step ratio).

Frameworks that need another Keras backend are measured in a child process with their
environment (as the step benchmark does). Unless ``--no-command``, the whole command
``python -m compare train --arch CASE --optimizer all --steps N`` (every framework together,
imports and the checks included) is timed too, ``--runs`` times. Framework imports are
not in the per-framework blocks: ``bench --startup`` times them.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from compare import registry
from core.errors import InputError
from core.optimizers import OPTIMIZERS

TABLE_ROWS = 10  # the train command records steps / 10 by default


def measure_here(case_name: str, frameworks: Sequence[str], steps: int, runs: int, repeats: int, block_s: float) -> dict:
    """Time the trainings and the floor of each of ``frameworks`` that runs in this process (imported now)."""
    from compare.bench.steps import make_step
    from compare.bench.timing import time_step
    from compare.data.cases import get_case
    from compare.training.run import default_learning_rate
    from core.optimizers import matched
    from core.validate import prepare

    case = get_case(case_name)
    batches = [np.arange(len(case.X))] * steps  # the full batch, as train's default
    every = max(1, steps // TABLE_ROWS)
    params, X, y = prepare(case.spec, case.params, case.X, case.y, "float64")  # the bench steps' inputs, checked once
    out = {}
    for name in frameworks:
        impl = registry.get(name)
        train = impl.train

        def block(batches: list[np.ndarray], every: int, train: Callable[..., Any] = train) -> None:
            for optimizer in OPTIMIZERS:
                eta = default_learning_rate(optimizer, case.learning_rate)
                hyper = matched(optimizer, eta)
                train(case.spec, case.params, case.X, case.y, optimizer=optimizer, hyper=hyper, batches=batches, every=every)

        blocks = [_timed(block, batches, every) for _ in range(runs)]
        one_step = [_timed(block, batches[:1], 1) for _ in range(runs)]  # warm now: the one-time costs alone
        step_name = impl.bench[0].name
        per_optimizer = {}
        for optimizer in OPTIMIZERS:
            eta = default_learning_rate(optimizer, case.learning_rate)
            step = make_step(step_name, case.spec, params, X, y, eta, "float64", optimizer)
            per_optimizer[optimizer] = time_step(step.run, step.sync, repeats, block_s).median_s
        floor = steps * sum(per_optimizer.values())
        later = blocks[1:] or blocks
        median, one_time = statistics.median(later), statistics.median(one_step)
        out[name] = {
            "bench_step": step_name,
            "first_s": blocks[0],
            "blocks_s": blocks,
            "median_s": median,
            "floor_s": floor,
            "step_us": {optimizer: seconds * 1e6 for optimizer, seconds in per_optimizer.items()},
            "ratio": median / floor,
            "one_step_blocks_s": one_step,
            "one_time_s": one_time,
        } | _per_step(median, one_time, floor, steps)
    return out


def _timed(block: Callable[[list[np.ndarray], int], None], batches: list[np.ndarray], every: int) -> float:
    """Wall seconds of one ``block(batches, every)``."""
    start = time.perf_counter()
    block(batches, every)
    return time.perf_counter() - start


def _per_step(median_s: float, one_time_s: float, floor_s: float, steps: int) -> dict[str, float | None]:
    """The loop's cost per step beyond the one-time costs, the floor's per step, and their ratio (None for one step).

    Six trainings (one per optimizer) of ``steps`` steps cost ``median_s``; of one step, ``one_time_s``:
    the difference is ``6 (steps - 1)`` steps. Noise can make it negative on a very short run.
    """
    n = len(OPTIMIZERS) * steps
    floor_us = floor_s / n * 1e6
    if steps < 2:
        return {"step_us_beyond": None, "floor_step_us": floor_us, "step_ratio": None}
    beyond = (median_s - one_time_s) / (len(OPTIMIZERS) * (steps - 1)) * 1e6
    return {"step_us_beyond": beyond, "floor_step_us": floor_us, "step_ratio": beyond / floor_us}


def measure_elsewhere(name: str, argv: Sequence[str]) -> dict:
    """:func:`measure_here` for ``name`` in a child ``python -m compare bench --train`` with its environment.

    Raises:
        InputError: the child failed (its last line of output).
    """
    command = [sys.executable, "-m", "compare", "bench", "--train", "--no-command", "--frameworks", name, *argv]
    command += ["--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **registry.get(name).environment})
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise InputError(f"bench --train: the {name} process failed ({last})")
    result: dict = json.loads(done.stdout)["frameworks"][name]
    return result | {"process": name}


def time_command(case_name: str, frameworks: Sequence[str], steps: int, runs: int) -> dict:
    """Wall seconds of ``python -m compare train --arch CASE --optimizer all --steps N --frameworks ...``, ``runs`` times.

    Raises:
        InputError: the command failed or found a difference (its exit code and last line).
    """
    command = [sys.executable, "-m", "compare", "train", "--arch", case_name, "--optimizer", "all", "--steps", str(steps)]
    command += ["--frameworks", ",".join(frameworks), "--format", "json"]
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or [""])[-1]
            raise InputError(f"bench --train: {' '.join(command[1:6])} ... exited {done.returncode} ({last})")
    return {"command": " ".join(["python", *command[1:]]), "runs_s": walls, "median_s": statistics.median(walls)}


def measure(args: Any, progress: Callable[[str], object] | None = None) -> dict:
    """Every framework of ``args.frameworks`` (here, or in a child of its own), then the whole command."""
    from compare.data.cases import get_case
    from compare.output import versions
    from compare.threads import apply, choose

    load_before = os.getloadavg()
    frameworks = registry.with_reference(args.frameworks)
    here = [name for name in frameworks if registry.get(name).runs_here()]
    elsewhere = [name for name in frameworks if name not in here]
    case = get_case(args.case)
    threads = apply(here, choose([(case.spec, len(case.X))], args.threads))  # --threads, else train's own rule
    results: dict[str, dict] = {}
    if progress:
        progress(f"{', '.join(here)} here")
    results |= measure_here(args.case, here, args.steps, args.runs, args.repeats, args.block_ms / 1e3)
    child_argv = ["--case", args.case, "--steps", str(args.steps), "--runs", str(args.runs), "--repeats", str(args.repeats)]
    child_argv += ["--block-ms", repr(args.block_ms)] + (["--threads", str(args.threads)] if args.threads else [])
    for name in elsewhere:
        if progress:
            progress(f"{name} in a process of its own")
        results[name] = measure_elsewhere(name, child_argv)
    command = None
    if not args.no_command:
        if progress:
            progress("the whole train command")
        command = time_command(args.case, frameworks, args.steps, args.runs)
    return {
        "case": args.case,
        "steps": args.steps,
        "runs": args.runs,
        "frameworks": {name: results[name] for name in frameworks},
        "command": command,
        "threads": threads,
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
        "versions": versions(),
    }


def render(result: dict, out: Any = None) -> None:
    """The table: per framework, the first and median blocks, the floor, the ratio; then the whole command."""
    from rich.table import Table

    from compare.output import console

    out = out or console()
    steps = result["steps"]
    table = Table(
        title=f"train --optimizer all --steps {steps:,} on {result['case']}, float64: six trainings per framework "
        "against the sum of their compiled steps",
        title_justify="left",
        box=None,
    )
    for column in (
        "framework",
        "bench step",
        "first run",
        "median run",
        "floor",
        "ratio",
        "one-time",
        "per step",
        "floor per step",
        "step ratio",
    ):
        table.add_column(column, justify="left" if column in ("framework", "bench step") else "right")
    for name, row in result["frameworks"].items():
        beyond, step_ratio = row["step_us_beyond"], row["step_ratio"]
        table.add_row(
            name,
            row["bench_step"],
            f"{row['first_s']:.2f} s",
            f"{row['median_s']:.2f} s",
            f"{row['floor_s']:.2f} s",
            f"×{row['ratio']:.2f}",
            f"{row['one_time_s']:.2f} s",
            "" if beyond is None else f"{beyond:,.0f} µs",
            f"{row['floor_step_us']:,.0f} µs",
            "" if step_ratio is None else f"×{step_ratio:.2f}",
        )
    out.print(table)
    out.print(
        f"runs per framework: {result['runs']} (the first pays the one-time costs; the median is of the others); "
        "floor: steps x the median compiled step of each optimizer (python -m compare bench), summed; "
        "one-time: the median of the same six trainings of one step each; per step: what the median run costs "
        "beyond them, per step",
        highlight=False,
    )
    if result["command"]:
        command = result["command"]
        walls = ", ".join(f"{s:.1f}" for s in command["runs_s"])
        out.print(f"whole command: {command['command']}: median {command['median_s']:.1f} s ({walls} s)", highlight=False)
    before, after = result["load_average"]["before"][0], result["load_average"]["after"][0]
    out.print(f"load average (1 min): {before:.2f} before, {after:.2f} after", highlight=False)
