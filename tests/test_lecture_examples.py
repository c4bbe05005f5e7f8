"""The Amrita FFNN intro's single-sample examples, computed from the given weights.

The expected numbers are derived here independently, with scalar ``math`` and
plain loops (no NumPy, no project code), and then compared with all three
implementations. Where the slide's printed value differs by more than its
rounding, the test says so and docs/lecture-examples.md explains why.
"""

import math

import pytest

from compare import registry
from compare.data.cases import lecture_4_4_1, lecture_4_4_3
from compare.parity.harness import evaluate_with

IMPLEMENTATIONS = registry.NAMES


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def by_hand(case):
    """Scalar forward pass: z1_j = sum_k W1[j][k] x_k + b1_j, a1 = sigmoid(z1), z2 likewise."""
    W1, b1, W2, b2 = (case.params[k].tolist() for k in ("W1", "b1", "W2", "b2"))
    x = case.X[0].tolist()
    z1 = [sum(w * xk for w, xk in zip(row, x, strict=True)) + b for row, b in zip(W1, b1, strict=True)]
    a1 = [sigmoid(v) for v in z1]
    z2 = [sum(w * ak for w, ak in zip(row, a1, strict=True)) + b for row, b in zip(W2, b2, strict=True)]
    return z1, a1, z2


def test_4_4_1_by_hand_matches_the_slide_up_to_its_rounding():
    z1, a1, z2 = by_hand(lecture_4_4_1())
    # slide: a1 = [0.01 0.71 0.42 0.63], h1 = [0.50 0.67 0.60 0.65], a2 = 0.921
    assert [round(v, 2) for v in z1] == [0.01, 0.71, 0.42, 0.63]
    assert [round(v, 2) for v in a1] == [0.50, 0.67, 0.60, 0.65]
    assert round(z2[0], 3) == 0.921
    y_hat = sigmoid(z2[0])
    loss = -math.log(1.0 - y_hat)  # y = 0
    # The slide prints y_hat = 0.7152 and L = 1.2560; the exact values are 0.71529 and 1.25629.
    # The slide carried the 2-decimal h1 forward: sigmoid(0.921) = 0.71523, -log(1 - 0.7152) = 1.2560.
    assert abs(y_hat - 0.7152) > 0.5e-4 and abs(y_hat - 0.71529) < 0.5e-5
    assert abs(loss - 1.2560) > 0.5e-4 and abs(loss - 1.25629) < 0.5e-5
    assert round(-math.log(1.0 - 0.7152), 4) == 1.2560  # the slide's own arithmetic


def test_4_4_3_by_hand_shows_the_slide_slip_in_a2():
    z1, a1, z2 = by_hand(lecture_4_4_3())
    assert [round(v, 2) for v in z1] == [0.62, 0.09, 0.2, -0.15]
    assert [round(v, 2) for v in a1] == [0.65, 0.52, 0.55, 0.46]
    # slide: a2 = [0.32 0.29 0.85]; the given weights give [0.318, 0.287, 0.790]
    assert [round(v, 2) for v in z2[:2]] == [0.32, 0.29]
    assert abs(z2[2] - 0.85) > 0.05  # a slip on the slide, not rounding
    assert round(z2[2], 3) == 0.790


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_4_4_1_implementations_match_the_hand_computation(implementation):
    case = lecture_4_4_1()
    z1, a1, z2 = by_hand(case)
    trace = evaluate_with(implementation, case.spec, case.params, case.X, case.y, "float64")
    y_hat = sigmoid(z2[0])
    assert trace.z[1][0].tolist() == pytest.approx(z1, rel=1e-12)
    assert trace.output[0, 0] == pytest.approx(y_hat, rel=1e-12)
    assert trace.loss == pytest.approx(-math.log(1.0 - y_hat), rel=1e-12)
    # BCE with sigmoid: dL/dz2 = y_hat - y, so dL/dW2_k = (y_hat - 0) a1_k (ED5340 L26)
    assert trace.grads["W2"][0].tolist() == pytest.approx([y_hat * a for a in a1], rel=1e-12)


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_4_4_3_implementations_match_the_hand_computation(implementation):
    case = lecture_4_4_3()
    _, a1, z2 = by_hand(case)
    total = sum(math.exp(v) for v in z2)
    probs = [math.exp(v) / total for v in z2]
    trace = evaluate_with(implementation, case.spec, case.params, case.X, case.y, "float64")
    assert trace.output[0].tolist() == pytest.approx(probs, rel=1e-12)
    assert trace.loss == pytest.approx(-math.log(probs[2]), rel=1e-12)
    # softmax + CE: dL/dz2 = probs - onehot(third class) (Session-5 backprop)
    delta2 = [p - (1.0 if j == 2 else 0.0) for j, p in enumerate(probs)]
    assert trace.grads["b2"].tolist() == pytest.approx(delta2, rel=1e-12)
