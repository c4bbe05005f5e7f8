"""``python -m compare check``: the example student files get the right verdict and the right hint.

Each mistake file says in its docstring which mistake it plants; the expected hint
here comes from that label, not from running the checker. Most tests compare with
scratch only and import the file into the test process (``sandbox=False``, fast); one
runs all three frameworks; three run the CLI (the sandbox has its own tests in
tests/test_check_sandbox.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import registry
from compare.students import conventions
from compare.students.student import CheckOptions, check_file, check_function, load_function, run_student, seeded_case
from core.errors import InputError
from core.spec import Spec
from core.validate import prepare
from scratch.gradcheck import numerical_gradients

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = ROOT / "examples" / "students"
SCRATCH_ONLY = ("scratch",)

CORRECT = [
    pytest.param("correct_canonical.py", "worked-2-2-2", "canonical", id="canonical-worked-2-2-2"),
    pytest.param("correct_canonical.py", "2-3-2:sigmoid,sigmoid:sse", "canonical", id="canonical-seeded-spec"),
    pytest.param("correct_columns.py", "2-4-1:sigmoid,sigmoid:bce", "columns", id="columns-2-4-1-bce"),
    pytest.param("correct_columns.py", "lecture-4-4-1-bce", "columns", id="columns-lecture-4-4-1"),
    pytest.param("correct_rows.py", "2-4-3:relu,softmax:cce", "rows", id="rows-spiral-iris-fish"),
]

# file, arch, convention, expected hint key, the gradients it must name, a phrase of the lecture equation, check options
MISTAKES = [
    pytest.param(
        "forgot_1_over_m.py",
        "2-4-1:sigmoid,sigmoid:bce",
        "columns",
        "forgot_1_over_m",
        {"W1", "b1", "W2", "b2"},
        "ED5340 L26: dW = (1/m) dZ A^T",
        {},
        id="forgot_1_over_m",
    ),
    pytest.param(
        "transposed_dW.py",
        "worked-2-2-2",
        "canonical",
        "transpose",
        {"W1", "W2"},
        "has W_l's shape (n_l, n_{l-1})",
        {},
        id="transposed_dW",
    ),
    pytest.param(
        "sign_flip.py",
        "worked-2-2-2",
        "canonical",
        "sign_flip",
        {"W1", "b1", "W2", "b2"},
        "Mazur's worked example: dE_total/dout_o1 = -(target_o1 - out_o1)",
        {},
        id="sign_flip",
    ),
    pytest.param(
        "missing_half.py",
        "worked-2-2-2",
        "canonical",
        "missing_half",
        {"W1", "b1", "W2", "b2"},
        "E_total = sum 1/2 (target - out)^2",
        {},
        id="missing_half",
    ),
    pytest.param(
        "bias_summed.py",
        "spiral-2-4-3",
        "rows",
        "bias_summed",
        {"b1", "b2"},
        "Session-5 backprop: db2 = np.sum(dz2, axis=0, keepdims=True) / m",
        {},
        id="bias_summed",
    ),
    pytest.param(
        "derivative_on_a.py",
        "2-4-1:sigmoid,sigmoid:bce",
        "columns",
        "derivative_on_a",
        {"W1", "b1"},
        "ED5340 L26: dZ[1] = W[2]^T dZ[2] * g'(Z[1])",
        {},
        id="derivative_on_a",
    ),
    pytest.param(
        "softmax_not_simplified.py",
        "2-4-3:relu,softmax:cce",
        "rows",
        "softmax_not_simplified",
        {"W1", "b1", "W2", "b2"},
        "Session-5 backprop: dz2 = probs - onehot",
        {},
        id="softmax_not_simplified",
    ),
    pytest.param(
        "wrong_activation_derivative.py",
        "spiral-2-4-3",
        "rows",
        "wrong_derivative",
        {"W1", "b1"},
        "layer 1 is relu, so g'(z) = [z > 0], but your dW1, db1 match sigmoid's derivative s(1 - s) with s = sigmoid(z)",
        {},
        id="wrong_activation_derivative",
    ),
    pytest.param(
        "tanh_derivative_1_minus_a.py",
        "2-4-1:tanh,sigmoid:bce",
        "columns",
        "wrong_derivative",
        {"W1", "b1"},
        "ED5340 L26: dz[l] = W[l+1]^T dz[l+1] * a[l]'(z[l]) -- layer 1 is tanh",
        {},
        id="tanh_derivative_1_minus_a",
    ),
    pytest.param(
        "missing_relu_mask.py",
        "spiral-2-4-3",
        "rows",
        "missing_relu_mask",
        {"W1", "b1"},
        "Session-5 backprop: dA1 = np.dot(dz2, W2.T); dA1[z1 <= 0] = 0",
        {},
        id="missing_relu_mask",
    ),
    pytest.param(
        "wrong_upstream.py",
        "worked-2-2-2",
        "canonical",
        "wrong_upstream",
        {"W1", "b1"},
        "CS60050 backprop: delta^(l) = (Theta^(l))^T delta^(l+1) .* g'(z^(l)) -- your dW1, db1 match layer 1's delta "
        "computed from dA[2]",
        {},
        id="wrong_upstream",
    ),
    pytest.param(
        "bias_wrong_axis.py",
        "2-4-1:sigmoid,sigmoid:bce",
        "columns",
        "bias_wrong_axis",
        {"b1"},
        "ED5340 L26: db = (1/m) np.sum(dZ, axis=1, keepdims=True) -- your db1 holds one number per sample (m = 569)",
        {},
        id="bias_wrong_axis",
    ),
    pytest.param(
        "l2_present.py",
        "2-4-1:sigmoid,sigmoid:bce",
        "columns",
        "l2_present",
        {"W1", "W2"},
        # the file's lambda = 0.7 in lambda/(2m) sum W^2; its gradient (0.7/m) W is that of 1/2 lambda' sum W^2, lambda' = 0.7/569
        f"lambda = 0.7 in the lectures' form lambda/(2m) sum W^2 (m = 569), or lambda = {0.7 / 569:.6g} in the form 1/2 lambda",
        {},
        id="l2_present",
    ),
    pytest.param(
        "l2_missing_in_gradients.py",
        "2-4-1:sigmoid,sigmoid:bce",
        "columns",
        "l2_missing",
        {"W1", "W2"},
        "CS60050 backprop: J = (1/n) sum_i L_i + lambda/(2n) sum_l sum_jk (W^l_jk)^2",
        {"l2": 0.7},
        id="l2_missing_in_gradients",
    ),
    pytest.param(
        "summed_reduction.py",
        "2-4-1:sigmoid,sigmoid:bce",
        "columns",
        "summed_reduction",
        {"W1", "b1", "W2", "b2"},
        "your code sums over the samples: your loss and your dW2, db2, dW1, db1 are all m = 569 times the mean's; "
        "pass --reduction sum, or divide by m",
        {},
        id="summed_reduction",
    ),
]


@pytest.mark.parametrize("filename, arch, convention", CORRECT)
def test_correct_backprop_passes(filename, arch, convention):
    result = check_file(str(STUDENTS / filename), arch, convention, SCRATCH_ONLY, sandbox=False)
    assert result.passed, [h.message for h in result.hints]
    assert result.hints == []
    assert any(case.m > 2 for case in result.cases)  # a batch, so that a forgotten 1/m would show


@pytest.mark.parametrize("filename, arch, convention, key, params, equation, options", MISTAKES)
def test_mistake_gets_its_hint(filename, arch, convention, key, params, equation, options):
    result = check_file(str(STUDENTS / filename), arch, convention, SCRATCH_ONLY, sandbox=False, **options)
    assert not result.passed
    hints = result.hints
    assert [h.key for h in hints] == [key], [h.message for h in hints]
    assert set(hints[0].params) == params
    assert equation in hints[0].message


def test_every_example_file_is_a_case_of_these_tests():
    """A planted file that no test names would be a hypothesis nobody checks fires."""
    named = {p.values[0] for p in CORRECT + MISTAKES} | {"l2_present.py"}
    frameworks = ("torch_", "keras_")  # PyTorch and Keras files, for check --framework: tests/test_check_framework.py runs each
    assert {p.name for p in STUDENTS.glob("*.py") if not p.name.startswith(frameworks)} == named


@pytest.mark.parametrize(
    "filename, arch, convention, options",
    [
        pytest.param("l2_present.py", "2-4-1:sigmoid,sigmoid:bce", "columns", {"l2": 0.7}, id="l2-named"),
        pytest.param("summed_reduction.py", "2-4-1:sigmoid,sigmoid:bce", "columns", {"reduction": "sum"}, id="sum-named"),
    ],
)
def test_a_choice_named_with_its_flag_is_correct(filename, arch, convention, options):
    result = check_file(str(STUDENTS / filename), arch, convention, SCRATCH_ONLY, sandbox=False, **options)
    assert result.passed, [h.message for h in result.hints]


def test_correct_file_agrees_with_torch_and_keras():
    result = check_file(str(STUDENTS / "correct_canonical.py"), "worked-2-2-2", "canonical", sandbox=False)
    assert {c.framework for case in result.cases for c in case.checks} == set(registry.NAMES)
    assert result.passed


def test_forgotten_one_over_m_is_m_times_the_finite_difference_gradient():
    """Independent of scratch's backward pass: the planted mistake is what its label says."""
    spec = Spec((2, 4, 1), ("sigmoid", "sigmoid"), "bce")
    case = seeded_case(spec, seed=3)
    params, X, y = prepare(spec, case.params, case.X, case.y, "float64")
    output = run_student(
        load_function(str(STUDENTS / "forgot_1_over_m.py")), spec, params, X, y, CheckOptions(convention="columns")
    )
    numeric = numerical_gradients(spec, params, X, y)
    for name, grad in numeric.items():
        np.testing.assert_allclose(output.grads[name], X.shape[0] * grad, rtol=1e-6, atol=1e-9, err_msg=name)


