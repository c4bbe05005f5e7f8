"""Activation names -> native ``torch.nn`` modules, configured to the lectures' maths (records: core.activations)."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from core.activations import LEAKY_SLOPE
from core.errors import lookup

MODULES: dict[str, Callable[[], nn.Module]] = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(negative_slope=LEAKY_SLOPE),  # torch's default is also 0.01; pass it anyway
    "linear": nn.Identity,
    "softmax": lambda: nn.Softmax(dim=1),  # over the class axis of (m, n_L)
}


def make_activation(name: str, dtype: str) -> nn.Module:
    """A fresh module for ``name``; leaky ReLU gets the lectures' slope 0.01 explicitly.

    ``dtype`` is unused: torch's activations compute in their input's dtype (the
    argument keeps the signature of keras_impl.activations.make_activation).

    Raises:
        InputError: a name with no native module here.
    """
    return lookup(MODULES, name, "activation")()
