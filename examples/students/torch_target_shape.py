"""PLANTED MISTAKE (torch targets of the wrong shape): forward() squeezes the output to (m,), the targets are (m, 1).

    python -m compare check examples/students/torch_target_shape.py --framework torch --arch lecture-4-4-1-bce

nn.BCELoss needs the target in the input's shape and says so.
"""

import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 4)
        self.out = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.sigmoid(self.hidden(x)))).squeeze(1)  # one probability per sample


def build_model():
    return Net().double()


loss_fn = nn.BCELoss()
