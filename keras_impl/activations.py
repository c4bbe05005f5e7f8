"""Activation names -> native Keras layers, configured to the lectures' maths (records: core.activations)."""

from __future__ import annotations

from collections.abc import Callable

import keras

from core.activations import LEAKY_SLOPE
from core.errors import lookup

LAYERS: dict[str, Callable[[str], keras.layers.Layer]] = {
    "sigmoid": lambda dtype: keras.layers.Activation("sigmoid", dtype=dtype),
    "tanh": lambda dtype: keras.layers.Activation("tanh", dtype=dtype),
    "relu": lambda dtype: keras.layers.Activation("relu", dtype=dtype),
    # the lectures' slope, passed: Keras's own defaults are 0.2 ("leaky_relu", keras.activations.leaky_relu)
    # and 0.3 (keras.layers.LeakyReLU())
    "leaky_relu": lambda dtype: keras.layers.LeakyReLU(negative_slope=LEAKY_SLOPE, dtype=dtype),
    "linear": lambda dtype: keras.layers.Activation("linear", dtype=dtype),
    "softmax": lambda dtype: keras.layers.Softmax(axis=-1, dtype=dtype),  # over the class axis of (m, n_L)
}


def make_activation(name: str, dtype: str) -> keras.layers.Layer:
    """A fresh layer for ``name`` computing in ``dtype``; leaky ReLU gets the lectures' slope 0.01 explicitly.

    Raises:
        InputError: a name with no native layer here.
    """
    return lookup(LAYERS, name, "activation")(dtype)
