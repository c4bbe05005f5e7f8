"""docs/benchmarks.md §4 is written by scripts/suite_time.py from pytest's own output, never by hand."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("suite_time", ROOT / "scripts" / "suite_time.py")
assert SPEC is not None and SPEC.loader is not None
suite_time = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(suite_time)

PYTEST_OUTPUT = """\
bringing up nodes...
created: 2/2 workers
........                                                                 [100%]
============================= slowest 10 durations =============================
35.13s call     tests/test_determinism.py::test_same_seed_gives_identical_json_numbers
0.61s setup    tests/test_fuzz.py::test_every_subcommand_keeps_its_promise_under_fuzzing[bench]
======================= 8 passed, 2 skipped in 204.78s (0:03:24) =======================
"""


def test_the_section_quotes_pytests_numbers():
    text = suite_time.section(PYTEST_OUTPUT, 210.4, (1.94, 0.5), time.gmtime(0))
    assert "**8 passed, 2 skipped in 204.78s (0:03:24)**; 210 s wall" in text
    assert "| 35.13 | call | `tests/test_determinism.py::test_same_seed_gives_identical_json_numbers` |" in text
    assert "| 0.61 | setup |" in text
    assert "2 pytest-xdist workers" in text and "load average 1.9 before, 0.5 after" in text
    assert text.startswith(suite_time.START) and text.endswith(suite_time.END)


def test_the_docs_hold_one_generated_section():
    doc = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert doc.count(suite_time.START) == 1 and doc.count(suite_time.END) == 1
    body = doc[doc.index(suite_time.START) : doc.index(suite_time.END)]
    assert "python scripts/suite_time.py --write" in doc
    assert suite_time.SHOWN in body and " passed" in body  # written by the script, so it quotes its command
