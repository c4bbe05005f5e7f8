"""Why a student's PyTorch or Keras code gives other numbers than the lecture's: the classic framework mistakes.

Each hint is read from what the student's model, loss and optimizer are (what
compare.students.framework_torch and framework_keras report), proven by the numbers
where a number can prove it, and names the lecture equation (by the lecture's title) or
the framework documentation it follows:

- the output and the loss disagree about logits: a softmax or sigmoid layer before a loss
  that applies its own (double softmax / sigmoid, predicted with scratch's losses on a_L),
  or logits into a loss that expects probabilities;
- a reduction: ``MSELoss()`` (mean over all m x n_L elements) or ``reduction="sum"`` where
  the lecture's E = 1/2 sum (t - o)^2 was meant, or any loss a constant times the lecture's,
  with every gradient the same constant times;
- targets of the wrong form: Keras ``CategoricalCrossentropy`` given integer labels or
  ``SparseCategoricalCrossentropy`` given one-hot rows; torch targets of the wrong dtype or
  shape (the framework's own error or broadcasting warning, quoted);
- weights the student's ``build_model`` loaded with the wrong layout;
- a leaky ReLU with a framework's default slope; a float32 model on float64 data;
- ``train_step`` without ``zero_grad()`` (step 2 used step 1's gradient too), ``backward()``
  twice (every gradient doubled), no update at all; and a framework optimizer whose own
  rule differs from the lecture's (Keras's Adam, Adagrad and RMSprop put epsilon elsewhere,
  Keras's Adagrad starts its accumulator at 0.1), shown with the numbers.

The training hypotheses are replayed with scratch's own pieces: the gradients from
``scratch.model.evaluate`` (through the registry's reference) and the lecture's update
rules from ``scratch.optimizers.RULES``; a framework's own rule is written beside it here
with the source line it follows, as a hypothesis, never as the expected value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from compare import registry
from compare.parity.harness import compare_arrays, evaluate_with
from compare.students.hints import Hint
from core.activations import LEAKY_SLOPE
from core.errors import InputError
from core.losses import loss as loss_record
from core.optimizers import Hyperparameters
from core.spec import Spec
from scratch.losses import LOSS
from scratch.optimizers import RULES, Rule

# ---------------------------------------------------------------------------------------------
# What each framework loss takes


@dataclass(frozen=True)
class LossKind:
    """What a framework loss computes and what it must be fed.

    Attributes:
        family: the spec loss it computes when fed right: ``"cce"``, ``"bce"`` or ``"mse"``.
        takes: ``"logits"``, ``"probabilities"``, ``"log_probabilities"`` or ``"values"``.
        targets: the target forms it accepts: ``"labels"`` (int64 class labels), ``"onehot"``, ``"floats"``.
        doc: the framework documentation of that, quoted.
    """

    family: str
    takes: str
    targets: tuple[str, ...]
    doc: str


_CE_DOC = "torch.nn.CrossEntropyLoss: 'The input is expected to contain the unnormalized logits for each class'"
_BCE_LOGITS_DOC = "torch.nn.BCEWithLogitsLoss: 'combines a Sigmoid layer and the BCELoss in one single class'"
# torch/nn/modules/loss.py:634-635 (BCELoss); its 'between 0 and 1' (line 654) is about the targets
_BCE_DOC = "torch.nn.BCELoss: 'the Binary Cross Entropy between the target and the input probabilities'"
_NLL_DOC = "torch.nn.NLLLoss: 'The input given through a forward call is expected to contain log-probabilities of each class'"
_MSE_DOC = "torch.nn.MSELoss: reduction='mean' divides the sum by the number of elements, m x n_L"

TORCH_LOSSES: dict[str, LossKind] = {
    "CrossEntropyLoss": LossKind("cce", "logits", ("labels", "onehot"), _CE_DOC),
    "cross_entropy": LossKind("cce", "logits", ("labels", "onehot"), _CE_DOC),
    "BCEWithLogitsLoss": LossKind("bce", "logits", ("floats",), _BCE_LOGITS_DOC),
    "binary_cross_entropy_with_logits": LossKind("bce", "logits", ("floats",), _BCE_LOGITS_DOC),
    "BCELoss": LossKind("bce", "probabilities", ("floats",), _BCE_DOC),
    "binary_cross_entropy": LossKind("bce", "probabilities", ("floats",), _BCE_DOC),
    "NLLLoss": LossKind("cce", "log_probabilities", ("labels",), _NLL_DOC),
    "nll_loss": LossKind("cce", "log_probabilities", ("labels",), _NLL_DOC),
    "MSELoss": LossKind("mse", "values", ("floats",), _MSE_DOC),
    "mse_loss": LossKind("mse", "values", ("floats",), _MSE_DOC),
}

_KERAS_FROM_LOGITS = "keras.losses: from_logits=True means y_pred is a tensor of logits, False (the default) probabilities"
# name -> (family, targets); what it takes follows from_logits
KERAS_LOSSES: dict[str, tuple[str, tuple[str, ...]]] = {
    "CategoricalCrossentropy": ("cce", ("onehot",)),
    "categorical_crossentropy": ("cce", ("onehot",)),
    "SparseCategoricalCrossentropy": ("cce", ("labels",)),
    "sparse_categorical_crossentropy": ("cce", ("labels",)),
    "BinaryCrossentropy": ("bce", ("floats",)),
    "binary_crossentropy": ("bce", ("floats",)),
    "MeanSquaredError": ("mse", ("floats",)),
    "mean_squared_error": ("mse", ("floats",)),
}


def torch_loss_kind(loss: Mapping[str, Any]) -> LossKind | None:
    """The :class:`LossKind` of a torch loss description (compare.students.framework_torch.describe_loss), or None."""
    return TORCH_LOSSES.get(str(loss.get("type")))


def keras_loss_kind(loss: Mapping[str, Any]) -> LossKind | None:
    """The :class:`LossKind` of a Keras loss description (compare.students.framework_keras.describe_loss), or None."""
    known = KERAS_LOSSES.get(str(loss.get("type")))
    if known is None:
        return None
    family, targets = known
    takes = "values" if family == "mse" else ("logits" if loss.get("from_logits") else "probabilities")
    return LossKind(family, takes, targets, _KERAS_FROM_LOGITS)


# ---------------------------------------------------------------------------------------------
# What the student's optimizer is, as one of the lecture's rules


@dataclass(frozen=True)
class OptimizerReading:
    """The student's optimizer read as a lecture rule.

    Attributes:
        rule: the lecture's rule it is configured as (a key of scratch.optimizers.RULES), or None.
        hyper: that rule's hyperparameters, the values the framework holds.
        own: the framework's own rule where it differs from the lecture's (a hypothesis), with its words.
        unsupported: settings the lecture's rules have no counterpart for.
        held: the settings read, in words.
        notes: where the framework holds a setting as another number than the one given.
    """

    rule: str | None
    hyper: Hyperparameters | None = None
    own: tuple[Rule, str] | None = None
    unsupported: tuple[str, ...] = ()
    held: str = ""
    notes: tuple[str, ...] = ()


def _held(name: str, settings: Mapping[str, Any], rate: str) -> str:
    """``SGD(lr=1, momentum=0.9)``: the optimizer and the settings it does not leave at 0 or False."""
    shown = [
        f"{k}={v:.10g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in settings.items()
        if k == rate or (v not in (0, False, None) and k != "maximize")
    ]
    return f"{name}({', '.join(shown)})"


def _hyper(**values: float) -> Hyperparameters | None:
    try:
        return Hyperparameters(**values)
    except InputError:
        return None


def _with_initial_accumulator(r0: float) -> Rule:
    """The lecture's AdaGrad, with the accumulator starting at r0 instead of 0."""

    def rule(theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], h: Hyperparameters, t: int) -> np.ndarray:
        return RULES["adagrad"](theta, g, state, replace(h, initial_accumulator=r0), t)

    return rule


