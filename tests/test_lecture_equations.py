"""Every equation of the five lectures, checked against the project's from-scratch implementation.

Each equation is written out here in plain NumPy, in float64, on small random data, in the
lecture's own convention, and compared with scratch; a gradient is also compared with central
finite differences of a loss written out here (never scratch's own gradcheck). Where a slide's
equation is wrong, the test shows that it is and what is right. docs/lecture-examples.md lists
every item with its verdict.

Conventions: the project is batch-first (X is m x n_0) with W_l of shape (n_l, n_{l-1}).
ED5340 L26 and ED5340 L25 write the column convention (X is n_0 x m, Z = W X + b): their W is
the project's W_l, their X, Z, A are the transposes of the project's. Session-5 backprop writes
rows (X W + b) with W in x out, the transpose of the canonical W_l. CS60050 backprop numbers
the input layer 1 (a^(1) = x), so its Theta^(l) is the project's W_l with the bias b_l as
column 0, and its delta^(l+1) is the project's delta_l.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from compare.data.cases import spiral_2_4_3
from compare.data.datasets import spiral
from core.activations import LEAKY_SLOPE
from core.optimizers import Hyperparameters
from core.spec import parse_spec
from scratch import activations as act
from scratch.losses import output_delta
from scratch.model import evaluate
from scratch.regularization import l2_gradients, l2_penalty
from scratch.train import train

EXACT = {"rtol": 1e-12, "atol": 1e-14}  # the same float64 arithmetic in another order
FD = {"rtol": 1e-6, "atol": 1e-9}  # central differences with h = 1e-6: error ~1e-10


def sigmoid(z):
    """The lectures' sigma(z) = 1 / (1 + e^-z), unshifted."""
    return 1.0 / (1.0 + np.exp(-z))


def random_params(sizes, seed):
    rng = np.random.RandomState(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.uniform(-1.0, 1.0, (sizes[l], sizes[l - 1]))
        params[f"b{l}"] = rng.uniform(-0.5, 0.5, sizes[l])
    return params


def finite_differences(loss_of: Callable[[dict], float], params: dict, h: float = 1e-6) -> dict:
    """(L(theta + h e_i) - L(theta - h e_i)) / (2 h) for every entry, written out here."""
    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][index] += h
            minus[name][index] -= h
            grad[index] = (loss_of(plus) - loss_of(minus)) / (2 * h)
        grads[name] = grad
    return grads


def one_sgd_step(spec, params, X, y, eta, rows=None, l2=0.0):
    """scratch's own train(): one plain gradient-descent step on ``rows`` (default: the whole batch)."""
    batch = np.arange(len(X)) if rows is None else np.asarray(rows)
    result = train(spec, params, X, y, optimizer="sgd", hyper=Hyperparameters(learning_rate=eta), batches=[batch], l2=l2)
    return result.final_params


# ---------------------------------------------------------------- ED5340 L26 (column convention)

NET_3_4_1 = parse_spec("3-4-1:sigmoid,sigmoid:bce")


def l26_forward(params, X):
    """Z[1] = W[1] X + b[1], A[1] = sigma(Z[1]), Z[2] = W[2] A[1] + b[2], A[2] = sigma(Z[2]); X is 3 x m."""
    b1, b2 = params["b1"][:, None], params["b2"][:, None]  # (4 x 1), (1 x 1)
    Z1 = params["W1"] @ X + b1
    A1 = sigmoid(Z1)
    Z2 = params["W2"] @ A1 + b2
    return Z1, A1, Z2, sigmoid(Z2)


def l26_cost(params, X, Y):
    """(1/m) sum of J(a, y) = -y log a - (1 - y) log(1 - a), column convention."""
    A2 = l26_forward(params, X)[3]
    return float(np.mean(-Y * np.log(A2) - (1 - Y) * np.log(1 - A2)))


def l26_data(m, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(3, m))  # features x samples, as on the slide
    Y = (rng.uniform(size=(1, m)) > 0.5).astype(float)
    if m > 1:
        Y[0, 0], Y[0, 1] = 0.0, 1.0  # both classes present
    return X, Y


@pytest.mark.parametrize("m", [1, 5])
def test_ed5340_3_4_1_shapes_are_the_transpose_of_the_projects_for_data_and_the_same_for_weights(m):
    """ED5340 L25/L26: z[1] = (4x3)(3xm) + (4x1) = (4xm), z[2] = (1x4)(4xm) + (1x1) = (1xm)."""
    params = random_params((3, 4, 1), seed=2)
    X, Y = l26_data(m)
    assert NET_3_4_1.param_shapes() == {"W1": (4, 3), "b1": (4,), "W2": (1, 4), "b2": (1,)}  # W[l] as on the slide
    Z1, A1, Z2, A2 = l26_forward(params, X)
    assert (Z1.shape, A1.shape, Z2.shape, A2.shape) == ((4, m), (4, m), (1, m), (1, m))
    trace = evaluate(NET_3_4_1, params, X.T, Y.T)  # the project is batch-first: X.T is m x 3
    assert trace.z[1].shape == (m, 4) and trace.z[2].shape == (m, 1)
    np.testing.assert_allclose(trace.z[1], Z1.T, **EXACT)
    np.testing.assert_allclose(trace.a[1], A1.T, **EXACT)
    np.testing.assert_allclose(trace.z[2], Z2.T, **EXACT)
    np.testing.assert_allclose(trace.a[2], A2.T, **EXACT)


def test_ed5340_w1_stacks_the_units_row_vectors_and_z_stacks_their_dot_products():
    """ED5340 L25/L26: W[1] = [w1[1]T; ...; w4[1]T], z_j[1] = w_j[1]T x + b_j[1] stacked = W[1] x + b[1]."""
    params = random_params((3, 4, 1), seed=3)
    x = np.array([0.3, -1.2, 0.7])
    per_unit = [float(np.dot(params["W1"][j], x) + params["b1"][j]) for j in range(4)]
    trace = evaluate(NET_3_4_1, params, x[None, :], np.array([1.0]))
    assert trace.z[1].shape == (1, 4)  # one entry per unit: four, not the five the L25 column vector lists
    np.testing.assert_allclose(trace.z[1][0], per_unit, **EXACT)
    np.testing.assert_allclose(trace.a[1][0], [1 / (1 + math.exp(-v)) for v in per_unit], **EXACT)


def test_logistic_unit_is_sigma_of_w_transpose_x_plus_b():
    """ED5340 L25/L26 and CS60050: z = w^T x + b, a = sigma(z) = 1 / (1 + e^-z)."""
    w, b = np.array([0.4, -0.9, 0.25]), -0.3
    X = np.random.RandomState(4).normal(size=(6, 3))
    trace = evaluate(parse_spec("3-1:sigmoid:bce"), {"W1": w[None, :], "b1": np.array([b])}, X, np.zeros(6))
    z = X @ w + b
    np.testing.assert_allclose(trace.z[1][:, 0], z, **EXACT)
    np.testing.assert_allclose(trace.a[1][:, 0], 1 / (1 + np.exp(-z)), **EXACT)


