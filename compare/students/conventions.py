"""The three layouts students write backprop in, and the one translation to and from canonical.

==================  =============  ==========================  ============  ===============================================
convention          X              W_l                         b_l           y
==================  =============  ==========================  ============  ===============================================
canonical           ``(m, n_0)``   ``(n_l, n_{l-1})``          ``(n_l,)``    cce: int labels ``(m,)``; bce: 0/1 ``(m, 1)``;
                                                                             sse/mse: ``(m, n_L)``
columns             ``(n_0, m)``   ``(n_l, n_{l-1})``          ``(n_l, 1)``  ``Y`` ``(n_L, m)``: bce 0/1 ``(1, m)``;
(ED5340 L26, L25)                                                            cce one-hot ``(n_L, m)``; sse/mse ``(n_L, m)``
rows                ``(m, n_0)``   ``(n_{l-1}, n_l)`` = W_l^T  ``(1, n_l)``  cce: int labels ``(m,)``;
(Session-5                                                                   bce: 0/1 ``(m, 1)``; sse/mse: ``(m, n_L)``
backprop)
==================  =============  ==========================  ============  ===============================================

Parameters keep their names ``W1, b1, W2, b2, ...`` in every convention, and the
student's gradients come back in the layout of the parameters (dW like W, db like b).
ED5340 L26 writes Z = W X + b with X features x m; Session-5 backprop writes z = X W + b with
W in x out; the canonical layout is batch-first X with W_l[j, k] = w^l_jk (CS60050 backprop).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.errors import InputError
from core.spec import Spec

CONVENTIONS = ("canonical", "columns", "rows")


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise InputError(f"--convention {convention!r}: choose from {', '.join(CONVENTIONS)}")


def describe(convention: str, spec: Spec) -> str:
    """The shapes a student's function receives, in words, for error messages."""
    _check_convention(convention)
    n0, n1 = spec.sizes[0], spec.sizes[1]
    if convention == "columns":
        return f"X ({n0}, m), W1 ({n1}, {n0}), b1 ({n1}, 1)"
    if convention == "rows":
        return f"X (m, {n0}), W1 ({n0}, {n1}), b1 (1, {n1})"
    return f"X (m, {n0}), W1 ({n1}, {n0}), b1 ({n1},)"


def params_to(convention: str, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)`` -> the student's layout (fresh copies)."""
    _check_convention(convention)
    out: dict[str, np.ndarray] = {}
    for name, value in params.items():
        value = np.array(value, dtype=np.float64)  # a copy: a student's in-place update must not reach us
        if convention == "rows":
            value = value.T.copy() if name.startswith("W") else value.reshape(1, -1)
        elif convention == "columns" and name.startswith("b"):
            value = value.reshape(-1, 1)
        out[name] = value
    return out


def inputs_to(convention: str, X: np.ndarray) -> np.ndarray:
    """Canonical ``X`` ``(m, n_0)`` -> ``(n_0, m)`` for columns, unchanged otherwise (a copy)."""
    _check_convention(convention)
    X = np.array(X, dtype=np.float64)
    return X.T.copy() if convention == "columns" else X


def targets_to(convention: str, spec: Spec, y: np.ndarray) -> np.ndarray:
    """Prepared canonical targets (see :func:`core.validate.check_targets`) -> the student's layout.

    columns: ``Y`` is ``(n_L, m)``, one-hot for cce (ED5340 L26's Y is ``(1, m)`` for bce).
    """
    _check_convention(convention)
    y = np.array(y)
    if convention != "columns":
        return y
    if spec.loss == "cce":
        onehot = np.zeros((spec.sizes[-1], y.shape[0]))
        onehot[y, np.arange(y.shape[0])] = 1.0
        return onehot
    return np.asarray(y, dtype=np.float64).T.copy()


def grads_from(convention: str, spec: Spec, grads: Mapping[str, object]) -> dict[str, np.ndarray]:
    """The student's gradients -> canonical ``dW_l`` ``(n_l, n_{l-1})``, ``db_l`` ``(n_l,)``.

    Keys ``W1`` or ``dW1`` are both accepted. A bias gradient of any shape holding
    n_l numbers is flattened. A weight gradient is translated as the layout says
    (rows: transposed); if its shape is still wrong it is returned as it is, so
    that the caller can report the shape (a transposed dW is a classic mistake).

    Raises:
        InputError: a missing key, or a value that is not a numeric array.
    """
    _check_convention(convention)
    if not isinstance(grads, Mapping):
        raise InputError(f"the gradients must be a dict like {{'W1': ..., 'b1': ...}}, got {type(grads).__name__}")
    shapes = spec.param_shapes()
    out: dict[str, np.ndarray] = {}
    for name, shape in shapes.items():
        key = name if name in grads else f"d{name}"
        if key not in grads:
            raise InputError(f"the gradients have no {name!r} (or {'d' + name!r}); expected keys {', '.join(shapes)}")
        try:
            value = np.array(grads[key], dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"gradient {key!r}: cannot be read as a numeric array ({type(grads[key]).__name__})") from None
        if name.startswith("b"):
            out[name] = value.reshape(-1) if value.size == shape[0] else value
            continue
        student_shape = shape[::-1] if convention == "rows" else shape
        if value.ndim == 1 and value.size == shape[0] * shape[1] and 1 in shape:
            value = value.reshape(student_shape)  # a (1, n) matrix returned as a vector
        out[name] = value.T.copy() if convention == "rows" and value.ndim == 2 else value
    return out