def test_with_one_sample_a_seeded_batch_is_added():
    """worked-2-2-2 has m = 1, where m * g = g: the forgotten 1/m shows on the seeded batch only."""

    def forgot_m(params, X, y):  # canonical sigmoid + sse, gradients summed over the batch
        z1 = X @ params["W1"].T + params["b1"]
        a1 = 1 / (1 + np.exp(-z1))
        a2 = 1 / (1 + np.exp(-(a1 @ params["W2"].T + params["b2"])))
        d2 = (a2 - y) * a2 * (1 - a2)
        d1 = (d2 @ params["W2"]) * a1 * (1 - a1)
        loss = 0.5 * np.sum((y - a2) ** 2) / len(X)
        return loss, {"W1": d1.T @ X, "b1": d1.sum(0), "W2": d2.T @ a1, "b2": d2.sum(0)}

    result = check_function(forgot_m, "worked-2-2-2", frameworks=SCRATCH_ONLY)
    by_case = {case.case: case for case in result.cases}
    assert by_case["worked-2-2-2"].passed
    batch = next(case for name, case in by_case.items() if "seeded batch" in name)
    assert not batch.passed
    assert [h.key for h in result.hints] == ["forgot_1_over_m"]


def test_loss_summed_instead_of_averaged_is_named():
    reference = load_function(str(STUDENTS / "correct_rows.py"))

    def summed_loss(params, X, y):
        loss, grads = reference(params, X, y)
        return loss * len(y), grads

    result = check_function(summed_loss, "fish-2-4-3", "rows", SCRATCH_ONLY)
    assert [h.key for h in result.hints] == ["loss_summed"]


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4), convention=st.sampled_from(conventions.CONVENTIONS))
def test_layouts_round_trip(sizes, convention):
    """Parameters sent out in a student's layout come back as the same canonical gradients."""
    spec = Spec(tuple(sizes), ("sigmoid",) * (len(sizes) - 1), "sse")
    rng = np.random.RandomState(sum(sizes))
    params = {name: rng.randn(*shape) for name, shape in spec.param_shapes().items()}
    back = conventions.grads_from(convention, spec, conventions.params_to(convention, params))
    for name, value in params.items():
        np.testing.assert_array_equal(back[name], value)


