"""How many compute threads each framework gets: one for the tiny nets of the lectures, all CPUs for wide ones.

A training step of a lecture net is a few thousand floating-point operations: splitting
such matmuls over threads gains nothing, and on a busy machine spinning threads starve
(docs/benchmarks.md measures torch's spiral step at 0.7 ms with one intra-op thread against
20-34 ms with two while other work ran). The rule: one thread when the largest step of the
run needs fewer than :data:`SMALL_STEP_FLOPS` matmul operations, else every CPU this process
may use. ``--threads N`` overrides it. Every implementation sets its own framework's pools
(its ``threads.set_threads``); a worker process gets the number through :data:`ENVIRONMENT`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from core.spec import Spec

SMALL_STEP_FLOPS = 2e7  # 6 m sum n_(l-1) n_l; the spiral net's full batch is 3.6e4, 2-256-256-3 at m = 300 is 1.2e8
ENVIRONMENT = "COMPARE_THREADS"  # how a worker process learns the number


def cpus() -> int:
    """The CPUs this process may run on (``os.sched_getaffinity``), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def step_flops(spec: Spec, m: int) -> int:
    """Matmul FLOPs of one training step: ``6 m sum_l n_{l-1} n_l`` (forward, and the backward's two products)."""
    return 6 * m * sum(n_in * n_out for n_in, n_out in zip(spec.sizes[:-1], spec.sizes[1:], strict=True))


def choose(nets: Iterable[tuple[Spec, int]], requested: int | None = None) -> int:
    """The thread count for a run of ``(spec, batch size)`` nets: ``requested``, else the rule of the module docstring."""
    if requested is not None:
        return requested
    largest = max((step_flops(spec, m) for spec, m in nets), default=0)
    return 1 if largest < SMALL_STEP_FLOPS else cpus()


def export(frameworks: Iterable[str], threads: int) -> None:
    """Put ``threads`` in the environment and start now the worker processes of ``frameworks`` that cannot run here.

    compare.workers.serve sets each worker's pools from the environment, so the workers import
    their frameworks while this process goes on.
    """
    from compare import registry

    os.environ[ENVIRONMENT] = str(threads)  # inherited by worker processes (compare.workers.serve)
    registry.start_workers(frameworks)


def apply_here(frameworks: Iterable[str], threads: int) -> dict[str, Any]:
    """Set ``threads`` in every framework of ``frameworks`` that runs in this process (importing it now).

    Returns what each reports (its ``threads.set_threads``), with ``"requested"``.
    """
    from compare import registry

    info: dict[str, Any] = {"requested": threads}
    for name in registry.with_reference(frameworks):
        impl = registry.get(name)
        if impl.runs_here():
            info |= impl.module("threads").set_threads(threads)
    return info


def apply(frameworks: Iterable[str], threads: int) -> dict[str, Any]:
    """:func:`export`, then :func:`apply_here`: the workers start before this process imports its own frameworks."""
    frameworks = tuple(frameworks)
    export(frameworks, threads)
    return apply_here(frameworks, threads)
