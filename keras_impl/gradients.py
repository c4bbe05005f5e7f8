"""The backend-specific part: gradients of a scalar, and one training step, each written once per Keras backend.

Every Keras backend differentiates in its own way (keras/src/backend/*/trainer.py does the same):

- TensorFlow: ``tf.GradientTape``.
- torch: ``torch.autograd.grad`` on each variable's ``.value`` (a ``torch.nn.Parameter``).
- JAX: no tape; ``jax.value_and_grad`` over a stateless call, the variables' values passed
  in through ``keras.StatelessScope(state_mapping=...)``, compiled with ``jax.jit``.

dL/dz_l, which no framework keeps, comes from zero "taps": ``compute(taps)`` adds
``taps[l - 1]`` (zeros) to each z_l, and the gradient with respect to a tap is dL/dz_l.
Adding zero changes no number. Nothing else in keras_impl or compare branches on the backend.

Layers with state (batch norm's moving statistics, dropout's seed generator) update it when
called in training mode: in place on TensorFlow and torch; on JAX, inside the stateless call,
so their values are mapped in and the new ones assigned back after it (``state``). A dropout
layer's mask is the derivative of the sum of its output with respect to its input, taken in
the same call (:func:`call_and_derivative`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from core.errors import lookup
from keras_impl import backend

Compute = Callable[[list[Any]], tuple[Any, Any]]  # compute(taps) -> (loss, aux): aux is kept, not differentiated
LossFn = Callable[[Any, Any], tuple[Any, Any]]  # loss_fn(X, y) -> (loss + penalty, aux): what one step minimises
Gradients = tuple[Any, Any, list[Any], list[Any]]
Step = Callable[[Any, Any], Any]  # step(X, y) -> aux: one training step


def _tensorflow(compute: Compute, variables: Sequence[Any], taps: list[Any]) -> Gradients:
    import tensorflow as tf

    taps = [tf.convert_to_tensor(tap) for tap in taps]
    with tf.GradientTape() as tape:
        tape.watch(taps)
        loss, aux = compute(taps)
    variable_grads, tap_grads = tape.gradient(loss, [list(variables), taps])
    return loss, aux, list(variable_grads), list(tap_grads)


def _torch(compute: Compute, variables: Sequence[Any], taps: list[Any]) -> Gradients:
    import torch

    taps = [keras.ops.convert_to_tensor(tap).requires_grad_(True) for tap in taps]
    with torch.enable_grad():
        loss, aux = compute(taps)
        inputs = [variable.value for variable in variables] + taps
        grads = list(torch.autograd.grad(loss, inputs, allow_unused=True))
    detached = keras.tree.map_structure(lambda x: x.detach() if isinstance(x, torch.Tensor) else x, aux)
    return loss.detach(), detached, grads[: len(variables)], grads[len(variables) :]


def _jax(compute: Compute, variables: Sequence[Any], taps: list[Any], state: Sequence[Any] = ()) -> Gradients:
    import jax

    variables, state = list(variables), list(state)

    def pure(values: list[Any], taps: list[Any], state_values: list[Any]) -> tuple[Any, Any]:
        mapping = list(zip(variables, values, strict=True)) + list(zip(state, state_values, strict=True))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            loss, aux = compute(taps)
        return loss, (aux, [scope.get_current_value(variable) for variable in state])

    values = [variable.value for variable in variables]
    # compiled as one graph: eager JAX compiles every primitive on its own, ~60 XLA compiles per pass
    value_and_grad = jax.jit(jax.value_and_grad(pure, argnums=(0, 1), has_aux=True))
    (loss, (aux, new_state)), (variable_grads, tap_grads) = value_and_grad(values, taps, [v.value for v in state])
    for variable, value in zip(state, new_state, strict=True):
        variable.assign(value)
    return loss, aux, list(variable_grads), list(tap_grads)


def _eager(
    gradients: Callable[[Compute, Sequence[Any], list[Any]], Gradients],
) -> Callable[[Compute, Sequence[Any], list[Any], Sequence[Any]], Gradients]:
    """An eager backend's gradients: its layers update their state in place, so ``state`` needs nothing."""

    def eager(compute: Compute, variables: Sequence[Any], taps: list[Any], state: Sequence[Any] = ()) -> Gradients:
        return gradients(compute, variables, taps)

    return eager


