"""What one forward + backward pass produced, in one framework-neutral record.

All three implementations return a :class:`Trace`, so the harness can compare
them quantity by quantity, in the order the maths computes them:
forward z/a per layer -> loss -> delta per layer -> gradients. A layer with batch
norm adds its output and (in training mode) the running statistics it left; a layer
with dropout adds (in training mode) its activation before dropout and the mask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.spec import Spec

GRADIENT_ORDER = ("W", "b", "gamma", "beta")  # within one layer, the order gradients are listed in


def quantity_names(spec: Spec, mode: str = "train") -> list[str]:
    """Every quantity a full :class:`Trace` of ``spec`` in ``mode`` holds, in computation order.

    Per layer l: ``z_l``, then with batch norm ``bn_l`` (and in training mode ``running_mean_l``,
    ``running_var_l`` after the pass), then with dropout in training mode ``h_l`` (the activation)
    and ``mask_l``, then ``a_l``; then ``loss``; then ``delta_L .. delta_1``; then per layer from
    the output down ``dW_l``, ``db_l`` (or ``dgamma_l``, ``dbeta_l``). A plain net gives
    ``z1, a1, ..., zL, aL, loss, deltaL, ..., delta1, dWL, dbL, ..., dW1, db1``.
    """
    L = spec.n_layers
    training = mode == "train"
    names: list[str] = []
    for l in range(1, L + 1):
        names.append(f"z{l}")
        if spec.has_batch_norm(l):
            names.append(f"bn{l}")
            if training:
                names += [f"running_mean{l}", f"running_var{l}"]
        if spec.dropout_rate(l) is not None and training:
            names += [f"h{l}", f"mask{l}"]
        names.append(f"a{l}")
    names.append("loss")
    names += [f"delta{l}" for l in range(L, 0, -1)]
    trained = spec.param_shapes()
    names += [f"d{p}{l}" for l in range(L, 0, -1) for p in GRADIENT_ORDER if f"{p}{l}" in trained]
    return names


@dataclass(repr=False)
class Trace:
    """Intermediate values of one pass over a batch of m samples.

    ``repr(trace)`` is one line (the spec, m, the mode, the loss, the gradients' shapes), never
    the arrays; ``trace._repr_html_()`` is a table of every quantity's shape and range for a notebook.

    Attributes:
        spec: the architecture.
        z: ``{l: (m, n_l)}`` the linear maps' outputs (pre-activations without batch norm) for l = 1..L.
        a: ``{l: (m, n_l)}`` the layers' outputs for l = 0..L (``a[0]`` is X; after dropout where there is one).
        loss: the scalar loss (a mean over samples, see scratch.losses).
        delta: ``{l: (m, n_l)}`` per-sample dl/dz_l, so that dW_l = delta_l^T a_{l-1} / m.
            The frameworks' autograd gives dL/dz_l = delta_l / m; they report m times that.
        grads: ``{"W1": (n_1, n_0), "b1": (n_1,), ...}`` gradients of the scalar loss,
            in the canonical layout (``gamma_l``, ``beta_l`` ``(n_l,)`` for a layer with batch norm).
        mode: ``"train"`` (batch statistics, dropout on) or ``"inference"`` (running statistics, no dropout).
        bn: ``{l: (m, n_l)}`` batch norm's output gamma_l zhat_l + beta_l, the activation's input.
        h: ``{l: (m, n_l)}`` the activation's output before dropout (training mode).
        masks: ``{l: (m, n_l)}`` the dropout keep masks (True = kept), training mode: the ones
            this implementation drew; scratch accepts them as an input.
        running: ``{"running_mean1": (n_1,), "running_var1": ...}`` the running statistics after
            the pass (training mode updates them).
        running_variance: which batch variance ``running_var`` averages, ``"unbiased"`` or
            ``"biased"`` (core.normalization); ``""`` without batch norm.
        intermediates: values only scratch writes out (``mu1``, ``var1``, ``zhat1``, ``dbn1``),
            for ``explain``; never compared.
    """

    spec: Spec
    z: dict[int, np.ndarray]
    a: dict[int, np.ndarray]
    loss: float
    delta: dict[int, np.ndarray] = field(default_factory=dict)
    grads: dict[str, np.ndarray] = field(default_factory=dict)
    mode: str = "train"
    bn: dict[int, np.ndarray] = field(default_factory=dict)
    h: dict[int, np.ndarray] = field(default_factory=dict)
    masks: dict[int, np.ndarray] = field(default_factory=dict)
    running: dict[str, np.ndarray] = field(default_factory=dict)
    running_variance: str = ""
    intermediates: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def output(self) -> np.ndarray:
        """The last layer's activation a_L, ``(m, n_L)`` (probabilities for sigmoid and softmax)."""
        return self.a[self.spec.n_layers]

    def __repr__(self) -> str:
        """``Trace(2-4-3:relu,softmax:cce, m=300, train, loss=1.09861, grads dW1 (4, 2), db1 (4,), ...)``."""
        grads = ", ".join(f"d{name} {tuple(np.shape(value))}" for name, value in self.grads.items())
        m = np.shape(self.a[0])[0] if 0 in self.a else "?"
        return f"Trace({self.spec}, m={m}, {self.mode}, loss={float(self.loss):.6g}" + (f", grads {grads})" if grads else ")")

    def _repr_html_(self) -> str:
        """An HTML table for notebooks: each quantity's shape, min and max (escaped; no array dumped)."""
        import html

        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{tuple(np.shape(value))}</td>"
            f"<td>{_extreme(value, np.min)}</td><td>{_extreme(value, np.max)}</td></tr>"
            for name, value in self.quantities()
        )
        caption = html.escape(repr(self))
        return (
            f"<table><caption>{caption}</caption><tr><th>quantity</th><th>shape</th><th>min</th><th>max</th></tr>{rows}</table>"
        )

    def quantities(self) -> list[tuple[str, np.ndarray]]:
        """Every compared quantity this trace holds, named, in computation order (:func:`quantity_names`)."""
        values: dict[str, np.ndarray] = {"loss": np.asarray(self.loss)}
        for prefix, per_layer in (("z", self.z), ("a", self.a), ("bn", self.bn), ("h", self.h), ("mask", self.masks)):
            values |= {f"{prefix}{l}": v for l, v in per_layer.items() if l > 0}
        values |= {f"delta{l}": v for l, v in self.delta.items()}
        values |= {f"d{name}": v for name, v in self.grads.items()}
        values |= self.running
        order = quantity_names(self.spec, self.mode)
        known = [(name, values[name]) for name in order if name in values]
        return known + [(name, value) for name, value in values.items() if name not in order]


def _extreme(value: np.ndarray, reduce: Callable[[np.ndarray], np.generic]) -> str:
    """``reduce(value)`` as 6 significant digits, ``""`` for an empty array."""
    array = np.asarray(value, dtype=np.float64)
    return f"{float(reduce(array)):.6g}" if array.size else ""
