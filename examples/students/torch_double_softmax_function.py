"""PLANTED MISTAKE (double softmax): a Softmax layer before a loss function that calls F.cross_entropy.

    python -m compare check examples/students/torch_double_softmax_function.py --framework torch --arch spiral-2-4-3

F.cross_entropy, like nn.CrossEntropyLoss, computes log softmax(z) itself from the logits; written as
a function of your own, the loss says nothing about what it takes, so check proves the mistake
from the numbers: the loss is the cross-entropy of softmax(softmax(z_L)).
"""

import torch.nn.functional as F
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3), nn.Softmax(dim=1)).double()


def loss_fn(output, y):
    return F.cross_entropy(output, y)
