"""Early stopping from scratch: the rule of core.early_stopping written out, one epoch at a time."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.early_stopping import EarlyStopping


class Monitor:
    """Watches the validation loss after each epoch; says when to stop and keeps the best parameters.

    Attributes:
        best: the lowest validation loss that counted as an improvement (None before the first epoch).
        best_epoch: the epoch (1-based) it came from.
        wait: epochs since the last improvement.
        stopped_epoch: the epoch after which it stopped training (None while it has not).
        best_params: a copy of the parameters after ``best_epoch`` (with ``restore_best``).
    """

    def __init__(self, settings: EarlyStopping) -> None:
        self.settings = settings
        self.best: float | None = None
        self.best_epoch = 0
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_params: dict[str, np.ndarray] | None = None

    def update(self, epoch: int, validation_loss: float, params: Mapping[str, np.ndarray]) -> bool:
        """Record epoch ``epoch`` (1-based) and its validation loss; True when training stops now."""
        self.wait += 1
        if self.best is None or validation_loss < self.best - self.settings.min_delta:  # an improvement
            self.best, self.best_epoch, self.wait = validation_loss, epoch, 0
            if self.settings.restore_best:
                self.best_params = {name: value.copy() for name, value in params.items()}
            return False
        if self.wait >= self.settings.patience and epoch > 1:
            self.stopped_epoch = epoch
            return True
        return False

    def final(self, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The parameters training ends with: the best epoch's with ``restore_best``, else ``params``."""
        return self.best_params if self.settings.restore_best and self.best_params is not None else params
