"""docs/training.md's batch-norm and dropout mapping table cannot rot: every command in it runs and prints what it says.

Each row gives a torch command and a Keras command, each beside what it prints (the number the
row is about). All commands run in one child process (Keras on TensorFlow, as the page says),
each with its own namespace and its printed line captured; the test compares the printed line
with the page's, character for character.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.full  # runs the docs' own commands and code blocks: the full suite only (README, Tests)

PAGE = Path(__file__).resolve().parents[1] / "docs" / "training.md"
COMMAND = re.compile(r'`python -c "(.*?)"`')
PRINTED = re.compile(r"^`([^`]*)`")

RUNNER = """
import contextlib, io, json, sys
out = []
for code in json.loads(sys.stdin.read()):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "docs/training.md", "exec"), {"__name__": "__main__"})
    out.append(buffer.getvalue().strip())
print(json.dumps(out))
"""


def mapping_rows() -> list[tuple[str, str, str]]:
    """``(row label, command, printed)`` for each command of the "Mapping table" subsection."""
    text = PAGE.read_text(encoding="utf-8")
    chunk = text.split("### Mapping table", 1)[1].split("\n### ", 1)[0]
    rows = []
    for line in chunk.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not COMMAND.search(cells[1]):
            continue
        for command_cell, printed_cell in ((cells[1], cells[2]), (cells[3], cells[4])):
            command, printed = COMMAND.search(command_cell), PRINTED.match(printed_cell)
            assert command and printed, line
            rows.append((cells[0], command.group(1), printed.group(1)))
    return rows


def test_the_table_has_a_torch_and_a_keras_command_for_each_fact():
    rows = mapping_rows()
    assert len(rows) == 12 and all(("torch" in c) != ("keras" in c) for _, c, _ in rows)
    assert [c.split(";")[0] for _, c, _ in rows[::2]] == ["import torch"] * 6


def test_every_command_prints_what_the_table_says():
    rows = mapping_rows()
    env = os.environ | {"KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps([command for _, command, _ in rows]),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    for (label, command, expected), got in zip(rows, printed, strict=True):
        assert got == expected, f"{label}: {command} printed {got!r}, the page says {expected!r}"
