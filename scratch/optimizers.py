"""The lectures' optimizers (the Amrita FFNN intro's hyper-parameter slide), each update rule written out in NumPy.

Every rule updates one parameter array ``theta`` (any shape, canonical layout)
from its gradient ``g`` of the same shape, at step ``t = 1, 2, ...``, keeping
its own state arrays. These are the suite's canonical maths; torch_impl and
keras_impl configure ``torch.optim`` and ``keras.optimizers`` to equal them
(the mapping table is in docs/training.md).

    sgd       theta <- theta - eta g                                    ED5340 L26; CS60050 backprop;
                                                                        Goodfellow et al. (2016) Alg. 8.1
    momentum  v <- mu v - eta g;  theta <- theta + v                    Polyak (1964); Sutskever et al. (2013) eq. 1-2
    nesterov  v <- mu v - eta g;  theta <- theta + mu v - eta g         Sutskever et al. (2013) eq. 3-4, rewritten as in
                                                                        Bengio, Boulanger-Lewandowski & Pascanu (2013) eq. 7
    adagrad   r <- r + g^2;       theta <- theta - eta g / (sqrt(r) + eps)          Duchi, Hazan & Singer (2011)
    rmsprop   r <- rho r + (1 - rho) g^2;  theta <- theta - eta g / (sqrt(r) + eps) Hinton, Neural Networks for ML, lecture 6e
    adam      m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
              m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t)
              theta <- theta - eta m_hat / (sqrt(v_hat) + eps)          Kingma & Ba (2015) Algorithm 1

Nesterov: Sutskever's form takes the gradient at the look-ahead point theta + mu v.
With the change of variables Theta = theta + mu v (the parameters we store and
differentiate at), the same method becomes the rule above, whose gradient is
taken at the stored parameters, as every framework does. tests/test_optimizers.py
checks the two forms against each other.

The names, which hyperparameters each rule reads and the matched settings
(epsilon = 0, float32-exact coefficients) are in core.optimizers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from core.errors import InputError
from core.optimizers import VELOCITY_GRADIENTS, VELOCITY_STEPS, Hyperparameters, check_name, check_velocity

# --- the update rules: (theta, g, state, h, t) -> new theta; state is updated in place ---

State = dict[str, np.ndarray]  # one rule's arrays for one parameter (v, r, m ...)


def sgd(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """theta - eta g."""
    return theta - h.learning_rate * g


def momentum(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """v <- mu v - eta g; theta + v  (v_0 = 0)."""
    v = state.setdefault("v", np.zeros_like(theta))
    v[...] = h.momentum * v - h.learning_rate * g
    return theta + v


def nesterov(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """v <- mu v - eta g; theta + mu v - eta g  (v_0 = 0; g taken at the stored theta)."""
    v = state.setdefault("v", np.zeros_like(theta))
    v[...] = h.momentum * v - h.learning_rate * g
    return theta + h.momentum * v - h.learning_rate * g


def adagrad(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """r <- r + g^2 (r_0 = initial_accumulator); theta - eta g / (sqrt(r) + eps)."""
    r = state.setdefault("r", np.full_like(theta, h.initial_accumulator))
    r += g * g
    return theta - h.learning_rate * g / (np.sqrt(r) + h.epsilon)


def rmsprop(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """r <- rho r + (1 - rho) g^2 (r_0 = 0); theta - eta g / (sqrt(r) + eps)."""
    r = state.setdefault("r", np.zeros_like(theta))
    r[...] = h.rho * r + (1 - h.rho) * g * g
    return theta - h.learning_rate * g / (np.sqrt(r) + h.epsilon)


def adam(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """Kingma & Ba Algorithm 1: bias-corrected moments, eps added after the bias correction."""
    m = state.setdefault("m", np.zeros_like(theta))
    v = state.setdefault("v", np.zeros_like(theta))
    m[...] = h.beta_1 * m + (1 - h.beta_1) * g
    v[...] = h.beta_2 * v + (1 - h.beta_2) * g * g
    m_hat = m / (1 - h.beta_1**t)
    v_hat = v / (1 - h.beta_2**t)
    return theta - h.learning_rate * m_hat / (np.sqrt(v_hat) + h.epsilon)


def momentum_of_gradients(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """torch's form: b <- mu b + g; theta - eta b. The same as :func:`momentum` while eta is constant (v = -eta b)."""
    b = state.setdefault("b", np.zeros_like(theta))
    b[...] = h.momentum * b + g
    return theta - h.learning_rate * b


def nesterov_of_gradients(theta: np.ndarray, g: np.ndarray, state: State, h: Hyperparameters, t: int) -> np.ndarray:
    """torch's form: b <- mu b + g; theta - eta (g + mu b). The same as :func:`nesterov` while eta is constant."""
    b = state.setdefault("b", np.zeros_like(theta))
    b[...] = h.momentum * b + g
    return theta - h.learning_rate * (g + h.momentum * b)


Rule = Callable[[np.ndarray, np.ndarray, State, Hyperparameters, int], np.ndarray]

RULES: dict[str, Rule] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}

# the velocity conventions of core.optimizers.VELOCITIES: the rules that differ from RULES once eta changes
OF_GRADIENTS: dict[str, Rule] = {"momentum": momentum_of_gradients, "nesterov": nesterov_of_gradients}


class Optimizer:
    """The update rule ``name`` (from :data:`RULES`) applied to every trained parameter, each with its own state.

    ``step(params, grads)`` returns new arrays for the names in ``grads`` and
    keeps the others (frozen parameters) unchanged; ``t`` counts the steps taken.
    """

    def __init__(
        self, name: str, hyper: Hyperparameters, params: Mapping[str, np.ndarray], velocity: str = VELOCITY_STEPS
    ) -> None:
        """Empty state for each of ``params``; raises InputError for an unknown ``name`` or ``velocity``."""
        self.name = check_name(name)
        self.rule = OF_GRADIENTS.get(name, RULES[name]) if check_velocity(velocity) == VELOCITY_GRADIENTS else RULES[name]
        self.hyper = hyper
        self.state: dict[str, State] = {key: {} for key in params}
        self.t = 0

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One update of the parameters in ``self.state`` with their ``grads``."""
        self.t += 1
        return {
            key: self.rule(value, grads[key], self.state[key], self.hyper, self.t) if key in self.state else value
            for key, value in params.items()
        }


def make_optimizer(
    name: str, hyper: Hyperparameters, params: Mapping[str, np.ndarray], velocity: str = VELOCITY_STEPS
) -> Optimizer:
    """The rule ``name`` for the trained ``params`` (canonical names, e.g. only ``W*`` when biases are frozen).

    The one constructor the trainer uses, with the same name and arguments as
    ``torch_impl.optimizers.make_optimizer`` and ``keras_impl.optimizers.make_optimizer``,
    so that the three ``train.py`` files read alike. It checks the name and the
    hyperparameters' type. ``velocity`` ``"gradients"`` gives momentum and nesterov torch's form
    (core.optimizers.VELOCITIES), to replay a torch run whose eta changes.

    Raises:
        InputError: for an unknown name, or ``hyper`` that is not :class:`Hyperparameters`.
    """
    check_name(name)
    if not isinstance(hyper, Hyperparameters):
        raise InputError(f"hyper: expected core.optimizers.Hyperparameters, got {type(hyper).__name__}")
    return Optimizer(name, hyper, params, velocity)


def settings(optimizer: Optimizer) -> dict[str, object]:
    """The hyperparameters the rule reads, as scratch holds them, for reports."""
    return dict(optimizer.hyper.used_by(optimizer.name))
