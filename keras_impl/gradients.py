"""The backend-specific part: gradients of a scalar, and one training step, each written once per Keras backend.

Every Keras backend differentiates in its own way (keras/src/backend/*/trainer.py does the same):

- TensorFlow: ``tf.GradientTape``.
- torch: ``torch.autograd.grad`` on each variable's ``.value`` (a ``torch.nn.Parameter``).
- JAX: no tape; ``jax.value_and_grad`` over a stateless call, the variables' values passed
  in through ``keras.StatelessScope(state_mapping=...)``, compiled with ``jax.jit``.

dL/dz_l, which no framework keeps, comes from zero "taps": ``compute(taps)`` adds
``taps[l - 1]`` (zeros) to each z_l, and the gradient with respect to a tap is dL/dz_l.
Adding zero changes no number. Nothing else in keras_impl or compare branches on the backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras

from core.errors import lookup
from keras_impl import backend

Compute = Callable[[list[Any]], tuple[Any, Any]]  # compute(taps) -> (loss, aux): aux is kept, not differentiated
LossFn = Callable[[Any, Any], tuple[Any, Any]]  # loss_fn(X, y) -> (loss + penalty, loss): what one step minimises
Gradients = tuple[Any, Any, list[Any], list[Any]]


def _tensorflow(compute: Compute, variables: Sequence[Any], taps: list[Any]) -> Gradients:
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(taps)
        loss, aux = compute(taps)
    variable_grads, tap_grads = tape.gradient(loss, [list(variables), taps])
    return loss, aux, list(variable_grads), list(tap_grads)


def _torch(compute: Compute, variables: Sequence[Any], taps: list[Any]) -> Gradients:
    import torch

    taps = [tap.requires_grad_(True) for tap in taps]
    with torch.enable_grad():
        loss, aux = compute(taps)
        inputs = [variable.value for variable in variables] + taps
        grads = list(torch.autograd.grad(loss, inputs, allow_unused=True))
    detached = keras.tree.map_structure(lambda x: x.detach() if isinstance(x, torch.Tensor) else x, aux)
    return loss.detach(), detached, grads[: len(variables)], grads[len(variables) :]


def _jax(compute: Compute, variables: Sequence[Any], taps: list[Any]) -> Gradients:
    import jax

    variables = list(variables)

    def pure(values: list[Any], taps: list[Any]) -> tuple[Any, Any]:
        with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))):
            return compute(taps)

    values = [variable.value for variable in variables]
    # compiled as one graph: eager JAX compiles every primitive on its own, ~60 XLA compiles per pass
    value_and_grad = jax.jit(jax.value_and_grad(pure, argnums=(0, 1), has_aux=True))
    (loss, aux), (variable_grads, tap_grads) = value_and_grad(values, taps)
    return loss, aux, list(variable_grads), list(tap_grads)


GRADIENTS: dict[str, Callable[[Compute, Sequence[Any], list[Any]], Gradients]] = {
    "tensorflow": _tensorflow,
    "torch": _torch,
    "jax": _jax,
}


def value_and_gradients(
    compute: Compute, variables: Sequence[Any], tap_shapes: Sequence[tuple[int, ...]] = (), dtype: str = "float64"
) -> Gradients:
    """Run ``compute(taps)`` -> ``(loss, aux)`` once, eagerly, under this backend's autodiff.

    Args:
        compute: adds ``taps[i]`` to the i-th tensor whose gradient it wants (z_l) and returns the
            scalar loss and ``aux``, any structure of tensors to keep (the forward values).
        variables: the Keras variables to differentiate with respect to (all that ``compute`` reads on JAX).
        tap_shapes: one shape per tap (``(m, n_l)`` for z_l).
        dtype: the taps' dtype.

    Returns:
        ``(loss, aux, variable_grads, tap_grads)``: dloss/dvariable per variable and dloss/dtap per tap.

    Raises:
        InputError: a backend with no gradient function here.
    """
    gradients = lookup(GRADIENTS, backend.name(), "Keras backend")
    return gradients(compute, variables, [keras.ops.zeros(shape, dtype=dtype) for shape in tap_shapes])


def _eager_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any) -> Callable[[Any, Any], Any]:
    """One eager update per call: the backend's gradients, then ``optimizer.apply_gradients`` (TensorFlow, torch)."""

    def step(X: Any, y: Any) -> Any:
        def compute(taps: list[Any]) -> tuple[Any, Any]:
            return loss_fn(X, y)

        _, data_loss, grads, _ = value_and_gradients(compute, trainable)
        optimizer.apply_gradients(zip(grads, trainable, strict=True))
        return data_loss

    return step


def _jax_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any) -> Callable[[Any, Any], Any]:
    """One update per call, compiled with ``jax.jit`` over the stateless step (eager JAX retraces every call).

    The step maps the trainable variables' values in (``StatelessScope``), takes ``jax.value_and_grad``
    and ``optimizer.stateless_apply``, and the new values are assigned back after each call, so the
    variables always hold the current parameters.
    """
    import jax

    trainable = list(trainable)
    optimizer_variables = list(optimizer.variables)

    def loss_of(values: list[Any], X: Any, y: Any) -> tuple[Any, Any]:
        with keras.StatelessScope(state_mapping=list(zip(trainable, values, strict=True))):
            return loss_fn(X, y)

    @jax.jit
    def update(values: list[Any], optimizer_values: list[Any], X: Any, y: Any) -> tuple[list[Any], list[Any], Any]:
        (_, data_loss), grads = jax.value_and_grad(loss_of, has_aux=True)(values, X, y)
        values, optimizer_values = optimizer.stateless_apply(optimizer_values, grads, values)
        return values, optimizer_values, data_loss

    def step(X: Any, y: Any) -> Any:
        values, optimizer_values, data_loss = update([v.value for v in trainable], [v.value for v in optimizer_variables], X, y)
        for variable, value in zip(trainable + optimizer_variables, values + optimizer_values, strict=True):
            variable.assign(value)
        return data_loss

    return step


def _tensorflow_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any) -> Callable[[Any, Any], Any]:
    """The eager step compiled with ``tf.function`` (graph mode, as ``fit`` runs on CPU; ``jit_compile=False``).

    Bitwise equal to the eager step, Grappler's rewrites being off (keras_impl.backend.fix_graphs).
    """
    import tensorflow as tf

    return tf.function(_eager_step(loss_fn, trainable, optimizer), jit_compile=False, reduce_retracing=True)


TRAIN_STEPS: dict[str, Callable[[LossFn, Sequence[Any], Any], Callable[[Any, Any], Any]]] = {
    "tensorflow": _tensorflow_step,
    "torch": _eager_step,
    "jax": _jax_step,
}


def train_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any) -> Callable[[Any, Any], Any]:
    """``step(X, y)``: one optimizer update of ``trainable`` on a batch; returns the loss without the penalty.

    ``loss_fn(X, y)`` returns ``(loss + penalty, loss)``; ``optimizer`` is built for ``trainable``.

    Raises:
        InputError: a backend with no training step here.
    """
    return lookup(TRAIN_STEPS, backend.name(), "Keras backend")(loss_fn, trainable, optimizer)
