"""Property-based parity: any MLP, any valid output/loss pairing, random float64 weights and data.

Hypothesis draws the architecture (1-4 weight layers, widths 1-12, every hidden
activation, every valid output + loss pairing), a batch size and a seed; the seed
fills the weights and data through NumPy's ``RandomState``. Then:

- every registered implementation (torch, Keras on each backend) agrees with scratch on every quantity (z, a, loss, delta, grads)
  within the float64 tolerances of ``compare.parity.tolerances``;
- scratch's chain-rule gradients agree with central finite differences.

The ``ci`` profile (tests/conftest.py) runs 50 examples per property; the ``large``
profile runs 1000: ``python -m pytest tests/test_properties.py --hypothesis-profile=large``.
"""

from __future__ import annotations

from dataclasses import dataclass
from unittest import mock

import numpy as np
import pytest
from hypothesis import assume, event, given, note
from hypothesis import strategies as st

from compare import registry
from compare.data.cases import Case
from compare.parity.harness import first_divergence, run_case
from core.activations import ACTIVATIONS, LEAKY_SLOPE
from core.spec import Spec
from helpers import has_known_difference
from scratch.activations import DERIVATIVE, FORWARD
from scratch.gradcheck import numerical_gradients
from scratch.model import evaluate, forward

HIDDEN = tuple(name for name, record in ACTIVATIONS.items() if record.hidden)  # every activation but softmax
# (output activation, loss, smallest n_L, largest n_L): every pairing Spec accepts
PAIRINGS = [("sigmoid", "bce", 1, 1), ("softmax", "cce", 2, 12)] + [
    (activation, loss, 1, 12) for activation in HIDDEN for loss in ("sse", "mse")
]
KINKED = tuple(name for name, record in ACTIVATIONS.items() if record.kink_at_zero)  # relu, leaky_relu

# Central differences with step h: truncation error h^2/6 |L'''| (<= ~1e-12 here) plus
# rounding error: L carries a few ulp (k eps |L|, eps = 2.2e-16), divided by 2h, i.e.
# ~1e-10 k |L| for h = 1e-6. Measured over 386 random nets: at most 3.6e-10 max(1, |L|)
# (k ~ 3). FD_ATOL = 1e-8 max(1, |L|) allows k ~ 100; FD_RTOL covers the truncation
# term on large gradients. A real bug moves a gradient by >= 1e-3 (tests/test_planted_bugs.py).
FD_STEP = 1e-6
FD_ATOL = 1e-8
FD_RTOL = 1e-7
# A finite-difference step must not cross a ReLU kink: keep every kinked z at least
# this far from 0 (a weight step h moves z by at most ~h * 100 here).
KINK_MARGIN = 1e-3


@dataclass
class Problem:
    spec: Spec
    params: dict[str, np.ndarray]
    X: np.ndarray
    y: np.ndarray

    def case(self) -> Case:
        return Case(name=str(self.spec), spec=self.spec, params=self.params, X=self.X, y=self.y, source="hypothesis")


def make_problem(spec: Spec, m: int, gain: float, seed: int) -> Problem:
    """Weights and data for ``spec`` from ``RandomState(seed)``, in sane ranges.

    W_l ~ Xavier uniform times ``gain``, b_l ~ U(-0.5, 0.5), X ~ N(0, 1); y: 0/1 for bce,
    labels for cce, U(-1, 1) targets for sse / mse.
    """
    rng = np.random.RandomState(seed)
    sizes = spec.sizes
    params = {}
    for l in range(1, spec.n_layers + 1):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        limit = gain * np.sqrt(6.0 / (fan_in + fan_out))
        params[f"W{l}"] = rng.uniform(-limit, limit, size=(fan_out, fan_in))
        params[f"b{l}"] = rng.uniform(-0.5, 0.5, size=fan_out)
    X = rng.normal(0.0, 1.0, size=(m, sizes[0]))
    n_out = sizes[-1]
    if spec.loss == "bce":
        y = rng.randint(0, 2, size=m)
    elif spec.loss == "cce":
        y = rng.randint(0, n_out, size=m)
    else:
        y = rng.uniform(-1.0, 1.0, size=(m, n_out))
    return Problem(spec, params, X, y)


@st.composite
def problems(draw) -> Problem:
    """A random spec, batch size, weight gain and seed; :func:`make_problem` fills in the numbers."""
    depth = draw(st.integers(1, 4), label="weight layers")
    output, loss, n_min, n_max = draw(st.sampled_from(PAIRINGS), label="output, loss")
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=depth - 1, max_size=depth - 1), label="hidden activations")
    sizes = draw(st.lists(st.integers(1, 12), min_size=depth, max_size=depth), label="n_0 .. n_{L-1}")
    sizes.append(draw(st.integers(n_min, n_max), label="n_L"))
    m = draw(st.integers(1, 8), label="batch size m")
    gain = draw(st.sampled_from([0.5, 1.0, 2.0]), label="weight gain")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    return make_problem(Spec(tuple(sizes), (*hidden, output), loss), m, gain, seed)


