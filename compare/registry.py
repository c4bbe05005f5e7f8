"""The one registry of implementations: everything the harness, the CLI, the plots and the tests know of each.

Every list of frameworks in this project derives from :data:`IMPLEMENTATIONS`
(a test greps the code for any other). An entry names its package, whose modules
are parallel to scratch's (``model.evaluate``, ``train.train``, ``init.draw``,
``optimizers``, ...), its label and plot style, the packages whose versions it
reports, its bench steps and its known differences. Adding an implementation is
one package and one entry here; the conformance tests (tests/conformance/) are
what it must pass.

Packages are imported on first use only, so ``--frameworks scratch`` never
imports torch or TensorFlow.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from compare.parity.known_differences import TF_LEAKY_SLOPE_FLOAT32, KnownDifference
from core.errors import InputError


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
    """

    name: str
    label: str
    package: str
    imports: tuple[str, ...]
    versions: Mapping[str, tuple[str, ...]]
    style: Mapping[str, Any]
    bench: tuple[BenchStep, ...]
    known_differences: tuple[KnownDifference, ...] = field(default=())

    def module(self, part: str) -> ModuleType:
        """Its module ``part`` (``"model"``, ``"train"``, ``"init"``, ...), imported now."""
        return importlib.import_module(f"{self.package}.{part}")

    @property
    def evaluate(self) -> Callable[..., Any]:
        """``evaluate(spec, params, X, y, dtype) -> core.trace.Trace``."""
        return self.module("model").evaluate

    @property
    def train(self) -> Callable[..., Any]:
        """``train(spec, params, X, y, *, optimizer, hyper, batches, ...) -> core.training.TrainResult``."""
        return self.module("train").train

    @property
    def draw(self) -> Callable[..., Any]:
        """``draw(method, fan_out, fan_in, seed) -> (fan_out, fan_in)`` float64 initial weights."""
        return self.module("init").draw


REFERENCE = "scratch"

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
        ),
        Implementation(
            name="keras",
            label="Keras 3 (TensorFlow)",
            package="keras_impl",
            imports=("keras", "tensorflow"),
            versions={"tensorflow": ("tensorflow-cpu", "tensorflow"), "keras": ("keras",)},
            style={"linestyle": ":", "linewidth": 2.0, "color": "C2"},
            bench=(
                BenchStep("keras-function", "compare.bench.steps:keras_function_step", "C2"),
                BenchStep("keras-train_on_batch", "compare.bench.steps:keras_train_on_batch_step", "C3"),
            ),
            known_differences=(TF_LEAKY_SLOPE_FLOAT32,),
        ),
    )
}

NAMES: tuple[str, ...] = tuple(IMPLEMENTATIONS)
OTHERS: tuple[str, ...] = tuple(name for name in NAMES if name != REFERENCE)  # the ones compared with scratch


def register(implementation: Implementation) -> None:
    """Add an entry at run time (a plug-in, or a test), before the CLI modules are imported.

    Modules that read :data:`NAMES` at import (compare.options' ``--frameworks`` choices)
    see the new entry only if they are imported after this call.
    """
    global NAMES, OTHERS
    IMPLEMENTATIONS[implementation.name] = implementation
    NAMES = tuple(IMPLEMENTATIONS)
    OTHERS = tuple(name for name in NAMES if name != REFERENCE)


def get(name: str) -> Implementation:
    """The entry for ``name``.

    Raises:
        InputError: an unknown name (the message lists the known ones).
    """
    if name not in IMPLEMENTATIONS:
        raise InputError(f"unknown framework {name!r}; choose from {', '.join(NAMES)}")
    return IMPLEMENTATIONS[name]


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
