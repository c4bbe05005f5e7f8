"""Training from scratch: the same batches, the rule from scratch.optimizers, L2 from scratch.regularization.

``train`` has the same signature in scratch, torch_impl and keras_impl; the
harness (compare.training) calls all three with identical weights, data, batch
order and hyperparameters and compares what comes back.

Step k (k = 1..N) takes batch ``batches[k-1]`` (row indices into X), computes the
batch-mean loss at the parameters left by step k-1, its gradients (plus the L2
gradient), and applies one optimizer update (seed 004, Algorithms 1, 2 and 8.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from scratch.errors import InputError
from scratch.network import backward, forward, loss
from scratch.optimizers import Hyperparameters, check_name, make_optimizer
from scratch.regularization import check_l2, l2_gradients
from scratch.spec import Spec
from scratch.validate import prepare

StepCallback = Callable[[int], None]


@dataclass
class TrainResult:
    """What one implementation's training run produced.

    Attributes:
        steps: the recorded step numbers k (1-based): step 1, every ``every``-th, and the last.
        loss_history: at each recorded k, the batch-mean loss (without the L2 penalty)
            computed at the start of step k, i.e. at the parameters after k - 1 updates.
        param_history: at each recorded k, the canonical parameters after update k.
        final_params: canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)`` after the last step.
        final_loss: the loss on the whole dataset at ``final_params`` (no penalty).
        accuracy: fraction of samples classified right at ``final_params`` (bce: a > 0.5;
            cce: argmax), or None for sse / mse.
        settings: the optimizer's hyperparameters as the implementation holds them.
    """

    steps: list[int]
    loss_history: list[float]
    param_history: list[dict[str, np.ndarray]]
    final_params: dict[str, np.ndarray]
    final_loss: float
    accuracy: float | None
    settings: dict[str, float] = field(default_factory=dict)


def recorded(k: int, n_steps: int, every: int) -> bool:
    """Whether step k of n_steps is recorded: step 1, every ``every``-th step, and the last."""
    return k == 1 or k == n_steps or k % every == 0


def check_batches(batches: Sequence[np.ndarray], m: int) -> list[np.ndarray]:
    """Each batch as an int64 index array into m rows.

    Raises:
        InputError: no batches, an empty batch, or an index outside [0, m).
    """
    if len(batches) == 0:
        raise InputError("batches: expected at least one batch (steps >= 1)")
    out = []
    for i, batch in enumerate(batches):
        index = np.asarray(batch)
        if index.ndim != 1 or index.size == 0 or not np.issubdtype(index.dtype, np.integer):
            raise InputError(f"batches[{i}]: expected a non-empty 1-D integer index array, got shape {index.shape} dtype {index.dtype}")
        if index.min() < 0 or index.max() >= m:
            raise InputError(f"batches[{i}]: row indices must lie in [0, {m - 1}], got [{index.min()}, {index.max()}]")
        out.append(index.astype(np.int64))
    return out


def check_every(every: int) -> int:
    if every < 1:
        raise InputError(f"every: expected an integer >= 1, got {every}")
    return every


def prepare_training(spec: Spec, params: Mapping[str, object], X: object, y: object, *, optimizer: str,
                     batches: Sequence[np.ndarray], l2: float, every: int, dtype: str):
    """The input checks every implementation's ``train`` runs first; returns ``(params, X, y, batches)`` cast for ``dtype``.

    Raises:
        InputError: bad shapes, values, optimizer name, l2, batches or ``every``.
    """
    check_name(optimizer)
    params, X, y = prepare(spec, params, X, y, dtype)
    check_l2(l2, X.shape[0])
    batches = check_batches(batches, X.shape[0])
    check_every(every)
    return params, X, y, batches


def accuracy(spec: Spec, a_L: np.ndarray, y: np.ndarray) -> float | None:
    """Share of rows classified right: bce a_L > 0.5 against y (m, 1); cce argmax against labels; None otherwise."""
    if spec.loss == "bce":
        return float(np.mean((a_L > 0.5) == (y > 0.5)))
    if spec.loss == "cce":
        return float(np.mean(np.argmax(a_L, axis=1) == y))
    return None


def trained_names(spec: Spec, freeze_biases: bool) -> list[str]:
    """The canonical names the optimizer updates: every W_l, and b_l unless biases are frozen."""
    return [name for name in spec.param_shapes() if not (freeze_biases and name.startswith("b"))]


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
        params: initial canonical parameters (copied, never modified).
        X: ``(m, n_0)``; y: targets for ``spec.loss`` (see scratch.validate.check_targets).
        hyper: the rule's :class:`Hyperparameters`.
        batches: one index array per step, rows of X (compare.batches makes them).
        l2: lambda of seed 004's penalty lambda / (2 n) sum W^2, n = m (the whole dataset).
        freeze_biases: keep every b_l at its initial value (the worked example's source does).
        every: record the loss and parameters every ``every`` steps (plus the first and last).
        on_step: called with k after each step (a progress bar).

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters or batches.
    """
    params, X, y, batches = prepare_training(spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype)
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
    return TrainResult(steps, losses, history, params, loss(spec, z, a, y),
                       accuracy(spec, a[spec.n_layers], y), hyper.used_by(optimizer))
