"""Batch strategies (CS60050 backprop): full batch, mini-batch, stochastic; one order for every implementation."""

import numpy as np
import pytest

from compare import registry
from compare.data.cases import get_case
from compare.training.batches import make_batches, steps_per_epoch
from compare.training.run import run_training
from core.errors import InputError


def test_full_batch_is_every_row_in_stored_order_each_step():
    batches = make_batches(7, None, steps=3)
    assert len(batches) == 3 and all(np.array_equal(b, np.arange(7)) for b in batches)
    assert steps_per_epoch(7, 7) == steps_per_epoch(7, 100) == 1


def test_each_mini_batch_epoch_is_one_permutation_cut_into_ceil_m_over_b_batches():
    m, B = 10, 4
    batches = make_batches(m, B, epochs=3, seed=5)
    assert [len(b) for b in batches] == [4, 4, 2] * 3  # the last batch of an epoch is smaller, kept
    for epoch in range(3):
        rows = np.concatenate(batches[3 * epoch : 3 * epoch + 3])
        assert sorted(rows) == list(range(m))  # every row exactly once per epoch
    epoch_orders = [tuple(np.concatenate(batches[3 * e : 3 * e + 3])) for e in range(3)]
    assert len(set(epoch_orders)) == 3  # a fresh order each epoch


def test_order_comes_from_randomstate_of_the_seed():
    m, B = 10, 4
    expected = np.random.RandomState(5).permutation(m)  # the legacy stream NumPy keeps stable
    assert np.array_equal(np.concatenate(make_batches(m, B, epochs=1, seed=5)), expected)
    assert not np.array_equal(np.concatenate(make_batches(m, B, epochs=1, seed=6)), expected)


def test_stochastic_is_batch_size_one_and_steps_cut_across_epochs():
    batches = make_batches(5, 1, steps=7, seed=0)
    assert [len(b) for b in batches] == [1] * 7
    assert sorted(int(b[0]) for b in batches[:5]) == list(range(5))


@pytest.mark.parametrize(
    "kwargs",
    [dict(steps=None, epochs=None), dict(steps=3, epochs=1), dict(steps=0), dict(steps=2, batch_size=0)],
    ids=["neither", "both", "zero-steps", "batch-0"],
)
def test_bad_counts_raise_input_error(kwargs):
    batch_size = kwargs.pop("batch_size", None)
    with pytest.raises(InputError):
        make_batches(10, batch_size, **kwargs)


@pytest.mark.parametrize(
    "batch_size",
    # batch size 1 takes one step per row: in the full suite only
    [pytest.param(1, id="stochastic", marks=pytest.mark.full), pytest.param(32, id="mini-batch-32")],
)
@pytest.mark.parametrize("framework", list(registry.OTHERS))
def test_every_framework_follows_scratch_on_the_same_mini_batches(batch_size, framework):
    run = run_training(
        get_case("spiral-2-4-3"),
        optimizer="momentum",
        dtype="float64",
        frameworks=[framework],
        batch_size=batch_size,
        steps=15,
        seed=3,
    )
    assert run.passed, [c for c in run.checks if not c.passed]
    # the batches really were different rows: the recorded batch losses are not the full-data loss
    assert len(set(np.round(run.results["scratch"].loss_history, 12))) > 1


def test_one_full_batch_step_is_the_mean_of_per_sample_gradients():
    """CS60050 backprop, Algorithm 1 vs 2: the batch gradient is (1/N) sum of the per-sample gradients."""
    from scratch.model import evaluate

    case = get_case("iris-2-4-3")
    full = evaluate(case.spec, case.params, case.X, case.y).grads
    per_sample = [evaluate(case.spec, case.params, case.X[i : i + 1], case.y[i : i + 1]).grads for i in range(len(case.X))]
    for name, value in full.items():
        np.testing.assert_allclose(np.mean([g[name] for g in per_sample], axis=0), value, rtol=1e-12, atol=1e-15)
