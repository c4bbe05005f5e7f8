"""scratch's batch norm and dropout: numbers reasoned by hand, central finite differences, and the input checks.

The golden numbers come from the definitions (Ioffe & Szegedy 2015, Algorithm 1 and 2; inverted
dropout), worked out by hand on inputs chosen so that every step is exact; the backward pass is
judged by central finite differences in float64 (scratch.gradcheck), never by the code under test.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from compare.training.batches import make_batches
from core.errors import InputError
from core.normalization import BIASED, MATCHED, UNBIASED, BatchNormSettings
from core.optimizers import matched
from core.spec import parse_spec
from scratch.gradcheck import numerical_gradients
from scratch.init import init_params
from scratch.layers import (
    batch_norm_backward,
    batch_norm_inference,
    batch_norm_train,
    dropout_backward,
    dropout_forward,
    update_running,
)
from scratch.model import draw_masks, evaluate
from scratch.train import train

FD_RTOL, FD_ATOL = 1e-6, 1e-8  # tests/test_gradcheck.py's oracle: h = 1e-6 in float64


def test_batch_norm_training_forward_by_hand():
    """z = [1, 3] and [2, 2] (m = 2): mu = (2, 2), biased var = (1, 0), so zhat = (-1, 1)/sqrt(1 + eps) and 0."""
    z = np.array([[1.0, 2.0], [3.0, 2.0]])
    eps = 1e-5
    bn, cache = batch_norm_train(z, gamma=np.array([2.0, 3.0]), beta=np.array([0.5, -1.0]), eps=eps)
    assert cache.mu.tolist() == [2.0, 2.0] and cache.var.tolist() == [1.0, 0.0]  # biased: divide by m = 2, not m - 1
    r = 1 / np.sqrt(1 + eps)
    np.testing.assert_allclose(bn[:, 0], [0.5 - 2 * r, 0.5 + 2 * r], rtol=1e-15)
    assert bn[:, 1].tolist() == [-1.0, -1.0]  # a constant unit normalises to 0: only beta is left


def test_running_statistics_by_hand_in_both_conventions():
    """mu = 2, biased var = 1 on m = 2 rows (unbiased 2); running 0 and 1; new batch weight 0.1."""
    mean, var = update_running(np.array([0.0]), np.array([1.0]), np.array([2.0]), np.array([1.0]), 2, 0.1, UNBIASED)
    np.testing.assert_allclose([mean[0], var[0]], [0.2, 0.9 * 1 + 0.1 * 2], rtol=1e-15)  # torch's running_var
    _, biased = update_running(np.array([0.0]), np.array([1.0]), np.array([2.0]), np.array([1.0]), 2, 0.1, BIASED)
    np.testing.assert_allclose(biased[0], 0.9 * 1 + 0.1 * 1, rtol=1e-15)  # Keras's moving_variance
    with pytest.raises(InputError, match="running_variance"):
        update_running(mean, var, mean, var, 2, 0.1, "sample")


def test_batch_norm_inference_uses_the_running_statistics():
    z = np.array([[1.0], [5.0]])
    bn, _ = batch_norm_inference(z, np.array([2.0]), np.array([1.0]), np.array([3.0]), np.array([4.0]), eps=0.0 + 1e-300)
    np.testing.assert_allclose(bn[:, 0], [2 * (1 - 3) / 2 + 1, 2 * (5 - 3) / 2 + 1], rtol=1e-15)


def test_batch_norm_backward_sums_to_zero_and_needs_its_mean_terms():
    """dL/dz sums to 0 over the batch in training mode (a shift of z is normalised away); without the mean terms it does not."""
    rng = np.random.RandomState(0)
    z, dbn = rng.randn(7, 3), rng.randn(7, 3)
    _, cache = batch_norm_train(z, np.array([1.5, 0.7, 1.0]), np.zeros(3), 1e-5)
    dz, dgamma, dbeta = batch_norm_backward(dbn, cache)
    np.testing.assert_allclose(dz.sum(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(dbeta, dbn.sum(axis=0), rtol=1e-15)
    np.testing.assert_allclose(dgamma, (dbn * cache.zhat).sum(axis=0), rtol=1e-15)
    without, _, _ = batch_norm_backward(dbn, dataclasses.replace(cache, training=False))
    assert np.abs(without.sum(axis=0)).min() > 1e-3


def test_inverted_dropout_by_hand():
    """p = 0.5: kept units doubled, dropped ones 0, forward and back; p = 0.2: kept ones times 1.25 exactly."""
    h = np.array([[1.0, 2.0, 0.0], [3.0, -1.0, 4.0]])
    mask = np.array([[True, False, True], [False, True, True]])
    assert dropout_forward(h, mask, 0.5).tolist() == [[2.0, 0.0, 0.0], [0.0, -2.0, 8.0]]
    assert dropout_backward(np.ones_like(h), mask, 0.5).tolist() == [[2.0, 0.0, 2.0], [0.0, 2.0, 2.0]]
    assert dropout_forward(np.array([[4.0]]), np.array([[True]]), 0.2).item() == 5.0
    assert dropout_forward(h, mask, 0.0).tolist() == (h * mask).tolist()  # rate 0: every kept unit unscaled


def _net(text: str, m: int = 7, seed: int = 0):
    spec = parse_spec(text)
    rng = np.random.RandomState(seed)
    X = rng.randn(m, spec.sizes[0])
    y = {"cce": lambda: np.arange(m) % spec.sizes[-1], "bce": lambda: np.arange(m) % 2}.get(
        spec.loss, lambda: rng.uniform(0.05, 0.95, size=(m, spec.sizes[-1]))
    )()
    return spec, init_params(spec, seed), X, y


NETS = [
    "3-5-2:bn+tanh,linear:mse",
    "3-5-4-3:bn+sigmoid+dropout=0.3,bn+tanh+dropout=0.5,softmax:cce",
    "3-6-1:leaky_relu+dropout=0.25,sigmoid:bce",
    "2-4-4-2:bn+relu,tanh+dropout=0.2,sigmoid:sse",
]


@pytest.mark.parametrize("mode", ["train", "inference"])
@pytest.mark.parametrize("text", NETS)
def test_backward_matches_finite_differences(text, mode):
    """Every trained parameter (W, b, gamma, beta), with the dropout masks held fixed (scratch's own draw)."""
    spec, params, X, y = _net(text)
    analytic = evaluate(spec, params, X, y, mode=mode).grads
    numeric = numerical_gradients(spec, params, X, y, mode=mode)
    assert set(analytic) == set(numeric) == set(spec.param_shapes())
    for name in spec.param_shapes():
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=FD_RTOL, atol=FD_ATOL, err_msg=name)