GRADIENTS: dict[str, Callable[[Compute, Sequence[Any], list[Any], Sequence[Any]], Gradients]] = {
    "tensorflow": _eager(_tensorflow),
    "torch": _eager(_torch),
    "jax": _jax,
}


def value_and_gradients(
    compute: Compute,
    variables: Sequence[Any],
    tap_shapes: Sequence[tuple[int, ...]] = (),
    dtype: str = "float64",
    state: Sequence[Any] = (),
) -> Gradients:
    """Run ``compute(taps)`` -> ``(loss, aux)`` once, eagerly, under this backend's autodiff.

    Args:
        compute: adds ``taps[i]`` to the i-th tensor whose gradient it wants (z_l) and returns the
            scalar loss and ``aux``, any structure of tensors to keep (the forward values).
        variables: the Keras variables to differentiate with respect to (all that ``compute`` reads on JAX).
        tap_shapes: one shape per tap (``(m, n_l)`` for z_l).
        dtype: the taps' dtype.
        state: the non-trained variables ``compute`` may update (moving statistics, seed generators);
            afterwards they hold their new values on every backend.

    Returns:
        ``(loss, aux, variable_grads, tap_grads)``: dloss/dvariable per variable and dloss/dtap per tap.

    Raises:
        InputError: a backend with no gradient function here.
    """
    gradients = lookup(GRADIENTS, backend.name(), "Keras backend")
    # NumPy zeros, each backend's function makes the tensors it needs (on JAX, jit takes NumPy as is;
    # an eager keras.ops.zeros there is one compiled call per shape)
    return gradients(compute, variables, [np.zeros(shape, dtype=dtype) for shape in tap_shapes], state)


def _tf_derivative(function: Callable[[Any], Any], x: Any) -> tuple[Any, Any]:
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        out = function(x)
    return out, tape.gradient(out, x)


def _torch_derivative(function: Callable[[Any], Any], x: Any) -> tuple[Any, Any]:
    import torch

    out = function(x)
    (derivative,) = torch.autograd.grad(out.sum(), x, retain_graph=True)
    return out, derivative


def _jax_derivative(function: Callable[[Any], Any], x: Any) -> tuple[Any, Any]:
    import jax
    import jax.numpy as jnp

    out, pullback = jax.vjp(function, x)
    (derivative,) = pullback(jnp.ones_like(out))
    return out, derivative


DERIVATIVES: dict[str, Callable[[Callable[[Any], Any], Any], tuple[Any, Any]]] = {
    "tensorflow": _tf_derivative,
    "torch": _torch_derivative,
    "jax": _jax_derivative,
}


def call_and_derivative(function: Callable[[Any], Any], x: Any) -> tuple[Any, Any]:
    """``(function(x), d sum(function(x)) / dx)``: one call, and its elementwise derivative from that same call.

    For a dropout layer this is ``mask / (1 - p)``: nonzero exactly where a unit was kept,
    whatever x is there. It runs inside :func:`value_and_gradients` or a training step, where
    x depends on the variables (torch needs x to require grad).

    Raises:
        InputError: a backend with no derivative function here.
    """
    return lookup(DERIVATIVES, backend.name(), "Keras backend")(function, x)


def _eager_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any, state: Sequence[Any] = ()) -> Step:
    """One eager update per call: the backend's gradients, then ``optimizer.apply_gradients`` (TensorFlow, torch)."""

    def step(X: Any, y: Any) -> Any:
        def compute(taps: list[Any]) -> tuple[Any, Any]:
            return loss_fn(X, y)

        _, aux, grads, _ = value_and_gradients(compute, trainable, state=state)
        optimizer.apply_gradients(zip(grads, trainable, strict=True))
        return aux

    return step


