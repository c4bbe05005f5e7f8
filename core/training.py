"""The contract of every implementation's ``train``: its input checks, its record, the steps it records.

``train`` has the same signature in ``scratch.train``, ``torch_impl.train`` and
``keras_impl.train``: the harness (compare.training) calls them with identical
weights, data, batch order and hyperparameters and compares the
:class:`TrainResult` each returns. Step k (k = 1..N) takes batch ``batches[k-1]``
(row indices into X), computes the batch-mean loss at the parameters left by step
k - 1, its gradients (plus the L2 gradient), and applies one optimizer update
(CS60050 backprop: batch, mini-batch and stochastic gradient descent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.errors import InputError
from core.limits import check_history, check_steps, param_count
from core.optimizers import check_name
from core.regularization import check_l2
from core.spec import Spec
from core.validate import check_batch_for_mode, prepare

StepCallback = Callable[[int], None]


@dataclass(repr=False)
class TrainResult:
    """What one implementation's training run produced (``repr``: one line, never the arrays).

    Attributes:
        steps: the recorded step numbers k (1-based): step 1, every ``every``-th, and the last.
        loss_history: at each recorded k, the batch-mean loss (without the L2 penalty)
            computed at the start of step k, i.e. at the parameters after k - 1 updates.
        param_history: at each recorded k, the canonical parameters after update k.
        final_params: canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)`` after the last step.
        final_loss: the loss on the whole dataset at ``final_params`` (no penalty).
        accuracy: fraction of samples classified right at ``final_params`` (bce: a > 0.5;
            cce: argmax), or None for sse / mse.
        settings: the optimizer's hyperparameters as the implementation holds them
            (numbers, flags such as ``nesterov``, and pairs such as torch's ``betas``).
        masks: with dropout, per step k (all of them, in order) the keep masks it drew,
            ``{l: (B_k, n_l)}`` bool; scratch replays them (one mask per step and layer).
        running_variance: which batch variance its running statistics average (core.normalization),
            ``""`` without batch norm.
        batch_norm: the batch norms' settings as the implementation holds them (its own names), for reports.
        final_output: a_L on the whole dataset at ``final_params``, ``(m, n_L)``, in inference mode;
            only for nets with batch norm or dropout (where ``final_loss`` and ``accuracy`` are inference-mode too).
        learning_rates: the eta each optimizer step k = 1..N used, all N of them (core.schedules).
        velocity: momentum's velocity convention (core.optimizers.VELOCITIES), ``""`` for the other optimizers.
        validation_losses: with a validation split, the loss on the validation rows after each epoch
            (inference mode, no penalty), one per epoch trained.
        stopped_epoch: the epoch (1-based) after which early stopping ended training; None when every epoch ran.
        best_epoch: early stopping's best epoch (1-based), whose parameters ``final_params`` are with
            restore_best; None without early stopping.
        steps_per_epoch: for a run that chose its own batches (``model.fit``'s defaults), its steps
            per epoch, so its curves can be drawn against epochs; None when it took the harness's batches.
    """

    steps: list[int]
    loss_history: list[float]
    param_history: list[dict[str, np.ndarray]]
    final_params: dict[str, np.ndarray]
    final_loss: float
    accuracy: float | None
    settings: dict[str, object] = field(default_factory=dict)
    masks: list[dict[int, np.ndarray]] = field(default_factory=list)
    running_variance: str = ""
    batch_norm: dict[str, object] = field(default_factory=dict)
    final_output: np.ndarray | None = None
    learning_rates: list[float] = field(default_factory=list)
    velocity: str = ""
    validation_losses: list[float] = field(default_factory=list)
    stopped_epoch: int | None = None
    best_epoch: int | None = None
    steps_per_epoch: int | None = None

    def __repr__(self) -> str:
        """``TrainResult(100 steps, loss 1.31 -> 0.684, accuracy 0.587, W1 (4, 2), b1 (4,), ...)``."""
        taken = len(self.learning_rates) or (self.steps[-1] if self.steps else 0)
        first = f"{self.loss_history[0]:.6g} -> " if self.loss_history else ""
        accuracy = "" if self.accuracy is None else f", accuracy {self.accuracy:.3g}"
        stopped = "" if self.stopped_epoch is None else f", stopped after epoch {self.stopped_epoch}"
        shapes = ", ".join(f"{name} {tuple(np.shape(value))}" for name, value in self.final_params.items())
        return f"TrainResult({taken} steps, loss {first}{self.final_loss:.6g}{accuracy}{stopped}, {shapes})"


def uses_velocity(optimizer: str) -> bool:
    """Whether ``optimizer`` keeps a velocity (momentum, nesterov), whose convention matters once eta changes."""
    return optimizer in ("momentum", "nesterov")


def recorded(k: int, n_steps: int, every: int) -> bool:
    """Whether step k of n_steps is recorded: step 1, every ``every``-th step, and the last."""
    return k == 1 or k == n_steps or k % every == 0


def recorded_with(k: int, n_steps: int, every: int, epoch_ends: bool) -> bool:
    """:func:`recorded`, and with a validation split every epoch's last step too (where early stopping may end the run)."""
    return epoch_ends or recorded(k, n_steps, every)


def recorded_count(n_steps: int, every: int) -> int:
    """How many of steps 1..n_steps :func:`recorded` keeps: the multiples of ``every``, plus step 1 and the last."""
    first = 1 if every > 1 else 0  # step 1 is a multiple of every only when every is 1
    last = 1 if n_steps > 1 and n_steps % every else 0
    return n_steps // every + first + last


def check_batches(batches: Sequence[np.ndarray], m: int) -> list[np.ndarray]:
    """Each batch as an int64 index array into m rows.

    Raises:
        InputError: no batches, more than the step limit (core.limits), an empty batch, or an index outside [0, m).
    """
    if len(batches) == 0:
        raise InputError("batches: expected at least one batch (steps >= 1)")
    check_steps(len(batches), "batches")
    out = []
    for i, batch in enumerate(batches):
        index = np.asarray(batch)
        if index.ndim != 1 or index.size == 0 or not np.issubdtype(index.dtype, np.integer):
            raise InputError(
                f"batches[{i}]: expected a non-empty 1-D integer index array, got shape {index.shape} dtype {index.dtype}"
            )
        if index.min() < 0 or index.max() >= m:
            raise InputError(f"batches[{i}]: row indices must lie in [0, {m - 1}], got [{index.min()}, {index.max()}]")
        out.append(index.astype(np.int64))
    return out


@dataclass(frozen=True)
class Epochs:
    """The batches of a run as a loop over epochs sees them: one row order per epoch, cut into batches of B.

    Attributes:
        batch_size: B, the size of every batch but an epoch's last.
        orders: per epoch, its rows in the order the batches take them (the last epoch may be partial).
    """

    batch_size: int
    orders: list[np.ndarray]


def epochs_of(batches: Sequence[np.ndarray], m: int) -> Epochs:
    """The per-epoch row orders behind ``batches`` (checked index arrays into m rows).

    An epoch is a run of consecutive batches covering m rows, each of size B but the last
    (compare.training.batches cuts a permutation per epoch so); a partial last epoch is one of whole batches.
    Feeding each order to ``DataLoader(..., batch_size=B, sampler=order)`` or to
    ``model.fit(X[order], y[order], batch_size=B, shuffle=False)`` gives back exactly ``batches``.

    Raises:
        InputError: batches that are not so (a loop over epochs could not take them).
    """
    size = batches[0].size
    orders: list[np.ndarray] = []
    current: list[np.ndarray] = []
    for k, batch in enumerate(batches):
        rows = sum(b.size for b in current) + batch.size
        if rows > m or (batch.size != size and rows != m):
            raise InputError(
                f"batches[{k}]: a loop over epochs takes batches of one size ({size}) per epoch of {m} rows, "
                f"got a batch of {batch.size} with {rows - batch.size} rows of the epoch taken"
            )
        current.append(batch)
        if rows == m:
            orders.append(np.concatenate(current))
            current = []
    if current:
        orders.append(np.concatenate(current))
    return Epochs(size, orders)


def check_every(every: int) -> int:
    """``every`` itself when it is at least 1.

    Raises:
        InputError: for ``every`` < 1.
    """
    if every < 1:
        raise InputError(f"every: expected an integer >= 1, got {every}")
    return every


def prepare_training(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    *,
    optimizer: str,
    batches: Sequence[np.ndarray],
    l2: float,
    every: int,
    dtype: str,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, list[np.ndarray]]:
    """The input checks every implementation's ``train`` runs first; returns ``(params, X, y, batches)`` cast for ``dtype``.

    Raises:
        InputError: bad shapes, values, optimizer name, l2, batches or ``every``, or a recorded history
            larger than the limit (core.limits).
    """
    check_name(optimizer)
    checked_params, checked_X, checked_y = prepare(spec, params, X, y, dtype)
    check_l2(l2, checked_X.shape[0])
    checked_batches = check_batches(batches, checked_X.shape[0])
    for k, batch in enumerate(checked_batches):
        check_batch_for_mode(spec, batch.size, "train", f"batches[{k}] (a batch size that leaves a last batch of 1 row)")
    check_every(every)
    check_history(recorded_count(len(checked_batches), every), param_count(spec), every)
    return checked_params, checked_X, checked_y, checked_batches


def check_masks(
    spec: Spec, masks: Sequence[Mapping[int, np.ndarray]], batches: Sequence[np.ndarray]
) -> list[dict[int, np.ndarray]]:
    """One ``{l: (B_k, n_l)}`` bool mask per step and dropout layer, as a list (replayed from another implementation).

    Raises:
        InputError: a wrong number of steps, a missing layer or a wrong shape.
    """
    layers = [l for l in range(1, spec.n_layers + 1) if spec.dropout_rate(l) is not None]
    if len(masks) != len(batches):
        raise InputError(f"masks: expected one per step ({len(batches)}), got {len(masks)}")
    out = []
    for k, (step, batch) in enumerate(zip(masks, batches, strict=True)):
        checked: dict[int, np.ndarray] = {}
        for l in layers:
            shape = (batch.size, spec.sizes[l])
            if l not in step or np.shape(step[l]) != shape:
                raise InputError(f"masks[{k}][{l}]: expected a {shape} keep mask, got {np.shape(step[l]) if l in step else None}")
            checked[l] = np.asarray(step[l], dtype=bool)
        out.append(checked)
    return out


def accuracy(spec: Spec, a_L: np.ndarray, y: np.ndarray) -> float | None:
    """Share of rows classified right: bce a_L > 0.5 against y (m, 1); cce argmax against labels; None otherwise."""
    if spec.loss == "bce":
        return float(np.mean((a_L > 0.5) == (y > 0.5)))
    if spec.loss == "cce":
        return float(np.mean(np.argmax(a_L, axis=1) == y))
    return None


def is_bias(name: str) -> bool:
    """True for ``b_l`` (not for a batch norm's ``beta_l``)."""
    return name[:1] == "b" and name[1:].isdigit()


def trained_names(spec: Spec, freeze_biases: bool) -> list[str]:
    """The canonical names the optimizer updates: every W_l (and gamma_l, beta_l), and b_l unless biases are frozen.

    The running statistics are never among them: batch norm updates them itself, in training mode.
    """
    return [name for name in spec.param_shapes() if not (freeze_biases and is_bias(name))]
