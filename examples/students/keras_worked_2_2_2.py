"""Mazur's worked example in Keras, right: 2-2-2, sigmoid, E = sum 1/2 (target - out)^2, plain SGD with eta = 0.5.

    python -m compare check examples/students/keras_worked_2_2_2.py --framework keras --arch worked-2-2-2

float64 everywhere (keras.config.set_floatx before any layer is built); the training step
is the compile-free one of the Keras guides, with tf.GradientTape.
"""

import keras
import tensorflow as tf

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, activation="sigmoid"), keras.layers.Dense(2, activation="sigmoid")]
    )


def loss_fn(y, output):
    return keras.ops.mean(keras.ops.sum(0.5 * (y - output) ** 2, axis=1))  # E_total of each sample, averaged


def make_optimizer():
    return keras.optimizers.SGD(learning_rate=0.5)


def train_step(model, loss_fn, optimizer, X, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(X, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss
