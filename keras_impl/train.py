"""Training in Keras 3: ``keras.optimizers`` ``apply_gradients`` on the MLP, L2 as ``keras.regularizers.L2``.

``train`` has the same signature and returns the same record as scratch.train.train
(the contract is core.training). Each step runs the forward pass and the native loss,
adds the layers' L2 losses (keras_impl.regularization) and updates with the optimizer,
as the backend's training step does it (keras_impl.gradients: eager on TensorFlow and
torch, ``jax.jit`` on JAX). No ``fit``: the harness chooses the batches, so Keras never shuffles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np

from core.optimizers import Hyperparameters
from core.spec import Spec
from core.training import StepCallback, TrainResult, accuracy, prepare_training, recorded
from keras_impl.convert import read_params
from keras_impl.gradients import train_step
from keras_impl.model import build_model
from keras_impl.optimizers import make_optimizer, settings
from keras_impl.regularization import regularizer


def train(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    *,
    optimizer: str,
    hyper: Hyperparameters | Mapping[str, float],
    batches: Sequence[np.ndarray],
    l2: float = 0.0,
    freeze_biases: bool = False,
    dtype: str = "float64",
    every: int = 1,
    on_step: StepCallback | None = None,
) -> TrainResult:
    """Train ``len(batches)`` steps with ``keras.optimizers`` (see scratch.train.train for the arguments).

    ``hyper`` may also be a mapping such as ``{"learning_rate": 0.01}``: Keras's own default
    hyperparameters except those values (:func:`keras_impl.optimizers.own_defaults`, ``--framework-defaults``).

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters or batches.
    """
    params, X_np, y_np, batches = prepare_training(
        spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype
    )
    n = X_np.shape[0]
    model = build_model(spec, params, dtype, kernel_regularizer=regularizer(l2, n))
    trained = [dense.kernel for dense in model.denses] + ([] if freeze_biases else [dense.bias for dense in model.denses])
    native = make_optimizer(optimizer, hyper, trained)

    def loss_fn(X_b: Any, y_b: Any) -> tuple[Any, Any]:
        """(batch loss + the L2 terms of every kernel, batch loss)."""
        z_L, a_L = model(X_b)
        data_loss = model.loss(z_L, a_L, y_b)
        penalty = [loss for dense in model.denses for loss in dense.losses]  # L2 terms, [] without l2
        return (data_loss + sum(penalty) if penalty else data_loss), data_loss

    step = train_step(loss_fn, trained, native)
    steps, losses, history = [], [], []
    for k, index in enumerate(batches, start=1):
        batch_loss = step(keras.ops.convert_to_tensor(X_np[index], dtype=dtype), keras.ops.convert_to_tensor(y_np[index]))
        if recorded(k, len(batches), every):
            steps.append(k)
            losses.append(float(keras.ops.convert_to_numpy(batch_loss)))
            history.append(read_params(model.denses))
        if on_step is not None:
            on_step(k)
    X_t = keras.ops.convert_to_tensor(X_np, dtype=dtype)
    z_L, a_L = model(X_t)
    final_loss = float(keras.ops.convert_to_numpy(model.loss(z_L, a_L, keras.ops.convert_to_tensor(y_np))))
    return TrainResult(
        steps,
        losses,
        history,
        read_params(model.denses),
        final_loss,
        accuracy(spec, keras.ops.convert_to_numpy(a_L), y_np),
        settings(native),
    )
