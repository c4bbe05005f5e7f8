"""Framework-neutral architecture spec: ``SIZES:LAYERS:LOSS``.

Examples (the three lecture nets, and one with the regularisers of the Amrita FFNN intro's
hyper-parameter slide)::

    2-4-1:sigmoid,sigmoid:bce                   ED5340 L26, one sigmoid output + binary cross-entropy
    2-4-3:relu,softmax:cce                      Session-5 backprop, ReLU hidden + softmax + cross-entropy
    2-2-2:sigmoid,sigmoid:sse                   Mazur's worked example, E_total = sum 1/2 (t - o)^2
    2-32-3:bn+relu+dropout=0.2,softmax:cce      batch norm and dropout on the hidden layer

``SIZES`` lists n_0 (inputs) ... n_L (outputs); there is one layer item per layer
l = 1..L. A layer item is its activation, written in computation order with what a
hidden layer may add around it: ``bn+`` before the activation (batch normalisation
between the linear map and the activation) and ``+dropout=P`` after it (inverted dropout
of the activation's output, rate P in [0, 1), the share of units dropped). A linear map
followed by batch norm has no bias: the batch mean removes it, and the norm's beta_l is
the shift (Ioffe & Szegedy 2015, section 3.2). ``scratch`` owns this spec; ``torch_impl``
and ``keras_impl`` read it and build the same network from their own layers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.activations import ACTIVATIONS, activation
from core.errors import InputError
from core.losses import loss

BATCH_NORM = "bn"  # the layer item's prefix for batch normalisation
DROPOUT = "dropout"  # the layer item's suffix for dropout: dropout=P


@dataclass(frozen=True)
class Spec:
    """An MLP: layer sizes ``(n_0, ..., n_L)``, activations for layers 1..L, a loss, and per layer batch norm and dropout.

    Attributes:
        sizes: ``(n_0, ..., n_L)``.
        activations: one name per layer l = 1..L.
        loss: the loss name.
        batch_norm: per layer, whether batch normalisation sits between its linear map and its
            activation (empty: none anywhere).
        dropout: per layer, the dropout rate applied to its activation's output, or None for no
            dropout (empty: none anywhere).

    Raises:
        InputError: for any combination that makes no sense; the message says why.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    batch_norm: tuple[bool, ...] = field(default=())
    dropout: tuple[float | None, ...] = field(default=())

    def __post_init__(self) -> None:
        """Refuse any combination that makes no sense, with the reason."""
        self._check_sizes()
        self._check_names()
        self._check_output()
        self._check_regularisers()

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

    def _check_regularisers(self) -> None:
        L = self.n_layers
        batch_norm = self.batch_norm or (False,) * L
        dropout = self.dropout or (None,) * L
        for what, given in (("batch_norm", batch_norm), ("dropout", dropout)):
            if len(given) != L:
                raise InputError(f"spec {what}: expected one entry per layer ({L}), got {len(given)}")
        for l, rate in enumerate(dropout, start=1):
            if rate is None:
                continue
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise InputError(
                    f"layer {l}: dropout rate must be a number in [0, 1) (the share of units dropped; 1 would drop "
                    f"every unit), got {rate!r}"
                )
        if batch_norm[-1]:
            raise InputError(
                f"layer {L} is the output layer: batch norm goes on hidden layers only (it would fix the mean and "
                "variance of the outputs the loss compares with the targets)"
            )
        if dropout[-1] is not None:
            raise InputError(
                f"layer {L} is the output layer: dropout goes on hidden layers only (it would zero outputs the loss needs)"
            )
        # normalised, so that Spec(sizes, activations, loss) equals its parsed text form
        object.__setattr__(self, "batch_norm", tuple(bool(b) for b in batch_norm))
        object.__setattr__(self, "dropout", tuple(None if r is None else float(r) for r in dropout))

    @property
    def n_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.sizes) - 1

    @property
    def text_sizes(self) -> str:
        """``"2-4-3"``."""
        return "-".join(str(n) for n in self.sizes)

    @property
    def mode_dependent(self) -> bool:
        """Whether training and inference mode compute different things (some layer has batch norm or dropout)."""
        return any(self.batch_norm) or self.has_dropout

    @property
    def has_dropout(self) -> bool:
        """Whether some layer has dropout."""
        return any(rate is not None for rate in self.dropout)

    def has_batch_norm(self, l: int) -> bool:
        """Whether layer l (1-based) has batch normalisation."""
        return self.batch_norm[l - 1]

    def dropout_rate(self, l: int) -> float | None:
        """Layer l's dropout rate, or None (1-based)."""
        return self.dropout[l - 1]

    def layer_text(self, l: int) -> str:
        """Layer l's item: ``"bn+relu+dropout=0.2"``, or just ``"relu"``."""
        text = ("bn+" if self.has_batch_norm(l) else "") + self.activations[l - 1]
        rate = self.dropout_rate(l)
        return text + ("" if rate is None else f"+{DROPOUT}={rate!r}")

    def __str__(self) -> str:
        layers = ",".join(self.layer_text(l) for l in range(1, self.n_layers + 1))
        return f"{self.text_sizes}:{layers}:{self.loss}"

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """The trained parameters, each with a gradient, in layer order.

        ``W_l`` is ``(n_l, n_{l-1})`` and ``b_l`` ``(n_l,)``; a layer with batch norm has no
        ``b_l`` but the norm's scale ``gamma_l`` and shift ``beta_l``, each ``(n_l,)``.
        """
        shapes: dict[str, tuple[int, ...]] = {}
        for l in range(1, len(self.sizes)):
            shapes[f"W{l}"] = (self.sizes[l], self.sizes[l - 1])
            if self.has_batch_norm(l):
                shapes[f"gamma{l}"] = (self.sizes[l],)
                shapes[f"beta{l}"] = (self.sizes[l],)
            else:
                shapes[f"b{l}"] = (self.sizes[l],)
        return shapes

    def buffer_shapes(self) -> dict[str, tuple[int, ...]]:
        """The batch norms' running statistics ``running_mean_l``, ``running_var_l``, each ``(n_l,)``: state, no gradient."""
        shapes: dict[str, tuple[int, ...]] = {}
        for l in range(1, len(self.sizes)):
            if self.has_batch_norm(l):
                shapes[f"running_mean{l}"] = (self.sizes[l],)
                shapes[f"running_var{l}"] = (self.sizes[l],)
        return shapes

    def canonical_shapes(self) -> dict[str, tuple[int, ...]]:
        """Everything a weights file holds: :meth:`param_shapes` and :meth:`buffer_shapes`, layer by layer."""
        trained, buffers = self.param_shapes(), self.buffer_shapes()
        shapes: dict[str, tuple[int, ...]] = {}
        for l in range(1, len(self.sizes)):
            for name in (f"W{l}", f"b{l}", f"gamma{l}", f"beta{l}"):
                if name in trained:
                    shapes[name] = trained[name]
            for name in (f"running_mean{l}", f"running_var{l}"):
                if name in buffers:
                    shapes[name] = buffers[name]
        return shapes


