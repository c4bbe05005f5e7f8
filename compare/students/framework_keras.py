"""``check --framework keras``: the student's Keras 3 file, driven through Keras, inside the sandbox worker.

The worker (compare.students.worker) imports this module before the student's file. It
imports keras_impl, which sets only the environment variables the user has not set
(keras_impl.backend: ``KERAS_BACKEND`` defaults to TensorFlow; a user's ``KERAS_BACKEND``
wins) and keeps float64 float64 on every backend; the student's ``import keras`` then gets
that Keras. :func:`describe`, :func:`evaluate` and :func:`train` each build a fresh model
with the student's ``build_model()``:

- the layers are ``model.layers`` in order (nested models flattened); a ``Dense`` with an
  ``activation=`` is a linear layer followed by that activation;
- the case's canonical weights go into the ``Dense`` layers in that order with
  keras_impl.convert (``Dense.kernel`` is W_l transposed), unless ``build_model`` already put
  this case's weights in (then they are kept, and a kernel that is W_l itself is reported);
- forward is ``model(X)``, the loss ``loss_fn(y, output)`` (Keras's order: y_true, y_pred),
  the gradients the backend's autodiff of that loss (keras_impl.gradients: ``tf.GradientTape``,
  ``torch.autograd`` or ``jax.grad``) with respect to each kernel and bias;
- ``train`` calls ``make_optimizer()`` and ``train_step(model, loss_fn, optimizer, X, y)`` twice.

Exceptions of the student's forward pass, loss and train_step are returned as data
(compare.students.framework_hints names the classic ones); any other exception
propagates to the worker, which reports it with the student's file:line.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any

import keras_impl  # noqa: F401 - first: the environment and float64 fixes, before Keras is imported (keras_impl.backend)

# isort: split
import keras
import numpy as np

from compare.students.framework_driver import (
    OPTIONAL,
    defined,
    failed,
    missing_names,
    pack,
    recorded_warnings,
    unpack,
    weight_status,
)
from core.activations import ACTIVATIONS as RECORDS
from keras_impl import backend
from keras_impl.convert import load_params, read_grads, read_params, variables
from keras_impl.gradients import value_and_gradients

# keras.activations.relu, ...: a function named like the activation (one per core.activations record), and log_softmax
ACTIVATIONS = {name: name for name in [*RECORDS, "log_softmax"] if name != "linear"}
NOOP_LAYERS = ("InputLayer", "Flatten", "Identity")
# the optimizer settings Keras's update steps pass through ops.cast(value, variable.dtype) (keras/src/optimizers/*.py)
SETTINGS = ("learning_rate", "momentum", "nesterov", "rho", "beta_1", "beta_2", "epsilon", "initial_accumulator_value")


# ---------------------------------------------------------------------------------------------
# Reading the model


def _flat(model: Any) -> Iterator[Any]:
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _flat(layer)
        else:
            yield layer


def _activation_item(name: str, function: Any, layer_type: str) -> dict[str, Any] | None:
    """An activation function (``Dense(activation=...)`` or an ``Activation`` layer); None for linear."""
    function_name = getattr(function, "__name__", type(function).__name__)
    if function_name == "linear":
        return None
    item: dict[str, Any] = {"name": name, "type": layer_type}
    if function_name not in ACTIVATIONS:
        return {**item, "kind": "other", "type": f"{layer_type} ({function_name})"}
    item.update(kind="activation", activation=ACTIVATIONS[function_name])
    if function_name == "leaky_relu":  # the function's own default: keras.activations.leaky_relu(x, negative_slope=0.2)
        item["slope"] = float(inspect.signature(function).parameters["negative_slope"].default)
    return item


def _layer_items(layer: Any) -> list[dict[str, Any]]:
    """One layer as the architecture check reads it (compare.students.framework_check.match_architecture)."""
    kind = type(layer).__name__
    if isinstance(layer, keras.layers.Dense):
        linear = {"name": layer.name, "type": "Dense", "kind": "linear", "n_in": int(layer.kernel.shape[0]), "n_out": layer.units}
        activation = _activation_item(f"{layer.name} (activation=)", layer.activation, "Dense")
        return [{**linear, "bias": bool(layer.use_bias)}] + ([activation] if activation else [])
    if isinstance(layer, keras.layers.Activation):
        activation = _activation_item(layer.name, layer.activation, kind)
        return [activation] if activation else []
    if isinstance(layer, keras.layers.LeakyReLU):
        return [
            {
                "name": layer.name,
                "type": kind,
                "kind": "activation",
                "activation": "leaky_relu",
                "slope": float(layer.negative_slope),
            }
        ]
    if isinstance(layer, keras.layers.ReLU) and layer.max_value is None and float(layer.threshold) == 0:
        slope = float(layer.negative_slope)
        item = {"name": layer.name, "type": kind, "kind": "activation", "activation": "leaky_relu" if slope else "relu"}
        return [{**item, "slope": slope} if slope else item]
    if isinstance(layer, keras.layers.Softmax):
        axis = layer.axis if isinstance(layer.axis, int) else -1
        return [{"name": layer.name, "type": kind, "kind": "activation", "activation": "softmax", "dim": axis}]
    return [{"name": layer.name, "type": kind, "kind": "noop" if kind in NOOP_LAYERS else "other"}]


def _built(model: Any, n_inputs: int) -> Any:
    if not model.built:
        try:
            model.build((None, n_inputs))
        except Exception:  # noqa: BLE001 - a subclassed model: one call builds it
            model(np.zeros((1, n_inputs)))
    return model


def _build(module: Any, n_inputs: int) -> Any:
    model = module.build_model()
    if not isinstance(model, keras.Model):
        raise TypeError(f"build_model() returned {type(model).__name__}, not a keras.Model")
    return _built(model, n_inputs)


def _denses(model: Any) -> list[Any]:
    return [layer for layer in _flat(model) if isinstance(layer, keras.layers.Dense)]


def describe_loss(loss_fn: Any) -> dict[str, Any]:
    """The student's loss: its class (or function) name, module, reduction and ``from_logits``."""
    if isinstance(loss_fn, keras.losses.Loss):
        config = loss_fn.get_config()
        options = {k: config[k] for k in ("label_smoothing", "axis") if k in config}
        return {
            "type": type(loss_fn).__name__,
            "module": type(loss_fn).__module__,
            "reduction": config.get("reduction"),
            "from_logits": config.get("from_logits"),
            "options": options,
        }
    parameters = inspect.signature(loss_fn).parameters if callable(loss_fn) else {}
    default = parameters["from_logits"].default if "from_logits" in parameters else None
    name = getattr(loss_fn, "__name__", type(loss_fn).__name__)
    return {"type": name, "module": getattr(loss_fn, "__module__", "") or "", "from_logits": default}


