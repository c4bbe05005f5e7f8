"""The JSON fields the docs read their numbers from (scripts/docs_numbers.py), checked against independent computations.

- the parity report's ``max_rel_err_at``: per framework and checked quantity, the entry its
  ``max_rel_err`` was taken at (index, the framework's value, scratch's value);
- the training report's ``divergence``: per framework and recorded step, the largest relative
  difference of any parameter from scratch (the curve of ``--plot``'s divergence.png).

Golden values come from how each input was built (a planted change of known size) or from
separate runs and a formula written here, never from the field itself.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from compare.data.cases import get_case
from compare.parity.harness import run_case
from compare.parity.report import to_json as parity_json
from compare.registry import OTHERS, REFERENCE
from compare.training.command import to_json as train_json
from compare.training.run import TrainingRun, run_training
from core.optimizers import matched
from core.training import TrainResult
from scratch.model import evaluate

# --- the parity report: max_rel_err_at -----------------------------------------------------------------------------------

DELTA_CHANGE = (0, 1)  # the entry of delta1 the planted evaluator moves most (worked-2-2-2: one sample, two hidden units)


def planted(spec, params, X, y, dtype, **mode):
    """scratch's pass with delta1 moved by 1e-6 relative at DELTA_CHANGE, by 1e-9 at (0, 0), and the loss by 1e-12."""
    trace = evaluate(spec, params, X, y, dtype, **mode)
    delta1 = trace.delta[1].copy()
    delta1[DELTA_CHANGE] *= 1 + 1e-6
    delta1[0, 0] *= 1 + 1e-9
    return dataclasses.replace(trace, delta={**trace.delta, 1: delta1}, loss=trace.loss * (1 + 1e-12))


def test_max_rel_err_at_names_the_entry_a_planted_change_moved_most():
    case = get_case("worked-2-2-2")
    result = run_case(case, "float64", ["torch"], evaluators={"torch": planted})  # "torch" is the planted pass here
    where = parity_json([result])["cases"][0]["results"]["torch"]["max_rel_err_at"]
    scratch = evaluate(case.spec, case.params, case.X, case.y, "float64")
    original = float(scratch.delta[1][DELTA_CHANGE])
    assert where["delta1"] == {"index": list(DELTA_CHANGE), "actual": original * (1 + 1e-6), "expected": original}
    assert where["loss"] == {"index": [], "actual": scratch.loss * (1 + 1e-12), "expected": scratch.loss}
    # untouched quantities: every entry agrees exactly, the first nonzero-scratch entry is named, values equal
    assert where["z1"]["actual"] == where["z1"]["expected"] == float(scratch.z[1][0, 0]) and where["z1"]["index"] == [0, 0]
    assert where["output"]["expected"] == float(scratch.a[2][0, 0])  # a_L is called output, as in "checks"
    assert "max_rel_err_at" not in parity_json([result])["cases"][0]["results"]["scratch"]


def test_max_rel_err_at_agrees_with_the_errors_recomputed_from_the_reports_arrays():
    """A real torch pass in float32: for the output and every gradient (whose arrays the report holds), the entry
    found here by argmax over the report's own values is the one named, and its relative error is the check's."""
    pytest.importorskip("torch")
    report = parity_json([run_case(get_case("spiral-2-4-3"), "float32", ["torch"])])
    case = report["cases"][0]
    where = case["results"]["torch"]["max_rel_err_at"]
    checks = {c["quantity"]: c for c in case["checks"]}
    arrays = {
        "output": (case["results"]["torch"]["output"], case["results"]["scratch"]["output"]),
        **{
            f"d{p}": (case["results"]["torch"]["grads"][p], case["results"]["scratch"]["grads"][p])
            for p in ("W1", "b1", "W2", "b2")
        },
    }
    moved = 0
    for quantity, (mine, theirs) in arrays.items():
        actual, expected = np.asarray(mine, dtype=float), np.asarray(theirs, dtype=float)
        relative = np.full(expected.shape, -1.0)
        for at in np.ndindex(expected.shape):
            if expected[at] != 0:
                relative[at] = abs(actual[at] - expected[at]) / abs(expected[at])
        at = np.unravel_index(int(np.argmax(relative)), relative.shape)
        assert where[quantity] == {"index": list(at), "actual": actual[at], "expected": expected[at]}, quantity
        assert relative[at] == pytest.approx(checks[quantity]["max_rel_err"], rel=1e-12, abs=0.0), quantity
        moved += relative[at] > 0
    assert moved >= 3  # float32: torch and scratch do differ, so the named entries are not just the first ones


# --- the training report: divergence ----------------------------------------------------------------------------------


def result(steps, params):
    """A TrainResult recording ``params`` (one dict per recorded step), the last of them final."""
    params = [{k: np.array(v, dtype=float) for k, v in p.items()} for p in params]
    return TrainResult(steps, [0.0] * len(steps), params, params[-1], 0.0, None)


def test_divergence_is_the_largest_relative_parameter_difference_at_each_recorded_step():
    case = get_case("worked-2-2-2")
    run = TrainingRun(case.name, case, "float64", "sgd", matched("sgd", 0.5), False, None, 0.0, 0.0, False)
    same_steps, other_steps = OTHERS[:2]  # any two registered frameworks
    run.results = {
        REFERENCE: result([1, 2], [{"W1": [[1.0, 2.0]], "b1": [0.0, 4.0]}, {"W1": [[2.0, -4.0]], "b1": [1.0, 1.0]}]),
        # step 1: W1[0, 0] off by 0.1 of 1 (b1[0] is off too, but scratch's is 0: skipped); step 2: W1[0, 1] by 0.004 of 4
        same_steps: result([1, 2], [{"W1": [[1.1, 2.0]], "b1": [5.0, 4.0]}, {"W1": [[2.0, -4.004]], "b1": [1.0, 1.0005]}]),
        other_steps: result([1, 3], [{"W1": [[1.0, 2.0]], "b1": [0.0, 4.0]}] * 2),  # other steps (fit's own batches): none
    }
    divergence = train_json([run])["runs"][0]["divergence"]
    assert list(divergence) == [same_steps]
    assert divergence[same_steps] == pytest.approx([0.1, 1e-3], rel=1e-9)


def test_divergence_agrees_with_separate_runs_stopped_at_each_step():
    """torch in float32 on the spiral, 3 steps: each recorded step's divergence is the largest relative difference
    between the final parameters of runs of 1, 2 and 3 steps (the same deterministic trajectories)."""
    pytest.importorskip("torch")

    def train(steps: int) -> TrainingRun:
        return run_training(get_case("spiral-2-4-3"), optimizer="sgd", dtype="float32", frameworks=["torch"], steps=steps)

    divergence = train_json([train(3)])["runs"][0]["divergence"]["torch"]
    expected = []
    for k in (1, 2, 3):
        final = train(k).results
        worst = 0.0
        for name, theirs in final["scratch"].final_params.items():
            mine = final["torch"].final_params[name]
            for at in np.ndindex(theirs.shape):
                if theirs[at] != 0:
                    worst = max(worst, abs(float(mine[at]) - float(theirs[at])) / abs(float(theirs[at])))
        expected.append(worst)
    assert divergence == pytest.approx(expected, rel=1e-12, abs=0.0)
    assert max(expected) > 0  # float32: the two do part, so the comparison is not of zeros
