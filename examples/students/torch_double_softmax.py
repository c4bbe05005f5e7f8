"""PLANTED MISTAKE (double softmax): a Softmax layer before nn.CrossEntropyLoss, which applies its own softmax.

    python -m compare check examples/students/torch_double_softmax.py --framework torch --arch spiral-2-4-3

CrossEntropyLoss computes log softmax(z) itself from the logits.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3), nn.Softmax(dim=1)).double()


loss_fn = nn.CrossEntropyLoss()
