"""L2 regularisation as in seed 004: J = loss + lambda / (2 n) sum_l sum_jk (W_l[j, k])^2, biases excluded.

``n`` is the number of samples in the training set, fixed for a whole run: the
penalty belongs to the objective J, and a mini-batch step follows the gradient
of (batch-mean loss + the same penalty), an unbiased estimate of dJ.

The gradient of the penalty is (lambda / n) W_l for weights and 0 for biases.
(Seed 004's pseudo-code writes D = Delta / n + lambda Theta, i.e. lambda without
the 1/n; that contradicts its own J = ... + lambda / (2n) sum Theta^2, whose
derivative has lambda / n. We follow J.)
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from scratch.errors import InputError


def check_l2(l2: float, n: int) -> None:
    """Raises InputError unless lambda >= 0 and n >= 1."""
    if not l2 >= 0:
        raise InputError(f"l2: expected lambda >= 0, got {l2}")
    if n < 1:
        raise InputError(f"l2: expected n >= 1 samples, got {n}")


def is_weight(name: str) -> bool:
    """True for ``W_l``, False for ``b_l`` (the biases the penalty excludes)."""
    return name.startswith("W")


def l2_penalty(params: Mapping[str, np.ndarray], l2: float, n: int) -> float:
    """lambda / (2 n) * sum of W_l^2 over every weight matrix (no biases)."""
    check_l2(l2, n)
    return float(l2 / (2 * n) * sum(np.sum(value * value) for name, value in params.items() if is_weight(name)))


def l2_gradients(params: Mapping[str, np.ndarray], l2: float, n: int) -> dict[str, np.ndarray]:
    """d penalty / d theta: (lambda / n) W_l for weights, zeros for biases; canonical shapes."""
    check_l2(l2, n)
    return {name: (l2 / n) * value if is_weight(name) else np.zeros_like(value) for name, value in params.items()}
