"""Xavier and He draws from ``torch.nn.init``, in the canonical layout, for comparing initialisers by distribution.

``nn.Linear.weight`` is ``(fan_out, fan_in)``, the canonical layout, so torch's
fan_in is ``size(1)`` and no transpose is needed. torch's own ``nn.Linear`` default
(U(+-1/sqrt(fan_in)) for weight and bias) is neither: this project always copies
weights in (torch_impl.convert).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from core.errors import lookup

HE_TRUNCATED_AT: float | None = None  # torch.nn.init.kaiming_normal_ draws from the untruncated normal
INITIALISERS: dict[str, Callable[[torch.Tensor, torch.Generator], torch.Tensor]] = {
    "xavier": lambda weight, generator: torch.nn.init.xavier_uniform_(weight, generator=generator),
    "he": lambda weight, generator: torch.nn.init.kaiming_normal_(
        weight, mode="fan_in", nonlinearity="relu", generator=generator
    ),
}


def draw(method: str, fan_out: int, fan_in: int, seed: int = 0) -> np.ndarray:
    """One ``(fan_out, fan_in)`` float64 weight matrix from torch's ``method`` (``"xavier"`` or ``"he"``).

    Raises:
        InputError: an unknown method.
    """
    initialise = lookup(INITIALISERS, method, "initialiser")
    weight = torch.empty(fan_out, fan_in, dtype=torch.float64)  # nn.Linear layout: fan_in = size(1)
    initialise(weight, torch.Generator().manual_seed(seed))
    return weight.numpy()
