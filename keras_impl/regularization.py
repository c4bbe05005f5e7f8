"""L2 in Keras 3: ``keras.regularizers.L2`` on every ``Dense`` kernel, none on the biases.

CS60050 backprop's penalty lambda / (2 n) sum W^2 (biases excluded; core.regularization):
``keras.regularizers.L2(l)`` on a kernel adds l * sum(kernel^2) to ``layer.losses``,
so l = lambda / (2 n). ``fit`` would add ``model.losses`` to the loss itself; with
our own loop keras_impl.train adds it inside the gradient computation.
"""

from __future__ import annotations

import keras
import numpy as np

from core.regularization import check_l2


def l2_factor(l2: float, n: int) -> float:
    """The ``keras.regularizers.L2`` factor for lambda and n samples: lambda / (2 n).

    Raises:
        InputError: lambda < 0 or n < 1.
    """
    check_l2(l2, n)
    return l2 / (2 * n)


def regularizer(l2: float, n: int) -> keras.regularizers.L2 | None:
    """``L2(lambda / (2 n))`` for every kernel (``Dense(kernel_regularizer=...)``), or None without L2."""
    return keras.regularizers.L2(l2_factor(l2, n)) if l2 else None


def representable_l2(l2: float, n: int) -> float:
    """lambda moved (by at most float32's half-ulp, 6e-8 relative) so that lambda / (2 n) is a float32 number.

    ``keras.regularizers.L2`` accepts only a Python float and its ``__call__`` does
    ``ops.cast(self.l2, x.dtype)``, which on TensorFlow goes through float32 (as the
    optimizers' momentum and betas do, see core.optimizers.matched). With this lambda
    every implementation penalises with the same number; the harness uses it only when
    Keras runs (compare.training.run).
    """
    return 2 * n * float(np.float32(l2 / (2 * n)))
