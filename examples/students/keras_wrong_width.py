"""PLANTED MISMATCH (architecture): a hidden layer of 8 units where the spiral net has h = 4.

    python -m compare check examples/students/keras_wrong_width.py --framework keras --arch spiral-2-4-3

The check names both Dense layers whose widths differ and compares no numbers (exit 1).
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
