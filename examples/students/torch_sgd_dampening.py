"""PLANTED MISTAKE (a momentum convention): the moving-average momentum v = mu v + (1 - mu) g, as torch's dampening=mu.

    python -m compare check examples/students/torch_sgd_dampening.py --framework torch --arch spiral-2-4-3

The lecture's momentum is v = mu v - eta g (torch: dampening=0); dampening scales every
gradient after the first by 1 - mu.
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


loss_fn = nn.CrossEntropyLoss()


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=0.1, momentum=0.9, dampening=0.9)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
