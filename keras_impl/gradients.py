"""The backend-specific part: gradients of a scalar. TensorFlow only, for now.

To add a Keras backend (JAX, torch), add one function here with the same
signature and select it by ``keras.backend.backend()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras


def value_and_gradients(
    compute: Callable[[], tuple[Any, Sequence[Any]]], variables: Sequence[Any]
) -> tuple[Any, list[Any], list[Any]]:
    """Run ``compute()`` -> ``(loss, intermediates)`` under a tape.

    Returns:
        ``(loss, variable_grads, intermediate_grads)``: dloss/dvariable for each
        variable and dloss/dtensor for each intermediate tensor ``compute`` returned.

    Raises:
        NotImplementedError: on a Keras backend other than TensorFlow.
    """
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise NotImplementedError(f"keras_impl computes gradients with tf.GradientTape; Keras backend is {backend!r}")
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss, intermediates = compute()
    variable_grads, intermediate_grads = tape.gradient(loss, [list(variables), list(intermediates)])
    return loss, variable_grads, intermediate_grads
