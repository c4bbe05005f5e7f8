"""PLANTED MISTAKE (SparseCategoricalCrossentropy with one-hot labels): one-hot rows into the loss for integer labels.

    python -m compare check examples/students/keras_sparse_onehot.py --framework keras --arch spiral-2-4-3 --targets onehot

--targets onehot hands loss_fn one-hot rows (m, 3), as keras.utils.to_categorical makes them.
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
