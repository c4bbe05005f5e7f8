"""The spec's losses as native torch losses, configured to scratch's reductions.

Each returned function takes the output layer's ``z`` (logits) and ``a``,
``(m, n_L)``, and the prepared targets, and returns a 0-d tensor.

- bce: ``nn.BCEWithLogitsLoss()`` on z_L: per sample -[y log s(z) + (1-y) log(1-s(z))],
  mean over the m * 1 elements = mean over samples. From logits, so no log(0).
- cce: ``nn.CrossEntropyLoss()`` on z_L with int64 labels: per sample -log softmax(z)_y,
  mean over samples. It expects logits, not the softmax output.
- sse: ``0.5 * nn.MSELoss(reduction="sum")(a, y) / m``: per sample 1/2 sum_j (t_j - o_j)^2,
  mean over samples. ``MSELoss()``'s default 'mean' would divide by m * n_L instead.
- mse: ``nn.MSELoss()``: mean of (t - o)^2 over all m * n_L elements.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]

_bce = nn.BCEWithLogitsLoss(reduction="mean")
_cce = nn.CrossEntropyLoss(reduction="mean")
_squared_sum = nn.MSELoss(reduction="sum")
_mse = nn.MSELoss(reduction="mean")


def bce(z: torch.Tensor, a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return _bce(z, y)


def cce(z: torch.Tensor, a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return _cce(z, y)


def sse(z: torch.Tensor, a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.5 * _squared_sum(a, y) / a.shape[0]


def mse(z: torch.Tensor, a: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return _mse(a, y)


LOSS: dict[str, LossFn] = {"bce": bce, "cce": cce, "sse": sse, "mse": mse}
