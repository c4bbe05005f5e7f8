"""``python -m compare check FILE --framework torch|keras``: students' own PyTorch and Keras files, through the CLI.

Every file of examples/students/ named torch_*.py or keras_*.py holds, in its docstring, the
command that checks it; each runs once here, as a user runs it (``python -m compare check ...``,
the file in its own sandbox process), all of them started together by one module-scoped
fixture. The correct files must exit 0; each planted mistake must exit 1 with exactly the hint
its docstring names (the expected hint comes from that label, in :data:`PLANTED`, not from the
checker); the numbers the hints rest on are derived here independently: Mazur's published
values, or NumPy written out in the test.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from compare.data.cases import get_case
from compare.students.student import seeded_case
from core.spec import parse_spec
from core.validate import prepare
from helpers import shared_across_workers
from scratch.model import evaluate, forward

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = ROOT / "examples" / "students"
F64 = {"rtol": 1e-10, "atol": 1e-12}  # compare/parity/tolerances.py, float64

CORRECT = [
    "torch_worked_2_2_2.py",
    "torch_lecture_4_4_1.py",
    "torch_lecture_4_4_3.py",
    "torch_spiral.py",
    "keras_worked_2_2_2.py",
    "keras_lecture_4_4_1.py",
    "keras_lecture_4_4_3.py",
    "keras_spiral.py",
]

# file -> (the hint its docstring's label names, a phrase of the lecture equation or documentation the hint must cite)
PLANTED = {
    "torch_double_softmax.py": ("double_softmax", "Session-5 backprop: dz2 = probs - onehot"),
    "torch_double_softmax_function.py": ("double_softmax", "your loss function applies its own, so softmax runs twice"),
    "torch_double_sigmoid.py": ("double_sigmoid", "ED5340 L26: dZ[2] = A[2] - Y"),
    "torch_logits_into_bceloss.py": ("logits_into_probability_loss", "torch.nn.BCELoss"),
    "torch_mse_mean.py": ("mse_mean", "Mazur's worked example: E_total = sum 1/2 (target - out)^2"),
    "torch_mse_sum.py": ("mse_sum", "Mazur's worked example: E_total = sum 1/2 (target - out)^2"),
    "torch_zero_grad_missing.py": ("zero_grad_missing", "ED5340 L26: W = W - alpha dW"),
    "torch_backward_twice.py": ("backward_twice", "the gradient is accumulated into .grad"),
    "torch_target_shape.py": ("torch_targets", "target = floats of the input's shape"),
    "torch_onehot_long_targets.py": ("torch_targets", "torch.nn.CrossEntropyLoss: target = int64 class indices"),
    "torch_weights_transposed.py": ("weights_layout", "CS60050 backprop: W_l[j, k] = w^l_jk"),
    "torch_float32_model.py": ("float_dtype", "mat1 and mat2 must have the same dtype"),
    "torch_sgd_dampening.py": ("optimizer_rule", "Sutskever et al. (2013)"),
    "torch_mse_on_labels.py": ("loss_family", "Session-5 backprop: 2-4-3:relu,softmax:cce is a cce net"),
    "torch_nll_on_logits.py": ("nll_input", "expected to contain log-probabilities of each class"),
    "torch_no_step.py": ("no_update", "ED5340 L26: W = W - alpha dW"),
    "torch_cross_entropy_sum.py": ("loss_summed", "CS60050 backprop: J = (1/n) sum_i L(x_i, y_i)"),
    "torch_sse_no_half.py": ("sse_half_missing", "Mazur's worked example: E_total = sum 1/2 (target - out)^2"),
    "torch_fixed_batch_size.py": ("loss_scale", "CS60050 backprop: J = (1/n) sum_i L(x_i, y_i)"),
    "torch_backward_twice_no_zero_grad.py": ("backward_twice_zero_grad_missing", "the gradient is accumulated into .grad"),
    "keras_double_softmax.py": ("double_softmax", "Session-5 backprop: dz2 = probs - onehot"),
    "keras_logits_from_logits_false.py": ("logits_into_probability_loss", "from_logits"),
    "keras_cce_integer_labels.py": ("cce_integer_labels", "one_hot representation"),
    "keras_sparse_onehot.py": ("sparse_onehot_labels", "labels to be provided as integers"),
    "keras_weights_not_transposed.py": ("weights_layout", "CS60050 backprop: W_l[j, k] = w^l_jk"),
    "keras_leaky_default.py": ("leaky_slope", "ED5340 L25: Leaky ReLU = max(0.01 z, z)"),
    "keras_float32_model.py": ("float_dtype", "keras.layers.Dense casts its input"),
    "keras_adam_defaults.py": ("optimizer_rule", "Kingma & Ba (2015) Algorithm 1"),
    "keras_adagrad_defaults.py": ("optimizer_rule", "Duchi, Hazan & Singer (2011)"),
    "keras_rmsprop_defaults.py": ("optimizer_rule", "Hinton, Neural Networks for Machine Learning, lecture 6e"),
    "keras_leaky_string.py": ("leaky_slope", "ED5340 L25: Leaky ReLU = max(0.01 z, z)"),
    "keras_double_sigmoid.py": ("double_sigmoid", "ED5340 L26: dZ[2] = A[2] - Y"),
}
MISMATCHES = ["torch_wrong_activation.py", "keras_missing_layer.py", "keras_wrong_width.py"]
MISSING_NAMES = ["torch_no_loss_fn.py", "torch_no_build_model.py"]
# the code most tutorials teach: float32 models (nn.Linear's and Dense's default), checked in their own dtype
FLOAT32_CORRECT = ["keras_spiral_float32.py"]


def command(filename: str) -> list[str]:
    """The ``python -m compare check ...`` line of the file's docstring, as argv after ``python -m compare``."""
    docstring = ast.get_docstring(ast.parse((STUDENTS / filename).read_text(encoding="utf-8"))) or ""
    line = next(line.strip() for line in docstring.splitlines() if line.strip().startswith("python -m compare check"))
    return shlex.split(line)[3:]


