"""What a bare ``python -m pytest`` runs: the quick suite leaves out the tests marked full (README, "Tests")."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from types import SimpleNamespace

import conftest
import pytest

ROOT = Path(__file__).resolve().parents[1]


def config(args_source=pytest.Config.ArgsSource.TESTPATHS, markexpr=conftest.QUICK_MARKS, full=False):
    return SimpleNamespace(
        args_source=args_source, option=SimpleNamespace(markexpr=markexpr), getoption=lambda name: {"full": full}[name]
    )


def test_the_quick_marks_are_pyprojects_default_marks():
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["addopts"]
    words = shlex.split(addopts)
    assert words[words.index("-m") + 1] == conftest.QUICK_MARKS


def test_only_a_bare_run_leaves_the_full_tests_out():
    assert conftest._quick(config())
    assert not conftest._quick(config(full=True))
    assert not conftest._quick(config(args_source=pytest.Config.ArgsSource.ARGS))  # a named file or test
    assert not conftest._quick(config(markexpr="full and not slow"))  # what .ci/run runs after the quick suite


def test_ci_runs_the_quick_suite_and_then_the_full_tests():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert lines.index("python -m pytest") < lines.index("python -m pytest -m 'full and not slow'")


def test_a_test_with_an_implementation_in_its_own_process_is_full():
    from compare import registry

    elsewhere = [name for name in registry.NAMES if not registry.get(name).runs_here()]
    assert elsewhere, "every implementation runs in this process: the rule has nothing to mark"
    item = SimpleNamespace(callspec=SimpleNamespace(params={"framework": elsewhere[0]}), marks=[])
    item.add_marker = item.marks.append
    conftest.pytest_itemcollected(item)
    assert [mark.name for mark in item.marks] == ["full"]
    here = SimpleNamespace(callspec=SimpleNamespace(params={"framework": registry.REFERENCE}), marks=[])
    here.add_marker = here.marks.append
    conftest.pytest_itemcollected(here)
    assert here.marks == []
