"""One training step (forward + loss + backward + an optimizer update, SGD unless asked) per implementation, for the benchmark.

Every builder takes the same canonical ``params`` (``W_l`` ``(n_l, n_{l-1})``, ``b_l``
``(n_l,)``), the prepared batch ``X`` ``(m, n_0)`` and targets ``y`` (see
:func:`core.validate.prepare`), and returns a :class:`Step` whose ``run()``
does theta <- theta - learning_rate * dL/dtheta once (or another optimizer's update,
``optimizer``, with :func:`core.optimizers.matched` hyperparameters), in place of the previous
parameters. Frameworks are imported inside the builders only.

- ``scratch``: :func:`scratch.model.forward`, ``loss``, ``backward`` and the sgd
  rule of :mod:`scratch.optimizers` called directly -- no :func:`scratch.model.evaluate`,
  so input validation is done once, before timing, not in every step.
- ``torch``: eager ``torch_impl.model.MLP``, its native loss (``torch_impl.losses``),
  ``loss.backward()``, ``torch.optim.SGD`` (``torch_impl.optimizers.make_optimizer``).
- ``keras-function``: ``keras_impl.model.MLP``, its native loss and
  ``keras_impl.gradients.value_and_gradients`` (GradientTape) plus
  ``keras.optimizers.SGD.apply`` (``keras_impl.optimizers.make_optimizer``: float64
  learning rate), all in one ``tf.function`` (``jit_compile=False``,
  the same graph mode Keras's own ``fit`` uses on CPU).
- ``keras-jax-jit``, ``keras-torch-eager``: keras_impl.train's own step on that backend
  (keras_impl.gradients.train_step: ``jax.jit`` over the stateless step on JAX, eager on torch).
- ``keras-train_on_batch``: the same ``Dense`` and activation layers in a
  ``keras.Sequential``, compiled with ``keras_impl.losses.compile_loss`` (the same
  native loss and weight as the model's) and ``SGD``;
  ``model.train_on_batch(X, y)``, Keras's own compiled train step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from compare import registry
from core.spec import Spec


@dataclass
class Step:
    """``run()`` one training step; ``sync()`` waits for queued work; ``params()`` reads canonical weights."""

    run: Callable[[], object]
    sync: Callable[[], object]
    params: Callable[[], dict[str, np.ndarray]]


def scratch_step(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    dtype: str,
    optimizer: str = "sgd",
) -> Step:
    """scratch: forward, loss, backward and the optimizer's rule (scratch.optimizers), called directly."""
    from core.optimizers import matched
    from scratch.model import backward, forward, loss
    from scratch.optimizers import make_optimizer

    state = {"params": {k: np.array(v, dtype=dtype) for k, v in params.items()}}
    rule = make_optimizer(optimizer, matched(optimizer, learning_rate), state["params"])

    def run() -> float:
        current = state["params"]
        z, a = forward(spec, current, X)
        value = loss(spec, z, a, y)
        _, grads = backward(spec, current, z, a, y)
        state["params"] = rule.step(current, grads)
        return value

    return Step(run, lambda: None, lambda: {k: v.copy() for k, v in state["params"].items()})


def torch_step(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    dtype: str,
    optimizer: str = "sgd",
) -> Step:
    """torch eager: zero_grad, the MLP, its native loss, backward, the torch.optim optimizer's step."""
    import torch

    from core.optimizers import matched
    from torch_impl.convert import read_params
    from torch_impl.model import build_model, to_tensors
    from torch_impl.optimizers import make_optimizer

    model = build_model(spec, params, dtype)
    native = make_optimizer(optimizer, matched(optimizer, learning_rate), model.parameters())  # torch.optim.SGD, ...
    X_t, y_t = to_tensors(X, y)

    def run() -> torch.Tensor:
        native.zero_grad(set_to_none=True)
        z_L, a_L = model(X_t)
        value = model.loss(z_L, a_L, y_t)
        value.backward()
        native.step()
        return value

    return Step(run, lambda: None, lambda: read_params(model.linear_layers))


