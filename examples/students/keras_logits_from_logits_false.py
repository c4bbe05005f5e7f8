"""PLANTED MISTAKE (logits into a probability loss): no sigmoid on the output, and BinaryCrossentropy() (from_logits=False).

    python -m compare check examples/students/keras_logits_from_logits_false.py --framework keras --arch lecture-4-4-1-bce

The loss takes the logits for probabilities: Keras clips them to [1e-7, 1 - 1e-7] and says nothing.
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, activation="sigmoid"), keras.layers.Dense(1)])


loss_fn = keras.losses.BinaryCrossentropy()
