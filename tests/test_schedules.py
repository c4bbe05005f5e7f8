"""Learning-rate schedules: scratch's formulas against values worked by hand, every framework's eta sequence
and trajectory against scratch's, torch's momentum convention, and a planted off-by-one scheduler.

The hyper-parameter slide of Amrita "Feed Forward Neural Networks – Introduction" lists the schedule;
the formulas are core.schedules'.
"""

import json
import math

import numpy as np
import pytest

from compare import registry
from compare.cli import main
from compare.data.cases import spiral_2_4_3
from compare.training.run import run_training
from core.errors import InputError
from core.schedules import Schedule, make_schedule
from scratch.schedules import learning_rate

CASE = spiral_2_4_3()  # 300 points: batch 100 gives 3 steps per epoch


def etas(schedule: Schedule, eta_0: float, n: int) -> list[float]:
    return [learning_rate(schedule, eta_0, k) for k in range(1, n + 1)]


def test_step_decay_halves_every_two_steps():
    assert etas(Schedule("step", "step", gamma=0.5, decay_steps=2), 0.1, 6) == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]


def test_exponential_decay_multiplies_by_gamma_each_step():
    assert etas(Schedule("exponential", "step", gamma=0.5), 0.1, 3) == [0.1, 0.05, 0.025]


def test_cosine_decay_by_hand():
    """0.1 (1 + cos(pi t / 4)) / 2 for t = 0..4, then held at eta_min: cos(pi / 4) = sqrt(2) / 2."""
    half_root = math.sqrt(2) / 2
    expected = [0.1, 0.1 * (1 + half_root) / 2, 0.05, 0.1 * (1 - half_root) / 2, 0.0, 0.0]
    assert etas(Schedule("cosine", "step", decay_steps=4), 0.1, 6) == pytest.approx(expected, abs=1e-17)


def test_per_epoch_schedule_is_constant_within_an_epoch():
    schedule = Schedule("exponential", "epoch", steps_per_epoch=3, gamma=0.5)
    assert etas(schedule, 0.2, 7) == [0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"gamma": 1.5}, "--decay-rate"),
        ({"gamma": 0.0}, "--decay-rate"),
        ({"decay_steps": 0}, "--decay-steps"),
        ({"eta_min": -1.0}, "--eta-min"),
        ({"unit": "batch"}, "schedule unit"),
    ],
)
def test_bad_schedule_settings_name_the_setting(kwargs, message):
    with pytest.raises(InputError, match=message):
        Schedule(**{"name": "step", "unit": "step", **kwargs})


def test_cosine_floor_must_lie_below_the_learning_rate():
    with pytest.raises(InputError, match="--eta-min: expected a value below the learning rate 0.1, got 0.5"):
        make_schedule("cosine", unit="step", steps=10, steps_per_epoch=1, eta_min=0.5, learning_rate=0.1)


SCHEDULES = [("step", "epoch"), ("exponential", "step"), ("exponential", "epoch"), ("cosine", "step"), ("cosine", "epoch")]


@pytest.mark.parametrize("framework", registry.OTHERS)
@pytest.mark.parametrize("name, unit", SCHEDULES, ids=[f"{n}-per-{u}" for n, u in SCHEDULES])
def test_every_framework_uses_scratchs_learning_rates_and_trajectory(framework, name, unit):
    """float64, mini-batches of 100 (3 steps per epoch), 4 epochs: eta at every step, then the whole trajectory."""
    run = run_training(
        CASE,
        optimizer="adam",
        dtype="float64",
        frameworks=[framework],
        batch_size=100,
        epochs=4,
        schedule=name,
        schedule_options={"unit": unit, "decay_steps": 2} if name == "step" else {"unit": unit},
    )
    reference = run.results["scratch"].learning_rates
    assert len(reference) == 12 and len(set(reference)) > 1  # the schedule changed eta
    assert run.results[framework].learning_rates == pytest.approx(reference, rel=1e-13, abs=0)
    assert run.passed, [(c.quantity, c.max_rel_err) for c in run.checks if not c.passed]


def test_step_decay_per_epoch_changes_eta_only_at_epoch_boundaries():
    run = run_training(
        CASE,
        optimizer="sgd",
        dtype="float64",
        frameworks=["torch"],
        learning_rate=0.4,
        batch_size=100,
        epochs=4,
        schedule="step",
        schedule_options={"unit": "epoch", "decay_steps": 2, "gamma": 0.5},
    )
    assert run.results["torch"].learning_rates == [0.4] * 6 + [0.2] * 6  # StepLR(step_size=2) stepped once per epoch


OWN_VELOCITY = {"torch": "gradients"}  # torch.optim.SGD keeps eta outside the velocity; every other one, the lectures' "steps"


@pytest.mark.parametrize("framework", list(registry.OTHERS))
@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
def test_momentum_is_checked_in_each_frameworks_own_convention_when_eta_changes(optimizer, framework):
    """torch.optim.SGD keeps eta outside the velocity: with a schedule that is another method, shown and replayed.

    Every Keras backend keeps the lectures' form (eta inside the velocity), as scratch does: checked as it is.
    """
    run = run_training(
        CASE, optimizer=optimizer, dtype="float64", frameworks=[framework], batch_size=100, epochs=6, schedule="step"
    )
    velocity = OWN_VELOCITY.get(framework, "steps")
    assert run.results[framework].velocity == velocity
    assert run.results[registry.REFERENCE].velocity == "steps"
    replayed = {framework} if velocity == "gradients" else set()
    assert set(run.velocity_drift) == set(run.references) == replayed
    for name in replayed:
        assert run.velocity_drift[name] > 1e-3  # far from the lectures' form
        assert run.references[name].velocity == "gradients"
    assert run.passed


