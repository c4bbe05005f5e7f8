"""One record per loss: its per-sample formula, the output it needs, its targets and the delta it gives.

Every loss is a mean over the m samples of a per-sample loss l (the reduction is
the same everywhere in this project). The maths is in the implementations
(``scratch.losses``, and the native losses of ``torch_impl.losses`` and
``keras_impl.losses``); every implementation covers every record.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import lookup


@dataclass(frozen=True)
class LossRecord:
    """What is known of one loss, outside any framework.

    Attributes:
        name: the spec's name, e.g. ``"cce"``.
        per_sample: the per-sample loss l, in words (the reduction is always the mean over samples).
        output: the output activation it needs (``"sigmoid"``, ``"softmax"``), or None for any but softmax.
        targets: what y holds, batch-first.
        output_delta: delta_L = dl/dz_L per sample, as the lecture writes it.
        source: where the formula comes from.
    """

    name: str
    per_sample: str
    output: str | None
    targets: str
    output_delta: str
    source: str


LOSSES: dict[str, LossRecord] = {
    record.name: record
    for record in (
        LossRecord(
            "bce",
            "-[y log a + (1 - y) log(1 - a)], a = sigma(z_L)",
            "sigmoid",
            "0/1 values, (m,) or (m, 1)",
            "ED5340 L26: dZ[2] = A[2] - Y",
            "ED5340 L26; Amrita FFNN intro",
        ),
        LossRecord(
            "cce",
            "-log softmax(z_L)_y",
            "softmax",
            "integer class labels (m,)",
            "Session-5 backprop: dz2 = probs - onehot (dL/dz_i = p_i - 1(i = y))",
            "Amrita FFNN intro; Session-5 backprop",
        ),
        LossRecord(
            "sse",
            "sum_j 1/2 (t_j - o_j)^2 over the n_L outputs (E_total for one sample)",
            None,
            "(m, n_L) floats",
            "Mazur's worked example: dE_total/dout_o1 = -(target_o1 - out_o1), from E_total = sum 1/2 (target - out)^2",
            "Mazur's worked example (Amrita FFNN intro)",
        ),
        LossRecord(
            "mse",
            "(1/n_L) sum_j (t_j - o_j)^2",
            None,
            "(m, n_L) floats",
            "dL/da = (2 / n_L) (a - y), from L = (1/n_L) sum (y - a)^2",
            "the mean squared error",
        ),
    )
}


def loss(name: str) -> LossRecord:
    """The record for ``name``.

    Raises:
        InputError: for a name with no record (the message lists the known ones).
    """
    return lookup(LOSSES, name, "loss")
