"""Xavier and He draws from ``keras.initializers``, in the canonical layout, for comparing initialisers by distribution.

A ``Dense`` kernel is ``(fan_in, fan_out)``, the transpose of the canonical ``W_l``,
so each draw is made in the kernel's layout and transposed back. Keras's
``HeNormal`` draws from a normal truncated at +-2 sigma_0 with sigma_0 chosen so
that the truncated variance is 2 / fan_in (keras/src/initializers/random_initializers.py,
VarianceScaling): the same variance as He et al. (2015), not the same shape.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from core.errors import lookup

HE_TRUNCATED_AT: float | None = 2.0  # HeNormal is cut at +-2 sigma_0 (VarianceScaling, distribution="truncated_normal")
INITIALISERS: dict[str, Callable[[int], keras.initializers.Initializer]] = {
    "xavier": lambda seed: keras.initializers.GlorotUniform(seed),
    "he": lambda seed: keras.initializers.HeNormal(seed),
}


def draw(method: str, fan_out: int, fan_in: int, seed: int = 0) -> np.ndarray:
    """One ``(fan_out, fan_in)`` float64 weight matrix from Keras's ``method`` (``"xavier"`` or ``"he"``).

    Raises:
        InputError: an unknown method.
    """
    initializer = lookup(INITIALISERS, method, "initialiser")(seed)
    kernel = initializer((fan_in, fan_out), dtype="float64")  # Dense kernel layout: (fan_in, fan_out)
    return np.asarray(keras.ops.convert_to_numpy(kernel)).T
