"""The MLP from ``keras.layers.Dense`` and activation layers; one pass gives a Trace.

Shapes: X ``(m, n_0)``; ``Dense(n_l)`` computes z_l = a_{l-1} @ kernel + bias with
kernel ``(n_{l-1}, n_l)`` = W_l^T (see keras_impl.convert). Every layer and the
loss get ``dtype`` explicitly: Keras would otherwise cast float64 input to a
float32 model silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import keras
import numpy as np

from core.spec import Spec
from core.trace import Trace
from core.validate import prepare
from keras_impl.activations import make_activation
from keras_impl.convert import load_params, read_grads, variables
from keras_impl.gradients import value_and_gradients
from keras_impl.losses import make_loss


class MLP:
    """``Dense`` layers (no activation of their own), each followed by an activation layer.

    ``loss(z_L, a_L, y)`` is the native loss (keras_impl.losses).
    """

    def __init__(
        self, spec: Spec, dtype: str = "float64", kernel_regularizer: keras.regularizers.Regularizer | None = None
    ) -> None:
        self.spec = spec
        self.dtype = dtype
        self.denses = [
            keras.layers.Dense(n, activation=None, dtype=dtype, kernel_regularizer=kernel_regularizer) for n in spec.sizes[1:]
        ]
        for dense, n_in in zip(self.denses, spec.sizes[:-1], strict=True):
            dense.build((None, n_in))
        self.activations = [make_activation(name, dtype) for name in spec.activations]
        self.loss = make_loss(spec.loss, spec.sizes[-1], dtype)

    @property
    def variables(self) -> list[Any]:
        """``[kernel_1, bias_1, kernel_2, ...]``."""
        return variables(self.denses)

    def trace(self, X: Any) -> tuple[dict[int, Any], dict[int, Any]]:
        """Forward pass keeping z_l and a_l; ``a[0]`` is X."""
        z: dict[int, Any] = {}
        a: dict[int, Any] = {0: X}
        for l, (dense, activation) in enumerate(zip(self.denses, self.activations, strict=True), start=1):
            z[l] = dense(a[l - 1])
            a[l] = activation(z[l])
        return z, a

    def __call__(self, X: Any) -> tuple[Any, Any]:
        """Returns ``(z_L, a_L)``: the logits (for the losses) and the output."""
        z, a = self.trace(X)
        L = self.spec.n_layers
        return z[L], a[L]


def build_model(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    dtype: str = "float64",
    kernel_regularizer: keras.regularizers.Regularizer | None = None,
) -> MLP:
    """An :class:`MLP` holding a copy of the canonical ``params``.

    ``kernel_regularizer`` goes on every Dense kernel (none on the biases); Keras
    evaluates its penalty from the kernel each time ``dense.losses`` is read.
    """
    model = MLP(spec, dtype, kernel_regularizer)
    load_params(model.denses, params)
    return model


def evaluate(spec: Spec, params: Mapping[str, object], X: object, y: object, dtype: str = "float64") -> Trace:
    """Forward, loss and GradientTape gradients on one batch, in ``dtype``.

    delta_l is the tape's dL/dz_l times m, the per-sample convention of
    :class:`core.trace.Trace`.

    Raises:
        InputError: bad shapes, keys, dtypes or values.
    """
    params, X_np, y_np = prepare(spec, params, X, y, dtype)
    model = build_model(spec, params, dtype)
    X_t = keras.ops.convert_to_tensor(X_np, dtype=dtype)
    y_t = keras.ops.convert_to_tensor(y_np)
    L = spec.n_layers
    recorded: dict[str, dict[int, Any]] = {}

    def compute() -> tuple[Any, list[Any]]:
        z, a = model.trace(X_t)
        recorded["z"], recorded["a"] = z, a
        return model.loss(z[L], a[L], y_t), [z[l] for l in range(1, L + 1)]

    loss, variable_grads, z_grads = value_and_gradients(compute, model.variables)
    m = X_np.shape[0]
    numpy = keras.ops.convert_to_numpy
    return Trace(
        spec=spec,
        z={l: numpy(v) for l, v in recorded["z"].items()},
        a={0: X_np} | {l: numpy(v) for l, v in recorded["a"].items() if l > 0},
        loss=float(numpy(loss)),
        delta={l: numpy(g) * m for l, g in enumerate(z_grads, start=1)},
        grads=read_grads(model.denses, variable_grads),
    )
