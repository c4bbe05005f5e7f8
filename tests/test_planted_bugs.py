"""Planted bugs prove the checker works: each wrong scratch variant must fail parity and be located.

Each variant from ``planted_bugs.py`` replaces scratch (the reference) in
``compare.parity.harness.run_case``; torch and keras are compared against it quantity by
quantity in computation order (z1, a1, ..., loss, deltaL..delta1, dWL, dbL..dW1, db1).
The expected first quantity is reasoned from where the bug enters the maths:

- transposed W: the very first product, z1.
- missing 1/m: forward, loss and per-sample deltas are untouched; the first gradient, dW_L.
- sum instead of mean: the loss itself.
- sigma(z) for sigma'(z): the first delta that multiplies by sigma' -- delta_L with sse,
  delta_{L-1} with bce (whose delta_L = a - y needs no derivative).
- ReLU mask = a: the hidden delta of the ReLU layer.
- ReLU mask z >= 0: the same delta, but only where z is exactly 0, so the data puts z there.
- delta from updated weights: delta_L is right; delta_{L-1} is sent back through a changed W_L.
- dropped bias gradient: dW_L is right; db_L is missing.
- softmax without max shift, logits ~1e3: z_L is right; a_L = inf / inf = NaN.
- wrong leaky slope: z1 is right; a1 differs wherever z1 < 0.

Each case is also run with the real scratch, which must agree (so the failure is the bug's).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from compare import registry
from compare.data.cases import Case, custom_case, get_case
from compare.parity import report
from compare.parity.harness import run_case
from helpers import honest_dtype
from planted_bugs import PLANTED

FRAMEWORKS = registry.OTHERS


def _random_case(spec_text: str, m: int, seed: int, y: np.ndarray | None = None) -> Case:
    """Seeded weights from scratch.init and standard-normal inputs; y drawn to suit the loss."""
    rng = np.random.RandomState(seed)
    case = custom_case(spec_text, rng.randn(m, int(spec_text.split("-")[0])), np.zeros(m), None, seed)
    if y is None:
        n_out, loss = case.spec.sizes[-1], case.spec.loss
        y = {"cce": lambda: rng.randint(0, n_out, size=m), "bce": lambda: rng.randint(0, 2, size=m)}.get(
            loss, lambda: rng.uniform(0, 1, size=(m, n_out))
        )()
    case.y = y
    return case


def _relu_at_exact_zero() -> Case:
    """A ReLU layer whose z is exactly 0 on one sample, and a non-zero delta flowing back into it.

    z1[0, 0] = 0.5 * 1 + 0.5 * (-1) + 0 = 0 exactly (every number is a power of two).
    """
    case = custom_case("2-3-2:relu,softmax:cce", np.array([[0.5, 0.5], [1.0, -0.25], [-0.75, 0.5]]), np.array([1, 0, 1]), None)
    case.params = {
        "W1": np.array([[1.0, -1.0], [0.5, 0.25], [-0.3, 0.8]]),
        "b1": np.array([0.0, 0.1, -0.05]),
        "W2": np.array([[0.7, -0.4, 0.2], [-0.6, 0.3, 0.5]]),
        "b2": np.array([0.05, -0.05]),
    }
    return case


def _large_logits() -> Case:
    """tanh hidden (|a1| < 1) into W2 entries of ~+-1e3: |z2| reaches ~1e3, past exp's overflow at 709."""
    case = _random_case("3-4-3:tanh,softmax:cce", m=5, seed=4)
    case.params["W2"] = case.params["W2"] * 1000.0
    return case


