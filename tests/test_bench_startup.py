"""bench --startup's time to the first line: read on a terminal, stopped at the first byte, nothing left running."""

import io
import os
import re
import sys
import time

import pytest
from rich.console import Console

from compare.bench.startup import first_line_commands, render, time_first_line


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def gone(pid: int, within_s: float = 10.0) -> bool:
    """The process ``pid`` no longer exists (or is a zombie awaiting its reaper) within ``within_s``."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_it_returns_at_the_first_line_and_stops_the_process_and_its_children(tmp_path):
    pid_file = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '120'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "sys.stderr.write('loading\\n'); sys.stderr.flush()\n"
        "time.sleep(120)\n"
    )
    time_first_line(python(code), dict(os.environ))
    assert gone(int(pid_file.read_text())), "the child process of the timed command is still running"


def test_stderr_is_a_terminal_so_terminal_only_lines_count():
    code = "import sys, time\nif sys.stderr.isatty(): sys.stderr.write('on a terminal\\n')\ntime.sleep(5)"
    assert time_first_line(python(code), dict(os.environ), timeout_s=30) > 0


def test_a_command_that_exits_without_a_line_is_an_error_naming_it():
    with pytest.raises(RuntimeError, match=r"-c pass: exited 0 without a line on stderr"):
        time_first_line(python("pass"), dict(os.environ))


def test_a_command_silent_past_the_timeout_is_an_error_and_is_stopped(tmp_path):
    pid_file = tmp_path / "self.pid"
    code = f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\ntime.sleep(120)"
    with pytest.raises(RuntimeError, match=r"no line within 1 s on stderr"):
        time_first_line(python(code), dict(os.environ), timeout_s=1.0)
    assert gone(int(pid_file.read_text()))


def test_every_subcommand_is_timed():
    names = list(first_line_commands())
    for subcommand in ("train", "explain", "bench", "check"):
        assert any(name.startswith(f"python -m compare {subcommand}") for name in names), names
    assert "python -m compare" in names


def test_the_table_says_which_commands_miss_the_target():
    result = {
        "floor": "import ...",
        "runs": 3,
        "commands": {"python -m compare": {"median_s": 2.0, "min_s": 1.9, "max_s": 2.1, "ratio_to_floor": 1.1}},
        "first_line": {
            "target_s": 1.0,
            "commands": {
                "python -m compare": {"median_s": 0.31, "min_s": 0.30, "max_s": 0.40},
                "python -m compare train": {"median_s": 0.9, "min_s": 0.5, "max_s": 1.2},
                "python -m compare bench": {"median_s": 1.5, "min_s": 1.4, "max_s": 1.6},
            },
        },
    }
    out = io.StringIO()
    render(result, Console(file=out, width=160))
    text = out.getvalue()
    assert "target 1 s" in text
    first_table = text[text.index("first line") :]

    def verdict(command: str) -> str:
        (line,) = [line for line in first_table.splitlines() if re.match(rf"\s*{re.escape(command)}\s+\d", line)]
        return line.split()[-1]

    assert verdict("python -m compare") == "yes"  # every run within 1 s
    assert verdict("python -m compare train") == "median"  # the median within, the slowest run not
    assert verdict("python -m compare bench") == "no"


def test_the_floor_row_points_to_its_command_below_instead_of_widening_the_table():
    floor = "python -c " + "import x; " * 40 + "(side by side: the floor)"
    result = {
        "floor": floor,
        "runs": 3,
        "commands": {
            floor: {"median_s": 5.0, "min_s": 4.9, "max_s": 5.2, "ratio_to_floor": 1.0},
            "python -m compare": {"median_s": 6.5, "min_s": 6.4, "max_s": 6.9, "ratio_to_floor": 1.3},
        },
        "first_line": {"target_s": 1.0, "commands": {}},
    }
    out = io.StringIO()
    render(result, Console(file=out, width=1000))
    lines = out.getvalue().splitlines()
    (row,) = [line for line in lines if "5.000" in line]
    assert row.split() == ["the", "floor", "(its", "command", "below)", "5.000", "4.900", "5.200", "1.00"]
    assert f"floor: {floor} (importing the frameworks the default run compares)" in lines
    assert max(len(line.rstrip()) for line in lines if "6.500" in line) < 100  # as wide as its own cells
