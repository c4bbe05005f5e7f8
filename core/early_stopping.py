"""Early stopping: the fixed validation split and the settings every implementation's ``train`` is told.

The hyper-parameter slide of Amrita "Feed Forward Neural Networks – Introduction" lists early
stopping. After each epoch an implementation computes the loss on the validation rows (inference
mode, no penalty) and decides, by the rule Keras 3's ``keras.callbacks.EarlyStopping`` applies
(keras/src/callbacks/early_stopping.py, Keras 3.15, read in the installed source):

- an epoch *improves* when its validation loss is below ``best - min_delta`` (strictly); only
  then does ``best`` move, so several improvements each smaller than ``min_delta`` never count;
- ``wait`` counts the epochs since the last improvement; training stops after the epoch where
  ``wait`` reaches ``patience`` (never after the first epoch, even with patience 0);
- with ``restore_best``, the weights after the best epoch are put back when training ends,
  whether it stopped early or ran all its epochs (Keras 3 restores in ``on_train_end``).

scratch writes the rule out (scratch.early_stopping), torch as its tutorials' loop does
(torch_impl.early_stopping, ``copy.deepcopy(model.state_dict())``), Keras uses the callback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.errors import InputError
from core.validate import check_seed


@dataclass(frozen=True)
class EarlyStopping:
    """When to stop, for a run of whole epochs (the rule in the module docstring).

    Attributes:
        patience: epochs without improvement before stopping, >= 0.
        min_delta: how much lower than the best a validation loss must be to count, >= 0.
        restore_best: put back the weights after the best epoch at the end.

    Raises:
        InputError: a value outside its range.
    """

    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True

    def __post_init__(self) -> None:
        """Check every field."""
        if self.patience < 0:
            raise InputError(f"--patience: expected an integer >= 0, got {self.patience}")
        if not 0 <= self.min_delta < math.inf:
            raise InputError(f"--min-delta: expected a finite value >= 0, got {self.min_delta}")


@dataclass(frozen=True)
class Validation:
    """The validation rows and what happens after each epoch.

    Attributes:
        rows: row indices into X that no batch takes, ``(m_validation,)`` int.
        steps_per_epoch: optimizer steps per epoch of the training rows (an epoch ends after step k when k % it == 0).
        early_stopping: when to stop, or None to record the validation loss only.
    """

    rows: np.ndarray
    steps_per_epoch: int
    early_stopping: EarlyStopping | None = None

    def epoch_ends(self, k: int) -> bool:
        """Whether optimizer step k (1-based) is the last of an epoch."""
        return k % self.steps_per_epoch == 0


def validation_split(m: int, fraction: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(train_rows, validation_rows)``: a fixed split of m rows, the validation rows drawn once.

    ``RandomState(seed).permutation(m)``: its last round(fraction m) rows validate, the rest
    train; both sorted (the stored order). The seed is the run's, so the split is recorded by it
    and the rows are in the JSON.

    Raises:
        InputError: a fraction outside (0, 1), or a split that leaves no row on either side.
    """
    if not 0 < fraction < 1:
        raise InputError(f"--validation-split: expected a fraction in (0, 1), got {fraction}")
    check_seed(seed)
    n_validation = round(fraction * m)
    if n_validation < 1 or n_validation > m - 1:
        raise InputError(
            f"--validation-split: {fraction:g} of {m} row{'' if m == 1 else 's'} leaves {n_validation} for validation and "
            f"{m - n_validation} for training; expected at least 1 of each"
        )
    order = np.random.RandomState([seed, 1]).permutation(m)  # [seed, 1]: not the stream of the batch order
    return np.sort(order[: m - n_validation]), np.sort(order[m - n_validation :])


def check_validation(validation: Validation, m: int, n_steps: int) -> Validation:
    """``validation`` itself when its rows lie in [0, m) and its runs are whole epochs.

    Raises:
        InputError: an empty or out-of-range row index, or steps that are not whole epochs.
    """
    rows = np.asarray(validation.rows)
    if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer) or rows.min() < 0 or rows.max() >= m:
        raise InputError(f"validation rows: expected a non-empty 1-D integer index array into {m} rows, got {rows!r:.60}")
    if validation.steps_per_epoch < 1 or n_steps % validation.steps_per_epoch:
        raise InputError(
            f"validation: expected whole epochs of {validation.steps_per_epoch} steps, got {n_steps} steps (use --epochs)"
        )
    return Validation(rows.astype(np.int64), validation.steps_per_epoch, validation.early_stopping)