def _jax_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any, state: Sequence[Any] = ()) -> Step:
    """One update per call, compiled with ``jax.jit`` over the stateless step (eager JAX retraces every call).

    The step maps the trainable variables' values in (``StatelessScope``), and those of ``state``,
    takes ``jax.value_and_grad`` and ``optimizer.stateless_apply``, and the new values are assigned
    back after each call, so the variables always hold the current parameters and state.
    """
    import jax

    trainable, state = list(trainable), list(state)
    optimizer_variables = list(optimizer.variables)

    def loss_of(values: list[Any], state_values: list[Any], X: Any, y: Any) -> tuple[Any, Any]:
        mapping = list(zip(trainable, values, strict=True)) + list(zip(state, state_values, strict=True))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            total, aux = loss_fn(X, y)
        return total, (aux, [scope.get_current_value(variable) for variable in state])

    @jax.jit
    def update(
        values: list[Any], optimizer_values: list[Any], state_values: list[Any], X: Any, y: Any
    ) -> tuple[list[Any], list[Any], list[Any], Any]:
        (_, (aux, state_values)), grads = jax.value_and_grad(loss_of, has_aux=True)(values, state_values, X, y)
        values, optimizer_values = optimizer.stateless_apply(optimizer_values, grads, values)
        return values, optimizer_values, state_values, aux

    def step(X: Any, y: Any) -> Any:
        values, optimizer_values, state_values, aux = update(
            [v.value for v in trainable], [v.value for v in optimizer_variables], [v.value for v in state], X, y
        )
        everything = trainable + optimizer_variables + state
        for variable, value in zip(everything, values + optimizer_values + state_values, strict=True):
            variable.assign(value)
        return aux

    return step


def _tensorflow_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any, state: Sequence[Any] = ()) -> Step:
    """The eager step compiled with ``tf.function`` (graph mode, as ``fit`` runs on CPU; ``jit_compile=False``).

    Bitwise equal to the eager step, Grappler's rewrites being off (keras_impl.backend.fix_graphs).
    """
    import tensorflow as tf

    compiled = tf.function(_eager_step(loss_fn, trainable, optimizer, state), jit_compile=False)
    concrete: dict[tuple[Any, ...], Any] = {}  # one graph per batch shape (a smaller last batch has its own)

    def step(X: Any, y: Any) -> Any:
        # the concrete function of these shapes, called directly: tf.function's own dispatch
        # (signature binding, cache lookup) costs more than the step on a small net
        key = (tuple(X.shape), X.dtype, tuple(y.shape), y.dtype)
        if key not in concrete:
            concrete[key] = compiled.get_concrete_function(X, y)
        return concrete[key](X, y)

    return step


TRAIN_STEPS: dict[str, Callable[[LossFn, Sequence[Any], Any, Sequence[Any]], Step]] = {
    "tensorflow": _tensorflow_step,
    "torch": _eager_step,
    "jax": _jax_step,
}


def train_step(loss_fn: LossFn, trainable: Sequence[Any], optimizer: Any, state: Sequence[Any] = ()) -> Step:
    """``step(X, y)``: one optimizer update of ``trainable`` on a batch; returns ``loss_fn``'s ``aux``.

    ``loss_fn(X, y)`` returns ``(loss + penalty, aux)`` (aux: the loss without the penalty, and
    whatever else a step reports); ``optimizer`` is built for ``trainable``; ``state`` are the
    non-trained variables the call updates (see :func:`value_and_gradients`).

    Raises:
        InputError: a backend with no training step here.
    """
    return lookup(TRAIN_STEPS, backend.name(), "Keras backend")(loss_fn, trainable, optimizer, state)
