"""Session-5 backprop's spiral net in Keras as most tutorials write it, right: float32, a softmax output, tf.GradientTape.

    python -m compare check examples/students/keras_spiral_float32.py --framework keras --arch spiral-2-4-3

No keras.config.set_floatx: the layers are float32 (Keras's default floatx()), so the check runs
in float32, with float32's tolerances. The last Dense ends in a softmax, so the loss takes
probabilities (from_logits=False, the default).
"""

import keras
import tensorflow as tf


def build_model():
    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(4, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    return model


loss_fn = keras.losses.SparseCategoricalCrossentropy()


def make_optimizer():
    return keras.optimizers.SGD(learning_rate=1.0)


def train_step(model, loss_fn, optimizer, X, y):
    with tf.GradientTape() as tape:
        predictions = model(X, training=True)
        loss = loss_fn(y, predictions)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
    return float(loss)
