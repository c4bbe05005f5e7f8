"""PLANTED MISTAKE (double softmax): a softmax output and SparseCategoricalCrossentropy(from_logits=True).

    python -m compare check examples/students/keras_double_softmax.py --framework keras --arch spiral-2-4-3

from_logits=True tells the loss to apply its own softmax. On TensorFlow, Keras notices that
the output came from a softmax, warns, and uses the logits, so the numbers agree there; on
the JAX and torch backends the softmax is applied twice.
"""

import keras

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3, activation="softmax")]
    )


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
