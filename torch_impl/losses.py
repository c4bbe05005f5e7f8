"""The spec's losses as native torch losses, configured to scratch's reductions.

torch losses take ``(input, target)`` (Keras takes ``(y_true, y_pred)``), and
compute in their inputs' dtype. :func:`make_loss` returns a function of the output
layer's ``z`` (logits) and ``a``, ``(m, n_L)``, and the prepared targets, that
returns a 0-d tensor.

- bce: ``nn.BCEWithLogitsLoss()`` on z_L: per sample -[y log s(z) + (1-y) log(1-s(z))],
  mean over the m * 1 elements = mean over samples. From logits, so no log(0).
- cce: ``nn.CrossEntropyLoss()`` on z_L with int64 labels: per sample -log softmax(z)_y,
  mean over samples. It expects logits, not the softmax output.
- sse: ``0.5 * nn.MSELoss(reduction="sum")(a, y) / m``: per sample 1/2 sum_j (t_j - o_j)^2,
  mean over samples. ``MSELoss()``'s default 'mean' would divide by m * n_L instead.
- mse: ``nn.MSELoss()``: mean of (t - o)^2 over all m * n_L elements.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from core.errors import lookup

LossFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def _bce() -> LossFn:
    bce = nn.BCEWithLogitsLoss(reduction="mean")
    return lambda z, a, y: bce(z, y)


def _cce() -> LossFn:
    cce = nn.CrossEntropyLoss(reduction="mean")
    return lambda z, a, y: cce(z, y)


def _sse() -> LossFn:
    squared_sum = nn.MSELoss(reduction="sum")
    return lambda z, a, y: 0.5 * squared_sum(a, y) / a.shape[0]


def _mse() -> LossFn:
    mse = nn.MSELoss(reduction="mean")
    return lambda z, a, y: mse(a, y)


NATIVE: dict[str, Callable[[], LossFn]] = {"bce": _bce, "cce": _cce, "sse": _sse, "mse": _mse}


def make_loss(name: str, n_outputs: int, dtype: str) -> LossFn:
    """``loss(z_L, a_L, y)`` -> 0-d tensor for the spec's loss ``name``.

    z_L, a_L: ``(m, n_L)``; y: prepared targets (:func:`core.validate.prepare`) as tensors.
    The signature is :func:`keras_impl.losses.make_loss`'s; torch needs neither ``n_outputs``
    nor ``dtype``: its losses compute in their inputs' dtype, and sse sums over the n_L outputs itself.

    Raises:
        InputError: a name with no native loss here.
    """
    return lookup(NATIVE, name, "loss")()
