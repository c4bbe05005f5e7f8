"""A correct backprop in the canonical layout: X (m, n_0), W_l (n_l, n_{l-1}), b_l (n_l,).

Network: sigmoid hidden layer, sigmoid output, squared error
E = sum_j 1/2 (t_j - o_j)^2, averaged over the m samples (Mazur's worked example).

    python -m compare check examples/students/correct_canonical.py --arch worked-2-2-2
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backprop(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]

    # forward pass
    z1 = X @ W1.T + b1  # net_h = w1*i1 + w2*i2 + b1
    a1 = sigmoid(z1)  # out_h
    z2 = a1 @ W2.T + b2  # net_o
    a2 = sigmoid(z2)  # out_o
    loss = np.sum(0.5 * (y - a2) ** 2) / m

    # backward pass
    delta2 = -(y - a2) * a2 * (1 - a2)  # dE/dout_o * dout_o/dnet_o
    delta1 = (delta2 @ W2) * a1 * (1 - a1)  # dE/dout_h * dout_h/dnet_h

    grads = {
        "W2": delta2.T @ a1 / m,
        "b2": delta2.sum(axis=0) / m,
        "W1": delta1.T @ X / m,
        "b1": delta1.sum(axis=0) / m,
    }
    return loss, grads
