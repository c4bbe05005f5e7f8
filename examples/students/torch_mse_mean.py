"""PLANTED MISTAKE (MSELoss's mean): nn.MSELoss() where the lecture's E = sum 1/2 (t - o)^2 was meant.

    python -m compare check examples/students/torch_mse_mean.py --framework torch --arch 2-2-1:sigmoid,sigmoid:sse

MSELoss() divides the sum of squares by m x n_L; E (averaged over the samples) divides by 2 m.
The two agree only for n_L = 2 (as in Mazur's worked example); this net has one output.
"""

from torch import nn


def build_model():
    return nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()


loss_fn = nn.MSELoss()