def _dtypes(model: Any) -> list[str]:
    return sorted({str(v.dtype) for v in model.trainable_variables})


def describe(module: Any, roots: Sequence[str], n_inputs: int) -> dict[str, Any]:
    """The student's model (its layers in order), loss and optional functions, or the names it lacks."""
    missing = missing_names(module)
    if missing:
        return {"missing": missing, "defined": defined(module)}
    model = _build(module, n_inputs)
    return {
        "model": type(model).__name__,
        "items": [item for layer in _flat(model) for item in _layer_items(layer)],
        "param_dtypes": _dtypes(model),
        "loss": describe_loss(module.loss_fn),
        "has": {name: callable(getattr(module, name, None)) for name in OPTIONAL},
        "version": keras.__version__,
        "backend": backend.name(),
    }


# ---------------------------------------------------------------------------------------------
# Running it


def place_weights(denses: list[Any], params: dict[str, np.ndarray]) -> list[str]:
    """Load canonical W_l, b_l into ``denses[l-1]`` unless ``build_model`` already holds this case's; each layer's status."""
    initial = read_params(denses)  # keras_impl.convert: W_l = kernel^T
    statuses = []
    for l, dense in enumerate(denses, start=1):
        status = weight_status(initial, params, l)
        if status == "replaced":
            load_params([dense], {"W1": params[f"W{l}"], "b1": params[f"b{l}"]})  # this one layer, as layer 1 of one
        statuses.append(status)
    return statuses


def _prepared(module: Any, params: Any, X: Any, y: Any) -> tuple[Any, list[Any], list[str], Any, Any]:
    X_np = unpack(X)
    model = _build(module, X_np.shape[1])
    denses = _denses(model)
    statuses = place_weights(denses, unpack(params))
    return model, denses, statuses, keras.ops.convert_to_tensor(X_np), keras.ops.convert_to_tensor(unpack(y))


