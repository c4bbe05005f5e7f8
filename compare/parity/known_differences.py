"""Framework facts that make an implementation part from scratch for a documented reason.

Each implementation's registry entry (compare.registry) lists the known differences
that apply to it. When the first divergence matches one, the report says why beside
the ✗, so a student sees the cause rather than a bare mismatch. Each entry names the
framework source line and the page that explains it; a test shows the harness
reporting exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.spec import Spec

Applies = Callable[[Spec, str, str], bool]  # (spec, dtype, quantity) -> whether this fact explains a divergence there


@dataclass(frozen=True)
class KnownDifference:
    """One documented reason for a divergence.

    Attributes:
        key: a short name, e.g. ``"leaky_slope_float32"``.
        note: the one line the report prints beside the ✗.
        source: the framework source that does it, and the page that explains it.
        applies: whether the fact explains a first divergence at ``(spec, dtype, quantity)``.
    """

    key: str
    note: str
    source: str
    applies: Applies


def activation_output(activation: str, dtype: str) -> Applies:
    """Applies at ``a_l`` of a layer whose activation is ``activation``, in ``dtype``."""

    def applies(spec: Spec, run_dtype: str, quantity: str) -> bool:
        layer = quantity[1:]
        return (
            run_dtype == dtype and quantity.startswith("a") and layer.isdigit() and spec.activations[int(layer) - 1] == activation
        )

    return applies


TF_LEAKY_SLOPE_FLOAT32 = KnownDifference(
    key="leaky_slope_float32",
    note="known: TensorFlow keeps the leaky ReLU slope in float32 (docs/numerics.md §4)",
    source="keras/src/backend/tensorflow/nn.py:104 calls tf.nn.leaky_relu(x, alpha=negative_slope); the LeakyRelu op's "
    'alpha is a `float` (32-bit) attribute (tensorflow/core/ops/nn_ops.cc, REGISTER_OP("LeakyRelu")): '
    "0.01 -> 0.009999999776, 2.2e-8 relative",
    applies=activation_output("leaky_relu", "float64"),
)


def known_cause(spec: Spec, dtype: str, framework: str, quantity: str) -> str | None:
    """The note of the first of ``framework``'s known differences that explains a first divergence at ``quantity``, or None."""
    from compare import registry  # the registry lists each implementation's known differences (and imports this module)

    return next((d.note for d in registry.get(framework).known_differences if d.applies(spec, dtype, quantity)), None)