def _torch_dampened(dampening: float, nesterov: bool) -> Rule:
    """torch.optim.SGD with dampening d (torch/optim/sgd.py): b = mu b + (1 - d) g from step 2 (b = g at step 1)."""

    def rule(theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], h: Hyperparameters, t: int) -> np.ndarray:
        b = state.setdefault("b", np.zeros_like(theta))
        b[...] = g if t == 1 else h.momentum * b + (1 - dampening) * g
        step = g + h.momentum * b if nesterov else b
        return theta - h.learning_rate * step

    return rule


def _torch_sgd(s: Mapping[str, Any]) -> OptimizerReading:
    mu = float(s.get("momentum", 0))
    rule = "sgd" if mu == 0 else ("nesterov" if s.get("nesterov") else "momentum")
    hyper = _hyper(learning_rate=float(s["lr"]), momentum=mu) if mu else _hyper(learning_rate=float(s["lr"]))
    d = float(s.get("dampening", 0))
    own = (
        (_torch_dampened(d, bool(s.get("nesterov"))), f"torch's SGD with dampening={d:g}: b = mu b + (1 - {d:g}) g")
        if mu and d
        else None
    )
    return OptimizerReading(rule, hyper, own)


def _torch_adagrad(s: Mapping[str, Any]) -> OptimizerReading:
    hyper = _hyper(learning_rate=float(s["lr"]), epsilon=float(s["eps"]), initial_accumulator=0.0)  # Duchi et al.: r_0 = 0
    r0 = float(s.get("initial_accumulator_value", 0))
    own = (_with_initial_accumulator(r0), f"AdaGrad with initial_accumulator_value={r0:g}: r starts at {r0:g}") if r0 else None
    unsupported = ("lr_decay",) if s.get("lr_decay") else ()
    return OptimizerReading("adagrad", hyper, own, unsupported)


def _torch_rmsprop(s: Mapping[str, Any]) -> OptimizerReading:
    unsupported = tuple(k for k in ("momentum", "centered") if s.get(k))
    return OptimizerReading(
        "rmsprop", _hyper(learning_rate=float(s["lr"]), rho=float(s["alpha"]), epsilon=float(s["eps"])), None, unsupported
    )


def _torch_adam(s: Mapping[str, Any]) -> OptimizerReading:
    b1, b2 = (float(b) for b in s["betas"])
    hyper = _hyper(learning_rate=float(s["lr"]), beta_1=b1, beta_2=b2, epsilon=float(s["eps"]))
    return OptimizerReading("adam", hyper, None, ("amsgrad",) if s.get("amsgrad") else ())


TORCH_OPTIMIZERS: dict[str, Callable[[Mapping[str, Any]], OptimizerReading]] = {
    "SGD": _torch_sgd,
    "Adagrad": _torch_adagrad,
    "RMSprop": _torch_rmsprop,
    "Adam": _torch_adam,
}


def read_torch_optimizer(optimizer: Mapping[str, Any]) -> OptimizerReading:
    """The lecture rule a ``torch.optim`` optimizer is (compare.students.framework_torch.describe_optimizer)."""
    settings = optimizer.get("effective", {})
    reader = TORCH_OPTIMIZERS.get(str(optimizer.get("type")))
    held = _held(str(optimizer.get("type")), settings, "lr")
    if reader is None:
        return OptimizerReading(None, held=held)
    reading = reader(settings)
    unsupported = reading.unsupported + tuple(k for k in ("weight_decay", "maximize") if settings.get(k))
    if optimizer.get("groups", 1) != 1 or not optimizer.get("covers_all", True):
        unsupported += ("param groups other than one holding every parameter",)
    return replace(reading, unsupported=unsupported, held=held)


