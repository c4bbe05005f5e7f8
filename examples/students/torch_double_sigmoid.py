"""PLANTED MISTAKE (double sigmoid): a Sigmoid layer before nn.BCEWithLogitsLoss, which applies its own sigmoid.

    python -m compare check examples/students/torch_double_sigmoid.py --framework torch --arch lecture-4-4-1-bce

BCEWithLogitsLoss computes sigmoid(z) itself from the logits.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid()).double()


loss_fn = nn.BCEWithLogitsLoss()
