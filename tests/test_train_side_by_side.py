"""``train`` with frameworks side by side in worker processes: which move, and the numbers stay the same."""

import json
from concurrent.futures import Future

import pytest

from compare import registry
from compare.cli import main
from compare.registry import BenchStep, Implementation
from compare.training.run import TrainingJob

REFERENCE = registry.REFERENCE
PLAIN = next(n for n in registry.NAMES if n != REFERENCE and not registry.get(n).environment)  # torch
BACKENDS = [n for n in registry.NAMES if registry.get(n).environment]  # the Keras backends, TensorFlow's first
FIRST, SECOND = BACKENDS[0], BACKENDS[1]


@pytest.mark.parametrize(
    "frameworks, cpus, moved",
    [
        ([PLAIN, FIRST], 2, (FIRST,)),  # this process trains scratch and torch, one worker Keras
        ([PLAIN, FIRST], 4, (FIRST, PLAIN)),
        ([PLAIN, FIRST], 1, ()),
        ([PLAIN], 2, (PLAIN,)),
        # two workers are needed anyway (the other Keras backends): three processes on two CPUs already
        ([PLAIN, *BACKENDS], 2, ()),
        ([PLAIN, *BACKENDS], 4, (FIRST,)),
        ([SECOND, FIRST], 4, (SECOND,)),  # the first Keras backend asked for would run here: it may move too
        ([REFERENCE], 8, ()),  # scratch, the reference, always trains here
    ],
)
def test_frameworks_move_to_workers_until_there_are_as_many_processes_as_cpus(monkeypatch, frameworks, cpus, moved):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setattr(registry, "_would_run_here", _fresh_process)
    assert registry.side_by_side(frameworks, cpus) == moved


def _fresh_process(impl, claimed):
    """runs_here in a process that has imported no framework (the pytest process may already have)."""
    return all(claimed.get(key, value) == value for key, value in impl.environment.items())


def test_an_entry_registered_at_run_time_stays_in_this_process(monkeypatch):
    """A worker process would not know it: only the registry file's entries exist there."""
    monkeypatch.setattr(registry, "IMPLEMENTATIONS", dict(registry.IMPLEMENTATIONS))
    monkeypatch.setattr(registry, "_REGISTERED_HERE", set())
    for names in ("NAMES", "OTHERS", "LOOPS"):  # register() replaces them: restored afterwards
        monkeypatch.setattr(registry, names, getattr(registry, names))
    entry = Implementation(
        name="numpy-again",
        label="scratch again",
        package="scratch",
        imports=("numpy",),
        versions={},
        style={},
        bench=(BenchStep("numpy-again", "compare.bench.steps:scratch_step", "C4"),),
    )
    registry.register(entry)
    assert registry.side_by_side(["numpy-again"], 4) == ()
    assert registry.side_by_side(["numpy-again", PLAIN], 4) == (PLAIN,)


def test_inside_in_workers_an_entry_does_not_run_here_and_afterwards_it_does():
    plain = registry.get(PLAIN)
    with registry.in_workers([PLAIN, REFERENCE]):
        assert not plain.runs_here() and registry.get(REFERENCE).runs_here()
    assert plain.runs_here()


@pytest.mark.full  # starts a worker process: the full suite only
def test_a_training_in_a_worker_gives_the_same_json_as_in_this_process(capsys):
    """torch trained in a worker process of its own and here: every number equal (the report's threads aside)."""
    argv = ["train", "--frameworks", "torch", "--arch", "spiral-2-4-3", "--optimizer", "adam", "--steps", "20"]
    reports = []
    for extra in ([], ["--in-process"]):
        with registry.in_workers(["torch"] if not extra else []):
            assert main([*argv, *extra, "--format", "json"]) == 0
        reports.append(json.loads(capsys.readouterr().out))
    side_by_side, in_process = reports
    assert side_by_side["runs"] == in_process["runs"]
    assert len(side_by_side["runs"][0]["results"]["torch"]["loss_history"]) == 11  # steps 1, 2, 4, ..., 20: real runs


def test_cancelling_a_job_drops_the_worker_requests_not_yet_begun():
    waiting, running = Future(), Future()
    running.set_running_or_notify_cancel()
    job = TrainingJob(run=None, frameworks=(), common={}, theirs=None, on_step=None, pending={"a": waiting, "b": running})
    job.cancel()
    assert waiting.cancelled() and not running.cancelled()