def _keras_adam(settings: Mapping[str, Any], cast: Mapping[str, Any]) -> Rule:
    """Keras's Adam (keras/src/optimizers/adam.py update_step): epsilon added to sqrt(v) before the bias correction.

    alpha = eta sqrt(1 - b2^t) / (1 - b1^t) with b1, b2 passed through ops.cast (float32 on TensorFlow);
    m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2) with the Python floats; theta -= m alpha / (sqrt(v) + eps).
    """
    b1, b2, eps = float(settings["beta_1"]), float(settings["beta_2"]), float(settings["epsilon"])
    b1_cast, b2_cast = float(cast["beta_1"]), float(cast["beta_2"])

    def rule(theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], h: Hyperparameters, t: int) -> np.ndarray:
        m = state.setdefault("m", np.zeros_like(theta))
        v = state.setdefault("v", np.zeros_like(theta))
        alpha = h.learning_rate * np.sqrt(1 - b2_cast**t) / (1 - b1_cast**t)
        m += (g - m) * (1 - b1)
        v += (g * g - v) * (1 - b2)
        return theta - m * alpha / (np.sqrt(v) + eps)

    return rule


def _keras_adagrad(cast: Mapping[str, Any], eps: float) -> Rule:
    """Keras's Adagrad (keras/src/optimizers/adagrad.py update_step): r_0 = initial_accumulator_value; eta g / sqrt(r + eps)."""
    r0 = float(cast["initial_accumulator_value"])

    def rule(theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], h: Hyperparameters, t: int) -> np.ndarray:
        r = state.setdefault("r", np.full_like(theta, r0))
        r += g * g
        return theta - h.learning_rate * g / np.sqrt(r + eps)

    return rule


def _keras_rmsprop(rho: float, eps: float) -> Rule:
    """Keras's RMSprop (keras/src/optimizers/rmsprop.py): r = rho r + (1 - rho) g^2; theta -= eta g / sqrt(r + eps)."""

    def rule(theta: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray], h: Hyperparameters, t: int) -> np.ndarray:
        r = state.setdefault("r", np.zeros_like(theta))
        r[...] = rho * r + (1 - rho) * g * g
        return theta - h.learning_rate * g / np.sqrt(r + eps)

    return rule


def _keras_sgd(s: Mapping[str, Any], cast: Mapping[str, Any]) -> OptimizerReading:
    mu = float(cast.get("momentum") or 0.0)  # SGD.update_step: ops.cast(self.momentum, variable.dtype)
    rule = "sgd" if mu == 0 else ("nesterov" if s.get("nesterov") else "momentum")
    lr = float(cast["learning_rate"])
    return OptimizerReading(rule, _hyper(learning_rate=lr, momentum=mu) if mu else _hyper(learning_rate=lr))


def _keras_adagrad_reading(s: Mapping[str, Any], cast: Mapping[str, Any]) -> OptimizerReading:
    eps = float(s["epsilon"])
    hyper = _hyper(learning_rate=float(cast["learning_rate"]), epsilon=eps, initial_accumulator=0.0)  # Duchi et al.: r_0 = 0
    words = (
        f"Keras's Adagrad: r starts at initial_accumulator_value = {s['initial_accumulator_value']:g} and "
        f"eps = {eps:g} is added inside the root, eta g / sqrt(r + eps)"
    )
    return OptimizerReading("adagrad", hyper, (_keras_adagrad(cast, eps), words))


def _keras_rmsprop_reading(s: Mapping[str, Any], cast: Mapping[str, Any]) -> OptimizerReading:
    rho, eps = float(s["rho"]), float(s["epsilon"])
    hyper = _hyper(learning_rate=float(cast["learning_rate"]), rho=rho, epsilon=eps)
    words = f"Keras's RMSprop: eps = {eps:g} is added inside the root, eta g / sqrt(r + eps)"
    return OptimizerReading("rmsprop", hyper, (_keras_rmsprop(rho, eps), words), ("momentum",) if s.get("momentum") else ())


def _keras_adam_reading(s: Mapping[str, Any], cast: Mapping[str, Any]) -> OptimizerReading:
    b1, b2, eps = float(s["beta_1"]), float(s["beta_2"]), float(s["epsilon"])
    hyper = _hyper(learning_rate=float(cast["learning_rate"]), beta_1=b1, beta_2=b2, epsilon=eps)
    words = (
        f"Keras's Adam: eps = {eps:g} is added to sqrt(v) before the bias correction (eps-hat = eps sqrt(1 - b2^t)), "
        "and the bias correction uses b1, b2 as ops.cast makes them (through float32 on TensorFlow)"
    )
    return OptimizerReading("adam", hyper, (_keras_adam(s, cast), words))


KERAS_OPTIMIZERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], OptimizerReading]] = {
    "SGD": _keras_sgd,
    "Adagrad": _keras_adagrad_reading,
    "RMSprop": _keras_rmsprop_reading,
    "Adam": _keras_adam_reading,
}


def read_keras_optimizer(optimizer: Mapping[str, Any]) -> OptimizerReading:
    """The lecture rule a ``keras.optimizers`` optimizer is (compare.students.framework_keras.describe_optimizer)."""
    settings, cast = optimizer.get("settings", {}), optimizer.get("effective", {})
    reader = KERAS_OPTIMIZERS.get(str(optimizer.get("type")))
    held = _held(str(optimizer.get("type")), {**settings, "learning_rate": cast.get("learning_rate")}, "learning_rate")
    if reader is None or cast.get("learning_rate") is None:
        return OptimizerReading(None, held=held)
    reading = reader(settings, cast)
    notes = tuple(
        f"Keras holds {k}={settings[k]:g} as {cast[k]!r} (ops.cast to the variables' dtype; through float32 on TensorFlow): "
        "the lecture's rule runs with the number Keras uses"
        for k in ("learning_rate", "momentum")
        if isinstance(settings.get(k), float) and cast.get(k) is not None and cast[k] != settings[k] and reading.rule != "adam"
    )
    unsupported = reading.unsupported + tuple(optimizer.get("unsupported", {}))
    return replace(reading, unsupported=unsupported, held=held, notes=notes)