# (planted bug, case factory, expected first differing quantity)
PLANTS = [
    pytest.param("transposed_w", lambda: get_case("worked-2-2-2"), "z1", id="transposed_w-worked_2_2_2"),
    pytest.param("missing_1_over_m", lambda: _random_case("3-4-2:tanh,sigmoid:sse", 6, 1), "dW2", id="missing_1_over_m"),
    pytest.param("sum_instead_of_mean", lambda: _random_case("3-4-3:relu,softmax:cce", 6, 2), "loss", id="sum_instead_of_mean"),
    pytest.param("sigmoid_for_its_derivative", lambda: get_case("worked-2-2-2"), "delta2", id="sigmoid_derivative-sse_output"),
    pytest.param(
        "sigmoid_for_its_derivative", lambda: get_case("lecture-4-4-1-bce"), "delta1", id="sigmoid_derivative-bce_output"
    ),
    pytest.param("relu_mask_is_a", lambda: get_case("spiral-2-4-3"), "delta1", id="relu_mask_is_a-spiral"),
    pytest.param("relu_mask_z_ge_0", _relu_at_exact_zero, "delta1", id="relu_mask_z_ge_0-exact_zero"),
    pytest.param("delta_from_updated_weights", lambda: get_case("worked-2-2-2"), "delta1", id="updated_weights-2_layers"),
    pytest.param(
        "delta_from_updated_weights",
        lambda: _random_case("2-3-3-2:sigmoid,tanh,sigmoid:mse", 4, 3),
        "delta2",
        id="updated_weights-3_layers",
    ),
    pytest.param("dropped_bias_gradient", lambda: get_case("lecture-4-4-3-softmax"), "db2", id="dropped_bias_gradient"),
    pytest.param("softmax_without_max_shift", _large_logits, "a2", id="softmax_without_max_shift-logits_1e3"),
    pytest.param("wrong_leaky_slope", lambda: _random_case("2-5-3:leaky_relu,softmax:cce", 8, 5), "a1", id="wrong_leaky_slope"),
]


def test_every_planted_bug_is_exercised():
    assert {p.values[0] for p in PLANTS} | {p.values[0] for p in REGULARISER_PLANTS} == set(PLANTED)


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("bug", "make_case", "first"), PLANTS)
def test_planted_bug_is_caught_and_located(bug, make_case, first, framework):
    case = make_case()
    # a known difference (Keras on TensorFlow keeps the leaky slope in float32, test_edges.py) makes the
    # honest float64 run differ from scratch at ~2e-8; float32, where that is below tolerance, is the fair test there
    dtype = honest_dtype(framework, case.spec)
    honest = run_case(case, dtype, [framework])
    assert honest.passed, f"the real scratch must agree with {framework} on this case"

    result = run_case(case, dtype, [framework], evaluators={registry.REFERENCE: PLANTED[bug]})

    assert not result.passed
    checks = result.checks_for(framework)
    failing = [c.quantity for c in checks if not c.passed]
    assert failing[0] == first, f"{bug}: first differing quantity {failing[0]}, expected {first}; all failing: {failing}"
    names = [c.quantity for c in checks]
    assert all(c.passed for c in checks[: names.index(first)])


@pytest.mark.parametrize(
    ("bug", "make_case", "first", "words"),
    [
        pytest.param("transposed_w", lambda: get_case("worked-2-2-2"), "z1", "layer 1 pre-activation", id="z1"),
        pytest.param("sum_instead_of_mean", lambda: _random_case("3-4-3:relu,softmax:cce", 6, 2), "loss", "the loss", id="loss"),
        pytest.param(
            "dropped_bias_gradient", lambda: get_case("lecture-4-4-3-softmax"), "db2", "layer 2 bias gradient", id="db2"
        ),
    ],
)
def test_report_names_first_divergence(bug, make_case, first, words):
    """The table and the JSON both name the quantity and the layer, not just 'grads differ'."""
    result = run_case(make_case(), "float64", ["torch"], evaluators={registry.REFERENCE: PLANTED[bug]})

    from rich.console import Console

    console = Console(file=io.StringIO(), width=200)
    report.render_table([result], console)
    table = console.file.getvalue()
    assert f"first differs at {first}" in table
    assert words in table

    case_json = json.loads(report.dumps([result]))["cases"][0]
    assert case_json["passed"] is False
    # the JSON checks keep computation order, so the first failing one is the divergence
    first_failing = next(c for c in case_json["checks"] if not c["passed"])
    assert first_failing["framework"] == "torch"
    assert first_failing["quantity"] == first
    assert report.divergence(result, "torch")["description"] == words


