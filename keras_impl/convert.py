"""Layout translation between canonical parameters and ``keras.layers.Dense`` / ``BatchNormalization`` -- the only place.

``Dense.kernel`` is ``(input_dim, units)`` = ``(n_{l-1}, n_l)``: Keras computes
z = x @ kernel + bias, so the kernel is the canonical ``W_l`` transposed.
``Dense.bias`` is ``(n_l,)``, the canonical ``b_l``; a Dense followed by batch norm is
built with ``use_bias=False`` (core.spec) and has none.

``BatchNormalization``: ``gamma`` is gamma_l, ``beta`` is beta_l, ``moving_mean`` /
``moving_variance`` are running_mean_l / running_var_l, all ``(n_l,)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np

Norms = Mapping[int, keras.layers.BatchNormalization]  # layer l -> its batch norm


def load_params(denses: list[keras.layers.Dense], params: Mapping[str, np.ndarray]) -> None:
    """Assign canonical ``W_l``, ``b_l`` to ``denses[l-1].kernel``, ``.bias`` (layers must be built)."""
    for l, dense in enumerate(denses, start=1):
        dense.kernel.assign(np.asarray(params[f"W{l}"]).T)  # kernel = W_l^T
        if dense.use_bias:
            dense.bias.assign(np.asarray(params[f"b{l}"]))


def load_norms(norms: Norms, params: Mapping[str, np.ndarray]) -> None:
    """Assign canonical ``gamma_l``, ``beta_l``, ``running_mean_l``, ``running_var_l`` to each built batch norm."""
    for l, norm in norms.items():
        norm.gamma.assign(np.asarray(params[f"gamma{l}"]))
        norm.beta.assign(np.asarray(params[f"beta{l}"]))
        norm.moving_mean.assign(np.asarray(params[f"running_mean{l}"]))
        norm.moving_variance.assign(np.asarray(params[f"running_var{l}"]))


def _numpy(value: object) -> np.ndarray:
    return np.array(keras.ops.convert_to_numpy(value))


def read_running(norms: Norms) -> dict[str, np.ndarray]:
    """``running_mean_l``, ``running_var_l`` from each batch norm's moving statistics (copies)."""
    out: dict[str, np.ndarray] = {}
    for l, norm in norms.items():
        out[f"running_mean{l}"] = _numpy(norm.moving_mean)
        out[f"running_var{l}"] = _numpy(norm.moving_variance)
    return out


def read_params(denses: list[keras.layers.Dense], norms: Norms | None = None) -> dict[str, np.ndarray]:
    """Canonical parameters from the layers (copies), layer by layer: W_l, then b_l or the batch norm's four."""
    norms = norms or {}
    out: dict[str, np.ndarray] = {}
    for l, dense in enumerate(denses, start=1):
        out[f"W{l}"] = _numpy(dense.kernel).T.copy()  # W_l = kernel^T
        if dense.use_bias:
            out[f"b{l}"] = _numpy(dense.bias)
        if l in norms:
            out[f"gamma{l}"], out[f"beta{l}"] = _numpy(norms[l].gamma), _numpy(norms[l].beta)
            out[f"running_mean{l}"], out[f"running_var{l}"] = _numpy(norms[l].moving_mean), _numpy(norms[l].moving_variance)
    return out


def named_variables(denses: list[keras.layers.Dense], norms: Norms | None = None) -> list[tuple[str, keras.Variable]]:
    """The trainable variables under their canonical names, in the canonical order (core.spec.Spec.param_shapes)."""
    norms = norms or {}
    out: list[tuple[str, keras.Variable]] = []
    for l, dense in enumerate(denses, start=1):
        out.append((f"W{l}", dense.kernel))
        if dense.use_bias:
            out.append((f"b{l}", dense.bias))
        if l in norms:
            out += [(f"gamma{l}", norms[l].gamma), (f"beta{l}", norms[l].beta)]
    return out


def read_grads(denses: list[keras.layers.Dense], grads: list, norms: Norms | None = None) -> dict[str, np.ndarray]:
    """Canonical gradients from the tape's list for :func:`variables` ``[dkernel_1, dbias_1, ...]`` (copies).

    The counterpart of ``torch_impl.convert.read_grads``; Keras keeps no ``.grad``
    on its variables, so the tape's list is passed in.
    """
    out: dict[str, np.ndarray] = {}
    for (name, _), g in zip(named_variables(denses, norms), grads, strict=True):
        value = _numpy(g)
        out[name] = value.T.copy() if name.startswith("W") else value  # dW_l = dkernel^T
    return out


def variables(denses: list[keras.layers.Dense], norms: Norms | None = None) -> list:
    """The trainable variables in the order ``read_grads`` expects."""
    return [variable for _, variable in named_variables(denses, norms)]
