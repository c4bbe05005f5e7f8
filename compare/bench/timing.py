"""Timing for ``python -m compare bench``: threads, a median-of-blocks step timer, FLOPs, matmul peak.

Nothing here imports torch or TensorFlow at module level; :func:`set_threads`
configures the frameworks it is given (call it before anything is timed: TensorFlow
fixes its pools at its first op).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class Timing:
    """Per-step seconds: the median of ``repeats`` blocks of ``steps_per_block`` steps each."""

    median_s: float
    min_s: float
    max_s: float
    steps_per_block: int
    repeats: int


def time_step(
    step: Callable[[], object],
    sync: Callable[[], object],
    repeats: int = 5,
    block_s: float = 0.02,
    warmup_s: float = 0.05,
    clock: Callable[[], float] = time.perf_counter,
) -> Timing:
    """Time one training step.

    Warm-up (excluded): at least ``warmup_s`` seconds and two steps (one step when
    it alone took over a second), so that tracing, first-call allocation and caches settle. Then the steps per block
    grow (at least x2, at most x100, aiming at 1.2 ``block_s`` from the last block) until one block takes
    ``block_s`` (timer resolution and loop overhead become negligible); that block and ``repeats - 1`` more
    of the same size are the timed blocks. ``sync()`` runs at the end
    of each block, inside the timed region, so queued work is counted.

    ``clock()`` returns seconds (default ``time.perf_counter``); tests pass a fake
    clock, so that this bookkeeping is checked without timing anything.
    """
    start = clock()
    calls = 0
    while calls < 1 or clock() - start < warmup_s or (calls < 2 and clock() - start < 1.0):
        step()
        calls += 1
    sync()
    steps = 1
    while True:
        t = clock()
        for _ in range(steps):
            step()
        sync()
        elapsed = clock() - t
        if elapsed >= block_s or steps >= 1 << 20:
            break
        steps = min(steps * 100, max(steps * 2, int(steps * block_s / max(elapsed, 1e-9) * 1.2)))
    per_step = [elapsed / steps]  # the calibration block counts as the first repeat
    for _ in range(repeats - 1):
        t = clock()
        for _ in range(steps):
            step()
        sync()
        per_step.append((clock() - t) / steps)
    return Timing(statistics.median(per_step), min(per_step), max(per_step), steps, len(per_step))


def matmul_peak(dtype: str, n: int = 2048, repeats: int = 3) -> float:
    """NumPy ``n x n @ n x n`` GFLOP/s in ``dtype`` (2 n^3 FLOPs), best of ``repeats`` after one warm-up.

    The best, not the median: this is the machine's ceiling for the wide nets.
    """
    rng = np.random.RandomState(0)
    A = rng.rand(n, n).astype(dtype)
    B = rng.rand(n, n).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    np.matmul(A, B, out=out)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.matmul(A, B, out=out)
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9
