"""The Amrita FFNN intro's binary example in PyTorch, right: 4-4-1, sigmoid layers, BCELoss on the probabilities.

    python -m compare check examples/students/torch_lecture_4_4_1.py --framework torch --arch lecture-4-4-1-bce

The model ends in a sigmoid, so the loss is the one that takes probabilities.
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid()).double()


loss_fn = nn.BCELoss()


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=0.5)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
