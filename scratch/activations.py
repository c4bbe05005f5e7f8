"""Activations g(z) beside their derivatives g'(z), NumPy only.

Every function is elementwise on ``z`` of shape ``(m, n_l)`` (batch-first),
except ``softmax``, which normalises each row. Formulas: ED5340 L25 (tanh, ReLU,
leaky ReLU max(0.01 z, z)), the Amrita FFNN intro (sigmoid, softmax), CS60050
backprop (a linear output for regression); the records are in core.activations.

Derivative conventions match the frameworks at the kinks: ReLU'(0) = 0 and
leaky_relu'(0) = 0.01 (torch and TensorFlow both take the z > 0 branch only
for strictly positive z).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.activations import LEAKY_SLOPE

Function = Callable[[np.ndarray], np.ndarray]
Derivative = Callable[[np.ndarray, np.ndarray], np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^{-z}), written as e^z / (1 + e^z) for z < 0 so that e^{-z} never overflows."""
    e = np.exp(-np.abs(z))  # e^{-|z|} <= 1
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """sigma'(z) = a (1 - a), with a = sigma(z) (ED5340 L26)."""
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z) (ED5340 L25)."""
    return np.tanh(z)


def tanh_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - a^2."""
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(0, z) (ED5340 L25)."""
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0 (0 at z = 0, as in torch and TensorFlow)."""
    return (z > 0).astype(z.dtype)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    """max(0.01 z, z) (ED5340 L25)."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0.01 (0.01 at z = 0, as in torch and TensorFlow)."""
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False)


def linear(z: np.ndarray) -> np.ndarray:
    """The identity, for regression outputs (CS60050 backprop)."""
    return z


def linear_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1 everywhere."""
    return np.ones_like(z)


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax(z)_i = e^{z_i} / sum_j e^{z_j} per row (Amrita FFNN intro), shifted by the row max.

    The shift leaves the result unchanged and keeps e^{z} <= 1, so large logits
    do not overflow (Session-5 backprop computes np.exp(z2) unshifted).
    """
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


FORWARD: dict[str, Function] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "linear": linear,
    "softmax": softmax,
}

# softmax has no elementwise derivative: it only appears as an output paired
# with cce, where delta_L = a - onehot(y) (see scratch.losses).
DERIVATIVE: dict[str, Derivative] = {
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "leaky_relu": leaky_relu_derivative,
    "linear": linear_derivative,
}
