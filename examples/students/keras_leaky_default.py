"""PLANTED MISTAKE (a leaky ReLU with Keras's default slope): keras.layers.LeakyReLU() has negative_slope=0.3.

    python -m compare check examples/students/keras_leaky_default.py --framework keras --arch 2-4-3:leaky_relu,softmax:cce

The lectures' leaky ReLU is max(0.01 z, z) (ED5340 L25), which is also torch's default.
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(4), keras.layers.LeakyReLU(), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
