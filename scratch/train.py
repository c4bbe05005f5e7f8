"""Training from scratch: the same batches, the rule from scratch.optimizers, L2 from scratch.regularization.

``train`` has the same signature and returns the same record in scratch, torch_impl
and keras_impl (the contract is core.training). Each step: forward on the batch, the
loss, the backward pass, the L2 gradient added, one optimizer update (CS60050
backprop: batch, mini-batch and stochastic gradient descent). With batch norm, the step
also updates the running statistics; with dropout, it draws (or is given) one mask per
layer. The final loss and accuracy are inference mode's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from core.early_stopping import Validation, check_validation
from core.normalization import DROPOUT_SEED, INFERENCE, MATCHED, UNBIASED, BatchNormSettings, check_running_variance
from core.optimizers import VELOCITY_STEPS, Hyperparameters
from core.schedules import CONSTANT, Schedule
from core.spec import Spec
from core.training import (
    StepCallback,
    TrainResult,
    accuracy,
    check_masks,
    prepare_training,
    recorded_with,
    trained_names,
    uses_velocity,
)
from scratch.early_stopping import Monitor
from scratch.layers import draw_mask
from scratch.layers import settings as layer_settings
from scratch.model import Internals, backward, forward, loss
from scratch.optimizers import make_optimizer, settings
from scratch.regularization import l2_gradients
from scratch.schedules import learning_rate


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
    batch_norm: BatchNormSettings | None = MATCHED,
    seed: int = DROPOUT_SEED,
    masks: Sequence[Mapping[int, np.ndarray]] | None = None,
    running_variance: str = UNBIASED,
    schedule: Schedule = CONSTANT,
    velocity: str = VELOCITY_STEPS,
    validation: Validation | None = None,
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
        batch_norm: the batch norms' new-batch weight and eps (None: the same, scratch has no other defaults).
        seed: the seed of scratch's own dropout masks, one draw per step and layer from ``RandomState(seed)``.
        masks: per step, ``{l: (B_k, n_l)}`` keep masks to use instead (another implementation's, replayed).
        running_variance: the batch variance the running variance averages (core.normalization).
        schedule: eta for each step from ``hyper.learning_rate`` (core.schedules, scratch.schedules).
        velocity: momentum's convention (core.optimizers.VELOCITIES): the lectures' ``"steps"``, or
            torch's ``"gradients"`` to replay a torch run whose eta changes.
        validation: rows no batch takes; after each epoch their loss is recorded, and with early
            stopping (core.early_stopping, scratch.early_stopping) training may end there.

    Raises:
        InputError: bad shapes, values, optimizer name, hyperparameters, batches, masks or convention.
    """
    params, X, y, batches = prepare_training(
        spec, params, X, y, optimizer=optimizer, batches=batches, l2=l2, every=every, dtype=dtype
    )
    check_running_variance(running_variance)
    if validation is not None:
        validation = check_validation(validation, X.shape[0], len(batches))
    monitor = Monitor(validation.early_stopping) if validation is not None and validation.early_stopping else None
    settings_bn = batch_norm or MATCHED
    step_masks = check_masks(spec, masks, batches) if masks is not None and spec.has_dropout else None
    rng = np.random.RandomState(seed)
    n = X.shape[0]
    names = trained_names(spec, freeze_biases)
    rule = make_optimizer(optimizer, hyper, {name: params[name] for name in names}, velocity)
    steps, losses, history, used, etas, validation_losses = [], [], [], [], [], []
    for k, index in enumerate(batches, start=1):
        eta = learning_rate(schedule, hyper.learning_rate, k)
        rule.hyper = dataclasses.replace(hyper, learning_rate=eta)
        etas.append(eta)
        mask = step_masks[k - 1] if step_masks is not None else _draw(spec, index.size, rng)
        internals = Internals()
        z, a = forward(
            spec, params, X[index], masks=mask, batch_norm=settings_bn, running_variance=running_variance, internals=internals
        )
        batch_loss = loss(spec, z, a, y[index])
        _, grads = backward(spec, params, z, a, y[index], internals if spec.mode_dependent else None)
        if l2:
            penalty = l2_gradients(params, l2, n)
            grads = {name: grads[name] + penalty[name] for name in grads}
        params = rule.step(params, {name: grads[name] for name in names}) | internals.running  # batch norm's own update
        if spec.has_dropout:
            used.append(internals.masks)
        if recorded_with(k, len(batches), every, validation is not None and validation.epoch_ends(k)):
            steps.append(k)
            losses.append(batch_loss)
            history.append({name: p.copy() for name, p in params.items()})
        if on_step is not None:
            on_step(k)
        if validation is not None and validation.epoch_ends(k):
            rows = validation.rows
            z_v, a_v = forward(spec, params, X[rows], mode=INFERENCE, batch_norm=settings_bn)
            validation_losses.append(loss(spec, z_v, a_v, y[rows]))
            if monitor is not None and monitor.update(k // validation.steps_per_epoch, validation_losses[-1], params):
                break
    if monitor is not None:
        params = monitor.final(params)
    z, a = forward(spec, params, X, mode=INFERENCE, batch_norm=settings_bn)  # a plain net computes the same in both modes
    return TrainResult(
        steps,
        losses,
        history,
        params,
        loss(spec, z, a, y),
        accuracy(spec, a[spec.n_layers], y),
        settings(rule),
        masks=used,
        running_variance=running_variance if any(spec.batch_norm) else "",
        batch_norm=layer_settings(settings_bn, running_variance) if any(spec.batch_norm) else {},
        final_output=a[spec.n_layers].copy() if spec.mode_dependent else None,
        learning_rates=etas,
        velocity=velocity if uses_velocity(optimizer) else "",
        validation_losses=validation_losses,
        stopped_epoch=monitor.stopped_epoch if monitor is not None else None,
        best_epoch=monitor.best_epoch if monitor is not None else None,
    )


def _draw(spec: Spec, rows: int, rng: np.random.RandomState) -> dict[int, np.ndarray]:
    """scratch's own keep masks for one step of ``rows`` rows, layer by layer from ``rng``."""
    return {
        l: draw_mask(rng, (rows, spec.sizes[l]), rate)
        for l in range(1, spec.n_layers + 1)
        if (rate := spec.dropout_rate(l)) is not None
    }
