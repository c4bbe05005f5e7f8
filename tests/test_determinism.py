"""Two runs with the same seed give identical JSON numbers, bit for bit.

What this needs (docs/numerics.md): weights from NumPy's legacy ``RandomState``
(stable across NumPy versions), the spiral data shipped with a checksum, and
``TF_ENABLE_ONEDNN_OPTS=0``, which ``keras_impl/__init__.py`` sets before TensorFlow
is imported (oneDNN's fused CPU kernels may change float32 results between runs).
The runs below start from an environment *without* that variable, so they rely on
the package setting it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compare import registry
from compare.data.cases import get_case

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
COMMAND = [sys.executable, "-m", "compare", "--format", "json", "--arch", "spiral-2-4-3", "--seed", "3"]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND", "PYTHONHASHSEED")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_same_seed_gives_identical_json_numbers():
    # two separate processes, started together (each pays its own framework import)
    runs = [
        subprocess.Popen(COMMAND, cwd=ROOT, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
    first, second = (json.loads(out) for out, _ in outputs)
    # both dtypes ran (float32 is where oneDNN would show), and every framework reported
    assert [c["dtype"] for c in first["cases"]] == ["float64", "float32"]
    assert all(set(c["results"]) == set(registry.NAMES) for c in first["cases"])
    assert first == second  # every output, loss, gradient and error, exactly (JSON floats round-trip)


def test_the_seed_matters():
    """Control: a different seed gives different weights, so identical output above is not trivial."""
    a, b = get_case("spiral-2-4-3", 3).params, get_case("spiral-2-4-3", 4).params
    assert not np.array_equal(a["W1"], b["W1"])
    assert np.array_equal(a["W1"], get_case("spiral-2-4-3", 3).params["W1"])


def test_keras_impl_sets_onednn_off_before_tensorflow_loads():
    """Importing keras_impl sets the variables first and then imports Keras (and so TensorFlow) itself,
    so they are in place when TensorFlow reads them at import."""
    code = (
        "import os, sys; import keras_impl; "
        "print(os.environ['TF_ENABLE_ONEDNN_OPTS'], os.environ['KERAS_BACKEND'], 'tensorflow' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_environment(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "tensorflow", "True"]
