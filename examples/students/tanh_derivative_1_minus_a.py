"""MISTAKE: tanh's derivative written 1 - a instead of 1 - a^2 (ED5340 L25: tanh; ED5340 L26: dz[1] = W[2]^T dz[2] * a[1]'(z[1])).

Column layout (ED5340 L26): X is (n_0, m), W is (n_l, n_{l-1}), b is (n_l, 1), Y is (1, m).
A tanh hidden layer and a sigmoid output with binary cross-entropy; the square of
tanh'(z) = 1 - tanh(z)^2 = 1 - a^2 was forgotten.

    python -m compare check examples/students/tanh_derivative_1_minus_a.py --arch 2-4-1:tanh,sigmoid:bce --convention columns
"""

import numpy as np


def backprop(params, X, Y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[1]

    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = 1 / (1 + np.exp(-Z2))
    cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m

    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - A1)  # MISTAKE: should be (1 - A1 ** 2)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m

    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
