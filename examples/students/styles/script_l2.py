"""Script style: one function computing loss and gradients for a ``model`` dict, with an L2 term 1/2 reg sum W^2 in the loss.

Row layout (Session-5 backprop): X (m, d), w1 (d, h), b1 (h,), w2 (h, c), b2 (c,), integer
labels y; ReLU hidden layer, softmax output, cross-entropy averaged over the batch, plus
0.5 * reg * (sum w1^2 + sum w2^2) added once per batch (the L2 form without 1/m). The keys
are lower-case, so the name mapping says which is which; ``reg`` receives --l2's lambda:

    python -m compare check examples/students/styles/script_l2.py:loss --arch spiral-2-4-3 --convention rows \
        --l2 0.05 --l2-form batch --names W1=w1,W2=w2
"""

import numpy as np


def loss(model, X, y, reg=0.0):
    w1, b1, w2, b2 = model["w1"], model["b1"], model["w2"], model["b2"]
    num_examples = X.shape[0]

    hidden = np.maximum(0, X.dot(w1) + b1)
    scores = hidden.dot(w2) + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.sum(np.exp(shifted), axis=1, keepdims=True)

    data_loss = -np.log(probs[np.arange(num_examples), y]).mean()
    reg_loss = 0.5 * reg * (np.sum(w1 * w1) + np.sum(w2 * w2))
    total = data_loss + reg_loss

    dscores = probs.copy()
    dscores[np.arange(num_examples), y] -= 1
    dscores /= num_examples
    grads = {"w2": hidden.T.dot(dscores), "b2": dscores.sum(axis=0)}
    dhidden = dscores.dot(w2.T)
    dhidden[hidden <= 0] = 0
    grads["w1"] = X.T.dot(dhidden)
    grads["b1"] = dhidden.sum(axis=0)
    grads["w2"] += reg * w2
    grads["w1"] += reg * w1
    return total, grads
