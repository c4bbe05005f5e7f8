"""PLANTED MISMATCH (architecture): one Dense layer, 2 -> 3, where the spiral net has 2 -> 4 -> 3.

    python -m compare check examples/students/keras_missing_layer.py --framework keras --arch spiral-2-4-3

The check says how many layers it found and compares no numbers (exit 1).
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
