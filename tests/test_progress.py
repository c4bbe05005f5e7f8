"""Progress lines on stderr: what is loading, n/N with the time left, never in the report, silent with --quiet."""

import io
import json

import pytest

from compare.cli import main
from compare.progress import Feedback, listing, plural


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_off_a_terminal_a_count_line_comes_at_most_once_a_second_and_always_last():
    stream, clock = io.StringIO(), Clock()
    feedback = Feedback(stream=stream, clock=clock)
    feedback.say("comparing 5 runs; loading the frameworks")
    feedback.start("runs", 5)
    for k, now in enumerate((6.0, 6.6, 7.2, 7.8, 8.4), start=1):  # the first pays 6 s of imports, then 0.6 s each
        clock.now = now
        feedback.advance(f"case {k}")
    feedback.done()
    assert stream.getvalue().splitlines() == [
        "python -m compare: comparing 5 runs; loading the frameworks",
        "python -m compare: 1/5 runs (case 1)",  # no estimate from the first: its 6 s are mostly loading
        "python -m compare: 3/5 runs (case 3), about 1 s left",  # 1.2 s for 2 since the first: 0.6 s each, 2 left
        "python -m compare: 5/5 runs (case 5), 8 s",  # 1.2 s after the last line; always the last
    ]


def test_on_a_terminal_the_count_rewrites_one_line_and_done_clears_it():
    stream, clock = Terminal(), Clock()
    feedback = Feedback(prog="python -m compare train", stream=stream, clock=clock)
    feedback.start("trainings", 3)
    clock.now = 4.0
    feedback.advance("spiral-2-4-3 sgd float64")
    clock.now = 5.0
    feedback.advance("spiral-2-4-3 adam float64")
    feedback.say("a line of its own")
    feedback.done()
    assert stream.getvalue() == (
        "\r\x1b[Kpython -m compare train: 1/3 trainings (spiral-2-4-3 sgd float64)"
        + "\r\x1b[Kpython -m compare train: 2/3 trainings (spiral-2-4-3 adam float64), about 1 s left"
        + "\r\x1b[K"
        + "python -m compare train: a line of its own\n"
    )


def test_quiet_writes_nothing_and_a_terminal_only_line_stays_off_a_pipe():
    quiet, piped = io.StringIO(), io.StringIO()
    Feedback(quiet=True, stream=quiet).say("loading")
    feedback = Feedback(stream=piped)
    feedback.say("checking your code", terminal_only=True)
    feedback.start("runs", 1)
    Feedback(quiet=True, stream=quiet).advance("x")
    assert quiet.getvalue() == "" and piped.getvalue() == ""
    terminal = Terminal()
    Feedback(stream=terminal).say("checking your code", terminal_only=True)
    assert terminal.getvalue() == "python -m compare: checking your code\n"


def test_listing_and_plural():
    assert listing(["scratch"]) == "scratch" and listing(["a", "b", "c"]) == "a, b and c"
    assert plural(1, "run") == "1 run" and plural(1200, "run") == "1,200 runs"


def test_a_piped_parity_run_says_what_it_loads_then_counts_and_the_json_stays_clean(capsys):
    argv = ["--arch", "worked-2-2-2", "--arch", "iris-2-4-3", "--frameworks", "scratch", "--format", "json"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["cases"]  # stdout is the report alone
    lines = captured.err.splitlines()
    first = "python -m compare: comparing 4 runs (2 cases x float64 and float32) through scratch; loading the frameworks"
    assert lines[0] == first
    assert lines[-1].startswith("python -m compare: 4/4 runs (iris-2-4-3 float32), ")


@pytest.mark.parametrize(
    "argv",
    [
        ["--arch", "worked-2-2-2", "--frameworks", "scratch", "--quiet"],
        ["train", "--arch", "worked-2-2-2", "--frameworks", "scratch", "--steps", "2", "-q"],
    ],
)
def test_quiet_leaves_stderr_empty(capsys, argv):
    main(argv)
    assert capsys.readouterr().err == ""


def test_a_piped_training_run_counts_its_trainings(capsys):
    assert main(["train", "--arch", "worked-2-2-2", "--frameworks", "scratch", "--optimizer", "all", "--steps", "2"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "python -m compare train: 6 trainings (worked-2-2-2) through scratch; loading the frameworks"
    assert lines[-1].startswith("python -m compare train: 6/6 trainings (worked-2-2-2 adam float64), ")


@pytest.mark.full  # runs the CLI: the full suite only
def test_an_error_after_the_first_line_is_still_one_error_line_and_the_last(capsys):
    """keras-fit refuses --l2 with a validation split only once it runs: the progress line, then the error alone."""
    argv = ["train", "--frameworks", "keras-fit", "--epochs", "2", "--validation-split", "0.2", "--l2", "0.1"]
    assert main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    errors = [line for line in lines if line.startswith("python -m compare train: error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0] and "keras-fit" in errors[0]
    assert all(line.startswith("python -m compare train: ") for line in lines)
