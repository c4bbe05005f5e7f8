"""Framework facts that make an implementation part from scratch for a documented reason.

Each implementation's registry entry (compare.registry) lists the known differences
that apply to it. When the first divergence matches one, the report says why beside
the ✗, so a student sees the cause rather than a bare mismatch. Each entry names the
framework source line and the page that explains it; a test shows the harness
reporting exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.spec import Spec

Applies = Callable[[Spec, str, str], bool]  # (spec, dtype, quantity) -> whether this fact explains a divergence there


@dataclass(frozen=True)
class KnownDifference:
    """One documented reason for a divergence.

    Attributes:
        key: a short name, e.g. ``"leaky_slope_float32"``.
        note: the one line the report prints beside the ✗.
        source: the framework source that does it, and the page that explains it.
        applies: whether the fact explains a first divergence at ``(spec, dtype, quantity)``.
    """

    key: str
    note: str
    source: str
    applies: Applies


def activation_output(activation: str, dtype: str) -> Applies:
    """Applies at ``a_l`` of a layer whose activation is ``activation``, in ``dtype``."""

    def applies(spec: Spec, run_dtype: str, quantity: str) -> bool:
        layer = quantity[1:]
        return (
            run_dtype == dtype and quantity.startswith("a") and layer.isdigit() and spec.activations[int(layer) - 1] == activation
        )

    return applies


TF_LEAKY_SLOPE_FLOAT32 = KnownDifference(
    key="leaky_slope_float32",
    note="known: TensorFlow keeps the leaky ReLU slope in float32 (docs/numerics.md §4)",
    source="keras/src/backend/tensorflow/nn.py:104 calls tf.nn.leaky_relu(x, alpha=negative_slope); the LeakyRelu op's "
    'alpha is a `float` (32-bit) attribute (tensorflow/core/ops/nn_ops.cc, REGISTER_OP("LeakyRelu")): '
    "0.01 -> 0.009999999776, 2.2e-8 relative",
    applies=activation_output("leaky_relu", "float64"),
)


def delta_of(activation: str) -> Applies:
    """Applies at delta_l of a layer whose activation is ``activation``, in any dtype."""

    def applies(spec: Spec, run_dtype: str, quantity: str) -> bool:
        layer = quantity.removeprefix("delta")
        return quantity.startswith("delta") and layer.isdigit() and spec.activations[int(layer) - 1] == activation

    return applies


def never(spec: Spec, dtype: str, quantity: str) -> bool:
    """For a fact that cannot make parity fail (a training-only or rounding-level one): documented, never a cause."""
    return False


JAX_LEAKY_DERIVATIVE_AT_ZERO = KnownDifference(
    key="leaky_derivative_at_zero",
    note="known: JAX's leaky ReLU takes the identity branch at z = 0, so its derivative there is 1, not 0.01",
    source="keras/src/backend/jax/nn.py leaky_relu -> jax.nn.leaky_relu: jnp.where(x >= 0, x, negative_slope * x) "
    "(jax/_src/nn/functions.py:354); TensorFlow, torch and the lectures' convention give 0.01 at 0",
    applies=delta_of("leaky_relu"),
)

TF_HYPERPARAMETERS_FLOAT32 = KnownDifference(
    key="hyperparameters_float32",
    note="known: on TensorFlow, Keras casts Python-float hyperparameters (momentum, betas, rho, r0, the L2 factor) "
    "through float32 even in float64 models; matched runs use float32-exact values (docs/training.md)",
    source="keras/src/optimizers/*.py update_step: ops.cast(self.momentum, variable.dtype); tf.cast of a Python float "
    "makes a float32 constant first; keras/src/regularizers/regularizers.py:265 ops.cast(self.l2, x.dtype)",
    applies=never,
)

TORCH_BACKEND_OPTIMIZERS = KnownDifference(
    key="torch_backend_optimizers",
    note="known: on the torch backend Keras swaps in its own optimizer code (torch._foreach_*), in another operation "
    "order: float64 trajectories differ at rounding level (<= 1e-12 over 1,000 steps)",
    source="keras/src/backend/torch/optimizers/torch_optimizer.py:21-34 (TorchOptimizer.__new__), torch_sgd.py, torch_adam.py",
    applies=never,
)


def known_cause(spec: Spec, dtype: str, framework: str, quantity: str) -> str | None:
    """The note of the first of ``framework``'s known differences that explains a first divergence at ``quantity``, or None."""
    from compare import registry  # the registry lists each implementation's known differences (and imports this module)

    return next((d.note for d in registry.get(framework).known_differences if d.applies(spec, dtype, quantity)), None)


