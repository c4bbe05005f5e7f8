"""Activation names -> native Keras layers, configured to the lectures' maths."""

from __future__ import annotations

import keras

from scratch.activations import LEAKY_SLOPE


def make_activation(name: str, dtype: str) -> keras.layers.Layer:
    """A fresh layer for ``name`` computing in ``dtype``.

    Leaky ReLU gets the lectures' slope 0.01 explicitly: Keras's own defaults are
    0.2 (``"leaky_relu"`` string and ``keras.activations.leaky_relu``) and 0.3
    (``keras.layers.LeakyReLU()``).
    """
    if name == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE, dtype=dtype)
    if name == "softmax":
        return keras.layers.Softmax(axis=-1, dtype=dtype)
    if name in ("sigmoid", "tanh", "relu", "linear"):
        return keras.layers.Activation(name, dtype=dtype)
    raise KeyError(name)
