"""A correct backprop in the column layout of ED5340 L26: X is (n_0, m), W is (n_l, n_{l-1}), b is (n_l, 1).

Network: 2-layer sigmoid net with binary cross-entropy; Y is (1, m).

    python -m compare check examples/students/correct_columns.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, Y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[1]

    # forward propagation
    Z1 = np.dot(W1, X) + b1
    A1 = sigmoid(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m

    # back propagation (vectorized)
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)

    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
