"""Fuzzing every subcommand with hostile argument vectors and file contents (tests/fuzzing.py).

Each example runs ``compare.cli.main`` in process and must keep the CLI's promise
(:func:`fuzzing.check_outcome`): exit 2 with one ``prog: error:`` line and no traceback, or a
result, with valid JSON that never says ``"passed": true`` beside a non-finite number.

The ``ci`` profile (tests/conftest.py) runs a few derandomized examples per subcommand in the
suite; by hand, fresh ones::

    python -m pytest tests/test_fuzz.py --hypothesis-profile=large

scripts/fuzz_campaign.py runs the same strategies as real subprocesses, timed and measured.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import warnings
from pathlib import Path

import fuzzing
import pytest
from hypothesis import HealthCheck, given, settings

from compare.cli import main

SUBCOMMANDS = {
    "parity": fuzzing.parity(),
    "train": fuzzing.train(),
    "check": fuzzing.check(),
    "explain": fuzzing.explain(),
    "bench": fuzzing.bench(),
}


def run_in_process(argv: list[str]) -> tuple[object, str, str]:
    """``compare.cli.main(argv)`` -> (exit code, stdout, stderr); argparse's SystemExit is an exit code.

    A warning (which a real run prints on stderr) is written to stderr here too, so the check sees it;
    deprecation warnings of the libraries are left to pytest's filters.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code: object = main(argv)
        except SystemExit as exc:
            code = exc.code
    shown = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    return code, out.getvalue(), err.getvalue() + "".join(f"{w.category.__name__}: {w.message}\n" for w in shown)


def keeps_the_promise(tokens: list[fuzzing.Token]) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        argv = fuzzing.materialise(tokens, Path(folder))
        code, out, err = run_in_process(argv)
        fuzzing.check_outcome(argv, code, out, err)


@pytest.mark.full  # runs each subcommand in fresh processes: the full suite only
@pytest.mark.parametrize("subcommand", sorted(SUBCOMMANDS))
def test_every_subcommand_keeps_its_promise_under_fuzzing(subcommand):
    @settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], max_examples=_examples())
    @given(tokens=SUBCOMMANDS[subcommand])
    def run(tokens):
        keeps_the_promise(tokens)

    run()


def _examples() -> int:
    """The profile's examples, but a few only in ``ci``: fuzzing runs the CLI, which is slower than a property."""
    current = settings.default
    return 8 if current.derandomize else current.max_examples


def test_the_outcome_check_catches_a_broken_promise():
    """Control: the check fails on a traceback, two error lines, NaN in JSON, and passed: true beside a null."""
    bad = [
        (["--format", "json"], 1, "", "Traceback (most recent call last):\n"),
        (["--format", "json"], 2, "", "python -m compare: error: one\ntwo\n"),
        (["--format", "json"], 1, '{"passed": false, "loss": NaN}', ""),
        (["--format", "json"], 0, '{"passed": true, "cases": [{"passed": true}], "non_finite": {"count": 1, "why": "x"}}', ""),
        (["--format", "json"], 0, '{"passed": false}', ""),
        (["train"], 2, "", "python -m compare: error: wrong prog\n"),
    ]
    for argv, code, out, err in bad:
        with pytest.raises(AssertionError):
            fuzzing.check_outcome(argv, code, out, err)
    fuzzing.check_outcome(["--format", "json"], 1, '{"passed": false, "loss": null}', "")
