"""The MLP as a ``torch.nn.Module``; one pass gives a :class:`core.trace.Trace`.

Shapes: X ``(m, n_0)``; ``nn.Linear(n_{l-1}, n_l)`` computes z_l = a_{l-1} W_l^T + b_l
with weight ``(n_l, n_{l-1})``, the canonical layout (see torch_impl.convert). A layer
with batch norm is ``nn.Linear(bias=False)``, ``nn.BatchNorm1d``, the activation; a layer
with dropout ends in ``nn.Dropout`` (torch_impl.layers). ``model.train()`` / ``model.eval()``
switch the modes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import torch
from torch import nn

from core.normalization import DROPOUT_SEED, MATCHED, TRAIN, BatchNormSettings, check_mode
from core.spec import Spec
from core.trace import Trace
from core.validate import check_batch_for_mode, prepare
from torch_impl.activations import make_activation
from torch_impl.convert import grad as _grad
from torch_impl.convert import load_norms, load_params, read_grads, read_running
from torch_impl.layers import RUNNING_VARIANCE, make_batch_norm, make_dropout
from torch_impl.losses import make_loss

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


@dataclass
class Inner:
    """What one pass keeps of its batch norms and dropouts: ``bn[l]``, ``h[l]`` (before dropout), ``masks[l]``."""

    bn: dict[int, torch.Tensor] = field(default_factory=dict)
    h: dict[int, torch.Tensor] = field(default_factory=dict)
    masks: dict[int, torch.Tensor] = field(default_factory=dict)


class MLP(nn.Module):
    """``nn.Linear`` layers, each followed by a native activation module; ``loss(z_L, a_L, y)`` the native loss.

    ``batch_norm``: the settings of every ``nn.BatchNorm1d`` (None: torch's own defaults).
    """

    def __init__(self, spec: Spec, dtype: str = "float64", batch_norm: BatchNormSettings | None = MATCHED) -> None:
        super().__init__()
        self.spec = spec
        torch_dtype = TORCH_DTYPES[dtype]
        self.linears = nn.ModuleList(
            nn.Linear(n_in, n_out, bias=not spec.has_batch_norm(l), dtype=torch_dtype)
            for l, (n_in, n_out) in enumerate(zip(spec.sizes[:-1], spec.sizes[1:], strict=True), start=1)
        )
        self.activations = nn.ModuleList(make_activation(name, dtype) for name in spec.activations)
        layers = range(1, spec.n_layers + 1)
        self.norms = nn.ModuleDict(
            {str(l): make_batch_norm(spec.sizes[l], batch_norm, torch_dtype) for l in layers if spec.has_batch_norm(l)}
        )
        self.dropouts = nn.ModuleDict({str(l): make_dropout(rate) for l in layers if (rate := spec.dropout_rate(l)) is not None})
        self.loss = make_loss(spec.loss, spec.sizes[-1], dtype)

    @property
    def linear_layers(self) -> list[nn.Linear]:
        """The ``nn.Linear`` layers, W_1 first (typed: ``nn.ModuleList`` yields plain modules)."""
        return [cast(nn.Linear, linear) for linear in self.linears]

    @property
    def norm_layers(self) -> dict[int, nn.BatchNorm1d]:
        """Layer l -> its ``nn.BatchNorm1d``."""
        return {int(l): cast(nn.BatchNorm1d, norm) for l, norm in self.norms.items()}

    def trace(self, X: torch.Tensor, inner: Inner | None = None) -> tuple[dict[int, torch.Tensor], dict[int, torch.Tensor]]:
        """Forward pass keeping z_l and a_l; ``a[0]`` is X. ``inner`` collects batch norm's and dropout's values.

        In training mode a dropout layer's mask is read from the gradient of sum(a_l) with respect to
        its input h_l in the same call: ``mask * 1/(1 - p)`` elementwise, nonzero exactly where a unit
        was kept, whatever h_l is (a kept unit whose h_l is 0, after a ReLU, still counts as kept).
        """
        z: dict[int, torch.Tensor] = {}
        a: dict[int, torch.Tensor] = {0: X}
        for l, (linear, activation) in enumerate(zip(self.linears, self.activations, strict=True), start=1):
            z[l] = linear(a[l - 1])
            u = z[l]
            if str(l) in self.norms:
                u = self.norms[str(l)](z[l])
                if inner is not None:
                    inner.bn[l] = u
            a[l] = activation(u)
            if str(l) in self.dropouts:
                h = a[l]
                a[l] = self.dropouts[str(l)](h)
                if self.training and inner is not None:
                    (derivative,) = torch.autograd.grad(a[l].sum(), h, retain_graph=True)
                    inner.h[l], inner.masks[l] = h, derivative != 0
        return z, a

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns ``(z_L, a_L)``: the logits (for the losses) and the output."""
        z, a = self.trace(X)
        L = self.spec.n_layers
        return z[L], a[L]


def build_model(
    spec: Spec, params: Mapping[str, np.ndarray], dtype: str = "float64", batch_norm: BatchNormSettings | None = MATCHED
) -> MLP:
    """An :class:`MLP` holding a copy of the canonical ``params`` (batch norms: ``batch_norm``, None for torch's defaults)."""
    model = MLP(spec, dtype, batch_norm)
    load_params(model.linear_layers, params)
    load_norms(model.norm_layers, params)
    return model


def to_tensors(X: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Prepared NumPy arrays as tensors (labels stay int64 for CrossEntropyLoss)."""
    return torch.from_numpy(X), torch.from_numpy(y)


def evaluate(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    dtype: str = "float64",
    *,
    mode: str = TRAIN,
    seed: int = DROPOUT_SEED,
) -> Trace:
    """Forward, loss and ``loss.backward()`` on one batch, in ``dtype``, in ``model.train()`` or ``model.eval()`` mode.

    delta_l is read from ``z_l.grad`` (autograd's dL/dz_l) times m, the per-sample
    convention of :class:`core.trace.Trace`. Dropout draws from ``torch.manual_seed(seed)``
    (inside ``fork_rng``); the masks it drew are in the trace. Batch norm uses the matched
    settings (core.normalization.MATCHED); in training mode the trace holds the running
    statistics it left.

    Raises:
        InputError: bad shapes, keys, dtypes, values or mode.
    """
    check_mode(mode)
    params, X_np, y_np = prepare(spec, params, X, y, dtype)
    m = X_np.shape[0]
    check_batch_for_mode(spec, m, mode)
    model = build_model(spec, params, dtype)
    model.train(mode == TRAIN)  # the native switch: model.train() / model.eval()
    X_t, y_t = to_tensors(X_np, y_np)
    inner = Inner()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        z, a = model.trace(X_t, inner)
    for value in z.values():
        value.retain_grad()
    L = spec.n_layers
    loss = model.loss(z[L], a[L], y_t)
    loss.backward()
    norms = model.norm_layers
    return Trace(
        spec=spec,
        z={l: v.detach().numpy() for l, v in z.items()},
        a={l: v.detach().numpy() for l, v in a.items()},
        loss=float(loss.item()),
        delta={l: _grad(v).numpy() * m for l, v in z.items()},
        grads=read_grads(model.linear_layers, norms),
        mode=mode,
        bn={l: v.detach().numpy() for l, v in inner.bn.items()},
        h={l: v.detach().numpy() for l, v in inner.h.items()},
        masks={l: v.numpy() for l, v in inner.masks.items()},
        running=read_running(norms) if mode == TRAIN else {},
        running_variance=RUNNING_VARIANCE if norms else "",
    )
