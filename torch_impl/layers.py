"""Batch normalisation and dropout as native ``torch.nn`` modules, configured to scratch's maths (core.normalization).

- ``nn.BatchNorm1d(n, eps=eps, momentum=w)``: in training mode it normalises with the batch
  mean and the biased batch variance, eps inside the root, and updates
  running <- (1 - momentum) running + momentum batch, so torch's ``momentum`` *is* the
  new batch's weight w; ``running_var`` averages the *unbiased* batch variance m/(m - 1) var
  (torch/nn/modules/batchnorm.py:321-324, 336-342; torch/_decomp/decompositions.py:2094-2116).
  No argument selects the biased one (``_BatchNorm.__init__``, batchnorm.py:153-164).
- ``nn.Dropout(p)``: in training mode keeps each unit with probability 1 - p and multiplies
  the kept ones by 1/(1 - p) (torch/nn/modules/dropout.py:38, 47, 69-72); the identity in
  ``eval()`` mode. The mask comes from torch's global generator: seeded per run with
  ``torch.manual_seed`` inside ``torch.random.fork_rng``, so no caller's stream is touched.

``model.train()`` / ``model.eval()`` is the mode switch, as in any torch code.
"""

from __future__ import annotations

import torch
from torch import nn

from core.normalization import UNBIASED, BatchNormSettings

RUNNING_VARIANCE = UNBIASED  # torch/nn/modules/batchnorm.py:321-324: running_var takes torch.var(input, correction=1)
OWN_DEFAULTS = {"momentum": 0.1, "eps": 1e-5}  # torch/nn/modules/batchnorm.py:156-157


def make_batch_norm(n: int, settings: BatchNormSettings | None, dtype: torch.dtype) -> nn.BatchNorm1d:
    """``nn.BatchNorm1d`` over n units: ``momentum`` = the new batch's weight, ``eps``; torch's own defaults for None."""
    if settings is None:
        return nn.BatchNorm1d(n, dtype=dtype)
    return nn.BatchNorm1d(n, eps=settings.epsilon, momentum=settings.new_weight, dtype=dtype)


def make_dropout(rate: float) -> nn.Dropout:
    """``nn.Dropout(p=rate)``."""
    return nn.Dropout(p=rate)


def settings(norm: nn.BatchNorm1d) -> dict[str, object]:
    """What one batch norm holds, in torch's names and in core.normalization's, for reports."""
    momentum = float(norm.momentum) if norm.momentum is not None else float("nan")
    return {
        "native": f"BatchNorm1d(momentum={momentum:g}, eps={norm.eps:g})",
        "new_weight": momentum,
        "epsilon": float(norm.eps),
        "running_variance": RUNNING_VARIANCE,
    }
