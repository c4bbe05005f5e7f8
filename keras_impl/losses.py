"""The spec's losses as native Keras losses, configured to scratch's reductions.

Keras losses take ``(y_true, y_pred)`` (torch takes ``(input, target)``), and
compute in ``floatx()`` (float32) unless given ``dtype``: a float64 model would
otherwise get a float32 loss. Each function here takes the output layer's ``z``
(logits) and ``a``, ``(m, n_L)``, and the prepared targets.

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

from typing import Callable

import keras

LossFn = Callable[[object, object, object], object]


def make_loss(name: str, n_outputs: int, dtype: str) -> LossFn:
    """``loss(z_L, a_L, y)`` for the spec's loss ``name``, computing in ``dtype``."""
    if name == "bce":
        bce = keras.losses.BinaryCrossentropy(from_logits=True, dtype=dtype)
        return lambda z, a, y: bce(y, z)
    if name == "cce":
        cce = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype=dtype)
        return lambda z, a, y: cce(y, z)
    mse = keras.losses.MeanSquaredError(dtype=dtype)
    if name == "sse":
        return lambda z, a, y: 0.5 * n_outputs * mse(y, a)
    if name == "mse":
        return lambda z, a, y: mse(y, a)
    raise KeyError(name)
