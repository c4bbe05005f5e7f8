"""PLANTED MISTAKE (torch targets of the wrong dtype): the labels one-hot encoded with F.one_hot, which gives int64.

    python -m compare check examples/students/torch_onehot_long_targets.py --framework torch --arch spiral-2-4-3

nn.functional.cross_entropy takes int64 labels, or class probabilities as floats; an int64
one-hot matrix is neither, and torch says so.
"""

import torch.nn.functional as F
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


def loss_fn(output, y):
    return F.cross_entropy(output, F.one_hot(y, num_classes=3))  # the lecture's one-hot Y
