"""How a process that loads the frameworks imports them and ends: the collector paused for imports, no finalization."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from compare import registry, workers
from compare.bench.startup import floor_processes
from compare.process import FLOOR_CODE, importing

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def collector():
    """The collector enabled before the test; its state restored after it (what a test froze stays frozen)."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was_enabled else gc.disable)()


def test_the_collector_is_paused_inside_and_what_was_made_there_is_frozen_after(collector):
    before = gc.get_freeze_count()
    with importing():
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)


def _count_freezes(monkeypatch) -> list[None]:
    """Record each gc.freeze() call (the permanent generation's size also falls when a frozen object is freed)."""
    calls: list[None] = []
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(None) or freeze())
    return calls


def test_an_inner_block_leaves_the_collector_to_the_outer_one(collector, monkeypatch):
    freezes = _count_freezes(monkeypatch)
    with importing():
        with importing():
            pass
        assert not gc.isenabled() and freezes == []
    assert gc.isenabled() and len(freezes) == 1


def test_a_collector_that_was_off_stays_off_and_nothing_is_frozen(collector, monkeypatch):
    freezes = _count_freezes(monkeypatch)
    gc.disable()
    with importing():
        [[] for _ in range(100)]
    assert not gc.isenabled() and freezes == []


def test_an_implementation_imports_its_module_inside_the_pause(collector, monkeypatch):
    seen = []
    monkeypatch.setattr(registry.importlib, "import_module", lambda name: seen.append((name, gc.isenabled())) or sys)
    monkeypatch.delitem(sys.modules, "scratch.not_imported_yet", raising=False)
    registry.get(registry.REFERENCE).module("not_imported_yet")
    assert seen == [("scratch.not_imported_yet", False)] and gc.isenabled()


def test_each_floor_process_imports_as_the_cli_does():
    for argv, _ in floor_processes():
        assert argv[:2] == [sys.executable, "-c"]
        prefix, _, rest = FLOOR_CODE.partition("{modules}")
        assert argv[2].startswith(prefix) and argv[2].endswith(rest)
    imported = {m for argv, _ in floor_processes() for m in argv[2][len(prefix) : -len(rest)].split(", ")}
    for impl in registry.IMPLEMENTATIONS.values():
        assert {impl.package, *impl.imports} <= imported


def test_every_worker_input_is_closed_before_any_worker_is_waited_for(monkeypatch):
    calls = []

    class Fake:
        def __init__(self, name):
            self.name = name

        def end_input(self):
            calls.append(("end", self.name))

        def close(self):
            calls.append(("close", self.name))

    monkeypatch.setattr(workers, "_WORKERS", {"a": Fake("a"), "b": Fake("b")})
    workers.close_all()
    assert calls[:2] == [("end", "a"), ("end", "b")] and sorted(calls[2:]) == [("close", "a"), ("close", "b")]
    assert workers._WORKERS == {}


@pytest.mark.full  # starts a process
def test_finish_flushes_runs_the_exit_handlers_and_exits_with_the_code(tmp_path):
    marker = tmp_path / "handler-ran"
    code = (
        "import atexit, sys\n"
        "from compare.process import finish\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('yes'))\n"
        "sys.stdout.write('report without a newline')\n"
        "sys.stderr.write('last line')\n"
        "finish(3)\n"
        "print('never')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout == "report without a newline" and done.stderr == "last line"
    assert marker.read_text() == "yes"
