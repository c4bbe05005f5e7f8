"""PLANTED MISTAKE (logits into a probability loss): no Sigmoid at the end, and nn.BCELoss, which expects probabilities.

    python -m compare check examples/students/torch_logits_into_bceloss.py --framework torch --arch lecture-4-4-1-bce

On the lecture's single sample the logit 0.921 happens to lie in [0, 1], so BCELoss computes
a wrong number; on the seeded batch a logit outside [0, 1] makes torch raise.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(4, 4), nn.Sigmoid(), nn.Linear(4, 1)).double()


loss_fn = nn.BCELoss()
