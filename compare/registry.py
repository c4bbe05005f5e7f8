"""The one registry of implementations: everything the harness, the CLI, the plots and the tests know of each.

Every list of frameworks in this project derives from :data:`IMPLEMENTATIONS`
(a test greps the code for any other). An entry names its package, whose modules
are parallel to scratch's (``model.evaluate``, ``train.train``, ``init.draw``,
``optimizers``, ...), its label and plot style, the packages whose versions it
reports, its bench steps and its known differences. Adding an implementation is
one package and one entry here; the conformance tests (tests/conformance/) are
what it must pass.

Packages are imported on first use only, so ``--frameworks scratch`` never
imports torch or TensorFlow. An entry with an ``environment`` this process does not
have (a second Keras backend: Keras fixes one per process) runs in a worker process
of its own (compare.workers); calling its ``evaluate``, ``train`` or ``draw`` is the same.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any

from compare.parity.known_differences import (
    JAX_LEAKY_DERIVATIVE_AT_ZERO,
    KERAS_BATCH_NORM_ONE_ROW,
    KERAS_BIASED_RUNNING_VARIANCE,
    KERAS_DROPOUT_DIVIDES,
    KERAS_MOMENTUM_COMPLEMENT,
    KERAS_TORCH_ONE_PASS_VARIANCE,
    TF_HYPERPARAMETERS_FLOAT32,
    TF_LEAKY_SLOPE_FLOAT32,
    TORCH_BACKEND_OPTIMIZERS,
    TORCH_DROPOUT_SCALE_FLOAT32,
    KnownDifference,
)
from core.errors import InputError

_IN_WORKERS: set[str] = set()  # implementations sent to worker processes of their own (in_workers)
_REGISTERED_HERE: set[str] = set()  # entries added by register(): a worker process would not know them


@dataclass(frozen=True)
class BenchStep:
    """One way of timing a training step (compare.bench): its name, its builder ``"module:function"``, its colour."""

    name: str
    builder: str
    color: str


@dataclass(frozen=True)
class Implementation:
    """One implementation of the MLP.

    Attributes:
        name: the CLI name (``--frameworks``), e.g. ``"torch"``.
        label: the name for people, e.g. ``"PyTorch"``.
        package: its package; ``model``, ``train``, ``init`` and ``optimizers`` are its modules.
        imports: the top-level modules it needs (a missing one is an install problem).
        versions: reported name -> the distributions that may provide it (first found wins).
        style: matplotlib line style for its curves.
        bench: the training steps compare.bench times for it.
        known_differences: documented reasons it may part from scratch.
        environment: variables its framework (``imports[0]``) reads at import (``KERAS_BACKEND``);
            where this process has other values it runs in a worker process (compare.workers).
        install: how to install what it needs, for the message when something is missing.
        loop: for a training loop of its own (``model.fit``, a ``DataLoader`` loop), the module of its
            package whose ``train`` it is; it then appears only in the training comparison (:data:`LOOPS`).
            ``""`` for an implementation of the MLP itself (:data:`NAMES`).
    """

    name: str
    label: str
    package: str
    imports: tuple[str, ...]
    versions: Mapping[str, tuple[str, ...]]
    style: Mapping[str, Any]
    bench: tuple[BenchStep, ...]
    known_differences: tuple[KnownDifference, ...] = field(default=())
    environment: Mapping[str, str] = field(default_factory=dict)
    install: str = "pip install -c constraints.txt -e '.[test]'"
    loop: str = ""

    @property
    def train_module(self) -> str:
        """The module of its package whose ``train`` it runs: ``train``, or its loop's."""
        return self.loop or "train"

    def module(self, part: str) -> ModuleType:
        """Its module ``part`` (``"model"``, ``"train"``, ``"init"``, ...), imported now, in this process.

        A first import runs with the garbage collector paused (compare.process.importing).
        """
        name = f"{self.package}.{part}"
        if name in sys.modules:
            return sys.modules[name]
        from compare.process import importing

        with importing():
            return importlib.import_module(name)

    def missing(self) -> list[str]:
        """The modules it needs that are not installed (found without importing them)."""
        return [module for module in self.imports if importlib.util.find_spec(module) is None]

    def runs_here(self) -> bool:
        """Whether this process hosts it: not sent to a worker, and its environment is this process's.

        Not sent to a worker by :func:`in_workers`; every variable of its environment unset (then set now) or equal.
        """
        if self.name in _IN_WORKERS:
            return False
        for key, value in self.environment.items():
            current = os.environ.get(key)
            if current is None and self.imports[0] not in sys.modules:  # imports[0] reads the environment at import
                os.environ[key] = value  # this process now belongs to this entry's backend
            elif current != value:
                return False
        return True

    def _call(self, part: str, function: str) -> Callable[..., Any]:
        if self.runs_here():
            found: Callable[..., Any] = getattr(self.module(part), function)
            return found
        return partial(_remote, self, function)

    def submit_evaluate(self, *args: Any, **kwargs: Any) -> Future[Any]:
        """:attr:`evaluate` started now: in its worker while this process goes on, or here at once."""
        if self.runs_here():
            return _done(self.evaluate, *args, **kwargs)
        from compare import workers

        future = workers.worker(self.name, self.environment).submit(*workers.evaluate_request(*args, **kwargs))
        return _then(future, lambda reply: workers.trace_from(*reply))

    def submit_train(self, *args: Any, **kwargs: Any) -> Future[Any]:
        """:attr:`train` started now: queued in its worker while this process goes on, or here at once.

        A worker answers one request at a time, in the order submitted; ``on_step`` is called
        for every step once the result is back (the child's steps are not streamed).
        """
        if self.runs_here():
            return _done(self.train, *args, **kwargs)
        from compare import workers

        on_step = kwargs.get("on_step")
        future = workers.worker(self.name, self.environment).submit(*workers.train_request(*args, **kwargs))
        return _then(future, partial(_train_reply, on_step, len(kwargs["batches"])))

    @property
    def evaluate(self) -> Callable[..., Any]:
        """``evaluate(spec, params, X, y, dtype) -> core.trace.Trace`` (its ``model.evaluate``)."""
        return self._call("model", "evaluate")

    @property
    def train(self) -> Callable[..., Any]:
        """``train(spec, params, X, y, *, optimizer, hyper, batches, ...) -> core.training.TrainResult``."""
        return self._call(self.train_module, "train")

    @property
    def draw(self) -> Callable[..., Any]:
        """``draw(method, fan_out, fan_in, seed) -> (fan_out, fan_in)`` float64 initial weights."""
        return self._call("init", "draw")


