"""The MLP from scratch: forward pass, chain-rule backward pass, and one evaluation, NumPy only, no autograd.

Batch-first layout (rows are samples), canonical weights ``W_l`` of shape
``(n_l, n_{l-1})`` (CS60050 backprop's w^l_jk, from unit k of layer l-1 to unit j
of layer l), so with m samples::

    z_l = a_{l-1} W_l^T + b_l                     (m, n_l)     CS60050 backprop: z^(l) = Theta^(l-1) a^(l-1), one row per sample
    a_l = g_l(z_l)                                (m, n_l)

and, going back (ED5340 L26 in the column convention, transposed for rows)::

    delta_L = a_L - y                             sigmoid + bce, softmax + cce (ED5340 L26: dZ[2] = A[2] - Y)
            = dl/da_L * g_L'(z_L)                 otherwise (Mazur's worked example)
    delta_l = (delta_{l+1} W_{l+1}) * g_l'(z_l)   CS60050 backprop: delta^(l) = (Theta^(l))^T delta^(l+1) .* g'(z^(l))
    dW_l    = delta_l^T a_{l-1} / m               (n_l, n_{l-1})    ED5340 L26: dW = (1/m) dZ A^T
    db_l    = delta_l.sum(axis=0) / m             (n_l,)            ED5340 L26: db = (1/m) np.sum(dZ, axis=1)

ED5340 L26 and ED5340 L25 write the column convention (X is n_0 x m, Z = W X + b):
the transpose of every equation here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.spec import Spec
from core.trace import Trace
from core.validate import prepare
from scratch.activations import DERIVATIVE, FORWARD
from scratch.losses import LOSS, output_delta


def forward(spec: Spec, params: Mapping[str, np.ndarray], X: np.ndarray) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Forward pass keeping every layer's z and a.

    Args:
        spec: the architecture.
        params: canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)``.
        X: ``(m, n_0)``.

    Returns:
        ``(z, a)``: ``z[l]`` for l = 1..L and ``a[l]`` for l = 0..L, each ``(m, n_l)``.
    """
    z: dict[int, np.ndarray] = {}
    a: dict[int, np.ndarray] = {0: X}
    for l, g in enumerate(spec.activations, start=1):
        z[l] = a[l - 1] @ params[f"W{l}"].T + params[f"b{l}"]
        a[l] = FORWARD[g](z[l])
    return z, a


def loss(spec: Spec, z: Mapping[int, np.ndarray], a: Mapping[int, np.ndarray], y: np.ndarray) -> float:
    """The scalar loss of ``spec.loss`` on the output layer (see :mod:`scratch.losses`)."""
    L = spec.n_layers
    return LOSS[spec.loss](z[L], a[L], y)


def hidden_delta(delta_next: np.ndarray, W_next: np.ndarray, g_prime: np.ndarray) -> np.ndarray:
    """delta_l = (delta_{l+1} W_{l+1}) * g_l'(z_l), per sample, ``(m, n_l)`` (CS60050 backprop)."""
    return (delta_next @ W_next) * g_prime


def gradients(delta: Mapping[int, np.ndarray], a: Mapping[int, np.ndarray]) -> dict[str, np.ndarray]:
    """dW_l = delta_l^T a_{l-1} / m and db_l = delta_l.sum(axis=0) / m for every layer (ED5340 L26).

    Returns:
        ``{"W1": (n_1, n_0), "b1": (n_1,), ...}``: the batch-mean gradients, canonical layout.
    """
    m = a[0].shape[0]
    grads: dict[str, np.ndarray] = {}
    for l in sorted(delta):
        grads[f"W{l}"] = delta[l].T @ a[l - 1] / m
        grads[f"b{l}"] = delta[l].sum(axis=0) / m
    return grads


def backward(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    z: Mapping[int, np.ndarray],
    a: Mapping[int, np.ndarray],
    y: np.ndarray,
) -> tuple[dict[int, np.ndarray], dict[str, np.ndarray]]:
    """Backward pass: the chain rule, layer by layer, from the output down.

    Args:
        spec: the architecture.
        params: the canonical parameters the forward pass used.
        z: pre-activations from :func:`forward`.
        a: activations from :func:`forward`.
        y: targets prepared by :func:`core.validate.check_targets`.

    Returns:
        ``(delta, grads)``: per-sample ``delta[l]`` ``(m, n_l)`` and the batch-mean
        gradients ``grads["W_l"]`` ``(n_l, n_{l-1})``, ``grads["b_l"]`` ``(n_l,)``.
    """
    L = spec.n_layers
    delta = {L: output_delta(spec.loss, spec.activations[-1], z[L], a[L], y)}
    for l in range(L - 1, 0, -1):
        # W_{l+1} as it was in the forward pass: no update happens before the whole backward pass
        g_prime = DERIVATIVE[spec.activations[l - 1]](z[l], a[l])
        delta[l] = hidden_delta(delta[l + 1], params[f"W{l + 1}"], g_prime)
    return delta, gradients(delta, a)


def evaluate(spec: Spec, params: Mapping[str, object], X: object, y: object, dtype: str = "float64") -> Trace:
    """Forward, loss and backward on one batch, in ``dtype``.

    Args:
        spec: the architecture.
        params: canonical parameters (checked and cast, never modified).
        X: ``(m, n_0)``.
        y: targets as described in :func:`core.validate.check_targets`.
        dtype: ``"float32"`` or ``"float64"``.

    Raises:
        InputError: bad shapes, keys, dtypes or values.
    """
    checked, X_checked, y_checked = prepare(spec, params, X, y, dtype)
    z, a = forward(spec, checked, X_checked)
    value = loss(spec, z, a, y_checked)
    delta, grads = backward(spec, checked, z, a, y_checked)
    return Trace(spec=spec, z=z, a=a, loss=value, delta=delta, grads=grads)
