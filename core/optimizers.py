"""One record per optimizer (the Amrita FFNN intro's hyper-parameter slide lists them), and their hyperparameters.

The update rules themselves are written out in ``scratch.optimizers``; ``torch_impl``
and ``keras_impl`` configure ``torch.optim`` and ``keras.optimizers`` to equal them
(the mapping table is in docs/training.md). This module holds what all three share:
the names, which hyperparameters each rule reads, the default learning rate, and
:func:`matched`, the hyperparameters in a form every implementation holds exactly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from core.errors import InputError, lookup

# Default eta when none is given: the adaptive rules normalise the step to about eta per parameter.
ADAPTIVE_LEARNING_RATE = 0.01


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

    Raises:
        InputError: a value outside its range.
    """

    learning_rate: float
    momentum: float = 0.9
    rho: float = 0.9
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 0.0
    initial_accumulator: float = 0.1

    def __post_init__(self) -> None:
        """Check every value's range."""
        if not 0 < self.learning_rate < math.inf:
            raise InputError(f"learning_rate: expected a finite number > 0, got {self.learning_rate}")
        for name in ("momentum", "rho", "beta_1", "beta_2"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise InputError(f"{name}: expected a number in [0, 1), got {value}")
        for name in ("epsilon", "initial_accumulator"):
            if not 0 <= getattr(self, name) < math.inf:
                raise InputError(f"{name}: expected a finite number >= 0, got {getattr(self, name)}")

    def used_by(self, name: str) -> dict[str, float]:
        """Only the hyperparameters optimizer ``name`` reads, as a dict."""
        reads = optimizer(name).hyperparameters
        return {key: value for key, value in asdict(self).items() if key in reads}


@dataclass(frozen=True)
class OptimizerRecord:
    """What is known of one optimizer, outside any framework.

    Attributes:
        name: the CLI's name, e.g. ``"nesterov"``.
        rule: the update, as scratch.optimizers writes it.
        source: the paper or lecture it comes from.
        hyperparameters: the :class:`Hyperparameters` fields the rule reads.
        adaptive: whether the step is normalised per parameter (then the default eta is 0.01).
    """

    name: str
    rule: str
    source: str
    hyperparameters: tuple[str, ...]
    adaptive: bool = False

    def default_learning_rate(self, case_learning_rate: float) -> float:
        """eta when none is given.

        sgd: the case's own eta. momentum and nesterov: the case's eta times (1 - mu),
        so that the long-run step eta / (1 - mu) equals plain SGD's; the case's eta
        itself puts the spiral at the edge of stability (docs/training.md). The
        adaptive rules: :data:`ADAPTIVE_LEARNING_RATE`.
        """
        if self.adaptive:
            return ADAPTIVE_LEARNING_RATE
        if "momentum" in self.hyperparameters:
            return case_learning_rate * (1 - Hyperparameters.momentum)
        return case_learning_rate


OPTIMIZERS: dict[str, OptimizerRecord] = {
    record.name: record
    for record in (
        OptimizerRecord(
            "sgd",
            "theta <- theta - eta g",
            "ED5340 L26; CS60050 backprop; Goodfellow et al. (2016) Algorithm 8.1",
            ("learning_rate",),
        ),
        OptimizerRecord(
            "momentum",
            "v <- mu v - eta g; theta <- theta + v",
            "Polyak (1964); Sutskever et al. (2013) eq. 1-2",
            ("learning_rate", "momentum"),
        ),
        OptimizerRecord(
            "nesterov",
            "v <- mu v - eta g; theta <- theta + mu v - eta g",
            "Sutskever et al. (2013) eq. 3-4, as Bengio, Boulanger-Lewandowski & Pascanu (2013) eq. 7",
            ("learning_rate", "momentum"),
        ),
        OptimizerRecord(
            "adagrad",
            "r <- r + g^2; theta <- theta - eta g / (sqrt(r) + eps)",
            "Duchi, Hazan & Singer (2011)",
            ("learning_rate", "epsilon", "initial_accumulator"),
            adaptive=True,
        ),
        OptimizerRecord(
            "rmsprop",
            "r <- rho r + (1 - rho) g^2; theta <- theta - eta g / (sqrt(r) + eps)",
            "Hinton, Neural Networks for Machine Learning, lecture 6e",
            ("learning_rate", "rho", "epsilon"),
            adaptive=True,
        ),
        OptimizerRecord(
            "adam",
            "m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2; theta <- theta - eta m_hat / (sqrt(v_hat) + eps)",
            "Kingma & Ba (2015) Algorithm 1",
            ("learning_rate", "beta_1", "beta_2", "epsilon"),
            adaptive=True,
        ),
    )
}


def optimizer(name: str) -> OptimizerRecord:
    """The record for ``name``.

    Raises:
        InputError: for a name with no record (the message lists the known ones).
    """
    if name not in OPTIMIZERS:
        raise InputError(f"optimizer: expected one of {', '.join(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name]


def check_name(name: str) -> str:
    """``name`` itself when it has a record.

    Raises:
        InputError: for any other name.
    """
    return optimizer(name).name


VELOCITY_STEPS = "steps"  # v <- mu v - eta g; theta + v: the lectures', Keras's (eta inside the velocity)
VELOCITY_GRADIENTS = "gradients"  # b <- mu b + g; theta - eta b: torch.optim.SGD's (eta outside; torch SGD docs' note)
VELOCITIES = (VELOCITY_STEPS, VELOCITY_GRADIENTS)  # equal maths while eta is constant, not once a schedule changes it


def check_velocity(velocity: str) -> str:
    """``velocity`` itself when it is one of :data:`VELOCITIES` (momentum's two conventions).

    Raises:
        InputError: for any other value.
    """
    return str(lookup(dict.fromkeys(VELOCITIES, velocity), velocity, "velocity convention"))


def float32_exact(value: float) -> float:
    """The float32 number nearest ``value``, as a Python float (e.g. 0.9 -> 0.8999999761581421)."""
    return float(np.float32(value))


def matched(name: str, learning_rate: float) -> Hyperparameters:
    """The textbook hyperparameters in a form all three implementations hold exactly.

    epsilon = 0: each framework puts epsilon somewhere else (docs/training.md), and only
    eps = 0 makes all three the same function; AdaGrad's accumulator then starts at
    r_0 = 0.1 (Keras's default; torch accepts it too), so that sqrt(r) > 0 even where g = 0.
    mu, rho, beta_1, beta_2 and r_0 are the float32 roundings of 0.9, 0.9, 0.9, 0.999 and
    0.1: on the TensorFlow backend Keras's update steps call ``ops.cast(python_float,
    variable.dtype)``, and ``tf.cast`` makes a float32 constant from a Python float before
    casting, so a float64 model would use 0.8999999761581421 for 0.9 whatever we asked for
    (docs/training.md). A float32-exact value survives that round trip unchanged. The
    learning rate stays as given (keras_impl.optimizers passes it as a float64 tensor).

    Raises:
        InputError: an unknown name or a learning rate <= 0.
    """
    check_name(name)
    textbook = Hyperparameters(learning_rate=learning_rate)
    return Hyperparameters(
        learning_rate=learning_rate,
        momentum=float32_exact(textbook.momentum),
        rho=float32_exact(textbook.rho),
        beta_1=float32_exact(textbook.beta_1),
        beta_2=float32_exact(textbook.beta_2),
        epsilon=0.0,
        initial_accumulator=float32_exact(textbook.initial_accumulator),
    )
