"""MISTAKE: the L2 term is in the cost but not in the gradients (CS60050 backprop: d/dW of lambda/(2n) sum W^2 = (lambda/n) W).

Column layout (ED5340 L26): X is (n_0, m), W is (n_l, n_{l-1}), b is (n_l, 1), Y is (1, m).
The cost adds lambda/(2m) sum W^2 with lambda = 0.7, but backprop forgot its gradient.

    python -m compare check examples/students/l2_missing_in_gradients.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns \
        --l2 0.7
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
    dW2 = np.dot(dZ2, A1.T) / m  # MISTAKE: + LAMBD / m * W2 is missing
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = np.dot(dZ1, X.T) / m  # MISTAKE: + LAMBD / m * W1 is missing
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m

    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
