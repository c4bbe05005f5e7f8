"""The lectures' optimizers as ``torch.optim`` classes, configured to scratch's maths.

Mapping from :mod:`scratch.optimizers` (torch/optim/{sgd,adagrad,rmsprop,adam}.py, torch 2.13):

    sgd       SGD(lr=eta)                                     theta -= lr g
    momentum  SGD(lr=eta, momentum=mu)                        b = mu b + g; theta -= lr b.  b = -v / eta, so the
                                                              same trajectory as v = mu v - eta g at constant eta
    nesterov  SGD(lr=eta, momentum=mu, nesterov=True)         b = mu b + g; theta -= lr (g + mu b)
    adagrad   Adagrad(lr=eta, eps=eps, initial_accumulator_value=r0, lr_decay=0)
                                                              r += g^2; theta -= lr g / (sqrt(r) + eps): identical
    rmsprop   RMSprop(lr=eta, alpha=rho, eps=eps)             r = alpha r + (1 - alpha) g^2; theta -= lr g / (sqrt(r) + eps)
    adam      Adam(lr=eta, betas=(b1, b2), eps=eps)           Kingma & Ba Algorithm 1, eps after bias correction: identical

torch puts epsilon where scratch does for all three adaptive rules, so torch
matches scratch for any eps; it is Keras that needs eps = 0 (docs/training.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import torch

from core.errors import InputError, lookup
from core.optimizers import Hyperparameters, check_name

Params = Iterable[Any]  # tensors or param groups (dicts), as torch.optim takes them
SETTINGS = (
    "lr",
    "momentum",
    "dampening",
    "nesterov",
    "alpha",
    "betas",
    "eps",
    "initial_accumulator_value",
    "lr_decay",
    "weight_decay",
)
OVERRIDES = {"learning_rate": "lr", "momentum": "momentum"}  # what own_defaults lets the caller set: ours -> torch's

# name -> torch.optim configured to scratch's rule (the mapping in the module docstring)
MATCHED: dict[str, Callable[[Hyperparameters, Params], torch.optim.Optimizer]] = {
    "sgd": lambda h, params: torch.optim.SGD(params, lr=h.learning_rate),
    "momentum": lambda h, params: torch.optim.SGD(params, lr=h.learning_rate, momentum=h.momentum, dampening=0.0),
    "nesterov": lambda h, params: torch.optim.SGD(params, lr=h.learning_rate, momentum=h.momentum, dampening=0.0, nesterov=True),
    "adagrad": lambda h, params: torch.optim.Adagrad(
        params, lr=h.learning_rate, lr_decay=0.0, eps=h.epsilon, initial_accumulator_value=h.initial_accumulator
    ),
    "rmsprop": lambda h, params: torch.optim.RMSprop(params, lr=h.learning_rate, alpha=h.rho, eps=h.epsilon),  # alpha is rho
    "adam": lambda h, params: torch.optim.Adam(params, lr=h.learning_rate, betas=(h.beta_1, h.beta_2), eps=h.epsilon),
}

# name -> torch.optim with torch's own defaults; momentum and nesterov get mu (torch's default momentum is 0)
OWN_DEFAULTS: dict[str, Callable[[dict[str, Any], float, Params], torch.optim.Optimizer]] = {
    "sgd": lambda lr, mu, params: torch.optim.SGD(params, **lr),
    "momentum": lambda lr, mu, params: torch.optim.SGD(params, momentum=mu, **lr),
    "nesterov": lambda lr, mu, params: torch.optim.SGD(params, momentum=mu, nesterov=True, **lr),
    "adagrad": lambda lr, mu, params: torch.optim.Adagrad(params, **lr),
    "rmsprop": lambda lr, mu, params: torch.optim.RMSprop(params, **lr),
    "adam": lambda lr, mu, params: torch.optim.Adam(params, **lr),
}


def make_optimizer(name: str, hyper: Hyperparameters | Mapping[str, float], params: Params) -> torch.optim.Optimizer:
    """A ``torch.optim`` optimizer for ``name`` over ``params`` (tensors or param groups).

    ``hyper``: :class:`~core.optimizers.Hyperparameters` configure torch to scratch's maths
    (the mapping in the module docstring); a mapping instead asks for torch's own
    defaults with only those values set (:func:`own_defaults`).

    Raises:
        InputError: for an unknown name or override.
    """
    check_name(name)
    if not isinstance(hyper, Hyperparameters):
        return own_defaults(name, hyper, params)
    return lookup(MATCHED, name, "optimizer")(hyper, params)


def own_defaults(name: str, overrides: Mapping[str, float], params: Params) -> torch.optim.Optimizer:
    """torch's optimizer for ``name`` with torch's own default hyperparameters, except ``overrides``.

    ``overrides`` may set ``learning_rate`` and ``momentum`` (our names; :data:`OVERRIDES`).
    momentum and nesterov get mu = ``overrides["momentum"]``, else the textbook
    ``Hyperparameters.momentum`` (0.9): torch's default momentum is 0, which is no momentum at all.
    torch 2.13's defaults (torch/optim/*.py): SGD lr 1e-3; Adagrad lr 1e-2,
    initial_accumulator_value 0, eps 1e-10; RMSprop lr 1e-2, alpha 0.99, eps 1e-8;
    Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8. ``TrainResult.settings`` reports what was used.

    Raises:
        InputError: for an unknown name or override.
    """
    check_name(name)
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise InputError(f"overrides: expected keys among {', '.join(OVERRIDES)}, got {', '.join(map(repr, unknown))}")
    lr: dict[str, Any] = {"lr": overrides["learning_rate"]} if "learning_rate" in overrides else {}
    mu = overrides.get("momentum", Hyperparameters.momentum)
    return lookup(OWN_DEFAULTS, name, "optimizer")(lr, mu, params)


def settings(optimizer: torch.optim.Optimizer) -> dict[str, object]:
    """The hyperparameters torch holds (the first param group), for reports."""
    group = optimizer.param_groups[0]
    return {key: (list(group[key]) if isinstance(group[key], tuple) else group[key]) for key in SETTINGS if key in group}
