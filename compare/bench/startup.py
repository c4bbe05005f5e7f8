"""``python -m compare bench --startup``: whole-process wall time of the CLI against the import floor.

The floor is the import of every framework the default run loads, in the processes it
loads them in, side by side: this process's (numpy, torch, Keras on TensorFlow) and one per
other Keras backend (Keras on JAX, Keras on torch; compare.workers): no run of the harness
can be faster than those imports. Each command runs
``runs`` times, the commands interleaved (so a busy neighbour on a shared
machine slows all of them alike), after one untimed warm-up round that fills
the file cache. Reported: the median and the spread, and each command's median
over the floor's median.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Any

from compare.registry import IMPLEMENTATIONS

Process = tuple[list[str], dict[str, str]]  # argv and the environment variables it adds


def floor_processes() -> list[Process]:
    """One importing process per group of implementations that share a process, side by side.

    Entries without an environment share the first process (the harness's own); every other
    environment is a worker process (compare.workers). Each imports its packages (which set
    their frameworks' environment first, as in a real run) and then the frameworks.
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
        out.append(([sys.executable, "-c", f"import {', '.join(modules)}"], dict(group[0].environment) if group else {}))
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
    """``{command: {"median_s", "min_s", "max_s", "runs", "ratio_to_floor"}}`` plus the floor's name."""
    env = dict(os.environ)
    cmds = commands()
    for argv in cmds.values():  # warm-up round, not timed
        time_once(argv, env)
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            times[name].append(time_once(argv, env))
    floor_name = next(iter(cmds))
    floor = statistics.median(times[floor_name])
    return {
        "floor": floor_name,
        "runs": runs,
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
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 120)
    table = Table(title=f"Whole-process wall time, median of {result['runs']} interleaved runs", box=box.SIMPLE_HEAD)
    for column in ("command", "median s", "min s", "max s", "× floor"):
        table.add_column(column, justify="left" if column == "command" else "right")
    for name, r in result["commands"].items():
        table.add_row(name, f"{r['median_s']:.3f}", f"{r['min_s']:.3f}", f"{r['max_s']:.3f}", f"{r['ratio_to_floor']:.2f}")
    console.print(table)
    console.print(f"floor: {result['floor']} (importing the frameworks the default run compares)")
