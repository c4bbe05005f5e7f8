"""The Amrita FFNN intro's multi-class example in PyTorch, right: 4-4-3, a sigmoid layer, then logits into CrossEntropyLoss.

    python -m compare check examples/students/torch_lecture_4_4_3.py --framework torch --arch lecture-4-4-3-softmax

The model ends at the logits: nn.CrossEntropyLoss applies the softmax itself. A custom
module with a functional activation, to show that the check reads forward() too.
"""

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 4)
        self.out = nn.Linear(4, 3)

    def forward(self, x):
        return self.out(torch.sigmoid(self.hidden(x)))


def build_model():
    return Net().double()


loss_fn = nn.CrossEntropyLoss()


def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=0.5, momentum=0.9)


def train_step(model, loss_fn, optimizer, X, y):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()
