"""The L2 penalty's contract, as in CS60050 backprop: J = loss + lambda / (2 n) sum_l sum_jk (W_l[j, k])^2.

Biases are excluded and ``n`` is the number of samples in the training set, fixed
for a whole run: the penalty belongs to the objective J, and a mini-batch step
follows the gradient of (batch-mean loss + the same penalty). Each implementation's
``regularization`` module turns lambda into its own framework's setting.
"""

from __future__ import annotations

import math

from core.errors import InputError


def check_l2(l2: float, n: int) -> None:
    """Check lambda and n.

    Raises:
        InputError: unless lambda is finite and >= 0, and n >= 1.
    """
    if not 0 <= l2 < math.inf:
        raise InputError(f"l2: expected a finite lambda >= 0, got {l2}")
    if n < 1:
        raise InputError(f"l2: expected n >= 1 samples, got {n}")


def is_weight(name: str) -> bool:
    """True for ``W_l``, False for ``b_l`` (the biases the penalty excludes)."""
    return name.startswith("W")
