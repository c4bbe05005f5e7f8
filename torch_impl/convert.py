"""Layout translation between canonical parameters and ``nn.Linear`` -- the only place.

``nn.Linear.weight`` is ``(out_features, in_features)`` = ``(n_l, n_{l-1})``,
which *is* the canonical ``W_l`` (torch/nn/modules/linear.py: y = x A^T + b).
So the translation is the identity, and it still lives here, in one place,
so that a transposed load would be a one-line, visible bug.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn


def load_params(linears: list[nn.Linear], params: Mapping[str, np.ndarray]) -> None:
    """Copy canonical ``W_l``, ``b_l`` into ``linears[l-1].weight``, ``.bias`` in place."""
    with torch.no_grad():
        for l, linear in enumerate(linears, start=1):
            linear.weight.copy_(torch.from_numpy(np.asarray(params[f"W{l}"])))  # weight == W_l, no transpose
            linear.bias.copy_(torch.from_numpy(np.asarray(params[f"b{l}"])))


def read_params(linears: list[nn.Linear]) -> dict[str, np.ndarray]:
    """Canonical parameters from the layers (copies)."""
    out: dict[str, np.ndarray] = {}
    for l, linear in enumerate(linears, start=1):
        out[f"W{l}"] = linear.weight.detach().numpy().copy()
        out[f"b{l}"] = linear.bias.detach().numpy().copy()
    return out


def grad(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor.grad`` after ``backward()``, detached.

    Raises:
        RuntimeError: the tensor got no gradient (backward() did not reach it).
    """
    if tensor.grad is None:
        raise RuntimeError("backward() left no gradient on a tensor that needs one")
    return tensor.grad.detach()


def read_grads(linears: list[nn.Linear]) -> dict[str, np.ndarray]:
    """Canonical gradients from ``.grad`` after ``loss.backward()`` (copies)."""
    out: dict[str, np.ndarray] = {}
    for l, linear in enumerate(linears, start=1):
        out[f"W{l}"] = grad(linear.weight).numpy().copy()
        out[f"b{l}"] = grad(linear.bias).numpy().copy()
    return out
