"""Layout translation between canonical parameters and ``keras.layers.Dense`` -- the only place.

``Dense.kernel`` is ``(input_dim, units)`` = ``(n_{l-1}, n_l)``: Keras computes
z = x @ kernel + bias, so the kernel is the canonical ``W_l`` transposed.
``Dense.bias`` is ``(n_l,)``, the canonical ``b_l``.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np


def load_params(denses: list[keras.layers.Dense], params: Mapping[str, np.ndarray]) -> None:
    """Assign canonical ``W_l``, ``b_l`` to ``denses[l-1].kernel``, ``.bias`` (layers must be built)."""
    for l, dense in enumerate(denses, start=1):
        dense.kernel.assign(np.asarray(params[f"W{l}"]).T)  # kernel = W_l^T
        dense.bias.assign(np.asarray(params[f"b{l}"]))


def read_params(denses: list[keras.layers.Dense]) -> dict[str, np.ndarray]:
    """Canonical parameters from the layers (copies)."""
    out: dict[str, np.ndarray] = {}
    for l, dense in enumerate(denses, start=1):
        out[f"W{l}"] = np.array(keras.ops.convert_to_numpy(dense.kernel)).T.copy()  # W_l = kernel^T
        out[f"b{l}"] = np.array(keras.ops.convert_to_numpy(dense.bias))
    return out


def read_grads(denses: list[keras.layers.Dense], grads: list) -> dict[str, np.ndarray]:
    """Canonical gradients from the tape's ``[dkernel_1, dbias_1, dkernel_2, ...]`` (copies).

    The counterpart of ``torch_impl.convert.read_grads``; Keras keeps no ``.grad``
    on its variables, so the tape's list is passed in.
    """
    out: dict[str, np.ndarray] = {}
    for l in range(1, len(denses) + 1):
        out[f"W{l}"] = np.array(keras.ops.convert_to_numpy(grads[2 * l - 2])).T.copy()  # dW_l = dkernel^T
        out[f"b{l}"] = np.array(keras.ops.convert_to_numpy(grads[2 * l - 1]))
    return out


def variables(denses: list[keras.layers.Dense]) -> list:
    """The trainable variables in the order ``read_grads`` expects."""
    out = []
    for dense in denses:
        out += [dense.kernel, dense.bias]
    return out
