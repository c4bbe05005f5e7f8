"""The optimizers: scratch's rules against hand computations, then torch.optim and keras.optimizers against scratch.

Golden numbers are worked out by hand below (two steps of each rule on one
scalar parameter theta_0 = 1 with given gradients g_1 = 0.5, g_2 = -0.25,
eta = 0.1), never produced by the code under test.
"""

import math

import numpy as np
import pytest

from compare import registry
from compare.data.cases import get_case
from compare.parity.harness import compare_arrays
from compare.training.batches import make_batches
from core.errors import InputError
from core.optimizers import OPTIMIZERS, Hyperparameters, matched
from scratch.optimizers import make_optimizer

G = (0.5, -0.25)
ETA = 0.1
TEXTBOOK = Hyperparameters(
    learning_rate=ETA, momentum=0.9, rho=0.9, beta_1=0.9, beta_2=0.999, epsilon=0.0, initial_accumulator=0.1
)


def two_steps(name: str, hyper: Hyperparameters = TEXTBOOK) -> tuple[float, float]:
    params = {"W1": np.array([1.0])}
    optimizer = make_optimizer(name, hyper, params)
    out = []
    for g in G:
        params = optimizer.step(params, {"W1": np.array([g])})
        out.append(float(params["W1"][0]))
    return out[0], out[1]


HAND = {
    # theta_1 = 1 - 0.1 * 0.5 = 0.95; theta_2 = 0.95 + 0.1 * 0.25 = 0.975
    "sgd": (0.95, 0.975),
    # v_1 = -0.05, theta_1 = 0.95; v_2 = 0.9 * -0.05 + 0.025 = -0.02, theta_2 = 0.93
    "momentum": (0.95, 0.93),
    # v_1 = -0.05, theta_1 = 1 + 0.9 * -0.05 - 0.05 = 0.905; v_2 = -0.02, theta_2 = 0.905 - 0.018 + 0.025 = 0.912
    "nesterov": (0.905, 0.912),
    # r_1 = 0.1 + 0.25 = 0.35; r_2 = 0.35 + 0.0625 = 0.4125
    "adagrad": (1 - 0.05 / math.sqrt(0.35), 1 - 0.05 / math.sqrt(0.35) + 0.025 / math.sqrt(0.4125)),
    # r_1 = 0.1 * 0.25 = 0.025; r_2 = 0.9 * 0.025 + 0.1 * 0.0625 = 0.02875
    "rmsprop": (1 - 0.05 / math.sqrt(0.025), 1 - 0.05 / math.sqrt(0.025) + 0.025 / math.sqrt(0.02875)),
    # step 1: m_hat = g, v_hat = g^2, so theta_1 = 1 - eta sign(g) = 0.9 (Kingma & Ba, section 2.1).
    # step 2: m_2 = 0.045 - 0.025 = 0.02, v_2 = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225,
    #         m_hat = 0.02 / 0.19, v_hat = 0.00031225 / (1 - 0.999^2)
    "adam": (0.9, 0.9 - 0.1 * (0.02 / 0.19) / math.sqrt(0.00031225 / (1 - 0.999**2))),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_scratch_rule_matches_two_hand_computed_steps(name):
    assert two_steps(name) == pytest.approx(HAND[name], rel=1e-14, abs=1e-15)


def test_nesterov_is_sutskever_lookahead_after_change_of_variables():
    """Sutskever et al. (2013): v <- mu v - eta f'(theta + mu v), theta <- theta + v, on f = a theta^2 / 2.
    The stored parameters of scratch's rule are Theta = theta + mu v."""
    a, mu, eta = 3.0, 0.9, 0.05
    theta, v = 1.0, 0.0
    params = {"W1": np.array([1.0])}  # Theta_0 = theta_0 + mu v_0 = 1
    optimizer = make_optimizer("nesterov", Hyperparameters(learning_rate=eta, momentum=mu), params)
    for _ in range(25):
        v = mu * v - eta * a * (theta + mu * v)
        theta = theta + v
        params = optimizer.step(params, {"W1": a * params["W1"]})
        assert params["W1"][0] == pytest.approx(theta + mu * v, rel=1e-12)


def test_frozen_parameters_are_left_alone():
    params = {"W1": np.array([1.0]), "b1": np.array([2.0])}
    optimizer = make_optimizer("adam", TEXTBOOK, {"W1": params["W1"]})
    out = optimizer.step(params, {"W1": np.array([0.5])})
    assert out["b1"] is params["b1"] and out["W1"][0] == pytest.approx(0.9)


@pytest.mark.parametrize(
    "bad",
    [
        dict(learning_rate=0.0),
        dict(learning_rate=0.1, momentum=1.0),
        dict(learning_rate=0.1, epsilon=-1.0),
        dict(learning_rate=0.1, beta_2=1.5),
    ],
    ids=["eta-0", "mu-1", "eps-negative", "beta2-1.5"],
)
def test_bad_hyperparameters_raise_input_error(bad):
    with pytest.raises(InputError):
        Hyperparameters(**bad)


def test_unknown_optimizer_raises_input_error():
    with pytest.raises(InputError, match="optimizer"):
        make_optimizer("adadelta", TEXTBOOK, {})


def test_scratch_takes_only_hyperparameters_not_a_framework_defaults_request():
    """A mapping asks torch or Keras for their own defaults; scratch has none and says what it expects."""
    with pytest.raises(InputError, match="hyper: expected core.optimizers.Hyperparameters, got dict"):
        make_optimizer("sgd", {"learning_rate": ETA}, {"W1": np.array([1.0])})


# --- each framework's own defaults (--framework-defaults), numbers from torch 2.13 / Keras 3.15 documentation ---

TORCH_DEFAULTS = {  # https://pytorch.org/docs/2.13/optim.html, each class's signature
    "sgd": {"lr": 1e-3, "momentum": 0, "nesterov": False},
    "momentum": {"lr": 1e-3, "momentum": 0.9, "nesterov": False},  # mu: ours, torch's default 0 is no momentum
    "adagrad": {"lr": 1e-2, "eps": 1e-10, "initial_accumulator_value": 0, "lr_decay": 0},
    "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8},
    "adam": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8},
}
KERAS_DEFAULTS = {  # https://keras.io/api/optimizers/, each class's signature
    "sgd": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "nesterov": {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True},
    "adagrad": {"learning_rate": 1e-3, "epsilon": 1e-7, "initial_accumulator_value": 0.1},
    "rmsprop": {"learning_rate": 1e-3, "rho": 0.9, "epsilon": 1e-7},
    "adam": {"learning_rate": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}


@pytest.mark.parametrize("name", list(TORCH_DEFAULTS))
def test_torch_own_defaults_are_torchs_documented_defaults(name):
    import torch

    from torch_impl.optimizers import make_optimizer as torch_optimizer
    from torch_impl.optimizers import settings

    held = settings(torch_optimizer(name, {}, [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))]))
    assert {key: held[key] for key in TORCH_DEFAULTS[name]} == TORCH_DEFAULTS[name]  # torch keeps Python numbers


