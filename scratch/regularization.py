"""L2 regularisation from scratch (CS60050 backprop): J = loss + lambda / (2 n) sum_l sum_jk (W_l[j, k])^2, biases excluded.

``n`` is the number of samples in the training set (core.regularization). The
gradient of the penalty is (lambda / n) W_l for weights and 0 for biases.
(CS60050 backprop's pseudo-code writes D = Delta / n + lambda Theta, i.e. lambda
without the 1/n; that contradicts its own J = ... + lambda / (2n) sum Theta^2,
whose derivative has lambda / n. We follow J.)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from core.regularization import check_l2, is_weight


def l2_penalty(params: Mapping[str, np.ndarray], l2: float, n: int) -> float:
    """lambda / (2 n) * sum of W_l^2 over every weight matrix (no biases).

    Raises:
        InputError: lambda < 0 or n < 1.
    """
    check_l2(l2, n)
    return float(l2 / (2 * n) * sum(np.sum(value * value) for name, value in params.items() if is_weight(name)))


def l2_gradients(params: Mapping[str, np.ndarray], l2: float, n: int) -> dict[str, np.ndarray]:
    """d penalty / d theta: (lambda / n) W_l for weights, zeros for biases; canonical shapes.

    Raises:
        InputError: lambda < 0 or n < 1.
    """
    check_l2(l2, n)
    return {name: (l2 / n) * value if is_weight(name) else np.zeros_like(value) for name, value in params.items()}


def representable_l2(l2: float, n: int) -> float:
    """``l2`` itself: scratch holds any float64 lambda exactly (see keras_impl.regularization for one that does not)."""
    return l2