def batch_norm_quantity(dtype: str) -> Applies:
    """Applies at a batch norm's output, the activation after it, or its running variance, in ``dtype``."""

    def applies(spec: Spec, run_dtype: str, quantity: str) -> bool:
        return run_dtype == dtype and quantity.startswith(("bn", "running_var")) and any(spec.batch_norm)

    return applies


KERAS_BIASED_RUNNING_VARIANCE = KnownDifference(
    key="biased_running_variance",
    note="known: Keras's BatchNormalization averages the biased batch variance into moving_variance (torch and "
    "Ioffe & Szegedy: the unbiased m/(m - 1) one) and has no argument for the other; the harness runs scratch "
    "with Keras's convention (docs/training.md)",
    source="keras/src/layers/normalization/batch_normalization.py:385-391 (moving_variance * momentum + variance * "
    "(1 - momentum), variance from ops.moments); torch/nn/modules/batchnorm.py:321-324 (running_var: torch.var(correction=1))",
    applies=never,
)

KERAS_BATCH_NORM_ONE_ROW = KnownDifference(
    key="batch_norm_one_row",
    note="known: Keras's BatchNormalization trains on a batch of one row without complaint (variance 0, output = beta, "
    "moving_variance pulled towards 0); torch raises and so does every implementation here (core.validate)",
    source="keras/src/layers/normalization/batch_normalization.py:363-364 (ops.moments of one row); "
    "torch/nn/functional.py:2853-2856 (_verify_batch_size: Expected more than 1 value per channel when training)",
    applies=never,
)

KERAS_MOMENTUM_COMPLEMENT = KnownDifference(
    key="momentum_complement",
    note="known: Keras weights the new batch by 1 - momentum, computed in Python: momentum 0.9 gives "
    "0.09999999999999998, not 0.1 (2.8e-17 apart; below every tolerance)",
    source="keras/src/layers/normalization/batch_normalization.py:385-391 (mean * (1.0 - self.momentum))",
    applies=never,
)

KERAS_DROPOUT_DIVIDES = KnownDifference(
    key="dropout_divides",
    note="known: on JAX and torch Keras scales kept units by inputs / (1 - rate), not inputs * (1 / (1 - rate)) as "
    "TensorFlow, torch and scratch do: 1 ulp apart for some rates (below every tolerance)",
    source="keras/src/backend/jax/random.py:83-85 and keras/src/backend/torch/random.py:164-168 (inputs / keep_prob); "
    "tensorflow/python/ops/nn_ops.py:5790-5792 (x * (1 / keep_prob))",
    applies=never,
)

KERAS_TORCH_ONE_PASS_VARIANCE = KnownDifference(
    key="one_pass_variance",
    note="known: on the torch backend Keras computes the batch variance as E[x^2] - E[x]^2 in one pass, which loses "
    "digits when a unit's mean is large against its spread (float32 first); the other backends subtract the mean first",
    source="keras/src/backend/torch/nn.py:976-982 (moments); keras/src/backend/jax/nn.py:1053-1054 (jnp.var); "
    "tensorflow/python/ops/nn_impl.py:1264-1287 (tf.nn.moments)",
    applies=batch_norm_quantity("float32"),
)

TORCH_DROPOUT_SCALE_FLOAT32 = KnownDifference(
    key="dropout_scale_float32",
    note="known: in float32 torch's dropout scale is float32(1) / float32(1 - p), TensorFlow's and scratch's "
    "float32(1 / (1 - p)): 1 ulp apart for 15 of the rates 0.01..0.99 (not 0.2 or 0.5)",
    source="aten/src/ATen/native/Dropout.cpp (_dropout_impl: noise.bernoulli_(1 - p); noise.div_(1 - p)); "
    "tensorflow/python/ops/nn_ops.py:5790 (scale = 1 / keep_prob)",
    applies=never,
)