@pytest.mark.parametrize("name", list(KERAS_DEFAULTS))
def test_keras_own_defaults_are_keras_documented_defaults(name):
    import keras

    import keras_impl  # noqa: F401
    from keras_impl.optimizers import make_optimizer as keras_optimizer
    from keras_impl.optimizers import settings

    held = settings(keras_optimizer(name, {}, [keras.Variable(np.zeros(1), dtype="float64")]))
    # Keras holds floats as float32 (learning_rate a float32 variable), hence rel 1e-7
    assert {key: held[key] for key in KERAS_DEFAULTS[name]} == pytest.approx(KERAS_DEFAULTS[name], rel=1e-7)


def test_torch_own_defaults_take_only_the_given_learning_rate():
    import torch

    from torch_impl.optimizers import make_optimizer, settings

    params = [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))]
    held = settings(make_optimizer("rmsprop", {"learning_rate": 0.25}, params))
    assert held["lr"] == 0.25 and held["alpha"] == 0.99  # the rest stays torch's own
    with pytest.raises(InputError, match="overrides"):
        make_optimizer("rmsprop", {"epsilon": 0.0}, params)


def test_keras_own_defaults_take_only_the_given_learning_rate():
    import keras

    from keras_impl.optimizers import make_optimizer, settings

    params = [keras.Variable(np.zeros(1), dtype="float64")]
    held = settings(make_optimizer("rmsprop", {"learning_rate": 0.25}, params))
    assert held["learning_rate"] == 0.25 and held["rho"] == pytest.approx(0.9, rel=1e-7)  # the rest stays Keras's own
    with pytest.raises(InputError, match="overrides"):
        make_optimizer("rmsprop", {"epsilon": 0.0}, params)


# --- each framework against scratch, float64, short full-batch trajectories on the spiral ---

STEPS = 20


@pytest.fixture(scope="module")
def spiral():
    return get_case("spiral-2-4-3")


