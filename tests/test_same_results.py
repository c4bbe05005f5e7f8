"""The restructure into core/, one registry and compare/'s subpackages changed no number.

Runs the same commands with the project as it was before the restructure (commit
``BEFORE``, unpacked from git into a temporary folder) and as it is, and compares every
number of their JSON: equal to 1 ulp (measured: bitwise). Marked slow (two full sets of
framework imports); it needs the git history (skipped, saying so, in a shallow clone).

    python -m pytest -m slow tests/test_same_results.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "4a30b19"  # "README layout lists compare/known_differences.py": the last commit before core/ and the registry
FRAMEWORKS = ["--frameworks", "scratch,torch,keras"]  # the implementations that existed then
COMMANDS = {
    "parity": ["--arch", "worked-2-2-2", "--arch", "spiral-2-4-3", "--arch", "iris-2-4-3", *FRAMEWORKS],
    "train": ["train", "--optimizer", "all", "--steps", "60", "--batch-size", "50", "--l2", "0.3", *FRAMEWORKS],
    "framework-defaults": [
        "train",
        "--optimizer",
        "adam",
        "--framework-defaults",
        "--learning-rate",
        "0.01",
        "--steps",
        "30",
        *FRAMEWORKS,
    ],
    "check": [
        "check",
        "examples/students/forgot_1_over_m.py",
        "--arch",
        "2-4-1:sigmoid,sigmoid:bce",
        "--convention",
        "columns",
        *FRAMEWORKS,
    ],
}


def ulps(a: float, b: float) -> int:
    """How many float64 values lie between a and b."""
    return abs(int(np.float64(a).view(np.int64)) - int(np.float64(b).view(np.int64)))


def numbers(value: object, path: str = "") -> dict[str, float]:
    """Every float in a JSON value, by its path."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in numbers(item, f"{path}/{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in numbers(item, f"{path}/{i}").items()}
    return {path: value} if isinstance(value, float) else {}


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("before")
    archive = tree / "before.tar"
    done = subprocess.run(["git", "archive", "-o", str(archive), BEFORE], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"commit {BEFORE} is not in this clone's history ({done.stderr.strip()})")
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def run(tree: Path, argv: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-m", "compare", *argv, "--format", "json"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_number_is_what_it_was_before_the_restructure(before, command):
    old, new = numbers(run(before, COMMANDS[command])), numbers(run(ROOT, COMMANDS[command]))
    common = sorted(set(old) & set(new))
    assert len(common) > 20 and len(common) >= 0.9 * len(old), (len(common), len(old))
    worst = max(common, key=lambda k: ulps(old[k], new[k]))
    assert ulps(old[worst], new[worst]) <= 1, (worst, old[worst], new[worst])
