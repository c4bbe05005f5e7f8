"""Early stopping (the Amrita FFNN intro's hyper-parameter slide): a fixed validation split, the stopping rule
against a sequence worked by hand and against Keras's own callback, and every implementation and loop
stopping at the same epoch with the same restored weights.
"""

import json

import numpy as np
import pytest

from compare import registry
from compare.cli import main
from compare.data.cases import load_cases
from compare.training.run import run_training
from core.early_stopping import EarlyStopping, validation_split
from core.errors import InputError
from scratch.early_stopping import Monitor

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

CANCER = load_cases(["breast-cancer-2-4-1"], None, None, 0)[0]

# patience 2, min_delta 0.01. Epoch 1 is the first best; 0.8 < 1.0 - 0.01 improves; 0.85 does not (wait 1);
# 0.795 is lower than the best but not by more than 0.01, so it does not count and the best stays 0.8
# (wait 2 = patience): training stops after epoch 4 with epoch 2 the best. A loop that counted any
# decrease would have gone on.
LOSSES = [1.0, 0.8, 0.85, 0.795, 0.9]
SETTINGS = EarlyStopping(patience=2, min_delta=0.01)
STOPPED, BEST = 4, 2


def test_validation_split_is_fixed_disjoint_and_seeded():
    train, held_out = validation_split(10, 0.3, seed=4)
    assert held_out.size == 3 and train.size == 7
    assert sorted(np.concatenate([train, held_out])) == list(range(10))
    assert np.array_equal(held_out, validation_split(10, 0.3, seed=4)[1])  # the same rows every run
    assert not np.array_equal(held_out, validation_split(10, 0.3, seed=5)[1])


