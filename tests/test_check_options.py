"""``check``'s options: --per-sample, --reduction, --l2, --weights, --data, --fd; the shape and ratio messages; the views.

Expected numbers come from the lectures (Mazur's worked example's dE_total/dw5 = 0.082167041
and dE_total/dw1 = 0.000438568, as printed), from the planted files' own labels
(lambda = 0.7), or from a derivation written beside them; never from the checker.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from compare.data.files import save_weights
from compare.students.report import entry_view, html_summary, rich_summary, text_summary
from compare.students.student import check_file, check_function, load_function
from core.errors import InputError
from tests.test_check import STUDENTS

SCRATCH_ONLY = ("scratch",)
MAZUR_DW5, MAZUR_DW1 = 0.082167041, 0.000438568  # Mazur's worked example: dE_total/dw5, dE_total/dw1
BCE = "2-4-1:sigmoid,sigmoid:bce"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sse_backprop(params, X, y):
    """A correct canonical sigmoid + sse backprop (Mazur's worked example), batch-first."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (d2 @ W2) * a1 * (1 - a1)
    loss = 0.5 * np.sum((y - a2) ** 2) / m
    return loss, {"W1": d1.T @ X / m, "b1": d1.sum(0) / m, "W2": d2.T @ a1 / m, "b2": d2.sum(0) / m}


# ---------------------------------------------------------------------------------------------
# --per-sample


def _canonical_one_sample(params, x, y):
    return sse_backprop(params, x.reshape(1, -1), y.reshape(1, -1))


@pytest.mark.parametrize(
    "function, arch, convention, x_shape, y_shape",
    [
        pytest.param(_canonical_one_sample, "worked-2-2-2", "canonical", (2,), (2,), id="canonical"),
        pytest.param(load_function(str(STUDENTS / "correct_columns.py")), BCE, "columns", (2, 1), (1, 1), id="columns"),
        pytest.param(load_function(str(STUDENTS / "correct_rows.py")), "fish-2-4-3", "rows", (1, 2), (1,), id="rows"),
    ],
)
def test_per_sample_calls_get_one_samples_shapes(function, arch, convention, x_shape, y_shape):
    """The batch files divide by m = the number of samples they get: per sample, m = 1, and the check averages."""
    seen = []

    def one_sample(params, x, y):
        seen.append((x.shape, y.shape))
        return function(params, x, y)

    result = check_function(one_sample, arch, convention, SCRATCH_ONLY, per_sample=True)
    assert result.passed, [h.message for h in result.hints]
    assert set(seen) == {(x_shape, y_shape)}
    assert len(seen) == sum(case.m for case in result.cases)


def test_per_sample_with_a_planted_mistake_gets_its_hint():
    def flipped(params, x, y):
        loss, grads = _canonical_one_sample(params, x, y)
        return loss, {k: -v for k, v in grads.items()}

    result = check_function(flipped, "worked-2-2-2", frameworks=SCRATCH_ONLY, per_sample=True)
    assert [h.key for h in result.hints] == ["sign_flip"]


# ---------------------------------------------------------------------------------------------
# --reduction and --l2


def test_the_l2_forms_are_two_names_for_one_gradient():
    """l2_present.py: lambda = 0.7 in lambda/(2m) sum W^2 has gradient (0.7/m) W, as 1/2 lambda' sum W^2 with lambda' = 0.7/m."""
    path = str(STUDENTS / "l2_present.py")
    m = 569  # breast-cancer-2-4-1, the one built-in case of the spec
    assert check_file(path, BCE, "columns", SCRATCH_ONLY, sandbox=False, l2=0.7).passed
    assert check_file(path, BCE, "columns", SCRATCH_ONLY, sandbox=False, l2=0.7 / m, l2_form="batch").passed
    other = check_file(path, BCE, "columns", SCRATCH_ONLY, sandbox=False, l2=0.7, l2_form="batch")
    assert [h.key for h in other.hints] == ["l2_other_form"]
    assert "pass --l2-form lectures" in other.hints[0].message


def test_a_wrong_lambda_is_quoted_in_both_forms():
    result = check_file(str(STUDENTS / "l2_present.py"), BCE, "columns", SCRATCH_ONLY, sandbox=False, l2=0.35)
    assert [h.key for h in result.hints] == ["l2_wrong_lambda"]
    assert "lambda = 0.7 in the lectures' form" in result.hints[0].message and "not the --l2 0.35" in result.hints[0].message


def test_the_script_style_without_its_form_gets_the_other_form_hint():
    target = str(STUDENTS / "styles" / "script_l2.py") + ":loss"
    result = check_file(target, "spiral-2-4-3", "rows", SCRATCH_ONLY, sandbox=False, l2=0.05, names="W1=w1,W2=w2")
    assert [h.key for h in result.hints] == ["l2_other_form"]


def test_under_sum_a_mean_is_one_finding():
    result = check_file(str(STUDENTS / "correct_columns.py"), BCE, "columns", SCRATCH_ONLY, sandbox=False, reduction="sum")
    assert [h.key for h in result.hints] == ["averaged_reduction"]


def test_bad_option_values_are_input_errors():
    for settings, message in (
        ({"reduction": "median"}, "--reduction 'median': choose from mean, sum"),
        ({"l2": -1.0}, "--l2: expected a finite lambda >= 0, got -1.0"),
        ({"l2_form": "weight_decay"}, "--l2-form 'weight_decay': choose from lectures, batch"),
        ({"names": "W1"}, "expected NAME=KEY items"),
        ({"dropout": 0.5}, "unknown option dropout"),
    ):
        with pytest.raises(InputError, match=re.escape(message)):
            check_function(sse_backprop, "worked-2-2-2", frameworks=SCRATCH_ONLY, **settings)


# ---------------------------------------------------------------------------------------------
# --weights and --data


def test_weights_file_replaces_the_cases_weights(tmp_path):
    weights = {"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([0.5, -0.5]), "W2": np.eye(2), "b2": np.zeros(2)}
    path = save_weights(tmp_path / "w.npz", weights)
    received = []

    def spy(params, X, y):
        received.append(params)
        return sse_backprop(params, X, y)

    result = check_function(spy, "worked-2-2-2", "rows", SCRATCH_ONLY, weights=str(path))
    assert not result.passed  # sse_backprop is canonical; the rows layout transposes W
    np.testing.assert_array_equal(received[0]["W1"], weights["W1"].T)  # rows: W1 is (in, out) = W1^T
    np.testing.assert_array_equal(received[0]["b1"], [[0.5, -0.5]])  # rows: b1 is (1, out)


def test_a_csv_is_the_checked_case_for_a_spec():
    data = str(STUDENTS / "styles" / "two_blobs.csv")
    result = check_file(str(STUDENTS / "correct_columns.py"), BCE, "columns", SCRATCH_ONLY, sandbox=False, data=data)
    assert result.passed and [case.m for case in result.cases] == [12]  # its 12 rows; m > 2, so no seeded batch


# ---------------------------------------------------------------------------------------------
# --fd


def test_fd_loss_right_gradients_wrong_points_at_the_backward_pass():
    result = check_file(str(STUDENTS / "wrong_upstream.py"), "worked-2-2-2", frameworks=SCRATCH_ONLY, sandbox=False, fd=True)
    assert result.fd is not None and result.fd.loss_right and result.fd.disagree == ("W1", "b1")
    assert "your loss is right, but your dW1, db1 are not its derivatives" in result.fd.message


def test_fd_a_wrong_loss_is_said_first():
    def doubled(params, X, y):  # E without its 1/2, and the gradients of that E: consistent, but not the lectures' loss
        loss, grads = sse_backprop(params, X, y)
        return 2 * loss, {k: 2 * v for k, v in grads.items()}

    result = check_function(doubled, "worked-2-2-2", frameworks=SCRATCH_ONLY, fd=True)
    assert result.fd is not None and not result.fd.loss_right and result.fd.disagree == ()
    assert "your loss itself is wrong" in result.fd.message and "your gradients are its derivatives" in result.fd.message


def test_fd_agrees_on_a_correct_function_and_needs_a_loss():
    result = check_function(sse_backprop, "worked-2-2-2", frameworks=SCRATCH_ONLY, fd=True)
    assert (
        result.passed
        and result.fd is not None
        and result.fd.message.endswith("your gradients are its derivatives (central finite differences)")
    )
    with pytest.raises(InputError, match="--fd differentiates your loss, but your function returns only gradients"):
        check_function(lambda params, X, y: sse_backprop(params, X, y)[1], "worked-2-2-2", frameworks=SCRATCH_ONLY, fd=True)


# ---------------------------------------------------------------------------------------------
# The entry-level view, shapes and ratios


def test_entry_view_shows_mazurs_numbers_beside_the_students():
    result = check_file(str(STUDENTS / "sign_flip.py"), "worked-2-2-2", frameworks=SCRATCH_ONLY, sandbox=False)
    view = entry_view(result)
    assert view is not None
    title, arrays = view
    assert title.startswith("the first wrong quantity, dW2 on worked-2-2-2")
    assert round(arrays["expected"][0, 0], 9) == MAZUR_DW5  # w5 = W2[0, 0]
    assert round(arrays["yours"][0, 0], 9) == -MAZUR_DW5
    np.testing.assert_allclose(arrays["ratio"], -1.0, rtol=1e-12)


def test_entry_view_is_in_the_students_scale_under_sum():
    returned = {}

    def summed_and_wrong(params, X, y):  # a sum over the samples, with dW1 doubled
        loss, grads = sse_backprop(params, X, y)
        m = X.shape[0]
        returned[m] = {k: m * v * (2 if k == "W1" else 1) for k, v in grads.items()}
        return m * loss, returned[m]

    result = check_function(summed_and_wrong, "2-3-2:sigmoid,sigmoid:sse", frameworks=SCRATCH_ONLY, reduction="sum")
    view = entry_view(result)
    assert view is not None
    title, arrays = view
    assert title.startswith("the first wrong quantity, dW1 on 2-3-2:sigmoid,sigmoid:sse seeded batch (m=5)")
    assert "your scale (sums over m = 5)" in title
    np.testing.assert_allclose(arrays["yours"], returned[5]["W1"], rtol=1e-15)  # the student's own numbers, as returned
    np.testing.assert_allclose(arrays["ratio"], 2.0, rtol=1e-12)


def test_a_wrong_shape_is_quoted_in_the_students_layout():
    """A columns b1 is (4, 1) (ED5340 L26), not the canonical (4,); a rows W1 is (in, out) = (2, 4) (Session-5 backprop)."""
    columns = load_function(str(STUDENTS / "correct_columns.py"))

    def short_bias(params, X, Y):
        cost, grads = columns(params, X, Y)
        grads["db1"] = grads["db1"][:3]
        return cost, grads

    result = check_function(short_bias, BCE, "columns", SCRATCH_ONLY)
    assert [h.message for h in result.hints] == [
        "your db1 has shape (3, 1) but b1 has shape (4, 1) in the columns layout: a gradient has the shape of its parameter"
    ]
    rows = load_function(str(STUDENTS / "correct_rows.py"))

    def square_dW1(params, X, y):
        loss, grads = rows(params, X, y)
        grads["W1"] = np.zeros((3, 3))
        return loss, grads

    result = check_function(square_dW1, "fish-2-4-3", "rows", SCRATCH_ONLY)
    assert [h.message for h in result.hints] == [
        "your dW1 has shape (3, 3) but W1 has shape (2, 4) in the rows layout: a gradient has the shape of its parameter"
    ]


def test_a_bias_summed_without_axis_is_named_not_blamed_on_the_convention():
    columns = load_function(str(STUDENTS / "correct_columns.py"))

    def no_axis(params, X, Y):
        cost, grads = columns(params, X, Y)
        grads["db1"] = np.sum(grads["db1"])  # the right db1 summed over its units = np.sum(dZ1) / m: no axis=, one number
        return cost, grads

    result = check_function(no_axis, BCE, "columns", SCRATCH_ONLY)
    assert [(h.key, h.params) for h in result.hints] == [("bias_wrong_axis", ("b1",))]
    assert "your db1 is one number: np.sum without axis= added every unit and every sample; use axis=1" in result.hints[0].message
    assert "--convention" not in result.hints[0].message


def test_no_ratio_hint_for_a_one_element_gradient_unless_it_is_exact():
    reference = load_function(str(STUDENTS / "correct_columns.py"))

    def scaled(params, X, Y):
        cost, grads = reference(params, X, Y)
        grads["db2"] = grads["db2"] * 2.6473  # one number: any value is some multiple of the right one
        grads["dW2"] = grads["dW2"] * 2.6473  # four numbers: the same factor in each is a finding
        return cost, grads

    result = check_function(scaled, BCE, "columns", SCRATCH_ONLY)
    messages = {h.params: h.message for h in result.hints}
    assert messages[("W2",)] == "your dW2 is 2.6473 times the right gradient; no classic mistake gives that factor"
    assert "times the right gradient" not in messages[("b2",)]


# ---------------------------------------------------------------------------------------------
# The result as a table


def test_the_result_renders_as_a_compact_table_everywhere():
    from rich.console import Console

    result = check_file(str(STUDENTS / "forgot_1_over_m.py"), BCE, "columns", SCRATCH_ONLY, sandbox=False)
    text = repr(result)
    assert text.splitlines()[0].endswith(": WRONG")
    assert re.search(r"case\s+m\s+loss\s+dW2\s+db2\s+dW1\s+db1", text)
    assert re.search(r"breast-cancer-2-4-1\s+569\s+✓\s+✗\s+✗\s+✗\s+✗", text)
    assert text == text_summary(result)
    page = result._repr_html_()
    assert page == html_summary(result) and page.count("<tr>") == 2 and "1/m was forgotten" in page
    console = Console(record=True, width=200)
    console.print(result)
    assert "1/m was forgotten" in console.export_text() and rich_summary(result) is not None
