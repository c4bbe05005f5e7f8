"""Every Keras implementation computes BCE and CCE from the logits (``from_logits=True``), on any backend.

On TensorFlow a sigmoid or softmax output carries its logits (``_keras_logits``) and Keras's
losses use them even with ``from_logits=False``, so a model-level parity test cannot see the
difference there; on the other backends Keras clips the probabilities to [1e-7, 1 - 1e-7] and
the loss cannot exceed -ln(1e-7) = 16.118 (docs/numerics.md §3). These tests call each Keras
implementation's ``make_loss`` with the probabilities as a plain tensor (no logits attached): a
loss computed from them would clip, one computed from z is exact.

Golden numbers, by hand: z = -100 and y = 1 give -log sigma(-100) = log(1 + e^100) = 100 + log(1 + e^-100),
which is 100.0 in float64; logits (0, 100) with class 0 give -log softmax_0 = log(1 + e^100) = 100.0 too.

The implementations are the registry's entries whose ``losses`` module defines ``compile_loss``
(the Keras model.compile arguments), found from the source without importing it, so that an
entry added for another Keras backend is tested too; each is measured in a process running its
own backend (its registry environment), as the parity harness runs it.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compare import registry

pytestmark = pytest.mark.full  # each Keras backend in a process of its own, started per test: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
EXACT = 100.0
CLIPPED = -math.log(1e-7)  # 16.118


def keras_entries() -> list[str]:
    found = []
    for impl in registry.IMPLEMENTATIONS.values():
        spec = importlib.util.find_spec(f"{impl.package}.losses")
        if spec is None or spec.origin is None:
            continue
        with open(spec.origin, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        if any(isinstance(node, ast.FunctionDef) and node.name == "compile_loss" for node in tree.body):
            found.append(impl.name)
    return found


KERAS = keras_entries()


def test_there_is_a_keras_entry():
    assert KERAS


# Run in a process of the entry's own backend (its registry environment): the losses of this
# process would all be TensorFlow's. Prints {"bce": {dtype: loss}, "cce": {...}, "from_logits": [...]}.
MEASURE = """
import json, sys
import numpy as np
from compare import registry
losses = registry.get(sys.argv[1]).module("losses")
import keras

def loss(name, z, y, dtype):
    exp = np.exp(z - z.max(axis=1, keepdims=True))
    probabilities = 1 / (1 + np.exp(-z)) if name == "bce" else exp / exp.sum(axis=1, keepdims=True)
    tensor = keras.ops.convert_to_tensor
    value = losses.make_loss(name, z.shape[1], dtype)(tensor(z, dtype=dtype), tensor(probabilities, dtype=dtype), tensor(y))
    return float(keras.ops.convert_to_numpy(value))

found = {"backend": keras.backend.backend(), "from_logits": []}
for dtype in ("float64", "float32"):
    found[("bce", dtype)] = loss("bce", np.array([[-100.0]]), np.array([[1.0]]), dtype)
    found[("cce", dtype)] = loss("cce", np.array([[0.0, 100.0]]), np.array([0]), dtype)
for name in ("bce", "cce"):
    compiled = losses.compile_loss(name, 2, "float64")
    found["from_logits"].append(bool(compiled.from_logits) and compiled.loss.get_config()["from_logits"] is True)
print(json.dumps({k if isinstance(k, str) else "/".join(k): v for k, v in found.items()}))
"""


@functools.cache
def measured(framework: str) -> dict:
    """The losses as ``framework`` computes them, in a process with its backend."""
    impl = registry.get(framework)
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"} | dict(impl.environment)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, framework], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("framework", KERAS)
def test_each_entry_runs_on_its_own_backend(framework):
    backend = registry.get(framework).environment.get("KERAS_BACKEND", "tensorflow")
    assert measured(framework)["backend"] == backend


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("framework", KERAS)
def test_bce_is_computed_from_the_logit(framework, dtype):
    loss = measured(framework)[f"bce/{dtype}"]
    assert loss == pytest.approx(EXACT, rel=1e-6)
    assert loss > CLIPPED + 50


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("framework", KERAS)
def test_cce_is_computed_from_the_logits(framework, dtype):
    loss = measured(framework)[f"cce/{dtype}"]
    assert loss == pytest.approx(EXACT, rel=1e-6)
    assert loss > CLIPPED + 50


@pytest.mark.parametrize("framework", KERAS)
def test_the_compiled_losses_say_from_logits(framework):
    assert measured(framework)["from_logits"] == [True, True]
