"""MISTAKE: the hidden layer's delta is built from dE/dout_o instead of the output delta (Mazur's worked example).

Canonical layout: X (m, n_0), W_l (n_l, n_{l-1}), b_l (n_l,). Squared error
E = sum 1/2 (t - o)^2 with sigmoid outputs. The output delta is right,
delta2 = (a2 - y) * a2 (1 - a2), but the hidden layer multiplies W2 by dE/da2 = a2 - y,
leaving out the output layer's sigmoid derivative a2 (1 - a2) on the way down.

    python -m compare check examples/students/wrong_upstream.py --arch worked-2-2-2
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]

    z1 = X @ W1.T + b1
    a1 = sigmoid(z1)
    z2 = a1 @ W2.T + b2
    a2 = sigmoid(z2)
    loss = np.sum(0.5 * (y - a2) ** 2) / m

    dE_da2 = a2 - y
    delta2 = dE_da2 * a2 * (1 - a2)
    delta1 = (dE_da2 @ W2) * a1 * (1 - a1)  # MISTAKE: should be (delta2 @ W2) * a1 * (1 - a1)

    grads = {
        "W2": delta2.T @ a1 / m,
        "b2": delta2.sum(axis=0) / m,
        "W1": delta1.T @ X / m,
        "b1": delta1.sum(axis=0) / m,
    }
    return loss, grads
