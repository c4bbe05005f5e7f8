"""L2 regularisation (CS60050 backprop): lambda / (2 n) sum W^2, biases excluded, and each framework's mapping of lambda."""

import numpy as np
import pytest

from compare import registry
from compare.data.cases import get_case
from compare.training.run import run_training
from core.errors import InputError
from scratch.regularization import l2_gradients, l2_penalty

PARAMS = {
    "W1": np.array([[1.0, -2.0], [3.0, 0.5]]),
    "b1": np.array([10.0, -10.0]),
    "W2": np.array([[2.0, 1.0]]),
    "b2": np.array([7.0]),
}


def test_penalty_is_lambda_over_2n_times_sum_of_squared_weights_without_biases():
    # sum W^2 = 1 + 4 + 9 + 0.25 + 4 + 1 = 19.25; lambda = 0.4, n = 10: 0.4 / 20 * 19.25 = 0.385
    assert l2_penalty(PARAMS, 0.4, 10) == pytest.approx(0.385, rel=1e-15)


def test_penalty_gradient_is_lambda_over_n_times_w_and_zero_for_biases():
    grads = l2_gradients(PARAMS, 0.4, 10)
    np.testing.assert_allclose(grads["W1"], 0.04 * PARAMS["W1"], rtol=1e-15)
    assert not grads["b1"].any() and not grads["b2"].any()
    # central difference of the penalty in one weight
    h = 1e-6
    plus = {k: v.copy() for k, v in PARAMS.items()}
    minus = {k: v.copy() for k, v in PARAMS.items()}
    plus["W1"][1, 0] += h
    minus["W1"][1, 0] -= h
    assert (l2_penalty(plus, 0.4, 10) - l2_penalty(minus, 0.4, 10)) / (2 * h) == pytest.approx(grads["W1"][1, 0], rel=1e-8)


@pytest.mark.parametrize("bad", [(-0.1, 10), (0.1, 0)], ids=["negative-lambda", "zero-samples"])
def test_bad_l2_raises_input_error(bad):
    with pytest.raises(InputError):
        l2_penalty(PARAMS, *bad)


def test_lambda_maps_to_torch_weight_decay_lambda_over_n_on_weights_only():
    from torch_impl.model import build_model
    from torch_impl.regularization import l2_factor, param_groups

    case = get_case("worked-2-2-2")
    assert l2_factor(0.3, 4) == pytest.approx(0.075)
    groups = param_groups(build_model(case.spec, case.params), 0.3, 4, freeze_biases=False)
    assert [g["weight_decay"] for g in groups] == [pytest.approx(0.075), 0.0]
    assert all(p.dim() == 2 for p in groups[0]["params"]) and all(p.dim() == 1 for p in groups[1]["params"])


def test_lambda_maps_to_keras_l2_factor_lambda_over_2n_and_the_layer_loss_is_the_penalty():
    import keras

    from keras_impl.model import build_model
    from keras_impl.regularization import l2_factor, regularizer

    case = get_case("worked-2-2-2")
    assert l2_factor(0.3, 4) == pytest.approx(0.0375)
    model = build_model(case.spec, case.params, kernel_regularizer=regularizer(0.3, 4))
    total = sum(float(keras.ops.convert_to_numpy(loss)) for dense in model.denses for loss in dense.losses)
    # by hand: sum W^2 = 0.15^2 + 0.2^2 + 0.25^2 + 0.3^2 + 0.4^2 + 0.45^2 + 0.5^2 + 0.55^2 = 1.13.
    # Keras casts the Python-float factor through float32 (ops.cast on TensorFlow), even in a float64 model:
    assert total == pytest.approx(float(np.float32(0.0375)) * 1.13, rel=1e-14)
    assert total != pytest.approx(0.0375 * 1.13, rel=1e-9)
    assert all(dense.bias.regularizer is None for dense in model.denses)


def test_harness_rounds_lambda_so_that_the_keras_factor_is_exact():
    from compare.training.run import representable_l2

    l2 = representable_l2(0.3, 4, registry.NAMES)
    assert l2 / 8 == float(np.float32(l2 / 8))  # lambda / (2 n) survives the float32 cast
    assert l2 == pytest.approx(0.3, rel=6e-8)  # and moved lambda by at most float32's half-ulp


@pytest.mark.parametrize("framework", list(registry.OTHERS))
def test_trajectories_with_l2_agree_and_differ_from_no_l2(framework):
    case = get_case("spiral-2-4-3")
    kwargs = dict(optimizer="sgd", dtype="float64", frameworks=[framework], steps=10)
    with_l2 = run_training(case, l2=5.0, **kwargs)
    assert with_l2.passed, [c for c in with_l2.checks if not c.passed]
    without = run_training(case, frameworks=(), optimizer="sgd", dtype="float64", steps=10)
    w_l2, w_0 = with_l2.results[registry.REFERENCE].final_params, without.results[registry.REFERENCE].final_params
    assert np.abs(w_l2["W1"] - w_0["W1"]).max() > 1e-4  # the penalty shrank the weights...
    assert np.linalg.norm(w_l2["W1"]) < np.linalg.norm(w_0["W1"])