def _keras_leaky_slope_reference(spec, params, X, y, dtype):
    """scratch with the leaky slope TensorFlow actually applies: float32(0.01) = 0.009999999776...

    TF's LeakyRelu op stores alpha as a 32-bit float attribute, so a float64 Keras model
    uses the rounded slope (test_edges.py::test_keras_leaky_slope_is_float32). Comparing
    against scratch with that same slope shows the rounding is the only difference.
    """
    slope = float(np.float32(LEAKY_SLOPE))
    with (
        mock.patch.dict(FORWARD, leaky_relu=lambda z: np.where(z > 0, z, slope * z)),
        mock.patch.dict(DERIVATIVE, leaky_relu=lambda z, a: np.where(z > 0, 1.0, slope).astype(z.dtype)),
    ):
        return evaluate(spec, params, X, y, dtype)


def assert_parity(problem: Problem, framework: str) -> None:
    evaluators = {}
    if has_known_difference(framework, "leaky_slope_float32") and "leaky_relu" in problem.spec.activations:
        evaluators[registry.REFERENCE] = _keras_leaky_slope_reference
    result = run_case(problem.case(), "float64", [framework], evaluators=evaluators)
    first = first_divergence(result.checks)
    assert first is None, (
        f"{framework} parts from scratch at {first.quantity}: max abs err {first.max_abs_err:.3g}, "
        f"max rel err {first.max_rel_err:.3g} (atol {first.atol}, rtol {first.rtol})"
    )


def _record(problem: Problem) -> None:
    """What was drawn: printed with a failure, counted by --hypothesis-show-statistics."""
    note(f"spec {problem.spec}, m = {problem.X.shape[0]}")
    event(f"{problem.spec.n_layers} weight layers")
    event(f"output + loss: {problem.spec.activations[-1]} + {problem.spec.loss}")


@pytest.mark.parametrize("framework", registry.OTHERS)
@given(problem=problems())
def test_framework_matches_scratch(framework, problem):
    _record(problem)
    assert_parity(problem, framework)


def assert_matches_finite_differences(problem: Problem) -> None:
    spec, params, X, y = problem.spec, problem.params, problem.X, problem.y
    trace = evaluate(spec, params, X, y, "float64")
    numeric = numerical_gradients(spec, params, X, y, h=FD_STEP)
    atol = FD_ATOL * max(1.0, abs(trace.loss))
    for name, analytic in trace.grads.items():
        err = np.abs(analytic - numeric[name])
        assert np.all(err <= atol + FD_RTOL * np.abs(numeric[name])), (
            f"d{name}: chain rule and finite differences differ by up to {err.max():.3g} (atol {atol:.3g}); spec {spec}"
        )


def _clear_of_kinks(problem: Problem) -> bool:
    z, _ = forward(problem.spec, problem.params, problem.X)
    kinked = [z[l] for l, activation in enumerate(problem.spec.activations, start=1) if activation in KINKED]
    return all(np.abs(values).min() > KINK_MARGIN for values in kinked)


@given(problems())
def test_scratch_matches_finite_differences(problem):
    _record(problem)
    assume(_clear_of_kinks(problem))
    assert_matches_finite_differences(problem)


def _pairing_problem(index: int) -> Problem:
    """A 4-layer net ending in PAIRINGS[index], hidden activations rotating through HIDDEN."""
    output, loss, n_min, n_max = PAIRINGS[index]
    hidden = tuple(HIDDEN[(index + k) % len(HIDDEN)] for k in range(3))
    spec = Spec((5, 7, 6, 4, min(n_max, 3)), (*hidden, output), loss)
    # the first seed whose ReLU-family pre-activations keep clear of the kink (for the FD check)
    return next(
        p
        for seed in range(1000 * index, 1000 * (index + 1))
        if _clear_of_kinks(p := make_problem(spec, m=6, gain=1.0, seed=seed))
    )


@pytest.mark.parametrize("index", range(len(PAIRINGS)), ids=[f"{o}+{l}" for o, l, _, _ in PAIRINGS])
def test_every_pairing(index):
    """Every output + loss pairing, every CI run, whatever hypothesis draws: every framework and FD."""
    problem = _pairing_problem(index)
    for framework in registry.OTHERS:
        assert_parity(problem, framework)
    assert_matches_finite_differences(problem)
