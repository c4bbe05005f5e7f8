"""``check FILE --framework torch|keras``: the student's own PyTorch or Keras code against the from-scratch net.

The student's file defines (docs/students.md, "Checking your PyTorch or Keras code"):

- ``build_model()``: a ``torch.nn.Module``, or a ``keras.Model`` (Sequential or functional);
- ``loss_fn``: the loss as the student calls it, ``loss_fn(output, y)`` in torch, ``loss_fn(y, output)`` in Keras;
- optionally ``make_optimizer(parameters)`` (torch; Keras: ``make_optimizer()``) and
  ``train_step(model, loss_fn, optimizer, X, y)``, one step as the student does it, returning the loss.

The file runs in the sandbox worker (compare.students.sandbox, .worker) with the
framework's driver (compare.students.framework_torch / framework_keras) beside it. The
check reads the architecture from the model and matches it against ``--arch`` layer by
layer (a mismatch is exit 1, with no numbers); for each case it loads the canonical
weights into the student's layers, runs forward, the student's loss and backward in the
case's dtype, and compares the output, the loss and every gradient with scratch; with
``train_step``, also the loss and the parameters after each of two steps, against
scratch.train with the lecture's rule configured as the student's optimizer is. On a
mismatch, compare.students.framework_hints says which framework mistake it is.

``--framework`` names the student's framework; :data:`STUDENT_FRAMEWORKS` is that one
table. It is not the registry of this project's implementations (compare.registry),
whose reference, scratch, gives every expected number here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from compare import registry
from compare.data.cases import Case
from compare.parity.harness import Check, compare_arrays, evaluate_with
from compare.students import framework_hints as fh
from compare.students.framework_driver import pack, unpack
from compare.students.hints import Hint
from compare.students.sandbox import Sandbox, failure_message, shown
from compare.students.student import cases_for
from core.errors import InputError, lookup
from core.spec import Spec
from core.validate import prepare
from scratch.init import DEFAULT_SEED

STEPS = 2  # train_step is called twice: the second step shows what the first left behind (.grad, the optimizer's state)
TIMEOUT = 60.0  # seconds for each request to the worker: a framework's first call compiles and allocates
DTYPES = ("float64", "float32")
TARGETS = ("labels", "onehot")  # how y reaches a cce net's loss_fn: int64 class labels (m,), or one-hot rows (m, n_L)


@dataclass(frozen=True)
class StudentFramework:
    """A framework a student's file may be written in (``--framework``).

    Attributes:
        name: the ``--framework`` value.
        label: its name for people.
        driver: the module run beside the student's file in the worker.
        linear: its linear layer, as students write it.
        weight_name: that layer's weight attribute.
        transposed: whether the weight is W_l^T (Keras's kernel) rather than W_l (torch's weight).
        layout: where W_l goes in it.
        loss_call: how the check calls the student's loss.
        optimizer_call: how the check calls ``make_optimizer``.
        make_optimizer: how the student defines it.
        loss_kind: what a loss description (the driver's ``describe_loss``) takes and computes.
        read_optimizer: the lecture rule an optimizer description (the driver's ``describe_optimizer``) is.
        weights_fix: how to load W_l into its linear layer (the weights_layout hint).
        dtype_doc: what it does with data of another dtype than the model's (the float_dtype hint).
        float64_fix: how to build a float64 model.
        checks_target_form: whether its losses raise on targets of the wrong dtype or shape (the torch_targets hint).
        logits_losses: the loss that takes logits, per output activation.
        probability_losses: the loss that takes that activation's output.
        mse_doc: its mean squared error's reduction, documented.
        half_sse: the lecture's E = 1/2 sum (t - o)^2, mean over the samples, in its losses.
        sum_factor: (m, n_L) -> its MSE with reduction="sum" divided by that E.
    """

    name: str
    label: str
    driver: str
    linear: str
    weight_name: str
    transposed: bool
    layout: str
    loss_call: str
    optimizer_call: str
    make_optimizer: str
    loss_kind: Callable[[Mapping[str, Any]], fh.LossKind | None]
    read_optimizer: Callable[[Mapping[str, Any]], fh.OptimizerReading]
    weights_fix: str
    dtype_doc: str
    float64_fix: str
    checks_target_form: bool
    logits_losses: Mapping[str, str]
    probability_losses: Mapping[str, str]
    mse_doc: str
    half_sse: str
    sum_factor: Callable[[int, int], float]


STUDENT_FRAMEWORKS: dict[str, StudentFramework] = {
    framework.name: framework
    for framework in (
        StudentFramework(
            name="torch",
            label="PyTorch",
            driver="compare.students.framework_torch",
            linear="Linear",
            weight_name="weight",
            transposed=False,
            layout="Linear.weight is W_l itself, (n_l, n_{l-1}) = (out_features, in_features): no transpose",
            loss_call="loss_fn(output, y)",
            optimizer_call="make_optimizer(model.parameters())",
            make_optimizer="make_optimizer(parameters), returning a torch.optim optimizer",
            loss_kind=fh.torch_loss_kind,
            read_optimizer=fh.read_torch_optimizer,
            weights_fix="load W_l itself (torch.nn.Linear: 'weight: of shape (out_features, in_features)'), no .T",
            dtype_doc="torch.nn.Linear computes in its parameters' dtype and raises on input of another",
            float64_fix="build it in float64: model.double(), nn.Linear(..., dtype=torch.float64), "
            "or torch.set_default_dtype(torch.float64) before building",
            checks_target_form=True,
            logits_losses={"sigmoid": "BCEWithLogitsLoss", "softmax": "CrossEntropyLoss"},
            probability_losses={
                "sigmoid": "keep it and use nn.BCELoss()",
                "softmax": "end with nn.LogSoftmax(dim=1) and use nn.NLLLoss()",
            },
            mse_doc="torch.nn.MSELoss: reduction='mean' divides the sum by the number of elements, m x n_L",
            half_sse="0.5 * nn.MSELoss(reduction='sum')(output, y) / m",
            sum_factor=lambda m, n: 2.0 * m,
        ),
        StudentFramework(
            name="keras",
            label="Keras",
            driver="compare.students.framework_keras",
            linear="Dense",
            weight_name="kernel",
            transposed=True,
            layout="Dense.kernel is W_l transposed, (n_{l-1}, n_l) = (input_dim, units)",
            loss_call="loss_fn(y, output)",
            optimizer_call="make_optimizer()",
            make_optimizer="make_optimizer(), returning a keras.optimizers optimizer",
            loss_kind=fh.keras_loss_kind,
            read_optimizer=fh.read_keras_optimizer,
            weights_fix="load W_l.T (keras.layers.Dense: kernel of shape (input_dim, units)), e.g. set_weights([W.T, b])",
            dtype_doc="keras.layers.Dense casts its input to its dtype policy's (floatx(), float32 by default) without a word",
            float64_fix="build it in float64: keras.config.set_floatx('float64') before building, "
            "or dtype='float64' on every layer and the loss",
            checks_target_form=False,
            logits_losses={
                "sigmoid": "BinaryCrossentropy(from_logits=True)",
                "softmax": "SparseCategoricalCrossentropy(from_logits=True)",
            },
            probability_losses={"sigmoid": "keep it and use from_logits=False", "softmax": "keep it and use from_logits=False"},
            mse_doc="keras.losses.MeanSquaredError: the mean over the last axis, then over the batch (sum_over_batch_size)",
            half_sse="0.5 * n_L * keras.losses.MeanSquaredError()(y, output)",
            sum_factor=lambda m, n: 2.0 * m / n,
        ),
    )
}


# ---------------------------------------------------------------------------------------------
# The architecture, read from the model and matched against the spec


@dataclass
class Layer:
    """One linear layer of the student's model and the activations applied after it, in call order."""

    linear: dict[str, Any]
    activations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """The activations' spec names (``relu``, ``softmax``, ...)."""
        return [str(a["activation"]) for a in self.activations]


@dataclass
class Architecture:
    """The student's model as the check read it.

    Attributes:
        layers: the linear layers in call order, each with the activations after it.
        mismatches: one line per way it differs from the spec (empty when it matches).
        output: what the model returns: ``logits`` (z_L), ``probabilities`` or ``values`` (a_L),
            ``log_probabilities`` (log a_L).
    """

    layers: list[Layer]
    mismatches: list[str]
    output: str

    def activations(self) -> list[tuple[int, dict[str, Any]]]:
        """``(layer, activation item)`` for every activation, layer 1 first."""
        return [(l, item) for l, layer in enumerate(self.layers, start=1) for item in layer.activations]


def _item(item: Mapping[str, Any]) -> str:
    return f"{item['type']} {item['name']!r}" if item["type"] not in str(item["name"]) else repr(item["name"])


def _linear(item: Mapping[str, Any]) -> str:
    return f"{_item(item)} ({item['n_in']} -> {item['n_out']})"


def group_layers(items: Sequence[Mapping[str, Any]], framework: StudentFramework) -> tuple[list[Layer], list[str]]:
    """The model's items (the driver's ``describe``) as linear layers with their activations; what fits no layer."""
    layers: list[Layer] = []
    problems: list[str] = []
    for item in items:
        if item["kind"] == "linear":
            layers.append(Layer(dict(item)))
        elif item["kind"] == "activation" and layers:
            layers[-1].activations.append(dict(item))
        elif item["kind"] == "activation":
            problems.append(
                f"{_item(item)} comes before the first {framework.linear} layer: the lecture nets start with W_1 x + b_1"
            )
        elif item["kind"] == "other":
            problems.append(
                f"{_item(item)} is not part of the lecture nets (only {framework.linear} layers and activations): remove it"
            )
    return layers, problems


def _allowed(spec: Spec, l: int) -> list[list[str]]:
    """The activation lists layer l may end with: the spec's, and for a bce or cce output also none (logits)."""
    g = spec.activations[l - 1]
    allowed = [[]] if g == "linear" else [[g]]
    if l == spec.n_layers and spec.loss in ("bce", "cce"):
        allowed.append([])
        if g == "softmax":
            allowed.append(["log_softmax"])
    return allowed


def _layer_problems(l: int, layer: Layer, spec: Spec) -> list[str]:
    n_in, n_out = spec.sizes[l - 1], spec.sizes[l]
    linear, problems = layer.linear, []
    if (linear["n_in"], linear["n_out"]) != (n_in, n_out):
        problems.append(f"layer {l}: {_linear(linear)}, but {spec}'s layer {l} is {n_in} -> {n_out}")
    if not linear.get("bias", True):
        problems.append(f"layer {l}: {_item(linear)} has no bias; the lecture nets' z_l = W_l a_(l-1) + b_l needs one")
    if layer.names not in _allowed(spec, l):
        got = ", then ".join(f"{a['activation']} ({_item(a)})" for a in layer.activations) or "no activation"
        problems.append(
            f"layer {l}: after {_linear(linear)} your model applies {got}; {spec} has {spec.activations[l - 1]} there"
        )
    for a in layer.activations:
        if a["activation"] in ("softmax", "log_softmax") and a.get("dim") not in (None, 1, -1):
            problems.append(
                f"layer {l}: {_item(a)} normalises over dim={a['dim']}, the samples; the classes are the last axis (1)"
            )
    return problems


def _count_problem(layers: list[Layer], spec: Spec, framework: StudentFramework) -> list[str]:
    L, n = spec.n_layers, len(layers)
    if n == L:
        return []
    sizes = ", ".join(f"{a} -> {b}" for a, b in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))
    yours = ", ".join(f"{layer.linear['n_in']} -> {layer.linear['n_out']}" for layer in layers) or "none"
    return [f"your model has {n} {framework.linear} layer{'s' * (n != 1)} ({yours}); {spec} has {L} ({sizes})"]


def _output_kind(layers: list[Layer], spec: Spec) -> str:
    last = layers[-1].names if layers else []
    if not last:
        return "logits" if spec.activations[-1] in ("sigmoid", "softmax") else "values"
    if last == ["log_softmax"]:
        return "log_probabilities"
    return "probabilities" if last[-1] in ("sigmoid", "softmax") else "values"


def match_architecture(items: Sequence[Mapping[str, Any]], spec: Spec, framework: StudentFramework) -> Architecture:
    """The model's layers against ``spec``: the layer count, each layer's sizes, bias and activations.

    A bce or cce net's last layer may end without its sigmoid or softmax (the model then returns
    logits, for a loss that takes logits), or a cce net's with a log-softmax (for NLLLoss);
    whether the loss agrees is a hint (framework_hints), not a mismatch.
    """
    layers, problems = group_layers(items, framework)
    problems += _count_problem(layers, spec, framework)
    for l, layer in enumerate(layers[: spec.n_layers], start=1):
        problems += _layer_problems(l, layer, spec)
    return Architecture(layers, problems, _output_kind(layers, spec))


def describe_architecture(architecture: Architecture) -> str:
    """The model in one line: ``Linear '0' (2 -> 4), relu, Linear '2' (4 -> 3)``."""
    parts = []
    for layer in architecture.layers:
        parts.append(_linear(layer.linear))
        parts += [
            f"{a['activation']}" + (f"(negative_slope={a['slope']:g})" if a.get("slope") is not None else "")
            for a in layer.activations
        ]
    return ", ".join(parts)


# ---------------------------------------------------------------------------------------------
# One case


@dataclass
class FrameworkCase:
    """The student's code on one case.

    Attributes:
        weights: per layer, whether the check loaded W_l (``replaced``) or ``build_model`` already held
            this case's weights (``loaded``) or their transpose (``transposed``).
        checks: the student's output, loss and gradients (and, with train_step, each step's loss and
            parameters) against scratch.
        values: quantity -> (the student's array, scratch's), for the entry-level view.
        hints: why it differs (empty when it agrees).
        error: the student's code's error, one line, when a hint explains it.
        warnings: what the framework warned while the student's code ran.
        optimizer: the student's optimizer as a lecture rule (with train_step).
        notes: what was read or not compared, in words.
    """

    case: str
    spec: Spec
    m: int
    weights: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    values: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    hints: list[Hint] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    optimizer: fh.OptimizerReading | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every number agrees and no mistake was found."""
        return self.error is None and not self.hints and all(c.passed for c in self.checks)

    def first_wrong(self) -> str | None:
        """The first quantity that disagrees with scratch, or None."""
        return next((c.quantity for c in self.checks if not c.passed), None)


def student_targets(spec: Spec, y: np.ndarray, targets: str, dtype: str) -> np.ndarray:
    """y as the student's ``loss_fn`` receives it: int64 labels or one-hot rows for cce; the prepared floats otherwise."""
    if spec.loss == "cce" and targets == "onehot":
        return np.eye(spec.sizes[-1], dtype=dtype)[y]
    return y


def expected_output(kind: str, z_L: np.ndarray, a_L: np.ndarray) -> np.ndarray:
    """Scratch's counterpart of what the student's model returns (:attr:`Architecture.output`)."""
    if kind == "logits":
        return z_L
    if kind == "log_probabilities":
        shifted = z_L - z_L.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # log softmax(z), stably
    return a_L


def _compare(case: FrameworkCase, quantity: str, yours: Any, expected: Any, dtype: str) -> None:
    yours_a, expected_a = np.asarray(yours, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if yours_a.shape != expected_a.shape and yours_a.size == expected_a.size:
        case.notes.append(f"{quantity}: yours has shape {yours_a.shape}, scratch's {expected_a.shape}; compared entry by entry")
        yours_a = yours_a.reshape(expected_a.shape)
    case.checks.append(compare_arrays(registry.REFERENCE, quantity, yours_a, expected_a, dtype))
    case.values[quantity] = (yours_a, expected_a)


def _order(spec: Spec) -> list[str]:
    return [p for l in range(spec.n_layers, 0, -1) for p in (f"W{l}", f"b{l}")]


@dataclass
class Run:
    """What one check needs at every case: the worker, the framework, the model read, the options."""

    sandbox: Sandbox
    framework: StudentFramework
    description: dict[str, Any]
    architecture: Architecture
    dtype: str
    targets: str

    @property
    def loss_kind(self) -> fh.LossKind | None:
        """What the student's loss takes and computes."""
        return self.framework.loss_kind(self.description["loss"])

    @property
    def situation(self) -> fh.Situation:
        """What the hints read."""
        return fh.Situation(self.framework, self.description, self.architecture.output, self.loss_kind, self.dtype, self.targets)

    @property
    def trains(self) -> bool:
        """Whether the file defines train_step (then make_optimizer too)."""
        return bool(self.description["has"]["train_step"])


def _evaluate(run: Run, case: Case) -> tuple[FrameworkCase, fh.Evidence]:
    spec = case.spec
    params, X, y = prepare(spec, case.params, case.X, case.y, run.dtype)
    result = FrameworkCase(case.name, spec, X.shape[0])
    answer = unpack(
        run.sandbox.run(
            "evaluate",
            "your model and loss_fn",
            params=pack(params),
            X=pack(X),
            y=pack(student_targets(spec, y, run.targets, run.dtype)),
        )
    )
    trace = evaluate_with(registry.REFERENCE, spec, params, X, y, run.dtype)
    L = spec.n_layers
    evidence = fh.Evidence(
        spec, result.m, run.dtype, params, X, y, trace.z[L], trace.a[L], float(trace.loss), trace.grads, answer["param_dtypes"]
    )
    result.weights = evidence.weights = answer["weights"]
    result.warnings = evidence.warnings = answer["warnings"]
    if "error" in answer:
        _explain_error(run, result, evidence, answer["error"])
        return result, evidence
    evidence.student_loss, evidence.student_grads = float(answer["loss"]), answer["grads"]
    evidence.output_dtype, evidence.loss_dtype = answer["output_dtype"], answer["loss_dtype"]
    _compare(result, "output", answer["output"], expected_output(run.architecture.output, trace.z[L], trace.a[L]), run.dtype)
    _compare(result, "loss", answer["loss"], trace.loss, run.dtype)
    for p in _order(spec):
        _compare(result, f"d{p}", answer["grads"][p], trace.grads[p], run.dtype)
    if run.trains:
        _train(run, case, result, params, X, y)
    return result, evidence


def _explain_error(run: Run, result: FrameworkCase, evidence: fh.Evidence, error: Mapping[str, Any]) -> None:
    """An error of the student's code: a hint when it is a classic framework mistake, else exit 2 with file:line."""
    stage = str(error["stage"])
    line = failure_message(error["failure"], fh.STAGES.get(stage, stage))
    hint = fh.error_hint(stage, error["failure"], run.situation, evidence)
    if hint is None:
        raise InputError(line)
    result.error, result.hints = line, [hint]


def _train(run: Run, case: Case, result: FrameworkCase, params: dict[str, np.ndarray], X: np.ndarray, y: np.ndarray) -> None:
    """train_step twice; each step's loss and parameters against scratch.train with the lecture rule the optimizer is."""
    spec = case.spec
    answer = unpack(
        run.sandbox.run(
            "train",
            "train_step()",
            params=pack(params),
            X=pack(X),
            y=pack(student_targets(spec, y, run.targets, run.dtype)),
            steps=STEPS,
        )
    )
    reading = run.framework.read_optimizer(answer["optimizer"])
    result.optimizer = reading
    result.notes += list(reading.notes)
    if "error" in answer:
        error = answer["error"]
        raise InputError(failure_message(error["failure"], "train_step()"))
    if reading.rule is None or reading.hyper is None or reading.unsupported:
        what = (
            ", ".join(reading.unsupported)
            if reading.unsupported
            else "not one of the lecture's rules (SGD, momentum, Nesterov, Adagrad, RMSprop, Adam)"
        )
        result.notes.append(
            f"your optimizer {answer['optimizer']['type']} ({reading.held}): {what}; the updates are not compared"
        )
        return
    expected = registry.get(registry.REFERENCE).train(
        spec, params, X, y, optimizer=reading.rule, hyper=reading.hyper, batches=[np.arange(X.shape[0])] * STEPS, dtype=run.dtype
    )
    for k, step in enumerate(answer["steps"], start=1):
        if step["loss"] is not None:
            _compare(result, f"loss at step {k}", step["loss"], expected.loss_history[k - 1], run.dtype)
        for p in _order(spec):
            _compare(result, f"{p} after step {k}", step["params"][p], expected.param_history[k - 1][p], run.dtype)
    if any(step["loss"] is None for step in answer["steps"]):
        result.notes.append(
            "your train_step returned no loss (or not one number): only the parameters after each step are compared"
        )
    result.hints += fh.train_hints(spec, params, X, y, run.dtype, reading, answer["steps"], expected.param_history)


# ---------------------------------------------------------------------------------------------
# The check


@dataclass
class FrameworkResult:
    """The student's framework code on every case of one architecture.

    Attributes:
        target: the student's file.
        framework: the student's framework.
        description: what the driver read: the model's items, the loss, the optional functions, the version.
        architecture: the model matched against the spec.
        cases: one :class:`FrameworkCase` per case (none when the architecture differs).
        dtype: the data's and the comparison's dtype.
        targets: how a cce net's y reached ``loss_fn``.
        printed: what the student's code printed.
        dtype_from_model: whether ``dtype`` is the model's own (no ``--dtype`` given).
    """

    target: str
    framework: StudentFramework
    spec: Spec
    description: dict[str, Any]
    architecture: Architecture
    cases: list[FrameworkCase]
    dtype: str
    targets: str
    printed: str = ""
    dtype_from_model: bool = False

    @property
    def passed(self) -> bool:
        """The architecture matches and every case agrees with no mistake found."""
        return not self.architecture.mismatches and all(case.passed for case in self.cases)

    @property
    def hints(self) -> list[Hint]:
        """Every distinct hint over all cases (by key and parameters), in first-seen order."""
        seen: dict[tuple[str, tuple[str, ...]], Hint] = {}
        for case in self.cases:
            for hint in case.hints:
                seen.setdefault((hint.key, hint.params), hint)
        return list(seen.values())

    @property
    def notes(self) -> list[str]:
        """Every distinct note over all cases."""
        return list(dict.fromkeys(note for case in self.cases for note in case.notes))


def _checked_options(
    framework: str, spec: Spec, dtype: str | None, targets: str | None, timeout: float
) -> tuple[StudentFramework, str]:
    chosen = lookup(STUDENT_FRAMEWORKS, framework, "--framework")
    if dtype is not None and dtype not in DTYPES:
        raise InputError(f"--dtype {dtype!r}: choose from {', '.join(DTYPES)}")
    if targets is not None and targets not in TARGETS:
        raise InputError(f"--targets {targets!r}: choose from {', '.join(TARGETS)}")
    if targets is not None and spec.loss != "cce":
        raise InputError(f"--targets is for cce nets (class labels or one-hot rows); {spec}'s {spec.loss} targets are floats")
    if not (math.isfinite(timeout) and timeout > 0):
        raise InputError(f"--timeout: expected a number of seconds > 0, got {timeout}")
    return chosen, targets or "labels"


def model_dtype(param_dtypes: Sequence[str]) -> str:
    """The dtype a check without ``--dtype`` runs in: the model's own when all its parameters are float32, else float64."""
    return "float32" if list(param_dtypes) == ["float32"] else "float64"


def _checked_file(target: str) -> Path:
    path = Path(target)
    if path.suffix != ".py":
        raise InputError(f"{shown(target)}: expected a Python file FILE.py, got {shown(path.name)}")
    if not path.is_file():
        raise InputError(f"{shown(path)}: no such file")
    return path


def _described(sandbox: Sandbox, path: Path, framework: StudentFramework, spec: Spec) -> dict[str, Any]:
    description: dict[str, Any] = sandbox.run("describe", "build_model()", n_inputs=spec.sizes[0])
    if "error" in description:
        error = description["error"]
        raise InputError(failure_message(error["failure"], fh.STAGES[error["stage"]]))
    if "missing" in description:
        missing = " and ".join(description["missing"])
        defined = ", ".join(description["defined"]) or "none"
        raise InputError(
            f"{shown(path)}: no {missing} (names defined there: {defined}); a --framework {framework.name} file defines "
            f"build_model() and loss_fn, optionally make_optimizer and train_step (docs/students.md)"
        )
    has = description["has"]
    if has["train_step"] and not has["make_optimizer"]:
        raise InputError(
            f"{shown(path)}: train_step(model, loss_fn, optimizer, X, y) needs an optimizer: define {framework.make_optimizer}"
        )
    return description


def check_framework_file(
    target: str,
    framework: str,
    arch: str,
    seed: int = DEFAULT_SEED,
    *,
    dtype: str | None = None,
    targets: str | None = None,
    timeout: float = TIMEOUT,
    weights: str | None = None,
    data: str | None = None,
    label: str | None = None,
) -> FrameworkResult:
    """Check the student's PyTorch or Keras file on every case of ``arch`` (compare.students.student.cases_for).

    Args:
        target: the student's ``FILE.py``.
        framework: ``torch`` or ``keras`` (:data:`STUDENT_FRAMEWORKS`).
        arch: a built-in case or a SPEC.
        seed: weights of cases without published ones.
        dtype: the data's dtype, which the student's model must compute in, and the tolerances'; None: the
            dtype of the model's parameters (float64 where they are not all float32).
        targets: for a cce net, ``labels`` (default) or ``onehot``: what ``loss_fn`` receives as y.
        timeout: seconds for the file's top-level code and for each request (describe, evaluate, train).
        weights: a weights file replacing the cases' weights.
        data: a data file replacing their data.
        label: the CSV's label column(s).

    Returns:
        A :class:`FrameworkResult`.

    Raises:
        InputError: bad options, a missing file or name, or the student's code failing in a way no hint
            explains (one line, with the student's file:line).
    """
    path = _checked_file(target)
    cases = cases_for(arch, seed, weights, data, label)
    spec = cases[0].spec
    chosen, targets = _checked_options(framework, spec, dtype, targets, timeout)
    with Sandbox(path, (), timeout, driver=chosen.driver) as sandbox:
        description = _described(sandbox, path, chosen, spec)
        architecture = match_architecture(description["items"], spec, chosen)
        chosen_dtype = dtype or model_dtype(description["param_dtypes"])
        result = FrameworkResult(target, chosen, spec, description, architecture, [], chosen_dtype, targets, "", dtype is None)
        if not architecture.mismatches:
            run = Run(sandbox, chosen, description, architecture, chosen_dtype, targets)
            for case in cases:
                checked, evidence = _evaluate(run, case)
                hints = (
                    checked.hints
                    + fh.case_hints(run.situation, checked.weights, evidence)
                    + fh.leaky_hints(architecture.activations())
                )
                checked.hints = list({(h.key, h.params): h for h in hints}.values())
                result.cases.append(checked)
        result.printed = sandbox.output
    return result
