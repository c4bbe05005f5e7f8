"""Central finite differences: an oracle for the backward pass that uses no calculus.

dL/dtheta_i ~ (L(theta + h e_i) - L(theta - h e_i)) / (2 h), error O(h^2).
Run in float64 only: in float32 the cancellation in the numerator swamps the
derivative for any useful h.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from core.normalization import TRAIN
from core.spec import Spec
from core.validate import prepare
from scratch.model import draw_masks, forward, loss


def numerical_gradients(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    h: float = 1e-6,
    *,
    mode: str = TRAIN,
    masks: Mapping[int, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Gradients of the scalar loss by central differences, in float64.

    With batch norm or dropout, the loss is that of ``mode`` with the dropout ``masks`` held
    fixed (training mode; by default scratch's own draw, the one :func:`scratch.model.evaluate`
    makes); the running statistics are state, not differentiated.

    Returns:
        ``{"W1": (n_1, n_0), "b1": (n_1,), ...}`` in the canonical layout (the trained parameters).

    Raises:
        InputError: bad shapes, keys, dtypes or values.
    """
    params, X, y = prepare(spec, params, X, y, "float64")
    buffers = {name: params[name] for name in spec.buffer_shapes()}
    if masks is None and spec.has_dropout and mode == TRAIN:
        masks = draw_masks(spec, X.shape[0])  # the masks scratch.model.evaluate draws by default

    def loss_at(work: Mapping[str, np.ndarray]) -> float:
        z, a = forward(spec, {**work, **buffers}, X, mode=mode, masks=masks)
        return loss(spec, z, a, y)

    return central_differences(loss_at, {name: params[name] for name in spec.param_shapes()}, h)


def central_differences(
    loss_of: Callable[[Mapping[str, np.ndarray]], float], params: Mapping[str, np.ndarray], h: float = 1e-6
) -> dict[str, np.ndarray]:
    """dL/dtheta_i ~ (L(theta + h e_i) - L(theta - h e_i)) / (2 h) for every entry of every parameter.

    Args:
        loss_of: any scalar loss of the parameters (scratch's, or a student's own).
        params: float64 arrays; ``loss_of`` gets a perturbed copy, never these.
        h: the step.

    Returns:
        One array per parameter, in its shape.
    """
    work = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    grads: dict[str, np.ndarray] = {}
    for name, value in work.items():
        grad = np.zeros_like(value)
        flat, grad_flat = value.reshape(-1), grad.reshape(-1)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + h
            plus = loss_of(work)
            flat[i] = original - h
            minus = loss_of(work)
            flat[i] = original
            grad_flat[i] = (plus - minus) / (2 * h)
        grads[name] = grad
    return grads
