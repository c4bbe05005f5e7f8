"""The parts of ``check --framework``: the architecture match, the weights' layout test, the training replay, the
frameworks' own optimizer rules (each against the framework itself), and the sandbox's containment and the options.

The hypotheses of compare.students.framework_hints that model a framework's own rule (Keras's
Adam, Adagrad and RMSprop, torch's dampened momentum) are checked here against that framework's
optimizer on fixed gradients: a hint may only name a rule its framework really follows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compare.students import framework_hints as fh
from compare.students.framework_check import STUDENT_FRAMEWORKS, match_architecture
from compare.students.framework_driver import pack, unpack, weight_status
from core.optimizers import Hyperparameters
from core.spec import parse_spec
from helpers import run_in
from scratch.optimizers import RULES
from scratch.train import train

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
SPIRAL = parse_spec("2-4-3:relu,softmax:cce")
TORCH = STUDENT_FRAMEWORKS["torch"]


def linear(name: str, n_in: int, n_out: int, bias: bool = True) -> dict:
    return {"name": name, "type": "Linear", "kind": "linear", "n_in": n_in, "n_out": n_out, "bias": bias}


def act(name: str, activation: str, **extra: object) -> dict:
    return {"name": name, "type": activation.title(), "kind": "activation", "activation": activation, **extra}


@pytest.mark.parametrize(
    "items, output",
    [
        ([linear("0", 2, 4), act("1", "relu"), linear("2", 4, 3)], "logits"),
        ([linear("0", 2, 4), act("1", "relu"), linear("2", 4, 3), act("3", "softmax", dim=1)], "probabilities"),
        ([linear("0", 2, 4), act("1", "relu"), linear("2", 4, 3), act("3", "log_softmax", dim=-1)], "log_probabilities"),
    ],
    ids=["logits", "softmax", "log-softmax"],
)
def test_a_cce_net_may_end_at_logits_probabilities_or_log_probabilities(items, output):
    architecture = match_architecture(items, SPIRAL, TORCH)
    assert architecture.mismatches == [] and architecture.output == output


def test_each_architecture_mismatch_is_one_line_naming_the_layer():
    items = [
        act("a", "relu"),
        linear("0", 2, 5, bias=False),
        act("1", "tanh"),
        linear("2", 5, 3),
        act("3", "softmax", dim=0),
        {"name": "4", "type": "Dropout", "kind": "other"},
    ]
    assert match_architecture(items, SPIRAL, TORCH).mismatches == [
        "Relu 'a' comes before the first Linear layer: the lecture nets start with W_1 x + b_1",
        "Dropout '4' is not part of the lecture nets (only Linear layers and activations): remove it",
        "layer 1: Linear '0' (2 -> 5), but 2-4-3:relu,softmax:cce's layer 1 is 2 -> 4",
        "layer 1: Linear '0' has no bias; the lecture nets' z_l = W_l a_(l-1) + b_l needs one",
        "layer 1: after Linear '0' (2 -> 5) your model applies tanh (Tanh '1'); 2-4-3:relu,softmax:cce has relu there",
        "layer 2: Linear '2' (5 -> 3), but 2-4-3:relu,softmax:cce's layer 2 is 4 -> 3",
        "layer 2: Softmax '3' normalises over dim=0, the samples; the classes are the last axis (1)",
    ]


def test_a_squared_error_output_needs_its_activation():
    spec = parse_spec("2-2-2:sigmoid,sigmoid:sse")
    items = [linear("0", 2, 2), act("1", "sigmoid"), linear("2", 2, 2)]
    assert match_architecture(items, spec, TORCH).mismatches == [
        "layer 2: after Linear '2' (2 -> 2) your model applies no activation; 2-2-2:sigmoid,sigmoid:sse has sigmoid there"
    ]


def test_the_weights_layout_test_tells_loaded_transposed_and_random_apart():
    W, b = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([0.35, 0.35])
    params = {"W1": W, "b1": b}
    assert weight_status({"W1": W.astype(np.float32), "b1": b}, params, 1) == "loaded"  # float32 rounding is the same weights
    assert weight_status({"W1": W.T.copy(), "b1": b}, params, 1) == "transposed"
    assert weight_status({"W1": W.T.copy(), "b1": b + 0.1}, params, 1) == "replaced"
    assert weight_status({"W1": W + 1e-3, "b1": b}, params, 1) == "replaced"
    symmetric = np.array([[0.1, 0.2], [0.2, 0.1]])
    assert weight_status({"W1": symmetric, "b1": b}, {"W1": symmetric, "b1": b}, 1) == "loaded"


def test_arrays_cross_the_process_boundary_exactly():
    values = {"a": np.array([[0.1, 1 / 3]]), "b": np.array([0.1], dtype=np.float32), "c": np.array([2, 0]), "d": [1.5, None]}
    back = unpack(json.loads(json.dumps(pack(values))))
    for name in "abc":
        assert back[name].dtype == values[name].dtype and np.array_equal(back[name], values[name])
    assert back["d"] == [1.5, None]


@pytest.mark.parametrize("rule", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_the_replay_of_the_lecture_rule_is_scratch_trains_trajectory(rule):
    case_params = {"W1": np.array([[0.3, -0.2], [0.1, 0.5], [-0.4, 0.2], [0.2, 0.1]]), "b1": np.array([0.1, 0.0, -0.1, 0.2])}
    case_params |= {"W2": np.array([[0.2, -0.3, 0.1, 0.4], [0.5, 0.1, -0.2, 0.3], [-0.1, 0.2, 0.3, -0.4]]), "b2": np.zeros(3)}
    X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [0.9, 0.9], [-1.2, -0.4]])
    y = np.array([0, 1, 2, 1, 0])
    hyper = Hyperparameters(learning_rate=0.1, epsilon=1e-8, initial_accumulator=0.0)
    expected = train(SPIRAL, case_params, X, y, optimizer=rule, hyper=hyper, batches=[np.arange(5)] * 2).param_history
    replayed = fh.replay(SPIRAL, case_params, X, y, "float64", RULES[rule], hyper, 2)
    for theta, reference in zip(replayed, expected, strict=True):
        for p in reference:
            np.testing.assert_array_equal(theta[p], reference[p])


GRADIENTS = [np.array([0.5, -0.02, 1e-3]), np.array([-0.25, 0.04, 2e-3])]
KERAS_STEPS = """
import json, keras_impl, keras, numpy as np
grads = [np.array(g) for g in json.loads('GRADS')]
out = {}
optimizers = [("Adam", keras.optimizers.Adam(learning_rate=0.01)), ("Adagrad", keras.optimizers.Adagrad(learning_rate=0.1)),
              ("RMSprop", keras.optimizers.RMSprop(learning_rate=0.01))]
