"""PLANTED MISTAKE (a leaky ReLU with Keras's default slope): Dense(activation="leaky_relu") gets negative_slope=0.2.

    python -m compare check examples/students/keras_leaky_string.py --framework keras --arch 2-4-3:leaky_relu,softmax:cce

The string "leaky_relu" names keras.activations.leaky_relu, whose default slope is 0.2; the
lectures' leaky ReLU is max(0.01 z, z) (ED5340 L25).
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="leaky_relu"), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
