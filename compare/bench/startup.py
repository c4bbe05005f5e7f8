"""``python -m compare bench --startup``: whole-process wall time of the CLI against the import floor.

The floor is ``python -c "import numpy, torch, keras, tensorflow"`` (every module
the registry's implementations import): no run of the harness can be faster than
importing the frameworks it compares. Each command runs
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

MODULES = ", ".join(dict.fromkeys(module for impl in IMPLEMENTATIONS.values() for module in impl.imports))
PACKAGES = ", ".join(impl.package for impl in IMPLEMENTATIONS.values())
FLOOR = f"import {MODULES}"


def commands() -> dict[str, list[str]]:
    """The timed commands, the floor first."""
    python = sys.executable
    return {
        f'python -c "{FLOOR}"': [python, "-c", FLOOR],
        # the same, in the environment the packages set before their frameworks load (keras_impl: oneDNN off, quiet logs)
        f'python -c "import {PACKAGES}, {MODULES}"': [python, "-c", f"import {PACKAGES}, {MODULES}"],
        "python -m compare": [python, "-m", "compare"],
        "python -m compare --frameworks scratch": [python, "-m", "compare", "--frameworks", "scratch"],
        "python -m compare --help": [python, "-m", "compare", "--help"],
    }


def time_once(argv: list[str], env: dict[str, str]) -> float:
    """Seconds one run of ``argv`` takes, start to exit (RuntimeError unless it exits 0 or 1)."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1 = a parity difference, still a full run
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}")
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