def test_without_a_schedule_both_momentum_conventions_are_the_same_method():
    constant = run_training(CASE, optimizer="momentum", dtype="float64", frameworks=["torch"], batch_size=100, epochs=4)
    assert not constant.velocity_drift and "torch" not in constant.references and constant.passed


@pytest.mark.parametrize("name, first", [("exponential", 1), ("step", 3)])
def test_a_scheduler_stepped_before_the_first_update_is_caught_where_eta_first_differs(monkeypatch, capsys, name, first):
    """The planted slip: ``scheduler.step()`` once before training, so every eta is one unit early.

    Exponential decay per step: step 1 already uses eta_0 gamma. Step decay every 3 steps: the
    first decay comes at step 3 instead of step 4.
    """
    import torch_impl.train
    from torch_impl.schedules import make_scheduler

    def stepped_early(schedule, optimizer):
        scheduler = make_scheduler(schedule, optimizer)
        optimizer.step()  # nothing to update yet (no gradients): silences torch's order warning, as a student might
        scheduler.step()
        return scheduler

    monkeypatch.setattr(torch_impl.train, "make_scheduler", stepped_early)  # in this process: --in-process
    options = ["--schedule-unit", "step", "--decay-steps", "3"] if name == "step" else ["--schedule-unit", "step"]
    argv = ["train", "--frameworks", "torch", "--in-process", "--steps", "8", "--schedule", name, *options, "--format", "json"]
    assert main(argv) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["learning_rate_first_difference"] == {"torch": first}
    check = next(c for c in run["checks"] if c["quantity"] == "learning_rate")
    assert check["passed"] is False
    etas_torch, etas_scratch = run["results"]["torch"]["learning_rates"], run["results"]["scratch"]["learning_rates"]
    assert etas_torch[: first - 1] == etas_scratch[: first - 1] and etas_torch[first - 1] != etas_scratch[first - 1]


def test_the_text_report_names_the_step_and_both_etas(monkeypatch, capsys):
    import torch_impl.train
    from torch_impl.schedules import make_scheduler

    def stepped_early(schedule, optimizer):
        scheduler = make_scheduler(schedule, optimizer)
        optimizer.step()
        scheduler.step()
        return scheduler

    monkeypatch.setattr(torch_impl.train, "make_scheduler", stepped_early)
    # --in-process: the patch is in this process, not in a worker's
    argv = [
        "train",
        "--frameworks",
        "torch",
        "--in-process",
        "--steps",
        "4",
        "--schedule",
        "exponential",
        "--schedule-unit",
        "step",
    ]
    assert main([*argv, "--decay-rate", "0.5", "--learning-rate", "0.2", "--format", "text"]) == 1
    out = capsys.readouterr().out
    assert "torch: eta first differs at step 1: 0.1 against scratch's 0.2" in out


@pytest.mark.full  # runs the CLI: the full suite only
def test_json_records_every_eta_and_the_schedule(capsys):
    argv = ["train", "--frameworks", "torch", "--epochs", "3", "--batch-size", "100", "--schedule", "cosine"]
    assert main([*argv, "--format", "json"]) == 0
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["schedule"]["name"] == "cosine" and run["schedule"]["unit"] == "epoch"
    assert run["schedule"]["decay_steps"] == 3 and run["schedule"]["steps_per_epoch"] == 3
    etas_scratch = np.array(run["results"]["scratch"]["learning_rates"])
    eta_0 = etas_scratch[0]
    expected = [eta_0 * (1 + math.cos(math.pi * e / 3)) / 2 for e in (0, 0, 0, 1, 1, 1, 2, 2, 2)]
    np.testing.assert_allclose(etas_scratch, expected, rtol=1e-15)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--schedule", "step", "--decay-rate", "1.5"], "--decay-rate: expected gamma in (0, 1], got 1.5"),
        (["--schedule", "cosine", "--eta-min", "5"], "--eta-min: expected a value below the learning rate"),
    ],
)
def test_bad_schedule_options_exit_2_with_one_line(capsys, args, message):
    assert main(["train", "--frameworks", "torch", "--steps", "3", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


@pytest.mark.full  # runs Keras in a fresh process: the full suite only
def test_keras_exponential_decay_casts_a_python_float_gamma_through_float32_on_tensorflow():
    """The canary for keras_impl.schedules' float64 gamma: once Keras keeps a Python float in float64, it fails."""
    from tests.helpers import run_in

    code = (
        "import keras\n"
        "s = keras.optimizers.schedules.ExponentialDecay(keras.ops.convert_to_tensor(1.0, dtype='float64'), 1, 0.95)\n"
        "print(repr(float(keras.ops.convert_to_numpy(s(1)))))\n"
    )
    value = float(run_in("keras", code))
    assert value == float(np.float32(0.95)) != 0.95


@pytest.mark.full  # runs the CLI: the full suite only
def test_past_its_period_torch_cosine_rises_again_while_keras_and_scratch_hold_the_floor():
    """docs/training.md: CosineAnnealingLR follows the cosine past T_max; CosineDecay and scratch hold eta_min."""
    import torch

    from tests.helpers import run_in

    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=4)
    torch_etas = []
    for _ in range(7):
        torch_etas.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert torch_etas[4] == pytest.approx(0.0, abs=1e-17) and torch_etas[6] == pytest.approx(0.05, rel=1e-12)
    code = (
        "import keras\n"
        "s = keras.optimizers.schedules.CosineDecay(keras.ops.convert_to_tensor(0.1, dtype='float64'), 4)\n"
        "print(repr(float(keras.ops.convert_to_numpy(s(6)))))\n"
    )
    assert float(run_in("keras", code)) == 0.0
    assert learning_rate(Schedule("cosine", "step", decay_steps=4), 0.1, 7) == 0.0
