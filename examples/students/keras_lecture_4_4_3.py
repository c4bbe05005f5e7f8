"""The Amrita FFNN intro's multi-class example in Keras, right: 4-4-3, a sigmoid layer, a softmax output, the functional API.

    python -m compare check examples/students/keras_lecture_4_4_3.py --framework keras --arch lecture-4-4-3-softmax

The model ends in a softmax, so the loss takes probabilities (from_logits=False, the default);
SGD with momentum 0.5 (a float32-exact number: Keras holds momentum as ops.cast makes it).
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
    return keras.optimizers.SGD(learning_rate=0.5, momentum=0.5)


def train_step(model, loss_fn, optimizer, X, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(X, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return loss
