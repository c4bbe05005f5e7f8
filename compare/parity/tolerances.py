"""The one per-dtype tolerance table. rtol and atol always travel together.

A value ``actual`` agrees with the reference ``expected`` when, elementwise,

    |actual - expected| <= atol + rtol * |expected|

(the rule of ``numpy.isclose`` and ``torch.testing.assert_close``).
"""

from __future__ import annotations

from typing import NamedTuple


class Tolerance(NamedTuple):
    """An rtol and an atol, always together: ``|actual - expected| <= atol + rtol |expected|``."""

    rtol: float
    atol: float


TOLERANCES: dict[str, Tolerance] = {
    # float64: machine epsilon is 2.2e-16. The lecture nets need a few hundred
    # roundings per quantity; the worst measured across all built-in cases is
    # 2.5e-13 relative, on a near-zero bias gradient (docs/tolerances.md). rtol 1e-10
    # leaves 10^3 of headroom yet is ~10^6 below the effect of the smallest real bug.
    # atol 1e-12 covers entries that cancel to ~0 (a dead ReLU's gradient is an
    # exact 0 in one framework and 1e-17 in another), far below any real gradient here.
    "float64": Tolerance(rtol=1e-10, atol=1e-12),
    # float32: epsilon is 1.2e-7. torch fuses x W^T + b in one addmm, Keras does
    # matmul then add, and reductions sum in different orders, so results differ
    # by a few ulp per operation, compounding through layers and the batch mean.
    # Measured: 1.9e-6 absolute on iris logits of size ~20 (1e-7 relative), and
    # 3.4e-7 absolute on a 3.5e-3 bias gradient (9.7e-5 relative) that is a
    # difference of near-equal sums over 300 rows: atol 1e-6 decides such entries,
    # rtol 1e-5 the large ones, each with >= 3x headroom (docs/tolerances.md).
    "float32": Tolerance(rtol=1e-5, atol=1e-6),
}


def tolerance_for(dtype: str) -> Tolerance:
    """The (rtol, atol) pair for ``"float32"`` or ``"float64"``."""
    return TOLERANCES[dtype]
