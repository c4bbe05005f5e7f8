"""The loops students write: ``model.fit`` and a ``DataLoader`` loop, as implementations of their own in ``train``.

Each gets the harness's batches (core.training.epochs_of turns them back into one row order per
epoch) and must give the explicit loops' trajectory step by step (CS60050 backprop: batch,
mini-batch and stochastic gradient descent).
"""

import subprocess
import sys

import numpy as np
import pytest

from compare import registry
from compare.data.cases import load_cases, spiral_2_4_3
from compare.training.batches import make_batches
from compare.training.run import run_training
from core.errors import InputError
from core.training import epochs_of

CASE = spiral_2_4_3()
LOOPS = registry.LOOPS


def test_the_loops_are_registered_for_training_only():
    assert set(LOOPS) == {"torch-dataloader", "keras-fit"}
    assert not set(LOOPS) & set(registry.NAMES)  # parity, check and bench never run them


@pytest.mark.parametrize("m, batch_size, steps", [(10, 3, 9), (10, None, 4), (12, 4, 7), (7, 1, 10)])
def test_epochs_of_gives_back_the_harness_batches(m, batch_size, steps):
    batches = make_batches(m, batch_size, steps=steps, seed=3)
    epochs = epochs_of(batches, m)
    cut = [order[i : i + epochs.batch_size] for order in epochs.orders for i in range(0, order.size, epochs.batch_size)]
    assert len(cut) == len(batches) and all(np.array_equal(a, b) for a, b in zip(cut, batches, strict=True))
    full = [order for order in epochs.orders if order.size == m]
    assert all(sorted(order) == list(range(m)) for order in full)  # each whole epoch is a permutation


def test_epochs_of_refuses_batches_no_epoch_loop_could_take():
    with pytest.raises(InputError, match=r"batches\[1\]: a loop over epochs takes batches of one size \(3\)"):
        epochs_of([np.arange(3), np.arange(3, 5), np.arange(5, 10)], 10)


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("batch_size, epochs", [(None, 5), (30, 3), (7, 2)], ids=["full-batch", "mini-batch-30", "mini-batch-7"])
def test_each_loop_follows_the_explicit_trajectory(loop, batch_size, epochs):
    """Shuffled mini-batches (a fresh permutation each epoch, the last batch smaller for B = 7), L2, adam."""
    run = run_training(CASE, optimizer="adam", dtype="float64", frameworks=[loop], batch_size=batch_size, epochs=epochs, l2=0.01)
    assert run.passed, [(c.quantity, c.max_rel_err) for c in run.checks if not c.passed]
    assert run.results[loop].steps == run.results["scratch"].steps  # every step recorded at the same k


@pytest.mark.parametrize("loop", LOOPS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_each_loop_agrees_with_a_schedule_and_frozen_biases(loop, dtype):
    case = load_cases(["breast-cancer-2-4-1"], None, None, 0)[0]
    run = run_training(
        case,
        optimizer="momentum",
        dtype=dtype,
        frameworks=[loop],
        batch_size=50,
        epochs=3,
        schedule="cosine",
        freeze_biases=True,
    )
    assert run.passed, [(c.quantity, c.max_rel_err) for c in run.checks if not c.passed]
    assert np.array_equal(run.results[loop].final_params["b1"], np.asarray(case.params["b1"], dtype=dtype))


def test_fit_leaves_keras_floatx_as_it_was():
    """A float64 fit compiles under set_floatx("float64") (keras_impl.fit) and restores float32 afterwards."""
    import keras

    run_training(CASE, optimizer="sgd", dtype="float64", frameworks=["keras-fit"], steps=2)
    assert keras.config.floatx() == "float32"


def test_fit_refuses_a_net_with_dropout_in_one_line():
    case = load_cases(["spiral-2-32-3-bn-dropout"], None, None, 0)[0]
    with pytest.raises(InputError, match="keras-fit: expected a net without batch norm or dropout"):
        run_training(case, optimizer="sgd", dtype="float64", frameworks=["keras-fit"], steps=2)


def test_the_loops_run_only_when_named():
    done = subprocess.run(
        [sys.executable, "-m", "compare", "train", "--help"], capture_output=True, text=True, timeout=120, check=True
    )
    assert "torch-dataloader, keras-fit only when named" in " ".join(done.stdout.split())


@pytest.mark.slow
@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine"])
def test_fifty_epochs_of_each_schedule_agree_across_every_loop(schedule):
    """``train --optimizer sgd --schedule S --epochs 50 --batch-size 30`` on the spiral, every implementation and loop."""
    frameworks = ",".join((*registry.available(), *LOOPS))
    argv = ["--optimizer", "sgd", "--schedule", schedule, "--epochs", "50", "--batch-size", "30", "--frameworks", frameworks]
    done = subprocess.run(
        [sys.executable, "-m", "compare", "train", *argv, "--format", "text"], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.mark.full  # trains 5 epochs with model.fit: the full suite only
def test_fits_own_defaults_take_batches_of_32_shuffled_not_the_full_batch(capsys):
    """``--framework-defaults`` on keras-fit: ``fit(X, y, epochs=E)`` alone, 10 steps per epoch on the 300-point spiral."""
    from compare.cli import main

    argv = ["train", "--framework-defaults", "--frameworks", "keras-fit", "--epochs", "3", "--learning-rate", "0.5"]
    assert main([*argv, "--every", "1", "--format", "text"]) == 1  # not the lectures' full-batch trajectory
    out = " ".join(capsys.readouterr().out.split())
    assert "keras-fit: model.fit's own defaults chose the batches: batch_size 32, shuffle=True, 10 steps per epoch" in out
    assert "30 steps in all, where scratch took 3 full-batch steps" in out


def test_fits_own_defaults_on_fewer_than_32_rows_are_full_batch_gradient_descent():
    """With m = 6 < 32 fit takes one batch per epoch (shuffling only reorders a sum): scratch's trajectory again.

    This checks the batch losses read back from fit's running mean (keras_impl.fit.RunningMeanRecorder).
    """
    case = load_cases(["fish-2-4-3"], None, None, 0)[0]
    run = run_training(
        case, optimizer="sgd", dtype="float64", frameworks=["keras-fit"], epochs=20, learning_rate=0.5, framework_defaults=True
    )
    fit, scratch = run.results["keras-fit"], run.results["scratch"]
    assert fit.steps_per_epoch == 1 and fit.steps == scratch.steps
    np.testing.assert_allclose(fit.loss_history, scratch.loss_history, rtol=1e-12)


def test_without_float64_floatx_fit_casts_the_data_to_float32(monkeypatch):
    """keras_impl.fit's reason for set_floatx("float64"): without it a float64 fit parts from scratch at float32's rounding."""
    import contextlib

    import keras_impl.fit

    monkeypatch.setattr(keras_impl.fit, "floatx", lambda dtype: contextlib.nullcontext())
    run = run_training(CASE, optimizer="sgd", dtype="float64", frameworks=["keras-fit"], batch_size=30, epochs=1)
    worst = max(c.max_rel_err for c in run.checks if c.quantity in ("W1", "b1", "W2", "b2"))
    assert 1e-10 < worst < 1e-5, worst  # beyond float64's tolerance, within float32's
