"""The Amrita FFNN intro's binary example in Keras, right: 4-4-1, sigmoid layers, BinaryCrossentropy on the probabilities.

    python -m compare check examples/students/keras_lecture_4_4_1.py --framework keras --arch lecture-4-4-1-bce

The model ends in a sigmoid, so the loss takes probabilities (from_logits=False, the default).
"""

import keras
import tensorflow as tf

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4, activation="sigmoid"), keras.layers.Dense(1, activation="sigmoid")]
    )


loss_fn = keras.losses.BinaryCrossentropy()


def make_optimizer():
    return keras.optimizers.SGD(learning_rate=0.5)


def train_step(model, loss_fn, optimizer, X, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(X, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss
