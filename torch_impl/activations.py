"""Activation names -> native ``torch.nn`` modules, configured to the lectures' maths."""

from __future__ import annotations

from torch import nn

from scratch.activations import LEAKY_SLOPE


def make_activation(name: str) -> nn.Module:
    """A fresh module for ``name``; leaky ReLU gets the lectures' slope 0.01 explicitly."""
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(negative_slope=LEAKY_SLOPE)  # torch's default is also 0.01; pass it anyway
    if name == "linear":
        return nn.Identity()
    if name == "softmax":
        return nn.Softmax(dim=1)  # over the class axis of (m, n_L)
    raise KeyError(name)
