"""A SUM over the samples everywhere: the cost and every gradient (CS60050 backprop: J = (1/n) sum_i L(x_i, y_i)).

Column layout (ED5340 L26): X is (n_0, m), W is (n_l, n_{l-1}), b is (n_l, 1), Y is (1, m).
No 1/m anywhere: a consistent choice, not two mistakes. Checked with the default
--reduction mean it is one finding; with --reduction sum it is correct.

    python -m compare check examples/students/summed_reduction.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns
    python -m compare check examples/students/summed_reduction.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns \
        --reduction sum
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, Y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]

    Z1 = np.dot(W1, X) + b1
    A1 = sigmoid(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))

    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T)
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = np.dot(dZ1, X.T)
    db1 = np.sum(dZ1, axis=1, keepdims=True)

    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
