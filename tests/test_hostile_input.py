"""The named hostile inputs (tests/hostile_cases.py): each keeps the CLI's promise with the right exit code and words.

One test per input, in process (``compare.cli.main``); a few also as real processes, to show
that nothing (no traceback, no warning) reaches the terminal but the one line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import fuzzing
import hostile_cases
import pytest
from test_fuzz import run_in_process

ROOT = Path(__file__).resolve().parents[1]
CASES = {h.id: h for h in hostile_cases.cases()}


def run(tokens, real: bool = False) -> tuple[list[str], object, str, str]:
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        argv = fuzzing.materialise(list(tokens), Path(folder))
        if not real:
            return (argv, *run_in_process(argv))
        done = subprocess.run(
            [sys.executable, "-m", "compare", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return argv, done.returncode, done.stdout, done.stderr


def test_every_kind_of_failure_has_a_named_case():
    kinds = {
        "seed",
        "safetensors",
        "labels",
        "X",
        "net",
        "activations",
        "params",
        "bench",
        "train",
        "save",
        "explain",
        "json",
        "npz",
        "newline",
    }
    assert {h.id.split("-")[0] for h in CASES.values()} == kinds
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name):
    hostile = CASES[name]
    argv, code, out, err = run(hostile.tokens)
    fuzzing.check_outcome(argv, code, out, err)
    assert code == hostile.code, (code, err)
    assert hostile.words in err
    assert err.count(" file '") <= 1, err  # one error, not one wrapped in another


@pytest.mark.parametrize("name", ["json-X-1e308", "json-train-learning-rate-1e308", "json-train-l2-1e308"])
def test_numbers_that_overflow_are_null_with_the_reason_and_never_pass(name):
    _, code, out, _ = run(CASES[name].tokens)
    report = json.loads(out, parse_constant=fuzzing.reject_constant)
    assert code == 1 and report["passed"] is False
    assert report["non_finite"]["count"] >= 1 and "RFC 8259" in report["non_finite"]["why"]
    first = report["non_finite"]["paths"][0]
    node = report
    for part in first.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    assert node is None


@pytest.mark.parametrize(
    "name",
    ["seed-2**32-train", "safetensors-bfloat16", "npz-zip-bomb-unused-key", "bench-plot-unwritable-folder", "json-X-1e308"],
)
def test_real_process_prints_one_line_or_valid_json(name):
    hostile = CASES[name]
    argv, code, out, err = run(hostile.tokens, real=True)
    fuzzing.check_outcome(argv, code, out, err)
    assert code == hostile.code and hostile.words in err
