"""Small helpers the tests share (imported as ``helpers``, like ``planted_bugs``)."""

from __future__ import annotations

from compare import registry
from compare.parity.harness import quantity_names
from core.spec import Spec


def honest_dtype(framework: str, spec: Spec) -> str:
    """float64, unless one of the framework's known differences shows on this net in float64.

    Then float32, where such a difference is below tolerance: e.g. Keras on TensorFlow keeps
    the leaky ReLU slope in float32 (test_edges.py::test_keras_leaky_slope_is_float32), so its
    honest float64 run differs from scratch by ~2e-8.
    """
    known = registry.get(framework).known_differences
    shows = any(d.applies(spec, "float64", q) for d in known for q in quantity_names(spec))
    return "float32" if shows else "float64"


def has_known_difference(framework: str, key: str) -> bool:
    """Whether ``framework``'s registry entry lists the known difference ``key``."""
    return any(d.key == key for d in registry.get(framework).known_differences)
