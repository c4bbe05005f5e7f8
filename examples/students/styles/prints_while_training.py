"""A file that prints as it trains: its top-level code trains the net and prints the loss, and backprop prints too.

Canonical layout: X (m, n_0), W_l (n_l, n_{l-1}), b_l (n_l,); sigmoid hidden layer, sigmoid
output, squared error E = sum_j 1/2 (t_j - o_j)^2 averaged over the samples. ``check``
imports the file, so the training below runs first; every print goes under "your code
printed" (text) or into the "printed" string (--format json), never into the report:

    python -m compare check examples/students/styles/prints_while_training.py --arch worked-2-2-2
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    print("backprop: X", X.shape, "W1", W1.shape)
    a1 = sigmoid(X @ W1.T + b1)
    a2 = sigmoid(a1 @ W2.T + b2)
    loss = np.sum(0.5 * (y - a2) ** 2) / m
    delta2 = (a2 - y) * a2 * (1 - a2)
    delta1 = (delta2 @ W2) * a1 * (1 - a1)
    grads = {"W2": delta2.T @ a1 / m, "b2": delta2.sum(axis=0) / m, "W1": delta1.T @ X / m, "b1": delta1.sum(axis=0) / m}
    return loss, grads


rng = np.random.RandomState(1)
X_train = rng.randn(8, 2)
y_train = rng.uniform(0.1, 0.9, size=(8, 2))
params = {"W1": rng.randn(2, 2), "b1": np.zeros(2), "W2": rng.randn(2, 2), "b2": np.zeros(2)}
for epoch in range(3):
    loss, grads = backprop(params, X_train, y_train)
    params = {name: value - 0.5 * grads[name] for name, value in params.items()}
    print(f"epoch {epoch}: loss {loss:.6f}")
