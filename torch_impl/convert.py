"""Layout translation between canonical parameters and ``nn.Linear`` / ``nn.BatchNorm1d`` -- the only place.

``nn.Linear.weight`` is ``(out_features, in_features)`` = ``(n_l, n_{l-1})``,
which *is* the canonical ``W_l`` (torch/nn/modules/linear.py: y = x A^T + b).
So the translation is the identity, and it still lives here, in one place,
so that a transposed load would be a one-line, visible bug. A linear map followed
by batch norm is built with ``bias=False`` (core.spec) and has no ``b_l``.

``nn.BatchNorm1d``: ``weight`` is gamma_l, ``bias`` is beta_l, and the buffers
``running_mean`` / ``running_var`` are running_mean_l / running_var_l, all ``(n_l,)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

Norms = Mapping[int, nn.BatchNorm1d]  # layer l -> its batch norm


def load_params(linears: list[nn.Linear], params: Mapping[str, np.ndarray]) -> None:
    """Copy canonical ``W_l``, ``b_l`` into ``linears[l-1].weight``, ``.bias`` in place."""
    with torch.no_grad():
        for l, linear in enumerate(linears, start=1):
            linear.weight.copy_(torch.from_numpy(np.asarray(params[f"W{l}"])))  # weight == W_l, no transpose
            if linear.bias is not None:
                linear.bias.copy_(torch.from_numpy(np.asarray(params[f"b{l}"])))


def load_norms(norms: Norms, params: Mapping[str, np.ndarray]) -> None:
    """Copy canonical ``gamma_l``, ``beta_l``, ``running_mean_l``, ``running_var_l`` into each batch norm in place."""
    with torch.no_grad():
        for l, norm in norms.items():
            norm.weight.copy_(torch.from_numpy(np.asarray(params[f"gamma{l}"])))
            norm.bias.copy_(torch.from_numpy(np.asarray(params[f"beta{l}"])))
            _buffer(norm, "running_mean").copy_(torch.from_numpy(np.asarray(params[f"running_mean{l}"])))
            _buffer(norm, "running_var").copy_(torch.from_numpy(np.asarray(params[f"running_var{l}"])))


def _buffer(norm: nn.BatchNorm1d, name: str) -> torch.Tensor:
    value = getattr(norm, name)
    if not isinstance(value, torch.Tensor):
        raise RuntimeError(f"BatchNorm1d has no {name} buffer (track_running_stats=False)")
    return value


def read_running(norms: Norms) -> dict[str, np.ndarray]:
    """``running_mean_l``, ``running_var_l`` from each batch norm's buffers (copies)."""
    out: dict[str, np.ndarray] = {}
    for l, norm in norms.items():
        out[f"running_mean{l}"] = _buffer(norm, "running_mean").detach().numpy().copy()
        out[f"running_var{l}"] = _buffer(norm, "running_var").detach().numpy().copy()
    return out


def read_params(linears: list[nn.Linear], norms: Norms | None = None) -> dict[str, np.ndarray]:
    """Canonical parameters from the layers (copies), layer by layer: W_l, then b_l or the batch norm's four."""
    norms = norms or {}
    running = read_running(norms)
    out: dict[str, np.ndarray] = {}
    for l, linear in enumerate(linears, start=1):
        out[f"W{l}"] = linear.weight.detach().numpy().copy()
        if linear.bias is not None:
            out[f"b{l}"] = linear.bias.detach().numpy().copy()
        if l in norms:
            out[f"gamma{l}"] = norms[l].weight.detach().numpy().copy()
            out[f"beta{l}"] = norms[l].bias.detach().numpy().copy()
            out[f"running_mean{l}"], out[f"running_var{l}"] = running[f"running_mean{l}"], running[f"running_var{l}"]
    return out


def grad(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor.grad`` after ``backward()``, detached.

    Raises:
        RuntimeError: the tensor got no gradient (backward() did not reach it).
    """
    if tensor.grad is None:
        raise RuntimeError("backward() left no gradient on a tensor that needs one")
    return tensor.grad.detach()


def read_grads(linears: list[nn.Linear], norms: Norms | None = None) -> dict[str, np.ndarray]:
    """Canonical gradients from ``.grad`` after ``loss.backward()`` (copies): dW_l, db_l or dgamma_l, dbeta_l."""
    norms = norms or {}
    out: dict[str, np.ndarray] = {}
    for l, linear in enumerate(linears, start=1):
        out[f"W{l}"] = grad(linear.weight).numpy().copy()
        if linear.bias is not None:
            out[f"b{l}"] = grad(linear.bias).numpy().copy()
        if l in norms:
            out[f"gamma{l}"] = grad(norms[l].weight).numpy().copy()
            out[f"beta{l}"] = grad(norms[l].bias).numpy().copy()
    return out
