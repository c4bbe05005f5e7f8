"""Each implementation's own dropout draw: its keep rate (statistically), its 1/(1 - p) scale (exactly), its mask recovery.

Parity (tests/test_parity.py) hands a framework's mask to scratch, so it tests everything
but the random stream. This file tests the stream of every registered implementation
through its registry entry (the Keras JAX and torch backends in their worker processes):

- keep rate: the number K of kept units among N = 100,000 is Binomial(N, 1 - p) for a correct
  layer; the exact two-sided binomial test rejects at ALPHA = 1e-6, so a correct layer fails
  once in a million seeds (the seeds here are fixed, so a pass stays a pass). Its rejection
  half-width is 4.9 sqrt(p (1 - p) / N): 0.0062 for p = 0.2 and 0.0077 for p = 0.5, so a rate
  off by 1 %, or p and 1 - p swapped, is caught with certainty.
- scale: every kept unit is h / (1 - p) to 2 ulp (torch, TensorFlow and scratch multiply by
  fl(1/(1 - p)); Keras on JAX and torch divide by 1 - p), every dropped unit exactly 0.
- mask recovery: the harness reads a framework's mask from the derivative of the layer's
  output with respect to its input in the same call, so a kept unit whose input is exactly 0
  (after a ReLU) still counts as kept: among those units the keep rate is 1 - p too, where
  reading the mask off ``a != 0`` would give 0.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from compare import registry
from compare.training.batches import make_batches
from core.optimizers import matched
from core.spec import parse_spec
from scratch.init import init_params

ALPHA = 1e-6  # the false-alarm rate of each binomial test
UNITS, ROWS = 2000, 50  # N = 100,000 units per draw


def _draw(framework: str, layer: str, rate: float, X: np.ndarray):
    spec = parse_spec(f"1-{UNITS}-1:{layer}+dropout={rate!r},linear:mse")
    params = init_params(spec, seed=1)
    trace = registry.get(framework).evaluate(spec, params, X, np.zeros((ROWS, 1)), "float64", mode="train")
    return trace.h[1], trace.masks[1], trace.a[1]


@pytest.mark.parametrize("rate", [0.2, 0.5])
@pytest.mark.parametrize("framework", registry.NAMES)
def test_keep_rate_is_one_minus_p_and_kept_units_are_scaled_by_one_over_one_minus_p(framework, rate):
    h, mask, a = _draw(framework, "linear", rate, np.linspace(0.5, 2.0, ROWS).reshape(-1, 1))
    assert mask.dtype == bool and mask.shape == (ROWS, UNITS) and np.all(h != 0)  # every unit's input is nonzero
    kept = int(mask.sum())
    test = binomtest(kept, mask.size, 1 - rate)
    assert test.pvalue >= ALPHA, f"{framework}: kept {kept} of {mask.size}, expected about {(1 - rate) * mask.size:.0f}"
    assert np.all(a[~mask] == 0.0)
    scale = 1.0 / (1.0 - rate)
    np.testing.assert_allclose(a[mask] / h[mask], scale, rtol=4 * np.finfo(np.float64).eps, atol=0)


@pytest.mark.parametrize("framework", registry.NAMES)
def test_a_kept_unit_whose_input_is_zero_is_recovered_as_kept(framework):
    """ReLU zeroes about half the inputs of the dropout layer; among them the recovered keep rate is still 1 - p."""
    rate = 0.5
    X = np.linspace(-2.0, 2.0, ROWS).reshape(-1, 1)  # z = w x + b changes sign across the rows of every unit
    h, mask, a = _draw(framework, "relu", rate, X)
    zero = h == 0
    assert 0.3 < zero.mean() < 0.7
    kept = int(mask[zero].sum())
    assert binomtest(kept, int(zero.sum()), 1 - rate).pvalue >= ALPHA, (framework, kept, int(zero.sum()))
    assert np.all(a[zero] == 0.0)  # so the output alone could not tell a kept zero from a dropped unit


@pytest.mark.parametrize("framework", registry.NAMES)
def test_each_training_step_draws_a_new_mask(framework):
    """One mask per step and layer: two steps on the same batch agree on a share p^2 + (1 - p)^2 = 0.5 of units, not all."""
    spec = parse_spec("2-400-2:tanh+dropout=0.5,linear:mse")
    rng = np.random.RandomState(0)
    X, y = rng.randn(25, 2), rng.randn(25, 2)
    result = registry.get(framework).train(
        spec, init_params(spec), X, y, optimizer="sgd", hyper=matched("sgd", 0.01), batches=make_batches(25, None, steps=2)
    )
    first, second = result.masks[0][1], result.masks[1][1]
    assert first.shape == second.shape == (25, 400)
    same = int((first == second).sum())
    assert binomtest(same, first.size, 0.5).pvalue >= ALPHA, (framework, same, first.size)