def test_sigmoid_derivative_is_a_times_one_minus_a():
    """ED5340 L26: sigma'(z) = sigma (1 - sigma), d sigma / dz = a (1 - a)."""
    z = np.linspace(-4.0, 4.0, 17)
    a = act.sigmoid(z)
    h = 1e-6
    central = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
    np.testing.assert_allclose(a * (1 - a), central, **FD)
    np.testing.assert_allclose(act.sigmoid_derivative(z, a), sigmoid(z) * (1 - sigmoid(z)), **EXACT)


def test_bce_and_its_derivative_in_a():
    """ED5340 L26 and CS60050: J(a, y) = -y log a - (1 - y) log(1 - a), dJ/da = -y/a + (1 - y)/(1 - a)."""
    spec = parse_spec("2-1:sigmoid:bce")
    params = {"W1": np.array([[0.8, -0.5]]), "b1": np.array([0.1])}
    X = np.array([[0.5, 1.0], [-1.0, 0.3], [2.0, -0.7]])
    y = np.array([1.0, 0.0, 1.0])
    a = sigmoid(X @ params["W1"][0] + params["b1"][0])
    assert evaluate(spec, params, X, y).loss == pytest.approx(np.mean(-y * np.log(a) - (1 - y) * np.log(1 - a)), rel=1e-12)
    for a_i, y_i in zip(a, y, strict=True):
        h = 1e-7

        def J(v, y_i=y_i):
            return -y_i * math.log(v) - (1 - y_i) * math.log(1 - v)

        assert (J(a_i + h) - J(a_i - h)) / (2 * h) == pytest.approx(-y_i / a_i + (1 - y_i) / (1 - a_i), rel=1e-6)


def test_ed5340_l26_dj_dz_line_with_y_minus_1_is_a_sign_slip_and_a_minus_y_is_right():
    """ED5340 L26 writes dJ/dz = (-y/a + (y - 1)/(1 - a)) a (1 - a); with (1 - y) it is a - y."""
    z = np.array([-1.3, -0.2, 0.4, 2.1])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    a = sigmoid(z)
    as_printed = (-y / a + (y - 1) / (1 - a)) * a * (1 - a)
    corrected = (-y / a + (1 - y) / (1 - a)) * a * (1 - a)
    np.testing.assert_allclose(corrected, a - y, **EXACT)
    np.testing.assert_allclose(as_printed, 2 * a * y - a - y, **EXACT)  # what the printed line simplifies to
    # right where y = 1 (the (y - 1) term vanishes), -a instead of a where y = 0
    np.testing.assert_allclose(as_printed[y == 1], (a - y)[y == 1], **EXACT)
    np.testing.assert_allclose(as_printed[y == 0], -a[y == 0], **EXACT)
    h = 1e-6

    def J(v):
        s = sigmoid(v)
        return -y * np.log(s) - (1 - y) * np.log(1 - s)

    np.testing.assert_allclose((J(z + h) - J(z - h)) / (2 * h), a - y, **FD)
    np.testing.assert_allclose(output_delta("bce", "sigmoid", z[:, None], a[:, None], y[:, None])[:, 0], a - y, **EXACT)


def test_logistic_regression_gradients_dw_is_a_minus_y_times_x_and_db_is_a_minus_y():
    """ED5340 L26 and CS60050: dz = a - y, dJ/dw = (a - y) x, dJ/db = (a - y) 1 (one sample)."""
    spec = parse_spec("3-1:sigmoid:bce")
    params = {"W1": np.array([[0.2, -0.4, 0.9]]), "b1": np.array([0.05])}
    x, y = np.array([1.5, -0.5, 0.25]), 1.0
    a = float(sigmoid(params["W1"][0] @ x + params["b1"][0]))
    trace = evaluate(spec, params, x[None, :], np.array([y]))
    assert trace.delta[1][0, 0] == pytest.approx(a - y, rel=1e-12)
    np.testing.assert_allclose(trace.grads["W1"][0], (a - y) * x, **EXACT)
    assert trace.grads["b1"][0] == pytest.approx(a - y, rel=1e-12)

    def cost(p):
        s = sigmoid(p["W1"][0] @ x + p["b1"][0])
        return float(-y * np.log(s) - (1 - y) * np.log(1 - s))

    numeric = finite_differences(cost, params)
    np.testing.assert_allclose(numeric["W1"][0], (a - y) * x, **FD)
    assert numeric["b1"][0] == pytest.approx(a - y, rel=1e-6)


def test_ed5340_l26_one_sample_backprop_dz1_is_w2_transpose_dz2_times_g_prime():
    """ED5340 L26: dz[1] = W[2]T dz[2] * a[1]'(z[1]), dW[1] = dz[1] x^T, db[1] = dz[1]; x = a[0] (3 x 1)."""
    params = random_params((3, 4, 1), seed=5)
    X, Y = l26_data(1)
    Z1, A1, Z2, A2 = l26_forward(params, X)
    dz2 = A2 - Y
    dz1 = params["W2"].T @ dz2 * (A1 * (1 - A1))
    trace = evaluate(NET_3_4_1, params, X.T, Y.T)
    np.testing.assert_allclose(trace.delta[1], dz1.T, **EXACT)
    np.testing.assert_allclose(trace.grads["W1"], dz1 @ X.T, **EXACT)
    np.testing.assert_allclose(trace.grads["b1"], dz1[:, 0], **EXACT)
    np.testing.assert_allclose(trace.grads["W2"], dz2 @ A1.T, **EXACT)


def test_ed5340_l26_vectorised_backprop_with_the_hidden_line_corrected_matches_scratch_and_finite_differences():
    """ED5340 L26's vectorised slide, column convention, m = 7, with dZ[1] = W[2]T dZ[2] * g'(Z[1])."""
    m = 7
    params = random_params((3, 4, 1), seed=6)
    X, Y = l26_data(m)
    Z1, A1, Z2, A2 = l26_forward(params, X)
    dZ2 = A2 - Y
    dW2 = (1 / m) * dZ2 @ A1.T
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = params["W2"].T @ dZ2 * (A1 * (1 - A1))
    dW1 = (1 / m) * dZ1 @ X.T
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    assert (dW1.shape, db1.shape, dW2.shape, db2.shape) == ((4, 3), (4, 1), (1, 4), (1, 1))
    trace = evaluate(NET_3_4_1, params, X.T, Y.T)
    assert trace.loss == pytest.approx(l26_cost(params, X, Y), rel=1e-12)
    for name, by_hand in (("W1", dW1), ("b1", db1[:, 0]), ("W2", dW2), ("b2", db2[:, 0])):
        np.testing.assert_allclose(trace.grads[name], by_hand, **EXACT)
    numeric = finite_differences(lambda p: l26_cost(p, X, Y), params)
    for name in params:
        np.testing.assert_allclose(trace.grads[name], numeric[name], **FD)


def test_ed5340_l26_dz1_written_as_a2_minus_y_is_a_slip():
    """ED5340 L26 prints dZ[1] = A[2] - Y: a 1 x m matrix where dZ[1] is 4 x m, and dW[1] would not be 4 x 3."""
    m = 7
    params = random_params((3, 4, 1), seed=6)
    X, Y = l26_data(m)
    A2 = l26_forward(params, X)[3]
    as_printed = A2 - Y
    assert as_printed.shape == (1, m)
    assert ((1 / m) * as_printed @ X.T).shape == (1, 3) != params["W1"].shape
    trace = evaluate(NET_3_4_1, params, X.T, Y.T)
    assert trace.delta[1].T.shape == (4, m)  # dZ[1] in the column convention


