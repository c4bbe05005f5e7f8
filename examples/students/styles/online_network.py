"""Online style: one sample at a time, weights and biases as lists in layer order, column vectors (n, 1), a summed cost.

The network object of the usual online tutorial code, without the class: ``weights[l]`` and
``biases[l]`` for layers 1..L, a sample ``x`` of shape (n_0, 1), its target ``y`` of shape
(n_L, 1), and ``backprop`` returning ``(nabla_b, nabla_w, cost)`` for that one sample; the
training loop adds them up over the mini-batch (the cost is a sum over the samples).
Checked with no glue beyond the name mapping W=weights,b=biases:

    python -m compare check examples/students/styles/online_network.py --arch worked-2-2-2 \
        --convention columns --per-sample --reduction sum --names W=weights,b=biases
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def backprop(params, x, y):
    weights, biases = params["weights"], params["biases"]
    activation = x
    activations = [x]  # layer by layer
    zs = []
    for b, w in zip(biases, weights, strict=True):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    cost = 0.5 * np.sum((activations[-1] - y) ** 2)  # this sample's share of the summed cost

    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].T)
    for layer in range(2, len(weights) + 1):
        delta = np.dot(weights[-layer + 1].T, delta) * sigmoid_prime(zs[-layer])
        nabla_b[-layer] = delta
        nabla_w[-layer] = np.dot(delta, activations[-layer - 1].T)
    return nabla_b, nabla_w, cost


def update_mini_batch(weights, biases, batch, eta):
    """What the training loop does with backprop: sum over the samples, then one step."""
    sum_b = [np.zeros(b.shape) for b in biases]
    sum_w = [np.zeros(w.shape) for w in weights]
    for x, y in batch:
        nabla_b, nabla_w, _ = backprop({"weights": weights, "biases": biases}, x, y)
        sum_b = [s + n for s, n in zip(sum_b, nabla_b, strict=True)]
        sum_w = [s + n for s, n in zip(sum_w, nabla_w, strict=True)]
    weights = [w - (eta / len(batch)) * s for w, s in zip(weights, sum_w, strict=True)]
    biases = [b - (eta / len(batch)) * s for b, s in zip(biases, sum_b, strict=True)]
    return weights, biases
