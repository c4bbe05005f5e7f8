"""The MLP from scratch: forward pass, chain-rule backward pass, gradient descent.

NumPy only, no autograd. Batch-first layout (rows are samples), canonical
weights ``W_l`` of shape ``(n_l, n_{l-1})`` (the lectures' w^l_jk, seed 004), so

    z_l = a_{l-1} W_l^T + b_l          (m, n_l)     seed 004: z^l = w^l a^{l-1} + b^l, transposed for rows
    a_l = g_l(z_l)                     (m, n_l)

and, going back (seed 000, seed 004; m = batch size):

    delta_L = a_L - y                  sigmoid + bce, softmax + cce
            = dl/da_L * g_L'(z_L)      otherwise
    delta_l = (delta_{l+1} W_{l+1}) * g_l'(z_l)          seed 000: W^[2]T dz^[2] * g'(z^[1])
    dW_l    = delta_l^T a_{l-1} / m    (n_l, n_{l-1})    seed 000: dW = (1/m) dZ A^T
    db_l    = mean over rows of delta_l (n_l,)           seed 000: db = (1/m) sum dZ

The column convention of seeds 000/002 (X is n_0 x m) is the transpose of this.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from scratch.activations import DERIVATIVE, FORWARD
from scratch.losses import LOSS, output_delta
from scratch.spec import Spec
from scratch.trace import Trace
from scratch.validate import prepare


def _in_place(op: np.ufunc, x: np.ndarray, y: np.ndarray | int) -> np.ndarray:
    """``op(x, y)`` written into ``x`` (a fresh temporary) when that keeps the result dtype.

    The same numbers as ``op(x, y)``, one ``x``-sized allocation fewer; with prepared
    inputs (one float dtype throughout) it always goes in place.
    """
    return op(x, y, out=x) if np.result_type(x, y) == x.dtype else op(x, y)


def forward(spec: Spec, params: Mapping[str, np.ndarray], X: np.ndarray) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Forward pass keeping every layer's z and a.

    Args:
        params: canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)``.
        X: ``(m, n_0)``.

    Returns:
        ``(z, a)``: ``z[l]`` for l = 1..L and ``a[l]`` for l = 0..L, each ``(m, n_l)``.
    """
    z: dict[int, np.ndarray] = {}
    a: dict[int, np.ndarray] = {0: X}
    for l, activation in enumerate(spec.activations, start=1):
        z[l] = _in_place(np.add, a[l - 1] @ params[f"W{l}"].T, params[f"b{l}"])
        a[l] = FORWARD[activation](z[l])
    return z, a


def backward(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    z: Mapping[int, np.ndarray],
    a: Mapping[int, np.ndarray],
    y: np.ndarray,
) -> tuple[dict[int, np.ndarray], dict[str, np.ndarray]]:
    """Backward pass: the chain rule, layer by layer, from the output down.

    Args:
        z, a: from :func:`forward`.
        y: targets prepared by :func:`scratch.validate.check_targets`.

    Returns:
        ``(delta, grads)``: per-sample ``delta[l]`` ``(m, n_l)`` and the batch-mean
        gradients ``grads["W_l"]`` ``(n_l, n_{l-1})``, ``grads["b_l"]`` ``(n_l,)``.
    """
    L = spec.n_layers
    m = a[0].shape[0]
    delta = {L: output_delta(spec.loss, spec.activations[-1], z[L], a[L], y)}
    for l in range(L - 1, 0, -1):
        # uses W_{l+1} as it was in the forward pass: no update happens before the whole backward pass
        delta[l] = _in_place(np.multiply, delta[l + 1] @ params[f"W{l + 1}"], DERIVATIVE[spec.activations[l - 1]](z[l], a[l]))
    grads: dict[str, np.ndarray] = {}
    for l in range(1, L + 1):
        grads[f"W{l}"] = _in_place(np.true_divide, delta[l].T @ a[l - 1], m)
        grads[f"b{l}"] = np.add.reduce(delta[l], axis=0) / m  # = delta.sum(axis=0), without the method's Python wrapper
    return delta, grads


def loss(spec: Spec, z: Mapping[int, np.ndarray], a: Mapping[int, np.ndarray], y: np.ndarray) -> float:
    """The scalar loss of ``spec.loss`` on the output layer (see :mod:`scratch.losses`)."""
    L = spec.n_layers
    return LOSS[spec.loss](z[L], a[L], y)


def evaluate(spec: Spec, params: Mapping[str, object], X: object, y: object, dtype: str = "float64") -> Trace:
    """Forward, loss and backward on one batch, in ``dtype``.

    Args:
        params: canonical parameters (checked and cast, never modified).
        X: ``(m, n_0)``.
        y: targets as described in :func:`scratch.validate.check_targets`.
        dtype: ``"float32"`` or ``"float64"``.

    Raises:
        InputError: bad shapes, keys, dtypes or values.
    """
    params, X, y = prepare(spec, params, X, y, dtype)
    z, a = forward(spec, params, X)
    value = loss(spec, z, a, y)
    delta, grads = backward(spec, params, z, a, y)
    return Trace(spec=spec, z=z, a=a, loss=value, delta=delta, grads=grads)


def gradient_descent_step(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray], learning_rate: float) -> dict[str, np.ndarray]:
    """theta <- theta - eta * dL/dtheta for every parameter (seed 000, seed 001).

    Returns new arrays; ``params`` is not modified.
    """
    return {name: value - learning_rate * grads[name] for name, value in params.items()}
