"""Training in PyTorch the way its tutorials write the loop: ``for X_b, y_b in DataLoader(TensorDataset(X, y), ...)``.

The same loop as torch_impl.train (``zero_grad()``, forward, native loss, ``backward()``,
``step()``), fed by a ``DataLoader`` instead of the harness's index batches. Each epoch is one
pass over ``DataLoader(TensorDataset(X, y), batch_size=B, shuffle=False)`` when the epoch takes
the rows in their stored order (the full batch), else over
``DataLoader(TensorDataset(X, y), batch_size=B, sampler=order)`` with that epoch's permutation
(core.training.epochs_of): a list of indices is a valid ``sampler`` (torch.utils.data.DataLoader
docs), so the loader yields exactly the harness's batches. ``shuffle=True`` would draw its own
permutation from torch's generator, which no other implementation could repeat.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from core.spec import Spec
from core.training import TrainResult, epochs_of
from torch_impl.train import train as train_steps


def loader_feed(
    X: torch.Tensor, y: torch.Tensor, batches: Sequence[np.ndarray], epoch_rows: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Each step's ``(X_b, y_b)`` from one ``DataLoader`` pass per epoch of ``epoch_rows`` rows (the module docstring)."""
    epochs = epochs_of(batches, epoch_rows)
    dataset = TensorDataset(X, y)
    for order in epochs.orders:
        if order.size == len(X) and np.array_equal(order, np.arange(order.size)):
            yield from DataLoader(dataset, batch_size=epochs.batch_size, shuffle=False)
        else:
            yield from DataLoader(dataset, batch_size=epochs.batch_size, sampler=order.tolist())


def train(spec: Spec, params: Mapping[str, object], X: object, y: object, **kwargs: Any) -> TrainResult:
    """Train ``len(batches)`` steps with ``torch.optim``, the batches from a ``DataLoader`` (see torch_impl.train.train).

    Raises:
        InputError: as torch_impl.train, or batches no loop over epochs could take (core.training.epochs_of).
    """
    return train_steps(spec, params, X, y, feed=loader_feed, **kwargs)
