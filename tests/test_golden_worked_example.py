"""Mazur's worked 2-2-2 example (from the Amrita FFNN intro): the published numbers, in all three implementations.

Each golden number is the slide's, checked to half a unit of its last printed digit.
Wiring (compare/cases.py): W1 = [[w1, w2], [w3, w4]], W2 = [[w5, w6], [w7, w8]].
"""

import numpy as np
import pytest

from compare import registry
from compare.data.cases import worked_2_2_2
from compare.parity.harness import evaluate_with
from core.optimizers import Hyperparameters


def half_ulp(printed: str) -> float:
    """Half a unit in the last printed decimal: '0.35891648' -> 5e-9."""
    return 0.5 * 10.0 ** -len(printed.split(".")[1])


FORWARD = [  # (quantity, slide value as printed)
    ("out_h1", "0.593269992"),
    ("out_h2", "0.596884378"),
    ("out_o1", "0.75136507"),
    ("out_o2", "0.772928465"),
    ("E_total", "0.298371109"),
    ("dE/dw5", "0.082167041"),
    ("dE/dw1", "0.000438568"),
]
AFTER_ONE_STEP = [  # eta = 0.5; (name, (param, row, col), printed)
    ("w5+", ("W2", 0, 0), "0.35891648"),
    ("w6+", ("W2", 0, 1), "0.408666186"),
    ("w7+", ("W2", 1, 0), "0.511301270"),
    ("w8+", ("W2", 1, 1), "0.561370121"),
    ("w1+", ("W1", 0, 0), "0.149780716"),
    ("w2+", ("W1", 0, 1), "0.19956143"),
    ("w3+", ("W1", 1, 0), "0.24975114"),
    ("w4+", ("W1", 1, 1), "0.29950229"),
]
IMPLEMENTATIONS = registry.NAMES


def forward_values(trace):
    return {
        "out_h1": trace.a[1][0, 0],
        "out_h2": trace.a[1][0, 1],
        "out_o1": trace.a[2][0, 0],
        "out_o2": trace.a[2][0, 1],
        "E_total": trace.loss,
        "dE/dw5": trace.grads["W2"][0, 0],
        "dE/dw1": trace.grads["W1"][0, 0],
    }


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("quantity,printed", FORWARD, ids=[q for q, _ in FORWARD])
def test_forward_and_gradient_match_the_slide(implementation, quantity, printed):
    case = worked_2_2_2()
    trace = evaluate_with(implementation, case.spec, case.params, case.X, case.y, "float64")
    assert abs(forward_values(trace)[quantity] - float(printed)) <= half_ulp(printed)


def one_sgd_step(implementation, case):
    """The implementation's own train(): one full-batch SGD step with the slide's eta."""
    result = registry.get(implementation).train(
        case.spec,
        case.params,
        case.X,
        case.y,
        optimizer="sgd",
        hyper=Hyperparameters(learning_rate=case.learning_rate),
        batches=[np.arange(len(case.X))],
    )
    return result.final_params


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_weights_after_one_gradient_step_match_the_slide(implementation):
    new = one_sgd_step(implementation, worked_2_2_2())
    for name, (param, row, col), printed in AFTER_ONE_STEP:
        assert abs(new[param][row, col] - float(printed)) <= half_ulp(printed), name


def test_the_example_is_a_layout_canary():
    """W1 and W2 are square and asymmetric, so a transposed load changes out_h1 (and more)."""
    case = worked_2_2_2()
    for name in ("W1", "W2"):
        assert case.params[name].shape[0] == case.params[name].shape[1]
        assert not np.allclose(case.params[name], case.params[name].T)
    transposed = dict(case.params, W1=case.params["W1"].T.copy(), W2=case.params["W2"].T.copy())
    trace = evaluate_with("scratch", case.spec, transposed, case.X, case.y, "float64")
    assert abs(trace.a[1][0, 0] - 0.593269992) > 1e-3
