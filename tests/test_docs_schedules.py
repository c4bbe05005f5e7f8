"""docs/training.md's schedule and early-stopping sections cannot rot: their Python blocks run and their asserts hold.

The blocks compare the three spellings of each schedule (scratch's formula, torch's scheduler,
Keras's schedule) and run one validation-loss sequence through scratch's rule, the torch loop and
Keras's own EarlyStopping callback. They run in a fresh process with Keras on TensorFlow.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.full  # runs the docs' own commands and code blocks: the full suite only (README, Tests)

PAGE = Path(__file__).resolve().parents[1] / "docs" / "training.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
SECTIONS = ("Learning-rate schedules", "Early stopping")


def blocks(title: str) -> list[str]:
    """The ```python blocks of the ``## `` section whose title starts with ``title``."""
    for chunk in re.split(r"^## ", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]:
        if chunk.startswith(title):
            return BLOCK.findall(chunk)
    raise AssertionError(f"docs/training.md has no section {title!r}")


@pytest.mark.parametrize("title", SECTIONS)
def test_the_sections_blocks_run(title):
    found = blocks(title)
    assert len(found) == 1 and "assert" in found[0]
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        [sys.executable, "-c", found[0]], env=env, capture_output=True, text=True, timeout=300, cwd=PAGE.parents[1]
    )
    assert done.returncode == 0, done.stderr[-3000:]
