"""PLANTED MISTAKE (a float32 model on float64 data): nn.Linear's default float32, fed the case's float64 data.

    python -m compare check examples/students/torch_float32_model.py --framework torch --arch spiral-2-4-3 --dtype float64

--dtype float64 feeds it float64 data, as torch.from_numpy gives; torch raises. .double() is the fix
(without --dtype the check runs in the model's own float32, and it passes).
"""

import torch
from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3))


loss_fn = nn.CrossEntropyLoss()


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=1.0)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
