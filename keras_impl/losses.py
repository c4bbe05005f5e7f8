"""The spec's losses as native Keras losses, configured to the reductions of core.losses (a mean over samples).

Keras losses take ``(y_true, y_pred)`` (torch takes ``(input, target)``), and
compute in ``floatx()`` (float32) unless given ``dtype``: a float64 model would
otherwise get a float32 loss. :func:`make_loss` returns a function of the output
layer's ``z`` (logits) and ``a``, ``(m, n_L)``, and the prepared targets;
:func:`compile_loss` gives the same loss as ``model.compile`` arguments.

- bce: ``BinaryCrossentropy(from_logits=True)`` on z_L: per sample
  -[y log s(z) + (1-y) log(1-s(z))], mean over the last axis (1 unit), then over the batch.
- cce: ``SparseCategoricalCrossentropy(from_logits=True)`` on z_L with integer labels:
  per sample -log softmax(z)_y, mean over the batch.
- sse: ``0.5 * n_L * MeanSquaredError()``: per sample 1/2 sum_j (t_j - o_j)^2, mean over
  the batch. Keras's per-sample MSE is the *mean* over the last axis, (1/n_L) sum_j (t_j - o_j)^2,
  so 1/2 sum_j = (n_L / 2) x that. (``MeanSquaredError()`` alone equals this sse whenever
  n_L = 2, for any m, as both are means over the batch; it equals the lectures' E_total,
  a sum over samples, only when also m = 1.)
- mse: ``MeanSquaredError()``: mean over the last axis then the batch = mean over all elements.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import keras

from core.errors import lookup

LossFn = Callable[[object, object, object], object]


class CompiledLoss(NamedTuple):
    """``model.compile(loss=loss, loss_weights=loss_weight)``; ``from_logits``: the model must end at z_L, not a_L."""

    loss: keras.losses.Loss
    loss_weight: float
    from_logits: bool


COMPILED: dict[str, Callable[[int, str], CompiledLoss]] = {
    "bce": lambda n_outputs, dtype: CompiledLoss(keras.losses.BinaryCrossentropy(from_logits=True, dtype=dtype), 1.0, True),
    "cce": lambda n_outputs, dtype: CompiledLoss(
        keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype), 1.0, True
    ),
    "sse": lambda n_outputs, dtype: CompiledLoss(keras.losses.MeanSquaredError(dtype=dtype), 0.5 * n_outputs, False),
    "mse": lambda n_outputs, dtype: CompiledLoss(keras.losses.MeanSquaredError(dtype=dtype), 1.0, False),
}


def compile_loss(name: str, n_outputs: int, dtype: str) -> CompiledLoss:
    """The native Keras loss for the spec's loss ``name`` (see the module docstring), computing in ``dtype``.

    ``n_outputs`` is n_L, for the sse weight n_L / 2.

    Raises:
        InputError: a name with no native loss here.
    """
    return lookup(COMPILED, name, "loss")(n_outputs, dtype)


def make_loss(name: str, n_outputs: int, dtype: str) -> LossFn:
    """``loss(z_L, a_L, y)`` -> 0-d tensor for the spec's loss ``name``, computing in ``dtype``.

    z_L, a_L: ``(m, n_L)``; y: prepared targets (:func:`core.validate.prepare`).

    Raises:
        InputError: a name with no native loss here.
    """
    loss, loss_weight, from_logits = compile_loss(name, n_outputs, dtype)
    return lambda z, a, y: loss_weight * loss(y, z if from_logits else a)  # x 1.0 is exact
