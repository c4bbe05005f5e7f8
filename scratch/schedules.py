"""Learning-rate schedules from scratch: eta for each optimizer step, the formulas of core.schedules.

The counter t is the number of whole units (optimizer steps, or epochs) completed before
the step (``Schedule.counter``), so the first step always uses eta_0.
"""

from __future__ import annotations

import math

from core.errors import lookup
from core.schedules import Schedule


def constant(eta_0: float, t: int, schedule: Schedule) -> float:
    """eta_t = eta_0."""
    return eta_0


def step_decay(eta_0: float, t: int, schedule: Schedule) -> float:
    """eta_t = eta_0 gamma^floor(t / s): multiplied by gamma every s units."""
    return eta_0 * schedule.gamma ** (t // schedule.decay_steps)


def exponential_decay(eta_0: float, t: int, schedule: Schedule) -> float:
    """eta_t = eta_0 gamma^t."""
    return eta_0 * schedule.gamma**t


def cosine_decay(eta_0: float, t: int, schedule: Schedule) -> float:
    """eta_t = eta_min + (eta_0 - eta_min) (1 + cos(pi min(t, T) / T)) / 2 (SGDR eq. 5, no restarts)."""
    T = schedule.decay_steps
    return schedule.eta_min + (eta_0 - schedule.eta_min) * (1 + math.cos(math.pi * min(t, T) / T)) / 2


FORMULAS = {"constant": constant, "step": step_decay, "exponential": exponential_decay, "cosine": cosine_decay}


def learning_rate(schedule: Schedule, eta_0: float, k: int) -> float:
    """eta used by optimizer step k (1-based) under ``schedule`` from ``eta_0``.

    Raises:
        InputError: an unknown schedule name.
    """
    return float(lookup(FORMULAS, schedule.name, "schedule")(eta_0, schedule.counter(k), schedule))
