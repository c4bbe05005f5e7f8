"""PLANTED MISTAKE (weights transposed into Linear): Mazur's weights typed as (in, out) rows and put into Linear.weight.

    python -m compare check examples/students/torch_weights_transposed.py --framework torch --arch worked-2-2-2

The rows layout (Session-5 backprop: z = X W + b) has W as (in, out); torch's Linear.weight is
(out, in): W_l itself. Both matrices are square, so nothing raises.
"""

import torch
from torch import nn

W1 = [[0.15, 0.25], [0.20, 0.30]]  # from i1 (w1, w3) and from i2 (w2, w4)
W2 = [[0.40, 0.50], [0.45, 0.55]]  # from h1 (w5, w7) and from h2 (w6, w8)


def build_model():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid()).double()
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(W1))
        model[0].bias.fill_(0.35)
        model[2].weight.copy_(torch.tensor(W2))
        model[2].bias.fill_(0.60)
    return model


def loss_fn(output, y):
    return 0.5 * ((y - output) ** 2).sum() / len(y)
