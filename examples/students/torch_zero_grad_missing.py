"""PLANTED MISTAKE (zero_grad missing): train_step never calls optimizer.zero_grad(), so .grad accumulates.

    python -m compare check examples/students/torch_zero_grad_missing.py --framework torch --arch spiral-2-4-3

Step 1 is right; step 2 is given step 1's gradient plus its own.
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


loss_fn = nn.CrossEntropyLoss()


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=1.0)


def train_step(model, loss_fn, optimizer, X, y):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
