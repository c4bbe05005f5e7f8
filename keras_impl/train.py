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

from core.early_stopping import Validation, check_validation
from core.normalization import DROPOUT_SEED, MATCHED, BatchNormSettings
from core.optimizers import VELOCITY_STEPS, Hyperparameters
from core.schedules import CONSTANT, Schedule
from core.spec import Spec
from core.training import StepCallback, TrainResult, accuracy, prepare_training, recorded_with, uses_velocity
from keras_impl.convert import read_params
from keras_impl.early_stopping import Watched, epochs, make_callback
from keras_impl.gradients import train_step
from keras_impl.layers import RUNNING_VARIANCE
from keras_impl.layers import settings as layer_settings
from keras_impl.model import MLP, Inner, build_model
from keras_impl.optimizers import make_optimizer, settings
from keras_impl.regularization import regularizer
from keras_impl.schedules import current_learning_rate, make_schedule


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
    batch_norm: BatchNormSettings | None = MATCHED,
    seed: int = DROPOUT_SEED,
    schedule: Schedule = CONSTANT,
    validation: Validation | None = None,
) -> TrainResult:
    """Train ``len(batches)`` steps with ``keras.optimizers`` (see scratch.train.train for the arguments).

    ``hyper`` may also be a mapping such as ``{"learning_rate": 0.01}``: Keras's own default
    hyperparameters except those values (:func:`keras_impl.optimizers.own_defaults`, ``--framework-defaults``).
    ``batch_norm`` None gives every ``BatchNormalization`` Keras's own defaults (momentum 0.99, epsilon 1e-3).
    Dropout layers are seeded from ``seed``; the masks they drew are in the result.
    ``schedule``: a ``keras.optimizers.schedules`` schedule from the optimizer's eta
    (keras_impl.schedules), which Keras evaluates at its step counter before each update.
    ``validation``: the loss on its rows after each epoch, and early stopping by the native
    ``keras.callbacks.EarlyStopping`` (keras_impl.early_stopping).

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters or batches.
    """
    params, X_np, y_np, batches = prepare_training(
        spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype
    )
    n = X_np.shape[0]
    if validation is not None:
        validation = check_validation(validation, n, len(batches))
    model = build_model(spec, params, dtype, kernel_regularizer=regularizer(l2, n), batch_norm=batch_norm, seed=seed)
    trained = [dense.kernel for dense in model.denses]
    trained += [] if freeze_biases else [dense.bias for dense in model.denses if dense.use_bias]
    trained += [v for norm in model.norms.values() for v in (norm.gamma, norm.beta)]  # the penalty sums W_l only
    native = make_optimizer(optimizer, hyper, trained)
    if not schedule.constant:
        native.learning_rate = make_schedule(schedule, current_learning_rate(native))
    L = spec.n_layers

    def loss_fn(X_b: Any, y_b: Any) -> tuple[Any, Any]:
        """(batch loss + the L2 terms of every kernel, (batch loss, each dropout's keep derivative))."""
        inner = Inner()
        z, a = model.trace(X_b, training=True, inner=inner)
        data_loss = model.loss(z[L], a[L], y_b)
        penalty = [loss for dense in model.denses for loss in dense.losses]  # L2 terms, [] without l2
        return (data_loss + sum(penalty) if penalty else data_loss), (data_loss, inner.keep)

    step = train_step(loss_fn, trained, native, model.state)
    tensors = _BatchTensors(X_np, y_np, dtype)
    steps, losses, history, masks, etas, validation_losses = [], [], [], [], [], []
    numpy = keras.ops.convert_to_numpy
    callback = _start(validation, model)
    fixed = current_learning_rate(native) if schedule.constant else None  # read once: no schedule to evaluate
    for k, index in enumerate(batches, start=1):
        etas.append(fixed if fixed is not None else current_learning_rate(native))
        batch_loss, keep = step(*tensors(index))
        if spec.has_dropout:
            masks.append({l: numpy(value) != 0 for l, value in keep.items()})
        if recorded_with(k, len(batches), every, validation is not None and validation.epoch_ends(k)):
            steps.append(k)
            losses.append(float(numpy(batch_loss)))
            history.append(read_params(model.denses, model.norms))
        if on_step is not None:
            on_step(k)
        if validation is not None and validation.epoch_ends(k):
            validation_losses.append(_validation_loss(model, X_np[validation.rows], y_np[validation.rows], dtype))
            if _stops(callback, k // validation.steps_per_epoch, validation_losses[-1]):
                break
    stopped_epoch, best_epoch = _finish(callback)
    X_t = keras.ops.convert_to_tensor(X_np, dtype=dtype)
    z_L, a_L = model(X_t, training=False)  # inference mode: the moving statistics, no dropout
    final_loss = float(numpy(model.loss(z_L, a_L, keras.ops.convert_to_tensor(y_np))))
    return TrainResult(
        steps,
        losses,
        history,
        read_params(model.denses, model.norms),
        final_loss,
        accuracy(spec, numpy(a_L), y_np),
        settings(native),
        masks=masks,
        running_variance=RUNNING_VARIANCE if model.norms else "",
        batch_norm=layer_settings(next(iter(model.norms.values()))) if model.norms else {},
        final_output=np.array(numpy(a_L)) if spec.mode_dependent else None,
        learning_rates=etas,
        velocity=VELOCITY_STEPS if uses_velocity(optimizer) else "",
        validation_losses=validation_losses,
        stopped_epoch=stopped_epoch,
        best_epoch=best_epoch,
    )


class _BatchTensors:
    """``(X_b, y_b)`` tensors of one index batch, converted once per distinct batch (the last few kept).

    A full-batch run feeds the same rows every step and a run without shuffling repeats one
    epoch's batches; converting them again would cost more than the step on a small net.
    """

    KEPT = 64  # distinct batches held; shuffled epochs never repeat one, so the memo is cleared when full

    def __init__(self, X: np.ndarray, y: np.ndarray, dtype: str) -> None:
        self.X, self.y, self.dtype = X, y, dtype
        self.kept: dict[bytes, tuple[Any, Any]] = {}

    def __call__(self, index: np.ndarray) -> tuple[Any, Any]:
        key = index.tobytes()
        if key not in self.kept:
            if len(self.kept) >= self.KEPT:
                self.kept.clear()
            convert = keras.ops.convert_to_tensor
            self.kept[key] = (convert(self.X[index], dtype=self.dtype), convert(self.y[index]))
        return self.kept[key]


def _start(validation: Validation | None, model: MLP) -> keras.callbacks.EarlyStopping | None:
    """The native EarlyStopping callback over the MLP's variables, begun as ``fit`` begins it; None without one."""
    if validation is None or validation.early_stopping is None:
        return None
    callback = make_callback(validation.early_stopping)
    callback.set_model(Watched(model.variables + model.state))
    callback.on_train_begin()
    return callback


def _stops(callback: keras.callbacks.EarlyStopping | None, epoch: int, validation_loss: float) -> bool:
    """``on_epoch_end`` for epoch ``epoch`` (1-based; Keras counts from 0); True when it asks to stop."""
    if callback is None:
        return False
    callback.on_epoch_end(epoch - 1, {"val_loss": validation_loss})
    return bool(callback.model.stop_training)


def _validation_loss(model: MLP, X: np.ndarray, y: np.ndarray, dtype: str) -> float:
    """The native loss on the validation rows in inference mode (``training=False``)."""
    z_L, a_L = model(keras.ops.convert_to_tensor(X, dtype=dtype), training=False)
    return float(keras.ops.convert_to_numpy(model.loss(z_L, a_L, keras.ops.convert_to_tensor(y))))


def _finish(callback: keras.callbacks.EarlyStopping | None) -> tuple[int | None, int | None]:
    """``on_train_end`` (restoring the best weights when asked); ``(stopped_epoch, best_epoch)``, 1-based."""
    if callback is None:
        return None, None
    callback.on_train_end()
    return epochs(callback)
