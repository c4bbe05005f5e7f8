"""MISSING NAME: the model is built at the top level as `model`, as tutorials do; the check needs build_model() (exit 2).

    python -m compare check examples/students/torch_no_build_model.py --framework torch --arch spiral-2-4-3

The check builds a fresh model for each case, so it needs a function that returns one.
"""

from torch import nn

model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3)).double()
loss_fn = nn.CrossEntropyLoss()
