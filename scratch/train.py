"""Training from scratch: the same batches, the rule from scratch.optimizers, L2 from scratch.regularization.

``train`` has the same signature and returns the same record in scratch, torch_impl
and keras_impl (the contract is core.training). Each step: forward on the batch, the
loss, the backward pass, the L2 gradient added, one optimizer update (CS60050
backprop: batch, mini-batch and stochastic gradient descent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from core.optimizers import Hyperparameters
from core.spec import Spec
from core.training import StepCallback, TrainResult, accuracy, prepare_training, recorded, trained_names
from scratch.model import backward, forward, loss
from scratch.optimizers import make_optimizer, settings
from scratch.regularization import l2_gradients


def train(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    *,
    optimizer: str,
    hyper: Hyperparameters,
    batches: Sequence[np.ndarray],
    l2: float = 0.0,
    freeze_biases: bool = False,
    dtype: str = "float64",
    every: int = 1,
    on_step: StepCallback | None = None,
) -> TrainResult:
    """Train ``len(batches)`` steps with the textbook rule ``optimizer``.

    Args:
        spec: the architecture.
        params: initial canonical parameters (copied, never modified).
        X: ``(m, n_0)``.
        y: targets for ``spec.loss`` (see core.validate.check_targets).
        optimizer: a name of core.optimizers.OPTIMIZERS.
        hyper: the rule's :class:`~core.optimizers.Hyperparameters`.
        batches: one index array per step, rows of X (compare.training.batches makes them).
        l2: lambda of CS60050 backprop's penalty lambda / (2 n) sum W^2, n = m (the whole dataset).
        freeze_biases: keep every b_l at its initial value (the worked example's source does).
        dtype: ``"float32"`` or ``"float64"``.
        every: record the loss and parameters every ``every`` steps (plus the first and last).
        on_step: called with k after each step (a progress bar).

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters or batches.
    """
    params, X, y, batches = prepare_training(
        spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype
    )
    n = X.shape[0]
    names = trained_names(spec, freeze_biases)
    rule = make_optimizer(optimizer, hyper, {name: params[name] for name in names})
    steps, losses, history = [], [], []
    for k, index in enumerate(batches, start=1):
        z, a = forward(spec, params, X[index])
        batch_loss = loss(spec, z, a, y[index])
        _, grads = backward(spec, params, z, a, y[index])
        if l2:
            penalty = l2_gradients(params, l2, n)
            grads = {name: grads[name] + penalty[name] for name in grads}
        params = rule.step(params, {name: grads[name] for name in names})
        if recorded(k, len(batches), every):
            steps.append(k)
            losses.append(batch_loss)
            history.append({name: p.copy() for name, p in params.items()})
        if on_step is not None:
            on_step(k)
    z, a = forward(spec, params, X)
    return TrainResult(steps, losses, history, params, loss(spec, z, a, y), accuracy(spec, a[spec.n_layers], y), settings(rule))
