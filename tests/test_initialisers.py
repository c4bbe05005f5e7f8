"""Xavier and He (Amrita FFNN intro) in scratch, torch.nn.init and keras.initializers, compared by distribution.

Fixed seeds; a Kolmogorov-Smirnov test against the distribution each library
documents, bounds, and the variance. 400 x 300 = 120,000 draws per library.
"""

import numpy as np
import pytest
from scipy import stats

from compare import registry
from compare.training.initialisers import draw, he_bound, he_stddev, he_truncation, reference_cdf, xavier_bound

FAN_OUT, FAN_IN = 400, 300
N = FAN_OUT * FAN_IN


@pytest.fixture(scope="module")
def draws():
    return {
        (fw, method): draw(fw, method, FAN_OUT, FAN_IN, seed=7).ravel() for fw in registry.NAMES for method in ("xavier", "he")
    }


@pytest.mark.parametrize("framework", registry.NAMES)
def test_xavier_uniform_bounds_variance_and_shape(draws, framework):
    w = draws[(framework, "xavier")]
    r = xavier_bound(FAN_OUT, FAN_IN)
    assert np.abs(w).max() <= r and np.abs(w).max() > 0.999 * r
    # variance 2 / (fan_in + fan_out); the sample variance's relative std is ~sqrt(0.8 / N) = 0.26 %: allow 5 sigma
    assert np.var(w) == pytest.approx(2 / (FAN_IN + FAN_OUT), rel=0.013)
    assert stats.kstest(w, reference_cdf(framework, "xavier", FAN_OUT, FAN_IN).cdf).pvalue > 1e-3


@pytest.mark.parametrize("framework", registry.NAMES)
def test_he_variance_is_2_over_fan_in(draws, framework):
    w = draws[(framework, "he")]
    # the sample variance of a normal has relative std sqrt(2 / N) = 0.41 %: allow 5 sigma
    assert np.var(w) == pytest.approx(he_stddev(FAN_IN) ** 2, rel=0.021)
    assert abs(np.mean(w)) < 5 * he_stddev(FAN_IN) / np.sqrt(N)


@pytest.mark.parametrize("framework", registry.NAMES)
def test_he_normal_has_the_shape_the_implementation_documents(draws, framework):
    """Plain N(0, 2 / fan_in) (scratch, torch), or truncated where ``init.HE_TRUNCATED_AT`` says so (Keras: 2 sigma_0)."""
    w = draws[(framework, "he")]
    assert stats.kstest(w, reference_cdf(framework, "he", FAN_OUT, FAN_IN).cdf).pvalue > 1e-3
    cut = he_truncation(framework)
    if cut is None:
        assert np.abs(w).max() > he_bound(FAN_IN, 2.0)  # tails beyond a 2-sigma_0 cut-off exist (P = 1.6 % per draw)
    else:
        assert np.abs(w).max() <= he_bound(FAN_IN, cut)
        # and it is NOT the plain normal He et al. describe: the KS test sees the missing tails
        assert stats.kstest(w, stats.norm(scale=he_stddev(FAN_IN)).cdf).pvalue < 1e-6


def test_keras_he_normal_is_cut_at_two_sigma_0():
    """keras/src/initializers/random_initializers.py: VarianceScaling's truncated normal is cut at 2 sigma_0."""
    import keras

    assert he_truncation("keras") == 2.0
    assert keras.initializers.HeNormal().distribution == "truncated_normal"


def test_default_layer_inits_differ_torch_uniform_1_over_sqrt_fan_in_keras_glorot_and_zero_bias():
    import keras
    import torch

    import keras_impl  # noqa: F401

    torch.manual_seed(0)
    linear = torch.nn.Linear(FAN_IN, FAN_OUT, dtype=torch.float64)  # kaiming_uniform_(a=sqrt(5)) -> U(+-1/sqrt(fan_in))
    bound = 1 / np.sqrt(FAN_IN)
    weight, bias = linear.weight.detach().numpy().ravel(), linear.bias.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound and np.abs(bias).max() > 0
    assert stats.kstest(weight, stats.uniform(loc=-bound, scale=2 * bound).cdf).pvalue > 1e-3
    dense = keras.layers.Dense(FAN_OUT, dtype="float64")
    dense.build((None, FAN_IN))
    kernel = np.asarray(keras.ops.convert_to_numpy(dense.kernel)).ravel()
    r = xavier_bound(FAN_OUT, FAN_IN)
    assert np.abs(kernel).max() <= r and stats.kstest(kernel, stats.uniform(loc=-r, scale=2 * r).cdf).pvalue > 1e-3
    assert not np.asarray(keras.ops.convert_to_numpy(dense.bias)).any()
