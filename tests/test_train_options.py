"""``python -m compare train`` refuses an option that would change nothing in the run, instead of ignoring it.

Each refusal comes before any case is loaded or trained: one line, exit 2.
"""

import pytest

from compare.cli import main


@pytest.mark.parametrize(
    "argv, line",
    [
        (["--epochs", "3", "--min-delta", "0.1"], "--min-delta: acts only with --patience (early stopping), got no --patience"),
        (
            ["--epochs", "3", "--no-restore-best"],
            "--no-restore-best: acts only with --patience (early stopping), got no --patience",
        ),
        (["--decay-rate", "0.5"], "--decay-rate: acts only with --schedule step or exponential, got --schedule constant"),
        (
            ["--schedule", "cosine", "--decay-rate", "0.5"],
            "--decay-rate: acts only with --schedule step or exponential, got --schedule cosine",
        ),
        (
            ["--schedule-unit", "step"],
            "--schedule-unit: acts only with a --schedule other than constant, got --schedule constant",
        ),
        (
            ["--schedule", "exponential", "--decay-steps", "3"],
            "--decay-steps: acts only with --schedule step or cosine, got --schedule exponential",
        ),
        (["--schedule", "step", "--eta-min", "0.01"], "--eta-min: acts only with --schedule cosine, got --schedule step"),
        (["--eta-m", "0.01"], "--eta-min: acts only with --schedule cosine, got --schedule constant"),  # abbreviated
    ],
)
def test_an_option_that_would_change_nothing_is_refused(argv, line, capsys, monkeypatch):
    import compare.data.cases

    def no_loading(*args, **kwargs):
        raise AssertionError("train loaded the cases before refusing the option")

    monkeypatch.setattr(compare.data.cases, "load_cases", no_loading)
    assert main(["train", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip().splitlines() == [f"python -m compare train: error: {line}"]


def test_a_batch_size_beyond_the_rows_is_shown_as_the_full_batch_it_is(capsys):
    assert main(["train", "--batch-size", "1000", "--steps", "1", "--frameworks", "scratch", "-q"]) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert ", full batch (--batch-size 1000 >= the 300 rows), 1 step," in title, title  # the spiral's 300 rows


def test_a_diverged_training_reports_no_accuracy(capsys):
    """eta = 1e300 sends the weights to infinity and the outputs to NaN: argmax of NaN is class 0, not an accuracy."""
    main(["train", "--learning-rate", "1e300", "--steps", "3", "--frameworks", "scratch", "-q"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.strip().startswith(("final ", "accuracy "))]
    assert rows == [["final", "nan"], ["accuracy", "n/a", "(loss", "not", "finite)"]], rows


def test_the_title_line_is_not_broken_however_long(capsys):
    argv = ["train", "--schedule", "step", "--epochs", "8", "--batch-size", "100", "--frameworks", "scratch", "-q"]
    assert main(argv) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert len(title) > 132 and title.endswith(", step decay per epoch (gamma 0.5, every 2 epochs)"), title


def test_a_default_validation_split_that_cannot_split_says_it_is_the_default(capsys):
    assert main(["train", "--arch", "worked-2-2-2", "--epochs", "3", "--patience", "1"]) == 2  # the worked example: 1 row
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.endswith(
        "--validation-split: 0.2 of 1 row leaves 0 for validation and 1 for training; expected at least 1 of each "
        "(0.2 is its default with --patience)"
    ), line
