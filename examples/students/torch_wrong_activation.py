"""PLANTED MISMATCH (architecture): a sigmoid hidden layer where the spiral net has ReLU.

    python -m compare check examples/students/torch_wrong_activation.py --framework torch --arch spiral-2-4-3

The check names the layer and compares no numbers (exit 1).
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 3)).double()


loss_fn = nn.CrossEntropyLoss()
