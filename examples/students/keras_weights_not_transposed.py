"""PLANTED MISTAKE (weights not transposed into Dense): Mazur's W1, W2 as (out, in) matrices given to set_weights as they are.

    python -m compare check examples/students/keras_weights_not_transposed.py --framework keras --arch worked-2-2-2

W_l[j, k] is the weight from unit k to unit j, (n_l, n_{l-1}); a Dense kernel is (n_{l-1}, n_l),
W_l transposed. Both matrices are square, so set_weights accepts them.
"""

import keras
import numpy as np

keras.config.set_floatx("float64")

W1 = np.array([[0.15, 0.20], [0.25, 0.30]])  # [[w1, w2], [w3, w4]]
W2 = np.array([[0.40, 0.45], [0.50, 0.55]])  # [[w5, w6], [w7, w8]]


def build_model():
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, activation="sigmoid"), keras.layers.Dense(2, activation="sigmoid")]
    )
    model.layers[0].set_weights([W1, np.full(2, 0.35)])
    model.layers[1].set_weights([W2, np.full(2, 0.60)])
    return model


def loss_fn(y, output):
    return keras.ops.mean(keras.ops.sum(0.5 * (y - output) ** 2, axis=1))
