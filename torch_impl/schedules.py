"""Learning-rate schedules as ``torch.optim.lr_scheduler`` schedulers (core.schedules has the formulas).

    step         StepLR(optimizer, step_size=s, gamma=gamma)
    exponential  ExponentialLR(optimizer, gamma=gamma)
    cosine       CosineAnnealingLR(optimizer, T_max=T, eta_min=eta_min)

The training loop calls ``scheduler.step()`` after ``optimizer.step()``, once per unit: after
every update for a per-step schedule, after an epoch's last update for a per-epoch one
(torch docs, "How to adjust learning rate"). ``scheduler.step()`` first, before the first
update, shifts every eta by one unit: torch warns, and compare catches it at the first step
where eta differs. The schedulers compute each eta from the previous one (their "chainable"
form, torch/optim/lr_scheduler.py ``get_lr``), not from the closed form, so in float64 the
sequences part from scratch's formulas by rounding only (measured in docs/training.md).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from core.errors import lookup
from core.schedules import Schedule

Scheduler = torch.optim.lr_scheduler.LRScheduler

SCHEDULERS: dict[str, Callable[[torch.optim.Optimizer, Schedule], Scheduler]] = {
    "step": lambda optimizer, s: torch.optim.lr_scheduler.StepLR(optimizer, step_size=s.decay_steps, gamma=s.gamma),
    "exponential": lambda optimizer, s: torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=s.gamma),
    "cosine": lambda optimizer, s: torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=s.decay_steps, eta_min=s.eta_min),
}


def make_scheduler(schedule: Schedule, optimizer: torch.optim.Optimizer) -> Scheduler | None:
    """The native scheduler for ``schedule`` on ``optimizer``; None for a constant learning rate.

    Raises:
        InputError: a schedule with no scheduler here.
    """
    if schedule.constant:
        return None
    return lookup(SCHEDULERS, schedule.name, "schedule")(optimizer, schedule)


def steps_scheduler(schedule: Schedule, k: int) -> bool:
    """Whether ``scheduler.step()`` follows optimizer step k: every step, or an epoch's last one."""
    return schedule.unit == "step" or k % schedule.steps_per_epoch == 0


def current_learning_rate(optimizer: torch.optim.Optimizer) -> float:
    """The eta the next ``optimizer.step()`` will use (its first param group's ``lr``)."""
    return float(optimizer.param_groups[0]["lr"])
