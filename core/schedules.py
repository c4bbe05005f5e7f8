"""Learning-rate schedules: what every implementation's ``train`` is told, and the counter each reads.

The hyper-parameter slide of Amrita "Feed Forward Neural Networks – Introduction" lists the
learning-rate schedule among the choices a network designer makes. A schedule gives eta for
each optimizer step k = 1..N from a counter t, the number of whole units completed before the
step: ``t = k - 1`` when the unit is the optimizer step, ``t = (k - 1) // steps_per_epoch`` when
it is the epoch (eta is then constant within an epoch). The formulas (scratch.schedules):

- ``constant``:    eta_t = eta_0
- ``step``:        eta_t = eta_0 * gamma ** floor(t / s)        (step decay: exponential decay, staircase)
- ``exponential``: eta_t = eta_0 * gamma ** t
- ``cosine``:      eta_t = eta_min + (eta_0 - eta_min) * (1 + cos(pi * min(t, T) / T)) / 2
  (Loshchilov & Hutter, "SGDR", eq. 5, without restarts)

The frameworks (torch_impl.schedules, keras_impl.schedules): ``torch.optim.lr_scheduler``
``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, stepped once per unit after
``optimizer.step()`` as the torch docs show; ``keras.optimizers.schedules``
``ExponentialDecay`` (staircase for ``step``) and ``CosineDecay``, which Keras evaluates at the
optimizer's step counter ``iterations`` (0 at the first update), so a per-epoch schedule reads
that counter divided by the steps per epoch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.errors import InputError, lookup

SCHEDULES = ("constant", "step", "exponential", "cosine")
UNITS = ("step", "epoch")
DEFAULT_GAMMA = {"step": 0.5, "exponential": 0.95}  # the decay rate when none is given
STEP_PERIODS = 4  # step decay without --decay-steps: gamma applied 4 times over the run


@dataclass(frozen=True)
class Schedule:
    """One learning-rate schedule, fully specified for a run.

    Attributes:
        name: one of :data:`SCHEDULES`.
        unit: ``"step"`` (t counts optimizer steps) or ``"epoch"`` (t counts epochs).
        steps_per_epoch: optimizer steps per epoch, ceil(m / B) (1 for the full batch).
        gamma: the decay rate of ``step`` and ``exponential``, in (0, 1].
        decay_steps: s of ``step`` and T of ``cosine``, in units, >= 1 (unused otherwise).
        eta_min: the floor of ``cosine``, >= 0 and below eta_0 (unused otherwise).

    Raises:
        InputError: an unknown name or unit, or a value outside its range.
    """

    name: str = "constant"
    unit: str = "step"
    steps_per_epoch: int = 1
    gamma: float = 1.0
    decay_steps: int = 1
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        """Check every field."""
        lookup(dict.fromkeys(SCHEDULES), self.name, "schedule")
        lookup(dict.fromkeys(UNITS), self.unit, "schedule unit")
        if self.steps_per_epoch < 1:
            raise InputError(f"steps_per_epoch: expected an integer >= 1, got {self.steps_per_epoch}")
        if not 0 < self.gamma <= 1:
            raise InputError(f"--decay-rate: expected gamma in (0, 1], got {self.gamma}")
        if self.decay_steps < 1:
            raise InputError(f"--decay-steps: expected an integer >= 1, got {self.decay_steps}")
        if not 0 <= self.eta_min < math.inf:
            raise InputError(f"--eta-min: expected a finite value >= 0, got {self.eta_min}")

    @property
    def constant(self) -> bool:
        """Whether eta never changes (no scheduler is made)."""
        return self.name == "constant"

    def counter(self, k: int) -> int:
        """t for optimizer step k (1-based): the units completed before it."""
        return k - 1 if self.unit == "step" else (k - 1) // self.steps_per_epoch

    def describe(self) -> str:
        """``step decay per epoch (gamma 0.5, s 10)``: the schedule in a line of a report."""
        if self.constant:
            return "constant learning rate"
        detail = {
            "step": f"gamma {self.gamma:g}, every {self.decay_steps} {self.unit}s",
            "exponential": f"gamma {self.gamma:g}",
            "cosine": f"T {self.decay_steps} {self.unit}s, eta_min {self.eta_min:g}",
        }[self.name]
        return f"{self.name} decay per {self.unit} ({detail})"


CONSTANT = Schedule()


def make_schedule(
    name: str,
    *,
    unit: str,
    steps: int,
    steps_per_epoch: int,
    gamma: float | None = None,
    decay_steps: int | None = None,
    eta_min: float = 0.0,
    learning_rate: float | None = None,
) -> Schedule:
    """The :class:`Schedule` for a run of ``steps`` optimizer steps, defaults filled in.

    Defaults: gamma :data:`DEFAULT_GAMMA`; ``step`` decays :data:`STEP_PERIODS` times over the
    run (s = units // 4, at least 1); ``cosine`` has T = units, as ``CosineAnnealingLR(T_max=epochs)``
    is usually set (eta_min would be reached after the last unit), where units are the steps or the
    epochs the run covers.

    Raises:
        InputError: as :class:`Schedule`, or eta_min not below ``learning_rate``.
    """
    units = steps if unit == "step" else -(-steps // steps_per_epoch)
    if decay_steps is None:
        decay_steps = max(1, units // STEP_PERIODS) if name == "step" else units
    if learning_rate is not None and name == "cosine" and not eta_min < learning_rate:
        raise InputError(f"--eta-min: expected a value below the learning rate {learning_rate:g}, got {eta_min:g}")
    return Schedule(
        name,
        unit,
        steps_per_epoch,
        gamma if gamma is not None else DEFAULT_GAMMA.get(name, 1.0),
        decay_steps,
        eta_min,
    )


def as_dict(schedule: Schedule) -> dict[str, object]:
    """The schedule's fields, for JSON and for a worker request."""
    return {
        "name": schedule.name,
        "unit": schedule.unit,
        "steps_per_epoch": schedule.steps_per_epoch,
        "gamma": schedule.gamma,
        "decay_steps": schedule.decay_steps,
        "eta_min": schedule.eta_min,
    }
