"""The L2 term of a student's loss, in the two forms students write (``check --l2 LAMBDA [--l2-form ...]``).

- ``lectures``: CS60050 backprop's J = loss + lambda / (2 n) sum_l sum_jk (W_l[j, k])^2, n the samples
  in the batch checked; its gradient is (lambda / n) W_l (scratch.regularization).
- ``batch``: J = loss + 1/2 lambda sum W^2, added once per batch (no 1/n); its gradient is lambda W_l.

Biases are never penalised. Both forms are c/2 sum W^2 with gradient c W, for c = lambda / n
or c = lambda: the hints work with c and quote lambda in both forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.errors import lookup
from scratch.regularization import l2_gradients, l2_penalty

FORMS = {
    "lectures": "lambda/(2m) sum W^2 of CS60050 backprop",
    "batch": "1/2 lambda sum W^2 per batch",
}


@dataclass(frozen=True)
class L2Term:
    """lambda and the form of the L2 term (see the module docstring).

    Raises:
        InputError: from :meth:`coefficient` for an unknown form.
    """

    lam: float
    form: str = "lectures"

    def n(self, m: int) -> int:
        """The n of lambda / (2 n): m for the lectures' form, 1 for the batch form."""
        lookup(FORMS, self.form, "--l2-form")
        return m if self.form == "lectures" else 1

    def coefficient(self, m: int) -> float:
        """c in c/2 sum W^2: lambda / m (lectures) or lambda (batch)."""
        return self.lam / self.n(m)

    def penalty(self, params: Mapping[str, np.ndarray], m: int) -> float:
        """The term added to the mean loss (scratch.regularization.l2_penalty)."""
        return l2_penalty(params, self.lam, self.n(m))

    def gradients(self, params: Mapping[str, np.ndarray], m: int) -> dict[str, np.ndarray]:
        """Its gradient: c W for weights, zeros for biases (scratch.regularization.l2_gradients)."""
        return l2_gradients(params, self.lam, self.n(m))

    def __str__(self) -> str:
        return f"lambda = {self.lam:g} in the form {FORMS[self.form]}"


def both_forms(c: float, m: int) -> str:
    """The lambda that gives gradient c W, in both forms: ``"lambda = 0.7 in ... (m = 5), or lambda = 0.14 in ..."``."""
    return (
        f"lambda = {c * m:.6g} in the lectures' form lambda/(2m) sum W^2 (m = {m}), "
        f"or lambda = {c:.6g} in the form 1/2 lambda sum W^2"
    )