def evaluate(module: Any, roots: Sequence[str], params: Any, X: Any, y: Any) -> dict[str, Any]:
    """Forward, the student's ``loss_fn(y, output)`` and the backend's gradients on the case, data in its dtype."""
    model, denses, statuses, X_t, y_t = _prepared(module, params, X, y)
    caught: list[str] = []
    answer: dict[str, Any] = {"weights": statuses, "warnings": caught, "param_dtypes": _dtypes(model)}
    stage = ["forward"]

    def compute(taps: list[Any]) -> tuple[Any, Any]:
        stage[0] = "forward"
        output = model(X_t)
        stage[0] = "loss"
        return module.loss_fn(y_t, output), output

    with recorded_warnings(caught):
        try:
            loss, output, grads, _ = value_and_gradients(compute, variables(denses))
            stage[0] = "backward"
            canonical = read_grads(denses, grads)  # dW_l = dkernel^T
        except Exception as exc:  # noqa: BLE001 - the student's code: returned, framework_hints explains the classic ones
            return {**answer, "error": failed(stage[0], exc, roots)}
    numpy = keras.ops.convert_to_numpy
    output_np, loss_np = np.asarray(numpy(output)), np.asarray(numpy(loss))
    answer.update(output=pack(output_np), loss=float(loss_np), grads=pack(canonical))
    answer.update(output_dtype=str(output_np.dtype), loss_dtype=str(loss_np.dtype))
    return answer


def _cast(value: Any, dtype: str) -> float | None:
    """``value`` as Keras's update step uses it: ``ops.cast(value, variable.dtype)`` (through float32 on TensorFlow)."""
    try:
        return float(keras.ops.convert_to_numpy(keras.ops.cast(value, dtype)))
    except Exception:  # noqa: BLE001 - a schedule or another object: no single number
        return None


def describe_optimizer(optimizer: Any, dtype: str) -> dict[str, Any]:
    """The optimizer's class, its settings (the Python values) and each setting cast to the variables' dtype."""
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        return {"type": type(optimizer).__name__, "module": type(optimizer).__module__, "settings": {}, "effective": {}}
    config = optimizer.get_config()
    settings = {k: config[k] for k in SETTINGS if k in config and isinstance(config[k], (bool, int, float))}
    effective = {k: _cast(v, dtype) if not isinstance(v, bool) else v for k, v in settings.items()}
    effective["learning_rate"] = _cast(optimizer.learning_rate, dtype)  # a variable of its own dtype
    unsupported = {k: config[k] for k in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm") if config.get(k)}
    unsupported.update({k: config[k] for k in ("use_ema", "amsgrad", "centered") if config.get(k)})
    return {
        "type": type(optimizer).__name__,
        "module": type(optimizer).__module__,
        "settings": settings,
        "effective": effective,
        "unsupported": unsupported,
    }


def _number(value: Any) -> float | None:
    try:
        array = np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)
    except Exception:  # noqa: BLE001 - None or another object: no loss returned
        return None
    return float(array.reshape(-1)[0]) if array.size == 1 else None


def train(module: Any, roots: Sequence[str], params: Any, X: Any, y: Any, steps: int) -> dict[str, Any]:
    """``make_optimizer()``, then ``train_step(model, loss_fn, optimizer, X, y)`` ``steps`` times."""
    model, denses, statuses, X_t, y_t = _prepared(module, params, X, y)
    optimizer = module.make_optimizer()
    caught: list[str] = []
    history: list[dict[str, Any]] = []
    dtype = str(denses[0].kernel.dtype) if denses else "float32"
    answer: dict[str, Any] = {"weights": statuses, "warnings": caught}
    with recorded_warnings(caught):
        for _ in range(steps):
            try:
                returned = module.train_step(model, module.loss_fn, optimizer, X_t, y_t)
            except Exception as exc:  # noqa: BLE001 - the student's code
                return {
                    **answer,
                    "optimizer": describe_optimizer(optimizer, dtype),
                    "steps": history,
                    "error": failed("train_step", exc, roots),
                }
            history.append({"loss": _number(returned), "params": pack(read_params(denses))})
    return {**answer, "optimizer": describe_optimizer(optimizer, dtype), "steps": history}