# run id -> (argv after "python -m compare", extra environment)
RUNS: dict[str, tuple[list[str], dict[str, str]]] = {
    name: (command(name), {}) for name in CORRECT + list(PLANTED) + MISMATCHES + FLOAT32_CORRECT
}
RUNS["keras_double_softmax.py on torch"] = (command("keras_double_softmax.py"), {"KERAS_BACKEND": "torch"})
RUNS["torch_float32_model.py in its own dtype"] = (command("torch_float32_model.py")[:-2], {})
RUNS.update({name: (command(name), {}) for name in MISSING_NAMES})


def _cli(argv: list[str], env: dict[str, str]) -> tuple[int, Any, str]:
    done = subprocess.run(
        [sys.executable, "-m", "compare", *argv, "--format", "json"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else None, done.stderr


def _run_all() -> dict[str, tuple[int, Any, str]]:
    """Every run of :data:`RUNS`, three at a time (each is one student process, as the CLI starts it)."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {key: pool.submit(_cli, *run) for key, run in RUNS.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.fixture(scope="module")
def ran(tmp_path_factory, worker_id) -> dict[str, tuple[int, Any, str]]:
    """:func:`_run_all`, once for all the xdist workers (47 CLI processes, minutes on 2 CPUs)."""
    runs: dict[str, tuple[int, Any, str]] = shared_across_workers(tmp_path_factory, worker_id, "check_framework", _run_all)
    return runs


def test_every_torch_and_keras_example_is_run_here():
    examples = {p.name for p in STUDENTS.glob("*.py") if p.name.startswith(("torch_", "keras_"))}
    assert examples == set(CORRECT) | set(PLANTED) | set(MISMATCHES) | set(FLOAT32_CORRECT) | set(MISSING_NAMES)


@pytest.mark.parametrize("filename", CORRECT)
def test_a_correct_file_for_each_lecture_net_passes(ran, filename):
    code, report, stderr = ran[filename]
    assert code == 0, stderr or [h["message"] for h in report["hints"]]
    assert report["passed"] and report["hints"] == [] and report["model"]["matches"]
    assert report["dtype"] == "float64"  # every correct file builds its model in float64
    checks = [c for case in report["cases"] for c in case["checks"]]
    assert checks and all(c["passed"] for c in checks)
    quantities = {c["quantity"] for c in checks}
    assert {"output", "loss", "dW1", "db1", "W1 after step 2", "loss at step 2"} <= quantities


@pytest.mark.parametrize("filename", ["torch_worked_2_2_2.py", "keras_worked_2_2_2.py"])
def test_one_step_of_the_worked_example_gives_mazurs_updated_weights(ran, filename):
    """Mazur's worked example prints w5+ = 0.35891648, w6+ = 0.408666186, w7+ = 0.511301270, w8+ = 0.561370121."""
    case = ran[filename][1]["cases"][0]
    assert case["name"] == "worked-2-2-2"
    W2 = np.array(case["yours"]["W2 after step 1"])
    np.testing.assert_allclose(W2, [[0.35891648, 0.408666186], [0.511301270, 0.561370121]], rtol=0, atol=5e-9)
    assert abs(case["yours"]["loss at step 1"] - 0.298371109) < 5e-10  # E_total on the slide


@pytest.mark.parametrize("filename", list(PLANTED))
def test_each_planted_mistake_gets_its_hint_and_exit_1(ran, filename):
    key, cites = PLANTED[filename]
    code, report, stderr = ran[filename]
    assert code == 1, stderr
    assert not report["passed"] and report["model"]["matches"]
    assert [h["key"] for h in report["hints"]] == [key]
    assert cites in report["hints"][0]["message"]


def _loss(ran: Any, run: str, case: int = 0) -> float:
    return float(ran[run][1]["cases"][case]["yours"]["loss"])


def test_double_softmax_is_the_cross_entropy_of_the_softmax_of_the_probabilities(ran):
    case = get_case("spiral-2-4-3")
    params, X, y = prepare(case.spec, case.params, case.X, case.y, "float64")
    _, a = forward(case.spec, params, X)
    p = np.exp(a[2]) / np.exp(a[2]).sum(axis=1, keepdims=True)  # softmax applied to the probabilities a_2
    twice = float(-np.log(p[np.arange(len(y)), y]).mean())
    assert abs(_loss(ran, "torch_double_softmax.py") - twice) <= F64["atol"] + F64["rtol"] * twice
    assert abs(_loss(ran, "torch_double_softmax_function.py") - twice) <= F64["atol"] + F64["rtol"] * twice
    assert abs(_loss(ran, "keras_double_softmax.py on torch") - twice) <= F64["atol"] + F64["rtol"] * twice
    assert "is the cce of softmax(softmax(z_L))" in ran["keras_double_softmax.py on torch"][1]["hints"][0]["message"]


def test_keras_on_tensorflow_rescues_the_double_softmax_and_the_hint_says_so(ran):
    report = ran["keras_double_softmax.py"][1]
    right = evaluate(parse_spec("2-4-3:relu,softmax:cce"), *_prepared("spiral-2-4-3")).loss
    assert abs(_loss(ran, "keras_double_softmax.py") - right) <= F64["atol"] + F64["rtol"] * right
    assert report["backend"] == "tensorflow"
    assert "used its logits" in report["hints"][0]["message"] and "from_logits=True" in report["hints"][0]["message"]
    assert ran["keras_double_softmax.py on torch"][1]["backend"] == "torch"


def _prepared(name: str) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    case = get_case(name)
    return prepare(case.spec, case.params, case.X, case.y, "float64")


def test_mse_with_sum_is_twice_mazurs_e_total(ran):
    assert abs(_loss(ran, "torch_mse_sum.py") - 2 * 0.298371109) < 1e-9  # E_total = 0.298371109 on the slide


def test_mse_mean_on_one_output_is_twice_the_lectures_e(ran):
    spec = parse_spec("2-2-1:sigmoid,sigmoid:sse")
    seeded = seeded_case(spec)
    params, X, y = prepare(spec, seeded.params, seeded.X, seeded.y, "float64")
    _, a = forward(spec, params, X)
    E = float((0.5 * ((y - a[2]) ** 2).sum(axis=1)).mean())
    assert abs(_loss(ran, "torch_mse_mean.py") - 2 * E) <= F64["atol"] + F64["rtol"] * 2 * E


def test_backward_twice_moves_w5_by_twice_mazurs_gradient(ran):
    """w5 = 0.40 and dE_total/dw5 = 0.082167041 on the slide: with eta = 0.5 and the gradient doubled, w5 -> 0.317832959."""
    case = ran["torch_backward_twice.py"][1]["cases"][0]
    assert abs(case["yours"]["W2 after step 1"][0][0] - (0.40 - 2 * 0.5 * 0.082167041)) < 1e-9


def test_without_zero_grad_step_2_differs_by_exactly_step_1s_gradient(ran):
    case_report = ran["torch_zero_grad_missing.py"][1]["cases"][0]
    spec = parse_spec("2-4-3:relu,softmax:cce")
    theta0, X, y = _prepared("spiral-2-4-3")
    g0 = evaluate(spec, theta0, X, y).grads
    theta1 = {p: theta0[p] - 1.0 * g0[p] for p in theta0}  # eta = 1.0, SGD
    g1 = evaluate(spec, theta1, X, y).grads
    for p in theta0:
        np.testing.assert_allclose(case_report["yours"][f"{p} after step 1"], theta1[p], **F64)
        np.testing.assert_allclose(case_report["yours"][f"{p} after step 2"], theta1[p] - 1.0 * (g0[p] + g1[p]), **F64)
        assert np.abs(g0[p]).max() > 1e-6  # the difference is visible
    assert "-eta x step 1's d" in ran["torch_zero_grad_missing.py"][1]["hints"][0]["message"]


def test_keras_momentum_is_compared_as_keras_holds_it_and_the_note_says_so(ran):
    """Keras on TensorFlow casts momentum=0.9 through float32; the lecture's rule with 0.9 itself is another trajectory."""
    report = ran["keras_lecture_4_4_3.py"][1]
    assert "Keras holds momentum=0.9 as 0.8999999761581421" in report["notes"][0]
    from core.optimizers import Hyperparameters
    from scratch.train import train

    spec = parse_spec("4-4-3:sigmoid,softmax:cce")
    params, X, y = _prepared("lecture-4-4-3-softmax")
    yours = report["cases"][0]["yours"]["W1 after step 2"]
    for momentum, same in ((float(np.float32(0.9)), True), (0.9, False)):
        hyper = Hyperparameters(learning_rate=0.5, momentum=momentum)
        W1 = train(spec, params, X, y, optimizer="momentum", hyper=hyper, batches=[np.arange(1)] * 2).param_history[1]["W1"]
        assert np.allclose(yours, W1, **F64) is same


def test_the_layout_hints_name_the_transposed_weights(ran):
    for filename in ("torch_weights_transposed.py", "keras_weights_not_transposed.py"):
        report = ran[filename][1]
        assert report["hints"][0]["params"] == ["W1", "W2"]
        worked, seeded = report["cases"]
        assert worked["weights"] == ["transposed", "transposed"] and seeded["weights"] == ["replaced", "replaced"]
        assert not worked["passed"] and seeded["passed"]
    assert "load W_l itself" in ran["torch_weights_transposed.py"][1]["hints"][0]["message"]
    assert "load W_l.T" in ran["keras_weights_not_transposed.py"][1]["hints"][0]["message"]


def test_keras_default_leaky_slope_and_optimizer_rules_are_shown_with_numbers(ran):
    assert "negative_slope=0.3 (keras.layers.LeakyReLU()'s default" in ran["keras_leaky_default.py"][1]["hints"][0]["message"]
    adam = ran["keras_adam_defaults.py"][1]["hints"][0]["message"]
    assert "eps = 1e-07 is added to sqrt(v) before the bias correction" in adam and "relative" in adam
    assert "initial_accumulator_value = 0.1" in ran["keras_adagrad_defaults.py"][1]["hints"][0]["message"]
    assert "dampening=0.9" in ran["torch_sgd_dampening.py"][1]["hints"][0]["message"]


@pytest.mark.parametrize("run", ["torch_float32_model.py in its own dtype", *FLOAT32_CORRECT])
def test_the_tutorials_float32_spiral_loop_passes_in_float32_with_both_training_steps(ran, run):
    code, report, stderr = ran[run]
    assert code == 0, stderr or [h["message"] for h in report["hints"]]
    assert report["dtype"] == "float32" and report["hints"] == []
    quantities = {c["quantity"] for case in report["cases"] for c in case["checks"]}
    assert {"loss", "dW1", "W1 after step 2", "loss at step 2"} <= quantities


def test_a_float32_model_is_checked_in_float32_unless_float64_is_asked_for(ran):
    code, report, _ = ran["torch_float32_model.py in its own dtype"]
    assert code == 0 and report["dtype"] == "float32" and report["dtype_from_model"]
    assert all(c["rtol"] == 1e-5 for case in report["cases"] for c in case["checks"])  # float32's tolerances
    assert ran["torch_float32_model.py"][1]["dtype"] == "float64"
    assert (
        "your model's parameters are float32 and the data is float64" in ran["keras_float32_model.py"][1]["hints"][0]["message"]
    )


def test_an_architecture_mismatch_names_the_layer_and_compares_nothing(ran):
    code, report, _ = ran["torch_wrong_activation.py"]
    assert code == 1 and not report["passed"] and report["cases"] == []
    assert report["model"]["mismatches"] == [
        "layer 1: after Linear '0' (2 -> 4) your model applies sigmoid (Sigmoid '1'); 2-4-3:relu,softmax:cce has relu there"
    ]
    code, report, _ = ran["keras_missing_layer.py"]
    assert code == 1 and report["cases"] == []
    assert (
        report["model"]["mismatches"][0] == "your model has 1 Dense layer (2 -> 3); 2-4-3:relu,softmax:cce has 2 (2 -> 4, 4 -> 3)"
    )
    code, report, _ = ran["keras_wrong_width.py"]
    assert code == 1 and report["cases"] == []
    assert report["model"]["mismatches"] == [
        "layer 1: Dense 'dense' (2 -> 8), but 2-4-3:relu,softmax:cce's layer 1 is 2 -> 4",
        "layer 2: Dense 'dense_1' (8 -> 3), but 2-4-3:relu,softmax:cce's layer 2 is 4 -> 3",
    ]


@pytest.mark.parametrize(
    "run, missing",
    [
        ("torch_no_loss_fn.py", "no loss_fn (names defined there: build_model, criterion)"),
        ("torch_no_build_model.py", "no build_model (names defined there: loss_fn, model)"),
    ],
)
def test_a_file_without_build_model_or_loss_fn_says_what_is_missing_and_exits_2(ran, run, missing):
    code, report, stderr = ran[run]
    assert code == 2 and report is None
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert f"{run}: {missing}" in stderr


def test_the_outputs_docs_students_md_quotes_are_what_the_check_prints(ran):
    docs = (ROOT / "docs" / "students.md").read_text(encoding="utf-8")
    quoted = ["torch_double_softmax.py", "keras_double_softmax.py on torch", "torch_zero_grad_missing.py"]
    quoted.append("keras_adam_defaults.py")
    for run in quoted:
        assert f"  - {ran[run][1]['hints'][0]['message']}\n" in docs, run
    for run in MISSING_NAMES:
        assert ran[run][2] in docs, run
    for mismatch in ran["keras_wrong_width.py"][1]["model"]["mismatches"]:
        assert f"  - {mismatch}\n" in docs
    assert f"  - {ran['torch_wrong_activation.py'][1]['model']['mismatches'][0]}\n" in docs


def _spiral_logits(case_name: str = "spiral-2-4-3") -> tuple[np.ndarray, np.ndarray]:
    """z_2 of the spiral net, written out in NumPy: relu(X W1^T + b1) W2^T + b2."""
    params, X, y = _prepared(case_name)
    a1 = np.maximum(X @ params["W1"].T + params["b1"], 0.0)
    return a1 @ params["W2"].T + params["b2"], y


def _cross_entropies(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """-log softmax(z)_y per sample, through log-sum-exp."""
    top = z.max(axis=1, keepdims=True)
    log_p = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y]


def test_nll_loss_on_logits_is_minus_the_mean_logit_of_the_label(ran):
    z, y = _spiral_logits()
    expected = float(-z[np.arange(len(y)), y].mean())  # torch.nn.NLLLoss: -input[i, y_i], averaged
    assert abs(_loss(ran, "torch_nll_on_logits.py") - expected) <= F64["atol"] + F64["rtol"] * abs(expected)


def test_a_summed_or_rescaled_cross_entropy_is_m_or_m_over_32_times_the_mean(ran):
    z, y = _spiral_logits()
    total = float(_cross_entropies(z, y).sum())
    assert len(y) == 300
    assert abs(_loss(ran, "torch_cross_entropy_sum.py") - total) <= F64["rtol"] * total
    assert abs(_loss(ran, "torch_fixed_batch_size.py") - total / 32) <= F64["rtol"] * total / 32
    assert "9.375 times the lecture's" in ran["torch_fixed_batch_size.py"][1]["hints"][0]["message"]


def test_sse_without_the_half_is_twice_mazurs_e_total(ran):
    assert abs(_loss(ran, "torch_sse_no_half.py") - 2 * 0.298371109) < 1e-9  # E_total = 0.298371109 on the slide


def test_a_train_step_without_optimizer_step_leaves_the_weights_as_they_were(ran):
    case = ran["torch_no_step.py"][1]["cases"][0]
    params, _, _ = _prepared("spiral-2-4-3")
    for p, value in params.items():
        np.testing.assert_array_equal(case["yours"][f"{p} after step 2"], value)


def test_backward_twice_without_zero_grad_uses_twice_every_gradient_so_far(ran):
    """Mazur's worked example: step 1 moves w5 by 2 x eta x 0.082167041; step 2 by 2 eta (g_1 + g_2)."""
    case = ran["torch_backward_twice_no_zero_grad.py"][1]["cases"][0]
    assert abs(case["yours"]["W2 after step 1"][0][0] - (0.40 - 2 * 0.5 * 0.082167041)) < 1e-9
    spec = parse_spec("2-2-2:sigmoid,sigmoid:sse")
    theta0, X, y = _prepared("worked-2-2-2")
    g0 = evaluate(spec, theta0, X, y).grads
    theta1 = {p: theta0[p] - 0.5 * 2 * g0[p] for p in theta0}
    g1 = evaluate(spec, theta1, X, y).grads
    for p in theta0:
        np.testing.assert_allclose(case["yours"][f"{p} after step 2"], theta1[p] - 0.5 * 2 * (g0[p] + g1[p]), **F64)


def test_mse_on_class_labels_is_named_a_loss_of_another_kind_with_torchs_error(ran):
    case = ran["torch_mse_on_labels.py"][1]["cases"][0]
    assert "must match the size of tensor b (300)" in case["error"]  # (m, 3) outputs against (m,) labels
    assert case["checks"] == []  # nothing could be compared
    assert ran["torch_mse_on_labels.py"][1]["hints"][0]["message"].endswith("use CrossEntropyLoss")


def test_keras_rmsprop_follows_epsilon_inside_the_root_written_out_here(ran):
    """keras/src/optimizers/rmsprop.py: r = rho r + (1 - rho) g^2; theta -= eta g / sqrt(r + eps), rho 0.9, eps 1e-7."""
    case = ran["keras_rmsprop_defaults.py"][1]["cases"][0]
    spec = parse_spec("2-4-3:relu,softmax:cce")
    theta, X, y = _prepared("spiral-2-4-3")
    g = evaluate(spec, theta, X, y).grads
    for p in theta:
        r = 0.1 * g[p] ** 2
        keras_rule, lecture_rule = theta[p] - 0.01 * g[p] / np.sqrt(r + 1e-7), theta[p] - 0.01 * g[p] / (np.sqrt(r) + 1e-7)
        np.testing.assert_allclose(case["yours"][f"{p} after step 1"], keras_rule, **F64)
        assert not np.allclose(case["yours"][f"{p} after step 1"], lecture_rule, **F64)


def test_dense_leaky_relu_string_computes_with_slope_0_2(ran):
    spec = parse_spec("2-4-3:leaky_relu,softmax:cce")  # no built-in case: the seeded one
    seeded = seeded_case(spec)
    cases = ran["keras_leaky_string.py"][1]["cases"]
    assert len(cases) == 1
    params, X, y = prepare(spec, seeded.params, seeded.X, seeded.y, "float64")
    z1 = X @ params["W1"].T + params["b1"]
    for slope, same in ((0.2, True), (0.01, False)):
        a1 = np.where(z1 > 0, z1, slope * z1)
        loss = float(_cross_entropies(a1 @ params["W2"].T + params["b2"], y).mean())
        assert (abs(_loss(ran, "keras_leaky_string.py") - loss) <= F64["atol"] + F64["rtol"] * loss) is same


def test_keras_double_sigmoid_on_tensorflow_is_rescued_and_the_hint_gives_the_other_backends_loss(ran):
    spec = parse_spec("4-4-1:sigmoid,sigmoid:bce")
    params, X, y = _prepared("lecture-4-4-1-bce")
    right = evaluate(spec, params, X, y).loss
    assert abs(_loss(ran, "keras_double_sigmoid.py") - right) <= F64["atol"] + F64["rtol"] * right
    _, a = forward(spec, params, X)
    q = 1 / (1 + np.exp(-a[2]))  # the sigmoid of the sigmoid's output
    twice = float(-(y * np.log(q) + (1 - y) * np.log(1 - q)).mean())
    assert f"the bce of sigmoid(sigmoid(z_L)), {twice:.10g}" in ran["keras_double_sigmoid.py"][1]["hints"][0]["message"]


def _hint_table() -> dict[str, str]:
    """docs/students.md's table of the framework hints: hint key -> its row."""
    docs = (ROOT / "docs" / "students.md").read_text(encoding="utf-8")
    section = docs[docs.index("### The framework hints") : docs.index("### `--format json`")]
    return {line.split("|")[1].strip().strip("`"): line for line in section.splitlines() if line.startswith("| `")}


def test_the_docs_table_names_every_hint_with_its_planted_files():
    rows = _hint_table()
    for filename, (key, _) in PLANTED.items():
        assert f"`{filename}`" in rows[key], (key, filename)


def test_the_source_lines_the_docs_table_cites_exist_in_the_installed_frameworks():
    import importlib.util

    origin = importlib.util.find_spec("torch").origin  # type: ignore[union-attr]
    assert origin is not None
    site = Path(origin).parents[1]
    cited = [
        (path, int(first), int(last or first))
        for row in _hint_table().values()
        for path, first, last in re.findall(r"((?:torch|keras)/[\w/]+\.py):(\d+)(?:-(\d+))?", row.split("|")[-2])
    ]
    assert len(cited) >= 15
    for path, first, last in cited:
        lines = (site / path).read_text(encoding="utf-8").splitlines()
        assert first <= last <= len(lines), path
    adam = (site / "keras/src/optimizers/adam.py").read_text(encoding="utf-8").splitlines()
    assert "ops.add(ops.sqrt(v), self.epsilon)" in adam[135 - 1]
    sgd = (site / "torch/optim/sgd.py").read_text(encoding="utf-8").splitlines()
    assert "alpha=1 - dampening" in sgd[364 - 1]
