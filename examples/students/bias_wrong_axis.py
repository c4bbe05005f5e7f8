"""MISTAKE: the bias gradients are summed over the wrong axis (ED5340 L26: db = (1/m) np.sum(dZ, axis=1, keepdims=True)).

Column layout (ED5340 L26): X is (n_0, m), W is (n_l, n_{l-1}), b is (n_l, 1), Y is (1, m).
In this layout the samples are the columns of dZ, axis 1; np.sum(dZ, axis=0) adds the
units of each sample instead and gives one number per sample, shape (1, m).

    python -m compare check examples/students/bias_wrong_axis.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, Y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[1]

    Z1 = np.dot(W1, X) + b1
    A1 = sigmoid(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m

    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * A1 * (1 - A1)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=0, keepdims=True) / m  # MISTAKE: axis=0 adds the 4 units of each sample

    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
