"""Deterministic weight initialisation from a seed (the Amrita FFNN intro lists Xavier and He).

Draws come from NumPy's legacy ``RandomState``, whose stream NumPy promises to
keep stable across versions, so a seed gives the same weights on every machine.
Weights are canonical: ``W_l`` ``(n_l, n_{l-1})``, fan_in = n_{l-1}, fan_out = n_l.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.activations import ACTIVATIONS
from core.errors import InputError
from core.limits import check_net
from core.spec import Spec
from core.validate import check_seed

DEFAULT_SEED = 0
BIAS_SCALE = 0.1  # biases are drawn small but non-zero, so a bias bug shows in the forward pass too


def xavier_uniform(rng: np.random.RandomState, fan_out: int, fan_in: int) -> np.ndarray:
    """Glorot & Bengio (2010): U(-r, r), r = sqrt(6 / (fan_in + fan_out)); variance 2 / (fan_in + fan_out)."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def he_normal(rng: np.random.RandomState, fan_out: int, fan_in: int) -> np.ndarray:
    """He et al. (2015): N(0, 2 / fan_in), for ReLU layers."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))


HE_TRUNCATED_AT: float | None = None  # numpy draws from the untruncated normal
INITIALISERS: dict[str, Callable[[np.random.RandomState, int, int], np.ndarray]] = {
    "xavier": xavier_uniform,
    "he": he_normal,
}


def draw(method: str, fan_out: int, fan_in: int, seed: int = 0) -> np.ndarray:
    """One ``(fan_out, fan_in)`` float64 weight matrix from ``method`` (``"xavier"`` or ``"he"``).

    The same signature as torch_impl.init.draw and keras_impl.init.draw, for comparing
    the three initialisers by distribution (compare.training.initialisers).

    Raises:
        InputError: an unknown method, or a seed outside [0, 2**32 - 1].
    """
    if method not in INITIALISERS:
        raise InputError(f"initialiser: expected one of {', '.join(INITIALISERS)}, got {method!r}")
    return INITIALISERS[method](np.random.RandomState(check_seed(seed)), fan_out, fan_in)


def init_params(spec: Spec, seed: int = DEFAULT_SEED) -> dict[str, np.ndarray]:
    """Canonical float64 parameters for ``spec``, reproducible from ``seed``.

    Each layer gets its activation's initialiser (core.activations: He normal for
    relu and leaky_relu, Xavier uniform for the others); every bias is U(-0.1, 0.1).
    A layer with batch norm gets, instead of its bias, gamma_l ~ U(0.9, 1.1) and
    beta_l ~ U(-0.1, 0.1) (near the frameworks' 1 and 0, but not equal, so that a
    gamma or beta bug shows), and running statistics running_mean_l ~ U(-0.1, 0.1),
    running_var_l ~ U(0.8, 1.2) (near the frameworks' initial 0 and 1, so that an
    inference-mode bug that ignores them shows).

    Raises:
        InputError: a seed outside [0, 2**32 - 1], or a net larger than the limits (core.limits), before any draw.
    """
    check_net(spec)
    rng = np.random.RandomState(check_seed(seed))
    params: dict[str, np.ndarray] = {}
    for l, activation in enumerate(spec.activations, start=1):
        n = spec.sizes[l]
        params[f"W{l}"] = INITIALISERS[ACTIVATIONS[activation].init](rng, n, spec.sizes[l - 1])
        if not spec.has_batch_norm(l):
            params[f"b{l}"] = rng.uniform(-BIAS_SCALE, BIAS_SCALE, size=n)
            continue
        params[f"gamma{l}"] = rng.uniform(1 - BIAS_SCALE, 1 + BIAS_SCALE, size=n)
        params[f"beta{l}"] = rng.uniform(-BIAS_SCALE, BIAS_SCALE, size=n)
        params[f"running_mean{l}"] = rng.uniform(-BIAS_SCALE, BIAS_SCALE, size=n)
        params[f"running_var{l}"] = rng.uniform(1 - 2 * BIAS_SCALE, 1 + 2 * BIAS_SCALE, size=n)
    return params
