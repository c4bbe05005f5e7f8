"""One CLI vocabulary: --version, "did you mean" for names, case-insensitive case names, Ctrl-C, a run that compares nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from compare.cli import main
from core.errors import InputError, did_you_mean, lookup

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_the_projects(capsys):
    assert main(["--version"]) == 0
    with open(ROOT / "pyproject.toml", "rb") as f:
        expected = tomllib.load(f)["project"]["version"]
    assert capsys.readouterr().out == f"backprop-parity {expected}\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["trian"], "unknown subcommand 'trian' (did you mean 'train'?); choose from parity, train, check, explain, bench"),
        (["chek", "x.py"], "(did you mean 'check'?)"),
        (["zzz"], "unknown subcommand 'zzz'; choose from"),  # nothing close: no guess
        (["--arch", "spirl-2-4-3"], "(did you mean 'spiral-2-4-3'?)"),
        (["--arch", "worked-2-2"], "(did you mean 'worked-2-2-2'?)"),
        (["--arch", "2-4-3:relu,softmx:cce"], "unknown activation 'softmx' (did you mean 'softmax'?)"),
    ],
)
def test_a_misspelt_name_gets_one_line_with_the_closest_name(capsys, argv, expected):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1, err


def test_did_you_mean_ignores_case_and_stays_quiet_when_nothing_is_close():
    assert did_you_mean("ADAM", ["sgd", "adam"]) == " (did you mean 'adam'?)"
    assert did_you_mean("qqqq", ["sgd", "adam"]) == ""
    with pytest.raises(InputError, match=r"unknown loss 'mes' \(did you mean 'mse'\?\); choose from sse, mse"):
        lookup({"sse": 1, "mse": 2}, "mes", "loss")


def test_case_names_ignore_case(capsys):
    assert main(["--arch", "Worked-2-2-2", "--frameworks", "scratch", "--dtype", "float64", "--format", "json"]) == 0
    assert '"name": "worked-2-2-2"' in capsys.readouterr().out


def test_a_run_of_the_reference_alone_says_nothing_was_compared(capsys):
    assert main(["--arch", "worked-2-2-2", "--frameworks", "scratch"]) == 0
    out = capsys.readouterr().out
    assert "nothing was compared" in out and "runs agree" not in out


# A real SIGINT delivered while a subcommand runs (the subcommand stands in for a long training
# run, so the signal never lands in the interpreter's start-up, however loaded the machine is).
CTRL_C = """
import os, signal, sys, time
from compare import cli
from compare.training import command

def interrupted(argv, prog):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(60)  # the KeyboardInterrupt ends this sleep
    return 0

command.main = interrupted
sys.exit(cli.main(["train"]))
"""


def _default_sigint() -> None:
    """In the child: SIGINT's default action, so Python installs its KeyboardInterrupt handler.

    A job started in the background by a shell without job control (CI's ``cmd &``) inherits
    SIGINT ignored, and Python then leaves it ignored: Ctrl-C could not reach the tool at all.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_is_one_line_and_exit_130():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_default_sigint,  # a signal disposition, set before exec
    )
    assert done.returncode == 130, done.stderr
    *progress, last = done.stderr.splitlines()  # what it was doing (compare.progress), then the one error line
    assert last == "python -m compare train: error: interrupted (Ctrl-C); nothing more was written"
    assert all(line.startswith("python -m compare train: ") and ": error: " not in line for line in progress)


