"""``python -m compare bench --train``: its floor is made of real optimizer steps, and its report adds up.

No time is asserted (speed is measured by the benchmark, not tested): only that each step it
times is the optimizer's update, and that the ratios, medians, floors, one-time costs and
per-step costs are the ones its own timings give.
"""

import json
import statistics
import subprocess
import sys

import numpy as np
import pytest

from compare import registry
from compare.bench.steps import make_step
from compare.data.cases import get_case
from compare.parity.tolerances import tolerance_for
from compare.training.run import default_learning_rate
from core.optimizers import OPTIMIZERS, matched
from core.validate import prepare
from helpers import shared_across_workers
from scratch.train import train

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)

BENCH_STEPS = tuple(registry.bench_steps())
CASE = get_case("spiral-2-4-3")
FIRST, SECOND = [n for n in registry.NAMES if registry.get(n).environment][:2]  # Keras on TensorFlow, on JAX


def run_bench(*args):
    return subprocess.run([sys.executable, "-m", "compare", "bench", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("implementation", BENCH_STEPS)
def test_each_bench_step_with_an_optimizer_is_that_optimizers_update(implementation, optimizer):
    """Three steps of the timed step land where three full-batch steps of scratch's training land (float64)."""
    eta = default_learning_rate(optimizer, CASE.learning_rate)
    params, X, y = prepare(CASE.spec, CASE.params, CASE.X, CASE.y, "float64")
    expected = train(
        CASE.spec, params, X, y, optimizer=optimizer, hyper=matched(optimizer, eta), batches=[np.arange(len(X))] * 3
    ).final_params
    step = make_step(implementation, CASE.spec, params, X, y, eta, "float64", optimizer)
    for _ in range(3):
        step.run()
    step.sync()
    got = step.params()
    tol = tolerance_for("float64")
    for name, value in expected.items():
        np.testing.assert_allclose(got[name], value, rtol=tol.rtol, atol=tol.atol, err_msg=f"{implementation} {optimizer} {name}")


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory, worker_id):
    """scratch and the first Keras backend here, the second in a process of its own; no whole command (run once)."""

    def bench():
        done = run_bench("--train", "--quick", "--no-command", "--frameworks", f"{FIRST},{SECOND}", "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return shared_across_workers(tmp_path_factory, worker_id, "bench_train_quick", bench)


def test_the_report_has_each_framework_with_its_runs_floor_and_ratio(quick_report):
    report = quick_report
    assert list(report["frameworks"]) == [registry.REFERENCE, FIRST, SECOND]
    assert report["steps"] == 20 and report["runs"] == 2 and report["command"] is None
    for name, row in report["frameworks"].items():
        assert row["bench_step"] == registry.get(name).bench[0].name
        assert len(row["blocks_s"]) == 2 and row["first_s"] == row["blocks_s"][0]
        assert row["median_s"] == statistics.median(row["blocks_s"][1:])
        assert set(row["step_us"]) == set(OPTIMIZERS) and all(us > 0 for us in row["step_us"].values())
        assert row["floor_s"] == pytest.approx(report["steps"] * sum(row["step_us"].values()) / 1e6, rel=1e-12)
        assert row["ratio"] == pytest.approx(row["median_s"] / row["floor_s"], rel=1e-12)
        assert len(row["one_step_blocks_s"]) == 2 and row["one_time_s"] == statistics.median(row["one_step_blocks_s"])
        six_trainings = len(OPTIMIZERS)
        beyond = (row["median_s"] - row["one_time_s"]) / (six_trainings * (report["steps"] - 1))
        assert row["step_us_beyond"] == pytest.approx(beyond * 1e6, rel=1e-12)
        assert row["floor_step_us"] == pytest.approx(row["floor_s"] / (six_trainings * report["steps"]) * 1e6, rel=1e-12)
        assert row["step_ratio"] == pytest.approx(row["step_us_beyond"] / row["floor_step_us"], rel=1e-12)
    assert report["frameworks"][SECOND]["process"] == SECOND  # measured with its own backend
    assert "process" not in report["frameworks"][FIRST]
    assert len(report["load_average"]["before"]) == 3


def test_the_whole_command_is_timed_as_a_user_runs_it():
    done = run_bench("--train", "--quick", "--frameworks", "torch", "--runs", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
    command = json.loads(done.stdout)["command"]
    assert command["command"].startswith("python -m compare train --arch spiral-2-4-3 --optimizer all --steps 20")
    assert len(command["runs_s"]) == 1 and command["median_s"] == command["runs_s"][0] > 0


def test_the_text_report_names_the_floor_and_the_load():
    done = run_bench("--train", "--quick", "--no-command", "--frameworks", "torch", "--runs", "1")
    assert done.returncode == 0, done.stderr
    assert "train --optimizer all --steps 20 on spiral-2-4-3" in done.stdout
    assert "floor: steps x the median compiled step of each optimizer" in done.stdout and "load average" in done.stdout
    assert "one-time: the median of the same six trainings of one step each" in done.stdout
    assert "timing scratch, torch here" in done.stderr  # progress on stderr, the report alone on stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--train", "--startup"], "--startup and --train"),
        (["--train", "--plot", "out.png"], "--plot: only for the training-step benchmark, not with --train"),
        (["--train", "--case", "spirl-2-4-3"], "did you mean 'spiral-2-4-3'"),
        (["--train", "--steps", "0"], "--steps"),
        (["--train", "--frameworks", "keras-fit"], "keras-fit"),
    ],
)
def test_bad_train_arguments_exit_2_with_one_line(args, message):
    done = run_bench(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr
