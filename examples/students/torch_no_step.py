"""PLANTED MISTAKE (no update): train_step computes the gradients but never calls optimizer.step().

    python -m compare check examples/students/torch_no_step.py --framework torch --arch spiral-2-4-3

The loss and the gradients are right; the parameters after both steps are the initial ones.
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


loss_fn = nn.CrossEntropyLoss()


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=1.0)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    return loss.item()