def keras_function_step(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    dtype: str,
    optimizer: str = "sgd",
) -> Step:
    """Keras in one tf.function: the MLP, its native loss, GradientTape, the keras.optimizers optimizer's apply.

    Each call goes to the concrete function of the batch's shapes, as ``train``'s own step does
    (keras_impl.gradients), not through ``tf.function``'s Python dispatch.
    """
    import tensorflow as tf

    from core.optimizers import matched
    from keras_impl.convert import read_params
    from keras_impl.gradients import value_and_gradients
    from keras_impl.model import build_model  # first: keras_impl sets TF's environment before TF loads
    from keras_impl.optimizers import make_optimizer

    tf.get_logger().setLevel("ERROR")  # one tf.function per net and batch: retracing warnings are expected
    model = build_model(spec, params, dtype)
    variables = model.variables
    # keras.optimizers.SGD (...) with a float64 learning rate (a plain float would become a float32 variable)
    native = make_optimizer(optimizer, matched(optimizer, learning_rate), variables)
    X_t = tf.constant(X)
    y_t = tf.constant(y)

    @tf.function(jit_compile=False)
    def train_step(X, y):
        def compute(taps):
            z_L, a_L = model(X)
            return model.loss(z_L, a_L, y), None

        value, _, grads, _ = value_and_gradients(compute, variables)
        native.apply(grads, variables)
        return value

    # called through its concrete function, as train calls its step (keras_impl.gradients): tf.function's
    # own dispatch (binding the arguments, the cache lookup) is not part of the step
    concrete = train_step.get_concrete_function(X_t, y_t)
    last: dict[str, Any] = {}

    def run():
        last["loss"] = concrete(X_t, y_t)
        return last["loss"]

    return Step(run, lambda: last and last["loss"].numpy(), lambda: read_params(model.denses))


def keras_train_on_batch_step(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    dtype: str,
    optimizer: str = "sgd",
) -> Step:
    """Keras: a compiled keras.Sequential of the same layers, model.train_on_batch."""
    from core.optimizers import matched
    from keras_impl.convert import read_params
    from keras_impl.fit import compiled_model
    from keras_impl.model import build_model  # first: keras_impl sets TF's environment before TF loads
    from keras_impl.optimizers import make_optimizer

    mlp = build_model(spec, params, dtype)
    native = make_optimizer(optimizer, matched(optimizer, learning_rate), mlp.variables)  # as keras-function
    model = compiled_model(mlp, spec, dtype, native)  # the same Sequential keras-fit trains

    return Step(lambda: model.train_on_batch(X, y), lambda: None, lambda: read_params(mlp.denses))


def keras_step(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    dtype: str,
    optimizer: str = "sgd",
) -> Step:
    """Keras on this process's backend: keras_impl.train's own step (``jax.jit`` on JAX, eager on torch)."""
    import keras

    from core.optimizers import matched
    from keras_impl.convert import read_params
    from keras_impl.gradients import train_step
    from keras_impl.model import build_model
    from keras_impl.optimizers import make_optimizer

    model = build_model(spec, params, dtype)
    native = make_optimizer(optimizer, matched(optimizer, learning_rate), model.variables)

    def loss_fn(X_b: Any, y_b: Any) -> tuple[Any, Any]:
        z_L, a_L = model(X_b)
        loss = model.loss(z_L, a_L, y_b)
        return loss, loss

    step = train_step(loss_fn, model.variables, native)
    X_t, y_t = keras.ops.convert_to_tensor(X, dtype=dtype), keras.ops.convert_to_tensor(y)
    last: dict[str, Any] = {}

    def run() -> Any:
        last["loss"] = step(X_t, y_t)
        return last["loss"]

    return Step(run, lambda: last and keras.ops.convert_to_numpy(last["loss"]), lambda: read_params(model.denses))


def make_step(
    implementation: str,
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    dtype: str,
    optimizer: str = "sgd",
) -> Step:
    """The :class:`Step` of bench step ``implementation`` (registry.bench_steps()), inputs already prepared for ``dtype``.

    ``optimizer``: its update, with :func:`core.optimizers.matched` hyperparameters (default: plain SGD).
    """
    step: Step = registry.build_bench_step(implementation)(spec, params, X, y, learning_rate, dtype, optimizer)
    return step
