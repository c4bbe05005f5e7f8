"""The batch order every implementation trains on (CS60050 backprop: batch, mini-batch, stochastic).

The harness draws the order once per epoch from ``RandomState(seed)`` (a stream
NumPy keeps stable across versions) and hands the same index arrays to every
implementation; no framework shuffles anything.

- full batch (``batch_size`` None or >= m): every step sees all m rows in their
  stored order. Shuffling would only reorder a sum, so none is drawn.
- mini-batch B: each epoch is a fresh permutation of the m rows cut into
  ceil(m / B) batches; the last one is smaller when B does not divide m (kept,
  as torch's DataLoader does by default).
- stochastic: B = 1.

``--steps N`` takes the first N batches of as many epochs as needed; ``--epochs E``
takes E whole epochs.
"""

from __future__ import annotations

import math

import numpy as np

from core.errors import InputError
from core.limits import check_batch, check_steps
from core.validate import check_seed


def steps_per_epoch(m: int, batch_size: int | None) -> int:
    """ceil(m / B); 1 for a full batch."""
    return 1 if batch_size is None or batch_size >= m else math.ceil(m / batch_size)


def make_batches(
    m: int, batch_size: int | None = None, *, steps: int | None = None, epochs: int | None = None, seed: int = 0
) -> list[np.ndarray]:
    """Row-index arrays, one per step, for m samples.

    Give exactly one of ``steps`` or ``epochs``.

    Raises:
        InputError: m < 1, B < 1, both or neither of steps / epochs, a count < 1, a seed outside
            [0, 2**32 - 1], or more steps than the limit (core.limits), before any batch is built.
    """
    if m < 1:
        raise InputError(f"m: expected at least 1 sample, got {m}")
    if batch_size is not None and batch_size < 1:
        raise InputError(f"batch_size: expected an integer >= 1, got {batch_size}")
    if (steps is None) == (epochs is None):
        raise InputError("give exactly one of steps or epochs")
    count = steps if steps is not None else epochs
    assert count is not None  # exactly one of them is given
    if count < 1:
        raise InputError(f"{'steps' if steps is not None else 'epochs'}: expected an integer >= 1, got {count}")
    if batch_size is not None:
        check_batch(batch_size, "batch_size")
    check_seed(seed)
    per_epoch = steps_per_epoch(m, batch_size)
    n_steps = count if steps is not None else count * per_epoch
    check_steps(n_steps, "steps" if steps is not None else f"epochs {count:,} x {per_epoch:,} steps")
    if per_epoch == 1 or batch_size is None:
        everything = np.arange(m)
        return [everything] * n_steps
    rng = np.random.RandomState(seed)
    batches: list[np.ndarray] = []
    while len(batches) < n_steps:
        order = rng.permutation(m)  # drawn once per epoch
        batches += [order[i : i + batch_size] for i in range(0, m, batch_size)]
    return batches[:n_steps]
