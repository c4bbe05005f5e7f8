"""Deterministic weight initialisation from a seed (seed 001 lists Xavier and He).

Draws come from NumPy's legacy ``RandomState``, whose stream NumPy promises to
keep stable across versions, so a seed gives the same weights on every machine.
Weights are canonical: ``W_l`` ``(n_l, n_{l-1})``, fan_in = n_{l-1}, fan_out = n_l.
"""

from __future__ import annotations

import numpy as np

from scratch.spec import Spec

DEFAULT_SEED = 0
BIAS_SCALE = 0.1  # biases are drawn small but non-zero, so a bias bug shows in the forward pass too


def xavier_uniform(rng: np.random.RandomState, fan_out: int, fan_in: int) -> np.ndarray:
    """Glorot & Bengio (2010): U(-r, r), r = sqrt(6 / (fan_in + fan_out)); variance 2 / (fan_in + fan_out)."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def he_normal(rng: np.random.RandomState, fan_out: int, fan_in: int) -> np.ndarray:
    """He et al. (2015): N(0, 2 / fan_in), for ReLU layers."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))


INITIALISERS = {"xavier": xavier_uniform, "he": he_normal}


def init_params(spec: Spec, seed: int = DEFAULT_SEED) -> dict[str, np.ndarray]:
    """Canonical float64 parameters for ``spec``, reproducible from ``seed``.

    Layers whose activation is relu or leaky_relu get He normal weights, the
    others Xavier uniform; every bias is U(-0.1, 0.1).
    """
    rng = np.random.RandomState(seed)
    params: dict[str, np.ndarray] = {}
    for l, activation in enumerate(spec.activations, start=1):
        method = "he" if activation in ("relu", "leaky_relu") else "xavier"
        params[f"W{l}"] = INITIALISERS[method](rng, spec.sizes[l], spec.sizes[l - 1])
        params[f"b{l}"] = rng.uniform(-BIAS_SCALE, BIAS_SCALE, size=spec.sizes[l])
    return params
