"""Compute threads for Keras: the backend's own pools (keras_impl.backend.set_threads).

On TensorFlow intra-op = ``threads`` and inter-op = 1 (one step is one chain of ops); on torch
``torch.set_num_threads``; on JAX XLA's CPU client keeps its own pool (no public setting once
JAX runs; docs/benchmarks.md). Only the backend this process runs is imported: a JAX or torch
worker never loads TensorFlow for this.
"""

from __future__ import annotations

from keras_impl import backend


def set_threads(threads: int) -> dict[str, object]:
    """Set the backend's pools where it allows it now; return what the backend reports."""
    return backend.set_threads(threads)
