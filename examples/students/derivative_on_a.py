"""MISTAKE: the sigmoid derivative is taken on a instead of z (ED5340 L26: dZ1 = W2^T dZ2 * g'(Z1), g'(z) = a (1 - a)).

Column layout (ED5340 L26): X is (n_0, m), W is (n_l, n_{l-1}), b is (n_l, 1), Y is (1, m).
The student wrote a helper sigmoid_derivative(x) = sigmoid(x) (1 - sigmoid(x)) and
called it with A1, the activation, so it computes sigma(sigma(z)) (1 - sigma(sigma(z))).

    python -m compare check examples/students/derivative_on_a.py --arch 2-4-1:sigmoid,sigmoid:bce --convention columns
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_derivative(x):
    return sigmoid(x) * (1 - sigmoid(x))


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
    dZ1 = np.dot(W2.T, dZ2) * sigmoid_derivative(A1)  # MISTAKE: should be sigmoid_derivative(Z1), i.e. A1 * (1 - A1)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m

    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
