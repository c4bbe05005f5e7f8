"""PLANTED MISTAKE (MSELoss's sum): nn.MSELoss(reduction="sum") where the lecture's E = sum 1/2 (t - o)^2 was meant.

    python -m compare check examples/students/torch_mse_sum.py --framework torch --arch worked-2-2-2

reduction="sum" drops the 1/2, and sums over the samples instead of averaging.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid()).double()


loss_fn = nn.MSELoss(reduction="sum")