@pytest.mark.parametrize(
    "m, fraction, message",
    [(10, 1.5, "expected a fraction in (0, 1), got 1.5"), (3, 0.1, "leaves 0 for validation and 3 for training")],
)
def test_a_split_that_leaves_nothing_is_refused(m, fraction, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validation_split(m, fraction)


def test_scratchs_rule_on_a_sequence_worked_by_hand():
    monitor = Monitor(SETTINGS)
    stopped_at = next(
        epoch for epoch, loss in enumerate(LOSSES, start=1) if monitor.update(epoch, loss, {"W1": np.full(1, float(epoch))})
    )
    assert stopped_at == monitor.stopped_epoch == STOPPED and monitor.best_epoch == BEST
    assert monitor.final({"W1": np.zeros(1)})["W1"][0] == BEST  # the best epoch's parameters come back


def test_torchs_loop_on_the_same_sequence():
    import torch

    from torch_impl.early_stopping import EarlyStopper

    model = torch.nn.Linear(1, 1)
    stopper = EarlyStopper(SETTINGS, model)
    stopped_at = next(epoch for epoch, loss in enumerate(LOSSES, start=1) if stopper.step(epoch, loss))
    assert (stopped_at, stopper.best_epoch) == (STOPPED, BEST)


def test_keras_own_callback_on_the_same_sequence():
    """The rule core.early_stopping states is what keras.callbacks.EarlyStopping does (in a TensorFlow process)."""
    from tests.helpers import run_in

    code = (
        "from core.early_stopping import EarlyStopping\n"
        "from keras_impl.early_stopping import Watched, epochs, make_callback\n"
        f"callback = make_callback(EarlyStopping(patience={SETTINGS.patience}, min_delta={SETTINGS.min_delta}))\n"
        "callback.set_model(Watched([]))\n"
        "callback.on_train_begin()\n"
        f"for epoch, loss in enumerate({LOSSES}):\n"
        "    callback.on_epoch_end(epoch, {'val_loss': loss})\n"
        "    if callback.model.stop_training:\n"
        "        break\n"
        "print(*epochs(callback))\n"
    )
    assert run_in("keras", code).split() == [str(STOPPED), str(BEST)]


@pytest.mark.parametrize("framework", [*registry.OTHERS, *registry.LOOPS])
def test_every_implementation_stops_at_the_same_epoch_with_the_same_restored_weights(framework):
    """Breast cancer, 20% held out, Adam eta 0.05 in batches of 50, patience 5: it stops well before 200 epochs."""
    run = run_training(
        CANCER,
        optimizer="adam",
        dtype="float64",
        frameworks=[framework],
        learning_rate=0.05,
        batch_size=50,
        epochs=200,
        validation_split=0.2,
        early_stopping=EarlyStopping(patience=5, min_delta=1e-4),
    )
    assert run.passed, [(c.quantity, c.max_rel_err) for c in run.checks if not c.passed]
    ours, theirs = run.results["scratch"], run.results[framework]
    assert ours.stopped_epoch is not None and ours.stopped_epoch < 200
    assert (theirs.stopped_epoch, theirs.best_epoch) == (ours.stopped_epoch, ours.best_epoch)
    assert len(theirs.validation_losses) == ours.stopped_epoch
    steps_per_epoch = -(-(len(CANCER.X) - run.validation_rows.size) // 50)  # ceil(455 training rows / 50) = 10
    best = ours.steps.index(ours.best_epoch * steps_per_epoch)  # every epoch's last step is recorded
    for name, value in theirs.final_params.items():
        np.testing.assert_allclose(value, ours.param_history[best][name], rtol=1e-10)  # the best epoch's, restored
    assert not np.allclose(ours.final_params["W1"], ours.param_history[-1]["W1"])  # not the last epoch's


def test_without_restoring_the_last_weights_stay():
    run = run_training(
        CANCER,
        optimizer="adam",
        dtype="float64",
        frameworks=["torch"],
        learning_rate=0.05,
        batch_size=50,
        epochs=200,
        validation_split=0.2,
        early_stopping=EarlyStopping(patience=5, min_delta=1e-4, restore_best=False),
    )
    assert run.passed
    for result in run.results.values():
        np.testing.assert_array_equal(result.final_params["W1"], result.param_history[-1]["W1"])


def test_json_records_the_split_the_epochs_and_the_curve(capsys):
    argv = ["train", "--arch", "breast-cancer-2-4-1", "--frameworks", "torch", "--optimizer", "adam"]
    argv += ["--learning-rate", "0.05", "--batch-size", "50", "--epochs", "100", "--patience", "5", "--format", "json"]
    assert main(argv) == 0
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert len(run["validation"]["rows"]) == round(0.2 * 569) and run["validation"]["early_stopping"]["patience"] == 5
    scratch = run["results"]["scratch"]
    assert len(scratch["validation_losses"]) == scratch["stopped_epoch"] < 100
    assert {c["quantity"] for c in run["checks"]} >= {"validation_loss", "stopped_epoch", "best_epoch"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--patience", "3", "--steps", "10"], "expected --epochs"),
        (["--validation-split", "1.5", "--epochs", "3"], "expected a fraction in (0, 1), got 1.5"),
        (["--patience", "3", "--epochs", "3", "--frameworks", "keras-fit", "--l2", "0.1"], "keras-fit: expected --l2 0"),
    ],
    ids=["no-epochs", "bad-fraction", "fit-with-l2"],
)
def test_bad_early_stopping_options_exit_2_with_one_line(capsys, args, message):
    try:
        code = main(["train", "--arch", "breast-cancer-2-4-1", *args])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if ": error: " in line]  # keras-fit refuses once it runs: after the progress line
    assert len(errors) == 1 and err[-1] == errors[0] and message in errors[0], err


def test_the_report_says_where_the_obvious_loop_would_have_stopped(capsys):
    from compare.training.command import naive_stop

    assert naive_stop(LOSSES, SETTINGS.patience) is None  # 0.795 counts for it: it goes on past epoch 4
    assert naive_stop([1.0, 0.9, 0.95, 0.96], 2) == 4
    argv = ["train", "--arch", "breast-cancer-2-4-1", "--frameworks", "torch", "--optimizer", "adam", "--learning-rate"]
    argv += ["0.05", "--batch-size", "50", "--epochs", "200", "--patience", "5", "--min-delta", "1e-3", "--format", "text"]
    assert main(argv) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "a loop that counts any decrease as an improvement (no min_delta) would stop" in out
