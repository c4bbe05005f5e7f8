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
entry added for another Keras backend is tested too.
"""

from __future__ import annotations

import ast
import importlib.util
import math

import numpy as np
import pytest

from compare import registry

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


def _loss(framework: str, name: str, z: np.ndarray, y: np.ndarray, dtype: str) -> float:
    losses = registry.get(framework).module("losses")
    import keras

    exp = np.exp(z - z.max(axis=1, keepdims=True))
    probabilities = 1 / (1 + np.exp(-z)) if name == "bce" else exp / exp.sum(axis=1, keepdims=True)
    tensor = keras.ops.convert_to_tensor
    value = losses.make_loss(name, z.shape[1], dtype)(tensor(z, dtype=dtype), tensor(probabilities, dtype=dtype), tensor(y))
    return float(keras.ops.convert_to_numpy(value))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("framework", KERAS)
def test_bce_is_computed_from_the_logit(framework, dtype):
    loss = _loss(framework, "bce", np.array([[-100.0]]), np.array([[1.0]]), dtype)
    assert loss == pytest.approx(EXACT, rel=1e-6)
    assert loss > CLIPPED + 50


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("framework", KERAS)
def test_cce_is_computed_from_the_logits(framework, dtype):
    loss = _loss(framework, "cce", np.array([[0.0, 100.0]]), np.array([0]), dtype)
    assert loss == pytest.approx(EXACT, rel=1e-6)
    assert loss > CLIPPED + 50


@pytest.mark.parametrize("framework", KERAS)
def test_the_compiled_losses_say_from_logits(framework):
    losses = registry.get(framework).module("losses")
    for name in ("bce", "cce"):
        compiled = losses.compile_loss(name, 2, "float64")
        assert compiled.from_logits is True and compiled.loss.get_config()["from_logits"] is True
