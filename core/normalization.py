"""Batch normalisation's and dropout's contract: the settings every implementation is configured to, and their conventions.

Batch normalisation (Ioffe & Szegedy 2015, Algorithm 1) in training mode normalises each
unit of z_l over the batch with the batch mean and the *biased* batch variance (divide by
m), eps inside the square root, then scales by gamma_l and shifts by beta_l; in inference
mode it uses running statistics instead. The running statistics are exponential moving
averages, and the frameworks spell the average differently (verified in the installed
source; docs/training.md has the table):

- torch ``nn.BatchNorm1d(momentum=0.1, eps=1e-5)``: running <- (1 - momentum) running + momentum batch,
  so ``momentum`` weights the *new* batch; ``running_var`` takes the *unbiased* batch variance
  m/(m - 1) var (torch/nn/modules/batchnorm.py:321-324, 336-342).
- Keras ``BatchNormalization(momentum=0.99, epsilon=1e-3)``: moving <- moving momentum + batch (1 - momentum),
  so ``momentum`` weights the *old* value; ``moving_variance`` takes the *biased* batch variance
  (keras/src/layers/normalization/batch_normalization.py:385-391).

Neither framework can be configured to the other's variance convention, so
:class:`BatchNormSettings` holds what can be matched (the weight of the new batch and eps)
and each implementation reports the convention it stores; scratch takes the convention as
an argument, and the harness runs it with each framework's own (compare.parity.harness).

Inverted dropout (Srivastava et al. 2014, with the scaling at training time): in training mode
each unit is kept with probability 1 - p and kept units are scaled by 1/(1 - p); in inference
mode it is the identity.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InputError

UNBIASED, BIASED = "unbiased", "biased"
RUNNING_VARIANCES = {
    UNBIASED: "the unbiased batch variance m/(m - 1) var_B (Ioffe & Szegedy 2015, Algorithm 2; torch's running_var)",
    BIASED: "the biased batch variance var_B, the one the forward pass divides by (Keras's moving_variance)",
}
MODES = ("train", "inference")
TRAIN, INFERENCE = MODES
DROPOUT_SEED = 0  # the dropout stream every implementation draws from unless told otherwise


@dataclass(frozen=True)
class BatchNormSettings:
    """What configures a batch norm beyond its layer sizes.

    Attributes:
        new_weight: the weight of the new batch statistic in the running average,
            running <- (1 - new_weight) running + new_weight batch (torch's ``momentum``;
            Keras's ``1 - momentum``), in (0, 1].
        epsilon: added to the variance inside the square root, > 0.

    Raises:
        InputError: a value outside its range.
    """

    new_weight: float = 0.1
    epsilon: float = 1e-5

    def __post_init__(self) -> None:
        """Check both ranges."""
        if not 0 < self.new_weight <= 1:
            raise InputError(f"batch norm new_weight: expected a number in (0, 1], got {self.new_weight}")
        if not self.epsilon > 0:
            raise InputError(f"batch norm epsilon: expected a number > 0, got {self.epsilon}")


# The matched settings every implementation is configured to (torch's defaults: Keras needs momentum=0.9, epsilon=1e-5).
MATCHED = BatchNormSettings()


def check_mode(mode: str) -> str:
    """``mode`` itself when it is ``"train"`` or ``"inference"``.

    Raises:
        InputError: any other mode.
    """
    if mode not in MODES:
        raise InputError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    return mode


def check_running_variance(convention: str) -> str:
    """``convention`` itself when it is ``"unbiased"`` or ``"biased"``.

    Raises:
        InputError: any other convention.
    """
    if convention not in RUNNING_VARIANCES:
        raise InputError(f"running_variance: expected one of {', '.join(RUNNING_VARIANCES)}, got {convention!r}")
    return convention
