"""``python -m compare bench``: the time of one training step in scratch, torch and Keras.

One step is forward + loss + backward + SGD update (see :mod:`compare.bench.steps`
for exactly what each implementation runs). Nets: the built-in lecture cases on
their own data, and a sweep of ``2-w-w-3:relu,relu,softmax:cce`` (Session-5 backprop's spiral
net with a second hidden layer of the same width, so that wide nets are dominated
by the ``w x w`` matmuls) over hidden widths ``w`` and batch sizes ``m``.

Reported per implementation: the median microseconds per step (warm-up excluded,
median of ``--repeats`` timed blocks), the ratio to scratch, and the achieved
GFLOP/s (matmul FLOPs of :func:`compare.threads.step_flops`) against NumPy's
measured square-matmul GFLOP/s in the same dtype and run. Thread counts are set
(``--threads``, default: every CPU this process may use) and printed.

Speed is measured here only; no test asserts it. Exit codes: 0 done, 2 bad usage.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from compare import registry
from core.errors import InputError

BENCH_STEPS = tuple(registry.bench_steps())

SWEEP_SPEC = "2-{w}-{w}-3:relu,relu,softmax:cce"
SWEEP_LEARNING_RATE = 0.01
DEFAULT_WIDTHS = (4, 16, 64, 256, 1024)
DEFAULT_BATCHES = (300, 3000, 30000)
QUICK_CASES = ("worked-2-2-2",)
QUICK_WIDTHS = (4, 16)
QUICK_BATCHES = (300,)
TRAIN_CASE = "spiral-2-4-3"
TRAIN_STEPS = 1000
QUICK_TRAIN_STEPS = 20
MAX_THREADS = 1024  # threads for one process's BLAS, torch and TensorFlow pools; more is a typo, not a machine


def build_parser(prog: str = "python -m compare bench") -> Any:
    """The ``bench`` parser."""
    from compare.data.cases import CASES
    from compare.options import (
        NET_LIMITS,
        ArgumentParser,
        format_option,
        frameworks_option,
        limits_option,
        name_list,
        positive_float,
        positive_int,
        positive_int_list,
        quiet_option,
        seed_arg,
    )
    from compare.plot_target import METAVAR as PLOT_METAVAR

    parser = ArgumentParser(
        prog=prog,
        parents=[
            limits_option(*NET_LIMITS, "repeats", "block_ms", "steps"),
            format_option("json"),
            frameworks_option(),
            quiet_option(),
        ],
        description="Time one training step (forward + loss + backward + SGD update) in each implementation's "
        f"bench steps ({', '.join(BENCH_STEPS)}: torch eager; Keras on TensorFlow as a compiled tf.function step "
        "and as model.train_on_batch, on JAX through jax.jit, on torch eager), on the lecture nets and on a sweep of "
        f"{SWEEP_SPEC.format(w='w')} over hidden widths w and batch sizes m.",
        epilog="Speed is reported, never asserted. Exit codes: 0 done, 2 bad usage.",
    )
    timed = step_cases()
    parser.add_argument(
        "--cases",
        type=_step_case_list(timed, tuple(CASES)),
        default=timed,
        metavar="LIST",
        help=f"built-in cases to time, those without batch norm or dropout (default: all of them: {','.join(timed)})",
    )
    parser.add_argument("--no-cases", action="store_true", help="skip the lecture cases")
    parser.add_argument(
        "--widths",
        type=positive_int_list,
        default=DEFAULT_WIDTHS,
        metavar="LIST",
        help=f"sweep hidden widths (default {','.join(map(str, DEFAULT_WIDTHS))})",
    )
    parser.add_argument(
        "--batches",
        type=positive_int_list,
        default=DEFAULT_BATCHES,
        metavar="LIST",
        help=f"sweep batch sizes (default {','.join(map(str, DEFAULT_BATCHES))})",
    )
    parser.add_argument("--no-sweep", action="store_true", help="skip the width x batch sweep")
    parser.add_argument(
        "--implementations",
        type=name_list(BENCH_STEPS, "implementation"),
        default=BENCH_STEPS,
        metavar="LIST",
        help=f"comma-separated subset of {','.join(BENCH_STEPS)} (default: all; {registry.REFERENCE} always runs)",
    )
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="default: float32")
    parser.add_argument(
        "--repeats", type=positive_int, default=5, help="timed blocks per measurement; the median is reported (default 5)"
    )
    parser.add_argument("--block-ms", type=positive_float, default=20.0, help="minimum length of one timed block (default 20 ms)")
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help="compute threads for NumPy's BLAS, torch and TensorFlow (default: every CPU this process may use)",
    )
    parser.add_argument(
        "--matmul-size", type=positive_int, default=2048, help="n of the n x n matmul that measures the peak (default 2048)"
    )
    parser.add_argument("--seed", type=seed_arg, default=0, help="seed for sweep weights and data (default 0)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: cases {','.join(QUICK_CASES)}, widths {','.join(map(str, QUICK_WIDTHS))}, "
        f"batch {QUICK_BATCHES[0]}, 2 repeats of 2 ms blocks, a 256 x 256 matmul peak "
        "(explicit --cases/--widths/--batches/--repeats still win)",
    )
    parser.add_argument(
        "--startup",
        action="store_true",
        help="instead of training steps, time whole runs of python -m compare (default, --frameworks scratch, "
        "--help) against the import floor (every framework the default run loads, imported in the processes it "
        "uses, side by side), and each subcommand's time to its first line on a terminal",
    )
    parser.add_argument(
        "--train",
        action="store_true",
        help="instead of single steps, time the six trainings of train --optimizer all per framework against the sum "
        "of their compiled steps (the floor), and the whole train command",
    )
    parser.add_argument(
        "--case", default=TRAIN_CASE, help=f"--train: a built-in case without batch norm or dropout (default {TRAIN_CASE})"
    )
    parser.add_argument("--steps", type=positive_int, default=None, help=f"--train: steps per training (default {TRAIN_STEPS:,})")
    parser.add_argument("--no-command", action="store_true", help="--train: skip timing the whole train command")
    parser.add_argument(
        "--runs",
        type=positive_int,
        default=None,
        help="--startup: timed runs per command, interleaved (default 7); --train: runs per framework and of the "
        "whole command (default 3)",
    )
    parser.add_argument(
        "--plot",
        metavar=PLOT_METAVAR,
        help="also draw time per step against width (log-log): to FILE.png, or as DIR/time-vs-width.png",
    )
    return parser


STEP, TRAIN, STARTUP = "the training-step benchmark", "--train", "--startup"  # the three benchmarks
OPTION_BENCHMARKS = {  # the options only some of them use (every other option is for all three)
    "case": (TRAIN,),
    "steps": (TRAIN,),
    "no_command": (TRAIN,),
    "runs": (STARTUP, TRAIN),
    "repeats": (STEP, TRAIN),
    "block_ms": (STEP, TRAIN),
    "threads": (STEP, TRAIN),
    "frameworks": (STEP, TRAIN),
    "cases": (STEP,),
    "no_cases": (STEP,),
    "widths": (STEP,),
    "batches": (STEP,),
    "no_sweep": (STEP,),
    "implementations": (STEP,),
    "dtype": (STEP,),
    "matmul_size": (STEP,),
    "seed": (STEP,),
    "plot": (STEP,),
}


def benchmark_of(args: argparse.Namespace) -> str:
    """Which benchmark ``args`` asks for: :data:`TRAIN`, :data:`STARTUP` or :data:`STEP`."""
    return TRAIN if args.train else STARTUP if args.startup else STEP


def step_cases() -> tuple[str, ...]:
    """The built-in cases one bench step can time: those without batch norm or dropout.

    A training-mode step of a net with dropout needs a keep mask per step, which each
    implementation would draw from its own generator: the steps would not compute the same maths,
    and scratch's step (compare.bench.steps) takes no masks.
    """
    from compare.data.cases import CASES, get_case

    return tuple(name for name in CASES if not get_case(name).spec.mode_dependent)


def _step_case_list(timed: Sequence[str], built_in: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """The ``--cases`` type: names of ``timed`` cases; a ``built_in`` one with no bench step says why.

    An unknown name lists only the cases the step bench can time, the ones the user may choose.
    """
    from compare.options import name_list

    names = name_list(timed, "case")

    def parse(text: str) -> tuple[str, ...]:
        modal = [name for name in (n.strip() for n in text.split(",")) if name in built_in and name not in timed]
        if modal:
            raise argparse.ArgumentTypeError(_not_timed(modal[0], timed))
        return names(text)

    return parse


def _not_timed(name: str, timed: Sequence[str]) -> str:
    """Why case ``name`` has no bench step, and what has one."""
    return (
        f"{name} has batch norm or dropout; the step bench times the cases without them "
        f"(each implementation would draw its own dropout masks): choose from {','.join(timed)}"
    )


def apply_options(args: argparse.Namespace, given: set[str]) -> None:
    """Settle the options against the chosen benchmark: refuse those it does not use, then apply --quick's defaults.

    --quick changes the defaults, not what the user gave explicitly; then the defaults that depend
    on the mode. ``given``: the options the user gave (compare.options.given_options). ``--frameworks`` on the step
    benchmark selects the bench steps of those implementations (``--implementations`` names them).

    Raises:
        InputError: an option that the chosen benchmark does not use (it would be ignored), or
            both ``--frameworks`` and ``--implementations``.
    """
    benchmark = benchmark_of(args)
    for dest in sorted(given):
        users = OPTION_BENCHMARKS.get(dest)
        if users is not None and benchmark not in users and not (args.train and args.startup):
            option = f"--{dest.replace('_', '-')}"
            raise InputError(f"{option}: only for {' or '.join(users)}, not with {benchmark}")
    if benchmark == STEP and "frameworks" in given:
        if "implementations" in given:
            raise InputError("--frameworks and --implementations: expected one of them (both choose what the bench times)")
        args.implementations = tuple(step for step in BENCH_STEPS if registry.bench_owner(step).name in args.frameworks)
    if args.quick:
        _quick(args, {f"--{dest.replace('_', '-')}" for dest in given})
    if args.runs is None:
        args.runs = 3 if args.train else 7
    if args.steps is None:
        args.steps = TRAIN_STEPS


def _quick(args: argparse.Namespace, given: set[str]) -> None:
    if "--cases" not in given:
        args.cases = QUICK_CASES
    if "--widths" not in given:
        args.widths = QUICK_WIDTHS
    if "--batches" not in given:
        args.batches = QUICK_BATCHES
    if "--repeats" not in given:
        args.repeats = 2
    if "--block-ms" not in given:
        args.block_ms = 2.0
    if "--matmul-size" not in given:
        args.matmul_size = 256
    if "--steps" not in given:
        args.steps = QUICK_TRAIN_STEPS
    if "--runs" not in given:
        args.runs = 2


def check_args(args: argparse.Namespace) -> None:
    """Refuse bad numbers, sizes above the limits and an unwritable --plot before any timing (InputError).

    The types have refused what is not a number; here: the limits (core.limits), each sweep net on
    its largest batch, the matmul's n x n, the threads, and the --plot file.
    """
    from core.limits import check_at_most, check_batch, check_net
    from core.spec import parse_spec

    check_at_most("--repeats", args.repeats, "repeats")
    check_at_most("--runs", args.runs, "repeats", "runs")
    check_at_most("--block-ms", args.block_ms, "block_ms", "ms")
    check_at_most(f"--matmul-size {args.matmul_size:,}", args.matmul_size**2, "activations", "matrix entries")
    if args.threads is not None and args.threads > MAX_THREADS:
        raise InputError(f"--threads: expected at most {MAX_THREADS} threads, got {args.threads:,}")
    for m in args.batches:
        check_batch(m, "--batches")
    for width in args.widths:
        check_net(parse_spec(SWEEP_SPEC.format(w=width)), max(args.batches))
    if args.startup and args.train:
        raise InputError("--startup and --train: expected one of them (each is a benchmark of its own)")
    if args.train:
        from compare.data.cases import get_case
        from core.limits import check_steps

        args.case = get_case(args.case).name  # one line for a name it does not know, with the nearest one
        if args.case not in (timed := step_cases()):
            raise InputError(f"--case: {_not_timed(args.case, timed)} (the floor is their bench step)")
        check_steps(args.steps, "--steps")
    if args.no_sweep and args.plot:
        raise InputError("--plot: draws the width sweep, which --no-sweep turns off")
    if args.no_cases and args.no_sweep and not (args.startup or args.train):
        raise InputError("--no-cases and --no-sweep: expected at most one of them (with both there is nothing to time)")
    if args.plot:
        from compare.plot_target import plot_target

        args.plot = plot_target(args.plot).file("time-vs-width")  # before any timing, not a savefig traceback at the end


def workloads(args: argparse.Namespace) -> list[dict]:
    """Every (net, batch) to time: ``{group, name, spec, params, X, y, learning_rate, width}``."""
    import numpy as np

    from compare.data.cases import get_case
    from core.spec import parse_spec
    from scratch.init import init_params

    out = []
    if not args.no_cases:
        for name in args.cases:
            case = get_case(name)
            out.append(
                {
                    "group": "lecture",
                    "name": name,
                    "spec": case.spec,
                    "params": case.params,
                    "X": case.X,
                    "y": case.y,
                    "learning_rate": case.learning_rate,
                    "width": None,
                }
            )
    if not args.no_sweep:
        for width in args.widths:
            spec = parse_spec(SWEEP_SPEC.format(w=width))
            params = init_params(spec, args.seed)
            for m in args.batches:
                rng = np.random.RandomState(args.seed)
                X = rng.randn(m, spec.sizes[0])
                y = rng.randint(0, spec.sizes[-1], size=m)
                out.append(
                    {
                        "group": "sweep",
                        "name": f"w={width}",
                        "spec": spec,
                        "params": params,
                        "X": X,
                        "y": y,
                        "learning_rate": SWEEP_LEARNING_RATE,
                        "width": width,
                    }
                )
    return out


def frameworks_of(steps: Sequence[str]) -> tuple[str, ...]:
    """The implementations the bench steps belong to, scratch first."""
    return registry.with_reference(registry.bench_owner(step).name for step in steps)


def import_frameworks(frameworks: Sequence[str]) -> None:
    """Import the frameworks first, so their thread pools can be set before they run anything."""
    for framework in frameworks:
        impl = registry.get(framework)
        importlib.import_module(impl.package)  # first: a package may set its framework's environment (keras_impl)
        for module in impl.imports:
            importlib.import_module(module)


def run(args: argparse.Namespace, progress=None) -> dict:
    """Time every workload with every implementation; the result is the JSON object."""
    from compare.bench.steps import make_step
    from compare.bench.timing import matmul_peak, time_step
    from compare.output import versions
    from compare.threads import apply, cpus, step_flops
    from core.validate import prepare

    load_before = os.getloadavg()
    requested = registry.with_reference(args.implementations)  # the reference's bench step has its name
    elsewhere = {name: steps for name, steps in by_owner(requested).items() if not registry.get(name).runs_here()}
    implementations = tuple(step for step in requested if not any(step in steps for steps in elsewhere.values()))
    frameworks = frameworks_of(implementations)
    import_frameworks(frameworks)
    threads = apply(frameworks, args.threads or cpus())  # the bench's default: every CPU (the rule is compare.threads')
    peak = matmul_peak(args.dtype, args.matmul_size)
    rows = []
    for work in workloads(args):
        spec, m = work["spec"], len(work["X"])
        params, X, y = prepare(spec, work["params"], work["X"], work["y"], args.dtype)  # validated once, outside timing
        flops = step_flops(spec, m)
        row = {
            "group": work["group"],
            "name": work["name"],
            "spec": str(spec),
            "width": work["width"],
            "batch": m,
            "mflop_per_step": flops / 1e6,
            "implementations": {},
        }
        for impl in implementations:
            if progress:
                progress(f"{work['name']} m={m} {impl}")
            step = make_step(impl, spec, params, X, y, work["learning_rate"], args.dtype)
            t = time_step(step.run, step.sync, args.repeats, args.block_ms / 1e3)
            del step
            gc.collect()
            gflops = flops / t.median_s / 1e9
            row["implementations"][impl] = {
                "median_us": t.median_s * 1e6,
                "min_us": t.min_s * 1e6,
                "max_us": t.max_s * 1e6,
                "steps_per_block": t.steps_per_block,
                "repeats": t.repeats,
                "gflops": gflops,
                "fraction_of_peak": gflops / peak,
            }
        scratch_us = row["implementations"][registry.REFERENCE]["median_us"]
        for result in row["implementations"].values():
            result["ratio_to_scratch"] = result["median_us"] / scratch_us
        rows.append(row)
    workers = {name: run_elsewhere(args, name, steps, rows, peak, progress) for name, steps in elsewhere.items()}
    return {
        "dtype": args.dtype,
        "machine": machine(),
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},  # 1, 5 and 15 minutes
        "threads": threads | ({"processes": workers} if workers else {}),
        "matmul_peak_gflops": {"numpy": peak, "n": args.matmul_size},
        "repeats": args.repeats,
        "versions": versions(),
        "results": rows,
    }


def by_owner(steps: Sequence[str]) -> dict[str, list[str]]:
    """The bench steps grouped by the implementation they belong to, in order."""
    owners: dict[str, list[str]] = {}
    for step in steps:
        owners.setdefault(registry.bench_owner(step).name, []).append(step)
    return owners


def run_elsewhere(
    args: argparse.Namespace, framework: str, steps: Sequence[str], rows: list[dict], peak: float, progress: Any = None
) -> dict:
    """Time ``steps`` in a child ``python -m compare bench`` with ``framework``'s environment (another Keras backend).

    The child times scratch too, so each of its ratios is against a peer measured in the same
    process; its rows are merged into ``rows`` (the same workloads, in the same order).
    Returns the child's thread settings.

    Raises:
        InputError: the child failed (its last line of output).
    """
    import os
    import subprocess

    from core import limits

    if progress:
        progress(f"{', '.join(steps)} in a {framework} process")
    argv = [
        sys.executable,
        "-m",
        "compare",
        "bench",
        "--format",
        "json",
        "--implementations",
        ",".join(steps),
        "--dtype",
        args.dtype,
        "--repeats",
        str(args.repeats),
        "--block-ms",
        repr(args.block_ms),
        "--matmul-size",
        str(args.matmul_size),
        "--seed",
        str(args.seed),
        "--widths",
        ",".join(map(str, args.widths)),
        "--batches",
        ",".join(map(str, args.batches)),
    ]
    argv += ["--no-cases"] if args.no_cases else ["--cases", ",".join(args.cases)]
    argv += ["--no-sweep"] if args.no_sweep else []
    argv += ["--threads", str(args.threads)] if args.threads else []
    for name in limits.NAMES:  # the limits this run was given, so the child refuses nothing this one took
        if hasattr(args, f"max_{name}"):
            argv += [limits.flag(name), str(getattr(args, f"max_{name}"))]
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **registry.get(framework).environment})
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise InputError(f"bench: the {framework} process failed ({last})")
    child = json.loads(done.stdout)
    for row, theirs in zip(rows, child["results"], strict=True):
        for step in steps:
            peer = theirs["implementations"][registry.REFERENCE]["median_us"]  # its ratio is against this scratch
            mine = theirs["implementations"][step] | {"process": framework, "scratch_us": peer}
            mine["fraction_of_peak"] = mine["gflops"] / peak  # the machine's peak, measured by this process
            row["implementations"][step] = mine
    threads: dict = child["threads"]
    return threads


def machine() -> dict:
    """CPU model (``/proc/cpuinfo``) and the CPUs this process may use."""
    from compare.threads import cpus

    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    import platform

    return {"cpu": model, "cpus": cpus(), "machine": platform.machine(), "python": platform.python_version()}


def main(argv: Sequence[str], prog: str = "python -m compare bench") -> int:
    """Time the training steps (or, with --startup, whole runs); 0 done."""
    from compare.options import given_options, limits_from
    from core.limits import using

    argv = list(argv)
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    args.prog = prog  # the progress lines start with it, as the error line does
    apply_options(args, given_options(parser, argv, args))
    with using(limits_from(args)):
        check_args(args)
        from compare.output import report_to

        with report_to(args.output):
            return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Time (or time the start-up) and report; the arguments are checked."""
    from compare.output import dumps
    from compare.progress import Feedback

    feedback = Feedback(args.quiet, args.prog)
    if args.train:
        from compare.bench import training as bench_training

        feedback.say(
            f"timing whole trainings (train --optimizer all --steps {args.steps}), {args.runs} of each, per framework; "
            "loading the frameworks (a benchmark: minutes)"
        )
        trained = bench_training.measure(args, lambda text: feedback.say(f"timing {text}"))
        if args.format == "json":
            print(dumps(trained))
        else:
            bench_training.render(trained)
        return 0
    if args.startup:
        from compare.bench import startup as bench_startup

        feedback.say(f"timing whole runs of python -m compare, {args.runs} of each command (a benchmark: minutes)")
        startup = bench_startup.measure(args.runs)
        if args.format == "json":
            print(dumps(startup))
        else:
            bench_startup.render(startup)
        return 0
    from compare.bench import report as bench_report

    feedback.say("timing one training step per net and implementation; loading the frameworks (a benchmark: minutes)")
    progress = None
    if args.format == "text" and sys.stderr.isatty() and not args.quiet:
        progress = lambda text: sys.stderr.write(f"\r\x1b[K timing {text}")  # noqa: E731
    result = run(args, progress)
    if progress:
        sys.stderr.write("\r\x1b[K")
    if args.format == "json":
        print(bench_report.dumps(result))
    else:
        bench_report.render_table(result)
    if args.plot:
        bench_report.plot(result, args.plot)
        sys.stderr.write(f"wrote {args.plot}\n")
    return 0
