"""MISTAKE: softmax + cross-entropy not simplified, and wrong because of it (Session-5 backprop: dz2 = probs - onehot).

Row layout (Session-5 backprop): X is (m, d), W is (in, out), b is (1, out), y holds class labels.
The student took dL/da = -y/a from L = -sum y log a and multiplied it by a (1 - a),
the sigmoid's derivative. Softmax is not elementwise: each output depends on every
logit, so the off-diagonal terms of its Jacobian diag(a) - a a^T are lost.

    python -m compare check examples/students/softmax_not_simplified.py --arch 2-4-3:relu,softmax:cce --convention rows
"""

import numpy as np


def backprop(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = y.shape[0]

    z1 = np.dot(X, W1) + b1
    A1 = np.maximum(0, z1)
    z2 = np.dot(A1, W2) + b2
    z2_exp = np.exp(z2)
    probs = z2_exp / np.sum(z2_exp, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[range(m), y])) / m

    onehot = np.zeros_like(probs)
    onehot[range(m), y] = 1
    dA2 = -onehot / probs
    dz2 = dA2 * probs * (1 - probs)  # MISTAKE: softmax is not elementwise; use probs - onehot
    dW2 = np.dot(A1.T, dz2) / m
    db2 = np.sum(dz2, axis=0, keepdims=True) / m
    dz1 = np.dot(dz2, W2.T)
    dz1[z1 <= 0] = 0
    dW1 = np.dot(X.T, dz1) / m
    db1 = np.sum(dz1, axis=0, keepdims=True) / m

    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
