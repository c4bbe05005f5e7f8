"""Numerical edges: saturated pre-activations, probabilities a hair from 0 or 1, ReLU kinks.

scratch must produce no NaN / inf there (NumPy is told to raise on overflow, invalid
operations and division by zero) and must match torch and keras, whose losses run
on logits (BCEWithLogitsLoss, CrossEntropyLoss, Keras from_logits=True). Where a
framework loss on *probabilities* clips, the tests below show the clipped value
against a number derived by hand (docs/numerics.md explains each).

Golden numbers here come from the formulas, not from the code under test:
-log(1e-7) = 16.118..., 50 ln 10 = 115.13..., ln(1e12) = 12 ln 10 = 27.63...
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from compare import registry
from compare.data.cases import Case
from compare.parity.harness import first_divergence, run_case
from core.activations import ACTIVATIONS, LEAKY_SLOPE
from core.spec import parse_spec
from helpers import has_known_difference, honest_dtype, known_on
from scratch.model import evaluate

# the largest |z| each dtype is asked to survive: exp(1e3) overflows float64
# (limit ~709.8), exp(80) is still finite in float32 (limit ~88.7) but exp(80)^2 is not
Z_EDGE = {"float64": 1e3, "float32": 80.0}
OUTPUTS = [  # (output activation, loss, n_L)
    ("sigmoid", "bce", 1),
    ("softmax", "cce", 3),
    ("sigmoid", "sse", 2),
    ("tanh", "mse", 2),
    ("relu", "sse", 2),
    ("leaky_relu", "mse", 2),
    ("linear", "mse", 2),
]
HIDDEN = tuple(name for name, record in ACTIVATIONS.items() if record.hidden)


def _skip_known(framework: str, spec, dtype: str) -> None:
    """Skip a framework whose known difference shows on this net in ``dtype`` (after scratch's own checks).

    Keras on TensorFlow keeps the leaky slope in float32 (float64 only); Keras on JAX takes
    leaky_relu'(0) = 1, which these nets hit with their exact zeros (test_jax_leaky_derivative_at_exact_zero_is_1).
    """
    if known_on(framework, spec, dtype):
        pytest.skip(f"{framework}: a known difference shows on {spec} in {dtype} (compare.parity.known_differences)")


def _no_nan_or_inf(spec, params, X, y, dtype):
    """scratch's trace, with NumPy raising FloatingPointError on overflow, 0/0, inf - inf or x/0."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        trace = evaluate(spec, params, X, y, dtype)
    for name, value in trace.quantities():
        assert np.all(np.isfinite(value)), f"{name} is not finite"
    return trace


def _saturating_output_case(output: str, loss: str, n_out: int, Z: float) -> Case:
    """One weight layer; X is chosen so that z1 takes exactly the values +-Z, 0 and +-Z/2.

    W1 = I-like (row j picks feature j mod 2), b1 = 0, so z1 = X's columns, exactly.
    """
    spec = parse_spec(f"2-{n_out}:{output}:{loss}")
    W1 = np.zeros((n_out, 2))
    for j in range(n_out):
        W1[j, j % 2] = 1.0 if j < 2 else -1.0
    X = np.array([[Z, -Z], [-Z, Z], [Z / 2, 0.0], [0.0, -Z / 2]])
    y = {"bce": np.array([1, 1, 0, 0]), "cce": np.array([0, 1, 2, 2])}.get(loss, np.array([[1.0, -1.0]] * 4)[:, :n_out])
    return Case(name=f"{output}+{loss} at |z|={Z:g}", spec=spec, params={"W1": W1, "b1": np.zeros(n_out)}, X=X, y=y)


@pytest.mark.parametrize("framework", list(registry.OTHERS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("output", "loss", "n_out"), OUTPUTS, ids=[f"{o}+{l}" for o, l, _ in OUTPUTS])
def test_saturated_output_is_finite_and_matches_frameworks(output, loss, n_out, dtype, framework):
    case = _saturating_output_case(output, loss, n_out, Z_EDGE[dtype])
    _no_nan_or_inf(case.spec, case.params, case.X, case.y, dtype)
    _skip_known(framework, case.spec, dtype)
    result = run_case(case, dtype, [framework])
    failing = [(c.framework, c.quantity, c.max_rel_err) for c in result.checks if not c.passed]
    assert result.passed, failing


@pytest.mark.parametrize("framework", list(registry.OTHERS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_saturated_hidden_layer_is_finite_and_matches_frameworks(hidden, dtype, framework):
    """Hidden z1 = +-Z (sigmoid, tanh saturate; their derivatives are exactly 0); the output sees ~+-1."""
    Z = Z_EDGE[dtype]
    spec = parse_spec(f"2-3-2:{hidden},softmax:cce")
    params = {
        "W1": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]),
        "b1": np.zeros(3),
        "W2": np.array([[0.5, -0.25, 0.75], [-0.5, 0.25, 0.125]]) / Z,
        "b2": np.array([0.1, -0.1]),
    }
    X = np.array([[Z, -Z], [-Z, Z], [Z / 2, Z / 4], [-Z / 4, Z / 2]])
    y = np.array([0, 1, 1, 0])
    _no_nan_or_inf(spec, params, X, y, dtype)
    _skip_known(framework, spec, dtype)
    result = run_case(Case("hidden", spec, params, X, y), dtype, [framework])
    assert result.passed, [(c.framework, c.quantity, c.max_rel_err) for c in result.checks if not c.passed]


def test_bce_at_logits_pm_1e3_is_exact():
    """z = 1000, -1000, 1000, -1000 with y = 1, 0, 0, 1: per-sample losses 0, 0, 1000, 1000 (|z| where the
    sign is wrong), mean 500; dL/dz = (sigma(z) - y) / m = (0, 0, 1, -1) / 4, so dW = sum_i dL/dz_i x_i = 500.
    A log(sigma(z)) on probabilities would give log(0) = -inf here.
    """
    spec = parse_spec("1-1:sigmoid:bce")
    X = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    trace = _no_nan_or_inf(spec, {"W1": np.array([[1.0]]), "b1": np.zeros(1)}, X, np.array([1, 0, 0, 1]), "float64")
    # samples: z = 1000 y = 1 -> 0; z = -1000 y = 0 -> 0; z = 1000 y = 0 -> 1000; z = -1000 y = 1 -> 1000
    assert trace.loss == pytest.approx(500.0, rel=1e-15)
    assert trace.grads["W1"][0, 0] == pytest.approx((0 + 0 + 1000 + 1000) / 4, rel=1e-15)
    assert trace.grads["b1"][0] == pytest.approx((0 + 0 + 1 - 1) / 4, abs=1e-15)


LOGIT_1E12 = math.log(1e12)  # sigma(LOGIT_1E12) = 1 / (1 + 1e-12): within 1e-12 of 1


@pytest.mark.parametrize("framework", list(registry.OTHERS))
@pytest.mark.parametrize(
    ("z", "label", "expected"),
    [
        pytest.param(-LOGIT_1E12, 1, LOGIT_1E12 + math.log1p(1e-12), id="p=1e-12,y=1"),
        pytest.param(LOGIT_1E12, 1, math.log1p(1e-12), id="p=1-1e-12,y=1"),
        pytest.param(LOGIT_1E12, 0, LOGIT_1E12 + math.log1p(1e-12), id="p=1-1e-12,y=0"),
        pytest.param(-LOGIT_1E12, 0, math.log1p(1e-12), id="p=1e-12,y=0"),
    ],
)
def test_bce_with_probability_within_1e12_of_0_or_1(z, label, expected, framework):
    """-log sigma(z) = log(1 + e^-z): with e^-z = 1e12 or 1e-12 these are the numbers above.

    The right answer near p = 1 is ~1e-12; -log(p) with p rounded to float64 1 - 1e-12
    would be off by ~1e-4 relative (1 - 1e-12 is not representable). scratch works from z.
    """
    spec = parse_spec("1-1:sigmoid:bce")
    case = Case("p", spec, {"W1": np.array([[1.0]]), "b1": np.zeros(1)}, np.array([[z]]), np.array([label]))
    trace = _no_nan_or_inf(case.spec, case.params, case.X, case.y, "float64")
    assert trace.loss == pytest.approx(expected, rel=1e-13, abs=0)  # abs=0: approx's default 1e-12 would hide a 1e-12 loss
    assert run_case(case, "float64", [framework]).passed


@pytest.mark.parametrize("framework", list(registry.OTHERS))
def test_cce_with_probability_within_1e12_of_0(framework):
    """Logits (0, ln 1e12): p0 = 1 / (1 + 1e12) ~ 1e-12; -log p0 = ln(1 + 1e12) = ln 1e12 + log1p(1e-12)."""
    spec = parse_spec("2-2:softmax:cce")
    case = Case("p", spec, {"W1": np.eye(2), "b1": np.zeros(2)}, np.array([[0.0, LOGIT_1E12]]), np.array([0]))
    trace = _no_nan_or_inf(case.spec, case.params, case.X, case.y, "float64")
    assert trace.output[0, 0] == pytest.approx(1 / (1 + 1e12), rel=1e-12, abs=0)
    assert trace.loss == pytest.approx(LOGIT_1E12 + math.log1p(1e-12), rel=1e-13)
    assert run_case(case, "float64", [framework]).passed


# --- ReLU and leaky ReLU exactly at z = 0 -------------------------------------------------


def _exact_zero_case(hidden: str) -> Case:
    """z1[0, 0] = 0.5 * 1 + 0.5 * (-1) + 0 = 0 exactly and z1[1, 1] = 1 * 0.5 + (-0.25) * 2 + 0 = 0 exactly."""
    spec = parse_spec(f"2-3-2:{hidden},softmax:cce")
    params = {
        "W1": np.array([[1.0, -1.0], [0.5, 2.0], [-0.3, 0.8]]),
        "b1": np.array([0.0, 0.0, -0.05]),
        "W2": np.array([[0.7, -0.4, 0.2], [-0.6, 0.3, 0.5]]),
        "b2": np.array([0.05, -0.05]),
    }
    return Case(f"{hidden} at 0", spec, params, np.array([[0.5, 0.5], [1.0, -0.25], [-0.75, 0.5]]), np.array([1, 0, 1]))


@pytest.mark.parametrize(("hidden", "slope_at_zero"), [("relu", 0.0), ("leaky_relu", LEAKY_SLOPE)])
def test_relu_family_derivative_at_exact_zero(hidden, slope_at_zero):
    """ReLU'(0) = 0 and leaky'(0) = 0.01 (the frameworks' convention); the value at 0 is 0 for both."""
    case = _exact_zero_case(hidden)
    trace = _no_nan_or_inf(case.spec, case.params, case.X, case.y, "float64")
    assert trace.z[1][0, 0] == 0.0 and trace.z[1][1, 1] == 0.0  # the construction hits 0 exactly
    assert trace.a[1][0, 0] == 0.0 and trace.a[1][1, 1] == 0.0
    upstream = trace.delta[2] @ case.params["W2"]  # dl/da1 per sample
    assert upstream[0, 0] != 0.0 and upstream[1, 1] != 0.0  # so a wrong derivative would show
    assert trace.delta[1][0, 0] == slope_at_zero * upstream[0, 0]
    assert trace.delta[1][1, 1] == slope_at_zero * upstream[1, 1]


@pytest.mark.parametrize("framework", list(registry.OTHERS))
@pytest.mark.parametrize("hidden", ["relu", "leaky_relu"])
def test_relu_family_at_exact_zero_matches_frameworks(hidden, framework):
    if hidden == "leaky_relu" and has_known_difference(framework, "leaky_derivative_at_zero"):
        pytest.skip(f"{framework}: leaky_relu'(0) = 1 is its known difference (test_jax_leaky_derivative_at_exact_zero_is_1)")
    case = _exact_zero_case(hidden)
    # a known difference (Keras's float32 leaky slope, below) makes float32 the fair comparison there
    dtype = honest_dtype(framework, case.spec)
    result = run_case(case, dtype, [framework])
    assert result.passed, [(c.quantity, c.max_rel_err) for c in result.checks if not c.passed]


@pytest.mark.parametrize("framework", [fw for fw in registry.OTHERS if has_known_difference(fw, "leaky_derivative_at_zero")])
def test_jax_leaky_derivative_at_exact_zero_is_1(framework):
    """jax.nn.leaky_relu is jnp.where(x >= 0, x, slope * x): at z = 0 exactly the identity branch, derivative 1.

    The report names the cause beside the ✗; away from exact zeros the net agrees.
    """
    from compare.parity.report import divergence

    case = _exact_zero_case("leaky_relu")
    result = run_case(case, "float64", [framework])
    first = first_divergence(result.checks_for(framework))
    assert first is not None and first.quantity == "delta1"
    trace, reference = result.traces[framework], result.traces[registry.REFERENCE]
    upstream = reference.delta[2] @ case.params["W2"]  # dl/da1 per sample
    assert trace.delta[1][0, 0] == pytest.approx(1.0 * upstream[0, 0], rel=1e-15)  # scratch: 0.01 * upstream
    assert reference.delta[1][0, 0] == pytest.approx(LEAKY_SLOPE * upstream[0, 0], rel=1e-15)
    assert "JAX" in divergence(result, framework)["cause"]
    nudged = Case("leaky away from 0", case.spec, case.params, case.X + np.array([1e-3, 0.0]), case.y)
    assert run_case(nudged, "float64", [framework]).passed


# --- Keras: leaky slope in float32 ----------------------------------------------------------


def test_keras_leaky_slope_is_float32():
    """TF's LeakyRelu op keeps alpha as a 32-bit float attribute: a float64 Keras model applies
    float32(0.01) = 0.009999999776482582, 2.2e-8 relative below the lectures' 0.01."""
    import keras

    import keras_impl  # noqa: F401  (TF environment first)
    from keras_impl.activations import make_activation

    layer = make_activation("leaky_relu", "float64")
    z = np.array([[-1.0, -3.0, 2.0]])
    a = keras.ops.convert_to_numpy(layer(keras.ops.convert_to_tensor(z, dtype="float64")))
    assert a.dtype == np.float64
    assert a[0, 0] == -float(np.float32(0.01))
    assert a[0, 0] != -0.01
    assert a[0, 2] == 2.0


def test_the_harness_exposes_the_float32_slope_in_a_float64_keras_net():
    """The suite reports this framework fact instead of hiding it: keras parts from scratch at a1,
    the first leaky layer's activation, by the slope's relative error (0.01 - float32(0.01)) / 0.01."""
    case = _exact_zero_case("leaky_relu")
    case.X = np.array([[-0.5, 0.5], [1.0, -0.25], [-0.75, -0.5]])  # plenty of z1 < 0
    result = run_case(case, "float64", ["keras"])
    first = first_divergence(result.checks_for("keras"))
    assert first is not None and first.quantity == "a1"
    slope_error = (0.01 - float(np.float32(0.01))) / 0.01  # 2.2e-8, by hand
    assert first.max_rel_err == pytest.approx(slope_error, rel=1e-6)
    assert run_case(case, "float32", ["keras"]).passed  # in float32 the slope is exact for both
    from compare.parity.report import divergence

    assert "float32" in divergence(result, "keras")["cause"]  # the table says why, beside the ✗
    from compare.parity.known_differences import known_cause

    # the note is kept for that fact only: not for torch, not in float32, not at a sigmoid layer, not at z1
    assert known_cause(case.spec, "float64", "torch", "a1") is None
    assert known_cause(case.spec, "float32", "keras", "a1") is None
    assert known_cause(case.spec, "float64", "keras", "z1") is None
    assert known_cause(parse_spec("2-3-2:sigmoid,softmax:cce"), "float64", "keras", "a1") is None


# --- Framework losses on probabilities: where they clip -------------------------------------

KERAS_EPSILON = 1e-7  # keras.config.epsilon(): Keras clips probabilities to [1e-7, 1 - 1e-7]
TORCH_LOG_FLOOR = -100.0  # torch BCELoss clamps log(p) and log(1 - p) at -100


def test_keras_bce_on_probabilities_clips_at_1e7():
    """A plain probability tensor: Keras clips p = 1e-12 up to 1e-7, so the loss is -log(1e-7) = 16.118,
    not -log(1e-12) = 27.631 (what scratch computes from the logit)."""
    import keras

    import keras_impl  # noqa: F401

    assert keras.config.epsilon() == KERAS_EPSILON
    bce = keras.losses.BinaryCrossentropy(dtype="float64")  # from_logits=False: the input is a probability
    p = keras.ops.convert_to_tensor(np.array([[1e-12]]), dtype="float64")
    loss = float(bce(np.array([[1.0]]), p))
    assert loss == pytest.approx(-math.log(KERAS_EPSILON), rel=1e-12)  # 16.11809565095832
    assert loss == pytest.approx(16.118, abs=1e-3)
    assert loss < 12 * math.log(10) - 11  # far below the true 27.63

    cce = keras.losses.CategoricalCrossentropy(dtype="float64")
    probabilities = keras.ops.convert_to_tensor(np.array([[1e-12, 1 - 1e-12]]), dtype="float64")
    assert float(cce(np.array([[1.0, 0.0]]), probabilities)) == pytest.approx(-math.log(KERAS_EPSILON), rel=1e-9)


@pytest.mark.parametrize("z", [-LOGIT_1E12, -100.0])
def test_keras_bce_recovers_logits_from_a_sigmoid_output(z):
    """On the TensorFlow backend the sigmoid layer's output carries ``_keras_logits``; BinaryCrossentropy
    (from_logits=False) uses it and returns the exact -log sigma(z) = log(1 + e^-z), no clipping."""
    import keras

    import keras_impl  # noqa: F401

    sigmoid = keras.layers.Activation("sigmoid", dtype="float64")
    p = sigmoid(keras.ops.convert_to_tensor(np.array([[z]]), dtype="float64"))
    assert hasattr(p, "_keras_logits")
    loss = float(keras.losses.BinaryCrossentropy(dtype="float64")(np.array([[1.0]]), p))
    exact = -z + math.log1p(math.exp(z))  # log(1 + e^-z) for z < 0
    assert loss == pytest.approx(exact, rel=1e-12)
    assert loss > -math.log(KERAS_EPSILON) + 10  # not the clipped 16.118


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        pytest.param(1e-12, 12 * math.log(10), id="p=1e-12-exact"),  # -log(1e-12) = 27.631, above the floor
        pytest.param(1e-50, -TORCH_LOG_FLOOR, id="p=1e-50-clamped"),  # exact 50 ln 10 = 115.13 > 100
        pytest.param(0.0, -TORCH_LOG_FLOOR, id="p=0-clamped"),  # exact: inf
    ],
)
def test_torch_bce_loss_clamps_log_at_minus_100(p, expected):
    import torch

    loss = torch.nn.BCELoss()(torch.tensor([p], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)).item()
    assert loss == pytest.approx(expected, rel=1e-12)
    if p == 1e-50:
        assert 50 * math.log(10) == pytest.approx(115.129, abs=1e-3)  # what an unclamped log gives


@pytest.mark.parametrize("framework", list(registry.OTHERS))
def test_frameworks_use_logits_beyond_the_clamp(framework):
    """At logit -1000 and y = 1 the exact loss is 1000: scratch and each framework's loss on logits
    (torch_impl's BCEWithLogitsLoss, Keras's from_logits=True) agree on it."""
    spec = parse_spec("1-1:sigmoid:bce")
    case = Case("logit", spec, {"W1": np.array([[1.0]]), "b1": np.zeros(1)}, np.array([[-1000.0]]), np.array([1]))
    result = run_case(case, "float64", [framework])
    assert result.passed
    assert result.traces[registry.REFERENCE].loss == pytest.approx(1000.0, rel=1e-15)
    assert result.traces[framework].loss == pytest.approx(1000.0, rel=1e-15)


def test_torch_bce_on_probabilities_reports_the_clamp():
    """BCELoss on sigma(-1000) = 0 reports its clamp, 100, where the exact loss is 1000 (above)."""
    import torch

    p = torch.sigmoid(torch.tensor([-1000.0], dtype=torch.float64))
    assert torch.nn.BCELoss()(p, torch.tensor([1.0], dtype=torch.float64)).item() == -TORCH_LOG_FLOOR
