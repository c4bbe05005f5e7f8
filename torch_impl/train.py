"""Training in PyTorch: ``torch.optim`` steps on the MLP, L2 as ``weight_decay`` on the weights' param group.

``train`` has the same signature and returns the same record as scratch.train.train
(the contract is core.training). Each step: ``zero_grad()``, forward on the batch,
native loss, ``loss.backward()``, ``step()``. L2: torch_impl.regularization.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

from core.optimizers import Hyperparameters
from core.spec import Spec
from core.training import StepCallback, TrainResult, accuracy, prepare_training, recorded
from torch_impl.convert import read_params
from torch_impl.model import build_model, to_tensors
from torch_impl.optimizers import make_optimizer, settings
from torch_impl.regularization import param_groups


def train(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    *,
    optimizer: str,
    hyper: Hyperparameters | Mapping[str, float],
    batches: Sequence[np.ndarray],
    l2: float = 0.0,
    freeze_biases: bool = False,
    dtype: str = "float64",
    every: int = 1,
    on_step: StepCallback | None = None,
) -> TrainResult:
    """Train ``len(batches)`` steps with ``torch.optim`` (see scratch.train.train for the arguments).

    ``hyper`` may also be a mapping such as ``{"learning_rate": 0.01}``: torch's own default
    hyperparameters except those values (:func:`torch_impl.optimizers.own_defaults`, ``--framework-defaults``).

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters or batches.
    """
    params, X_np, y_np, batches = prepare_training(
        spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype
    )
    n = X_np.shape[0]
    model = build_model(spec, params, dtype)
    X_t, y_t = to_tensors(X_np, y_np)
    native = make_optimizer(optimizer, hyper, param_groups(model, l2, n, freeze_biases))
    loss_fn = model.loss
    steps, losses, history = [], [], []
    for k, index in enumerate(batches, start=1):
        rows = torch.from_numpy(index)
        native.zero_grad()
        z_L, a_L = model(X_t[rows])
        batch_loss = loss_fn(z_L, a_L, y_t[rows])
        batch_loss.backward()
        native.step()
        if recorded(k, len(batches), every):
            steps.append(k)
            losses.append(float(batch_loss.item()))
            history.append(read_params(model.linear_layers))
        if on_step is not None:
            on_step(k)
    with torch.no_grad():
        z_L, a_L = model(X_t)
        final_loss = float(loss_fn(z_L, a_L, y_t).item())
    return TrainResult(
        steps, losses, history, read_params(model.linear_layers), final_loss, accuracy(spec, a_L.numpy(), y_np), settings(native)
    )
