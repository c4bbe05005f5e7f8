"""AN L2 TERM the check was not told about (CS60050 backprop: J = ... + lambda/(2n) sum W^2, biases excluded).

Column layout (ED5340 L26): X is (n_0, m), W is (n_l, n_{l-1}), b is (n_l, 1), Y is (1, m).
The cost has the lectures' L2 term with lambda = 0.7, and every dW has its gradient
(lambda/m) W; the biases have none. Checked without --l2, the hint names the term and
lambda in both forms; with --l2 0.7 it is correct.

    python -m compare check examples/students/l2_present.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns
    python -m compare check examples/students/l2_present.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns --l2 0.7
"""

import numpy as np

LAMBD = 0.7


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, Y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[1]

    Z1 = np.dot(W1, X) + b1
    A1 = sigmoid(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cross_entropy = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m
    cost = cross_entropy + LAMBD / (2 * m) * (np.sum(W1**2) + np.sum(W2**2))

    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m + LAMBD / m * W2
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = np.dot(dZ1, X.T) / m + LAMBD / m * W1
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m

    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
