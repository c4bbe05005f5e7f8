"""The helper module a course notebook imports from its own folder (``from notebook_helpers import sigmoid``)."""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def layer_sizes(X, Y, n_h=4):
    return X.shape[0], n_h, Y.shape[0]
