"""Session-5 backprop's spiral net in Keras, right: Sequential, a compile-free loss and optimizer, tf.GradientTape.

    python -m compare check examples/students/keras_spiral.py --framework keras --arch spiral-2-4-3

2-4-3, ReLU, logits into SparseCategoricalCrossentropy(from_logits=True), eta = 1.0 as in the
class notes, float64 everywhere.
"""

import keras
import tensorflow as tf

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def make_optimizer():
    return keras.optimizers.SGD(learning_rate=1.0)


def train_step(model, loss_fn, optimizer, X, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(X, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss
