"""PLANTED MISTAKE (a sum over the samples): nn.CrossEntropyLoss(reduction="sum") where the mean was meant.

    python -m compare check examples/students/torch_cross_entropy_sum.py --framework torch --arch spiral-2-4-3

The lectures' cost is the mean over the samples, J = (1/n) sum_i L(x_i, y_i) (CS60050
backprop); the sum is m = 300 times it, and so is every gradient.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


loss_fn = nn.CrossEntropyLoss(reduction="sum")
