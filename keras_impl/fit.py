"""Training in Keras 3 the way its guides write it: ``model.compile(...)`` then ``model.fit(X, y, batch_size=B, epochs=E)``.

The same ``Dense`` and activation layers as keras_impl.model in a ``keras.Sequential``, compiled
with the native optimizer (keras_impl.optimizers) and loss (keras_impl.losses.compile_loss, the
model ending at z_L where the loss takes logits), the L2 penalty as the kernels' regularizers,
which ``fit`` adds to the loss itself. ``fit`` runs Keras's own compiled train step
(``jit_compile=False``: XLA would fuse operations and round differently).

With ``--framework-defaults`` (``hyper`` a mapping: Keras's own optimizer defaults) ``fit`` gets its
own defaults too: ``fit(X, y, epochs=E)`` with no ``batch_size`` (32) and ``shuffle=True``, which
students take for the lectures' full-batch gradient descent; :class:`RunningMeanRecorder` records it.

The batches: ``fit(X[order], y[order], batch_size=B, shuffle=False)`` once per epoch, with that
epoch's row order (core.training.epochs_of; the stored order for the full batch, in one call for
all epochs), so ``fit`` slices exactly the harness's batches. ``shuffle=True`` would draw its own
permutation each epoch, which no other implementation could repeat.

What a run records comes from a callback: eta and the batch loss (without the penalty, on the
batch's rows at the weights before the update) in ``on_train_batch_begin``, the parameters in
``on_train_batch_end``. ``fit``'s own ``logs["loss"]`` is not the batch loss: it is the mean over
the epoch's batches so far, penalty included.

``fit`` casts float arrays to ``floatx()`` before it slices them
(keras/src/trainers/data_adapters/array_slicing.py:418, "Normalize floats to floatx"): float64 X
becomes float32, and the trajectory parts at float32's rounding (tests/test_loops.py). And ``compile`` wraps the loss in a
``CompileLoss`` that casts its value to ``floatx()``
(keras/src/trainers/compile_utils.py:832, ``ops.cast(loss_fn(...), dtype=self.dtype)``, the
dtype taken from ``floatx()`` when ``compile`` runs), and ``fit`` then adds the float64 L2 terms to
that float32 loss and fails (``Cannot convert a list containing a tensor of dtype float64 to
float32``). So a float64 model is compiled and fitted under ``keras.config.set_floatx("float64")``,
Keras's documented switch for a float64 model, restored afterwards (:func:`floatx`).

Nets with batch norm or dropout are trained by keras_impl.train only: ``fit`` hides the dropout
masks a comparison has to replay.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import keras
import numpy as np

from core.early_stopping import Validation, check_validation
from core.errors import InputError
from core.normalization import DROPOUT_SEED, MATCHED, BatchNormSettings
from core.optimizers import VELOCITY_STEPS, Hyperparameters
from core.schedules import CONSTANT, Schedule
from core.spec import Spec
from core.training import (
    Epochs,
    StepCallback,
    TrainResult,
    accuracy,
    epochs_of,
    prepare_training,
    recorded,
    recorded_with,
    uses_velocity,
)
from keras_impl.convert import read_params
from keras_impl.early_stopping import epochs as early_stopping_epochs
from keras_impl.early_stopping import make_callback
from keras_impl.losses import compile_loss
from keras_impl.model import MLP, build_model
from keras_impl.optimizers import make_optimizer, settings
from keras_impl.regularization import regularizer
from keras_impl.schedules import current_learning_rate, make_schedule


@contextmanager
def floatx(dtype: str) -> Iterator[None]:
    """``keras.config.floatx()`` set to ``dtype`` inside the block, restored after it."""
    before = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(before)


class EpochOrders(keras.utils.PyDataset):
    """Each epoch's batches in that epoch's row order: ``fit`` takes one whole run of epochs in one call.

    ``fit`` asks for batch i of the current epoch and calls ``on_epoch_begin`` once before each
    epoch (keras/src/trainers/epoch_iterator.py), which moves to that epoch's order; its
    ``on_epoch_end`` is called before an epoch's start too (the first included), so it cannot count them.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, orders: Sequence[np.ndarray], batch_size: int) -> None:
        super().__init__()
        self.X, self.y, self.orders, self.batch_size = X, y, list(orders), batch_size
        self.epoch = -1

    def __len__(self) -> int:
        """Batches per epoch."""
        return -(-self.orders[0].size // self.batch_size)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Batch i of the current epoch."""
        rows = self.orders[max(self.epoch, 0)][i * self.batch_size : (i + 1) * self.batch_size]
        return self.X[rows], self.y[rows]

    def on_epoch_begin(self) -> None:
        """This epoch takes the next order."""
        self.epoch += 1


class _Records(keras.callbacks.Callback):
    """What both recorders keep: the recorded steps, their batch losses and parameters, every eta, ``val_loss``."""

    def __init__(self, mlp: MLP, every: int, on_step: StepCallback | None) -> None:
        super().__init__()
        self.mlp, self.every, self.on_step = mlp, every, on_step
        self.k = 0
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.history: list[dict[str, np.ndarray]] = []
        self.etas: list[float] = []
        self.validation_losses: list[float] = []

    def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        """``fit``'s ``val_loss`` (with validation data), which EarlyStopping watches too."""
        if logs is not None and "val_loss" in logs:
            self.validation_losses.append(float(logs["val_loss"]))


class Recorder(_Records):
    """Records eta, the batch loss, the parameters at each step of ``fit``, and the validation loss per epoch."""

    def __init__(
        self,
        mlp: MLP,
        data: tuple[np.ndarray, np.ndarray, Epochs],
        n_steps: int,
        every: int,
        on_step: StepCallback | None,
    ) -> None:
        super().__init__(mlp, every, on_step)
        self.n_steps, self.data = n_steps, data
        self.X: Any = None
        self.y: Any = None
        self.validating = False  # with validation data, every epoch's last step is recorded too

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        """Epoch ``epoch``'s rows in its order, as tensors, for the batch losses."""
        X, y, epochs = self.data
        order = epochs.orders[epoch]
        self.X, self.y = keras.ops.convert_to_tensor(X[order]), keras.ops.convert_to_tensor(y[order])

    def on_train_batch_begin(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        """Before update k: eta at the step counter and, when step k is recorded, the batch loss."""
        self.k += 1
        self.etas.append(current_learning_rate(self.model.optimizer))
        if self._records(batch):
            size = self.data[2].batch_size
            rows = slice(batch * size, (batch + 1) * size)
            z_L, a_L = self.mlp(self.X[rows], training=True)
            self.losses.append(float(keras.ops.convert_to_numpy(self.mlp.loss(z_L, a_L, self.y[rows]))))

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        """After update k: the parameters, when step k is recorded."""
        if self._records(batch):
            self.steps.append(self.k)
            self.history.append(read_params(self.mlp.denses))
        if self.on_step is not None:
            self.on_step(self.k)

    def _records(self, batch: int) -> bool:
        """Whether step k is recorded: core.training.recorded_with, the epoch's last batch ending it."""
        epochs = self.data[2]
        ends = self.validating and batch == -(-epochs.orders[0].size // epochs.batch_size) - 1
        return recorded_with(self.k, self.n_steps, self.every, ends)


FIT_BATCH_SIZE = 32  # fit's batch size when none is given (keras/src/trainers/data_adapters/array_data_adapter.py:88)


class RunningMeanRecorder(_Records):
    """With ``fit``'s own batches (its defaults: 32 rows, shuffled), each step's batch loss from ``logs["loss"]``.

    ``fit`` logs after batch b the mean loss over the epoch's rows so far (its loss tracker is a
    ``Mean`` weighted by each batch's rows), so batch b's own loss is
    (N_b mean_b - N_{b-1} mean_{b-1}) / size_b, N_b the rows seen in the epoch. Which rows a batch
    took is ``fit``'s secret (its own shuffle); the parameters after each recorded step are read.
    """

    def __init__(self, mlp: MLP, rows: int, every: int, on_step: StepCallback | None) -> None:
        super().__init__(mlp, every, on_step)
        self.rows, self.seen, self.total = rows, 0, 0.0

    @property
    def n_steps(self) -> int:
        """Every step ``fit`` takes: epochs x its steps per epoch (``self.params``, set by ``fit``)."""
        return int(self.params["epochs"]) * int(self.params["steps"])

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
        """A new epoch: its running mean starts again."""
        self.seen, self.total = 0, 0.0

    def on_train_batch_begin(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        """Before update k: eta at the step counter."""
        self.k += 1
        self.etas.append(current_learning_rate(self.model.optimizer))

    def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
        """After update k: its batch loss from the running mean, and the parameters, when step k is recorded."""
        size = min(FIT_BATCH_SIZE, self.rows - self.seen)
        self.seen += size
        total = float((logs or {})["loss"]) * self.seen
        batch_loss, self.total = (total - self.total) / size, total
        if recorded(self.k, self.n_steps, self.every):
            self.steps.append(self.k)
            self.losses.append(batch_loss)
            self.history.append(read_params(self.mlp.denses))
        if self.on_step is not None:
            self.on_step(self.k)


def compiled_model(mlp: MLP, spec: Spec, dtype: str, optimizer: keras.optimizers.Optimizer) -> keras.Sequential:
    """A ``keras.Sequential`` of ``mlp``'s layers, compiled with ``optimizer`` and the native loss."""
    loss, weight, from_logits = compile_loss(spec.loss, spec.sizes[-1], dtype)
    layers: list[Any] = [keras.Input(shape=(spec.sizes[0],), dtype=dtype)]
    for dense, activation in zip(mlp.denses, mlp.activations, strict=True):
        layers += [dense, activation]
    if from_logits:
        layers.pop()  # the loss applies sigmoid / softmax itself, as in keras_impl.losses
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer, loss=loss, loss_weights=weight, jit_compile=False)
    return model


def _fit(
    model: keras.Model,
    recorder: Recorder,
    epochs: Epochs,
    validation_data: tuple[np.ndarray, np.ndarray] | None,
    early_stopping: keras.callbacks.EarlyStopping | None,
) -> None:
    """``model.fit`` over ``epochs``, as few calls as the batches allow.

    The same order every epoch (the full batch): ``fit(X[order], y[order], epochs=E, shuffle=False)``,
    as a student writes it. Whole epochs in changing orders: one call on :class:`EpochOrders`.
    A partial last epoch: one call per epoch (``initial_epoch=e``). With validation data,
    ``fit`` computes ``val_loss`` after each epoch in one batch, and ``early_stopping`` watches it.
    """
    X, y, _ = recorder.data
    callbacks: list[keras.callbacks.Callback] = [recorder] + ([early_stopping] if early_stopping is not None else [])
    common: dict[str, Any] = dict(shuffle=False, verbose=0, callbacks=callbacks)
    if validation_data is not None:
        common |= dict(validation_data=validation_data, validation_batch_size=len(validation_data[0]))
    first, size, n = epochs.orders[0], epochs.batch_size, len(epochs.orders)
    whole = all(order.size == first.size for order in epochs.orders)
    if whole and all(np.array_equal(order, first) for order in epochs.orders):
        model.fit(X[first], y[first], batch_size=size, epochs=n, **common)
    elif whole:
        model.fit(EpochOrders(X, y, epochs.orders, size), epochs=n, **common)
    else:  # no validation here: it needs whole epochs (core.early_stopping.check_validation)
        for e, order in enumerate(epochs.orders):
            model.fit(X[order], y[order], batch_size=size, initial_epoch=e, epochs=e + 1, **common)


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
    """Train ``len(batches)`` steps with ``model.fit`` (see scratch.train.train for the arguments).

    ``validation``: ``fit(validation_data=...)`` and, with early stopping, the native
    ``keras.callbacks.EarlyStopping`` in its callbacks (keras_impl.early_stopping).

    Raises:
        InputError: as keras_impl.train; a net with batch norm or dropout; validation with L2
            (``fit``'s ``val_loss`` adds the penalty, the other implementations' do not); or batches
            that no loop over epochs could take (core.training.epochs_of).
    """
    if spec.mode_dependent:
        raise InputError("keras-fit: expected a net without batch norm or dropout (fit hides the masks); use keras")
    params, X_np, y_np, batches = prepare_training(
        spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype
    )
    m = X_np.shape[0]
    if validation is not None:
        validation = check_validation(validation, m, len(batches))
        if l2:
            raise InputError("keras-fit: expected --l2 0 with a validation split (fit's val_loss adds the L2 penalty)")
    epochs = epochs_of(batches, m - (validation.rows.size if validation is not None else 0))
    mlp = build_model(spec, params, dtype, kernel_regularizer=regularizer(l2, X_np.shape[0]))
    if freeze_biases:
        for dense in mlp.denses:
            dense.bias.trainable = False  # fit updates model.trainable_variables
    trained = [v for dense in mlp.denses for v in (dense.kernel, dense.bias) if v.trainable]
    native = make_optimizer(optimizer, hyper, trained)
    if not schedule.constant:
        native.learning_rate = make_schedule(schedule, current_learning_rate(native))
    callback = make_callback(validation.early_stopping) if validation and validation.early_stopping else None
    held_out = (X_np[validation.rows], y_np[validation.rows]) if validation is not None else None
    recorder: Recorder | RunningMeanRecorder
    with floatx(dtype):
        model = compiled_model(mlp, spec, dtype, native)
        if isinstance(hyper, Hyperparameters):
            recorder = Recorder(mlp, (X_np, y_np, epochs), len(batches), every, on_step)
            recorder.validating = validation is not None
            _fit(model, recorder, epochs, held_out, callback)
        else:
            recorder = _fit_own_defaults(model, mlp, X_np, y_np, epochs, held_out, callback, every, len(batches), seed, on_step)
    stopped_epoch, best_epoch = early_stopping_epochs(callback) if callback is not None else (None, None)
    z_L, a_L = mlp(keras.ops.convert_to_tensor(X_np, dtype=dtype), training=False)
    final_loss = float(keras.ops.convert_to_numpy(mlp.loss(z_L, a_L, keras.ops.convert_to_tensor(y_np))))
    return TrainResult(
        recorder.steps,
        recorder.losses,
        recorder.history,
        read_params(mlp.denses),
        final_loss,
        accuracy(spec, keras.ops.convert_to_numpy(a_L), y_np),
        settings(native),
        learning_rates=recorder.etas,
        velocity=VELOCITY_STEPS if uses_velocity(optimizer) else "",
        validation_losses=recorder.validation_losses,
        stopped_epoch=stopped_epoch,
        best_epoch=best_epoch,
        steps_per_epoch=None if isinstance(recorder, Recorder) else int(recorder.params["steps"]),
    )


def _fit_own_defaults(
    model: keras.Model,
    mlp: MLP,
    X: np.ndarray,
    y: np.ndarray,
    epochs: Epochs,
    held_out: tuple[np.ndarray, np.ndarray] | None,
    callback: keras.callbacks.EarlyStopping | None,
    every: int,
    harness_steps: int,
    seed: int,
    on_step: StepCallback | None,
) -> RunningMeanRecorder:
    """``fit(X, y, epochs=E)`` with nothing else: ``fit``'s defaults choose the batches (32 rows, shuffled).

    The training rows are the harness's (without the validation rows); the epochs as many as the
    harness's batches cover; Keras's shuffle is seeded by ``keras.utils.set_random_seed(seed)``.
    ``every`` is scaled to ``fit``'s number of steps, so about as many are recorded.
    """
    rows = np.sort(epochs.orders[0]) if epochs.orders[0].size < X.shape[0] else np.arange(X.shape[0])
    n_epochs = len(epochs.orders)
    per_epoch = -(-rows.size // FIT_BATCH_SIZE)
    recorder = RunningMeanRecorder(mlp, rows.size, max(1, every * n_epochs * per_epoch // harness_steps), on_step)
    callbacks: list[keras.callbacks.Callback] = [recorder] + ([callback] if callback is not None else [])
    extra: dict[str, Any] = {} if held_out is None else {"validation_data": held_out}
    keras.utils.set_random_seed(seed)
    model.fit(X[rows], y[rows], epochs=n_epochs, verbose=0, callbacks=callbacks, **extra)
    return recorder
