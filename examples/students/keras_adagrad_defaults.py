"""PLANTED MISTAKE (a framework's optimizer defaults): keras.optimizers.Adagrad() where the lecture's AdaGrad was meant.

    python -m compare check examples/students/keras_adagrad_defaults.py --framework keras --arch spiral-2-4-3

Keras starts the accumulator at initial_accumulator_value=0.1 (Duchi et al. start at 0) and
adds epsilon inside the square root.
"""

import keras
import tensorflow as tf

keras.config.set_floatx("float64")


def build_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)])


loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def make_optimizer():
    return keras.optimizers.Adagrad(learning_rate=0.1)


def train_step(model, loss_fn, optimizer, X, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(X, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss
