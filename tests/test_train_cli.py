"""``python -m compare train``: exit codes, JSON shape, argument errors. Few subprocesses (each imports the frameworks)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compare import registry
from compare.cli import main

pytestmark = pytest.mark.full  # every test runs the CLI in a fresh process: the full suite only (README, Tests)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compare", "train", *args], capture_output=True, text=True, timeout=300)


def test_json_run_agrees_and_has_the_documented_shape():
    result = run_cli("--arch", "spiral-2-4-3", "--optimizer", "nesterov", "--steps", "12", "--every", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"passed", "versions", "runs", "threads"} and report["passed"] is True
    run = report["runs"][0]
    assert {"name", "spec", "dtype", "optimizer", "batch_size", "steps", "results", "checks"} <= set(run)
    assert run["steps"] == 12 and run["batch_size"] is None and run["optimizer"]["name"] == "nesterov"
    assert set(run["results"]) == set(registry.NAMES)
    for result_fw in run["results"].values():
        assert len(result_fw["loss_history"]) == len(result_fw["loss_steps"]) == 4  # steps 1, 5, 10, 12
        assert set(result_fw["final_params"]) == {"W1", "b1", "W2", "b2"}
        assert 0 <= result_fw["accuracy"] <= 1
    assert {c["quantity"] for c in run["checks"]} == {"loss_history", "final_loss", "W1", "b1", "W2", "b2"}
    assert all(c["passed"] for c in run["checks"])


def test_framework_defaults_drift_and_exit_1():
    """torch's SGD default eta is 1e-3, scratch uses the case's 1.0: the trajectories part, exit code 1."""
    result = run_cli(
        "--optimizer", "sgd", "--steps", "3", "--framework-defaults", "--frameworks", "scratch,torch", "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    run = json.loads(result.stdout)["runs"][0]
    assert run["optimizer"]["settings"]["torch"]["lr"] == pytest.approx(1e-3)
    assert not all(c["passed"] for c in run["checks"])


@pytest.mark.parametrize(
    "args",
    [
        ["--optimizer", "adadelta"],
        ["--steps", "0"],
        ["--steps", "3", "--epochs", "2"],
        ["--learning-rate", "-1"],
        ["--l2", "nan"],
        ["--arch", "nonsense"],
    ],
    ids=["unknown-optimizer", "zero-steps", "steps-and-epochs", "negative-eta", "nan-l2", "unknown-arch"],
)
def test_bad_usage_exits_2_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as exc:
        code = main(["train", *args])
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "error" in err


def test_table_output_in_process(capsys):
    assert main(["train", "--arch", "worked-2-2-2", "--steps", "2", "--frameworks", "scratch,torch", "--freeze-biases"]) == 0
    out = capsys.readouterr().out
    assert "worked-2-2-2" in out and "biases frozen" in out and "1 of 1 training runs agree" in out
    # the title and the checks' legend are whole lines, not wrapped to the width of a narrow table
    assert (
        "worked-2-2-2 [2-2-2:sigmoid,sigmoid:sse] sgd (learning_rate 0.5), full batch, 2 steps, float64, biases frozen\n" in out
    )
    assert "against scratch: ✓/✗ and max relative error\n" in out


@pytest.mark.parametrize("where", ["file", "below-a-file"], ids=["plot-is-a-file", "plot-below-a-file"])
def test_unusable_plot_directory_exits_2_with_one_line_before_training(tmp_path, capsys, where):
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    target = blocker if where == "file" else blocker / "plots"
    assert main(["train", "--steps", "1", "--frameworks", "scratch", "--plot", str(target)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and "--plot" in err and str(target) in err
    assert captured.out == ""  # nothing trained, no table printed


@pytest.mark.parametrize(
    "frameworks, moved",
    [("scratch,torch", False), ("scratch,keras", True)],
    ids=["without-keras-lambda-as-given", "with-keras-lambda-float32-exact"],
)
def test_l2_is_reported_as_requested_and_as_used(frameworks, moved, capsys):
    """lambda is moved (so that lambda / (2 n) is a float32 number) only when Keras runs; JSON and table show both."""
    args = ["train", "--steps", "2", "--l2", "0.1", "--frameworks", frameworks]
    assert main([*args, "--format", "json"]) == 0
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert run["l2_requested"] == 0.1
    n = 300  # spiral samples
    assert run["l2_used"] == (2 * n * float(np.float32(0.1 / (2 * n))) if moved else 0.1)
    assert (run["l2_used"] != 0.1) is moved and run["l2_used"] == pytest.approx(0.1, rel=6e-8)
    assert main(args) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert title.endswith(f", l2 0.1 (used {run['l2_used']!r})" if moved else ", l2 0.1")


def test_framework_defaults_table_shows_the_hyperparameters_each_implementation_holds(capsys):
    """Under the loss table, one line per implementation: scratch's matched numbers, then torch's and Keras's own
    Adam defaults (torch eps 1e-8, Keras epsilon 1e-7: their documentation), with the given eta."""
    assert main(["train", "--optimizer", "adam", "--framework-defaults", "--learning-rate", "0.01", "--steps", "2"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "scratch holds: learning_rate 0.01, beta_1 0.8999999762, beta_2 0.9990000129, epsilon 0" in lines
    assert "torch holds: lr 0.01, betas (0.9, 0.999), eps 1e-08, weight_decay 0" in lines
    assert "keras holds: learning_rate 0.01, beta_1 0.9, beta_2 0.999, epsilon 1e-07" in lines
    assert lines.index("keras holds: learning_rate 0.01, beta_1 0.9, beta_2 0.999, epsilon 1e-07") < lines.index(
        "against scratch: ✓/✗ and max relative error"
    )  # under the loss table, before the checks


def test_matched_run_prints_no_settings_lines(capsys):
    assert main(["train", "--steps", "1", "--frameworks", "scratch,torch"]) == 0
    assert "holds:" not in capsys.readouterr().out


def test_batch_norm_and_dropout_train_with_every_optimizer_in_mini_batches_and_agree():
    """The spiral with batch norm and dropout: all six optimizers, batches of 128 (the last of 44 rows), every implementation."""
    result = run_cli(
        "--arch", "spiral-2-32-3-bn-dropout", "--optimizer", "all", "--steps", "3", "--batch-size", "128", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [run["optimizer"]["name"] for run in runs] == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    for run in runs:
        assert {"running_mean1", "running_var1", "gamma1", "beta1", "final_output"} <= {c["quantity"] for c in run["checks"]}
        assert all(c["passed"] for c in run["checks"]), run["optimizer"]["name"]
        held = {fw: r["batch_norm"]["new_weight"] for fw, r in run["results"].items()}
        assert all(w == pytest.approx(0.1, rel=1e-15) for w in held.values())  # the matched momentum on both sides


def test_framework_defaults_show_the_batch_norm_drift_and_name_its_causes():
    """SGD with eta given has no other default, so what drifts is batch norm's: Keras's momentum, eps and variance."""
    result = run_cli(
        "--arch", "fish-2-4-3-bn-dropout", "--optimizer", "sgd", "--learning-rate", "0.1", "--steps", "20", "--framework-defaults"
    )
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    torch_rows = [line for line in lines if "BatchNorm1d(momentum=0.1, eps=1e-05)" in line]
    keras_rows = [line for line in lines if "BatchNormalization(momentum=0.99, epsilon=0.001)" in line]
    assert torch_rows and keras_rows and "drift causes" in result.stdout
    assert all(row.rstrip().endswith("none") for row in torch_rows)  # torch's defaults are the matched settings
    assert all(row.rstrip().endswith("momentum, eps, variance") for row in keras_rows)
    assert "✗" in next(line for line in lines if line.strip().startswith("running_mean1"))  # and the running mean drifts
    # cause by cause: each Keras setting alone moves the running variance and the inference output, and scratch with all
    # three reproduces each Keras backend to rounding (the named causes are the whole drift; torch's defaults need none)
    keras_backends = {row.split()[0] for row in keras_rows}  # every Keras backend, as the batch-norm table names them
    drift = {}
    for line in lines:
        words = line.split()
        for cause in ("momentum only", "eps only", "variance only", "unexplained"):
            if words and words[0] in keras_backends and f" {cause} " in line:
                drift[(words[0], cause)] = [float(v) for v in words[-3:]]  # running_mean1, running_var1, final_output
    assert len(keras_backends) == 3 and {fw for fw, _ in drift} == keras_backends and len(drift) == 12
    for (fw, cause), (mean, var, output) in drift.items():
        if cause == "unexplained":
            assert max(mean, var, output) < 1e-12, (fw, mean, var, output)
        else:
            assert var > 1e-4 and output > 1e-4, (fw, cause, var, output)
        if cause == "momentum only":
            assert mean > 1, (fw, mean)  # w 0.01 instead of 0.1: the running mean is still mostly its start after 20 steps
    # docs/training.md quotes the keras rows of this very command: they must be what it prints
    page = (Path(__file__).resolve().parents[1] / "docs" / "training.md").read_text(encoding="utf-8")
    quoted = page.split("--steps 20 --framework-defaults`", 1)[1].split("```", 2)[1]
    printed = {tuple(line.split()) for line in lines}
    for line in quoted.strip().splitlines():
        assert tuple(line.split()) in printed, f"docs/training.md quotes {line.strip()!r}, the command does not print it"
