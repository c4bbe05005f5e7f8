"""The MLP from ``keras.layers.Dense`` and activation layers; one pass gives a Trace.

Shapes: X ``(m, n_0)``; ``Dense(n_l)`` computes z_l = a_{l-1} @ kernel + bias with
kernel ``(n_{l-1}, n_l)`` = W_l^T (see keras_impl.convert). Every layer and the
loss get ``dtype`` explicitly: Keras would otherwise cast float64 input to a
float32 model silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
        # zeros, not Keras's glorot_uniform: the canonical weights are loaded right after (keras_impl.convert),
        # and a random initializer costs a compiled RNG call per layer on JAX
        self.denses = [
            keras.layers.Dense(n, activation=None, dtype=dtype, kernel_initializer="zeros", kernel_regularizer=kernel_regularizer)
            for n in spec.sizes[1:]
        ]
        for dense, n_in in zip(self.denses, spec.sizes[:-1], strict=True):
            dense.build((None, n_in))
        self.activations = [make_activation(name, dtype) for name in spec.activations]
        self.loss = make_loss(spec.loss, spec.sizes[-1], dtype)

    @property
    def variables(self) -> list[Any]:
        """``[kernel_1, bias_1, kernel_2, ...]``."""
        return variables(self.denses)

    def trace(self, X: Any, taps: Sequence[Any] = ()) -> tuple[dict[int, Any], dict[int, Any]]:
        """Forward pass keeping z_l and a_l; ``a[0]`` is X.

        ``taps``: zeros added to each z_l, whose gradients are dL/dz_l (keras_impl.gradients).
        """
        z: dict[int, Any] = {}
        a: dict[int, Any] = {0: X}
        for l, (dense, activation) in enumerate(zip(self.denses, self.activations, strict=True), start=1):
            z[l] = dense(a[l - 1]) + taps[l - 1] if taps else dense(a[l - 1])
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
    """Forward, loss and the backend's gradients on one batch, in ``dtype``.

    delta_l is the backend's dL/dz_l times m, the per-sample convention of
    :class:`core.trace.Trace`.

    Raises:
        InputError: bad shapes, keys, dtypes or values.
    """
    params, X_np, y_np = prepare(spec, params, X, y, dtype)
    model = build_model(spec, params, dtype)
    X_t = keras.ops.convert_to_tensor(X_np, dtype=dtype)
    y_t = keras.ops.convert_to_tensor(y_np)
    L, m = spec.n_layers, X_np.shape[0]

    def compute(taps: list[Any]) -> tuple[Any, Any]:
        z, a = model.trace(X_t, taps)
        return model.loss(z[L], a[L], y_t), {"z": [z[l] for l in range(1, L + 1)], "a": [a[l] for l in range(1, L + 1)]}

    tap_shapes = [(m, n) for n in spec.sizes[1:]]
    loss, forward, variable_grads, z_grads = value_and_gradients(compute, model.variables, tap_shapes, dtype)
    numpy = keras.ops.convert_to_numpy
    return Trace(
        spec=spec,
        z={l: numpy(v) for l, v in enumerate(forward["z"], start=1)},
        a={0: X_np} | {l: numpy(v) for l, v in enumerate(forward["a"], start=1)},
        loss=float(numpy(loss)),
        delta={l: numpy(g) * m for l, g in enumerate(z_grads, start=1)},
        grads=read_grads(model.denses, variable_grads),
    )
