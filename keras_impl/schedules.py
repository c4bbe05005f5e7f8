"""Learning-rate schedules as ``keras.optimizers.schedules`` (core.schedules has the formulas).

Keras evaluates a schedule at the optimizer's step counter ``iterations`` (0 at the first
update; keras/src/optimizers/base_optimizer.py ``_get_current_learning_rate``), so every
Keras schedule is per optimizer step. A per-epoch one reads that counter in epochs:

    step         ExponentialDecay(eta_0, decay_steps=s, decay_rate=gamma, staircase=True)
                 per epoch: decay_steps = s x steps per epoch (floor(i / (s n)) = floor(floor(i / n) / s))
    exponential  ExponentialDecay(eta_0, decay_steps=1, decay_rate=gamma)
                 per epoch: decay_steps = steps per epoch, staircase=True
    cosine       CosineDecay(eta_0, decay_steps=T, alpha=eta_min / eta_0)
                 per epoch: the same schedule called at floor(i / steps per epoch) (:class:`PerEpoch`)

Without ``staircase`` a per-epoch ``ExponentialDecay(decay_steps=steps per epoch)`` would decay
within each epoch too: the difference from torch's per-epoch ``scheduler.step()`` that
docs/training.md measures. eta_0 and gamma are given as float64 tensors: the schedules compute in
the dtype of ``initial_learning_rate``, which a Python float makes ``floatx()`` (float32), 1.5e-8
relative off for eta = 0.1 (see keras_impl.optimizers); and ``ExponentialDecay`` casts
``decay_rate`` with ``ops.cast`` (learning_rate_schedule.py:89), which on TensorFlow is
``tf.cast`` of a Python float, converted to a float32 tensor first (keras/src/backend/tensorflow/core.py:218):
gamma = 0.95 becomes 0.949999988, and eta_t drifts by t x 1.3e-8 relative (6.1e-7 after 50 steps, measured).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from core.errors import lookup
from core.schedules import Schedule


class PerEpoch(keras.optimizers.schedules.LearningRateSchedule):
    """A native schedule read in epochs: ``schedule(floor(iterations / steps_per_epoch))``."""

    def __init__(self, schedule: keras.optimizers.schedules.LearningRateSchedule, steps_per_epoch: int) -> None:
        self.schedule = schedule
        self.steps_per_epoch = steps_per_epoch

    def __call__(self, step: Any) -> Any:
        """eta for optimizer step counter ``step``: the inner schedule at the epochs completed."""
        return self.schedule(keras.ops.floor_divide(step, self.steps_per_epoch))

    def get_config(self) -> dict[str, Any]:
        """Keras's serialisation hook: the inner schedule and the steps per epoch."""
        return {"schedule": keras.optimizers.schedules.serialize(self.schedule), "steps_per_epoch": self.steps_per_epoch}


def _per_unit(s: Schedule) -> int:
    """Optimizer steps per unit of ``s``."""
    return 1 if s.unit == "step" else s.steps_per_epoch


def _float64(value: float) -> Any:
    """``value`` as a float64 tensor (see the module docstring)."""
    return keras.ops.convert_to_tensor(float(value), dtype="float64")


NATIVE: dict[str, Callable[[Any, Schedule], keras.optimizers.schedules.LearningRateSchedule]] = {
    "step": lambda eta, s: keras.optimizers.schedules.ExponentialDecay(
        eta, decay_steps=s.decay_steps * _per_unit(s), decay_rate=_float64(s.gamma), staircase=True
    ),
    "exponential": lambda eta, s: keras.optimizers.schedules.ExponentialDecay(
        eta, decay_steps=_per_unit(s), decay_rate=_float64(s.gamma), staircase=s.unit == "epoch"
    ),
    "cosine": lambda eta, s: (
        keras.optimizers.schedules.CosineDecay(eta, decay_steps=s.decay_steps, alpha=s.eta_min / float(eta))
        if s.unit == "step"
        else PerEpoch(
            keras.optimizers.schedules.CosineDecay(eta, decay_steps=s.decay_steps, alpha=s.eta_min / float(eta)),
            s.steps_per_epoch,
        )
    ),
}


def make_schedule(schedule: Schedule, learning_rate: float) -> keras.optimizers.schedules.LearningRateSchedule:
    """The native Keras schedule for ``schedule`` starting at ``learning_rate`` (not for ``constant``).

    Raises:
        InputError: a schedule with no native one here.
    """
    eta = _float64(learning_rate)
    return lookup(NATIVE, schedule.name, "schedule")(eta, schedule)


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """The eta the next update will use: the schedule at ``optimizer.iterations``."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
