"""Seed 001's worked 2-2-2 example: the published numbers, in all three implementations.

Each golden number is the slide's, checked to half a unit of its last printed digit.
Wiring (compare/cases.py): W1 = [[w1, w2], [w3, w4]], W2 = [[w5, w6], [w7, w8]].
"""

import numpy as np
import pytest

from compare.cases import worked_2_2_2
from compare.harness import evaluate_with


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
IMPLEMENTATIONS = ("scratch", "torch", "keras")


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


def step_scratch(case):
    import scratch.network as net

    trace = net.evaluate(case.spec, case.params, case.X, case.y)
    return net.gradient_descent_step(case.params, trace.grads, case.learning_rate)


def step_torch(case):
    import torch

    from torch_impl.convert import read_params
    from torch_impl.model import build_model

    model = build_model(case.spec, case.params, "float64")
    optimizer = torch.optim.SGD(model.parameters(), lr=case.learning_rate)
    z, a = model(torch.from_numpy(case.X))
    model.loss(z, a, torch.from_numpy(case.y)).backward()
    optimizer.step()
    return read_params(list(model.linears))


def step_keras(case):
    import keras

    from keras_impl.convert import read_params
    from keras_impl.gradients import value_and_gradients
    from keras_impl.model import build_model

    model = build_model(case.spec, case.params, "float64")
    optimizer = keras.optimizers.SGD(learning_rate=case.learning_rate)
    X = keras.ops.convert_to_tensor(case.X, dtype="float64")
    y = keras.ops.convert_to_tensor(case.y, dtype="float64")

    def compute():
        z, a = model(X)
        return model.loss(z, a, y), []

    _, grads, _ = value_and_gradients(compute, model.variables)
    optimizer.apply_gradients(zip(grads, model.variables))
    return read_params(model.denses)


STEPS = {"scratch": step_scratch, "torch": step_torch, "keras": step_keras}


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_weights_after_one_gradient_step_match_the_slide(implementation):
    new = STEPS[implementation](worked_2_2_2())
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
