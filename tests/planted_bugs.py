"""Deliberately wrong variants of ``scratch.model.evaluate``: each plants one classic bug.

Every variant has the signature of :func:`scratch.model.evaluate`
``(spec, params, X, y, dtype) -> Trace`` and is built from scratch's own pieces
(``prepare``, ``forward``, ``loss``, ``backward``, ``output_delta``, the
``FORWARD`` / ``DERIVATIVE`` tables), changing exactly one thing. The tests in
``test_planted_bugs.py`` run each one through ``compare.parity.harness.run_case`` in
place of scratch and assert that the comparison with torch / keras fails and
names the first quantity that differs.

Table swaps use ``unittest.mock.patch.dict`` on scratch's own tables, so the
change is undone when the variant returns (even on an exception).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping
from unittest import mock

import numpy as np

from core.spec import Spec
from core.trace import Trace
from core.validate import prepare
from scratch.activations import DERIVATIVE, FORWARD
from scratch.layers import batch_norm_backward, update_running
from scratch.losses import output_delta
from scratch.model import backward, evaluate, forward, loss

WRONG_LEAKY_SLOPE = 0.2  # Keras's default for the "leaky_relu" string; the lectures use 0.01
LEARNING_RATE = 0.5  # for the "already-updated weights" bug (the worked example's eta)


def _trace(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    forward_pass=forward,
    loss_fn=loss,
    backward_pass=backward,
) -> Trace:
    """scratch.model.evaluate's pipeline on prepared arrays, with any one stage swapped."""
    z, a = forward_pass(spec, params, X)
    value = loss_fn(spec, z, a, y)
    delta, grads = backward_pass(spec, params, z, a, y)
    return Trace(spec=spec, z=z, a=a, loss=value, delta=delta, grads=grads)


def transposed_w(spec: Spec, params, X, y, dtype: str = "float64") -> Trace:
    """z_l = a_{l-1} W_l + b_l instead of a_{l-1} W_l^T + b_l: the canonical weights read as Keras kernels.

    Shapes only work for square W (the worked 2-2-2 case is the canary).
    """
    params, X, y = prepare(spec, params, X, y, dtype)
    return evaluate(spec, {k: (v.T if k.startswith("W") else v) for k, v in params.items()}, X, y, dtype)


def missing_one_over_m(spec: Spec, params, X, y, dtype: str = "float64") -> Trace:
    """dW_l = delta_l^T a_{l-1} and db_l = sum_rows delta_l, without the 1/m (ED5340 L26's dW = (1/m) dZ A^T)."""
    params, X, y = prepare(spec, params, X, y, dtype)
    m = X.shape[0]

    def backward_without_1_over_m(spec, params, z, a, y):
        delta, grads = backward(spec, params, z, a, y)
        return delta, {name: g * m for name, g in grads.items()}  # undoes exactly the / m

    return _trace(spec, params, X, y, backward_pass=backward_without_1_over_m)


def sum_instead_of_mean(spec: Spec, params, X, y, dtype: str = "float64") -> Trace:
    """The loss reduced by a sum over the m samples instead of the mean (the gradients stay per-mean)."""
    params, X, y = prepare(spec, params, X, y, dtype)
    m = X.shape[0]

    def summed_loss(spec, z, a, y):
        return m * loss(spec, z, a, y)  # sum_i l_i = m * mean_i l_i

    return _trace(spec, params, X, y, loss_fn=summed_loss)


def _with_tables(forward_table: dict | None = None, derivative_table: dict | None = None) -> Callable:
    """A variant that runs scratch.model.evaluate with entries of FORWARD / DERIVATIVE replaced."""

    def variant(spec: Spec, params, X, y, dtype: str = "float64") -> Trace:
        with mock.patch.dict(FORWARD, forward_table or {}), mock.patch.dict(DERIVATIVE, derivative_table or {}):
            return evaluate(spec, params, X, y, dtype)

    return variant


# sigma'(z) written as sigma(z): the activation where a (1 - a) belongs
sigmoid_for_its_derivative = _with_tables(derivative_table={"sigmoid": lambda z, a: a})
sigmoid_for_its_derivative.__doc__ = "sigma(z) where sigma(z)(1 - sigma(z)) belongs."