def test_layouts_match_the_lectures():
    spec = Spec((2, 4, 3), ("relu", "softmax"), "cce")
    params = {name: np.zeros(shape) for name, shape in spec.param_shapes().items()}
    rows = conventions.params_to("rows", params)
    assert rows["W1"].shape == (2, 4) and rows["b1"].shape == (1, 4)  # Session-5 backprop: W1 (d, h), b1 (1, h)
    columns = conventions.params_to("columns", params)
    assert columns["W1"].shape == (4, 2) and columns["b1"].shape == (4, 1)  # ED5340 L26: W (n_l, n_{l-1}), b (n_l, 1)
    X = np.arange(10.0).reshape(5, 2)
    assert conventions.inputs_to("columns", X).shape == (2, 5)  # ED5340 L26: X is features x m
    Y = conventions.targets_to("columns", spec, np.array([0, 2, 1, 2, 0]))
    np.testing.assert_array_equal(Y.sum(axis=0), np.ones(5))
    assert Y[2, 1] == 1 and Y.shape == (3, 5)


def _write(tmp_path: Path, body: str) -> str:
    path = tmp_path / "student.py"
    path.write_text("import numpy as np\n" + body)
    return str(path)


@pytest.mark.parametrize(
    "body, target_suffix, message",
    [
        pytest.param(
            "def backprop(params, X, y):\n    return 0.0\n",
            "",
            "the return value is float; expected the gradients",
            id="wrong-return",
        ),
        pytest.param("def backprop(params, X, y):\n    return 0.0, {'W1': 0}\n", "", "no 'b1' (nor 'db1')", id="missing-key"),
        pytest.param(
            "def backprop(params, X, y):\n    return np.ones(3), {}\n",
            "",
            "the return value is tuple of 2: (array (3,), dict with keys )",
            id="loss-not-scalar",
        ),
        pytest.param(
            "def backprop(params, X, y):\n    return params['W1'] @ X, {}\n", "", "is that the layout it expects", id="raises"
        ),
        pytest.param("def other(params, X, y):\n    pass\n", ":backprop", "no function 'backprop'", id="missing-function"),
        pytest.param(
            "raise RuntimeError('boom')\n",
            "",
            "student.py:2: your file's top-level code raised RuntimeError: boom",
            id="file-raises",
        ),
    ],
)
def test_bad_student_code_is_input_error(tmp_path, body, target_suffix, message):
    target = _write(tmp_path, body) + target_suffix
    with pytest.raises(InputError, match=re.escape(message)):
        check_file(target, "2-4-3:relu,softmax:cce", "rows", SCRATCH_ONLY, sandbox=False)


