"""Framework-neutral architecture spec: ``SIZES:ACTIVATIONS:LOSS``.

Examples (the three lecture nets)::

    2-4-1:sigmoid,sigmoid:bce     ED5340 L26, one sigmoid output + binary cross-entropy
    2-4-3:relu,softmax:cce        Session-5 backprop, ReLU hidden + softmax + cross-entropy
    2-2-2:sigmoid,sigmoid:sse     Mazur's worked example, E_total = sum 1/2 (t - o)^2

``SIZES`` lists n_0 (inputs) ... n_L (outputs); there is one activation per
layer l = 1..L. ``scratch`` owns this spec; ``torch_impl`` and ``keras_impl``
read it and build the same network from their own layers.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.activations import ACTIVATIONS, activation
from core.errors import InputError
from core.losses import loss


@dataclass(frozen=True)
class Spec:
    """An MLP: layer sizes ``(n_0, ..., n_L)``, activations for layers 1..L, a loss.

    Raises:
        InputError: for any combination that makes no sense; the message says why.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str

    def __post_init__(self) -> None:
        """Refuse any combination that makes no sense, with the reason."""
        self._check_sizes()
        self._check_names()
        self._check_output()

    def _check_sizes(self) -> None:
        if len(self.sizes) < 2:
            raise InputError(f"spec needs at least 2 layer sizes (inputs and outputs), got {len(self.sizes)}")
        for n in self.sizes:
            if not isinstance(n, int) or n < 1:
                raise InputError(f"layer sizes must be positive integers, got {n!r}")
        if len(self.activations) != len(self.sizes) - 1:
            raise InputError(
                f"spec has {len(self.sizes) - 1} layers (sizes {self.text_sizes}) "
                f"but {len(self.activations)} activations; give one activation per layer"
            )

    def _check_names(self) -> None:
        for name in self.activations:
            activation(name)  # raises InputError for an unknown name
        loss(self.loss)
        for name in self.activations[:-1]:
            if not ACTIVATIONS[name].hidden:
                raise InputError(f"{name} is only allowed on the output layer (it normalises a whole layer into probabilities)")

    def _check_output(self) -> None:
        out, n_out = self.activations[-1], self.sizes[-1]
        if self.loss == "bce" and n_out != 1:
            raise InputError(f"bce needs exactly one output unit (a probability of class 1), spec has {n_out}")
        if self.loss == "bce" and out != "sigmoid":
            raise InputError(f"bce needs a sigmoid output (a probability), spec has {out}")
        if self.loss == "cce" and out != "softmax":
            raise InputError(f"cce needs a softmax output (a probability distribution over classes), spec has {out}")
        if self.loss == "cce" and n_out < 2:
            raise InputError(f"cce needs at least 2 output classes, spec has {n_out}")
        if out == "softmax" and self.loss != "cce":
            raise InputError(f"a softmax output is only paired with cce here, not {self.loss}")

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.sizes) - 1

    @property
    def text_sizes(self) -> str:
        """``"2-4-3"``."""
        return "-".join(str(n) for n in self.sizes)

    def __str__(self) -> str:
        return f"{self.text_sizes}:{','.join(self.activations)}:{self.loss}"

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Canonical parameter shapes: ``W_l`` is ``(n_l, n_{l-1})``, ``b_l`` is ``(n_l,)``."""
        shapes: dict[str, tuple[int, ...]] = {}
        for l in range(1, len(self.sizes)):
            shapes[f"W{l}"] = (self.sizes[l], self.sizes[l - 1])
            shapes[f"b{l}"] = (self.sizes[l],)
        return shapes


def parse_spec(text: str) -> Spec:
    """Parse ``"2-4-3:relu,softmax:cce"`` into a :class:`Spec`.

    Raises:
        InputError: if the text is not ``SIZES:ACTIVATIONS:LOSS`` or the combination is invalid.
    """
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise InputError(f"spec {text!r} is not SIZES:ACTIVATIONS:LOSS, e.g. 2-4-3:relu,softmax:cce")
    sizes_text, acts_text, loss = parts
    try:
        sizes = tuple(int(s) for s in sizes_text.split("-"))
    except ValueError:
        raise InputError(f"spec {text!r}: sizes {sizes_text!r} must be integers joined by '-', e.g. 2-4-3") from None
    activations = tuple(a.strip() for a in acts_text.split(","))
    return Spec(sizes, activations, loss.strip())
