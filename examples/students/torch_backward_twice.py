"""PLANTED MISTAKE (backward twice): loss.backward() runs twice per step, and the second call adds to .grad.

    python -m compare check examples/students/torch_backward_twice.py --framework torch --arch worked-2-2-2

A second backward() through the same graph raises "Trying to backward through the graph a
second time"; retain_graph=True silences that, and every gradient is doubled.
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid()).double()


def loss_fn(output, y):
    return 0.5 * ((y - output) ** 2).sum() / len(y)


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=0.5)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward(retain_graph=True)  # to look at the gradients first
    loss.backward()
    optimizer.step()
    return loss.item()
