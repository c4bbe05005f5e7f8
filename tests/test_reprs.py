"""Traces, case results and training results print as one line, never as thousands of array lines, and
render as small HTML tables in a notebook."""

import re

from compare.data.cases import spiral_2_4_3
from compare.parity.harness import run_case
from compare.training.run import run_training
from scratch.model import evaluate

CASE = spiral_2_4_3()  # 300 samples: printing its arrays would take hundreds of lines


def test_a_trace_is_one_line_with_the_loss_and_the_gradient_shapes():
    trace = evaluate(CASE.spec, CASE.params, CASE.X, CASE.y, "float64")
    text = repr(trace)
    assert "\n" not in text and len(text) < 200
    assert text.startswith("Trace(2-4-3:relu,softmax:cce, m=300, train, loss=")
    assert f"loss={trace.loss:.6g}" in text and "dW1 (4, 2)" in text and "db2 (3,)" in text


def test_a_traces_html_has_one_row_per_quantity_and_no_arrays():
    trace = evaluate(CASE.spec, CASE.params, CASE.X, CASE.y, "float64")
    page = trace._repr_html_()
    assert page.count("<tr>") == len(trace.quantities()) + 1  # the header row, then one per quantity
    assert "<td>z1</td><td>(300, 4)</td>" in page and "[" not in page


def test_a_case_result_names_the_counts_and_the_first_failure():
    result = run_case(CASE, "float64", ["torch"])
    n = len(result.checks)
    assert repr(result) == f"CaseResult(spiral-2-4-3 float64 train: {n} of {n} checks pass, torch)"
    result.checks[2].passed = False  # as a failing comparison would leave it
    assert f"first ✗ torch {result.checks[2].quantity}" in repr(result)
    assert re.search(r"<td>✗ [0-9.e+-]+</td>", result._repr_html_())


def test_a_training_result_is_one_line():
    run = run_training(CASE, optimizer="sgd", dtype="float64", frameworks=["torch"], steps=5)
    text = repr(run.results["torch"])
    assert "\n" not in text and text.startswith("TrainResult(5 steps, loss ")
    assert f"-> {run.results['torch'].final_loss:.6g}" in text and "W1 (4, 2)" in text