for name, optimizer in optimizers:
    variable = keras.Variable(np.array([0.3, -0.1, 0.2]), dtype="float64")
    path = []
    for g in grads:
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), variable)])
        path.append(keras.ops.convert_to_numpy(variable).tolist())
    settings = {k: v for k, v in optimizer.get_config().items() if isinstance(v, float)}
    cast = {k: float(keras.ops.convert_to_numpy(keras.ops.cast(v, "float64"))) for k, v in settings.items()}
    out[name] = {"path": path, "settings": settings, "cast": cast}
print(json.dumps(out))
"""


def _rule_path(rule, hyper: Hyperparameters) -> list[np.ndarray]:
    theta, state, out = np.array([0.3, -0.1, 0.2]), {}, []
    for t, g in enumerate(GRADIENTS, start=1):
        theta = rule(theta, g, state, hyper, t)
        out.append(theta)
    return out


def test_keras_own_optimizer_rules_are_what_keras_does():
    """Keras's Adam (epsilon before the bias correction), Adagrad (r_0 = 0.1, epsilon inside the root) and RMSprop."""
    runs = json.loads(run_in("keras", KERAS_STEPS.replace("GRADS", json.dumps([g.tolist() for g in GRADIENTS]))).splitlines()[-1])
    for name, run in runs.items():
        reading = fh.read_keras_optimizer({"type": name, "settings": run["settings"], "effective": run["cast"]})
        assert reading.own is not None and reading.hyper is not None
        for ours, keras_value in zip(_rule_path(reading.own[0], reading.hyper), run["path"], strict=True):
            np.testing.assert_allclose(ours, keras_value, rtol=1e-14, atol=0)
        lecture = _rule_path(RULES[str(reading.rule)], reading.hyper)
        assert not np.allclose(lecture[-1], run["path"][-1], rtol=1e-10, atol=1e-12)  # the lecture's rule is another one


def test_torch_dampened_momentum_is_what_torch_does():
    import torch

    theta = torch.tensor([0.3, -0.1, 0.2], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=0.1, momentum=0.9, dampening=0.9)
    path = []
    for g in GRADIENTS:
        theta.grad = torch.tensor(g)
        optimizer.step()
        path.append(theta.detach().numpy().copy())
    reading = fh.read_torch_optimizer(
        {"type": "SGD", "effective": dict(optimizer.param_groups[0]), "groups": 1, "covers_all": True}
    )
    assert reading.rule == "momentum" and reading.own is not None and reading.hyper is not None
    for ours, torch_value in zip(_rule_path(reading.own[0], reading.hyper), path, strict=True):
        np.testing.assert_allclose(ours, torch_value, rtol=1e-15, atol=0)


LEAKY = """
import inspect, json, keras_impl, keras
print(json.dumps({"LeakyReLU": keras.layers.LeakyReLU().negative_slope,
                  "activation": inspect.signature(keras.activations.leaky_relu).parameters["negative_slope"].default}))
"""


