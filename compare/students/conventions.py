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
from dataclasses import dataclass, field

import numpy as np

from core.errors import InputError
from core.spec import Spec

CONVENTIONS = ("canonical", "columns", "rows")


def _check_convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise InputError(f"--convention {convention!r}: choose from {', '.join(CONVENTIONS)}")


@dataclass(frozen=True)
class Names:
    """The student's names for the parameters (``--names``), when they are not ``W1, b1, ...``.

    Attributes:
        keys: canonical name -> the student's key, e.g. ``{"W1": "w_hidden"}``; gradients are then
            read from ``w_hidden`` or ``dw_hidden``.
        lists: ``"W"`` / ``"b"`` -> the key of one list holding that parameter for layers 1..L,
            e.g. ``{"W": "weights", "b": "biases"}`` (online code's ``self.weights``).
    """

    keys: Mapping[str, str] = field(default_factory=dict)
    lists: Mapping[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.keys or self.lists)


def parse_names(text: str) -> Names:
    """``"W1=w_h,b1=b_h"`` or ``"W=weights,b=biases"`` -> :class:`Names`.

    Raises:
        InputError: an item that is not ``NAME=KEY`` with NAME ``W``, ``b``, ``W<l>`` or ``b<l>``.
    """
    keys: dict[str, str] = {}
    lists: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",") if part.strip()):
        name, sep, key = (s.strip() for s in item.partition("="))
        if not sep or not key:
            raise InputError(f"--names {text!r}: expected NAME=KEY items like W1=w_hidden or W=weights, got {item!r}")
        if name in ("W", "b"):
            lists[name] = key
        elif name[:1] in ("W", "b") and name[1:].isdigit() and int(name[1:]) >= 1:
            keys[name] = key
        else:
            raise InputError(f"--names {text!r}: {name!r} is not a parameter; expected W, b, W1, b1, W2, ...")
    return Names(keys, lists)


def check_names(names: Names, spec: Spec) -> None:
    """Refuse a mapping that names a parameter the spec does not have.

    Raises:
        InputError: e.g. ``W3`` for a 2-layer spec.
    """
    unknown = [name for name in names.keys if name not in spec.param_shapes()]
    if unknown:
        raise InputError(f"--names: {', '.join(unknown)} is not a parameter of {spec} (it has {', '.join(spec.param_shapes())})")


def param_shape(convention: str, spec: Spec, name: str) -> tuple[int, ...]:
    """The shape of parameter ``name`` (and of its gradient) in ``convention``'s layout.

    canonical: W_l ``(n_l, n_{l-1})``, b_l ``(n_l,)``; columns: b_l ``(n_l, 1)``; rows: W_l ``(n_{l-1}, n_l)``, b_l ``(1, n_l)``.
    """
    _check_convention(convention)
    shape = spec.param_shapes()[name]
    if name.startswith("W"):
        return shape[::-1] if convention == "rows" else shape
    return {"canonical": shape, "columns": (shape[0], 1), "rows": (1, shape[0])}[convention]


def other_layouts(convention: str, spec: Spec, name: str, shape: tuple[int, ...]) -> list[str]:
    """The other conventions in which parameter ``name`` has ``shape`` (for "is --convention right?")."""
    return [
        c for c in CONVENTIONS if c != convention and param_shape(c, spec, name) == shape != param_shape(convention, spec, name)
    ]


def describe(convention: str, spec: Spec, per_sample: bool = False) -> str:
    """The shapes a student's function receives, in words, for error messages."""
    _check_convention(convention)
    n0, n1 = spec.sizes[0], spec.sizes[1]
    x = {"canonical": f"({n0},)", "columns": f"({n0}, 1)", "rows": f"(1, {n0})"} if per_sample else {}
    if convention == "columns":
        return f"with --convention columns it receives X {x.get(convention, f'({n0}, m)')}, W1 ({n1}, {n0}), b1 ({n1}, 1)"
    if convention == "rows":
        return f"with --convention rows it receives X {x.get(convention, f'(m, {n0})')}, W1 ({n0}, {n1}), b1 (1, {n1})"
    return f"with --convention canonical it receives X {x.get(convention, f'(m, {n0})')}, W1 ({n1}, {n0}), b1 ({n1},)"


def params_to(convention: str, params: Mapping[str, np.ndarray], names: Names | None = None) -> dict[str, object]:
    """Canonical ``W_l`` ``(n_l, n_{l-1})``, ``b_l`` ``(n_l,)`` -> the student's layout and names (fresh copies).

    With ``names`` (:class:`Names`), a parameter is passed under the student's key, or all
    weights (biases) as one list in layer order under the key ``names.lists["W"]`` (``["b"]``).
    """
    laid_out = _laid_out(convention, params)
    if not names:
        return dict(laid_out)
    out: dict[str, object] = {names.keys.get(name, name): value for name, value in laid_out.items() if name[0] not in names.lists}
    for kind, key in names.lists.items():
        out[key] = [value for name, value in laid_out.items() if name[0] == kind]
    return out


def param_to(convention: str, name: str, value: np.ndarray) -> np.ndarray:
    """One canonical parameter (or its gradient) ``name`` in ``convention``'s layout (a copy)."""
    return _laid_out(convention, {name: value})[name]


def _laid_out(convention: str, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    _check_convention(convention)
    out: dict[str, np.ndarray] = {}
    for name, value in params.items():
        value = np.array(value, dtype=np.float64)  # a copy: a student's in-place update must not reach us
        if convention == "rows":
            value = value.T.copy() if name.startswith("W") else value.reshape(1, -1)
        elif convention == "columns" and value.ndim == 1:  # b_l, and a batch norm's per-unit vectors, as columns
            value = value.reshape(-1, 1)
        out[name] = value
    return out


def sample_to(convention: str, spec: Spec, X: np.ndarray, y: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``i`` (from 0) of canonical ``X`` and prepared ``y``, in ``convention``'s single-sample shapes (``--per-sample``).

    canonical: x ``(n_0,)``, y ``(n_L,)`` (bce ``(1,)``, cce the label, 0-d); columns: x ``(n_0, 1)``,
    y ``(n_L, 1)`` (cce one-hot); rows: x ``(1, n_0)``, y ``(1, n_L)`` (cce ``(1,)`` label).
    """
    x_i = inputs_to(convention, X[i : i + 1])
    y_i = targets_to(convention, spec, y[i : i + 1])
    if convention == "canonical":
        return x_i.reshape(-1), (y_i.reshape(()) if spec.loss == "cce" else y_i.reshape(-1))
    return x_i, y_i


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
        if len(shape) == 1:  # db_l (and dgamma_l, dbeta_l): any shape holding n_l numbers
            out[name] = value.reshape(-1) if value.size == shape[0] else value
            continue
        student_shape = shape[::-1] if convention == "rows" else shape
        if value.ndim == 1 and value.size == shape[0] * shape[1] and 1 in shape:
            value = value.reshape(student_shape)  # a (1, n) matrix returned as a vector
        out[name] = value.T.copy() if convention == "rows" and value.ndim == 2 else value
    return out
