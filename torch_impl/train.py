"""Training in PyTorch: ``torch.optim`` steps on the MLP, L2 as ``weight_decay`` on the weights' param group.

``train`` has the same signature and returns the same record as scratch.train.train
(the contract is core.training). Each step: ``zero_grad()``, forward on the batch,
native loss, ``loss.backward()``, ``step()``. L2: torch_impl.regularization.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import torch

from core.early_stopping import Validation, check_validation
from core.normalization import DROPOUT_SEED, MATCHED, BatchNormSettings
from core.optimizers import VELOCITY_GRADIENTS, Hyperparameters
from core.schedules import CONSTANT, Schedule
from core.spec import Spec
from core.training import StepCallback, TrainResult, accuracy, prepare_training, recorded_with, uses_velocity
from torch_impl.convert import read_params
from torch_impl.early_stopping import EarlyStopper
from torch_impl.layers import RUNNING_VARIANCE
from torch_impl.layers import settings as layer_settings
from torch_impl.model import MLP, Inner, build_model, to_tensors
from torch_impl.optimizers import make_optimizer, settings
from torch_impl.regularization import param_groups
from torch_impl.schedules import current_learning_rate, make_scheduler, steps_scheduler

Feed = Callable[[torch.Tensor, torch.Tensor, Sequence[np.ndarray], int], Iterable[tuple[torch.Tensor, torch.Tensor]]]


def index_feed(
    X: torch.Tensor, y: torch.Tensor, batches: Sequence[np.ndarray], epoch_rows: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Each step's rows by indexing: ``X[rows], y[rows]`` for the harness's index batches, in order.

    ``epoch_rows``: the rows an epoch covers (m, or the training rows beside a validation split).
    """
    for index in batches:
        rows = torch.from_numpy(index)
        yield X[rows], y[rows]


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
    batch_norm: BatchNormSettings | None = MATCHED,
    seed: int = DROPOUT_SEED,
    schedule: Schedule = CONSTANT,
    validation: Validation | None = None,
    feed: Feed = index_feed,
) -> TrainResult:
    """Train ``len(batches)`` steps with ``torch.optim`` (see scratch.train.train for the arguments).

    ``feed(X, y, batches)`` yields each step's ``(X_b, y_b)``: by indexing (:func:`index_feed`), or
    from a ``DataLoader`` (torch_impl.dataloader); the rest of the loop is the same.

    ``hyper`` may also be a mapping such as ``{"learning_rate": 0.01}``: torch's own default
    hyperparameters except those values (:func:`torch_impl.optimizers.own_defaults`, ``--framework-defaults``).
    ``batch_norm`` None gives every ``nn.BatchNorm1d`` torch's own defaults (momentum 0.1, eps 1e-5).
    Dropout draws from ``torch.manual_seed(seed)``; the masks it drew are in the result.
    ``schedule``: a ``torch.optim.lr_scheduler`` scheduler (torch_impl.schedules), stepped after
    ``optimizer.step()`` once per unit; SGD's momentum keeps eta outside its velocity (``velocity``
    ``"gradients"`` in the result). ``validation``: the loss on its rows after each epoch, and
    early stopping as the torch tutorials write it (torch_impl.early_stopping).

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters or batches.
    """
    params, X_np, y_np, batches = prepare_training(
        spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype
    )
    n = X_np.shape[0]
    if validation is not None:
        validation = check_validation(validation, n, len(batches))
    model = build_model(spec, params, dtype, batch_norm)
    model.train()  # batch statistics and dropout for every step; eval() for the final pass
    X_t, y_t = to_tensors(X_np, y_np)
    native = make_optimizer(optimizer, hyper, param_groups(model, l2, n, freeze_biases))
    scheduler = make_scheduler(schedule, native)
    loss_fn = model.loss
    L, norms = spec.n_layers, model.norm_layers
    steps, losses, history, masks, etas, validation_losses = [], [], [], [], [], []
    stopper = EarlyStopper(validation.early_stopping, model) if validation and validation.early_stopping else None
    epoch_rows = n - (validation.rows.size if validation is not None else 0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)  # the dropout stream, one draw per step and layer
        for k, (X_b, y_b) in enumerate(feed(X_t, y_t, batches, epoch_rows), start=1):
            native.zero_grad()
            inner = Inner()
            z, a = model.trace(X_b, inner)
            batch_loss = loss_fn(z[L], a[L], y_b)
            batch_loss.backward()
            etas.append(current_learning_rate(native))
            native.step()
            if scheduler is not None and steps_scheduler(schedule, k):
                scheduler.step()
            if spec.has_dropout:
                masks.append({l: mask.numpy() for l, mask in inner.masks.items()})
            if recorded_with(k, len(batches), every, validation is not None and validation.epoch_ends(k)):
                steps.append(k)
                losses.append(float(batch_loss.item()))
                history.append(read_params(model.linear_layers, norms))
            if on_step is not None:
                on_step(k)
            if validation is not None and validation.epoch_ends(k):
                validation_losses.append(_validation_loss(model, X_t, y_t, validation.rows))
                if stopper is not None and stopper.step(k // validation.steps_per_epoch, validation_losses[-1]):
                    break
    if stopper is not None:
        stopper.restore()
    model.eval()  # inference mode: the running statistics, no dropout (a plain net computes the same in both)
    with torch.no_grad():
        z_L, a_L = model(X_t)
        final_loss = float(loss_fn(z_L, a_L, y_t).item())
    return TrainResult(
        steps,
        losses,
        history,
        read_params(model.linear_layers, norms),
        final_loss,
        accuracy(spec, a_L.numpy(), y_np),
        settings(native),
        masks=masks,
        running_variance=RUNNING_VARIANCE if norms else "",
        batch_norm=layer_settings(next(iter(norms.values()))) if norms else {},
        final_output=a_L.numpy().copy() if spec.mode_dependent else None,
        learning_rates=etas,
        velocity=VELOCITY_GRADIENTS if uses_velocity(optimizer) else "",
        validation_losses=validation_losses,
        stopped_epoch=stopper.stopped_epoch if stopper is not None else None,
        best_epoch=stopper.best_epoch if stopper is not None else None,
    )


def _validation_loss(model: MLP, X: torch.Tensor, y: torch.Tensor, rows: np.ndarray) -> float:
    """The loss on the validation rows in inference mode (``model.eval()``, no gradients), then back to ``train()``."""
    index = torch.from_numpy(rows)
    model.eval()
    with torch.no_grad():
        z_L, a_L = model(X[index])
        value = float(model.loss(z_L, a_L, y[index]).item())
    model.train()
    return value