# The ReLU "mask" taken as the activation a itself: delta * a instead of delta * 1[z > 0].
# (A boolean mask a > 0 would be right: for ReLU, a > 0 exactly when z > 0.)
relu_mask_is_a = _with_tables(derivative_table={"relu": lambda z, a: a})
relu_mask_is_a.__doc__ = "ReLU'(z) taken as a = ReLU(z) instead of the mask 1[z > 0]."

# z >= 0 instead of z > 0: differs from the frameworks only where z is exactly 0
relu_mask_z_ge_0 = _with_tables(derivative_table={"relu": lambda z, a: (z >= 0).astype(z.dtype)})
relu_mask_z_ge_0.__doc__ = "ReLU'(0) = 1 (mask z >= 0); torch and TensorFlow take ReLU'(0) = 0."


def _softmax_unshifted(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point; keep the test log clean
        e = np.exp(z)  # Session-5 backprop's np.exp(z2): inf for z > 709 (float64), 88.7 (float32)
        return e / e.sum(axis=1, keepdims=True)  # inf / inf = NaN


softmax_without_max_shift = _with_tables(forward_table={"softmax": _softmax_unshifted})
softmax_without_max_shift.__doc__ = "softmax(z) = e^z / sum e^z without subtracting max z first."


def _leaky(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, WRONG_LEAKY_SLOPE * z)


def _leaky_derivative(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.where(z > 0, 1.0, WRONG_LEAKY_SLOPE).astype(z.dtype)


wrong_leaky_slope = _with_tables(forward_table={"leaky_relu": _leaky}, derivative_table={"leaky_relu": _leaky_derivative})
wrong_leaky_slope.__doc__ = f"leaky ReLU with slope {WRONG_LEAKY_SLOPE} (Keras's string default) instead of 0.01."


def delta_from_updated_weights(spec: Spec, params, X, y, dtype: str = "float64") -> Trace:
    """Update W_{l+1} by gradient descent *before* using it to send delta back to layer l.

    The right order: the whole backward pass with the forward pass's weights, then
    the step (scratch.model.backward says so).
    """
    params, X, y = prepare(spec, params, X, y, dtype)

    def backward_with_early_update(spec, params, z, a, y):
        L, m = spec.n_layers, X.shape[0]
        work = dict(params)
        delta = {L: output_delta(spec.loss, spec.activations[-1], z[L], a[L], y)}
        grads: dict[str, np.ndarray] = {}
        for l in range(L, 0, -1):
            grads[f"W{l}"] = delta[l].T @ a[l - 1] / m
            grads[f"b{l}"] = delta[l].sum(axis=0) / m
            work[f"W{l}"] = work[f"W{l}"] - LEARNING_RATE * grads[f"W{l}"]  # the bug: W_l is updated here ...
            if l > 1:  # ... and then used to send delta back to layer l - 1
                delta[l - 1] = (delta[l] @ work[f"W{l}"]) * DERIVATIVE[spec.activations[l - 2]](z[l - 1], a[l - 1])
        return delta, grads

    return _trace(spec, params, X, y, backward_pass=backward_with_early_update)


def dropped_bias_gradient(spec: Spec, params, X, y, dtype: str = "float64") -> Trace:
    """The bias gradients are never computed (the biases would silently never train)."""
    params, X, y = prepare(spec, params, X, y, dtype)

    def backward_without_bias(spec, params, z, a, y):
        delta, grads = backward(spec, params, z, a, y)
        return delta, {name: g for name, g in grads.items() if not name.startswith("b")}

    return _trace(spec, params, X, y, backward_pass=backward_without_bias)


# --- batch norm and dropout: each variant takes evaluate's keyword arguments (mode, masks, running_variance) ---


def _patched(**replacements: Callable) -> Callable:
    """scratch.model.evaluate with batch-norm or dropout functions (as imported into scratch.model) replaced."""

    def variant(spec: Spec, params, X, y, dtype: str = "float64", **kwargs) -> Trace:
        with contextlib.ExitStack() as stack:
            for target, replacement in replacements.items():
                stack.enter_context(mock.patch(f"scratch.model.{target}", replacement))
            return evaluate(spec, params, X, y, dtype, **kwargs)

    return variant


# dL/dz = dL/dzhat / sqrt(var + eps) in training mode: the batch statistics' own dependence on z (the mean terms) dropped
bn_backward_without_mean_terms = _patched(
    batch_norm_backward=lambda dbn, cache: batch_norm_backward(dbn, dataclasses.replace(cache, training=False))
)
bn_backward_without_mean_terms.__doc__ = "Batch norm's backward in training mode as if mu and var were constants."

# a = h * mask: the kept units not scaled by 1/(1 - p), forward and back
dropout_without_scale = _patched(
    dropout_forward=lambda h, mask, rate: h * mask.astype(h.dtype), dropout_backward=lambda da, mask, rate: da * mask
)
dropout_without_scale.__doc__ = "Dropout that zeroes units but never scales the kept ones by 1/(1 - p)."

# running <- (1 - 0.9) running + 0.9 batch for torch's momentum 0.1: Keras's momentum read as torch's (or the reverse)
running_stats_wrong_momentum = _patched(
    update_running=lambda mean, var, mu, batch_var, m, new_weight, convention: update_running(
        mean, var, mu, batch_var, m, 1 - new_weight, convention
    ),
)
running_stats_wrong_momentum.__doc__ = "The running statistics weight the old value by the new batch's weight."


def dropout_at_inference(spec: Spec, params, X, y, dtype: str = "float64", mode: str = "train", **kwargs) -> Trace:
    """Dropout left on in inference mode: the inference pass drops (and scales) units with scratch's own mask.

    Only for nets without batch norm (which training mode would also change): the wrong pass is a
    training-mode pass with scratch's own masks, reported as the inference pass it claims to be.
    """
    if mode != "inference":
        return evaluate(spec, params, X, y, dtype, mode=mode, **kwargs)
    trace = evaluate(spec, params, X, y, dtype, mode="train")
    return dataclasses.replace(trace, mode="inference", h={}, masks={})


PLANTED = {
    "transposed_w": transposed_w,
    "missing_1_over_m": missing_one_over_m,
    "sum_instead_of_mean": sum_instead_of_mean,
    "sigmoid_for_its_derivative": sigmoid_for_its_derivative,
    "relu_mask_is_a": relu_mask_is_a,
    "relu_mask_z_ge_0": relu_mask_z_ge_0,
    "delta_from_updated_weights": delta_from_updated_weights,
    "dropped_bias_gradient": dropped_bias_gradient,
    "softmax_without_max_shift": softmax_without_max_shift,
    "wrong_leaky_slope": wrong_leaky_slope,
    "bn_backward_without_mean_terms": bn_backward_without_mean_terms,
    "dropout_without_scale": dropout_without_scale,
    "dropout_at_inference": dropout_at_inference,
    "running_stats_wrong_momentum": running_stats_wrong_momentum,
}


# A layout bug planted in a framework rather than in scratch, for the CLI tests: keras_impl
# loads W_l itself as the Dense kernel instead of W_l^T, and the CLI runs in a real subprocess.
_KERAS_KERNEL_NOT_TRANSPOSED = (
    "import sys, numpy as np, keras_impl.model as model\n"
    "def load(denses, params):\n"
    "    for l, d in enumerate(denses, start=1):\n"
    "        d.kernel.assign(np.asarray(params[f'W{l}']))\n"  # missing .T
    "        d.bias.assign(np.asarray(params[f'b{l}']))\n"
    "model.load_params = load\n"
    "from compare.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def run_cli_with_keras_kernel_not_transposed(*argv: str):
    """``python -m compare ARGV`` in a subprocess with the Keras kernel loaded untransposed; a CompletedProcess.

    The bug is planted in this process's keras_impl, which Keras on TensorFlow runs in; the other
    Keras backends run in workers of their own, so only scratch, torch and keras are asked for.
    """
    import subprocess
    import sys

    frameworks = ["--frameworks", "scratch,torch,keras"]
    return subprocess.run(
        [sys.executable, "-c", _KERAS_KERNEL_NOT_TRANSPOSED, *argv, *frameworks], capture_output=True, text=True, timeout=300
    )
