"""Session-5 backprop's spiral net in PyTorch, right, in the loop every tutorial teaches: Sequential, CrossEntropyLoss, SGD.

    python -m compare check examples/students/torch_spiral.py --framework torch --arch spiral-2-4-3

2-4-3, ReLU, logits into nn.CrossEntropyLoss (which applies the softmax), eta = 1.0 as in
the class notes; .double() so that the numbers can be compared in float64.
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
    optimizer.step()
    return loss.item()
