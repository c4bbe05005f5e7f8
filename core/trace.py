"""What one forward + backward pass produced, in one framework-neutral record.

All three implementations return a :class:`Trace`, so the harness can compare
them quantity by quantity, in the order the maths computes them:
forward z/a per layer -> loss -> delta per layer -> gradients.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.spec import Spec


@dataclass
class Trace:
    """Intermediate values of one pass over a batch of m samples.

    Attributes:
        spec: the architecture.
        z: ``{l: (m, n_l)}`` pre-activations for l = 1..L.
        a: ``{l: (m, n_l)}`` activations for l = 0..L (``a[0]`` is X).
        loss: the scalar loss (a mean over samples, see scratch.losses).
        delta: ``{l: (m, n_l)}`` per-sample dl/dz_l, so that dW_l = delta_l^T a_{l-1} / m.
            The frameworks' autograd gives dL/dz_l = delta_l / m; they report m times that.
        grads: ``{"W1": (n_1, n_0), "b1": (n_1,), ...}`` gradients of the scalar loss,
            in the canonical layout.
    """

    spec: Spec
    z: dict[int, np.ndarray]
    a: dict[int, np.ndarray]
    loss: float
    delta: dict[int, np.ndarray] = field(default_factory=dict)
    grads: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def output(self) -> np.ndarray:
        """The last layer's activation a_L, ``(m, n_L)`` (probabilities for sigmoid and softmax)."""
        return self.a[self.spec.n_layers]

    def quantities(self) -> list[tuple[str, np.ndarray]]:
        """Every compared quantity, named, in computation order (forward, loss, backward, grads)."""
        L = self.spec.n_layers
        items: list[tuple[str, np.ndarray]] = []
        for l in range(1, L + 1):
            items.append((f"z{l}", self.z[l]))
            items.append((f"a{l}", self.a[l]))
        items.append(("loss", np.asarray(self.loss)))
        for l in range(L, 0, -1):
            if l in self.delta:
                items.append((f"delta{l}", self.delta[l]))
        for l in range(L, 0, -1):
            for p in (f"W{l}", f"b{l}"):
                if p in self.grads:
                    items.append((f"d{p}", self.grads[p]))
        return items
