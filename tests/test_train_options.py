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