@pytest.mark.full  # runs the CLI with every framework: the full suite only
def test_ctrl_c_during_a_real_run_ends_it(tmp_path):
    """The real command, interrupted at some point of a long run: it ends soon, with 130 or (in start-up) Python's own exit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "compare", "train", "--frameworks", "scratch", "--steps", "1000000", "--every", "1000000"]
    run = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint
    )
    try:
        time.sleep(3)
        run.send_signal(signal.SIGINT)
        _out, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode in (130, -signal.SIGINT, 1), err
    if run.returncode == 130:
        assert err.strip().splitlines()[-1] == "python -m compare train: error: interrupted (Ctrl-C); nothing more was written"


@pytest.mark.parametrize(
    ("subcommand", "formats"),
    [
        ("parity", {"text", "json", "html"}),
        ("train", {"text", "json", "html"}),
        ("check", {"text", "json"}),
        ("bench", {"text", "json"}),
        ("explain", {"text", "markdown", "html"}),
    ],
)
def test_every_subcommand_calls_its_human_format_text(subcommand, formats):
    import importlib

    from compare.cli import SUBCOMMANDS

    parser = importlib.import_module(SUBCOMMANDS[subcommand]).build_parser()
    (action,) = [a for a in parser._actions if "--format" in a.option_strings]
    assert set(action.choices) == formats and action.default == "text"
    assert action.type("table") == "text"  # the old word still works


@pytest.mark.parametrize("subcommand", ["parity", "train", "check", "bench", "explain"])
def test_every_subcommand_with_a_report_takes_output(subcommand):
    import importlib

    from compare.cli import SUBCOMMANDS

    parser = importlib.import_module(SUBCOMMANDS[subcommand]).build_parser()
    (action,) = [a for a in parser._actions if "--output" in a.option_strings]
    assert action.metavar == "FILE" and action.default is None


PARITY = ["--arch", "worked-2-2-2", "--frameworks", "scratch", "--dtype", "float64", "--format", "json"]


def test_output_holds_exactly_the_report_stdout_would_and_is_announced(capsys, tmp_path):
    import json

    assert main(PARITY) == 0
    printed = capsys.readouterr().out
    report = tmp_path / "new folder" / "parity.json"  # its folder is created
    assert main([*PARITY, "--output", str(report)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == f"wrote {report}"
    assert json.loads(report.read_text(encoding="utf-8")) == json.loads(printed)


@pytest.mark.parametrize(
    "argv",
    [
        ["--arch", "worked-2-2", "--format", "json"],  # refused inside the run, after the path was checked
        ["train", "--arch", "spiral-2-4-3", "--weights", "no-such-weights.npz"],
        ["check", "examples/students/no_such_file.py", "--arch", "worked-2-2-2"],
    ],
    ids=["parity", "train", "check"],
)
def test_a_run_that_stops_with_an_error_leaves_the_output_file_as_it_was(capsys, tmp_path, argv):
    report = tmp_path / "report.txt"
    report.write_text("an earlier report\n", encoding="utf-8")
    assert main([*argv, "--output", str(report)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wrote" not in err, err
    assert report.read_text(encoding="utf-8") == "an earlier report\n"


def test_output_to_a_folder_is_refused_before_any_work(capsys, tmp_path):
    assert main(["train", "--frameworks", "scratch", "--output", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and f"--output {str(tmp_path)!r} is a directory" in err, err


SCRATCH = ["--frameworks", "scratch"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--arch", "worked-2-2-2", "--frameworks", "scratch"],  # rich's table
        ["--arch", "worked-2-2-2", "--frameworks", "scratch", "--format", "json"],  # print of the JSON text
        ["check", "examples/students/correct_rows.py", "--arch", "spiral-2-4-3", "--convention", "rows", *SCRATCH],
    ],
    ids=["text", "json", "check"],
)
def test_a_reader_that_goes_away_gives_exit_141_and_no_traceback(argv):
    """``| head -n 1``: 141 (128 + SIGPIPE), as the shell reports for any such command; not 1, "something differs"."""
    process = subprocess.Popen(
        [sys.executable, "-m", "compare", *argv, "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first byte: every write meets a closed pipe
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, err
    assert err == ""  # no traceback, no "Exception ignored" from the interpreter's last flush


def test_stdout_held_in_memory_is_never_a_closed_pipe(capsys):
    import contextlib
    import io

    from compare.output import stdout_closed

    with contextlib.redirect_stdout(io.StringIO()):
        assert stdout_closed() is False
