"""Training in PyTorch: ``torch.optim`` steps on the MLP, L2 as ``weight_decay`` on the weights' param group.

Same signature and same record as :func:`scratch.train.train`. Each step:
``zero_grad()``, forward on the batch, native loss, ``loss.backward()``, ``step()``.

L2 (seed 004, lambda / (2 n) sum W^2, biases excluded) is torch's coupled
``weight_decay``, which adds wd * theta to the gradient of every parameter in its
group before the update (torch/optim/sgd.py, adam.py: ``grad = grad.add(param, alpha=weight_decay)``).
d/dW [lambda / (2 n) sum W^2] = (lambda / n) W, so wd = lambda / n on the weights'
group and 0 on the biases' group (:func:`weight_decay_for`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import torch

from scratch.optimizers import Hyperparameters
from scratch.regularization import check_l2
from scratch.spec import Spec
from scratch.train import StepCallback, TrainResult, accuracy, prepare_training, recorded
from torch_impl.convert import read_params
from torch_impl.model import build_model, to_tensors
from torch_impl.optimizers import make_optimizer, settings


def weight_decay_for(l2: float, n: int) -> float:
    """torch ``weight_decay`` for seed 004's lambda and n samples: lambda / n (the penalty's gradient is (lambda / n) W)."""
    check_l2(l2, n)
    return l2 / n


def param_groups(model, l2: float, n: int, freeze_biases: bool) -> list[dict]:
    """Weights with ``weight_decay = lambda / n``; biases with 0, or left out (and requires_grad off) when frozen."""
    weights = [linear.weight for linear in model.linears]
    biases = [linear.bias for linear in model.linears]
    groups = [{"params": weights, "weight_decay": weight_decay_for(l2, n)}]
    if freeze_biases:
        for bias in biases:
            bias.requires_grad_(False)
    else:
        groups.append({"params": biases, "weight_decay": 0.0})  # seed 004: biases are not penalised
    return groups


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
    """Train ``len(batches)`` steps with ``torch.optim`` (see :func:`scratch.train.train` for the arguments).

    ``hyper`` may also be a mapping such as ``{"learning_rate": 0.01}``: torch's own default
    hyperparameters except those values (:func:`torch_impl.optimizers.own_defaults`, ``--framework-defaults``).

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters or batches.
    """
    params, X_np, y_np, batches = prepare_training(spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every,
                                                   dtype=dtype)
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
            history.append(read_params(list(model.linears)))
        if on_step is not None:
            on_step(k)
    with torch.no_grad():
        z_L, a_L = model(X_t)
        final_loss = float(loss_fn(z_L, a_L, y_t).item())
    return TrainResult(steps, losses, history, read_params(list(model.linears)), final_loss,
                       accuracy(spec, a_L.numpy(), y_np), settings(native))
