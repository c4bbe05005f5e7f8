"""PLANTED MISTAKE (backward twice and zero_grad missing): both at once, so .grad keeps every gradient, doubled.

    python -m compare check examples/students/torch_backward_twice_no_zero_grad.py --framework torch --arch worked-2-2-2

Step 1 uses twice its gradient; step 2 twice the sum of step 1's and its own.
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
    loss = loss_fn(model(X), y)
    loss.backward(retain_graph=True)
    loss.backward()
    optimizer.step()
    return loss.item()
