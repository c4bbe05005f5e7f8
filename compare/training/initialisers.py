"""Draws from each implementation's Xavier and He initialisers, for comparison by distribution.

The three never share a random stream (RandomState, torch.Generator, Keras seeds),
so they are compared by distribution: bounds, variance, and a Kolmogorov-Smirnov
test against the formula each one documents (tests/test_initialisers.py).

- Xavier / Glorot uniform (Glorot & Bengio 2010): U(-r, r), r = sqrt(6 / (fan_in + fan_out)),
  variance 2 / (fan_in + fan_out). scratch.init.xavier_uniform, torch.nn.init.xavier_uniform_,
  keras.initializers.GlorotUniform: the same distribution.
- He normal (He et al. 2015): N(0, 2 / fan_in). scratch.init.he_normal and
  torch.nn.init.kaiming_normal_ (mode="fan_in", nonlinearity="relu") draw from it.
  keras.initializers.HeNormal draws from a normal truncated at +-2 sigma_0 with
  sigma_0 = sqrt(2 / fan_in) / 0.8796... (keras/src/initializers/random_initializers.py,
  VarianceScaling), so that the *truncated* variance is still 2 / fan_in: same variance,
  different shape (no tails beyond +-2.27 sqrt(2 / fan_in)). Each implementation's
  ``init.HE_TRUNCATED_AT`` says where its He normal is cut (None: not cut).

Shapes are canonical: a draw for a layer is ``(fan_out, fan_in)`` (Keras's kernel
``(fan_in, fan_out)`` is transposed back).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from compare import registry


def xavier_bound(fan_out: int, fan_in: int) -> float:
    """r = sqrt(6 / (fan_in + fan_out))."""
    return math.sqrt(6.0 / (fan_in + fan_out))


def he_stddev(fan_in: int) -> float:
    """sqrt(2 / fan_in)."""
    return math.sqrt(2.0 / fan_in)


def he_truncation(framework: str) -> float | None:
    """Where ``framework``'s He normal is cut, in units of its sigma_0 (its ``init.HE_TRUNCATED_AT``), or None."""
    truncated_at: float | None = registry.get(framework).module("init").HE_TRUNCATED_AT
    return truncated_at


def he_sigma_0(fan_in: int, truncated_at: float) -> float:
    """sigma_0 of a normal cut at +-truncated_at sigma_0 whose truncated variance is still 2 / fan_in."""
    from scipy import stats

    return he_stddev(fan_in) / float(stats.truncnorm(-truncated_at, truncated_at).std())


def he_bound(fan_in: int, truncated_at: float) -> float:
    """The cut-off of a truncated He normal: truncated_at * sigma_0 (2.27 sqrt(2 / fan_in) for Keras's 2 sigma)."""
    return truncated_at * he_sigma_0(fan_in, truncated_at)


def draw(framework: str, method: str, fan_out: int, fan_in: int, seed: int = 0) -> np.ndarray:
    """One ``(fan_out, fan_in)`` float64 weight matrix from ``framework``'s ``method`` ("xavier" or "he").

    The implementation's own ``init.draw`` (scratch.init, torch_impl.init, keras_impl.init).
    """
    weights: np.ndarray = registry.get(framework).draw(method, fan_out, fan_in, seed)
    return weights


def reference_cdf(framework: str, method: str, fan_out: int, fan_in: int) -> Any:
    """The CDF ``framework`` documents for ``method``: a frozen ``scipy.stats`` distribution."""
    from scipy import stats

    if method == "xavier":
        r = xavier_bound(fan_out, fan_in)
        return stats.uniform(loc=-r, scale=2 * r)
    truncated_at = he_truncation(framework)
    if truncated_at is not None:
        return stats.truncnorm(-truncated_at, truncated_at, loc=0.0, scale=he_sigma_0(fan_in, truncated_at))
    return stats.norm(loc=0.0, scale=he_stddev(fan_in))