def test_ed5340_l26_gradient_descent_update_and_the_w2_equals_w1_slip():
    """ED5340 L26: W[l] = W[l] - alpha dW[l], b[l] = b[l] - alpha db[l]; it prints W[2] = W[1] - alpha dW[2]."""
    m, alpha = 7, 0.3
    params = random_params((3, 4, 1), seed=7)
    X, Y = l26_data(m)
    Z1, A1, Z2, A2 = l26_forward(params, X)
    dZ2 = A2 - Y
    dZ1 = params["W2"].T @ dZ2 * (A1 * (1 - A1))
    by_hand = {
        "W1": params["W1"] - alpha * dZ1 @ X.T / m,
        "b1": params["b1"] - alpha * dZ1.sum(axis=1) / m,
        "W2": params["W2"] - alpha * dZ2 @ A1.T / m,
        "b2": params["b2"] - alpha * dZ2.sum(axis=1) / m,
    }
    new = one_sgd_step(NET_3_4_1, params, X.T, Y.T, alpha)
    for name in by_hand:
        np.testing.assert_allclose(new[name], by_hand[name], **EXACT)
    with pytest.raises(ValueError):  # as printed: W[1] (4 x 3) - alpha dW[2] (1 x 4) does not even broadcast
        _ = params["W1"] - alpha * (dZ2 @ A1.T / m)


def test_ed5340_l26_full_procedure_repeated_steps_lower_the_cost():
    """ED5340 L26: repeat {FP, BP, update}: with a small alpha the cost falls at every step."""
    X, Y = l26_data(20)
    params = random_params((3, 4, 1), seed=8)
    result = train(
        NET_3_4_1, params, X.T, Y.T, optimizer="sgd", hyper=Hyperparameters(learning_rate=0.5), batches=[np.arange(20)] * 30
    )
    costs = result.loss_history
    assert len(costs) == 30 and all(b < a for a, b in zip(costs, costs[1:], strict=False))
    assert costs[0] == pytest.approx(l26_cost(params, X, Y), rel=1e-12)


# ---------------------------------------------------------------- Amrita FFNN intro


@pytest.mark.parametrize(
    "w11,w12,w13,w14,w21,w22",
    [(-2.0, 1.0, -1.5, 1.5, 1.0, -1.0), (2.0, -1.0, 2.0, -2.0, 1.0, -1.0)],
    ids=["first-weights", "second-weights"],
)
def test_amrita_two_sigmoid_neurons_feeding_a_third_compose_as_written(w11, w12, w13, w14, w21, w22):
    """Amrita FFNN intro: y = sigma(w21 h1 + w22 h2 + b2), h1 = sigma(w11 x1 + w12 x2 + b1), h2 = sigma(w13 x1 + w14 x2 + b1)."""
    b1 = b2 = 0.0
    X = np.random.RandomState(9).uniform(-3, 3, size=(8, 2))
    params = {
        "W1": np.array([[w11, w12], [w13, w14]]),
        "b1": np.array([b1, b1]),
        "W2": np.array([[w21, w22]]),
        "b2": np.array([b2]),
    }
    trace = evaluate(parse_spec("2-2-1:sigmoid,sigmoid:bce"), params, X, np.zeros(8))
    for x, y_hat in zip(X, trace.a[2][:, 0], strict=True):
        x1, x2 = x
        inner1 = 1 / (1 + math.exp(-(w11 * x1 + w12 * x2 + b1)))
        inner2 = 1 / (1 + math.exp(-(w13 * x1 + w14 * x2 + b1)))
        assert y_hat == pytest.approx(1 / (1 + math.exp(-(w21 * inner1 + w22 * inner2 + b2))), rel=1e-12)


def test_amrita_w_layer_neuron_input_indexing_and_the_10_by_100_first_layer():
    """Amrita FFNN intro: W_1 is 10 x 100 (row j: w_1j1 ... w_1j100), x is 100 x 1, a_1j = sum_k w_1jk x_k + b_1j."""
    spec = parse_spec("100-10-1:sigmoid,sigmoid:bce")
    assert spec.param_shapes()["W1"] == (10, 100)  # the slide's layout is the canonical one: no transpose
    params = random_params((100, 10, 1), seed=10)
    x = np.random.RandomState(11).normal(size=100)
    trace = evaluate(spec, params, x[None, :], np.array([1.0]))
    a1 = [sum(params["W1"][j, k] * x[k] for k in range(100)) + params["b1"][j] for j in range(10)]
    np.testing.assert_allclose(trace.z[1][0], a1, **EXACT)
    np.testing.assert_allclose(trace.a[1][0], sigmoid(np.array(a1)), **EXACT)


def test_amrita_f_of_x_is_o_of_w3_g_of_w2_g_of_w1_x_plus_b1():
    """Amrita FFNN intro: a_i = W_i h_{i-1} + b_i, h_i = g(a_i), f(x) = O(a_L) = O(W3 g(W2 g(W1 x + b1) + b2) + b3)."""
    spec = parse_spec("4-5-3-3:sigmoid,sigmoid,softmax:cce")
    p = random_params((4, 5, 3, 3), seed=12)
    X = np.random.RandomState(13).normal(size=(6, 4))
    trace = evaluate(spec, p, X, np.array([0, 1, 2, 0, 1, 2]))
    for x, out in zip(X, trace.a[3], strict=True):
        a3 = p["W3"] @ sigmoid(p["W2"] @ sigmoid(p["W1"] @ x + p["b1"]) + p["b2"]) + p["b3"]
        np.testing.assert_allclose(out, np.exp(a3) / np.exp(a3).sum(), **EXACT)


def test_amrita_softmax_is_e_to_z_i_over_the_sum_and_sums_to_one():
    """Amrita FFNN intro: softmax(z_i) = e^{z_i} / sum_j e^{z_j}, positive where dividing by the sum is not."""
    for z in ([3.0, 4.0, 10.0, 3.0], [7.0, -2.0, 4.0, 1.0], [0.3, -0.1, 2.5, -4.0]):
        by_hand = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
        out = act.softmax(np.array([z]))[0]
        np.testing.assert_allclose(out, by_hand, **EXACT)
        assert np.all(out > 0) and out.sum() == pytest.approx(1.0, rel=1e-15)


def five_samples():
    X = np.array([[0.5], [-1.0], [1.5], [2.0], [-0.3]])
    y = np.array([[0.2], [0.9], [0.1], [0.7], [0.4]])
    return X, y, {"W1": np.array([[0.6]]), "b1": np.array([-0.2])}


