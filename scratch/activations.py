"""Activations g(z) beside their derivatives g'(z), NumPy only.

Every function is elementwise on ``z`` of shape ``(m, n_l)`` (batch-first),
except ``softmax``, which normalises each row. Formulas: seed 002 (tanh, ReLU,
leaky ReLU max(0.01 z, z)), seed 001 (sigmoid, softmax).

Derivative conventions match the frameworks at the kinks: ReLU'(0) = 0 and
leaky_relu'(0) = 0.01 (torch and TensorFlow both take the z > 0 branch only
for strictly positive z).
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01  # seed 002: Leaky ReLU = max(0.01 z, z); also torch's default


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^{-z}), evaluated without overflow for large |z|."""
    e = np.exp(-np.abs(z))  # always <= 1
    # numerator 1 for z >= 0, e^{-|z|} = e^{z} for z < 0; one division instead of two, same quotients
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def sigmoid_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """sigma'(z) = a (1 - a), with a = sigma(z) (seed 000)."""
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z) (seed 002)."""
    return np.tanh(z)


def tanh_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - a^2."""
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(0, z) (seed 002)."""
    return np.maximum(z, 0.0)


def relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0 (0 at z = 0, as in torch and TensorFlow)."""
    return (z > 0).astype(z.dtype)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    """max(0.01 z, z) (seed 002)."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1 where z > 0, else 0.01 (0.01 at z = 0, as in torch and TensorFlow)."""
    return np.where(z > 0, 1.0, LEAKY_SLOPE).astype(z.dtype, copy=False)


def linear(z: np.ndarray) -> np.ndarray:
    """Identity, for regression outputs (seed 004)."""
    return z


def linear_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


def row_max(z: np.ndarray) -> np.ndarray:
    """``z.max(axis=1, keepdims=True)`` for ``z`` ``(m, n)``, the same numbers, faster for few columns.

    NumPy reduces along a short row element by element (~30 ns per row for n = 3);
    a running ``np.maximum`` over the columns is vectorised over the rows instead.
    The maximum does not depend on the order it is taken in, so nothing changes but time.
    """
    if z.ndim != 2 or z.shape[1] > 8 or z.shape[1] == 0:
        return np.maximum.reduce(z, axis=1, keepdims=True)
    out = z[:, :1].copy()
    for j in range(1, z.shape[1]):
        np.maximum(out, z[:, j : j + 1], out=out)
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax(z)_i = e^{z_i} / sum_j e^{z_j} per row (seed 001), shifted by the row max.

    The shift leaves the result unchanged and keeps e^{z} <= 1, so large logits
    do not overflow (seed 003 computes np.exp(z2) unshifted).
    """
    e = z - row_max(z)
    np.exp(e, out=e)  # in place: no second (m, n) array
    e /= np.add.reduce(e, axis=1, keepdims=True)
    return e


FORWARD = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "linear": linear,
    "softmax": softmax,
}

# softmax has no elementwise derivative: it only appears as an output paired
# with cce, where delta_L = a - onehot(y) (see scratch.losses).
DERIVATIVE = {
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "leaky_relu": leaky_relu_derivative,
    "linear": linear_derivative,
}
