"""Mazur's worked example in PyTorch, right: 2-2-2, sigmoid, E = sum 1/2 (target - out)^2, plain SGD with eta = 0.5.

    python -m compare check examples/students/torch_worked_2_2_2.py --framework torch --arch worked-2-2-2

After one step, w5+ = 0.35891648 (W2[0, 0]), as the slide prints it.
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid()).double()


def loss_fn(output, y):
    return 0.5 * ((y - output) ** 2).sum() / len(y)  # E_total of each sample, averaged over the batch


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=0.5)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