@pytest.mark.parametrize(
    "target, arch, convention, message",
    [
        pytest.param("missing.py", "worked-2-2-2", "canonical", "no such file", id="no-file"),
        pytest.param("notes.txt", "worked-2-2-2", "canonical", "expected a Python file", id="not-python"),
        pytest.param(str(STUDENTS / "correct_rows.py"), "resnet", "rows", "neither a built-in case", id="bad-arch"),
        pytest.param(
            str(STUDENTS / "correct_rows.py"), "2-4-3:relu,softmax:bce", "rows", "bce needs exactly one output", id="bad-spec"
        ),
        pytest.param(str(STUDENTS / "correct_rows.py"), "spiral-2-4-3", "diagonal", "--convention", id="bad-convention"),
    ],
)
def test_bad_arguments_are_input_errors(target, arch, convention, message):
    with pytest.raises(InputError, match=message):
        check_file(target, arch, convention, SCRATCH_ONLY, sandbox=False)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compare", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_wrong_file_exits_1_with_the_hint():
    run = _cli(
        "check",
        "examples/students/forgot_1_over_m.py",
        "--arch",
        "2-4-1:sigmoid,sigmoid:bce",
        "--convention",
        "columns",
        "--frameworks",
        "scratch",
    )
    assert run.returncode == 1, run.stderr
    assert "1/m was forgotten" in run.stdout
    assert "ED5340 L26: dW = (1/m) dZ A^T" in run.stdout


