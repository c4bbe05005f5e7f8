"""Time the quick test suite and write the result into docs/benchmarks.md §4.

Runs ``python -m pytest -q -p no:cacheprovider --durations=10`` (the README's test command, with
pytest's own timing of the ten slowest setups and calls), with the machine's load average read
before and after, and replaces the text between the ``suite-time`` markers of docs/benchmarks.md
with what it measured. Nothing in it is typed by hand::

    python scripts/suite_time.py            # print the section
    python scripts/suite_time.py --write    # and write it into docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- suite-time:start -->", "<!-- suite-time:end -->"
COMMAND = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=10"]
SHOWN = "python -m pytest -q -p no:cacheprovider --durations=10"
# pytest -q prints no worker count; the suite's options (pyproject.toml) say whether xdist runs
ADDOPTS = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("addopts = ", 1)[-1].split("\n", 1)[0]


def measure() -> str:
    """Run the suite once; the Markdown section (raises RuntimeError when the suite fails)."""
    load_before = os.getloadavg()
    start = time.monotonic()
    done = subprocess.run(COMMAND, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - start
    load_after = os.getloadavg()
    if done.returncode != 0:
        raise RuntimeError(f"the suite failed (exit {done.returncode}): {done.stdout[-2000:]}")
    return section(done.stdout, wall, (load_before[0], load_after[0]), time.gmtime())


def section(stdout: str, wall: float, load: tuple[float, float], when: time.struct_time) -> str:
    """The Markdown section for pytest's ``stdout`` (wall seconds, load average before and after)."""
    lines = stdout.splitlines()
    summary = next(line for line in reversed(lines) if re.search(r"\d+ passed", line)).strip("= ")
    slowest = []
    for line in lines:
        found = re.match(r"^\s*([\d.]+)s (setup|call|teardown)\s+(.+?)\s*$", line)  # an id may hold spaces
        if found:
            slowest.append(f"| {float(found[1]):.2f} | {found[2]} | `{found[3]}` |")
    workers = re.search(r"(\d+) workers", stdout) or re.search(r"(-n) auto", ADDOPTS)
    return "\n".join(
        [
            START,
            "",
            f"`{SHOWN}` (written by `python scripts/suite_time.py --write`), "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', when)}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, {_workers(workers)}; "
            f"load average {load[0]:.1f} before, {load[1]:.1f} after:",
            "",
            f"**{summary}**; {wall:.0f} s wall for the whole command.",
            "",
            "Slowest ten (pytest's own timing; with workers they overlap):",
            "",
            "| s | phase | test |",
            "|---:|---|---|",
            *slowest,
            "",
            END,
        ]
    )


def _workers(found: re.Match[str] | None) -> str:
    if found is None:
        return "one process"
    return "pytest-xdist, one worker per CPU (-n auto)" if found[1] == "-n" else f"{found[1]} pytest-xdist workers"


def main(argv: list[str] | None = None) -> int:
    """Measure; print the section, and with --write put it into docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the section in docs/benchmarks.md")
    args = parser.parse_args(argv)
    section = measure()
    print(section)
    if args.write:
        text = DOC.read_text(encoding="utf-8")
        begin, end = text.index(START), text.index(END) + len(END)
        DOC.write_text(text[:begin] + section + text[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
