"""PLANTED MISTAKE (CategoricalCrossentropy with integer labels): the spiral's labels are 0, 1, 2, not one-hot rows.

    python -m compare check examples/students/keras_cce_integer_labels.py --framework keras --arch spiral-2-4-3

CategoricalCrossentropy takes one-hot rows; Keras refuses labels of another rank.
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)])


loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
