"""PLANTED MISTAKE (double sigmoid): a sigmoid output layer and BinaryCrossentropy(from_logits=True).

    python -m compare check examples/students/keras_double_sigmoid.py --framework keras --arch lecture-4-4-1-bce

from_logits=True applies a sigmoid of its own to the model's output, which already is one.
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4, activation="sigmoid"), keras.layers.Dense(1, activation="sigmoid")]
    )


loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
