"""The one per-dtype tolerance table. rtol and atol always travel together.

A value ``actual`` agrees with the reference ``expected`` when, elementwise,

    |actual - expected| <= atol + rtol * |expected|

(the rule of ``numpy.isclose`` and ``torch.testing.assert_close``).
"""

from __future__ import annotations

from typing import NamedTuple


class Tolerance(NamedTuple):
    rtol: float
    atol: float


TOLERANCES: dict[str, Tolerance] = {
    # float64: machine epsilon is 2.2e-16. The lecture nets need a few hundred
    # roundings per quantity; the worst difference measured across all built-in
    # cases is ~1e-14 relative (docs/tolerances.md). rtol 1e-10 leaves 10^4 of
    # headroom yet is 10^6 below the smallest planted bug's effect.
    # atol 1e-12 covers entries that cancel to ~0 (a dead ReLU's gradient is an
    # exact 0 in one framework and 1e-17 in another), far below any real gradient here.
    "float64": Tolerance(rtol=1e-10, atol=1e-12),
    # float32: epsilon is 1.2e-7. torch fuses x W^T + b in one addmm, Keras does
    # matmul then add, and reductions sum in different orders, so results differ
    # by a few ulp per operation, compounding through layers and the batch mean.
    # The worst measured is ~1e-6 relative; rtol 1e-5 gives ~10x headroom.
    # atol 1e-6 covers entries that cancel to ~0 after a sum over up to 569 rows.
    "float32": Tolerance(rtol=1e-5, atol=1e-6),
}


def tolerance_for(dtype: str) -> Tolerance:
    """The (rtol, atol) pair for ``"float32"`` or ``"float64"``."""
    return TOLERANCES[dtype]
