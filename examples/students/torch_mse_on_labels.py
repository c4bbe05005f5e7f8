"""PLANTED MISTAKE (a loss of another kind): nn.MSELoss() on the spiral net's class labels.

    python -m compare check examples/students/torch_mse_on_labels.py --framework torch --arch spiral-2-4-3

The spiral net is a classifier: its loss is the cross-entropy of softmax(z_L) against the class
labels (Session-5 backprop). MSELoss compares outputs with targets of the same shape, so the
labels (m,) against the outputs (m, 3) make torch raise.
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


loss_fn = nn.MSELoss()


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=1.0)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
