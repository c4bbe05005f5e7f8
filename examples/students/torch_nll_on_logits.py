"""PLANTED MISTAKE (NLLLoss given logits): nn.NLLLoss() after a model that ends in a Linear layer.

    python -m compare check examples/students/torch_nll_on_logits.py --framework torch --arch spiral-2-4-3

NLLLoss takes log-probabilities: it returns -mean(input[i, y_i]) and applies no softmax, so on
logits it is -mean(z_L[i, y_i]), not the cross-entropy. It raises nothing.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()


loss_fn = nn.NLLLoss()
