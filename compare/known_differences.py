"""Framework facts that make an implementation part from scratch for a documented reason.

When the first divergence matches one of these, the report says why beside the ✗,
so a student sees the cause rather than a bare mismatch. Each entry names the page
that explains it; the matching test shows the harness reporting exactly that.
"""

from __future__ import annotations

from scratch.spec import Spec


def known_cause(spec: Spec, dtype: str, framework: str, quantity: str) -> str | None:
    """A one-line reason for ``framework`` first parting from scratch at ``quantity``, or None."""
    layer = quantity[1:]
    if (framework == "keras" and dtype == "float64" and quantity.startswith("a") and layer.isdigit()
            and spec.activations[int(layer) - 1] == "leaky_relu"):
        # TensorFlow's LeakyRelu op holds alpha as a float32 attribute: 0.01 -> 0.009999999776 (2.2e-8 relative)
        return "known: TensorFlow keeps the leaky ReLU slope in float32 (docs/numerics.md §4)"
    return None
