"""The lectures' optimizers (seed 001's list), each update rule written out in NumPy.

Every rule updates one parameter array ``theta`` (any shape, canonical layout)
from its gradient ``g`` of the same shape, at step ``t = 1, 2, ...``, keeping
its own state arrays. These are the suite's canonical maths; torch_impl and
keras_impl configure ``torch.optim`` and ``keras.optimizers`` to equal them
(the mapping table is in docs/training.md).

    sgd       theta <- theta - eta g                                    seed 000/001/004, Goodfellow et al. (2016) Alg. 8.1
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

``epsilon`` defaults to 0 (:func:`matched`) for adagrad, rmsprop and adam: each framework puts
epsilon somewhere else (docs/training.md), and only eps = 0 makes all three the
same function. AdaGrad's accumulator then starts at ``initial_accumulator`` = 0.1
(Keras's default; torch accepts it too), so that sqrt(r) > 0 even where g = 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Mapping

import numpy as np

from scratch.errors import InputError

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


@dataclass(frozen=True)
class Hyperparameters:
    """The numbers an update rule reads; each rule ignores the ones it does not use.

    Attributes:
        learning_rate: eta (> 0).
        momentum: mu in [0, 1), momentum and nesterov.
        rho: the decay of RMSProp's mean square, in [0, 1) (torch calls it alpha).
        beta_1, beta_2: Adam's decay rates, in [0, 1).
        epsilon: added to the denominator after the square root (adagrad, rmsprop, adam), >= 0.
        initial_accumulator: AdaGrad's r_0, >= 0.
    """

    learning_rate: float
    momentum: float = 0.9
    rho: float = 0.9
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 0.0
    initial_accumulator: float = 0.1

    def __post_init__(self) -> None:
        if not self.learning_rate > 0:
            raise InputError(f"learning_rate: expected a number > 0, got {self.learning_rate}")
        for name in ("momentum", "rho", "beta_1", "beta_2"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise InputError(f"{name}: expected a number in [0, 1), got {value}")
        for name in ("epsilon", "initial_accumulator"):
            if not getattr(self, name) >= 0:
                raise InputError(f"{name}: expected a number >= 0, got {getattr(self, name)}")

    def used_by(self, name: str) -> dict[str, float]:
        """Only the hyperparameters optimizer ``name`` reads, as a dict."""
        keys = {"sgd": ("learning_rate",),
                "momentum": ("learning_rate", "momentum"),
                "nesterov": ("learning_rate", "momentum"),
                "adagrad": ("learning_rate", "epsilon", "initial_accumulator"),
                "rmsprop": ("learning_rate", "rho", "epsilon"),
                "adam": ("learning_rate", "beta_1", "beta_2", "epsilon")}[check_name(name)]
        return {k: v for k, v in asdict(self).items() if k in keys}


def check_name(name: str) -> str:
    """Raises InputError unless ``name`` is one of :data:`OPTIMIZERS`."""
    if name not in OPTIMIZERS:
        raise InputError(f"optimizer: expected one of {', '.join(OPTIMIZERS)}, got {name!r}")
    return name


def float32_exact(value: float) -> float:
    """The float32 number nearest ``value``, as a Python float (e.g. 0.9 -> 0.8999999761581421)."""
    return float(np.float32(value))


def matched(name: str, learning_rate: float) -> Hyperparameters:
    """The textbook hyperparameters in a form all three implementations hold exactly.

    epsilon = 0 (see the module docstring). mu, rho, beta_1, beta_2 and r_0 are the
    float32 roundings of 0.9, 0.9, 0.9, 0.999 and 0.1: on the TensorFlow backend
    Keras's update steps call ``ops.cast(python_float, variable.dtype)``, and
    ``tf.cast`` makes a float32 constant from a Python float before casting, so a
    float64 model would use 0.8999999761581421 for 0.9 whatever we asked for
    (docs/training.md). A float32-exact value survives that round trip unchanged.
    The learning rate stays as given (keras_impl.optimizers passes it as a float64 tensor).
    """
    check_name(name)
    textbook = Hyperparameters(learning_rate=learning_rate)
    return Hyperparameters(learning_rate=learning_rate,
                           momentum=float32_exact(textbook.momentum), rho=float32_exact(textbook.rho),
                           beta_1=float32_exact(textbook.beta_1), beta_2=float32_exact(textbook.beta_2),
                           epsilon=0.0, initial_accumulator=float32_exact(textbook.initial_accumulator))


# --- the update rules: (theta, g, state, h, t) -> new theta; state is updated in place ---

def sgd(theta: np.ndarray, g: np.ndarray, state: dict, h: Hyperparameters, t: int) -> np.ndarray:
    """theta - eta g."""
    return theta - h.learning_rate * g


def momentum(theta: np.ndarray, g: np.ndarray, state: dict, h: Hyperparameters, t: int) -> np.ndarray:
    """v <- mu v - eta g; theta + v  (v_0 = 0)."""
    v = state.setdefault("v", np.zeros_like(theta))
    v[...] = h.momentum * v - h.learning_rate * g
    return theta + v


def nesterov(theta: np.ndarray, g: np.ndarray, state: dict, h: Hyperparameters, t: int) -> np.ndarray:
    """v <- mu v - eta g; theta + mu v - eta g  (v_0 = 0; g taken at the stored theta)."""
    v = state.setdefault("v", np.zeros_like(theta))
    v[...] = h.momentum * v - h.learning_rate * g
    return theta + h.momentum * v - h.learning_rate * g


def adagrad(theta: np.ndarray, g: np.ndarray, state: dict, h: Hyperparameters, t: int) -> np.ndarray:
    """r <- r + g^2 (r_0 = initial_accumulator); theta - eta g / (sqrt(r) + eps)."""
    r = state.setdefault("r", np.full_like(theta, h.initial_accumulator))
    r += g * g
    return theta - h.learning_rate * g / (np.sqrt(r) + h.epsilon)


def rmsprop(theta: np.ndarray, g: np.ndarray, state: dict, h: Hyperparameters, t: int) -> np.ndarray:
    """r <- rho r + (1 - rho) g^2 (r_0 = 0); theta - eta g / (sqrt(r) + eps)."""
    r = state.setdefault("r", np.zeros_like(theta))
    r[...] = h.rho * r + (1 - h.rho) * g * g
    return theta - h.learning_rate * g / (np.sqrt(r) + h.epsilon)


def adam(theta: np.ndarray, g: np.ndarray, state: dict, h: Hyperparameters, t: int) -> np.ndarray:
    """Kingma & Ba Algorithm 1: bias-corrected moments, eps added after the bias correction."""
    m = state.setdefault("m", np.zeros_like(theta))
    v = state.setdefault("v", np.zeros_like(theta))
    m[...] = h.beta_1 * m + (1 - h.beta_1) * g
    v[...] = h.beta_2 * v + (1 - h.beta_2) * g * g
    m_hat = m / (1 - h.beta_1 ** t)
    v_hat = v / (1 - h.beta_2 ** t)
    return theta - h.learning_rate * m_hat / (np.sqrt(v_hat) + h.epsilon)


RULES = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam}


Rule = Callable[[np.ndarray, np.ndarray, dict, Hyperparameters, int], np.ndarray]


class Optimizer:
    """One update ``rule`` (from :data:`RULES`) applied to every trained parameter, each with its own state.

    ``step(params, grads)`` returns new arrays for the names in ``grads`` and
    keeps the others (frozen parameters) unchanged; ``t`` counts the steps taken.
    """

    def __init__(self, rule: Rule, hyper: Hyperparameters, params: Mapping[str, np.ndarray]) -> None:
        self.rule = rule
        self.hyper = hyper
        self.state: dict[str, dict] = {key: {} for key in params}
        self.t = 0

    def step(self, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One update of the parameters in ``self.state`` with their ``grads``."""
        self.t += 1
        return {key: self.rule(value, grads[key], self.state[key], self.hyper, self.t) if key in self.state else value
                for key, value in params.items()}


def make_optimizer(name: str, hyper: Hyperparameters, params: Mapping[str, np.ndarray]) -> Optimizer:
    """The rule ``name`` for the trained ``params`` (canonical names, e.g. only ``W*`` when biases are frozen).

    The one constructor the trainer uses, with the same name and arguments as
    ``torch_impl.optimizers.make_optimizer`` and ``keras_impl.optimizers.make_optimizer``,
    so that the three ``train.py`` files read alike. It checks the name and the
    hyperparameters' type and looks the rule up in :data:`RULES`.

    Raises:
        InputError: for an unknown name, or ``hyper`` that is not :class:`Hyperparameters`.
    """
    check_name(name)
    if not isinstance(hyper, Hyperparameters):
        raise InputError(f"hyper: expected scratch.optimizers.Hyperparameters, got {type(hyper).__name__}")
    return Optimizer(RULES[name], hyper, params)
