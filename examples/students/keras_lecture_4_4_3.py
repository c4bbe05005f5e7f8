"""The Amrita FFNN intro's multi-class example in Keras, right: 4-4-3, a sigmoid layer, a softmax output, the functional API.

    python -m compare check examples/students/keras_lecture_4_4_3.py --framework keras --arch lecture-4-4-3-softmax

The model ends in a softmax, so the loss takes probabilities (from_logits=False, the default).
SGD with momentum 0.9, which Keras on TensorFlow holds as 0.8999999761581421 (ops.cast goes
through float32): the check runs the lecture's momentum rule with the momentum Keras uses, and says so.
"""

import keras
import tensorflow as tf

keras.config.set_floatx("float64")


def build_model():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(4, activation="sigmoid")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(hidden)
    return keras.Model(inputs, outputs)


loss_fn = keras.losses.SparseCategoricalCrossentropy()


def make_optimizer():
    return keras.optimizers.SGD(learning_rate=0.5, momentum=0.9)


def train_step(model, loss_fn, optimizer, X, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(X, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss
