"""The lectures' optimizers as ``keras.optimizers`` classes, configured to scratch's maths.

Mapping from the rules of scratch.optimizers (keras/src/optimizers/{sgd,adagrad,rmsprop,adam}.py, Keras 3.15):

    sgd       SGD(eta)                                   theta -= eta g
    momentum  SGD(eta, momentum=mu)                      v = mu v - eta g; theta += v: scratch's form
    nesterov  SGD(eta, momentum=mu, nesterov=True)       v = mu v - eta g; theta += mu v - eta g: scratch's form
    adagrad   Adagrad(eta, initial_accumulator_value=r0, epsilon=0)
                                                         r += g^2; theta -= eta g / sqrt(r + eps)   eps INSIDE the root
    rmsprop   RMSprop(eta, rho=rho, epsilon=0)           r = rho r + (1 - rho) g^2; theta -= eta g / sqrt(r + eps)   inside
    adam      Adam(eta, beta_1, beta_2, epsilon=0)       alpha_t = eta sqrt(1 - b2^t) / (1 - b1^t);
                                                         theta -= alpha_t m / (sqrt(v) + eps)   eps BEFORE bias correction

For adagrad, rmsprop and adam only eps = 0 gives scratch's function exactly:
sqrt(r + eps) != sqrt(r) + eps, and Adam's eps equals scratch's eps * sqrt(1 - b2^t),
which changes every step (Kingma & Ba section 2 call this variant eps-hat).
core.optimizers.matched() uses eps = 0;
an ``epsilon`` > 0 is passed through unchanged, and the trajectories part (measured in docs/training.md).

The learning rate is passed as a callable returning a float64 tensor. A float
``learning_rate`` becomes a ``floatx()`` (float32) variable (base_optimizer.py),
and even a callable returning a Python float is turned into a float32 tensor when
the TensorFlow backend hands it to ``distribution.extended.update``
(keras/src/backend/tensorflow/optimizer.py). Either way eta = 0.1 would be
0.10000000149 in a float64 model: 1.5e-8 relative off on every step (measured).
``update_step`` casts the float64 value to the variable's dtype.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import keras

from core.errors import InputError, lookup
from core.optimizers import Hyperparameters, check_name

LearningRate = Callable[[], Any]  # a zero-argument callable returning a float64 tensor (:func:`exact`)
SETTINGS = ("learning_rate", "momentum", "nesterov", "rho", "beta_1", "beta_2", "epsilon", "initial_accumulator_value")
OVERRIDES = {"learning_rate": "learning_rate", "momentum": "momentum"}  # what own_defaults lets the caller set: ours -> Keras's

# name -> keras.optimizers configured to scratch's rule (the mapping in the module docstring)
MATCHED: dict[str, Callable[[Hyperparameters, LearningRate], keras.optimizers.Optimizer]] = {
    "sgd": lambda h, eta: keras.optimizers.SGD(learning_rate=eta),
    "momentum": lambda h, eta: keras.optimizers.SGD(learning_rate=eta, momentum=h.momentum),
    "nesterov": lambda h, eta: keras.optimizers.SGD(learning_rate=eta, momentum=h.momentum, nesterov=True),
    "adagrad": lambda h, eta: keras.optimizers.Adagrad(
        learning_rate=eta, initial_accumulator_value=h.initial_accumulator, epsilon=h.epsilon
    ),
    "rmsprop": lambda h, eta: keras.optimizers.RMSprop(learning_rate=eta, rho=h.rho, epsilon=h.epsilon),
    "adam": lambda h, eta: keras.optimizers.Adam(learning_rate=eta, beta_1=h.beta_1, beta_2=h.beta_2, epsilon=h.epsilon),
}

# name -> keras.optimizers with Keras's own defaults; momentum and nesterov get mu (Keras's default momentum is 0)
OWN_DEFAULTS: dict[str, Callable[[dict[str, LearningRate], float], keras.optimizers.Optimizer]] = {
    "sgd": lambda lr, mu: keras.optimizers.SGD(**lr),
    "momentum": lambda lr, mu: keras.optimizers.SGD(momentum=mu, **lr),
    "nesterov": lambda lr, mu: keras.optimizers.SGD(momentum=mu, nesterov=True, **lr),
    "adagrad": lambda lr, mu: keras.optimizers.Adagrad(**lr),
    "rmsprop": lambda lr, mu: keras.optimizers.RMSprop(**lr),
    "adam": lambda lr, mu: keras.optimizers.Adam(**lr),
}


def make_optimizer(name: str, hyper: Hyperparameters | Mapping[str, float], params: Sequence[Any]) -> keras.optimizers.Optimizer:
    """A built ``keras.optimizers`` optimizer for ``name`` over the variables ``params``.

    ``hyper``: :class:`~core.optimizers.Hyperparameters` configure Keras to scratch's maths
    (the mapping in the module docstring); a mapping instead asks for Keras's own
    defaults with only those values set (:func:`own_defaults`).

    Raises:
        InputError: for an unknown name or override.
    """
    check_name(name)
    if not isinstance(hyper, Hyperparameters):
        return own_defaults(name, hyper, params)
    native = lookup(MATCHED, name, "optimizer")(hyper, exact(hyper.learning_rate))
    native.build(list(params))
    return native


def own_defaults(name: str, overrides: Mapping[str, float], params: Sequence[Any]) -> keras.optimizers.Optimizer:
    """Keras's built optimizer for ``name`` with Keras's own default hyperparameters, except ``overrides``.

    ``overrides`` may set ``learning_rate`` and ``momentum`` (our names; :data:`OVERRIDES`).
    momentum and nesterov get mu = ``overrides["momentum"]``, else the textbook
    ``Hyperparameters.momentum`` (0.9): Keras's default momentum is 0, which is no momentum at all.
    Keras 3.15's defaults (keras/src/optimizers/*.py): SGD learning_rate 0.01;
    Adagrad 0.001, initial_accumulator_value 0.1, epsilon 1e-7; RMSprop 0.001, rho 0.9,
    epsilon 1e-7; Adam 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7. ``TrainResult.settings``
    reports what was used.

    Raises:
        InputError: for an unknown name or override.
    """
    check_name(name)
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise InputError(f"overrides: expected keys among {', '.join(OVERRIDES)}, got {', '.join(map(repr, unknown))}")
    lr = {"learning_rate": exact(overrides["learning_rate"])} if "learning_rate" in overrides else {}
    mu = overrides.get("momentum", Hyperparameters.momentum)
    native = lookup(OWN_DEFAULTS, name, "optimizer")(lr, mu)
    native.build(list(params))
    return native


def exact(learning_rate: float) -> LearningRate:
    """eta as a zero-argument callable returning a float64 tensor (no float32 detour, see the module docstring)."""
    value = keras.ops.convert_to_tensor(float(learning_rate), dtype="float64")
    return lambda: value


def settings(optimizer: keras.optimizers.Optimizer) -> dict[str, object]:
    """The hyperparameters Keras holds, for reports (the learning rate as the value it will use)."""
    out: dict[str, object] = {}
    for key in SETTINGS:
        if hasattr(optimizer, key):
            value = getattr(optimizer, key)
            out[key] = value if isinstance(value, (bool, int, float)) else float(keras.ops.convert_to_numpy(value))
    return out