# ---------------------------------------------------------------------------------------------
# Replaying two training steps with scratch's pieces

Gradients = Callable[[list[dict[str, np.ndarray]]], dict[str, np.ndarray]]  # every gradient so far -> the one the step uses


def _this_step(history: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return history[-1]


def _accumulated(history: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {p: np.sum([g[p] for g in history], axis=0) for p in history[-1]}  # .grad never zeroed: every backward() adds


def _doubled(history: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {p: 2 * g for p, g in history[-1].items()}


def _doubled_accumulated(history: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {p: 2 * g for p, g in _accumulated(history).items()}


GRADIENT_MISTAKES: dict[str, Gradients] = {
    "zero_grad_missing": _accumulated,
    "backward_twice": _doubled,
    "backward_twice_zero_grad_missing": _doubled_accumulated,
}


def replay(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    dtype: str,
    rule: Rule,
    hyper: Hyperparameters,
    steps: int,
    gradients: Gradients = _this_step,
) -> list[dict[str, np.ndarray]]:
    """The parameters after each of ``steps`` full-batch updates with ``rule``, each step's gradient from scratch.

    With the defaults this is scratch.train's trajectory; ``gradients`` plants a mistake in
    what each step's update receives (:data:`GRADIENT_MISTAKES`).
    """
    state: dict[str, dict[str, np.ndarray]] = {p: {} for p in params}
    theta = {p: np.array(v) for p, v in params.items()}
    history: list[dict[str, np.ndarray]] = []
    out = []
    for t in range(1, steps + 1):
        history.append(evaluate_with(registry.REFERENCE, spec, theta, X, y, dtype).grads)
        used = gradients(history)
        theta = {p: rule(theta[p], used[p], state[p], hyper, t) for p in theta}
        out.append(theta)
    return out


# ---------------------------------------------------------------------------------------------
# The hints


@dataclass
class Evidence:
    """What one case showed, for the hints: the student's numbers beside scratch's.

    Attributes:
        spec, m, dtype: the case.
        params, X, y: the case's canonical parameters, inputs and prepared targets (labels for cce).
        z_L, a_L: scratch's output layer.
        loss, grads: scratch's loss and canonical gradients.
        param_dtypes: the dtypes of the student's parameters.
        student_loss, student_grads: the student's (None where the code failed first).
        output_dtype, loss_dtype: the dtypes of the student's output and loss.
        warnings: what the framework warned while the student's code ran.
    """

    spec: Spec
    m: int
    dtype: str
    params: dict[str, np.ndarray]
    X: np.ndarray
    y: np.ndarray
    z_L: np.ndarray
    a_L: np.ndarray
    loss: float
    grads: dict[str, np.ndarray]
    param_dtypes: list[str] = field(default_factory=list)
    student_loss: float | None = None
    student_grads: dict[str, np.ndarray] = field(default_factory=dict)
    output_dtype: str = ""
    loss_dtype: str = ""
    warnings: list[str] = field(default_factory=list)
    weights: list[str] = field(default_factory=list)


def agrees(actual: Any, expected: Any, dtype: str) -> bool:
    """Within ``dtype``'s parity tolerances (compare.parity.tolerances), same shape."""
    return compare_arrays("student", "", np.asarray(actual), np.asarray(expected), dtype).passed


def scale_of(evidence: Evidence) -> float | None:
    """k when the student's loss and every gradient are k times scratch's (k != 1), else None."""
    if evidence.student_loss is None or not evidence.student_grads or evidence.loss == 0:
        return None
    k = evidence.student_loss / evidence.loss
    if agrees(k, 1.0, evidence.dtype) or not np.isfinite(k):
        return None
    same = all(agrees(evidence.student_grads[p], k * g, evidence.dtype) for p, g in evidence.grads.items())
    return k if same else None


def double_activation_loss(evidence: Evidence) -> float:
    """The loss of the output activation applied twice: scratch's loss computed with a_L where z_L belongs."""
    return LOSS[evidence.spec.loss](evidence.a_L, evidence.a_L, evidence.y)


# a layer type -> (the slope it gets when none is passed, where that default is documented)
LEAKY_DEFAULTS: dict[str, tuple[float, str]] = {
    "LeakyReLU": (0.3, "keras.layers.LeakyReLU()'s default negative_slope=0.3"),
    "Dense": (0.2, "keras.activations.leaky_relu's default negative_slope=0.2, which activation='leaky_relu' gets"),
    "Activation": (0.2, "keras.activations.leaky_relu's default negative_slope=0.2, which Activation('leaky_relu') gets"),
}
LEAKY_EQUATION = "ED5340 L25: Leaky ReLU = max(0.01 z, z)"


def leaky_hints(activations: Sequence[tuple[int, Mapping[str, Any]]]) -> list[Hint]:
    """A leaky ReLU whose slope is not the lecture's 0.01 (Keras's defaults are 0.2 and 0.3; torch's is 0.01).

    Args:
        activations: ``(layer, activation item)`` for every activation of the model (framework_torch / framework_keras items).
    """
    hints = []
    for layer, item in activations:
        slope = item.get("slope")
        if item.get("activation") != "leaky_relu" or slope is None or slope == LEAKY_SLOPE:
            continue
        default, words = LEAKY_DEFAULTS.get(str(item["type"]), (None, ""))
        source = f" ({words})" if default == slope else ""
        hints.append(
            Hint(
                "leaky_slope",
                (f"W{layer}", f"b{layer}"),
                f"{LEAKY_EQUATION} -- layer {layer}'s {item['name']} has negative_slope={slope:g}{source}, "
                f"not the lecture's {LEAKY_SLOPE:g}: pass negative_slope={LEAKY_SLOPE:g}",
            )
        )
    return hints


# ---------------------------------------------------------------------------------------------
# Errors of the student's code that are classic framework mistakes

STAGES = {
    "forward": "your model's forward pass",
    "loss": "loss_fn",
    "backward": "the backward pass of your loss",
    "train_step": "train_step()",
}
_DTYPE_WORDS = ("must have the same dtype", "expected scalar type", "Double and Float", "Float and Double")
_TARGET_DTYPE_WORDS = (
    "expected target dtype",
    "Found dtype",
    "can't be cast to the desired output type",
    "expected scalar type Long",
    "Expected floating point type for target",
)
_TARGET_SHAPE_WORDS = (
    "target size",
    "Target size",
    "multi-target not supported",
    "0D or 1D target",
)
_PROBABILITY_WORDS = ("all elements of input should be between 0 and 1",)
_ONEHOT_RANK_WORDS = ("must have the same rank", "must have the same shape")
_SPARSE_RANK_WORDS = ("must have rank (ndim) `target.ndim - 1`", "up until the last dimension")
TORCH_TARGETS = {
    "cce": "torch.nn.CrossEntropyLoss: target = int64 class indices of shape (m,), or class probabilities shaped like the input",
    "bce": "torch.nn.BCELoss / BCEWithLogitsLoss: target = floats of the input's shape, (m, 1) here",
    "mse": "torch.nn.MSELoss: target = floats of the input's shape, (m, n_L)",
}
KERAS_TARGETS = {
    "CategoricalCrossentropy": "keras.losses.CategoricalCrossentropy: 'labels to be provided in a one_hot representation'",
    "SparseCategoricalCrossentropy": "keras.losses.SparseCategoricalCrossentropy: 'labels to be provided as integers'",
}


def _says(failure: Mapping[str, Any], words: Sequence[str]) -> bool:
    message = str(failure.get("message", ""))
    return any(w in message for w in words)


@dataclass(frozen=True)
class Situation:
    """What the hints read: the student's framework, model, loss and the check's options.

    Attributes:
        framework: the student's framework (compare.students.framework_check.StudentFramework).
        description: what the driver's ``describe`` read.
        output: what the model returns (framework_check.Architecture.output).
        loss_kind: what the student's loss takes and computes, or None for a function of the student's own.
        dtype: the data's dtype.
        targets: how a cce net's y reached loss_fn (``labels`` or ``onehot``).
    """

    framework: Any
    description: Mapping[str, Any]
    output: str
    loss_kind: LossKind | None
    dtype: str
    targets: str

    @property
    def loss_type(self) -> str:
        """The student's loss class or function name."""
        return str(self.description["loss"]["type"])


def _float_hint(s: Situation, dtypes: Sequence[str], shown: str) -> Hint:
    model = "/".join(dtypes)
    return Hint(
        "float_dtype",
        (),
        f"{s.framework.dtype_doc} -- your model's parameters are {model} and the data is {s.dtype}: {shown}; "
        f"{s.framework.float64_fix if s.dtype == 'float64' else 'build it in float32'}, or check in {model} with --dtype {model}",
    )


def _targets_hint(s: Situation, failure: Mapping[str, Any], evidence: Evidence) -> Hint | None:
    """Keras CategoricalCrossentropy given labels, Sparse given one-hot rows; torch targets of the wrong dtype or shape."""
    message = " ".join(str(failure.get("message", "")).split())
    if (
        s.loss_type in ("CategoricalCrossentropy", "categorical_crossentropy")
        and s.targets == "labels"
        and _says(failure, _ONEHOT_RANK_WORDS)
    ):
        return Hint(
            "cce_integer_labels",
            (),
            f"{KERAS_TARGETS['CategoricalCrossentropy']} -- your y holds integer class labels {evidence.y.shape}, "
            f"and Keras says: '{message}': use SparseCategoricalCrossentropy for labels, "
            "or one-hot rows (keras.utils.to_categorical) with --targets onehot",
        )
    if (
        s.loss_type in ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")
        and s.targets == "onehot"
        and _says(failure, _SPARSE_RANK_WORDS)
    ):
        return Hint(
            "sparse_onehot_labels",
            (),
            f"{KERAS_TARGETS['SparseCategoricalCrossentropy']} -- your y holds one-hot rows "
            f"{(evidence.m, evidence.spec.sizes[-1])}, and Keras says: "
            f"'{message}': use CategoricalCrossentropy for one-hot rows, or the labels y.argmax(axis=1)",
        )
    family = s.loss_kind.family if s.loss_kind else evidence.spec.loss
    if _says(failure, _TARGET_DTYPE_WORDS + _TARGET_SHAPE_WORDS) and family in TORCH_TARGETS and s.framework.checks_target_form:
        return Hint("torch_targets", (), f"{TORCH_TARGETS[family]} -- torch says: '{message}'")
    return None


def error_hint(stage: str, failure: Mapping[str, Any], s: Situation, evidence: Evidence) -> Hint | None:
    """The classic mistake behind an exception of the student's code at ``stage``, or None (then it is a crash, exit 2)."""
    dtypes = list(evidence.param_dtypes)
    if stage == "forward" and _says(failure, _DTYPE_WORDS) and dtypes != [s.dtype]:
        return _float_hint(s, dtypes, f"{s.framework.label} raises '{' '.join(str(failure['message']).split())}'")
    if stage != "loss":
        return None
    if _says(failure, _PROBABILITY_WORDS) and s.output == "logits":
        return _logits_hint(s)
    if _other_family(s, evidence):
        return _family_hint(s, evidence)  # e.g. MSELoss given a cce net's labels raises on their shape
    return _targets_hint(s, failure, evidence)


# ---------------------------------------------------------------------------------------------
# Hints from what the model and the loss are, proven by the numbers where they can be


def _logits_hint(s: Situation) -> Hint:
    assert s.loss_kind is not None
    g = "sigmoid" if s.loss_kind.family == "bce" else "softmax"
    return Hint(
        "logits_into_probability_loss",
        (),
        f"{s.loss_kind.doc} -- your model ends without a {g} (it returns the logits z_L), and {s.loss_type} expects "
        f"probabilities: add the {g} as the last layer, or use the loss that takes logits ({s.framework.logits_losses[g]})",
    )


_ONCE = {
    "softmax": "Session-5 backprop: dz2 = probs - onehot, with probs = softmax(z2), once",
    "sigmoid": "ED5340 L26: dZ[2] = A[2] - Y, with A[2] = sigmoid(Z[2]), once",
}


def _double_shown(s: Situation, evidence: Evidence, g: str) -> str:
    """What the numbers show: the loss of g applied twice, or (Keras on TensorFlow) the logits recovered."""
    twice = double_activation_loss(evidence)
    if evidence.student_loss is None:
        return ""
    if agrees(evidence.student_loss, twice, evidence.dtype):
        loss = evidence.spec.loss
        return (
            f": your loss {evidence.student_loss:.10g} is the {loss} of {g}({g}(z_L)); the lecture net's is {evidence.loss:.10g}"
        )
    if not agrees(evidence.student_loss, evidence.loss, evidence.dtype):
        return ""
    warned = next((w for w in evidence.warnings if "from_logits=True" in w), "")
    backend = s.description.get("backend") or s.framework.label
    return (
        f": the numbers agree here only because Keras on {backend} saw the output come from a {g} and used its logits"
        + (f" ({warned})" if warned else "")
        + f"; on the other backends the loss is the {evidence.spec.loss} of {g}({g}(z_L)), {twice:.10g}"
    )


def _double_hint(s: Situation, evidence: Evidence) -> Hint:
    assert s.loss_kind is not None
    g = evidence.spec.activations[-1]
    return Hint(
        f"double_{g}",
        (),
        f"{_ONCE[g]}; {s.loss_kind.doc} -- your model ends in a {g} and {s.loss_type} applies its own, so {g} runs "
        f"twice{_double_shown(s, evidence, g)}; remove the last {g} (the loss takes logits), "
        f"or {s.framework.probability_losses[g]}",
    )


def _own_function_double(s: Situation, evidence: Evidence) -> list[Hint]:
    """A loss function of the student's own after a final softmax or sigmoid: the double, where the numbers prove it.

    Nothing says what such a function takes, so the hint needs its loss to be the net's loss of
    g(g(z_L)) and not the lecture net's (e.g. ``F.cross_entropy(output, y)`` on a softmax output).
    """
    g = evidence.spec.activations[-1]
    if s.output != "probabilities" or g not in _ONCE or evidence.student_loss is None:
        return []
    twice = double_activation_loss(evidence)
    if not agrees(evidence.student_loss, twice, evidence.dtype) or agrees(twice, evidence.loss, evidence.dtype):
        return []
    return [
        Hint(
            f"double_{g}",
            (),
            f"{_ONCE[g]} -- your model ends in a {g} and your loss function applies its own, so {g} runs twice"
            f"{_double_shown(s, evidence, g)}; remove the last {g} (your loss function takes logits), "
            f"or {s.framework.probability_losses[g]}",
        )
    ]


def _other_family(s: Situation, evidence: Evidence) -> bool:
    """Whether the student's loss computes another loss than the net's (MSE counts as the sse net's, up to a factor)."""
    family, net = (s.loss_kind.family if s.loss_kind else None), evidence.spec.loss
    return family is not None and family != net and not (family == "mse" and net == "sse")


def _family_hint(s: Situation, evidence: Evidence) -> Hint:
    """A loss of another kind than the net's (MSELoss on a classifier, BCE on a cce net): the net's loss, and the framework's."""
    assert s.loss_kind is not None
    spec = evidence.spec
    record = loss_record(spec.loss)
    g = spec.activations[-1]
    if spec.loss in ("cce", "bce") and g in s.framework.logits_losses:
        fix = f"use {s.framework.logits_losses[g]}" if s.output == "logits" else s.framework.probability_losses[g]
    else:
        fix = f"use {s.framework.half_sse}" if spec.loss == "sse" else "use the loss of that formula"
    return Hint(
        "loss_family",
        (),
        f"{record.source}: {spec} is a {spec.loss} net, l = {record.per_sample}, with y {record.targets} -- "
        f"{s.loss_kind.doc}: your {s.loss_type} computes {s.loss_kind.family}, another loss; {fix}",
    )


def _pairing_hints(s: Situation, evidence: Evidence) -> list[Hint]:
    """The model's output against what the loss takes."""
    kind = s.loss_kind
    if kind is None:
        return _own_function_double(s, evidence)
    if _other_family(s, evidence):
        return [_family_hint(s, evidence)]
    if s.output == "probabilities" and kind.takes == "logits":
        return [_double_hint(s, evidence)]
    if s.output == "logits" and kind.takes == "probabilities":
        return [_logits_hint(s)]
    if kind.takes == "log_probabilities" and s.output != "log_probabilities":
        words = s.output.replace("_", " ")
        return [Hint("nll_input", (), f"{kind.doc} -- your model returns {words}: end it with a LogSoftmax (dim=1)")]
    return []


_MEAN = "CS60050 backprop: J = (1/n) sum_i L(x_i, y_i)"
_SSE = "Mazur's worked example: E_total = sum 1/2 (target - out)^2 (here averaged over the m samples)"


def _mse_explained(k: float, s: Situation, evidence: Evidence) -> tuple[str, str] | None:
    m, n, dtype = evidence.m, evidence.spec.sizes[-1], evidence.dtype
    reduction = str(s.description["loss"].get("reduction"))
    fix = f"use {s.framework.half_sse}"
    if reduction in ("mean", "sum_over_batch_size") and agrees(k, 2 / n, dtype):
        return "mse_mean", (
            f"{_SSE}; {s.framework.mse_doc} -- your loss is {s.loss_type}(), the mean of (t - o)^2 over all m x n_L "
            f"elements: 2 / n_L = {k:.6g} times E, and so is every gradient (n_L = {n}); {fix}"
        )
    if reduction == "sum" and agrees(k, s.framework.sum_factor(m, n), dtype):
        return "mse_sum", (
            f"{_SSE} -- your loss is {s.loss_type}(reduction='sum'): {k:.6g} times E, and so is every gradient "
            f"(m = {m}, n_L = {n}): the 1/2 is missing and the samples are summed, not averaged; {fix}"
        )
    return None


def _scale_explained(k: float, s: Situation, evidence: Evidence) -> tuple[str, str] | None:
    """(key, words) for a loss k times the lecture's, from the loss's reduction; None when nothing explains k."""
    m, dtype = evidence.m, evidence.dtype
    if evidence.spec.loss == "sse" and s.loss_kind is not None and s.loss_kind.family == "mse":
        explained = _mse_explained(k, s, evidence)
        if explained is not None:
            return explained
    if m > 1 and agrees(k, m, dtype):
        return "loss_summed", (
            f"{_MEAN} -- your loss and every gradient are m = {m} times the mean's: "
            "reduction='sum' (or a sum over the samples) where the mean was meant"
        )
    if evidence.spec.loss == "sse" and agrees(k, 2.0, dtype):
        return "sse_half_missing", f"{_SSE} -- your loss and every gradient are 2 times the lecture's: the 1/2 is missing"
    return None


def scale_hints(s: Situation, evidence: Evidence) -> list[Hint]:
    """The student's loss and every gradient a constant k times the lecture's: which reduction makes k."""
    k = scale_of(evidence)
    if k is None:
        return []
    explained = _scale_explained(k, s, evidence)
    if explained is None:
        n = evidence.spec.sizes[-1]
        words = (
            f"{_SSE if evidence.spec.loss == 'sse' else _MEAN} -- your loss and every gradient are {k:.10g} times the "
            f"lecture's (m = {evidence.m}, n_L = {n}): a constant of your own in the loss (a batch size written in?)"
        )
        return [Hint("loss_scale", (), words)]
    return [Hint(explained[0], (), explained[1])]


def dtype_hints(s: Situation, evidence: Evidence) -> list[Hint]:
    """A model (or its loss) computing in another dtype than the data's, cast to silently: proven by scratch in that dtype."""
    dtypes = list(evidence.param_dtypes)
    other = next((d for d in (*dtypes, evidence.output_dtype, evidence.loss_dtype) if d and d != s.dtype), None)
    if other is None or evidence.student_loss is None or other not in ("float32", "float64"):
        return []
    trace = evaluate_with(registry.REFERENCE, evidence.spec, evidence.params, evidence.X, evidence.y, other)
    same = agrees(evidence.student_loss, trace.loss, other) and all(
        agrees(evidence.student_grads[p], g, other) for p, g in trace.grads.items()
    )
    proof = (
        f"your loss and gradients agree with scratch's {other} run within {other}'s tolerances"
        if same
        else f"{s.framework.label} casts the {s.dtype} data to it"
    )
    if dtypes != [s.dtype]:
        return [_float_hint(s, dtypes, proof)]
    part = "loss" if evidence.loss_dtype == other else "output"
    words = f"{s.framework.dtype_doc} -- your model is {s.dtype} but its {part} is {other}: {proof}; {s.framework.float64_fix}"
    return [Hint("float_dtype", (), words)]


def _broadcast_hints(s: Situation, evidence: Evidence) -> list[Hint]:
    warned = next((w for w in evidence.warnings if "target size" in w and "broadcasting" in w), None)
    family = s.loss_kind.family if s.loss_kind else evidence.spec.loss
    if warned is None or family not in TORCH_TARGETS or _other_family(s, evidence):
        return []  # a loss of another kind: the loss_family hint says what to use
    return [
        Hint(
            "torch_targets",
            (),
            f"{TORCH_TARGETS[family]} -- torch warned: '{warned}': the loss compared every output with every target",
        )
    ]


def weight_hints(s: Situation, statuses: Sequence[str]) -> list[Hint]:
    """The student's build_model put this case's W_l in with the wrong layout."""
    layers = [l for l, status in enumerate(statuses, start=1) if status == "transposed"]
    if not layers:
        return []
    params = tuple(f"W{l}" for l in layers)
    return [
        Hint(
            "weights_layout",
            params,
            f"CS60050 backprop: W_l[j, k] = w^l_jk, from unit k of layer l-1 to unit j of layer l, shape (n_l, n_(l-1)) -- "
            f"your build_model put {', '.join(f'W{l}^T' for l in layers)} where {s.framework.layout}: {s.framework.weights_fix}",
        )
    ]


def case_hints(s: Situation, statuses: Sequence[str], evidence: Evidence) -> list[Hint]:
    """Every hint the model, the loss and one case's numbers support (the error's hint comes first, separately)."""
    hints = weight_hints(s, statuses) + _pairing_hints(s, evidence) + _broadcast_hints(s, evidence)
    if evidence.student_loss is not None:
        hints += scale_hints(s, evidence) + dtype_hints(s, evidence)
    return hints


# ---------------------------------------------------------------------------------------------
# Two training steps


def _same(steps: Sequence[Mapping[str, Any]], trajectory: Sequence[Mapping[str, np.ndarray]], dtype: str) -> bool:
    return all(
        agrees(step["params"][p], theta[p], dtype) for step, theta in zip(steps, trajectory, strict=False) for p in theta
    ) and len(steps) == len(trajectory)


def _largest(yours: Mapping[str, np.ndarray], lecture: Mapping[str, np.ndarray]) -> tuple[str, tuple[int, ...]]:
    """The parameter entry where the two differ most, relative to the lecture's."""
    best: tuple[str, tuple[int, ...], float] = ("", (), -1.0)
    for p, value in lecture.items():
        diff = np.abs(np.asarray(yours[p]) - value) / np.maximum(np.abs(value), 1e-300)
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        if diff[index] > best[2]:
            best = (p, index, float(diff[index]))
    return best[0], best[1]


def _entry(p: str, index: tuple[int, ...]) -> str:
    return f"{p}[{', '.join(map(str, index))}]"


_ACCUMULATE_DOC = "torch.Tensor.backward: 'the gradient is accumulated into .grad' -- optimizer.zero_grad() sets it back to 0"
_DESCENT = "ED5340 L26: W = W - alpha dW, each step with that step's gradient"


def _descent(rule: str) -> str:
    """The update rule the student's optimizer was read as, with its source: what each step applies to that step's gradient."""
    if rule == "sgd":
        return _DESCENT
    from core.optimizers import optimizer

    record = optimizer(rule)
    return f"{record.source}: {record.rule}, each step with that step's gradient g"


def _gradient_message(
    key: str,
    steps: Sequence[Mapping[str, Any]],
    lecture: Sequence[Mapping[str, np.ndarray]],
    hyper: Hyperparameters,
    rule: str,
    first: Mapping[str, np.ndarray],
) -> str:
    p, index = _largest(steps[-1]["params"], lecture[-1])
    yours, right = float(np.asarray(steps[-1]["params"][p])[index]), float(lecture[-1][p][index])
    shown = f"{_entry(p, index)} after step {len(steps)}: yours {yours:.10g}, the lecture's {right:.10g}"
    if key == "zero_grad_missing":
        exact = (
            f" = -eta x step 1's d{_entry(p, index)} = -{hyper.learning_rate:g} x {float(first[p][index]):.10g}"
            if rule == "sgd"
            else ""
        )
        return (
            f"{_descent(rule)}; {_ACCUMULATE_DOC} -- your step 1 is right, but step 2 was given step 1's gradient plus its own: "
            f"{shown}, a difference of {yours - right:.10g}{exact}; call optimizer.zero_grad() before backward() in train_step"
        )
    if key == "backward_twice":
        return (
            f"{_descent(rule)}; {_ACCUMULATE_DOC} -- every step used twice its gradient: backward() ran twice on the loss "
            f"(retain_graph=True lets it), and the second call added to .grad: {shown}; call loss.backward() once per step"
        )
    return (
        f"{_descent(rule)}; {_ACCUMULATE_DOC} -- zero_grad() is missing and backward() runs twice: every step used twice the sum "
        f"of all gradients so far: {shown}"
    )


def _rule_message(
    own: str, rule: str, steps: Sequence[Mapping[str, Any]], lecture: Sequence[Mapping[str, np.ndarray]], dtype: str
) -> str:
    from core.optimizers import optimizer

    record = optimizer(rule)
    k = next(
        (
            k
            for k, (step, theta) in enumerate(zip(steps, lecture, strict=False), start=1)
            if not all(agrees(step["params"][p], theta[p], dtype) for p in theta)
        ),
        1,
    )
    p, index = _largest(steps[k - 1]["params"], lecture[k - 1])
    yours, right = float(np.asarray(steps[k - 1]["params"][p])[index]), float(lecture[k - 1][p][index])
    return (
        f"{record.source}: {record.rule} -- your optimizer follows {own}, not the lecture's rule: after step {k}, "
        f"{_entry(p, index)} is {yours:.10g} (yours, matching that rule) against {right:.10g} (the lecture's rule), "
        f"{abs(yours - right) / max(abs(right), 1e-300):.1e} relative"
    )


def train_hints(
    spec: Spec,
    params: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    dtype: str,
    reading: OptimizerReading,
    steps: Sequence[Mapping[str, Any]],
    lecture: Sequence[Mapping[str, np.ndarray]],
) -> list[Hint]:
    """Why the parameters after train_step's steps differ from the lecture's: each hypothesis replayed with scratch's pieces."""
    if reading.rule is None or reading.hyper is None or _same(steps, lecture, dtype):
        return []
    if all(agrees(step["params"][p], params[p], dtype) for step in steps for p in params):
        return [
            Hint(
                "no_update",
                (),
                f"{_DESCENT} -- train_step changed no parameter ({reading.held}): is optimizer.step() (Keras: apply_gradients) "
                "missing, or zero_grad() called between backward() and step()?",
            )
        ]
    lecture_rule = RULES[reading.rule]
    for key, gradients in GRADIENT_MISTAKES.items():
        if _same(steps, replay(spec, params, X, y, dtype, lecture_rule, reading.hyper, len(steps), gradients), dtype):
            first = evaluate_with(registry.REFERENCE, spec, params, X, y, dtype).grads
            return [Hint(key, (), _gradient_message(key, steps, lecture, reading.hyper, reading.rule, first))]
    if reading.own is not None and _same(
        steps, replay(spec, params, X, y, dtype, reading.own[0], reading.hyper, len(steps)), dtype
    ):
        return [Hint("optimizer_rule", (), _rule_message(reading.own[1], reading.rule, steps, lecture, dtype))]
    return []
