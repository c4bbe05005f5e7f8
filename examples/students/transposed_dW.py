"""MISTAKE: the weight gradients are transposed (dW_l must have W_l's shape (n_l, n_{l-1})).

Canonical layout: X (m, n_0), W_l (n_l, n_{l-1}), b_l (n_l,). The student used the
row-layout formula a_prev^T delta (Session-5 backprop's np.dot(A1.T, dz2)) with canonical weights.
In the 2-2-2 worked example every W is square, so the shapes still fit and only
the numbers are wrong.

    python -m compare check examples/students/transposed_dW.py --arch worked-2-2-2
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

    delta2 = -(y - a2) * a2 * (1 - a2)
    delta1 = (delta2 @ W2) * a1 * (1 - a1)

    grads = {
        "W2": a1.T @ delta2 / m,  # MISTAKE: (n_1, n_2), the transpose of W2's shape
        "b2": delta2.sum(axis=0) / m,
        "W1": X.T @ delta1 / m,  # MISTAKE: transposed
        "b1": delta1.sum(axis=0) / m,
    }
    return loss, grads