def test_finite_differences_see_the_missing_mean_terms():
    """The oracle is not blind to the classic mistake: without its mean terms W1's gradient is off."""
    from planted_bugs import PLANTED

    spec, params, X, y = _net(NETS[0])
    numeric = numerical_gradients(spec, params, X, y)["W1"]
    wrong = PLANTED["bn_backward_without_mean_terms"](spec, params, X, y).grads["W1"]
    assert not np.allclose(wrong, numeric, rtol=FD_RTOL, atol=FD_ATOL)


def test_masks_are_an_input_and_inference_ignores_them():
    spec, params, X, y = _net(NETS[2])
    everything = {1: np.ones((7, 6), dtype=bool)}
    kept = evaluate(spec, params, X, y, masks=everything)
    assert np.array_equal(kept.masks[1], everything[1])
    np.testing.assert_allclose(kept.a[1], kept.h[1] / 0.75, rtol=1e-15)
    inference = evaluate(spec, params, X, y, mode="inference")
    assert inference.masks == {} and inference.h == {}
    np.testing.assert_array_equal(inference.a[1], kept.h[1])  # no dropout, no scaling
    with pytest.raises(InputError, match=r"masks\[1\]: expected shape \(7, 6\)"):
        evaluate(spec, params, X, y, masks={1: np.ones((7, 5), dtype=bool)})


def test_a_batch_of_one_row_is_refused_in_training_mode_only():
    spec, params, X, y = _net(NETS[0])
    with pytest.raises(InputError, match="at least 2 rows per batch"):
        evaluate(spec, params, X[:1], y[:1])
    assert evaluate(spec, params, X[:1], y[:1], mode="inference").loss > 0
    with pytest.raises(InputError, match=r"batches\[1\].*at least 2 rows"):
        train(spec, params, X, y, optimizer="sgd", hyper=matched("sgd", 0.1), batches=make_batches(7, 6, steps=2))


def test_parameters_of_a_batch_norm_layer_are_checked_with_the_reason():
    spec, params, X, y = _net(NETS[0])
    with pytest.raises(InputError, match="unexpected b1.*layer 1 has batch norm, whose beta1 is the shift"):
        evaluate(spec, {**params, "b1": np.zeros(5)}, X, y)
    with pytest.raises(InputError, match="missing running_var1"):
        evaluate(spec, {k: v for k, v in params.items() if k != "running_var1"}, X, y)
    with pytest.raises(InputError, match="running_var1: a variance must be >= 0"):
        evaluate(spec, {**params, "running_var1": -np.ones(5)}, X, y)
    with pytest.raises(InputError, match="batch norm new_weight"):
        BatchNormSettings(new_weight=0.0)


def test_training_updates_the_running_statistics_and_replays_given_masks():
    """Each step moves the running statistics by update_running of that step's batch; given masks are used as given."""
    spec, params, X, y = _net(NETS[1], m=8)
    batches = make_batches(8, 4, steps=3, seed=1)
    own = train(spec, params, X, y, optimizer="sgd", hyper=matched("sgd", 0.1), batches=batches)
    assert len(own.masks) == 3 and own.running_variance == UNBIASED and own.final_output is not None
    replayed = train(spec, params, X, y, optimizer="sgd", hyper=matched("sgd", 0.1), batches=batches, masks=own.masks)
    assert all(np.array_equal(a[l], b[l]) for a, b in zip(own.masks, replayed.masks, strict=True) for l in a)
    assert all(np.array_equal(own.final_params[k], v) for k, v in replayed.final_params.items())
    # the first step's running mean, by hand from scratch's pieces: one update from the initial value
    first = evaluate(spec, params, X[batches[0]], y[batches[0]], masks=own.masks[0])
    expected, _ = update_running(
        params["running_mean1"],
        params["running_var1"],
        first.intermediates["mu1"],
        first.intermediates["var1"],
        4,
        MATCHED.new_weight,
    )
    np.testing.assert_allclose(own.param_history[0]["running_mean1"], expected, rtol=1e-15)


def test_scratch_draws_its_own_masks_reproducibly():
    spec = parse_spec(NETS[1])
    first, again = draw_masks(spec, 50, seed=3), draw_masks(spec, 50, seed=3)
    assert all(np.array_equal(first[l], again[l]) for l in first) and set(first) == {1, 2}
    assert 0.6 < first[1].mean() < 0.8 and 0.4 < first[2].mean() < 0.6  # keep rates 0.7 and 0.5 (250 and 200 draws)
