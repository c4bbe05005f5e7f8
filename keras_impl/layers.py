"""Batch normalisation and dropout as native Keras layers, configured to scratch's maths (core.normalization).

- ``keras.layers.BatchNormalization(momentum=1 - w, epsilon=eps)``: in training mode it
  normalises with ``ops.moments`` (the biased batch variance) and updates
  moving <- moving momentum + batch (1 - momentum) (keras/src/layers/normalization/batch_normalization.py:363-391),
  so Keras's ``momentum`` weights the *old* value: the new batch's weight w is ``1 - momentum``.
  ``moving_variance`` averages the *biased* batch variance; no argument selects the unbiased one
  (``__init__``, :160-178). Built with ``dtype`` explicitly: ``Layer.__call__`` casts its input
  to the layer's compute dtype (keras/src/layers/layer.py:851-853, 882-900), so a default
  float32 layer would compute a float64 net in float32.
- ``keras.layers.Dropout(rate, seed=s)``: in training mode ``backend.random.dropout`` keeps each
  unit with probability 1 - rate and scales the kept ones by 1/(1 - rate)
  (keras/src/layers/regularization/dropout.py:100-108); the identity otherwise. Its
  ``SeedGenerator`` advances once per call, so each step draws a new mask.

The mode switch is Keras's own ``training=`` argument on each call (``training=True`` in a
training step, ``False`` in inference), as ``fit`` and ``predict`` pass it.
"""

from __future__ import annotations

import keras

from core.normalization import BIASED, BatchNormSettings

RUNNING_VARIANCE = BIASED  # batch_normalization.py:385-391 averages the variance ops.moments returns (biased)
OWN_DEFAULTS = {"momentum": 0.99, "epsilon": 1e-3}  # batch_normalization.py:160-178
# Dropout seeds of layers l are seed + l * SEED_STRIDE: on the torch backend Keras seeds the call-k generator
# with seed + k (keras/src/backend/torch/random.py:26), so seeds 1 apart would replay each other's masks a step later.
SEED_STRIDE = 1_000_003


def make_batch_norm(n: int, settings: BatchNormSettings | None, dtype: str) -> keras.layers.BatchNormalization:
    """A built ``BatchNormalization`` over n units: ``momentum = 1 - new_weight``, ``epsilon``; Keras's defaults for None."""
    if settings is None:
        norm = keras.layers.BatchNormalization(dtype=dtype)
    else:
        norm = keras.layers.BatchNormalization(momentum=1.0 - settings.new_weight, epsilon=settings.epsilon, dtype=dtype)
    norm.build((None, n))
    return norm


def make_dropout(rate: float, l: int, seed: int, dtype: str) -> keras.layers.Dropout:
    """``Dropout(rate)`` for layer l, seeded from ``seed`` (see :data:`SEED_STRIDE`)."""
    return keras.layers.Dropout(rate, seed=seed + l * SEED_STRIDE, dtype=dtype)


def settings(norm: keras.layers.BatchNormalization) -> dict[str, object]:
    """What one batch norm holds, in Keras's names and in core.normalization's, for reports."""
    return {
        "native": f"BatchNormalization(momentum={norm.momentum:g}, epsilon={norm.epsilon:g})",
        "new_weight": 1.0 - norm.momentum,
        "epsilon": float(norm.epsilon),
        "running_variance": RUNNING_VARIANCE,
    }
