"""PLANTED MISTAKE (a loss scaled by a constant): the summed cross-entropy divided by a batch size of 32 written in.

    python -m compare check examples/students/torch_fixed_batch_size.py --framework torch --arch spiral-2-4-3

Written for mini-batches of 32 and run on all m = 300 samples: the loss and every gradient are
300 / 32 = 9.375 times the mean's.
"""

import torch.nn.functional as F
from torch import nn

BATCH_SIZE = 32


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


def loss_fn(output, y):
    return F.cross_entropy(output, y, reduction="sum") / BATCH_SIZE
