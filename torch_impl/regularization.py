"""L2 in PyTorch: torch's coupled ``weight_decay`` on the weights' param group only.

CS60050 backprop's penalty lambda / (2 n) sum W^2 (biases excluded; core.regularization)
has the gradient (lambda / n) W. torch's ``weight_decay`` adds wd * theta to the
gradient of every parameter in its group before the update (torch/optim/sgd.py,
adam.py: ``grad = grad.add(param, alpha=weight_decay)``), so wd = lambda / n on the
weights' group and 0 on the biases' group.
"""

from __future__ import annotations

from typing import Any

from core.regularization import check_l2
from torch_impl.model import MLP


def l2_factor(l2: float, n: int) -> float:
    """torch ``weight_decay`` for lambda and n samples: lambda / n (the penalty's gradient is (lambda / n) W).

    Raises:
        InputError: lambda < 0 or n < 1.
    """
    check_l2(l2, n)
    return l2 / n


def param_groups(model: MLP, l2: float, n: int, freeze_biases: bool) -> list[dict[str, Any]]:
    """Weights with ``weight_decay = lambda / n``; biases with 0, or left out (and requires_grad off) when frozen.

    Batch norms' gamma and beta train with weight decay 0 (the penalty sums W_l only), whether or not
    the biases are frozen; their running statistics are buffers, which no optimizer sees.
    """
    weights = [linear.weight for linear in model.linear_layers]
    biases = [linear.bias for linear in model.linear_layers if linear.bias is not None]
    groups: list[dict[str, Any]] = [{"params": weights, "weight_decay": l2_factor(l2, n)}]
    if freeze_biases:
        for bias in biases:
            bias.requires_grad_(False)
    else:
        groups.append({"params": biases, "weight_decay": 0.0})  # CS60050 backprop: biases are not penalised
    norms = [p for norm in model.norm_layers.values() for p in (norm.weight, norm.bias)]
    if norms:
        groups.append({"params": norms, "weight_decay": 0.0})
    return groups


def representable_l2(l2: float, n: int) -> float:
    """``l2`` itself: torch holds ``weight_decay`` as a Python float, exactly."""
    return l2
