"""The MLP as a ``torch.nn.Module``; one pass gives a :class:`core.trace.Trace`.

Shapes: X ``(m, n_0)``; ``nn.Linear(n_{l-1}, n_l)`` computes z_l = a_{l-1} W_l^T + b_l
with weight ``(n_l, n_{l-1})``, the canonical layout (see torch_impl.convert).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np
import torch
from torch import nn

from core.spec import Spec
from core.trace import Trace
from core.validate import prepare
from torch_impl.activations import make_activation
from torch_impl.convert import grad as _grad
from torch_impl.convert import load_params, read_grads
from torch_impl.losses import make_loss

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


class MLP(nn.Module):
    """``nn.Linear`` layers, each followed by a native activation module; ``loss(z_L, a_L, y)`` the native loss."""

    def __init__(self, spec: Spec, dtype: str = "float64") -> None:
        super().__init__()
        self.spec = spec
        self.linears = nn.ModuleList(
            nn.Linear(n_in, n_out, dtype=TORCH_DTYPES[dtype]) for n_in, n_out in zip(spec.sizes[:-1], spec.sizes[1:], strict=True)
        )
        self.activations = nn.ModuleList(make_activation(name, dtype) for name in spec.activations)
        self.loss = make_loss(spec.loss, spec.sizes[-1], dtype)

    @property
    def linear_layers(self) -> list[nn.Linear]:
        """The ``nn.Linear`` layers, W_1 first (typed: ``nn.ModuleList`` yields plain modules)."""
        return [cast(nn.Linear, linear) for linear in self.linears]

    def trace(self, X: torch.Tensor) -> tuple[dict[int, torch.Tensor], dict[int, torch.Tensor]]:
        """Forward pass keeping z_l and a_l; ``a[0]`` is X."""
        z: dict[int, torch.Tensor] = {}
        a: dict[int, torch.Tensor] = {0: X}
        for l, (linear, activation) in enumerate(zip(self.linears, self.activations, strict=True), start=1):
            z[l] = linear(a[l - 1])
            a[l] = activation(z[l])
        return z, a

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns ``(z_L, a_L)``: the logits (for the losses) and the output."""
        z, a = self.trace(X)
        L = self.spec.n_layers
        return z[L], a[L]


def build_model(spec: Spec, params: Mapping[str, np.ndarray], dtype: str = "float64") -> MLP:
    """An :class:`MLP` holding a copy of the canonical ``params``."""
    model = MLP(spec, dtype)
    load_params(model.linear_layers, params)
    return model


def to_tensors(X: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Prepared NumPy arrays as tensors (labels stay int64 for CrossEntropyLoss)."""
    return torch.from_numpy(X), torch.from_numpy(y)


def evaluate(spec: Spec, params: Mapping[str, object], X: object, y: object, dtype: str = "float64") -> Trace:
    """Forward, loss and ``loss.backward()`` on one batch, in ``dtype``.

    delta_l is read from ``z_l.grad`` (autograd's dL/dz_l) times m, the per-sample
    convention of :class:`core.trace.Trace`.

    Raises:
        InputError: bad shapes, keys, dtypes or values.
    """
    params, X_np, y_np = prepare(spec, params, X, y, dtype)
    model = build_model(spec, params, dtype)
    X_t, y_t = to_tensors(X_np, y_np)
    z, a = model.trace(X_t)
    for value in z.values():
        value.retain_grad()
    L = spec.n_layers
    loss = model.loss(z[L], a[L], y_t)
    loss.backward()
    m = X_np.shape[0]
    return Trace(
        spec=spec,
        z={l: v.detach().numpy() for l, v in z.items()},
        a={l: v.detach().numpy() for l, v in a.items()},
        loss=float(loss.item()),
        delta={l: _grad(v).numpy() * m for l, v in z.items()},
        grads=read_grads(model.linear_layers),
    )
