"""PLANTED MISTAKE (the 1/2 missing): a squared error of one's own without the lecture's 1/2.

    python -m compare check examples/students/torch_sse_no_half.py --framework torch --arch worked-2-2-2

Mazur's worked example: E_total = sum 1/2 (target - out)^2; without the 1/2 the loss and every
gradient are twice the lecture's.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid()).double()


def loss_fn(output, y):
    return ((y - output) ** 2).sum(dim=1).mean()