def test_the_leaky_defaults_the_hint_names_are_keras_own():
    defaults = json.loads(run_in("keras", LEAKY).splitlines()[-1])
    assert fh.LEAKY_DEFAULTS["LeakyReLU"][0] == defaults["LeakyReLU"] == 0.3
    assert fh.LEAKY_DEFAULTS["Dense"][0] == fh.LEAKY_DEFAULTS["Activation"][0] == defaults["activation"] == 0.2
    from torch import nn

    assert nn.LeakyReLU().negative_slope == 0.01  # torch's default is the lectures' slope: no hint


# ---------------------------------------------------------------------------------------------
# The sandbox holds a framework file as it holds a NumPy one; the options say what does not apply


def _check(path: Path, *options: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "compare", "check", str(path), "--framework", "torch", "--arch", "spiral-2-4-3", *options]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)


MODEL = "from torch import nn\nloss_fn = nn.CrossEntropyLoss()\n"


@pytest.mark.parametrize(
    "body, error",
    [
        (
            MODEL + "def build_model():\n    while True:\n        pass\n",
            r"student.py:[45]: in build_model: build_model\(\) did not finish within 2 s \(--timeout SECONDS changes the limit\)",
        ),
        (
            MODEL + "import sys\nsys.exit(3)\n",
            r"student.py:4: your file's top-level code called sys.exit\(3\); a checked function must return, not exit",
        ),
        (
            MODEL
            + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            + "        self.a = nn.Linear(2, 3).double()\n"
            + "    def forward(self, x):\n        return self.a(x) + undefined\n"
            + "def build_model():\n    return Net()\n",
            r"student.py:8: in forward: your model's forward pass raised NameError: name 'undefined' is not defined",
        ),
    ],
    ids=["endless-build_model", "sys-exit", "crash-in-forward"],
)
def test_student_code_that_hangs_exits_or_crashes_is_one_line_with_its_file_and_line(tmp_path, body, error):
    import re

    path = tmp_path / "student.py"
    path.write_text(body)
    done = _check(path, "--timeout", "2")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert re.search(error, done.stderr), done.stderr