def test_amrita_mean_squared_error_over_five_samples_and_its_gradient():
    """Amrita FFNN intro: L = (1/5) sum_i (f(x_i) - y_i)^2, Delta w = (1/5) sum_i d/dw (f(x_i) - y_i)^2."""
    X, y, params = five_samples()
    f = sigmoid(X[:, 0] * params["W1"][0, 0] + params["b1"][0])
    trace = evaluate(parse_spec("1-1:sigmoid:mse"), params, X, y)
    assert trace.loss == pytest.approx(sum((f - y[:, 0]) ** 2) / 5, rel=1e-12)
    delta_w = sum(2 * (f - y[:, 0]) * f * (1 - f) * X[:, 0]) / 5  # d/dw (f - y)^2 = 2 (f - y) f (1 - f) x
    delta_b = sum(2 * (f - y[:, 0]) * f * (1 - f)) / 5
    assert trace.grads["W1"][0, 0] == pytest.approx(delta_w, rel=1e-12)
    assert trace.grads["b1"][0] == pytest.approx(delta_b, rel=1e-12)


def test_amrita_squaring_outside_the_sum_is_a_slip():
    """Amrita FFNN intro prints dL/dw = d/dw [(1/5) sum (f(x_i) - y_i)]^2: the square of the mean error, not L."""
    X, y, params = five_samples()

    def loss(p):
        return float(np.mean((sigmoid(X[:, 0] * p["W1"][0, 0] + p["b1"][0]) - y[:, 0]) ** 2))

    def as_printed(p):
        return float(np.mean(sigmoid(X[:, 0] * p["W1"][0, 0] + p["b1"][0]) - y[:, 0]) ** 2)

    assert abs(as_printed(params) - loss(params)) > 0.01
    right, printed = finite_differences(loss, params), finite_differences(as_printed, params)
    trace = evaluate(parse_spec("1-1:sigmoid:mse"), params, X, y)
    np.testing.assert_allclose(trace.grads["W1"], right["W1"], **FD)
    assert abs(printed["W1"][0, 0] - right["W1"][0, 0]) > 0.01


def test_amrita_delta_w_of_half_squared_error_for_one_sigmoid_neuron():
    """Amrita FFNN intro: d/dw [1/2 (f(x) - y)^2] = (f(x) - y) f(x) (1 - f(x)) x, f(x) = 1 / (1 + e^-(wx + b))."""
    w, b, x, y = 0.7, -0.4, 1.8, 0.25
    f = 1 / (1 + math.exp(-(w * x + b)))
    h = 1e-6
    d_sigma = (1 / (1 + math.exp(-((w + h) * x + b))) - 1 / (1 + math.exp(-((w - h) * x + b)))) / (2 * h)
    assert d_sigma == pytest.approx(f * (1 - f) * x, rel=1e-7)  # the slide's side derivation
    trace = evaluate(
        parse_spec("1-1:sigmoid:sse"), {"W1": np.array([[w]]), "b1": np.array([b])}, np.array([[x]]), np.array([[y]])
    )
    assert trace.grads["W1"][0, 0] == pytest.approx((f - y) * f * (1 - f) * x, rel=1e-12)


CHAIN_RULE = [  # (function, the slide's derivative)
    ("e^x", math.exp, math.exp),
    ("x^2", lambda x: x * x, lambda x: 2 * x),
    ("1/x", lambda x: 1 / x, lambda x: -1 / x**2),
    ("e^(x^2)", lambda x: math.exp(x * x), lambda x: 2 * x * math.exp(x * x)),
    ("e^(e^(x^2))", lambda x: math.exp(math.exp(x * x)), lambda x: 2 * x * math.exp(x * x) * math.exp(math.exp(x * x))),
]


@pytest.mark.parametrize("f,derivative", [c[1:] for c in CHAIN_RULE], ids=[c[0] for c in CHAIN_RULE])
def test_amrita_chain_rule_examples(f, derivative):
    h = 1e-6
    for x in (-0.9, 0.4, 1.1):
        assert (f(x + h) - f(x - h)) / (2 * h) == pytest.approx(derivative(x), rel=1e-7)


NET_2_3_2_1 = parse_spec("2-3-2-1:sigmoid,sigmoid,sigmoid:sse")


def chain_factors():
    """One sample through 2-3-2-1, E = 1/2 (y_hat - y)^2: the values the Amrita FFNN intro's chains multiply."""
    p = random_params((2, 3, 2, 1), seed=14)
    x, y = np.array([0.6, -0.8]), 0.3
    h1 = sigmoid(p["W1"] @ x + p["b1"])
    h2 = sigmoid(p["W2"] @ h1 + p["b2"])
    y_hat = float(sigmoid(p["W3"] @ h2 + p["b3"])[0])
    trace = evaluate(NET_2_3_2_1, p, x[None, :], np.array([[y]]))
    return p, x, h1, h2, y_hat, y, trace


def test_amrita_dl_dw111_is_the_product_of_its_seven_factor_chain():
    """dL/dW111 = dL/dy_hat dy_hat/da3 . da3/dh2 dh2/da2 . da2/dh1 dh1/da1 . da1/dW111, as Jacobians."""
    p, x, h1, h2, y_hat, y, trace = chain_factors()
    output = (y_hat - y) * y_hat * (1 - y_hat)  # dL/dy_hat dy_hat/da3, 1 x 1
    da1_dw111 = np.array([x[0], 0.0, 0.0])  # a1 = W1 x + b1: only a11 depends on W111
    chain = output * p["W3"] @ np.diag(h2 * (1 - h2)) @ p["W2"] @ np.diag(h1 * (1 - h1)) @ da1_dw111
    assert trace.grads["W1"][0, 0] == pytest.approx(float(chain[0]), rel=1e-12)


def test_amrita_dl_dw222_follows_one_path():
    """dL/dw222 = dL/dy_hat . dy_hat/da31 . da31/dh22 . dh22/da22 . da22/dw222 (w222: layer 2, unit 2, input 2)."""
    p, x, h1, h2, y_hat, y, trace = chain_factors()
    path = (y_hat - y) * y_hat * (1 - y_hat) * p["W3"][0, 1] * h2[1] * (1 - h2[1]) * h1[1]
    assert trace.grads["W2"][1, 1] == pytest.approx(path, rel=1e-12)


def test_amrita_dl_dw131_sums_its_two_paths():
    """w131 (layer 1, unit 3, input 1) reaches the loss through both units of layer 2: the two paths add up."""
    p, x, h1, h2, y_hat, y, trace = chain_factors()
    output = (y_hat - y) * y_hat * (1 - y_hat)
    paths = [output * p["W3"][0, j] * h2[j] * (1 - h2[j]) * p["W2"][j, 2] * h1[2] * (1 - h1[2]) * x[0] for j in (0, 1)]
    assert trace.grads["W1"][2, 0] == pytest.approx(sum(paths), rel=1e-12)
    assert all(abs(path - sum(paths)) > 1e-4 for path in paths)  # neither path alone is the gradient


