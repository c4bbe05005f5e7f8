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
  different shape (no tails beyond +-2.27 sqrt(2 / fan_in)).

Shapes are canonical: a draw for a layer is ``(fan_out, fan_in)`` (Keras's kernel
``(fan_in, fan_out)`` is transposed back).
"""

from __future__ import annotations

import math

import numpy as np

from scratch.init import he_normal, xavier_uniform

KERAS_TRUNCATION_STDDEV = 0.87962566103423978  # std of a standard normal truncated to [-2, 2] (Keras VarianceScaling)


def xavier_bound(fan_out: int, fan_in: int) -> float:
    """r = sqrt(6 / (fan_in + fan_out))."""
    return math.sqrt(6.0 / (fan_in + fan_out))


def he_stddev(fan_in: int) -> float:
    """sqrt(2 / fan_in)."""
    return math.sqrt(2.0 / fan_in)


def keras_he_bound(fan_in: int) -> float:
    """Keras HeNormal's cut-off: 2 sigma_0 = 2 sqrt(2 / fan_in) / 0.8796..."""
    return 2.0 * he_stddev(fan_in) / KERAS_TRUNCATION_STDDEV


def draw(framework: str, method: str, fan_out: int, fan_in: int, seed: int = 0) -> np.ndarray:
    """One ``(fan_out, fan_in)`` float64 weight matrix from ``framework``'s ``method`` ("xavier" or "he")."""
    if framework == "scratch":
        rng = np.random.RandomState(seed)
        return (xavier_uniform if method == "xavier" else he_normal)(rng, fan_out, fan_in)
    if framework == "torch":
        import torch

        generator = torch.Generator().manual_seed(seed)
        weight = torch.empty(fan_out, fan_in, dtype=torch.float64)  # nn.Linear layout: fan_in = size(1)
        if method == "xavier":
            torch.nn.init.xavier_uniform_(weight, generator=generator)
        else:
            torch.nn.init.kaiming_normal_(weight, mode="fan_in", nonlinearity="relu", generator=generator)
        return weight.numpy()
    if framework == "keras":
        import keras_impl  # noqa: F401  (sets the TensorFlow environment before Keras loads)
        import keras

        initializer = keras.initializers.GlorotUniform(seed) if method == "xavier" else keras.initializers.HeNormal(seed)
        kernel = initializer((fan_in, fan_out), dtype="float64")  # Dense kernel layout: (fan_in, fan_out)
        return np.asarray(keras.ops.convert_to_numpy(kernel)).T
    raise KeyError(framework)


def reference_cdf(framework: str, method: str, fan_out: int, fan_in: int):
    """The CDF ``framework`` documents for ``method``: a frozen ``scipy.stats`` distribution."""
    from scipy import stats

    if method == "xavier":
        r = xavier_bound(fan_out, fan_in)
        return stats.uniform(loc=-r, scale=2 * r)
    if framework == "keras":
        sigma_0 = he_stddev(fan_in) / KERAS_TRUNCATION_STDDEV
        return stats.truncnorm(-2.0, 2.0, loc=0.0, scale=sigma_0)
    return stats.norm(loc=0.0, scale=he_stddev(fan_in))