def test_what_the_file_prints_is_kept_apart_from_the_json(tmp_path):
    path = tmp_path / "student.py"
    path.write_text(
        "print('loading my net')\nfrom torch import nn\nloss_fn = nn.CrossEntropyLoss()\n"
        "def build_model():\n    print('building')\n"
        "    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()\n"
    )
    done = _check(path, "--format", "json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["passed"]
    assert report["printed"].splitlines()[:2] == ["loading my net", "building"]


@pytest.mark.parametrize(
    "argv, error",
    [
        (
            ["--framework", "torch", "--convention", "columns"],
            "--convention: for a NumPy backprop function, not with --framework",
        ),
        (["--dtype", "float32"], "--dtype: only with --framework torch|keras"),
        (["--framework", "torch", "--targets", "onehot", "--arch", "worked-2-2-2"], "--targets is for cce nets"),
        (["--framework", "jax"], "argument --framework: invalid choice: 'jax'"),
    ],
    ids=["convention", "dtype-without-framework", "targets-not-cce", "unknown-framework"],
)
def test_options_that_do_not_apply_are_refused_before_the_file_runs(argv, error):
    base = ["check", str(ROOT / "examples" / "students" / "torch_spiral.py"), "--arch", "spiral-2-4-3"]
    done = subprocess.run([sys.executable, "-m", "compare", *base, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert error in done.stderr, done.stderr


# ---------------------------------------------------------------------------------------------
# The hints that no planted file needs, on numbers made here: k times scratch's, or no update at all


def _evidence(arch: str, k: float) -> fh.Evidence:
    from compare.students.student import seeded_case
    from core.validate import prepare
    from scratch.model import evaluate

    spec = parse_spec(arch)
    case = seeded_case(spec)
    params, X, y = prepare(spec, case.params, case.X, case.y, "float64")
    trace = evaluate(spec, params, X, y)
    evidence = fh.Evidence(spec, 5, "float64", params, X, y, trace.z[2], trace.a[2], trace.loss, trace.grads, ["float64"])
    evidence.student_loss = k * trace.loss
    evidence.student_grads = {p: k * g for p, g in trace.grads.items()}
    evidence.output_dtype = evidence.loss_dtype = "float64"
    return evidence


def _situation(loss: dict, output: str = "logits") -> fh.Situation:
    return fh.Situation(TORCH, {"loss": loss}, output, fh.torch_loss_kind(loss), "float64", "labels")


@pytest.mark.parametrize(
    "arch, k, loss, key, words",
    [
        (
            "2-4-3:relu,softmax:cce",
            5.0,
            {"type": "CrossEntropyLoss", "reduction": "sum"},
            "loss_summed",
            "m = 5 times the mean's",
        ),
        ("2-3-2:sigmoid,sigmoid:sse", 2.0, {"type": "loss_fn"}, "sse_half_missing", "2 times the lecture's: the 1/2 is missing"),
        ("2-3-2:sigmoid,sigmoid:sse", 3.0, {"type": "loss_fn"}, "loss_scale", "are 3 times the lecture's"),
        ("2-3-3:sigmoid,sigmoid:sse", 2 / 3, {"type": "MSELoss", "reduction": "mean"}, "mse_mean", "2 / n_L = 0.666667 times E"),
        ("2-3-3:sigmoid,sigmoid:sse", 2.0 * 5, {"type": "MSELoss", "reduction": "sum"}, "mse_sum", "10 times E"),
    ],
    ids=["summed", "half-missing", "another-factor", "mse-mean", "mse-sum"],
)
def test_a_loss_k_times_the_lectures_with_every_gradient_is_named_by_its_reduction(arch, k, loss, key, words):
    hints = fh.scale_hints(_situation(loss), _evidence(arch, k))
    assert [h.key for h in hints] == [key] and words in hints[0].message


def test_no_scale_hint_when_only_the_loss_is_scaled():
    evidence = _evidence("2-4-3:relu,softmax:cce", 5.0)
    evidence.student_grads = {p: g.copy() for p, g in evidence.grads.items()}
    assert fh.scale_hints(_situation({"type": "CrossEntropyLoss"}), evidence) == []


@pytest.mark.parametrize(
    "arch, loss, output, key",
    [
        ("2-4-3:relu,softmax:cce", {"type": "NLLLoss"}, "probabilities", "nll_input"),
        ("2-4-3:relu,softmax:cce", {"type": "BCELoss"}, "probabilities", "loss_family"),
        ("2-4-3:relu,softmax:cce", {"type": "NLLLoss"}, "log_probabilities", None),
        ("2-4-3:relu,softmax:cce", {"type": "CrossEntropyLoss"}, "log_probabilities", None),  # log_softmax then softmax: the same
        ("2-3-2:sigmoid,sigmoid:sse", {"type": "MSELoss", "reduction": "mean"}, "values", None),  # E for n_L = 2
    ],
    ids=["nll-on-probabilities", "bce-on-a-cce-net", "nll-on-log-softmax", "cross-entropy-on-log-softmax", "mse-on-sse"],
)
def test_what_the_loss_takes_against_what_the_model_returns(arch, loss, output, key):
    hints = fh.case_hints(_situation(loss, output), ["replaced", "replaced"], _evidence(arch, 1.0))
    assert [h.key for h in hints] == ([key] if key else [])


def test_parameters_that_never_move_are_no_update():
    evidence = _evidence("2-4-3:relu,softmax:cce", 1.0)
    reading = fh.read_torch_optimizer({"type": "SGD", "effective": {"lr": 0.1, "momentum": 0}, "groups": 1, "covers_all": True})
    steps = [{"loss": evidence.loss, "params": evidence.params}] * 2
    lecture = fh.replay(evidence.spec, evidence.params, evidence.X, evidence.y, "float64", RULES["sgd"], reading.hyper, 2)
    hints = fh.train_hints(evidence.spec, evidence.params, evidence.X, evidence.y, "float64", reading, steps, lecture)
    assert [h.key for h in hints] == ["no_update"] and "SGD(lr=0.1)" in hints[0].message


def test_a_loss_of_another_kind_that_raises_is_named_not_a_crash():
    """MSELoss on a cce net's labels raises on their shape; the hint names the net's loss instead."""
    failure = {
        "type": "RuntimeError",
        "message": "The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1",
    }
    situation = _situation({"type": "MSELoss", "reduction": "mean"})
    hint = fh.error_hint("loss", failure, situation, _evidence("2-4-3:relu,softmax:cce", 1.0))
    assert hint is not None and hint.key == "loss_family"
    assert "is a cce net, l = -log softmax(z_L)_y" in hint.message and hint.message.endswith("use CrossEntropyLoss")
    assert (
        fh.error_hint("loss", failure, _situation({"type": "CrossEntropyLoss"}), _evidence("2-4-3:relu,softmax:cce", 1.0)) is None
    )


def test_the_zero_grad_hint_quotes_the_rule_the_optimizer_was_read_as():
    assert fh._descent("sgd") == "ED5340 L26: W = W - alpha dW, each step with that step's gradient"
    momentum = "Polyak (1964); Sutskever et al. (2013) eq. 1-2: v <- mu v - eta g; theta <- theta + v"
    assert fh._descent("momentum").startswith(momentum)
    assert fh._descent("adam").startswith("Kingma & Ba (2015) Algorithm 1: m <- b1 m + (1 - b1) g")
