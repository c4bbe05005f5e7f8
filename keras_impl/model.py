"""The MLP from ``keras.layers.Dense`` and activation layers; one pass gives a Trace.

Shapes: X ``(m, n_0)``; ``Dense(n_l)`` computes z_l = a_{l-1} @ kernel + bias with
kernel ``(n_{l-1}, n_l)`` = W_l^T (see keras_impl.convert). Every layer and the
loss get ``dtype`` explicitly: Keras would otherwise cast float64 input to a
float32 model silently. A layer with batch norm is ``Dense(use_bias=False)``,
``BatchNormalization``, the activation; a layer with dropout ends in ``Dropout``
(keras_impl.layers). Each call takes Keras's ``training=`` mode switch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import keras
import numpy as np

from core.normalization import DROPOUT_SEED, MATCHED, TRAIN, BatchNormSettings, check_mode
from core.spec import Spec
from core.trace import Trace
from core.validate import check_batch_for_mode, prepare
from keras_impl import backend
from keras_impl.activations import make_activation
from keras_impl.convert import load_norms, load_params, read_grads, read_running, variables
from keras_impl.gradients import call_and_derivative, value_and_gradients
from keras_impl.layers import RUNNING_VARIANCE, make_batch_norm, make_dropout
from keras_impl.losses import make_loss


@dataclass
class Inner:
    """What one pass keeps of its batch norms and dropouts: ``bn[l]``, ``h[l]`` (before dropout), ``keep[l]``.

    ``keep[l]`` is d sum(a_l) / d h_l from the same call (mask / (1 - p), nonzero where kept).
    """

    bn: dict[int, Any] = field(default_factory=dict)
    h: dict[int, Any] = field(default_factory=dict)
    keep: dict[int, Any] = field(default_factory=dict)


def placeholder(shape: Sequence[int], dtype: Any = None) -> Any:
    """Zeros of ``shape``: what a variable holds until the canonical parameters are assigned (an initializer)."""
    return backend.tensor(np.zeros(tuple(shape), dtype=dtype))


class MLP:
    """``Dense`` layers (no activation of their own), each followed by an activation layer.

    ``loss(z_L, a_L, y)`` is the native loss (keras_impl.losses); ``batch_norm`` configures every
    ``BatchNormalization`` (None: Keras's own defaults); ``seed`` seeds the dropout layers.
    """

    def __init__(
        self,
        spec: Spec,
        dtype: str = "float64",
        kernel_regularizer: keras.regularizers.Regularizer | None = None,
        batch_norm: BatchNormSettings | None = MATCHED,
        seed: int = DROPOUT_SEED,
    ) -> None:
        self.spec = spec
        self.dtype = dtype
        layers = range(1, spec.n_layers + 1)
        # zeros made in NumPy, not Keras's glorot_uniform or "zeros": the canonical weights are loaded right after
        # (keras_impl.convert), and on JAX each of Keras's initializers is a compiled call per shape
        self.denses = [
            keras.layers.Dense(
                spec.sizes[l],
                activation=None,
                use_bias=not spec.has_batch_norm(l),
                dtype=dtype,
                kernel_initializer=placeholder,
                bias_initializer=placeholder,
                kernel_regularizer=kernel_regularizer,
            )
            for l in layers
        ]
        for dense, n_in in zip(self.denses, spec.sizes[:-1], strict=True):
            dense.build((None, n_in))
        self.norms = {l: make_batch_norm(spec.sizes[l], batch_norm, dtype) for l in layers if spec.has_batch_norm(l)}
        self.dropouts = {l: make_dropout(rate, l, seed, dtype) for l in layers if (rate := spec.dropout_rate(l)) is not None}
        self.activations = [make_activation(name, dtype) for name in spec.activations]
        self.loss = make_loss(spec.loss, spec.sizes[-1], dtype)

    @property
    def variables(self) -> list[Any]:
        """``[kernel_1, bias_1, kernel_2, ...]`` (``kernel_l, gamma_l, beta_l`` for a layer with batch norm)."""
        return variables(self.denses, self.norms)

    @property
    def state(self) -> list[Any]:
        """The variables a training-mode call updates: moving statistics and dropout seed generators."""
        out = [v for norm in self.norms.values() for v in (norm.moving_mean, norm.moving_variance)]
        return out + [dropout.seed_generator.state for dropout in self.dropouts.values()]

    def trace(
        self, X: Any, taps: Sequence[Any] = (), training: bool = True, inner: Inner | None = None
    ) -> tuple[dict[int, Any], dict[int, Any]]:
        """Forward pass keeping z_l and a_l; ``a[0]`` is X.

        ``taps``: zeros added to each z_l, whose gradients are dL/dz_l (keras_impl.gradients).
        ``training``: Keras's mode switch, passed to every batch norm and dropout call.
        ``inner`` collects batch norm's output, and in training mode each dropout's input and
        the derivative of its output's sum with respect to it in the same call (the mask).
        """
        z: dict[int, Any] = {}
        a: dict[int, Any] = {0: X}
        for l, (dense, activation) in enumerate(zip(self.denses, self.activations, strict=True), start=1):
            z[l] = dense(a[l - 1]) + taps[l - 1] if taps else dense(a[l - 1])
            u = z[l]
            if l in self.norms:
                u = self.norms[l](z[l], training=training)
                if inner is not None:
                    inner.bn[l] = u
            a[l] = activation(u)
            if l in self.dropouts:
                h, dropout = a[l], self.dropouts[l]
                if training:
                    a[l], keep = call_and_derivative(partial(dropout, training=True), h)
                    if inner is not None:
                        inner.h[l], inner.keep[l] = h, keep
                else:
                    a[l] = dropout(h, training=False)
        return z, a

    def __call__(self, X: Any, training: bool = True) -> tuple[Any, Any]:
        """Returns ``(z_L, a_L)``: the logits (for the losses) and the output."""
        z, a = self.trace(X, training=training)
        L = self.spec.n_layers
        return z[L], a[L]


def build_model(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    dtype: str = "float64",
    kernel_regularizer: keras.regularizers.Regularizer | None = None,
    batch_norm: BatchNormSettings | None = MATCHED,
    seed: int = DROPOUT_SEED,
) -> MLP:
    """An :class:`MLP` holding a copy of the canonical ``params``.

    ``kernel_regularizer`` goes on every Dense kernel (none on the biases); Keras
    evaluates its penalty from the kernel each time ``dense.losses`` is read.
    """
    model = MLP(spec, dtype, kernel_regularizer, batch_norm, seed)
    load_params(model.denses, params)
    load_norms(model.norms, params)
    return model


def evaluate(
    spec: Spec,
    params: Mapping[str, object],
    X: object,
    y: object,
    dtype: str = "float64",
    *,
    mode: str = TRAIN,
    seed: int = DROPOUT_SEED,
) -> Trace:
    """Forward, loss and the backend's gradients on one batch, in ``dtype``, with ``training=True`` or ``False``.

    delta_l is the backend's dL/dz_l times m, the per-sample convention of
    :class:`core.trace.Trace`. Dropout layers are seeded from ``seed``; the masks they drew
    are in the trace. Batch norm uses the matched settings (core.normalization.MATCHED);
    in training mode the trace holds the moving statistics it left.

    Raises:
        InputError: bad shapes, keys, dtypes, values or mode.
    """
    check_mode(mode)
    params, X_np, y_np = prepare(spec, params, X, y, dtype)
    L, m = spec.n_layers, X_np.shape[0]
    check_batch_for_mode(spec, m, mode)
    model = build_model(spec, params, dtype, seed=seed)
    X_t = keras.ops.convert_to_tensor(backend.tensor(X_np), dtype=dtype)
    y_t = backend.tensor(y_np)
    training = mode == TRAIN

    def compute(taps: list[Any]) -> tuple[Any, Any]:
        inner = Inner()
        z, a = model.trace(X_t, taps, training, inner)
        layers = range(1, L + 1)
        kept: dict[str, Any] = {"z": [z[l] for l in layers], "a": [a[l] for l in layers]}
        kept |= {"bn": inner.bn, "h": inner.h, "keep": inner.keep}
        return model.loss(z[L], a[L], y_t), kept

    tap_shapes = [(m, n) for n in spec.sizes[1:]]
    loss, forward, variable_grads, z_grads = value_and_gradients(compute, model.variables, tap_shapes, dtype, model.state)
    numpy = keras.ops.convert_to_numpy
    return Trace(
        spec=spec,
        z={l: numpy(v) for l, v in enumerate(forward["z"], start=1)},
        a={0: X_np} | {l: numpy(v) for l, v in enumerate(forward["a"], start=1)},
        loss=float(numpy(loss)),
        delta={l: numpy(g) * m for l, g in enumerate(z_grads, start=1)},
        grads=read_grads(model.denses, variable_grads, model.norms),
        mode=mode,
        bn={l: numpy(v) for l, v in forward["bn"].items()},
        h={l: numpy(v) for l, v in forward["h"].items()},
        masks={l: numpy(v) != 0 for l, v in forward["keep"].items()},
        running=read_running(model.norms) if training else {},
        running_variance=RUNNING_VARIANCE if model.norms else "",
    )
