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

from typing import Iterable

import torch

from scratch.optimizers import FrameworkDefaults, Hyperparameters, check_name

SETTINGS = ("lr", "momentum", "dampening", "nesterov", "alpha", "betas", "eps", "initial_accumulator_value", "lr_decay",
            "weight_decay")


def make_optimizer(name: str, hyper: Hyperparameters | FrameworkDefaults, params: Iterable) -> torch.optim.Optimizer:
    """A ``torch.optim`` optimizer for ``name`` over ``params`` (tensors or param groups).

    ``FrameworkDefaults`` leaves every argument at torch's default except lr (when
    given) and momentum for momentum / nesterov (torch's default is 0).

    Raises:
        InputError: for an unknown name.
    """
    check_name(name)
    if isinstance(hyper, FrameworkDefaults):
        lr = {} if hyper.learning_rate is None else {"lr": hyper.learning_rate}
        if name == "sgd":
            return torch.optim.SGD(params, **lr)
        if name in ("momentum", "nesterov"):
            return torch.optim.SGD(params, momentum=hyper.momentum, nesterov=name == "nesterov", **lr)
        return {"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}[name](params, **lr)
    eta = hyper.learning_rate
    if name == "sgd":
        return torch.optim.SGD(params, lr=eta)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=eta, momentum=hyper.momentum, dampening=0.0, nesterov=name == "nesterov")
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=eta, lr_decay=0.0, eps=hyper.epsilon,
                                   initial_accumulator_value=hyper.initial_accumulator)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=eta, alpha=hyper.rho, eps=hyper.epsilon)  # torch's alpha is rho
    return torch.optim.Adam(params, lr=eta, betas=(hyper.beta_1, hyper.beta_2), eps=hyper.epsilon)


def settings(optimizer: torch.optim.Optimizer) -> dict[str, object]:
    """The hyperparameters torch holds (the first param group), for reports."""
    group = optimizer.param_groups[0]
    return {key: (list(group[key]) if isinstance(group[key], tuple) else group[key]) for key in SETTINGS if key in group}
