"""MISTAKE: a ReLU hidden layer differentiated with the sigmoid's derivative (Session-5 backprop: dA1[z1 <= 0] = 0).

Row layout (Session-5 backprop): X is (m, d), W is (in, out), b is (1, out), y holds class labels.
The student copied the backward step of a sigmoid net, dA * s * (1 - s) with s = sigmoid(z1),
into a net whose hidden layer is ReLU, whose derivative is 1 where z1 > 0 and 0 elsewhere.

    python -m compare check examples/students/wrong_activation_derivative.py --arch spiral-2-4-3 --convention rows
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = y.shape[0]

    z1 = np.dot(X, W1) + b1
    A1 = np.maximum(0, z1)
    z2 = np.dot(A1, W2) + b2
    z2_exp = np.exp(z2 - z2.max(axis=1, keepdims=True))
    probs = z2_exp / np.sum(z2_exp, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[range(m), y])) / m

    dz2 = probs.copy()
    dz2[range(m), y] -= 1
    dW2 = np.dot(A1.T, dz2) / m
    db2 = np.sum(dz2, axis=0, keepdims=True) / m
    dA1 = np.dot(dz2, W2.T)
    s = sigmoid(z1)
    dz1 = dA1 * s * (1 - s)  # MISTAKE: the sigmoid's derivative; ReLU's is (z1 > 0)
    dW1 = np.dot(X.T, dz1) / m
    db1 = np.sum(dz1, axis=0, keepdims=True) / m

    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