def _parse_layer(item: str, l: int, text: str) -> tuple[str, bool, float | None]:
    """One layer item, ``[bn+]ACTIVATION[+dropout=P]`` -> (activation, batch norm, dropout rate).

    Raises:
        InputError: an item that is not in computation order or names something unknown.
    """
    tokens = [t.strip() for t in item.split("+")]
    where = f"spec {text!r}, layer {l} {item!r}"
    for what, count in (("bn", tokens.count(BATCH_NORM)), ("dropout", sum(t.startswith(DROPOUT) for t in tokens))):
        if count > 1:
            raise InputError(f"{where}: {what} appears {count} times; a layer has at most one")
    batch_norm = bool(tokens) and tokens[0] == BATCH_NORM
    if batch_norm:
        tokens = tokens[1:]
    rate: float | None = None
    if tokens and tokens[-1].startswith(DROPOUT):
        name, sep, value = tokens[-1].partition("=")
        if name != DROPOUT or not sep:
            raise InputError(f"{where}: write dropout with its rate, e.g. {DROPOUT}=0.2")
        try:
            rate = float(value)
        except ValueError:
            raise InputError(f"{where}: the dropout rate {value!r} must be a number in [0, 1), e.g. {DROPOUT}=0.2") from None
        tokens = tokens[:-1]
    if BATCH_NORM in tokens:
        raise InputError(
            f"{where}: batch norm goes between the linear map and the activation, so it is written first: bn+ACTIVATION"
        )
    if any(t.startswith(DROPOUT) for t in tokens):
        raise InputError(f"{where}: dropout goes after the activation, so it is written last: ACTIVATION+{DROPOUT}=P")
    if len(tokens) != 1 or not tokens[0]:
        raise InputError(f"{where}: expected [bn+]ACTIVATION[+{DROPOUT}=P], e.g. bn+relu+{DROPOUT}=0.2, with one activation")
    return tokens[0], batch_norm, rate


def parse_spec(text: str) -> Spec:
    """Parse ``"2-4-3:relu,softmax:cce"`` (or ``"2-32-3:bn+relu+dropout=0.2,softmax:cce"``) into a :class:`Spec`.

    Raises:
        InputError: if the text is not ``SIZES:LAYERS:LOSS`` or the combination is invalid.
    """
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise InputError(f"spec {text!r} is not SIZES:ACTIVATIONS:LOSS, e.g. 2-4-3:relu,softmax:cce")
    sizes_text, acts_text, loss = parts
    try:
        sizes = tuple(int(s) for s in sizes_text.split("-"))
    except ValueError:
        raise InputError(f"spec {text!r}: sizes {sizes_text!r} must be integers joined by '-', e.g. 2-4-3") from None
    layers = [_parse_layer(item.strip(), l, text) for l, item in enumerate(acts_text.split(","), start=1)]
    activations = tuple(name for name, _, _ in layers)
    if not any(bn or rate is not None for _, bn, rate in layers):
        return Spec(sizes, activations, loss.strip())
    return Spec(sizes, activations, loss.strip(), tuple(bn for _, bn, _ in layers), tuple(rate for _, _, rate in layers))