def test_amrita_the_gradient_holds_one_partial_derivative_per_parameter_and_the_update_uses_each():
    """Amrita FFNN intro: grad = all dL/dW_ijk and dL/db_ij (one each), then w = w - eta Delta w for every weight."""
    p, x, h1, h2, y_hat, y, trace = chain_factors()
    assert {k: v.shape for k, v in trace.grads.items()} == {k: v.shape for k, v in p.items()}
    assert sum(g.size for g in trace.grads.values()) == 2 * 3 + 3 + 3 * 2 + 2 + 2 * 1 + 1  # 20 entries, no duplicate

    def cost(q):
        out = sigmoid(q["W3"] @ sigmoid(q["W2"] @ sigmoid(q["W1"] @ x + q["b1"]) + q["b2"]) + q["b3"])
        return float(0.5 * (out[0] - y) ** 2)

    numeric = finite_differences(cost, p)
    new = one_sgd_step(NET_2_3_2_1, p, x[None, :], np.array([[y]]), eta=0.5)
    for name in p:
        np.testing.assert_allclose(new[name], p[name] - 0.5 * numeric[name], rtol=1e-9, atol=1e-10)


def test_amrita_cross_entropy_binary_cases_and_multiclass_sum():
    """Amrita FFNN intro and CS60050: L = -log y_hat (y = 1), -log(1 - y_hat) (y = 0); L = -sum_i y_i log y_hat_i."""
    params = {"W1": np.array([[0.9, -0.3]]), "b1": np.array([0.2])}
    X = np.array([[1.0, 2.0], [-0.5, 0.4]])
    y_hat = sigmoid(X @ params["W1"][0] + params["b1"][0])
    spec = parse_spec("2-1:sigmoid:bce")
    assert evaluate(spec, params, X[:1], np.array([1.0])).loss == pytest.approx(-math.log(y_hat[0]), rel=1e-12)
    assert evaluate(spec, params, X[1:], np.array([0.0])).loss == pytest.approx(-math.log(1 - y_hat[1]), rel=1e-12)
    logits = np.array([0.4, -1.1, 2.0])
    probs = np.exp(logits) / np.exp(logits).sum()
    onehot = np.array([0.0, 1.0, 0.0])
    multi = {"W1": np.zeros((3, 1)), "b1": logits}
    trace = evaluate(parse_spec("1-3:softmax:cce"), multi, np.zeros((1, 1)), np.array([1]))
    assert trace.loss == pytest.approx(-sum(onehot * np.log(probs)), rel=1e-12)


# ---------------------------------------------------------------- ED5340 L25

Z_GRID = np.linspace(-3.0, 3.0, 13)  # includes z = 0


