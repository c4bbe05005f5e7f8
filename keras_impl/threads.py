"""Compute threads for Keras on TensorFlow: intra-op = ``threads``, inter-op = 1 (one step is one chain of ops)."""

from __future__ import annotations

import tensorflow as tf


def set_threads(threads: int) -> dict[str, object]:
    """Set TensorFlow's pools (only possible before TF runs its first op); return what TF now reports."""
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:  # TF already ran an op; its pools are fixed for this process
        pass
    return {
        "tensorflow_intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
        "tensorflow_inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
    }
