"""Course-notebook style: ``parameters`` and ``cache`` dicts, separate forward, cost and backward functions, a sibling helper.

Column layout (ED5340 L26): X is (n_x, m), W1 (n_h, n_x), b1 (n_h, 1), Y (1, m); a tanh
hidden layer and a sigmoid output with binary cross-entropy. ``sigmoid`` comes from
``notebook_helpers.py`` in this folder. Checked as the chain forward, cost, backward,
whose arguments are matched by name (parameters, X, Y, A2, cache):

    python -m compare check examples/students/styles/notebook_style.py:forward_propagation,compute_cost,backward_propagation \
        --arch 2-4-1:tanh,sigmoid:bce --convention columns --data examples/students/styles/two_blobs.csv
"""

import numpy as np
from notebook_helpers import sigmoid


def forward_propagation(X, parameters):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)

    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
    cost = -np.sum(logprobs) / m
    return float(np.squeeze(cost))


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]

    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m

    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
