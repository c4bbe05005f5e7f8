"""Losses reduced to one scalar, and the output-layer delta for each, NumPy only.

Shapes are batch-first: ``z`` and ``a`` are the output layer's pre-activation
and activation, ``(m, n_L)``; ``y`` is prepared by :func:`core.validate.check_targets`
(``(m, 1)`` floats for bce, ``(m,)`` integer labels for cce, ``(m, n_L)`` floats
for sse and mse).

Every loss is a mean over the m samples of a per-sample loss, so
``dL/dz = delta / m`` where ``delta`` is the per-sample derivative returned by
:func:`output_delta` (CS60050 backprop's delta^(L)).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scratch.activations import DERIVATIVE


def bce(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    """Binary cross-entropy from the logit z (ED5340 L26, Amrita FFNN intro).

    Per sample: l = -y log sigma(z) - (1 - y) log(1 - sigma(z))
                  = max(z, 0) - z y + log(1 + e^{-|z|})     (stable form, no log(0))
    Reduction: mean over the m samples.
    """
    per_sample = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return float(per_sample.sum(axis=1).mean())


def cce(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    """Categorical cross-entropy of softmax(z) with integer labels (Amrita FFNN intro, Session-5 backprop).

    Per sample: l = -log softmax(z)_y = log sum_j e^{z_j} - z_y   (log-sum-exp, shifted by max z)
    Reduction: mean over the m samples.
    """
    z_max = z.max(axis=1, keepdims=True)
    log_sum_exp = z_max[:, 0] + np.log(np.exp(z - z_max).sum(axis=1))
    return float((log_sum_exp - z[np.arange(len(y)), y]).mean())


def sse(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    """The lectures' squared error E_total (Mazur's worked example).

    Per sample: E = sum_j 1/2 (t_j - o_j)^2 over the n_L outputs.
    Reduction: mean over the m samples (for m = 1 this is E_total itself).
    """
    return float((0.5 * ((y - a) ** 2).sum(axis=1)).mean())


def mse(z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error.

    Per sample: l = (1/n_L) sum_j (t_j - o_j)^2.
    Reduction: mean over the m samples, i.e. the mean over all m * n_L elements.
    """
    return float(((y - a) ** 2).mean())


LOSS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {"bce": bce, "cce": cce, "sse": sse, "mse": mse}


def output_delta(loss: str, activation: str, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """delta_L = dl/dz_L per sample, shape ``(m, n_L)``.

    sigmoid + bce and softmax + cce simplify to ``a - y`` (ED5340 L26: dZ = A - Y;
    Session-5 backprop: dz2 = probs - onehot). sse and mse go through the activation
    derivative: delta_L = dl/da * g'(z_L) (Mazur's worked example: (out - target) * out (1 - out)).
    """
    if loss == "bce":  # the spec guarantees a sigmoid output
        return a - y
    if loss == "cce":  # the spec guarantees a softmax output
        onehot = np.zeros_like(a)
        onehot[np.arange(len(y)), y] = 1.0
        return a - onehot
    dl_da = a - y if loss == "sse" else 2.0 * (a - y) / a.shape[1]  # sse: d(1/2 (a - y)^2)/da; mse: d(mean (a - y)^2)/da
    return dl_da * DERIVATIVE[activation](z, a)