def test_ed5340_l25_tanh_is_the_ratio_of_exponentials():
    """ED5340 L25: tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    by_hand = (np.exp(Z_GRID) - np.exp(-Z_GRID)) / (np.exp(Z_GRID) + np.exp(-Z_GRID))
    np.testing.assert_allclose(act.tanh(Z_GRID), by_hand, rtol=1e-14, atol=1e-15)


def test_ed5340_l25_relu_is_max_0_z_and_leaky_relu_is_max_001z_z():
    """ED5340 L25: ReLU(z) = max(0, z); Leaky ReLU = max(0.01 z, z) (not Keras's 0.2 or 0.3)."""
    assert LEAKY_SLOPE == 0.01
    np.testing.assert_array_equal(act.relu(Z_GRID), np.maximum(0.0, Z_GRID))
    np.testing.assert_array_equal(act.leaky_relu(Z_GRID), np.maximum(0.01 * Z_GRID, Z_GRID))
    assert act.leaky_relu(np.array([-2.0]))[0] == -0.02


@pytest.mark.parametrize("name", ["tanh", "relu", "leaky_relu"])
def test_ed5340_l25_hidden_activations_in_a_3_4_1_net_match_their_definition_and_finite_differences(name):
    spec = parse_spec(f"3-4-1:{name},sigmoid:bce")
    definition = {"tanh": np.tanh, "relu": lambda z: np.maximum(0.0, z), "leaky_relu": lambda z: np.maximum(0.01 * z, z)}[name]
    params = random_params((3, 4, 1), seed=15)
    X, Y = l26_data(6)

    def cost(p):
        A2 = sigmoid(p["W2"] @ definition(p["W1"] @ X + p["b1"][:, None]) + p["b2"][:, None])
        return float(np.mean(-Y * np.log(A2) - (1 - Y) * np.log(1 - A2)))

    trace = evaluate(spec, params, X.T, Y.T)
    np.testing.assert_allclose(trace.a[1], definition(trace.z[1]), **EXACT)
    assert np.all(trace.z[1] != 0)  # no kink hit: finite differences are valid
    numeric = finite_differences(cost, params)
    for key in params:
        np.testing.assert_allclose(trace.grads[key], numeric[key], **FD)


# ---------------------------------------------------------------- Session-5 backprop (rows, W is in x out)


def session5_by_hand(params, X, y):
    """The lecture's code, written out: w1 = W1.T is (d, h), b1 is (1, h), w2 = W2.T is (h, n), b2 is (1, n)."""
    w1, b1 = params["W1"].T, params["b1"][None, :]
    w2, b2 = params["W2"].T, params["b2"][None, :]
    z1 = np.dot(X, w1) + b1
    A1 = np.maximum(0, z1)
    z2 = np.dot(A1, w2) + b2
    z2_exp = np.exp(z2)
    probs = z2_exp / np.sum(z2_exp, axis=1, keepdims=True)
    m = y.shape[0]
    loss = float(np.mean(-np.log(probs[range(m), y])))
    temp = probs.copy()
    temp[range(m), y] -= 1
    dz2 = temp
    dw2 = np.dot(A1.T, dz2) / m
    db2 = np.sum(dz2, axis=0, keepdims=True) / m
    dA1 = np.dot(dz2, w2.T)
    dA1[z1 <= 0] = 0
    dz1 = dA1
    dw1 = np.dot(X.T, dz1) / m
    db1 = np.sum(dz1, axis=0, keepdims=True) / m
    return locals()


def test_session5_spiral_and_the_shapes_of_its_2_4_3_net():
    """Session-5 backprop: X (300, 2), d=2, h=4, n=3; w1 (d, h), b1 (1, h), w2 (h, n), b2 (1, n); z1 (300, h), z2 (300, n)."""
    X, y = spiral()
    assert X.shape == (300, 2) and sorted(np.bincount(y)) == [100, 100, 100]
    case = spiral_2_4_3()
    assert case.spec.sizes == (2, 4, 3)  # input units = features, output units = classes (also CS60050)
    assert case.spec.param_shapes() == {"W1": (4, 2), "b1": (4,), "W2": (3, 4), "b2": (3,)}  # canonical: the transposes
    v = session5_by_hand(case.params, case.X, case.y)
    shapes = {
        k: v[k].shape for k in ("w1", "b1", "w2", "b2", "z1", "A1", "z2", "probs", "dz2", "dw2", "db2", "dA1", "dw1", "db1")
    }
    assert shapes == {
        "w1": (2, 4),
        "b1": (1, 4),
        "w2": (4, 3),
        "b2": (1, 3),
        "z1": (300, 4),
        "A1": (300, 4),
        "z2": (300, 3),
        "probs": (300, 3),
        "dz2": (300, 3),
        "dw2": (4, 3),
        "db2": (1, 3),
        "dA1": (300, 4),
        "dw1": (2, 4),
        "db1": (1, 4),
    }


def test_session5_forward_and_backward_code_matches_scratch():
    """Session-5 backprop: z1 = X w1 + b1, A1 = max(0, z1), z2 = A1 w2 + b2, probs, dz2 = probs - onehot, dw2 = A1^T dz2 / m."""
    case = spiral_2_4_3()
    v = session5_by_hand(case.params, case.X, case.y)
    trace = evaluate(case.spec, case.params, case.X, case.y)
    np.testing.assert_allclose(trace.z[1], v["z1"], **EXACT)
    np.testing.assert_allclose(trace.a[1], v["A1"], **EXACT)
    np.testing.assert_allclose(trace.z[2], v["z2"], **EXACT)
    np.testing.assert_allclose(trace.a[2], v["probs"], **EXACT)
    assert trace.loss == pytest.approx(v["loss"], rel=1e-12)
    np.testing.assert_allclose(trace.delta[2], v["dz2"], **EXACT)
    np.testing.assert_allclose(trace.delta[1], v["dz1"], **EXACT)
    np.testing.assert_allclose(trace.grads["W2"], v["dw2"].T, **EXACT)  # the lecture's (4, 3) is W2 transposed
    np.testing.assert_allclose(trace.grads["b2"], v["db2"][0], **EXACT)
    np.testing.assert_allclose(trace.grads["W1"], v["dw1"].T, **EXACT)
    np.testing.assert_allclose(trace.grads["b1"], v["db1"][0], **EXACT)


def test_session5_gradients_match_finite_differences_of_its_loss():
    case = spiral_2_4_3()
    v = session5_by_hand(case.params, case.X, case.y)
    assert np.all(v["z1"] != 0)  # no ReLU kink hit: finite differences are valid
    numeric = finite_differences(lambda p: session5_by_hand(p, case.X, case.y)["loss"], case.params)
    np.testing.assert_allclose(v["dw2"].T, numeric["W2"], **FD)
    np.testing.assert_allclose(v["db2"][0], numeric["b2"], **FD)
    np.testing.assert_allclose(v["dw1"].T, numeric["W1"], **FD)
    np.testing.assert_allclose(v["db1"][0], numeric["b1"], **FD)


def test_session5_softmax_needs_axis_1_and_a_leading_sum_makes_it_one():
    """Session-5 backprop: sum(z2_exp) is taken with axis=1, keepdims=True; its 'Softmax = sum_i e^x_i / sum_j e^x_j' is 1."""
    case = spiral_2_4_3()
    z2_exp = np.exp(session5_by_hand(case.params, case.X, case.y)["z2"])
    per_row = z2_exp / np.sum(z2_exp, axis=1, keepdims=True)
    whole = z2_exp / np.sum(z2_exp)  # without axis=1
    np.testing.assert_allclose(per_row.sum(axis=1), 1.0, rtol=1e-15)
    assert np.all(whole.sum(axis=1) < 0.1)
    for x in ([0.2, -1.0, 3.0], [5.0, 5.0, 5.0]):
        assert sum(math.exp(xi) / sum(math.exp(xj) for xj in x) for xi in x) == pytest.approx(1.0, rel=1e-15)


def test_session5_temp_assigned_1_as_transcribed_is_not_the_gradient_subtracting_1_is():
    """Session-5 backprop: temp[range(m), y] -= 1 gives dz2 = probs - onehot; '= 1' (as transcribed) does not."""
    case = spiral_2_4_3()
    v = session5_by_hand(case.params, case.X, case.y)
    m = case.y.shape[0]
    assigned = v["probs"].copy()
    assigned[range(m), case.y] = 1
    assert np.all(np.abs(assigned - v["dz2"]).max(axis=1) >= 1)  # the true-class entry is off by exactly 1 in every row
    np.testing.assert_allclose(v["dz2"], v["probs"] - np.eye(3)[case.y], **EXACT)


def test_session5_relu_mask_is_zero_at_z_equal_0_as_its_case_split_and_code_say():
    """Session-5 backprop: dA/dz = 0 if z1 <= 0, 1 if z1 > 0, and dA1[z1 <= 0] = 0; its '[z1 >= 0]' and 'min(0, z1)' are slips."""
    case = spiral_2_4_3()
    params = dict(case.params, b1=case.params["b1"].copy())
    params["b1"][0] = 0.0
    X = np.vstack([np.zeros((1, 2)), case.X[:9]])  # row 0 puts exactly z1 = 0 on unit 0
    y = np.concatenate([[1], case.y[:9]])
    v = session5_by_hand(params, X, y)
    assert v["z1"][0, 0] == 0.0
    upstream = np.dot(v["dz2"], v["w2"].T)
    assert upstream[0, 0] != 0.0
    trace = evaluate(case.spec, params, X, y)
    assert trace.delta[1][0, 0] == 0.0 and v["dz1"][0, 0] == 0.0
    ge_mask = upstream * (v["z1"] >= 0)  # the notes' '[z1 >= 0]' lets z1 = 0 through
    assert ge_mask[0, 0] == upstream[0, 0] != 0.0
    z = np.array([-1.5, 0.0, 2.0])
    assert act.relu(z).tolist() == [0.0, 0.0, 2.0] and np.minimum(0, z).tolist() == [-1.5, 0.0, 0.0]  # min is no ReLU


def test_session5_update_w2_minus_eta_dw2_keeps_w2_4_by_3():
    """Session-5 backprop: w2 = w2 - eta * dL/dw2, both (4, 3); b2 = b2 - eta * db2, both (1, 3)."""
    case = spiral_2_4_3()
    eta = case.learning_rate
    v = session5_by_hand(case.params, case.X, case.y)
    w2_new = v["w2"] - eta * v["dw2"]
    b2_new = v["b2"] - eta * v["db2"]
    assert w2_new.shape == (4, 3) and b2_new.shape == (1, 3)
    new = one_sgd_step(case.spec, case.params, case.X, case.y, eta)
    np.testing.assert_allclose(new["W2"], w2_new.T, **EXACT)
    np.testing.assert_allclose(new["b2"], b2_new[0], **EXACT)
    np.testing.assert_allclose(new["W1"], (v["w1"] - eta * v["dw1"]).T, **EXACT)


# ---------------------------------------------------------------- CS60050 backprop

NET_3_5_4_1 = parse_spec("3-5-4-1:sigmoid,sigmoid,sigmoid:bce")


def cs60050_data(n=8, seed=16):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.array([0.0, 1.0] * (n // 2))
    return X, y


def cs60050_cost(params, X, y, lam=0.0):
    """J(Theta) = -(1/n) sum_i [y log h + (1 - y) log(1 - h)] + lambda/(2n) sum_l sum_i sum_j (Theta_ji^(l))^2, no bias."""
    n = len(X)
    total = 0.0
    for x, t in zip(X, y, strict=True):
        a = x
        for l in (1, 2, 3):
            a = sigmoid(params[f"W{l}"] @ a + params[f"b{l}"])
        total += t * math.log(a[0]) + (1 - t) * math.log(1 - a[0])
    penalty = lam / (2 * n) * sum(float(np.sum(params[f"W{l}"] ** 2)) for l in (1, 2, 3))
    return -total / n + penalty


def test_cs60050_w_jk_is_the_weight_from_unit_k_of_layer_l_minus_1_to_unit_j_of_layer_l():
    params = random_params((3, 5, 4, 1), seed=17)
    X, y = cs60050_data()
    before = evaluate(NET_3_5_4_1, params, X, y)
    j, k, step = 3, 1, 0.25
    moved = dict(params, W2=params["W2"].copy())
    moved["W2"][j, k] += step
    after = evaluate(NET_3_5_4_1, moved, X, y)
    change = after.z[2] - before.z[2]
    np.testing.assert_allclose(change[:, j], step * before.a[1][:, k], **EXACT)  # z_j^2 moves by step * a_k^1
    assert not np.delete(change, j, axis=1).any()  # no other unit of layer 2 moves


def test_cs60050_scalar_and_vector_forward_pass():
    """CS60050: a_j^l = g(sum_k w_jk^l a_k^{l-1} + b_j^l), i.e. z^l = w^l a^{l-1} + b^l, a^l = g(z^l), y = a^L."""
    params = random_params((3, 5, 4, 1), seed=18)
    X, y = cs60050_data()
    trace = evaluate(NET_3_5_4_1, params, X, y)
    for i, x in enumerate(X):
        a = list(x)
        for l in (1, 2, 3):
            W, b = params[f"W{l}"], params[f"b{l}"]
            z = [sum(W[j][k] * a[k] for k in range(len(a))) + b[j] for j in range(len(b))]
            a = [1 / (1 + math.exp(-v)) for v in z]
            np.testing.assert_allclose(trace.z[l][i], z, **EXACT)
            np.testing.assert_allclose(trace.a[l][i], a, **EXACT)


def test_cs60050_bias_as_column_0_of_theta_with_a_0_equal_1():
    """CS60050: z = [W b][x; 1] and z^(2) = Theta^(1) a^(1) with a_0 = 1 added; W^1 is m x d for x of d entries."""
    params = random_params((3, 5, 4, 1), seed=19)
    X, y = cs60050_data()
    trace = evaluate(NET_3_5_4_1, params, X, y)
    theta = {l: np.column_stack([params[f"b{l}"], params[f"W{l}"]]) for l in (1, 2, 3)}
    assert params["W1"].shape == (5, 3) and theta[1].shape == (5, 4)  # m x d (the slide writes m x n)
    for i, x in enumerate(X):
        a = x
        for l in (1, 2, 3):
            z = theta[l] @ np.concatenate([[1.0], a])
            np.testing.assert_allclose(trace.z[l][i], z, **EXACT)
            a = sigmoid(z)


def test_cs60050_cost_as_a_sum_over_samples_is_m_times_the_projects_mean():
    """CS60050: J(theta) = sum_i L(NN(x_i), y_i); the project (and the slide's later J(Theta)) takes the mean."""
    params = random_params((3, 5, 4, 1), seed=20)
    X, y = cs60050_data()
    per_sample = []
    for x, t in zip(X, y, strict=True):
        h = sigmoid(
            params["W3"] @ sigmoid(params["W2"] @ sigmoid(params["W1"] @ x + params["b1"]) + params["b2"]) + params["b3"]
        )[0]
        per_sample.append(-t * math.log(h) - (1 - t) * math.log(1 - h))
    assert evaluate(NET_3_5_4_1, params, X, y).loss * len(X) == pytest.approx(sum(per_sample), rel=1e-12)


def test_cs60050_cross_entropy_is_minus_log_of_the_correct_class_probability():
    """CS60050: max y_c = max log y_c = min -log y_c = -sum_i 1(i = c) log y_i."""
    logits = np.array([[1.2, -0.3, 0.5, 2.0]])
    probs = np.exp(logits[0]) / np.exp(logits[0]).sum()
    for c in range(4):
        trace = evaluate(
            parse_spec("1-4:softmax:cce"), {"W1": np.zeros((4, 1)), "b1": logits[0]}, np.zeros((1, 1)), np.array([c])
        )
        assert trace.loss == pytest.approx(-sum((1.0 if i == c else 0.0) * math.log(probs[i]) for i in range(4)), rel=1e-12)


def test_cs60050_output_layer_sigmoid_softmax_or_linear():
    """CS60050: sigmoid for 2 classes, softmax for several, linear for regression (y = z^(L), and delta^(L) = a - y)."""
    X = np.random.RandomState(21).normal(size=(4, 3))
    two = evaluate(parse_spec("3-1:sigmoid:bce"), random_params((3, 1), 22), X, np.array([0, 1, 1, 0]))
    many = evaluate(parse_spec("3-3:softmax:cce"), random_params((3, 3), 23), X, np.array([0, 1, 2, 0]))
    targets = np.array([[0.5], [-1.0], [2.0], [0.0]])
    linear = evaluate(parse_spec("3-1:linear:sse"), random_params((3, 1), 24), X, targets)
    assert np.all((two.a[1] > 0) & (two.a[1] < 1))
    np.testing.assert_allclose(many.a[1].sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(linear.a[1], linear.z[1])
    np.testing.assert_allclose(linear.delta[1], linear.a[1] - targets, **EXACT)


def cs60050_deltas(params, x, t):
    """CS60050's column equations for one sample: delta^(4) = a^(4) - y, delta^(l) = (Theta^(l))^T delta^(l+1) .* a(1 - a)."""
    a1 = x
    a2 = sigmoid(params["W1"] @ a1 + params["b1"])
    a3 = sigmoid(params["W2"] @ a2 + params["b2"])
    a4 = sigmoid(params["W3"] @ a3 + params["b3"])
    d4 = a4 - t
    d3 = params["W3"].T @ d4 * (a3 * (1 - a3))  # g'(z^(3)) = a^(3) .* (1 - a^(3))
    d2 = params["W2"].T @ d3 * (a2 * (1 - a2))  # no delta^(1): the inputs have no error
    return {1: a1, 2: a2, 3: a3}, {2: d2, 3: d3, 4: d4}


def test_cs60050_delta_equations_and_the_gradient_a_j_delta_i_match_scratch_and_finite_differences():
    params = random_params((3, 5, 4, 1), seed=25)
    X, y = cs60050_data()
    trace = evaluate(NET_3_5_4_1, params, X, y)
    n = len(X)
    Delta = {l: np.zeros_like(params[f"W{l}"]) for l in (1, 2, 3)}
    Delta_b = {l: np.zeros_like(params[f"b{l}"]) for l in (1, 2, 3)}
    for i, (x, t) in enumerate(zip(X, y, strict=True)):
        a, d = cs60050_deltas(params, x, t)
        for l in (1, 2, 3):
            np.testing.assert_allclose(trace.delta[l][i], d[l + 1], **EXACT)  # the project's delta_l is delta^(l+1)
            Delta[l] += np.outer(d[l + 1], a[l])  # vectorised Delta^(l) += delta^(l+1) a^(l)T
            Delta_b[l] += d[l + 1]  # the a_0 = 1 column
            loop = np.array([[a[l][j] * d[l + 1][i_] for j in range(len(a[l]))] for i_ in range(len(d[l + 1]))])
            np.testing.assert_allclose(np.outer(d[l + 1], a[l]), loop, **EXACT)  # dJ/dTheta_ij = a_j delta_i
    numeric = finite_differences(lambda p: cs60050_cost(p, X, y), params)
    for l in (1, 2, 3):
        np.testing.assert_allclose(trace.grads[f"W{l}"], Delta[l] / n, **EXACT)  # D = Delta / n (lambda = 0)
        np.testing.assert_allclose(trace.grads[f"b{l}"], Delta_b[l] / n, **EXACT)
        np.testing.assert_allclose(Delta[l] / n, numeric[f"W{l}"], **FD)


def test_cs60050_pseudo_code_index_a_i_delta_i_is_a_slip():
    """CS60050's loops print Delta_ij += a_i^(l) delta_i^(l+1); the text's a_j delta_i is the gradient."""
    params = random_params((3, 5, 4, 1), seed=26)
    X, y = cs60050_data()
    trace = evaluate(NET_3_5_4_1, params, X, y)
    as_printed = np.zeros((4, 5))
    for x, t in zip(X, y, strict=True):
        a, d = cs60050_deltas(params, x, t)
        as_printed += np.array([[a[2][i] * d[3][i] for _ in range(5)] for i in range(4)])
    assert np.abs(as_printed / len(X) - trace.grads["W2"]).max() > 1e-3


def test_cs60050_delta_of_the_written_cost_has_the_wrong_sign():
    """CS60050 defines delta = d cost / dz with cost = y log h + (1 - y) log(1 - h): that gives y - a; a - y needs the minus."""
    z = np.array([-0.7, 0.3, 1.6])
    t = np.array([1.0, 0.0, 1.0])
    h = 1e-6

    def written(v):
        s = sigmoid(v)
        return t * np.log(s) + (1 - t) * np.log(1 - s)

    a = sigmoid(z)
    derivative = (written(z + h) - written(z - h)) / (2 * h)
    np.testing.assert_allclose(derivative, t - a, **FD)
    delta = output_delta("bce", "sigmoid", z[:, None], a[:, None], t[:, None])[:, 0]
    np.testing.assert_allclose(delta, -derivative, **FD)  # the project's delta^(L) = a - y is d(-cost)/dz
    assert np.all(np.sign(delta) == -np.sign(derivative))


def test_cs60050_l2_cost_excludes_biases_and_its_gradient_is_lambda_over_n_theta():
    """CS60050: J = -(1/n) sum [...] + lambda/(2n) sum Theta^2 (no bias); its gradient adds (lambda/n) Theta, not lambda Theta."""
    params = random_params((3, 5, 4, 1), seed=27)
    X, y = cs60050_data()
    lam, n = 0.7, len(X)
    trace = evaluate(NET_3_5_4_1, params, X, y)
    assert trace.loss + l2_penalty(params, lam, n) == pytest.approx(cs60050_cost(params, X, y, lam), rel=1e-12)
    numeric = finite_differences(lambda p: cs60050_cost(p, X, y, lam), params)
    penalty = l2_gradients(params, lam, n)
    for name in params:
        np.testing.assert_allclose(trace.grads[name] + penalty[name], numeric[name], **FD)
    np.testing.assert_array_equal(penalty["b1"], 0.0)
    as_printed = trace.grads["W1"] + lam * params["W1"]  # the pseudo-code's D = Delta / n + lambda Theta
    assert np.abs(as_printed - numeric["W1"]).max() > 0.1


def test_cs60050_l2_index_bounds_cover_every_weight_only_with_s_l_and_s_l_plus_1():
    """With layers 1..L and Theta^(l) from layer l to l+1, sum_{l=1}^{L-1} s_l s_{l+1} is every weight; s_{l-1} s_l is not."""
    s = dict(enumerate(NET_3_5_4_1.sizes, start=1))  # s_1 = 3 inputs, ..., s_4 = 1 output (L = 4)
    L = len(s)
    weights = sum(int(np.prod(shape)) for name, shape in NET_3_5_4_1.param_shapes().items() if name.startswith("W"))
    assert sum(s[l] * s[l + 1] for l in range(1, L)) == weights == 39
    assert sum(s[l - 1] * s[l] for l in range(2, L)) == 35  # the printed bounds (l = 1 has no s_0) miss Theta^(3)


def test_cs60050_training_step_theta_minus_alpha_d_with_l2():
    """CS60050: Theta = Theta - alpha D, D = Delta / n + (lambda / n) Theta for weights, Delta / n for biases."""
    params = random_params((3, 5, 4, 1), seed=28)
    X, y = cs60050_data()
    lam, alpha, n = 0.7, 0.4, len(X)
    numeric = finite_differences(lambda p: cs60050_cost(p, X, y, lam), params)
    new = one_sgd_step(NET_3_5_4_1, params, X, y, alpha, l2=lam)
    for name in params:
        np.testing.assert_allclose(new[name], params[name] - alpha * numeric[name], rtol=1e-9, atol=1e-10)
    assert not np.allclose(new["b1"], params["b1"] - alpha * (numeric["b1"] + lam / n * params["b1"]), rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "rows", [list(range(8)), [5], [1, 2, 6]], ids=["batch-all-N", "stochastic-one-example", "minibatch-of-3"]
)
def test_cs60050_batch_stochastic_and_minibatch_steps_average_the_gradient_over_their_rows(rows):
    """CS60050: g = (1/N) grad sum_i L_i (batch), grad L_i (stochastic), (1/m) grad sum over a minibatch; theta -= eps g."""
    params = random_params((3, 5, 4, 1), seed=29)
    X, y = cs60050_data()
    eps = 0.5
    numeric = finite_differences(lambda p: cs60050_cost(p, X[rows], y[rows]), params)
    new = one_sgd_step(NET_3_5_4_1, params, X, y, eps, rows=rows)
    for name in params:
        np.testing.assert_allclose(new[name], params[name] - eps * numeric[name], rtol=1e-9, atol=1e-10)


def test_cs60050_initialising_every_theta_to_0_keeps_the_hidden_units_identical():
    """CS60050: initialise Theta randomly (NOT to 0!): from zeros every unit of a layer gets the same update forever."""
    X, _ = cs60050_data()
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0])  # unbalanced: with balanced labels a zero net has zero gradient
    zeros = {name: np.zeros(shape) for name, shape in NET_3_5_4_1.param_shapes().items()}
    hyper = Hyperparameters(learning_rate=1.0)
    final = train(NET_3_5_4_1, zeros, X, y, optimizer="sgd", hyper=hyper, batches=[np.arange(8)] * 20).final_params
    assert np.abs(final["W3"]).max() > 1e-3 and np.abs(final["W1"]).max() > 1e-6  # they did move
    for l in (1, 2):
        np.testing.assert_allclose(final[f"W{l}"], np.broadcast_to(final[f"W{l}"][0], final[f"W{l}"].shape), rtol=1e-12, atol=0)
    random_start = train(
        NET_3_5_4_1, random_params((3, 5, 4, 1), 30), X, y, optimizer="sgd", hyper=hyper, batches=[np.arange(8)] * 20
    )
    assert np.abs(random_start.final_params["W1"] - random_start.final_params["W1"][0]).max() > 1e-2
