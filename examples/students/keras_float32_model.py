"""PLANTED MISTAKE (a float32 model on float64 data): Keras's default floatx() is float32, and it casts the data silently.

    python -m compare check examples/students/keras_float32_model.py --framework keras --arch spiral-2-4-3 --dtype float64

--dtype float64 feeds it float64 data; Keras casts it to float32 without a word, and every
number differs at float32's rounding (without --dtype the check runs in float32, and it passes).
"""

import keras


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