def test_the_verdict_shows_the_worst_entry_of_the_first_differing_quantity_with_both_values():
    """Mazur's "A Step by Step Backpropagation Example" (2015): net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35 = 0.3775.

    Read transposed, scratch computes 0.15*0.05 + 0.25*0.1 + 0.35 = 0.3825 there; at h2 the two are
    0.3925 and 0.39, a smaller relative error (0.0064 against 0.013), so h1 is the worst entry.
    """
    result = run_case(get_case("worked-2-2-2"), "float64", ["torch"], evaluators={registry.REFERENCE: PLANTED["transposed_w"]})

    from rich.console import Console

    console = Console(file=io.StringIO(), width=200)
    report.render_table([result], console)
    assert "largest relative error at z1[0, 0]: torch 0.3775, scratch 0.3825" in console.file.getvalue()


def test_relu_z_ge_0_is_invisible_without_an_exact_zero():
    """Why the exact-zero case is needed: on data where no z is exactly 0, mask z >= 0 equals z > 0."""
    case = get_case("spiral-2-4-3")
    result = run_case(case, "float64", ["torch"], evaluators={registry.REFERENCE: PLANTED["relu_mask_z_ge_0"]})
    assert result.passed


def test_unshifted_softmax_is_invisible_on_small_logits():
    """Without the max shift softmax is still right while e^z fits: the bug only shows on large logits."""
    case = _random_case("3-4-3:tanh,softmax:cce", m=5, seed=4)
    result = run_case(case, "float64", ["torch"], evaluators={registry.REFERENCE: PLANTED["softmax_without_max_shift"]})
    assert result.passed


def test_unshifted_softmax_overflows_float32_at_logit_100():
    """float32's exp overflows past ~88.7: logits of ~1e2 already break the unshifted softmax there."""
    case = _random_case("3-4-3:tanh,softmax:cce", m=5, seed=4)
    case.params["W2"] = case.params["W2"] * 150.0
    assert run_case(case, "float32", ["torch"]).passed
    result = run_case(case, "float32", ["torch"], evaluators={registry.REFERENCE: PLANTED["softmax_without_max_shift"]})
    assert [c.quantity for c in result.checks if not c.passed][0] == "a2"


# Batch norm and dropout (mode, case, first differing quantity), reasoned from where each bug enters the maths:
# - backward without the mean terms: the forward pass and delta_L are right; delta_l of the batch-norm layer is not.
# - dropout without 1/(1 - p): z1 and h1 and the mask are right; a1 = h1 * mask is not scaled.
# - dropout left on at inference: z1 is right; a1 has dropped (and scaled) units in inference mode.
# - running statistics with the momentum conventions mixed up: bn1 (batch statistics) is right; running_mean1 is not.
REGULARISER_PLANTS = [
    pytest.param(
        "bn_backward_without_mean_terms",
        lambda: _random_case("3-5-3:bn+tanh,softmax:cce", 8, 6),
        "train",
        "delta1",
        id="bn_backward_without_mean_terms",
    ),
    pytest.param(
        "dropout_without_scale",
        lambda: _random_case("3-6-2:relu+dropout=0.5,linear:mse", 8, 7),
        "train",
        "a1",
        id="dropout_without_scale",
    ),
    pytest.param(
        "dropout_at_inference",
        lambda: _random_case("3-6-3:tanh+dropout=0.25,softmax:cce", 8, 8),
        "inference",
        "a1",
        id="dropout_at_inference",
    ),
    pytest.param(
        "running_stats_wrong_momentum",
        lambda: _random_case("3-5-2:bn+relu+dropout=0.2,sigmoid:sse", 8, 9),
        "train",
        "running_mean1",
        id="running_stats_wrong_momentum",
    ),
]


def test_every_regulariser_plant_is_a_planted_bug():
    assert {p.values[0] for p in REGULARISER_PLANTS} <= set(PLANTED)


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("bug", "make_case", "mode", "first"), REGULARISER_PLANTS)
def test_batch_norm_and_dropout_bugs_are_caught_and_located(bug, make_case, mode, first, framework):
    case = make_case()
    assert run_case(case, "float64", [framework], mode=mode).passed, f"the real scratch must agree with {framework}"

    result = run_case(case, "float64", [framework], evaluators={registry.REFERENCE: PLANTED[bug]}, mode=mode)

    checks = result.checks_for(framework)
    failing = [c.quantity for c in checks if not c.passed]
    assert failing and failing[0] == first, f"{bug}: first differing quantity {failing[:1]}, expected {first}; all: {failing}"
    names = [c.quantity for c in checks]
    assert all(c.passed for c in checks[: names.index(first)])
