"""Early stopping in Keras 3: the native ``keras.callbacks.EarlyStopping``, in ``fit`` and in the explicit loop.

``EarlyStopping(monitor="val_loss", mode="min", patience, min_delta, restore_best_weights)``;
core.early_stopping states the rule it applies (read in keras/src/callbacks/early_stopping.py).
``fit`` drives it itself (keras_impl.fit). keras_impl.train's explicit loop drives it the way
``fit`` does: ``set_model``, ``on_train_begin``, ``on_epoch_end(epoch, {"val_loss": ...})`` after each
epoch, stop when ``model.stop_training``, ``on_train_end``. The callback only reads and writes the
model's weights (``get_weights``, ``set_weights``) and ``stop_training``: :class:`Watched` is that
much of a model, over the MLP's variables. Keras numbers epochs from 0 and keeps ``stopped_epoch``
0 when it never stopped; :func:`epochs` gives them 1-based, as every implementation reports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from core.early_stopping import EarlyStopping


class Watched:
    """What ``keras.callbacks.EarlyStopping`` uses of a model: its weights and ``stop_training``."""

    def __init__(self, variables: Sequence[Any]) -> None:
        self.variables = list(variables)
        self.stop_training = False

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every variable's value."""
        return [np.array(keras.ops.convert_to_numpy(v)) for v in self.variables]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Assign each variable its value from ``weights``."""
        for variable, value in zip(self.variables, weights, strict=True):
            variable.assign(value)


def make_callback(settings: EarlyStopping) -> keras.callbacks.EarlyStopping:
    """The native callback configured to ``settings``, watching ``val_loss`` (lower is better)."""
    return keras.callbacks.EarlyStopping(
        monitor="val_loss",
        mode="min",
        patience=settings.patience,
        min_delta=settings.min_delta,
        restore_best_weights=settings.restore_best,
    )


def epochs(callback: keras.callbacks.EarlyStopping) -> tuple[int | None, int]:
    """``(stopped_epoch, best_epoch)``, 1-based; stopped_epoch None when it never stopped."""
    return (callback.stopped_epoch + 1 if callback.stopped_epoch > 0 else None), callback.best_epoch + 1