def test_cli_bad_input_is_one_line_and_exit_2():
    run = _cli("check", "examples/students/correct_rows.py:nope", "--arch", "spiral-2-4-3", "--frameworks", "scratch")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "no function 'nope'" in run.stderr
    assert "Traceback" not in run.stderr


def test_help_imports_no_framework():
    code = (
        "import sys; from compare.students import check, explain; check.build_parser(); explain.build_parser(); "
        "print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[]", run.stderr


def test_a_left_out_derivative_is_named_so_where_relus_derivative_predicts_the_same():
    """The worked example's z1 are all > 0, so relu's [z > 0] and no derivative (g' = 1) give equal gradients."""
    from compare.students.student import check_function

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def backprop(params, X, y):  # Mazur's net, the hidden delta without a1 (1 - a1)
        W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
        m = X.shape[0]
        a1 = sigmoid(X @ W1.T + b1)
        a2 = sigmoid(a1 @ W2.T + b2)
        delta2 = -(y - a2) * a2 * (1 - a2)
        delta1 = delta2 @ W2  # the mistake
        grads = {"W2": delta2.T @ a1 / m, "b2": delta2.sum(0) / m, "W1": delta1.T @ X / m, "b1": delta1.sum(0) / m}
        return np.sum(0.5 * (y - a2) ** 2) / m, grads

    result = check_function(backprop, "worked-2-2-2", frameworks=("scratch",))
    (hint,) = result.hints
    assert hint.key == "wrong_derivative" and set(hint.params) == {"W1", "b1"}
    assert "no derivative at all (g' = 1)" in hint.message and "relu" not in hint.message, hint.message


def _variant_of_correct_columns(tmp_path: Path, old: str, new: str) -> str:
    """examples/students/correct_columns.py with one line changed, as a file of its own."""
    source = (STUDENTS / "correct_columns.py").read_text(encoding="utf-8")
    assert source.count(old) == 1
    path = tmp_path / "student.py"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return str(path)


def test_the_sigmoid_applied_again_as_its_derivative_is_named(tmp_path):
    path = _variant_of_correct_columns(tmp_path, "* A1 * (1 - A1)", "* sigmoid(A1)")
    result = check_file(path, "2-4-1:sigmoid,sigmoid:bce", "columns", SCRATCH_ONLY, sandbox=False)
    ((key, params, message),) = [(h.key, set(h.params), h.message) for h in result.hints]
    assert key == "wrong_derivative" and params == {"W1", "b1"}
    assert "g'(z) = a(1 - a), but your dW1, db1 match g'(z) written sigmoid(a) (the activation applied once more" in message


def _worked_sse_backprop(delta1_line: str) -> str:
    """A batch-first backprop of the worked 2-2-2 (sigmoid, sse) whose layer-1 delta is ``delta1_line``."""
    return (
        "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n\n"
        "def backprop(params, X, y):\n"
        "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
        "    m = X.shape[0]\n"
        "    a1 = sigmoid(X @ W1.T + b1)\n"
        "    a2 = sigmoid(a1 @ W2.T + b2)\n"
        "    delta2 = (a2 - y) * a2 * (1 - a2)\n"
        f"{delta1_line}"
        "    grads = {'dW1': delta1.T @ X / m, 'db1': delta1.sum(axis=0) / m}\n"
        "    return grads | {'dW2': delta2.T @ a1 / m, 'db2': delta2.sum(axis=0) / m}\n"
    )


def test_a_square_weight_transposed_in_the_delta_recursion_is_named_and_only_there(tmp_path):
    """W2 of the worked 2-2-2 is 2 x 2: W2.T in place of W2 (batch-first delta_1 = delta_2 W_2 .* g') runs and is wrong."""
    body = _worked_sse_backprop("    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)  # the mistake: W2, not W2.T, sends delta2 back\n")
    result = check_file(_write(tmp_path, body), "worked-2-2-2", "canonical", SCRATCH_ONLY, sandbox=False)
    ((key, params, message),) = [(h.key, set(h.params), h.message) for h in result.hints]
    assert key == "transposed_recursion" and params == {"W1", "b1"}
    assert "layer 1's delta sent back through W2 in the other orientation (its transpose): W2 is square (2 x 2)" in message
    correct = body.replace("(delta2 @ W2.T) * a1", "(delta2 @ W2) * a1")
    assert check_file(_write(tmp_path, correct), "worked-2-2-2", "canonical", SCRATCH_ONLY, sandbox=False).passed


def test_gradients_no_mistake_explains_get_one_hint_per_layer_with_that_nets_output_delta(tmp_path):
    """sse with a sigmoid output: delta_L is not a_L - y, and the hint says which it is (Mazur's worked example)."""
    body = _worked_sse_backprop("    delta1 = (delta2 @ W2) * a1 * (1 - a1) + 0.01 * np.cos(X @ W1.T)  # a made-up extra term\n")
    result = check_file(_write(tmp_path, body), "worked-2-2-2", "canonical", SCRATCH_ONLY, sandbox=False)
    ((key, params, message),) = [(h.key, h.params, h.message) for h in result.hints]
    assert key == "unexplained" and params == ("W1", "b1")
    assert "from delta_L = dL/da_L .* g'(z_L) (sse with a sigmoid output)" in message and "a_L - y" not in message
    assert "your dW1, db1 are wrong and no classic mistake explains them; backprop runs from the output down" in message


def test_gradients_returned_from_the_output_layer_down_are_asked_about_their_order(tmp_path):
    body = (
        "def backprop(params, X, y):\n"
        "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
        "    m = X.shape[0]\n"
        "    z1 = X @ W1.T + b1\n"
        "    a1 = np.maximum(z1, 0)\n"
        "    z2 = a1 @ W2.T + b2\n"
        "    p = np.exp(z2 - z2.max(axis=1, keepdims=True))\n"
        "    p /= p.sum(axis=1, keepdims=True)\n"
        "    delta2 = p.copy()\n"
        "    delta2[np.arange(m), y] -= 1\n"
        "    delta1 = (delta2 @ W2) * (z1 > 0)\n"
        "    return delta2.T @ a1 / m, delta2.sum(axis=0) / m, delta1.T @ X / m, delta1.sum(axis=0) / m  # layer 2 first\n"
    )
    result = check_file(_write(tmp_path, body), "spiral-2-4-3", "canonical", SCRATCH_ONLY, sandbox=False)
    asked = {h.params[0]: h.message.split("; ", 1)[1] for h in result.hints if h.key == "shape"}
    order = "Gradients in a sequence are read in layer order 1..L (dW1, db1, dW2, db2), not from the output layer down"
    assert asked == {  # canonical spiral-2-4-3: W1 (4, 2), b1 (4,), W2 (3, 4), b2 (3,)
        "W2": f"(4, 2) is W1's shape: is that dW1? {order}",
        "b2": f"(4,) is b1's shape: is that db1? {order}",
        "W1": f"(3, 4) is W2's shape: is that dW2? {order}",
        "b1": f"(3,) is b2's shape: is that db2? {order}",
    }, asked


def test_an_l2_argument_without_l2_says_to_pass_it(tmp_path):
    path = _write(tmp_path, "def backprop(params, X, y, lambd):\n    return {}\n")
    with pytest.raises(InputError) as caught:
        check_file(path, "worked-2-2-2", "canonical", SCRATCH_ONLY, sandbox=False)
    assert str(caught.value).endswith(
        "backprop(params, X, y, lambd): 'lambd' is the L2 strength lambda, and none was given: "
        "pass --l2 LAMBDA (l2=LAMBDA in check_file and check_function)"
    ), str(caught.value)