@pytest.fixture(scope="module")
def scratch_runs(spiral):
    from scratch.train import train

    batches = make_batches(len(spiral.X), None, steps=STEPS)
    return {
        name: train(spiral.spec, spiral.params, spiral.X, spiral.y, optimizer=name, hyper=matched(name, 0.05), batches=batches)
        for name in OPTIMIZERS
    }


@pytest.mark.parametrize("framework", list(registry.OTHERS))
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_framework_trajectory_equals_scratch_in_float64(name, framework, spiral, scratch_runs):
    train = registry.get(framework).train
    batches = make_batches(len(spiral.X), None, steps=STEPS)
    result = train(spiral.spec, spiral.params, spiral.X, spiral.y, optimizer=name, hyper=matched(name, 0.05), batches=batches)
    reference = scratch_runs[name]
    checks = [
        compare_arrays(framework, "loss_history", np.array(result.loss_history), np.array(reference.loss_history), "float64")
    ]
    checks += [
        compare_arrays(framework, key, result.final_params[key], value, "float64")
        for key, value in reference.final_params.items()
    ]
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
    assert reference.loss_history[-1] < reference.loss_history[0]  # it did train


# --- the framework facts the matched hyperparameters work around (docs/training.md) ---


def _keras_two_steps(native_kwargs: dict, optimizer_class: str) -> float:
    import keras

    import keras_impl  # noqa: F401
    from keras_impl.optimizers import exact

    variable = keras.Variable(np.array([1.0]), dtype="float64")
    native = getattr(keras.optimizers, optimizer_class)(learning_rate=exact(ETA), **native_kwargs)
    for g in G:
        native.apply_gradients([(keras.ops.convert_to_tensor(np.array([g])), variable)])
    return float(variable.numpy()[0])


def test_keras_rounds_a_python_float_momentum_to_float32():
    """Keras's SGD casts mu = 0.9 via tf.cast(python float): 0.8999999761581421 (a float32), also in a float64 model."""
    textbook = _keras_two_steps({"momentum": 0.9}, "SGD")
    assert abs(textbook - HAND["momentum"][1]) > 1e-10  # 0.93 by hand with mu = 0.9 exactly
    mu32 = float(np.float32(0.9))
    # theta_2 = 1 - 0.05 + mu32 * -0.05 + 0.025, by hand with the float32 mu
    assert textbook == pytest.approx(1 - 0.05 + mu32 * -0.05 + 0.025, rel=1e-15)


def test_keras_adam_epsilon_is_scratch_epsilon_times_sqrt_of_bias_correction():
    """One Adam step: Keras's eps_hat = eps sqrt(1 - beta_2^t) (Kingma & Ba, section 2) reproduces scratch's eps."""
    import keras

    import keras_impl  # noqa: F401
    from keras_impl.optimizers import exact

    eps, beta_1, beta_2 = 1e-3, 0.5, 0.75  # float32-exact betas; a large eps makes the difference visible
    hyper = Hyperparameters(learning_rate=ETA, beta_1=beta_1, beta_2=beta_2, epsilon=eps)
    params = {"W1": np.array([1.0])}
    expected = make_optimizer("adam", hyper, params).step(params, {"W1": np.array([0.5])})["W1"][0]
    results = {}
    for label, keras_eps in (("same eps", eps), ("eps_hat", eps * math.sqrt(1 - beta_2))):
        variable = keras.Variable(np.array([1.0]), dtype="float64")
        native = keras.optimizers.Adam(learning_rate=exact(ETA), beta_1=beta_1, beta_2=beta_2, epsilon=keras_eps)
        native.apply_gradients([(keras.ops.convert_to_tensor(np.array([0.5])), variable)])
        results[label] = float(variable.numpy()[0])
    assert results["eps_hat"] == pytest.approx(expected, rel=1e-14)
    assert abs(results["same eps"] - expected) > 1e-6


def test_torch_adam_puts_epsilon_where_scratch_does():
    import torch

    from torch_impl.optimizers import make_optimizer as torch_optimizer

    hyper = Hyperparameters(learning_rate=ETA, beta_1=0.5, beta_2=0.75, epsilon=1e-3)
    params = {"W1": np.array([1.0])}
    expected = make_optimizer("adam", hyper, params).step(params, {"W1": np.array([0.5])})["W1"][0]
    weight = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    native = torch_optimizer("adam", hyper, [weight])
    weight.grad = torch.tensor([0.5], dtype=torch.float64)
    native.step()
    assert float(weight.detach()[0]) == pytest.approx(expected, rel=1e-15)