def _done(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
    """A future holding ``function(*args, **kwargs)``, computed now (its exception, if it raises)."""
    future: Future[Any] = Future()
    try:
        future.set_result(function(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - re-raised by future.result()
        future.set_exception(exc)
    return future


def _then(future: Future[Any], convert: Callable[[Any], Any]) -> Future[Any]:
    """A future of ``convert(future.result())``."""
    out: Future[Any] = Future()

    def done(f: Future[Any]) -> None:
        try:
            out.set_result(convert(f.result()))
        except Exception as exc:  # noqa: BLE001 - re-raised by out.result()
            out.set_exception(exc)

    future.add_done_callback(done)
    return out


def _remote(impl: Implementation, function: str, *args: Any, **kwargs: Any) -> Any:
    """``function`` of ``impl``, run by its worker process."""
    from compare import workers

    worker = workers.worker(impl.name, impl.environment)
    if function == "evaluate":
        return workers.trace_from(*worker.call(*workers.evaluate_request(*args, **kwargs)))
    if function == "draw":
        return worker.call(*workers.draw_request(*args, **kwargs))[1]["weights"]
    reply = worker.call(*workers.train_request(*args, **kwargs))
    return _train_reply(kwargs.get("on_step"), len(kwargs["batches"]), reply)


def _train_reply(on_step: Callable[[int], object] | None, n_steps: int, reply: Any) -> Any:
    """The TrainResult of a worker's reply; ``on_step(k)`` for each of its steps, now that it is done."""
    from compare import workers

    result = workers.result_from(*reply)
    if on_step is not None:  # the child's steps are not streamed: report them when it is done
        for k in range(1, n_steps + 1):
            on_step(k)
    return result


REFERENCE = "scratch"
KERAS_BATCH_NORM = (KERAS_BIASED_RUNNING_VARIANCE, KERAS_MOMENTUM_COMPLEMENT, KERAS_BATCH_NORM_ONE_ROW)  # every Keras backend

IMPLEMENTATIONS: dict[str, Implementation] = {
    impl.name: impl
    for impl in (
        Implementation(
            name="scratch",
            label="NumPy from scratch",
            package="scratch",
            imports=("numpy",),
            versions={"numpy": ("numpy",)},
            style={"linestyle": "-", "linewidth": 3.0, "alpha": 0.5, "color": "C0"},
            bench=(BenchStep("scratch", "compare.bench.steps:scratch_step", "C0"),),
        ),
        Implementation(
            name="torch",
            label="PyTorch",
            package="torch_impl",
            imports=("torch",),
            versions={"torch": ("torch",)},
            style={"linestyle": "--", "linewidth": 1.5, "color": "C1"},
            bench=(BenchStep("torch", "compare.bench.steps:torch_step", "C1"),),
            known_differences=(TORCH_DROPOUT_SCALE_FLOAT32,),
        ),
        Implementation(
            name="keras",
            label="Keras 3 on TensorFlow",
            package="keras_impl",
            imports=("keras", "tensorflow"),
            versions={"tensorflow": ("tensorflow-cpu", "tensorflow"), "keras": ("keras",)},
            style={"linestyle": ":", "linewidth": 2.0, "color": "C2"},
            bench=(
                BenchStep("keras-function", "compare.bench.steps:keras_function_step", "C2"),
                BenchStep("keras-train_on_batch", "compare.bench.steps:keras_train_on_batch_step", "C3"),
            ),
            known_differences=(TF_LEAKY_SLOPE_FLOAT32, TF_HYPERPARAMETERS_FLOAT32, *KERAS_BATCH_NORM),
            environment={"KERAS_BACKEND": "tensorflow"},
        ),
        Implementation(
            name="keras-jax",
            label="Keras 3 on JAX",
            package="keras_impl",
            imports=("keras", "jax"),
            versions={"jax": ("jax",), "jaxlib": ("jaxlib",), "keras": ("keras",)},
            style={"linestyle": "-.", "linewidth": 1.5, "color": "C4"},
            bench=(BenchStep("keras-jax-jit", "compare.bench.steps:keras_step", "C4"),),
            known_differences=(JAX_LEAKY_DERIVATIVE_AT_ZERO, *KERAS_BATCH_NORM, KERAS_DROPOUT_DIVIDES),
            environment={"KERAS_BACKEND": "jax"},
        ),
        Implementation(
            name="keras-torch",
            label="Keras 3 on PyTorch",
            package="keras_impl",
            imports=("keras", "torch"),
            versions={"torch": ("torch",), "keras": ("keras",)},
            style={"linestyle": (0, (3, 1, 1, 1)), "linewidth": 1.5, "color": "C5"},
            bench=(BenchStep("keras-torch-eager", "compare.bench.steps:keras_step", "C5"),),
            known_differences=(TORCH_BACKEND_OPTIMIZERS, *KERAS_BATCH_NORM, KERAS_DROPOUT_DIVIDES, KERAS_TORCH_ONE_PASS_VARIANCE),
            environment={"KERAS_BACKEND": "torch"},
        ),
        Implementation(
            name="torch-dataloader",
            label="PyTorch, a DataLoader loop",
            package="torch_impl",
            imports=("torch",),
            versions={"torch": ("torch",)},
            style={"linestyle": (0, (1, 1)), "linewidth": 2.0, "color": "C6"},
            bench=(),
            loop="dataloader",
        ),
        Implementation(
            name="keras-fit",
            label="Keras 3 on TensorFlow, model.fit",
            package="keras_impl",
            imports=("keras", "tensorflow"),
            versions={"tensorflow": ("tensorflow-cpu", "tensorflow"), "keras": ("keras",)},
            style={"linestyle": (0, (5, 2)), "linewidth": 1.5, "color": "C7"},
            bench=(),
            environment={"KERAS_BACKEND": "tensorflow"},
            loop="fit",
        ),
    )
}


def _names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(NAMES, OTHERS, LOOPS) from :data:`IMPLEMENTATIONS`."""
    names = tuple(name for name, impl in IMPLEMENTATIONS.items() if not impl.loop)
    return names, tuple(name for name in names if name != REFERENCE), tuple(n for n, i in IMPLEMENTATIONS.items() if i.loop)


# NAMES: the implementations of the MLP; OTHERS: those compared with scratch; LOOPS: training loops of their own
NAMES, OTHERS, LOOPS = _names()


def register(implementation: Implementation) -> None:
    """Add an entry at run time (a plug-in, or a test), before the CLI modules are imported.

    Modules that read :data:`NAMES` at import (compare.options' ``--frameworks`` choices)
    see the new entry only if they are imported after this call.
    """
    global NAMES, OTHERS, LOOPS
    IMPLEMENTATIONS[implementation.name] = implementation
    _REGISTERED_HERE.add(implementation.name)
    NAMES, OTHERS, LOOPS = _names()


def get(name: str) -> Implementation:
    """The entry for ``name``.

    Raises:
        InputError: an unknown name (the message lists the known ones).
    """
    if name not in IMPLEMENTATIONS:
        raise InputError(f"unknown framework {name!r}; choose from {', '.join(NAMES)}")
    return IMPLEMENTATIONS[name]


def available() -> tuple[str, ...]:
    """The implementations of the MLP (:data:`NAMES`) whose modules are installed, in registry order."""
    return tuple(name for name in NAMES if not IMPLEMENTATIONS[name].missing())


def skipped() -> dict[str, str]:
    """Entry -> why it does not run by default (what is not installed)."""
    return {
        name: f"{', '.join(impl.missing())} not installed ({impl.install})"
        for name, impl in IMPLEMENTATIONS.items()
        if not impl.loop and impl.missing()
    }


def check_installed(names: Iterable[str]) -> tuple[str, ...]:
    """``names``, each checked to be installed.

    Raises:
        InputError: one line naming the first one that is not, and what is missing.
    """
    names = tuple(names)
    for name in names:
        missing = get(name).missing()
        if missing:
            raise InputError(f"framework {name!r} needs {', '.join(missing)}, which is not installed ({get(name).install})")
    return names


def start_workers(names: Iterable[str]) -> None:
    """Start now the worker of every one of ``names`` that cannot run here, so they import while this process works."""
    from compare import workers

    for name in with_reference(names):
        impl = get(name)
        if not impl.runs_here():
            workers.worker(name, impl.environment)


@contextmanager
def in_workers(names: Iterable[str]) -> Iterator[None]:
    """Inside the block, each of ``names`` (never scratch) runs in a worker process of its own.

    Trainings of several frameworks then use several CPUs (compare.training.run.start_training
    queues each in its worker). The workers stay up until exit. See :func:`side_by_side`.
    """
    added = {name for name in names if name != REFERENCE} - _IN_WORKERS
    _IN_WORKERS.update(added)
    try:
        yield
    finally:
        _IN_WORKERS.difference_update(added)


def side_by_side(names: Iterable[str], cpus: int) -> tuple[str, ...]:
    """Which of ``names`` to move to workers so that about ``cpus`` processes train at once.

    This process (scratch and whatever runs here) is one; each framework that needs a worker anyway
    (a second Keras backend) is one more. While there are fewer than ``cpus``, the last framework
    that would run here moves to a worker of its own (more processes than CPUs only compete); an
    entry added by :func:`register` stays (only this process knows it). Nothing is imported and no environment is claimed.
    """
    names = with_reference(names)
    claimed: dict[str, str] = {}  # what the environment would be after runs_here() claimed it, entry by entry
    here = []
    for name in names[1:]:
        impl = get(name)
        if _would_run_here(impl, claimed):
            claimed.update(impl.environment)
            here.append(name)
    processes = len(names) - len(here)  # this process, and one worker for each framework that needs one
    moved: list[str] = []
    movable = [name for name in here if name not in _REGISTERED_HERE]
    while movable and processes < cpus:
        moved.append(movable.pop())
        processes += 1
    return tuple(moved)


def _would_run_here(impl: Implementation, claimed: Mapping[str, str]) -> bool:
    """:meth:`Implementation.runs_here` against ``claimed`` over this process's environment, claiming nothing."""
    for key, value in impl.environment.items():
        current = claimed.get(key, os.environ.get(key))
        if current is None and impl.imports[0] not in sys.modules:
            continue  # runs_here would claim it
        if current != value:
            return False
    return True


def with_reference(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` with scratch first (it is the reference every comparison needs), duplicates dropped."""
    return tuple(dict.fromkeys((REFERENCE, *names)))


def bench_steps() -> dict[str, BenchStep]:
    """Every bench step of every implementation, by name, in registry order."""
    return {step.name: step for impl in IMPLEMENTATIONS.values() for step in impl.bench}


def bench_owner(step: str) -> Implementation:
    """The implementation bench step ``step`` belongs to."""
    return next(impl for impl in IMPLEMENTATIONS.values() if any(s.name == step for s in impl.bench))


def build_bench_step(name: str) -> Callable[..., Any]:
    """The builder function of bench step ``name``, imported now."""
    module, _, function = bench_steps()[name].builder.partition(":")
    return getattr(importlib.import_module(module), function)


def imported_modules() -> frozenset[str]:
    """Every top-level module some implementation needs."""
    return frozenset(module for impl in IMPLEMENTATIONS.values() for module in impl.imports)
