"""MISTAKE: the 1/2 is missing from the derivative (Mazur's worked example: E = 1/2 (t - o)^2, dE/do = -(t - o)).

Canonical layout: X (m, n_0), W_l (n_l, n_{l-1}), b_l (n_l,). The loss keeps its 1/2,
but the student differentiated (t - o)^2 and kept the 2, so every gradient is twice too large.

    python -m compare check examples/students/missing_half.py --arch worked-2-2-2
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

    delta2 = 2 * (a2 - y) * a2 * (1 - a2)  # MISTAKE: d/do of (t - o)^2, but the loss has the 1/2
    delta1 = (delta2 @ W2) * a1 * (1 - a1)

    grads = {
        "W2": delta2.T @ a1 / m,
        "b2": delta2.sum(axis=0) / m,
        "W1": delta1.T @ X / m,
        "b1": delta1.sum(axis=0) / m,
    }
    return loss, grads
