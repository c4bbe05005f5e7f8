"""Early stopping in PyTorch, written as the tutorials write it.

Track the best validation loss, keep a ``copy.deepcopy(model.state_dict())`` of the best epoch,
stop after ``patience`` epochs without an improvement of more than ``min_delta``, and
``model.load_state_dict(best_state)`` at the end. torch has no early-stopping class; this loop
follows the rule of core.early_stopping (Keras's).
"""

from __future__ import annotations

import copy
import math
from typing import Any

from torch import nn

from core.early_stopping import EarlyStopping


class EarlyStopper:
    """The torch loop's bookkeeping: ``best``, ``wait``, the best state; ``step(epoch, loss)`` -> stop?"""

    def __init__(self, settings: EarlyStopping, model: nn.Module) -> None:
        self.settings, self.model = settings, model
        self.best = math.inf
        self.best_epoch = 0
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.best_state: dict[str, Any] | None = None

    def step(self, epoch: int, validation_loss: float) -> bool:
        """After epoch ``epoch`` (1-based): True when training stops now."""
        if epoch == 1 or validation_loss < self.best - self.settings.min_delta:
            self.best, self.best_epoch, self.wait = validation_loss, epoch, 0
            if self.settings.restore_best:
                self.best_state = copy.deepcopy(self.model.state_dict())
            return False
        self.wait += 1
        if self.wait >= self.settings.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self) -> None:
        """``model.load_state_dict(best_state)`` with ``restore_best``."""
        if self.settings.restore_best and self.best_state is not None:
            self.model.load_state_dict(self.best_state)
