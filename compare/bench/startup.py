"""``python -m compare bench --startup``: whole-process wall time of the CLI against the import floor.

The floor is the import of every framework the default run loads, in the processes it
loads them in, side by side: this process's (numpy, torch, Keras on TensorFlow) and one per
other Keras backend (Keras on JAX, Keras on torch; compare.workers), each process importing and
ending as the CLI's do (compare.process): no run of the harness can be faster than those
imports. Each command runs ``runs`` times, the commands interleaved (so a busy neighbour on a
shared machine slows all of them alike), after one untimed warm-up round that fills the file
cache. Reported: the median and the spread, and each command's median
over the floor's median.

Then the time to the first line: each subcommand started with its stderr on a pseudo-terminal
(as a person sees it; some first lines show only on a terminal), timed until its first byte
there, then stopped with its whole process group (the run itself is not waited for). The
target is :data:`FIRST_LINE_TARGET_S`; ``tests/test_startup.py`` checks what makes it
possible (each first line is written before any framework is imported), never the time.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from compare.process import FLOOR_CODE
from compare.registry import IMPLEMENTATIONS

FIRST_LINE_TARGET_S = 1.0  # a person should see what a command is doing within a second
FIRST_LINE_TIMEOUT_S = 60.0
STUDENT_FILE = Path(__file__).resolve().parents[2] / "examples" / "students" / "correct_rows.py"

Process = tuple[list[str], dict[str, str]]  # argv and the environment variables it adds


def floor_processes() -> list[Process]:
    """One importing process per group of implementations that share a process, side by side.

    Entries without an environment share the first process (the harness's own); every other
    environment is a worker process (compare.workers). Each imports its packages (which set
    their frameworks' environment first, as in a real run) and then the frameworks, with the
    garbage collector paused, and ends with ``os._exit(0)``: the CLI and its workers import and end
    so too (compare.process).
    """
    groups: dict[tuple[tuple[str, str], ...], list[Any]] = {}
    plain = []
    for impl in IMPLEMENTATIONS.values():
        if impl.environment:
            groups.setdefault(tuple(sorted(impl.environment.items())), []).append(impl)
        else:
            plain.append(impl)
    members = list(groups.values()) or [[]]
    members[0] = plain + members[0]
    out = []
    for group in members:
        modules = dict.fromkeys(module for impl in group for module in (impl.package, *impl.imports))
        code = FLOOR_CODE.format(modules=", ".join(modules))
        out.append(([sys.executable, "-c", code], dict(group[0].environment) if group else {}))
    return out


def commands() -> dict[str, list[Process]]:
    """The timed commands (each one or more processes run side by side), the floor first."""
    python = sys.executable
    floor = floor_processes()
    name = " & ".join(" ".join(f"{k}={v}" for k, v in env.items()) + f' python -c "{argv[-1]}"' for argv, env in floor)
    return {
        f"{name.strip()} (side by side: the floor)": floor,
        "python -m compare": [([python, "-m", "compare"], {})],
        "python -m compare --frameworks scratch": [([python, "-m", "compare", "--frameworks", "scratch"], {})],
        "python -m compare --help": [([python, "-m", "compare", "--help"], {})],
    }


def first_line_commands() -> dict[str, list[str]]:
    """Each subcommand as a person first runs it (the check of a student file where the examples are installed)."""
    python = [sys.executable, "-m", "compare"]
    out = {
        "python -m compare": python,
        "python -m compare train": [*python, "train"],
        "python -m compare explain worked-2-2-2": [*python, "explain", "worked-2-2-2"],
        "python -m compare bench": [*python, "bench"],
    }
    if STUDENT_FILE.is_file():
        shown = "python -m compare check examples/students/correct_rows.py --arch spiral-2-4-3"
        out[shown] = [*python, "check", str(STUDENT_FILE), "--arch", "spiral-2-4-3"]
    return out


def time_first_line(argv: list[str], env: dict[str, str], timeout_s: float = FIRST_LINE_TIMEOUT_S) -> float:
    """Seconds from starting ``argv`` until its first byte on stderr (a pseudo-terminal); the process is then stopped.

    The process and everything it started (a worker process) are killed as one process group.
    Raises RuntimeError when nothing arrives within ``timeout_s`` or the process exits silently.
    """
    terminal, child_end = pty.openpty()
    try:
        start = time.perf_counter()
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child_end, env=env, start_new_session=True
        )
        os.close(child_end)
        child_end = -1
        ready, _, _ = select.select([terminal], [], [], timeout_s)
        elapsed = time.perf_counter() - start
        try:
            data = os.read(terminal, 1) if ready else b""
        except OSError:  # the terminal closed: the process exited without a word
            data = b""
        with contextlib.suppress(ProcessLookupError):  # ProcessLookupError: the whole group is gone
            os.killpg(process.pid, signal.SIGKILL)  # also the workers it started, if it has exited itself
        process.wait()
    finally:
        os.close(terminal)
        if child_end >= 0:
            os.close(child_end)
    if not data:
        why = f"no line within {timeout_s:g} s" if not ready else f"exited {process.returncode} without a line"
        raise RuntimeError(f"{' '.join(argv)}: {why} on stderr")
    return elapsed


def time_once(processes: list[Process], env: dict[str, str]) -> float:
    """Seconds from starting ``processes`` side by side until the last exits (RuntimeError unless each exits 0 or 1)."""
    start = time.perf_counter()
    running = [
        (argv, subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**env, **extra}))
        for argv, extra in processes
    ]
    codes = [(argv, process.wait()) for argv, process in running]
    elapsed = time.perf_counter() - start
    for argv, code in codes:
        if code not in (0, 1):  # 1 = a parity difference, still a full run
            raise RuntimeError(f"{' '.join(argv)} exited {code}")
    return elapsed


def measure(runs: int) -> dict:
    """``{command: {"median_s", "min_s", "max_s", "runs", "ratio_to_floor"}}``, the floor's name, and ``first_line``.

    ``first_line``: ``{"target_s", "commands": {command: {"median_s", "min_s", "max_s"}}}``, the time to each
    subcommand's first line on a terminal, ``runs`` times each.
    """
    env = dict(os.environ)
    cmds = commands()
    for argv in cmds.values():  # warm-up round, not timed
        time_once(argv, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            times[name].append(time_once(argv, env))
    firsts = first_line_commands()
    first: dict[str, list[float]] = {name: [] for name in firsts}
    for _ in range(runs):
        for name, line_argv in firsts.items():
            first[name].append(time_first_line(line_argv, env))
    floor_name = next(iter(cmds))
    floor = statistics.median(times[floor_name])
    return {
        "floor": floor_name,
        "runs": runs,
        "first_line": {
            "target_s": FIRST_LINE_TARGET_S,
            "commands": {name: {"median_s": statistics.median(t), "min_s": min(t), "max_s": max(t)} for name, t in first.items()},
        },
        "commands": {
            name: {
                "median_s": statistics.median(t),
                "min_s": min(t),
                "max_s": max(t),
                "ratio_to_floor": statistics.median(t) / floor,
            }
            for name, t in times.items()
        },
    }


def render(result: dict, console: Any = None) -> None:
    """The start-up table: median, min and max seconds per command, and its ratio to the floor."""
    from rich import box
    from rich.table import Table

    from compare.output import console as report_console

    console = console or report_console()
    title = f"Whole-process wall time, median of {result['runs']} interleaved runs"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("command", "median s", "min s", "max s", "× floor"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for name, r in result["commands"].items():
        label = "the floor (its command below)" if name == result["floor"] else name  # the floor's command is long
        table.add_row(label, f"{r['median_s']:.3f}", f"{r['min_s']:.3f}", f"{r['max_s']:.3f}", f"{r['ratio_to_floor']:.2f}")
    console.print(table)
    console.print(f"floor: {result['floor']} (importing the frameworks the default run compares)", highlight=False)
    first = result["first_line"]
    table = Table(
        title=f"Time to the first line on stderr (a terminal), median of {result['runs']}; target {first['target_s']:g} s",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    for column in ("command", "median s", "min s", "max s", "within target"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for name, r in first["commands"].items():
        within = "yes" if r["max_s"] <= first["target_s"] else ("median" if r["median_s"] <= first["target_s"] else "no")
        table.add_row(name, f"{r['median_s']:.3f}", f"{r['min_s']:.3f}", f"{r['max_s']:.3f}", within)
    console.print(table)
